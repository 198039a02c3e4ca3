//! The StableHLO rule table: one row per StableHLO op (name, the canonical
//! ops it produces, the mapping function, a note), grouped in family files
//! like the ONNX and TOSA frontends'. Ops that carry regions or call
//! functions (`func.call`, `while`, `case`, `if`, `composite`) have rows too:
//! their mapping walks the region through `crate::import`.
mod control;
mod elementwise;
mod gather;
mod linear;
mod movement;
mod reduce;

use crate::import::{Env, Scope};
use crate::parse::{Attr, Op};
use o2l_canon::ops::{Elementwise, Movement};
use o2l_canon::{
    DType, Dim, Error, Graph, Op as CanonOp, Origin, Result, Tensor, TensorType, ValueId,
};

pub(crate) type MapFn = fn(&mut OpCtx) -> Result<()>;

/// One row of the rule table (the row type the MLIR frontends share).
pub(crate) type Rule = o2l_canon::rules::Rule<MapFn>;
pub(crate) use o2l_canon::rules::rule;

fn all_rules() -> impl Iterator<Item = &'static Rule> {
    [
        elementwise::RULES,
        movement::RULES,
        gather::RULES,
        linear::RULES,
        reduce::RULES,
        control::RULES,
    ]
    .into_iter()
    .flatten()
}

pub(crate) fn find(op: &str) -> Option<&'static Rule> {
    all_rules().find(|r| r.op == op)
}

/// StableHLO ops that are refused, with the reason the error gives.
pub(crate) static GAPS: &[(&str, &str)] = &[
    (
        "stablehlo.rng_bit_generator",
        "its bits are defined by the generator's implementation (Philox, ThreeFry) and its state; a converted function is pure and has no such generator",
    ),
    (
        "stablehlo.rng",
        "random numbers from an implementation-defined generator",
    ),
    (
        "stablehlo.custom_call",
        "a custom call's meaning is defined by its target's implementation (a library routine), not by StableHLO",
    ),
    (
        "stablehlo.infeed",
        "I/O with the host during execution: a converted function has no side channel",
    ),
    (
        "stablehlo.outfeed",
        "I/O with the host during execution: a converted function has no side channel",
    ),
    ("stablehlo.send", "communication between devices"),
    ("stablehlo.recv", "communication between devices"),
    ("stablehlo.all_reduce", "a collective across replicas"),
    ("stablehlo.all_gather", "a collective across replicas"),
    ("stablehlo.all_to_all", "a collective across replicas"),
    ("stablehlo.reduce_scatter", "a collective across replicas"),
    (
        "stablehlo.collective_permute",
        "a collective across replicas",
    ),
    (
        "stablehlo.collective_broadcast",
        "a collective across replicas",
    ),
    ("stablehlo.replica_id", "a property of a replicated run"),
    ("stablehlo.partition_id", "a property of a partitioned run"),
    (
        "stablehlo.after_all",
        "tokens order side effects, which converted functions do not have",
    ),
    (
        "stablehlo.create_token",
        "tokens order side effects, which converted functions do not have",
    ),
    (
        "stablehlo.fft",
        "complex numbers are not canonical element types",
    ),
    (
        "stablehlo.complex",
        "complex numbers are not canonical element types",
    ),
    (
        "stablehlo.real",
        "complex numbers are not canonical element types",
    ),
    (
        "stablehlo.imag",
        "complex numbers are not canonical element types",
    ),
    ("stablehlo.tuple", "tuples are not canonical values"),
    (
        "stablehlo.get_tuple_element",
        "tuples are not canonical values",
    ),
    (
        "stablehlo.triangular_solve",
        "no canonical op solves triangular systems",
    ),
    ("stablehlo.cholesky", "no canonical op factors matrices"),
    ("stablehlo.batch_norm_grad", "training ops are out of scope"),
    (
        "stablehlo.batch_norm_training",
        "training ops are out of scope",
    ),
    (
        "stablehlo.batch_norm_inference",
        "not mapped yet (JAX does not emit it; it would be elementwise ops over the feature dim)",
    ),
    (
        "stablehlo.reduce_precision",
        "rounding to a narrower float format inside a wider one is not a canonical op",
    ),
    (
        "stablehlo.map",
        "not mapped yet (JAX does not emit it; its body would be inlined per element)",
    ),
    (
        "stablehlo.einsum",
        "deprecated in StableHLO (JAX emits dot_general)",
    ),
    (
        "stablehlo.unary_einsum",
        "deprecated in StableHLO (JAX emits dot_general)",
    ),
    (
        "stablehlo.broadcast",
        "deprecated in StableHLO (JAX emits broadcast_in_dim)",
    ),
    (
        "stablehlo.select_and_scatter",
        "the gradient of a window reduction: training ops are out of scope",
    ),
    (
        "stablehlo.uniform_quantize",
        "quantized element types are not canonical element types",
    ),
    (
        "stablehlo.uniform_dequantize",
        "quantized element types are not canonical element types",
    ),
    (
        "stablehlo.dynamic_broadcast_in_dim",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.dynamic_reshape",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.dynamic_iota",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.dynamic_pad",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.dynamic_gather",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.dynamic_conv",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.real_dynamic_slice",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.get_dimension_size",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
    (
        "stablehlo.set_dimension_size",
        "shapes computed at run time: StableHLO with dynamic shapes is not supported",
    ),
];

/// Why an op is refused, when it is one of the listed gaps.
pub fn gap_reason(op: &str) -> Option<&'static str> {
    GAPS.iter().find(|(o, _)| *o == op).map(|(_, r)| *r)
}

