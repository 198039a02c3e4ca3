//! The supported-op table, rendered from the code: the canonical `SPECS`
//! tables, the frontends' rule tables, the ONNX schema manifest and the
//! TOSA spec's operator list.
//! `docs/ops.md` is this text; a test keeps it fresh, and `onnx2linalg ops` prints it.
use std::collections::BTreeMap;
use std::fmt::Write;

fn join_versions(v: &[i64]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole `docs/ops.md` page.
pub fn render_markdown() -> String {
    let rules: Vec<o2l_onnx::RuleInfo> = o2l_onnx::rules().collect();
    let mut out = String::new();
    let _ = writeln!(out, "# Supported ops\n");
    let _ = writeln!(
        out,
        "Generated from the code by `onnx2linalg ops` (the canonical `SPECS` tables in \
         `crates/o2l-canon/src/ops/`, the rule tables in `crates/o2l-onnx/src/map/`, \
         `crates/o2l-tosa/src/map/` and `crates/o2l-stablehlo/src/map/`, the ONNX schema manifest and the TOSA spec's operator \
         list); `cargo test --test suite docs::` rewrites this file when it is stale \
         and fails. Do not edit by hand.\n"
    );

    // ONNX ops: every op of the manifest, with what we map.
    let schema_ops = o2l_onnx::schema_ops();
    let default_domain: Vec<_> = schema_ops.iter().filter(|(d, _)| *d == "ai.onnx").collect();
    let supported_default = default_domain
        .iter()
        .filter(|(d, o)| rules.iter().any(|r| r.domain == *d && r.op_type == *o))
        .count();
    let _ = writeln!(out, "## ONNX ops\n");
    let _ = writeln!(
        out,
        "{supported_default} of {} default-domain (`ai.onnx`) ops have at least one supported \
         schema version. A node's schema version is the greatest one not above the model's \
         opset; versions not listed as supported are refused with an error that lists the \
         supported ones.\n",
        default_domain.len()
    );
    let _ = writeln!(
        out,
        "| op | domain | schema versions | supported versions | canonical ops | notes |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (domain, op_type) in &schema_ops {
        let versions = o2l_onnx::schema_versions(domain, op_type).unwrap_or(&[]);
        let mine: Vec<&o2l_onnx::RuleInfo> = rules
            .iter()
            .filter(|r| r.domain == *domain && r.op_type == *op_type)
            .collect();
        let mut supported: Vec<i64> = mine.iter().flat_map(|r| r.since.iter().copied()).collect();
        supported.sort_unstable();
        supported.dedup();
        let mut produces: Vec<&str> = mine
            .iter()
            .flat_map(|r| r.produces.iter().copied())
            .collect();
        produces.sort_unstable();
        produces.dedup();
        let mut notes: Vec<&str> = mine
            .iter()
            .map(|r| r.note)
            .filter(|n| !n.is_empty())
            .collect();
        notes.dedup();
        let supported = if supported.is_empty() {
            "-".to_string()
        } else {
            join_versions(&supported)
        };
        let _ = writeln!(
            out,
            "| {op_type} | {domain} | {} | {supported} | {} | {} |",
            join_versions(versions),
            produces.join(", "),
            notes.join("; ").replace('|', "\\|")
        );
    }

    render_tosa(&mut out);
    render_stablehlo(&mut out);

    // Canonical ops, with the source ops of each op set that map onto each.
    let onnx_sources = sources(rules.iter().map(|r| (r.op_type, r.produces)));
    let tosa_rules: Vec<o2l_tosa::RuleInfo> = o2l_tosa::rules().collect();
    let tosa_sources = sources(tosa_rules.iter().map(|r| (r.op, r.produces)));
    let shlo_rules: Vec<o2l_stablehlo::RuleInfo> = o2l_stablehlo::rules().collect();
    let shlo_sources = sources(shlo_rules.iter().map(|r| (r.op, r.produces)));
    let _ = writeln!(out, "\n## Canonical ops\n");
    let _ = writeln!(
        out,
        "| canonical op | family | meaning | operands | attributes | ONNX ops | TOSA ops | StableHLO ops |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for spec in o2l_canon::ops::all_specs() {
        let of = |m: &BTreeMap<&str, Vec<String>>| {
            m.get(spec.name).map(|v| v.join(", ")).unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "| {} | {:?} | {} | {} | {} | {} | {} | {} |",
            spec.name,
            spec.family,
            spec.doc.replace('|', "\\|"),
            spec.operands.join(", "),
            spec.attributes.join(", ").replace('|', "\\|"),
            of(&onnx_sources),
            of(&tosa_sources),
            of(&shlo_sources),
        );
    }
    out
}

/// Canonical op name -> the source ops (in table order) that produce it.
fn sources<'a>(
    rows: impl Iterator<Item = (&'a str, &'a [&'a str])>,
) -> BTreeMap<&'a str, Vec<String>> {
    let mut out: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (op, produces) in rows {
        for p in produces {
            let entry = out.entry(*p).or_default();
            if !entry.iter().any(|e| e == op) {
                entry.push(op.to_string());
            }
        }
    }
    out
}

/// Every operator of the TOSA spec: what it maps to, or why it is refused.
fn render_tosa(out: &mut String) {
    let rules: Vec<o2l_tosa::RuleInfo> = o2l_tosa::rules().collect();
    let supported = o2l_tosa::SPEC_OPS
        .iter()
        .filter(|op| rules.iter().any(|r| r.op == **op))
        .count();
    let _ = writeln!(out, "\n## TOSA ops\n");
    let _ = writeln!(
        out,
        "{supported} of the {} operators of the TOSA 1.0 specification are supported \
         (`tosa.const_shape`, a shape constant, comes with them). Layouts are made explicit \
         (NHWC and OHWI become channels-first around canonical Conv and Pool); results are \
         compared with MLIR's own TOSA lowering in `tests/suite/tosa.rs`.\n",
        o2l_tosa::SPEC_OPS.len()
    );
    let _ = writeln!(out, "| op | supported | canonical ops | notes |");
    let _ = writeln!(out, "|---|---|---|---|");
    let mut ops: Vec<&str> = o2l_tosa::SPEC_OPS.to_vec();
    ops.extend(
        rules
            .iter()
            .map(|r| r.op)
            .filter(|o| !o2l_tosa::SPEC_OPS.contains(o)),
    );
    ops.sort_unstable();
    for op in ops {
        let row = match rules.iter().find(|r| r.op == op) {
            Some(r) => format!(
                "yes | {} | {}",
                r.produces.join(", "),
                r.note.replace('|', "\\|")
            ),
            None => format!(
                "no | | {}",
                o2l_tosa::gap_reason(op).unwrap_or("not mapped yet")
            ),
        };
        let _ = writeln!(out, "| {op} | {row} |");
    }
}

/// Every StableHLO op with a rule, and every refused one with its reason.
fn render_stablehlo(out: &mut String) {
    let rules: Vec<o2l_stablehlo::RuleInfo> = o2l_stablehlo::rules().collect();
    let gaps: Vec<(&str, &str)> = o2l_stablehlo::gaps().collect();
    let _ = writeln!(out, "\n## StableHLO ops\n");
    let _ = writeln!(
        out,
        "{} ops are supported and {} refused with a reason. Programs are read as MLIR text \
         (pretty or generic form) by the frontend's own reader; results are compared with \
         JAX's in `tests/suite/stablehlo.rs` (see also [stablehlo.md](stablehlo.md)).\n",
        rules.len(),
        gaps.len()
    );
    let _ = writeln!(out, "| op | supported | canonical ops | notes |");
    let _ = writeln!(out, "|---|---|---|---|");
    let mut rows: Vec<(&str, String)> = rules
        .iter()
        .map(|r| {
            (
                r.op,
                format!(
                    "yes | {} | {}",
                    r.produces.join(", "),
                    r.note.replace('|', "\\|")
                ),
            )
        })
        .chain(gaps.iter().map(|(op, why)| (*op, format!("no | | {why}"))))
        .collect();
    rows.sort();
    for (op, row) in rows {
        let _ = writeln!(out, "| {op} | {row} |");
    }
}
