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

/// One op set's section of the page: its ops (with their schema versions,
/// empty where the op set has none), its rule rows and why an op without a
/// row is refused.
struct Section {
    title: &'static str,
    intro: String,
    ops: Vec<(&'static str, &'static str, &'static [i64])>,
    rules: Vec<o2l_canon::RuleInfo>,
    refused: fn(&str, &str, &[i64]) -> Option<&'static str>,
    /// One table per domain, each under its own heading (ONNX: the default
    /// domain, `ai.onnx.ml`, onnxruntime's `com.microsoft`, ...).
    by_domain: bool,
}

fn onnx_section() -> Section {
    let rules: Vec<o2l_canon::RuleInfo> = o2l_onnx::rules().collect();
    let ops: Vec<_> = o2l_onnx::schema_ops()
        .into_iter()
        .map(|(d, o)| (d, o, o2l_onnx::schema_versions(d, o).unwrap_or(&[])))
        .collect();
    let default_domain = ops.iter().filter(|(d, _, _)| *d == "ai.onnx");
    let supported = default_domain
        .clone()
        .filter(|(d, o, _)| rules.iter().any(|r| r.domain == *d && r.op == *o))
        .count();
    Section {
        title: "ONNX ops",
        intro: format!(
            "{supported} of {} default-domain (`ai.onnx`) ops have at least one supported \
             schema version. A node's schema version is the greatest one not above the model's \
             opset; versions not listed as supported are refused with an error that lists the \
             supported ones.",
            default_domain.count()
        ),
        ops,
        rules,
        refused: |_, _, _| None,
        by_domain: true,
    }
}

fn tosa_section() -> Section {
    let rules: Vec<o2l_canon::RuleInfo> = o2l_tosa::rules().collect();
    let supported = o2l_tosa::SPEC_OPS
        .iter()
        .filter(|op| rules.iter().any(|r| r.op == **op))
        .count();
    let mut names: Vec<&'static str> = o2l_tosa::SPEC_OPS.to_vec();
    names.extend(
        rules
            .iter()
            .map(|r| r.op)
            .filter(|o| !o2l_tosa::SPEC_OPS.contains(o)),
    );
    names.sort_unstable();
    Section {
        title: "TOSA ops",
        intro: format!(
            "{supported} of the {} operators of the TOSA 1.0 specification are supported \
             (`tosa.const_shape`, a shape constant, comes with them). Layouts are made explicit \
             (NHWC and OHWI become channels-first around canonical Conv and Pool); results are \
             compared with MLIR's own TOSA lowering in `tests/suite/tosa.rs`.",
            o2l_tosa::SPEC_OPS.len()
        ),
        ops: with_domains(names, &rules, "tosa"),
        rules,
        refused: |_, op, _| Some(o2l_tosa::gap_reason(op).unwrap_or("not mapped yet")),
        by_domain: false,
    }
}

fn stablehlo_section() -> Section {
    let rules: Vec<o2l_canon::RuleInfo> = o2l_stablehlo::rules().collect();
    let gaps: Vec<(&str, &str)> = o2l_stablehlo::gaps().collect();
    let mut names: Vec<&'static str> = rules.iter().map(|r| r.op).collect();
    names.extend(gaps.iter().map(|(op, _)| *op));
    names.sort_unstable();
    names.dedup();
    Section {
        title: "StableHLO ops",
        intro: format!(
            "{} ops are supported and {} refused with a reason. Programs are read as MLIR text \
             (pretty or generic form) by the frontend's own reader; results are compared with \
             JAX's in `tests/suite/stablehlo.rs` (see also [stablehlo.md](stablehlo.md)).",
            rules.len(),
            gaps.len()
        ),
        ops: with_domains(names, &rules, "stablehlo"),
        rules,
        refused: |_, op, _| o2l_stablehlo::gap_reason(op),
        by_domain: false,
    }
}

/// Unversioned ops with the domain their rule names (`arith` for
/// `arith.constant`), or `fallback` for refused ones.
fn with_domains(
    names: Vec<&'static str>,
    rules: &[o2l_canon::RuleInfo],
    fallback: &'static str,
) -> Vec<(&'static str, &'static str, &'static [i64])> {
    names
        .into_iter()
        .map(|o| {
            let domain = rules
                .iter()
                .find(|r| r.op == o)
                .map_or(fallback, |r| r.domain);
            (domain, o, &[][..])
        })
        .collect()
}

/// One section: every op of the op set, what it maps onto, or why it is refused.
fn render_section(out: &mut String, section: &Section) {
    let _ = writeln!(out, "## {}\n", section.title);
    let _ = writeln!(out, "{}\n", section.intro);
    let mut table_domain: Option<&str> = None;
    for &(domain, op, versions) in &section.ops {
        let heading = section.by_domain && table_domain != Some(domain);
        if table_domain.is_none() || heading {
            if heading {
                if table_domain.is_some() {
                    out.push('\n');
                }
                domain_heading(out, section, domain);
            }
            let _ = writeln!(
                out,
                "| op | domain | schema versions | supported versions | canonical ops | notes |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|");
            table_domain = Some(domain);
        }
        let mine: Vec<&o2l_canon::RuleInfo> = section
            .rules
            .iter()
            .filter(|r| r.domain == domain && r.op == op)
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
        if mine.is_empty() {
            notes.extend((section.refused)(domain, op, versions));
        }
        let supported = match (mine.is_empty(), supported.is_empty()) {
            (true, _) => "-".to_string(),
            (false, true) => "all".to_string(),
            (false, false) => join_versions(&supported),
        };
        let versions = if versions.is_empty() {
            "-".to_string()
        } else {
            join_versions(versions)
        };
        let _ = writeln!(
            out,
            "| {op} | {domain} | {versions} | {supported} | {} | {} |",
            produces.join(", "),
            notes.join("; ").replace('|', "\\|")
        );
    }
}

/// `### domain`, with how many of the domain's ops have a rule.
fn domain_heading(out: &mut String, section: &Section, domain: &str) {
    let ops: Vec<&str> = section
        .ops
        .iter()
        .filter(|(d, _, _)| *d == domain)
        .map(|(_, o, _)| *o)
        .collect();
    let supported = ops
        .iter()
        .filter(|o| {
            section
                .rules
                .iter()
                .any(|r| r.domain == domain && r.op == **o)
        })
        .count();
    let what = match domain {
        "ai.onnx" => " (the default domain)",
        "ai.onnx.ml" => " (classic machine learning: scikit-learn, LightGBM, XGBoost exporters)",
        "com.microsoft" => " (onnxruntime's contrib ops: quantized, fused and transformer ops)",
        _ => "",
    };
    let count = if domain == "com.microsoft" {
        // The schema manifest has no contrib ops: only the ones with a rule are listed.
        format!("{supported} ops supported; other `com.microsoft` ops are refused as unknown.")
    } else {
        format!("{supported} of {} ops supported.", ops.len())
    };
    let _ = writeln!(out, "### `{domain}`{what}\n\n{count}\n");
}

/// The whole `docs/ops.md` page.
pub fn render_markdown() -> String {
    let sections = [onnx_section(), tosa_section(), stablehlo_section()];
    let mut out = String::new();
    let _ = writeln!(out, "# Supported ops\n");
    let _ = writeln!(
        out,
        "Generated from the code by `onnx2linalg ops` (the canonical `SPECS` tables in \
         `crates/o2l-canon/src/ops/`, the rule tables in `crates/o2l-onnx/src/map/`, \
         `crates/o2l-tosa/src/map/` and `crates/o2l-stablehlo/src/map/`, the ONNX schema manifest and the TOSA spec's operator \
         list); `cargo test --test suite docs::` rewrites this file when it is stale \
         and fails. Do not edit by hand. Every op set's table has the same columns: an op \
         set without schema versions (TOSA, StableHLO) shows `-` for them and `all` for a \
         supported op.\n"
    );
    for (k, section) in sections.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        render_section(&mut out, section);
    }

    // Canonical ops, with the source ops of each op set that map onto each.
    let by_source: Vec<BTreeMap<&str, Vec<String>>> = sections
        .iter()
        .map(|s| sources(s.rules.iter().map(|r| (r.op, r.produces))))
        .collect();
    let _ = writeln!(out, "\n## Canonical ops\n");
    let _ = writeln!(
        out,
        "| canonical op | family | meaning | operands | attributes | ONNX ops | TOSA ops | StableHLO ops |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for spec in o2l_canon::ops::all_specs() {
        let of: Vec<String> = by_source
            .iter()
            .map(|m| m.get(spec.name).map(|v| v.join(", ")).unwrap_or_default())
            .collect();
        let _ = writeln!(
            out,
            "| {} | {:?} | {} | {} | {} | {} |",
            spec.name,
            spec.family,
            spec.doc.replace('|', "\\|"),
            spec.operands.join(", "),
            spec.attributes.join(", ").replace('|', "\\|"),
            of.join(" | "),
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
