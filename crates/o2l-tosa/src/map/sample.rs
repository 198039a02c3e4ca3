//! TOSA resize: the spec's fixed-point sampling positions are computed at
//! conversion, so both modes become per-axis gathers (H, then W) and, for
//! BILINEAR, per-axis weights: the bilinear sum is separable, and for
//! integers (weights in units of 1/scale_n) exact in the wide result type.
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::compose;
use o2l_canon::ops::{Binary, Elementwise};
use o2l_canon::{Builder, DType, Error, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[rule(
    "tosa.resize",
    &["Gather", "Mul", "Add", "Cast"],
    resize,
    "NHWC; NEAREST_NEIGHBOR or BILINEAR; scale [yn, yd, xn, xd], offset, border as !tosa.shape; integer BILINEAR gives the unnormalised wide sum",
)];

/// Where each output position of one axis samples the input.
struct AxisSamples {
    /// Lower and upper input neighbours (clamped into the input).
    lo: Vec<i64>,
    hi: Vec<i64>,
    /// The distance past `lo`: in [0, 1) for floats, in units of 1/n for integers.
    frac: Vec<i64>,
    frac_f32: Vec<f32>,
}

fn axis_samples(out: u64, input: u64, n: i64, d: i64, offset: i64) -> Result<AxisSamples> {
    if n <= 0 || d <= 0 || input == 0 {
        return Err(Error::invalid(format!(
            "tosa.resize scale {n}/{d} over {input} positions"
        )));
    }
    let last = input as i64 - 1;
    let mut s = AxisSamples {
        lo: vec![],
        hi: vec![],
        frac: vec![],
        frac_f32: vec![],
    };
    for o in 0..out as i64 {
        let pos = o * d + offset;
        let i = pos.div_euclid(n);
        let r = pos - i * n;
        s.lo.push(i.max(0).min(last));
        s.hi.push((i + 1).min(last).max(0));
        s.frac.push(r);
        s.frac_f32.push(r as f32 / n as f32);
    }
    Ok(s)
}

fn gather(ctx: &mut OpCtx, x: ValueId, axis: usize, picks: &[i64]) -> Result<ValueId> {
    compose::take(ctx, x, axis, picks)
}

/// Per-position weights shaped to broadcast along `axis` of a rank-4 tensor.
fn weights(ctx: &mut OpCtx, dtype: DType, axis: usize, w: &[f64]) -> Result<ValueId> {
    let mut dims = vec![1u64; 4];
    dims[axis] = w.len() as u64;
    ctx.constant(Tensor::from_f64s(dtype, dims, w)?)
}

/// `a * w_a + b * w_b` along `axis`.
fn blend(
    ctx: &mut OpCtx,
    (a, wa): (ValueId, ValueId),
    (b, wb): (ValueId, ValueId),
) -> Result<ValueId> {
    let mul = Elementwise::Binary(Binary::Mul);
    let a = ctx.elementwise(mul.clone(), &[a, wa])?;
    let b = ctx.elementwise(mul, &[b, wb])?;
    ctx.elementwise(Elementwise::Binary(Binary::Add), &[a, b])
}

fn resize(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let (scale, offset) = (ctx.shape_operand(1)?, ctx.shape_operand(2)?);
    let (xt, out) = (ctx.ty(x), ctx.result_type(0)?.clone());
    let (Some(xd), Some(od)) = (xt.known_dims(), out.known_dims()) else {
        return Err(Error::unsupported("tosa.resize of symbolic shape"));
    };
    let (&[yn, yd, xn, xd_], &[oy, ox], 4, 4) = (&scale[..], &offset[..], xd.len(), od.len())
    else {
        return Err(Error::invalid(format!(
            "tosa.resize needs NHWC tensors, scale of 4 and offset of 2, got {xt}, {scale:?}, {offset:?}"
        )));
    };
    let rows = axis_samples(od[1], xd[1], yn, yd, oy)?;
    let cols = axis_samples(od[2], xd[2], xn, xd_, ox)?;
    // `#tosa.resize_mode<BILINEAR>` (or a bare/quoted name in older forms).
    let raw = ctx.req_attr("mode")?;
    let mode = raw
        .strip_prefix("#tosa.resize_mode<")
        .and_then(|m| m.strip_suffix('>'))
        .unwrap_or(raw)
        .trim_matches('"')
        .to_string();
    let float = xt.dtype.is_float();
    match mode.as_str() {
        "NEAREST_NEIGHBOR" => {
            // Round half up: the upper neighbour from half way on.
            let pick = |s: &AxisSamples, n: i64| -> Vec<i64> {
                (0..s.lo.len())
                    .map(|k| {
                        let up = if float {
                            s.frac_f32[k] >= 0.5
                        } else {
                            2 * s.frac[k] >= n
                        };
                        if up { s.hi[k] } else { s.lo[k] }
                    })
                    .collect()
            };
            let y = gather(ctx, x, 1, &pick(&rows, yn))?;
            let y = gather(ctx, y, 2, &pick(&cols, xn))?;
            ctx.bind(0, y)
        }
        "BILINEAR" => {
            let acc = out.dtype;
            let x = if acc == xt.dtype {
                x
            } else {
                ctx.elementwise(Elementwise::cast(acc), &[x])?
            };
            let unit_weights = |s: &AxisSamples, n: i64| -> (Vec<f64>, Vec<f64>) {
                if float {
                    let lo = s.frac_f32.iter().map(|&f| f64::from(1.0f32 - f)).collect();
                    (lo, s.frac_f32.iter().map(|&f| f64::from(f)).collect())
                } else {
                    let lo = s.frac.iter().map(|&f| (n - f) as f64).collect();
                    (lo, s.frac.iter().map(|&f| f as f64).collect())
                }
            };
            let mut y = x;
            for (axis, s, n) in [(1, &rows, yn), (2, &cols, xn)] {
                let (w_lo, w_hi) = unit_weights(s, n);
                let a = gather(ctx, y, axis, &s.lo)?;
                let b = gather(ctx, y, axis, &s.hi)?;
                let wa = weights(ctx, acc, axis, &w_lo)?;
                let wb = weights(ctx, acc, axis, &w_hi)?;
                y = blend(ctx, (a, wa), (b, wb))?;
            }
            ctx.bind(0, y)
        }
        other => Err(Error::invalid(format!(
            "tosa.resize mode {other} (expected NEAREST_NEIGHBOR or BILINEAR)"
        ))),
    }
}
