//! Reductions: `linalg.fill` with the identity, `linalg.reduce` over the axes,
//! a division for Mean (by the product of the reduced dims) and
//! `tensor.expand_shape` for kept dims. ArgMax/ArgMin: one `linalg.generic`
//! carrying the best value and its index through the reduced axis in order.
use super::ir::{Ctx, Extreme, Operand, Val, identity_map, pick_map};
use melior::ir::{Type, ValueLike};
use o2l_canon::ops::{Reduce, ReduceKind};
use o2l_canon::{DType, Dim, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Reduce,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    if op.kind.is_arg() {
        return arg_reduce(cx, op, ins[0], out);
    }
    if let Some((exclusive, reverse)) = op.kind.scan_flags() {
        if let Some(&axis) = ins.get(1) {
            return scan_runtime_axis(cx, op.kind, ins[0], axis, exclusive, reverse, out);
        }
        return scan(cx, op, ins[0], exclusive, reverse, out);
    }
    if matches!(
        op.kind,
        ReduceKind::Sum | ReduceKind::Mean | ReduceKind::Prod
    ) {
        super::elementwise::in_f32(cx, ins[0], out, |x, o| lower_exact(cx, op, &[x], o))
    } else {
        lower_exact(cx, op, ins, out)
    }
}

fn lower_exact<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Reduce,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let x = ins[0];
    if op.axes.is_empty() {
        return Ok(x.0);
    }
    let d = out.dtype;
    let (mut r, rt) = reduce_axes(cx, x, &op.axes, op.kind)?;
    if op.kind == ReduceKind::Mean {
        let count = reduced_count(cx, x, &op.axes, d)?;
        let e = cx.empty_like(&rt, &[x])?;
        let div = if d.is_float() {
            "arith.divf"
        } else if d.is_unsigned_int() {
            "arith.divui"
        } else {
            "arith.divsi"
        };
        r = cx.generic(
            &[r],
            &[e],
            &[identity_map(rt.rank()), identity_map(rt.rank())],
            &vec!["parallel"; rt.rank()],
            &[count],
            move |b, v, caps| Ok(vec![b.bin(div, v[0], caps[0])?]),
        )?[0];
    }
    keep_reduced_dims(cx, op, r, out, x)
}

/// Re-inserts the reduced dims as size 1 when the op keeps them.
fn keep_reduced_dims<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Reduce,
    r: Val<'c, 'a>,
    out: &TensorType,
    x: Operand<'c, 'a, '_>,
) -> Result<Val<'c, 'a>> {
    if !op.keep_dims {
        return Ok(r);
    }
    // Each reduced (now size-1) dim joins the group of a neighbouring kept dim.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    for i in 0..out.rank() {
        pending.push(i);
        if !op.axes.contains(&i) {
            groups.push(std::mem::take(&mut pending));
        }
    }
    if let Some(last) = groups.last_mut() {
        last.extend(pending);
    }
    cx.expand(r, &groups, out, &[x])
}

