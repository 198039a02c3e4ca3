//! The one way every frontend rule emits canonical ops. A rule of any op set
//! (ONNX, TOSA, StableHLO) receives a context that implements `Builder`, and
//! the compositions written once in `compose` (transposed convolution,
//! normalisation, attention) take any `Builder`, so a frontend never writes
//! its own copy of them.
use crate::ops::{Binary, Compare, Elementwise, Movement, Unary};
use crate::{DType, Dim, Error, Graph, Op, Result, Tensor, TensorType, ValueId};

/// What a rule needs to add canonical ops for the node (or op) it maps.
///
/// A context supplies three things: read access to the graph, `emit` (adds an
/// op with the node's origin) and `constant` (adds a constant owned by the
/// node; each source names its constants its own way). Everything else is
/// written here, once.
pub trait Builder {
    /// The graph being built: value types, constants, limits.
    fn graph(&self) -> &Graph;

    /// Adds a canonical op with the node's origin; folded when its result is
    /// computable now.
    fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>>;

    /// Adds a constant owned by the node.
    fn constant(&mut self, t: Tensor) -> Result<ValueId>;

    /// The type of `v`.
    fn ty(&self, v: ValueId) -> TensorType {
        self.graph().ty(v).clone()
    }

    /// The value of `v` when it is known at conversion.
    fn const_of(&self, v: ValueId) -> Option<Tensor> {
        self.graph().constant(v).cloned()
    }

    /// `emit` for ops with one result.
    fn emit1(&mut self, op: Op, inputs: &[ValueId]) -> Result<ValueId> {
        let outs = self.emit(op, inputs)?;
        match outs.as_slice() {
            [v] => Ok(*v),
            _ => Err(Error::internal(format!(
                "expected one result, got {}",
                outs.len()
            ))),
        }
    }

    /// A rank-0 constant of `dtype`.
    fn scalar(&mut self, dtype: DType, v: f64) -> Result<ValueId> {
        let t = if dtype.is_float() {
            Tensor::from_f64s(dtype, vec![], &[v])?
        } else {
            Tensor::from_i64s(dtype, vec![], &[v as i64])?
        };
        self.constant(t)
    }

    /// An i64 constant of `dims`.
    fn i64s(&mut self, dims: Vec<u64>, values: &[i64]) -> Result<ValueId> {
        self.constant(Tensor::from_i64s(DType::I64, dims, values)?)
    }

    /// A constant of `dims` with every element `value`. Its size is checked
    /// against the limits before anything is allocated, so a hostile shape is
    /// a limit error, not an out-of-memory abort.
    fn filled(&mut self, dtype: DType, dims: Vec<u64>, value: f64) -> Result<ValueId> {
        let what = format!("a constant of shape {dims:?}");
        // One element encoded once, then its bytes repeated (narrow types
        // cost an encoding per element otherwise).
        let one = if dtype.is_float() {
            Tensor::from_f64s(dtype, vec![], &[value])?
        } else {
            Tensor::from_i64s(dtype, vec![], &[value as i64])?
        };
        self.fill(&one, dims, &what)
    }

    /// The one-element `value` over `dims`: a constant when it is small enough
    /// to fold, else a run-time `Fill` (nothing is allocated); `what` names
    /// it in a limit error.
    fn fill(&mut self, value: &Tensor, dims: Vec<u64>, what: &str) -> Result<ValueId> {
        let count = crate::shape::element_count(&dims)?;
        if self
            .graph()
            .materialise_fill(count, value.data.len() as u64, what)?
        {
            return self.constant(value.repeated(dims)?);
        }
        let scalar = value.repeated(vec![])?;
        let v = self.constant(scalar)?;
        self.emit1(Op::Movement(Movement::Fill { shape: dims }), &[v])
    }

    /// `x` under a new shape (nothing when it has that shape already).
    fn reshape(&mut self, x: ValueId, shape: Vec<Dim>) -> Result<ValueId> {
        if self.graph().ty(x).shape == shape {
            return Ok(x);
        }
        self.emit1(Op::Movement(Movement::Reshape { shape }), &[x])
    }

    /// `reshape` to static dims.
    fn reshape_to(&mut self, x: ValueId, dims: &[u64]) -> Result<ValueId> {
        self.reshape(x, dims.iter().map(|&d| Dim::Known(d)).collect())
    }

    /// The static dims of `v`; a value of dynamic shape is unsupported.
    fn dims(&self, v: ValueId) -> Result<Vec<u64>> {
        let t = self.graph().ty(v);
        t.known_dims()
            .ok_or_else(|| Error::unsupported(format!("a value of dynamic shape {t}")))
    }

    /// `x` with only `picks` along `axis` (nothing when that is the whole
    /// axis in order).
    fn take(&mut self, x: ValueId, axis: usize, picks: &[i64]) -> Result<ValueId> {
        let len = self.dims(x)?.get(axis).copied().unwrap_or(0);
        if picks.len() as u64 == len && picks.iter().enumerate().all(|(i, &p)| p == i as i64) {
            return Ok(x);
        }
        let idx = self.i64s(vec![picks.len() as u64], picks)?;
        self.emit1(Op::Movement(Movement::Gather { axis }), &[x, idx])
    }

    /// `x` broadcast to `dims` (numpy rules: missing leading dims are 1, and
    /// size-1 dims repeat).
    fn broadcast_to(&mut self, x: ValueId, dims: &[u64]) -> Result<ValueId> {
        let mut have = self.dims(x)?;
        let mut y = x;
        if have.len() < dims.len() {
            let mut padded = vec![1; dims.len() - have.len()];
            padded.extend(&have);
            y = self.reshape_to(y, &padded)?;
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
            // Each repeat is one index of a Gather: a bound before allocating.
            if w > 1 << 24 {
                return Err(Error::limit(format!("a broadcast to a dim of {w}")));
            }
            y = self.take(y, axis, &vec![0; w as usize])?;
        }
        Ok(y)
    }

    /// Output dim `i` is input dim `perm[i]`.
    fn transpose(&mut self, x: ValueId, perm: &[usize]) -> Result<ValueId> {
        self.emit1(
            Op::Movement(Movement::Transpose {
                perm: perm.to_vec(),
            }),
            &[x],
        )
    }

    fn elementwise(&mut self, e: Elementwise, inputs: &[ValueId]) -> Result<ValueId> {
        self.emit1(Op::Elementwise(e), inputs)
    }

    fn unary(&mut self, u: Unary, x: ValueId) -> Result<ValueId> {
        self.elementwise(Elementwise::Unary(u), &[x])
    }

    fn binary(&mut self, b: Binary, x: ValueId, y: ValueId) -> Result<ValueId> {
        self.elementwise(Elementwise::Binary(b), &[x, y])
    }

    fn compare(&mut self, c: Compare, x: ValueId, y: ValueId) -> Result<ValueId> {
        self.elementwise(Elementwise::Compare(c), &[x, y])
    }

    /// `x` converted to `to` with the canonical cast's defaults (nothing when
    /// it has that type already).
    fn cast(&mut self, x: ValueId, to: DType) -> Result<ValueId> {
        if self.graph().ty(x).dtype == to {
            return Ok(x);
        }
        self.elementwise(Elementwise::cast(to), &[x])
    }
}
