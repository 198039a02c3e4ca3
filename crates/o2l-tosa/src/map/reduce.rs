//! TOSA reductions: one axis, the reduced dim kept as 1; argmax drops it.
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::ops::{Reduce, ReduceKind};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{Builder, DType, Op, Result};

pub(crate) static RULES: &[Rule] = &[
    rule("tosa.reduce_sum", &["ReduceSum"], sum, "keeps the dim"),
    rule("tosa.reduce_max", &["ReduceMax"], max, "keeps the dim"),
    rule("tosa.reduce_min", &["ReduceMin"], min, "keeps the dim"),
    rule(
        "tosa.reduce_product",
        &["ReduceProd"],
        prod,
        "keeps the dim",
    ),
    rule(
        "tosa.reduce_all",
        &["Cast", "ReduceMin"],
        all,
        "bool: the minimum over 0/1",
    ),
    rule(
        "tosa.reduce_any",
        &["Cast", "ReduceMax"],
        any,
        "bool: the maximum over 0/1",
    ),
    rule(
        "tosa.argmax",
        &["ArgMax", "Cast"],
        argmax,
        "first index of the maximum, the dim dropped; i32 result",
    ),
];

fn reduce(ctx: &mut OpCtx, kind: ReduceKind, keep_dims: bool) -> Result<o2l_canon::ValueId> {
    let x = ctx.input(0)?;
    let axis = normalize_axis(ctx.int("axis")?, ctx.ty(x).rank())?;
    ctx.emit1(
        Op::Reduce(Reduce {
            kind,
            axes: vec![axis],
            keep_dims,
        }),
        &[x],
    )
}

fn simple(ctx: &mut OpCtx, kind: ReduceKind) -> Result<()> {
    let v = reduce(ctx, kind, true)?;
    ctx.bind(0, v)
}

fn sum(ctx: &mut OpCtx) -> Result<()> {
    simple(ctx, ReduceKind::Sum)
}
fn max(ctx: &mut OpCtx) -> Result<()> {
    simple(ctx, ReduceKind::Max)
}
fn min(ctx: &mut OpCtx) -> Result<()> {
    simple(ctx, ReduceKind::Min)
}
fn prod(ctx: &mut OpCtx) -> Result<()> {
    simple(ctx, ReduceKind::Prod)
}

/// all/any over bools: min/max over 0/1 as i8, back to bool.
fn boolean(ctx: &mut OpCtx, kind: ReduceKind) -> Result<()> {
    let x = ctx.input(0)?;
    let axis = normalize_axis(ctx.int("axis")?, ctx.ty(x).rank())?;
    let i = ctx.elementwise(o2l_canon::ops::Elementwise::cast(DType::I8), &[x])?;
    let r = ctx.emit1(
        Op::Reduce(Reduce {
            kind,
            axes: vec![axis],
            keep_dims: true,
        }),
        &[i],
    )?;
    let v = ctx.elementwise(o2l_canon::ops::Elementwise::cast(DType::Bool), &[r])?;
    ctx.bind(0, v)
}

fn all(ctx: &mut OpCtx) -> Result<()> {
    boolean(ctx, ReduceKind::Min)
}
fn any(ctx: &mut OpCtx) -> Result<()> {
    boolean(ctx, ReduceKind::Max)
}

fn argmax(ctx: &mut OpCtx) -> Result<()> {
    let v = reduce(ctx, ReduceKind::ArgMax { last: false }, false)?;
    let to = ctx.result_type(0)?.dtype;
    let v = ctx.elementwise(o2l_canon::ops::Elementwise::cast(to), &[v])?;
    ctx.bind(0, v)
}
