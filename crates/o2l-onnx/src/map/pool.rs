//! Pooling: windowed Max/Average pooling, and the global forms as reductions
//! over the spatial axes.
use super::conv::window;
use super::{MapCtx, Rule, to_u64s};
use o2l_canon::ops::{Binary, Elementwise, Pool, PoolKind, Reduce, ReduceKind, Unary};
use o2l_canon::{Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    Rule {
        domain: "ai.onnx",
        op_type: "MaxPool",
        since: &[1, 8, 10, 11, 12, 22],
        produces: &["MaxPool"],
        map: max_pool,
        note: "ceil_mode, dilations, pads/auto_pad; storage_order 0 only; the Indices output is not supported",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "AveragePool",
        since: &[1, 7, 10, 11, 19, 22],
        produces: &["AveragePool"],
        map: average_pool,
        note: "count_include_pad, ceil_mode, dilations (19+), pads/auto_pad",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "LpPool",
        since: &[2, 11, 18, 22],
        produces: &["Abs", "Mul", "Pow", "SumPool", "Sqrt"],
        map: lp_pool,
        note: "(window sum of |x|^p)^(1/p); pads, auto_pad, dilations, ceil_mode (18+)",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "GlobalAveragePool",
        since: &[1, 22],
        produces: &["ReduceMean"],
        map: global_average_pool,
        note: "mean over the spatial axes, dims kept",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "GlobalMaxPool",
        since: &[1, 22],
        produces: &["ReduceMax"],
        map: global_max_pool,
        note: "max over the spatial axes, dims kept",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "GlobalLpPool",
        since: &[2, 22],
        produces: &["Abs", "Mul", "Pow", "ReduceSum", "Sqrt"],
        map: global_lp_pool,
        note: "(sum |x|^p)^(1/p) over the spatial axes, dims kept",
    },
];

fn pool(ctx: &mut MapCtx, kind: PoolKind) -> Result<()> {
    let x = ctx.input(0)?;
    let v = pool_op(ctx, x, kind)?;
    ctx.bind(0, v)
}

/// The windowed pool of `x` with this node's window attributes.
fn pool_op(ctx: &mut MapCtx, x: ValueId, kind: PoolKind) -> Result<ValueId> {
    let xt = ctx.ty(x);
    if xt.rank() < 3 {
        return Err(Error::invalid(format!(
            "pooling input must have rank >= 3, got {xt}"
        )));
    }
    let kernel = to_u64s(&ctx.attrs.req_ints("kernel_shape")?, "kernel_shape")?;
    if kernel.len() != xt.rank() - 2 {
        return Err(Error::invalid(format!(
            "attribute \"kernel_shape\": expected {} values for input {xt}, got {}",
            xt.rank() - 2,
            kernel.len()
        )));
    }
    let win = window(ctx, &xt.shape[2..], &kernel)?;
    let ceil_mode = ctx.attrs.int_or("ceil_mode", 0)? != 0;
    let op = Op::Pool(Pool {
        kind,
        kernel,
        strides: win.strides,
        dilations: win.dilations,
        pads: win.pads,
        ceil_mode,
    });
    ctx.emit1(op, &[x])
}

fn lp_pool(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let p = ctx.attrs.int_or("p", 2)?;
    if p < 1 {
        return Err(Error::invalid(format!("LpPool p must be >= 1, got {p}")));
    }
    let powered = lp_power(ctx, x, p)?;
    let summed = pool_op(ctx, powered, PoolKind::Sum)?;
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
    let order = ctx.attrs.int_or("storage_order", 0)?;
    if order != 0 {
        return Err(Error::unsupported(format!(
            "attribute \"storage_order\" {order}: only 0 (row major) is supported"
        )));
    }
    ctx.only_outputs(1, "MaxPool Indices")?;
    pool(ctx, PoolKind::Max)
}

fn average_pool(ctx: &mut MapCtx) -> Result<()> {
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
    let p = ctx.attrs.int_or("p", 2)?;
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
