//! Reductions: axes from an attribute (older versions) or a constant input
//! (ReduceSum 13+, the others 18+), keepdims, noop_with_empty_axes.
use super::{MapCtx, Rule};
use o2l_canon::ops::{Binary, Elementwise, Reduce, ReduceKind, Unary};
use o2l_canon::shape::normalize_axes;
use o2l_canon::{Op, Result, ValueId};

const fn row(
    op_type: &'static str,
    since: &'static [i64],
    produces: &'static [&'static str],
    map: super::MapFn,
    note: &'static str,
) -> Rule {
    Rule {
        domain: "ai.onnx",
        op_type,
        since,
        produces,
        map,
        note,
    }
}

const ATTR: &str = "axes attribute; absent means all axes";
const INPUT: &str =
    "axes input (constant); absent or empty means all axes, or none with noop_with_empty_axes";

pub(crate) static RULES: &[Rule] = &[
    row("ReduceSum", &[1, 11], &["ReduceSum"], sum_attr, ATTR),
    row("ReduceSum", &[13], &["ReduceSum"], sum_input, INPUT),
    row("ReduceMean", &[1, 11, 13], &["ReduceMean"], mean_attr, ATTR),
    row("ReduceMean", &[18], &["ReduceMean"], mean_input, INPUT),
    row(
        "ReduceMax",
        &[1, 11, 12, 13],
        &["ReduceMax"],
        max_attr,
        ATTR,
    ),
    row("ReduceMax", &[18, 20], &["ReduceMax"], max_input, INPUT),
    row(
        "ReduceMin",
        &[1, 11, 12, 13],
        &["ReduceMin"],
        min_attr,
        ATTR,
    ),
    row("ReduceMin", &[18, 20], &["ReduceMin"], min_input, INPUT),
    row("ReduceProd", &[1, 11, 13], &["ReduceProd"], prod_attr, ATTR),
    row("ReduceProd", &[18], &["ReduceProd"], prod_input, INPUT),
    row(
        "ReduceSumSquare",
        &[1, 11, 13],
        &["Mul", "ReduceSum"],
        sum_square_attr,
        ATTR,
    ),
    row(
        "ReduceSumSquare",
        &[18],
        &["Mul", "ReduceSum"],
        sum_square_input,
        INPUT,
    ),
    row(
        "ReduceL1",
        &[1, 11, 13],
        &["Abs", "ReduceSum"],
        l1_attr,
        ATTR,
    ),
    row("ReduceL1", &[18], &["Abs", "ReduceSum"], l1_input, INPUT),
    row(
        "ReduceL2",
        &[1, 11, 13],
        &["Mul", "ReduceSum", "Sqrt"],
        l2_attr,
        ATTR,
    ),
    row(
        "ReduceL2",
        &[18],
        &["Mul", "ReduceSum", "Sqrt"],
        l2_input,
        INPUT,
    ),
    row(
        "ReduceLogSum",
        &[1, 11, 13],
        &["ReduceSum", "Log"],
        log_sum_attr,
        ATTR,
    ),
    row(
        "ReduceLogSum",
        &[18, 28],
        &["ReduceSum", "Log"],
        log_sum_input,
        INPUT,
    ),
    row(
        "ReduceLogSumExp",
        &[1, 11, 13],
        &["ReduceMax", "Sub", "Exp", "ReduceSum", "Log", "Add"],
        log_sum_exp_attr,
        "max-shifted; axes attribute; absent means all axes",
    ),
    row(
        "ReduceLogSumExp",
        &[18, 28],
        &["ReduceMax", "Sub", "Exp", "ReduceSum", "Log", "Add"],
        log_sum_exp_input,
        "max-shifted; axes input (constant)",
    ),
    row(
        "ArgMax",
        &[1, 11, 12, 13],
        &["ArgMax"],
        arg_max,
        "axis, keepdims; select_last_index from 12",
    ),
    row(
        "ArgMin",
        &[1, 11, 12, 13],
        &["ArgMin"],
        arg_min,
        "axis, keepdims; select_last_index from 12",
    ),
    row(
        "Hardmax",
        &[1, 11],
        &["Reshape", "ArgMax", "OneHot"],
        hardmax_2d,
        "over the input coerced to 2-D at axis: OneHot of ArgMax (first max); static dims",
    ),
    row(
        "Hardmax",
        &[13],
        &["ArgMax", "OneHot"],
        hardmax_axis,
        "along axis: OneHot of ArgMax (first max); static axis length",
    ),
    row(
        "CumSum",
        &[11, 14],
        &["CumSum"],
        cum_sum,
        "axis from a constant input; exclusive, reverse",
    ),
];

