//! What a mapping function sees of one node (`MapCtx`), and the types the
//! family tables and the walker share: the rule row, symbolic vectors, the
//! scope a node's subgraphs see. It lives beside `map/mod.rs`, not in it, so
//! that the family files `mod.rs` lists never import the file listing them.
use crate::attr::Attrs;
use crate::load::Opsets;
use crate::tensor::{ExternalFiles, tensor_from_proto};
use o2l_canon::ops::{Binary, Body, Control, Elementwise, Movement, Reduce, ReduceKind};
pub(crate) use o2l_canon::rules::versioned;
use o2l_canon::{
    Builder, DType, Dim, Error, Graph, Op, Origin, Result, Tensor, TensorType, ValueId,
};
use o2l_proto::{GraphProto, NodeProto};
use std::borrow::Cow;
use std::collections::HashMap;

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

/// One element of an integer shape vector known only symbolically (e.g. the
/// result of `Shape` on a tensor with a `batch` dim): a number or a dim symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SymEl {
    Int(i64),
    Sym(String),
}

/// A value known to be `DequantizeLinear(q, scale, zero_point)` along
/// `axis` (per tensor when `scale` has one element), kept so that a consumer
/// can run its kernel on `q` itself (quantized Conv, MatMul, Gemm).
#[derive(Debug, Clone)]
pub(crate) struct Dequantized {
    pub q: ValueId,
    pub scale: ValueId,
    pub zero_point: Option<ValueId>,
    pub axis: usize,
}

/// What the walk knows of values beyond their types.
#[derive(Default)]
pub(crate) struct Tracked {
    /// Symbolic contents of run-time integer vectors (shape arithmetic on symbolic dims).
    pub ints: HashMap<ValueId, Vec<SymEl>>,
    /// Values that are dequantized 8-bit tensors.
    pub dequantized: HashMap<ValueId, Dequantized>,
    /// Values that are dequantized i32 tensors (the biases onnxruntime's
    /// quantizer writes for Conv and Gemm), to the i32 tensor.
    pub dequantized_i32: HashMap<ValueId, ValueId>,
    /// Why the node being mapped keeps its float op although it reads a
    /// dequantized value (set by the QDQ rules, taken by the walker).
    pub float_reason: Option<String>,
    /// The integer form the node being mapped became when it is not one of
    /// the integer kernels (set by the QDQ rules, taken by the walker).
    pub integer_form: Option<String>,
    /// One line per node that reads a dequantized value: whether it became
    /// an integer kernel, or why it stayed float (`Imported::quantization`).
    pub quantization: Vec<String>,
    /// What rules assumed about run-time values and guard with a run-time
    /// check (`Imported::warnings`), one line each, naming the node.
    pub warnings: Vec<String>,
    /// Ifs (by node path) whose kept branch was a guess between two that
    /// both convert, and those whose guess a retry reverses (see `run_time_if`).
    pub guessed: Vec<String>,
    pub reversed: std::collections::HashSet<String>,
}

/// A subgraph for the walker to map: where its nodes go and what they see.
pub(crate) struct Subgraph<'s> {
    pub graph: &'s mut Graph,
    pub files: &'s mut ExternalFiles,
    pub tracked: &'s mut Tracked,
    pub opsets: &'s Opsets,
    /// How deeply the subgraph's own nodes are nested.
    pub depth: usize,
    /// Every value the subgraph may read by name, its inputs among them.
    pub names: HashMap<String, ValueId>,
    /// The names the subgraph defines as its inputs (none may be defined again).
    pub inputs: Vec<String>,
    pub body: &'s GraphProto,
    /// Prefix of the names of the subgraph's nodes and initializers.
    pub tag: &'s str,
}

/// The walker's entry for subgraphs: maps a body's initializers and nodes the
/// way it maps a model's graph, and returns the body's outputs in order.
pub(crate) type MapSubgraph = fn(Subgraph<'_>) -> Result<Vec<ValueId>>;

/// One node to map: the node, the name messages give it, the opsets in force.
pub(crate) struct WalkNode<'n> {
    pub node: Cow<'n, NodeProto>,
    pub name: String,
    pub opsets: &'n Opsets,
}

