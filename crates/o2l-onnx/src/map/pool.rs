//! Pooling: windowed Max/Average pooling, and the global forms as reductions
//! over the spatial axes.
use super::conv::{pad_same_at_run_time, window_with};
use super::ctx::{MapCtx, Rule, row, to_u64s};
use o2l_canon::Builder;
use o2l_canon::ops::{
    Binary, Elementwise, Movement, Pool, PoolKind, Reduce, ReduceKind, ScatterReduction, Unary,
};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "MaxPool",
        &[1, 8, 10, 11, 12, 22],
        &[
            "MaxPool",
            "MaxPoolWithIndices",
            "ShapeOf",
            "Gather",
            "Add",
            "Div",
            "Sub",
            "Mul",
            "Max",
            "Reshape",
            "Concat",
            "PadAt",
            "Cast",
        ],
        max_pool,
        "ceil_mode, dilations, pads/auto_pad; the Indices output (8+) in either storage_order; SAME with stride > 1 over a symbolic dim pads with -inf (the lowest integer) by amounts computed at run time; a QDQ group pools the 8-bit values",
    ),
    row(
        "MaxUnpool",
        &[9, 11, 22],
        &[
            "Reshape",
            "ScatterND",
            "Concat",
            "Cast",
            "Gather",
            "Sub",
            "PadAt",
        ],
        max_unpool,
        "zeros with the values scattered at their (flat) indices; output_shape (11+) extends each spatial dim with zeros, by run-time amounts when it is computed at run time",
    ),
    row(
        "AveragePool",
        &[1, 7, 10, 11, 19, 22],
        &[
            "AveragePool",
            "Reshape",
            "Cast",
            "Sub",
            "Mul",
            "Div",
            "Add",
            "Round",
            "Clamp",
        ],
        average_pool,
        "count_include_pad, ceil_mode, dilations (19+), pads/auto_pad; a QDQ group with its QuantizeLinear is QLinearAveragePool",
    ),
    row(
        "LpPool",
        &[1, 2, 11, 18, 22],
        &[
            "Abs", "Mul", "Pow", "SumPool", "Sqrt", "ShapeOf", "Gather", "Add", "Div", "Sub",
            "Max", "Reshape", "Concat", "PadAt",
        ],
        lp_pool,
        "(window sum of |x|^p)^(1/p); pads, auto_pad (SAME over a symbolic dim: zeros padded at run time), dilations, ceil_mode (18+)",
    ),
    row(
        "GlobalAveragePool",
        &[1, 22],
        &[
            "ReduceMean",
            "ReduceSum",
            "Reshape",
            "Cast",
            "Sub",
            "Mul",
            "Div",
            "Add",
            "Round",
            "Clamp",
        ],
        global_average_pool,
        "mean over the spatial axes, dims kept; a QDQ group with its QuantizeLinear is QLinearGlobalAveragePool",
    ),
    row(
        "GlobalMaxPool",
        &[1, 22],
        &["ReduceMax"],
        global_max_pool,
        "max over the spatial axes, dims kept",
    ),
    row(
        "GlobalLpPool",
        &[1, 2, 22],
        &["Abs", "Mul", "Pow", "ReduceSum", "Sqrt"],
        global_lp_pool,
        "(sum |x|^p)^(1/p) over the spatial axes, dims kept",
    ),
];

fn pool(ctx: &mut MapCtx, kind: PoolKind) -> Result<()> {
    let x = ctx.input(0)?;
    let v = pool_op(ctx, x, kind)?;
    ctx.bind(0, v)
}

/// The windowed pool of `x` with this node's window attributes.
pub(crate) fn pool_op(ctx: &mut MapCtx, x: ValueId, kind: PoolKind) -> Result<ValueId> {
    let op = pool_spec(ctx, x, kind)?;
    ctx.emit1(op, &[x])
}

