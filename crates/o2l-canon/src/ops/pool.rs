//! Sliding-window pooling over the spatial dims of an `N x C x D1..Dn` tensor.
use super::conv::window_dim;
use super::declare::canonical_ops;
use super::spec::{OpSpec, expect_operands};
use crate::{Error, Result, TensorType};

canonical_ops! {
    family: Pool;
    /// Which pooling op a `Pool` is; each kind is one canonical op.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum PoolKind {
        /// Padding never wins (it counts as -inf).
        Max as "MaxPool"
            => "maximum over each window; padding never wins",
            ["input"],
            [
                "kernel: [u64]",
                "strides: [u64]",
                "dilations: [u64]",
                "pads: [(u64, u64)]",
                "ceil_mode: bool",
            ];
        /// Max, and a second i64 result: where each maximum is, as a flat index
        /// into the input (the first maximum of a window wins); the spatial part
        /// row-major, or column-major (first spatial dim fastest).
        MaxWithIndices { column_major: bool } as "MaxPoolWithIndices"
            => "maximum over each window and its flat i64 input index (first maximum wins; spatial part row- or column-major)",
            ["input"],
            [
                "kernel: [u64]",
                "strides: [u64]",
                "dilations: [u64]",
                "pads: [(u64, u64)]",
                "ceil_mode: bool",
                "column_major: bool",
            ];
        /// `count_include_pad`: divide by the full window, else by the in-bounds part.
        Average { count_include_pad: bool } as "AveragePool"
            => "mean over each window, padding counted or not",
            ["input"],
            [
                "kernel: [u64]",
                "strides: [u64]",
                "dilations: [u64]",
                "pads: [(u64, u64)]",
                "ceil_mode: bool",
                "count_include_pad: bool",
            ];
        /// Sum over each window; padding adds zeros (LpPool builds on it).
        Sum as "SumPool"
            => "sum over each window; padding adds zeros",
            ["input"],
            [
                "kernel: [u64]",
                "strides: [u64]",
                "dilations: [u64]",
                "pads: [(u64, u64)]",
                "ceil_mode: bool",
            ];
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    pub kind: PoolKind,
    pub kernel: Vec<u64>,
    pub strides: Vec<u64>,
    pub dilations: Vec<u64>,
    /// (begin, end) padding per spatial dim.
    pub pads: Vec<(u64, u64)>,
    /// Output extent rounds up (windows may hang over the end padding).
    pub ceil_mode: bool,
}

impl Pool {
    /// The family's rows: one per kind.
    pub const SPECS: &'static [OpSpec] = PoolKind::SPECS;

    /// The canonical name, that of the kind.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        expect_operands(self.name(), inputs, 1, 1)?;
        let x = inputs[0];
        let spatial = x.rank().checked_sub(2).filter(|&s| s >= 1).ok_or_else(|| {
            Error::invalid(format!(
                "{} input must have rank >= 3, got {x}",
                self.name()
            ))
        })?;
        let n = self.kernel.len();
        if n != spatial
            || self.strides.len() != n
            || self.dilations.len() != n
            || self.pads.len() != n
        {
            crate::bail!(
                InvalidModel,
                "{} attributes must give {spatial} values per spatial dim",
                self.name()
            );
        }
        let mut shape = x.shape[..2].to_vec();
        for i in 0..spatial {
            let out = window_dim(
                &x.shape[2 + i],
                self.pads[i],
                self.kernel[i],
                self.strides[i],
                self.dilations[i],
                self.ceil_mode,
            )
            .ok_or_else(|| {
                Error::invalid(format!("{} window does not fit input {x}", self.name()))
            })?;
            shape.push(out);
        }
        let values = TensorType::new(x.dtype, shape.clone());
        if let PoolKind::MaxWithIndices { .. } = self.kind {
            return Ok(vec![values, TensorType::new(crate::DType::I64, shape)]);
        }
        Ok(vec![values])
    }
}
