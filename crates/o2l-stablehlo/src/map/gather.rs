//! `gather` and `scatter` with full dimension numbers, element by element:
//! for every result (or update) element the full operand coordinate is
//! computed (the start index per batch position, clamped for gather, plus
//! the offset inside the slice), and one GatherND or ScatterND over those
//! coordinates moves the elements. Batching dims (`operand_batching_dims`)
//! take the batch position as their coordinate.
use super::ctx::{OpCtx, Rule, axes, rule};
use crate::parse::{Attr, Op as SrcOp};
use o2l_canon::ops::{Binary, Elementwise, Movement, ScatterReduction};
use o2l_canon::{Builder, DType, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    rule(
        "stablehlo.gather",
        &[
            "Cast",
            "Transpose",
            "Gather",
            "Max",
            "Min",
            "Concat",
            "Reshape",
            "Add",
            "GatherND",
        ],
        gather,
        "any dimension numbers (batching dims included); start indices clamped as StableHLO defines",
    ),
    rule(
        "stablehlo.dynamic_gather",
        &[
            "Cast",
            "Transpose",
            "Gather",
            "Max",
            "Min",
            "Concat",
            "Reshape",
            "Add",
            "GatherND",
        ],
        dynamic_gather,
        "constant slice sizes (torch-mlir): as gather",
    ),
    rule(
        "stablehlo.scatter",
        &[
            "Cast",
            "Transpose",
            "Gather",
            "Concat",
            "Reshape",
            "Add",
            "ScatterND",
        ],
        scatter,
        "one operand; a body that replaces, adds, multiplies, takes the max or the min; in-bounds windows (out-of-bounds updates are not skipped)",
    ),
];

fn dn_ints(ctx: &OpCtx, dn_name: &str, key: &str) -> Vec<i64> {
    ctx.attr(&[dn_name])
        .and_then(|a| a.item(key))
        .and_then(Attr::ints)
        .or_else(|| ctx.attr(&[key]).and_then(Attr::ints))
        .unwrap_or_default()
}

/// Start indices as [batch.., K] (i64), and the batch dims' sizes.
fn starts(ctx: &mut OpCtx, idx: ValueId, ivd: i64) -> Result<(ValueId, Vec<u64>)> {
    let mut dims = ctx.dims(idx)?;
    let mut v = ctx.cast(idx, DType::I64)?;
    let ivd = usize::try_from(ivd).map_err(|_| Error::invalid("index_vector_dim < 0"))?;
    if ivd > dims.len() {
        return Err(Error::invalid(format!(
            "index_vector_dim {ivd} out of range"
        )));
    }
    if ivd == dims.len() {
        dims.push(1);
        v = ctx.reshape_to(v, &dims)?;
    }
    let mut perm: Vec<usize> = (0..dims.len()).filter(|&d| d != ivd).collect();
    perm.push(ivd);
    let v = ctx.transpose(v, &perm)?;
    let batch: Vec<u64> = perm[..perm.len() - 1].iter().map(|&d| dims[d]).collect();
    Ok((v, batch))
}

/// Where each indices dim (ivd excluded) lands among the batch dims.
fn batch_position(ndims: usize, ivd: usize, j: usize) -> Option<usize> {
    (0..ndims).filter(|&d| d != ivd).position(|d| d == j)
}