fn pool_spec(ctx: &mut MapCtx, x: ValueId, kind: PoolKind) -> Result<Op> {
    pool_spec_with(ctx, x, kind, &[])
}

/// The pool's kernel_shape.
fn kernel_shape(ctx: &MapCtx) -> Result<Vec<u64>> {
    to_u64s(&ctx.attrs.req_ints("kernel_shape")?, "kernel_shape")
}

/// `x` padded at run time where SAME padding depends on a symbolic length
/// (`pad_same_at_run_time`), with `fill`; and the spatial dims padded.
fn same_padded(ctx: &mut MapCtx, x: ValueId, fill: f64) -> Result<(ValueId, Vec<usize>)> {
    let kernel = kernel_shape(ctx)?;
    pad_same_at_run_time(ctx, x, &kernel, fill)
}

/// `pool_spec` for an input already padded at run time along `prepadded`.
fn pool_spec_with(ctx: &mut MapCtx, x: ValueId, kind: PoolKind, prepadded: &[usize]) -> Result<Op> {
    let xt = ctx.ty(x);
    if xt.rank() < 3 {
        return Err(Error::invalid(format!(
            "pooling input must have rank >= 3, got {xt}"
        )));
    }
    let kernel = kernel_shape(ctx)?;
    if kernel.len() != xt.rank() - 2 {
        return Err(Error::invalid(format!(
            "attribute \"kernel_shape\": expected {} values for input {xt}, got {}",
            xt.rank() - 2,
            kernel.len()
        )));
    }
    let win = window_with(ctx, &xt.shape[2..], &kernel, prepadded)?;
    let ceil_mode = ctx.attrs.int_or("ceil_mode", 0)? != 0;
    Ok(Op::Pool(Pool {
        kind,
        kernel,
        strides: win.strides,
        dilations: win.dilations,
        pads: win.pads,
        ceil_mode,
    }))
}

/// The norm's order: an int, or before v2 a float that must be whole.
fn lp_order(ctx: &MapCtx) -> Result<i64> {
    if ctx.version >= 2 {
        return ctx.attrs.int_or("p", 2);
    }
    let p = ctx.attrs.float_or("p", 2.0)?;
    if p.fract() != 0.0 || !(1.0..=i64::MAX as f32).contains(&p) {
        return Err(Error::unsupported(format!(
            "p = {p}: only whole orders >= 1 are supported"
        )));
    }
    Ok(p as i64)
}

fn lp_pool(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let p = lp_order(ctx)?;
    if p < 1 {
        return Err(Error::invalid(format!("LpPool p must be >= 1, got {p}")));
    }
    let powered = lp_power(ctx, x, p)?;
    let (powered, prepadded) = same_padded(ctx, powered, 0.0)?;
    let op = pool_spec_with(ctx, powered, PoolKind::Sum, &prepadded)?;
    let summed = ctx.emit1(op, &[powered])?;
    let y = lp_root(ctx, summed, p)?;
    ctx.bind(0, y)
}

/// `|x|^p` (`x * x` for p = 2).
fn lp_power(ctx: &mut MapCtx, x: ValueId, p: i64) -> Result<ValueId> {
    let unary =
        |ctx: &mut MapCtx, u: Unary, v| ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[v]);
    match p {
        2 => ctx.binary(Binary::Mul, x, x),
        1 => unary(ctx, Unary::Abs, x),
        _ => {
            let a = unary(ctx, Unary::Abs, x)?;
            let pe = ctx.scalar(ctx.ty(x).dtype, p as f64)?;
            ctx.binary(Binary::Pow, a, pe)
        }
    }
}

/// `s^(1/p)` (`sqrt` for p = 2).
fn lp_root(ctx: &mut MapCtx, s: ValueId, p: i64) -> Result<ValueId> {
    match p {
        1 => Ok(s),
        2 => ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Sqrt)), &[s]),
        _ => {
            let inv = ctx.scalar(ctx.ty(s).dtype, 1.0 / p as f64)?;
            ctx.binary(Binary::Pow, s, inv)
        }
    }
}

