//! GridSample as one `linalg.generic` over the output (N, C, O..): the grid's
//! coordinate components come in as inputs (one map per component), the
//! body denormalises them, applies the padding rule, and reads the input at
//! the 1 (nearest), 2^k (linear) or 4^k (cubic) neighbouring positions with
//! `tensor.extract` (indices clamped; zeros padding masks the outside ones).
//! Coordinates and weights are f32, as the ONNX reference computes them.
use super::elementwise::cast;
use super::ir::{Ctx, Operand, Val, map_str};
use o2l_canon::ops::{Sample, SampleMode, SamplePadding};
use o2l_canon::{DType, Error, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Sample,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    match op {
        Sample::GridSample {
            mode,
            padding,
            align_corners,
        } => grid_sample(cx, ins[0], ins[1], *mode, *padding, *align_corners, out),
        Sample::RoiAlign { .. } => roi_align(cx, op, ins, out),
        Sample::DeformGather { .. } => deform_gather(cx, op, ins, out),
    }
}

type V<'c, 'b> = Val<'c, 'b>;

fn f32c<'c, 'b>(b: &Ctx<'c, 'b>, v: f64) -> Result<V<'c, 'b>> {
    b.scalar(DType::F32, v)
}

/// Reflects `v` into `[lo, hi]` by the nearer border, repeatedly (the reference's loop, closed form).
fn reflect<'c, 'b>(b: &Ctx<'c, 'b>, v: V<'c, 'b>, lo: f64, hi: f64) -> Result<V<'c, 'b>> {
    let rng = hi - lo;
    if rng <= 0.0 {
        return f32c(b, lo);
    }
    let (lo_v, hi_v, rng_v) = (f32c(b, lo)?, f32c(b, hi)?, f32c(b, rng)?);
    let below = b.cmpf(4, v, lo_v)?; // olt
    let above = b.cmpf(2, v, hi_v)?; // ogt
    let d_lo = b.bin("arith.subf", lo_v, v)?;
    let d_hi = b.bin("arith.subf", v, hi_v)?;
    let dx = b.select(below, d_lo, d_hi)?;
    let i32t = b.elem(DType::I32)?;
    let q = b.bin("arith.divf", dx, rng_v)?;
    let n = b.op1("arith.fptosi", &[q], i32t, &[])?;
    let nf = b.op1("arith.sitofp", &[n], b.elem(DType::F32)?, &[])?;
    let m = b.bin("arith.mulf", nf, rng_v)?;
    let r = b.bin("arith.subf", dx, m)?;
    let one = b.scalar_int(DType::I32, 1)?;
    let odd = b.bin("arith.andi", n, one)?;
    let zero = b.scalar_int(DType::I32, 0)?;
    let even = b.cmpi(0, odd, zero)?;
    let lo_r = b.bin("arith.addf", lo_v, r)?;
    let hi_r = b.bin("arith.subf", hi_v, r)?;
    let res_below = b.select(even, lo_r, hi_r)?;
    let res_above = b.select(even, hi_r, lo_r)?;
    let out = b.select(above, res_above, v)?;
    b.select(below, res_below, out)
}

/// Cubic convolution weights (A = -0.75) for the fraction `t`.
fn cubic<'c, 'b>(b: &Ctx<'c, 'b>, t: V<'c, 'b>) -> Result<[V<'c, 'b>; 4]> {
    let a = -0.75;
    let poly = |x: V<'c, 'b>, near: bool| -> Result<V<'c, 'b>> {
        // near: ((A+2)x - (A+3))x^2 + 1; far: ((A x - 5A) x + 8A) x - 4A
        let (p, q) = if near {
            (a + 2.0, -(a + 3.0))
        } else {
            (a, -5.0 * a)
        };
        let y = b.bin("arith.mulf", f32c(b, p)?, x)?;
        let y = b.bin("arith.addf", y, f32c(b, q)?)?;
        if near {
            let y = b.bin("arith.mulf", y, x)?;
            let y = b.bin("arith.mulf", y, x)?;
            b.bin("arith.addf", y, f32c(b, 1.0)?)
        } else {
            let y = b.bin("arith.mulf", y, x)?;
            let y = b.bin("arith.addf", y, f32c(b, 8.0 * a)?)?;
            let y = b.bin("arith.mulf", y, x)?;
            b.bin("arith.subf", y, f32c(b, 4.0 * a)?)
        }
    };
    let one = f32c(b, 1.0)?;
    let two = f32c(b, 2.0)?;
    let t1 = b.bin("arith.addf", t, one)?;
    let u = b.bin("arith.subf", one, t)?;
    let u2 = b.bin("arith.subf", two, t)?;
    Ok([
        poly(t1, false)?,
        poly(t, true)?,
        poly(u, true)?,
        poly(u2, false)?,
    ])
}

