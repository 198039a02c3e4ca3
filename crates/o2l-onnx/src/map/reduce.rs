//! Reductions: axes from an attribute (older versions) or an input
//! (ReduceSum 13+, the others 18+), keepdims, noop_with_empty_axes. Axes
//! computed at run time choose among the static forms (`Control::Switch`).
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Reduce, ReduceKind, Unary};
use o2l_canon::shape::normalize_axes;
use o2l_canon::{Op, Result, ValueId};

const ATTR: &str = "axes attribute; absent means all axes";
const INPUT: &str = "axes input; absent or empty means all axes, or none with noop_with_empty_axes; run-time axes of static count: a Switch over the possible sets";

pub(crate) static RULES: &[Rule] = &[
    row("ReduceSum", &[1, 11], &["ReduceSum"], sum_attr, ATTR),
    row(
        "ReduceSum",
        &[13],
        &["ReduceSum", "Switch"],
        sum_input,
        INPUT,
    ),
    row("ReduceMean", &[1, 11, 13], &["ReduceMean"], mean_attr, ATTR),
    row(
        "ReduceMean",
        &[18],
        &["ReduceMean", "Switch"],
        mean_input,
        INPUT,
    ),
    row(
        "ReduceMax",
        &[1, 11, 12, 13],
        &["ReduceMax"],
        max_attr,
        ATTR,
    ),
    row(
        "ReduceMax",
        &[18, 20],
        &["ReduceMax", "Switch"],
        max_input,
        INPUT,
    ),
    row(
        "ReduceMin",
        &[1, 11, 12, 13],
        &["ReduceMin"],
        min_attr,
        ATTR,
    ),
    row(
        "ReduceMin",
        &[18, 20],
        &["ReduceMin", "Switch"],
        min_input,
        INPUT,
    ),
    row("ReduceProd", &[1, 11, 13], &["ReduceProd"], prod_attr, ATTR),
    row(
        "ReduceProd",
        &[18],
        &["ReduceProd", "Switch"],
        prod_input,
        INPUT,
    ),
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
        &["Mul", "ReduceSum", "Switch"],
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
    row(
        "ReduceL1",
        &[18],
        &["Abs", "ReduceSum", "Switch"],
        l1_input,
        INPUT,
    ),
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
        &["Mul", "ReduceSum", "Sqrt", "Switch"],
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
        &["ReduceSum", "Log", "Switch"],
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
        &[
            "ReduceMax",
            "Sub",
            "Exp",
            "ReduceSum",
            "Log",
            "Add",
            "Switch",
        ],
        log_sum_exp_input,
        "max-shifted; axes input; run-time axes of static count: a Switch over the possible sets",
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
        "axis from a constant input, or read at run time; exclusive, reverse",
    ),
    row(
        "CumProd",
        &[26],
        &["CumProd"],
        cum_prod,
        "axis from a constant input, or read at run time; exclusive, reverse",
    ),
    row(
        "Einsum",
        &[12, 28],
        &["GatherElements", "Reshape", "Transpose", "Mul", "ReduceSum"],
        einsum,
        "diagonals by GatherElements, operands aligned by Transpose/Reshape, broadcast Mul, ReduceSum of each contracted label after the last operand that has it; static dims; each pairwise product is materialised",
    ),
];

/// Einsum labels: letters, and ellipsis dims numbered from the right.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Letter(char),
    Ellipsis(usize),
}

