//! onnxruntime's QLinear computations on 8-bit operands with per-tensor
//! scales and zero points (its CPU kernels define them): the forms of
//! QLinearAdd, QLinearMul, QLinearAveragePool, QLinearGlobalAveragePool and
//! QLinearConcat's requantization, shared by the `com.microsoft` rules
//! (`contrib_quant.rs`) and the QDQ groups (`qdq.rs`); and the requantizing
//! round of both (round half to even, clamp, cast).
use super::ctx::MapCtx;
use super::integer::shifted;
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, PoolKind, Unary};
use o2l_canon::{DType, Error, Op, Result, ValueId};

/// Integer range of a quantized type, None for the float ones.
pub(crate) fn int_range(d: DType) -> Option<(f64, f64)> {
    Some(match d {
        DType::U8 => (0.0, 255.0),
        DType::I8 => (-128.0, 127.0),
        DType::U16 => (0.0, 65535.0),
        DType::I16 => (-32768.0, 32767.0),
        DType::U4 => (0.0, 15.0),
        DType::I4 => (-8.0, 7.0),
        DType::U2 => (0.0, 3.0),
        DType::I2 => (-2.0, 1.0),
        DType::I32 => (f64::from(i32::MIN), f64::from(i32::MAX)),
        _ => return None,
    })
}

/// `round_half_even(v)` clamped to `[lo, hi]`, then cast to `to`.
pub(crate) fn round_clamp_cast(
    ctx: &mut MapCtx,
    v: ValueId,
    lo: f64,
    hi: f64,
    to: DType,
) -> Result<ValueId> {
    let r = ctx.unary(Unary::Round, v)?;
    let c = ctx.unary(Unary::Clamp { min: lo, max: hi }, r)?;
    ctx.cast(c, to)
}

/// A quantized operand: values, scale, zero point (None: 0); scale and
/// zero point are scalars.
pub(crate) struct Quantized {
    pub x: ValueId,
    pub scale: ValueId,
    pub zero: Option<ValueId>,
}

/// `q - zero` in f32 (exact: both are small integers).
pub(crate) fn centred(ctx: &mut MapCtx, q: &Quantized) -> Result<ValueId> {
    let x = ctx.cast(q.x, DType::F32)?;
    match q.zero {
        Some(z) => {
            let z = ctx.cast(z, DType::F32)?;
            ctx.binary(Binary::Sub, x, z)
        }
        None => Ok(x),
    }
}

/// `round_half_even(v + zero)`, saturated to the output type (that of the
/// zero point, else of `like`).
pub(crate) fn requantized(
    ctx: &mut MapCtx,
    v: ValueId,
    out: &Quantized,
    like: DType,
) -> Result<ValueId> {
    let to = out.zero.map_or(like, |z| ctx.ty(z).dtype);
    let (lo, hi) = int_range(to).ok_or_else(|| {
        Error::invalid(format!(
            "{} output type must be an integer type, got {to}",
            ctx.origin.op_type
        ))
    })?;
    // The zero point is an integer, so adding it before rounding is exact.
    let v = match out.zero {
        Some(z) => {
            let z = ctx.cast(z, DType::F32)?;
            ctx.binary(Binary::Add, v, z)?
        }
        None => v,
    };
    round_clamp_cast(ctx, v, lo, hi, to)
}

/// `a / b` of two scalar scales, in f32.
pub(crate) fn ratio(ctx: &mut MapCtx, a: ValueId, b: ValueId) -> Result<ValueId> {
    let a = ctx.cast(a, DType::F32)?;
    let b = ctx.cast(b, DType::F32)?;
    ctx.binary(Binary::Div, a, b)
}

/// QLinearAdd of `a` and `b` into `c`'s scale and zero point (the QDQ
/// groups of `qdq.rs` use it too).
pub(crate) fn add_form(
    ctx: &mut MapCtx,
    a: &Quantized,
    b: &Quantized,
    c: &Quantized,
) -> Result<ValueId> {
    let ra = ratio(ctx, a.scale, c.scale)?;
    let rb = ratio(ctx, b.scale, c.scale)?;
    let ca = centred(ctx, a)?;
    let cb = centred(ctx, b)?;
    let va = ctx.binary(Binary::Mul, ca, ra)?;
    let vb = ctx.binary(Binary::Mul, cb, rb)?;
    let v = ctx.binary(Binary::Add, va, vb)?;
    let like = ctx.ty(a.x).dtype;
    requantized(ctx, v, c, like)
}

