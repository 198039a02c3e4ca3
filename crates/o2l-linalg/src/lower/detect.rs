//! NonMaxSuppression over static B, C, N, result length known at run time:
//! 1. `linalg.generic`s rank each box within its class by score (how many
//!    boxes beat it; equal scores rank by index) and invert that into the
//!    order of boxes by rank;
//! 2. a `linalg.generic` over (B, N, N) decides, once per box pair, whether
//!    one would suppress the other (IoU above the threshold);
//! 3. an `scf.for` over (batch, class, rank) keeps a box when it passes the
//!    score filter, its class still has room and no kept box suppresses it
//!    (an inner `scf.for` over the kept flags), counting the kept boxes;
//! 4. an `scf.for` in rank order writes the kept boxes' rows into a buffer
//!    of B * C * N rows, cut to the count by `tensor.extract_slice`.
//!
//! The tensors the loops write are static and carried flat (one dim, written
//! at the row-major offset): IREE 3.13 cannot carry a tensor of run-time size
//! through an `scf.for`, and sizes a host-side `tensor.insert` into a tensor
//! of rank 2 or more wrongly.
use super::ir::{Ctx, DimV, Extreme, Operand, Val, map_str};
use melior::ir::ValueLike;
use o2l_canon::ops::Detect;
use o2l_canon::{DType, Error, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Detect,
    ins: &[Operand<'c, 'a, '_>],
    _out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let Detect::NonMaxSuppression {
        center_point_box,
        score_filter,
        ..
    } = op;
    let [boxes, scores, max_out, iou, score_th] = ins else {
        return Err(Error::internal("NonMaxSuppression lowers five operands"));
    };
    let d = boxes.1.dtype;
    let (bs, ss) = match (boxes.1.known_dims(), scores.1.known_dims()) {
        (Some(b), Some(s)) => (b, s),
        _ => return Err(Error::internal("NonMaxSuppression needs static dims")),
    };
    let (nb, nc, nn) = (bs[0], ss[1], bs[1]);
    let ranks = rank_by_score(cx, scores.0, nb, nc, nn)?;
    let order = order_of_ranks(cx, ranks, nb, nc, nn)?;
    let suppress = suppression_table(cx, boxes.0, iou.0, d, nb, nn, *center_point_box)?;
    let (kept, total) = select_greedy(
        cx,
        [scores.0, order, suppress, max_out.0, score_th.0],
        d,
        [nb, nc, nn],
        *score_filter,
    )?;
    write_selected(cx, order, kept, total, [nb, nc, nn])
}

fn index_i64<'c, 'b>(b: &Ctx<'c, 'b>, k: usize) -> Result<Val<'c, 'b>> {
    let dim = b.parse_attr(&format!("{k} : i64"))?;
    let i = b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])?;
    let i64t = b.elem(DType::I64)?;
    b.op1("arith.index_cast", &[i], i64t, &[])
}

/// rank[b, c, i] = #{ j : s[j] > s[i], or s[j] == s[i] and j < i }.
fn rank_by_score<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    scores: Val<'c, 'a>,
    nb: u64,
    nc: u64,
    nn: u64,
) -> Result<Val<'c, 'a>> {
    let ty = TensorType::of_known(DType::I64, &[nb, nc, nn]);
    let zero = cx.filled(&ty, &[], Extreme::Zero)?;
    let maps = [
        map_str(4, &["d0", "d1", "d2"].map(String::from)),
        map_str(4, &["d0", "d1", "d3"].map(String::from)),
        map_str(4, &["d0", "d1", "d2"].map(String::from)),
    ];
    let iters = ["parallel", "parallel", "parallel", "reduction"];
    Ok(
        cx.generic(&[scores, scores], &[zero], &maps, &iters, &[], |b, v, _| {
            let (si, sj, acc) = (v[0], v[1], v[2]);
            let (i, j) = (index_i64(b, 2)?, index_i64(b, 3)?);
            let beats = b.cmpf(2, sj, si)?; // ogt
            let same = b.cmpf(1, sj, si)?; // oeq
            let earlier = b.cmpi(2, j, i)?; // slt
            let tie = b.bin("arith.andi", same, earlier)?;
            let before = b.bin("arith.ori", beats, tie)?;
            let one = b.scalar_int(DType::I64, 1)?;
            let none = b.scalar_int(DType::I64, 0)?;
            let add = b.select(before, one, none)?;
            Ok(vec![b.bin("arith.addi", acc, add)?])
        })?[0],
    )
}

