//! Pooling: `tensor.pad` (with the lowest value for max pooling, zero for
//! average; extra end padding for ceil mode), then `linalg.pooling_nchw_max` /
//! `linalg.pooling_nchw_sum` for 2-D windows or a `linalg.generic` for 1-D and
//! 3-D. Average divides by the in-bounds (or in-padding) tap count of each
//! output position, computed per dim in closed form.
use super::Operand;
use super::ir::{Ctx, Extreme, Val, dense_i64, identity_map, map_str, pick_map};
use o2l_canon::ops::{Pool, PoolKind};
use o2l_canon::{DType, Error, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Pool,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    if op.kind != PoolKind::Max {
        super::elementwise::in_f32(cx, ins[0], out, |x, o| lower_exact(cx, op, &[x], o))
    } else {
        lower_exact(cx, op, ins, out)
    }
}

fn lower_exact<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Pool,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let x = ins[0];
    let d = out.dtype;
    let n = x.1.rank() - 2;
    let in_dims: Vec<u64> = (0..n)
        .map(|i| {
            x.1.shape[2 + i].known().ok_or_else(|| {
                Error::unsupported(format!("{} with a symbolic spatial dim", op.name()))
            })
        })
        .collect::<Result<_>>()?;
    let out_dims: Vec<u64> = (0..n)
        .map(|i| {
            out.shape[2 + i]
                .known()
                .ok_or_else(|| Error::internal("pool output has a symbolic spatial dim"))
        })
        .collect::<Result<_>>()?;
    let is_max = op.kind == PoolKind::Max;
    if !is_max && !d.is_float() {
        o2l_canon::bail!(Unsupported, "{} of {d} elements", op.name());
    }
    let mut low = vec![0, 0];
    let mut high = vec![0, 0];
    for i in 0..n {
        let (pb, pe) = op.pads[i];
        let needed = (out_dims[i] - 1) * op.strides[i] + op.dilations[i] * (op.kernel[i] - 1) + 1;
        let padded = in_dims[i] + pb + pe;
        low.push(pb);
        high.push(pe + needed.saturating_sub(padded));
    }
    let (xp, xpt) = if low.iter().chain(&high).any(|&p| p != 0) {
        let which = if is_max {
            Extreme::Lowest
        } else {
            Extreme::Zero
        };
        let pad_value = cx.extreme(d, which)?;
        cx.pad(x.0, x.1, &low, &high, pad_value)?
    } else {
        (x.0, x.1.clone())
    };
    let srcs = [(xp, &xpt), x];
    let init = cx.filled(
        out,
        &srcs,
        if is_max {
            Extreme::Lowest
        } else {
            Extreme::Zero
        },
    )?;
    let combine = if !is_max {
        "arith.addf"
    } else if d.is_float() {
        "arith.maximumf"
    } else if d.is_unsigned_int() || d == DType::Bool {
        "arith.maxui"
    } else {
        "arith.maxsi"
    };
    let strides: Vec<i64> = op.strides.iter().map(|&s| s as i64).collect();
    let dilations: Vec<i64> = op.dilations.iter().map(|&s| s as i64).collect();
    let pooled = if n == 2 {
        let name = if is_max {
            "linalg.pooling_nchw_max"
        } else {
            "linalg.pooling_nchw_sum"
        };
        let window = cx.empty_like(&TensorType::of_known(d, &op.kernel), &[])?;
        let attrs = [
            ("strides", cx.parse_attr(&dense_i64(&strides))?),
            ("dilations", cx.parse_attr(&dense_i64(&dilations))?),
        ];
        cx.structured(name, &[xp, window], &[init], &attrs, &[], move |b, v, _| {
            Ok(vec![b.bin(combine, v[2], v[0])?])
        })?[0]
    } else {
        let loops = 2 + 2 * n;
        let mut ex = vec!["d0".to_string(), "d1".to_string()];
        for i in 0..n {
            ex.push(format!(
                "d{} * {} + d{} * {}",
                2 + i,
                strides[i],
                2 + n + i,
                dilations[i]
            ));
        }
        // The window operand only gives the window loops their extent.
        let window = cx.empty_like(&TensorType::of_known(d, &op.kernel), &[])?;
        let maps = vec![
            map_str(loops, &ex),
            pick_map(loops, &(2 + n..2 + 2 * n).collect::<Vec<_>>()),
            pick_map(loops, &(0..2 + n).collect::<Vec<_>>()),
        ];
        let mut iters = vec!["parallel"; 2 + n];
        iters.extend(vec!["reduction"; n]);
        cx.generic(
            &[xp, window],
            &[init],
            &maps,
            &iters,
            &[],
            move |b, v, _| Ok(vec![b.bin(combine, v[2], v[0])?]),
        )?[0]
    };
    if is_max {
        return Ok(pooled);
    }
    let PoolKind::Average { count_include_pad } = op.kind else {
        return Ok(pooled);
    };
    // Taps per output position, per dim.
    let counts: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let (pb, pe) = op.pads[i];
            let (lo, hi) = if count_include_pad {
                (0, in_dims[i] + pb + pe)
            } else {
                (pb, pb + in_dims[i])
            };
            (0..out_dims[i])
                .map(|o| {
                    (0..op.kernel[i])
                        .filter(|t| {
                            let p = o * op.strides[i] + t * op.dilations[i];
                            p >= lo && p < hi
                        })
                        .count() as f64
                })
                .collect()
        })
        .collect();
    let uniform = counts.iter().all(|c| c.iter().all(|&v| v == c[0]));
    let rank = out.rank();
    if uniform {
        let total: f64 = counts
            .iter()
            .map(|c| c.first().copied().unwrap_or(1.0))
            .product();
        let div = cx.scalar(d, total)?;
        let e = cx.empty_like(out, &srcs)?;
        return Ok(cx.generic(
            &[pooled],
            &[e],
            &[identity_map(rank), identity_map(rank)],
            &vec!["parallel"; rank],
            &[div],
            |b, v, caps| Ok(vec![b.bin("arith.divf", v[0], caps[0])?]),
        )?[0]);
    }
    let mut ins_v = vec![pooled];
    let mut maps = vec![identity_map(rank)];
    for (i, c) in counts.iter().enumerate() {
        ins_v.push(cx.dense_f64(d, &[c.len() as u64], c)?);
        maps.push(pick_map(rank, &[2 + i]));
    }
    maps.push(identity_map(rank));
    let e = cx.empty_like(out, &srcs)?;
    Ok(cx.generic(
        &ins_v,
        &[e],
        &maps,
        &vec!["parallel"; rank],
        &[],
        move |b, v, _| {
            let mut count = v[1];
            for c in &v[2..=n] {
                count = b.bin("arith.mulf", count, *c)?;
            }
            Ok(vec![b.bin("arith.divf", v[0], count)?])
        },
    )?[0])
}
