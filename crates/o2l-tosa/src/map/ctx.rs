//! What a TOSA rule sees of one op (its operands, declared result types,
//! printed attributes and regions) and the row type of the rule tables.
//! Canonical ops are emitted through `o2l_canon::Builder`; this file adds
//! only what is TOSA's.
use o2l_canon::{Builder, Dim, Error, Graph, Op, Origin, Result, Tensor, TensorType, ValueId};
use std::collections::HashMap;

/// An SSA value as the importer tracks it: a tensor of the graph, or a
/// `!tosa.shape` known at conversion.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Tensor(ValueId),
    Shape(Vec<i64>),
}

pub(crate) type MapFn = fn(&mut OpCtx) -> Result<()>;

/// One row of the rule table (the row type every frontend shares).
pub(crate) type Rule = o2l_canon::rules::Rule<MapFn>;
pub(crate) use o2l_canon::rules::rule;

/// Which values a region sees as it is mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Within {
    /// The graph around the op: the values defined before the op.
    Enclosing,
    /// A body graph of its own: the values `Regions::capture` bound there.
    Body,
}

/// The walker, as the rule of a region op sees it: the op's regions are
/// mapped by the same op loop as the function (`crate::import`), so the rule
/// never reads MLIR's structures itself.
pub(crate) trait Regions {
    /// Maps region `k` into `graph` with its arguments bound to `args`,
    /// seeing the values `within` says; returns what it yields.
    fn inline(
        &mut self,
        graph: &mut Graph,
        k: usize,
        args: &[ValueId],
        within: Within,
    ) -> Result<Vec<ValueId>>;

    /// Binds every value the regions read from around the op in the body
    /// scope: constants are copied into `body`, the rest become inputs of
    /// `body`. Returns those outer values, in the order of the new inputs.
    fn capture(&mut self, graph: &Graph, body: &mut Graph) -> Result<Vec<ValueId>>;
}

/// What a rule sees of one op, and how it adds canonical ops.
pub(crate) struct OpCtx<'a> {
    pub graph: &'a mut Graph,
    pub origin: &'a Origin,
    operands: Vec<Operand>,
    result_types: Vec<TensorType>,
    attrs: HashMap<String, String>,
    regions: &'a mut dyn Regions,
    results: Vec<Option<ValueId>>,
}

impl<'a> OpCtx<'a> {
    pub(crate) fn new(
        graph: &'a mut Graph,
        origin: &'a Origin,
        operands: Vec<Operand>,
        result_types: Vec<TensorType>,
        attrs: HashMap<String, String>,
        regions: &'a mut dyn Regions,
    ) -> Self {
        let n = result_types.len();
        OpCtx {
            graph,
            origin,
            operands,
            result_types,
            attrs,
            regions,
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

    pub fn num_results(&self) -> usize {
        self.result_types.len()
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
        crate::printed::ints_of(self.req_attr(name)?)
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
        crate::printed::number_of(self.req_attr(name)?)
    }

    /// Maps region `k` into the graph around the op (see `Regions::inline`).
    pub fn region(&mut self, k: usize, args: &[ValueId]) -> Result<Vec<ValueId>> {
        self.regions.inline(self.graph, k, args, Within::Enclosing)
    }

    /// Maps region `k` into `body`, a graph of its own (see `Regions::inline`).
    pub fn body_region(
        &mut self,
        body: &mut Graph,
        k: usize,
        args: &[ValueId],
    ) -> Result<Vec<ValueId>> {
        self.regions.inline(body, k, args, Within::Body)
    }

    /// See `Regions::capture`.
    pub fn capture_into(&mut self, body: &mut Graph) -> Result<Vec<ValueId>> {
        self.regions.capture(self.graph, body)
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

/// Rules emit canonical ops through the one `Builder` vocabulary.
impl Builder for OpCtx<'_> {
    fn graph(&self) -> &Graph {
        self.graph
    }
    fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        self.graph.add_node(op, inputs, self.origin)
    }
    /// Charged against the limits, and named `{node}/const{n}`.
    fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        self.graph.charge(t.data.len() as u64, "a constant")?;
        let name = format!("{}/const{}", self.origin.node, self.graph.values.len());
        self.graph.add_constant(name, t)
    }
}