/// One tap: the input at integer positions (i64 per spatial dim), as f32,
/// with the padding rule applied (reflected, clamped, or 0 outside).
#[allow(clippy::too_many_arguments)]
fn pixel<'c, 'b>(
    b: &Ctx<'c, 'b>,
    xt: V<'c, 'b>,
    n: V<'c, 'b>,
    c: V<'c, 'b>,
    pos: &[V<'c, 'b>],
    coords: &[(V<'c, 'b>, f64, f64, u64)],
    padding: SamplePadding,
    d: DType,
) -> Result<V<'c, 'b>> {
    let f32t = b.elem(DType::F32)?;
    let i64t = b.elem(DType::I64)?;
    let idx_t = b.index_type();
    let mut at = vec![xt, n, c];
    let mut inside: Option<V<'c, 'b>> = None;
    for (i, &p) in pos.iter().enumerate() {
        let (_, lo, hi, len) = coords[i];
        let p = match padding {
            SamplePadding::Reflection => {
                let pf = b.op1("arith.sitofp", &[p], f32t, &[])?;
                let r = reflect(b, pf, lo, hi)?;
                b.op1("arith.fptosi", &[r], i64t, &[])?
            }
            _ => p,
        };
        let zero = b.scalar_int(DType::I64, 0)?;
        let last = b.scalar_int(DType::I64, len as i64 - 1)?;
        if padding == SamplePadding::Zeros {
            let ge = b.cmpi(5, p, zero)?; // sge
            let le = b.cmpi(3, p, last)?; // sle
            let ok = b.bin("arith.andi", ge, le)?;
            inside = Some(match inside {
                Some(m) => b.bin("arith.andi", m, ok)?,
                None => ok,
            });
        }
        let cl = b.bin("arith.maxsi", p, zero)?;
        let cl = b.bin("arith.minsi", cl, last)?;
        at.push(b.op1("arith.index_cast", &[cl], idx_t, &[])?);
    }
    let elem = b.elem(d)?;
    let val = b.op1("tensor.extract", &at, elem, &[])?;
    let val = cast(b, val, d, DType::F32)?;
    match inside {
        Some(m) => {
            let z = f32c(b, 0.0)?;
            b.select(m, val, z)
        }
        None => Ok(val),
    }
}

