//! The TOSA rule table: one row per TOSA op (name, the canonical ops it
//! produces, the mapping function, a note), grouped in family files like the
//! ONNX frontend's.
mod elementwise;
mod fft;
mod integer;
mod layout;
mod movement;
mod reduce;
mod sample;
mod walker;

use o2l_canon::ops::{Elementwise, Movement};
use o2l_canon::{DType, Dim, Error, Graph, Op, Origin, Result, Tensor, TensorType, ValueId};
use std::collections::HashMap;

/// An SSA value as the importer tracks it: a tensor of the graph, or a
/// `!tosa.shape` known at conversion.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Tensor(ValueId),
    Shape(Vec<i64>),
}

pub(crate) type MapFn = fn(&mut OpCtx) -> Result<()>;

/// One row of the rule table (the row type the MLIR frontends share).
pub(crate) type Rule = o2l_canon::rules::Rule<MapFn>;
pub(crate) use o2l_canon::rules::rule;

fn all_rules() -> impl Iterator<Item = &'static Rule> {
    [
        elementwise::RULES,
        integer::RULES,
        reduce::RULES,
        movement::RULES,
        layout::RULES,
        sample::RULES,
        walker::RULES,
        fft::RULES,
    ]
    .into_iter()
    .flatten()
}

pub(crate) fn find(op: &str) -> Option<&'static Rule> {
    all_rules().find(|r| r.op == op)
}

/// The operators of the TOSA 1.0 specification, for coverage counts and the docs.
pub const SPEC_OPS: &[&str] = &[
    "tosa.argmax",
    "tosa.avg_pool2d",
    "tosa.conv2d",
    "tosa.conv3d",
    "tosa.depthwise_conv2d",
    "tosa.fft2d",
    "tosa.matmul",
    "tosa.max_pool2d",
    "tosa.rfft2d",
    "tosa.transpose_conv2d",
    "tosa.clamp",
    "tosa.erf",
    "tosa.sigmoid",
    "tosa.tanh",
    "tosa.add",
    "tosa.arithmetic_right_shift",
    "tosa.bitwise_and",
    "tosa.bitwise_or",
    "tosa.bitwise_xor",
    "tosa.intdiv",
    "tosa.logical_and",
    "tosa.logical_left_shift",
    "tosa.logical_right_shift",
    "tosa.logical_or",
    "tosa.logical_xor",
    "tosa.maximum",
    "tosa.minimum",
    "tosa.mul",
    "tosa.pow",
    "tosa.sub",
    "tosa.table",
    "tosa.abs",
    "tosa.bitwise_not",
    "tosa.ceil",
    "tosa.clz",
    "tosa.cos",
    "tosa.exp",
    "tosa.floor",
    "tosa.log",
    "tosa.logical_not",
    "tosa.negate",
    "tosa.reciprocal",
    "tosa.rsqrt",
    "tosa.sin",
    "tosa.select",
    "tosa.equal",
    "tosa.greater",
    "tosa.greater_equal",
    "tosa.reduce_all",
    "tosa.reduce_any",
    "tosa.reduce_max",
    "tosa.reduce_min",
    "tosa.reduce_product",
    "tosa.reduce_sum",
    "tosa.concat",
    "tosa.pad",
    "tosa.reshape",
    "tosa.reverse",
    "tosa.slice",
    "tosa.tile",
    "tosa.transpose",
    "tosa.gather",
    "tosa.scatter",
    "tosa.resize",
    "tosa.cast",
    "tosa.rescale",
    "tosa.const",
    "tosa.identity",
    "tosa.cond_if",
    "tosa.while_loop",
    "tosa.variable",
    "tosa.variable_write",
    "tosa.variable_read",
    "tosa.custom",
];

/// Spec operators that are refused, with the reason the error gives.
pub(crate) static GAPS: &[(&str, &str)] = &[
    (
        "tosa.variable",
        "variables are state kept between calls; a converted function is pure (no state)",
    ),
    (
        "tosa.variable_read",
        "variables are state kept between calls; a converted function is pure (no state)",
    ),
    (
        "tosa.variable_write",
        "variables are state kept between calls; a converted function is pure (no state)",
    ),
    (
        "tosa.custom",
        "a custom operator's meaning is defined by its implementation, not by TOSA",
    ),
];

/// Why a spec operator is refused, when it is one of the listed gaps.
pub fn gap_reason(op: &str) -> Option<&'static str> {
    GAPS.iter().find(|(o, _)| *o == op).map(|(_, r)| *r)
}

/// Every rule row, in table order.
pub fn rules() -> impl Iterator<Item = o2l_canon::RuleInfo> {
    all_rules().map(|r| r.info())
}

/// What a rule sees of one op, and how it adds canonical ops.
pub(crate) struct OpCtx<'a> {
    graph: &'a mut Graph,
    origin: &'a Origin,
    operands: Vec<Operand>,
    result_types: Vec<TensorType>,
    attrs: HashMap<String, String>,
    results: Vec<Option<ValueId>>,
}

impl<'a> OpCtx<'a> {
    pub(crate) fn new(
        graph: &'a mut Graph,
        origin: &'a Origin,
        operands: Vec<Operand>,
        result_types: Vec<TensorType>,
        attrs: HashMap<String, String>,
    ) -> Self {
        let n = result_types.len();
        OpCtx {
            graph,
            origin,
            operands,
            result_types,
            attrs,
            results: vec![None; n],
        }
    }

    pub(crate) fn into_results(self) -> Result<Vec<ValueId>> {
        self.results
            .into_iter()
            .enumerate()
            .map(|(k, r)| r.ok_or_else(|| Error::internal(format!("result {k} is not produced"))))
            .collect()
    }

