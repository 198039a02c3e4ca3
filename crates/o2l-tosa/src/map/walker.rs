//! Rows for the ops the block walker maps itself: constants (it reads their
//! attribute's bytes) and region ops (`crate::control` walks their regions).
//! These rows only document them.
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
    rule(
        "tosa.cond_if",
        &["Select"],
        by_the_walker,
        "both branches run (TOSA ops have no side effects), each result selected by the condition; regions may read outer values",
    ),
    rule(
        "tosa.while_loop",
        &["Loop"],
        by_the_walker,
        "a structured Loop whose body is the do region then the condition region; run-time trip count; outer values captured",
    ),
];

fn by_the_walker(_: &mut OpCtx) -> Result<()> {
    Err(Error::internal(
        "constants and region ops are mapped by the block walker, not by a rule",
    ))
}
