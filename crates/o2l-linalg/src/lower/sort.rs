//! TopK as two `linalg.generic`s over static shapes: the rank of every
//! element along the axis (how many elements beat it; equal values rank by
//! index), then, for each of the first k ranks, the element holding it and
//! its index. Quadratic in the axis length; exact and stable.
//!
//! NonZero has a result whose length is known only at run time: a reduction
//! counts the non-zero elements, `tensor.empty` makes the result of that
//! size, and an `scf.for` over the elements (carrying the tensor and the
//! next column) inserts each non-zero element's coordinates under `scf.if`.
use super::Operand;
use super::ir::{Ctx, DimV, Extreme, Val, map_str};
use melior::ir::ValueLike;
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
        Sort::NonZero { .. } => Ok(vec![non_zero(cx, ins[0], &outs[0])?]),
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

/// `x != 0` (NaN counts as non-zero, as in numpy).
fn nonzero_test<'c, 'b>(b: &Ctx<'c, 'b>, x: Val<'c, 'b>, d: DType) -> Result<Val<'c, 'b>> {
    if d.is_float() {
        let z = b.scalar(d, 0.0)?;
        b.cmpf(13, x, z) // une
    } else {
        let z = b.scalar_int(d, 0)?;
        b.cmpi(1, x, z) // ne
    }
}

fn non_zero<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = x.1.dtype;
    let dims =
        x.1.known_dims()
            .ok_or_else(|| Error::unsupported(format!("NonZero of {} (symbolic dims)", x.1)))?;
    let rank = dims.len();
    let total: u64 = dims.iter().product();
    // 1. How many: a full reduction into a tensor<i64>.
    let scalar = TensorType::new(DType::I64, vec![]);
    let zero = cx.filled(&scalar, &[], Extreme::Zero)?;
    let all: Vec<String> = (0..rank).map(|i| format!("d{i}")).collect();
    let maps = [map_str(rank, &all), map_str(rank, &[])];
    let iters = vec!["reduction"; rank];
    let counted = cx.generic(&[x.0], &[zero], &maps, &iters, &[], move |b, v, _| {
        let nz = nonzero_test(b, v[0], d)?;
        let one = b.scalar_int(DType::I64, 1)?;
        let none = b.scalar_int(DType::I64, 0)?;
        let add = b.select(nz, one, none)?;
        Ok(vec![b.bin("arith.addi", v[1], add)?])
    })?[0];
    let i64t = cx.elem(DType::I64)?;
    let idx_t = cx.index_type();
    let count = cx.op1("tensor.extract", &[counted], i64t, &[])?;
    let count = cx.op1("arith.index_cast", &[count], idx_t, &[])?;
    let result = cx.empty(
        &[DimV::Static(rank as u64), DimV::Dynamic(count)],
        DType::I64,
    )?;
    let result_t = cx.tensor(&out.shape, DType::I64)?;
    // 2. Fill: for i in 0..total, carrying (result, next column).
    let (lb, ub, step) = (cx.index(0)?, cx.index(total as i64)?, cx.index(1)?);
    let k0 = cx.index(0)?;
    let body = cx.region(
        "scf.yield",
        &[idx_t, result_t, idx_t],
        &[x.0],
        move |b, args, caps| {
            let (iv, t, k, xt) = (args[0], args[1], args[2], caps[0]);
            // Row-major coordinates of element iv.
            let mut coords = vec![iv; rank];
            let mut rem = iv;
            for r in (0..rank).rev() {
                let n = b.index(dims[r] as i64)?;
                coords[r] = b.bin("arith.remui", rem, n)?;
                rem = b.bin("arith.divui", rem, n)?;
            }
            let elem = b.elem(d)?;
            let mut at = vec![xt];
            at.extend(&coords);
            let v = b.op1("tensor.extract", &at, elem, &[])?;
            let nz = nonzero_test(b, v, d)?;
            let mut caps_then = vec![t, k];
            caps_then.extend(&coords);
            let then = b.region("scf.yield", &[], &caps_then, move |bb, _, c| {
                let (mut t, k) = (c[0], c[1]);
                let i64t = bb.elem(DType::I64)?;
                for r in 0..rank {
                    let coord = bb.op1("arith.index_cast", &[c[2 + r]], i64t, &[])?;
                    let row = bb.index(r as i64)?;
                    t = bb.op1("tensor.insert", &[coord, t, row, k], t.r#type(), &[])?;
                }
                let one = bb.index(1)?;
                let next = bb.bin("arith.addi", k, one)?;
                Ok(vec![t, next])
            })?;
            let other = b.region("scf.yield", &[], &[t, k], |_, _, c| Ok(vec![c[0], c[1]]))?;
            let op = b.build(
                "scf.if",
                &[nz],
                &[t.r#type(), k.r#type()],
                &[],
                vec![then, other],
            )?;
            let t2 = op.result(0).map_err(|_| Error::internal("scf.if result"))?;
            let k2 = op.result(1).map_err(|_| Error::internal("scf.if result"))?;
            Ok(vec![t2.into(), k2.into()])
        },
    )?;
    let op = cx.build(
        "scf.for",
        &[lb, ub, step, result, k0],
        &[result_t, idx_t],
        &[],
        vec![body],
    )?;
    Ok(op
        .result(0)
        .map_err(|_| Error::internal("scf.for result"))?
        .into())
}
