//! Reading a model: memory-map the file and decode it with prost from a
//! `Bytes` that owns the map, so `raw_data` fields stay slices of the map
//! (large files through `skim`, which does not touch the weights doing so).
use crate::mmap::{map_opened, open_file};
use crate::schema::{newest_opset, normalize_domain};
use o2l_canon::{Error, FileMaps, Result};
use o2l_proto::{Bytes, Message, ModelProto};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Opset versions imported per (normalised) domain.
pub(crate) type Opsets = BTreeMap<String, i64>;

pub(crate) fn opsets_of(imports: &[o2l_proto::OperatorSetIdProto]) -> Result<Opsets> {
    let mut out = Opsets::new();
    for imp in imports {
        let domain = normalize_domain(imp.domain()).to_string();
        let version = imp.version();
        if version < 1 {
            return Err(Error::invalid(format!(
                "opset import of domain \"{domain}\" has version {version}"
            )));
        }
        if let Some(newest) = newest_opset(&domain)
            && version > newest
        {
            return Err(Error::unsupported(format!(
                "opset {version} of domain \"{domain}\" is newer than the newest this converter knows ({newest})"
            )));
        }
        if let Some(prev) = out.insert(domain.clone(), version)
            && prev != version
        {
            return Err(Error::invalid(format!(
                "domain \"{domain}\" is imported twice, at opsets {prev} and {version}"
            )));
        }
    }
    Ok(out)
}

/// A decoded model and the folder its external data lives in.
pub(crate) struct Loaded {
    pub model: ModelProto,
    pub dir: PathBuf,
    pub opsets: Opsets,
    /// The model file's memory map, when it was read from a file.
    pub file_maps: FileMaps,
}

/// Decodes one protobuf message; failures are `InvalidModel` in the file.
pub(crate) fn decode<M: Message + Default>(bytes: Bytes, path: &Path) -> Result<M> {
    let len = bytes.len();
    M::decode(bytes).map_err(|e| {
        Error::invalid(format!(
            "not a valid ONNX protobuf ({len} bytes; truncated or not protobuf): {}",
            decode_problem(&e.to_string())
        ))
        .in_file(path.display().to_string())
    })
}

/// prost's error, shortened: the problem and the innermost field it was in
/// (its message lists every enclosing field, which for deep nesting is long).
fn decode_problem(message: &str) -> String {
    let rest = message
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(message);
    // "Message.field: Outer.field: ...: the problem"
    let parts: Vec<&str> = rest.split(": ").collect();
    let is_field = |p: &&&str| {
        p.contains('.')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    let fields = parts.iter().take_while(is_field).count();
    let problem = parts[fields..].join(": ");
    let problem = if problem.contains("recursion limit") {
        "messages nested more than 100 deep (subgraphs in subgraphs)".to_string()
    } else {
        problem
    };
    match parts.first() {
        Some(field) if fields > 0 => format!("{problem} (in {field})"),
        _ => problem,
    }
}

pub(crate) fn load_model(path: &Path) -> Result<Loaded> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The skeleton is read from the same open file the map is of.
    let file = open_file(path)?;
    let map = map_opened(&file, path)?;
    let mut loaded = match crate::skim::decode_skimmed(&file, &map) {
        Some(model) => loaded_model(model, path, dir)?,
        None => load_bytes(map.clone(), path, dir)?,
    };
    loaded.file_maps.push(map);
    Ok(loaded)
}

/// Decodes and checks a model held in memory; `name` is what errors call it,
/// `dir` the only folder its external data may come from.
pub(crate) fn load_bytes(bytes: Bytes, name: &Path, dir: PathBuf) -> Result<Loaded> {
    loaded_model(decode(bytes, name)?, name, dir)
}

fn loaded_model(model: ModelProto, name: &Path, dir: PathBuf) -> Result<Loaded> {
    check_model(&model, name)?;
    let opsets = opsets_of(&model.opset_import)?;
    Ok(Loaded {
        model,
        dir,
        opsets,
        file_maps: FileMaps::default(),
    })
}

/// Checks what every model must have, so garbage that happens to decode is refused.
pub(crate) fn check_model(model: &ModelProto, path: &Path) -> Result<()> {
    if model.graph.is_none() {
        return Err(Error::invalid(format!(
            "{} has no graph (not an ONNX model, or truncated)",
            path.display()
        )));
    }
    if model.opset_import.is_empty() {
        return Err(Error::invalid(format!(
            "{} imports no opset (not an ONNX model, or truncated)",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn an_opset_newer_than_the_manifest_is_refused() {
        // An op may have changed at an opset the manifest does not know.
        let e = M::new(99)
            .input(f32_in("x", &[4]))
            .node(node("Relu", "r", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(e.message.contains("opset 99"), "{e}");
        assert!(
            e.message.contains("newest this converter knows (28)"),
            "{e}"
        );
        let g = M::new(28)
            .input(f32_in("x", &[4]))
            .node(node("Relu", "r", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 14);
    }
}
