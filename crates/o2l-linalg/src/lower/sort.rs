//! TopK as two `linalg.generic`s over static shapes: the rank of every
//! element along the axis (how many elements beat it; equal values rank by
//! index), then, for each of the first k ranks, the element holding it and
//! its index. Quadratic in the axis length; exact and stable.
//!
//! NonZero has a result whose length is known only at run time: a reduction
//! counts the non-zero elements, an `scf.for` over the elements (carrying a
//! static flat buffer of rank x elements and the next column) inserts each
//! non-zero element's coordinates under `scf.if`, and `tensor.extract_slice`
//! cuts the buffer to the count. (Loop-carried tensors are static and flat:
//! IREE 3.13 cannot carry a tensor of run-time size through an `scf.for`,
//! and sizes a host-side `tensor.insert` into rank >= 2 wrongly.)
use super::ir::{Ctx, DimV, Extreme, Operand, Val, map_str};
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
        Sort::Unique { sorted, .. } => unique(cx, ins[0], *sorted, outs),
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
    // 2. Fill: for i in 0..total, carrying (buffer, next column). The buffer
    // is static, flat (rank x total, row-major) and cut to the count after
    // the loop: IREE 3.13 cannot carry a tensor of run-time size through an
    // `scf.for`, and sizes a host-side `tensor.insert` into rank >= 2 wrongly.
    let result = cx.empty(&[DimV::Static(rank as u64 * total)], DType::I64)?;
    let result_t = result.r#type();
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
                    let start = bb.index((r as u64 * total) as i64)?;
                    let at = bb.bin("arith.addi", start, k)?;
                    t = bb.op1("tensor.insert", &[coord, t, at], t.r#type(), &[])?;
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
    let filled: Val<'c, 'a> = op
        .result(0)
        .map_err(|_| Error::internal("scf.for result"))?
        .into();
    let table_t = TensorType::of_known(DType::I64, &[rank as u64, total]);
    let table = cx.expand(filled, &[vec![0, 1]], &table_t, &[])?;
    let attrs = [
        ("static_offsets", cx.parse_attr("array<i64: 0, 0>")?),
        (
            "static_sizes",
            cx.parse_attr(&format!("array<i64: {rank}, {}>", i64::MIN))?,
        ),
        ("static_strides", cx.parse_attr("array<i64: 1, 1>")?),
        (
            "operandSegmentSizes",
            cx.parse_attr("array<i32: 1, 0, 1, 0>")?,
        ),
    ];
    let ty = cx.tensor(&out.shape, DType::I64)?;
    cx.op1("tensor.extract_slice", &[table, count], ty, &attrs)
}

/// `a < b` (and `a > b`) for elements of type `d` (ordered float compares).
fn less_greater<'c, 'b>(
    b: &Ctx<'c, 'b>,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
    d: DType,
) -> Result<(Val<'c, 'b>, Val<'c, 'b>)> {
    if d.is_float() {
        Ok((b.cmpf(4, x, y)?, b.cmpf(2, x, y)?)) // olt, ogt
    } else if d.is_unsigned_int() {
        Ok((b.cmpi(6, x, y)?, b.cmpi(8, x, y)?)) // ult, ugt
    } else {
        Ok((b.cmpi(2, x, y)?, b.cmpi(4, x, y)?)) // slt, sgt
    }
}

fn linalg_index<'c, 'b>(b: &Ctx<'c, 'b>, k: usize) -> Result<Val<'c, 'b>> {
    let dim = b.parse_attr(&format!("{k} : i64"))?;
    b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
}

