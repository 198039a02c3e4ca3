//! Elementwise ops: each supplies only its scalar body to the broadcasting
//! `elementwise` helper. Ints use the int ops (signed or unsigned flavour).
use super::ir::{Ctx, Operand, Val};
use melior::ir::ValueLike;
use o2l_canon::narrow::E8M0Round;
use o2l_canon::ops::{Binary, Compare, Elementwise, Unary};
use o2l_canon::{DType, Error, Result, Tensor, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Elementwise,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = ins[0].1.dtype;
    match op {
        Elementwise::Unary(u) => {
            check_unary(u, d)?;
            if u.bool_result() {
                // Tests on the operand's own type (exact for f16/bf16 too).
                return cx.elementwise(&ins[..1], out, &[], |b, x, _| unary(b, u, d, x[0]));
            }
            cx.elementwise(&ins[..1], out, &[], |b, x, _| {
                widened(b, d, x, |b, w, x| unary(b, u, w, x[0]))
            })
        }
        Elementwise::Compare(c) => {
            let c = *c;
            cx.elementwise(&ins[..2], out, &[], move |b, x, _| {
                let (d, x, y) = if matches!(d, DType::F16 | DType::BF16) {
                    let f = DType::F32;
                    (f, cast(b, x[0], d, f)?, cast(b, x[1], d, f)?)
                } else {
                    (d, x[0], x[1])
                };
                compare(b, c, d, x, y)
            })
        }
        Elementwise::Select => {
            cx.elementwise(&ins[..3], out, &[], |b, x, _| b.select(x[0], x[1], x[2]))
        }
        Elementwise::Binary(op) => {
            let op = *op;
            if op == Binary::Pow && d.is_unsigned_int() {
                o2l_canon::bail!(Unsupported, "Pow of unsigned {d} elements");
            }
            cx.elementwise(&ins[..2], out, &[], move |b, x, _| {
                widened(b, d, x, |b, w, x| binary(b, op, w, x[0], x[1]))
            })
        }
        Elementwise::BitCast { to } => {
            let to = *to;
            if cx.elem(to)? == cx.elem(d)? {
                // Same MLIR type (signedness only): the value is the bits.
                return Ok(ins[0].0);
            }
            cx.elementwise(&ins[..1], out, &[], move |b, x, _| {
                let t = b.elem(to)?;
                if d == DType::Bool {
                    b.op1("arith.extui", &[x[0]], t, &[])
                } else if to == DType::Bool {
                    let z = b.scalar_int(d, 0)?;
                    b.cmpi(1, x[0], z)
                } else {
                    b.op1("arith.bitcast", &[x[0]], t, &[])
                }
            })
        }
        Elementwise::Cast { to, saturate, e8m0 } => {
            let (to, saturate, e8m0) = (*to, *saturate, *e8m0);
            if to == d {
                return Ok(ins[0].0);
            }
            cx.elementwise(&ins[..1], out, &[], move |b, x, _| {
                cast_with(b, x[0], d, to, saturate, e8m0)
            })
        }
    }
}

/// Runs a scalar body on f16/bf16 operands in f32 (one rounding per op, as the
/// reference computes), other types as they are.
fn widened<'c, 'b>(
    b: &Ctx<'c, 'b>,
    d: DType,
    xs: &[Val<'c, 'b>],
    body: impl FnOnce(&Ctx<'c, 'b>, DType, &[Val<'c, 'b>]) -> Result<Val<'c, 'b>>,
) -> Result<Val<'c, 'b>> {
    if !matches!(d, DType::F16 | DType::BF16) {
        return body(b, d, xs);
    }
    let wide = xs
        .iter()
        .map(|&x| cast(b, x, d, DType::F32))
        .collect::<Result<Vec<_>>>()?;
    let r = body(b, DType::F32, &wide)?;
    cast(b, r, DType::F32, d)
}

/// Runs `body` on the operand converted to f32 when it is f16/bf16 (and the
/// result converted back), so sums and exponentials round once.
pub(crate) fn in_f32<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    out: &TensorType,
    body: impl FnOnce(Operand<'c, 'a, '_>, &TensorType) -> Result<Val<'c, 'a>>,
) -> Result<Val<'c, 'a>> {
    let d = x.1.dtype;
    if !matches!(d, DType::F16 | DType::BF16) || out.dtype != d {
        return body(x, out);
    }
    let xt = TensorType::new(DType::F32, x.1.shape.clone());
    let ot = TensorType::new(DType::F32, out.shape.clone());
    let wide = cx.elementwise(&[x], &xt, &[], move |b, v, _| cast(b, v[0], d, DType::F32))?;
    let r = body((wide, &xt), &ot)?;
    cx.elementwise(&[(r, &ot)], out, &[], move |b, v, _| {
        cast(b, v[0], DType::F32, d)
    })
}

fn check_unary(u: &Unary, d: DType) -> Result<()> {
    if d.is_float() {
        return Ok(());
    }
    if u.float_only() || matches!(u, Unary::LeakyRelu { .. }) {
        o2l_canon::bail!(Unsupported, "{} of {d} elements", u.name());
    }
    Ok(())
}

