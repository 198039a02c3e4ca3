//! The TOSA rule table: one row per TOSA op (name, the canonical ops it
//! produces, the mapping function, a note), grouped in family files like the
//! ONNX frontend's.
mod control;
mod ctx;
mod elementwise;
mod fft;
mod integer;
mod layout;
mod movement;
mod reduce;
mod sample;
mod walker;

pub(crate) use ctx::{OpCtx, Operand, Regions, Rule, Within};

fn all_rules() -> impl Iterator<Item = &'static Rule> {
    [
        elementwise::RULES,
        integer::RULES,
        reduce::RULES,
        movement::RULES,
        layout::RULES,
        sample::RULES,
        walker::RULES,
        control::RULES,
        fft::RULES,
    ]
    .into_iter()
    .flatten()
}

pub(crate) fn find(op: &str) -> Option<&'static Rule> {
    all_rules().find(|r| r.op == op)
}

/// The operators of the TOSA 1.0 specification, for coverage counts and the docs.
pub const SPEC_OPS: &[&str] = &[
    "tosa.argmax",
    "tosa.avg_pool2d",
    "tosa.conv2d",
    "tosa.conv3d",
    "tosa.depthwise_conv2d",
    "tosa.fft2d",
    "tosa.matmul",
    "tosa.max_pool2d",
    "tosa.rfft2d",
    "tosa.transpose_conv2d",
    "tosa.clamp",
    "tosa.erf",
    "tosa.sigmoid",
    "tosa.tanh",
    "tosa.add",
    "tosa.arithmetic_right_shift",
    "tosa.bitwise_and",
    "tosa.bitwise_or",
    "tosa.bitwise_xor",
    "tosa.intdiv",
    "tosa.logical_and",
    "tosa.logical_left_shift",
    "tosa.logical_right_shift",
    "tosa.logical_or",
    "tosa.logical_xor",
    "tosa.maximum",
    "tosa.minimum",
    "tosa.mul",
    "tosa.pow",
    "tosa.sub",
    "tosa.table",
    "tosa.abs",
    "tosa.bitwise_not",
    "tosa.ceil",
    "tosa.clz",
    "tosa.cos",
    "tosa.exp",
    "tosa.floor",
    "tosa.log",
    "tosa.logical_not",
    "tosa.negate",
    "tosa.reciprocal",
    "tosa.rsqrt",
    "tosa.sin",
    "tosa.select",
    "tosa.equal",
    "tosa.greater",
    "tosa.greater_equal",
    "tosa.reduce_all",
    "tosa.reduce_any",
    "tosa.reduce_max",
    "tosa.reduce_min",
    "tosa.reduce_product",
    "tosa.reduce_sum",
    "tosa.concat",
    "tosa.pad",
    "tosa.reshape",
    "tosa.reverse",
    "tosa.slice",
    "tosa.tile",
    "tosa.transpose",
    "tosa.gather",
    "tosa.scatter",
    "tosa.resize",
    "tosa.cast",
    "tosa.rescale",
    "tosa.const",
    "tosa.identity",
    "tosa.cond_if",
    "tosa.while_loop",
    "tosa.variable",
    "tosa.variable_write",
    "tosa.variable_read",
    "tosa.custom",
];

/// Spec operators that are refused, with the reason the error gives.
pub(crate) static GAPS: &[(&str, &str)] = &[
    (
        "tosa.variable",
        "variables are state kept between calls; a converted function is pure (no state)",
    ),
    (
        "tosa.variable_read",
        "variables are state kept between calls; a converted function is pure (no state)",
    ),
    (
        "tosa.variable_write",
        "variables are state kept between calls; a converted function is pure (no state)",
    ),
    (
        "tosa.custom",
        "a custom operator's meaning is defined by its implementation, not by TOSA",
    ),
];

/// Why a spec operator is refused, when it is one of the listed gaps.
pub fn gap_reason(op: &str) -> Option<&'static str> {
    GAPS.iter().find(|(o, _)| *o == op).map(|(_, r)| *r)
}

/// Every rule row, in table order.
pub fn rules() -> impl Iterator<Item = o2l_canon::RuleInfo> {
    all_rules().map(|r| r.info())
}

#[cfg(test)]
mod tests {
    use super::all_rules;

    #[test]
    fn the_rule_table_declares_its_ops_and_has_one_row_per_op() {
        let rows: Vec<_> = all_rules().map(|r| r.info()).collect();
        let problems = o2l_canon::rules::table_problems(&rows);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
