//! The canonical op table: one closed enum of families, one file per family.
//! Each family file declares its ops once, in one table (`declare.rs`: the
//! variants with typed, explicit attributes, their names and `SPECS` rows),
//! and beside it the shape/dtype rule (`infer`) and constant folding (`fold`).
//! Adding a variant makes every exhaustive `match` over it (here, and in the
//! lowering) fail to compile until the new op is handled everywhere.
use crate::{Result, Tensor, TensorType};

pub mod control;
pub mod conv;
mod declare;
pub mod detect;
pub mod elementwise;
pub mod linear;
pub mod movement;
pub mod norm;
pub mod pool;
pub mod reduce;
pub mod sample;
pub mod sort;
mod spec;

pub use control::{Body, Control};
pub use conv::{Conv, QuantizedConv};
pub use detect::Detect;
pub use elementwise::{Binary, Compare, Elementwise, Unary};
pub use linear::Linear;
pub use movement::{Movement, PadMode, ScatterReduction};
pub use norm::Norm;
pub use pool::{Pool, PoolKind};
pub use reduce::{Reduce, ReduceKind};
pub use sample::{Sample, SampleMode, SamplePadding};
pub use sort::Sort;
pub use spec::{Family, OpSpec};

/// A canonical op. The meaning is fully explicit: no source-specific defaults,
/// axes already normalised, pads given per dim as (begin, end).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Elementwise(Elementwise),
    Linear(Linear),
    Conv(Conv),
    /// The Conv family's integer kernel (a struct of its own, as `Conv` is).
    QuantizedConv(QuantizedConv),
    Pool(Pool),
    Reduce(Reduce),
    Norm(Norm),
    Movement(Movement),
    Sort(Sort),
    Sample(Sample),
    Detect(Detect),
    Control(Control),
}

/// Every row of every family's table, in family order.
pub fn all_specs() -> impl Iterator<Item = &'static OpSpec> {
    [
        Elementwise::SPECS,
        Linear::SPECS,
        Conv::SPECS,
        QuantizedConv::SPECS,
        Pool::SPECS,
        Reduce::SPECS,
        Norm::SPECS,
        Movement::SPECS,
        Sort::SPECS,
        Sample::SPECS,
        Detect::SPECS,
        Control::SPECS,
    ]
    .into_iter()
    .flatten()
}

/// Looks up a row by canonical name.
pub fn spec(name: &str) -> Option<&'static OpSpec> {
    all_specs().find(|s| s.name == name)
}

/// Whether `name` is a canonical op of the table (what a rule may produce).
pub fn is_declared(name: &str) -> bool {
    spec(name).is_some()
}