#[allow(clippy::too_many_arguments)]
fn grid_sample<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    grid: Operand<'c, 'a, '_>,
    mode: SampleMode,
    padding: SamplePadding,
    align: bool,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = out.dtype;
    let dims =
        x.1.known_dims()
            .ok_or_else(|| Error::unsupported(format!("GridSample of {} (symbolic dims)", x.1)))?;
    let k = dims.len() - 2;
    let spatial: Vec<u64> = dims[2..].to_vec();
    let rank = out.rank();
    let init = cx.empty_like(out, &[x, grid])?;
    // Grid component j read at (n, o..) with constant last index j.
    let mut maps = Vec::with_capacity(k + 1);
    for j in 0..k {
        let mut e: Vec<String> = vec!["d0".into()];
        e.extend((2..rank).map(|i| format!("d{i}")));
        e.push(j.to_string());
        maps.push(map_str(rank, &e));
    }
    maps.push(map_str(
        rank,
        &(0..rank).map(|i| format!("d{i}")).collect::<Vec<_>>(),
    ));
    let iters = vec!["parallel"; rank];
    let ins: Vec<Val<'c, 'a>> = vec![grid.0; k];
    Ok(
        cx.generic(&ins, &[init], &maps, &iters, &[x.0], move |b, v, caps| {
            let xt = caps[0];
            let f32t = b.elem(DType::F32)?;
            let idx_t = b.index_type();
            let i64t = b.elem(DType::I64)?;
            let index = |i: usize| -> Result<V<'c, '_>> {
                let dim = b.parse_attr(&format!("{i} : i64"))?;
                b.op1("linalg.index", &[], idx_t, &[("dim", dim)])
            };
            let (n, c) = (index(0)?, index(1)?);
            // Source coordinates per spatial dim i (the grid lists x, the last dim, first).
            let mut coords = Vec::with_capacity(k);
            for (i, &len) in spatial.iter().enumerate() {
                let g = cast(b, v[k - 1 - i], d, DType::F32)?;
                let lenf = len as f64;
                let one = f32c(b, 1.0)?;
                let gp = b.bin("arith.addf", g, one)?;
                let mut xi = if align {
                    b.bin("arith.mulf", gp, f32c(b, (lenf - 1.0) / 2.0)?)?
                } else {
                    let s = b.bin("arith.mulf", gp, f32c(b, lenf)?)?;
                    let s = b.bin("arith.subf", s, one)?;
                    b.bin("arith.mulf", s, f32c(b, 0.5)?)?
                };
                if mode == SampleMode::Nearest {
                    xi = b.op1("math.roundeven", &[xi], f32t, &[])?;
                }
                let (lo, hi) = if align {
                    (0.0, lenf - 1.0)
                } else {
                    (-0.5, lenf - 0.5)
                };
                xi = match padding {
                    SamplePadding::Zeros => xi,
                    SamplePadding::Border => {
                        let (lo_v, hi_v) = (f32c(b, lo)?, f32c(b, hi)?);
                        let outside_lo = b.cmpf(4, xi, lo_v)?;
                        let outside_hi = b.cmpf(2, xi, hi_v)?;
                        let outside = b.bin("arith.ori", outside_lo, outside_hi)?;
                        let z = f32c(b, 0.0)?;
                        let top = f32c(b, lenf - 1.0)?;
                        let cl = b.bin("arith.maximumf", xi, z)?;
                        let cl = b.bin("arith.minimumf", cl, top)?;
                        b.select(outside, cl, xi)?
                    }
                    SamplePadding::Reflection => reflect(b, xi, lo, hi)?,
                };
                coords.push((xi, lo, hi, len));
            }
            let result = match mode {
                SampleMode::Nearest => {
                    let pos = coords
                        .iter()
                        .map(|&(xi, ..)| b.op1("arith.fptosi", &[xi], i64t, &[]))
                        .collect::<Result<Vec<_>>>()?;
                    pixel(b, xt, n, c, &pos, &coords, padding, d)?
                }
                SampleMode::Linear | SampleMode::Cubic => {
                    let taps = if mode == SampleMode::Linear { 2 } else { 4 };
                    let first = if mode == SampleMode::Linear { 0 } else { -1 };
                    // Per dim: the floor, its weights and the tap positions.
                    let mut per_dim = Vec::with_capacity(k);
                    for &(xi, ..) in &coords {
                        let fl = b.op1("math.floor", &[xi], f32t, &[])?;
                        let t = b.bin("arith.subf", xi, fl)?;
                        let w: Vec<V<'c, '_>> = if mode == SampleMode::Linear {
                            let one = f32c(b, 1.0)?;
                            vec![b.bin("arith.subf", one, t)?, t]
                        } else {
                            cubic(b, t)?.to_vec()
                        };
                        let base = b.op1("arith.fptosi", &[fl], i64t, &[])?;
                        let mut pos = Vec::with_capacity(taps);
                        for j in 0..taps {
                            let off = b.scalar_int(DType::I64, first + j as i64)?;
                            pos.push(b.bin("arith.addi", base, off)?);
                        }
                        per_dim.push((w, pos));
                    }
                    let mut acc = f32c(b, 0.0)?;
                    let total = taps.pow(k as u32);
                    for combo in 0..total {
                        let mut rem = combo;
                        let mut weight: Option<V<'c, '_>> = None;
                        let mut pos = Vec::with_capacity(k);
                        for (w, p) in per_dim.iter().rev() {
                            let j = rem % taps;
                            rem /= taps;
                            weight = Some(match weight {
                                Some(x) => b.bin("arith.mulf", x, w[j])?,
                                None => w[j],
                            });
                            pos.push(p[j]);
                        }
                        pos.reverse();
                        let px = pixel(b, xt, n, c, &pos, &coords, padding, d)?;
                        let wv = weight.ok_or_else(|| Error::internal("GridSample tap weight"))?;
                        let term = b.bin("arith.mulf", wv, px)?;
                        acc = b.bin("arith.addf", acc, term)?;
                    }
                    acc
                }
            };
            Ok(vec![cast(b, result, DType::F32, d)?])
        })?[0],
    )
}