/// order[b, c, r] = the box of rank r.
fn order_of_ranks<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    ranks: Val<'c, 'a>,
    nb: u64,
    nc: u64,
    nn: u64,
) -> Result<Val<'c, 'a>> {
    let ty = TensorType::of_known(DType::I64, &[nb, nc, nn]);
    let zero = cx.filled(&ty, &[], Extreme::Zero)?;
    let maps = [
        map_str(4, &["d0", "d1", "d3"].map(String::from)),
        map_str(4, &["d0", "d1", "d2"].map(String::from)),
    ];
    let iters = ["parallel", "parallel", "parallel", "reduction"];
    Ok(
        cx.generic(&[ranks], &[zero], &maps, &iters, &[], |b, v, _| {
            let (rank, acc) = (v[0], v[1]);
            let (r, i) = (index_i64(b, 2)?, index_i64(b, 3)?);
            let hit = b.cmpi(0, rank, r)?;
            Ok(vec![b.select(hit, i, acc)?])
        })?[0],
    )
}

/// suppress[b, i, j]: boxes i and j of batch b overlap with IoU > threshold
/// (no overlap, or an empty box or union, never suppresses).
fn suppression_table<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    boxes: Val<'c, 'a>,
    iou: Val<'c, 'a>,
    d: DType,
    nb: u64,
    nn: u64,
    center_point_box: bool,
) -> Result<Val<'c, 'a>> {
    let ty = TensorType::of_known(DType::Bool, &[nb, nn, nn]);
    let init = cx.filled(&ty, &[], Extreme::Zero)?;
    let maps = [
        map_str(3, &[]),
        map_str(3, &["d0", "d1", "d2"].map(String::from)),
    ];
    let iters = ["parallel", "parallel", "parallel"];
    Ok(cx.generic(
        &[iou],
        &[init],
        &maps,
        &iters,
        &[boxes],
        move |b, v, caps| {
            let threshold = v[0];
            let idx = |k: usize| -> Result<Val<'c, '_>> {
                let dim = b.parse_attr(&format!("{k} : i64"))?;
                b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
            };
            let (bi, i, j) = (idx(0)?, idx(1)?, idx(2)?);
            let [ax0, ax1, ay0, ay1] = extent(b, caps[0], bi, i, d, center_point_box)?;
            let [bx0, bx1, by0, by1] = extent(b, caps[0], bi, j, d, center_point_box)?;
            let zero = b.scalar(d, 0.0)?;
            let ix0 = b.bin("arith.maximumf", ax0, bx0)?;
            let ix1 = b.bin("arith.minimumf", ax1, bx1)?;
            let iy0 = b.bin("arith.maximumf", ay0, by0)?;
            let iy1 = b.bin("arith.minimumf", ay1, by1)?;
            let iw = b.bin("arith.subf", ix1, ix0)?;
            let ih = b.bin("arith.subf", iy1, iy0)?;
            let inter = b.bin("arith.mulf", iw, ih)?;
            let wa = b.bin("arith.subf", ax1, ax0)?;
            let ha = b.bin("arith.subf", ay1, ay0)?;
            let area_a = b.bin("arith.mulf", wa, ha)?;
            let wb = b.bin("arith.subf", bx1, bx0)?;
            let hb = b.bin("arith.subf", by1, by0)?;
            let area_b = b.bin("arith.mulf", wb, hb)?;
            let sum = b.bin("arith.addf", area_a, area_b)?;
            let union = b.bin("arith.subf", sum, inter)?;
            let ratio = b.bin("arith.divf", inter, union)?;
            let mut all = b.cmpf(2, ix1, ix0)?; // ogt
            for cond in [
                b.cmpf(2, iy1, iy0)?,
                b.cmpf(2, inter, zero)?,
                b.cmpf(2, area_a, zero)?,
                b.cmpf(2, area_b, zero)?,
                b.cmpf(2, union, zero)?,
                b.cmpf(2, ratio, threshold)?,
            ] {
                all = b.bin("arith.andi", all, cond)?;
            }
            Ok(vec![all])
        },
    )?[0])
}

/// (x_min, x_max, y_min, y_max) of box n of batch bi.
fn extent<'c, 'b>(
    b: &Ctx<'c, 'b>,
    boxes: Val<'c, 'b>,
    bi: Val<'c, 'b>,
    n: Val<'c, 'b>,
    d: DType,
    center_point_box: bool,
) -> Result<[Val<'c, 'b>; 4]> {
    let elem = b.elem(d)?;
    let mut c = Vec::with_capacity(4);
    for k in 0..4 {
        let k = b.index(k)?;
        c.push(b.op1("tensor.extract", &[boxes, bi, n, k], elem, &[])?);
    }
    if center_point_box {
        let two = b.scalar(d, 2.0)?;
        let hw = b.bin("arith.divf", c[2], two)?;
        let hh = b.bin("arith.divf", c[3], two)?;
        Ok([
            b.bin("arith.subf", c[0], hw)?,
            b.bin("arith.addf", c[0], hw)?,
            b.bin("arith.subf", c[1], hh)?,
            b.bin("arith.addf", c[1], hh)?,
        ])
    } else {
        Ok([
            b.bin("arith.minimumf", c[1], c[3])?,
            b.bin("arith.maximumf", c[1], c[3])?,
            b.bin("arith.minimumf", c[0], c[2])?,
            b.bin("arith.maximumf", c[0], c[2])?,
        ])
    }
}

