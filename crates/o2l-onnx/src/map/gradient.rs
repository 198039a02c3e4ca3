//! `ai.onnx.preview.training` `Gradient`: the derivatives of `y` with respect
//! to each of `xs`, by reverse-mode differentiation of the nodes before it
//! that compute `y` from `xs`. The seed is all ones of `y`'s shape (so each
//! result is the gradient of the sum of `y`); every node on the way passes its
//! result's adjoint back to its inputs with canonical ops, and numpy
//! broadcasting is undone by summing over the broadcast axes. The forward
//! values are the ones the earlier nodes already produced; `zs` and every
//! other value are held constant.
use super::ctx::{MapCtx, Rule, WalkNode, versioned};
use crate::attr::Attrs;
use o2l_canon::ops::{Binary, Compare, Elementwise, Linear, Movement, Reduce, ReduceKind, Unary};
use o2l_canon::{Builder, DType, Dim, Error, Op, Result, ValueId};
use o2l_proto::NodeProto;
use std::collections::{HashMap, HashSet};

pub(crate) static RULES: &[Rule] = &[versioned(
    "ai.onnx.preview.training",
    "Gradient",
    &[1],
    &[
        "Add",
        "Sub",
        "Mul",
        "Div",
        "Neg",
        "Greater",
        "Select",
        "MatMul",
        "Transpose",
        "Reshape",
        "ReduceSum",
        "ShapeOf",
        "BroadcastTo",
        "Fill",
    ],
    gradient,
    "reverse mode over the earlier nodes from xs to y, seed all ones; through Add, Sub, Mul, Div, Neg, Identity, Sum, Relu, Sigmoid, Tanh, Exp, Log, Sqrt, MatMul, Gemm, Transpose, Reshape, Flatten, Squeeze, Unsqueeze",
)];

/// The ONNX ops (default domain) whose derivative is written here.
const DIFFERENTIABLE: &[&str] = &[
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Identity",
    "Sum",
    "Relu",
    "Sigmoid",
    "Tanh",
    "Exp",
    "Log",
    "Sqrt",
    "MatMul",
    "Gemm",
    "Transpose",
    "Reshape",
    "Flatten",
    "Squeeze",
    "Unsqueeze",
];

/// Whether input `k` of `op` carries a derivative (shape and axes operands
/// do not, so the walk does not follow how they were computed).
fn carries_derivative(op: &str, k: usize) -> bool {
    match op {
        "Reshape" | "Squeeze" | "Unsqueeze" => k == 0,
        _ => true,
    }
}

fn gradient(ctx: &mut MapCtx) -> Result<()> {
    let xs = ctx
        .attrs
        .strings("xs")?
        .ok_or_else(|| Error::invalid("Gradient needs attribute \"xs\""))?;
    let y = ctx
        .attrs
        .string("y")?
        .ok_or_else(|| Error::invalid("Gradient needs attribute \"y\""))?;
    let zs = ctx.attrs.strings("zs")?.unwrap_or_default();
    if ctx.num_inputs() != xs.len() + zs.len() || ctx.num_outputs() != xs.len() {
        return Err(Error::invalid(format!(
            "Gradient takes one input per name of xs and zs ({} + {}) and gives one output per x; got {} inputs and {} outputs",
            xs.len(),
            zs.len(),
            ctx.num_inputs(),
            ctx.num_outputs()
        )));
    }
    let names = ctx.scope.names;
    for (i, name) in xs.iter().chain(&zs).enumerate() {
        let given = ctx.input(i)?;
        match names.get(name.as_str()) {
            Some(&v) if v == given => {}
            Some(_) => {
                return Err(Error::unsupported(format!(
                    "input {i} is not the value \"{name}\" that xs/zs name: evaluating the differentiated nodes at other values is not supported"
                )));
            }
            None => {
                return Err(Error::invalid(format!(
                    "xs/zs name \"{name}\", which is not a value defined before the node"
                )));
            }
        }
    }
    let Some(&y_value) = names.get(y.as_str()) else {
        return Err(Error::invalid(format!(
            "y names \"{y}\", which is not a value defined before the node"
        )));
    };
    if !ctx.ty(y_value).dtype.is_float() {
        return Err(Error::invalid(format!(
            "y (\"{y}\") is {}, not a floating-point tensor",
            ctx.ty(y_value).dtype
        )));
    }
    let earlier = ctx.scope.earlier;
    let (path, reached) = path_to(earlier, &xs, &zs, &y);
    let blocked: Vec<String> = path
        .iter()
        .filter_map(|&i| why_not_differentiable(&earlier[i]))
        .collect();
    if !blocked.is_empty() {
        return Err(Error::unsupported(format!(
            "cannot differentiate {} on the way from xs to y \"{y}\" (derivatives are written for {})",
            blocked.join(", "),
            DIFFERENTIABLE.join(", ")
        )));
    }

    let seed = filled_like(ctx, y_value, 1.0)?;
    let mut adjoints: HashMap<&str, ValueId> = HashMap::from([(y.as_str(), seed)]);
    // `path` is in reverse order of computation: each node's result has
    // received every contribution before the node passes it on.
    for &i in &path {
        let n = &earlier[i];
        let Some(g) = n.node.output.first().and_then(|o| adjoints.get(o.as_str())) else {
            continue;
        };
        let g = *g;
        let value = |name: &str| {
            names.get(name).copied().ok_or_else(|| {
                Error::unsupported(format!(
                    "node \"{}\" ({}): value \"{name}\" is not available as a tensor",
                    n.name,
                    n.node.op_type()
                ))
            })
        };
        // Absent optional inputs at the end (Gemm's C) are dropped.
        let given = n
            .node
            .input
            .iter()
            .rposition(|s| !s.is_empty())
            .map_or(0, |p| p + 1);
        let input_names = &n.node.input[..given];
        let inputs: Vec<ValueId> = input_names
            .iter()
            .map(|s| value(s))
            .collect::<Result<_>>()?;
        let out = value(n.node.output[0].as_str())?;
        let want: Vec<bool> = input_names
            .iter()
            .enumerate()
            .map(|(k, s)| reached.contains(s.as_str()) && carries_derivative(n.node.op_type(), k))
            .collect();
        let grads = local_gradients(ctx, &n.node, &inputs, out, g, &want)?;
        for ((name, want), grad) in input_names.iter().zip(&want).zip(grads) {
            let (true, Some(grad)) = (*want, grad) else {
                continue;
            };
            let sum = match adjoints.get(name.as_str()) {
                Some(&have) => ctx.binary(Binary::Add, have, grad)?,
                None => grad,
            };
            adjoints.insert(name.as_str(), sum);
        }
    }
    for (k, x) in xs.iter().enumerate() {
        let grad = match adjoints.get(x.as_str()) {
            Some(&g) => g,
            None => {
                let xv = ctx.input(k)?;
                filled_like(ctx, xv, 0.0)?
            }
        };
        ctx.bind(k, grad)?;
    }
    Ok(())
}

