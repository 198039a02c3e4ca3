//! The narrow element types (float8, float4, e8m0, int4, int2): one element
//! per byte in host layout and in MLIR (as `i8` storage), with the bit
//! layouts of the ONNX spec. This module is the reference codec on the host;
//! the lowering emits the same arithmetic in MLIR (`lower/narrow.rs`).
use crate::DType;

/// A small float format: sign bit (unless unsigned), `exp` exponent bits,
/// `man` mantissa bits, exponent `bias`, and how it spells inf and NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MiniFloat {
    pub exp: u32,
    pub man: u32,
    pub bias: i32,
    /// All-ones exponent with zero mantissa is infinity (E5M2).
    pub has_inf: bool,
    /// NaN is the negative-zero code 0x80 (the FNUZ formats).
    pub nan_is_neg_zero: bool,
    /// Largest finite magnitude code (sign bit clear).
    pub max_code: u8,
    /// No NaN at all (float4e2m1): NaN converts to this code.
    pub no_nan: bool,
}

/// The bit layout of a narrow float type, None for the other types.
pub fn mini_float(d: DType) -> Option<MiniFloat> {
    let f = |exp, man, bias, has_inf, fnuz, max_code, no_nan| MiniFloat {
        exp,
        man,
        bias,
        has_inf,
        nan_is_neg_zero: fnuz,
        max_code,
        no_nan,
    };
    Some(match d {
        DType::F8E4M3FN => f(4, 3, 7, false, false, 0x7E, false),
        DType::F8E4M3FNUZ => f(4, 3, 8, false, true, 0x7F, false),
        DType::F8E5M2 => f(5, 2, 15, true, false, 0x7B, false),
        DType::F8E5M2FNUZ => f(5, 2, 16, false, true, 0x7F, false),
        DType::F4E2M1 => f(2, 1, 1, false, false, 0x7, true),
        _ => return None,
    })
}

impl MiniFloat {
    fn sign_bit(&self) -> u8 {
        1 << (self.exp + self.man)
    }
    fn nan_code(&self) -> u8 {
        if self.nan_is_neg_zero {
            0x80
        } else if self.no_nan {
            // float4e2m1 has none; ONNX's reference yields -0 (0x8).
            self.sign_bit()
        } else {
            // All ones below the sign.
            self.sign_bit() - 1
        }
    }
    fn inf_code(&self) -> u8 {
        ((1u8 << self.exp) - 1) << self.man
    }

    /// The value of a code.
    pub fn decode(&self, code: u8) -> f64 {
        let sign_bit = self.sign_bit();
        let code = code & (sign_bit | (sign_bit - 1));
        if !self.no_nan && code == self.nan_code() {
            return f64::NAN;
        }
        if self.nan_is_neg_zero && code == 0x80 {
            return f64::NAN;
        }
        let negative = code & sign_bit != 0;
        let mag = code & (sign_bit - 1);
        if !self.nan_is_neg_zero && !self.no_nan && mag == sign_bit - 1 {
            return f64::NAN;
        }
        let e = (mag >> self.man) as i32;
        let m = (mag & ((1 << self.man) - 1)) as f64;
        let value = if self.has_inf && e == (1 << self.exp) - 1 {
            if m == 0.0 { f64::INFINITY } else { f64::NAN }
        } else if e == 0 {
            m * 2f64.powi(1 - self.bias - self.man as i32)
        } else {
            (1.0 + m / f64::from(1u32 << self.man)) * 2f64.powi(e - self.bias)
        };
        if negative { -value } else { value }
    }

    /// The code of `x`, rounded to nearest even; out-of-range values clamp to
    /// the largest finite code when `saturate` (always for formats without
    /// inf or NaN), else become inf (E5M2) or NaN.
    pub fn encode(&self, x: f64, saturate: bool) -> u8 {
        let sign = if x.is_sign_negative() {
            self.sign_bit()
        } else {
            0
        };
        if x.is_nan() {
            return self.nan_code();
        }
        let a = x.abs();
        let saturate = saturate || self.no_nan;
        let overflow = |s: &Self| -> u8 {
            if saturate {
                sign | s.max_code
            } else if s.has_inf {
                sign | s.inf_code()
            } else {
                s.nan_code()
            }
        };
        if a.is_infinite() {
            return overflow(self);
        }
        // Round to the step of a's binade (the subnormal step below the
        // normal range), half to even; the code is the binade's offset above
        // the first one, then the steps (a carry moves into the exponent).
        let mut mag: u64 = 0;
        if a > 0.0 {
            let emin = 1 - self.bias;
            let (e, _) = frexp(a);
            let eb = (e - 1).max(emin);
            let binade = (eb - emin) as u64;
            if binade > 40 {
                return overflow(self);
            }
            let q = round_half_even(a / 2f64.powi(eb - self.man as i32)) as u64;
            mag = (binade << self.man) + q;
        }
        if mag > u64::from(self.max_code) {
            return overflow(self);
        }
        let mag = mag as u8;
        if mag == 0 && self.nan_is_neg_zero {
            return 0;
        }
        sign | mag
    }
}

/// `(e, m)` with `x = m * 2^e`, `0.5 <= m < 1` for positive finite `x`.
fn frexp(x: f64) -> (i32, f64) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7FF) as i32;
    if exp == 0 {
        // Subnormal f64: scale up first.
        let (e, m) = frexp(x * 2f64.powi(64));
        return (e - 64, m);
    }
    let e = exp - 1022;
    let m = f64::from_bits((bits & !(0x7FF << 52)) | (1022 << 52));
    (e, m)
}

fn round_half_even(v: f64) -> f64 {
    let r = v.round();
    if (v - v.trunc()).abs() == 0.5 && r % 2.0 != 0.0 {
        r - v.signum()
    } else {
        r
    }
}

