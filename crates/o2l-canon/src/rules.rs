//! The one rule-row type of every frontend (ONNX, TOSA, StableHLO): which
//! source op a row maps, at which schema versions, onto which canonical ops,
//! with which mapping function (`F`, the frontend's fn type over its own
//! context) and a note for the docs. `RuleInfo` is the row without its
//! function: what docs and coverage checks read, the same for every source.

use crate::{Error, Graph, Origin, Result};

/// One row of a frontend's rule table.
pub struct Rule<F> {
    /// The op set's domain: `ai.onnx`, `com.microsoft`, `ai.onnx.ml`, `tosa`, `stablehlo`.
    pub domain: &'static str,
    /// The op's name within its domain (`Conv`, `tosa.add`, `stablehlo.add`).
    pub op: &'static str,
    /// The exact schema `since` versions the row implements; empty for op
    /// sets whose ops carry no versions (TOSA, StableHLO).
    pub since: &'static [i64],
    /// Canonical op names the mapping may emit (a test checks each is declared).
    pub produces: &'static [&'static str],
    pub map: F,
    /// One line on how the op is mapped.
    pub note: &'static str,
}

/// A rule row without its mapping function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub domain: &'static str,
    pub op: &'static str,
    pub since: &'static [i64],
    pub produces: &'static [&'static str],
    pub note: &'static str,
}

/// The ops that compute a `Switch`'s key from a run-time operand (see the
/// ONNX frontend's `switch_on_run_time_axes`): a row that lists `Switch` may
/// emit these too.
pub const SWITCH_KEY: &[&str] = &[
    "Cast",
    "Reshape",
    "Add",
    "Max",
    "Min",
    "Gather",
    "Mul",
    "ReduceSum",
];

impl<F> Rule<F> {
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            domain: self.domain,
            op: self.op,
            since: self.since,
            produces: self.produces,
            note: self.note,
        }
    }

    /// Checks, in debug builds (so every test run does), that the nodes of
    /// `graph` from index `first` on that were mapped from `origin` are ops
    /// this row lists in `produces`. Docs and coverage tests read
    /// `produces`; a rule that emits more than it says would make them wrong.
    pub fn check_emitted(&self, graph: &Graph, first: usize, origin: &Origin) -> Result<()> {
        if !cfg!(debug_assertions) {
            return Ok(());
        }
        let mut unlisted: Vec<&str> = graph
            .nodes
            .get(first..)
            .unwrap_or_default()
            .iter()
            .filter(|n| n.origin == *origin)
            .map(|n| n.op.name())
            .filter(|name| !self.produces.contains(name))
            .filter(|name| !(self.produces.contains(&"Switch") && SWITCH_KEY.contains(name)))
            .collect();
        if unlisted.is_empty() {
            return Ok(());
        }
        unlisted.sort_unstable();
        unlisted.dedup();
        Err(Error::internal(format!(
            "the rule for {} ({}) emitted {}, which its row does not list in `produces` {:?}",
            self.op,
            self.domain,
            unlisted.join(", "),
            self.produces
        )))
    }

    /// Whether this row maps `op` of `domain` (at some version).
    pub fn maps(&self, domain: &str, op: &str) -> bool {
        self.domain == domain && self.op == op
    }
}

/// What is wrong with a frontend's rule table, one line each (empty: nothing):
/// a `produces` name that is not a declared canonical op, or two rows that
/// claim one op at one version (for unversioned op sets: two rows for one
/// op). Each frontend's tests require it to be empty.
pub fn table_problems(rows: &[RuleInfo]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in rows {
        for name in r.produces {
            if !crate::ops::is_declared(name) {
                problems.push(format!(
                    "{} ({}) lists {name}, not a canonical op",
                    r.op, r.domain
                ));
            }
        }
    }
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            let overlap = a.since.is_empty() && b.since.is_empty()
                || a.since.iter().any(|v| b.since.contains(v));
            if a.domain == b.domain && a.op == b.op && overlap {
                problems.push(format!(
                    "{} ({}) has two rows for one version ({:?} and {:?})",
                    a.op, a.domain, a.since, b.since
                ));
            }
        }
    }
    problems
}