/// The scalar body of a unary op.
pub(crate) fn unary<'c, 'b>(
    b: &Ctx<'c, 'b>,
    u: &Unary,
    d: DType,
    x: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    if d.is_float() {
        return match u {
            Unary::Neg => b.un("arith.negf", x),
            Unary::Abs => b.un("math.absf", x),
            Unary::Relu => {
                let z = b.scalar(d, 0.0)?;
                b.bin("arith.maximumf", x, z)
            }
            Unary::Sigmoid => {
                let one = b.scalar(d, 1.0)?;
                let n = b.un("arith.negf", x)?;
                let e = b.un("math.exp", n)?;
                let s = b.bin("arith.addf", one, e)?;
                b.bin("arith.divf", one, s)
            }
            Unary::Tanh => b.un("math.tanh", x),
            Unary::Exp => b.un("math.exp", x),
            Unary::Log => b.un("math.log", x),
            Unary::Sqrt => b.un("math.sqrt", x),
            Unary::LeakyRelu { alpha } => {
                let z = b.scalar(d, 0.0)?;
                let a = b.scalar(d, *alpha)?;
                let m = b.bin("arith.mulf", x, a)?;
                let c = b.cmpf(3, x, z)?; // oge
                b.select(c, x, m)
            }
            Unary::Clamp { min, max } => {
                let lo = b.scalar(d, *min)?;
                let hi = b.scalar(d, *max)?;
                let y = b.bin("arith.maximumf", x, lo)?;
                b.bin("arith.minimumf", y, hi)
            }
            Unary::Floor => b.un("math.floor", x),
            Unary::Ceil => b.un("math.ceil", x),
            Unary::Round => b.un("math.roundeven", x),
            Unary::Erf => b.un("math.erf", x),
            Unary::Sin => b.un("math.sin", x),
            Unary::Cos => b.un("math.cos", x),
            Unary::Tan => b.un("math.tan", x),
            Unary::Asin => b.un("math.asin", x),
            Unary::Acos => b.un("math.acos", x),
            Unary::Atan => b.un("math.atan", x),
            Unary::Sinh => b.un("math.sinh", x),
            Unary::Cosh => b.un("math.cosh", x),
            Unary::Asinh => b.un("math.asinh", x),
            Unary::Acosh => b.un("math.acosh", x),
            Unary::Atanh => b.un("math.atanh", x),
            Unary::Sign => {
                // x > 0 ? 1 : (x < 0 ? -1 : x); zero and NaN pass through.
                let z = b.scalar(d, 0.0)?;
                let one = b.scalar(d, 1.0)?;
                let m1 = b.scalar(d, -1.0)?;
                let lt = b.cmpf(4, x, z)?; // olt
                let neg = b.select(lt, m1, x)?;
                let gt = b.cmpf(2, x, z)?; // ogt
                b.select(gt, one, neg)
            }
            Unary::IsNaN => b.cmpf(14, x, x), // uno
            Unary::IsInf { negative, positive } => {
                let mut r = b.scalar_int(DType::Bool, 0)?;
                if *positive {
                    let inf = b.scalar(d, f64::INFINITY)?;
                    let e = b.cmpf(1, x, inf)?; // oeq
                    r = b.bin("arith.ori", r, e)?;
                }
                if *negative {
                    let inf = b.scalar(d, f64::NEG_INFINITY)?;
                    let e = b.cmpf(1, x, inf)?;
                    r = b.bin("arith.ori", r, e)?;
                }
                Ok(r)
            }
            Unary::Not => Err(Error::invalid(format!("Not of {d} elements"))),
        };
    }
    let signed = d.is_signed_int();
    match u {
        Unary::Neg => {
            let z = b.scalar_int(d, 0)?;
            b.bin("arith.subi", z, x)
        }
        Unary::Abs if signed => b.un("math.absi", x),
        Unary::Abs => Ok(x),
        Unary::Relu if signed => {
            let z = b.scalar_int(d, 0)?;
            b.bin("arith.maxsi", x, z)
        }
        Unary::Relu => Ok(x),
        Unary::Clamp { min, max } => {
            let (lo_t, hi_t) = int_range(d);
            let mut y = x;
            if *min > lo_t {
                let lo = b.scalar_int(d, min.ceil() as i64)?;
                y = b.bin(if signed { "arith.maxsi" } else { "arith.maxui" }, y, lo)?;
            }
            if *max < hi_t {
                let hi = b.scalar_int(d, max.floor() as i64)?;
                y = b.bin(if signed { "arith.minsi" } else { "arith.minui" }, y, hi)?;
            }
            Ok(y)
        }
        Unary::Sign => {
            let z = b.scalar_int(d, 0)?;
            let one = b.scalar_int(d, 1)?;
            if signed {
                let m1 = b.scalar_int(d, -1)?;
                let lt = b.cmpi(2, x, z)?; // slt
                let neg = b.select(lt, m1, z)?;
                let gt = b.cmpi(4, x, z)?; // sgt
                b.select(gt, one, neg)
            } else {
                let ne = b.cmpi(1, x, z)?;
                b.select(ne, one, z)
            }
        }
        Unary::Not => {
            let ones = b.scalar_int(d, if d == DType::Bool { 1 } else { -1 })?;
            b.bin("arith.xori", x, ones)
        }
        Unary::Sigmoid
        | Unary::Tanh
        | Unary::Exp
        | Unary::Log
        | Unary::Sqrt
        | Unary::LeakyRelu { .. }
        | Unary::Floor
        | Unary::Ceil
        | Unary::Round
        | Unary::Erf
        | Unary::Sin
        | Unary::Cos
        | Unary::Tan
        | Unary::Asin
        | Unary::Acos
        | Unary::Atan
        | Unary::Sinh
        | Unary::Cosh
        | Unary::Asinh
        | Unary::Acosh
        | Unary::Atanh
        | Unary::IsNaN
        | Unary::IsInf { .. } => Err(Error::unsupported(format!("{} of {d} elements", u.name()))),
    }
}

