//! The ONNX frontend: decode a model (memory-mapped, external data resolved
//! inside the model's folder), resolve each node's schema version, and map it
//! onto canonical ops through the per-family rule tables in `map/`.
//! It knows nothing of MLIR.
#![deny(unsafe_code)]

mod attr;
mod import;
mod load;
mod map;
// Calls the C API / maps files: SAFETY comments at each use.
#[allow(unsafe_code)]
mod mmap;
mod schema;
mod skim;
mod tensor;
mod walk;

#[cfg(test)]
mod test_models;

use o2l_canon::{Graph, Result, Tensor};
use std::path::Path;

pub use schema::schema_versions;

/// Options that change how a model is imported.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `NAME=1x3x224x224` pins of symbolic input dims, applied before inference.
    pub input_shapes: Vec<(String, Vec<u64>)>,
    /// `NAME=N` pins of named symbolic dims: every runtime input dim whose
    /// `dim_param` is `NAME` becomes `N` (at least 1), applied before inference
    /// after `input_shapes`, whose values win for the symbols they fix. A name
    /// no input uses is not an error (see [`dim_params`]).
    pub dims: Vec<(String, u64)>,
    /// Graph inputs replaced by these values: they become constants (and
    /// leave the function signature), so shape operands fold at conversion.
    pub bind_inputs: Vec<(String, Tensor)>,
    /// Caps on folding, made constants and nesting.
    pub limits: o2l_canon::Limits,
}

pub use o2l_canon::RuleInfo;

/// Every rule row of every family table, in table order.
pub fn rules() -> impl Iterator<Item = RuleInfo> {
    map::all_rules().map(|r| r.info())
}

/// Every (domain, op_type) of the schema manifest, and the onnxruntime
/// contrib ops some rule maps (the manifest has no schemas of them), sorted.
pub fn schema_ops() -> Vec<(&'static str, &'static str)> {
    let mut v = schema::manifest_ops();
    let contrib: Vec<_> = map::all_rules()
        .map(|r| (r.domain, r.op))
        .filter(|op| !v.contains(op))
        .collect();
    v.extend(contrib);
    v.sort_unstable();
    v.dedup();
    v
}

/// A schema version of a mapped op that no rule implements, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapInfo {
    pub domain: &'static str,
    pub op_type: &'static str,
    pub since: &'static [i64],
    pub reason: &'static str,
}

/// Every listed gap: together with `rules()` it accounts for every manifest
/// version of every mapped op (a test checks this).
pub fn gaps() -> impl Iterator<Item = GapInfo> {
    map::GAPS.iter().map(|g| GapInfo {
        domain: "ai.onnx",
        op_type: g.op_type,
        since: g.since,
        reason: g.reason,
    })
}

/// An imported graph and what the import noticed without refusing the
/// model: declared shapes that disagree with the computed ones (the computed
/// shape is used, as onnxruntime does), dim names that two inputs use for
/// different sizes. Each warning names the value and both shapes; the caller
/// says which file it is about.
#[derive(Debug)]
pub struct Imported {
    pub graph: Graph,
    pub warnings: Vec<String>,
    /// One line per node that reads a dequantized value (a QDQ group):
    /// `node "..." (Conv, ...): integer (QuantizedConv, i32 accumulation)` or
    /// `...: stays float: <why>`. `--explain-quant` prints them.
    pub quantization: Vec<String>,
}

/// Reads an ONNX model file and maps it onto a canonical graph.
/// Errors name the file, and the node when one is at fault.
pub fn import(path: &Path, options: &ImportOptions) -> Result<Graph> {
    import_with_warnings(path, options).map(|i| i.graph)
}

/// `import`, with the warnings of the import.
pub fn import_with_warnings(path: &Path, options: &ImportOptions) -> Result<Imported> {
    let loaded = load::load_model(path)?;
    import::import_model(&loaded, options)
}

/// Maps an ONNX model held in memory onto a canonical graph: `name` is what
/// errors call it, `dir` the only folder its external data may come from.
pub fn import_bytes(
    bytes: &[u8],
    name: &Path,
    dir: &Path,
    options: &ImportOptions,
) -> Result<Graph> {
    import_bytes_with_warnings(bytes, name, dir, options).map(|i| i.graph)
}

/// `import_bytes`, with the warnings of the import.
pub fn import_bytes_with_warnings(
    bytes: &[u8],
    name: &Path,
    dir: &Path,
    options: &ImportOptions,
) -> Result<Imported> {
    let loaded = load::load_bytes(
        o2l_proto::Bytes::copy_from_slice(bytes),
        name,
        dir.to_path_buf(),
    )?;
    import::import_model(&loaded, options)
}

/// The runtime inputs of a model (graph inputs without an initializer), with
/// their declared types, without mapping any node: lets a caller pick
/// `input_shapes` pins before `import` (which may need them to succeed).
pub fn graph_inputs(path: &Path) -> Result<Vec<(String, o2l_canon::TensorType)>> {
    // Only the inputs are decoded: a full load of a MobileNetV2 took as long
    // as the import that follows (about a millisecond). A model that does
    // not decode this way gets the full load, and its error.
    if let Some(inputs) = import::declared_inputs(path) {
        return Ok(inputs);
    }
    let loaded = load::load_model(path)?;
    import::runtime_inputs(&loaded)
}

/// The runtime inputs of a model as an import with `options` declares them:
/// `input_shapes` and `dims` applied, bound inputs left out. Its symbolic
/// dims are the ones that stay dynamic.
pub fn pinned_inputs(
    path: &Path,
    options: &ImportOptions,
) -> Result<Vec<(String, o2l_canon::TensorType)>> {
    let loaded = load::load_model(path)?;
    let mut inputs = import::runtime_inputs(&loaded)?;
    import::apply_pins(&mut inputs, &options.input_shapes, &options.dims)?;
    inputs.retain(|(n, _)| !options.bind_inputs.iter().any(|(b, _)| b == n));
    Ok(inputs)
}

/// The `dim_param` that dim `index` of runtime input `input` carries, if it is
/// a named symbolic dim: `None` for a known dim, and for a symbolic dim the
/// model leaves unnamed (the import calls it `INPUT_dINDEX`).
pub fn dim_param<'a>(input: &str, index: usize, dim: &'a o2l_canon::Dim) -> Option<&'a str> {
    match dim {
        o2l_canon::Dim::Symbol(s) if *s != import::unnamed_dim(input, index) => Some(s),
        _ => None,
    }
}

/// Every `dim_param` the runtime inputs of `inputs` use, in order of first use.
pub fn dim_params(inputs: &[(String, o2l_canon::TensorType)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (n, ty) in inputs {
        for (i, d) in ty.shape.iter().enumerate() {
            if let Some(p) = dim_param(n, i, d)
                && !out.iter().any(|o| o == p)
            {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// Reads one serialized `TensorProto` (as in backend-test `input_0.pb` files).
pub fn read_tensor_file(path: &Path) -> Result<Tensor> {
    let bytes = mmap::map_file(path)?;
    let proto = load::decode::<o2l_proto::TensorProto>(bytes, path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut files = tensor::ExternalFiles::new(dir);
    tensor::tensor_from_proto(&proto, &mut files)
}

mod inventory;
pub use inventory::{OpUse, model_ops};