impl Op {
    pub fn family(&self) -> Family {
        match self {
            Op::Elementwise(_) => Family::Elementwise,
            Op::Linear(_) => Family::Linear,
            Op::Conv(_) | Op::QuantizedConv(_) => Family::Conv,
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
            Op::Conv(op) => op.name(),
            Op::QuantizedConv(op) => op.name(),
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
            Op::QuantizedConv(op) => op.infer(inputs),
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
            | Op::QuantizedConv(_)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrow::E8M0Round;
    use crate::{DType, Graph};
    use std::collections::HashSet;
    use std::sync::Arc;

    #[test]
    fn spec_names_are_unique() {
        let mut seen = HashSet::new();
        for s in all_specs() {
            assert!(seen.insert(s.name), "duplicate spec {}", s.name);
        }
    }

    #[test]
    fn every_row_is_found_by_its_name_and_rows_come_in_family_order() {
        let mut previous = Family::Elementwise;
        for s in all_specs() {
            let found = spec(s.name).unwrap_or_else(|| panic!("no row found for {}", s.name));
            assert!(std::ptr::eq(found, s), "{} found another row", s.name);
            assert!(is_declared(s.name));
            assert!(
                s.family >= previous,
                "{} ({:?}) after {previous:?}",
                s.name,
                s.family
            );
            previous = s.family;
            assert!(!s.doc.is_empty(), "{} has no doc", s.name);
        }
        assert!(!is_declared("OnnxConv"));
    }

    /// One value of every variant of every family (nested kinds included).
    fn one_op_of_each_kind() -> Vec<Op> {
        use Elementwise as E;
        let unary = [
            Unary::Neg,
            Unary::Abs,
            Unary::Relu,
            Unary::Sigmoid,
            Unary::Tanh,
            Unary::Exp,
            Unary::Log,
            Unary::Sqrt,
            Unary::LeakyRelu { alpha: 0.1 },
            Unary::Clamp { min: 0.0, max: 6.0 },
            Unary::Floor,
            Unary::Ceil,
            Unary::Round,
            Unary::Erf,
            Unary::Sin,
            Unary::Cos,
            Unary::Tan,
            Unary::Asin,
            Unary::Acos,
            Unary::Atan,
            Unary::Sinh,
            Unary::Cosh,
            Unary::Asinh,
            Unary::Acosh,
            Unary::Atanh,
            Unary::Sign,
            Unary::Not,
            Unary::IsNaN,
            Unary::IsInf {
                negative: true,
                positive: true,
            },
        ];
        let binary = [
            Binary::Add,
            Binary::Sub,
            Binary::Mul,
            Binary::Div,
            Binary::Max,
            Binary::Min,
            Binary::Pow,
            Binary::Mod { fmod: false },
            Binary::And,
            Binary::Or,
            Binary::Xor,
            Binary::ShiftLeft,
            Binary::ShiftRight,
        ];
        let compare = [
            Compare::Equal,
            Compare::Less,
            Compare::LessOrEqual,
            Compare::Greater,
            Compare::GreaterOrEqual,
        ];
        let pool = |kind| {
            Op::Pool(Pool {
                kind,
                kernel: vec![2],
                strides: vec![1],
                dilations: vec![1],
                pads: vec![(0, 0)],
                ceil_mode: false,
            })
        };
        let reduce = |kind| {
            Op::Reduce(Reduce {
                kind,
                axes: vec![0],
                keep_dims: false,
            })
        };
        let mut ops: Vec<Op> = unary
            .into_iter()
            .map(|u| Op::Elementwise(E::Unary(u)))
            .collect();
        ops.extend(binary.map(|b| Op::Elementwise(E::Binary(b))));
        ops.extend(compare.map(|c| Op::Elementwise(E::Compare(c))));
        ops.extend([
            Op::Elementwise(E::Select),
            Op::Elementwise(E::BitCast { to: DType::I32 }),
            Op::Elementwise(E::Cast {
                to: DType::F16,
                saturate: true,
                e8m0: E8M0Round::Up,
            }),
            Op::Linear(Linear::MatMul),
            Op::Linear(Linear::Det),
            Op::Linear(Linear::QuantizedMatMul),
            Op::QuantizedConv(QuantizedConv {
                strides: vec![1, 1],
                dilations: vec![1, 1],
                pads: vec![(0, 0); 2],
                groups: 1,
            }),
            Op::Conv(Conv {
                strides: vec![1],
                dilations: vec![1],
                pads: vec![(0, 0)],
                groups: 1,
            }),
            pool(PoolKind::Max),
            pool(PoolKind::MaxWithIndices {
                column_major: false,
            }),
            pool(PoolKind::Average {
                count_include_pad: false,
            }),
            pool(PoolKind::Sum),
            reduce(ReduceKind::Sum),
            reduce(ReduceKind::Mean),
            reduce(ReduceKind::Max),
            reduce(ReduceKind::Min),
            reduce(ReduceKind::Prod),
            reduce(ReduceKind::ArgMax { last: false }),
            reduce(ReduceKind::ArgMin { last: false }),
            reduce(ReduceKind::CumSum {
                exclusive: false,
                reverse: false,
            }),
            reduce(ReduceKind::CumProd {
                exclusive: false,
                reverse: false,
            }),
            Op::Norm(Norm::Softmax { axis: 0 }),
            Op::Norm(Norm::LogSoftmax { axis: 0 }),
            Op::Movement(Movement::Reshape { shape: vec![] }),
            Op::Movement(Movement::Transpose { perm: vec![] }),
            Op::Movement(Movement::Concat { axis: 0 }),
            Op::Movement(Movement::Gather { axis: 0 }),
            Op::Movement(Movement::ShapeOf),
            Op::Movement(Movement::Fill { shape: vec![2] }),
            Op::Movement(Movement::GatherElements { axis: 0 }),
            Op::Movement(Movement::GatherND { batch_dims: 0 }),
            Op::Movement(Movement::Trilu { upper: true, k: 0 }),
            Op::Movement(Movement::OneHot {
                axis: 0,
                depth: 2,
                wrap: true,
            }),
            Op::Movement(Movement::ScatterElements {
                axis: 0,
                reduction: ScatterReduction::None,
            }),
            Op::Movement(Movement::ScatterND {
                reduction: ScatterReduction::Add,
            }),
            Op::Movement(Movement::TensorScatter {
                axis: 1,
                circular: false,
            }),
            Op::Sort(Sort::TopK {
                axis: 0,
                k: 1,
                largest: true,
            }),
            Op::Sort(Sort::Unique {
                sorted: true,
                count: "u".into(),
            }),
            Op::Sort(Sort::NonZero { count: "n".into() }),
            Op::Sample(Sample::RoiAlign {
                max: false,
                output: (1, 1),
                sampling_ratio: 0,
                spatial_scale: 1.0,
                half_pixel: true,
            }),
            Op::Sample(Sample::GridSample {
                mode: SampleMode::Linear,
                padding: SamplePadding::Zeros,
                align_corners: false,
            }),
            Op::Sample(Sample::DeformGather {
                kernel: [3, 3],
                strides: [1, 1],
                dilations: [1, 1],
                pads_begin: [1, 1],
                offset_groups: 1,
            }),
            Op::Detect(Detect::NonMaxSuppression {
                center_point_box: false,
                score_filter: true,
                count: "n".into(),
            }),
            Op::Control(Control::Loop {
                body: Body(Arc::new(Graph::new("body"))),
                carried: 0,
                trips: "t".into(),
            }),
            Op::Movement(Movement::SliceAt {
                axes: vec![0],
                sizes: vec!["s".into()],
            }),
            Op::Movement(Movement::Range { count: "n".into() }),
            Op::Movement(Movement::BroadcastTo { dims: vec![] }),
            Op::Movement(Movement::PadAt {
                mode: PadMode::Constant,
                axes: vec![],
                sizes: vec![],
            }),
            Op::Movement(Movement::ReshapeTo {
                dims: vec![],
                allow_zero: false,
            }),
            Op::Control(Control::Switch {
                cases: vec![(0, Body(Arc::new(Graph::new("case"))))],
                dims: "s".into(),
            }),
            Op::Control(Control::Check {
                message: "m".into(),
            }),
        ]);
        ops
    }

    #[test]
    fn every_variant_names_a_row_of_its_family_and_every_row_a_variant() {
        let ops = one_op_of_each_kind();
        for op in &ops {
            let row = spec(op.name()).unwrap_or_else(|| panic!("{op:?} has no row"));
            assert_eq!(row.family, op.family(), "{}", op.name());
        }
        let named: Vec<&str> = ops.iter().map(Op::name).collect();
        let unique: HashSet<&str> = named.iter().copied().collect();
        assert_eq!(unique.len(), named.len(), "two variants share a name");
        let rows: HashSet<&str> = all_specs().map(|s| s.name).collect();
        assert_eq!(unique, rows);
    }
}
