//! The canonical op table: one closed enum of families, one file per family.
//! Each family file holds its variants (typed, explicit attributes), a `SPECS`
//! table for docs, the shape/dtype rule (`infer`) and constant folding (`fold`).
//! Adding a variant makes every exhaustive `match` over it (here, and in the
//! lowering) fail to compile until the new op is handled everywhere.
use crate::{Result, Tensor, TensorType};

pub mod control;
pub mod conv;
pub mod detect;
pub mod elementwise;
pub mod linear;
pub mod movement;
pub mod norm;
pub mod pool;
pub mod reduce;
pub mod sample;
pub mod sort;

pub use control::{Body, Control};
pub use conv::Conv;
pub use detect::Detect;
pub use elementwise::{Binary, Compare, Elementwise, Unary};
pub use linear::Linear;
pub use movement::{Movement, ScatterReduction};
pub use norm::Norm;
pub use pool::{Pool, PoolKind};
pub use reduce::{Reduce, ReduceKind};
pub use sample::{Sample, SampleMode, SamplePadding};
pub use sort::Sort;

/// A canonical op. The meaning is fully explicit: no source-specific defaults,
/// axes already normalised, pads given per dim as (begin, end).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Elementwise(Elementwise),
    Linear(Linear),
    Conv(Conv),
    Pool(Pool),
    Reduce(Reduce),
    Norm(Norm),
    Movement(Movement),
    Sort(Sort),
    Sample(Sample),
    Detect(Detect),
    Control(Control),
}

/// The families, named as in docs and file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Elementwise,
    Linear,
    Conv,
    Pool,
    Reduce,
    Norm,
    Movement,
    Sort,
    Sample,
    Detect,
    Control,
}

/// One row of the declarative table: what a canonical op is, for docs and checks.
#[derive(Debug, Clone, Copy)]
pub struct OpSpec {
    /// Canonical name, as `Op::name` returns it.
    pub name: &'static str,
    pub family: Family,
    /// One line: what the op computes.
    pub doc: &'static str,
    /// Operand names, in order; a trailing `?` marks an optional operand.
    pub operands: &'static [&'static str],
    /// Attributes as `name: type = default` (no default: required).
    pub attributes: &'static [&'static str],
}

/// Every row of every family's table, in family order.
pub fn all_specs() -> impl Iterator<Item = &'static OpSpec> {
    [
        elementwise::SPECS,
        linear::SPECS,
        conv::SPECS,
        pool::SPECS,
        reduce::SPECS,
        norm::SPECS,
        movement::SPECS,
        sort::SPECS,
        sample::SPECS,
        detect::SPECS,
        control::SPECS,
    ]
    .into_iter()
    .flatten()
}

/// Looks up a row by canonical name.
pub fn spec(name: &str) -> Option<&'static OpSpec> {
    all_specs().find(|s| s.name == name)
}

impl Op {
    pub fn family(&self) -> Family {
        match self {
            Op::Elementwise(_) => Family::Elementwise,
            Op::Linear(_) => Family::Linear,
            Op::Conv(_) => Family::Conv,
            Op::Pool(_) => Family::Pool,
            Op::Reduce(_) => Family::Reduce,
            Op::Norm(_) => Family::Norm,
            Op::Movement(_) => Family::Movement,
            Op::Sort(_) => Family::Sort,
            Op::Sample(_) => Family::Sample,
            Op::Detect(_) => Family::Detect,
            Op::Control(_) => Family::Control,
        }
    }

    /// The canonical name (a `SPECS` row's `name`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Elementwise(op) => op.name(),
            Op::Linear(op) => op.name(),
            Op::Conv(_) => "Conv",
            Op::Pool(op) => op.name(),
            Op::Reduce(op) => op.name(),
            Op::Norm(op) => op.name(),
            Op::Movement(op) => op.name(),
            Op::Sort(op) => op.name(),
            Op::Sample(op) => op.name(),
            Op::Detect(op) => op.name(),
            Op::Control(op) => op.name(),
        }
    }

    /// Result types from operand types; rejects operands the op cannot take.
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        match self {
            Op::Elementwise(op) => op.infer(inputs),
            Op::Linear(op) => op.infer(inputs),
            Op::Conv(op) => op.infer(inputs),
            Op::Pool(op) => op.infer(inputs),
            Op::Reduce(op) => op.infer(inputs),
            Op::Norm(op) => op.infer(inputs),
            Op::Movement(op) => op.infer(inputs),
            Op::Sort(op) => op.infer(inputs),
            Op::Sample(op) => op.infer(inputs),
            Op::Detect(op) => op.infer(inputs),
            Op::Control(op) => op.infer(inputs),
        }
    }

    /// Computes the results at conversion time when that is cheap and possible
    /// (all needed operands constant, or only their static shape needed).
    /// `Ok(None)` means: leave the op in the graph.
    pub fn fold(
        &self,
        types: &[&TensorType],
        consts: &[Option<&Tensor>],
        outputs: &[TensorType],
    ) -> Result<Option<Vec<Tensor>>> {
        match self {
            Op::Elementwise(op) => op.fold(consts, outputs),
            Op::Movement(op) => op.fold(types, consts, outputs),
            Op::Linear(_)
            | Op::Conv(_)
            | Op::Pool(_)
            | Op::Reduce(_)
            | Op::Norm(_)
            | Op::Sort(_)
            | Op::Sample(_)
            | Op::Detect(_)
            | Op::Control(_) => Ok(None),
        }
    }
}

/// Checks the operand count of an op; shared by every rule.
pub(crate) fn expect_operands(
    name: &str,
    inputs: &[&TensorType],
    min: usize,
    max: usize,
) -> Result<()> {
    if inputs.len() < min || inputs.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(crate::Error::invalid(format!(
            "{name} takes {want} operands, got {}",
            inputs.len()
        )));
    }
    Ok(())
}

/// Checks that two operands share an element type.
pub(crate) fn expect_same_dtype(name: &str, a: &TensorType, b: &TensorType) -> Result<()> {
    if a.dtype != b.dtype {
        return Err(crate::Error::invalid(format!(
            "{name}: operand types differ: {a} and {b}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn spec_names_are_unique() {
        let mut seen = HashSet::new();
        for s in all_specs() {
            assert!(seen.insert(s.name), "duplicate spec {}", s.name);
        }
    }
}
