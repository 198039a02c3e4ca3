//! The one node walker: maps a list of nodes onto canonical ops, for a
//! model's graph and for every subgraph alike. Each node's rule is resolved
//! first, so that all unsupported nodes are known; then nodes are mapped in
//! order. Unsupported nodes are collected and reported together (their
//! outputs are "poisoned": nodes reading them are skipped); any other error
//! stops at the first one. A value defined twice in one graph is refused.
//! Rules reach `map_subgraph` through `Scope`, never by importing this file.
use crate::attr::Attrs;
use crate::load::Opsets;
pub(crate) use crate::map::ctx::WalkNode;
use crate::map::ctx::{MapCtx, Rule, Scope, Subgraph, Tracked};
use crate::map::{find_rule, gap_reason, has_rules, supported_versions};
use crate::schema::{effective_version, normalize_domain, schema_arity, schema_versions};
use crate::tensor::{ExternalFiles, tensor_from_proto};
use o2l_canon::ops::Linear;
use o2l_canon::{Dim, Error, ErrorKind, Graph, Op, Origin, Result, ValueId};
use o2l_proto::NodeProto;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The values a walk names: tensors (the enclosing scopes' among them) and
/// sequences, which are resolved statically.
#[derive(Default)]
pub(crate) struct Values {
    pub tensors: HashMap<String, ValueId>,
    pub seqs: HashMap<String, Vec<ValueId>>,
    /// Names this graph defines itself (inputs, initializers, node outputs):
    /// each is defined once. Enclosing scopes' names may be read, not redefined here.
    pub own: HashSet<String>,
}

impl Values {
    /// Defines `name` in this graph; a second definition is an invalid model.
    pub(crate) fn define(&mut self, name: &str, id: ValueId) -> Result<()> {
        if !self.own.insert(name.to_string()) {
            return Err(Error::invalid(format!(
                "value \"{name}\" is defined more than once"
            )));
        }
        self.tensors.insert(name.to_string(), id);
        Ok(())
    }
}

/// Where the walked nodes' canonical ops go.
pub(crate) struct Target<'w> {
    pub graph: &'w mut Graph,
    pub files: &'w mut ExternalFiles,
    pub tracked: &'w mut Tracked,
    /// How deeply the walked nodes are nested in subgraphs (0: the model's graph).
    pub depth: usize,
    /// The names the walked graph returns (its outputs).
    pub outputs: Vec<String>,
}

