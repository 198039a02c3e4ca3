//! StableHLO's elementwise ops: operands of one shape (broadcasts are
//! explicit `broadcast_in_dim`s), so each lands on one canonical elementwise
//! op or a short composition. Constants and `iota` become graph constants.
use super::ctx::{OpCtx, Rule, rule};
use crate::parse::{Attr, Dense, Elem};
use o2l_canon::ops::{Binary, Compare, Elementwise, Unary};
use o2l_canon::{Builder, DType, Error, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    rule("stablehlo.add", &["Add"], add, ""),
    rule("stablehlo.subtract", &["Sub"], sub, ""),
    rule("stablehlo.multiply", &["Mul"], mul, ""),
    rule(
        "stablehlo.divide",
        &["Div"],
        div,
        "integers truncate toward zero",
    ),
    rule(
        "stablehlo.remainder",
        &["Mod"],
        rem,
        "the sign of the dividend (C fmod)",
    ),
    rule("stablehlo.maximum", &["Max"], maximum, "NaN propagates"),
    rule("stablehlo.minimum", &["Min"], minimum, "NaN propagates"),
    rule("stablehlo.power", &["Pow"], power, ""),
    rule(
        "stablehlo.and",
        &["And"],
        and,
        "logical on i1, bitwise on integers",
    ),
    rule(
        "stablehlo.or",
        &["Or"],
        or,
        "logical on i1, bitwise on integers",
    ),
    rule(
        "stablehlo.xor",
        &["Xor"],
        xor,
        "logical on i1, bitwise on integers",
    ),
    rule("stablehlo.shift_left", &["ShiftLeft"], shift_left, ""),
    rule(
        "stablehlo.shift_right_logical",
        &["BitCast", "ShiftRight"],
        shift_right_logical,
        "signed operands shift as their unsigned bits",
    ),
    rule(
        "stablehlo.shift_right_arithmetic",
        &["BitCast", "ShiftRight"],
        shift_right_arithmetic,
        "unsigned operands shift as their signed bits",
    ),
    rule(
        "stablehlo.atan2",
        &[
            "Div",
            "Atan",
            "Less",
            "Select",
            "Add",
            "And",
            "Equal",
            "GreaterOrEqual",
        ],
        atan2,
        "atan(y / x) moved to the quadrant of (x, y); atan2(0, 0) = 0",
    ),
    rule("stablehlo.abs", &["Abs"], abs, ""),
    rule("stablehlo.negate", &["Neg"], negate, ""),
    rule("stablehlo.exponential", &["Exp"], exp, ""),
    rule(
        "stablehlo.exponential_minus_one",
        &["Exp", "Sub"],
        expm1,
        "exp(x) - 1",
    ),
    rule("stablehlo.log", &["Log"], log, ""),
    rule(
        "stablehlo.log_plus_one",
        &["Add", "Log"],
        log1p,
        "log(1 + x)",
    ),
    rule("stablehlo.sqrt", &["Sqrt"], sqrt, ""),
    rule("stablehlo.rsqrt", &["Sqrt", "Div"], rsqrt, "1 / sqrt(x)"),
    rule(
        "stablehlo.cbrt",
        &["Abs", "Pow", "Sign", "Mul"],
        cbrt,
        "sign(x) * |x|^(1/3)",
    ),
    rule("stablehlo.tanh", &["Tanh"], tanh, ""),
    rule("stablehlo.logistic", &["Sigmoid"], logistic, ""),
    rule("stablehlo.sine", &["Sin"], sin, ""),
    rule("stablehlo.cosine", &["Cos"], cos, ""),
    rule("stablehlo.tan", &["Tan"], tan, ""),
    rule(
        "chlo.erf",
        &["Erf"],
        erf,
        "CHLO, as JAX emits it for lax.erf",
    ),
    rule("stablehlo.floor", &["Floor"], floor, ""),
    rule("stablehlo.ceil", &["Ceil"], ceil, ""),
    rule("stablehlo.round_nearest_even", &["Round"], round_even, ""),
    rule(
        "stablehlo.round_nearest_afz",
        &["Abs", "Add", "Floor", "Sign", "Mul"],
        round_afz,
        "half away from zero: sign(x) * floor(|x| + 0.5)",
    ),
    rule("stablehlo.sign", &["Sign"], sign, ""),
    rule(
        "stablehlo.not",
        &["Not"],
        not,
        "logical on i1, bitwise on integers",
    ),
    rule(
        "stablehlo.is_finite",
        &["IsNaN", "IsInf", "Or", "Not"],
        is_finite,
        "",
    ),
    rule(
        "stablehlo.popcnt",
        &["BitCast", "ShiftRight", "And", "Sub", "Add", "Mul"],
        popcnt,
        "the SWAR bit count on the unsigned bits",
    ),
    rule(
        "stablehlo.count_leading_zeros",
        &[
            "BitCast",
            "ShiftRight",
            "Or",
            "Not",
            "Add",
            "Mul",
            "And",
            "Sub",
        ],
        clz,
        "the bit count of the complement of the bits smeared right",
    ),
    rule(
        "stablehlo.compare",
        &[
            "Equal",
            "Less",
            "LessOrEqual",
            "Greater",
            "GreaterOrEqual",
            "Not",
            "BitCast",
        ],
        compare,
        "EQ NE LT LE GT GE; FLOAT, TOTALORDER (as FLOAT), SIGNED, UNSIGNED (signed operands compared as their unsigned bits)",
    ),
    rule("stablehlo.select", &["Select"], select, ""),
    rule(
        "stablehlo.clamp",
        &["Clamp", "Max", "Min"],
        clamp,
        "constant scalar bounds: Clamp; otherwise max then min, broadcasting the bounds",
    ),
    rule(
        "stablehlo.convert",
        &["Cast"],
        convert,
        "float to integer truncates toward zero; to i1 is != 0",
    ),
    rule(
        "stablehlo.bitcast_convert",
        &["BitCast"],
        bitcast_convert,
        "element types of one width only",
    ),
    rule(
        "stablehlo.constant",
        &[],
        constant,
        "dense literals: scalars, nested lists, splats, hex blobs",
    ),
    rule(
        "arith.constant",
        &[],
        constant,
        "as stablehlo.constant (torch-mlir mixes arith constants into StableHLO)",
    ),
    rule("stablehlo.iota", &[], iota, "a constant of the graph"),
    rule(
        "stablehlo.dynamic_iota",
        &[],
        dynamic_iota,
        "a static result type (torch-mlir's arange): an iota of that shape; the shape operand, when constant, must agree",
    ),
];