/// The exponent of a float Pow computed by multiplication: a constant
/// exponent tensor whose elements all hold one integer n with |n| <= 4.
pub(crate) fn small_integral_exponent(y: &Tensor) -> Option<i32> {
    if !y.dtype.is_float() {
        return None;
    }
    let values = y.to_f64s();
    let n = *values.first()?;
    let small = n.fract() == 0.0 && n.abs() <= 4.0;
    (small && values.iter().all(|&v| v == n)).then_some(n as i32)
}

/// `x^n` for a constant integer |n| <= 4 as multiplications: `x*x` (exact, as
/// libm's pow), `(x*x)*x` (PyTorch's own form of `x**3`), `(x*x)*(x*x)`, and
/// one over them for negative n. Right for negative bases, which the
/// `exp(n*log(x))` expansion of `math.powf` and `math.fpowi` that IREE uses
/// turns into NaN. The result has `out`'s shape (the exponent's broadcast
/// included).
pub(crate) fn lower_pow_by_multiplication<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    n: i32,
    x: Operand<'c, 'a, '_>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = x.1.dtype;
    if !d.is_float() || n.abs() > 4 {
        return Err(Error::internal(format!(
            "Pow by multiplication of {d} elements to the power {n}"
        )));
    }
    cx.elementwise(&[x], out, &[], move |b, xs, _| {
        widened(b, d, xs, |b, w, xs| {
            let x = xs[0];
            let p = match n.abs() {
                0 => return b.scalar(w, 1.0),
                1 => x,
                2 => b.bin("arith.mulf", x, x)?,
                3 => b.bin("arith.mulf", b.bin("arith.mulf", x, x)?, x)?,
                _ => {
                    let sq = b.bin("arith.mulf", x, x)?;
                    b.bin("arith.mulf", sq, sq)?
                }
            };
            if n < 0 {
                b.bin("arith.divf", b.scalar(w, 1.0)?, p)
            } else {
                Ok(p)
            }
        })
    })
}

/// Float `x^y` as C's `pow` defines it, negative bases included, from
/// `math.powf` of |x| only: `pow(|x|, y)`, 1 when y is 0 or |x| is 1,
/// negated (copysign from x, so -0 too) when y is an odd integer, NaN when x
/// is finite and negative and y is not an integer. libm's pow satisfies
/// these identities exactly, so on our JIT the values are libm's (bit for
/// bit); IREE expands `math.powf` (and `math.fpowi`) as `exp(y*log(x))`, NaN
/// for every negative x and for 0^0, 1^inf and inf^0. A constant exponent
/// folds the tests away.
fn pow_float<'c, 'b>(
    b: &Ctx<'c, 'b>,
    d: DType,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    let ax = b.un("math.absf", x)?;
    let r = b.bin("math.powf", ax, y)?;
    // pow(x, 0) and pow(1, y) are 1 whatever the other operand (NaN and
    // infinities included), where exp(y*log(x)) gives NaN.
    let zero = b.scalar(d, 0.0)?;
    let one = b.scalar(d, 1.0)?;
    let unit = b.bin("arith.ori", b.cmpf(1, y, zero)?, b.cmpf(1, ax, one)?)?; // oeq
    let r = b.select(unit, one, r)?;
    // y integral (false for NaN; true for infinities, which are even).
    let fy = b.un("math.floor", y)?;
    let integral = b.cmpf(1, fy, y)?; // oeq
    let half = b.scalar(d, 0.5)?;
    let two = b.scalar(d, 2.0)?;
    let even_part = b.bin(
        "arith.mulf",
        b.un("math.floor", b.bin("arith.mulf", y, half)?)?,
        two,
    )?;
    let odd = b.cmpf(1, b.bin("arith.subf", y, even_part)?, one)?; // oeq: false for infinities
    let signed = b.op1("math.copysign", &[r, x], r.r#type(), &[])?;
    let r = b.select(odd, signed, r)?;
    // A finite negative base (-0 and -inf excluded) to a non-integral power.
    let neg_inf = b.scalar(d, f64::NEG_INFINITY)?;
    let negative = b.bin("arith.andi", b.cmpf(4, x, zero)?, b.cmpf(2, x, neg_inf)?)?; // olt, ogt
    let t = b.scalar_int(DType::Bool, 1)?;
    let fractional = b.bin("arith.xori", integral, t)?;
    let bad = b.bin("arith.andi", negative, fractional)?;
    let nan = b.scalar(d, f64::NAN)?;
    b.select(bad, nan, r)
}

/// Value range of an int type, as f64.
fn int_range(d: DType) -> (f64, f64) {
    let bits = d.bit_width() as i32;
    if d.is_signed_int() {
        (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1) - 1.0)
    } else {
        (0.0, 2f64.powi(bits) - 1.0)
    }
}