/// The full coordinates [out.., R] of every element of an `out`-shaped
/// result whose `window_pos` dims are offsets into operand dims `window_dims`
/// and whose other dims are the batch dims of `start` ([batch.., K]).
#[allow(clippy::too_many_arguments)]
fn coordinates(
    ctx: &mut OpCtx,
    start: ValueId,
    batch: &[u64],
    out: &[u64],
    window_pos: &[usize],
    window_dims: &[usize],
    index_map: &[usize],
    batching: &[(usize, usize)],
    operand: &[u64],
    clamp_sizes: Option<&[u64]>,
) -> Result<ValueId> {
    let r = operand.len();
    let k_len = ctx.dims(start)?.last().copied().unwrap_or(0) as usize;
    if k_len != index_map.len() {
        return Err(Error::invalid(format!(
            "{} start index components for {} mapped dims",
            k_len,
            index_map.len()
        )));
    }
    let mut one = batch.to_vec();
    one.push(1);
    let count = o2l_canon::shape::element_count(&one)?;
    if count > 1 << 24 {
        return Err(Error::limit(format!("{count} index tuples")));
    }
    let mut columns = Vec::with_capacity(r);
    for d in 0..r {
        let col = if let Some(k) = index_map.iter().position(|&m| m == d) {
            let c = ctx.take(start, batch.len(), &[k as i64])?;
            match clamp_sizes {
                Some(sizes) => {
                    let hi = operand[d] as i64 - sizes[d] as i64;
                    let zero = ctx.scalar(DType::I64, 0.0)?;
                    let top = ctx.scalar(DType::I64, hi as f64)?;
                    let c = ctx.elementwise(Elementwise::Binary(Binary::Max), &[c, zero])?;
                    ctx.elementwise(Elementwise::Binary(Binary::Min), &[c, top])?
                }
                None => c,
            }
        } else if let Some(&(_, bpos)) = batching.iter().find(|(od, _)| *od == d) {
            let inner: u64 = batch[bpos + 1..].iter().product();
            let vals: Vec<i64> = (0..count)
                .map(|i| ((i / inner.max(1)) % batch[bpos].max(1)) as i64)
                .collect();
            ctx.i64s(one.clone(), &vals)?
        } else {
            ctx.i64s(one.clone(), &vec![0; count as usize])?
        };
        columns.push(col);
    }
    let full = if columns.len() == 1 {
        columns[0]
    } else {
        ctx.emit1(
            Op::Movement(Movement::Concat { axis: batch.len() }),
            &columns,
        )?
    };
    // [batch.., R] placed among the result dims, 1 at the window positions.
    let mut placed = Vec::with_capacity(out.len() + 1);
    let mut b = batch.iter();
    for p in 0..out.len() {
        if window_pos.contains(&p) {
            placed.push(1);
        } else {
            placed.push(b.next().copied().unwrap_or(1));
        }
    }
    placed.push(r as u64);
    let full = ctx.reshape_to(full, &placed)?;
    // Offsets inside the window: [1 at batch positions, window sizes.., R].
    let mut odims: Vec<u64> = (0..out.len())
        .map(|p| if window_pos.contains(&p) { out[p] } else { 1 })
        .collect();
    let n: u64 = odims.iter().product();
    if n.saturating_mul(r as u64) > 1 << 24 {
        return Err(Error::limit(format!("a window of {n} elements")));
    }
    let mut offsets = Vec::with_capacity(n as usize * r);
    for i in 0..n {
        let mut rem = i;
        let mut at = vec![0i64; out.len()];
        for p in (0..out.len()).rev() {
            at[p] = (rem % odims[p].max(1)) as i64;
            rem /= odims[p].max(1);
        }
        let mut c = vec![0i64; r];
        for (q, &p) in window_pos.iter().enumerate() {
            if let Some(&d) = window_dims.get(q) {
                let (Some(slot), Some(&v)) = (c.get_mut(d), at.get(p)) else {
                    return Err(Error::invalid(format!(
                        "window dim {d} (result dim {p}) is outside the operand's {r} dims or the result's {} dims",
                        out.len()
                    )));
                };
                *slot = v;
            }
        }
        offsets.extend(c);
    }
    odims.push(r as u64);
    let offsets = ctx.i64s(odims, &offsets)?;
    ctx.elementwise(Elementwise::Binary(Binary::Add), &[full, offsets])
}

fn batching_pairs(
    op_dims: &[i64],
    idx_dims: &[i64],
    idx_rank: usize,
    ivd: usize,
) -> Result<Vec<(usize, usize)>> {
    if op_dims.len() != idx_dims.len() {
        return Err(Error::invalid("batching dims do not pair up"));
    }
    op_dims
        .iter()
        .zip(idx_dims)
        .map(|(&o, &j)| {
            let pos = batch_position(idx_rank, ivd, j as usize)
                .ok_or_else(|| Error::invalid("a batching dim out of range"))?;
            Ok((o as usize, pos))
        })
        .collect()
}

fn gather(ctx: &mut OpCtx) -> Result<()> {
    let sizes = ctx.ints(&["slice_sizes"])?;
    gather_sized(ctx, sizes)
}

fn dynamic_gather(ctx: &mut OpCtx) -> Result<()> {
    let sizes = ctx.const_ints(2, "slice sizes")?;
    gather_sized(ctx, sizes)
}

