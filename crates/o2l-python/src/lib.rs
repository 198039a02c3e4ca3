//! `onnx2linalg._native`: the library's conversion and in-process run, for the
//! Python package in `python/onnx2linalg` (which takes paths, bytes or
//! `onnx.ModelProto`s and NumPy arrays, and calls these functions with a file
//! path and `.npy` bytes). Every failure raises `onnx2linalg.Error` with the
//! command line's one-line message.
#![deny(unsafe_code)]

// The command line itself, compiled a second time into this module, so the
// wheel's `onnx2linalg` command (python/onnx2linalg/_cli.py) is the same
// program as the binary without a second copy of MLIR in the wheel.
#[allow(dead_code)]
#[path = "../../../src/cli/mod.rs"]
mod cli;
#[path = "../../../src/host_only.rs"]
mod host_only;

use onnx2linalg::{ConvertOptions, Emit, Frontend, ImportOptions, RunOptions, Weights};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::path::{Path, PathBuf};

create_exception!(
    onnx2linalg,
    Error,
    PyException,
    "A model that onnx2linalg cannot convert or run. `str(e)` is the command \
     line's one-line message; `e.kind` names the kind (\"unsupported\", \
     \"invalid model\", \"limit\", \"verification\", \"i/o\", \"internal\")."
);

/// The Python exception for a library error. A model given as bytes was
/// written to a temporary file: `display` is the name its messages use instead.
fn to_py(py: Python<'_>, mut e: onnx2linalg::Error, path: &Path, display: Option<&str>) -> PyErr {
    if let Some(name) = display {
        let tmp = path.display().to_string();
        if e.file.as_deref() == Some(tmp.as_str()) {
            e.file = Some(name.to_string());
        }
        e.message = e.message.replace(&tmp, name);
    }
    let err = Error::new_err(onnx2linalg::error_line(&e));
    // The kind is an extra; the message alone is what the CLI prints.
    let _ = err.value(py).setattr("kind", e.kind.as_str());
    err
}

fn frontend(source: Option<&str>) -> PyResult<Option<Frontend>> {
    match source {
        None => Ok(None),
        Some("onnx") => Ok(Some(Frontend::Onnx)),
        Some("tosa") => Ok(Some(Frontend::Tosa)),
        Some("stablehlo") => Ok(Some(Frontend::StableHlo)),
        Some(other) => Err(Error::new_err(format!(
            "source must be \"onnx\", \"tosa\", \"stablehlo\" or None (detect), got {other:?}"
        ))),
    }
}

fn import_options(
    input_shapes: Vec<(String, Vec<u64>)>,
    dims: Vec<(String, u64)>,
) -> PyResult<ImportOptions> {
    if let Some((name, _)) = dims.iter().find(|(_, n)| *n == 0) {
        return Err(Error::new_err(format!(
            "dim \"{name}\" pinned to 0 (a pinned dim is at least 1)"
        )));
    }
    Ok(ImportOptions {
        input_shapes,
        dims,
        ..Default::default()
    })
}

/// Converts the model at `path`; returns `(mlir, warnings)`, the MLIR as
/// `str` (text) or `bytes` (bytecode).
#[pyfunction]
#[pyo3(signature = (path, input_shapes, dims, emit, weights, source, display))]
#[allow(clippy::too_many_arguments)]
fn convert(
    py: Python<'_>,
    path: PathBuf,
    input_shapes: Vec<(String, Vec<u64>)>,
    dims: Vec<(String, u64)>,
    emit: &str,
    weights: &str,
    source: Option<&str>,
    display: Option<String>,
) -> PyResult<(Py<PyAny>, Vec<String>)> {
    let mut options = ConvertOptions {
        from: frontend(source)?,
        import: import_options(input_shapes, dims)?,
        ..Default::default()
    };
    options.lower.emit = match emit {
        "text" => Emit::Text,
        "bytecode" => Emit::Bytecode,
        other => {
            return Err(Error::new_err(format!(
                "emit must be \"text\" or \"bytecode\", got {other:?}"
            )));
        }
    };
    options.lower.weights = match weights {
        "resource" => Weights::Resource,
        "inline" => Weights::Inline,
        "elide" => Weights::Elide,
        other => {
            return Err(Error::new_err(format!(
                "weights must be \"resource\", \"inline\" or \"elide\", got {other:?}"
            )));
        }
    };
    // The conversion holds no Python object: other threads may run meanwhile.
    let result = py.detach(|| {
        let imported =
            onnx2linalg::import_model_with_warnings(&path, options.from, &options.import)?;
        let mlir = onnx2linalg::lower(&imported.graph, &options.lower)
            .map_err(|e| e.in_file(path.display().to_string()))?;
        Ok::<_, onnx2linalg::Error>((mlir, imported.warnings))
    });
    let (mlir, warnings) = result.map_err(|e| to_py(py, e, &path, display.as_deref()))?;
    let warnings = rename(warnings, &path, display.as_deref());
    let out: Py<PyAny> = match options.lower.emit {
        Emit::Text => {
            let text = String::from_utf8(mlir)
                .map_err(|_| Error::new_err("the lowering emitted text that is not UTF-8"))?;
            PyString::new(py, &text).into_any().unbind()
        }
        Emit::Bytecode => PyBytes::new(py, &mlir).into_any().unbind(),
    };
    Ok((out, warnings))
}