/// The values a node's subgraphs may read: every name visible where the node
/// sits, the opsets in force, how deeply subgraphs are nested already, and
/// the walker that maps them (held here so that rules never import it).
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub names: &'a HashMap<String, ValueId>,
    pub opsets: &'a Opsets,
    pub depth: usize,
    pub map_subgraph: MapSubgraph,
    /// The nodes of the same graph before this one, in order (read by rules
    /// that look at how their inputs were computed: `Gradient`).
    pub earlier: &'a [WalkNode<'a>],
    /// The QuantizeLinear that is the only reader of this node's first
    /// output, when there is one and that output is not a graph output
    /// (the Q of a QDQ group: `qdq.rs`).
    pub requantized_by: Option<&'a NodeProto>,
}

/// What a mapping function sees of one node; it adds canonical ops through
/// `Builder` (with the node's origin, and constants named after the node).
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
    tracked: &'a mut Tracked,
    /// What the node's subgraphs see.
    pub scope: Scope<'a>,
    consts_made: usize,
    /// Sequence-valued inputs and outputs: resolved statically, each a list
    /// of tensor values (None where the slot holds a tensor or nothing).
    seq_inputs: Vec<Option<Vec<ValueId>>>,
    seq_outputs: Vec<Option<Vec<ValueId>>>,
    /// The mapping function running on this node: mapped again per case when
    /// a run-time operand selects among finitely many forms.
    rule: Option<MapFn>,
}

