//! Mapping ONNX nodes onto canonical ops. Each family file opens with a static
//! table of rows: domain, op type, the exact schema `since` versions the row
//! implements, the canonical ops it can produce, and the mapping function.
//! A node's effective version must appear in some row's `since` list; there
//! are no open version ranges.
use ctx::Rule;

pub(crate) mod activation;
pub(crate) mod attention;
pub(crate) mod causal_conv;
pub(crate) mod contrib;
pub(crate) mod contrib_attention;
pub(crate) mod contrib_blockwise;
pub(crate) mod contrib_embed;
pub(crate) mod contrib_quant;
pub(crate) mod control;
pub(crate) mod conv;
pub(crate) mod ctx;
pub(crate) mod detect;
pub(crate) mod elementwise;
pub(crate) mod gradient;
pub(crate) mod integer;
pub(crate) mod linear;
pub(crate) mod loss;
pub(crate) mod ml;
pub(crate) mod ml_linear;
pub(crate) mod ml_tree;
pub(crate) mod movement;
pub(crate) mod norm;
pub(crate) mod optional;
pub(crate) mod pool;
pub(crate) mod qdq;
pub(crate) mod qlinear;
pub(crate) mod quant;
pub(crate) mod random;
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
        random::RULES,
        training::RULES,
        gradient::RULES,
        ml::RULES,
        ml_tree::RULES,
        ml_linear::RULES,
        contrib::RULES,
        contrib_attention::RULES,
        contrib_embed::RULES,
        contrib_quant::RULES,
        contrib_blockwise::RULES,
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

/// The default-domain gaps. Every schema version of a mapped op has a row
/// (opsets 1 to 6 included: `consumed_inputs` is ignored as the optimisation
/// hint it is, legacy `broadcast`/`axis` align the second operand); a version
/// added here needs the reason it is refused.
pub(crate) static GAPS: &[Gap] = &[];

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
