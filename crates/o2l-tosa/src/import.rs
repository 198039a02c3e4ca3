//! The walker: binds a function's arguments, maps the ops of its block in
//! order through the rule table (`map/`), and returns what the function
//! returns. Rules of region ops (`tosa.cond_if`, `tosa.while_loop`) walk
//! their regions through `map::ctx::Regions`, which `OpRegions` implements
//! here: the one op loop serves functions and regions alike, and an
//! unsupported op is collected wherever it sits, so one error lists them all.
use crate::map::{self, OpCtx, Operand, Regions, Within};
use crate::mlir::{Resources, dense_tensor, tensor_type};
use crate::printed::ints_of;
use melior::ir::RegionLike;
use melior::ir::block::{BlockLike, BlockRef};
use melior::ir::operation::{OperationLike, OperationRef};
use melior::ir::{Value, ValueLike};
use o2l_canon::{DType, Error, ErrorKind, Graph, Origin, Result, TensorType, ValueId};
use std::collections::{HashMap, HashSet};

/// Values of the walk, keyed by their MLIR value.
type Values = HashMap<usize, Operand>;

fn key(v: Value) -> usize {
    v.to_raw().ptr as usize
}

fn op_name(op: &OperationRef) -> String {
    op.name()
        .as_string_ref()
        .as_str()
        .unwrap_or("?")
        .to_string()
}

/// How errors name an op: its source line when the location has one
/// (`loc("file":12:8)`), else its position in the function.
fn op_label(o: &OperationRef, op_type: &str, index: usize) -> String {
    let loc = o.location().to_string();
    let line = loc.rsplit(':').nth(1).and_then(|l| l.parse::<u64>().ok());
    match line {
        Some(l) => format!("{op_type} at line {l}"),
        None => format!("{op_type} #{index}"),
    }
}

/// Maps one function's body into a new graph named `name`.
pub(crate) fn import_function(
    f: &OperationRef,
    name: &str,
    resources: &Resources,
) -> Result<Graph> {
    let region = f
        .region(0)
        .map_err(|_| Error::invalid(format!("@{name} has no body")))?;
    let block = region
        .first_block()
        .ok_or_else(|| Error::invalid(format!("@{name} has an empty body")))?;
    let mut graph = Graph::new(name);
    let mut values = Values::new();
    for i in 0..block.argument_count() {
        let arg = block
            .argument(i)
            .map_err(|_| Error::internal("missing block argument"))?;
        let ty = tensor_type(arg.r#type())
            .map_err(|e| Error::new(e.kind, format!("argument {i} of @{name}: {}", e.message)))?;
        let id = graph.add_input(format!("arg{i}"), ty)?;
        values.insert(key(arg.into()), Operand::Tensor(id));
    }
    let mut walk = Walk {
        resources,
        unsupported: Vec::new(),
        depth: 0,
    };
    let returned = walk.block(&mut graph, &mut values, &block);
    let unsupported = std::mem::take(&mut walk.unsupported);
    if let Some(first) = unsupported.first() {
        let mut e = first.clone();
        if unsupported.len() > 1 {
            let rest: Vec<String> = unsupported[1..].iter().map(|e| e.to_string()).collect();
            e.message = format!(
                "{} (and {} more: {})",
                e.message,
                rest.len(),
                rest.join("; ")
            );
        }
        return Err(e);
    }
    for r in returned? {
        match r {
            Operand::Tensor(id) => graph.outputs.push(id),
            Operand::Shape(_) => {
                return Err(Error::unsupported("a function returning a !tosa.shape"));
            }
        }
    }
    graph.prune();
    Ok(graph)
}

/// One walk over a function and the regions inside it: what every block's
/// ops share (the file's resources, the unsupported ops found so far, how
/// deep the regions nest).
struct Walk<'r> {
    resources: &'r Resources,
    unsupported: Vec<Error>,
    depth: usize,
}