/// Unique over the rows of an (L, S) operand, all pairwise tables static
/// (L x L), only the results' length U known at run time: row equality and
/// lexicographic order tables, then per row whether it is a first
/// occurrence, where its first occurrence is, how often it occurs and its
/// result position; an scf.for writes the first occurrences into the results.
fn unique<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    sorted: bool,
    outs: &[TensorType],
) -> Result<Vec<Val<'c, 'a>>> {
    let d = x.1.dtype;
    let dims =
        x.1.known_dims()
            .ok_or_else(|| Error::unsupported(format!("Unique of {} (symbolic dims)", x.1)))?;
    let (l, s) = (dims[0], dims[1]);
    let pair = TensorType::of_known(DType::Bool, &[l, l]);
    let row = |t: DType| TensorType::of_known(t, &[l]);
    let m3 = |e: &[&str]| map_str(3, &e.iter().map(|v| v.to_string()).collect::<Vec<_>>());
    let m2 = |e: &[&str]| map_str(2, &e.iter().map(|v| v.to_string()).collect::<Vec<_>>());
    let red3 = ["parallel", "parallel", "reduction"];
    let red2 = ["parallel", "reduction"];
    // eq[i][j]: rows i and j are equal.
    let eq0 = cx.filled(&pair, &[], Extreme::One)?;
    let eq = cx.generic(
        &[x.0, x.0],
        &[eq0],
        &[m3(&["d0", "d2"]), m3(&["d1", "d2"]), m3(&["d0", "d1"])],
        &red3,
        &[],
        move |b, v, _| {
            let same = if d.is_float() {
                b.cmpf(1, v[0], v[1])?
            } else {
                b.cmpi(0, v[0], v[1])?
            };
            Ok(vec![b.bin("arith.andi", v[2], same)?])
        },
    )?[0];
    // order[i][j]: 0 equal so far, 1 row i < row j, 2 row i > row j (first difference decides).
    let ord_t = TensorType::of_known(DType::I8, &[l, l]);
    let ord0 = cx.filled(&ord_t, &[], Extreme::Zero)?;
    let order = cx.generic(
        &[x.0, x.0],
        &[ord0],
        &[m3(&["d0", "d2"]), m3(&["d1", "d2"]), m3(&["d0", "d1"])],
        &red3,
        &[],
        move |b, v, _| {
            let (lt, gt) = less_greater(b, v[0], v[1], d)?;
            let (one, two, zero) = (
                b.scalar_int(DType::I8, 1)?,
                b.scalar_int(DType::I8, 2)?,
                b.scalar_int(DType::I8, 0)?,
            );
            let here = b.select(gt, two, zero)?;
            let here = b.select(lt, one, here)?;
            let undecided = b.cmpi(0, v[2], zero)?;
            Ok(vec![b.select(undecided, here, v[2])?])
        },
    )?[0];
    // Per row: first occurrence?, first position, count.
    let first0 = cx.filled(&row(DType::Bool), &[], Extreme::One)?;
    let pos0 = cx.filled(&row(DType::I64), &[], Extreme::Highest)?;
    let cnt0 = cx.filled(&row(DType::I64), &[], Extreme::Zero)?;
    let per = cx.generic(
        &[eq],
        &[first0, pos0, cnt0],
        &[m2(&["d0", "d1"]), m2(&["d0"]), m2(&["d0"]), m2(&["d0"])],
        &red2,
        &[],
        |b, v, _| {
            let (e, first, pos, cnt) = (v[0], v[1], v[2], v[3]);
            let (i, j) = (linalg_index(b, 0)?, linalg_index(b, 1)?);
            let earlier = b.cmpi(6, j, i)?; // ult
            let dup = b.bin("arith.andi", e, earlier)?;
            let t = b.scalar_int(DType::Bool, 1)?;
            let not_dup = b.bin("arith.xori", dup, t)?;
            let first = b.bin("arith.andi", first, not_dup)?;
            let i64t = b.elem(DType::I64)?;
            let jv = b.op1("arith.index_cast", &[j], i64t, &[])?;
            let lower = b.bin("arith.minsi", pos, jv)?;
            let pos = b.select(e, lower, pos)?;
            let one = b.scalar_int(DType::I64, 1)?;
            let zero = b.scalar_int(DType::I64, 0)?;
            let add = b.select(e, one, zero)?;
            Ok(vec![first, pos, b.bin("arith.addi", cnt, add)?])
        },
    )?;
    let (first, pos, cnt) = (per[0], per[1], per[2]);
    // rank[i]: the result row of row i.
    let rank0 = cx.filled(&row(DType::I64), &[], Extreme::Zero)?;
    let rank = cx.generic(
        &[first, order, pos],
        &[rank0],
        &[m2(&["d1"]), m2(&["d1", "d0"]), m2(&["d0"]), m2(&["d0"])],
        &red2,
        &[],
        move |b, v, _| {
            let (first_j, ord_ji, pos_i, acc) = (v[0], v[1], v[2], v[3]);
            let before = if sorted {
                let one = b.scalar_int(DType::I8, 1)?;
                b.cmpi(0, ord_ji, one)?
            } else {
                let j = linalg_index(b, 1)?;
                let i64t = b.elem(DType::I64)?;
                let jv = b.op1("arith.index_cast", &[j], i64t, &[])?;
                b.cmpi(2, jv, pos_i)? // slt
            };
            let counts = b.bin("arith.andi", first_j, before)?;
            let one = b.scalar_int(DType::I64, 1)?;
            let zero = b.scalar_int(DType::I64, 0)?;
            let add = b.select(counts, one, zero)?;
            Ok(vec![b.bin("arith.addi", acc, add)?])
        },
    )?[0];
    // U = number of first occurrences.
    let scalar = TensorType::new(DType::I64, vec![]);
    let u0 = cx.filled(&scalar, &[], Extreme::Zero)?;
    let u = cx.generic(
        &[first],
        &[u0],
        &[map_str(1, &["d0".to_string()]), map_str(1, &[])],
        &["reduction"],
        &[],
        |b, v, _| {
            let one = b.scalar_int(DType::I64, 1)?;
            let zero = b.scalar_int(DType::I64, 0)?;
            let add = b.select(v[0], one, zero)?;
            Ok(vec![b.bin("arith.addi", v[1], add)?])
        },
    )?[0];
    let i64t = cx.elem(DType::I64)?;
    let idx_t = cx.index_type();
    let u = cx.op1("tensor.extract", &[u], i64t, &[])?;
    let u = cx.op1("arith.index_cast", &[u], idx_t, &[])?;
    // Static, flat buffers of L rows, cut to U after the loop (IREE 3.13
    // cannot carry a tensor of run-time size through an `scf.for`, and sizes
    // a host-side `tensor.insert` into rank >= 2 wrongly).
    // The indices and the counts share one buffer (indices, then counts at
    // L): two `tensor.empty`s of one type would be one tensor after CSE, and
    // IREE then writes both results into it.
    let y0 = cx.empty(&[DimV::Static(l * s)], d)?;
    let ixct0 = cx.empty(&[DimV::Static(2 * l)], DType::I64)?;
    let (y_t, ixct_t) = (y0.r#type(), ixct0.r#type());
    let (lb, ub, step) = (cx.index(0)?, cx.index(l as i64)?, cx.index(1)?);
    let body = cx.region(
        "scf.yield",
        &[idx_t, y_t, ixct_t],
        &[x.0, first, rank, cnt],
        move |b, a, caps| {
            let (i, y, ixct) = (a[0], a[1], a[2]);
            let (xt, first, rank, cnt) = (caps[0], caps[1], caps[2], caps[3]);
            let bool_t = b.elem(DType::Bool)?;
            let i64t = b.elem(DType::I64)?;
            let is_first = b.op1("tensor.extract", &[first, i], bool_t, &[])?;
            let then = b.region(
                "scf.yield",
                &[],
                &[i, y, ixct, xt, rank, cnt],
                move |bb, _, c| {
                    let (i, mut y, ixct, xt, rank, cnt) = (c[0], c[1], c[2], c[3], c[4], c[5]);
                    let i64t = bb.elem(DType::I64)?;
                    let r = bb.op1("tensor.extract", &[rank, i], i64t, &[])?;
                    let r = bb.op1("arith.index_cast", &[r], bb.index_type(), &[])?;
                    let iv = bb.op1("arith.index_cast", &[i], i64t, &[])?;
                    let ixct = bb.op1("tensor.insert", &[iv, ixct, r], ixct.r#type(), &[])?;
                    let n = bb.op1("tensor.extract", &[cnt, i], i64t, &[])?;
                    let at = bb.bin("arith.addi", r, bb.index(l as i64)?)?;
                    let ixct = bb.op1("tensor.insert", &[n, ixct, at], ixct.r#type(), &[])?;
                    let elem = bb.elem(d)?;
                    let width = bb.index(s as i64)?;
                    let start = bb.bin("arith.muli", r, width)?;
                    for col in 0..s {
                        let c = bb.index(col as i64)?;
                        let v = bb.op1("tensor.extract", &[xt, i, c], elem, &[])?;
                        let at = bb.bin("arith.addi", start, c)?;
                        y = bb.op1("tensor.insert", &[v, y, at], y.r#type(), &[])?;
                    }
                    Ok(vec![y, ixct])
                },
            )?;
            let other = b.region("scf.yield", &[], &[y, ixct], |_, _, c| Ok(vec![c[0], c[1]]))?;
            let op = b.build(
                "scf.if",
                &[is_first],
                &[y.r#type(), ixct.r#type()],
                &[],
                vec![then, other],
            )?;
            let _ = i64t;
            (0..2)
                .map(|k| {
                    op.result(k)
                        .map(Val::from)
                        .map_err(|_| Error::internal("scf.if result"))
                })
                .collect()
        },
    )?;
    let op = cx.build(
        "scf.for",
        &[lb, ub, step, y0, ixct0],
        &[y_t, ixct_t],
        &[],
        vec![body],
    )?;
    let res = |k: usize| -> Result<Val<'c, 'a>> {
        op.result(k)
            .map(Val::from)
            .map_err(|_| Error::internal("scf.for result"))
    };
    let y_rows = TensorType::of_known(d, &[l, s]);
    let y = cx.expand(res(0)?, &[vec![0, 1]], &y_rows, &[])?;
    let y = first_rows(cx, y, 0, &[l, s], u, &outs[0])?;
    let ix = first_rows(cx, res(1)?, 0, &[l], u, &outs[1])?;
    let ct = first_rows(cx, res(1)?, l, &[l], u, &outs[3])?;
    Ok(vec![y, ix, rank, ct])
}

/// `n` rows (a run-time count) of `x` from row `from`, `dims` the static dims
/// of a row block.
fn first_rows<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Val<'c, 'a>,
    from: u64,
    dims: &[u64],
    n: Val<'c, 'a>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let list = |v: Vec<String>| v.join(", ");
    let sizes: Vec<String> = std::iter::once(i64::MIN.to_string())
        .chain(dims[1..].iter().map(|d| d.to_string()))
        .collect();
    let attrs = [
        (
            "static_offsets",
            cx.parse_attr(&format!(
                "array<i64: {}>",
                list(
                    std::iter::once(from.to_string())
                        .chain(dims[1..].iter().map(|_| "0".to_string()))
                        .collect()
                )
            ))?,
        ),
        (
            "static_sizes",
            cx.parse_attr(&format!("array<i64: {}>", list(sizes)))?,
        ),
        (
            "static_strides",
            cx.parse_attr(&format!(
                "array<i64: {}>",
                list(vec!["1".into(); dims.len()])
            ))?,
        ),
        (
            "operandSegmentSizes",
            cx.parse_attr("array<i32: 1, 0, 1, 0>")?,
        ),
    ];
    let ty = cx.tensor(&out.shape, out.dtype)?;
    cx.op1("tensor.extract_slice", &[x, n], ty, &attrs)
}
