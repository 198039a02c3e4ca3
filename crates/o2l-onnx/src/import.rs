//! Graph import: initializers, inputs (pinned or bound), model-local function
//! inlining, then the nodes through the walker (`walk.rs`, which resolves
//! versions and reports all unsupported nodes together), then the outputs.
use crate::load::{Loaded, Opsets, opsets_of};
use crate::map::ctx::Tracked;
use crate::schema::{DEFAULT_DOMAIN, normalize_domain};
use crate::tensor::{ExternalFiles, dtype_of, tensor_from_proto};
use crate::walk::{Target, Values, WalkNode, node_name, walk};
use crate::{ImportOptions, Imported};
use o2l_canon::{Dim, Error, Graph, Origin, Result, TensorType, ValueId};
use o2l_proto::{
    AttributeProto, FunctionProto, NodeProto, ValueInfoProto, tensor_shape_proto, type_proto,
};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// A node after function inlining, with the opset imports that apply to it.
struct FlatNode<'a> {
    node: Cow<'a, NodeProto>,
    /// Index into the opset maps (0: the model's).
    opsets: usize,
    /// Name used in messages and for result values.
    name: String,
}

/// Retries of an import with a guessed If branch reversed.
const MAX_GUESS_RETRIES: usize = 4;

/// Imports the model. Where an If kept one of two branches by a guess (see
/// `map::control`) and the graph then does not convert, the import is
/// retried with that guess reversed, one If at a time.
pub(crate) fn import_model(loaded: &Loaded, options: &ImportOptions) -> Result<Imported> {
    let mut reversed = HashSet::new();
    let mut first_error = None;
    for _ in 0..=MAX_GUESS_RETRIES {
        let mut tracked = Tracked {
            reversed: reversed.clone(),
            ..Tracked::default()
        };
        match import_with(loaded, options, &mut tracked) {
            Ok(imported) => return Ok(imported),
            Err(e) => {
                first_error.get_or_insert(e);
                match tracked.guessed.iter().find(|g| !reversed.contains(*g)) {
                    Some(g) => reversed.insert(g.clone()),
                    None => break,
                };
            }
        }
    }
    Err(first_error.unwrap_or_else(|| Error::internal("import retries ended without an error")))
}