/// The indices of the earlier nodes through which `y` depends on `xs`, last
/// first, and the values that depend on `xs` (`xs` among them). `xs` and `zs`
/// are where the walk stops: a node that redefines one of them is not
/// followed past it.
fn path_to<'n>(
    earlier: &'n [WalkNode],
    xs: &'n [String],
    zs: &'n [String],
    y: &'n str,
) -> (Vec<usize>, HashSet<&'n str>) {
    let stops: HashSet<&str> = xs.iter().chain(zs).map(String::as_str).collect();
    let mut reached: HashSet<&str> = xs.iter().map(String::as_str).collect();
    let mut forward = Vec::new();
    for (i, n) in earlier.iter().enumerate() {
        if n.node.input.iter().any(|s| reached.contains(s.as_str())) {
            forward.push(i);
            for o in &n.node.output {
                if !o.is_empty() && !stops.contains(o.as_str()) {
                    reached.insert(o.as_str());
                }
            }
        }
    }
    let mut needed: HashSet<&str> = HashSet::from([y]);
    let mut path = Vec::new();
    for &i in forward.iter().rev() {
        let node = &earlier[i].node;
        if node
            .output
            .iter()
            .any(|o| needed.contains(o.as_str()) && !stops.contains(o.as_str()))
        {
            path.push(i);
            for (k, s) in node.input.iter().enumerate() {
                if reached.contains(s.as_str()) && carries_derivative(node.op_type(), k) {
                    needed.insert(s.as_str());
                }
            }
        }
    }
    (path, reached)
}

/// Why the node's derivative cannot be taken here, naming it; None when it can.
fn why_not_differentiable(n: &WalkNode) -> Option<String> {
    let op = n.node.op_type();
    let domain = n.node.domain();
    if !(domain.is_empty() || domain == "ai.onnx") {
        return Some(format!("node \"{}\" ({op}, domain {domain})", n.name));
    }
    if !DIFFERENTIABLE.contains(&op) {
        return Some(format!("node \"{}\" ({op})", n.name));
    }
    // Opset 1-6 binary ops broadcast by attribute, with an axis.
    let legacy = n
        .node
        .attribute
        .iter()
        .any(|a| a.name() == "broadcast" && a.i() != 0);
    if legacy {
        return Some(format!(
            "node \"{}\" ({op} with the legacy broadcast attribute)",
            n.name
        ));
    }
    None
}

