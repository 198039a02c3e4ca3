//! Helpers shared by the CLI-level integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use o2l_proto::{TensorShapeProto, TypeProto, ValueInfoProto, tensor_shape_proto, type_proto};
use std::path::PathBuf;
use std::process::Command;

/// The `onnx2linalg` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_onnx2linalg"))
}

/// A fresh, empty temporary folder for one test.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("o2l-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A dim of a declared shape: a number (negative: unknown, as some exporters
/// write it) or a `dim_param` name.
pub enum D {
    N(i64),
    S(&'static str),
}

/// A graph input or output of f32 elements with the given static dims.
pub fn value(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dims: Vec<D> = dims.iter().map(|&d| D::N(d)).collect();
    value_of(name, &dims)
}

/// A graph input or output of f32 elements with numbered or named dims.
pub fn value_of(name: &str, dims: &[D]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|d| tensor_shape_proto::Dimension {
            value: Some(match d {
                D::N(n) => tensor_shape_proto::dimension::Value::DimValue(*n),
                D::S(s) => tensor_shape_proto::dimension::Value::DimParam(s.to_string()),
            }),
            denotation: None,
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(1),
                shape: Some(TensorShapeProto { dim }),
            })),
            denotation: None,
        }),
        ..Default::default()
    }
}

/// Runs an `onnx2linalg run` command; its wall time in seconds, or why it failed.
pub fn run_timed(cmd: &mut Command) -> Result<f64, String> {
    let started = std::time::Instant::now();
    let result = cmd
        .output()
        .map_err(|e| format!("cannot start onnx2linalg: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !result.status.success() {
        return Err(format!(
            "`onnx2linalg run` failed ({}): {}",
            result.status,
            String::from_utf8_lossy(&result.stderr).trim()
        ));
    }
    Ok(seconds)
}

/// Compares `render` (one line per case) with the expectations file at
/// `path`, line by line; `UPDATE_EXPECTATIONS=1` rewrites the file instead.
pub fn check_expectations(path: &std::path::Path, render: &str) {
    if std::env::var_os("UPDATE_EXPECTATIONS").is_some() {
        std::fs::write(path, render).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    let diffs: Vec<String> = render
        .lines()
        .zip(expected.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("got      {a}\nexpected {b}"))
        .collect();
    assert!(
        diffs.is_empty() && render.lines().count() == expected.lines().count(),
        "results differ from {} (UPDATE_EXPECTATIONS=1 rewrites it):\n{}",
        path.display(),
        diffs.join("\n")
    );
}

/// The largest |got - want| when every element satisfies
/// |got - want| <= atol + rtol * |want| (NaN matches NaN); otherwise why not:
/// dtype, shape, or how many elements miss and the worst of them.
pub fn max_abs_diff_within(
    got: &onnx2linalg::Tensor,
    want: &onnx2linalg::Tensor,
    atol: f64,
    rtol: f64,
) -> Result<f64, String> {
    if got.dtype != want.dtype || got.dims != want.dims {
        return Err(format!(
            "got {} {:?}, expected {} {:?}",
            got.dtype, got.dims, want.dtype, want.dims
        ));
    }
    let (got, want) = (got.to_f64s(), want.to_f64s());
    let mut max_diff = 0.0f64;
    let mut misses = 0usize;
    // (flat index, |diff|) of the largest miss.
    let mut worst: Option<(usize, f64)> = None;
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        if g.is_nan() && w.is_nan() {
            continue;
        }
        let diff = if (g - w).is_nan() {
            f64::INFINITY
        } else {
            (g - w).abs()
        };
        max_diff = max_diff.max(diff);
        if diff > atol + rtol * w.abs() {
            misses += 1;
            if worst.is_none_or(|(_, d)| diff > d) {
                worst = Some((i, diff));
            }
        }
    }
    match worst {
        None => Ok(max_diff),
        Some((i, _)) => Err(format!(
            "{misses} of {} values differ (max |diff| {max_diff:e}); worst at flat index {i}: got {}, expected {} (tolerance {atol:e} + {rtol:e}*|expected|)",
            got.len(),
            got[i],
            want[i]
        )),
    }
}
