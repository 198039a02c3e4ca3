//! TOSA's elementwise ops: operands of equal rank whose size-1 dims
//! broadcast (a special case of the canonical numpy broadcasting).
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::ops::{Binary, Compare, Elementwise, Unary};
use o2l_canon::{Builder, DType, Error, Result};

pub(crate) static RULES: &[Rule] = &[
    rule("tosa.add", &["Add"], add, ""),
    rule("tosa.sub", &["Sub"], sub, ""),
    rule(
        "tosa.mul",
        &["Mul", "Cast", "ShiftRight", "Add"],
        mul,
        "floats: shift 0; i32 with a shift: the i64 product rounded and shifted",
    ),
    rule("tosa.maximum", &["Max"], maximum, "NaN propagates"),
    rule("tosa.minimum", &["Min"], minimum, "NaN propagates"),
    rule("tosa.pow", &["Pow"], pow, ""),
    rule("tosa.intdiv", &["Div"], int_div, "truncates toward zero"),
    rule("tosa.logical_and", &["And"], and, ""),
    rule("tosa.logical_or", &["Or"], or, ""),
    rule("tosa.logical_xor", &["Xor"], xor, ""),
    rule("tosa.bitwise_and", &["And"], and, ""),
    rule("tosa.bitwise_or", &["Or"], or, ""),
    rule("tosa.bitwise_xor", &["Xor"], xor, ""),
    rule("tosa.equal", &["Equal"], equal, ""),
    rule("tosa.greater", &["Greater"], greater, ""),
    rule("tosa.greater_equal", &["GreaterOrEqual"], greater_equal, ""),
    rule("tosa.abs", &["Abs"], abs, ""),
    rule("tosa.exp", &["Exp"], exp, ""),
    rule("tosa.log", &["Log"], log, ""),
    rule("tosa.tanh", &["Tanh"], tanh, ""),
    rule("tosa.sigmoid", &["Sigmoid"], sigmoid, ""),
    rule("tosa.floor", &["Floor"], floor, ""),
    rule("tosa.ceil", &["Ceil"], ceil, ""),
    rule("tosa.erf", &["Erf"], erf, ""),
    rule("tosa.sin", &["Sin"], sin, ""),
    rule("tosa.cos", &["Cos"], cos, ""),
    rule("tosa.logical_not", &["Not"], not, ""),
    rule("tosa.reciprocal", &["Div"], reciprocal, "1 / x"),
    rule("tosa.rsqrt", &["Sqrt", "Div"], rsqrt, "1 / sqrt(x)"),
    rule(
        "tosa.negate",
        &["Neg"],
        negate,
        "zero points must be 0 (floats always)",
    ),
    rule("tosa.identity", &[], identity, ""),
    rule(
        "tosa.clamp",
        &["Clamp"],
        clamp,
        "min_val/max_val attributes, clipped to the element type's range",
    ),
    rule("tosa.select", &["Select"], select, ""),
    rule(
        "tosa.cast",
        &["Cast", "Round", "Clamp"],
        cast,
        "float to int rounds half to even and saturates; to bool is != 0",
    ),
];

fn binary(ctx: &mut OpCtx, b: Binary) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let v = ctx.elementwise(Elementwise::Binary(b), &[x, y])?;
    ctx.bind(0, v)
}

fn compare(ctx: &mut OpCtx, c: Compare) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let v = ctx.elementwise(Elementwise::Compare(c), &[x, y])?;
    ctx.bind(0, v)
}

fn unary(ctx: &mut OpCtx, u: Unary) -> Result<()> {
    let x = ctx.input(0)?;
    let v = ctx.elementwise(Elementwise::Unary(u), &[x])?;
    ctx.bind(0, v)
}