/// The adjoints of the inputs of one node (`want`ed ones only), given its
/// result `out` and that result's adjoint `g`.
fn local_gradients(
    ctx: &mut MapCtx,
    node: &NodeProto,
    inputs: &[ValueId],
    out: ValueId,
    g: ValueId,
    want: &[bool],
) -> Result<Vec<Option<ValueId>>> {
    let op = node.op_type();
    let attrs = Attrs::new(&node.attribute);
    let wanted = |k: usize| want.get(k).copied().unwrap_or(false);
    let arity = |n: usize| -> Result<()> {
        if inputs.len() == n {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "{op} on the way to y has {} inputs, expected {n}",
                inputs.len()
            )))
        }
    };
    let mut grads = vec![None; inputs.len()];
    match op {
        "Identity" => {
            arity(1)?;
            grads[0] = Some(g);
        }
        "Neg" => {
            arity(1)?;
            grads[0] = Some(ctx.unary(Unary::Neg, g)?);
        }
        "Add" | "Sub" => {
            arity(2)?;
            if wanted(0) {
                grads[0] = Some(unbroadcast(ctx, g, inputs[0])?);
            }
            if wanted(1) {
                let gb = if op == "Sub" {
                    ctx.unary(Unary::Neg, g)?
                } else {
                    g
                };
                grads[1] = Some(unbroadcast(ctx, gb, inputs[1])?);
            }
        }
        "Sum" => {
            for (k, &x) in inputs.iter().enumerate() {
                if wanted(k) {
                    grads[k] = Some(unbroadcast(ctx, g, x)?);
                }
            }
        }
        "Mul" => {
            arity(2)?;
            for k in 0..2 {
                if wanted(k) {
                    let t = ctx.binary(Binary::Mul, g, inputs[1 - k])?;
                    grads[k] = Some(unbroadcast(ctx, t, inputs[k])?);
                }
            }
        }
        "Div" => {
            arity(2)?;
            let (a, b) = (inputs[0], inputs[1]);
            if wanted(0) {
                let t = ctx.binary(Binary::Div, g, b)?;
                grads[0] = Some(unbroadcast(ctx, t, a)?);
            }
            if wanted(1) {
                // d(a/b)/db = -(a/b)/b
                let t = ctx.binary(Binary::Mul, g, out)?;
                let t = ctx.binary(Binary::Div, t, b)?;
                let t = ctx.unary(Unary::Neg, t)?;
                grads[1] = Some(unbroadcast(ctx, t, b)?);
            }
        }
        "Relu" => {
            arity(1)?;
            let x = inputs[0];
            let dtype = ctx.ty(x).dtype;
            let zero = ctx.scalar(dtype, 0.0)?;
            let positive = ctx.compare(Compare::Greater, x, zero)?;
            grads[0] = Some(ctx.emit1(Op::Elementwise(Elementwise::Select), &[positive, g, zero])?);
        }
        "Sigmoid" => {
            arity(1)?;
            // y (1 - y)
            let one = ctx.scalar(ctx.ty(out).dtype, 1.0)?;
            let rest = ctx.binary(Binary::Sub, one, out)?;
            let slope = ctx.binary(Binary::Mul, out, rest)?;
            grads[0] = Some(ctx.binary(Binary::Mul, g, slope)?);
        }
        "Tanh" => {
            arity(1)?;
            // 1 - y^2
            let one = ctx.scalar(ctx.ty(out).dtype, 1.0)?;
            let sq = ctx.binary(Binary::Mul, out, out)?;
            let slope = ctx.binary(Binary::Sub, one, sq)?;
            grads[0] = Some(ctx.binary(Binary::Mul, g, slope)?);
        }
        "Exp" => {
            arity(1)?;
            grads[0] = Some(ctx.binary(Binary::Mul, g, out)?);
        }
        "Log" => {
            arity(1)?;
            grads[0] = Some(ctx.binary(Binary::Div, g, inputs[0])?);
        }
        "Sqrt" => {
            arity(1)?;
            // 1 / (2 sqrt(x))
            let two = ctx.scalar(ctx.ty(out).dtype, 2.0)?;
            let twice = ctx.binary(Binary::Mul, two, out)?;
            grads[0] = Some(ctx.binary(Binary::Div, g, twice)?);
        }
        "MatMul" => {
            arity(2)?;
            let (ga, gb) = matmul_gradients(ctx, inputs[0], inputs[1], g, wanted(0), wanted(1))?;
            grads[0] = ga;
            grads[1] = gb;
        }
        "Gemm" => {
            if !(2..=3).contains(&inputs.len()) {
                return Err(Error::invalid(format!(
                    "Gemm on the way to y has {} inputs, expected 2 or 3",
                    inputs.len()
                )));
            }
            let trans_a = attrs.int_or("transA", 0)? != 0;
            let trans_b = attrs.int_or("transB", 0)? != 0;
            let alpha = attrs.float_or("alpha", 1.0)? as f64;
            let beta = attrs.float_or("beta", 1.0)? as f64;
            let dtype = ctx.ty(g).dtype;
            let (a, b) = (inputs[0], inputs[1]);
            let scaled = |ctx: &mut MapCtx, v: ValueId, s: f64| -> Result<ValueId> {
                if s == 1.0 {
                    return Ok(v);
                }
                let s = ctx.scalar(dtype, s)?;
                ctx.binary(Binary::Mul, v, s)
            };
            let matmul = |ctx: &mut MapCtx, x: ValueId, y: ValueId| {
                ctx.emit1(Op::Linear(Linear::MatMul), &[x, y])
            };
            let ga = scaled(ctx, g, alpha)?;
            if wanted(0) {
                // op(A) = g op(B)^T; A = op(A) or its transpose.
                grads[0] = Some(if trans_a {
                    let bt = if trans_b { swap_last_two(ctx, b)? } else { b };
                    let gt = swap_last_two(ctx, ga)?;
                    matmul(ctx, bt, gt)?
                } else {
                    let bt = if trans_b { b } else { swap_last_two(ctx, b)? };
                    matmul(ctx, ga, bt)?
                });
            }
            if wanted(1) {
                // op(B) = op(A)^T g; B = op(B) or its transpose.
                grads[1] = Some(if trans_b {
                    let gt = swap_last_two(ctx, ga)?;
                    let at = if trans_a { swap_last_two(ctx, a)? } else { a };
                    matmul(ctx, gt, at)?
                } else {
                    let at = if trans_a { a } else { swap_last_two(ctx, a)? };
                    matmul(ctx, at, ga)?
                });
            }
            if wanted(2) {
                let gc = scaled(ctx, g, beta)?;
                grads[2] = Some(unbroadcast(ctx, gc, inputs[2])?);
            }
        }
        "Transpose" => {
            arity(1)?;
            let rank = ctx.ty(inputs[0]).rank();
            let perm: Vec<usize> = match attrs.ints("perm")? {
                Some(p) => p.iter().map(|&d| d as usize).collect(),
                None => (0..rank).rev().collect(),
            };
            let mut inverse = vec![0; rank];
            for (i, &d) in perm.iter().enumerate() {
                match inverse.get_mut(d) {
                    Some(slot) => *slot = i,
                    None => {
                        return Err(Error::invalid(format!(
                            "Transpose perm {perm:?} for rank {rank}"
                        )));
                    }
                }
            }
            grads[0] = Some(ctx.transpose(g, &inverse)?);
        }
        "Reshape" | "Flatten" | "Squeeze" | "Unsqueeze" => {
            let shape = ctx.ty(inputs[0]).shape;
            grads[0] = Some(ctx.reshape(g, shape)?);
        }
        _ => {
            return Err(Error::internal(format!(
                "Gradient has no derivative of {op}"
            )));
        }
    }
    Ok(grads)
}