/// ArgMax / ArgMin along the op's one axis: the running best value and its
/// i64 index are the two outputs of one generic; a later element replaces the
/// best when strictly better (or equal, with `last`); a NaN beats any number
/// (the first NaN stays, or the last with `last`).
fn arg_reduce<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Reduce,
    x: Operand<'c, 'a, '_>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let [axis] = op.axes[..] else {
        o2l_canon::bail!(Internal, "{} needs exactly one axis", op.name());
    };
    let d = x.1.dtype;
    let rank = x.1.rank();
    let kept: Vec<usize> = (0..rank).filter(|&i| i != axis).collect();
    let shape: Vec<Dim> = kept.iter().map(|&i| x.1.shape[i].clone()).collect();
    let (is_max, last) = match op.kind {
        ReduceKind::ArgMax { last } => (true, last),
        ReduceKind::ArgMin { last } => (false, last),
        _ => o2l_canon::bail!(Internal, "{} is not an arg-reduction", op.name()),
    };
    let vt = TensorType::new(d, shape.clone());
    let it = TensorType::new(DType::I64, shape);
    let acc_v = cx.filled(
        &vt,
        &[x],
        if is_max {
            Extreme::Lowest
        } else {
            Extreme::Highest
        },
    )?;
    let acc_i = cx.filled(&it, &[x], Extreme::Zero)?;
    let maps = [
        identity_map(rank),
        pick_map(rank, &kept),
        pick_map(rank, &kept),
    ];
    let iters: Vec<&str> = (0..rank)
        .map(|i| if i == axis { "reduction" } else { "parallel" })
        .collect();
    let float = d.is_float();
    let unsigned = d.is_unsigned_int() || d == DType::Bool;
    // Predicates: cmpf ogt 2, oge 3, olt 4, ole 5, ord 7, uno 14;
    // cmpi slt 2, sle 3, sgt 4, sge 5, ult 6, ule 7, ugt 8, uge 9.
    let pred = match (float, unsigned, is_max, last) {
        (true, _, true, false) => 2,
        (true, _, true, true) => 3,
        (true, _, false, false) => 4,
        (true, _, false, true) => 5,
        (false, false, true, false) => 4,
        (false, false, true, true) => 5,
        (false, false, false, false) => 2,
        (false, false, false, true) => 3,
        (false, true, true, false) => 8,
        (false, true, true, true) => 9,
        (false, true, false, false) => 6,
        (false, true, false, true) => 7,
    };
    let r = cx.generic(
        &[x.0],
        &[acc_v, acc_i],
        &maps,
        &iters,
        &[],
        move |b, v, _| {
            let (xv, best, best_i) = (v[0], v[1], v[2]);
            let take = if float {
                let better = b.cmpf(pred, xv, best)?;
                let x_nan = b.cmpf(14, xv, xv)?;
                if last {
                    b.bin("arith.ori", better, x_nan)?
                } else {
                    let best_num = b.cmpf(7, best, best)?;
                    let first_nan = b.bin("arith.andi", x_nan, best_num)?;
                    b.bin("arith.ori", better, first_nan)?
                }
            } else {
                b.cmpi(pred, xv, best)?
            };
            let dim = b.parse_attr(&format!("{axis} : i64"))?;
            let i = b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])?;
            let i = b.op1("arith.index_cast", &[i], b.elem(DType::I64)?, &[])?;
            Ok(vec![b.select(take, xv, best)?, b.select(take, i, best_i)?])
        },
    )?[1];
    keep_reduced_dims(cx, op, r, out, x)
}

/// CumSum/CumProd as one generic over the result's dims plus a reduction
/// loop `j` over the axis: element i combines x[j] for the j on its side of i
/// (j <= i, j < i when exclusive; mirrored when reverse) and the identity for
/// the others. Exact, in order, and quadratic in the axis length.
fn scan<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Reduce,
    x: Operand<'c, 'a, '_>,
    exclusive: bool,
    reverse: bool,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let [axis] = op.axes[..] else {
        o2l_canon::bail!(Internal, "{} needs exactly one axis", op.name());
    };
    let rank = out.rank();
    let d = out.dtype;
    let (unit, add) = combiner(op.kind, d);
    let init = cx.filled(out, &[x], unit)?;
    let in_exprs: Vec<String> = (0..rank)
        .map(|k| {
            if k == axis {
                format!("d{rank}")
            } else {
                format!("d{k}")
            }
        })
        .collect();
    let maps = [
        super::ir::map_str(rank + 1, &in_exprs),
        pick_map(rank + 1, &(0..rank).collect::<Vec<_>>()),
    ];
    let mut iters = vec!["parallel"; rank];
    iters.push("reduction");
    let pred = scan_predicate(reverse, exclusive);
    let zero = cx.extreme(d, unit)?;
    Ok(cx.generic(
        &[x.0],
        &[init],
        &maps,
        &iters,
        &[zero],
        move |b, v, caps| {
            let dim_i = b.parse_attr(&format!("{axis} : i64"))?;
            let i = b.op1("linalg.index", &[], b.index_type(), &[("dim", dim_i)])?;
            let dim_j = b.parse_attr(&format!("{rank} : i64"))?;
            let j = b.op1("linalg.index", &[], b.index_type(), &[("dim", dim_j)])?;
            let inside = b.cmpi(pred, j, i)?;
            let term = b.select(inside, v[0], caps[0])?;
            Ok(vec![b.bin(add, v[1], term)?])
        },
    )?[0])
}