fn import_with(
    loaded: &Loaded,
    options: &ImportOptions,
    tracked: &mut Tracked,
) -> Result<Imported> {
    let Some(gp) = loaded.model.graph.as_ref() else {
        return Err(Error::invalid("the model has no graph"));
    };
    let name = if gp.name().is_empty() {
        "main"
    } else {
        gp.name()
    };
    let mut graph = Graph::new(name);
    graph.limits = options.limits;
    let mut warnings: Vec<String> = Vec::new();
    let mut files = ExternalFiles::new(&loaded.dir);
    // Everything the graph names: initializers and inputs, then node outputs.
    let mut values = Values::default();

    for init in &gp.initializer {
        let t = tensor_from_proto(init, &mut files)?;
        if init.name().is_empty() {
            return Err(Error::invalid("an initializer has no name"));
        }
        let id = graph.add_constant(init.name(), t)?;
        if values.define(init.name(), id).is_err() {
            return Err(Error::invalid(format!(
                "initializer \"{}\" is defined twice",
                init.name()
            )));
        }
    }
    if !gp.sparse_initializer.is_empty() {
        let names: Vec<&str> = gp
            .sparse_initializer
            .iter()
            .map(|s| s.values.as_ref().map(|v| v.name()).unwrap_or("?"))
            .collect();
        return Err(Error::unsupported(format!(
            "sparse initializers are not supported ({})",
            names.join(", ")
        )));
    }

    // Runtime inputs: the graph inputs that no initializer provides.
    let mut inputs: Vec<(String, TensorType)> = Vec::new();
    for vi in &gp.input {
        if values.tensors.contains_key(vi.name()) {
            continue;
        }
        inputs.push((vi.name().to_string(), value_type(vi)?));
    }
    warnings.extend(apply_pins(
        &mut inputs,
        &options.input_shapes,
        &options.dims,
    )?);
    check_bindings(&inputs, &options.bind_inputs)?;
    for (n, ty) in inputs {
        let id = match options.bind_inputs.iter().find(|(b, _)| *b == n) {
            Some((_, t)) => graph.add_constant(n.clone(), t.clone())?,
            None => graph.add_input(n.clone(), ty)?,
        };
        if values.define(&n, id).is_err() {
            return Err(Error::invalid(format!(
                "graph input \"{n}\" is declared twice"
            )));
        }
    }

    // Inline model-local functions.
    let functions: HashMap<(String, String), &FunctionProto> = loaded
        .model
        .functions
        .iter()
        .map(|f| {
            (
                (
                    normalize_domain(f.domain()).to_string(),
                    f.name().to_string(),
                ),
                f,
            )
        })
        .collect();
    let mut opset_maps: Vec<Opsets> = vec![loaded.opsets.clone()];
    let mut flat: Vec<FlatNode> = Vec::with_capacity(gp.node.len());
    let mut inliner = Inliner {
        functions: &functions,
        opset_maps: &mut opset_maps,
        calls: 0,
        max_depth: options.limits.max_depth,
    };
    for (i, node) in gp.node.iter().enumerate() {
        let name = node_name(node, i);
        inliner.expand(Cow::Borrowed(node), 0, name, 0, &mut flat)?;
    }

    let nodes: Vec<WalkNode> = flat
        .into_iter()
        .map(|f| WalkNode {
            node: f.node,
            name: f.name,
            opsets: &opset_maps[f.opsets],
        })
        .collect();
    let target = Target {
        graph: &mut graph,
        files: &mut files,
        tracked,
        depth: 0,
        outputs: gp.output.iter().map(|o| o.name().to_string()).collect(),
    };
    walk(target, &mut values, &nodes)?;

    if gp.output.is_empty() {
        return Err(Error::invalid("the graph has no outputs"));
    }
    let input_ids: HashSet<ValueId> = graph.inputs.iter().copied().collect();
    let mut renamed: HashSet<ValueId> = HashSet::new();
    for vi in &gp.output {
        let n = vi.name();
        let Some(&id) = values.tensors.get(n) else {
            if values.seqs.contains_key(n) {
                return Err(Error::unsupported(format!(
                    "graph output \"{n}\" is a sequence: only tensor values cross the graph boundary"
                )));
            }
            return Err(Error::invalid(format!(
                "graph output \"{n}\" is not produced by any node, initializer or input"
            )));
        };
        match compare_declared(vi, "graph output", graph.ty(id))? {
            Declared::Agrees => {}
            Declared::OtherShape(declared) => warnings.push(format!(
                "graph output \"{n}\" is declared {declared}, the graph computes {}; the computed shape is used",
                graph.ty(id)
            )),
            Declared::OtherDtype(declared) => {
                return Err(Error::invalid(format!(
                    "graph output \"{n}\" is declared {declared}, the graph computes {}",
                    graph.ty(id)
                )));
            }
        }
        // An output that is also an input, or already another output, gets its
        // own value (an identity transpose) so that every output has its own name.
        let id = if input_ids.contains(&id) || renamed.contains(&id) {
            let origin = Origin {
                node: n.to_string(),
                op_type: "Identity".into(),
                domain: DEFAULT_DOMAIN.into(),
                opset: loaded.opsets.get(DEFAULT_DOMAIN).copied().unwrap_or(0),
                version: 0,
            };
            let perm = (0..graph.ty(id).rank()).collect();
            let op = o2l_canon::Op::Movement(o2l_canon::ops::Movement::Transpose { perm });
            let copied = graph.add_node(op, &[id], &origin)?;
            copied
                .first()
                .copied()
                .ok_or_else(|| Error::internal("identity copy"))?
        } else {
            id
        };
        renamed.insert(id);
        graph.values[id.0 as usize].name = n.to_string();
        graph.outputs.push(id);
    }
    // value_info is a hint: where it disagrees with what the graph computes,
    // the computed type is kept (as onnxruntime does) and the difference said.
    for vi in &gp.value_info {
        let Some(&id) = values.tensors.get(vi.name()) else {
            continue;
        };
        let got = graph.ty(id);
        let declared = match compare_declared(vi, "value_info", got) {
            Ok(Declared::Agrees) | Err(_) => continue,
            Ok(Declared::OtherShape(d) | Declared::OtherDtype(d)) => d,
        };
        warnings.push(format!(
            "value \"{}\" is declared {declared} by value_info, the graph computes {got}; the computed type is used",
            vi.name()
        ));
    }
    warnings.append(&mut tracked.warnings);
    graph.prune();
    graph.file_maps = loaded.file_maps.clone();
    for map in files.maps() {
        graph.file_maps.push(map.clone());
    }
    Ok(Imported {
        graph,
        warnings,
        quantization: std::mem::take(&mut tracked.quantization),
    })
}

/// `runtime_inputs` from a decode of the inputs alone
/// (`o2l_proto::inputs_only`); None when that decode or a type fails.
pub(crate) fn declared_inputs(path: &std::path::Path) -> Option<Vec<(String, TensorType)>> {
    let map = crate::mmap::map_opened(&crate::mmap::open_file(path).ok()?, path).ok()?;
    let model = <o2l_proto::inputs_only::Model as o2l_proto::Message>::decode(map).ok()?;
    let gp = model.graph?;
    let initializers = gp
        .initializer
        .iter()
        .map(|t| t.name.as_deref().unwrap_or_default());
    not_initialized(&gp.input, initializers).ok()
}

/// Graph inputs that no initializer provides, with their declared types.
pub(crate) fn runtime_inputs(loaded: &Loaded) -> Result<Vec<(String, TensorType)>> {
    let Some(gp) = loaded.model.graph.as_ref() else {
        return Err(Error::invalid("the model has no graph"));
    };
    not_initialized(&gp.input, gp.initializer.iter().map(|t| t.name()))
}

/// The `inputs` no initializer (named by `initializers`) provides, typed.
fn not_initialized<'a>(
    inputs: &[o2l_proto::ValueInfoProto],
    initializers: impl Iterator<Item = &'a str>,
) -> Result<Vec<(String, TensorType)>> {
    let inits: HashSet<&str> = initializers.collect();
    inputs
        .iter()
        .filter(|vi| !inits.contains(vi.name()))
        .map(|vi| Ok((vi.name().to_string(), value_type(vi)?)))
        .collect()
}

