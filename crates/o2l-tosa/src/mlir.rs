//! Reading MLIR: the function's arguments and ops in order, ranked tensor
//! types, printed attributes, and the bytes of dense constants.
use crate::map::{self, OpCtx, Operand};
use crate::printed::ints_of;
use melior::Context;
use melior::ir::RegionLike;
use melior::ir::attribute::AttributeLike;
use melior::ir::block::{BlockLike, BlockRef};
use melior::ir::operation::{OperationLike, OperationRef};
use melior::ir::{Attribute, Type, Value, ValueLike};
use o2l_canon::{DType, Dim, Error, Graph, Origin, Result, Tensor, TensorType};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// MLIR's diagnostics while a context parses or runs passes.
pub(crate) struct Diagnostics {
    seen: Rc<RefCell<Vec<String>>>,
}

impl Diagnostics {
    pub fn attach(context: &Context) -> Self {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        context.attach_diagnostic_handler(move |d| {
            sink.borrow_mut().push(format!("{}: {}", d.location(), d));
            true
        });
        Diagnostics { seen }
    }

    pub fn take(&self) -> Option<String> {
        let all = std::mem::take(&mut *self.seen.borrow_mut());
        (!all.is_empty()).then(|| all.join("; "))
    }
}

fn op_name(op: &OperationRef) -> String {
    op.name()
        .as_string_ref()
        .as_str()
        .unwrap_or("?")
        .to_string()
}

/// The `sym_name` of a function.
pub(crate) fn symbol_name(op: &OperationRef) -> Result<String> {
    let a = op
        .attribute("sym_name")
        .map_err(|_| Error::invalid("a func.func without sym_name"))?;
    Ok(a.to_string().trim_matches('"').to_string())
}

/// An element type as MLIR prints it (`f32`, `i8`, `ui8`, `i1`, ...).
pub(crate) fn dtype_of(s: &str) -> Result<DType> {
    Ok(match s {
        "f32" => DType::F32,
        "f16" => DType::F16,
        "bf16" => DType::BF16,
        "f64" => DType::F64,
        "i1" => DType::Bool,
        "i8" => DType::I8,
        "i16" => DType::I16,
        "i32" => DType::I32,
        "i64" => DType::I64,
        "ui8" => DType::U8,
        "ui16" => DType::U16,
        "ui32" => DType::U32,
        "ui64" => DType::U64,
        other => {
            return Err(Error::unsupported(format!(
                "element type {other} is not supported"
            )));
        }
    })
}

/// A ranked tensor type from its printed form, `tensor<2x?x3xf32>`.
pub(crate) fn tensor_type(t: Type) -> Result<TensorType> {
    let s = t.to_string();
    let inner = s
        .strip_prefix("tensor<")
        .and_then(|r| r.strip_suffix('>'))
        .ok_or_else(|| {
            Error::unsupported(format!("type {s}: only ranked tensors are supported"))
        })?;
    if inner.starts_with('*') {
        return Err(Error::unsupported(format!("unranked tensor {s}")));
    }
    // `tensor<2x3xf32, #encoding>` carries an encoding we do not model.
    if inner.contains(',') {
        return Err(Error::unsupported(format!(
            "tensor type with an encoding: {s}"
        )));
    }
    let mut parts: Vec<&str> = inner.split('x').collect();
    let elem = parts.pop().unwrap_or_default();
    let dtype = dtype_of(elem)?;
    let mut shape = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        shape.push(if *p == "?" {
            Dim::Symbol(format!("d{i}"))
        } else {
            Dim::Known(
                p.parse()
                    .map_err(|_| Error::invalid(format!("bad dim in {s}")))?,
            )
        });
    }
    Ok(TensorType::new(dtype, shape))
}

