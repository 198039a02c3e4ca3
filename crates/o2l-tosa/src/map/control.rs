//! Rows for TOSA's region ops. Their regions are walked by `crate::control`
//! (it needs the MLIR op, not just operands), so these rows only document.
use super::{OpCtx, Rule, rule};
use o2l_canon::{Error, Result};

pub(crate) static RULES: &[Rule] = &[
    rule(
        "tosa.cond_if",
        &["Select"],
        by_the_region_walker,
        "both branches run (TOSA ops have no side effects), each result selected by the condition; regions may read outer values",
    ),
    rule(
        "tosa.while_loop",
        &["Loop"],
        by_the_region_walker,
        "a structured Loop whose body is the do region then the condition region; run-time trip count; outer values captured",
    ),
];

fn by_the_region_walker(_: &mut OpCtx) -> Result<()> {
    Err(Error::internal(
        "region ops are mapped by the region walker, not by a rule",
    ))
}