/// A scan with the axis known only at run time (static shapes): a reduction
/// loop `j` over the largest dim; the run-time axis picks which result
/// coordinate `i` compares with `j`, where `x` is read (`tensor.extract` with
/// that coordinate replaced by `j`, clamped) and how far `j` is valid.
fn scan_runtime_axis<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    kind: ReduceKind,
    x: Operand<'c, 'a, '_>,
    axis: Operand<'c, 'a, '_>,
    exclusive: bool,
    reverse: bool,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let Some(dims) = x.1.known_dims() else {
        o2l_canon::bail!(
            Unsupported,
            "a running sum or product with a run-time axis needs static dims, got {}",
            x.1
        );
    };
    let rank = dims.len();
    let longest = dims.iter().copied().max().unwrap_or(0);
    if rank == 0 || longest == 0 {
        return Ok(x.0);
    }
    let d = out.dtype;
    // The axis as an index, negative counting from the end.
    let zeros = (0..axis.1.rank())
        .map(|_| cx.index(0))
        .collect::<Result<Vec<_>>>()?;
    let mut at = vec![axis.0];
    at.extend(zeros);
    let raw = cx.op1("tensor.extract", &at, cx.elem(axis.1.dtype)?, &[])?;
    let raw = if axis.1.dtype == DType::I64 {
        raw
    } else {
        cx.op1("arith.extsi", &[raw], cx.elem(DType::I64)?, &[])?
    };
    let ax = cx.op1("arith.index_cast", &[raw], cx.index_type(), &[])?;
    let zero_i = cx.index(0)?;
    let neg = cx.cmpi(2, ax, zero_i)?;
    let rank_v = cx.index(rank as i64)?;
    let plus = cx.bin("arith.addi", ax, rank_v)?;
    let ax = cx.select(neg, plus, ax)?;
    let (unit, add) = combiner(kind, d);
    let init = cx.filled(out, &[x], unit)?;
    // A placeholder input of the longest dim gives the j loop its bound.
    let j_space = cx.empty(&[super::ir::DimV::Static(longest)], d)?;
    let maps = [
        super::ir::map_str(rank + 1, &[format!("d{rank}")]),
        pick_map(rank + 1, &(0..rank).collect::<Vec<_>>()),
    ];
    let mut iters = vec!["parallel"; rank];
    iters.push("reduction");
    let pred = scan_predicate(reverse, exclusive);
    let zero = cx.extreme(d, unit)?;
    Ok(cx.generic(
        &[j_space],
        &[init],
        &maps,
        &iters,
        &[zero, x.0, ax],
        move |b, v, caps| {
            let (zero, xt, ax) = (caps[0], caps[1], caps[2]);
            let index = |k: usize| -> Result<Val<'c, '_>> {
                let dim = b.parse_attr(&format!("{k} : i64"))?;
                b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
            };
            let j = index(rank)?;
            let mut coords = vec![xt];
            let mut i = b.index(0)?;
            let mut len = b.index(0)?;
            let mut pos = Vec::with_capacity(rank);
            for (k, &n) in dims.iter().enumerate() {
                let here = index(k)?;
                let kv = b.index(k as i64)?;
                let is_axis = b.cmpi(0, ax, kv)?;
                i = b.select(is_axis, here, i)?;
                let nv = b.index(n as i64)?;
                len = b.select(is_axis, nv, len)?;
                // Clamped so the read stays in bounds where j is past the axis.
                let last = b.index(n.saturating_sub(1) as i64)?;
                let jc = b.op1("arith.minui", &[j, last], b.index_type(), &[])?;
                pos.push(b.select(is_axis, jc, here)?);
            }
            coords.extend(pos);
            let valid = b.cmpi(6, j, len)?; // ult
            let side = b.cmpi(pred, j, i)?;
            let inside = b.bin("arith.andi", valid, side)?;
            let elem = super::ir::element_type(xt.r#type())?;
            let xv = b.op1("tensor.extract", &coords, elem, &[])?;
            let term = b.select(inside, xv, zero)?;
            Ok(vec![b.bin(add, v[1], term)?])
        },
    )?[0])
}

