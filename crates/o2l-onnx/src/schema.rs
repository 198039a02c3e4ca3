//! The committed manifest of every ONNX op's schema versions
//! (`schema_versions.tsv`, written by `tools/onnx_schema_manifest.py`).
use std::collections::HashMap;
use std::sync::OnceLock;

/// The default domain, spelled the way messages and tables spell it.
pub(crate) const DEFAULT_DOMAIN: &str = "ai.onnx";

/// `""` and `"ai.onnx"` are the same domain.
pub(crate) fn normalize_domain(domain: &str) -> &str {
    if domain.is_empty() {
        DEFAULT_DOMAIN
    } else {
        domain
    }
}

const MANIFEST: &str = include_str!("schema_versions.tsv");
const ARITY: &str = include_str!("schema_arity.tsv");

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

/// onnxruntime's contrib domain. The `onnx` package has no schemas for it,
/// and every op in it is version 1 (onnxruntime never versioned them).
pub(crate) const CONTRIB_DOMAIN: &str = "com.microsoft";

/// Every schema `since` version of an op, ascending; `""` means `ai.onnx`.
/// None when the manifest has no such op; any `com.microsoft` op is `[1]`
/// (whether it is mapped is the rule tables' question).
pub fn schema_versions(domain: &str, op_type: &str) -> Option<&'static [i64]> {
    if domain == CONTRIB_DOMAIN {
        return Some(&[1]);
    }
    let domain = normalize_domain(domain);
    table()
        .get(domain)
        .and_then(|ops| ops.get(op_type))
        .map(|v| v.as_slice())
        .or_else(|| {
            (domain == DEFAULT_DOMAIN && CONTRIB_IN_DEFAULT_DOMAIN.contains(&op_type))
                .then_some(&[1][..])
        })
}

/// onnxruntime's contrib ops that it registers in the default domain (at
/// version 1; its optimizer writes them there), which `onnx` has no schema of.
const CONTRIB_IN_DEFAULT_DOMAIN: &[&str] = &["SimplifiedLayerNormalization"];

/// Every (domain, op_type) the manifest lists, sorted.
pub(crate) fn manifest_ops() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = table()
        .iter()
        .flat_map(|(d, ops)| ops.keys().map(move |o| (*d, *o)))
        .collect();
    v.sort_unstable();
    v
}

/// The newest opset of `domain` the manifest knows (its greatest `since`);
/// None for a domain it does not list (model-local functions).
pub(crate) fn newest_opset(domain: &str) -> Option<i64> {
    table()
        .get(normalize_domain(domain))
        .and_then(|ops| ops.values().flat_map(|v| v.iter().copied()).max())
}

/// The version of an op that applies at `opset`: the greatest `since` version
/// not above it. None when the op did not exist yet at `opset`.
pub(crate) fn effective_version(versions: &[i64], opset: i64) -> Option<i64> {
    versions.iter().copied().filter(|&v| v <= opset).max()
}

/// How many inputs and outputs one schema version takes (`max` is
/// `usize::MAX` for variadic ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arity {
    pub min_inputs: usize,
    pub max_inputs: usize,
    pub min_outputs: usize,
    pub max_outputs: usize,
}

type ArityTable = HashMap<(&'static str, &'static str, i64), Arity>;

/// The arity of `op_type` at its schema version `since`; None when unknown.
pub(crate) fn schema_arity(domain: &str, op_type: &str, since: i64) -> Option<Arity> {
    static TABLE: OnceLock<ArityTable> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let count = |s: &str| {
            if s == "*" {
                Some(usize::MAX)
            } else {
                s.parse().ok()
            }
        };
        ARITY
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let f: Vec<&'static str> = l.split('\t').collect();
                let [domain, op, since, a, b, c, d] = f[..] else {
                    return None;
                };
                let arity = Arity {
                    min_inputs: count(a)?,
                    max_inputs: count(b)?,
                    min_outputs: count(c)?,
                    max_outputs: count(d)?,
                };
                Some(((domain, op, since.parse().ok()?), arity))
            })
            .collect()
    });
    table
        .get(&(normalize_domain(domain), op_type, since))
        .copied()
}

impl Arity {
    /// An error naming the mismatch, if `inputs`/`outputs` do not fit.
    pub(crate) fn check(&self, op: &str, inputs: usize, outputs: usize) -> Option<String> {
        let range = |lo: usize, hi: usize| match (lo, hi) {
            (lo, usize::MAX) => format!("at least {lo}"),
            (lo, hi) if lo == hi => format!("{lo}"),
            (lo, hi) => format!("{lo} to {hi}"),
        };
        if inputs < self.min_inputs || inputs > self.max_inputs {
            return Some(format!(
                "{op} takes {} inputs, the node has {inputs}",
                range(self.min_inputs, self.max_inputs)
            ));
        }
        if outputs < self.min_outputs || outputs > self.max_outputs {
            return Some(format!(
                "{op} has {} outputs, the node has {outputs}",
                range(self.min_outputs, self.max_outputs)
            ));
        }
        None
    }
}