/// Splits one term into labels; `...` stands for the dims not named by letters.
fn einsum_term(term: &str, rank: Option<usize>, ell: usize) -> Result<Vec<Label>> {
    let letters = term.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let (head, tail) = match term.split_once("...") {
        Some((h, t)) => (h, Some(t)),
        None => (term, None),
    };
    let mut out = Vec::new();
    for c in head.chars() {
        if !c.is_ascii_alphabetic() {
            o2l_canon::bail!(InvalidModel, "Einsum: unexpected {c:?} in term {term:?}");
        }
        out.push(Label::Letter(c));
    }
    if let Some(tail) = tail {
        let n = match rank {
            Some(r) => r.checked_sub(letters).ok_or_else(|| {
                o2l_canon::Error::invalid(format!(
                    "Einsum: term {term:?} names more dims than the operand's rank {r}"
                ))
            })?,
            None => ell,
        };
        for k in (0..n).rev() {
            out.push(Label::Ellipsis(k));
        }
        for c in tail.chars() {
            if !c.is_ascii_alphabetic() {
                o2l_canon::bail!(InvalidModel, "Einsum: unexpected {c:?} in term {term:?}");
            }
            out.push(Label::Letter(c));
        }
    }
    if let Some(r) = rank
        && out.len() != r
    {
        o2l_canon::bail!(
            InvalidModel,
            "Einsum: term {term:?} has {} labels for an operand of rank {r}",
            out.len()
        );
    }
    Ok(out)
}

fn einsum(ctx: &mut MapCtx) -> Result<()> {
    let eq: String = ctx
        .attrs
        .string("equation")?
        .ok_or_else(|| o2l_canon::Error::invalid("attribute \"equation\" is required"))?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (lhs, rhs) = match eq.split_once("->") {
        Some((l, r)) => (l.to_string(), Some(r.to_string())),
        None => (eq.clone(), None),
    };
    let terms: Vec<&str> = lhs.split(',').collect();
    if terms.len() != ctx.num_inputs() {
        o2l_canon::bail!(
            InvalidModel,
            "Einsum: equation {eq:?} has {} terms for {} inputs",
            terms.len(),
            ctx.num_inputs()
        );
    }
    let mut operands = Vec::new();
    let mut ell = 0;
    for (k, term) in terms.iter().enumerate() {
        let x = ctx.input(k)?;
        let labels = einsum_term(term, Some(ctx.ty(x).rank()), 0)?;
        ell = ell.max(
            labels
                .iter()
                .filter(|l| matches!(l, Label::Ellipsis(_)))
                .count(),
        );
        operands.push((x, labels));
    }
    let output: Vec<Label> = match &rhs {
        Some(r) => einsum_term(r, None, ell)?,
        None => {
            // Implicit output: the ellipsis dims, then letters used once, sorted.
            let mut out: Vec<Label> = (0..ell).rev().map(Label::Ellipsis).collect();
            let mut once: Vec<char> = Vec::new();
            for c in lhs.chars().filter(|c| c.is_ascii_alphabetic()) {
                if lhs.chars().filter(|&d| d == c).count() == 1 {
                    once.push(c);
                }
            }
            once.sort_unstable();
            out.extend(once.into_iter().map(Label::Letter));
            out
        }
    };
    // Diagonals: a label repeated within one operand keeps only equal coordinates.
    let mut aligned = Vec::new();
    for (mut x, mut labels) in operands {
        while let Some((p, q)) = (0..labels.len()).find_map(|q| {
            labels[..q]
                .iter()
                .position(|l| *l == labels[q])
                .map(|p| (p, q))
        }) {
            let t = ctx.ty(x);
            let Some(dims) = t.known_dims() else {
                o2l_canon::bail!(Unsupported, "Einsum diagonal over symbolic dims ({t})");
            };
            if dims[p] != dims[q] {
                o2l_canon::bail!(
                    InvalidModel,
                    "Einsum: repeated label {:?} over dims of sizes {} and {}",
                    labels[p],
                    dims[p],
                    dims[q]
                );
            }
            let mut idx_dims = dims.clone();
            idx_dims[q] = 1;
            let count: u64 = idx_dims.iter().product();
            // Row-major position along dim p of every index element.
            let stride_p: u64 = idx_dims[p + 1..].iter().product();
            let values: Vec<i64> = (0..count)
                .map(|n| ((n / stride_p) % idx_dims[p]) as i64)
                .collect();
            let idx = ctx.constant(o2l_canon::Tensor::from_i64s(
                o2l_canon::DType::I64,
                idx_dims.clone(),
                &values,
            )?)?;
            let g = ctx.emit1(
                Op::Movement(o2l_canon::ops::Movement::GatherElements { axis: q }),
                &[x, idx],
            )?;
            let mut shape = t.shape.clone();
            shape.remove(q);
            x = ctx.reshape(g, shape)?;
            labels.remove(q);
        }
        aligned.push((x, labels));
    }
    // Every label: the output's first, then the contracted ones in order seen.
    let mut all = output.clone();
    for (_, labels) in &aligned {
        for l in labels {
            if !all.contains(l) {
                all.push(*l);
            }
        }
    }
    for l in &output {
        if !aligned.iter().any(|(_, ls)| ls.contains(l)) {
            o2l_canon::bail!(InvalidModel, "Einsum: output label {l:?} is in no input");
        }
    }
    // Operands are multiplied in turn, each label summed out as soon as no
    // later operand and not the output has it: a chain of contractions, never
    // the product over every label at once (IREE's CPU backend miscompiles
    // that product's reduction when three operands meet in it). The running
    // product's labels are always in the order of `all`.
    let mut product: Option<(ValueId, Vec<Label>)> = None;
    for k in 0..aligned.len() {
        let (x, labels) = &aligned[k];
        let live: Vec<Label> = all
            .iter()
            .filter(|l| labels.contains(l) || product.as_ref().is_some_and(|(_, p)| p.contains(l)))
            .copied()
            .collect();
        let mut v = match product.take() {
            None => einsum_align(ctx, *x, labels, &live)?,
            Some((p, have)) => {
                let p = einsum_reshape(ctx, p, &have, &live)?;
                let x = einsum_align(ctx, *x, labels, &live)?;
                ctx.binary(Binary::Mul, p, x)?
            }
        };
        let later = &aligned[k + 1..];
        let dead: Vec<usize> = (0..live.len())
            .filter(|&i| {
                !output.contains(&live[i]) && !later.iter().any(|(_, ls)| ls.contains(&live[i]))
            })
            .collect();
        let mut live = live;
        if !dead.is_empty() {
            v = ctx.emit1(
                Op::Reduce(Reduce {
                    kind: ReduceKind::Sum,
                    axes: dead.clone(),
                    keep_dims: false,
                }),
                &[v],
            )?;
            live = (0..live.len())
                .filter(|i| !dead.contains(i))
                .map(|i| live[i])
                .collect();
        }
        product = Some((v, live));
    }
    let Some((v, _)) = product else {
        o2l_canon::bail!(InvalidModel, "Einsum needs at least one input");
    };
    ctx.bind(0, v)
}

