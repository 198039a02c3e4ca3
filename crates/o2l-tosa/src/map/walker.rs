//! Rows for the ops the walker (`crate::import`) maps itself: constants (it
//! reads their attribute's bytes, and `!tosa.shape`s stay known at
//! conversion). These rows only document them.
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::{Error, Result};

pub(crate) static RULES: &[Rule] = &[
    rule(
        "tosa.const",
        &[],
        by_the_walker,
        "a constant of the graph (dense or splat)",
    ),
    rule(
        "arith.constant",
        &[],
        by_the_walker,
        "a tensor constant (exporters leave some in this form)",
    ),
    rule(
        "tosa.const_shape",
        &[],
        by_the_walker,
        "a !tosa.shape known at conversion, read by reshape, slice, pad, tile, resize",
    ),
];

fn by_the_walker(_: &mut OpCtx) -> Result<()> {
    Err(Error::internal(
        "constants are mapped by the walker, not by a rule",
    ))
}