fn max_pool(ctx: &mut MapCtx) -> Result<()> {
    let column_major = match ctx.attrs.int_or("storage_order", 0)? {
        0 => false,
        1 => true,
        other => {
            return Err(Error::invalid(format!(
                "attribute \"storage_order\" must be 0 or 1, got {other}"
            )));
        }
    };
    let mut x = ctx.input(0)?;
    // A QDQ group: the same pool on the 8-bit values (qdq.rs).
    let group = if ctx.output_wanted(1) || ctx.dequantized(x).is_none() {
        None
    } else {
        super::qdq::max_pool_input(ctx, x)
    };
    if let Some(d) = &group {
        x = d.q;
    }
    // The lowest value, so padding never wins a window.
    let lowest = super::quant::int_range(ctx.ty(x).dtype).map_or(f64::NEG_INFINITY, |r| r.0);
    let (padded, prepadded) = same_padded(ctx, x, lowest)?;
    if !ctx.output_wanted(1) {
        let op = pool_spec_with(ctx, padded, PoolKind::Max, &prepadded)?;
        let mut v = ctx.emit1(op, &[padded])?;
        if let Some(d) = &group {
            v = super::qdq::max_pool_result(ctx, v, d)?;
        }
        return ctx.bind(0, v);
    }
    if !prepadded.is_empty() {
        return Err(Error::unsupported(
            "MaxPool's Indices output with auto_pad SAME and stride > 1 over a symbolic spatial dim (the padding is decided at run time)",
        ));
    }
    let op = pool_spec(ctx, x, PoolKind::MaxWithIndices { column_major })?;
    let outs = ctx.emit(op, &[x])?;
    ctx.bind(0, outs[0])?;
    ctx.bind(1, outs[1])
}

/// MaxPool's inverse: a zero tensor of the output shape, flattened, with
/// each value scattered to its flat index (later duplicates win).
fn max_unpool(ctx: &mut MapCtx) -> Result<()> {
    let (x, idx) = (ctx.input(0)?, ctx.input(1)?);
    let xt = ctx.ty(x);
    let dims = xt.static_dims("MaxUnpool input")?;
    if dims.len() < 3 {
        return Err(Error::invalid(format!(
            "MaxUnpool input must have rank >= 3, got {xt}"
        )));
    }
    let spatial = dims.len() - 2;
    let kernel = to_u64s(&ctx.attrs.req_ints("kernel_shape")?, "kernel_shape")?;
    let strides = match ctx.attrs.ints("strides")? {
        Some(s) => to_u64s(&s, "strides")?,
        None => vec![1; spatial],
    };
    let pads = match ctx.attrs.ints("pads")? {
        Some(p) => to_u64s(&p, "pads")?,
        None => vec![0; 2 * spatial],
    };
    if kernel.len() != spatial || strides.len() != spatial || pads.len() != 2 * spatial {
        return Err(Error::invalid(format!(
            "MaxUnpool kernel_shape, strides and pads must give {spatial} values per spatial dim"
        )));
    }
    // Values land in the inferred shape; a larger output_shape (11+) extends
    // it with zeros at the end of each spatial dim.
    let mut inferred = dims[..2].to_vec();
    for i in 0..spatial {
        let full = (dims[2 + i] - 1) * strides[i] + kernel[i];
        let cut = pads[i] + pads[spatial + i];
        inferred.push(full.checked_sub(cut).ok_or_else(|| {
            Error::invalid(format!(
                "MaxUnpool pads exceed the output along dim {}",
                2 + i
            ))
        })?);
    }
    let out_dims: Vec<u64> = match ctx.opt_input(2) {
        Some(shape) if ctx.graph.constant(shape).is_none() => {
            return max_unpool_at_run_time(ctx, x, idx, &inferred, shape);
        }
        Some(_) => match ctx.const_ints(2, "output_shape")? {
            Some(s) => to_u64s(&s, "output_shape")?,
            None => inferred.clone(),
        },
        None => inferred.clone(),
    };
    if out_dims.len() != dims.len()
        || out_dims[..2] != inferred[..2]
        || out_dims.iter().zip(&inferred).any(|(o, i)| o < i)
    {
        return Err(Error::invalid(format!(
            "MaxUnpool output_shape {out_dims:?} must keep N and C and be at least {inferred:?}"
        )));
    }
    let mut y = scatter_flat(ctx, x, idx, &inferred)?;
    let mut shape = inferred;
    for axis in 2..shape.len() {
        let extra = out_dims[axis] - shape[axis];
        if extra == 0 {
            continue;
        }
        let mut tail = shape.clone();
        tail[axis] = extra;
        let z = zeros_of(ctx, xt.dtype, &tail)?;
        y = ctx.emit1(Op::Movement(Movement::Concat { axis }), &[y, z])?;
        shape[axis] = out_dims[axis];
    }
    ctx.bind(0, y)
}

