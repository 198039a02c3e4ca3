//! Pooling: `tensor.pad` (with the lowest value for max pooling, zero for
//! average; extra end padding for ceil mode), then `linalg.pooling_nchw_max` /
//! `linalg.pooling_nchw_sum` for 2-D windows or a `linalg.generic` for 1-D and
//! 3-D. Average divides by the in-bounds (or in-padding) tap count of each
//! output position, computed per dim in closed form.
use super::ir::{Ctx, Extreme, Operand, Val, dense_i64, identity_map, map_str, pick_map};
use o2l_canon::ops::{Pool, PoolKind};
use o2l_canon::{DType, Error, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Pool,
    ins: &[Operand<'c, 'a, '_>],
    outs: &[TensorType],
) -> Result<Vec<Val<'c, 'a>>> {
    match op.kind {
        PoolKind::MaxWithIndices { column_major } => {
            max_with_indices(cx, op, ins[0], outs, column_major)
        }
        PoolKind::Max => Ok(vec![lower_exact(cx, op, ins, &outs[0])?]),
        PoolKind::Average { .. } | PoolKind::Sum => Ok(vec![super::elementwise::in_f32(
            cx,
            ins[0],
            &outs[0],
            |x, o| lower_exact(cx, op, &[x], o),
        )?]),
    }
}

/// Static spatial extents of the input and the output.
fn spatial_dims(op: &Pool, x: &TensorType, out: &TensorType) -> Result<(Vec<u64>, Vec<u64>)> {
    let n = x.rank() - 2;
    let in_dims: Vec<u64> = (0..n)
        .map(|i| {
            x.shape[2 + i].known().ok_or_else(|| {
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
    Ok((in_dims, out_dims))
}

/// `x` padded by the op's pads (plus the end padding ceil mode needs) with
/// `which`, and the padded type.
fn padded<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Pool,
    x: Operand<'c, 'a, '_>,
    (in_dims, out_dims): (&[u64], &[u64]),
    which: Extreme,
) -> Result<(Val<'c, 'a>, TensorType)> {
    let mut low = vec![0, 0];
    let mut high = vec![0, 0];
    for i in 0..in_dims.len() {
        let (pb, pe) = op.pads[i];
        let needed = (out_dims[i] - 1) * op.strides[i] + op.dilations[i] * (op.kernel[i] - 1) + 1;
        let padded = in_dims[i] + pb + pe;
        low.push(pb);
        high.push(pe + needed.saturating_sub(padded));
    }
    if low.iter().chain(&high).any(|&p| p != 0) {
        let pad_value = cx.extreme(x.1.dtype, which)?;
        cx.pad(x.0, x.1, &low, &high, pad_value)
    } else {
        Ok((x.0, x.1.clone()))
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
    let is_max = op.kind == PoolKind::Max;
    // Sums of integers add exactly (a cumulative sum of a mask as a StableHLO
    // reduce_window); averages need a float.
    let int_sum = op.kind == PoolKind::Sum && d.is_int();
    if !is_max && !d.is_float() && !int_sum {
        o2l_canon::bail!(Unsupported, "{} of {d} elements", op.name());
    }
    let which = if is_max {
        Extreme::Lowest
    } else {
        Extreme::Zero
    };
    // Symbolic spatial dims: the output extents are computed at run time.
    let symbolic = x.1.shape[2..].iter().any(|d| d.known().is_none());
    let uniform_average = match op.kind {
        PoolKind::Average { count_include_pad } => {
            count_include_pad || op.pads.iter().all(|&p| p == (0, 0))
        }
        _ => true,
    };
    if symbolic && (op.ceil_mode || !uniform_average) {
        o2l_canon::bail!(
            Unsupported,
            "{} over a symbolic spatial dim with ceil_mode or uncounted padding: {}",
            op.name(),
            x.1
        );
    }
    let (in_dims, out_dims) = if symbolic {
        (Vec::new(), Vec::new())
    } else {
        spatial_dims(op, x.1, out)?
    };
    let (xp, xpt) = if symbolic {
        let mut low = vec![0, 0];
        let mut high = vec![0, 0];
        low.extend(op.pads.iter().map(|p| p.0));
        high.extend(op.pads.iter().map(|p| p.1));
        if low.iter().chain(&high).any(|&p| p != 0) {
            cx.pad(x.0, x.1, &low, &high, cx.extreme(d, which)?)?
        } else {
            (x.0, x.1.clone())
        }
    } else {
        padded(cx, op, x, (&in_dims, &out_dims), which)?
    };
    let mut srcs = vec![(xp, &xpt), x];
    if super::conv::windowed_dims_unknown(x.1, out) {
        let extents = cx.window_extents(
            x,
            out,
            &op.pads,
            &op.kernel,
            &op.strides,
            &op.dilations,
            op.ceil_mode,
        )?;
        srcs.insert(0, (extents, out));
    }
    let init = cx.filled(
        out,
        &srcs,
        if is_max {
            Extreme::Lowest
        } else {
            Extreme::Zero
        },
    )?;
    let combine = if int_sum {
        "arith.addi"
    } else if !is_max {
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
    // The named max pool is signed (OpDSL's `max_signed`: its region is
    // rebuilt from the definition when printed or generalized), so unsigned
    // max pooling takes the generic with `arith.maxui`.
    let named = n == 2 && !(is_max && (d.is_unsigned_int() || d == DType::Bool));
    let pooled = if named {
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
    let rank = out.rank();
    // Every window with the same number of taps: one divisor for all.
    let divided = |total: f64| -> Result<Val<'c, 'a>> {
        let div = cx.scalar(d, total)?;
        let e = cx.empty_like(out, &srcs)?;
        Ok(cx.generic(
            &[pooled],
            &[e],
            &[identity_map(rank), identity_map(rank)],
            &vec!["parallel"; rank],
            &[div],
            |b, v, caps| Ok(vec![b.bin("arith.divf", v[0], caps[0])?]),
        )?[0])
    };
    if symbolic {
        // Every window has all its taps (see above).
        return divided(op.kernel.iter().product::<u64>() as f64);
    }
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
    if uniform {
        let total: f64 = counts
            .iter()
            .map(|c| c.first().copied().unwrap_or(1.0))
            .product();
        return divided(total);
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

/// Max pooling that also yields, per window, the flat input index of its
/// first maximum: one `linalg.generic` with two results over the padded
/// input (padding is the lowest value, so it never wins a strict compare).
fn max_with_indices<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Pool,
    x: Operand<'c, 'a, '_>,
    outs: &[TensorType],
    column_major: bool,
) -> Result<Vec<Val<'c, 'a>>> {
    let [vt, it] = outs else {
        return Err(Error::internal(
            "MaxPoolWithIndices lowers to values and indices",
        ));
    };
    let d = x.1.dtype;
    let n = x.1.rank() - 2;
    let (in_dims, out_dims) = spatial_dims(op, x.1, vt)?;
    let channels = x.1.shape[1]
        .known()
        .ok_or_else(|| Error::unsupported("MaxPool Indices with a symbolic channel dim"))?;
    let (xp, xpt) = padded(cx, op, x, (&in_dims, &out_dims), Extreme::Lowest)?;
    let srcs = [(xp, &xpt), x];
    let vals = cx.filled(vt, &srcs, Extreme::Lowest)?;
    let idxs = cx.filled(it, &srcs, Extreme::Zero)?;
    let loops = 2 + 2 * n;
    let mut ex = vec!["d0".to_string(), "d1".to_string()];
    for i in 0..n {
        ex.push(format!(
            "d{} * {} + d{} * {}",
            2 + i,
            op.strides[i],
            2 + n + i,
            op.dilations[i]
        ));
    }
    let window = cx.empty_like(&TensorType::of_known(d, &op.kernel), &[])?;
    let out_map = pick_map(loops, &(0..2 + n).collect::<Vec<_>>());
    let maps = vec![
        map_str(loops, &ex),
        pick_map(loops, &(2 + n..2 + 2 * n).collect::<Vec<_>>()),
        out_map.clone(),
        out_map,
    ];
    let mut iters = vec!["parallel"; 2 + n];
    iters.extend(vec!["reduction"; n]);
    // Stride of each spatial dim in the flat index.
    let strides_flat: Vec<i64> = (0..n)
        .map(|i| {
            let inner: u64 = if column_major {
                in_dims[..i].iter().product()
            } else {
                in_dims[i + 1..].iter().product()
            };
            inner as i64
        })
        .collect();
    let plane: u64 = in_dims.iter().product();
    let op = op.clone();
    cx.generic(
        &[xp, window],
        &[vals, idxs],
        &maps,
        &iters,
        &[],
        move |b, v, _| {
            let (xv, best, best_at) = (v[0], v[2], v[3]);
            let better = if d.is_float() {
                b.cmpf(2, xv, best)? // ogt
            } else if d.is_unsigned_int() || d == DType::Bool {
                b.cmpi(8, xv, best)? // ugt
            } else {
                b.cmpi(4, xv, best)? // sgt
            };
            let at = |k: usize| -> Result<Val<'c, '_>> {
                let dim = b.parse_attr(&format!("{k} : i64"))?;
                b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
            };
            // ((n * C + c) * plane) + sum of in-input coordinates * strides.
            let c_count = b.index(channels as i64)?;
            let nc = b.bin("arith.muli", at(0)?, c_count)?;
            let nc = b.bin("arith.addi", nc, at(1)?)?;
            let plane_v = b.index(plane as i64)?;
            let mut flat = b.bin("arith.muli", nc, plane_v)?;
            for (i, &weight) in strides_flat.iter().enumerate() {
                let s = b.index(op.strides[i] as i64)?;
                let dl = b.index(op.dilations[i] as i64)?;
                let pb = b.index(op.pads[i].0 as i64)?;
                let o = b.bin("arith.muli", at(2 + i)?, s)?;
                let k = b.bin("arith.muli", at(2 + n + i)?, dl)?;
                let pos = b.bin("arith.addi", o, k)?;
                let pos = b.bin("arith.subi", pos, pb)?;
                let w = b.index(weight)?;
                let term = b.bin("arith.muli", pos, w)?;
                flat = b.bin("arith.addi", flat, term)?;
            }
            let i64t = b.elem(DType::I64)?;
            let flat = b.op1("arith.index_cast", &[flat], i64t, &[])?;
            Ok(vec![
                b.select(better, xv, best)?,
                b.select(better, flat, best_at)?,
            ])
        },
    )
}

#[cfg(test)]
mod tests {

    use crate::testing::{Case, check, f32t, pool};
    use o2l_canon::ops::PoolKind;

    #[test]
    fn max_pool_2d_named_pads_with_lowest() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 2, 5, 5]));
        let y = c.node(
            pool(PoolKind::Max, &[2, 2], &[2, 2], &[(0, 0); 2], true),
            &[x],
            "mp",
        );
        check(
            &c.output(y),
            &[
                "0xFF800000",
                "tensor.pad",
                "high[0, 0, 1, 1]",
                "linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}",
                "tensor<1x2x3x3xf32>",
            ],
        );
    }

    #[test]
    fn average_pool_divisors() {
        // Excluding padding: per-position counts.
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 1, 4, 4]));
        let y = c.node(
            pool(
                PoolKind::Average {
                    count_include_pad: false,
                },
                &[3, 3],
                &[1, 1],
                &[(1, 1), (1, 1)],
                false,
            ),
            &[x],
            "ap",
        );
        check(
            &c.output(y),
            &[
                "linalg.pooling_nchw_sum",
                "dense<[2.000000e+00, 3.000000e+00, 3.000000e+00, 2.000000e+00]>",
                "arith.divf",
            ],
        );
        // Including padding: one divisor.
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 1, 4, 4]));
        let y = c.node(
            pool(
                PoolKind::Average {
                    count_include_pad: true,
                },
                &[3, 3],
                &[1, 1],
                &[(1, 1), (1, 1)],
                false,
            ),
            &[x],
            "ap",
        );
        check(
            &c.output(y),
            &["linalg.pooling_nchw_sum", "9.000000e+00", "arith.divf"],
        );
        // 1-D and 3-D use linalg.generic.
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 2, 7]));
        let y = c.node(
            pool(PoolKind::Max, &[3], &[2], &[(1, 1)], false),
            &[x],
            "mp1",
        );
        check(
            &c.output(y),
            &["linalg.generic", "\"reduction\"", "arith.maximumf"],
        );
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 1, 4, 4, 4]));
        let y = c.node(
            pool(
                PoolKind::Average {
                    count_include_pad: false,
                },
                &[2, 2, 2],
                &[2, 2, 2],
                &[(0, 0); 3],
                false,
            ),
            &[x],
            "ap3",
        );
        check(
            &c.output(y),
            &["linalg.generic", "arith.addf", "arith.divf"],
        );
    }
}