/// How float8e8m0 (a bare power of two) rounds a value's mantissa away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum E8M0Round {
    /// Any fraction bumps the exponent (ONNX's default).
    #[default]
    Up,
    Down,
    Nearest,
}

/// float8e8m0 code of `x` (its f32 exponent, rounded), as ONNX defines it:
/// NaN and inf give 0xFF; `saturate` keeps rounding from passing 0xFE.
pub fn e8m0_encode(x: f64, saturate: bool, round: E8M0Round) -> u8 {
    let bits = (x as f32).to_bits();
    let exp = (bits >> 23) & 0xFF;
    if exp == 0xFF {
        return 0xFF;
    }
    let up = match round {
        E8M0Round::Down => false,
        E8M0Round::Up => bits & 0x7F_FFFF != 0,
        E8M0Round::Nearest => {
            let g = bits & 0x40_0000 != 0;
            let r = bits & 0x20_0000 != 0;
            let s = bits & 0x1F_FFFF != 0;
            let lsb = exp > 0;
            g && (r || s || lsb)
        }
    };
    let up = up && !(saturate && exp == 0xFE);
    (exp + u32::from(up)) as u8
}

/// Value of a float8e8m0 code: 2^(code - 127); 0xFF is NaN.
pub fn e8m0_decode(code: u8) -> f64 {
    if code == 0xFF {
        f64::NAN
    } else {
        2f64.powi(i32::from(code) - 127)
    }
}

/// Bits of the narrow integer types (4 or 2), None for the others.
pub fn narrow_int_bits(d: DType) -> Option<(u32, bool)> {
    match d {
        DType::I4 => Some((4, true)),
        DType::U4 => Some((4, false)),
        DType::I2 => Some((2, true)),
        DType::U2 => Some((2, false)),
        _ => None,
    }
}

/// The low `bits` of `v`, sign- or zero-extended: the wrapping cast ONNX's
/// reference applies to int4/int2 targets.
pub fn wrap_int(v: i64, bits: u32, signed: bool) -> i64 {
    let m = v & ((1i64 << bits) - 1);
    if signed && m >= 1i64 << (bits - 1) {
        m - (1i64 << bits)
    } else {
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float8_codes_round_to_nearest_even_and_saturate() {
        let e4 = mini_float(DType::F8E4M3FN).unwrap();
        assert_eq!(e4.decode(0x7E), 448.0);
        assert!(e4.decode(0x7F).is_nan());
        assert_eq!(e4.encode(1e6, true), 0x7E);
        assert_eq!(e4.encode(f64::INFINITY, true), 0x7E);
        assert!(e4.decode(e4.encode(1e6, false)).is_nan());
        assert_eq!(e4.decode(e4.encode(0.478_925_47, true)), 0.468_75);
        assert_eq!(e4.decode(e4.encode(0.722_903_79, true)), 0.75);
        assert_eq!(e4.encode(1e-7, true), 0);
        // Smallest subnormal 2^-9; half of it rounds to even (0).
        assert_eq!(e4.encode(2f64.powi(-9), true), 1);
        assert_eq!(e4.encode(2f64.powi(-10), true), 0);
        assert_eq!(e4.encode(3.0 * 2f64.powi(-10), true), 2);
        let e5 = mini_float(DType::F8E5M2).unwrap();
        assert_eq!(e5.decode(0x7B), 57344.0);
        assert_eq!(e5.decode(e5.encode(1e6, false)), f64::INFINITY);
        assert_eq!(e5.decode(e5.encode(-1e6, true)), -57344.0);
        assert_eq!(e5.decode(e5.encode(0.819_105_45, true)), 0.875);
        let uz = mini_float(DType::F8E4M3FNUZ).unwrap();
        assert_eq!(uz.encode(-0.0, true), 0);
        assert!(uz.decode(0x80).is_nan());
        assert_eq!(uz.decode(0x7F), 240.0);
        for d in [
            DType::F8E4M3FN,
            DType::F8E4M3FNUZ,
            DType::F8E5M2,
            DType::F8E5M2FNUZ,
        ] {
            let f = mini_float(d).unwrap();
            for c in 0..=255u8 {
                let v = f.decode(c);
                if v.is_finite() && !(v == 0.0 && c & 0x80 != 0) {
                    assert_eq!(f.encode(v, false), c, "{d} code {c:#x} ({v})");
                }
            }
        }
    }

    #[test]
    fn float4_saturates_and_has_no_nan() {
        let f4 = mini_float(DType::F4E2M1).unwrap();
        let vals: Vec<f64> = [0.48, 0.25, 1.05, -3.5, -8.0, 9.0, 1e6, 1e-7, f64::INFINITY]
            .iter()
            .map(|&x| f4.decode(f4.encode(x, false)))
            .collect();
        assert_eq!(vals, [0.5, 0.0, 1.0, -4.0, -6.0, 6.0, 6.0, 0.0, 6.0]);
        assert_eq!(f4.decode(f4.encode(f64::NAN, true)), 0.0);
    }

    #[test]
    fn e8m0_and_narrow_ints() {
        assert_eq!(e8m0_encode(1.0, true, E8M0Round::Up), 127);
        assert_eq!(e8m0_encode(1.5, true, E8M0Round::Up), 128);
        assert_eq!(e8m0_encode(1.5, true, E8M0Round::Down), 127);
        assert_eq!(e8m0_decode(128), 2.0);
        assert_eq!(wrap_int(-9, 4, true), 7);
        assert_eq!(wrap_int(-3, 2, false), 1);
        assert_eq!(wrap_int(8, 4, true), -8);
    }
}
