//! Mapping ONNX nodes onto canonical ops. Each family file opens with a static
//! table of rows: domain, op type, the exact schema `since` versions the row
//! implements, the canonical ops it can produce, and the mapping function.
//! A node's effective version must appear in some row's `since` list; there
//! are no open version ranges.
use crate::attr::Attrs;
use crate::tensor::{ExternalFiles, tensor_from_proto};
use o2l_canon::ops::{Binary, Elementwise, Movement};
pub(crate) use o2l_canon::rules::versioned;
use o2l_canon::{DType, Dim, Error, Graph, Op, Origin, Result, Tensor, TensorType, ValueId};

pub(crate) mod activation;
pub(crate) mod attention;
pub(crate) mod causal_conv;
pub(crate) mod control;
pub(crate) mod conv;
pub(crate) mod detect;
pub(crate) mod elementwise;
pub(crate) mod linear;
pub(crate) mod loss;
pub(crate) mod ml;
pub(crate) mod movement;
pub(crate) mod norm;
pub(crate) mod optional;
pub(crate) mod pool;
pub(crate) mod quant;
pub(crate) mod recurrent;
pub(crate) mod reduce;
pub(crate) mod resize;
pub(crate) mod sequence;
pub(crate) mod signal;
pub(crate) mod sort;
pub(crate) mod training;

pub(crate) type MapFn = fn(&mut MapCtx) -> Result<()>;

/// One row of a family table: the rule-row type every frontend shares.
pub(crate) type Rule = o2l_canon::Rule<MapFn>;

/// A row of the default domain (`ai.onnx`), as every family table writes them.
pub(crate) const fn row(
    op_type: &'static str,
    since: &'static [i64],
    produces: &'static [&'static str],
    map: MapFn,
    note: &'static str,
) -> Rule {
    versioned("ai.onnx", op_type, since, produces, map, note)
}

/// Every row of every family table, in family order.
pub(crate) fn all_rules() -> impl Iterator<Item = &'static Rule> {
    [
        elementwise::RULES,
        activation::RULES,
        linear::RULES,
        conv::RULES,
        causal_conv::RULES,
        pool::RULES,
        reduce::RULES,
        norm::RULES,
        attention::RULES,
        loss::RULES,
        quant::RULES,
        resize::RULES,
        signal::RULES,
        sort::RULES,
        detect::RULES,
        control::RULES,
        optional::RULES,
        sequence::RULES,
        recurrent::RULES,
        movement::RULES,
        training::RULES,
        ml::RULES,
    ]
    .into_iter()
    .flatten()
}

/// Schema versions of mapped ops that no row implements, and why. A test
/// checks that every manifest version of a mapped op is in a row or here.
pub(crate) struct Gap {
    pub op_type: &'static str,
    pub since: &'static [i64],
    pub reason: &'static str,
}

const CONSUMED: &str = "legacy `consumed_inputs` attribute (opsets before 6)";
const BROADCAST: &str = "legacy `broadcast`/`axis` attributes (opsets before 7)";

const fn gap(op_type: &'static str, since: &'static [i64], reason: &'static str) -> Gap {
    Gap {
        op_type,
        since,
        reason,
    }
}