/// QLinearMul of `a` and `b` into `c`'s scale and zero point.
pub(crate) fn mul_form(
    ctx: &mut MapCtx,
    a: &Quantized,
    b: &Quantized,
    c: &Quantized,
) -> Result<ValueId> {
    let sa = ctx.cast(a.scale, DType::F32)?;
    let sb = ctx.cast(b.scale, DType::F32)?;
    let sab = ctx.binary(Binary::Mul, sa, sb)?;
    let multiplier = ratio(ctx, sab, c.scale)?;
    let ca = centred(ctx, a)?;
    let cb = centred(ctx, b)?;
    let prod = ctx.binary(Binary::Mul, ca, cb)?;
    let v = ctx.binary(Binary::Mul, prod, multiplier)?;
    let like = ctx.ty(a.x).dtype;
    requantized(ctx, v, c, like)
}

/// `x` dequantized, `f` in f32, requantized with `y`'s scale and zero point.
pub(crate) fn unary_form(
    ctx: &mut MapCtx,
    x: &Quantized,
    y: &Quantized,
    f: impl FnOnce(&mut MapCtx, ValueId) -> Result<ValueId>,
) -> Result<ValueId> {
    let deq = dequantized(ctx, x)?;
    let fx = f(ctx, deq)?;
    let sy = ctx.cast(y.scale, DType::F32)?;
    let v = ctx.binary(Binary::Div, fx, sy)?;
    let like = ctx.ty(x.x).dtype;
    requantized(ctx, v, y, like)
}

/// `x` requantized to `y`'s scale and zero point, as QLinearConcat does
/// with an input whose scale or zero point differs from the output's.
pub(crate) fn requantized_to(ctx: &mut MapCtx, x: &Quantized, y: &Quantized) -> Result<ValueId> {
    let sy = ctx.cast(y.scale, DType::F32)?;
    let v = in_scale_of(ctx, x, sy)?;
    let like = ctx.ty(x.x).dtype;
    requantized(ctx, v, y, like)
}

/// `x` dequantized and re-expressed in `y`'s scale: `(x - zx) * sx / sy`
/// in f32, not yet rounded.
pub(crate) fn in_scale_of(ctx: &mut MapCtx, x: &Quantized, sy: ValueId) -> Result<ValueId> {
    let deq = dequantized(ctx, x)?;
    ctx.binary(Binary::Div, deq, sy)
}

/// `(x - zx) * sx` in f32.
pub(crate) fn dequantized(ctx: &mut MapCtx, x: &Quantized) -> Result<ValueId> {
    let cx = centred(ctx, x)?;
    let sx = ctx.cast(x.scale, DType::F32)?;
    ctx.binary(Binary::Mul, cx, sx)
}

/// QLinearAveragePool of `x` into `y`'s scale and zero point, with the
/// node's window attributes (`count_include_pad` among them).
pub(crate) fn average_pool_form(
    ctx: &mut MapCtx,
    x: &Quantized,
    y: &Quantized,
    channels_last: bool,
    pool: impl Fn(&mut MapCtx, ValueId, PoolKind) -> Result<ValueId>,
) -> Result<ValueId> {
    let rank = ctx.ty(x.x).rank();
    let count_include_pad = ctx.attrs.int_or("count_include_pad", 0)? != 0;
    unary_form(ctx, x, y, |ctx, deq| {
        if !channels_last {
            return pool(ctx, deq, PoolKind::Average { count_include_pad });
        }
        // Channels-last pools in NCHW: channel to axis 1 and back after.
        let mut to_first = vec![0, rank - 1];
        to_first.extend(1..rank - 1);
        let nchw = ctx.transpose(deq, &to_first)?;
        let pooled = pool(ctx, nchw, PoolKind::Average { count_include_pad })?;
        let mut to_last = vec![0];
        to_last.extend(2..rank);
        to_last.push(1);
        ctx.transpose(pooled, &to_last)
    })
}

