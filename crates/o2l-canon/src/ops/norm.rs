//! Normalisations along an axis.
use super::declare::canonical_ops;
use super::spec::expect_operands;
use crate::{Result, TensorType};

canonical_ops! {
    family: Norm;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Norm {
        /// `exp(x - max) / sum(exp(x - max))` along one axis.
        Softmax { axis: usize }
            => "softmax along one axis", ["x"], ["axis: usize"];
        /// `x - max - log(sum(exp(x - max)))` along one axis.
        LogSoftmax { axis: usize }
            => "log of softmax along one axis", ["x"], ["axis: usize"];
    }
}

impl Norm {
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
