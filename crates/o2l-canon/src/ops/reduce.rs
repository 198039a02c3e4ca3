//! Reductions over a set of axes.
use super::declare::canonical_ops;
use super::spec::{OpSpec, expect_operands};
use crate::{Dim, Result, TensorType};

canonical_ops! {
    family: Reduce;
    /// Which reduction (or scan) a `Reduce` is; each kind is one canonical op.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ReduceKind {
        Sum as "ReduceSum" => "sum over axes", ["x"], ["axes: [usize]", "keep_dims: bool"];
        Mean as "ReduceMean" => "arithmetic mean over axes", ["x"], ["axes: [usize]", "keep_dims: bool"];
        Max as "ReduceMax" => "maximum over axes", ["x"], ["axes: [usize]", "keep_dims: bool"];
        Min as "ReduceMin" => "minimum over axes", ["x"], ["axes: [usize]", "keep_dims: bool"];
        Prod as "ReduceProd" => "product over axes", ["x"], ["axes: [usize]", "keep_dims: bool"];
        /// Index (i64) of the greatest element along the single axis; ties go to
        /// the first index, or the last with `last`. A NaN counts as greatest
        /// (the first NaN, or the last with `last`).
        ArgMax { last: bool }
            => "i64 index of the greatest element along one axis (first NaN counts as greatest)",
            ["x"], ["axes: [usize] (exactly one)", "keep_dims: bool", "last: bool"];
        /// Index (i64) of the least element along the single axis; ties and NaN as ArgMax.
        ArgMin { last: bool }
            => "i64 index of the least element along one axis (first NaN counts as least)",
            ["x"], ["axes: [usize] (exactly one)", "keep_dims: bool", "last: bool"];
        /// Running sum along the single axis (a scan: the result has the
        /// operand's type): element i sums elements 0..=i (`exclusive`: 0..i;
        /// `reverse`: from the end, i..n or i+1..n). With `axes` empty, a second
        /// operand (one integer, negative from the end) gives the axis at run time.
        CumSum { exclusive: bool, reverse: bool }
            => "running sum along one axis (exclusive, reverse); axis may be a run-time operand",
            ["x", "axis?"],
            ["axes: [usize] (one, or none with the operand)", "exclusive: bool", "reverse: bool"];
        /// Running product along the single axis, as CumSum with `*` (an empty
        /// product, at an exclusive scan's start, is 1).
        CumProd { exclusive: bool, reverse: bool }
            => "running product along one axis (exclusive, reverse); axis may be a run-time operand",
            ["x", "axis?"],
            ["axes: [usize] (one, or none with the operand)", "exclusive: bool", "reverse: bool"];
    }
}

impl ReduceKind {
    /// Whether the op yields indices (i64) along one axis instead of values.
    pub fn is_arg(self) -> bool {
        matches!(self, ReduceKind::ArgMax { .. } | ReduceKind::ArgMin { .. })
    }

    /// Whether the op is a scan along one axis (the result keeps the shape).
    pub fn is_scan(self) -> bool {
        self.scan_flags().is_some()
    }

    /// `(exclusive, reverse)` of a scan.
    pub fn scan_flags(self) -> Option<(bool, bool)> {
        match self {
            ReduceKind::CumSum { exclusive, reverse }
            | ReduceKind::CumProd { exclusive, reverse } => Some((exclusive, reverse)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reduce {
    pub kind: ReduceKind,
    /// Normalised, sorted, distinct axes. Empty means: reduce nothing (identity).
    pub axes: Vec<usize>,
    /// Reduced dims stay as 1 instead of being dropped.
    pub keep_dims: bool,
}

impl Reduce {
    /// The family's rows: one per kind.
    pub const SPECS: &'static [OpSpec] = ReduceKind::SPECS;

    /// The canonical name, that of the kind.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        let max = if self.kind.is_scan() { 2 } else { 1 };
        expect_operands(self.name(), inputs, 1, max)?;
        let x = inputs[0];
        if let Some(a) = inputs.get(1) {
            // A scan with its axis given at run time (`axes` empty).
            if !self.axes.is_empty()
                || !matches!(a.dtype, crate::DType::I32 | crate::DType::I64)
                || a.num_elements()? != Some(1)
            {
                crate::bail!(
                    InvalidModel,
                    "{}: a run-time axis must be one i32/i64 value with no axes attribute, got {a} and {:?}",
                    self.name(),
                    self.axes
                );
            }
            return Ok(vec![x.clone()]);
        }
        if let Some(&a) = self.axes.iter().find(|&&a| a >= x.rank()) {
            crate::bail!(
                InvalidModel,
                "{} axis {a} out of range for {x}",
                self.name()
            );
        }
        if (self.kind.is_arg() || self.kind.is_scan()) && self.axes.len() != 1 {
            crate::bail!(
                InvalidModel,
                "{} takes exactly one axis, got {:?}",
                self.name(),
                self.axes
            );
        }
        if self.kind.is_scan() {
            return Ok(vec![x.clone()]);
        }
        let mut shape = Vec::with_capacity(x.rank());
        for (i, d) in x.shape.iter().enumerate() {
            if !self.axes.contains(&i) {
                shape.push(d.clone());
            } else if self.keep_dims {
                shape.push(Dim::Known(1));
            }
        }
        let dtype = if self.kind.is_arg() {
            crate::DType::I64
        } else {
            x.dtype
        };
        Ok(vec![TensorType::new(dtype, shape)])
    }
}

#[cfg(test)]
mod tests {
    use crate::DType;
    use crate::ops::reduce::*;

    #[test]
    fn arg_reduction_yields_i64_and_takes_one_axis() {
        let x = TensorType::of_known(DType::F32, &[2, 3, 4]);
        let op = Reduce {
            kind: ReduceKind::ArgMax { last: false },
            axes: vec![1],
            keep_dims: true,
        };
        let t = op.infer(&[&x]).unwrap();
        assert_eq!(t[0], TensorType::of_known(DType::I64, &[2, 1, 4]));
        let op = Reduce {
            kind: ReduceKind::ArgMin { last: true },
            axes: vec![2],
            keep_dims: false,
        };
        assert_eq!(
            op.infer(&[&x]).unwrap()[0],
            TensorType::of_known(DType::I64, &[2, 3])
        );
        let bad = Reduce {
            kind: ReduceKind::ArgMax { last: false },
            axes: vec![0, 1],
            keep_dims: false,
        };
        assert!(bad.infer(&[&x]).is_err());
    }
}