fn cum_sum(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis_v = ctx.input(1)?;
    // A rank-1 input has one valid axis, whatever the run-time value.
    let axis = match ctx.const_ints(1, "axis") {
        Err(_) if rank == 1 && ctx.const_of(axis_v).is_none() => 0,
        r => match r?.as_deref() {
            Some([a]) => *a,
            Some(other) => {
                o2l_canon::bail!(
                    InvalidModel,
                    "input 1 (axis) must hold one value, got {other:?}"
                )
            }
            None => o2l_canon::bail!(InvalidModel, "input 1 (axis) is required"),
        },
    };
    let axes = normalize_axes(&[axis], rank)?;
    let exclusive = ctx.attrs.int_or("exclusive", 0)? != 0;
    let reverse = ctx.attrs.int_or("reverse", 0)? != 0;
    let v = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::CumSum { exclusive, reverse },
            axes,
            keep_dims: true,
        }),
        &[x],
    )?;
    ctx.bind(0, v)
}

/// One-hot (in `x`'s type) of the first maximum of `x` along `axis`.
fn hardmax_along(ctx: &mut MapCtx, x: ValueId, axis: usize) -> Result<ValueId> {
    let t = ctx.ty(x);
    let Some(depth) = t.shape[axis].known() else {
        o2l_canon::bail!(
            Unsupported,
            "Hardmax along a symbolic dim ({t}, axis {axis})"
        );
    };
    let idx = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::ArgMax { last: false },
            axes: vec![axis],
            keep_dims: false,
        }),
        &[x],
    )?;
    let values = ctx.constant(o2l_canon::Tensor::from_f64s(t.dtype, vec![2], &[0.0, 1.0])?)?;
    ctx.emit1(
        Op::Movement(o2l_canon::ops::Movement::OneHot {
            axis,
            depth,
            wrap: false,
        }),
        &[idx, values],
    )
}

fn hardmax_axis(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis = o2l_canon::shape::normalize_axis(ctx.attrs.int_or("axis", -1)?, rank)?;
    let v = hardmax_along(ctx, x, axis)?;
    ctx.bind(0, v)
}

fn hardmax_2d(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let t = ctx.ty(x);
    let axis = o2l_canon::shape::normalize_axis(ctx.attrs.int_or("axis", 1)?, t.rank() + 1)?;
    let Some(dims) = t.known_dims() else {
        o2l_canon::bail!(Unsupported, "Hardmax-1/11 needs static dims, got {t}");
    };
    let rows: u64 = dims[..axis].iter().product();
    let cols: u64 = dims[axis..].iter().product();
    let flat = ctx.reshape(
        x,
        vec![o2l_canon::Dim::Known(rows), o2l_canon::Dim::Known(cols)],
    )?;
    let h = hardmax_along(ctx, flat, 1)?;
    let v = ctx.reshape(h, t.shape.clone())?;
    ctx.bind(0, v)
}

/// ArgMax / ArgMin: one axis (negative from the end), i64 indices.
fn arg(ctx: &mut MapCtx, is_max: bool) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    if rank == 0 {
        o2l_canon::bail!(InvalidModel, "input 0 must have rank >= 1, got a scalar");
    }
    let axis = ctx.attrs.int_or("axis", 0)?;
    let axes = normalize_axes(&[axis], rank)?;
    let keep_dims = ctx.attrs.int_or("keepdims", 1)? != 0;
    let last = ctx.attrs.int_or("select_last_index", 0)? != 0;
    let kind = if is_max {
        ReduceKind::ArgMax { last }
    } else {
        ReduceKind::ArgMin { last }
    };
    let v = ctx.emit1(
        Op::Reduce(Reduce {
            kind,
            axes,
            keep_dims,
        }),
        &[x],
    )?;
    ctx.bind(0, v)
}

fn arg_max(ctx: &mut MapCtx) -> Result<()> {
    arg(ctx, true)
}
fn arg_min(ctx: &mut MapCtx) -> Result<()> {
    arg(ctx, false)
}