impl Walk<'_> {
    /// Maps `block`'s ops into `graph`; returns what its terminator
    /// (`func.return`, `tosa.yield`) passes on.
    fn block(
        &mut self,
        graph: &mut Graph,
        values: &mut Values,
        block: &BlockRef,
    ) -> Result<Vec<Operand>> {
        if self.depth > graph.limits.max_depth {
            return Err(Error::limit(format!(
                "regions nested more than {} deep",
                graph.limits.max_depth
            )));
        }
        let mut index = 0;
        let mut op = block.first_operation();
        while let Some(o) = op {
            let op_type = op_name(&o);
            let origin = Origin {
                node: op_label(&o, &op_type, index),
                op_type: op_type.clone(),
                domain: "tosa".into(),
                opset: 0,
                version: 0,
            };
            index += 1;
            if op_type == "func.return" || op_type == "tosa.yield" {
                let mut out = Vec::with_capacity(o.operand_count());
                for k in 0..o.operand_count() {
                    let v = o
                        .operand(k)
                        .map_err(|_| Error::internal("terminator operand"))?;
                    match values.get(&key(v)) {
                        Some(x) => out.push(x.clone()),
                        None if !self.unsupported.is_empty() => {}
                        None => return Err(Error::internal("a terminator of an unknown value")),
                    }
                }
                return Ok(out);
            }
            let found_before = self.unsupported.len();
            match self.op(&o, &op_type, &origin, graph, values) {
                Ok(()) => {}
                // A region op whose regions held unsupported ops fails as
                // well; those ops are reported, the region op is not again.
                Err(e) if e.kind == ErrorKind::Unsupported => {
                    if self.unsupported.len() == found_before {
                        self.unsupported.push(e.at(&origin))
                    }
                }
                Err(e) => return Err(e.at(&origin)),
            }
            op = o.next_in_block();
        }
        Err(Error::invalid("a block without a terminator"))
    }

    /// Maps one op; its results join `values`.
    fn op(
        &mut self,
        o: &OperationRef,
        op_type: &str,
        origin: &Origin,
        graph: &mut Graph,
        values: &mut Values,
    ) -> Result<()> {
        // A missing operand's producer was unsupported (reported already).
        let operands = operands(o, values)?;
        let mut result_types = Vec::with_capacity(o.result_count());
        let mut shape_results = false;
        for k in 0..o.result_count() {
            let r = o.result(k).map_err(|_| Error::internal("result"))?;
            let t = r.r#type();
            if t.to_string().starts_with("!tosa.shape") {
                shape_results = true;
                result_types.push(TensorType::new(DType::I64, vec![]));
            } else {
                result_types.push(tensor_type(t)?);
            }
        }
        let attrs: HashMap<String, String> = o
            .attributes()
            .map(|(n, a)| {
                (
                    n.as_string_ref().as_str().unwrap_or("").to_string(),
                    a.to_string(),
                )
            })
            .collect();
        let results: Vec<Operand> = match op_type {
            // arith.constant: exporters leave a few tensor constants in that form.
            "tosa.const" | "arith.constant" => {
                let name = if op_type == "tosa.const" {
                    "values"
                } else {
                    "value"
                };
                let a = o
                    .attribute(name)
                    .map_err(|_| Error::invalid(format!("{op_type} without {name}")))?;
                let t = dense_tensor(a, &result_types[0], self.resources)?;
                vec![Operand::Tensor(graph.add_constant(origin.node.clone(), t)?)]
            }
            "tosa.const_shape" => {
                let text = attrs
                    .get("values")
                    .ok_or_else(|| Error::invalid("tosa.const_shape without values"))?;
                let mut values = ints_of(text)?;
                // A splat (`dense<0> : tensor<2xindex>`) prints one value.
                let len = text
                    .rsplit_once("tensor<")
                    .and_then(|(_, t)| t.split_once('x'))
                    .and_then(|(n, _)| n.parse::<usize>().ok());
                if let (Some(n), [v]) = (len, &values[..]) {
                    values = vec![*v; n];
                }
                vec![Operand::Shape(values)]
            }
            _ if shape_results => {
                return Err(Error::unsupported(format!(
                    "{op_type}: shape arithmetic is not supported"
                )));
            }
            _ => {
                let Some(rule) = map::find(op_type) else {
                    return Err(Error::unsupported(match map::gap_reason(op_type) {
                        Some(why) => format!("op {op_type} is not supported: {why}"),
                        None => format!("op {op_type} is not supported"),
                    }));
                };
                let mut regions = OpRegions {
                    walk: self,
                    op: o,
                    around: values,
                    body: Values::new(),
                };
                let first_new_node = graph.nodes.len();
                let mut ctx =
                    OpCtx::new(graph, origin, operands, result_types, attrs, &mut regions);
                (rule.map)(&mut ctx)?;
                let results = ctx.into_results()?;
                rule.check_emitted(graph, first_new_node, origin)?;
                results.into_iter().map(Operand::Tensor).collect()
            }
        };
        for (k, r) in results.into_iter().enumerate() {
            let v = o.result(k).map_err(|_| Error::internal("result"))?;
            values.insert(key(v.into()), r);
        }
        Ok(())
    }
}

/// The tensor operands of `o`, in order.
fn operands(o: &OperationRef, values: &Values) -> Result<Vec<Operand>> {
    (0..o.operand_count())
        .map(|k| {
            let v = o.operand(k).map_err(|_| Error::internal("operand"))?;
            values.get(&key(v)).cloned().ok_or_else(|| {
                Error::unsupported(format!(
                    "operand {k} comes from an op that could not be converted"
                ))
            })
        })
        .collect()
}