fn gather_sized(ctx: &mut OpCtx, sizes: Vec<i64>) -> Result<()> {
    let (x, idx) = (ctx.input(0)?, ctx.input(1)?);
    let xd = ctx.dims(x)?;
    let r = xd.len();
    let dn = "dimension_numbers";
    let offset_dims = axes(&dn_ints(ctx, dn, "offset_dims"), usize::MAX, "gather")?;
    let collapsed = axes(&dn_ints(ctx, dn, "collapsed_slice_dims"), r, "gather")?;
    let index_map = axes(&dn_ints(ctx, dn, "start_index_map"), r, "gather")?;
    let op_batch = dn_ints(ctx, dn, "operand_batching_dims");
    let idx_batch = dn_ints(ctx, dn, "start_indices_batching_dims");
    let ivd = dn_ints(ctx, dn, "index_vector_dim")
        .first()
        .copied()
        .unwrap_or(0);
    if sizes.len() != r || sizes.iter().zip(&xd).any(|(&s, &d)| s < 0 || s as u64 > d) {
        return Err(Error::invalid(format!(
            "slice_sizes {sizes:?} for operand {xd:?}"
        )));
    }
    let sizes: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
    let idx_rank = ctx.ty(idx).rank();
    let batching = batching_pairs(
        &op_batch,
        &idx_batch,
        idx_rank.max(ivd as usize + 1),
        ivd as usize,
    )?;
    let (start, batch) = starts(ctx, idx, ivd)?;
    let out = ctx.result_dims(0)?;
    let window_dims: Vec<usize> = (0..r)
        .filter(|d| !collapsed.contains(d) && !batching.iter().any(|(o, _)| o == d))
        .collect();
    if window_dims.len() != offset_dims.len() || out.len() != batch.len() + offset_dims.len() {
        return Err(Error::invalid(
            "gather dimension numbers do not match the shapes",
        ));
    }
    let coords = coordinates(
        ctx,
        start,
        &batch,
        &out,
        &offset_dims,
        &window_dims,
        &index_map,
        &batching,
        &xd,
        Some(&sizes),
    )?;
    let v = ctx.emit1(
        Op::Movement(Movement::GatherND { batch_dims: 0 }),
        &[x, coords],
    )?;
    ctx.bind(0, v)
}

/// What a scatter body does with (current, update).
fn scatter_reduction(op: &SrcOp) -> Result<ScatterReduction> {
    let Some(r) = op.regions.first() else {
        return Err(Error::invalid("scatter without a body"));
    };
    let args: Vec<String> = r.args.iter().map(|(n, _)| format!("{n}#0")).collect();
    match &r.ops[..] {
        [ret] if args.len() == 2 && ret.operands == args[1..] => Ok(ScatterReduction::None),
        [inner, ret]
            if args.len() == 2
                && ret.operands == inner.results
                && inner.operands.len() == 2
                && inner.operands.iter().all(|o| args.contains(o))
                && inner.operands[0] != inner.operands[1] =>
        {
            Ok(match inner.name.as_str() {
                "stablehlo.add" => ScatterReduction::Add,
                "stablehlo.multiply" => ScatterReduction::Mul,
                "stablehlo.maximum" => ScatterReduction::Max,
                "stablehlo.minimum" => ScatterReduction::Min,
                other => {
                    return Err(Error::unsupported(format!(
                        "a scatter combining by {other}"
                    )));
                }
            })
        }
        _ => Err(Error::unsupported(
            "a scatter body other than replace or one binary op on its arguments",
        )),
    }
}

fn scatter(ctx: &mut OpCtx) -> Result<()> {
    if ctx.num_inputs() != 3 {
        return Err(Error::unsupported("a scatter of several operands"));
    }
    let (x, idx, upd) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let reduction = scatter_reduction(ctx.op)?;
    let xd = ctx.dims(x)?;
    let r = xd.len();
    let dn = "scatter_dimension_numbers";
    let window_pos = axes(
        &dn_ints(ctx, dn, "update_window_dims"),
        usize::MAX,
        "scatter",
    )?;
    let inserted = axes(&dn_ints(ctx, dn, "inserted_window_dims"), r, "scatter")?;
    let index_map = axes(
        &dn_ints(ctx, dn, "scatter_dims_to_operand_dims"),
        r,
        "scatter",
    )?;
    let op_batch = dn_ints(ctx, dn, "input_batching_dims");
    let idx_batch = dn_ints(ctx, dn, "scatter_indices_batching_dims");
    let ivd = dn_ints(ctx, dn, "index_vector_dim")
        .first()
        .copied()
        .unwrap_or(0);
    let idx_rank = ctx.ty(idx).rank();
    let batching = batching_pairs(
        &op_batch,
        &idx_batch,
        idx_rank.max(ivd as usize + 1),
        ivd as usize,
    )?;
    let (start, batch) = starts(ctx, idx, ivd)?;
    let ud = ctx.dims(upd)?;
    let window_dims: Vec<usize> = (0..r)
        .filter(|d| !inserted.contains(d) && !batching.iter().any(|(o, _)| o == d))
        .collect();
    if window_dims.len() != window_pos.len() || ud.len() != batch.len() + window_pos.len() {
        return Err(Error::invalid(
            "scatter dimension numbers do not match the shapes",
        ));
    }
    let coords = coordinates(
        ctx,
        start,
        &batch,
        &ud,
        &window_pos,
        &window_dims,
        &index_map,
        &batching,
        &xd,
        None,
    )?;
    let v = ctx.emit1(
        Op::Movement(Movement::ScatterND { reduction }),
        &[x, coords, upd],
    )?;
    ctx.bind(0, v)
}
