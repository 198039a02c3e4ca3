//! Every declared canonical op is lowered in at least one FileCheck test:
//! the fixtures that `tests/ir/*.test` pipe into FileCheck are imported, and
//! the canonical ops of their graphs (control-flow bodies included) must
//! cover every `SPECS` row. A new op without a FileCheck test fails here.
#![allow(clippy::panic, clippy::unwrap_used)]
use o2l_canon::ops::Control;
use o2l_canon::{Graph, Op};
use std::collections::BTreeSet;
use std::path::Path;

/// Canonical op names of `graph` and of every body it holds.
fn op_names(graph: &Graph, out: &mut BTreeSet<&'static str>) {
    for node in &graph.nodes {
        out.insert(node.op.name());
        match &node.op {
            Op::Control(Control::Loop { body, .. }) => op_names(&body.0, out),
            Op::Control(Control::Switch { cases, .. }) => {
                for (_, body) in cases {
                    op_names(&body.0, out);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_canonical_op_is_in_a_filecheck_test() {
    let ir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ir");
    let mut fixtures = BTreeSet::new();
    for entry in std::fs::read_dir(&ir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "test") {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if !(line.starts_with("RUN:") && line.contains("FileCheck")) {
                continue;
            }
            // Models under tests/ir/fixtures, and the op cases tests/ir reads.
            for word in line.split_whitespace() {
                if let Some(name) = word.strip_prefix("%S/")
                    && (name.starts_with("fixtures/") || name.starts_with("../op_cases/"))
                {
                    fixtures.insert(name.to_string());
                }
            }
        }
    }
    assert!(
        fixtures.len() > 50,
        "only {} fixtures found",
        fixtures.len()
    );
    let mut covered = BTreeSet::new();
    for name in &fixtures {
        let path = ir.join(name);
        let graph = onnx2linalg::import_model(&path, None, &Default::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        op_names(&graph, &mut covered);
    }
    let missing: Vec<&str> = o2l_canon::ops::all_specs()
        .map(|s| s.name)
        .filter(|n| !covered.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "{} canonical ops appear in no FileCheck-tested fixture of tests/ir: {missing:?}",
        missing.len()
    );
}