/// Every refused op and why.
pub fn gaps() -> impl Iterator<Item = (&'static str, &'static str)> {
    GAPS.iter().copied()
}

/// Every rule row, in table order.
pub fn rules() -> impl Iterator<Item = o2l_canon::RuleInfo> {
    all_rules().map(|r| r.info())
}

/// What a rule sees of one op, and how it adds canonical ops.
pub(crate) struct OpCtx<'a, 'm> {
    pub graph: &'a mut Graph,
    pub origin: &'a Origin,
    pub op: &'a Op,
    inputs: Vec<ValueId>,
    result_types: Vec<TensorType>,
    pub env: &'a Env,
    pub scope: &'a Scope<'m>,
    results: Vec<Option<ValueId>>,
}

impl<'a, 'm> OpCtx<'a, 'm> {
    pub(crate) fn new(
        graph: &'a mut Graph,
        origin: &'a Origin,
        op: &'a Op,
        inputs: Vec<ValueId>,
        result_types: Vec<TensorType>,
        env: &'a Env,
        scope: &'a Scope<'m>,
    ) -> Self {
        let n = result_types.len();
        OpCtx {
            graph,
            origin,
            op,
            inputs,
            result_types,
            env,
            scope,
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

    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    pub fn inputs(&self) -> &[ValueId] {
        &self.inputs
    }

    pub fn input(&self, k: usize) -> Result<ValueId> {
        self.inputs
            .get(k)
            .copied()
            .ok_or_else(|| Error::invalid(format!("operand {k} is missing")))
    }

    pub fn ty(&self, v: ValueId) -> TensorType {
        self.graph.ty(v).clone()
    }

    pub fn dims(&self, v: ValueId) -> Result<Vec<u64>> {
        let t = self.graph.ty(v);
        t.known_dims()
            .ok_or_else(|| Error::unsupported(format!("a value of dynamic shape {t}")))
    }

    pub fn num_results(&self) -> usize {
        self.result_types.len()
    }

    pub fn result_type(&self, k: usize) -> Result<&TensorType> {
        self.result_types
            .get(k)
            .ok_or_else(|| Error::invalid(format!("result {k} is missing")))
    }

    pub fn result_dims(&self, k: usize) -> Result<Vec<u64>> {
        let t = self.result_type(k)?;
        t.known_dims()
            .ok_or_else(|| Error::unsupported(format!("a result of dynamic shape {t}")))
    }

    pub fn constant_of(&self, v: ValueId) -> Option<Tensor> {
        self.graph.constant(v).cloned()
    }

    /// The first attribute found under any of `names` (pretty and generic spellings).
    pub fn attr(&self, names: &[&str]) -> Option<&'a Attr> {
        let op: &'a Op = self.op;
        names.iter().find_map(|n| op.attr(n))
    }

    pub fn req_attr(&self, names: &[&str]) -> Result<&'a Attr> {
        self.attr(names)
            .ok_or_else(|| Error::invalid(format!("attribute \"{}\" is missing", names[0])))
    }

    pub fn ints(&self, names: &[&str]) -> Result<Vec<i64>> {
        let a = self.req_attr(names)?;
        a.ints()
            .ok_or_else(|| Error::invalid(format!("attribute \"{}\" must be integers", names[0])))
    }

    pub fn ints_or(&self, names: &[&str], default: Vec<i64>) -> Result<Vec<i64>> {
        match self.attr(names) {
            Some(a) => a.ints().ok_or_else(|| {
                Error::invalid(format!("attribute \"{}\" must be integers", names[0]))
            }),
            None => Ok(default),
        }
    }

    pub fn int(&self, names: &[&str]) -> Result<i64> {
        match self.ints(names)?[..] {
            [v] => Ok(v),
            _ => Err(Error::invalid(format!(
                "attribute \"{}\" must be one integer",
                names[0]
            ))),
        }
    }

    /// A positional word of the pretty form or a `#stablehlo<...>` attribute.
    pub fn word(&self, attr_names: &[&str], candidates: &[&str]) -> Option<String> {
        if let Some(w) = self.attr(attr_names).and_then(Attr::word) {
            return Some(w.to_string());
        }
        self.op.words.iter().find_map(|w| match w {
            Attr::Ident(s) if candidates.contains(&s.as_str()) => Some(s.clone()),
            _ => None,
        })
    }

    pub fn emit(&mut self, op: CanonOp, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        self.graph.add_node(op, inputs, self.origin)
    }