/// A declared tensor type against the one the graph computes.
enum Declared {
    /// Nothing declared, or the declaration agrees.
    Agrees,
    /// The element type agrees, the rank or a known dim does not: the declared type.
    OtherShape(String),
    /// Another element type: the declared type.
    OtherDtype(String),
}

/// Compares what `vi` declares (when it declares a tensor type) with `got`:
/// equal element types, equal ranks and equal known dims agree; a symbolic,
/// missing or negative declared dim agrees with any size.
fn compare_declared(vi: &ValueInfoProto, role: &str, got: &TensorType) -> Result<Declared> {
    let tt = match vi.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(tt)) => tt,
        _ => return Ok(Declared::Agrees),
    };
    let dtype = dtype_of(
        tt.elem_type.unwrap_or(0),
        &format!("{role} \"{}\"", vi.name()),
    )?;
    let shape_agrees = tt.shape.as_ref().is_none_or(|s| {
        s.dim.len() == got.rank()
            && s.dim
                .iter()
                .zip(&got.shape)
                .all(|(d, g)| match (&d.value, g) {
                    (Some(tensor_shape_proto::dimension::Value::DimValue(v)), Dim::Known(k)) => {
                        *v < 0 || *v as u64 == *k
                    }
                    _ => true,
                })
    });
    if dtype == got.dtype && shape_agrees {
        return Ok(Declared::Agrees);
    }
    let declared = declared_type(vi, role)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "another type".into());
    Ok(if dtype == got.dtype {
        Declared::OtherShape(declared)
    } else {
        Declared::OtherDtype(declared)
    })
}

/// A graph input's tensor type; missing dims become named symbols.
fn value_type(vi: &ValueInfoProto) -> Result<TensorType> {
    declared_type(vi, "graph input")
}

/// The tensor type `vi` declares (`role` names it in errors): missing and
/// negative dims (exporters write -1 for "unknown") become named symbols; a
/// size past 2^63 bytes is refused.
fn declared_type(vi: &ValueInfoProto, role: &str) -> Result<TensorType> {
    let n = vi.name();
    let what = format!("{role} \"{n}\"");
    let tt = match vi.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(tt)) => tt,
        // Lowered functions take and return tensors only; a sequence or
        // optional is resolved statically inside the graph or not at all.
        Some(other) => {
            let kind = match other {
                type_proto::Value::SequenceType(_) => "a sequence",
                type_proto::Value::OptionalType(_) => "an optional",
                type_proto::Value::MapType(_) => "a map",
                _ => "a non-tensor value",
            };
            return Err(Error::unsupported(format!(
                "{what} is {kind}: only tensor values cross the graph boundary"
            )));
        }
        None => return Err(Error::unsupported(format!("{what} has no type"))),
    };
    let dtype = dtype_of(tt.elem_type.unwrap_or(0), &what)?;
    let Some(shape) = &tt.shape else {
        return Err(Error::unsupported(format!(
            "{what} has no shape (unranked)"
        )));
    };
    // A name used for two dims of one input is a placeholder, not a claim
    // that they are equal (Paddle writes "?" for every unknown dim): those
    // dims are unnamed, like "?" itself.
    let repeated = |p: &str| {
        let named = |d: &&tensor_shape_proto::Dimension| matches!(&d.value, Some(tensor_shape_proto::dimension::Value::DimParam(q)) if q == p);
        shape.dim.iter().filter(named).count() > 1
    };
    let mut dims = Vec::with_capacity(shape.dim.len());
    for (i, d) in shape.dim.iter().enumerate() {
        dims.push(match &d.value {
            Some(tensor_shape_proto::dimension::Value::DimValue(v)) if *v >= 0 => {
                Dim::Known(*v as u64)
            }
            Some(tensor_shape_proto::dimension::Value::DimParam(p))
                if !p.is_empty() && p != "?" && !repeated(p) =>
            {
                Dim::Symbol(p.clone())
            }
            _ => Dim::Symbol(unnamed_dim(n, i)),
        });
    }
    let known: Vec<u64> = dims.iter().filter_map(|d| d.known()).collect();
    let bytes = o2l_canon::shape::element_count(&known)
        .ok()
        .and_then(|n| n.checked_mul(dtype.size_bytes() as u64))
        .filter(|&b| b <= i64::MAX as u64);
    if bytes.is_none() {
        return Err(Error::limit(format!(
            "{what}: {dtype:?} elements of shape {known:?} do not fit in 2^63 bytes"
        )));
    }
    Ok(TensorType::new(dtype, dims))
}

/// Each bound value must name a runtime input and fit its declared type.
fn check_bindings(
    inputs: &[(String, TensorType)],
    binds: &[(String, o2l_canon::Tensor)],
) -> Result<()> {
    for (name, t) in binds {
        let Some((_, ty)) = inputs.iter().find(|(n, _)| n == name) else {
            let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
            return Err(Error::invalid(format!(
                "value bound to \"{name}\", which is not a runtime graph input (inputs: {})",
                names.join(", ")
            )));
        };
        let fits = ty.dtype == t.dtype
            && ty.rank() == t.dims.len()
            && ty
                .shape
                .iter()
                .zip(&t.dims)
                .all(|(d, n)| !matches!(d, Dim::Known(k) if k != n));
        if !fits {
            return Err(Error::invalid(format!(
                "value bound to \"{name}\" is {}{:?}, the model declares {ty}",
                t.dtype, t.dims
            )));
        }
    }
    Ok(())
}