/// RoiAlign as one `linalg.generic` over the output (R, C, PH, PW): the body
/// reads its region and batch index, derives the bin and the sampling grid
/// (whose size may depend on the region: `scf.for` bounds computed at run
/// time), and folds the bilinear samples of `X[batch, c]` by sum or max.
fn roi_align<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Sample,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let Sample::RoiAlign {
        max,
        output: (ph_n, pw_n),
        sampling_ratio,
        spatial_scale,
        half_pixel,
    } = *op
    else {
        return Err(Error::internal("roi_align of another op"));
    };
    let [x, rois, batch] = ins else {
        return Err(Error::internal("RoiAlign lowers three operands"));
    };
    let d = out.dtype;
    let (h, w) = match (x.1.shape[2].known(), x.1.shape[3].known()) {
        (Some(h), Some(w)) => (h, w),
        _ => return Err(Error::internal("RoiAlign of symbolic spatial dims")),
    };
    let init = cx.empty_like(out, &[(x.0, x.1), (rois.0, rois.1)])?;
    let maps = [map_str(4, &["d0", "d1", "d2", "d3"].map(String::from))];
    let iters = ["parallel"; 4];
    let caps = [x.0, rois.0, batch.0];
    Ok(
        cx.generic(&[], &[init], &maps, &iters, &caps, move |b, _, caps| {
            let (xs, rois, batch) = (caps[0], caps[1], caps[2]);
            let at = |k: usize| -> Result<V<'c, '_>> {
                let dim = b.parse_attr(&format!("{k} : i64"))?;
                b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
            };
            let (r, c, ph, pw) = (at(0)?, at(1)?, at(2)?, at(3)?);
            let elem = b.elem(d)?;
            let idx_t = b.index_type();
            let i64t = b.elem(DType::I64)?;
            let bi = b.op1("tensor.extract", &[batch, r], i64t, &[])?;
            let bi = b.op1("arith.index_cast", &[bi], idx_t, &[])?;
            let scale = b.scalar(d, spatial_scale)?;
            let shift = b.scalar(d, if half_pixel { 0.5 } else { 0.0 })?;
            let mut corner = Vec::with_capacity(4);
            for k in 0..4 {
                let kk = b.index(k)?;
                let v = b.op1("tensor.extract", &[rois, r, kk], elem, &[])?;
                let v = b.bin("arith.mulf", v, scale)?;
                corner.push(b.bin("arith.subf", v, shift)?);
            }
            let (sw, sh) = (corner[0], corner[1]);
            let mut rw = b.bin("arith.subf", corner[2], sw)?;
            let mut rh = b.bin("arith.subf", corner[3], sh)?;
            if !half_pixel {
                let one = b.scalar(d, 1.0)?;
                rw = b.bin("arith.maximumf", rw, one)?;
                rh = b.bin("arith.maximumf", rh, one)?;
            }
            let bins = |n: u64| b.scalar(d, n as f64);
            let bh = b.bin("arith.divf", rh, bins(ph_n)?)?;
            let bw = b.bin("arith.divf", rw, bins(pw_n)?)?;
            let (gh, gw) = (
                grid_size(b, rh, ph_n, sampling_ratio, d)?,
                grid_size(b, rw, pw_n, sampling_ratio, d)?,
            );
            let to_f = |v| index_to_float(b, v, d);
            // Bin origin: start + p * bin size; sample step: bin size / grid.
            let oy = b.bin("arith.mulf", to_f(ph)?, bh)?;
            let oy = b.bin("arith.addf", sh, oy)?;
            let ox = b.bin("arith.mulf", to_f(pw)?, bw)?;
            let ox = b.bin("arith.addf", sw, ox)?;
            let zero = b.scalar(d, 0.0)?;
            let lowest = b.scalar(d, f64::NEG_INFINITY)?;
            let start = if max { lowest } else { zero };
            let ghf = to_f(gh)?;
            let gwf = to_f(gw)?;
            let row_caps = [xs, bi, c, oy, ox, bh, bw, ghf, gwf, gw];
            let acc = b.for_range(gh, &[start], &row_caps, move |b, iy, acc, k| {
                let (xs, bi, c, oy, ox, bh, bw, ghf, gwf, gw) =
                    (k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]);
                let y = sample_pos(b, iy, oy, bh, ghf, d)?;
                b.for_range(
                    gw,
                    &[acc[0]],
                    &[xs, bi, c, y, ox, bw, gwf],
                    move |b, ix, acc, k| {
                        let x = sample_pos(b, ix, k[4], k[5], k[6], d)?;
                        let v = bilinear(b, [k[0], k[1], k[2]], k[3], x, (h, w), d, max)?;
                        let next = if max {
                            b.bin("arith.maximumf", acc[0], v)?
                        } else {
                            b.bin("arith.addf", acc[0], v)?
                        };
                        Ok(vec![next])
                    },
                )
            })?[0];
            let count = b.bin("arith.mulf", ghf, gwf)?;
            if max {
                // An empty grid gives 0, not the -inf the fold starts from.
                let empty = b.cmpf(1, count, zero)?; // oeq
                return Ok(vec![b.select(empty, zero, acc)?]);
            }
            let one = b.scalar(d, 1.0)?;
            let count = b.bin("arith.maximumf", count, one)?;
            Ok(vec![b.bin("arith.divf", acc, count)?])
        })?[0],
    )
}