/// QLinearGlobalAveragePool of `x` into `y`'s scale and zero point: the i32
/// sum of `x - zx` over the spatial dims times `sx / (sy * count)` in f32.
pub(crate) fn global_average_pool_form(
    ctx: &mut MapCtx,
    x: &Quantized,
    y: &Quantized,
    channels_last: bool,
) -> Result<ValueId> {
    let dims = ctx.dims(x.x)?;
    if dims.len() < 3 {
        return Err(Error::invalid(format!(
            "{} takes an input of rank >= 3, got {}",
            ctx.origin.op_type,
            ctx.ty(x.x)
        )));
    }
    let spatial: Vec<usize> = if channels_last {
        (1..dims.len() - 1).collect()
    } else {
        (2..dims.len()).collect()
    };
    let size: u64 = spatial.iter().map(|&a| dims[a]).product();
    let xi = shifted(ctx, x.x, x.zero, None)?;
    let sum = ctx.emit1(
        Op::Reduce(o2l_canon::ops::Reduce {
            kind: o2l_canon::ops::ReduceKind::Sum,
            axes: spatial,
            keep_dims: true,
        }),
        &[xi],
    )?;
    let sum = ctx.cast(sum, DType::F32)?;
    // sX / (sY * count), in f32 as the kernel computes its multiplier.
    let sy = ctx.cast(y.scale, DType::F32)?;
    let n = ctx.scalar(DType::F32, size as f64)?;
    let denom = ctx.binary(Binary::Mul, sy, n)?;
    let multiplier = ratio(ctx, x.scale, denom)?;
    let v = ctx.binary(Binary::Mul, sum, multiplier)?;
    let like = ctx.ty(x.x).dtype;
    requantized(ctx, v, y, like)
}

/// The float function a lookup table applies (QLinearSigmoid,
/// QLinearLeakyRelu and the QDQ groups of elementwise unary ops). Each is
/// evaluated in f32 with the formula and operation order of onnxruntime's
/// CPU kernel for the op, so the table holds the value its float path
/// computes between the DequantizeLinear and the QuantizeLinear. Only
/// functions made of exactly rounded f32 operations (+, *, min, max, sign)
/// are here: transcendental ones (Tanh, Exp, Erf, ...) differ between
/// libm, our JIT and onnxruntime's approximations, and stay float.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TableFn {
    /// onnxruntime's logistic (MLAS): a rational approximation in f32.
    Sigmoid,
    /// `v >= 0 ? v : alpha * v` in f32.
    LeakyRelu(f32),
    /// `max(v, 0)`.
    Relu,
    /// `min(max(v, lo), hi)` (onnxruntime's Clip: the lower bound first).
    Clip(f32, f32),
    /// `max(0, min(1, alpha * v + beta))` in f32 (no fused multiply-add).
    HardSigmoid(f32, f32),
    /// `v * HardSigmoid(v)` with alpha = f32(1/6) and beta = 0.5.
    HardSwish,
    /// `|v|`.
    Abs,
    /// `-v`.
    Neg,
}

/// MLAS's logistic as onnxruntime computes it on x86-64 with FMA3 (its
/// `MlasLogisticKernelFma3`, the kernel it picks on any AVX2 machine): the
/// input clamped to [-18, 18], odd and even polynomials in `x^2` by fused
/// multiply-adds, `p / q + 0.5` clamped to [0, 1]; all in f32. (Its SSE2
/// kernel rounds each product separately, which moves a few values by one
/// unit in the last place.)
fn mlas_logistic(x: f32) -> f32 {
    // MLAS's constants as written (each literal rounds to its nearest f32).
    #[allow(clippy::excessive_precision)]
    const ALPHA: [f32; 5] = [
        4.37031012579801e-11,
        1.15627324459942e-07,
        6.08574864600143e-05,
        8.51377133304701e-03,
        2.48287947061529e-01,
    ];
    #[allow(clippy::excessive_precision)]
    const BETA: [f32; 6] = [
        6.10247389755681e-13,
        5.76102136993427e-09,
        6.29106785017040e-06,
        1.70198817374094e-03,
        1.16817656904453e-01,
        9.93151921023180e-01,
    ];
    let v = x.clamp(-18.0, 18.0);
    let v2 = v * v;
    let p = ALPHA[1..]
        .iter()
        .fold(ALPHA[0], |acc, &a| acc.mul_add(v2, a))
        * v;
    let q = BETA[1..].iter().fold(BETA[0], |acc, &b| acc.mul_add(v2, b));
    (p / q + 0.5).clamp(0.0, 1.0)
}

