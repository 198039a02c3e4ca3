//! TopK and NonZero onto the canonical Sort family.
use super::{MapCtx, Rule, row};
use o2l_canon::ops::Sort;
use o2l_canon::shape::normalize_axis;
use o2l_canon::{Error, Op, Result};

pub(crate) static RULES: &[Rule] = &[
    row(
        "TopK",
        &[1, 10, 11, 24],
        &["TopK"],
        top_k,
        "k from the attribute (1) or a constant input (10+); largest; always sorted (ties: lower index first)",
    ),
    row(
        "NonZero",
        &[9, 13],
        &["NonZero"],
        non_zero,
        "coordinates of the non-zero elements; the count is a run-time dim",
    ),
];

fn top_k(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", -1)?, rank)?;
    let k = if ctx.version >= 10 {
        match ctx.const_ints(1, "K")?.as_deref() {
            Some([k]) => *k,
            Some(other) => {
                return Err(Error::invalid(format!(
                    "TopK K must hold one value, got {other:?}"
                )));
            }
            None => return Err(Error::invalid("TopK needs its K input")),
        }
    } else {
        ctx.attrs.req_int("k")?
    };
    let k = u64::try_from(k)
        .map_err(|_| Error::invalid(format!("TopK k must not be negative, got {k}")))?;
    let largest = ctx.version < 11 || ctx.attrs.int_or("largest", 1)? != 0;
    let outs = ctx.emit(Op::Sort(Sort::TopK { axis, k, largest }), &[x])?;
    for (i, v) in outs.into_iter().enumerate() {
        if ctx.output_wanted(i) {
            ctx.bind(i, v)?;
        }
    }
    Ok(())
}

fn non_zero(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let count = format!("{}_nonzero", ctx.origin.node);
    let v = ctx.emit1(Op::Sort(Sort::NonZero { count }), &[x])?;
    ctx.bind(0, v)
}
