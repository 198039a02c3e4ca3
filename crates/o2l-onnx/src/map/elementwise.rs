//! Elementwise ONNX ops: arithmetic with numpy broadcasting, activations,
//! Clip, variadic Max/Min/Sum/Mean, Pow, Reciprocal and Cast.
use super::{MapCtx, Rule};
use crate::tensor::dtype_of;
use o2l_canon::ops::{Binary, Elementwise, Unary};
use o2l_canon::{DType, Error, Op, Result, ValueId};

const fn row(
    op_type: &'static str,
    since: &'static [i64],
    produces: &'static [&'static str],
    map: super::MapFn,
    note: &'static str,
) -> Rule {
    Rule {
        domain: "ai.onnx",
        op_type,
        since,
        produces,
        map,
        note,
    }
}

pub(crate) static RULES: &[Rule] = &[
    row(
        "Add",
        &[7, 13, 14],
        &["Add"],
        add,
        "numpy broadcasting (legacy `broadcast` attribute of v1/v6 not supported)",
    ),
    row("Sub", &[7, 13, 14], &["Sub"], sub, "numpy broadcasting"),
    row("Mul", &[7, 13, 14], &["Mul"], mul, "numpy broadcasting"),
    row(
        "Div",
        &[7, 13, 14],
        &["Div"],
        div,
        "numpy broadcasting; integers truncate",
    ),
    row(
        "Pow",
        &[7, 12, 13, 15],
        &["Pow", "Cast"],
        pow,
        "exponent cast to the base's type when they differ",
    ),
    row("Relu", &[6, 13, 14], &["Relu"], relu, "max(x, 0)"),
    row("Sigmoid", &[6, 13], &["Sigmoid"], sigmoid, "1 / (1 + e^-x)"),
    row("Tanh", &[6, 13], &["Tanh"], tanh, "tanh"),
    row("Exp", &[6, 13], &["Exp"], exp, "e^x"),
    row("Log", &[6, 13], &["Log"], log, "natural log"),
    row("Sqrt", &[6, 13], &["Sqrt"], sqrt, "square root"),
    row("Neg", &[6, 13], &["Neg"], neg, "-x"),
    row("Abs", &[6, 13], &["Abs"], abs, "|x|"),
    row("Reciprocal", &[6, 13], &["Div"], reciprocal, "1 / x"),
    row(
        "LeakyRelu",
        &[6, 16],
        &["LeakyRelu"],
        leaky_relu,
        "alpha defaults to 0.01",
    ),
    row(
        "Clip",
        &[6],
        &["Clamp"],
        clip_v6,
        "min/max attributes (defaults: the f32 range)",
    ),
    row(
        "Clip",
        &[11, 12, 13],
        &["Clamp", "Max", "Min"],
        clip_v11,
        "constant min/max inputs -> Clamp; run-time bounds -> Max/Min",
    ),
    row(
        "Max",
        &[6, 8, 12, 13],
        &["Max"],
        max_n,
        "variadic, folded left with broadcasting",
    ),
    row(
        "Min",
        &[6, 8, 12, 13],
        &["Min"],
        min_n,
        "variadic, folded left with broadcasting",
    ),
    row(
        "Sum",
        &[6, 8, 13],
        &["Add"],
        sum_n,
        "variadic, folded left with broadcasting",
    ),
    row(
        "Mean",
        &[6, 8, 13],
        &["Add", "Div"],
        mean_n,
        "variadic sum divided by the operand count",
    ),
    row(
        "Cast",
        &[6, 9, 13, 19, 21, 23, 24, 25, 28],
        &["Cast"],
        cast,
        "`to` must name a supported element type; `saturate` only affects float8",
    ),
];

fn binary(ctx: &mut MapCtx, b: Binary) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let v = ctx.binary(b, x, y)?;
    ctx.bind(0, v)
}
fn add(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Add)
}
fn sub(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Sub)
}
fn mul(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Mul)
}
fn div(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Div)
}

fn pow(ctx: &mut MapCtx) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let dtype = ctx.ty(x).dtype;
    let y = ctx.cast(y, dtype)?;
    let v = ctx.binary(Binary::Pow, x, y)?;
    ctx.bind(0, v)
}