pub(super) fn binary(ctx: &mut OpCtx, b: Binary) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let v = ctx.elementwise(Elementwise::Binary(b), &[x, y])?;
    ctx.bind(0, v)
}

pub(super) fn unary(ctx: &mut OpCtx, u: Unary) -> Result<()> {
    let x = ctx.input(0)?;
    let v = ctx.elementwise(Elementwise::Unary(u), &[x])?;
    ctx.bind_cast(v)
}

pub(super) fn add(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Add)
}
pub(super) fn sub(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Sub)
}
pub(super) fn mul(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Mul)
}
pub(super) fn div(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Div)
}
pub(super) fn rem(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Mod { fmod: true })
}
pub(super) fn maximum(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Max)
}
pub(super) fn minimum(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Min)
}
pub(super) fn power(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Pow)
}
pub(super) fn and(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::And)
}
pub(super) fn or(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Or)
}
pub(super) fn xor(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Xor)
}
pub(super) fn shift_left(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::ShiftLeft)
}

fn unsigned_of(d: DType) -> Option<DType> {
    Some(match d {
        DType::I8 => DType::U8,
        DType::I16 => DType::U16,
        DType::I32 => DType::U32,
        DType::I64 => DType::U64,
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => d,
        _ => return None,
    })
}

fn signed_of(d: DType) -> Option<DType> {
    Some(match d {
        DType::U8 => DType::I8,
        DType::U16 => DType::I16,
        DType::U32 => DType::I32,
        DType::U64 => DType::I64,
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => d,
        _ => return None,
    })
}

fn bitcast(ctx: &mut OpCtx, x: ValueId, to: DType) -> Result<ValueId> {
    if ctx.ty(x).dtype == to {
        return Ok(x);
    }
    ctx.elementwise(Elementwise::BitCast { to }, &[x])
}

/// A right shift on the operands' bits read as `as_type`.
fn shift_right_as(ctx: &mut OpCtx, pick: fn(DType) -> Option<DType>) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let d = ctx.ty(x).dtype;
    let t = pick(d).ok_or_else(|| Error::invalid(format!("a shift of {d} elements")))?;
    let (bx, by) = (bitcast(ctx, x, t)?, bitcast(ctx, y, t)?);
    let v = ctx.elementwise(Elementwise::Binary(Binary::ShiftRight), &[bx, by])?;
    let v = bitcast(ctx, v, d)?;
    ctx.bind(0, v)
}