/// Combines `x` over `axes` (kept dims in order); returns the result and its type.
pub(crate) fn reduce_axes<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    axes: &[usize],
    kind: ReduceKind,
) -> Result<(Val<'c, 'a>, TensorType)> {
    let d = x.1.dtype;
    let shape: Vec<Dim> =
        x.1.shape
            .iter()
            .enumerate()
            .filter(|(i, _)| !axes.contains(i))
            .map(|(_, s)| s.clone())
            .collect();
    let rt = TensorType::new(d, shape);
    let (identity, combine) = combiner(kind, d);
    let init = cx.filled(&rt, &[x], identity)?;
    let dims: Vec<i64> = axes.iter().map(|&a| a as i64).collect();
    let attr = cx.parse_attr(&super::ir::array_i64(&dims))?;
    let r = cx.structured(
        "linalg.reduce",
        &[x.0],
        &[init],
        &[("dimensions", attr)],
        &[],
        move |b, v, _| Ok(vec![b.bin(combine, v[0], v[1])?]),
    )?[0];
    Ok((r, rt))
}

/// Identity and scalar combiner of a reduction over `d` elements.
pub(crate) fn combiner(kind: ReduceKind, d: DType) -> (Extreme, &'static str) {
    let f = d.is_float();
    let u = d.is_unsigned_int() || d == DType::Bool;
    match kind {
        ReduceKind::Sum | ReduceKind::Mean | ReduceKind::CumSum { .. } => {
            (Extreme::Zero, if f { "arith.addf" } else { "arith.addi" })
        }
        ReduceKind::Prod | ReduceKind::CumProd { .. } => {
            (Extreme::One, if f { "arith.mulf" } else { "arith.muli" })
        }
        ReduceKind::Max | ReduceKind::ArgMax { .. } => (
            Extreme::Lowest,
            if f {
                "arith.maximumf"
            } else if u {
                "arith.maxui"
            } else {
                "arith.maxsi"
            },
        ),
        ReduceKind::Min | ReduceKind::ArgMin { .. } => (
            Extreme::Highest,
            if f {
                "arith.minimumf"
            } else if u {
                "arith.minui"
            } else {
                "arith.minsi"
            },
        ),
    }
}

/// The number of reduced elements as a `d` scalar (from `tensor.dim` when symbolic).
pub(crate) fn reduced_count<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    axes: &[usize],
    d: DType,
) -> Result<Val<'c, 'a>> {
    let mut known: u64 = 1;
    let mut dynamic: Option<Val<'c, 'a>> = None;
    for &a in axes {
        match &x.1.shape[a] {
            Dim::Known(n) => known *= n,
            Dim::Symbol(_) => {
                let v = cx.dim(x.0, a)?;
                dynamic = Some(match dynamic {
                    Some(p) => cx.bin("arith.muli", p, v)?,
                    None => v,
                });
            }
        }
    }
    let Some(dy) = dynamic else {
        return cx.scalar(d, known as f64);
    };
    let k = cx.index(known as i64)?;
    let total = cx.bin("arith.muli", dy, k)?;
    let i64t: Type<'c> = cx.elem(DType::I64)?;
    let as_int = cx.op1("arith.index_cast", &[total], i64t, &[])?;
    if d.is_float() {
        cx.op1("arith.sitofp", &[as_int], cx.elem(d)?, &[])
    } else if d == DType::I64 || d == DType::U64 {
        Ok(as_int)
    } else {
        cx.op1("arith.trunci", &[as_int], cx.elem(d)?, &[])
    }
}

