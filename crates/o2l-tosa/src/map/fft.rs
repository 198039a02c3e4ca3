//! TOSA's 2-D Fourier transforms as two complex matrix products (the DFT is
//! separable): along W with (W, W') cosine and sine matrices, then along H
//! with (H, H) ones. Unnormalised in both directions, as the spec defines.
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::ops::{Binary, Elementwise, Linear};
use o2l_canon::{Builder, DType, Error, Op, Result, Tensor, ValueId};
use std::f64::consts::PI;

pub(crate) static RULES: &[Rule] = &[
    rule(
        "tosa.fft2d",
        &["MatMul", "Add", "Sub"],
        fft2d,
        "complex (real, imag) in and out; inverse flips the exponent's sign; no scaling",
    ),
    rule(
        "tosa.rfft2d",
        &["MatMul", "Add", "Sub"],
        rfft2d,
        "real in; the W/2 + 1 non-redundant columns of the forward transform",
    ),
];

/// (cos, sign * sin) of 2π·i·k/n as (rows, cols) f32 matrices: entry
/// (i, k) when `rows_are_inputs`, else (k, i).
fn twiddles(
    ctx: &mut OpCtx,
    n: u64,
    outputs: u64,
    sign: f64,
    rows_are_inputs: bool,
) -> Result<(ValueId, ValueId)> {
    let (rows, cols) = if rows_are_inputs {
        (n, outputs)
    } else {
        (outputs, n)
    };
    let mut c = Vec::with_capacity((rows * cols) as usize);
    let mut s = Vec::with_capacity((rows * cols) as usize);
    for r in 0..rows {
        for q in 0..cols {
            let (i, k) = if rows_are_inputs { (r, q) } else { (q, r) };
            // The angle reduced exactly (i·k mod n) before the trig functions.
            let a = 2.0 * PI * ((i * k) % n) as f64 / n as f64;
            c.push(a.cos());
            s.push(sign * a.sin());
        }
    }
    let c = ctx.constant(Tensor::from_f64s(DType::F32, vec![rows, cols], &c)?)?;
    let s = ctx.constant(Tensor::from_f64s(DType::F32, vec![rows, cols], &s)?)?;
    Ok((c, s))
}

fn matmul(ctx: &mut OpCtx, a: ValueId, b: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])
}

fn binary(ctx: &mut OpCtx, op: Binary, a: ValueId, b: ValueId) -> Result<ValueId> {
    ctx.elementwise(Elementwise::Binary(op), &[a, b])
}

/// (re, im) times the twiddles, as a complex product: (re·C - im·S, im·C + re·S)
/// with `re`/`im` on the left (along W) or the right (along H).
fn complex_product(
    ctx: &mut OpCtx,
    (re, im): (ValueId, Option<ValueId>),
    (c, s): (ValueId, ValueId),
    twiddles_left: bool,
) -> Result<(ValueId, ValueId)> {
    let mm = |ctx: &mut OpCtx, x, t| {
        if twiddles_left {
            matmul(ctx, t, x)
        } else {
            matmul(ctx, x, t)
        }
    };
    let re_c = mm(ctx, re, c)?;
    let re_s = mm(ctx, re, s)?;
    match im {
        None => Ok((re_c, re_s)),
        Some(im) => {
            let im_c = mm(ctx, im, c)?;
            let im_s = mm(ctx, im, s)?;
            let out_re = binary(ctx, Binary::Sub, re_c, im_s)?;
            let out_im = binary(ctx, Binary::Add, im_c, re_s)?;
            Ok((out_re, out_im))
        }
    }
}

/// The transform of (re, im) (`im` None: real input) with `w_out` columns.
fn transform(
    ctx: &mut OpCtx,
    re: ValueId,
    im: Option<ValueId>,
    sign: f64,
    w_out: u64,
) -> Result<()> {
    let t = ctx.ty(re);
    let Some([_, h, w]) = t
        .known_dims()
        .as_deref()
        .and_then(|d| <[u64; 3]>::try_from(d).ok())
    else {
        return Err(Error::invalid(format!(
            "a 2-D transform needs a static (N, H, W) input, got {t}"
        )));
    };
    if t.dtype != DType::F32 || h == 0 || w == 0 {
        return Err(Error::unsupported(format!(
            "a 2-D transform of {t} (f32 with non-empty H and W only)"
        )));
    }
    let tw = twiddles(ctx, w, w_out, sign, true)?;
    let z = complex_product(ctx, (re, im), tw, false)?;
    let th = twiddles(ctx, h, h, sign, false)?;
    let (y_re, y_im) = complex_product(ctx, (z.0, Some(z.1)), th, true)?;
    ctx.bind(0, y_re)?;
    ctx.bind(1, y_im)
}

fn fft2d(ctx: &mut OpCtx) -> Result<()> {
    let (re, im) = (ctx.input(0)?, ctx.input(1)?);
    let inverse = matches!(ctx.attr("inverse"), Some("true"));
    let w = ctx
        .ty(re)
        .known_dims()
        .and_then(|d| d.last().copied())
        .unwrap_or(0);
    transform(ctx, re, Some(im), if inverse { 1.0 } else { -1.0 }, w)
}

fn rfft2d(ctx: &mut OpCtx) -> Result<()> {
    let re = ctx.input(0)?;
    let w = ctx
        .ty(re)
        .known_dims()
        .and_then(|d| d.last().copied())
        .unwrap_or(0);
    transform(ctx, re, None, -1.0, w / 2 + 1)
}