pub(super) fn shift_right_logical(ctx: &mut OpCtx) -> Result<()> {
    shift_right_as(ctx, unsigned_of)
}
pub(super) fn shift_right_arithmetic(ctx: &mut OpCtx) -> Result<()> {
    shift_right_as(ctx, signed_of)
}

pub(super) fn atan2(ctx: &mut OpCtx) -> Result<()> {
    let (y, x) = (ctx.input(0)?, ctx.input(1)?);
    let d = ctx.ty(x).dtype;
    let e = |b| Elementwise::Binary(b);
    let q = ctx.elementwise(e(Binary::Div), &[y, x])?;
    let r = ctx.elementwise(Elementwise::Unary(Unary::Atan), &[q])?;
    let zero = ctx.scalar(d, 0.0)?;
    let neg_x = ctx.elementwise(Elementwise::Compare(Compare::Less), &[x, zero])?;
    let y_nonneg = ctx.elementwise(Elementwise::Compare(Compare::GreaterOrEqual), &[y, zero])?;
    let (pi, mpi) = (
        ctx.scalar(d, std::f64::consts::PI)?,
        ctx.scalar(d, -std::f64::consts::PI)?,
    );
    let adj = ctx.elementwise(Elementwise::Select, &[y_nonneg, pi, mpi])?;
    let moved = ctx.elementwise(e(Binary::Add), &[r, adj])?;
    let r = ctx.elementwise(Elementwise::Select, &[neg_x, moved, r])?;
    let xz = ctx.elementwise(Elementwise::Compare(Compare::Equal), &[x, zero])?;
    let yz = ctx.elementwise(Elementwise::Compare(Compare::Equal), &[y, zero])?;
    let both = ctx.elementwise(e(Binary::And), &[xz, yz])?;
    let v = ctx.elementwise(Elementwise::Select, &[both, zero, r])?;
    ctx.bind(0, v)
}

fn abs(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Abs)
}
fn negate(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Neg)
}
fn exp(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Exp)
}
fn log(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Log)
}
fn sqrt(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Sqrt)
}
fn tanh(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Tanh)
}
fn logistic(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Sigmoid)
}
fn sin(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Sin)
}
fn cos(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Cos)
}
fn tan(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Tan)
}
fn erf(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Erf)
}
fn floor(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Floor)
}
fn ceil(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Ceil)
}
fn round_even(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Round)
}
fn sign(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Sign)
}
fn not(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Not)
}

fn expm1(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let e = ctx.elementwise(Elementwise::Unary(Unary::Exp), &[x])?;
    let one = ctx.scalar(ctx.ty(x).dtype, 1.0)?;
    let v = ctx.elementwise(Elementwise::Binary(Binary::Sub), &[e, one])?;
    ctx.bind(0, v)
}

fn log1p(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let one = ctx.scalar(ctx.ty(x).dtype, 1.0)?;
    let s = ctx.elementwise(Elementwise::Binary(Binary::Add), &[x, one])?;
    let v = ctx.elementwise(Elementwise::Unary(Unary::Log), &[s])?;
    ctx.bind(0, v)
}

fn rsqrt(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let v = o2l_canon::compose::rsqrt(ctx, x)?;
    ctx.bind(0, v)
}

fn cbrt(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let a = ctx.elementwise(Elementwise::Unary(Unary::Abs), &[x])?;
    let third = ctx.scalar(ctx.ty(x).dtype, 1.0 / 3.0)?;
    let p = ctx.elementwise(Elementwise::Binary(Binary::Pow), &[a, third])?;
    let s = ctx.elementwise(Elementwise::Unary(Unary::Sign), &[x])?;
    let v = ctx.elementwise(Elementwise::Binary(Binary::Mul), &[s, p])?;
    ctx.bind(0, v)
}

fn round_afz(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let a = ctx.elementwise(Elementwise::Unary(Unary::Abs), &[x])?;
    let half = ctx.scalar(ctx.ty(x).dtype, 0.5)?;
    let s = ctx.elementwise(Elementwise::Binary(Binary::Add), &[a, half])?;
    let f = ctx.elementwise(Elementwise::Unary(Unary::Floor), &[s])?;
    let g = ctx.elementwise(Elementwise::Unary(Unary::Sign), &[x])?;
    let v = ctx.elementwise(Elementwise::Binary(Binary::Mul), &[g, f])?;
    ctx.bind(0, v)
}

