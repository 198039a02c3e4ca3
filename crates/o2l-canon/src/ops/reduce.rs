//! Reductions over a set of axes.
use super::{Family, OpSpec, expect_operands};
use crate::{Dim, Result, TensorType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceKind {
    Sum,
    Mean,
    Max,
    Min,
    Prod,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reduce {
    pub kind: ReduceKind,
    /// Normalised, sorted, distinct axes. Empty means: reduce nothing (identity).
    pub axes: Vec<usize>,
    /// Reduced dims stay as 1 instead of being dropped.
    pub keep_dims: bool,
}

const fn row(name: &'static str, doc: &'static str) -> OpSpec {
    OpSpec {
        name,
        family: Family::Reduce,
        doc,
        operands: &["x"],
        attributes: &["axes: [usize]", "keep_dims: bool"],
    }
}

pub const SPECS: &[OpSpec] = &[
    row("ReduceSum", "sum over axes"),
    row("ReduceMean", "arithmetic mean over axes"),
    row("ReduceMax", "maximum over axes"),
    row("ReduceMin", "minimum over axes"),
    row("ReduceProd", "product over axes"),
];

impl Reduce {
    pub fn name(&self) -> &'static str {
        match self.kind {
            ReduceKind::Sum => "ReduceSum",
            ReduceKind::Mean => "ReduceMean",
            ReduceKind::Max => "ReduceMax",
            ReduceKind::Min => "ReduceMin",
            ReduceKind::Prod => "ReduceProd",
        }
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        expect_operands(self.name(), inputs, 1, 1)?;
        let x = inputs[0];
        if let Some(&a) = self.axes.iter().find(|&&a| a >= x.rank()) {
            crate::bail!(
                InvalidModel,
                "{} axis {a} out of range for {x}",
                self.name()
            );
        }
        let mut shape = Vec::with_capacity(x.rank());
        for (i, d) in x.shape.iter().enumerate() {
            if !self.axes.contains(&i) {
                shape.push(d.clone());
            } else if self.keep_dims {
                shape.push(Dim::Known(1));
            }
        }
        Ok(vec![TensorType::new(x.dtype, shape)])
    }
}