/// The scalar body of a binary op.
pub(crate) fn binary<'c, 'b>(
    b: &Ctx<'c, 'b>,
    op: Binary,
    d: DType,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    match op {
        Binary::Mod { fmod } => return modulo(b, fmod, d, x, y),
        Binary::ShiftLeft | Binary::ShiftRight => return shift(b, op, d, x, y),
        _ => {}
    }
    let name = if d.is_float() {
        match op {
            Binary::Add => "arith.addf",
            Binary::Sub => "arith.subf",
            Binary::Mul => "arith.mulf",
            Binary::Div => "arith.divf",
            Binary::Max => "arith.maximumf",
            Binary::Min => "arith.minimumf",
            Binary::Pow => return pow_float(b, d, x, y),
            Binary::Mod { .. }
            | Binary::And
            | Binary::Or
            | Binary::Xor
            | Binary::ShiftLeft
            | Binary::ShiftRight => {
                return Err(Error::invalid(format!("{} of {d} elements", op.name())));
            }
        }
    } else {
        let s = d.is_signed_int();
        match op {
            Binary::Add => "arith.addi",
            Binary::Sub => "arith.subi",
            Binary::Mul => "arith.muli",
            Binary::Div if s => "arith.divsi",
            Binary::Div => "arith.divui",
            Binary::Max if s => "arith.maxsi",
            Binary::Max => "arith.maxui",
            Binary::Min if s => "arith.minsi",
            Binary::Min => "arith.minui",
            Binary::Pow if s => "math.ipowi",
            Binary::Pow => {
                return Err(Error::unsupported(format!("Pow of {d} elements")));
            }
            Binary::And => "arith.andi",
            Binary::Or => "arith.ori",
            Binary::Xor => "arith.xori",
            Binary::Mod { .. } | Binary::ShiftLeft | Binary::ShiftRight => {
                return Err(Error::internal("Mod and shifts are lowered apart"));
            }
        }
    };
    b.bin(name, x, y)
}

/// C's `fmod` of two f64 values, exactly, without libm: `arith.remf` on f64
/// becomes a call of `fmod`, which IREE 3.13 does not link. The remainder is
/// always exact, so this gives libm's values (NaN for an infinite `x`, a zero
/// `y` or a NaN operand; `x` itself when |x| < |y|).
///
/// The significands as integers (the implicit bit set for normal numbers,
/// subnormals at exponent 1): `r = mx mod my`, then the exponent difference
/// is shifted in at most 11 bits at a time (`r < my < 2^53`, so `r << 11`
/// fits in 64 bits), `r = (r << k) mod my`, in an `scf.for` of
/// ceil(diff / 11) steps. The result is `r * 2^(ey - 1075)` (exact: an
/// integer below 2^53 times a power of two that the result format holds),
/// put together as bits with the sign of `x`.
fn fmod_f64<'c, 'b>(b: &Ctx<'c, 'b>, x: Val<'c, 'b>, y: Val<'c, 'b>) -> Result<Val<'c, 'b>> {
    let i64t = b.elem(DType::I64)?;
    let f64t = b.elem(DType::F64)?;
    let c = |v: i64| b.scalar_int(DType::I64, v);
    let abs_mask = c(i64::MAX)?;
    let frac_mask = c((1i64 << 52) - 1)?;
    let implicit = c(1i64 << 52)?;
    let c52 = c(52)?;
    let zero = c(0)?;
    let one = c(1)?;
    // |x| and |y| bits, biased exponent and integer significand.
    let parts = |v: Val<'c, 'b>| -> Result<(Val<'c, 'b>, Val<'c, 'b>, Val<'c, 'b>)> {
        let bits = b.op1("arith.bitcast", &[v], i64t, &[])?;
        let abs = b.bin("arith.andi", bits, abs_mask)?;
        let e = b.bin("arith.shrui", abs, c52)?;
        let f = b.bin("arith.andi", abs, frac_mask)?;
        let sub = b.cmpi(0, e, zero)?; // eq
        let m = b.select(sub, f, b.bin("arith.ori", f, implicit)?)?;
        let e = b.select(sub, one, e)?;
        Ok((abs, e, m))
    };
    let (ax, ex, mx) = parts(x)?;
    let (ay, ey, my) = parts(y)?;
    // A zero divisor gives NaN below; keep the remainders defined meanwhile.
    let my_zero = b.cmpi(0, my, zero)?;
    let my = b.select(my_zero, one, my)?;
    let diff = b.bin("arith.subi", ex, ey)?;
    let diff = b.bin("arith.maxsi", diff, zero)?;
    let c11 = c(11)?;
    let steps = b.bin("arith.addi", diff, c(10)?)?;
    let steps = b.bin("arith.divui", steps, c11)?;
    let steps = b.op1("arith.index_cast", &[steps], b.index_type(), &[])?;
    let r0 = b.bin("arith.remui", mx, my)?;
    let out = b.for_range(steps, &[r0, diff], &[my], |bb, _, acc, caps| {
        let (r, left, my) = (acc[0], acc[1], caps[0]);
        let c11 = bb.scalar_int(DType::I64, 11)?;
        let k = bb.bin("arith.minsi", left, c11)?;
        let shifted = bb.bin("arith.shli", r, k)?;
        let r = bb.bin("arith.remui", shifted, my)?;
        let left = bb.bin("arith.subi", left, k)?;
        Ok(vec![r, left])
    })?;
    // r * 2^(ey - 1075) built as bits (no float op: IREE flushes subnormal
    // results of float ops to zero). Normalized, the leading bit moves to
    // bit 52 and the exponent drops by the shift; below exponent 1 the value
    // is subnormal, r << (ey - 1) as it stands.
    let r = out[0];
    let lz = b.un("math.ctlz", r)?;
    let sh = b.bin("arith.subi", lz, c(11)?)?;
    let e = b.bin("arith.subi", ey, sh)?;
    let mant = b.bin("arith.shli", r, sh)?;
    let mant = b.bin("arith.andi", mant, frac_mask)?;
    let normal_bits = b.bin("arith.ori", b.bin("arith.shli", e, c52)?, mant)?;
    let sub_bits = b.bin("arith.shli", r, b.bin("arith.subi", ey, one)?)?;
    let normal = b.cmpi(5, e, one)?; // sge
    let mag = b.select(normal, normal_bits, sub_bits)?;
    // A zero remainder: ctlz is 64, the shifts overflow; zero bits.
    let r_zero = b.cmpi(0, r, zero)?;
    let mag = b.select(r_zero, zero, mag)?;
    let xbits = b.op1("arith.bitcast", &[x], i64t, &[])?;
    let sign = b.bin("arith.andi", xbits, c(i64::MIN)?)?;
    let value = b.op1(
        "arith.bitcast",
        &[b.bin("arith.ori", mag, sign)?],
        f64t,
        &[],
    )?;
    // |x| < |y| (an infinite y among them): x itself.
    let small = b.cmpi(6, ax, ay)?; // ult
    let value = b.select(small, x, value)?;
    // A NaN operand, an infinite x or a zero y: NaN.
    let unordered = b.cmpf(14, x, y)?; // uno
    let inf_x = b.cmpi(0, ax, c(0x7FF0_0000_0000_0000)?)?;
    let zero_y = b.cmpi(0, ay, zero)?;
    let bad = b.bin("arith.ori", unordered, b.bin("arith.ori", inf_x, zero_y)?)?;
    let nan = b.scalar(DType::F64, f64::NAN)?;
    b.select(bad, nan, value)
}

