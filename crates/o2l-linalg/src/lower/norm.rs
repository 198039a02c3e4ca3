//! Softmax and LogSoftmax along one axis, numerically stable: the axis max is
//! subtracted before `exp`.
use super::ir::{Ctx, Operand, Val, identity_map, pick_map};
use super::reduce::reduce_axes;
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