/// Samples per bin along one axis: the ratio, or ceil(region / bins).
fn grid_size<'c, 'b>(
    b: &Ctx<'c, 'b>,
    size: V<'c, 'b>,
    bins: u64,
    sampling_ratio: u64,
    d: DType,
) -> Result<V<'c, 'b>> {
    if sampling_ratio > 0 {
        return b.index(sampling_ratio as i64);
    }
    let n = b.scalar(d, bins as f64)?;
    let q = b.bin("arith.divf", size, n)?;
    let q = b.un("math.ceil", q)?;
    let q = b.op1("arith.fptosi", &[q], b.elem(DType::I64)?, &[])?;
    b.op1("arith.index_cast", &[q], b.index_type(), &[])
}

fn index_to_float<'c, 'b>(b: &Ctx<'c, 'b>, v: V<'c, 'b>, d: DType) -> Result<V<'c, 'b>> {
    let v = b.op1("arith.index_cast", &[v], b.elem(DType::I64)?, &[])?;
    b.op1("arith.sitofp", &[v], b.elem(d)?, &[])
}

/// origin + (i + 0.5) * bin / grid.
fn sample_pos<'c, 'b>(
    b: &Ctx<'c, 'b>,
    i: V<'c, 'b>,
    origin: V<'c, 'b>,
    bin: V<'c, 'b>,
    grid: V<'c, 'b>,
    d: DType,
) -> Result<V<'c, 'b>> {
    let i = index_to_float(b, i, d)?;
    let half = b.scalar(d, 0.5)?;
    let i = b.bin("arith.addf", i, half)?;
    let step = b.bin("arith.mulf", i, bin)?;
    let step = b.bin("arith.divf", step, grid)?;
    b.bin("arith.addf", origin, step)
}

