//! A model's op inventory: which op types it uses and how often, read from
//! the decoded graph without mapping any node (for batch reports).
use crate::load::load_model;
use crate::schema::normalize_domain;
use crate::schema::{effective_version, schema_versions};
use o2l_canon::Result;
use o2l_proto::GraphProto;
use std::collections::BTreeMap;
use std::path::Path;

/// One op type of a model, with the schema version that applies at the
/// model's opset and the number of nodes (subgraphs included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpUse {
    /// `ai.onnx` for the default domain.
    pub domain: String,
    pub op_type: String,
    /// The schema `since` version at the model's opset; 0 when the manifest
    /// does not know the op or the domain is not imported.
    pub version: i64,
    pub count: usize,
    /// Whether a frontend rule implements this (domain, op_type, version).
    pub supported: bool,
}

fn walk(graph: &GraphProto, counts: &mut BTreeMap<(String, String), usize>) {
    for node in &graph.node {
        let key = (
            normalize_domain(node.domain()).to_string(),
            node.op_type().to_string(),
        );
        *counts.entry(key).or_default() += 1;
        for attr in &node.attribute {
            if let Some(g) = &attr.g {
                walk(g, counts);
            }
            for g in &attr.graphs {
                walk(g, counts);
            }
        }
    }
}

/// The op types a model uses, sorted by (domain, op_type). Fails only when
/// the file cannot be read or is not an ONNX model.
pub fn model_ops(path: &Path) -> Result<Vec<OpUse>> {
    let loaded = load_model(path)?;
    let mut counts = BTreeMap::new();
    if let Some(graph) = &loaded.model.graph {
        walk(graph, &mut counts);
    }
    let rules: Vec<crate::RuleInfo> = crate::rules().collect();
    Ok(counts
        .into_iter()
        .map(|((domain, op_type), count)| {
            let version = loaded
                .opsets
                .get(&domain)
                .and_then(|&opset| {
                    schema_versions(&domain, &op_type)
                        .and_then(|versions| effective_version(versions, opset))
                })
                .unwrap_or(0);
            let supported = rules
                .iter()
                .any(|r| r.domain == domain && r.op == op_type && r.since.contains(&version));
            OpUse {
                domain,
                op_type,
                version,
                count,
                supported,
            }
        })
        .collect())
}