/// At most this many cases for an operand chosen at run time among
/// finitely many values (C(8, 4) = 70 sets of axes of a rank-8 tensor).
const MAX_SWITCH_CASES: usize = 70;

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
        tracked: &'a mut Tracked,
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
            tracked,
            scope,
            consts_made: 0,
            seq_inputs: Vec::new(),
            seq_outputs: vec![None; output_names.len()],
            rule: None,
        }
    }

    /// Names the mapping function running on the node (see `switch_on_run_time_axes`).
    pub(crate) fn running(mut self, rule: MapFn) -> Self {
        self.rule = Some(rule);
        self
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

    /// The name of output `k` ("" when absent), for messages.
    pub(crate) fn output_name(&self, k: usize) -> &str {
        self.output_names.get(k).map_or("", String::as_str)
    }

    /// Whether output `k` is declared with a (non-empty) name.
    pub(crate) fn output_wanted(&self, k: usize) -> bool {
        self.output_names.get(k).is_some_and(|n| !n.is_empty())
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

    /// The value bound to output `k` so far.
    pub(crate) fn output(&self, k: usize) -> Option<ValueId> {
        self.outputs.get(k).copied().flatten()
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

    /// Refuses a subgraph nested deeper than the limits allow.
    pub(crate) fn check_nesting(&self) -> Result<()> {
        if self.scope.depth >= self.graph.limits.max_depth {
            return Err(Error::limit(format!(
                "subgraphs nested more than {} deep (--max-depth)",
                self.graph.limits.max_depth
            )));
        }
        Ok(())
    }

    /// Maps the nodes of `body` into this graph with its inputs bound to
    /// `bound` and the node's scope visible; returns its outputs in order.
    /// `tag` prefixes the inlined node names.
    pub(crate) fn inline_subgraph(
        &mut self,
        body: &GraphProto,
        bound: &[ValueId],
        tag: &str,
    ) -> Result<Vec<ValueId>> {
        self.check_nesting()?;
        if body.input.len() != bound.len() {
            return Err(Error::invalid(format!(
                "the subgraph takes {} inputs, {} are given",
                body.input.len(),
                bound.len()
            )));
        }
        let mut names = self.scope.names.clone();
        for (vi, &v) in body.input.iter().zip(bound) {
            names.insert(vi.name().to_string(), v);
        }
        (self.scope.map_subgraph)(Subgraph {
            graph: self.graph,
            files: self.files,
            tracked: self.tracked,
            opsets: self.scope.opsets,
            depth: self.scope.depth + 1,
            names,
            inputs: body.input.iter().map(|vi| vi.name().to_string()).collect(),
            body,
            tag,
        })
    }

    /// Maps the nodes of `body` into `graph`, a graph of its own whose values
    /// `names` gives (the body's inputs and the outer values it reads);
    /// returns the body's outputs in order.
    pub(crate) fn map_subgraph_into(
        &mut self,
        graph: &mut Graph,
        names: HashMap<String, ValueId>,
        body: &GraphProto,
        tag: &str,
    ) -> Result<Vec<ValueId>> {
        self.check_nesting()?;
        let mut tracked = Tracked::default();
        (self.scope.map_subgraph)(Subgraph {
            graph,
            files: self.files,
            tracked: &mut tracked,
            opsets: self.scope.opsets,
            depth: self.scope.depth + 1,
            names,
            inputs: body.input.iter().map(|vi| vi.name().to_string()).collect(),
            body,
            tag,
        })
    }

    /// Axes computed at run time, when their count is static: maps the node
    /// once per set of that many distinct axes of a rank-`rank` tensor, each
    /// case with its set as a constant input `i`, and chooses the case at
    /// run time (`Control::Switch`), so no value is assumed. Returns false
    /// (nothing emitted) when input `i` is absent, constant or of unknown length.
    pub(crate) fn switch_on_run_time_axes(&mut self, i: usize, rank: usize) -> Result<bool> {
        self.switch_on_axes(i, rank, AxesOrder::Set)
    }

    /// `switch_on_run_time_axes` for axes whose order matters (they pair with
    /// other per-axis inputs, as Slice's do): one case per sequence of
    /// distinct axes.
    pub(crate) fn switch_on_run_time_axis_list(&mut self, i: usize, rank: usize) -> Result<bool> {
        self.switch_on_axes(i, rank, AxesOrder::List)
    }

    /// The run-time key is the sum of per-position digits read from a table by
    /// the normalised axis. For a set, axis `a` weighs `(count + 1)^a`: distinct
    /// axes give digits 0 or 1, a repeated axis a digit above 1. For a list,
    /// the axis at position `j` weighs `(a + 1) (rank + 1)^j`. An out-of-range
    /// axis reads a table entry no case's key can contain.
    fn switch_on_axes(&mut self, i: usize, rank: usize, order: AxesOrder) -> Result<bool> {
        let (Some(axes), Some(rule)) = (self.opt_input(i), self.rule) else {
            return Ok(false);
        };
        let ty = self.graph.ty(axes).clone();
        let Some(count) = ty.num_elements()? else {
            return Ok(false);
        };
        if self.graph.constant(axes).is_some() || !ty.dtype.is_int() || count == 0 {
            return Ok(false);
        }
        let count = count as usize;
        let too_many = |ctx: &Self, why: String| {
            ctx.needs_constant(i, format!("axes computed at run time: {why}"))
        };
        let (sets, table, position_weights) = match order {
            AxesOrder::Set => {
                let base = count as i64 + 1;
                let Some(invalid) = u32::try_from(rank).ok().and_then(|r| base.checked_pow(r))
                else {
                    return Err(too_many(
                        self,
                        format!("{count} of {rank} axes give keys beyond 64 bits"),
                    ));
                };
                let weights: Vec<i64> = (0..rank as u32).map(|r| base.pow(r)).collect();
                let mut table = vec![invalid];
                table.extend(&weights);
                table.extend(&weights);
                table.push(invalid);
                (axis_choices(rank, count, false), table, None)
            }
            AxesOrder::List => {
                let base = rank as i64 + 1;
                let Some(positions) = (0..count as u32)
                    .map(|j| base.checked_pow(j))
                    .collect::<Option<Vec<i64>>>()
                    .filter(|w| w.last().is_some_and(|&l| l.checked_mul(base).is_some()))
                else {
                    return Err(too_many(
                        self,
                        format!("{count} of {rank} axes give keys beyond 64 bits"),
                    ));
                };
                let digits: Vec<i64> = (1..=rank as i64).collect();
                let mut table = vec![0];
                table.extend(&digits);
                table.extend(&digits);
                table.push(0);
                (axis_choices(rank, count, true), table, Some(positions))
            }
        };
        if sets.is_empty() || sets.len() > MAX_SWITCH_CASES {
            return Err(too_many(
                self,
                format!(
                    "{count} of {rank} axes give {} possible choices (at most {MAX_SWITCH_CASES} are chosen among at run time)",
                    if sets.len() > MAX_SWITCH_CASES {
                        format!("more than {MAX_SWITCH_CASES}")
                    } else {
                        "no".to_string()
                    }
                ),
            ));
        }
        let case_key = |set: &[i64]| -> i64 {
            match &position_weights {
                None => set.iter().map(|&a| table[a as usize + 1]).sum(),
                Some(w) => set.iter().zip(w).map(|(&a, &w)| (a + 1) * w).sum(),
            }
        };
        let axis_dims = ty.known_dims().unwrap_or_default();
        let captured: Vec<(usize, ValueId)> = (0..self.num_inputs())
            .filter(|&j| j != i)
            .filter_map(|j| self.opt_input(j).map(|v| (j, v)))
            .collect();
        let wanted: Vec<usize> = (0..self.num_outputs())
            .filter(|&k| self.output_wanted(k))
            .collect();
        let mut cases = Vec::with_capacity(sets.len());
        let mut refused = None;
        for set in &sets {
            let set_tensor = Tensor::from_i64s(ty.dtype, axis_dims.clone(), set)?;
            match self.map_case(rule, i, set_tensor, &captured, &wanted, cases.len()) {
                Ok(g) => cases.push((case_key(set), Body(std::sync::Arc::new(g)))),
                // A choice the node cannot take (e.g. squeezing a dim that is not 1)
                // is an invalid run-time value: it selects no case.
                Err(e) if e.kind == o2l_canon::ErrorKind::InvalidModel => refused = Some(e),
                Err(e) => return Err(e),
            }
        }
        if cases.is_empty() {
            return Err(refused.unwrap_or_else(|| Error::invalid("no choice of axes is valid")));
        }
        // key = sum(table[clamp(a + rank + 1, 0, 2 rank + 1)] (* position weight))
        let a = self.cast(axes, DType::I64)?;
        let a = self.reshape_to(a, &[count as u64])?;
        let shift = self.i64s(vec![], &[rank as i64 + 1])?;
        let a = self.binary(Binary::Add, a, shift)?;
        let (lo, hi) = (
            self.i64s(vec![], &[0])?,
            self.i64s(vec![], &[2 * rank as i64 + 1])?,
        );
        let a = self.binary(Binary::Max, a, lo)?;
        let a = self.binary(Binary::Min, a, hi)?;
        let table = self.i64s(vec![table.len() as u64], &table)?;
        let mut picked = self.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[table, a])?;
        if let Some(w) = &position_weights {
            let w = self.i64s(vec![count as u64], w)?;
            picked = self.binary(Binary::Mul, picked, w)?;
        }
        let key = self.emit1(
            Op::Reduce(Reduce {
                kind: ReduceKind::Sum,
                axes: vec![0],
                keep_dims: false,
            }),
            &[picked],
        )?;
        let mut operands = vec![key];
        operands.extend(
            captured
                .iter()
                .filter(|(_, v)| self.graph.constant(*v).is_none())
                .map(|&(_, v)| v),
        );
        let switch = Op::Control(Control::Switch {
            cases,
            dims: format!("{}_dims", self.origin.node),
        });
        let results = self.emit(switch, &operands)?;
        for (&k, v) in wanted.iter().zip(results) {
            self.bind(k, v)?;
        }
        Ok(true)
    }

    /// A graph of its own for this node (a loop body the rule builds): its
    /// inputs are values of `inputs` types, then the `captured` values of this
    /// graph (constants are copied in as constants, the others become inputs);
    /// `build` emits its ops and returns its outputs. Returns the graph and
    /// the captured values that are its inputs, in order.
    pub(crate) fn body_graph(
        &mut self,
        tag: &str,
        inputs: &[TensorType],
        captured: &[ValueId],
        build: impl FnOnce(&mut MapCtx, &[ValueId], &[ValueId]) -> Result<Vec<ValueId>>,
    ) -> Result<(Graph, Vec<ValueId>)> {
        let mut g = Graph::new(format!("{}/{tag}", self.origin.node));
        g.limits = self.graph.limits;
        let mut own = Vec::with_capacity(inputs.len());
        for (k, ty) in inputs.iter().enumerate() {
            own.push(g.add_input(format!("{tag}:in{k}"), ty.clone())?);
        }
        let (mut inner, mut operands) = (Vec::new(), Vec::new());
        for &v in captured {
            let name = self.graph.value(v).name.clone();
            inner.push(match self.graph.constant(v) {
                Some(t) => g.add_constant(name, t.clone())?,
                None => {
                    operands.push(v);
                    g.add_input(name, self.graph.ty(v).clone())?
                }
            });
        }
        let mut tracked = Tracked::default();
        let mut body = MapCtx::new(
            &mut g,
            self.attrs,
            self.origin,
            self.version,
            Vec::new(),
            &[],
            self.files,
            &mut tracked,
            self.scope,
        );
        let outs = build(&mut body, &own, &inner)?;
        g.outputs = outs;
        g.prune();
        Ok((g, operands))
    }

    /// One case of `switch_on_run_time_axes`: the node mapped into a graph of
    /// its own, input `i` the constant `value`, the other run-time inputs the
    /// graph's inputs (constants stay constants), the wanted outputs its outputs.
    fn map_case(
        &mut self,
        rule: MapFn,
        i: usize,
        value: Tensor,
        captured: &[(usize, ValueId)],
        wanted: &[usize],
        n: usize,
    ) -> Result<Graph> {
        let mut g = Graph::new(format!("{}/case{n}", self.origin.node));
        g.limits = self.graph.limits;
        let mut inputs = vec![None; self.num_inputs()];
        for &(j, v) in captured {
            let name = self.graph.value(v).name.clone();
            inputs[j] = Some(match self.graph.constant(v) {
                Some(t) => g.add_constant(name, t.clone())?,
                None => g.add_input(name, self.graph.ty(v).clone())?,
            });
        }
        inputs[i] = Some(g.add_constant(format!("{}:case{n}", self.origin.node), value)?);
        let mut tracked = Tracked::default();
        let mut case = MapCtx::new(
            &mut g,
            self.attrs,
            self.origin,
            self.version,
            inputs,
            self.output_names,
            self.files,
            &mut tracked,
            self.scope,
        );
        rule(&mut case)?;
        let (outs, _) = case.into_all_outputs();
        g.outputs = wanted
            .iter()
            .map(|&k| {
                outs.get(k).copied().flatten().ok_or_else(|| {
                    Error::internal(format!("a case of the node left output {k} unbound"))
                })
            })
            .collect::<Result<_>>()?;
        g.prune();
        Ok(g)
    }

    /// Records that `v` is `DequantizeLinear` of `d.q`.
    pub(crate) fn record_dequantized(&mut self, v: ValueId, d: Dequantized) {
        self.tracked.dequantized.insert(v, d);
    }

    /// Records that `v` is `DequantizeLinear` of the i32 tensor `q`.
    pub(crate) fn record_dequantized_i32(&mut self, v: ValueId, q: ValueId) {
        self.tracked.dequantized_i32.insert(v, q);
    }

    /// The i32 tensor `v` dequantizes, when it is a recorded
    /// `DequantizeLinear` output of one.
    pub(crate) fn dequantized_i32(&self, v: ValueId) -> Option<ValueId> {
        self.tracked.dequantized_i32.get(&v).copied()
    }

    /// What `v` dequantizes, when it is a recorded `DequantizeLinear` output.
    pub(crate) fn dequantized(&self, v: ValueId) -> Option<Dequantized> {
        self.tracked.dequantized.get(&v).cloned()
    }

    /// Records the integer form this node's QDQ group became (see
    /// `Tracked::quantization`).
    pub(crate) fn integer_form(&mut self, what: impl Into<String>) {
        self.tracked.integer_form = Some(what.into());
    }

    /// Records why this node's QDQ group keeps the float op (see
    /// `Tracked::quantization`); the last reason given wins.
    pub(crate) fn stays_float(&mut self, why: impl Into<String>) {
        self.tracked.float_reason = Some(why.into());
    }

    /// A conversion warning about this node (once per text); returns the line.
    pub(crate) fn warn(&mut self, what: &str) -> String {
        let line = format!("{}: {what}", self.origin);
        if !self.tracked.warnings.contains(&line) {
            self.tracked.warnings.push(line.clone());
        }
        line
    }

    /// `value`, guarded by a run-time check that `holds` (a bool scalar) is
    /// true: the program stops with `assumed` (and the node) otherwise. The
    /// assumption is also a conversion warning, so users see it before running.
    pub(crate) fn checked_at_run_time(
        &mut self,
        holds: ValueId,
        value: ValueId,
        assumed: &str,
    ) -> Result<ValueId> {
        let line = self.warn(assumed);
        let holds = self.reshape(holds, vec![])?;
        self.emit1(
            Op::Control(Control::Check {
                message: format!("onnx2linalg: run-time check failed: {line}"),
            }),
            &[holds, value],
        )
    }

    /// Records that this node guessed between two forms (`first` the first
    /// guess) and returns the guess to use: reversed when an earlier attempt
    /// with the first guess did not convert.
    pub(crate) fn guess(&mut self, first: bool) -> bool {
        let tag = self.origin.node.clone();
        let reversed = self.tracked.reversed.contains(&tag);
        self.tracked.guessed.push(tag);
        first != reversed
    }

    /// The contents of an integer vector: constant values, or tracked symbolic ones.
    pub(crate) fn sym_of(&self, v: ValueId) -> Option<Vec<SymEl>> {
        if let Some(t) = self.graph.constant(v) {
            return (t.dtype.is_int() || t.dtype == DType::Bool)
                .then(|| t.to_i64s().into_iter().map(SymEl::Int).collect());
        }
        self.tracked.ints.get(&v).cloned()
    }

    /// Records the symbolic contents of a run-time integer vector; when every
    /// entry is a number, returns a constant to use instead (so chains fold).
    pub(crate) fn set_sym(&mut self, v: ValueId, els: Vec<SymEl>) -> Result<ValueId> {
        let ty = self.graph.ty(v).clone();
        let shapeish = ty.dtype.is_int() || ty.dtype == DType::Bool;
        if self.graph.constant(v).is_some() || !shapeish || ty.rank() > 1 {
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
        self.tracked.ints.insert(v, els);
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
}

/// Whether a run-time axes input is a set (order irrelevant) or a list.
#[derive(Clone, Copy)]
enum AxesOrder {
    Set,
    List,
}

/// Every choice of `count` distinct axes of a rank-`rank` tensor: sorted sets,
/// or every order of them (`ordered`); stops past `MAX_SWITCH_CASES`.
fn axis_choices(rank: usize, count: usize, ordered: bool) -> Vec<Vec<i64>> {
    fn extend(
        rank: usize,
        left: usize,
        ordered: bool,
        set: &mut Vec<i64>,
        out: &mut Vec<Vec<i64>>,
    ) {
        if out.len() > MAX_SWITCH_CASES {
            return;
        }
        if left == 0 {
            out.push(set.clone());
            return;
        }
        let from = if ordered {
            0
        } else {
            set.last().map_or(0, |&a| a as usize + 1)
        };
        for a in from..rank {
            if set.contains(&(a as i64)) {
                continue;
            }
            set.push(a as i64);
            extend(rank, left - 1, ordered, set, out);
            set.pop();
        }
    }
    let mut out = Vec::new();
    extend(rank, count, ordered, &mut Vec::new(), &mut out);
    out
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

/// Rules and the shared compositions (`o2l_canon::compose`) build through
/// the node's context: ops carry its origin, constants are named after it,
/// and reshapes and integer casts keep tracked symbolic contents.
impl Builder for MapCtx<'_> {
    fn graph(&self) -> &Graph {
        self.graph
    }

    fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        self.graph.add_node(op, inputs, self.origin)
    }

    fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        self.graph.charge(t.data.len() as u64, "a constant")?;
        let name = format!("{}:const{}", self.origin.node, self.consts_made);
        self.consts_made += 1;
        self.graph.add_constant(name, t)
    }

    fn reshape(&mut self, x: ValueId, shape: Vec<Dim>) -> Result<ValueId> {
        if self.graph.ty(x).shape == shape {
            return Ok(x);
        }
        // A symbolic dim x lacks is read from another value that has it.
        let x_dims = &self.graph.ty(x).shape;
        let mut operands = vec![x];
        for d in shape
            .iter()
            .filter(|d| d.known().is_none() && !x_dims.contains(d))
        {
            if let Some(w) = self.graph.value_with_dim(d)
                && !operands.contains(&w)
            {
                operands.push(w);
            }
        }
        let y = self.emit1(Op::Movement(Movement::Reshape { shape }), &operands)?;
        // Same elements in the same order: symbolic contents carry over.
        match self.tracked.ints.get(&x).cloned() {
            Some(els) => self.set_sym(y, els),
            None => Ok(y),
        }
    }

    fn cast(&mut self, x: ValueId, to: DType) -> Result<ValueId> {
        if self.graph.ty(x).dtype == to {
            return Ok(x);
        }
        let y = self.emit1(Op::Elementwise(Elementwise::cast(to)), &[x])?;
        match self.tracked.ints.get(&x).cloned() {
            Some(els) if to.is_int() => self.set_sym(y, els),
            _ => Ok(y),
        }
    }
}
