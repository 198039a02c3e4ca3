//! Mapping ONNX nodes onto canonical ops. Each family file opens with a static
//! table of rows: domain, op type, the exact schema `since` versions the row
//! implements, the canonical ops it can produce, and the mapping function.
//! A node's effective version must appear in some row's `since` list; there
//! are no open version ranges.
use ctx::Rule;

pub(crate) mod activation;
pub(crate) mod attention;
pub(crate) mod causal_conv;
pub(crate) mod control;
pub(crate) mod conv;
pub(crate) mod ctx;
pub(crate) mod detect;
pub(crate) mod elementwise;
pub(crate) mod linear;
pub(crate) mod loss;
pub(crate) mod ml;
pub(crate) mod movement;
pub(crate) mod norm;
pub(crate) mod optional;
pub(crate) mod pool;
pub(crate) mod quant;
pub(crate) mod recurrent;
pub(crate) mod reduce;
pub(crate) mod resize;
pub(crate) mod sequence;
pub(crate) mod signal;
pub(crate) mod sort;
pub(crate) mod training;

/// Every row of every family table, in family order.
pub(crate) fn all_rules() -> impl Iterator<Item = &'static Rule> {
    [
        elementwise::RULES,
        activation::RULES,
        linear::RULES,
        conv::RULES,
        causal_conv::RULES,
        pool::RULES,
        reduce::RULES,
        norm::RULES,
        attention::RULES,
        loss::RULES,
        quant::RULES,
        resize::RULES,
        signal::RULES,
        sort::RULES,
        detect::RULES,
        control::RULES,
        optional::RULES,
        sequence::RULES,
        recurrent::RULES,
        movement::RULES,
        training::RULES,
        ml::RULES,
    ]
    .into_iter()
    .flatten()
}

/// Schema versions of mapped ops that no row implements, and why. A test
/// checks that every manifest version of a mapped op is in a row or here.
pub(crate) struct Gap {
    pub op_type: &'static str,
    pub since: &'static [i64],
    pub reason: &'static str,
}

const CONSUMED: &str = "legacy `consumed_inputs` attribute (opsets before 6)";
const BROADCAST: &str = "legacy `broadcast`/`axis` attributes (opsets before 7)";

const fn gap(op_type: &'static str, since: &'static [i64], reason: &'static str) -> Gap {
    Gap {
        op_type,
        since,
        reason,
    }
}

/// The default-domain gaps, all below opset 7.
pub(crate) static GAPS: &[Gap] = &[
    gap("Abs", &[1], CONSUMED),
    gap("Add", &[1, 6], BROADCAST),
    gap("And", &[1], BROADCAST),
    gap("Equal", &[1], BROADCAST),
    gap("Greater", &[1], BROADCAST),
    gap("Less", &[1], BROADCAST),
    gap("Or", &[1], BROADCAST),
    gap("Xor", &[1], BROADCAST),
    gap(
        "BatchNormalization",
        &[1, 6],
        "legacy `is_test`/`spatial`/`consumed_inputs` attributes (opsets before 7)",
    ),
    gap("Cast", &[1], "`to` given as a string (opsets before 6)"),
    gap("Clip", &[1], CONSUMED),
    gap(
        "Concat",
        &[1],
        "optional axis defaulting to 1 (opsets before 4)",
    ),
    gap("Div", &[1, 6], BROADCAST),
    gap(
        "Dropout",
        &[1, 6],
        "legacy `is_test` attribute (opsets before 7)",
    ),
    gap("Elu", &[1], CONSUMED),
    gap(
        "GlobalLpPool",
        &[1],
        "legacy p attribute as float (opsets before 2)",
    ),
    gap(
        "LpPool",
        &[1],
        "legacy p attribute as float (opsets before 2)",
    ),
    gap(
        "RNN",
        &[1],
        "legacy output_sequence attribute (opsets before 7)",
    ),
    gap(
        "GRU",
        &[1, 3],
        "legacy output_sequence attribute (opsets before 7)",
    ),
    gap(
        "LSTM",
        &[1],
        "legacy output_sequence attribute (opsets before 7)",
    ),
    gap(
        "Upsample",
        &[1],
        "legacy height_scale/width_scale attributes (opsets before 7)",
    ),
    gap("Exp", &[1], CONSUMED),
    gap("Floor", &[1], CONSUMED),
    gap("Ceil", &[1], CONSUMED),
    gap("Gemm", &[1, 6], BROADCAST),
    gap("HardSigmoid", &[1], CONSUMED),
    gap("InstanceNormalization", &[1], CONSUMED),
    gap("LeakyRelu", &[1], CONSUMED),
    gap("Log", &[1], CONSUMED),
    gap("Max", &[1], CONSUMED),
    gap("Mean", &[1], CONSUMED),
    gap("Min", &[1], CONSUMED),
    gap("Mul", &[1, 6], BROADCAST),
    gap("Neg", &[1], CONSUMED),
    gap(
        "PRelu",
        &[1, 6],
        "legacy slope broadcasting (opsets before 7)",
    ),
    gap("Pad", &[1], "legacy `paddings` attribute (opsets before 2)"),
    gap("Pow", &[1], BROADCAST),
    gap("Reciprocal", &[1], CONSUMED),
    gap("Relu", &[1], CONSUMED),
    gap(
        "Reshape",
        &[1],
        "shape given as an attribute (opsets before 5)",
    ),
    gap("Selu", &[1], CONSUMED),
    gap("Sigmoid", &[1], CONSUMED),
    gap(
        "Split",
        &[1],
        "legacy split input/attribute pair (opsets before 2)",
    ),
    gap("Sqrt", &[1], CONSUMED),
    gap("Sub", &[1, 6], BROADCAST),
    gap("Sum", &[1], CONSUMED),
    gap("Tanh", &[1], CONSUMED),
    gap("Tile", &[1], "legacy tiles/axis inputs (opsets before 6)"),
];

