//! Ordering and selection: TopK (values and their i64 indices) and NonZero
//! (coordinates of the non-zero elements; their count is known at run time).
use super::declare::canonical_ops;
use super::spec::expect_operands;
use crate::{DType, Dim, Result, TensorType};

canonical_ops! {
    family: Sort;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Sort {
        /// The `k` greatest (`largest`) or least elements along `axis`, in order,
        /// and their indices; equal values keep index order (the lower index first).
        TopK { axis: usize, k: u64, largest: bool }
            => "the k greatest or least elements along an axis, sorted, and their i64 indices (ties: lower index first)",
            ["x"], ["axis: usize", "k: u64", "largest: bool"];
        /// The distinct rows of a 2-D operand (L, S): sorted lexicographically or
        /// in order of first occurrence. Results: the rows (U, S), the index of
        /// each one's first occurrence (U), each input row's result row (L), and
        /// how often each occurs (U); `count` names the run-time dim U.
        Unique { sorted: bool, count: String }
            => "distinct rows of an (L, S) operand, sorted or by first occurrence: rows, first indices, inverse indices, counts; U is a run-time dim",
            ["x"], ["sorted: bool", "count: dim symbol"];
        /// The coordinates (rank x count, i64) of the non-zero elements in
        /// row-major order; `count` names the run-time dim of the result.
        NonZero { count: String }
            => "coordinates of the non-zero elements (rank x count, i64), row-major; the count is a run-time dim",
            ["x"], ["count: dim symbol"];
    }
}

impl Sort {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        match self {
            Sort::TopK { axis, k, .. } => {
                expect_operands("TopK", inputs, 1, 1)?;
                let x = inputs[0];
                let Some(len) = x.shape.get(*axis) else {
                    crate::bail!(InvalidModel, "TopK axis {axis} out of range for {x}");
                };
                if x.dtype == DType::Bool || x.dtype.is_narrow() {
                    crate::bail!(Unsupported, "TopK of {} elements", x.dtype);
                }
                match len {
                    Dim::Known(n) if k > n => {
                        crate::bail!(InvalidModel, "TopK k = {k} exceeds the axis length {n}")
                    }
                    // A run-time length shorter than k selects no element for
                    // the last ranks (ONNX calls such a model invalid).
                    Dim::Known(_) | Dim::Symbol(_) => {}
                }
                let mut shape = x.shape.clone();
                shape[*axis] = Dim::Known(*k);
                Ok(vec![
                    TensorType::new(x.dtype, shape.clone()),
                    TensorType::new(DType::I64, shape),
                ])
            }
            Sort::Unique { count, .. } => {
                expect_operands("Unique", inputs, 1, 1)?;
                let x = inputs[0];
                let [l, s] = &x.shape[..] else {
                    crate::bail!(InvalidModel, "Unique takes an (L, S) operand, got {x}");
                };
                if x.dtype.is_narrow() || x.dtype == DType::Bool {
                    crate::bail!(Unsupported, "Unique of {} elements", x.dtype);
                }
                let u = Dim::Symbol(count.clone());
                Ok(vec![
                    TensorType::new(x.dtype, vec![u.clone(), s.clone()]),
                    TensorType::new(DType::I64, vec![u.clone()]),
                    TensorType::new(DType::I64, vec![l.clone()]),
                    TensorType::new(DType::I64, vec![u]),
                ])
            }
            Sort::NonZero { count } => {
                expect_operands("NonZero", inputs, 1, 1)?;
                let x = inputs[0];
                if x.dtype.is_narrow() {
                    crate::bail!(Unsupported, "NonZero of {} elements", x.dtype);
                }
                Ok(vec![TensorType::new(
                    DType::I64,
                    vec![Dim::Known(x.rank() as u64), Dim::Symbol(count.clone())],
                )])
            }
        }
    }
}
