//! What a StableHLO rule sees of one op (its operands, declared result
//! types, attributes, regions, the module's functions) and the row type of
//! the rule tables. Canonical ops are emitted through `o2l_canon::Builder`;
//! this file adds only what is StableHLO's.
use crate::parse::{Attr, Func, Module, Op, Region};
use o2l_canon::ops::Movement;
use o2l_canon::{
    Builder, Dim, Error, Graph, Op as CanonOp, Origin, Result, Tensor, TensorType, ValueId,
};
use std::collections::HashMap;

pub(crate) type MapFn = fn(&mut OpCtx) -> Result<()>;

/// One row of the rule table (the row type every frontend shares).
pub(crate) type Rule = o2l_canon::rules::Rule<MapFn>;
pub(crate) use o2l_canon::rules::rule;

/// How deeply calls and regions may nest while importing.
pub const MAX_NESTING: usize = 64;

/// Values by key (`%0#1`).
pub(crate) type Env = HashMap<String, ValueId>;

/// The walker, as the rules of ops that call functions or carry regions see
/// it: the same op loop (`crate::import`) maps the function, every region
/// and every inlined callee, so no rule walks ops itself.
pub(crate) trait Walker {
    /// Maps `r` into `graph` with its arguments bound to `args`, seeing the
    /// values of `outer`; returns what its terminator yields.
    fn region(
        &self,
        graph: &mut Graph,
        outer: &Env,
        r: &Region,
        args: &[ValueId],
        scope: &Scope,
    ) -> Result<Vec<ValueId>>;

    /// Inlines `f` applied to `args` into `graph`; returns its results.
    fn call(
        &self,
        graph: &mut Graph,
        f: &Func,
        args: &[ValueId],
        scope: &Scope,
    ) -> Result<Vec<ValueId>>;
}

/// What every op's mapping can see beyond its own operands.
pub(crate) struct Scope<'m> {
    pub module: &'m Module,
    pub depth: usize,
    pub walker: &'m dyn Walker,
}

impl Scope<'_> {
    pub fn deeper(&self) -> Result<Scope<'_>> {
        if self.depth >= MAX_NESTING {
            return Err(Error::limit(format!(
                "calls and regions nest deeper than {MAX_NESTING}"
            )));
        }
        Ok(Scope {
            module: self.module,
            depth: self.depth + 1,
            walker: self.walker,
        })
    }

    pub fn func(&self, name: &str) -> Result<&Func> {
        self.module
            .funcs
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::invalid(format!("no function @{name} in the module")))
    }
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

    /// Replaces operand `k` (a CHLO rule aligns its operands, then maps the op
    /// as the StableHLO rule does).
    pub fn set_input(&mut self, k: usize, v: ValueId) -> Result<()> {
        match self.inputs.get_mut(k) {
            Some(slot) => {
                *slot = v;
                Ok(())
            }
            None => Err(Error::invalid(format!("operand {k} is missing"))),
        }
    }

    /// The integers of operand `k`, which must be known at conversion
    /// (the shape, start or size operand of a `dynamic_*` op).
    pub fn const_ints(&self, k: usize, what: &str) -> Result<Vec<i64>> {
        let v = self.input(k)?;
        let t = self.graph.constant(v).ok_or_else(|| {
            Error::unsupported(format!(
                "{what} computed at run time: only constant {what} are supported"
            ))
        })?;
        t.to_f64s()
            .iter()
            .map(|&x| {
                (x.fract() == 0.0 && x.abs() < 9.0e15)
                    .then_some(x as i64)
                    .ok_or_else(|| Error::invalid(format!("{what}: {x} is not an integer")))
            })
            .collect()
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

/// Rules emit canonical ops through the one `Builder` vocabulary.
impl Builder for OpCtx<'_, '_> {
    fn graph(&self) -> &Graph {
        self.graph
    }
    fn emit(&mut self, op: CanonOp, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        self.graph.add_node(op, inputs, self.origin)
    }
    /// Named `{node}/const{n}`.
    fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        let name = format!("{}/const{}", self.origin.node, self.graph.values.len());
        self.graph.add_constant(name, t)
    }
    /// An identity permutation is no op at all.
    fn transpose(&mut self, x: ValueId, perm: &[usize]) -> Result<ValueId> {
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
