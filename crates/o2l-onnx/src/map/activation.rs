//! Activations composed from comparisons, selects and arithmetic:
//! ThresholdedRelu, Shrink, SwiGLU.
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Unary};
use o2l_canon::{Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "ThresholdedRelu",
        &[10, 22],
        &["Greater", "Select"],
        thresholded_relu,
        "x > alpha ? x : 0",
    ),
    row(
        "Shrink",
        &[9],
        &["Less", "Greater", "Add", "Sub", "Select"],
        shrink,
        "x < -lambd ? x + bias : x > lambd ? x - bias : 0",
    ),
    row(
        "SwiGLU",
        &[28],
        &["Mul", "Sigmoid"],
        swiglu,
        "a * sigmoid(alpha * a) * b (same shapes)",
    ),
];

fn select(ctx: &mut MapCtx, c: ValueId, a: ValueId, b: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Elementwise(Elementwise::Select), &[c, a, b])
}

fn thresholded_relu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    let a = ctx.scalar(dtype, alpha)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let above = ctx.compare(Compare::Greater, x, a)?;
    let y = select(ctx, above, x, zero)?;
    ctx.bind(0, y)
}

fn shrink(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let lambd = ctx.attrs.float_or("lambd", 0.5)? as f64;
    let bias = ctx.attrs.float_or("bias", 0.0)? as f64;
    let (lo, hi) = (ctx.scalar(dtype, -lambd)?, ctx.scalar(dtype, lambd)?);
    let b = ctx.scalar(dtype, bias)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let below = ctx.compare(Compare::Less, x, lo)?;
    let above = ctx.compare(Compare::Greater, x, hi)?;
    let plus = ctx.binary(Binary::Add, x, b)?;
    let minus = ctx.binary(Binary::Sub, x, b)?;
    let upper = select(ctx, above, minus, zero)?;
    let y = select(ctx, below, plus, upper)?;
    ctx.bind(0, y)
}

fn swiglu(ctx: &mut MapCtx) -> Result<()> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let (at, bt) = (ctx.ty(a), ctx.ty(b));
    if at.shape != bt.shape || at.dtype != bt.dtype {
        return Err(Error::invalid(format!(
            "SwiGLU takes two tensors of one shape and type, got {at} and {bt}"
        )));
    }
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    let scaled = if alpha == 1.0 {
        a
    } else {
        let k = ctx.scalar(at.dtype, alpha)?;
        ctx.binary(Binary::Mul, a, k)?
    };
    let gate = ctx.emit1(
        Op::Elementwise(Elementwise::Unary(Unary::Sigmoid)),
        &[scaled],
    )?;
    let swish = ctx.binary(Binary::Mul, a, gate)?;
    let y = ctx.binary(Binary::Mul, swish, b)?;
    ctx.bind(0, y)
}