fn is_finite(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let nan = ctx.elementwise(Elementwise::Unary(Unary::IsNaN), &[x])?;
    let inf = ctx.elementwise(
        Elementwise::Unary(Unary::IsInf {
            negative: true,
            positive: true,
        }),
        &[x],
    )?;
    let either = ctx.elementwise(Elementwise::Binary(Binary::Or), &[nan, inf])?;
    let v = ctx.elementwise(Elementwise::Unary(Unary::Not), &[either])?;
    ctx.bind(0, v)
}

/// A constant of `d` repeating the byte `b` (0x55.., 0x33.., 0x0F.., 0x01..).
fn repeated(ctx: &mut OpCtx, d: DType, b: u8) -> Result<ValueId> {
    let bytes = vec![b; d.size_bytes()];
    ctx.constant(Tensor::new(d, vec![], bytes.into())?)
}

/// The number of set bits of each element of `u` (an unsigned type).
fn bit_count(ctx: &mut OpCtx, u: ValueId) -> Result<ValueId> {
    let d = ctx.ty(u).dtype;
    let width = d.bit_width();
    let bin = |b| Elementwise::Binary(b);
    let one = ctx.scalar(d, 1.0)?;
    let two = ctx.scalar(d, 2.0)?;
    let four = ctx.scalar(d, 4.0)?;
    let m55 = repeated(ctx, d, 0x55)?;
    let m33 = repeated(ctx, d, 0x33)?;
    let m0f = repeated(ctx, d, 0x0f)?;
    let m01 = repeated(ctx, d, 0x01)?;
    // x - ((x >> 1) & 0x55..)
    let s = ctx.elementwise(bin(Binary::ShiftRight), &[u, one])?;
    let s = ctx.elementwise(bin(Binary::And), &[s, m55])?;
    let x = ctx.elementwise(bin(Binary::Sub), &[u, s])?;
    // (x & 0x33..) + ((x >> 2) & 0x33..)
    let a = ctx.elementwise(bin(Binary::And), &[x, m33])?;
    let s = ctx.elementwise(bin(Binary::ShiftRight), &[x, two])?;
    let s = ctx.elementwise(bin(Binary::And), &[s, m33])?;
    let x = ctx.elementwise(bin(Binary::Add), &[a, s])?;
    // (x + (x >> 4)) & 0x0F..
    let s = ctx.elementwise(bin(Binary::ShiftRight), &[x, four])?;
    let x = ctx.elementwise(bin(Binary::Add), &[x, s])?;
    let x = ctx.elementwise(bin(Binary::And), &[x, m0f])?;
    // (x * 0x01..) >> (width - 8)
    let x = ctx.elementwise(bin(Binary::Mul), &[x, m01])?;
    let top = ctx.scalar(d, f64::from(width - 8))?;
    ctx.elementwise(bin(Binary::ShiftRight), &[x, top])
}

fn popcnt(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let d = ctx.ty(x).dtype;
    let u = unsigned_of(d).ok_or_else(|| Error::invalid(format!("popcnt of {d}")))?;
    let ux = bitcast(ctx, x, u)?;
    let c = bit_count(ctx, ux)?;
    let v = bitcast(ctx, c, d)?;
    ctx.bind(0, v)
}

fn clz(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let d = ctx.ty(x).dtype;
    let u = unsigned_of(d).ok_or_else(|| Error::invalid(format!("count_leading_zeros of {d}")))?;
    let mut s = bitcast(ctx, x, u)?;
    let mut k = 1u32;
    while k < u.bit_width() {
        let by = ctx.scalar(u, f64::from(k))?;
        let t = ctx.elementwise(Elementwise::Binary(Binary::ShiftRight), &[s, by])?;
        s = ctx.elementwise(Elementwise::Binary(Binary::Or), &[s, t])?;
        k *= 2;
    }
    let inv = ctx.elementwise(Elementwise::Unary(Unary::Not), &[s])?;
    let c = bit_count(ctx, inv)?;
    let v = bitcast(ctx, c, d)?;
    ctx.bind(0, v)
}