/// The adjoints of `a` and `b` in `c = a @ b` (numpy matmul: 1-D operands
/// promoted to matrices, batch dims broadcast), given `g`, the adjoint of `c`.
fn matmul_gradients(
    ctx: &mut MapCtx,
    a: ValueId,
    b: ValueId,
    g: ValueId,
    want_a: bool,
    want_b: bool,
) -> Result<(Option<ValueId>, Option<ValueId>)> {
    let a_shape = ctx.ty(a).shape;
    let b_shape = ctx.ty(b).shape;
    if a_shape.is_empty() || b_shape.is_empty() {
        return Err(Error::invalid("MatMul of a 0-d operand"));
    }
    // As matrices: a (.., m, k), b (.., k, n), g (.., m, n).
    let a2 = match a_shape.as_slice() {
        [k] => ctx.reshape(a, vec![Dim::Known(1), k.clone()])?,
        _ => a,
    };
    let b2 = match b_shape.as_slice() {
        [k] => ctx.reshape(b, vec![k.clone(), Dim::Known(1)])?,
        _ => b,
    };
    let mut g_shape = ctx.ty(g).shape;
    if b_shape.len() == 1 {
        g_shape.push(Dim::Known(1));
    }
    if a_shape.len() == 1 {
        let at = g_shape.len().saturating_sub(1);
        g_shape.insert(at, Dim::Known(1));
    }
    let g2 = ctx.reshape(g, g_shape)?;
    let matmul =
        |ctx: &mut MapCtx, x: ValueId, y: ValueId| ctx.emit1(Op::Linear(Linear::MatMul), &[x, y]);
    let mut ga = None;
    if want_a {
        let bt = swap_last_two(ctx, b2)?;
        let t = matmul(ctx, g2, bt)?;
        let t = unbroadcast(ctx, t, a2)?;
        ga = Some(ctx.reshape(t, a_shape)?);
    }
    let mut gb = None;
    if want_b {
        let at = swap_last_two(ctx, a2)?;
        let t = matmul(ctx, at, g2)?;
        let t = unbroadcast(ctx, t, b2)?;
        gb = Some(ctx.reshape(t, b_shape)?);
    }
    Ok((ga, gb))
}