/// A row of an op set without schema versions, written in the tables as
/// `rule("tosa.add", &["Add"], add, "")`; the domain is the op's prefix.
pub const fn rule<F>(
    op: &'static str,
    produces: &'static [&'static str],
    map: F,
    note: &'static str,
) -> Rule<F> {
    Rule {
        domain: prefix(op),
        op,
        since: &[],
        produces,
        map,
        note,
    }
}

/// A row with schema versions, in the tables as
/// `versioned("ai.onnx", "Squeeze", &[13, 21, 23], &["Reshape"], squeeze_v13, "")`.
pub const fn versioned<F>(
    domain: &'static str,
    op: &'static str,
    since: &'static [i64],
    produces: &'static [&'static str],
    map: F,
    note: &'static str,
) -> Rule<F> {
    Rule {
        domain,
        op,
        since,
        produces,
        map,
        note,
    }
}

/// `tosa` of `tosa.add`: the text before the first dot (all of it when none).
const fn prefix(op: &'static str) -> &'static str {
    let bytes = op.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'.' {
            let (head, _) = op.split_at(i);
            return head;
        }
        i += 1;
    }
    op
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{Binary, Elementwise, Unary};
    use crate::{DType, Op, TensorType};

    #[test]
    fn table_problems_name_undeclared_ops_and_overlapping_rows() {
        let rows = [
            versioned("ai.onnx", "A", &[1, 7], &["Add"], (), "").info(),
            versioned("ai.onnx", "A", &[13], &["Add"], (), "").info(),
            rule("t.b", &["Add", "Compare"], (), "").info(),
        ];
        let found = table_problems(&rows);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("lists Compare"), "{found:?}");
        let mut twice = rows.to_vec();
        twice.push(versioned("ai.onnx", "A", &[7], &[], (), "").info());
        twice.push(rule("t.b", &[], (), "").info());
        let found = table_problems(&twice);
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn an_op_the_row_does_not_list_is_an_error() {
        if !cfg!(debug_assertions) {
            return; // the check runs in debug builds only
        }
        let mut g = Graph::new("g");
        let x = g
            .add_input("x", TensorType::of_known(DType::F32, &[2]))
            .unwrap();
        let here = Origin {
            node: "n".into(),
            ..Default::default()
        };
        let other = Origin {
            node: "m".into(),
            ..Default::default()
        };
        let add = Op::Elementwise(Elementwise::Binary(Binary::Add));
        let neg = Op::Elementwise(Elementwise::Unary(Unary::Neg));
        g.add_node(add, &[x, x], &here).unwrap();
        // Another node's op (a subgraph mapped inside this one) is not this row's.
        g.add_node(neg.clone(), &[x], &other).unwrap();
        let row = rule("t.add", &["Add"], (), "");
        assert!(row.check_emitted(&g, 0, &here).is_ok());
        g.add_node(neg, &[x], &here).unwrap();
        let e = row.check_emitted(&g, 0, &here).unwrap_err();
        assert!(e.message.contains("emitted Neg"), "{e}");
        // Only the nodes from `first` on are this rule's.
        assert!(row.check_emitted(&g, 3, &here).is_ok());
    }

    #[test]
    fn unversioned_rows_take_the_domain_from_the_op_name() {
        let r = rule("tosa.add", &["Add"], (), "");
        assert_eq!(r.domain, "tosa");
        assert!(r.maps("tosa", "tosa.add"));
        assert!(!r.maps("stablehlo", "tosa.add"));
        assert_eq!(rule("plain", &[], (), "").domain, "plain");
        let v = versioned("ai.onnx", "Relu", &[6, 13], &["Relu"], (), "note");
        assert_eq!(
            v.info(),
            RuleInfo {
                domain: "ai.onnx",
                op: "Relu",
                since: &[6, 13],
                produces: &["Relu"],
                note: "note"
            }
        );
    }
}
