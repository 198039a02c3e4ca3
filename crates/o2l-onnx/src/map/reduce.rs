//! Reductions: axes from an attribute (older versions) or a constant input
//! (ReduceSum 13+, the others 18+), keepdims, noop_with_empty_axes.
use super::{MapCtx, Rule};
use o2l_canon::ops::{Reduce, ReduceKind};
use o2l_canon::shape::normalize_axes;
use o2l_canon::{Op, Result};

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

const ATTR: &str = "axes attribute; absent means all axes";
const INPUT: &str =
    "axes input (constant); absent or empty means all axes, or none with noop_with_empty_axes";

pub(crate) static RULES: &[Rule] = &[
    row("ReduceSum", &[1, 11], &["ReduceSum"], sum_attr, ATTR),
    row("ReduceSum", &[13], &["ReduceSum"], sum_input, INPUT),
    row("ReduceMean", &[1, 11, 13], &["ReduceMean"], mean_attr, ATTR),
    row("ReduceMean", &[18], &["ReduceMean"], mean_input, INPUT),
    row(
        "ReduceMax",
        &[1, 11, 12, 13],
        &["ReduceMax"],
        max_attr,
        ATTR,
    ),
    row("ReduceMax", &[18, 20], &["ReduceMax"], max_input, INPUT),
    row(
        "ReduceMin",
        &[1, 11, 12, 13],
        &["ReduceMin"],
        min_attr,
        ATTR,
    ),
    row("ReduceMin", &[18, 20], &["ReduceMin"], min_input, INPUT),
    row("ReduceProd", &[1, 11, 13], &["ReduceProd"], prod_attr, ATTR),
    row("ReduceProd", &[18], &["ReduceProd"], prod_input, INPUT),
];

fn reduce(ctx: &mut MapCtx, kind: ReduceKind, from_input: bool) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let keep_dims = ctx.attrs.int_or("keepdims", 1)? != 0;
    let axes = if from_input {
        ctx.const_ints(1, "axes")?.filter(|a| !a.is_empty())
    } else {
        ctx.attrs.ints("axes")?
    };
    let axes = match axes {
        Some(a) => {
            let mut a = normalize_axes(&a, rank)?;
            a.sort_unstable();
            a
        }
        None if from_input && ctx.attrs.int_or("noop_with_empty_axes", 0)? != 0 => {
            return ctx.bind(0, x);
        }
        None => (0..rank).collect(),
    };
    let v = ctx.emit1(
        Op::Reduce(Reduce {
            kind,
            axes,
            keep_dims,
        }),
        &[x],
    )?;
    ctx.bind(0, v)
}

fn sum_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Sum, false)
}
fn sum_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Sum, true)
}
fn mean_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Mean, false)
}
fn mean_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Mean, true)
}
fn max_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Max, false)
}
fn max_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Max, true)
}
fn min_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Min, false)
}
fn min_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Min, true)
}
fn prod_attr(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Prod, false)
}
fn prod_input(ctx: &mut MapCtx) -> Result<()> {
    reduce(ctx, ReduceKind::Prod, true)
}