/// Maps `nodes` in order into `target`, naming their outputs in `values`.
pub(crate) fn walk(target: Target, values: &mut Values, nodes: &[WalkNode]) -> Result<()> {
    let Target {
        graph,
        files,
        tracked,
        depth,
        outputs,
    } = target;
    let requantizers = requantizers(nodes, &outputs);
    let mut unsupported: Vec<Error> = Vec::new();
    let mut resolved: Vec<(Origin, Option<&'static Rule>)> = Vec::with_capacity(nodes.len());
    for n in nodes {
        let (origin, rule) = resolve(&n.node, &n.name, n.opsets)?;
        // Function bodies had their references replaced when inlined.
        if let Some(a) = n
            .node
            .attribute
            .iter()
            .find(|a| !a.ref_attr_name().is_empty())
        {
            return Err(Error::invalid(format!(
                "attribute \"{}\" refers to function attribute \"{}\", but the node is not in a function",
                a.name(),
                a.ref_attr_name()
            ))
            .at(&origin));
        }
        match rule {
            Ok(rule) => resolved.push((origin, Some(rule))),
            Err(e) => {
                unsupported.push(e.at(&origin));
                resolved.push((origin, None));
            }
        }
    }

    let mut poisoned: HashSet<&str> = HashSet::new();
    for (index, (n, (origin, rule))) in nodes.iter().zip(&resolved).enumerate() {
        let node: &NodeProto = &n.node;
        let mut node_inputs = Vec::with_capacity(node.input.len());
        let mut seq_inputs = Vec::with_capacity(node.input.len());
        let mut skip = rule.is_none();
        for i in &node.input {
            seq_inputs.push(values.seqs.get(i.as_str()).cloned());
            if i.is_empty() {
                node_inputs.push(None);
            } else if let Some(&id) = values.tensors.get(i.as_str()) {
                node_inputs.push(Some(id));
            } else if values.seqs.contains_key(i.as_str()) {
                node_inputs.push(None);
            } else if poisoned.contains(i.as_str()) {
                skip = true;
                node_inputs.push(None);
            } else if depth == 0 {
                return Err(Error::invalid(format!(
                    "input \"{i}\" is not defined by an earlier node, an initializer or a graph input (nodes must be in topological order)"
                ))
                .at(origin));
            } else {
                // Unsupported, not invalid: an outer value may be missing only
                // because the node making it could not be converted.
                unsupported.push(
                    Error::unsupported(format!(
                        "input \"{i}\" is neither defined in the subgraph nor available in an enclosing scope"
                    ))
                    .at(origin),
                );
                skip = true;
                node_inputs.push(None);
            }
        }
        let Some(rule) = rule.filter(|_| !skip) else {
            poisoned.extend(node.output.iter().map(String::as_str));
            continue;
        };
        let reads_dequantized = !matches!(node.op_type(), "DequantizeLinear" | "QuantizeLinear")
            && node_inputs
                .iter()
                .flatten()
                .any(|v| tracked.dequantized.contains_key(v));
        tracked.float_reason = None;
        tracked.integer_form = None;
        let scope = Scope {
            names: &values.tensors,
            opsets: n.opsets,
            depth,
            map_subgraph,
            earlier: &nodes[..index],
            requantized_by: requantizers[index].map(|j| &*nodes[j].node),
        };
        let mut ctx = MapCtx::new(
            graph,
            Attrs::new(&node.attribute),
            origin,
            origin.version,
            node_inputs,
            &node.output,
            files,
            tracked,
            scope,
        )
        .with_sequences(seq_inputs)
        .running(rule.map);
        let first_new_node = ctx.graph.nodes.len();
        match (rule.map)(&mut ctx) {
            Ok(()) => {}
            Err(e) if e.kind == ErrorKind::Unsupported => {
                unsupported.push(e.at(origin));
                poisoned.extend(node.output.iter().map(String::as_str));
                continue;
            }
            Err(e) => return Err(e.at(origin)),
        }
        let (outs, seq_outs) = ctx.into_all_outputs();
        rule.check_emitted(graph, first_new_node, origin)
            .map_err(|e| e.at(origin))?;
        if reads_dequantized
            && tracked.integer_form.is_none()
            && crate::map::qdq::track_moves(graph, tracked, first_new_node, origin, &outs)
                .map_err(|e| e.at(origin))?
        {
            tracked.integer_form = Some("the same moves on the 8-bit values".into());
        }
        if reads_dequantized {
            let line = match tracked.integer_form.take() {
                Some(form) => format!("{origin}: integer ({form})"),
                None => {
                    quantization_line(graph, first_new_node, origin, tracked.float_reason.take())
                }
            };
            tracked.quantization.push(line);
        }
        for (k, name) in node.output.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            if let Some(items) = seq_outs.get(k).cloned().flatten() {
                if depth > 0 {
                    unsupported.push(
                        Error::unsupported(format!(
                            "output {k} (\"{name}\") is a sequence inside a subgraph: sequences are resolved in the main graph only"
                        ))
                        .at(origin),
                    );
                    poisoned.insert(name.as_str());
                    continue;
                }
                if !values.own.insert(name.clone()) {
                    return Err(Error::invalid(format!(
                        "value \"{name}\" is defined more than once"
                    ))
                    .at(origin));
                }
                values.seqs.insert(name.clone(), items);
                continue;
            }
            let Some(id) = outs.get(k).copied().flatten() else {
                unsupported.push(
                    Error::unsupported(format!("output {k} (\"{name}\") is not produced"))
                        .at(origin),
                );
                poisoned.insert(name.as_str());
                continue;
            };
            values.define(name, id).map_err(|e| e.at(origin))?;
        }
    }
    match combine_unsupported(unsupported) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// For each node, the index of the QuantizeLinear (default domain) that is
/// the only reader of its first output, when that output is not one of
/// `outputs` and no subgraph reads it.
fn requantizers(nodes: &[WalkNode], outputs: &[String]) -> Vec<Option<usize>> {
    let mut readers: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut in_subgraphs: HashSet<String> = HashSet::new();
    for (j, n) in nodes.iter().enumerate() {
        for (slot, i) in n.node.input.iter().enumerate() {
            readers.entry(i.as_str()).or_default().push((j, slot));
        }
        for a in &n.node.attribute {
            for g in a.g.iter().chain(&a.graphs) {
                subgraph_reads(g, &mut in_subgraphs);
            }
        }
    }
    nodes
        .iter()
        .map(|n| {
            let out = n.node.output.first()?.as_str();
            if out.is_empty() || outputs.iter().any(|o| o == out) || in_subgraphs.contains(out) {
                return None;
            }
            let [(j, 0)] = readers.get(out)?.as_slice() else {
                return None;
            };
            let q = &nodes[*j].node;
            let default_domain = matches!(q.domain(), "" | "ai.onnx");
            (default_domain && q.op_type() == "QuantizeLinear").then_some(*j)
        })
        .collect()
}

/// Every name the nodes of `g` (and of its own subgraphs) read.
fn subgraph_reads(g: &o2l_proto::GraphProto, names: &mut HashSet<String>) {
    for n in &g.node {
        names.extend(n.input.iter().cloned());
        for a in &n.attribute {
            for g in a.g.iter().chain(&a.graphs) {
                subgraph_reads(g, names);
            }
        }
    }
}

/// Elementwise unary ops of one input that a QDQ group could take as a
/// 256-entry table, but whose f32 value onnxruntime computes with its own
/// approximations (MLAS, Eigen), so they keep the float path.
const TRANSCENDENTAL: &[&str] = &[
    "Tanh",
    "Exp",
    "Log",
    "Sqrt",
    "Erf",
    "Gelu",
    "Elu",
    "Selu",
    "Celu",
    "Softplus",
    "Softsign",
    "Mish",
    "Sin",
    "Cos",
    "Tan",
    "Asin",
    "Acos",
    "Atan",
    "Sinh",
    "Cosh",
    "Asinh",
    "Acosh",
    "Atanh",
    "Reciprocal",
    "ThresholdedRelu",
    "Swish",
];

/// What became of a node that reads a dequantized value: the integer kernel
/// it emitted, or why it stays float.
fn quantization_line(
    graph: &Graph,
    first_new_node: usize,
    origin: &Origin,
    float_reason: Option<String>,
) -> String {
    let kernel = graph.nodes[first_new_node..]
        .iter()
        .find_map(|n| match &n.op {
            Op::QuantizedConv(q) if q.groups > 1 => {
                let channels = n
                    .inputs
                    .first()
                    .and_then(|&x| graph.ty(x).shape.get(1).and_then(Dim::known));
                Some(if channels == Some(q.groups) {
                    "QuantizedConv, depthwise".to_string()
                } else {
                    format!("QuantizedConv, {} groups", q.groups)
                })
            }
            Op::QuantizedConv(_) => Some("QuantizedConv".to_string()),
            Op::Linear(Linear::QuantizedMatMul) => Some("QuantizedMatMul".to_string()),
            _ => None,
        });
    let new_nodes = &graph.nodes[first_new_node..];
    if kernel.is_none() && new_nodes.iter().all(|n| matches!(n.op, Op::Movement(_))) {
        return format!("{origin}: moves the dequantized values (exact in float)");
    }
    match (kernel, float_reason) {
        (Some(kernel), _) => format!("{origin}: integer ({kernel}, i32 accumulation)"),
        (None, Some(why)) => format!("{origin}: stays float: {why}"),
        (None, None) if TRANSCENDENTAL.contains(&origin.op_type.as_str()) => format!(
            "{origin}: stays float: {} is not made a table (a table must hold onnxruntime's f32 {} bit for bit, and its approximations of transcendental functions are not reproduced at conversion time); it runs on the dequantized values",
            origin.op_type, origin.op_type
        ),
        (None, None) => format!(
            "{origin}: stays float: {} has no integer form here (it runs on the dequantized values)",
            origin.op_type
        ),
    }
}

/// Maps a subgraph's initializers and nodes with the one walker; its outputs
/// in order. Rules reach it through `Scope::map_subgraph`.
pub(crate) fn map_subgraph(sub: Subgraph<'_>) -> Result<Vec<ValueId>> {
    let Subgraph {
        graph,
        files,
        tracked,
        opsets,
        depth,
        names,
        inputs,
        body,
        tag,
    } = sub;
    let mut values = Values {
        tensors: names,
        seqs: HashMap::new(),
        own: inputs.into_iter().collect(),
    };
    for init in &body.initializer {
        let t = tensor_from_proto(init, files)?;
        let id = graph.add_constant(format!("{tag}/{}", init.name()), t)?;
        values.define(init.name(), id)?;
    }
    let nodes: Vec<WalkNode> = body
        .node
        .iter()
        .enumerate()
        .map(|(i, node)| WalkNode {
            node: Cow::Borrowed(node),
            name: format!("{tag}/{}", node_name(node, i)),
            opsets,
        })
        .collect();
    let target = Target {
        graph,
        files,
        tracked,
        depth,
        outputs: body.output.iter().map(|o| o.name().to_string()).collect(),
    };
    walk(target, &mut values, &nodes)?;
    body.output
        .iter()
        .map(|vi| {
            values.tensors.get(vi.name()).copied().ok_or_else(|| {
                Error::invalid(format!("subgraph output \"{}\" is not produced", vi.name()))
            })
        })
        .collect()
}

/// The node's name for messages: its own, else its first output's, else `op_type#index`.
pub(crate) fn node_name(node: &NodeProto, index: usize) -> String {
    if !node.name().is_empty() {
        node.name().to_string()
    } else if let Some(o) = node.output.iter().find(|o| !o.is_empty()) {
        o.clone()
    } else {
        format!("{}#{index}", node.op_type())
    }
}

/// Builds the origin and finds the rule. Outer error: invalid model (stop);
/// inner error: unsupported (collect).
pub(crate) fn resolve(
    node: &NodeProto,
    name: &str,
    opsets: &Opsets,
) -> Result<(Origin, Result<&'static Rule>)> {
    let domain = normalize_domain(node.domain());
    let op_type = node.op_type();
    let mut origin = Origin {
        node: name.to_string(),
        op_type: op_type.to_string(),
        domain: domain.to_string(),
        opset: 0,
        version: 0,
    };
    let Some(&opset) = opsets.get(domain) else {
        let imported: Vec<&str> = opsets.keys().map(String::as_str).collect();
        return Err(Error::invalid(format!(
            "domain \"{domain}\" is not imported by the model (imports: {})",
            imported.join(", ")
        ))
        .at(&origin));
    };
    origin.opset = opset;
    let Some(versions) = schema_versions(domain, op_type) else {
        let e = Error::unsupported(format!("unknown op type {op_type} in domain {domain}"));
        return Ok((origin, Err(e)));
    };
    let Some(version) = effective_version(versions, opset) else {
        return Err(Error::invalid(format!(
            "{op_type} does not exist at opset {opset} of {domain} (its first version is {})",
            versions.first().copied().unwrap_or(0)
        ))
        .at(&origin));
    };
    origin.version = version;
    if let Some(arity) = schema_arity(domain, op_type, version)
        && let Some(why) = arity.check(
            &format!("{op_type}-{version}"),
            node.input.len(),
            node.output.len(),
        )
    {
        return Err(Error::invalid(why).at(&origin));
    }
    if let Some(rule) = find_rule(domain, op_type, version) {
        return Ok((origin, Ok(rule)));
    }
    let e = if has_rules(domain, op_type) {
        let list: Vec<String> = supported_versions(domain, op_type)
            .iter()
            .map(|v| v.to_string())
            .collect();
        let why = gap_reason(domain, op_type, version)
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        Error::unsupported(format!(
            "{op_type}-{version} is not supported{why} (supported versions: {})",
            list.join(", ")
        ))
    } else {
        Error::unsupported(format!("op {op_type} is not supported"))
    };
    Ok((origin, Err(e)))
}

/// One error for every unsupported node: the first in full, then the rest.
fn combine_unsupported(mut errors: Vec<Error>) -> Option<Error> {
    if errors.is_empty() {
        return None;
    }
    let mut first = errors.remove(0);
    if !errors.is_empty() {
        let rest: Vec<String> = errors
            .iter()
            .map(|e| match &e.origin {
                Some(o) => format!(
                    "node \"{}\" ({}-{}): {}",
                    o.node, o.op_type, o.version, e.message
                ),
                None => e.message.clone(),
            })
            .collect();
        first.message = format!(
            "{}; {} more unsupported node{}: {}",
            first.message,
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            rest.join("; ")
        );
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn an_op_before_its_first_version_is_an_invalid_model() {
        let e = M::new(6)
            .input(f32_in("x", &[4]))
            .node(node("Gelu", "early_gelu", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("does not exist at opset 6"), "{e}");
        assert!(e.message.contains("first version is 20"), "{e}");
    }

    #[test]
    fn a_domain_that_is_not_imported_is_an_invalid_model() {
        let mut n = node("Relu", "r", &["x"], &["y"]);
        n.domain = Some("com.example".into());
        let e = M::new(13)
            .input(f32_in("x", &[4]))
            .node(n)
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("com.example"), "{e}");
    }

    #[test]
    fn all_unsupported_nodes_are_reported_together() {
        let e = M::new(13)
            .input(f32_in("x", &[4]))
            .node(node("Foo", "first", &["x"], &["a"]))
            .node(node("Relu", "fine", &["a"], &["b"]))
            .node(node("Bar", "second", &["x"], &["c"]))
            .node(node("Add", "sum", &["b", "c"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert_eq!(e.origin.as_ref().unwrap().node, "first");
        assert!(e.message.contains("1 more unsupported node"), "{e}");
        assert!(e.message.contains("\"second\""), "{e}");
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn errors_carry_the_node_origin() {
        let w: Vec<f32> = vec![1.0; 4];
        let e = M::new(11)
            .input(f32_in("x", &[1, 1, 5, 5]))
            .init(t_f32("w", &[1, 1, 2, 2], &w))
            .node(with_attrs(
                node("Conv", "conv_3", &["x", "w"], &["y"]),
                vec![a_ints("pads", &[1, 1, 1])],
            ))
            .output("y")
            .import()
            .unwrap_err()
            .in_file("model.onnx");
        assert_eq!(
            e.to_string(),
            "model.onnx: node \"conv_3\" (Conv, ai.onnx, opset 11 -> Conv-11): attribute \"pads\": expected 4 values for 2 spatial dims, got 3"
        );
        let e = M::new(11)
            .input(f32_in("x", &[1]))
            .node(node("Relu", "r", &["undefined"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel);
        assert!(e.to_string().contains("node \"r\""), "{e}");
        assert!(e.message.contains("\"undefined\""), "{e}");
        let e = M::new(11)
            .input(f32_in("x", &[1]))
            .node(with_attrs(
                node("LeakyRelu", "l", &["x"], &["y"]),
                vec![a_int("alpha", 1)],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.message.contains("expected float, got int"), "{e}");
    }
}