/// One RoiAlign sample at (y, x) of `X[bi, c]`: the four weighted neighbours
/// summed (average mode) or their maximum (max mode); 0 outside
/// [-1, H] x [-1, W].
fn bilinear<'c, 'b>(
    b: &Ctx<'c, 'b>,
    [xs, bi, c]: [V<'c, 'b>; 3],
    y: V<'c, 'b>,
    x: V<'c, 'b>,
    (h, w): (u64, u64),
    d: DType,
    max: bool,
) -> Result<V<'c, 'b>> {
    let elem = b.elem(d)?;
    let idx_t = b.index_type();
    let zero = b.scalar(d, 0.0)?;
    let minus_one = b.scalar(d, -1.0)?;
    let (hf, wf) = (b.scalar(d, h as f64)?, b.scalar(d, w as f64)?);
    let outside = [
        b.cmpf(4, y, minus_one)?, // olt
        b.cmpf(2, y, hf)?,        // ogt
        b.cmpf(4, x, minus_one)?,
        b.cmpf(2, x, wf)?,
    ];
    let mut out = outside[0];
    for o in &outside[1..] {
        out = b.bin("arith.ori", out, *o)?;
    }
    // Clamp to [0, n - 1]: the low neighbour and the fraction past it.
    let axis = |v: V<'c, 'b>, n: u64| -> Result<(V<'c, 'b>, V<'c, 'b>, V<'c, 'b>)> {
        let v = b.bin("arith.maximumf", v, zero)?;
        let last = b.scalar(d, (n - 1) as f64)?;
        let low = b.un("math.floor", v)?;
        let at_end = b.cmpf(3, low, last)?; // oge
        let low = b.select(at_end, last, low)?;
        let v = b.select(at_end, last, v)?;
        let frac = b.bin("arith.subf", v, low)?;
        let i32t = b.elem(DType::I32)?;
        let lo = b.op1("arith.fptosi", &[low], i32t, &[])?;
        let lo = b.op1("arith.index_cast", &[lo], idx_t, &[])?;
        let one = b.index(1)?;
        let top = b.index((n - 1) as i64)?;
        let hi = b.bin("arith.addi", lo, one)?;
        let hi = b.bin("arith.minsi", hi, top)?;
        Ok((lo, hi, frac))
    };
    let (y0, y1, ly) = axis(y, h)?;
    let (x0, x1, lx) = axis(x, w)?;
    let one = b.scalar(d, 1.0)?;
    let hy = b.bin("arith.subf", one, ly)?;
    let hx = b.bin("arith.subf", one, lx)?;
    let mut terms = Vec::with_capacity(4);
    for (yy, xx, wy, wx) in [
        (y0, x0, hy, hx),
        (y0, x1, hy, lx),
        (y1, x0, ly, hx),
        (y1, x1, ly, lx),
    ] {
        let v = b.op1("tensor.extract", &[xs, bi, c, yy, xx], elem, &[])?;
        let wt = b.bin("arith.mulf", wy, wx)?;
        terms.push(b.bin("arith.mulf", wt, v)?);
    }
    let fold = if max { "arith.maximumf" } else { "arith.addf" };
    let mut v = terms[0];
    for t in &terms[1..] {
        v = b.bin(fold, v, *t)?;
    }
    b.select(out, zero, v)
}

/// DeformGather as one `linalg.generic` over (N, C, KH, KW, OH, OW): the
/// offsets (and the mask) come in through maps that pick the channel of the
/// input channel's offset group; the body reads X's four neighbours with
/// `tensor.extract`, zero outside.
fn deform_gather<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Sample,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let Sample::DeformGather {
        kernel: [kh, kw],
        strides,
        dilations,
        pads_begin,
        offset_groups,
    } = *op
    else {
        return Err(Error::internal("deform_gather of another op"));
    };
    let d = out.dtype;
    let dims = ins[0]
        .1
        .known_dims()
        .ok_or_else(|| Error::internal("DeformGather of symbolic dims"))?;
    let (c, h, w) = (dims[1], dims[2], dims[3]);
    let per_group = c / offset_groups;
    let group = format!("(d1 floordiv {per_group})");
    let offset_map = |t: u64| {
        map_str(
            6,
            &[
                "d0".to_string(),
                format!("{group} * {} + d2 * {} + d3 * 2 + {t}", kh * kw * 2, kw * 2),
                "d4".to_string(),
                "d5".to_string(),
            ],
        )
    };
    let mut inputs = vec![ins[1].0, ins[1].0];
    let mut maps = vec![offset_map(0), offset_map(1)];
    if let Some(mask) = ins.get(2) {
        inputs.push(mask.0);
        maps.push(map_str(
            6,
            &[
                "d0".to_string(),
                format!("{group} * {} + d2 * {kw} + d3", kh * kw),
                "d4".to_string(),
                "d5".to_string(),
            ],
        ));
    }
    maps.push(map_str(
        6,
        &(0..6).map(|k| format!("d{k}")).collect::<Vec<_>>(),
    ));
    let masked = ins.len() > 2;
    let init = cx.empty_like(out, &[])?;
    let iters = ["parallel"; 6];
    Ok(cx.generic(
        &inputs,
        &[init],
        &maps,
        &iters,
        &[ins[0].0],
        move |b, v, caps| {
            let at = |k: usize| -> Result<V<'c, '_>> {
                let dim = b.parse_attr(&format!("{k} : i64"))?;
                b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
            };
            let (n, ch) = (at(0)?, at(1)?);
            // Tap position: out * stride - pad + tap * dilation, plus the offset.
            let coord = |o: usize, t: usize, axis: usize| -> Result<V<'c, '_>> {
                let base = b.index(-(pads_begin[axis] as i64))?;
                let s = b.index(strides[axis] as i64)?;
                let dl = b.index(dilations[axis] as i64)?;
                let o = b.bin("arith.muli", at(o)?, s)?;
                let t = b.bin("arith.muli", at(t)?, dl)?;
                let p = b.bin("arith.addi", o, t)?;
                let p = b.bin("arith.addi", p, base)?;
                index_to_float(b, p, d)
            };
            let y = b.bin("arith.addf", coord(4, 2, 0)?, v[0])?;
            let x = b.bin("arith.addf", coord(5, 3, 1)?, v[1])?;
            let value = bilinear_zeros(b, caps[0], [n, ch], y, x, (h, w), d)?;
            Ok(vec![if masked {
                b.bin("arith.mulf", value, v[2])?
            } else {
                value
            }])
        },
    )?[0])
}