/// The values scattered into the inferred shape (static: it follows from
/// the input's dims), then zeros appended at the end of each spatial dim up
/// to an `output_shape` known only at run time (one PadAt by run-time
/// amounts; the output's spatial dims are run-time dims).
fn max_unpool_at_run_time(
    ctx: &mut MapCtx,
    x: ValueId,
    idx: ValueId,
    inferred: &[u64],
    shape: ValueId,
) -> Result<()> {
    let rank = inferred.len();
    if ctx.ty(shape).shape != [Dim::Known(rank as u64)] || !ctx.ty(shape).dtype.is_int() {
        return Err(Error::invalid(format!(
            "MaxUnpool output_shape {} must hold {rank} integers",
            ctx.ty(shape)
        )));
    }
    let dtype = ctx.ty(x).dtype;
    let y = scatter_flat(ctx, x, idx, inferred)?;
    let spatial: Vec<usize> = (2..rank).collect();
    let target = ctx.cast(shape, DType::I64)?;
    let picks: Vec<i64> = spatial.iter().map(|&a| a as i64).collect();
    let picks = ctx.i64s(vec![picks.len() as u64], &picks)?;
    let target = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[target, picks])?;
    let have: Vec<i64> = inferred[2..].iter().map(|&d| d as i64).collect();
    let have = ctx.i64s(vec![have.len() as u64], &have)?;
    let end = ctx.binary(Binary::Sub, target, have)?;
    let begin = ctx.i64s(vec![spatial.len() as u64], &vec![0; spatial.len()])?;
    let pads = ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &[begin, end])?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let y = super::movement::emit_pad_at(ctx, y, "constant", spatial, pads, zero)?;
    ctx.bind(0, y)
}

/// Zeros of the (static) shape `dims` with each value of `x` written at its
/// flat index from `idx` (later duplicates win).
fn scatter_flat(ctx: &mut MapCtx, x: ValueId, idx: ValueId, dims: &[u64]) -> Result<ValueId> {
    let xt = ctx.ty(x);
    let n: u64 = xt.static_dims("MaxUnpool input")?.iter().product();
    let total = o2l_canon::shape::element_count(dims)?;
    let zeros = zeros_of(ctx, xt.dtype, &[total])?;
    let flat_x = ctx.reshape(x, vec![Dim::Known(n)])?;
    let flat_i = ctx.reshape(idx, vec![Dim::Known(n), Dim::Known(1)])?;
    let scatter = Op::Movement(Movement::ScatterND {
        reduction: ScatterReduction::None,
    });
    let y = ctx.emit1(scatter, &[zeros, flat_i, flat_x])?;
    ctx.reshape(y, dims.iter().map(|&d| Dim::Known(d)).collect())
}