pub(super) fn compare(ctx: &mut OpCtx) -> Result<()> {
    let (mut x, mut y) = (ctx.input(0)?, ctx.input(1)?);
    let dir = ctx
        .word(
            &["comparison_direction"],
            &["EQ", "NE", "LT", "LE", "GT", "GE"],
        )
        .ok_or_else(|| Error::invalid("compare without a direction"))?;
    let kind = ctx.word(
        &["compare_type"],
        &["FLOAT", "TOTALORDER", "SIGNED", "UNSIGNED"],
    );
    let d = ctx.ty(x).dtype;
    match kind.as_deref() {
        Some("UNSIGNED") if d.is_signed_int() => {
            let u = unsigned_of(d).ok_or_else(|| Error::invalid("unsigned compare"))?;
            x = bitcast(ctx, x, u)?;
            y = bitcast(ctx, y, u)?;
        }
        Some("SIGNED") if d.is_unsigned_int() => {
            let s = signed_of(d).ok_or_else(|| Error::invalid("signed compare"))?;
            x = bitcast(ctx, x, s)?;
            y = bitcast(ctx, y, s)?;
        }
        _ => {}
    }
    let c = |c| Elementwise::Compare(c);
    let v = match dir.as_str() {
        "EQ" => ctx.elementwise(c(Compare::Equal), &[x, y])?,
        "NE" => {
            let e = ctx.elementwise(c(Compare::Equal), &[x, y])?;
            ctx.elementwise(Elementwise::Unary(Unary::Not), &[e])?
        }
        "LT" => ctx.elementwise(c(Compare::Less), &[x, y])?,
        "LE" => ctx.elementwise(c(Compare::LessOrEqual), &[x, y])?,
        "GT" => ctx.elementwise(c(Compare::Greater), &[x, y])?,
        "GE" => ctx.elementwise(c(Compare::GreaterOrEqual), &[x, y])?,
        other => return Err(Error::invalid(format!("comparison direction {other}"))),
    };
    ctx.bind(0, v)
}

pub(super) fn select(ctx: &mut OpCtx) -> Result<()> {
    let (c, x, y) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let v = ctx.elementwise(Elementwise::Select, &[c, x, y])?;
    ctx.bind(0, v)
}

fn constant_scalar(ctx: &OpCtx, v: ValueId) -> Option<f64> {
    let t = ctx.const_of(v)?;
    let vals = t.to_f64s();
    let first = *vals.first()?;
    vals.iter()
        .all(|&x| x == first || (x.is_nan() && first.is_nan()))
        .then_some(first)
}

fn clamp(ctx: &mut OpCtx) -> Result<()> {
    let (lo, x, hi) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let d = ctx.ty(x).dtype;
    if d.is_float()
        && let (Some(a), Some(b)) = (constant_scalar(ctx, lo), constant_scalar(ctx, hi))
        && a <= b
    {
        let v = ctx.elementwise(Elementwise::Unary(Unary::Clamp { min: a, max: b }), &[x])?;
        return ctx.bind(0, v);
    }
    let m = ctx.elementwise(Elementwise::Binary(Binary::Max), &[x, lo])?;
    let v = ctx.elementwise(Elementwise::Binary(Binary::Min), &[m, hi])?;
    ctx.bind(0, v)
}

fn convert(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let to = ctx.result_type(0)?.dtype;
    let v = ctx.cast(x, to)?;
    ctx.bind(0, v)
}

fn bitcast_convert(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let from = ctx.ty(x).dtype;
    let to = ctx.result_type(0)?.dtype;
    if from.size_bytes() != to.size_bytes() || ctx.ty(x).rank() != ctx.result_type(0)?.rank() {
        return Err(Error::unsupported(format!(
            "bitcast_convert from {from} to {to}: only element types of one width are supported"
        )));
    }
    let v = bitcast(ctx, x, to)?;
    ctx.bind(0, v)
}

/// The bytes of one element `e` as `d`.
fn elem_bytes(d: DType, e: Elem, out: &mut Vec<u8>) -> Result<()> {
    let size = d.size_bytes();
    let t = match e {
        Elem::Hex(bits) => {
            out.extend(bits.to_le_bytes().iter().take(size));
            return Ok(());
        }
        Elem::Bool(b) => Tensor::from_i64s(d, vec![], &[i64::from(b)])?,
        Elem::Int(v) if !d.is_float() => Tensor::from_i64s(d, vec![], &[v as i64])?,
        Elem::Int(v) => Tensor::from_f64s(d, vec![], &[v as f64])?,
        Elem::Float(v) if d.is_float() => Tensor::from_f64s(d, vec![], &[v])?,
        Elem::Float(v) => {
            return Err(Error::invalid(format!(
                "a float literal {v} in a constant of {d}"
            )));
        }
    };
    out.extend_from_slice(&t.data);
    Ok(())
}

