//! Softmax and LogSoftmax along one axis, numerically stable: the axis max is
//! subtracted before `exp`. Softmax along the last axis takes the form
//! compilers recognise (`softmax_innermost`).
use super::ir::{Ctx, Operand, Val, identity_map, pick_map};
use super::reduce::{combiner, reduce_axes};
use o2l_canon::ops::{Norm, ReduceKind};
use o2l_canon::{Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Norm,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    super::elementwise::in_f32(cx, ins[0], out, |x, o| lower_exact(cx, op, &[x], o))
}

fn lower_exact<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Norm,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let x = ins[0];
    let (Norm::Softmax { axis } | Norm::LogSoftmax { axis }) = op;
    let axis = *axis;
    let rank = out.rank();
    let id = identity_map(rank);
    let reduced = pick_map(rank, &(0..rank).filter(|&i| i != axis).collect::<Vec<_>>());
    let par = vec!["parallel"; rank];
    if matches!(op, Norm::Softmax { .. }) && axis + 1 == rank {
        return softmax_innermost(cx, x, out);
    }
    let (max, _) = reduce_axes(cx, x, &[axis], ReduceKind::Max)?;
    // e = exp(x - max)
    let e0 = cx.empty_like(out, &[x])?;
    let e = cx.generic(
        &[x.0, max],
        &[e0],
        &[id.clone(), reduced.clone(), id.clone()],
        &par,
        &[],
        |b, v, _| {
            let s = b.bin("arith.subf", v[0], v[1])?;
            Ok(vec![b.un("math.exp", s)?])
        },
    )?[0];
    let (sum, _) = reduce_axes(cx, (e, out), &[axis], ReduceKind::Sum)?;
    let r0 = cx.empty_like(out, &[x])?;
    match op {
        Norm::Softmax { .. } => Ok(cx.generic(
            &[e, sum],
            &[r0],
            &[id.clone(), reduced, id],
            &par,
            &[],
            |b, v, _| Ok(vec![b.bin("arith.divf", v[0], v[1])?]),
        )?[0]),
        Norm::LogSoftmax { .. } => Ok(cx.generic(
            &[x.0, max, sum],
            &[r0],
            &[id.clone(), reduced.clone(), reduced, id],
            &par,
            &[],
            |b, v, _| {
                let s = b.bin("arith.subf", v[0], v[1])?;
                let l = b.un("math.log", v[2])?;
                Ok(vec![b.bin("arith.subf", s, l)?])
            },
        )?[0]),
    }
}

/// Softmax along the last axis as five `linalg.generic`s of one op each:
/// max (a reduction from -inf), x - max, exp, sum (a reduction from 0),
/// exp / sum. The same ops per element as the other form, so the same
/// results; this is the shape compilers recognise as a softmax and compile
/// as one kernel (IREE raises it to `linalg.softmax`; the other form cost
/// it a dispatch more per attention layer).
fn softmax_innermost<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = out.rank();
    let id = identity_map(rank);
    let rows = pick_map(rank, &(0..rank - 1).collect::<Vec<_>>());
    let par = vec!["parallel"; rank];
    let mut over_rows = vec!["parallel"; rank - 1];
    over_rows.push("reduction");
    let row_type = TensorType::new(out.dtype, out.shape[..rank - 1].to_vec());
    let reduce = |v: Val<'c, 'a>, kind: ReduceKind| -> Result<Val<'c, 'a>> {
        let (identity, combine) = combiner(kind, out.dtype);
        let init = cx.filled(&row_type, &[x], identity)?;
        Ok(cx.generic(
            &[v],
            &[init],
            &[id.clone(), rows.clone()],
            &over_rows,
            &[],
            move |b, v, _| Ok(vec![b.bin(combine, v[0], v[1])?]),
        )?[0])
    };
    let elementwise = |ins: &[Val<'c, 'a>],
                       maps: &[String],
                       f: &dyn for<'b> Fn(&Ctx<'c, 'b>, &[Val<'c, 'b>]) -> Result<Val<'c, 'b>>|
     -> Result<Val<'c, 'a>> {
        let e = cx.empty_like(out, &[x])?;
        Ok(cx.generic(ins, &[e], maps, &par, &[], |b, v, _| Ok(vec![f(b, v)?]))?[0])
    };
    let max = reduce(x.0, ReduceKind::Max)?;
    let shifted = elementwise(
        &[x.0, max],
        &[id.clone(), rows.clone(), id.clone()],
        &|b, v| b.bin("arith.subf", v[0], v[1]),
    )?;
    let e = elementwise(&[shifted], &[id.clone(), id.clone()], &|b, v| {
        b.un("math.exp", v[0])
    })?;
    let sum = reduce(e, ReduceKind::Sum)?;
    elementwise(
        &[e, sum],
        &[id.clone(), rows.clone(), id.clone()],
        &|b, v| b.bin("arith.divf", v[0], v[1]),
    )
}

#[cfg(test)]
mod tests {

    use crate::testing::{Case, check, f32t};
    use o2l_canon::Op;
    use o2l_canon::ops::Norm;

    #[test]
    fn softmax_and_log_softmax() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 5]));
        let y = c.node(Op::Norm(Norm::Softmax { axis: 1 }), &[x], "sm");
        // Along the last axis: generics of one op each, reductions included.
        let text = check(
            &c.output(y),
            &[
                "linalg.generic",
                "arith.maximumf",
                "linalg.generic",
                "arith.subf",
                "linalg.generic",
                "math.exp",
                "linalg.generic",
                "arith.addf",
                "linalg.generic",
                "arith.divf",
            ],
        );
        assert!(!text.contains("linalg.reduce"), "{text}");
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 5]));
        let y = c.node(Op::Norm(Norm::Softmax { axis: 0 }), &[x], "sm0");
        check(
            &c.output(y),
            &[
                "linalg.reduce",
                "arith.maximumf",
                "arith.subf",
                "math.exp",
                "linalg.reduce",
                "arith.addf",
                "arith.divf",
            ],
        );
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 5]));
        let y = c.node(Op::Norm(Norm::LogSoftmax { axis: 0 }), &[x], "lsm");
        check(&c.output(y), &["math.exp", "math.log", "arith.subf"]);
    }
}