/// Why a version of a mapped op is not supported, when the gap table says.
pub(crate) fn gap_reason(domain: &str, op_type: &str, version: i64) -> Option<&'static str> {
    if domain != "ai.onnx" {
        return None;
    }
    GAPS.iter()
        .find(|g| g.op_type == op_type && g.since.contains(&version))
        .map(|g| g.reason)
}

/// Whether any row maps this op type (at some version).
pub(crate) fn has_rules(domain: &str, op_type: &str) -> bool {
    all_rules().any(|r| r.maps(domain, op_type))
}

/// The row implementing exactly `version` of the op.
pub(crate) fn find_rule(domain: &str, op_type: &str, version: i64) -> Option<&'static Rule> {
    all_rules().find(|r| r.maps(domain, op_type) && r.since.contains(&version))
}

/// Every version some row implements, ascending.
pub(crate) fn supported_versions(domain: &str, op_type: &str) -> Vec<i64> {
    let mut v: Vec<i64> = all_rules()
        .filter(|r| r.maps(domain, op_type))
        .flat_map(|r| r.since.iter().copied())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use crate::map::all_rules;

    #[test]
    fn the_rule_table_declares_its_ops_and_has_one_row_per_version() {
        let rows: Vec<_> = all_rules().map(|r| r.info()).collect();
        let problems = o2l_canon::rules::table_problems(&rows);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_rule_version_exists_in_the_manifest() {
        for r in crate::rules() {
            let versions = crate::schema_versions(r.domain, r.op)
                .unwrap_or_else(|| panic!("{} is not in the manifest", r.op));
            for v in r.since {
                assert!(
                    versions.contains(v),
                    "{}-{v} is not a schema version ({versions:?})",
                    r.op
                );
            }
        }
    }

    #[test]
    fn rules_cover_every_version_from_opset_7_on() {
        for r in crate::rules() {
            let versions = crate::schema_versions(r.domain, r.op).unwrap();
            let from = crate::schema::effective_version(versions, 7).unwrap_or(0);
            let supported = crate::map::supported_versions(r.domain, r.op);
            for v in versions.iter().filter(|&&v| v >= from) {
                assert!(
                    supported.contains(v),
                    "{}-{v} (in use from opset 7 on) has no rule",
                    r.op
                );
            }
        }
    }

    #[test]
    fn every_version_of_a_mapped_op_is_a_rule_or_a_listed_gap() {
        for r in crate::rules() {
            let versions = crate::schema_versions(r.domain, r.op).unwrap();
            let supported = crate::map::supported_versions(r.domain, r.op);
            for v in versions {
                let gap = crate::gaps()
                    .any(|g| g.domain == r.domain && g.op_type == r.op && g.since.contains(v));
                assert!(
                    supported.contains(v) != gap,
                    "{}-{v}: must be either a rule or a listed gap (rule: {}, gap: {gap})",
                    r.op,
                    supported.contains(v)
                );
            }
        }
        for g in crate::gaps() {
            assert!(
                crate::rules().any(|r| r.op == g.op_type),
                "gap for unmapped op {}",
                g.op_type
            );
        }
    }

    #[test]
    fn every_manifest_op_has_versions() {
        for (d, op) in crate::schema_ops() {
            assert!(crate::schema_versions(d, op).is_some());
        }
    }
}