/// The default-domain gaps, all below opset 7.
pub(crate) static GAPS: &[Gap] = &[
    gap("Abs", &[1], CONSUMED),
    gap("Add", &[1, 6], BROADCAST),
    gap("And", &[1], BROADCAST),
    gap("Equal", &[1], BROADCAST),
    gap("Greater", &[1], BROADCAST),
    gap("Less", &[1], BROADCAST),
    gap("Or", &[1], BROADCAST),
    gap("Xor", &[1], BROADCAST),
    gap(
        "BatchNormalization",
        &[1, 6],
        "legacy `is_test`/`spatial`/`consumed_inputs` attributes (opsets before 7)",
    ),
    gap("Cast", &[1], "`to` given as a string (opsets before 6)"),
    gap("Clip", &[1], CONSUMED),
    gap(
        "Concat",
        &[1],
        "optional axis defaulting to 1 (opsets before 4)",
    ),
    gap("Div", &[1, 6], BROADCAST),
    gap(
        "Dropout",
        &[1, 6],
        "legacy `is_test` attribute (opsets before 7)",
    ),
    gap("Elu", &[1], CONSUMED),
    gap(
        "GlobalLpPool",
        &[1],
        "legacy p attribute as float (opsets before 2)",
    ),
    gap(
        "LpPool",
        &[1],
        "legacy p attribute as float (opsets before 2)",
    ),
    gap(
        "RNN",
        &[1],
        "legacy output_sequence attribute (opsets before 7)",
    ),
    gap(
        "GRU",
        &[1, 3],
        "legacy output_sequence attribute (opsets before 7)",
    ),
    gap(
        "LSTM",
        &[1],
        "legacy output_sequence attribute (opsets before 7)",
    ),
    gap(
        "Upsample",
        &[1],
        "legacy height_scale/width_scale attributes (opsets before 7)",
    ),
    gap("Exp", &[1], CONSUMED),
    gap("Floor", &[1], CONSUMED),
    gap("Ceil", &[1], CONSUMED),
    gap("Gemm", &[1, 6], BROADCAST),
    gap("HardSigmoid", &[1], CONSUMED),
    gap("InstanceNormalization", &[1], CONSUMED),
    gap("LeakyRelu", &[1], CONSUMED),
    gap("Log", &[1], CONSUMED),
    gap("Max", &[1], CONSUMED),
    gap("Mean", &[1], CONSUMED),
    gap("Min", &[1], CONSUMED),
    gap("Mul", &[1, 6], BROADCAST),
    gap("Neg", &[1], CONSUMED),
    gap(
        "PRelu",
        &[1, 6],
        "legacy slope broadcasting (opsets before 7)",
    ),
    gap("Pad", &[1], "legacy `paddings` attribute (opsets before 2)"),
    gap("Pow", &[1], BROADCAST),
    gap("Reciprocal", &[1], CONSUMED),
    gap("Relu", &[1], CONSUMED),
    gap(
        "Reshape",
        &[1],
        "shape given as an attribute (opsets before 5)",
    ),
    gap("Selu", &[1], CONSUMED),
    gap("Sigmoid", &[1], CONSUMED),
    gap(
        "Split",
        &[1],
        "legacy split input/attribute pair (opsets before 2)",
    ),
    gap("Sqrt", &[1], CONSUMED),
    gap("Sub", &[1, 6], BROADCAST),
    gap("Sum", &[1], CONSUMED),
    gap("Tanh", &[1], CONSUMED),
    gap("Tile", &[1], "legacy tiles/axis inputs (opsets before 6)"),
];

/// Why a version of a mapped op is not supported, when the gap table says.
pub(crate) fn gap_reason(domain: &str, op_type: &str, version: i64) -> Option<&'static str> {
    if domain != "ai.onnx" {
        return None;
    }
    GAPS.iter()
        .find(|g| g.op_type == op_type && g.since.contains(&version))
        .map(|g| g.reason)
}

/// Whether any row maps this op type (at some version).
pub(crate) fn has_rules(domain: &str, op_type: &str) -> bool {
    all_rules().any(|r| r.maps(domain, op_type))
}

/// The row implementing exactly `version` of the op.
pub(crate) fn find_rule(domain: &str, op_type: &str, version: i64) -> Option<&'static Rule> {
    all_rules().find(|r| r.maps(domain, op_type) && r.since.contains(&version))
}

/// Every version some row implements, ascending.
pub(crate) fn supported_versions(domain: &str, op_type: &str) -> Vec<i64> {
    let mut v: Vec<i64> = all_rules()
        .filter(|r| r.maps(domain, op_type))
        .flat_map(|r| r.since.iter().copied())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// One element of an integer shape vector known only symbolically (e.g. the
/// result of `Shape` on a tensor with a `batch` dim): a number or a dim symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SymEl {
    Int(i64),
    Sym(String),
}

/// Symbolic contents of run-time integer vectors (shape arithmetic on symbolic dims).
pub(crate) type SymValues = std::collections::HashMap<ValueId, Vec<SymEl>>;

/// The values a node's subgraphs may read: every name visible where the node
/// sits, the opsets in force, and how deeply subgraphs are nested already.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub names: &'a std::collections::HashMap<String, ValueId>,
    pub opsets: &'a crate::load::Opsets,
    pub depth: usize,
}

