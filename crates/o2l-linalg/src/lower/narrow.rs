//! Conversions of the narrow element types, which live as one `i8` each:
//! float8/float4 codes and e8m0 exponents decoded to f32 and encoded from
//! f32 with integer arithmetic on the bits (LLVM has no such float types),
//! int4/int2 values wrapped to their width. `o2l_canon::narrow` is the host
//! reference the tests compare with.
use super::ir::{Ctx, Val};
use o2l_canon::narrow::{E8M0Round, MiniFloat, mini_float};
use o2l_canon::{DType, Result};

type V<'c, 'b> = Val<'c, 'b>;

fn i32c<'c, 'b>(b: &Ctx<'c, 'b>, v: i64) -> Result<V<'c, 'b>> {
    b.scalar_int(DType::I32, v)
}

fn not<'c, 'b>(b: &Ctx<'c, 'b>, v: V<'c, 'b>) -> Result<V<'c, 'b>> {
    let t = b.scalar_int(DType::Bool, 1)?;
    b.bin("arith.xori", v, t)
}

fn format_of(d: DType) -> Result<MiniFloat> {
    mini_float(d).ok_or_else(|| {
        o2l_canon::Error::internal(format!(
            "{d} is not a narrow float with sign, exponent and mantissa"
        ))
    })
}

/// The f32 value of a narrow float code (an `i8`).
pub(crate) fn decode<'c, 'b>(b: &Ctx<'c, 'b>, x: V<'c, 'b>, from: DType) -> Result<V<'c, 'b>> {
    let i32t = b.elem(DType::I32)?;
    let f32t = b.elem(DType::F32)?;
    let c = b.op1("arith.extui", &[x], i32t, &[])?;
    if from == DType::F8E8M0 {
        // 2^(c - 127): the f32 exponent field, or the subnormal 2^-127 for 0.
        let bits = b.bin("arith.shli", c, i32c(b, 23)?)?;
        let zero = i32c(b, 0)?;
        let is_zero = b.cmpi(0, c, zero)?;
        let bits = b.select(is_zero, i32c(b, 0x0040_0000)?, bits)?;
        let v = b.op1("arith.bitcast", &[bits], f32t, &[])?;
        let is_nan = b.cmpi(0, c, i32c(b, 0xFF)?)?;
        let nan = b.scalar(DType::F32, f64::NAN)?;
        return b.select(is_nan, nan, v);
    }
    let f = format_of(from)?;
    let width = f.exp + f.man;
    let man_mask = i32c(b, (1 << f.man) - 1)?;
    let sign = b.bin("arith.shrui", c, i32c(b, i64::from(width))?)?;
    let sign = b.bin("arith.andi", sign, i32c(b, 1)?)?;
    let mag = b.bin("arith.andi", c, i32c(b, (1 << width) - 1)?)?;
    let e = b.bin("arith.shrui", mag, i32c(b, i64::from(f.man))?)?;
    let m = b.bin("arith.andi", mag, man_mask)?;
    // Normal: rebias the exponent and widen the mantissa into f32 bits.
    let rebias = b.bin("arith.addi", e, i32c(b, i64::from(127 - f.bias))?)?;
    let hi = b.bin("arith.shli", rebias, i32c(b, 23)?)?;
    let lo = b.bin("arith.shli", m, i32c(b, i64::from(23 - f.man))?)?;
    let normal = b.bin("arith.ori", hi, lo)?;
    let normal = b.op1("arith.bitcast", &[normal], f32t, &[])?;
    // Subnormal: m * 2^(1 - bias - man), exact in f32.
    let mf = b.op1("arith.sitofp", &[m], f32t, &[])?;
    let unit = b.scalar(DType::F32, 2f64.powi(1 - f.bias - f.man as i32))?;
    let sub = b.bin("arith.mulf", mf, unit)?;
    let zero = i32c(b, 0)?;
    let is_sub = b.cmpi(0, e, zero)?;
    let mut v = b.select(is_sub, sub, normal)?;
    if f.has_inf {
        let top = i32c(b, (1 << f.exp) - 1)?;
        let at_top = b.cmpi(0, e, top)?;
        let m_zero = b.cmpi(0, m, zero)?;
        let inf = b.scalar(DType::F32, f64::INFINITY)?;
        let nan = b.scalar(DType::F32, f64::NAN)?;
        let special = b.select(m_zero, inf, nan)?;
        v = b.select(at_top, special, v)?;
    }
    let neg = b.un("arith.negf", v)?;
    let negative = b.cmpi(1, sign, zero)?;
    v = b.select(negative, neg, v)?;
    if f.nan_is_neg_zero {
        let is_nan = b.cmpi(0, c, i32c(b, 0x80)?)?;
        let nan = b.scalar(DType::F32, f64::NAN)?;
        v = b.select(is_nan, nan, v)?;
    } else if !f.no_nan && !f.has_inf {
        let all = i32c(b, (1 << width) - 1)?;
        let is_nan = b.cmpi(0, mag, all)?;
        let nan = b.scalar(DType::F32, f64::NAN)?;
        v = b.select(is_nan, nan, v)?;
    }
    Ok(v)
}

