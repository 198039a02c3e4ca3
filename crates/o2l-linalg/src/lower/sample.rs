//! GridSample as one `linalg.generic` over the output (N, C, O..): the grid's
//! coordinate components come in as inputs (one map per component), the
//! body denormalises them, applies the padding rule, and reads the input at
//! the 1 (nearest), 2^k (linear) or 4^k (cubic) neighbouring positions with
//! `tensor.extract` (indices clamped; zeros padding masks the outside ones).
//! Coordinates and weights are f32, as the ONNX reference computes them.
use super::Operand;
use super::elementwise::cast;
use super::ir::{Ctx, Val, map_str};
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