/// The symbol an import gives dim `i` of `input` when the model leaves it unnamed.
pub(crate) fn unnamed_dim(input: &str, i: usize) -> String {
    format!("{input}_d{i}")
}

/// A size pinned to a symbolic dim: (size, input, dim index).
type PinnedDim = (u64, String, usize);

/// Applies `NAME=dims` pins, then `NAME=N` pins of named dims (`dim_param`s)
/// that the first left symbolic. A dim name is a hint, not a constraint: a
/// symbol pinned to one size takes that size in every input, but when pins
/// give one name different sizes (two inputs both say `N`, and the data
/// differ), each pinned dim keeps its own size, the others stay symbolic, and
/// a warning says so.
pub(crate) fn apply_pins(
    inputs: &mut [(String, TensorType)],
    pins: &[(String, Vec<u64>)],
    dims: &[(String, u64)],
) -> Result<Vec<String>> {
    // Per symbol, the sizes pinned to it, in pin order.
    let mut pinned: Vec<(String, Vec<PinnedDim>)> = Vec::new();
    for (name, dims) in pins {
        let Some((_, ty)) = inputs.iter_mut().find(|(n, _)| n == name) else {
            let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
            return Err(Error::invalid(format!(
                "input shape given for \"{name}\", which is not a graph input (inputs: {})",
                names.join(", ")
            )));
        };
        if ty.rank() != dims.len() {
            return Err(Error::invalid(format!(
                "input shape for \"{name}\" has rank {}, the model declares {ty}",
                dims.len()
            )));
        }
        for (i, (d, &v)) in ty.shape.iter_mut().zip(dims).enumerate() {
            match d {
                Dim::Known(k) if *k != v => {
                    return Err(Error::invalid(format!(
                        "input shape for \"{name}\": dim {i} is {k} in the model, pinned to {v}"
                    )));
                }
                Dim::Known(_) => {}
                Dim::Symbol(s) => {
                    let at = (v, name.clone(), i);
                    match pinned.iter_mut().find(|(p, _)| p == s) {
                        Some((_, sizes)) => sizes.push(at),
                        None => pinned.push((s.clone(), vec![at])),
                    }
                    *d = Dim::Known(v);
                }
            }
        }
    }
    let mut warnings = Vec::new();
    let mut fixed: HashMap<&str, u64> = HashMap::new();
    for (s, sizes) in &pinned {
        let Some((first, ..)) = sizes.first() else {
            continue;
        };
        if sizes.iter().all(|(v, ..)| v == first) {
            fixed.insert(s.as_str(), *first);
            continue;
        }
        let each: Vec<String> = sizes
            .iter()
            .map(|(v, input, i)| format!("{v} in \"{input}\" (dim {i})"))
            .collect();
        warnings.push(format!(
            "dim \"{s}\" is pinned to {}: the name is taken as a hint, each input keeps its own size",
            each.join(", ")
        ));
    }
    let mut named: HashMap<&str, u64> = HashMap::new();
    for (name, v) in dims {
        if *v == 0 {
            return Err(Error::invalid(format!(
                "dim \"{name}\" pinned to 0 (a pinned dim is at least 1)"
            )));
        }
        if let Some(prev) = named.insert(name.as_str(), *v)
            && prev != *v
        {
            return Err(Error::invalid(format!(
                "dim \"{name}\" is pinned to both {prev} and {v}"
            )));
        }
    }
    for (n, ty) in inputs.iter_mut() {
        for (i, d) in ty.shape.iter_mut().enumerate() {
            let Dim::Symbol(s) = d else { continue };
            let v = match fixed.get(s.as_str()) {
                Some(&v) => Some(v),
                None if *s != unnamed_dim(n, i) => named.get(s.as_str()).copied(),
                None => None,
            };
            if let Some(v) = v {
                *d = Dim::Known(v);
            }
        }
    }
    Ok(warnings)
}

struct Inliner<'f, 'm> {
    functions: &'f HashMap<(String, String), &'f FunctionProto>,
    opset_maps: &'m mut Vec<Opsets>,
    calls: usize,
    max_depth: usize,
}