/// The narrow float code (an `i8`) of an f32, rounded to nearest even, as
/// `o2l_canon::narrow::MiniFloat::encode` and `e8m0_encode` define it.
pub(crate) fn encode<'c, 'b>(
    b: &Ctx<'c, 'b>,
    x: V<'c, 'b>,
    to: DType,
    saturate: bool,
    e8m0: E8M0Round,
) -> Result<V<'c, 'b>> {
    let i32t = b.elem(DType::I32)?;
    let i8t = b.elem(DType::I8)?;
    let bits = b.op1("arith.bitcast", &[x], i32t, &[])?;
    let exp = b.bin("arith.shrui", bits, i32c(b, 23)?)?;
    let exp = b.bin("arith.andi", exp, i32c(b, 0xFF)?)?;
    if to == DType::F8E8M0 {
        let frac = b.bin("arith.andi", bits, i32c(b, 0x7F_FFFF)?)?;
        let zero = i32c(b, 0)?;
        let up = match e8m0 {
            E8M0Round::Down => None,
            E8M0Round::Up => Some(b.cmpi(1, frac, zero)?),
            E8M0Round::Nearest => {
                let bit = |mask: i64| -> Result<V<'c, 'b>> {
                    let v = b.bin("arith.andi", bits, i32c(b, mask)?)?;
                    b.cmpi(1, v, zero)
                };
                let (g, r, s) = (bit(0x40_0000)?, bit(0x20_0000)?, bit(0x1F_FFFF)?);
                let lsb = b.cmpi(1, exp, zero)?;
                let any = b.bin("arith.ori", r, s)?;
                let any = b.bin("arith.ori", any, lsb)?;
                Some(b.bin("arith.andi", g, any)?)
            }
        };
        let mut code = exp;
        if let Some(up) = up {
            let special = b.cmpi(0, exp, i32c(b, 0xFF)?)?;
            let not_special = not(b, special)?;
            let mut up = b.bin("arith.andi", up, not_special)?;
            if saturate {
                let at_max = b.cmpi(0, exp, i32c(b, 0xFE)?)?;
                let below = not(b, at_max)?;
                up = b.bin("arith.andi", up, below)?;
            }
            let one = i32c(b, 1)?;
            let bumped = b.bin("arith.addi", exp, one)?;
            code = b.select(up, bumped, exp)?;
        }
        return b.op1("arith.trunci", &[code], i8t, &[]);
    }
    let f = format_of(to)?;
    let saturate = saturate || f.no_nan;
    let width = f.exp + f.man;
    let zero = i32c(b, 0)?;
    let sign = b.bin("arith.shrui", bits, i32c(b, 31)?)?;
    let abs = b.bin("arith.andi", bits, i32c(b, 0x7FFF_FFFF)?)?;
    let inf_bits = i32c(b, 0x7F80_0000)?;
    let is_nan = b.cmpi(8, abs, inf_bits)?; // ugt
    let is_inf = b.cmpi(0, abs, inf_bits)?;
    // a = sig * 2^(e2 - 23); its binade eb = max(e2, emin) and the steps of
    // 2^(eb - man) in it: q = sig >> s, s = 23 - man + eb - e2, half to even.
    let emin = 1 - f.bias;
    let e2 = b.bin("arith.subi", exp, i32c(b, 127)?)?;
    let eminv = i32c(b, i64::from(emin))?;
    let eb = b.bin("arith.maxsi", e2, eminv)?;
    let m32 = b.bin("arith.andi", abs, i32c(b, 0x7F_FFFF)?)?;
    let sig = b.bin("arith.ori", m32, i32c(b, 0x80_0000)?)?;
    let gap = b.bin("arith.subi", eb, e2)?;
    let s = b.bin("arith.addi", gap, i32c(b, i64::from(23 - f.man))?)?;
    let s = b.bin("arith.minsi", s, i32c(b, 31)?)?;
    let one = i32c(b, 1)?;
    let half = b.bin("arith.shli", one, b.bin("arith.subi", s, one)?)?;
    let half_minus = b.bin("arith.subi", half, one)?;
    let kept = b.bin("arith.shrui", sig, s)?;
    let odd = b.bin("arith.andi", kept, one)?;
    let sum = b.bin("arith.addi", sig, half_minus)?;
    let sum = b.bin("arith.addi", sum, odd)?;
    let q = b.bin("arith.shrui", sum, s)?;
    let binade = b.bin("arith.subi", eb, eminv)?;
    let far = b.cmpi(4, binade, i32c(b, 40)?)?; // sgt
    let binade = b.bin("arith.minsi", binade, i32c(b, 40)?)?;
    let hi = b.bin("arith.shli", binade, i32c(b, i64::from(f.man))?)?;
    let mag = b.bin("arith.addi", hi, q)?;
    // f32 zeros and subnormals are far below every narrow format's range.
    let tiny = b.cmpi(0, exp, zero)?;
    let mag = b.select(tiny, zero, mag)?;
    let max = i32c(b, i64::from(f.max_code))?;
    let over = b.cmpi(8, mag, max)?; // ugt
    let over = b.bin("arith.ori", over, far)?;
    let over = b.bin("arith.ori", over, is_inf)?;
    let sign_bit = b.bin("arith.shli", sign, i32c(b, i64::from(width))?)?;
    let nan_code = if f.nan_is_neg_zero {
        0x80
    } else if f.no_nan {
        1 << width
    } else {
        (1 << width) - 1
    };
    let nan = i32c(b, nan_code)?;
    let overflowed = if saturate {
        b.bin("arith.ori", sign_bit, max)?
    } else if f.has_inf {
        let inf = i32c(b, (((1 << f.exp) - 1) << f.man) as i64)?;
        b.bin("arith.ori", sign_bit, inf)?
    } else {
        nan
    };
    let signed = b.bin("arith.ori", sign_bit, mag)?;
    let code = if f.nan_is_neg_zero {
        // No negative zero: 0x80 is NaN.
        let is_zero = b.cmpi(0, mag, zero)?;
        b.select(is_zero, zero, signed)?
    } else {
        signed
    };
    let code = b.select(over, overflowed, code)?;
    let code = b.select(is_nan, nan, code)?;
    b.op1("arith.trunci", &[code], i8t, &[])
}

/// An i64 wrapped to `bits` (4 or 2) and sign- or zero-extended into an `i8`.
pub(crate) fn wrap<'c, 'b>(b: &Ctx<'c, 'b>, x: V<'c, 'b>, to: DType) -> Result<V<'c, 'b>> {
    let (bits, signed) = o2l_canon::narrow::narrow_int_bits(to)
        .ok_or_else(|| o2l_canon::Error::internal(format!("{to} is not a narrow int type")))?;
    let i8t = b.elem(DType::I8)?;
    let v = b.op1("arith.trunci", &[x], i8t, &[])?;
    let shift = b.scalar_int(DType::I8, i64::from(8 - bits))?;
    let up = b.bin("arith.shli", v, shift)?;
    b.bin(
        if signed { "arith.shrsi" } else { "arith.shrui" },
        up,
        shift,
    )
}