/// The regions of one op, as its rule walks them: in the graph around the
/// op (seeing the values defined before it), or in a body graph of its own
/// (seeing the values `capture` bound there).
struct OpRegions<'w, 'r, 'o, 'c, 'a> {
    walk: &'w mut Walk<'r>,
    op: &'o OperationRef<'c, 'a>,
    around: &'w mut Values,
    body: Values,
}

/// The block of region `k` of `o`.
fn region_block<'c, 'a>(o: &OperationRef<'c, 'a>, k: usize) -> Result<BlockRef<'c, 'a>> {
    o.region(k)
        .ok()
        .and_then(|r| r.first_block())
        .ok_or_else(|| Error::invalid(format!("region {k} is missing or empty")))
}

impl Regions for OpRegions<'_, '_, '_, '_, '_> {
    fn inline(
        &mut self,
        graph: &mut Graph,
        k: usize,
        args: &[ValueId],
        within: Within,
    ) -> Result<Vec<ValueId>> {
        let block = region_block(self.op, k)?;
        if block.argument_count() != args.len() {
            return Err(Error::invalid(format!(
                "a region takes {} arguments, it is given {}",
                block.argument_count(),
                args.len()
            )));
        }
        let values = match within {
            Within::Enclosing => &mut *self.around,
            Within::Body => &mut self.body,
        };
        for (i, &v) in args.iter().enumerate() {
            let a = block
                .argument(i)
                .map_err(|_| Error::internal("region argument"))?;
            values.insert(key(a.into()), Operand::Tensor(v));
        }
        let found_before = self.walk.unsupported.len();
        self.walk.depth += 1;
        let out = self.walk.block(graph, values, &block);
        self.walk.depth -= 1;
        if self.walk.unsupported.len() > found_before {
            return Err(Error::unsupported(
                "a region holds ops that could not be converted",
            ));
        }
        out?.into_iter()
            .map(|x| match x {
                Operand::Tensor(v) => Ok(v),
                Operand::Shape(_) => Err(Error::unsupported("a region yielding a !tosa.shape")),
            })
            .collect()
    }

    fn capture(&mut self, graph: &Graph, body: &mut Graph) -> Result<Vec<ValueId>> {
        let mut captured = Vec::new();
        for v in captured_by(self.op) {
            let k = key(v);
            let Some(outer) = self.around.get(&k).cloned() else {
                return Err(Error::unsupported(
                    "a region reads a value from an op that could not be converted",
                ));
            };
            let inner = match outer {
                Operand::Shape(s) => Operand::Shape(s),
                Operand::Tensor(id) => match graph.constant(id).cloned() {
                    Some(t) => Operand::Tensor(body.add_constant(format!("captured{k}"), t)?),
                    None => {
                        captured.push(id);
                        let ty = graph.ty(id).clone();
                        Operand::Tensor(body.add_input(format!("captured{}", captured.len()), ty)?)
                    }
                },
            };
            self.body.insert(k, inner);
        }
        Ok(captured)
    }
}

/// Values the regions of `o` read but do not define (captured from above).
fn captured_by<'c, 'a>(o: &OperationRef<'c, 'a>) -> Vec<Value<'c, 'a>> {
    fn visit<'c, 'a>(
        o: &OperationRef<'c, 'a>,
        defined: &mut HashSet<usize>,
        used: &mut Vec<Value<'c, 'a>>,
    ) {
        for r in 0..o.region_count() {
            let Ok(region) = o.region(r) else { continue };
            let mut block = region.first_block();
            while let Some(b) = block {
                for i in 0..b.argument_count() {
                    if let Ok(a) = b.argument(i) {
                        defined.insert(key(a.into()));
                    }
                }
                let mut op = b.first_operation();
                while let Some(inner) = op {
                    for k in 0..inner.result_count() {
                        if let Ok(res) = inner.result(k) {
                            defined.insert(key(res.into()));
                        }
                    }
                    for k in 0..inner.operand_count() {
                        if let Ok(v) = inner.operand(k) {
                            used.push(v);
                        }
                    }
                    visit(&inner, defined, used);
                    op = inner.next_in_block();
                }
                block = b.next_in_region();
            }
        }
    }
    let (mut defined, mut used) = (HashSet::new(), Vec::new());
    visit(o, &mut defined, &mut used);
    let mut seen = HashSet::new();
    used.into_iter()
        .filter(|v| !defined.contains(&key(*v)) && seen.insert(key(*v)))
        .collect()
}