/// `x` with its last two dims swapped.
fn swap_last_two(ctx: &mut MapCtx, x: ValueId) -> Result<ValueId> {
    let rank = ctx.ty(x).rank();
    let mut perm: Vec<usize> = (0..rank).collect();
    perm.swap(rank - 2, rank - 1);
    ctx.transpose(x, &perm)
}

/// `g`, of the shape `target` was broadcast to, summed over the broadcast
/// axes back to `target`'s shape.
fn unbroadcast(ctx: &mut MapCtx, g: ValueId, target: ValueId) -> Result<ValueId> {
    let have = ctx.ty(g).shape;
    let want = ctx.ty(target).shape;
    if have == want {
        return Ok(g);
    }
    let Some(lead) = have.len().checked_sub(want.len()) else {
        return Err(Error::internal(format!(
            "adjoint of shape {have:?} for a value of shape {want:?}"
        )));
    };
    let mut axes: Vec<usize> = (0..lead).collect();
    for (j, w) in want.iter().enumerate() {
        let h = &have[lead + j];
        if h == w {
            continue;
        }
        if *w != Dim::Known(1) {
            return Err(Error::unsupported(format!(
                "undoing the broadcast of {want:?} to {have:?}: dims {w:?} and {h:?} are not known to match"
            )));
        }
        axes.push(lead + j);
    }
    let summed = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Sum,
            axes,
            keep_dims: true,
        }),
        &[g],
    )?;
    ctx.reshape(summed, want)
}

