//! TopK as two `linalg.generic`s over static shapes: the rank of every
//! element along the axis (how many elements beat it; equal values rank by
//! index), then, for each of the first k ranks, the element holding it and
//! its index. Quadratic in the axis length; exact and stable.
use super::Operand;
use super::ir::{Ctx, Extreme, Val, map_str};
use o2l_canon::ops::Sort;
use o2l_canon::{DType, Error, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Sort,
    ins: &[Operand<'c, 'a, '_>],
    outs: &[TensorType],
) -> Result<Vec<Val<'c, 'a>>> {
    match op {
        Sort::TopK { axis, largest, .. } => top_k(cx, ins[0], *axis, *largest, outs),
    }
}

fn top_k<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    axis: usize,
    largest: bool,
    outs: &[TensorType],
) -> Result<Vec<Val<'c, 'a>>> {
    let (vt, it) = match outs {
        [v, i] => (v, i),
        _ => return Err(Error::internal("TopK lowers to values and indices")),
    };
    let d = x.1.dtype;
    let rank = x.1.rank();
    let dims: Vec<String> = (0..rank).map(|k| format!("d{k}")).collect();
    let along = |k: usize| -> Vec<String> {
        let mut e = dims.clone();
        e[axis] = format!("d{k}");
        e
    };
    let mut iters = vec!["parallel"; rank];
    iters.push("reduction");
    // 1. rank[i] = #{ j : x[j] beats x[i] }.
    let rank_ty = TensorType::new(DType::I64, x.1.shape.clone());
    let zero = cx.filled(&rank_ty, &[x], Extreme::Zero)?;
    let maps = [
        map_str(rank + 1, &dims),
        map_str(rank + 1, &along(rank)),
        map_str(rank + 1, &dims),
    ];
    let ranks = cx.generic(&[x.0, x.0], &[zero], &maps, &iters, &[], move |b, v, _| {
        let (xi, xj, acc) = (v[0], v[1], v[2]);
        let index = |k: usize| -> Result<Val<'c, '_>> {
            let dim = b.parse_attr(&format!("{k} : i64"))?;
            b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
        };
        let (i, j) = (index(axis)?, index(rank)?);
        let (beats, same) = if d.is_float() {
            // ogt / olt, oeq
            (
                b.cmpf(if largest { 2 } else { 4 }, xj, xi)?,
                b.cmpf(1, xj, xi)?,
            )
        } else {
            let signed = d.is_signed_int();
            let pred = match (largest, signed) {
                (true, true) => 4,   // sgt
                (true, false) => 8,  // ugt
                (false, true) => 2,  // slt
                (false, false) => 6, // ult
            };
            (b.cmpi(pred, xj, xi)?, b.cmpi(0, xj, xi)?)
        };
        let earlier = b.cmpi(6, j, i)?; // ult
        let tie = b.bin("arith.andi", same, earlier)?;
        let before = b.bin("arith.ori", beats, tie)?;
        let one = b.scalar_int(DType::I64, 1)?;
        let none = b.scalar_int(DType::I64, 0)?;
        let add = b.select(before, one, none)?;
        Ok(vec![b.bin("arith.addi", acc, add)?])
    })?[0];
    // 2. out[r] = the element (and index) of rank r, r < k.
    let vals = cx.filled(vt, &[x], Extreme::Zero)?;
    let idxs = cx.filled(it, &[x], Extreme::Zero)?;
    let maps = [
        map_str(rank + 1, &along(rank)),
        map_str(rank + 1, &along(rank)),
        map_str(rank + 1, &dims),
        map_str(rank + 1, &dims),
    ];
    cx.generic(
        &[x.0, ranks],
        &[vals, idxs],
        &maps,
        &iters,
        &[],
        move |b, v, _| {
            let (xv, rv, accv, acci) = (v[0], v[1], v[2], v[3]);
            let index = |k: usize| -> Result<Val<'c, '_>> {
                let dim = b.parse_attr(&format!("{k} : i64"))?;
                b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
            };
            let i64t = b.elem(DType::I64)?;
            let r = b.op1("arith.index_cast", &[index(axis)?], i64t, &[])?;
            let i = b.op1("arith.index_cast", &[index(rank)?], i64t, &[])?;
            let hit = b.cmpi(0, rv, r)?;
            Ok(vec![b.select(hit, xv, accv)?, b.select(hit, i, acci)?])
        },
    )
}
