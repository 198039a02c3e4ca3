//! The StableHLO rule table: one row per StableHLO op (name, the canonical
//! ops it produces, the mapping function, a note), grouped in family files
//! like the ONNX and TOSA frontends'. Ops that carry regions or call
//! functions (`func.call`, `while`, `case`, `if`, `composite`) have rows too:
//! their mapping walks the region through the walker the context holds.
mod chlo;
mod control;
mod ctx;
mod elementwise;
mod gather;
mod linear;
mod movement;
mod reduce;

pub(crate) use ctx::{Env, OpCtx, Rule, Scope, Walker};

fn all_rules() -> impl Iterator<Item = &'static Rule> {
    [
        elementwise::RULES,
        chlo::RULES,
        movement::RULES,
        gather::RULES,
        linear::RULES,
        reduce::RULES,
        control::RULES,
    ]
    .into_iter()
    .flatten()
}

pub(crate) fn find(op: &str) -> Option<&'static Rule> {
    all_rules().find(|r| r.op == op)
}

/// StableHLO ops that are refused, with the reason the error gives.
pub(crate) static GAPS: &[(&str, &str)] = &[
    (
        "stablehlo.rng_bit_generator",
        "its bits are defined by the generator's implementation (Philox, ThreeFry) and its state; a converted function is pure and has no such generator",
    ),
    (
        "stablehlo.rng",
        "random numbers from an implementation-defined generator",
    ),
    (
        "stablehlo.custom_call",
        "a custom call's meaning is defined by its target's implementation (a library routine), not by StableHLO",
    ),
    (
        "stablehlo.infeed",
        "I/O with the host during execution: a converted function has no side channel",
    ),
    (
        "stablehlo.outfeed",
        "I/O with the host during execution: a converted function has no side channel",
    ),
    ("stablehlo.send", "communication between devices"),
    ("stablehlo.recv", "communication between devices"),
    ("stablehlo.all_reduce", "a collective across replicas"),
    ("stablehlo.all_gather", "a collective across replicas"),
    ("stablehlo.all_to_all", "a collective across replicas"),
    ("stablehlo.reduce_scatter", "a collective across replicas"),
    (
        "stablehlo.collective_permute",
        "a collective across replicas",
    ),
    (
        "stablehlo.collective_broadcast",
        "a collective across replicas",
    ),
    ("stablehlo.replica_id", "a property of a replicated run"),
    ("stablehlo.partition_id", "a property of a partitioned run"),
    (
        "stablehlo.after_all",
        "tokens order side effects, which converted functions do not have",
    ),
    (
        "stablehlo.create_token",
        "tokens order side effects, which converted functions do not have",
    ),
    (
        "stablehlo.fft",
        "complex numbers are not canonical element types",
    ),
    (
        "stablehlo.complex",
        "complex numbers are not canonical element types",
    ),
    (
        "stablehlo.real",
        "complex numbers are not canonical element types",
    ),
    (
        "stablehlo.imag",
        "complex numbers are not canonical element types",
    ),
    ("stablehlo.tuple", "tuples are not canonical values"),
    (
        "stablehlo.get_tuple_element",
        "tuples are not canonical values",
    ),
    (
        "stablehlo.triangular_solve",
        "no canonical op solves triangular systems",
    ),
    ("stablehlo.cholesky", "no canonical op factors matrices"),
    ("stablehlo.batch_norm_grad", "training ops are out of scope"),
    (
        "stablehlo.batch_norm_training",
        "training ops are out of scope",
    ),
    (
        "stablehlo.batch_norm_inference",
        "not mapped yet (JAX does not emit it; it would be elementwise ops over the feature dim)",
    ),
    (
        "stablehlo.reduce_precision",
        "rounding to a narrower float format inside a wider one is not a canonical op",
    ),
    (
        "stablehlo.map",
        "not mapped yet (JAX does not emit it; its body would be inlined per element)",
    ),
    (
        "stablehlo.einsum",
        "deprecated in StableHLO (JAX emits dot_general)",
    ),
    (
        "stablehlo.unary_einsum",
        "deprecated in StableHLO (JAX emits dot_general)",
    ),
    (
        "stablehlo.broadcast",
        "deprecated in StableHLO (JAX emits broadcast_in_dim)",
    ),
    (
        "stablehlo.select_and_scatter",
        "the gradient of a window reduction: training ops are out of scope",
    ),
    (
        "stablehlo.uniform_quantize",
        "quantized element types are not canonical element types",
    ),
    (
        "stablehlo.uniform_dequantize",
        "quantized element types are not canonical element types",
    ),
    (
        "stablehlo.dynamic_pad",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.dynamic_conv",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.get_dimension_size",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.set_dimension_size",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
];

/// Why an op is refused, when it is one of the listed gaps.
pub fn gap_reason(op: &str) -> Option<&'static str> {
    GAPS.iter().find(|(o, _)| *o == op).map(|(_, r)| *r)
}

/// Every refused op and why.
pub fn gaps() -> impl Iterator<Item = (&'static str, &'static str)> {
    GAPS.iter().copied()
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
