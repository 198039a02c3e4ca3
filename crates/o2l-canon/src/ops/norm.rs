//! Normalisations along an axis.
use super::{Family, OpSpec, expect_operands};
use crate::{Result, TensorType};

#[derive(Debug, Clone, PartialEq)]
pub enum Norm {
    /// `exp(x - max) / sum(exp(x - max))` along one axis.
    Softmax { axis: usize },
    /// `x - max - log(sum(exp(x - max)))` along one axis.
    LogSoftmax { axis: usize },
}

pub const SPECS: &[OpSpec] = &[
    OpSpec {
        name: "Softmax",
        family: Family::Norm,
        doc: "softmax along one axis",
        operands: &["x"],
        attributes: &["axis: usize"],
    },
    OpSpec {
        name: "LogSoftmax",
        family: Family::Norm,
        doc: "log of softmax along one axis",
        operands: &["x"],
        attributes: &["axis: usize"],
    },
];

impl Norm {
    pub fn name(&self) -> &'static str {
        match self {
            Norm::Softmax { .. } => "Softmax",
            Norm::LogSoftmax { .. } => "LogSoftmax",
        }
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        expect_operands(self.name(), inputs, 1, 1)?;
        let (Norm::Softmax { axis } | Norm::LogSoftmax { axis }) = self;
        let x = inputs[0];
        if *axis >= x.rank() {
            crate::bail!(
                InvalidModel,
                "{} axis {axis} out of range for {x}",
                self.name()
            );
        }
        if !x.dtype.is_float() {
            crate::bail!(InvalidModel, "{} of non-float {x}", self.name());
        }
        Ok(vec![x.clone()])
    }
}