fn add(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Add)
}
fn sub(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Sub)
}
fn maximum(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Max)
}
fn minimum(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Min)
}
fn pow(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Pow)
}
fn int_div(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Div)
}
fn and(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::And)
}
fn or(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Or)
}
fn xor(ctx: &mut OpCtx) -> Result<()> {
    binary(ctx, Binary::Xor)
}
fn equal(ctx: &mut OpCtx) -> Result<()> {
    compare(ctx, Compare::Equal)
}
fn greater(ctx: &mut OpCtx) -> Result<()> {
    compare(ctx, Compare::Greater)
}
fn greater_equal(ctx: &mut OpCtx) -> Result<()> {
    compare(ctx, Compare::GreaterOrEqual)
}
fn abs(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Abs)
}
fn exp(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Exp)
}
fn log(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Log)
}
fn tanh(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Tanh)
}
fn sigmoid(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Sigmoid)
}
fn floor(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Floor)
}
fn ceil(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Ceil)
}
fn erf(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Erf)
}
fn sin(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Sin)
}
fn cos(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Cos)
}
fn not(ctx: &mut OpCtx) -> Result<()> {
    unary(ctx, Unary::Not)
}

fn mul(ctx: &mut OpCtx) -> Result<()> {
    let shift = ctx.zero_point(2, "the mul shift")? as i64;
    match shift {
        0 => binary(ctx, Binary::Mul),
        1..=63 if !ctx.ty(ctx.input(0)?).dtype.is_float() => {
            super::integer::mul_shifted(ctx, shift)
        }
        _ => Err(Error::invalid(format!("tosa.mul shift {shift}"))),
    }
}

fn reciprocal(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let v = o2l_canon::compose::reciprocal(ctx, x)?;
    ctx.bind(0, v)
}

fn rsqrt(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let v = o2l_canon::compose::rsqrt(ctx, x)?;
    ctx.bind(0, v)
}

fn negate(ctx: &mut OpCtx) -> Result<()> {
    let zi = ctx.zero_point(1, "the input zero point")?;
    let zo = ctx.zero_point(2, "the output zero point")?;
    if zi != 0.0 || zo != 0.0 {
        return Err(Error::unsupported("tosa.negate with non-zero zero points"));
    }
    unary(ctx, Unary::Neg)
}

fn identity(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    ctx.bind(0, x)
}

fn clamp(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let d = ctx.ty(x).dtype;
    let (mut lo, mut hi) = (ctx.number("min_val")?, ctx.number("max_val")?);
    if let Some((tlo, thi)) = int_range(d) {
        lo = lo.max(tlo);
        hi = hi.min(thi);
    }
    let v = ctx.elementwise(Elementwise::Unary(Unary::Clamp { min: lo, max: hi }), &[x])?;
    ctx.bind(0, v)
}

fn select(ctx: &mut OpCtx) -> Result<()> {
    let (c, x, y) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let v = ctx.elementwise(Elementwise::Select, &[c, x, y])?;
    ctx.bind(0, v)
}

/// The value range of an integer type (None for floats and bool).
fn int_range(d: DType) -> Option<(f64, f64)> {
    Some(match d {
        DType::I8 => (-128.0, 127.0),
        DType::I16 => (-32768.0, 32767.0),
        DType::I32 => (-2147483648.0, 2147483647.0),
        DType::I64 => (-9.223372036854776e18, 9.223372036854776e18),
        DType::U8 => (0.0, 255.0),
        DType::U16 => (0.0, 65535.0),
        DType::U32 => (0.0, 4294967295.0),
        _ => return None,
    })
}

fn cast(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let from = ctx.ty(x).dtype;
    let to = ctx.result_type(0)?.dtype;
    let mut v = x;
    if from.is_float()
        && let Some((lo, hi)) = int_range(to)
    {
        // TOSA: round half to even, then saturate to the target range.
        v = ctx.elementwise(Elementwise::Unary(Unary::Round), &[v])?;
        v = ctx.elementwise(Elementwise::Unary(Unary::Clamp { min: lo, max: hi }), &[v])?;
    }
    let v = ctx.elementwise(Elementwise::cast(to), &[v])?;
    ctx.bind(0, v)
}