fn zeros_of(ctx: &mut MapCtx, dtype: o2l_canon::DType, dims: &[u64]) -> Result<ValueId> {
    let n = o2l_canon::shape::element_count(dims)?;
    let t = Tensor::from_f64s(dtype, dims.to_vec(), &vec![0.0; n as usize])?;
    ctx.constant(t)
}

fn average_pool(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    if ctx.dequantized(x).is_some()
        && let Some(v) = super::qdq::average_pool(ctx, x, false, pool_op)?
    {
        return ctx.bind(0, v);
    }
    let count_include_pad = ctx.attrs.int_or("count_include_pad", 0)? != 0;
    pool(ctx, PoolKind::Average { count_include_pad })
}

fn global(ctx: &mut MapCtx, kind: ReduceKind) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    if rank < 3 {
        return Err(Error::invalid(format!(
            "global pooling input must have rank >= 3, got {}",
            ctx.ty(x)
        )));
    }
    let op = Op::Reduce(Reduce {
        kind,
        axes: (2..rank).collect(),
        keep_dims: true,
    });
    let v = ctx.emit1(op, &[x])?;
    ctx.bind(0, v)
}

fn global_average_pool(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    if ctx.dequantized(x).is_some()
        && let Some(v) = super::qdq::average_pool(ctx, x, true, pool_op)?
    {
        return ctx.bind(0, v);
    }
    global(ctx, ReduceKind::Mean)
}

fn global_max_pool(ctx: &mut MapCtx) -> Result<()> {
    global(ctx, ReduceKind::Max)
}

fn global_lp_pool(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    if xt.rank() < 3 {
        return Err(Error::invalid(format!(
            "global pooling input must have rank >= 3, got {xt}"
        )));
    }
    let p = lp_order(ctx)?;
    if p < 1 {
        return Err(Error::invalid(format!(
            "GlobalLpPool p must be >= 1, got {p}"
        )));
    }
    let sum_op = Op::Reduce(Reduce {
        kind: ReduceKind::Sum,
        axes: (2..xt.rank()).collect(),
        keep_dims: true,
    });
    let unary =
        |ctx: &mut MapCtx, u: Unary, v| ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[v]);
    let y = match p {
        1 => {
            let a = unary(ctx, Unary::Abs, x)?;
            ctx.emit1(sum_op, &[a])?
        }
        2 => {
            let sq = ctx.binary(Binary::Mul, x, x)?;
            let s = ctx.emit1(sum_op, &[sq])?;
            unary(ctx, Unary::Sqrt, s)?
        }
        _ => {
            let a = unary(ctx, Unary::Abs, x)?;
            let pe = ctx.scalar(xt.dtype, p as f64)?;
            let ap = ctx.binary(Binary::Pow, a, pe)?;
            let s = ctx.emit1(sum_op, &[ap])?;
            let inv = ctx.scalar(xt.dtype, 1.0 / p as f64)?;
            ctx.binary(Binary::Pow, s, inv)?
        }
    };
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn max_pool_indices_output_maps_to_max_pool_with_indices() {
        let g = M::new(12)
            .input(f32_in("x", &[1, 1, 4, 4]))
            .node(with_attrs(
                node("MaxPool", "mp", &["x"], &["y", "idx"]),
                vec![a_ints("kernel_shape", &[2, 2]), a_int("storage_order", 1)],
            ))
            .output("y")
            .output("idx")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].op.name(), "MaxPoolWithIndices");
        assert_eq!(g.ty(g.outputs[1]).dtype, DType::I64);
    }

    #[test]
    fn max_pool_storage_order_must_be_0_or_1() {
        let e = M::new(12)
            .input(f32_in("x", &[1, 1, 4, 4]))
            .node(with_attrs(
                node("MaxPool", "mp", &["x"], &["y", "idx"]),
                vec![a_ints("kernel_shape", &[2, 2]), a_int("storage_order", 2)],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel);
        assert!(e.message.contains("storage_order"), "{e}");
    }
}