/// (batch, class, rank) of flat step t.
fn split_step<'c, 'b>(
    b: &Ctx<'c, 'b>,
    t: Val<'c, 'b>,
    nc: u64,
    nn: u64,
) -> Result<[Val<'c, 'b>; 3]> {
    let n = b.index(nn as i64)?;
    let c = b.index(nc as i64)?;
    let r = b.bin("arith.remui", t, n)?;
    let bc = b.bin("arith.divui", t, n)?;
    Ok([
        b.bin("arith.divui", bc, c)?,
        b.bin("arith.remui", bc, c)?,
        r,
    ])
}

/// `(bi * nc + ci) * nn + i`: the offset of kept[bi, ci, i] in the flat flags.
fn flat_at<'c, 'b>(
    b: &Ctx<'c, 'b>,
    [bi, ci, i]: [Val<'c, 'b>; 3],
    nc: u64,
    nn: u64,
) -> Result<Val<'c, 'b>> {
    let c = b.index(nc as i64)?;
    let n = b.index(nn as i64)?;
    let row = b.bin("arith.addi", b.bin("arith.muli", bi, c)?, ci)?;
    b.bin("arith.addi", b.bin("arith.muli", row, n)?, i)
}

/// The greedy pass: kept flags (i8 0 or 1, flat over (b, c, i): IREE 3.13
/// fails to verify a loop's `tensor.insert` of an i1 into a one-element i1
/// tensor) and the number of kept boxes (index).
fn select_greedy<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    [scores, order, suppress, max_out, score_th]: [Val<'c, 'a>; 5],
    d: DType,
    [nb, nc, nn]: [u64; 3],
    score_filter: bool,
) -> Result<(Val<'c, 'a>, Val<'c, 'a>)> {
    let ty = TensorType::of_known(DType::I8, &[nb * nc * nn]);
    let kept0 = cx.filled(&ty, &[], Extreme::Zero)?;
    let steps = cx.index((nb * nc * nn) as i64)?;
    let zero = cx.index(0)?;
    let caps = [scores, order, suppress, max_out, score_th];
    let res = cx.for_range(
        steps,
        &[kept0, zero, zero],
        &caps,
        move |b, t, carried, caps| {
            let (kept, in_class, total) = (carried[0], carried[1], carried[2]);
            let [scores, order, suppress, max_out, score_th] = caps else {
                return Err(Error::internal("five captures"));
            };
            let [bi, ci, r] = split_step(b, t, nc, nn)?;
            let (zero, one) = (b.index(0)?, b.index(1)?);
            let first = b.cmpi(0, r, zero)?;
            let in_class = b.select(first, zero, in_class)?;
            let i64t = b.elem(DType::I64)?;
            let boxi = b.op1("tensor.extract", &[*order, bi, ci, r], i64t, &[])?;
            let boxi = b.op1("arith.index_cast", &[boxi], b.index_type(), &[])?;
            // Room left in this class (a negative maximum means none).
            let taken = b.op1("arith.index_cast", &[in_class], i64t, &[])?;
            let limit = b.op1("tensor.extract", &[*max_out], i64t, &[])?;
            let mut keep = b.cmpi(2, taken, limit)?; // slt
            if score_filter {
                let elem = b.elem(d)?;
                let s = b.op1("tensor.extract", &[*scores, bi, ci, boxi], elem, &[])?;
                let th = b.op1("tensor.extract", &[*score_th], elem, &[])?;
                let pass = b.cmpf(2, s, th)?; // ogt
                keep = b.bin("arith.andi", keep, pass)?;
            }
            // Suppressed by any box kept so far in this class?
            let n = b.index(nn as i64)?;
            let no = b.scalar_int(DType::Bool, 0)?;
            let hit = b.for_range(
                n,
                &[no],
                &[kept, *suppress, bi, ci, boxi],
                |b, j, acc, c| {
                    let i1 = b.elem(DType::Bool)?;
                    let at = flat_at(b, [c[2], c[3], j], nc, nn)?;
                    let k = b.op1("tensor.extract", &[c[0], at], b.elem(DType::I8)?, &[])?;
                    let k = b.op1("arith.trunci", &[k], i1, &[])?;
                    let s = b.op1("tensor.extract", &[c[1], c[2], c[4], j], i1, &[])?;
                    let both = b.bin("arith.andi", k, s)?;
                    Ok(vec![b.bin("arith.ori", acc[0], both)?])
                },
            )?[0];
            let yes = b.scalar_int(DType::Bool, 1)?;
            let free = b.bin("arith.xori", hit, yes)?;
            let keep = b.bin("arith.andi", keep, free)?;
            let at = flat_at(b, [bi, ci, boxi], nc, nn)?;
            let flag = b.op1("arith.extui", &[keep], b.elem(DType::I8)?, &[])?;
            let kept = b.op1("tensor.insert", &[flag, kept, at], kept.r#type(), &[])?;
            let add = b.select(keep, one, zero)?;
            Ok(vec![
                kept,
                b.bin("arith.addi", in_class, add)?,
                b.bin("arith.addi", total, add)?,
            ])
        },
    )?;
    Ok((res[0], res[2]))
}

/// (total, 3) rows (batch, class, box) of the kept boxes, in rank order.
fn write_selected<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    order: Val<'c, 'a>,
    kept: Val<'c, 'a>,
    total: Val<'c, 'a>,
    [nb, nc, nn]: [u64; 3],
) -> Result<Val<'c, 'a>> {
    let rows = nb * nc * nn;
    let result = cx.empty(&[DimV::Static(rows * 3)], DType::I64)?;
    let steps = cx.index((nb * nc * nn) as i64)?;
    let zero = cx.index(0)?;
    let res = cx.for_range(
        steps,
        &[result, zero],
        &[order, kept],
        move |b, t, carried, caps| {
            let (y, row) = (carried[0], carried[1]);
            let [bi, ci, r] = split_step(b, t, nc, nn)?;
            let i64t = b.elem(DType::I64)?;
            let boxi = b.op1("tensor.extract", &[caps[0], bi, ci, r], i64t, &[])?;
            let boxn = b.op1("arith.index_cast", &[boxi], b.index_type(), &[])?;
            let i1 = b.elem(DType::Bool)?;
            let at = flat_at(b, [bi, ci, boxn], nc, nn)?;
            let keep = b.op1("tensor.extract", &[caps[1], at], b.elem(DType::I8)?, &[])?;
            let keep = b.op1("arith.trunci", &[keep], i1, &[])?;
            let then = b.region("scf.yield", &[], &[y, row, bi, ci, boxi], |bb, _, c| {
                let (mut y, row) = (c[0], c[1]);
                let i64t = bb.elem(DType::I64)?;
                let fields = [
                    bb.op1("arith.index_cast", &[c[2]], i64t, &[])?,
                    bb.op1("arith.index_cast", &[c[3]], i64t, &[])?,
                    c[4],
                ];
                let three = bb.index(3)?;
                let start = bb.bin("arith.muli", row, three)?;
                for (k, v) in fields.into_iter().enumerate() {
                    let col = bb.index(k as i64)?;
                    let at = bb.bin("arith.addi", start, col)?;
                    y = bb.op1("tensor.insert", &[v, y, at], y.r#type(), &[])?;
                }
                let one = bb.index(1)?;
                Ok(vec![y, bb.bin("arith.addi", row, one)?])
            })?;
            let other = b.region("scf.yield", &[], &[y, row], |_, _, c| Ok(vec![c[0], c[1]]))?;
            let op = b.build(
                "scf.if",
                &[keep],
                &[y.r#type(), row.r#type()],
                &[],
                vec![then, other],
            )?;
            Ok(vec![
                op.result(0)
                    .map_err(|_| Error::internal("scf.if result"))?
                    .into(),
                op.result(1)
                    .map_err(|_| Error::internal("scf.if result"))?
                    .into(),
            ])
        },
    )?;
    let table_t = TensorType::of_known(DType::I64, &[rows, 3]);
    let table = cx.expand(res[0], &[vec![0, 1]], &table_t, &[])?;
    let attrs = [
        ("static_offsets", cx.parse_attr("array<i64: 0, 0>")?),
        (
            "static_sizes",
            cx.parse_attr(&format!("array<i64: {}, 3>", i64::MIN))?,
        ),
        ("static_strides", cx.parse_attr("array<i64: 1, 1>")?),
        (
            "operandSegmentSizes",
            cx.parse_attr("array<i32: 1, 0, 1, 0>")?,
        ),
    ];
    let ty = cx.parse_type("tensor<?x3xi64>")?;
    cx.op1("tensor.extract_slice", &[table, total], ty, &attrs)
}