/// onnxruntime's order: the min with 1 first, then the max with 0.
#[allow(clippy::manual_clamp)]
fn hard_sigmoid(v: f32, alpha: f32, beta: f32) -> f32 {
    (alpha * v + beta).min(1.0).max(0.0)
}

impl TableFn {
    fn apply(self, v: f32) -> f32 {
        match self {
            TableFn::Sigmoid => mlas_logistic(v),
            TableFn::LeakyRelu(alpha) => {
                if v >= 0.0 {
                    v
                } else {
                    alpha * v
                }
            }
            TableFn::Relu => v.max(0.0),
            TableFn::Clip(lo, hi) => v.max(lo).min(hi),
            TableFn::HardSigmoid(alpha, beta) => hard_sigmoid(v, alpha, beta),
            TableFn::HardSwish => v * hard_sigmoid(v, 1.0 / 6.0, 0.5),
            TableFn::Abs => v.abs(),
            TableFn::Neg => -v,
        }
    }

    /// The op the table stands for, and whether onnxruntime fuses its QDQ
    /// group into a QLinear op (else it runs the float op between DQ and Q).
    pub(crate) fn op(self) -> (&'static str, bool) {
        match self {
            TableFn::Sigmoid => ("QLinearSigmoid", true),
            TableFn::LeakyRelu(_) => ("QLinearLeakyRelu", true),
            TableFn::Relu => ("Relu", false),
            TableFn::Clip(..) => ("Clip", false),
            TableFn::HardSigmoid(..) => ("HardSigmoid", false),
            TableFn::HardSwish => ("HardSwish", false),
            TableFn::Abs => ("Abs", false),
            TableFn::Neg => ("Neg", false),
        }
    }
}

/// onnxruntime's lookup table (`QlinearBuildLookupTable`) for the codes of
/// 8-bit type `dtype`, ordered by value (`lo..=hi`): each code dequantized
/// in f32 (`sx * (code - zx)`), `f` applied, quantized as MLAS does
/// (`v / sy` rounded half to even, `+ zy`, saturated).
pub(crate) fn lookup_table(
    dtype: DType,
    sx: f32,
    zx: i32,
    sy: f32,
    zy: i32,
    f: TableFn,
) -> Vec<i64> {
    let (lo, hi) = if dtype == DType::I8 {
        (-128, 127)
    } else {
        (0, 255)
    };
    (lo..=hi)
        .map(|code: i32| {
            let x = sx * (code - zx) as f32;
            let r = (f.apply(x) / sy).round_ties_even() + zy as f32;
            r.clamp(lo as f32, hi as f32) as i64
        })
        .collect()
}

/// The value of a one-element constant, if `v` is one.
fn constant_scalar(ctx: &MapCtx, v: ValueId) -> Option<f64> {
    let t = ctx.const_of(v)?;
    match t.to_f64s()[..] {
        [x] => Some(x),
        _ => None,
    }
}