    pub fn emit1(&mut self, op: CanonOp, inputs: &[ValueId]) -> Result<ValueId> {
        let outs = self.emit(op, inputs)?;
        outs.first()
            .copied()
            .ok_or_else(|| Error::internal("an op without results"))
    }

    pub fn constant(&mut self, t: Tensor) -> Result<ValueId> {
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

    pub fn i64s(&mut self, dims: Vec<u64>, values: &[i64]) -> Result<ValueId> {
        self.constant(Tensor::from_i64s(DType::I64, dims, values)?)
    }

    pub fn reshape(&mut self, x: ValueId, dims: &[u64]) -> Result<ValueId> {
        let shape: Vec<Dim> = dims.iter().map(|&d| Dim::Known(d)).collect();
        if self.graph.ty(x).shape == shape {
            return Ok(x);
        }
        self.emit1(CanonOp::Movement(Movement::Reshape { shape }), &[x])
    }

    pub fn transpose(&mut self, x: ValueId, perm: &[usize]) -> Result<ValueId> {
        if perm.iter().enumerate().all(|(i, &p)| i == p) {
            return Ok(x);
        }
        self.emit1(
            CanonOp::Movement(Movement::Transpose {
                perm: perm.to_vec(),
            }),
            &[x],
        )
    }

    pub fn elementwise(&mut self, e: Elementwise, inputs: &[ValueId]) -> Result<ValueId> {
        self.emit1(CanonOp::Elementwise(e), inputs)
    }

    pub fn cast(&mut self, x: ValueId, to: DType) -> Result<ValueId> {
        if self.graph.ty(x).dtype == to {
            return Ok(x);
        }
        self.elementwise(Elementwise::cast(to), &[x])
    }

    /// `x` with only `picks` along `axis` (nothing when that is the whole axis).
    pub fn take(&mut self, x: ValueId, axis: usize, picks: &[i64]) -> Result<ValueId> {
        let len = self.dims(x)?.get(axis).copied().unwrap_or(0);
        if picks.len() as u64 == len && picks.iter().enumerate().all(|(i, &p)| p == i as i64) {
            return Ok(x);
        }
        let idx = self.i64s(vec![picks.len() as u64], picks)?;
        self.emit1(CanonOp::Movement(Movement::Gather { axis }), &[x, idx])
    }

    /// `x` broadcast to `dims` (numpy rules: size-1 dims repeat).
    pub fn broadcast_to(&mut self, x: ValueId, dims: &[u64]) -> Result<ValueId> {
        let mut have = self.dims(x)?;
        let mut y = x;
        if have.len() < dims.len() {
            let mut padded = vec![1; dims.len() - have.len()];
            padded.extend(&have);
            y = self.reshape(y, &padded)?;
            have = padded;
        }
        for (axis, (&h, &w)) in have.iter().zip(dims).enumerate() {
            if h == w {
                continue;
            }
            if h != 1 {
                return Err(Error::invalid(format!(
                    "cannot broadcast {have:?} to {dims:?}"
                )));
            }
            if w > 1 << 24 {
                return Err(Error::limit(format!("a broadcast to a dim of {w}")));
            }
            y = self.take(y, axis, &vec![0; w as usize])?;
        }
        Ok(y)
    }

    /// Binds result `k`, checking it has the type the program declares.
    pub fn bind(&mut self, k: usize, v: ValueId) -> Result<()> {
        let want = self.result_type(k)?.clone();
        let got = self.graph.ty(v);
        let same_dims = got.rank() == want.rank()
            && got
                .shape
                .iter()
                .zip(&want.shape)
                .all(|(g, w)| match (g, w) {
                    (Dim::Known(a), Dim::Known(b)) => a == b,
                    _ => true,
                });
        if got.dtype != want.dtype || !same_dims {
            return Err(Error::invalid(format!(
                "result {k} is declared {want}, the mapping gives {got}"
            )));
        }
        match self.results.get_mut(k) {
            Some(slot) => {
                *slot = Some(v);
                Ok(())
            }
            None => Err(Error::invalid(format!("the op has no result {k}"))),
        }
    }

    /// Binds result 0, cast to its declared element type first.
    pub fn bind_cast(&mut self, v: ValueId) -> Result<()> {
        let to = self.result_type(0)?.dtype;
        let v = self.cast(v, to)?;
        self.bind(0, v)
    }
}

/// Shared compositions (o2l_canon::compose) build through the op's context.
impl o2l_canon::compose::Builder for OpCtx<'_, '_> {
    fn graph(&self) -> &Graph {
        self.graph
    }
    fn emit(&mut self, op: CanonOp, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        OpCtx::emit(self, op, inputs)
    }
    fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        OpCtx::constant(self, t)
    }
}

/// Axes (`i64`s) checked against a rank.
pub(crate) fn axes(v: &[i64], rank: usize, what: &str) -> Result<Vec<usize>> {
    v.iter()
        .map(|&a| {
            usize::try_from(a)
                .ok()
                .filter(|&a| a < rank)
                .ok_or_else(|| {
                    Error::invalid(format!("{what}: dim {a} out of range for rank {rank}"))
                })
        })
        .collect()
}
