//! The committed manifest of every ONNX op's schema versions
//! (`schema_versions.tsv`, written by `tools/onnx_schema_manifest.py`).
use crate::load::normalize_domain;
use std::collections::HashMap;
use std::sync::OnceLock;

const MANIFEST: &str = include_str!("schema_versions.tsv");

type Table = HashMap<&'static str, HashMap<&'static str, Vec<i64>>>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table::new();
        for line in MANIFEST.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(domain), Some(op), Some(versions)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let vs: Vec<i64> = versions
                .split(',')
                .filter_map(|v| v.trim().parse().ok())
                .collect();
            t.entry(domain).or_default().insert(op, vs);
        }
        t
    })
}

/// Every schema `since` version of an op, ascending; `""` means `ai.onnx`.
/// None when the manifest has no such op.
pub fn schema_versions(domain: &str, op_type: &str) -> Option<&'static [i64]> {
    table()
        .get(normalize_domain(domain))
        .and_then(|ops| ops.get(op_type))
        .map(|v| v.as_slice())
}

/// Every (domain, op_type) the manifest lists, sorted.
pub fn schema_ops() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = table()
        .iter()
        .flat_map(|(d, ops)| ops.keys().map(move |o| (*d, *o)))
        .collect();
    v.sort_unstable();
    v
}

/// The version of an op that applies at `opset`: the greatest `since` version
/// not above it. None when the op did not exist yet at `opset`.
pub(crate) fn effective_version(versions: &[i64], opset: i64) -> Option<i64> {
    versions.iter().copied().filter(|&v| v <= opset).max()
}
