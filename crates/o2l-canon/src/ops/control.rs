//! Control flow that stays control flow: a loop whose trip count or
//! condition is known only at run time runs its body (a canonical graph of
//! its own) as a structured loop.
use super::declare::canonical_ops;
use crate::{DType, Dim, Graph, Result, TensorType};
use std::sync::Arc;

/// A subgraph owned by the op that runs it; equal only to itself.
#[derive(Debug, Clone)]
pub struct Body(pub Arc<Graph>);

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

canonical_ops! {
    family: Control;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Control {
        /// Runs `body` while the iteration number is below the maximum and the
        /// condition holds. Operands: the maximum trip count (i64, 0-d), the
        /// initial condition (bool, 0-d), the `carried` values, then the outer
        /// values the body reads. Body inputs: iteration (i64, 0-d), condition
        /// (bool, 0-d), carried values, outer values. Body outputs: the next
        /// condition, the next carried values, then per-iteration scan elements.
        /// Results: the final carried values, then each scan element stacked on a
        /// new first dim whose length, `trips`, is known at run time.
        Loop {
            body: Body,
            carried: usize,
            trips: String,
        }
            => "a structured loop over a body graph: run-time trip count and condition, carried values, stacked scan outputs",
            ["max_trips", "cond", "carried..", "captured.."],
            ["body: graph", "carried: usize", "trips: dim symbol"];
    }
}

impl Control {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        let Control::Loop {
            body,
            carried,
            trips,
        } = self;
        let g = &body.0;
        let scalar = |d: DType| TensorType::new(d, vec![]);
        if inputs.len() != g.inputs.len() || inputs.len() < 2 + carried {
            crate::bail!(
                InvalidModel,
                "Loop takes {} operands for its body's inputs, got {}",
                g.inputs.len(),
                inputs.len()
            );
        }
        if *inputs[0] != scalar(DType::I64) || *inputs[1] != scalar(DType::Bool) {
            crate::bail!(
                InvalidModel,
                "Loop needs an i64 trip count and a bool condition (0-d), got {} and {}",
                inputs[0],
                inputs[1]
            );
        }
        for (k, (&outer, &id)) in inputs.iter().zip(&g.inputs).enumerate() {
            if outer != g.ty(id) {
                crate::bail!(
                    InvalidModel,
                    "Loop operand {k} is {outer}, the body's input is {}",
                    g.ty(id)
                );
            }
        }
        let outs: Vec<&TensorType> = g.outputs.iter().map(|&id| g.ty(id)).collect();
        if outs.len() < 1 + carried || *outs[0] != scalar(DType::Bool) {
            crate::bail!(
                InvalidModel,
                "a Loop body returns its condition (bool, 0-d) and {carried} carried values"
            );
        }
        let mut results = Vec::with_capacity(outs.len() - 1);
        for k in 0..*carried {
            let (before, after) = (inputs[2 + k], outs[1 + k]);
            if before != after {
                crate::bail!(
                    Unsupported,
                    "Loop-carried value {k} changes from {before} to {after} across an iteration"
                );
            }
            results.push(before.clone());
        }
        for elem in &outs[1 + carried..] {
            let mut shape = vec![Dim::Symbol(trips.clone())];
            shape.extend(elem.shape.iter().cloned());
            results.push(TensorType::new(elem.dtype, shape));
        }
        Ok(results)
    }
}