fn rename(warnings: Vec<String>, path: &Path, display: Option<&str>) -> Vec<String> {
    let Some(name) = display else {
        return warnings;
    };
    let tmp = path.display().to_string();
    warnings
        .into_iter()
        .map(|w| w.replace(&tmp, name))
        .collect()
}

/// The runtime input names of the model at `path`, in call order.
#[pyfunction]
#[pyo3(signature = (path, source, display))]
fn input_names(
    py: Python<'_>,
    path: PathBuf,
    source: Option<&str>,
    display: Option<String>,
) -> PyResult<Vec<String>> {
    let from = frontend(source)?;
    let result = py.detach(|| {
        let from = match from {
            Some(f) => f,
            None => onnx2linalg::detect_frontend(&path)?,
        };
        if from == Frontend::Onnx {
            let inputs = onnx2linalg::onnx_inputs(&path)?;
            return Ok(inputs.into_iter().map(|(n, _)| n).collect());
        }
        let graph = onnx2linalg::import_model(&path, Some(from), &ImportOptions::default())?;
        Ok(graph
            .inputs
            .iter()
            .map(|&v| graph.value(v).name.clone())
            .collect())
    });
    result.map_err(|e| to_py(py, e, &path, display.as_deref()))
}

/// Named `.npy` files, for Python.
type NamedNpy<'py> = Vec<(String, Bound<'py, PyBytes>)>;

/// Runs the model at `path` on `inputs` (name, `.npy` bytes); returns
/// `([(name, .npy bytes)], warnings)`.
#[pyfunction]
#[pyo3(signature = (path, inputs, input_shapes, dims, source, dynamic, display))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    path: PathBuf,
    inputs: Vec<(String, Vec<u8>)>,
    input_shapes: Vec<(String, Vec<u64>)>,
    dims: Vec<(String, u64)>,
    source: Option<&str>,
    dynamic: bool,
    display: Option<String>,
) -> PyResult<(NamedNpy<'py>, Vec<String>)> {
    let options = RunOptions {
        from: frontend(source)?,
        import: import_options(input_shapes, dims)?,
        dynamic,
        runner: Default::default(),
        leak_compiled: false,
    };
    let result = py.detach(|| {
        let mut tensors = Vec::with_capacity(inputs.len());
        for (name, bytes) in &inputs {
            let t = onnx2linalg::npy::read(bytes).map_err(|e| {
                onnx2linalg::Error::new(e.kind, format!("input \"{name}\": {}", e.message))
            })?;
            tensors.push((name.clone(), t));
        }
        let out = onnx2linalg::run_model(&path, tensors, &options)?;
        let outputs: Vec<(String, Vec<u8>)> = out
            .outputs
            .iter()
            .map(|(n, t)| (n.clone(), onnx2linalg::npy::write(t)))
            .collect();
        Ok::<_, onnx2linalg::Error>((outputs, out.warnings))
    });
    let (outputs, warnings) = result.map_err(|e| to_py(py, e, &path, display.as_deref()))?;
    let outputs = outputs
        .into_iter()
        .map(|(n, b)| (n, PyBytes::new(py, &b)))
        .collect();
    Ok((outputs, rename(warnings, &path, display.as_deref())))
}

/// Runs the command line on `argv` (`sys.argv`: the first names the program)
/// and returns its exit status; errors are printed as the binary prints them.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<std::ffi::OsString>) -> i32 {
    let code = py.detach(|| match cli::main_from(argv) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", onnx2linalg::error_line(&e));
            std::process::ExitCode::FAILURE
        }
    });
    // A binary's stdout is flushed at exit; Python's exit does not know Rust's buffer.
    let _ = std::io::Write::flush(&mut std::io::stdout());
    if code == std::process::ExitCode::SUCCESS {
        0
    } else {
        1
    }
}

/// `onnx2linalg._native`: see the `onnx2linalg` package.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<Error>())?;
    m.add("__version__", onnx2linalg::VERSION)?;
    m.add("MLIR_VERSION", onnx2linalg::MLIR_VERSION)?;
    m.add_function(wrap_pyfunction!(convert, m)?)?;
    m.add_function(wrap_pyfunction!(input_names, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    Ok(())
}