/// `x` (dims labelled `labels`) transposed into the order of `live` and
/// reshaped to its rank, with size-1 dims for the labels `x` lacks.
fn einsum_align(ctx: &mut MapCtx, x: ValueId, labels: &[Label], live: &[Label]) -> Result<ValueId> {
    let order: Vec<usize> = live
        .iter()
        .filter_map(|l| labels.iter().position(|m| m == l))
        .collect();
    let have: Vec<Label> = order.iter().map(|&p| labels[p]).collect();
    let mut v = x;
    if order.iter().enumerate().any(|(i, &p)| i != p) {
        v = ctx.emit1(
            Op::Movement(o2l_canon::ops::Movement::Transpose { perm: order }),
            &[v],
        )?;
    }
    einsum_reshape(ctx, v, &have, live)
}

/// `v`, whose dims are labelled `have` (in `live`'s order), reshaped to one
/// dim per label of `live`, size 1 where `have` lacks it.
fn einsum_reshape(ctx: &mut MapCtx, v: ValueId, have: &[Label], live: &[Label]) -> Result<ValueId> {
    let t = ctx.ty(v);
    let mut it = t.shape.iter();
    let mut shape = Vec::with_capacity(live.len());
    for l in live {
        if have.contains(l) {
            shape.push(it.next().cloned().unwrap_or(o2l_canon::Dim::Known(1)));
        } else {
            shape.push(o2l_canon::Dim::Known(1));
        }
    }
    ctx.reshape(v, shape)
}