impl<'f> Inliner<'f, '_> {
    /// Appends `node` to `out`, replacing calls of model-local functions by their bodies.
    fn expand(
        &mut self,
        node: Cow<'f, NodeProto>,
        opsets: usize,
        name: String,
        depth: usize,
        out: &mut Vec<FlatNode<'f>>,
    ) -> Result<()> {
        let key = (
            normalize_domain(node.domain()).to_string(),
            node.op_type().to_string(),
        );
        let Some(&f) = self.functions.get(&key) else {
            out.push(FlatNode { node, opsets, name });
            return Ok(());
        };
        if depth >= self.max_depth {
            return Err(Error::limit(format!(
                "function {} calls nest deeper than {} (--max-depth)",
                f.name(),
                self.max_depth
            )));
        }
        if node.input.len() > f.input.len() || node.output.len() > f.output.len() {
            return Err(Error::invalid(format!(
                "node \"{name}\" calls function {} with {} inputs and {} outputs; it declares {} and {}",
                f.name(),
                node.input.len(),
                node.output.len(),
                f.input.len(),
                f.output.len()
            )));
        }
        self.calls += 1;
        let prefix = format!("{name}/");
        let mut rename: HashMap<&str, String> = HashMap::new();
        for (i, formal) in f.input.iter().enumerate() {
            rename.insert(formal, node.input.get(i).cloned().unwrap_or_default());
        }
        for (i, formal) in f.output.iter().enumerate() {
            rename.insert(formal, node.output.get(i).cloned().unwrap_or_default());
        }
        // The function's own imports, completed by the caller's.
        let mut fo = opsets_of(&f.opset_import)?;
        for (d, v) in &self.opset_maps[opsets] {
            fo.entry(d.clone()).or_insert(*v);
        }
        self.opset_maps.push(fo);
        let inner_opsets = self.opset_maps.len() - 1;
        let call_id = self.calls;
        for (j, inner) in f.node.iter().enumerate() {
            let map_name = |n: &String| -> String {
                if n.is_empty() {
                    return String::new();
                }
                match rename.get(n.as_str()) {
                    Some(actual) => actual.clone(),
                    None => format!("{prefix}{call_id}/{n}"),
                }
            };
            let mut attribute = Vec::with_capacity(inner.attribute.len());
            for a in &inner.attribute {
                if let Some(r) = a.ref_attr_name.as_deref().filter(|r| !r.is_empty()) {
                    let given = node
                        .attribute
                        .iter()
                        .find(|c| c.name() == r)
                        .or_else(|| f.attribute_proto.iter().find(|d| d.name() == r));
                    if let Some(given) = given {
                        attribute.push(AttributeProto {
                            name: a.name.clone(),
                            ref_attr_name: None,
                            ..given.clone()
                        });
                    }
                } else {
                    attribute.push(a.clone());
                }
            }
            let inlined = NodeProto {
                input: inner.input.iter().map(map_name).collect(),
                output: inner.output.iter().map(map_name).collect(),
                name: inner.name.clone(),
                op_type: inner.op_type.clone(),
                domain: inner.domain.clone(),
                overload: inner.overload.clone(),
                attribute,
                doc_string: None,
                metadata_props: Vec::new(),
            };
            let inner_name = format!("{prefix}{}", node_name(inner, j));
            self.expand(
                Cow::Owned(inlined),
                inner_opsets,
                inner_name,
                depth + 1,
                out,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::import;
    use crate::import::apply_pins;
    use crate::test_models::*;
    use o2l_canon::{Dim, TensorType};

    #[test]
    fn input_shape_pins_fix_symbols_and_check_names_and_ranks() {
        let m = || {
            M::new(13)
                .input(vi("x", 1, &[D::S("n"), D::N(3)]))
                .input(vi("z", 1, &[D::S("n"), D::N(3)]))
                .node(node("Add", "a", &["x", "z"], &["y"]))
                .output("y")
        };
        let opts = ImportOptions {
            input_shapes: vec![("x".into(), vec![5, 3])],
            ..Default::default()
        };
        let g = m().import_with(&opts).unwrap();
        assert_eq!(g.ty(g.inputs[1]).known_dims().unwrap(), vec![5, 3]);
        assert_eq!(out_dims(&g, 0), vec![5, 3]);
        let bad = ImportOptions {
            input_shapes: vec![("nope".into(), vec![5, 3])],
            ..Default::default()
        };
        assert!(m().import_with(&bad).unwrap_err().message.contains("nope"));
        let bad = ImportOptions {
            input_shapes: vec![("x".into(), vec![5])],
            ..Default::default()
        };
        assert!(m().import_with(&bad).unwrap_err().message.contains("rank"));
    }

    #[test]
    fn dim_pins_fix_named_dims_after_input_shapes() {
        let m = || {
            M::new(13)
                .input(vi("x", 1, &[D::S("batch"), D::S("seq")]))
                .input(vi("z", 1, &[D::S("batch"), D::S("seq")]))
                .node(node("Add", "a", &["x", "z"], &["y"]))
                .output("y")
        };
        let dims = |v: &[(&str, u64)]| v.iter().map(|(n, d)| (n.to_string(), *d)).collect();
        let opts = ImportOptions {
            dims: dims(&[("batch", 1), ("seq", 8), ("unused", 4)]),
            ..Default::default()
        };
        let g = m().import_with(&opts).unwrap();
        assert_eq!(g.ty(g.inputs[0]).known_dims().unwrap(), vec![1, 8]);
        assert_eq!(out_dims(&g, 0), vec![1, 8]);
        // --input-shape wins for the symbols it fixes; the rest follow --dim.
        let opts = ImportOptions {
            input_shapes: vec![("x".into(), vec![2, 5])],
            dims: dims(&[("batch", 1)]),
            ..Default::default()
        };
        let g = m().import_with(&opts).unwrap();
        assert_eq!(g.ty(g.inputs[1]).known_dims().unwrap(), vec![2, 5]);
        // Only a named dim is pinned by name.
        let opts = ImportOptions {
            dims: dims(&[("batch", 1)]),
            ..Default::default()
        };
        let g = m().import_with(&opts).unwrap();
        assert_eq!(g.ty(g.inputs[0]).shape[0], Dim::Known(1));
        assert!(matches!(g.ty(g.inputs[0]).shape[1], Dim::Symbol(_)));
        for bad in [dims(&[("batch", 0)]), dims(&[("batch", 1), ("batch", 2)])] {
            let opts = ImportOptions {
                dims: bad,
                ..Default::default()
            };
            assert!(
                m().import_with(&opts)
                    .unwrap_err()
                    .message
                    .contains("batch")
            );
        }
    }

    #[test]
    fn a_name_repeated_in_one_input_or_a_question_mark_names_nothing() {
        // Paddle writes "?" for every unknown dim; H and W are not equal.
        let g = M::new(13)
            .input(vi("x", 1, &[D::S("?"), D::N(3), D::S("s"), D::S("s")]))
            .node(node("Relu", "r", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        let shape = &g.ty(g.inputs[0]).shape;
        let names: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        assert_eq!(names, ["x_d0", "3", "x_d2", "x_d3"]);
    }

    #[test]
    fn unnamed_dims_are_not_dim_params() {
        let mut inputs = vec![(
            "x".to_string(),
            TensorType::new(
                o2l_canon::DType::F32,
                vec![
                    Dim::Symbol("x_d0".into()),
                    Dim::Symbol("n".into()),
                    Dim::Known(3),
                ],
            ),
        )];
        assert_eq!(crate::dim_params(&inputs), vec!["n".to_string()]);
        apply_pins(&mut inputs, &[], &[("x_d0".into(), 2), ("n".into(), 4)]).unwrap();
        assert_eq!(inputs[0].1.shape[0], Dim::Symbol("x_d0".into()));
        assert_eq!(inputs[0].1.shape[1], Dim::Known(4));
    }

    #[test]
    fn negative_declared_dims_are_unknown() {
        // Paddle and older PyTorch write -1 for a dim they do not know.
        let m = || {
            M::new(13)
                .input(f32_in("x", &[-1, 3]))
                .node(node("Relu", "r", &["x"], &["y"]))
                .output_vi(f32_in("y", &[-1, 3]))
        };
        let got = m().import_warned(&ImportOptions::default()).unwrap();
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let g = &got.graph;
        assert!(matches!(g.ty(g.inputs[0]).shape[0], Dim::Symbol(_)));
        assert_eq!(g.ty(g.inputs[0]).shape[1], Dim::Known(3));
        let pinned = ImportOptions {
            input_shapes: vec![("x".into(), vec![4, 3])],
            ..Default::default()
        };
        assert_eq!(out_dims(&m().import_with(&pinned).unwrap(), 0), vec![4, 3]);
        let inputs = super::runtime_inputs(
            &crate::load::load_bytes(
                Bytes::from(m().bytes()),
                Path::new("test.onnx"),
                PathBuf::from("."),
            )
            .unwrap(),
        )
        .unwrap();
        assert!(matches!(inputs[0].1.shape[0], Dim::Symbol(_)));
    }

    #[test]
    fn a_dim_name_two_inputs_share_is_a_hint_not_a_constraint() {
        // Both inputs say N; the data make them 2 and 3 (onnxruntime runs it).
        let m = || {
            M::new(13)
                .input(vi("x", 1, &[D::S("N"), D::N(4)]))
                .input(vi("z", 1, &[D::S("N")]))
                .input(vi("w", 1, &[D::S("N")]))
                .node(node("Relu", "r", &["x"], &["a"]))
                .node(node("Neg", "n", &["z"], &["b"]))
                .node(node("Neg", "n2", &["w"], &["c"]))
                .output("a")
                .output("b")
                .output("c")
        };
        let opts = ImportOptions {
            input_shapes: vec![("x".into(), vec![2, 4]), ("z".into(), vec![3])],
            ..Default::default()
        };
        let got = m().import_warned(&opts).unwrap();
        let g = &got.graph;
        assert_eq!(out_dims(g, 0), vec![2, 4]);
        assert_eq!(out_dims(g, 1), vec![3]);
        // An input no pin names keeps the symbol: neither size is its.
        assert!(matches!(g.ty(g.outputs[2]).shape[0], Dim::Symbol(_)));
        let [w] = &got.warnings[..] else {
            panic!("{:?}", got.warnings)
        };
        assert!(w.contains("dim \"N\""), "{w}");
        assert!(w.contains("2 in \"x\" (dim 0)"), "{w}");
        assert!(w.contains("3 in \"z\" (dim 0)"), "{w}");
        // Pins that agree still fix the name in every input, without a word.
        let agree = ImportOptions {
            input_shapes: vec![("x".into(), vec![2, 4]), ("z".into(), vec![2])],
            ..Default::default()
        };
        let got = m().import_warned(&agree).unwrap();
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(out_dims(&got.graph, 2), vec![2]);
        // value_info naming N for values the graph makes 4 and 3 forces nothing.
        let got = M::new(13)
            .input(f32_in("x", &[4]))
            .input(f32_in("z", &[3]))
            .node(node("Relu", "r", &["x"], &["a"]))
            .node(node("Neg", "n", &["z"], &["b"]))
            .value_info(vi("a", 1, &[D::S("N")]))
            .value_info(vi("b", 1, &[D::S("N")]))
            .output("a")
            .output("b")
            .import_warned(&ImportOptions::default())
            .unwrap();
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(out_dims(&got.graph, 0), vec![4]);
        assert_eq!(out_dims(&got.graph, 1), vec![3]);
    }

    #[test]
    fn declared_shapes_the_graph_disagrees_with_are_warnings() {
        let m = |declared: ValueInfoProto| {
            M::new(13)
                .input(f32_in("x", &[2, 3]))
                .node(node("Relu", "r", &["x"], &["t"]))
                .node(node("Neg", "n", &["t"], &["y"]))
                .value_info(f32_in("t", &[7]))
                .output_vi(declared)
        };
        let got = m(f32_in("y", &[5, 5]))
            .import_warned(&ImportOptions::default())
            .unwrap();
        assert_eq!(
            out_dims(&got.graph, 0),
            vec![2, 3],
            "the computed shape wins"
        );
        assert_eq!(got.warnings.len(), 2, "{:?}", got.warnings);
        let out = &got.warnings[0];
        assert!(out.contains("graph output \"y\""), "{out}");
        assert!(out.contains("declared tensor<5x5xf32>"), "{out}");
        assert!(out.contains("computes tensor<2x3xf32>"), "{out}");
        let vi_w = &got.warnings[1];
        assert!(vi_w.contains("value \"t\""), "{vi_w}");
        assert!(vi_w.contains("declared tensor<7xf32>"), "{vi_w}");
        assert!(vi_w.contains("computes tensor<2x3xf32>"), "{vi_w}");
        // Another rank is a warning too; another element type is still refused.
        let got = m(f32_in("y", &[6]))
            .import_warned(&ImportOptions::default())
            .unwrap();
        assert!(
            got.warnings[0].contains("tensor<6xf32>"),
            "{:?}",
            got.warnings
        );
        let e = m(vi("y", 7, &[D::N(2), D::N(3)])).import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel);
        assert!(e.message.contains("graph output \"y\""), "{e}");
    }

    #[test]
    fn model_local_functions_are_inlined_with_attribute_references() {
        let inner = with_attrs(
            node("LeakyRelu", "leaky", &["a"], &["t"]),
            vec![AttributeProto {
                name: Some("alpha".into()),
                ref_attr_name: Some("slope".into()),
                r#type: Some(AttributeType::Float as i32),
                ..Default::default()
            }],
        );
        let f = FunctionProto {
            name: Some("LeakyNeg".into()),
            domain: Some("local".into()),
            input: vec!["a".into()],
            output: vec!["b".into()],
            attribute: vec!["slope".into()],
            node: vec![inner, node("Neg", "neg", &["t"], &["b"])],
            opset_import: vec![OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(13),
            }],
            ..Default::default()
        };
        let mut call = with_attrs(
            node("LeakyNeg", "call", &["x"], &["y"]),
            vec![a_float("slope", 0.25)],
        );
        call.domain = Some("local".into());
        let mut m = M::new(13)
            .input(f32_in("x", &[3]))
            .node(call.clone())
            .node(NodeProto {
                name: Some("call2".into()),
                input: vec!["y".into()],
                output: vec!["z".into()],
                ..call
            })
            .output("z");
        m.model.functions.push(f);
        m.model.opset_import.push(OperatorSetIdProto {
            domain: Some("local".into()),
            version: Some(1),
        });
        let g = m.import().unwrap();
        assert_eq!(op_names(&g), vec!["LeakyRelu", "Neg", "LeakyRelu", "Neg"]);
        assert_eq!(
            g.nodes[0].op,
            Op::Elementwise(Elementwise::Unary(Unary::LeakyRelu { alpha: 0.25 }))
        );
        assert_eq!(g.nodes[2].origin.node, "call2/leaky");
        assert_eq!(g.value(g.outputs[0]).name, "z");
    }

    #[test]
    fn missing_truncated_and_garbage_files_are_clear_errors() {
        let dir = scratch("files");
        let e = import(&dir.join("nope.onnx"), &ImportOptions::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Io);
        let bytes = M::new(13)
            .input(f32_in("x", &[2]))
            .node(node("Relu", "r", &["x"], &["y"]))
            .output("y")
            .bytes();
        let path = dir.join("m.onnx");
        for cut in [1, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let e = import(&path, &ImportOptions::default()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidModel, "cut {cut}: {e}");
        }
        std::fs::write(&path, b"").unwrap();
        let e = import(&path, &ImportOptions::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        std::fs::write(&path, &bytes).unwrap();
        let g = import(&path, &ImportOptions::default()).unwrap();
        assert_eq!(op_names(&g), vec!["Relu"]);
        let inputs = crate::graph_inputs(&path).unwrap();
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].0, "x");
        // A truncated file does not decode for its inputs either: the full
        // load names the problem.
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let e = crate::graph_inputs(&path).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    }

    #[test]
    fn inputs_decoded_alone_are_the_loaded_models_inputs() {
        // Every model fixture and corpus model: initializers listed as
        // inputs (older exporters), symbolic and named dims, external data.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut models: Vec<std::path::PathBuf> = Vec::new();
        for dir in ["fixtures/models", "fixtures/corpus"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let model = if path.is_dir() {
                    path.join("model.onnx")
                } else {
                    path
                };
                if model.extension().is_some_and(|e| e == "onnx") && model.exists() {
                    models.push(model);
                }
            }
        }
        assert!(models.len() > 90, "{}", models.len());
        for path in &models {
            let declared =
                super::declared_inputs(path).unwrap_or_else(|| panic!("{}", path.display()));
            let loaded = super::runtime_inputs(&crate::load::load_model(path).unwrap()).unwrap();
            assert_eq!(declared, loaded, "{}", path.display());
        }
    }

    fn external(
        name: &str,
        location: &str,
        offset: Option<u64>,
        length: Option<u64>,
    ) -> TensorProto {
        let mut kv = vec![StringStringEntryProto {
            key: Some("location".into()),
            value: Some(location.into()),
        }];
        if let Some(o) = offset {
            kv.push(StringStringEntryProto {
                key: Some("offset".into()),
                value: Some(o.to_string()),
            });
        }
        if let Some(l) = length {
            kv.push(StringStringEntryProto {
                key: Some("length".into()),
                value: Some(l.to_string()),
            });
        }
        TensorProto {
            name: Some(name.into()),
            dims: vec![2],
            data_type: Some(1),
            data_location: Some(1),
            external_data: kv,
            ..Default::default()
        }
    }

    fn external_model(dir: &Path, t: TensorProto) -> o2l_canon::Result<Graph> {
        let bytes = M::new(13)
            .input(f32_in("x", &[2]))
            .init(t)
            .node(node("Add", "add", &["x", "w"], &["y"]))
            .output("y")
            .bytes();
        let path = dir.join("model.onnx");
        std::fs::write(&path, bytes).unwrap();
        import(&path, &ImportOptions::default())
    }

    #[test]
    fn external_data_is_read_inside_the_model_folder_only() {
        let root = scratch("external");
        let dir = root.join("model");
        std::fs::create_dir_all(&dir).unwrap();
        let data: Vec<u8> = [0.0f32, 1.0, 2.0, 3.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        std::fs::write(dir.join("weights.bin"), &data).unwrap();
        std::fs::write(root.join("outside.bin"), &data).unwrap();

        let g = external_model(&dir, external("w", "weights.bin", Some(8), Some(8))).unwrap();
        let w = g.nodes[0].inputs[1];
        assert_eq!(g.constant(w).unwrap().to_f64s(), vec![2.0, 3.0]);

        let e = external_model(&dir, external("w", "../outside.bin", None, Some(8))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains(".."), "{e}");

        let abs = root.join("outside.bin");
        let e =
            external_model(&dir, external("w", abs.to_str().unwrap(), None, Some(8))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("absolute"), "{e}");

        std::os::unix::fs::symlink(&abs, dir.join("link.bin")).unwrap();
        let e = external_model(&dir, external("w", "link.bin", None, Some(8))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("outside the model's folder"), "{e}");

        let e = external_model(&dir, external("w", "weights.bin", Some(12), Some(8))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("past the end"), "{e}");
    }

    #[test]
    fn a_fold_larger_than_max_fold_bytes_stays_an_op() {
        let model = || {
            M::new(17)
                .init(t_f32("a", &[64], &[1.0; 64]))
                .init(t_f32("b", &[64], &[2.0; 64]))
                .node(node("Add", "add", &["a", "b"], &["y"]))
                .output("y")
        };
        let folded = model().import().unwrap();
        assert!(folded.nodes.is_empty(), "{:?}", op_names(&folded));
        // 64 f32 are 256 bytes: above a 128-byte cap the Add runs at run time.
        let kept = model()
            .import_with(&with_limits(|l| l.max_fold_bytes = 128))
            .unwrap();
        assert_eq!(op_names(&kept), ["Add"]);
    }

    #[test]
    fn a_fill_past_max_fold_bytes_runs_and_past_max_alloc_bytes_is_a_limit_error() {
        let model = || {
            M::new(17)
                .init(t_i64("shape", &[1000, 1000]))
                .node(node("ConstantOfShape", "fill", &["shape"], &["y"]))
                .output("y")
        };
        assert!(model().import().unwrap().nodes.is_empty());
        // Past --max-fold-bytes a fill is made at run time, nothing allocated.
        let kept = model()
            .import_with(&with_limits(|l| l.max_fold_bytes = 1 << 20))
            .unwrap();
        assert_eq!(op_names(&kept), ["Fill"]);
        // Past --max-alloc-bytes too, the shape is refused.
        let e = model()
            .import_with(&with_limits(|l| {
                l.max_fold_bytes = 1 << 20;
                l.max_alloc_bytes = 2 << 20;
            }))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        assert!(e.message.contains("--max-fold-bytes"), "{e}");
        assert!(e.message.contains("ConstantOfShape of [1000, 1000]"), "{e}");
    }

    #[test]
    fn constants_made_in_total_past_max_alloc_bytes_are_a_limit_error() {
        // Each fold is small, together they pass a 3000-byte total.
        let mut m = M::new(17).init(t_f32("a", &[256], &[1.0; 256]));
        let mut last = "a".to_string();
        for k in 0..4 {
            let out = format!("y{k}");
            m = m.node(node("Add", &format!("add{k}"), &[&last, "a"], &[&out]));
            last = out;
        }
        let m = m.output(&last);
        let e = m
            .import_with(&with_limits(|l| l.max_alloc_bytes = 3000))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        assert!(e.message.contains("--max-alloc-bytes"), "{e}");
        assert!(
            e.to_string().contains("node \"add2\""),
            "the third fold passes the cap: {e}"
        );
    }
}