/// X[n, c] at (y, x), bilinear; neighbours outside the image read 0.
fn bilinear_zeros<'c, 'b>(
    b: &Ctx<'c, 'b>,
    xs: V<'c, 'b>,
    [n, c]: [V<'c, 'b>; 2],
    y: V<'c, 'b>,
    x: V<'c, 'b>,
    (h, w): (u64, u64),
    d: DType,
) -> Result<V<'c, 'b>> {
    let elem = b.elem(d)?;
    let idx_t = b.index_type();
    let zero = b.scalar(d, 0.0)?;
    let one = b.scalar(d, 1.0)?;
    let y0 = b.un("math.floor", y)?;
    let x0 = b.un("math.floor", x)?;
    let ly = b.bin("arith.subf", y, y0)?;
    let lx = b.bin("arith.subf", x, x0)?;
    let hy = b.bin("arith.subf", one, ly)?;
    let hx = b.bin("arith.subf", one, lx)?;
    let i64t = b.elem(DType::I64)?;
    let to_i = |v: V<'c, 'b>| b.op1("arith.fptosi", &[v], i64t, &[]);
    let (yi, xi) = (to_i(y0)?, to_i(x0)?);
    let one_i = b.scalar_int(DType::I64, 1)?;
    let yi1 = b.bin("arith.addi", yi, one_i)?;
    let xi1 = b.bin("arith.addi", xi, one_i)?;
    let zero_i = b.scalar_int(DType::I64, 0)?;
    let mut sum = zero;
    for (yy, wy) in [(yi, hy), (yi1, ly)] {
        for (xx, wx) in [(xi, hx), (xi1, lx)] {
            let h_top = b.scalar_int(DType::I64, h as i64 - 1)?;
            let w_top = b.scalar_int(DType::I64, w as i64 - 1)?;
            let inside = [
                b.cmpi(5, yy, zero_i)?, // sge
                b.cmpi(3, yy, h_top)?,  // sle
                b.cmpi(5, xx, zero_i)?,
                b.cmpi(3, xx, w_top)?,
            ];
            let mut ok = inside[0];
            for cnd in &inside[1..] {
                ok = b.bin("arith.andi", ok, *cnd)?;
            }
            // Clamped indices keep the read in bounds; the mask zeroes it.
            let cy = b.bin("arith.maxsi", yy, zero_i)?;
            let cy = b.bin("arith.minsi", cy, h_top)?;
            let cxx = b.bin("arith.maxsi", xx, zero_i)?;
            let cxx = b.bin("arith.minsi", cxx, w_top)?;
            let cy = b.op1("arith.index_cast", &[cy], idx_t, &[])?;
            let cxx = b.op1("arith.index_cast", &[cxx], idx_t, &[])?;
            let v = b.op1("tensor.extract", &[xs, n, c, cy, cxx], elem, &[])?;
            let v = b.select(ok, v, zero)?;
            let wt = b.bin("arith.mulf", wy, wx)?;
            let term = b.bin("arith.mulf", wt, v)?;
            sum = b.bin("arith.addf", sum, term)?;
        }
    }
    Ok(sum)
}