    pub fn num_operands(&self) -> usize {
        self.operands.len()
    }

    /// Tensor operand `k`.
    pub fn input(&self, k: usize) -> Result<ValueId> {
        match self.operands.get(k) {
            Some(Operand::Tensor(v)) => Ok(*v),
            Some(Operand::Shape(_)) => Err(Error::invalid(format!(
                "operand {k} is a !tosa.shape, a tensor is expected"
            ))),
            None => Err(Error::invalid(format!("operand {k} is missing"))),
        }
    }

    /// `!tosa.shape` operand `k` (from `tosa.const_shape`).
    pub fn shape_operand(&self, k: usize) -> Result<Vec<i64>> {
        match self.operands.get(k) {
            Some(Operand::Shape(s)) => Ok(s.clone()),
            Some(Operand::Tensor(_)) => {
                Err(Error::invalid(format!("operand {k} must be a !tosa.shape")))
            }
            None => Err(Error::invalid(format!("operand {k} is missing"))),
        }
    }

    pub fn ty(&self, v: ValueId) -> TensorType {
        self.graph.ty(v).clone()
    }

    /// The declared type of result `k`.
    pub fn result_type(&self, k: usize) -> Result<&TensorType> {
        self.result_types
            .get(k)
            .ok_or_else(|| Error::invalid(format!("result {k} is missing")))
    }

    /// The constant contents of tensor operand `k`, if known.
    pub fn const_operand(&self, k: usize) -> Result<Option<Tensor>> {
        Ok(self.graph.constant(self.input(k)?).cloned())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    pub fn req_attr(&self, name: &str) -> Result<&str> {
        self.attr(name)
            .ok_or_else(|| Error::invalid(format!("attribute \"{name}\" is missing")))
    }

    pub fn ints(&self, name: &str) -> Result<Vec<i64>> {
        crate::mlir::ints_of(self.req_attr(name)?)
    }

    pub fn int(&self, name: &str) -> Result<i64> {
        match self.ints(name)?[..] {
            [v] => Ok(v),
            _ => Err(Error::invalid(format!(
                "attribute \"{name}\" must be one integer"
            ))),
        }
    }

    pub fn number(&self, name: &str) -> Result<f64> {
        crate::mlir::number_of(self.req_attr(name)?)
    }

    pub fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        self.graph.add_node(op, inputs, self.origin)
    }

    pub fn emit1(&mut self, op: Op, inputs: &[ValueId]) -> Result<ValueId> {
        let outs = self.emit(op, inputs)?;
        outs.first()
            .copied()
            .ok_or_else(|| Error::internal("an op without results"))
    }

    pub fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        self.graph.charge(t.data.len() as u64, "a constant")?;
        let name = format!("{}/const{}", self.origin.node, self.graph.values.len());
        self.graph.add_constant(name, t)
    }

    pub fn scalar(&mut self, dtype: DType, v: f64) -> Result<ValueId> {
        let t = if dtype.is_float() {
            Tensor::from_f64s(dtype, vec![], &[v])?
        } else {
            Tensor::from_i64s(dtype, vec![], &[v as i64])?
        };
        self.constant(t)
    }

    pub fn reshape(&mut self, x: ValueId, dims: &[u64]) -> Result<ValueId> {
        let shape: Vec<Dim> = dims.iter().map(|&d| Dim::Known(d)).collect();
        if self.graph.ty(x).shape == shape {
            return Ok(x);
        }
        self.emit1(Op::Movement(Movement::Reshape { shape }), &[x])
    }

    pub fn transpose(&mut self, x: ValueId, perm: &[usize]) -> Result<ValueId> {
        self.emit1(
            Op::Movement(Movement::Transpose {
                perm: perm.to_vec(),
            }),
            &[x],
        )
    }

    pub fn elementwise(&mut self, e: Elementwise, inputs: &[ValueId]) -> Result<ValueId> {
        self.emit1(Op::Elementwise(e), inputs)
    }

    /// Binds result `k`, checking it has the type the program declares.
    pub fn bind(&mut self, k: usize, v: ValueId) -> Result<()> {
        let want = self.result_type(k)?.clone();
        let got = self.graph.ty(v);
        if got.dtype != want.dtype || got.rank() != want.rank() {
            return Err(Error::invalid(format!(
                "result {k} is declared {want}, the mapping gives {got}"
            )));
        }
        for (g, w) in got.shape.iter().zip(&want.shape) {
            if let (Dim::Known(a), Dim::Known(b)) = (g, w)
                && a != b
            {
                return Err(Error::invalid(format!(
                    "result {k} is declared {want}, the mapping gives {got}"
                )));
            }
        }
        match self.results.get_mut(k) {
            Some(slot) => {
                *slot = Some(v);
                Ok(())
            }
            None => Err(Error::invalid(format!("the op has no result {k}"))),
        }
    }

    /// The constant scalar (zero point, shift) of operand `k`; absent = 0.
    pub fn zero_point(&self, k: usize, what: &str) -> Result<f64> {
        if k >= self.num_operands() {
            return Ok(0.0);
        }
        match self.const_operand(k)? {
            Some(t) => Ok(t.to_f64s().first().copied().unwrap_or(0.0)),
            None => Err(Error::unsupported(format!(
                "{what} computed at run time (only constant ones are supported)"
            ))),
        }
    }
}

/// Shared compositions (o2l_canon::compose) build through the op's context.
impl o2l_canon::compose::Builder for OpCtx<'_> {
    fn graph(&self) -> &Graph {
        self.graph
    }
    fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        OpCtx::emit(self, op, inputs)
    }
    fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        OpCtx::constant(self, t)
    }
}