/// `x mod y`: floats truncate (C fmod, `fmod` must be set); ints give 0 for a
/// zero divisor, and without `fmod` take the divisor's sign.
fn modulo<'c, 'b>(
    b: &Ctx<'c, 'b>,
    fmod: bool,
    d: DType,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    if d.is_float() {
        let r = if d == DType::F64 {
            fmod_f64(b, x, y)?
        } else {
            b.bin("arith.remf", x, y)?
        };
        if fmod {
            return Ok(r);
        }
        // r != 0 and sign(r) != sign(y): add y (numpy's mod); a zero result
        // takes the divisor's sign.
        let z = b.scalar(d, 0.0)?;
        let nz = b.cmpf(6, r, z)?; // one
        let rneg = b.cmpf(4, r, z)?; // olt
        let yneg = b.cmpf(4, y, z)?;
        let diff = b.bin("arith.xori", rneg, yneg)?;
        let fix = b.bin("arith.andi", nz, diff)?;
        let ry = b.bin("arith.addf", r, y)?;
        let fixed = b.select(fix, ry, r)?;
        let zs = b.op1("math.copysign", &[z, y], z.r#type(), &[])?;
        let is_zero = b.cmpf(1, r, z)?; // oeq
        return b.select(is_zero, zs, fixed);
    }
    let z = b.scalar_int(d, 0)?;
    let one = b.scalar_int(d, 1)?;
    if !d.is_signed_int() {
        // A zero divisor gives 0 (x rem 1).
        let y0 = b.cmpi(0, y, z)?;
        let ys = b.select(y0, one, y)?;
        return b.bin("arith.remui", x, ys);
    }
    // Divisors 0 and -1 give 0; replacing them with 1 also avoids the trap
    // and the MIN rem -1 overflow.
    let m1 = b.scalar_int(d, -1)?;
    let y0 = b.cmpi(0, y, z)?;
    let ym1 = b.cmpi(0, y, m1)?;
    let bad = b.bin("arith.ori", y0, ym1)?;
    let ys = b.select(bad, one, y)?;
    let r = b.bin("arith.remsi", x, ys)?;
    if fmod {
        return Ok(r);
    }
    // r != 0 and sign(r) != sign(y): add y.
    let nz = b.cmpi(1, r, z)?;
    let sx = b.bin("arith.xori", r, ys)?;
    let diff = b.cmpi(2, sx, z)?; // slt
    let fix = b.bin("arith.andi", nz, diff)?;
    let ry = b.bin("arith.addi", r, ys)?;
    b.select(fix, ry, r)
}

/// Shifts of ints: a shift amount of the bit width or more (as unsigned)
/// gives 0 (or the sign fill for a signed right shift).
fn shift<'c, 'b>(
    b: &Ctx<'c, 'b>,
    op: Binary,
    d: DType,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    if d.is_float() || d == DType::Bool {
        return Err(Error::invalid(format!("{} of {d} elements", op.name())));
    }
    let w = b.scalar_int(d, d.bit_width() as i64)?;
    let too_far = b.cmpi(9, y, w)?; // uge
    let z = b.scalar_int(d, 0)?;
    if op == Binary::ShiftRight && d.is_signed_int() {
        let last = b.scalar_int(d, d.bit_width() as i64 - 1)?;
        let ys = b.select(too_far, last, y)?;
        return b.bin("arith.shrsi", x, ys);
    }
    let ys = b.select(too_far, z, y)?;
    let name = if op == Binary::ShiftLeft {
        "arith.shli"
    } else {
        "arith.shrui"
    };
    let r = b.bin(name, x, ys)?;
    b.select(too_far, z, r)
}

/// The bool result of a comparison; floats are ordered (NaN gives false).
fn compare<'c, 'b>(
    b: &Ctx<'c, 'b>,
    c: Compare,
    d: DType,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    if d.is_float() {
        let p = match c {
            Compare::Equal => 1,
            Compare::Greater => 2,
            Compare::GreaterOrEqual => 3,
            Compare::Less => 4,
            Compare::LessOrEqual => 5,
        };
        return b.cmpf(p, x, y);
    }
    let signed = d.is_signed_int();
    let p = match c {
        Compare::Equal => 0,
        Compare::Less if signed => 2,
        Compare::LessOrEqual if signed => 3,
        Compare::Greater if signed => 4,
        Compare::GreaterOrEqual if signed => 5,
        Compare::Less => 6,
        Compare::LessOrEqual => 7,
        Compare::Greater => 8,
        Compare::GreaterOrEqual => 9,
    };
    b.cmpi(p, x, y)
}

/// Converts a scalar between element types (every pair), with ONNX's
/// defaults for narrow targets (saturating, e8m0 rounding up).
pub(crate) fn cast<'c, 'b>(
    b: &Ctx<'c, 'b>,
    x: Val<'c, 'b>,
    from: DType,
    to: DType,
) -> Result<Val<'c, 'b>> {
    cast_with(b, x, from, to, true, E8M0Round::Up)
}

/// `cast` with the narrow-target options explicit. Narrow types convert
/// through f32 (floats) or their value as i8/u8 (ints).
pub(crate) fn cast_with<'c, 'b>(
    b: &Ctx<'c, 'b>,
    x: Val<'c, 'b>,
    from: DType,
    to: DType,
    saturate: bool,
    e8m0: E8M0Round,
) -> Result<Val<'c, 'b>> {
    if from == to {
        return Ok(x);
    }
    if from.is_narrow_float() {
        let f = super::narrow::decode(b, x, from)?;
        return cast_with(b, f, DType::F32, to, saturate, e8m0);
    }
    if from.is_narrow_int() {
        let via = if matches!(from, DType::I4 | DType::I2) {
            DType::I8
        } else {
            DType::U8
        };
        return cast_with(b, x, via, to, saturate, e8m0);
    }
    if to.is_narrow_float() {
        let f = cast_plain(b, x, from, DType::F32)?;
        return super::narrow::encode(b, f, to, saturate, e8m0);
    }
    if to.is_narrow_int() {
        let wide = cast_plain(b, x, from, DType::I64)?;
        return super::narrow::wrap(b, wide, to);
    }
    cast_plain(b, x, from, to)
}

/// Conversions between the byte-or-wider types.
fn cast_plain<'c, 'b>(
    b: &Ctx<'c, 'b>,
    x: Val<'c, 'b>,
    from: DType,
    to: DType,
) -> Result<Val<'c, 'b>> {
    if from == to {
        return Ok(x);
    }
    let t = b.elem(to)?;
    let one = |name: &str| b.op1(name, &[x], t, &[]);
    if to == DType::Bool {
        return if from.is_float() {
            let z = b.scalar(from, 0.0)?;
            b.cmpf(13, x, z) // une: NaN is true
        } else {
            let z = b.scalar_int(from, 0)?;
            b.cmpi(1, x, z) // ne
        };
    }
    // Bool reads as an unsigned 0/1.
    let unsigned_src = from.is_unsigned_int() || from == DType::Bool;
    match (from.is_float(), to.is_float()) {
        (true, true) => {
            let (fw, tw) = (from.bit_width(), to.bit_width());
            if fw < tw {
                one("arith.extf")
            } else if fw > tw {
                one("arith.truncf")
            } else {
                // f16 <-> bf16: through f32.
                let f32t = b.elem(DType::F32)?;
                let w = b.op1("arith.extf", &[x], f32t, &[])?;
                b.op1("arith.truncf", &[w], t, &[])
            }
        }
        (false, true) => one(if unsigned_src {
            "arith.uitofp"
        } else {
            "arith.sitofp"
        }),
        (true, false) => one(if to.is_unsigned_int() {
            "arith.fptoui"
        } else {
            "arith.fptosi"
        }),
        (false, false) => {
            let (fw, tw) = (from.bit_width(), to.bit_width());
            if fw < tw {
                one(if unsigned_src {
                    "arith.extui"
                } else {
                    "arith.extsi"
                })
            } else if fw > tw {
                one("arith.trunci")
            } else {
                // Same width, other signedness: the bits stay.
                debug_assert!(x.r#type() == t);
                Ok(x)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Weights;
    use crate::testing::{Case, binary, check, f32t, lower_text, t, unary};
    use o2l_canon::ops::{Binary, Elementwise, Unary};
    use o2l_canon::{DType, Dim, Op, Tensor, TensorType};

    #[test]
    fn elementwise_unary_float() {
        for (u, frag) in [
            (Unary::Neg, "arith.negf"),
            (Unary::Abs, "math.absf"),
            (Unary::Relu, "arith.maximumf"),
            (Unary::Sigmoid, "math.exp"),
            (Unary::Tanh, "math.tanh"),
            (Unary::Exp, "math.exp"),
            (Unary::Log, "math.log"),
            (Unary::Sqrt, "math.sqrt"),
            (Unary::LeakyRelu { alpha: 0.1 }, "arith.select"),
            (
                Unary::Clamp {
                    min: -1.0,
                    max: 6.0,
                },
                "arith.minimumf",
            ),
        ] {
            let mut c = Case::new();
            let x = c.input("x", f32t(&[2, 3]));
            let y = c.node(unary(u), &[x], "u");
            check(
                &c.output(y),
                &[
                    "tensor.empty() : tensor<2x3xf32>",
                    "linalg.generic",
                    frag,
                    "linalg.yield",
                ],
            );
        }
    }

    #[test]
    fn elementwise_unary_int() {
        let mut c = Case::new();
        let x = c.input("x", t(DType::I32, &[4]));
        let a = c.node(unary(Unary::Abs), &[x], "abs");
        let r = c.node(unary(Unary::Relu), &[a], "relu");
        let n = c.node(unary(Unary::Neg), &[r], "neg");
        let k = c.node(
            unary(Unary::Clamp {
                min: -2.0,
                max: 3.0,
            }),
            &[n],
            "clamp",
        );
        check(
            &c.output(k),
            &[
                "math.absi",
                "arith.maxsi",
                "arith.subi",
                "arith.maxsi",
                "arith.minsi",
            ],
        );
    }

    /// f64 fmod without `arith.remf` (a call of libm's `fmod`, which IREE
    /// does not link): integer remainders of the significands in an `scf.for`
    /// inside the generic, the result assembled as bits.
    #[test]
    fn fmod_f64_is_exact_integer_arithmetic() {
        let mut c = Case::new();
        let x = c.input("x", t(DType::F64, &[4]));
        let y = c.input("y", t(DType::F64, &[4]));
        let m = c.node(binary(Binary::Mod { fmod: true }), &[x, y], "mod");
        let text = check(
            &c.output(m),
            &[
                "linalg.generic",
                "arith.bitcast %in : f64 to i64",
                "arith.remui",
                "scf.for",
                "arith.shli",
                "arith.remui",
                "scf.yield",
                "math.ctlz",
                "arith.bitcast",
                "arith.cmpf uno",
                "0x7FF8000000000000",
                "linalg.yield",
            ],
        );
        assert!(!text.contains("arith.remf"), "{text}");
    }

    #[test]
    fn elementwise_binary_broadcasts() {
        let mut c = Case::new();
        let a = c.input("a", f32t(&[2, 1, 4]));
        let b = c.input("b", f32t(&[3, 1]));
        let y = c.node(binary(Binary::Add), &[a, b], "add");
        check(
            &c.output(y),
            &[
                "affine_map<(d0, d1, d2) -> (d0, 0, d2)>",
                "affine_map<(d0, d1, d2) -> (d1, 0)>",
                "affine_map<(d0, d1, d2) -> (d0, d1, d2)>",
                "arith.addf",
                "tensor<2x3x4xf32>",
            ],
        );
    }

    #[test]
    fn elementwise_binary_all_types() {
        for (b, d, frag) in [
            (Binary::Sub, DType::F32, "arith.subf"),
            (Binary::Mul, DType::F64, "arith.mulf"),
            (Binary::Div, DType::I64, "arith.divsi"),
            (Binary::Div, DType::U8, "arith.divui"),
            (Binary::Max, DType::U16, "arith.maxui"),
            (Binary::Min, DType::I8, "arith.minsi"),
            (Binary::Max, DType::F16, "arith.maximumf"),
            (Binary::Pow, DType::F32, "math.powf"),
            (Binary::Add, DType::BF16, "arith.addf"),
        ] {
            let mut c = Case::new();
            let x = c.input("x", t(d, &[3]));
            let y = c.input("y", t(d, &[3]));
            let z = c.node(binary(b), &[x, y], "b");
            check(&c.output(z), &[frag]);
        }
    }

    /// Pow of x by a constant splat exponent of `dims` filled with `n`.
    fn pow_by_constant(d: DType, dims: &[u64], n: f64) -> String {
        let mut c = Case::new();
        let x = c.input("x", t(d, &[2, 3]));
        let count: u64 = dims.iter().product();
        let values = vec![n; count as usize];
        let y =
            c.g.add_constant("y", Tensor::from_f64s(d, dims.to_vec(), &values).unwrap())
                .unwrap();
        let z = c.node(binary(Binary::Pow), &[x, y], "pow");
        lower_text(&c.output(z), Weights::Resource)
    }

    #[test]
    fn pow_by_a_small_constant_integer_multiplies() {
        // x^3 = (x*x)*x, the exponent's broadcast kept in the result's shape;
        // the exponent is not read.
        let text = pow_by_constant(DType::F32, &[4, 1, 1], 3.0);
        let generic = text.find("linalg.generic").unwrap();
        let body = &text[generic..];
        assert!(body.contains("ins(%arg0 : tensor<2x3xf32>)"), "{text}");
        let sq = body.find("arith.mulf %in, %in : f32").unwrap();
        assert!(body[sq..].contains(", %in : f32"), "{text}");
        assert!(body.contains("-> tensor<4x2x3xf32>"), "{text}");
        assert!(!text.contains("math.powf"), "{text}");
        // x^-2 = 1/(x*x), computed in f32 for f16.
        let text = pow_by_constant(DType::F16, &[1], -2.0);
        for frag in ["arith.extf", "arith.mulf", "arith.divf", "arith.truncf"] {
            assert!(text.contains(frag), "{frag}: {text}");
        }
        assert!(!text.contains("math.powf"), "{text}");
        // x^0 = 1 whatever x.
        let text = pow_by_constant(DType::F64, &[1], 0.0);
        assert!(text.contains("arith.constant 1.000000e+00 : f64"), "{text}");
        // Larger or non-integral exponents keep pow, with its sign fix.
        for n in [5.0, 0.5, -4.5] {
            let text = pow_by_constant(DType::F32, &[1], n);
            assert!(text.contains("math.powf"), "{n}: {text}");
            assert!(text.contains("math.copysign"), "{n}: {text}");
        }
    }

    #[test]
    fn pow_of_floats_works_on_the_absolute_base() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[3]));
        let y = c.input("y", f32t(&[3]));
        let z = c.node(binary(Binary::Pow), &[x, y], "pow");
        check(
            &c.output(z),
            &[
                "linalg.generic",
                "math.absf %in",
                "math.powf",
                "arith.select",
                "math.floor %in_0",
                "arith.cmpf oeq",
                "math.copysign",
                "arith.select",
                "arith.cmpf olt, %in,",
                "0x7FC00000",
                "arith.select",
                "linalg.yield",
            ],
        );
    }

    #[test]
    fn elementwise_symbolic_dims() {
        let mut c = Case::new();
        let ty = TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(3)]);
        let x = c.input("x", ty);
        let y = c.input("y", f32t(&[3]));
        let z = c.node(binary(Binary::Mul), &[x, y], "mul");
        check(
            &c.output(z),
            &[
                "tensor<?x3xf32>",
                "tensor.dim",
                "tensor.empty(%",
                "arith.mulf",
            ],
        );
    }

    #[test]
    fn cast_every_pair_verifies() {
        for from in DType::ALL {
            for to in DType::ALL {
                let mut c = Case::new();
                let x = c.input("x", t(from, &[2]));
                let y = c.node(Op::Elementwise(Elementwise::cast(to)), &[x], "cast");
                let text = lower_text(&c.output(y), Weights::Inline);
                if from != to {
                    assert!(text.contains("linalg.generic"), "{from} -> {to}:\n{text}");
                }
            }
        }
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2]));
        let y = c.node(Op::Elementwise(Elementwise::cast(DType::U8)), &[x], "cast");
        check(&c.output(y), &["arith.fptoui", "tensor<2xi8>"]);
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2]));
        let y = c.node(
            Op::Elementwise(Elementwise::cast(DType::Bool)),
            &[x],
            "cast",
        );
        check(&c.output(y), &["arith.cmpf une", "tensor<2xi1>"]);
    }

    #[test]
    fn elementwise_compare_select_mod_shift() {
        use o2l_canon::ops::Compare;
        let mut c = Case::new();
        let a = c.input("a", f32t(&[2, 3]));
        let b = c.input("b", f32t(&[3]));
        let l = c.node(
            Op::Elementwise(Elementwise::Compare(Compare::LessOrEqual)),
            &[a, b],
            "le",
        );
        let s = c.node(Op::Elementwise(Elementwise::Select), &[l, a, b], "sel");
        let m = c.node(binary(Binary::Mod { fmod: false }), &[s, b], "mod");
        check(
            &c.output(m),
            &[
                "tensor<2x3xi1>",
                "arith.cmpf ole",
                "arith.select",
                "arith.remf",
                "math.copysign",
            ],
        );
        let mut c = Case::new();
        let x = c.input("x", t(DType::U16, &[4]));
        let y = c.input("y", t(DType::U16, &[4]));
        let sh = c.node(binary(Binary::ShiftLeft), &[x, y], "shl");
        let n = c.node(unary(Unary::Not), &[sh], "not");
        let g = c.node(
            Op::Elementwise(Elementwise::Compare(Compare::Greater)),
            &[n, y],
            "gt",
        );
        check(
            &c.output(g),
            &[
                "arith.cmpi uge",
                "arith.shli",
                "arith.xori",
                "arith.cmpi ugt",
            ],
        );
    }
}