/// The contents of a dense elements attribute of type `ty`.
pub(crate) fn dense_tensor(
    attr: Attribute,
    ty: &TensorType,
    resources: &Resources,
) -> Result<Tensor> {
    let dims = ty
        .known_dims()
        .ok_or_else(|| Error::invalid(format!("a constant of symbolic type {ty}")))?;
    let raw = attr.to_raw();
    // SAFETY: `raw` is a live attribute of the parsed module; the calls only
    // read it, and the data pointer is valid while the context lives.
    unsafe {
        if mlir_sys::mlirAttributeIsADenseResourceElements(raw) {
            // The blob is read from the file's resource section, never through
            // MLIR's getters (they assume a blob of the right size exists).
            // `dense_resource<KEY> : tensor<..>`, as MLIR prints it.
            let printed = attr.to_string();
            let name = printed
                .strip_prefix("dense_resource<")
                .and_then(|r| r.split_once('>'))
                .map(|(k, _)| k.trim_matches('"').to_string())
                .unwrap_or_default();
            let Some(bytes) = resources.get(&name) else {
                return Err(Error::invalid(format!(
                    "dense_resource<{name}> has no data in the file's resource section"
                )));
            };
            let want =
                o2l_canon::shape::element_count(&dims)?.checked_mul(ty.dtype.size_bytes() as u64);
            if want != Some(bytes.len() as u64) {
                return Err(Error::invalid(format!(
                    "dense_resource<{name}> holds {} bytes, {ty} needs {want:?}",
                    bytes.len()
                )));
            }
            return Tensor::new(ty.dtype, dims, bytes.clone().into());
        }
        if !mlir_sys::mlirAttributeIsADenseElements(raw) {
            return Err(Error::unsupported(format!(
                "constant {}: only dense elements are supported",
                attr
            )));
        }
        let n: u64 = dims.iter().product();
        if ty.dtype == DType::Bool {
            // i1 is bit-packed in MLIR's storage: read element by element.
            let splat = mlir_sys::mlirDenseElementsAttrIsSplat(raw);
            let v: Vec<i64> = (0..n)
                .map(|i| {
                    let at = if splat { 0 } else { i as isize };
                    i64::from(mlir_sys::mlirDenseElementsAttrGetBoolValue(raw, at))
                })
                .collect();
            return Tensor::from_i64s(DType::Bool, dims, &v);
        }
        let size = ty.dtype.size_bytes();
        let data = mlir_sys::mlirDenseElementsAttrGetRawData(raw) as *const u8;
        let bytes: Vec<u8> = if mlir_sys::mlirDenseElementsAttrIsSplat(raw) {
            let one = std::slice::from_raw_parts(data, size);
            one.repeat(n as usize)
        } else {
            std::slice::from_raw_parts(data, n as usize * size).to_vec()
        };
        Tensor::new(ty.dtype, dims, bytes.into())
    }
}

fn key(v: Value) -> usize {
    v.to_raw().ptr as usize
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
    let mut values: HashMap<usize, Operand> = HashMap::new();
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
        graph: &mut graph,
        values: &mut values,
        resources,
        unsupported: Vec::new(),
        depth: 0,
    };
    let returned = walk.block(&block);
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

/// The hex blobs of a text module's `{-# dialect_resources: { builtin: {
/// key: "0x..." } } #-}` section, by key, without their alignment word.
pub(crate) type Resources = HashMap<String, Vec<u8>>;

pub(crate) fn resource_blobs(text: &str) -> Result<Resources> {
    let mut out = Resources::new();
    let Some(start) = text.rfind("{-#") else {
        return Ok(out);
    };
    let section = &text[start..];
    let Some(builtin) = section.find("builtin:").map(|i| &section[i + 8..]) else {
        return Ok(out);
    };
    let Some(open) = builtin.find('{') else {
        return Ok(out);
    };
    let body = &builtin[open + 1..];
    let body = &body[..body.find('}').unwrap_or(body.len())];
    for entry in body.split(',') {
        let Some((key, value)) = entry.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches('"').to_string();
        let hex = value.trim().trim_matches('"');
        let Some(hex) = hex.strip_prefix("0x") else {
            return Err(Error::invalid(format!(
                "resource \"{key}\" is not a hex blob"
            )));
        };
        if hex.len() % 2 != 0 || hex.len() < 8 {
            return Err(Error::invalid(format!(
                "resource \"{key}\" has a malformed hex blob"
            )));
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
            })
            .collect();
        let Some(bytes) = bytes else {
            return Err(Error::invalid(format!(
                "resource \"{key}\" has a malformed hex blob"
            )));
        };
        // The first four bytes are the blob's alignment.
        out.insert(key, bytes[4..].to_vec());
    }
    Ok(out)
}

