//! Dimensions, tensor types and the shape arithmetic every rule shares.
use crate::{DType, Error, Result};
use std::fmt;

/// One dimension: known, or a named symbol (`batch`) fixed only at run time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    Known(u64),
    Symbol(String),
}

impl Dim {
    pub fn known(self: &Dim) -> Option<u64> {
        match self {
            Dim::Known(n) => Some(*n),
            Dim::Symbol(_) => None,
        }
    }
}

impl From<u64> for Dim {
    fn from(n: u64) -> Self {
        Dim::Known(n)
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(n) => write!(f, "{n}"),
            Dim::Symbol(s) => write!(f, "{s}"),
        }
    }
}

/// A ranked tensor type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TensorType {
    pub dtype: DType,
    pub shape: Vec<Dim>,
}

impl TensorType {
    pub fn new(dtype: DType, shape: Vec<Dim>) -> Self {
        TensorType { dtype, shape }
    }
    pub fn of_known(dtype: DType, dims: &[u64]) -> Self {
        TensorType {
            dtype,
            shape: dims.iter().map(|&d| Dim::Known(d)).collect(),
        }
    }
    pub fn rank(&self) -> usize {
        self.shape.len()
    }
    /// All dims as numbers, or None when any is symbolic.
    pub fn known_dims(&self) -> Option<Vec<u64>> {
        self.shape.iter().map(Dim::known).collect()
    }
    /// Known dims or an `Unsupported` error saying which op needs them.
    pub fn static_dims(&self, what: &str) -> Result<Vec<u64>> {
        self.known_dims()
            .ok_or_else(|| Error::unsupported(format!("{what} needs a static shape, got {self}")))
    }
    /// Element count with overflow checked; None when a dim is symbolic.
    pub fn num_elements(&self) -> Result<Option<u64>> {
        match self.known_dims() {
            Some(dims) => element_count(&dims).map(Some),
            None => Ok(None),
        }
    }
}

impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tensor<")?;
        for d in &self.shape {
            match d {
                Dim::Known(n) => write!(f, "{n}x")?,
                Dim::Symbol(_) => write!(f, "?x")?,
            }
        }
        write!(f, "{}>", self.dtype)
    }
}

/// Product of dims, failing on overflow instead of wrapping.
pub fn element_count(dims: &[u64]) -> Result<u64> {
    dims.iter().try_fold(1u64, |acc, &d| {
        acc.checked_mul(d).ok_or_else(|| {
            Error::limit(format!("element count of shape {dims:?} overflows 64 bits"))
        })
    })
}

/// Resolves a possibly negative axis against a rank (`-1` is the last axis).
pub fn normalize_axis(axis: i64, rank: usize) -> Result<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    if a < 0 || a >= r {
        return Err(Error::invalid(format!(
            "axis {axis} is out of range for rank {rank}"
        )));
    }
    Ok(a as usize)
}

/// Resolves a list of axes, rejecting duplicates.
pub fn normalize_axes(axes: &[i64], rank: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let n = normalize_axis(a, rank)?;
        if out.contains(&n) {
            return Err(Error::invalid(format!("axis {a} is repeated in {axes:?}")));
        }
        out.push(n);
    }
    Ok(out)
}

/// Numpy-style (multidirectional) broadcast of several shapes.
pub fn broadcast_shapes(shapes: &[&[Dim]]) -> Result<Vec<Dim>> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = Vec::with_capacity(rank);
    for i in 0..rank {
        let mut acc: Option<Dim> = None;
        for s in shapes {
            let offset = rank - s.len();
            if i < offset {
                continue;
            }
            let d = &s[i - offset];
            acc = Some(match (acc, d) {
                (None, d) => d.clone(),
                (Some(Dim::Known(1)), d) => d.clone(),
                (Some(a), Dim::Known(1)) => a,
                (Some(Dim::Known(a)), Dim::Known(b)) if a == *b => Dim::Known(a),
                (Some(Dim::Known(a)), Dim::Known(b)) => {
                    return Err(Error::invalid(format!(
                        "shapes {} cannot be broadcast: dim {i} is {a} and {b}",
                        fmt_shapes(shapes)
                    )));
                }
                // A symbol against a known dim > 1 must equal it at run time.
                (Some(Dim::Known(a)), Dim::Symbol(_)) => Dim::Known(a),
                (Some(Dim::Symbol(_)), Dim::Known(b)) => Dim::Known(*b),
                (Some(Dim::Symbol(a)), Dim::Symbol(_)) => Dim::Symbol(a),
            });
        }
        out.push(acc.unwrap_or(Dim::Known(1)));
    }
    Ok(out)
}

fn fmt_shapes(shapes: &[&[Dim]]) -> String {
    let parts: Vec<String> = shapes
        .iter()
        .map(|s| {
            format!(
                "[{}]",
                s.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    parts.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(v: &[u64]) -> Vec<Dim> {
        v.iter().map(|&d| Dim::Known(d)).collect()
    }

    #[test]
    fn broadcast_follows_numpy() {
        let r = broadcast_shapes(&[&dims(&[2, 1, 4]), &dims(&[3, 1])]).unwrap();
        assert_eq!(r, dims(&[2, 3, 4]));
        assert!(broadcast_shapes(&[&dims(&[2]), &dims(&[3])]).is_err());
    }

    #[test]
    fn element_count_overflow_is_an_error() {
        assert_eq!(element_count(&[2, 3, 4]).unwrap(), 24);
        assert!(element_count(&[1 << 62, 8]).is_err());
    }

    #[test]
    fn axes_normalise() {
        assert_eq!(normalize_axis(-1, 4).unwrap(), 3);
        assert!(normalize_axis(4, 4).is_err());
        assert!(normalize_axes(&[1, -3], 4).is_err());
    }
}