/// A tensor of `v`'s type with every element `value`.
fn filled_like(ctx: &mut MapCtx, v: ValueId, value: f64) -> Result<ValueId> {
    let ty = ctx.ty(v);
    let dtype: DType = ty.dtype;
    if let Some(dims) = ty.known_dims() {
        return ctx.filled(dtype, dims, value);
    }
    let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[v])?;
    let one = ctx.scalar(dtype, value)?;
    ctx.emit1(
        Op::Movement(Movement::BroadcastTo { dims: ty.shape }),
        &[one, shape],
    )
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;
    use o2l_canon::ops::{Linear, ReduceKind};
    use o2l_canon::{Tensor, ValueId};
    use std::collections::HashMap;

    const TRAINING: &str = "ai.onnx.preview.training";

    fn grad_node(xs: &[&str], zs: &[&str], y: &str, outs: &[&str]) -> NodeProto {
        let strings = |name: &str, v: &[&str]| AttributeProto {
            name: Some(name.into()),
            r#type: Some(AttributeType::Strings as i32),
            strings: v
                .iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect(),
            ..Default::default()
        };
        let inputs: Vec<&str> = xs.iter().chain(zs).copied().collect();
        let mut attrs = vec![strings("xs", xs), a_str("y", y)];
        if !zs.is_empty() {
            attrs.push(strings("zs", zs));
        }
        let mut n = with_attrs(node("Gradient", "grad", &inputs, outs), attrs);
        n.domain = Some(TRAINING.into());
        n
    }

    /// A model of f32 inputs `ins`, the nodes `body`, then a Gradient of `y`
    /// with respect to `xs` whose results are the graph's outputs.
    fn model(ins: &[(&str, &[i64])], body: Vec<NodeProto>, xs: &[&str], y: &str) -> M {
        let mut m = M::new(17);
        m.model.opset_import.push(OperatorSetIdProto {
            domain: Some(TRAINING.into()),
            version: Some(1),
        });
        for (name, dims) in ins {
            m = m.input(f32_in(name, dims));
        }
        for n in body {
            m = m.node(n);
        }
        let outs: Vec<String> = xs.iter().map(|x| format!("d_{x}")).collect();
        let out_refs: Vec<&str> = outs.iter().map(String::as_str).collect();
        m = m.node(grad_node(xs, &[], y, &out_refs));
        for o in &outs {
            m = m.output(o);
        }
        m
    }

    /// Runs the canonical graph on `inputs` (in the graph's input order):
    /// elementwise and movement ops by their folding rules, ReduceSum and
    /// MatMul written out here. The outputs' values, as f64.
    fn run(g: &Graph, inputs: &[&[f64]]) -> Vec<Vec<f64>> {
        let mut vals: HashMap<ValueId, Tensor> = HashMap::new();
        for (&id, data) in g.inputs.iter().zip(inputs) {
            let ty = g.ty(id);
            let t = Tensor::from_f64s(ty.dtype, ty.known_dims().unwrap(), data).unwrap();
            vals.insert(id, t);
        }
        let get = |vals: &HashMap<ValueId, Tensor>, id: ValueId| -> Tensor {
            g.constant(id)
                .cloned()
                .or_else(|| vals.get(&id).cloned())
                .unwrap_or_else(|| panic!("value {id:?} not computed"))
        };
        for n in &g.nodes {
            let ins: Vec<Tensor> = n.inputs.iter().map(|&i| get(&vals, i)).collect();
            let out_ty = g.ty(n.outputs[0]).clone();
            let out_dims = out_ty.known_dims().unwrap();
            let result = match &n.op {
                Op::Reduce(r) if r.kind == ReduceKind::Sum => {
                    let dims = ins[0].dims.clone();
                    let x = ins[0].to_f64s();
                    let mut out = vec![0.0; out_dims.iter().product::<u64>() as usize];
                    for (flat, v) in x.iter().enumerate() {
                        // Index into the input, then the same with reduced axes at 0.
                        let (mut rest, mut o, mut stride) = (flat, 0usize, 1usize);
                        for axis in (0..dims.len()).rev() {
                            let d = dims[axis] as usize;
                            let i = rest % d;
                            rest /= d;
                            if !r.axes.contains(&axis) {
                                o += i * stride;
                                stride *= d;
                            }
                        }
                        out[o] += v;
                    }
                    Tensor::from_f64s(out_ty.dtype, out_dims, &out).unwrap()
                }
                Op::Linear(Linear::MatMul) => {
                    let (a, b) = (&ins[0], &ins[1]);
                    // Promote 1-D operands; broadcast one batch dim at most.
                    let ad = match a.dims.len() {
                        1 => vec![1, a.dims[0]],
                        _ => a.dims.clone(),
                    };
                    let bd = match b.dims.len() {
                        1 => vec![b.dims[0], 1],
                        _ => b.dims.clone(),
                    };
                    let (m, k, n2) = (
                        ad[ad.len() - 2] as usize,
                        ad[ad.len() - 1] as usize,
                        bd[bd.len() - 1] as usize,
                    );
                    let batch_a: usize = ad[..ad.len() - 2].iter().product::<u64>() as usize;
                    let batch_b: usize = bd[..bd.len() - 2].iter().product::<u64>() as usize;
                    let batch = batch_a.max(batch_b);
                    let (av, bv) = (a.to_f64s(), b.to_f64s());
                    let mut out = vec![0.0; batch * m * n2];
                    for p in 0..batch {
                        let (pa, pb) = (p % batch_a, p % batch_b);
                        for i in 0..m {
                            for j in 0..n2 {
                                out[(p * m + i) * n2 + j] = (0..k)
                                    .map(|t| av[(pa * m + i) * k + t] * bv[(pb * k + t) * n2 + j])
                                    .sum();
                            }
                        }
                    }
                    Tensor::from_f64s(out_ty.dtype, out_dims, &out).unwrap()
                }
                op => {
                    let types: Vec<&o2l_canon::TensorType> =
                        n.inputs.iter().map(|&i| g.ty(i)).collect();
                    let consts: Vec<Option<&Tensor>> = ins.iter().map(Some).collect();
                    let outs: Vec<o2l_canon::TensorType> =
                        n.outputs.iter().map(|&o| g.ty(o).clone()).collect();
                    let mut r = op
                        .fold(&types, &consts, &outs)
                        .unwrap()
                        .unwrap_or_else(|| panic!("{} does not fold", op.name()));
                    r.remove(0)
                }
            };
            vals.insert(n.outputs[0], result);
        }
        g.outputs.iter().map(|&o| get(&vals, o).to_f64s()).collect()
    }

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn add_then_mul_gives_the_product_rule() {
        // d = (a + b) * a: dd/da = 2a + b, dd/db = a.
        let m = model(
            &[("a", &[]), ("b", &[])],
            vec![
                node("Add", "add", &["a", "b"], &["c"]),
                node("Mul", "mul", &["c", "a"], &["d"]),
            ],
            &["a", "b"],
            "d",
        );
        let g = m.import().unwrap();
        let out = run(&g, &[&[2.0], &[3.0]]);
        assert_close(&out[0], &[7.0]);
        assert_close(&out[1], &[2.0]);
    }

    #[test]
    fn broadcast_operands_get_their_adjoints_summed_back() {
        // y = a * b - a / b, a [2, 3], b [3] broadcast over rows:
        // dy/da = b - 1/b; dy/db[j] = sum_i (a[i, j] + a[i, j] / b[j]^2).
        let m = model(
            &[("a", &[2, 3]), ("b", &[3])],
            vec![
                node("Mul", "mul", &["a", "b"], &["p"]),
                node("Div", "div", &["a", "b"], &["q"]),
                node("Sub", "sub", &["p", "q"], &["y"]),
            ],
            &["a", "b"],
            "y",
        );
        let g = m.import().unwrap();
        assert_eq!(out_dims(&g, 0), vec![2, 3]);
        assert_eq!(out_dims(&g, 1), vec![3]);
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [0.5, 2.0, 4.0];
        let out = run(&g, &[&a, &b]);
        let da: Vec<f64> = (0..6).map(|i| b[i % 3] - 1.0 / b[i % 3]).collect();
        let db: Vec<f64> = (0..3)
            .map(|j| {
                (0..2)
                    .map(|i| a[i * 3 + j] + a[i * 3 + j] / (b[j] * b[j]))
                    .sum()
            })
            .collect();
        assert_close(&out[0], &da);
        assert_close(&out[1], &db);
        // By hand: da = [-1.5, 1.5, 3.75] per row; db[0] = (1 + 4) + (1 + 4) / 0.25.
        assert_close(&out[0][..3], &[-1.5, 1.5, 3.75]);
        assert_close(&out[1][..1], &[25.0]);
    }

    #[test]
    fn matmul_passes_adjoints_through_both_operands() {
        // y = a @ w, a [2, 3], w [3, 2]: da[i, k] = sum_j w[k, j], dw[k, j] = sum_i a[i, k].
        let m = model(
            &[("a", &[2, 3]), ("w", &[3, 2])],
            vec![node("MatMul", "mm", &["a", "w"], &["y"])],
            &["a", "w"],
            "y",
        );
        let g = m.import().unwrap();
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let w = [1.0, -1.0, 2.0, 0.5, 3.0, 3.0];
        let out = run(&g, &[&a, &w]);
        assert_close(&out[0], &[0.0, 2.5, 6.0, 0.0, 2.5, 6.0]);
        assert_close(&out[1], &[5.0, 5.0, 7.0, 7.0, 9.0, 9.0]);
    }

    #[test]
    fn matmul_of_a_vector_and_of_a_batch() {
        // y = v @ w, v [3]: dv[k] = sum_j w[k, j], dw[k, j] = v[k].
        let m = model(
            &[("v", &[3]), ("w", &[3, 2])],
            vec![node("MatMul", "mm", &["v", "w"], &["y"])],
            &["v", "w"],
            "y",
        );
        let g = m.import().unwrap();
        let w = [1.0, -1.0, 2.0, 0.5, 3.0, 3.0];
        let out = run(&g, &[&[1.0, 2.0, 3.0], &w]);
        assert_close(&out[0], &[0.0, 2.5, 6.0]);
        assert_close(&out[1], &[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);

        // y = a @ w, a [2, 1, 3] (a batch of two rows), w [3, 2] shared:
        // dw[k, j] sums a[b, 0, k] over the batch.
        let m = model(
            &[("a", &[2, 1, 3]), ("w", &[3, 2])],
            vec![node("MatMul", "mm", &["a", "w"], &["y"])],
            &["a", "w"],
            "y",
        );
        let g = m.import().unwrap();
        assert_eq!(out_dims(&g, 1), vec![3, 2]);
        let out = run(&g, &[&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &w]);
        assert_close(&out[0], &[0.0, 2.5, 6.0, 0.0, 2.5, 6.0]);
        assert_close(&out[1], &[5.0, 5.0, 7.0, 7.0, 9.0, 9.0]);
    }

    #[test]
    fn unary_ops_and_fan_out_accumulate() {
        // y = log(exp(x)) + tanh(x) + sigmoid(x) + relu(x) - identity(x) + sqrt(x * x)
        let m = model(
            &[("x", &[3])],
            vec![
                node("Exp", "exp", &["x"], &["e"]),
                node("Log", "log", &["e"], &["l"]),
                node("Tanh", "tanh", &["x"], &["t"]),
                node("Sigmoid", "sig", &["x"], &["s"]),
                node("Relu", "relu", &["x"], &["r"]),
                node("Identity", "id", &["x"], &["i"]),
                node("Neg", "neg", &["i"], &["ni"]),
                node("Mul", "sq", &["x", "x"], &["xx"]),
                node("Sqrt", "sqrt", &["xx"], &["ax"]),
                node("Sum", "sum", &["l", "t", "s", "r", "ni", "ax"], &["y"]),
            ],
            &["x"],
            "y",
        );
        let g = m.import().unwrap();
        let x = [-1.0f64, 0.5, 2.0];
        let out = run(&g, &[&x]);
        let want: Vec<f64> = x
            .iter()
            .map(|&x| {
                let t = x.tanh();
                let s = 1.0 / (1.0 + (-x).exp());
                1.0 + (1.0 - t * t) + s * (1.0 - s) + if x > 0.0 { 1.0 } else { 0.0 } - 1.0
                    + x.signum()
            })
            .collect();
        assert_close(&out[0], &want);
    }

    #[test]
    fn gemm_with_both_transposes_alpha_beta_and_a_broadcast_c() {
        // Y = 2 A^T B^T + 0.5 C, A [3, 2], B [2, 3], C [2]:
        // dA[k, i] = 2 sum_j B[j, k], dB[j, k] = 2 sum_i A[k, i], dC[j] = 0.5 * 2 rows.
        let gemm = with_attrs(
            node("Gemm", "gemm", &["a", "b", "c"], &["y"]),
            vec![
                a_int("transA", 1),
                a_int("transB", 1),
                a_float("alpha", 2.0),
                a_float("beta", 0.5),
            ],
        );
        let m = model(
            &[("a", &[3, 2]), ("b", &[2, 3]), ("c", &[2])],
            vec![gemm],
            &["a", "b", "c"],
            "y",
        );
        let g = m.import().unwrap();
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, -1.0, 2.0, 0.5, 3.0, -2.0];
        let out = run(&g, &[&a, &b, &[7.0, 8.0]]);
        let da: Vec<f64> = (0..6)
            .map(|f| 2.0 * (0..2).map(|j| b[j * 3 + f / 2]).sum::<f64>())
            .collect();
        let db: Vec<f64> = (0..6)
            .map(|f| 2.0 * (0..2).map(|i| a[(f % 3) * 2 + i]).sum::<f64>())
            .collect();
        assert_close(&out[0], &da);
        assert_close(&out[1], &db);
        assert_close(&out[2], &[1.0, 1.0]);
        // By hand: dA[0, *] = 2 (1 + 0.5) = 3; dB[0, 0] = 2 (1 + 2) = 6.
        assert_close(&out[0][..2], &[3.0, 3.0]);
        assert_close(&out[1][..1], &[6.0]);
    }

    #[test]
    fn transpose_and_reshape_move_the_adjoint_back() {
        // y = reshape(transpose(x), [6]) * w: dx[i, j] = w[j * 2 + i]; the
        // shape operand, an initializer, gets nothing.
        let m = model(
            &[("x", &[2, 3]), ("w", &[6])],
            vec![
                node("Transpose", "t", &["x"], &["xt"]),
                node("Reshape", "r", &["xt", "shape"], &["flat"]),
                node("Mul", "mul", &["flat", "w"], &["y"]),
            ],
            &["x"],
            "y",
        )
        .init(t_i64("shape", &[6]));
        let g = m.import().unwrap();
        let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let out = run(&g, &[&[0.0; 6], &w]);
        assert_close(&out[0], &[1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    }

    #[test]
    fn an_x_that_y_does_not_depend_on_gets_zeros() {
        let m = model(
            &[("a", &[2]), ("b", &[2])],
            vec![node("Neg", "neg", &["a"], &["y"])],
            &["a", "b"],
            "y",
        );
        let g = m.import().unwrap();
        let out = run(&g, &[&[1.0, 2.0], &[3.0, 4.0]]);
        assert_close(&out[0], &[-1.0, -1.0]);
        assert_close(&out[1], &[0.0, 0.0]);
    }

    #[test]
    fn a_node_without_a_derivative_on_the_way_is_named() {
        // Sin on the way from a to y is refused; Cos off the way is not looked at.
        let m = model(
            &[("a", &[2]), ("b", &[2])],
            vec![
                node("Sin", "the_sin", &["a"], &["s"]),
                node("Cos", "off_the_way", &["b"], &["c"]),
                node("Add", "add", &["s", "a"], &["y"]),
            ],
            &["a"],
            "y",
        );
        let e = m.import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        let text = e.to_string();
        assert!(text.contains("node \"grad\" (Gradient"), "{text}");
        assert!(text.contains("node \"the_sin\" (Sin)"), "{text}");
        assert!(!text.contains("off_the_way"), "{text}");
    }

    #[test]
    fn a_symbolic_batch_dim_is_seeded_at_run_time() {
        // a [N, 3] * b [3]: the seed takes y's shape at run time; b's adjoint
        // sums over N.
        let mut m = M::new(17);
        m.model.opset_import.push(OperatorSetIdProto {
            domain: Some(TRAINING.into()),
            version: Some(1),
        });
        let g = m
            .input(vi("a", 1, &[D::S("N"), D::N(3)]))
            .input(f32_in("b", &[3]))
            .node(node("Mul", "mul", &["a", "b"], &["y"]))
            .node(grad_node(&["a", "b"], &[], "y", &["da", "db"]))
            .output("da")
            .output("db")
            .import()
            .unwrap();
        assert_eq!(
            g.ty(g.outputs[0]).shape,
            vec![Dim::Symbol("N".into()), Dim::Known(3)]
        );
        assert_eq!(out_dims(&g, 1), vec![3]);
        let names = op_names(&g);
        for op in ["ShapeOf", "BroadcastTo", "ReduceSum"] {
            assert!(names.contains(&op), "{names:?}");
        }
    }
}