/// Ops of blocks (a function's body, or a region of cond_if/while_loop)
/// mapped into one graph; an unsupported op is collected and the walk goes
/// on, so one error can list them all.
pub(crate) struct Walk<'a> {
    pub graph: &'a mut Graph,
    pub values: &'a mut HashMap<usize, Operand>,
    pub resources: &'a Resources,
    pub unsupported: Vec<Error>,
    pub depth: usize,
}

impl Walk<'_> {
    /// Maps `block`'s ops; returns what its terminator (`func.return`,
    /// `tosa.yield`) passes on.
    pub fn block(&mut self, block: &BlockRef) -> Result<Vec<Operand>> {
        if self.depth > self.graph.limits.max_depth {
            return Err(Error::limit(format!(
                "regions nested more than {} deep",
                self.graph.limits.max_depth
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
                    match self.values.get(&key(v)) {
                        Some(x) => out.push(x.clone()),
                        None if !self.unsupported.is_empty() => {}
                        None => return Err(Error::internal("a terminator of an unknown value")),
                    }
                }
                return Ok(out);
            }
            let mapped = match op_type.as_str() {
                "tosa.cond_if" | "tosa.while_loop" => crate::control::map(self, &o, &origin),
                _ => map_op(
                    &o,
                    &op_type,
                    &origin,
                    self.graph,
                    self.values,
                    self.resources,
                ),
            };
            match mapped {
                Ok(()) => {}
                Err(e) if e.kind == o2l_canon::ErrorKind::Unsupported => {
                    self.unsupported.push(e.at(&origin))
                }
                Err(e) => return Err(e.at(&origin)),
            }
            op = o.next_in_block();
        }
        Err(Error::invalid("a block without a terminator"))
    }
}

/// The tensor operands of `o`, in order.
pub(crate) fn operands(o: &OperationRef, values: &HashMap<usize, Operand>) -> Result<Vec<Operand>> {
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

/// Values the regions of `o` read but do not define (captured from above).
pub(crate) fn captured_by<'c, 'a>(o: &OperationRef<'c, 'a>) -> Vec<Value<'c, 'a>> {
    fn visit<'c, 'a>(
        o: &OperationRef<'c, 'a>,
        defined: &mut std::collections::HashSet<usize>,
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
    let (mut defined, mut used) = (std::collections::HashSet::new(), Vec::new());
    visit(o, &mut defined, &mut used);
    let mut seen = std::collections::HashSet::new();
    used.into_iter()
        .filter(|v| !defined.contains(&key(*v)) && seen.insert(key(*v)))
        .collect()
}

/// Binds the results of `o` to `results`, in order.
pub(crate) fn bind_results(
    o: &OperationRef,
    values: &mut HashMap<usize, Operand>,
    results: Vec<Operand>,
) -> Result<()> {
    for (k, r) in results.into_iter().enumerate() {
        let v = o.result(k).map_err(|_| Error::internal("result"))?;
        values.insert(key(v.into()), r);
    }
    Ok(())
}

pub(crate) fn key_of(v: Value) -> usize {
    key(v)
}

/// Maps one op; its results join `values`.
fn map_op(
    o: &OperationRef,
    op_type: &str,
    origin: &Origin,
    graph: &mut Graph,
    values: &mut HashMap<usize, Operand>,
    resources: &Resources,
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
            let t = dense_tensor(a, &result_types[0], resources)?;
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
            let mut ctx = OpCtx::new(graph, origin, operands, result_types, attrs);
            (rule.map)(&mut ctx)?;
            ctx.into_results()?
                .into_iter()
                .map(Operand::Tensor)
                .collect()
        }
    };
    bind_results(o, values, results)
}