/// QLinearSigmoid / QLinearLeakyRelu as onnxruntime computes them: a
/// 256-entry table built here from the constant scales and zero points,
/// then a Gather of it by the 8-bit codes (i8 codes shifted by 128).
/// `None` when a scale or zero point is not a constant, the scales are not
/// f32, or the types are not one 8-bit type.
pub(crate) fn table_form(
    ctx: &mut MapCtx,
    x: &Quantized,
    y: &Quantized,
    f: TableFn,
) -> Result<Option<ValueId>> {
    let dtype = ctx.ty(x.x).dtype;
    if !matches!(dtype, DType::I8 | DType::U8)
        || y.zero.is_some_and(|z| ctx.ty(z).dtype != dtype)
        || ctx.ty(x.scale).dtype != DType::F32
        || ctx.ty(y.scale).dtype != DType::F32
    {
        return Ok(None);
    }
    let zero = |z: Option<ValueId>| match z {
        Some(z) => constant_scalar(ctx, z),
        None => Some(0.0),
    };
    let (Some(sx), Some(zx), Some(sy), Some(zy)) = (
        constant_scalar(ctx, x.scale),
        zero(x.zero),
        constant_scalar(ctx, y.scale),
        zero(y.zero),
    ) else {
        return Ok(None);
    };
    let values = lookup_table(dtype, sx as f32, zx as i32, sy as f32, zy as i32, f);
    let table = ctx.constant(o2l_canon::Tensor::from_i64s(dtype, vec![256], &values)?)?;
    let mut index = ctx.cast(x.x, DType::I32)?;
    if dtype == DType::I8 {
        let shift = ctx.scalar(DType::I32, 128.0)?;
        index = ctx.binary(Binary::Add, index, shift)?;
    }
    ctx.emit1(
        Op::Movement(o2l_canon::ops::Movement::Gather { axis: 0 }),
        &[table, index],
    )
    .map(Some)
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn the_logistic_table_matches_onnxruntimes_for_a_known_case() {
        // sx 0.05, zx 128, sy 1/256, zy 0 (u8): sigmoid of the dequantized
        // code, times 256, rounded half to even and saturated at 255.
        let t = lookup_table(DType::U8, 0.05, 128, 1.0 / 256.0, 0, TableFn::Sigmoid);
        assert_eq!(t.len(), 256);
        assert_eq!(t[128], 128);
        assert_eq!(t[0], 0);
        assert_eq!(t[255], 255);
        for (code, &q) in t.iter().enumerate() {
            let x = 0.05 * (code as f64 - 128.0);
            let exact = 256.0 / (1.0 + (-x).exp());
            assert!(
                (q as f64 - exact.min(255.0)).abs() <= 0.5 + 1e-3,
                "{code}: {q} vs {exact}"
            );
        }
    }

    #[test]
    fn the_leaky_relu_table_scales_negatives_by_alpha() {
        let t = lookup_table(DType::I8, 0.1, 0, 0.1, 0, TableFn::LeakyRelu(0.5));
        // Code -10 (index 118): -1.0 * 0.5 / 0.1 = -5; code 7 (index 135): 7.
        assert_eq!(t[118], -5);
        assert_eq!(t[135], 7);
        assert_eq!(t[0], -64);
    }

    #[test]
    fn the_hard_swish_and_hard_sigmoid_tables_follow_the_f32_formulas() {
        // u8, sx 0.05, zx 128, sy 0.01, zy 0: code 188 is 3.0, so
        // HardSwish = 3 * min(1, 3/6 + 0.5) = 3.0 -> 255 (saturated);
        // code 148 is 1.0: 1 * (1/6 + 0.5) = 0.6666667 -> 67; negatives -> 0.
        let t = lookup_table(DType::U8, 0.05, 128, 0.01, 0, TableFn::HardSwish);
        assert_eq!((t[188], t[148], t[100]), (255, 67, 0));
        // HardSigmoid(0.2, 0.5) of code 138 (0.5): 0.6 -> 60; of 0: 0.
        let t = lookup_table(
            DType::U8,
            0.05,
            128,
            0.01,
            0,
            TableFn::HardSigmoid(0.2, 0.5),
        );
        assert_eq!((t[138], t[0], t[255]), (60, 0, 100));
        // Clip to [-0.5, 0.25] in s8 (sx = sy = 0.05): codes -10 and 5.
        let t = lookup_table(DType::I8, 0.05, 0, 0.05, 0, TableFn::Clip(-0.5, 0.25));
        assert_eq!((t[0], t[128], t[255]), (-10, 0, 5));
        let t = lookup_table(DType::I8, 0.05, 0, 0.05, 0, TableFn::Neg);
        assert_eq!((t[0], t[255]), (127, -127));
    }
}