/// The axes to reduce (sorted, normalised) and keepdims; None: reduce nothing.
fn reduce_axes(ctx: &MapCtx, rank: usize, from_input: bool) -> Result<(Option<Vec<usize>>, bool)> {
    let keep_dims = ctx.attrs.int_or("keepdims", 1)? != 0;
    let axes = if from_input {
        // An axes input declared with shape [0] is empty whatever its run-time value.
        let empty_by_type = ctx
            .opt_input(1)
            .is_some_and(|v| ctx.ty(v).shape == [o2l_canon::Dim::Known(0)]);
        if empty_by_type {
            None
        } else {
            ctx.const_ints(1, "axes")?.filter(|a| !a.is_empty())
        }
    } else {
        ctx.attrs.ints("axes")?
    };
    let axes = match axes {
        Some(a) => {
            let mut a = normalize_axes(&a, rank)?;
            a.sort_unstable();
            Some(a)
        }
        None if from_input && ctx.attrs.int_or("noop_with_empty_axes", 0)? != 0 => None,
        None => Some((0..rank).collect()),
    };
    Ok((axes, keep_dims))
}

fn emit_reduce(
    ctx: &mut MapCtx,
    kind: ReduceKind,
    x: ValueId,
    axes: &Option<Vec<usize>>,
    keep_dims: bool,
) -> Result<ValueId> {
    match axes {
        None => Ok(x),
        Some(axes) => ctx.emit1(
            Op::Reduce(Reduce {
                kind,
                axes: axes.clone(),
                keep_dims,
            }),
            &[x],
        ),
    }
}

fn reduce(ctx: &mut MapCtx, kind: ReduceKind, from_input: bool) -> Result<()> {
    let x = ctx.input(0)?;
    let (axes, keep) = reduce_axes(ctx, ctx.ty(x).rank(), from_input)?;
    let v = emit_reduce(ctx, kind, x, &axes, keep)?;
    ctx.bind(0, v)
}

fn unary(ctx: &mut MapCtx, u: Unary, x: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[x])
}

/// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp.
fn composite(ctx: &mut MapCtx, which: &str, from_input: bool) -> Result<()> {
    let x = ctx.input(0)?;
    let (axes, keep) = reduce_axes(ctx, ctx.ty(x).rank(), from_input)?;
    let v = match which {
        "SumSquare" | "L2" => {
            let sq = ctx.binary(Binary::Mul, x, x)?;
            let s = emit_reduce(ctx, ReduceKind::Sum, sq, &axes, keep)?;
            if which == "L2" {
                unary(ctx, Unary::Sqrt, s)?
            } else {
                s
            }
        }
        "L1" => {
            let a = unary(ctx, Unary::Abs, x)?;
            emit_reduce(ctx, ReduceKind::Sum, a, &axes, keep)?
        }
        "LogSum" => {
            let s = emit_reduce(ctx, ReduceKind::Sum, x, &axes, keep)?;
            unary(ctx, Unary::Log, s)?
        }
        _ => {
            // log(sum(e^(x - max))) + max, with the max kept for broadcasting.
            let m = emit_reduce(ctx, ReduceKind::Max, x, &axes, true)?;
            let d = ctx.binary(Binary::Sub, x, m)?;
            let e = unary(ctx, Unary::Exp, d)?;
            let s = emit_reduce(ctx, ReduceKind::Sum, e, &axes, keep)?;
            let l = unary(ctx, Unary::Log, s)?;
            let m_out = emit_reduce(ctx, ReduceKind::Max, x, &axes, keep)?;
            ctx.binary(Binary::Add, l, m_out)?
        }
    };
    ctx.bind(0, v)
}

fn sum_square_attr(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "SumSquare", false)
}
fn sum_square_input(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "SumSquare", true)
}
fn l1_attr(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "L1", false)
}
fn l1_input(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "L1", true)
}
fn l2_attr(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "L2", false)
}
fn l2_input(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "L2", true)
}
fn log_sum_attr(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "LogSum", false)
}
fn log_sum_input(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "LogSum", true)
}
fn log_sum_exp_attr(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "LogSumExp", false)
}
fn log_sum_exp_input(ctx: &mut MapCtx) -> Result<()> {
    composite(ctx, "LogSumExp", true)
}

fn sum_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Sum, false)
}
fn sum_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Sum, true)
}
fn mean_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Mean, false)
}
fn mean_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Mean, true)
}
fn max_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Max, false)
}
fn max_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Max, true)
}
fn min_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Min, false)
}
fn min_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Min, true)
}
fn prod_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Prod, false)
}
fn prod_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Prod, true)
}