fn unary(ctx: &mut MapCtx, u: Unary) -> Result<()> {
    let x = ctx.input(0)?;
    let v = ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[x])?;
    ctx.bind(0, v)
}
fn relu(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Relu)
}
fn sigmoid(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Sigmoid)
}
fn tanh(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Tanh)
}
fn exp(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Exp)
}
fn log(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Log)
}
fn sqrt(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Sqrt)
}
fn neg(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Neg)
}
fn abs(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Abs)
}
fn leaky_relu(ctx: &mut MapCtx) -> Result<()> {
    let alpha = ctx.attrs.float_or("alpha", 0.01)? as f64;
    unary(ctx, Unary::LeakyRelu { alpha })
}

fn reciprocal(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let one = ctx.scalar(ctx.ty(x).dtype, 1.0)?;
    let v = ctx.binary(Binary::Div, one, x)?;
    ctx.bind(0, v)
}

/// The value range of a dtype, as clamp bounds.
pub(crate) fn dtype_range(d: DType) -> (f64, f64) {
    match d {
        DType::Bool => (0.0, 1.0),
        DType::I8 => (i8::MIN as f64, i8::MAX as f64),
        DType::I16 => (i16::MIN as f64, i16::MAX as f64),
        DType::I32 => (i32::MIN as f64, i32::MAX as f64),
        DType::I64 => (i64::MIN as f64, i64::MAX as f64),
        DType::U8 => (0.0, u8::MAX as f64),
        DType::U16 => (0.0, u16::MAX as f64),
        DType::U32 => (0.0, u32::MAX as f64),
        DType::U64 => (0.0, u64::MAX as f64),
        DType::F16 | DType::BF16 | DType::F32 | DType::F64 => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

fn clip_v6(ctx: &mut MapCtx) -> Result<()> {
    let min = ctx.attrs.float_or("min", f32::MIN)? as f64;
    let max = ctx.attrs.float_or("max", f32::MAX)? as f64;
    unary(ctx, Unary::Clamp { min, max })
}

fn clip_v11(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let (mut lo, mut hi) = dtype_range(dtype);
    let mut runtime: Vec<(Binary, ValueId)> = Vec::new();
    let mut any_const = false;
    for (i, b) in [(1, Binary::Max), (2, Binary::Min)] {
        let Some(v) = ctx.opt_input(i) else {
            continue;
        };
        match ctx.const_of(v) {
            Some(t) => {
                let vals = t.to_f64s();
                let [bound] = vals.as_slice() else {
                    return Err(Error::invalid(format!(
                        "Clip bound (input {i}) must be a scalar, got {} values",
                        vals.len()
                    )));
                };
                any_const = true;
                if i == 1 {
                    lo = *bound;
                } else {
                    hi = *bound;
                }
            }
            None => runtime.push((b, v)),
        }
    }
    let mut y = x;
    if any_const || runtime.is_empty() {
        y = ctx.emit1(
            Op::Elementwise(Elementwise::Unary(Unary::Clamp { min: lo, max: hi })),
            &[y],
        )?;
    }
    for (b, v) in runtime {
        let v = ctx.cast(v, dtype)?;
        y = ctx.binary(b, y, v)?;
    }
    ctx.bind(0, y)
}

fn variadic(ctx: &mut MapCtx, b: Binary) -> Result<ValueId> {
    let mut acc = ctx.input(0)?;
    for i in 1..ctx.num_inputs() {
        let v = ctx.input(i)?;
        acc = ctx.binary(b, acc, v)?;
    }
    Ok(acc)
}
fn max_n(ctx: &mut MapCtx) -> Result<()> {
    let v = variadic(ctx, Binary::Max)?;
    ctx.bind(0, v)
}
fn min_n(ctx: &mut MapCtx) -> Result<()> {
    let v = variadic(ctx, Binary::Min)?;
    ctx.bind(0, v)
}
fn sum_n(ctx: &mut MapCtx) -> Result<()> {
    let v = variadic(ctx, Binary::Add)?;
    ctx.bind(0, v)
}
fn mean_n(ctx: &mut MapCtx) -> Result<()> {
    let s = variadic(ctx, Binary::Add)?;
    let n = ctx.num_inputs();
    let v = if n > 1 {
        let count = ctx.scalar(ctx.ty(s).dtype, n as f64)?;
        ctx.binary(Binary::Div, s, count)?
    } else {
        s
    };
    ctx.bind(0, v)
}

fn cast(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let code = ctx.attrs.req_int("to")?;
    let code = i32::try_from(code)
        .map_err(|_| Error::invalid(format!("attribute \"to\": bad data type code {code}")))?;
    let to = dtype_of(code, "attribute \"to\"")?;
    let v = ctx.emit1(Op::Elementwise(Elementwise::Cast { to }), &[x])?;
    ctx.bind(0, v)
}