/// The `arith.cmpi` predicate on index values (j, i) that says whether element
/// j of the scanned axis contributes to position i: slt 2, sle 3, sgt 4, sge 5.
fn scan_predicate(reverse: bool, exclusive: bool) -> u32 {
    match (reverse, exclusive) {
        (false, false) => 3,
        (false, true) => 2,
        (true, false) => 5,
        (true, true) => 4,
    }
}

#[cfg(test)]
mod tests {

    use crate::testing::{Case, check, f32t, pool, t};
    use o2l_canon::ops::{Norm, PoolKind, Reduce, ReduceKind};
    use o2l_canon::{DType, Dim, Op, TensorType};

    #[test]
    fn reductions() {
        for (kind, keep, frag) in [
            (ReduceKind::Sum, false, "arith.addf"),
            (ReduceKind::Mean, true, "arith.divf"),
            (ReduceKind::Max, false, "arith.maximumf"),
            (ReduceKind::Min, true, "arith.minimumf"),
            (ReduceKind::Prod, false, "arith.mulf"),
        ] {
            let mut c = Case::new();
            let x = c.input("x", f32t(&[2, 3, 4]));
            let y = c.node(
                Op::Reduce(Reduce {
                    kind,
                    axes: vec![1],
                    keep_dims: keep,
                }),
                &[x],
                "r",
            );
            let out = if keep {
                "tensor<2x1x4xf32>"
            } else {
                "tensor<2x4xf32>"
            };
            check(&c.output(y), &["linalg.reduce", frag, out]);
        }
        let mut c = Case::new();
        let x = c.input(
            "x",
            TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(4)]),
        );
        let y = c.node(
            Op::Reduce(Reduce {
                kind: ReduceKind::Mean,
                axes: vec![0, 1],
                keep_dims: true,
            }),
            &[x],
            "mean",
        );
        check(
            &c.output(y),
            &[
                "linalg.reduce",
                "arith.sitofp",
                "arith.divf",
                "tensor<1x1xf32>",
            ],
        );
    }

    #[test]
    fn half_precision_sums_run_in_f32() {
        let mut c = Case::new();
        let x = c.input("x", t(DType::F16, &[2, 5]));
        let y = c.node(Op::Norm(Norm::Softmax { axis: 1 }), &[x], "sm");
        check(
            &c.output(y),
            &[
                "arith.extf",
                "linalg.reduce",
                "math.exp",
                "arith.truncf",
                "-> tensor<2x5xf16>",
            ],
        );
        let mut c = Case::new();
        let x = c.input("x", t(DType::BF16, &[2, 5]));
        let y = c.node(
            Op::Reduce(Reduce {
                kind: ReduceKind::Mean,
                axes: vec![1],
                keep_dims: false,
            }),
            &[x],
            "mean",
        );
        check(
            &c.output(y),
            &[
                "arith.extf",
                "tensor<2xf32>",
                "arith.truncf",
                "-> tensor<2xbf16>",
            ],
        );
        let mut c = Case::new();
        let x = c.input("x", t(DType::F16, &[1, 1, 4, 4]));
        let y = c.node(
            pool(
                PoolKind::Average {
                    count_include_pad: false,
                },
                &[2, 2],
                &[2, 2],
                &[(0, 0); 2],
                false,
            ),
            &[x],
            "ap",
        );
        check(
            &c.output(y),
            &["arith.extf", "linalg.pooling_nchw_sum", "arith.truncf"],
        );
    }
}