/// The tensor a dense literal gives for a result of `dims` and `d`.
pub(crate) fn dense_tensor(d: DType, dims: Vec<u64>, lit: &Dense) -> Result<Tensor> {
    let n = o2l_canon::shape::element_count(&dims)?;
    let size = d.size_bytes() as u64;
    let one: Vec<u8> = match lit {
        Dense::Bytes(b) => {
            if b.len() as u64 == n.saturating_mul(size) {
                return Tensor::new(d, dims, b.clone().into());
            }
            if b.len() as u64 != size {
                return Err(Error::invalid(format!(
                    "a hex constant of {} bytes for {n} {d} elements",
                    b.len()
                )));
            }
            b.clone()
        }
        Dense::Resource(key) => {
            return Err(Error::invalid(format!(
                "dense_resource<{key}> has no blob in the file's dialect_resources section"
            )));
        }
        Dense::Elems(e) => {
            if e.len() as u64 == n && n != 1 {
                let mut out = Vec::with_capacity(e.len() * size as usize);
                for &x in e {
                    elem_bytes(d, x, &mut out)?;
                }
                return Tensor::new(d, dims, out.into());
            }
            let [x] = e[..] else {
                return Err(Error::invalid(format!(
                    "a constant of {} elements for {n} elements",
                    e.len()
                )));
            };
            let mut out = Vec::new();
            elem_bytes(d, x, &mut out)?;
            out
        }
    };
    if n > 1 << 28 {
        return Err(Error::limit(format!("a splat constant of {n} elements")));
    }
    Tensor::new(d, dims, one.repeat(n as usize).into())
}

pub(super) fn constant(ctx: &mut OpCtx) -> Result<()> {
    let lit = ctx
        .attr(&["value"])
        .or_else(|| ctx.op.words.iter().find(|w| matches!(w, Attr::Dense(..))))
        .ok_or_else(|| Error::invalid("a constant without a dense value"))?;
    let Attr::Dense(d, _) = lit else {
        return Err(Error::unsupported("only dense constants are supported"));
    };
    let t = ctx.result_type(0)?.clone();
    let dims = ctx.result_dims(0)?;
    let tensor = dense_tensor(t.dtype, dims, d)?;
    let v = ctx.constant(tensor)?;
    ctx.bind(0, v)
}

fn dynamic_iota(ctx: &mut OpCtx) -> Result<()> {
    // A result type with a `?` is refused by `result_dims`, naming the type.
    let dims = ctx.result_dims(0)?;
    let shape = ctx.input(0)?;
    if let Some(given) = ctx.graph.constant(shape).map(Tensor::to_f64s) {
        let want: Vec<f64> = dims.iter().map(|&d| d as f64).collect();
        if given != want {
            return Err(Error::invalid(format!(
                "the shape operand {given:?} disagrees with the result type {dims:?}"
            )));
        }
    }
    iota(ctx)
}

fn iota(ctx: &mut OpCtx) -> Result<()> {
    let t = ctx.result_type(0)?.clone();
    let dims = ctx.result_dims(0)?;
    let axis = ctx.int(&["dim", "iota_dimension"])?;
    let axis = super::ctx::axes(&[axis], dims.len(), "iota")?[0];
    let n = o2l_canon::shape::element_count(&dims)?;
    if n > 1 << 24 {
        return Err(Error::limit(format!("an iota of {n} elements")));
    }
    let inner: u64 = dims[axis + 1..].iter().product();
    let len = dims[axis];
    let vals: Vec<i64> = (0..n)
        .map(|i| ((i / inner.max(1)) % len.max(1)) as i64)
        .collect();
    let tensor = if t.dtype.is_float() {
        let f: Vec<f64> = vals.iter().map(|&v| v as f64).collect();
        Tensor::from_f64s(t.dtype, dims, &f)?
    } else {
        Tensor::from_i64s(t.dtype, dims, &vals)?
    };
    let v = ctx.constant(tensor)?;
    ctx.bind(0, v)
}