/// What a mapping function sees of one node, and how it adds canonical ops.
pub(crate) struct MapCtx<'a> {
    pub graph: &'a mut Graph,
    pub attrs: Attrs<'a>,
    pub origin: &'a Origin,
    /// The node's effective schema version.
    pub version: i64,
    inputs: Vec<Option<ValueId>>,
    output_names: &'a [String],
    outputs: Vec<Option<ValueId>>,
    files: &'a mut ExternalFiles,
    sym: &'a mut SymValues,
    scope: Scope<'a>,
    consts_made: usize,
    /// Sequence-valued inputs and outputs: resolved statically, each a list
    /// of tensor values (None where the slot holds a tensor or nothing).
    seq_inputs: Vec<Option<Vec<ValueId>>>,
    seq_outputs: Vec<Option<Vec<ValueId>>>,
}

impl<'a> MapCtx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        graph: &'a mut Graph,
        attrs: Attrs<'a>,
        origin: &'a Origin,
        version: i64,
        inputs: Vec<Option<ValueId>>,
        output_names: &'a [String],
        files: &'a mut ExternalFiles,
        sym: &'a mut SymValues,
        scope: Scope<'a>,
    ) -> Self {
        MapCtx {
            graph,
            attrs,
            origin,
            version,
            inputs,
            output_names,
            outputs: vec![None; output_names.len()],
            files,
            sym,
            scope,
            consts_made: 0,
            seq_inputs: Vec::new(),
            seq_outputs: vec![None; output_names.len()],
        }
    }

    /// Gives the node its sequence-valued inputs (by input position).
    pub(crate) fn with_sequences(mut self, seq_inputs: Vec<Option<Vec<ValueId>>>) -> Self {
        self.seq_inputs = seq_inputs;
        self
    }

    /// The tensor and the sequence values bound to the node's outputs.
    pub(crate) fn into_all_outputs(self) -> (Vec<Option<ValueId>>, Vec<Option<Vec<ValueId>>>) {
        (self.outputs, self.seq_outputs)
    }

    /// Input `i` as a sequence (its tensors, in order).
    pub(crate) fn seq_input(&self, i: usize) -> Result<Vec<ValueId>> {
        match self.seq_inputs.get(i) {
            Some(Some(s)) => Ok(s.clone()),
            _ if self.opt_input(i).is_some() => Err(Error::invalid(format!(
                "input {i} must be a sequence, got a tensor"
            ))),
            _ => Err(Error::unsupported(format!(
                "input {i} is not a sequence known at conversion time (sequences are resolved within one graph)"
            ))),
        }
    }

    /// Whether input `i` is a sequence.
    pub(crate) fn is_seq_input(&self, i: usize) -> bool {
        matches!(self.seq_inputs.get(i), Some(Some(_)))
    }

    /// Binds output `k` of the node to a sequence of tensor values.
    pub(crate) fn bind_seq(&mut self, k: usize, items: Vec<ValueId>) -> Result<()> {
        match self.seq_outputs.get_mut(k) {
            Some(slot) => {
                *slot = Some(items);
                Ok(())
            }
            None => Err(Error::invalid(format!(
                "the node declares {} outputs, the op produces output {k}",
                self.output_names.len()
            ))),
        }
    }

    pub(crate) fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// Input `i`, which the op requires.
    pub(crate) fn input(&self, i: usize) -> Result<ValueId> {
        self.opt_input(i).ok_or_else(|| {
            Error::invalid(format!(
                "input {i} is required but absent ({} inputs given)",
                self.inputs.len()
            ))
        })
    }

    /// Input `i`, or None when it is absent (past the end, or an empty name).
    pub(crate) fn opt_input(&self, i: usize) -> Option<ValueId> {
        self.inputs.get(i).copied().flatten()
    }

    pub(crate) fn ty(&self, v: ValueId) -> TensorType {
        self.graph.ty(v).clone()
    }

    pub(crate) fn const_of(&self, v: ValueId) -> Option<Tensor> {
        self.graph.constant(v).cloned()
    }

    /// Input `i` as integers, when present; it must be a constant (named `what`).
    pub(crate) fn const_ints(&self, i: usize, what: &str) -> Result<Option<Vec<i64>>> {
        let Some(v) = self.opt_input(i) else {
            return Ok(None);
        };
        match self.graph.constant(v) {
            Some(t) if t.dtype.is_int() => Ok(Some(t.to_i64s())),
            Some(t) => Err(Error::invalid(format!(
                "input {i} ({what}) must hold integers, got {}",
                t.dtype
            ))),
            None => Err(Error::unsupported(format!(
                "input {i} ({what}) is computed at run time; only constant {what} is supported"
            ))
            .needing_constant(self.graph.value(v).name.clone())),
        }
    }

    /// The Unsupported error for input `i` computed at run time where the
    /// import needs a constant; it names the value, so drivers can bind it.
    pub(crate) fn needs_constant(&self, i: usize, message: impl Into<String>) -> Error {
        let e = Error::unsupported(message);
        match self.opt_input(i) {
            Some(v) => e.needing_constant(self.graph.value(v).name.clone()),
            None => e,
        }
    }

    /// Number of outputs the node declares.
    pub(crate) fn num_outputs(&self) -> usize {
        self.output_names.len()
    }

    /// Whether output `k` is declared with a (non-empty) name.
    pub(crate) fn output_wanted(&self, k: usize) -> bool {
        self.output_names.get(k).is_some_and(|n| !n.is_empty())
    }

    /// Adds a canonical op with this node's origin (folded when possible).
    pub(crate) fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        self.graph.add_node(op, inputs, self.origin)
    }

    /// `emit` for ops with one result.
    pub(crate) fn emit1(&mut self, op: Op, inputs: &[ValueId]) -> Result<ValueId> {
        let outs = self.emit(op, inputs)?;
        match outs.as_slice() {
            [v] => Ok(*v),
            _ => Err(Error::internal(format!(
                "expected one result, got {}",
                outs.len()
            ))),
        }
    }

    /// Adds a constant owned by this node.
    pub(crate) fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        self.graph.charge(t.data.len() as u64, "a constant")?;
        let name = format!("{}:const{}", self.origin.node, self.consts_made);
        self.consts_made += 1;
        self.graph.add_constant(name, t)
    }

    /// A constant of `dims` with every element `value`. Its size is checked
    /// against the limits before anything is allocated, so a hostile shape is
    /// a limit error, not an out-of-memory abort.
    pub(crate) fn filled(&mut self, dtype: DType, dims: Vec<u64>, value: f64) -> Result<ValueId> {
        let count = o2l_canon::shape::element_count(&dims)?;
        let what = format!("a constant of shape {dims:?}");
        // Values are built as 8-byte numbers before packing.
        self.graph.check_constant(count, 8, &what)?;
        let count = count as usize;
        let t = if dtype.is_float() {
            Tensor::from_f64s(dtype, dims, &vec![value; count])?
        } else {
            Tensor::from_i64s(dtype, dims, &vec![value as i64; count])?
        };
        self.constant(t)
    }

    /// A rank-0 constant of `dtype`.
    pub(crate) fn scalar(&mut self, dtype: DType, v: f64) -> Result<ValueId> {
        let t = if dtype.is_float() {
            Tensor::from_f64s(dtype, vec![], &[v])?
        } else {
            Tensor::from_i64s(dtype, vec![], &[v as i64])?
        };
        self.constant(t)
    }

    /// Decodes a tensor held in an attribute.
    pub(crate) fn decode_tensor(&mut self, t: &o2l_proto::TensorProto) -> Result<Tensor> {
        tensor_from_proto(t, self.files)
    }

    /// Binds output `k` of the node to `v`.
    pub(crate) fn bind(&mut self, k: usize, v: ValueId) -> Result<()> {
        match self.outputs.get_mut(k) {
            Some(slot) => {
                *slot = Some(v);
                Ok(())
            }
            None => Err(Error::invalid(format!(
                "the node declares {} outputs, the op produces output {k}",
                self.output_names.len()
            ))),
        }
    }

    /// Refuses outputs past `produced` that the model uses.
    pub(crate) fn only_outputs(&self, produced: usize, what: &str) -> Result<()> {
        for k in produced..self.output_names.len() {
            if self.output_wanted(k) {
                return Err(Error::unsupported(format!(
                    "output {k} (\"{}\", {what}) is not supported",
                    self.output_names[k]
                )));
            }
        }
        Ok(())
    }

    // --- small builders shared by the families ---

    pub(crate) fn binary(&mut self, b: Binary, x: ValueId, y: ValueId) -> Result<ValueId> {
        self.emit1(Op::Elementwise(Elementwise::Binary(b)), &[x, y])
    }

    pub(crate) fn reshape(&mut self, x: ValueId, shape: Vec<Dim>) -> Result<ValueId> {
        if self.graph.ty(x).shape == shape {
            return Ok(x);
        }
        let y = self.emit1(Op::Movement(Movement::Reshape { shape }), &[x])?;
        // Same elements in the same order: symbolic contents carry over.
        match self.sym.get(&x).cloned() {
            Some(els) => self.set_sym(y, els),
            None => Ok(y),
        }
    }

    /// The contents of an integer vector: constant values, or tracked symbolic ones.
    pub(crate) fn sym_of(&self, v: ValueId) -> Option<Vec<SymEl>> {
        if let Some(t) = self.graph.constant(v) {
            return t
                .dtype
                .is_int()
                .then(|| t.to_i64s().into_iter().map(SymEl::Int).collect());
        }
        self.sym.get(&v).cloned()
    }

    /// Records the symbolic contents of a run-time integer vector; when every
    /// entry is a number, returns a constant to use instead (so chains fold).
    pub(crate) fn set_sym(&mut self, v: ValueId, els: Vec<SymEl>) -> Result<ValueId> {
        let ty = self.graph.ty(v).clone();
        if self.graph.constant(v).is_some() || !ty.dtype.is_int() || ty.rank() > 1 {
            return Ok(v);
        }
        let ints: Option<Vec<i64>> = els
            .iter()
            .map(|e| match e {
                SymEl::Int(i) => Some(*i),
                SymEl::Sym(_) => None,
            })
            .collect();
        if let (Some(ints), Some(dims)) = (ints, ty.known_dims())
            && ints.len() as u64 == dims.iter().product::<u64>()
        {
            return self.constant(Tensor::from_i64s(ty.dtype, dims, &ints)?);
        }
        self.sym.insert(v, els);
        Ok(v)
    }

    /// Records a Gather along axis 0 of a tracked vector.
    pub(crate) fn track_gather(
        &mut self,
        data: ValueId,
        axis: usize,
        picks: &[i64],
        out: ValueId,
    ) -> Result<ValueId> {
        if axis != 0 || self.graph.ty(data).rank() != 1 {
            return Ok(out);
        }
        let Some(els) = self.sym_of(data) else {
            return Ok(out);
        };
        let n = els.len() as i64;
        let picked: Option<Vec<SymEl>> = picks
            .iter()
            .map(|&p| {
                let p = if p < 0 { p + n } else { p };
                usize::try_from(p).ok().and_then(|p| els.get(p).cloned())
            })
            .collect();
        match picked {
            Some(picked) => self.set_sym(out, picked),
            None => Ok(out),
        }
    }

    /// Integer vector input `i` whose entries may be dim symbols (constant or tracked).
    pub(crate) fn sym_ints(&self, i: usize, what: &str) -> Result<Option<Vec<SymEl>>> {
        let Some(v) = self.opt_input(i) else {
            return Ok(None);
        };
        match self.sym_of(v) {
            Some(els) => Ok(Some(els)),
            None => self
                .const_ints(i, what)
                .map(|o| o.map(|v| v.into_iter().map(SymEl::Int).collect())),
        }
    }

    pub(crate) fn cast(&mut self, x: ValueId, to: DType) -> Result<ValueId> {
        if self.graph.ty(x).dtype == to {
            return Ok(x);
        }
        let y = self.emit1(Op::Elementwise(Elementwise::cast(to)), &[x])?;
        match self.sym.get(&x).cloned() {
            Some(els) if to.is_int() => self.set_sym(y, els),
            _ => Ok(y),
        }
    }
}

/// Integers from an attribute as non-negative `u64`, naming the attribute.
pub(crate) fn to_u64s(v: &[i64], what: &str) -> Result<Vec<u64>> {
    v.iter()
        .map(|&x| {
            u64::try_from(x).map_err(|_| {
                Error::invalid(format!("{what}: expected non-negative values, got {v:?}"))
            })
        })
        .collect()
}

/// Per-dim product of known dims; None when one is symbolic.
pub(crate) fn known_product(dims: &[Dim]) -> Option<u64> {
    dims.iter()
        .try_fold(1u64, |acc, d| d.known().and_then(|n| acc.checked_mul(n)))
}

/// Shared compositions (o2l_canon::compose) build through the node's context.
impl o2l_canon::compose::Builder for MapCtx<'_> {
    fn graph(&self) -> &Graph {
        self.graph
    }
    fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        MapCtx::emit(self, op, inputs)
    }
    fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        MapCtx::constant(self, t)
    }
    fn reshape(&mut self, x: ValueId, shape: Vec<Dim>) -> Result<ValueId> {
        MapCtx::reshape(self, x, shape)
    }
}