fn cum_sum(ctx: &mut MapCtx) -> Result<()> {
    let exclusive = ctx.attrs.int_or("exclusive", 0)? != 0;
    let reverse = ctx.attrs.int_or("reverse", 0)? != 0;
    running(ctx, ReduceKind::CumSum { exclusive, reverse })
}

fn cum_prod(ctx: &mut MapCtx) -> Result<()> {
    let exclusive = ctx.attrs.int_or("exclusive", 0)? != 0;
    let reverse = ctx.attrs.int_or("reverse", 0)? != 0;
    running(ctx, ReduceKind::CumProd { exclusive, reverse })
}

/// CumSum and CumProd: the axis is a constant, or read at run time.
fn running(ctx: &mut MapCtx, kind: ReduceKind) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis_v = ctx.input(1)?;
    if ctx.const_of(axis_v).is_none() {
        // A rank-1 input has one valid axis, whatever the run-time value;
        // otherwise the axis operand is read at run time.
        let (axes, operands) = if rank == 1 {
            (vec![0], vec![x])
        } else {
            (vec![], vec![x, axis_v])
        };
        let v = ctx.emit1(
            Op::Reduce(Reduce {
                kind,
                axes,
                keep_dims: true,
            }),
            &operands,
        )?;
        return ctx.bind(0, v);
    }
    let axis = match ctx.const_ints(1, "axis")?.as_deref() {
        Some([a]) => *a,
        other => o2l_canon::bail!(
            InvalidModel,
            "input 1 (axis) must hold one value, got {other:?}"
        ),
    };
    let axes = normalize_axes(&[axis], rank)?;
    let v = ctx.emit1(
        Op::Reduce(Reduce {
            kind,
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
    if from_input && ctx.switch_on_run_time_axes(1, ctx.ty(x).rank())? {
        return Ok(());
    }
    let (axes, keep) = reduce_axes(ctx, ctx.ty(x).rank(), from_input)?;
    let v = emit_reduce(ctx, kind, x, &axes, keep)?;
    ctx.bind(0, v)
}

/// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp.
fn composite(ctx: &mut MapCtx, which: &str, from_input: bool) -> Result<()> {
    let x = ctx.input(0)?;
    if from_input && ctx.switch_on_run_time_axes(1, ctx.ty(x).rank())? {
        return Ok(());
    }
    let (axes, keep) = reduce_axes(ctx, ctx.ty(x).rank(), from_input)?;
    let v = match which {
        "SumSquare" | "L2" => {
            let sq = ctx.binary(Binary::Mul, x, x)?;
            let s = emit_reduce(ctx, ReduceKind::Sum, sq, &axes, keep)?;
            if which == "L2" {
                ctx.unary(Unary::Sqrt, s)?
            } else {
                s
            }
        }
        "L1" => {
            let a = ctx.unary(Unary::Abs, x)?;
            emit_reduce(ctx, ReduceKind::Sum, a, &axes, keep)?
        }
        "LogSum" => {
            let s = emit_reduce(ctx, ReduceKind::Sum, x, &axes, keep)?;
            ctx.unary(Unary::Log, s)?
        }
        _ => {
            // log(sum(e^(x - max))) + max, with the max kept for broadcasting.
            let m = emit_reduce(ctx, ReduceKind::Max, x, &axes, true)?;
            let d = ctx.binary(Binary::Sub, x, m)?;
            let e = ctx.unary(Unary::Exp, d)?;
            let s = emit_reduce(ctx, ReduceKind::Sum, e, &axes, keep)?;
            let l = ctx.unary(Unary::Log, s)?;
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
/// Why a ReduceMean of a dequantized 8-bit value keeps the float op: an i32
/// sum requantized once (as QLinearGlobalAveragePool does) is exact, but
/// onnxruntime has no integer ReduceMean and runs the float one, whose f32
/// sum of rounded products lands on the other side of a rounding halfway
/// point for some inputs (measured: 411 of 10,240 values one step apart
/// with 2x2 windows and equal scales), so the float path stays to remain
/// equal to onnxruntime.
fn explain_quantized_mean(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    if ctx.dequantized(x).is_some() {
        ctx.stays_float(
            "onnxruntime runs ReduceMean in float (an f32 sum of the dequantized values, then a division), which an integer sum requantized once does not reproduce at every rounding halfway point",
        );
    }
    Ok(())
}
fn mean_attr(ctx: &mut MapCtx) -> Result<()> {
    explain_quantized_mean(ctx)?;
    reduce(ctx, ReduceKind::Mean, false)
}
fn mean_input(ctx: &mut MapCtx) -> Result<()> {
    explain_quantized_mean(ctx)?;
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

#[cfg(test)]
mod tests {
    use crate::test_models::*;
    use o2l_canon::ops::Control;

    /// The cases of the graph's one Switch: key and output dims per case.
    fn switch_cases(g: &Graph) -> Vec<(i64, Vec<Dim>)> {
        let cases = g.nodes.iter().find_map(|n| match &n.op {
            Op::Control(Control::Switch { cases, .. }) => Some(cases),
            _ => None,
        });
        cases
            .expect("a Switch")
            .iter()
            .map(|(k, b)| (*k, b.0.ty(b.0.outputs[0]).shape.clone()))
            .collect()
    }

    #[test]
    fn run_time_axes_choose_among_every_set_of_that_many_axes() {
        // Two axes of a rank-3 input: {0,1}, {0,2}, {1,2}, keyed by the sum
        // of 3^axis; the result dims the sets disagree on are run-time dims.
        let g = M::new(18)
            .input(f32_in("x", &[2, 3, 4]))
            .input(vi("axes", 7, &[D::N(2)]))
            .node(with_attrs(
                node("ReduceMax", "r", &["x", "axes"], &["y"]),
                vec![a_int("keepdims", 0)],
            ))
            .output("y")
            .import()
            .unwrap();
        let n = |v: u64| Dim::Known(v);
        assert_eq!(
            switch_cases(&g),
            vec![
                (1 + 3, vec![n(4)]),
                (1 + 9, vec![n(3)]),
                (3 + 9, vec![n(2)])
            ]
        );
        let out = g.ty(g.outputs[0]);
        assert!(matches!(out.shape[..], [Dim::Symbol(_)]), "{out}");
    }

    #[test]
    fn run_time_squeeze_axes_leave_out_the_sets_that_cannot_be_squeezed() {
        // Only dims 0 and 2 have size 1: a run-time axis 1 selects no case.
        let g = M::new(13)
            .input(f32_in("x", &[1, 3, 1]))
            .input(vi("axes", 7, &[D::N(1)]))
            .node(node("Squeeze", "s", &["x", "axes"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        let n = |v: u64| Dim::Known(v);
        assert_eq!(
            switch_cases(&g),
            vec![(1, vec![n(3), n(1)]), (4, vec![n(1), n(3)])]
        );
    }

    #[test]
    fn einsum_contracts_operand_by_operand() {
        // ab,bc,cd->ad: b is summed once the second operand is in, c after
        // the third, so no product spans a, b, c and d at once.
        let g = M::new(17)
            .input(f32_in("x", &[2, 3]))
            .input(f32_in("y", &[3, 4]))
            .input(f32_in("z", &[4, 5]))
            .node(with_attrs(
                node("Einsum", "e", &["x", "y", "z"], &["out"]),
                vec![a_str("equation", "ab,bc,cd->ad")],
            ))
            .output("out")
            .import()
            .unwrap();
        assert_eq!(
            op_names(&g),
            vec![
                "Reshape",
                "Reshape",
                "Mul",
                "ReduceSum",
                "Reshape",
                "Transpose",
                "Reshape",
                "Mul",
                "ReduceSum"
            ]
        );
        assert_eq!(out_dims(&g, 0), vec![2, 5]);
    }
}
