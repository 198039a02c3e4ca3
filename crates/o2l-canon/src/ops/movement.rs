//! Data movement: ops that rearrange elements without computing new values.
use super::declare::canonical_ops;
use super::spec::expect_operands;
use crate::shape::element_count;
use crate::{DType, Dim, Error, HostArray, Result, Tensor, TensorType};
use ndarray::{Axis, IxDyn};

/// How a scatter combines an update with the element already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScatterReduction {
    /// The update replaces the element.
    None,
    Add,
    Mul,
    Max,
    Min,
}

/// What the positions a padding adds take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadMode {
    /// The `value` operand.
    Constant,
    /// The nearest edge element.
    Edge,
    /// The mirror image, the edge element not repeated.
    Reflect,
    /// The elements from the other end.
    Wrap,
}

canonical_ops! {
    family: Movement;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Movement {
        /// Same elements in row-major order, new shape (fully resolved: no 0 or -1).
        /// A symbolic result dim is read from `x`, else from a `witnesses`
        /// operand that has it (only their dims are read); at most one other
        /// is the element count divided by the rest.
        Reshape { shape: Vec<Dim> }
            => "same elements in row-major order under a new, fully resolved shape",
            ["x", "witnesses.."], ["shape: [dim]"];
        /// Output dim `i` is input dim `perm[i]`.
        Transpose { perm: Vec<usize> }
            => "permute dims: output dim i is input dim perm[i]",
            ["x"], ["perm: [usize]"];
        /// Join operands along `axis`; the other dims must agree.
        Concat { axis: usize }
            => "join operands along an axis",
            ["xs..."], ["axis: usize"];
        /// `out[a.., i.., b..] = data[a.., idx[i..], b..]` along `axis`; negative
        /// indices count from the end.
        Gather { axis: usize }
            => "take slices along an axis at the given (possibly negative) indices",
            ["data", "indices"], ["axis: usize"];
        /// The operand's shape as a 1-D i64 tensor.
        ShapeOf
            => "the operand's shape as a 1-D i64 tensor",
            ["x"], [];
        /// `out[i..] = data[i.. with i[axis] replaced by idx[i..]]`: the result has
        /// the indices' shape; negative indices count from the end.
        GatherElements { axis: usize }
            => "elementwise take along an axis: the result has the indices' shape",
            ["data", "indices"], ["axis: usize"];
        /// Gathers slices of `data` addressed by the last dim of `indices` (a tuple
        /// of `r` coordinates after the first `batch_dims` dims, which data and
        /// indices share); negative coordinates count from the end.
        GatherND { batch_dims: usize }
            => "take slices addressed by index tuples in the last dim of indices",
            ["data", "indices"], ["batch_dims: usize"];
        /// Keeps the elements on and above (`upper`) or on and below the `k`-th
        /// diagonal of the last two dims; the others become zero. An optional
        /// second operand (a one-element i64 tensor) gives `k` at run time instead.
        Trilu { upper: bool, k: i64 }
            => "zero the elements below (upper) or above (lower) the k-th diagonal of the last two dims",
            ["x", "k?"], ["upper: bool", "k: i64 (when the k operand is absent)"];
        /// `out[.., j (at axis), ..] = values[1]` where `indices[..] == j`
        /// (with `wrap`, negative indices count from the end), `values[0]` elsewhere.
        OneHot { axis: usize, depth: u64, wrap: bool }
            => "values[1] where the (wrapped) index equals the position along a new axis, values[0] elsewhere",
            ["indices", "values"], ["axis: usize", "depth: u64", "wrap: bool"];
        /// A copy of `data` where, for every position of `indices` (and the
        /// same-shaped `updates`), the element at that position with its `axis`
        /// coordinate replaced by the (wrapped) index is combined with the update;
        /// updates apply in row-major order, so duplicates take effect in turn.
        ScatterElements {
            axis: usize,
            reduction: ScatterReduction,
        }
            => "copy of data with elements at (axis-replaced) index positions combined with updates, in order",
            ["data", "indices", "updates"], ["axis: usize", "reduction: none|add|mul|max|min"];
        /// A copy of `data` where each index tuple (last dim of `indices`, wrapped)
        /// addresses a slice combined with the matching slice of `updates`, in order.
        ScatterND { reduction: ScatterReduction }
            => "copy of data with slices addressed by index tuples combined with updates, in order",
            ["data", "indices", "updates"], ["reduction: none|add|mul|max|min"];
        /// A cache update: a copy of `cache` where, along `axis` (not the batch
        /// dim 0), positions `w[b] .. w[b] + n` (modulo the axis length when
        /// `circular`) take the `n` slices of `update`; `w` is the optional
        /// per-batch write index operand (zero when absent).
        TensorScatter { axis: usize, circular: bool }
            => "cache update: slices of update written along an axis from a per-batch write index (optionally circular)",
            ["cache", "update", "write_indices?"], ["axis: usize", "circular: bool"];
        /// Every element of a static `shape` is the rank-0 operand `value`: a
        /// constant too large to fold, made at run time instead of stored.
        Fill { shape: Vec<u64> }
            => "a static shape with every element the rank-0 operand",
            ["value"], ["shape: [u64]"];
        /// `data[s_0 : e_0 : t_0, ..]` along `axes`, with the starts, ends and
        /// steps (1-D i64, one per axis) given at run time and clamped as numpy
        /// and ONNX do (negative starts and ends count from the end); sliced
        /// dim `axes[k]` is the run-time dim named `sizes[k]`.
        SliceAt { axes: Vec<usize>, sizes: Vec<String> }
            => "numpy slicing with run-time starts, ends and steps (clamped); the sliced dims are known at run time",
            ["data", "starts", "ends", "steps"], ["axes: [usize]", "sizes: [dim symbol]"];
        /// `x` padded along `axes` by amounts given at run time (`pads`: 1-D i64,
        /// the begins then the ends, one per axis; negative amounts crop); the
        /// added positions are filled as `mode` says (`value`: 0-d, x's type).
        /// Padded dim `axes[k]` is the run-time dim named `sizes[k]`.
        PadAt { mode: PadMode, axes: Vec<usize>, sizes: Vec<String> }
            => "padding (or cropping) by run-time amounts: constant, edge, reflect or wrap; the padded dims are known at run time",
            ["x", "pads", "value"], ["mode: constant|edge|reflect|wrap", "axes: [usize]", "sizes: [dim symbol]"];
        /// Reshape to the shape held by the run-time operand `shape` (1-D i64, ONNX
        /// rules: an entry 0 copies `x`'s dim unless `allow_zero`, one entry -1 is
        /// inferred); the result's dims are `dims` as the frontend resolved them,
        /// each symbol computed at run time.
        ReshapeTo { dims: Vec<Dim>, allow_zero: bool }
            => "reshape to a shape given at run time (0 copies, -1 is inferred); dims not known at conversion are computed at run time",
            ["x", "shape"], ["dims: [dim]", "allow_zero: bool"];
        /// `x` broadcast (numpy rules) to the shape held by the run-time operand
        /// `shape` (1-D i64); the result's dims are `dims` as the frontend
        /// resolved them, each symbol computed at run time (the shape's entry,
        /// or `x`'s dim where the entry is 1).
        BroadcastTo { dims: Vec<Dim> }
            => "numpy broadcast to a shape given at run time; dims not known at conversion are computed at run time",
            ["x", "shape"], ["dims: [dim]"];
        /// `start, start + delta, ..` while below `limit` (above it for a negative
        /// `delta`): `max(ceil((limit - start) / delta), 0)` elements, a run-time
        /// dim named `count`. Operands are 0-d, of the result's type.
        Range { count: String }
            => "start, start + delta, .. up to limit (exclusive); its length is known at run time",
            ["start", "limit", "delta"], ["count: dim symbol"];
    }
}

/// Constants are folded only up to this many elements, so weights are never copied.
pub const FOLD_MAX_ELEMENTS: u64 = 1 << 16;
/// The largest product of non-zero dims an operand of a fold may have.
const FOLD_MAX_SPAN: u64 = 1 << 32;

impl Movement {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        match self {
            Movement::Reshape { shape } => {
                expect_operands("Reshape", inputs, 1, usize::MAX)?;
                let x = inputs[0];
                if let (Some(a), Some(b)) = (
                    x.known_dims(),
                    shape.iter().map(Dim::known).collect::<Option<Vec<_>>>(),
                ) && element_count(&a)? != element_count(&b)?
                {
                    crate::bail!(
                        InvalidModel,
                        "Reshape of {x} to {:?} changes the element count",
                        b
                    );
                }
                Ok(vec![TensorType::new(x.dtype, shape.clone())])
            }
            Movement::Transpose { perm } => {
                expect_operands("Transpose", inputs, 1, 1)?;
                let x = inputs[0];
                let mut sorted = perm.clone();
                sorted.sort_unstable();
                if sorted != (0..x.rank()).collect::<Vec<_>>() {
                    crate::bail!(
                        InvalidModel,
                        "Transpose perm {perm:?} is not a permutation of {x}'s dims"
                    );
                }
                Ok(vec![TensorType::new(
                    x.dtype,
                    perm.iter().map(|&p| x.shape[p].clone()).collect(),
                )])
            }
            Movement::Concat { axis } => {
                expect_operands("Concat", inputs, 1, usize::MAX)?;
                let first = inputs[0];
                if *axis >= first.rank() {
                    crate::bail!(InvalidModel, "Concat axis {axis} out of range for {first}");
                }
                let mut total: Option<u64> = Some(0);
                for x in inputs {
                    if x.rank() != first.rank() || x.dtype != first.dtype {
                        crate::bail!(
                            InvalidModel,
                            "Concat operands {first} and {x} differ in rank or type"
                        );
                    }
                    for (i, (a, b)) in first.shape.iter().zip(&x.shape).enumerate() {
                        if i != *axis && a.known().is_some() && b.known().is_some() && a != b {
                            crate::bail!(
                                InvalidModel,
                                "Concat operands {first} and {x} differ in dim {i}"
                            );
                        }
                    }
                    total = match (total, x.shape[*axis].known()) {
                        (Some(t), Some(n)) => Some(
                            t.checked_add(n)
                                .ok_or_else(|| Error::limit("Concat size overflows"))?,
                        ),
                        _ => None,
                    };
                }
                let mut shape = first.shape.clone();
                shape[*axis] = match total {
                    Some(t) => Dim::Known(t),
                    // Along a symbolic dim: a run-time dim named by its terms
                    // (`a+b+3`, sorted, so equal sums share a name).
                    None => {
                        let mut terms: Vec<String> = Vec::new();
                        let mut known: u64 = 0;
                        for x in inputs {
                            match &x.shape[*axis] {
                                Dim::Known(n) => known = known.saturating_add(*n),
                                Dim::Symbol(s) => terms.push(s.clone()),
                            }
                        }
                        terms.sort();
                        if known > 0 {
                            terms.push(known.to_string());
                        }
                        Dim::Symbol(terms.join("+"))
                    }
                };
                Ok(vec![TensorType::new(first.dtype, shape)])
            }
            Movement::Gather { axis } => {
                expect_operands("Gather", inputs, 2, 2)?;
                let (data, idx) = (inputs[0], inputs[1]);
                if *axis >= data.rank() {
                    crate::bail!(InvalidModel, "Gather axis {axis} out of range for {data}");
                }
                if !matches!(idx.dtype, DType::I32 | DType::I64) {
                    crate::bail!(InvalidModel, "Gather indices must be i32 or i64, got {idx}");
                }
                let mut shape = data.shape[..*axis].to_vec();
                shape.extend(idx.shape.iter().cloned());
                shape.extend(data.shape[axis + 1..].iter().cloned());
                Ok(vec![TensorType::new(data.dtype, shape)])
            }
            Movement::Fill { shape } => {
                expect_operands("Fill", inputs, 1, 1)?;
                let v = inputs[0];
                if v.rank() != 0 {
                    crate::bail!(InvalidModel, "Fill value {v} is not a scalar");
                }
                element_count(shape)?;
                Ok(vec![TensorType::of_known(v.dtype, shape)])
            }
            Movement::SliceAt { axes, sizes } => {
                expect_operands("SliceAt", inputs, 4, 4)?;
                if sizes.len() != axes.len() {
                    crate::bail!(
                        InvalidModel,
                        "SliceAt names {} sizes for {} axes",
                        sizes.len(),
                        axes.len()
                    );
                }
                let x = inputs[0];
                for (what, t) in ["starts", "ends", "steps"].iter().zip(&inputs[1..]) {
                    if t.dtype != DType::I64 || t.shape != [Dim::Known(axes.len() as u64)] {
                        crate::bail!(
                            InvalidModel,
                            "SliceAt {what} must be i64 of shape [{}], got {t}",
                            axes.len()
                        );
                    }
                }
                let mut shape = x.shape.clone();
                for (&a, size) in axes.iter().zip(sizes) {
                    let Some(d) = shape.get_mut(a) else {
                        crate::bail!(InvalidModel, "SliceAt axis {a} is out of range for {x}");
                    };
                    *d = Dim::Symbol(size.clone());
                }
                Ok(vec![TensorType::new(x.dtype, shape)])
            }
            Movement::PadAt { axes, sizes, .. } => {
                expect_operands("PadAt", inputs, 3, 3)?;
                let (x, pads, value) = (inputs[0], inputs[1], inputs[2]);
                if pads.dtype != DType::I64 || pads.shape != [Dim::Known(2 * axes.len() as u64)] {
                    crate::bail!(
                        InvalidModel,
                        "PadAt pads must be i64 of shape [{}], got {pads}",
                        2 * axes.len()
                    );
                }
                if value.rank() != 0 || value.dtype != x.dtype || sizes.len() != axes.len() {
                    crate::bail!(
                        InvalidModel,
                        "PadAt takes a 0-d value of {x}'s type, got {value}"
                    );
                }
                let mut shape = x.shape.clone();
                for (&a, size) in axes.iter().zip(sizes) {
                    let Some(d) = shape.get_mut(a) else {
                        crate::bail!(InvalidModel, "PadAt axis {a} is out of range for {x}");
                    };
                    *d = Dim::Symbol(size.clone());
                }
                Ok(vec![TensorType::new(x.dtype, shape)])
            }
            Movement::ReshapeTo { dims, .. } => {
                expect_operands("ReshapeTo", inputs, 2, 2)?;
                let (x, shape) = (inputs[0], inputs[1]);
                if shape.dtype != DType::I64 || shape.shape != [Dim::Known(dims.len() as u64)] {
                    crate::bail!(
                        InvalidModel,
                        "ReshapeTo shape must be i64 of shape [{}], got {shape}",
                        dims.len()
                    );
                }
                Ok(vec![TensorType::new(x.dtype, dims.clone())])
            }
            Movement::BroadcastTo { dims } => {
                expect_operands("BroadcastTo", inputs, 2, 2)?;
                let (x, shape) = (inputs[0], inputs[1]);
                if shape.dtype != DType::I64 || shape.shape != [Dim::Known(dims.len() as u64)] {
                    crate::bail!(
                        InvalidModel,
                        "BroadcastTo shape must be i64 of shape [{}], got {shape}",
                        dims.len()
                    );
                }
                if x.rank() > dims.len() {
                    crate::bail!(InvalidModel, "BroadcastTo of {x} to rank {}", dims.len());
                }
                Ok(vec![TensorType::new(x.dtype, dims.clone())])
            }
            Movement::Range { count } => {
                expect_operands("Range", inputs, 3, 3)?;
                let d = inputs[0].dtype;
                if inputs.iter().any(|t| t.rank() != 0 || t.dtype != d) || d == DType::Bool {
                    crate::bail!(
                        InvalidModel,
                        "Range takes three scalars of one numeric type, got {}, {}, {}",
                        inputs[0],
                        inputs[1],
                        inputs[2]
                    );
                }
                Ok(vec![TensorType::new(d, vec![Dim::Symbol(count.clone())])])
            }
            Movement::ShapeOf => {
                expect_operands("ShapeOf", inputs, 1, 1)?;
                Ok(vec![TensorType::of_known(
                    DType::I64,
                    &[inputs[0].rank() as u64],
                )])
            }
            Movement::GatherElements { axis } => {
                expect_operands("GatherElements", inputs, 2, 2)?;
                let (data, idx) = (inputs[0], inputs[1]);
                expect_indices("GatherElements", idx)?;
                if *axis >= data.rank() || idx.rank() != data.rank() {
                    crate::bail!(
                        InvalidModel,
                        "GatherElements: expected indices of the data's rank and axis {axis} within it, got data {data}, indices {idx}"
                    );
                }
                Ok(vec![TensorType::new(data.dtype, idx.shape.clone())])
            }
            Movement::GatherND { batch_dims } => {
                expect_operands("GatherND", inputs, 2, 2)?;
                let (data, idx) = (inputs[0], inputs[1]);
                expect_indices("GatherND", idx)?;
                let b = *batch_dims;
                let Some(Dim::Known(r)) = idx.shape.last() else {
                    crate::bail!(
                        Unsupported,
                        "GatherND: the last dim of indices {idx} must be known"
                    );
                };
                let r = *r as usize;
                if idx.rank() < b + 1 || data.rank() < b + r {
                    crate::bail!(
                        InvalidModel,
                        "GatherND: batch_dims {b} and index tuples of {r} do not fit data {data}, indices {idx}"
                    );
                }
                let mut shape = idx.shape[..idx.rank() - 1].to_vec();
                shape.extend(data.shape[b + r..].iter().cloned());
                Ok(vec![TensorType::new(data.dtype, shape)])
            }
            Movement::Trilu { .. } => {
                expect_operands("Trilu", inputs, 1, 2)?;
                let x = inputs[0];
                if let Some(k) = inputs.get(1)
                    && (k.dtype != DType::I64 || k.num_elements()? != Some(1))
                {
                    crate::bail!(InvalidModel, "Trilu: k must be one i64 value, got {k}");
                }
                if x.rank() < 2 {
                    crate::bail!(InvalidModel, "Trilu: expected rank >= 2, got {x}");
                }
                Ok(vec![x.clone()])
            }
            Movement::ScatterElements { axis, .. } => {
                expect_operands("ScatterElements", inputs, 3, 3)?;
                let (data, idx, upd) = (inputs[0], inputs[1], inputs[2]);
                expect_indices("ScatterElements", idx)?;
                if *axis >= data.rank()
                    || idx.rank() != data.rank()
                    || upd.shape != idx.shape
                    || upd.dtype != data.dtype
                {
                    crate::bail!(
                        InvalidModel,
                        "ScatterElements: expected indices and updates of one shape and the data's rank and type, axis {axis} within it; got data {data}, indices {idx}, updates {upd}"
                    );
                }
                Ok(vec![data.clone()])
            }
            Movement::ScatterND { .. } => {
                expect_operands("ScatterND", inputs, 3, 3)?;
                let (data, idx, upd) = (inputs[0], inputs[1], inputs[2]);
                expect_indices("ScatterND", idx)?;
                let Some(Dim::Known(k)) = idx.shape.last() else {
                    crate::bail!(
                        Unsupported,
                        "ScatterND: the last dim of indices {idx} must be known"
                    );
                };
                let k = *k as usize;
                let mut want = idx.shape[..idx.rank() - 1].to_vec();
                if k <= data.rank() {
                    want.extend(data.shape[k..].iter().cloned());
                }
                if k > data.rank() || upd.shape != want || upd.dtype != data.dtype {
                    crate::bail!(
                        InvalidModel,
                        "ScatterND: expected updates of shape {want:?} and the data's type; got data {data}, indices {idx}, updates {upd}"
                    );
                }
                Ok(vec![data.clone()])
            }
            Movement::TensorScatter { axis, .. } => {
                expect_operands("TensorScatter", inputs, 2, 3)?;
                let (cache, upd) = (inputs[0], inputs[1]);
                let same_but_axis = cache.rank() == upd.rank()
                    && cache
                        .shape
                        .iter()
                        .zip(&upd.shape)
                        .enumerate()
                        .all(|(i, (a, b))| i == *axis || a == b);
                if *axis == 0 || *axis >= cache.rank() || !same_but_axis || cache.dtype != upd.dtype
                {
                    crate::bail!(
                        InvalidModel,
                        "TensorScatter: expected an update shaped like the cache except along axis {axis} (not 0); got cache {cache}, update {upd}"
                    );
                }
                if let Some(w) = inputs.get(2) {
                    expect_indices("TensorScatter", w)?;
                    if w.rank() != 1 {
                        crate::bail!(
                            InvalidModel,
                            "TensorScatter: write_indices must be 1-D, got {w}"
                        );
                    }
                }
                Ok(vec![cache.clone()])
            }
            Movement::OneHot { axis, depth, .. } => {
                expect_operands("OneHot", inputs, 2, 2)?;
                let (idx, values) = (inputs[0], inputs[1]);
                if *axis > idx.rank() || values.shape != [Dim::Known(2)] {
                    crate::bail!(
                        InvalidModel,
                        "OneHot: expected axis {axis} <= rank of {idx} and 2 values, got {values}"
                    );
                }
                if !(idx.dtype.is_float()
                    || idx.dtype.is_signed_int()
                    || idx.dtype.is_unsigned_int())
                {
                    crate::bail!(InvalidModel, "OneHot: indices must be numeric, got {idx}");
                }
                let mut shape = idx.shape.clone();
                shape.insert(*axis, Dim::Known(*depth));
                Ok(vec![TensorType::new(values.dtype, shape)])
            }
        }
    }

    pub fn fold(
        &self,
        types: &[&TensorType],
        consts: &[Option<&Tensor>],
        outputs: &[TensorType],
    ) -> Result<Option<Vec<Tensor>>> {
        if let Movement::Fill { shape } = self {
            // Small fills fold (`add_node` keeps larger ones as ops).
            return match consts[0] {
                Some(v) if element_count(shape)? <= FOLD_MAX_ELEMENTS => {
                    Ok(Some(vec![v.repeated(shape.clone())?]))
                }
                _ => Ok(None),
            };
        }
        if let Movement::ShapeOf = self {
            return match types[0].known_dims() {
                Some(dims) => {
                    let v: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
                    Ok(Some(vec![Tensor::from_i64s(
                        DType::I64,
                        vec![v.len() as u64],
                        &v,
                    )?]))
                }
                None => Ok(None),
            };
        }
        let Some(all) = consts.iter().copied().collect::<Option<Vec<&Tensor>>>() else {
            return Ok(None);
        };
        let out = &outputs[0];
        match out.num_elements()? {
            Some(n) if n <= FOLD_MAX_ELEMENTS => {}
            _ => return Ok(None),
        }
        // ndarray sizes an array by its non-zero dims, so an empty tensor of
        // [0, 2^40, 2^40] still overflows it: such shapes are left unfolded.
        let span = |dims: &[u64]| {
            dims.iter()
                .try_fold(1u64, |acc, &d| acc.checked_mul(d.max(1)))
                .is_some_and(|n| n <= FOLD_MAX_SPAN)
        };
        if !all
            .iter()
            .map(|t| &t.dims[..])
            .chain(out.known_dims().as_deref())
            .all(span)
        {
            return Ok(None);
        }
        let dims: Vec<usize> = out
            .static_dims("folding")?
            .iter()
            .map(|&d| d as usize)
            .collect();
        let arrays = all
            .iter()
            .map(|t| t.to_array())
            .collect::<Result<Vec<_>>>()?;
        let result = match self {
            Movement::Reshape { .. } => map_array(
                &arrays[0],
                |a| {
                    a.to_shape(IxDyn(&dims))
                        .map(|v| v.to_owned())
                        .map_err(shape_err)
                },
                |a| {
                    a.to_shape(IxDyn(&dims))
                        .map(|v| v.to_owned())
                        .map_err(shape_err)
                },
            )?,
            Movement::Transpose { perm } => map_array(
                &arrays[0],
                |a| {
                    Ok(a.clone()
                        .permuted_axes(IxDyn(perm))
                        .as_standard_layout()
                        .to_owned())
                },
                |a| {
                    Ok(a.clone()
                        .permuted_axes(IxDyn(perm))
                        .as_standard_layout()
                        .to_owned())
                },
            )?,
            Movement::Concat { axis } => match &arrays[..] {
                [HostArray::Int(_), ..] => {
                    let views: Vec<_> = arrays
                        .iter()
                        .filter_map(|a| {
                            if let HostArray::Int(a) = a {
                                Some(a.view())
                            } else {
                                None
                            }
                        })
                        .collect();
                    HostArray::Int(ndarray::concatenate(Axis(*axis), &views).map_err(shape_err)?)
                }
                _ => {
                    let views: Vec<_> = arrays
                        .iter()
                        .filter_map(|a| {
                            if let HostArray::Float(a) = a {
                                Some(a.view())
                            } else {
                                None
                            }
                        })
                        .collect();
                    HostArray::Float(ndarray::concatenate(Axis(*axis), &views).map_err(shape_err)?)
                }
            },
            Movement::Gather { axis } => {
                let HostArray::Int(idx) = &arrays[1] else {
                    return Ok(None);
                };
                let len = types[0].static_dims("Gather")?[*axis] as i64;
                let mut flat = Vec::with_capacity(idx.len());
                for &i in idx.iter() {
                    let j = if i < 0 { i + len } else { i };
                    if j < 0 || j >= len {
                        crate::bail!(
                            InvalidModel,
                            "Gather index {i} out of range for dim of size {len}"
                        );
                    }
                    flat.push(j as usize);
                }
                map_array(
                    &arrays[0],
                    |a| {
                        a.select(Axis(*axis), &flat)
                            .to_shape(IxDyn(&dims))
                            .map(|v| v.to_owned())
                            .map_err(shape_err)
                    },
                    |a| {
                        a.select(Axis(*axis), &flat)
                            .to_shape(IxDyn(&dims))
                            .map(|v| v.to_owned())
                            .map_err(shape_err)
                    },
                )?
            }
            Movement::ShapeOf
            | Movement::Fill { .. }
            | Movement::SliceAt { .. }
            | Movement::BroadcastTo { .. }
            | Movement::ReshapeTo { .. }
            | Movement::PadAt { .. }
            | Movement::Range { .. }
            | Movement::GatherElements { .. }
            | Movement::GatherND { .. }
            | Movement::Trilu { .. }
            | Movement::OneHot { .. }
            | Movement::ScatterElements { .. }
            | Movement::ScatterND { .. }
            | Movement::TensorScatter { .. } => return Ok(None),
        };
        Ok(Some(vec![Tensor::from_array(out.dtype, &result)?]))
    }
}

/// Index operands are i32 or i64.
fn expect_indices(name: &str, idx: &TensorType) -> Result<()> {
    if !matches!(idx.dtype, DType::I32 | DType::I64) {
        crate::bail!(
            InvalidModel,
            "{name}: indices must be i32 or i64, got {idx}"
        );
    }
    Ok(())
}

fn shape_err(e: ndarray::ShapeError) -> Error {
    Error::internal(format!("folding: {e}"))
}

/// Applies the same movement to an integer or a float array.
fn map_array(
    a: &HostArray,
    on_int: impl Fn(&ndarray::ArrayD<i64>) -> Result<ndarray::ArrayD<i64>>,
    on_float: impl Fn(&ndarray::ArrayD<f64>) -> Result<ndarray::ArrayD<f64>>,
) -> Result<HostArray> {
    Ok(match a {
        HostArray::Int(a) => HostArray::Int(on_int(a)?),
        HostArray::Float(a) => HostArray::Float(on_float(a)?),
    })
}

#[cfg(test)]
mod tests {
    use crate::ops::movement::*;

    fn fold1(op: &Movement, inputs: &[&Tensor]) -> Tensor {
        let types: Vec<TensorType> = inputs.iter().map(|t| t.ty()).collect();
        let trefs: Vec<&TensorType> = types.iter().collect();
        let out = op.infer(&trefs).unwrap();
        let consts: Vec<Option<&Tensor>> = inputs.iter().map(|t| Some(*t)).collect();
        op.fold(&trefs, &consts, &out).unwrap().unwrap().remove(0)
    }

    #[test]
    fn fill_repeats_a_scalar_and_folds_only_when_small() {
        let v = Tensor::from_f64s(DType::F32, vec![], &[1.5]).unwrap();
        let small = fold1(&Movement::Fill { shape: vec![2, 3] }, &[&v]);
        assert_eq!(small.dims, vec![2, 3]);
        assert_eq!(small.to_f64s(), vec![1.5; 6]);
        let big = Movement::Fill {
            shape: vec![4096, 25088],
        };
        let out = big.infer(&[&v.ty()]).unwrap();
        assert_eq!(out, vec![TensorType::of_known(DType::F32, &[4096, 25088])]);
        assert_eq!(big.fold(&[&v.ty()], &[Some(&v)], &out).unwrap(), None);
        // The value is a scalar; the shape's element count may not overflow.
        let row = TensorType::of_known(DType::F32, &[2]);
        assert!(big.infer(&[&row]).is_err());
        let huge = Movement::Fill {
            shape: vec![1 << 40, 1 << 40],
        };
        assert!(huge.infer(&[&v.ty()]).is_err());
    }

    #[test]
    fn shape_gather_concat_chain_folds() {
        let x = TensorType::of_known(DType::F32, &[2, 3, 4]);
        let shape = Movement::ShapeOf
            .fold(&[&x], &[None], &[])
            .unwrap()
            .unwrap()
            .remove(0);
        assert_eq!(shape.to_i64s(), vec![2, 3, 4]);
        let idx = Tensor::from_i64s(DType::I64, vec![], &[-1]).unwrap();
        let last = fold1(&Movement::Gather { axis: 0 }, &[&shape, &idx]);
        assert_eq!((last.dims.clone(), last.to_i64s()), (vec![], vec![4]));
        let first = fold1(
            &Movement::Gather { axis: 0 },
            &[
                &shape,
                &Tensor::from_i64s(DType::I64, vec![1], &[0]).unwrap(),
            ],
        );
        let joined = fold1(
            &Movement::Concat { axis: 0 },
            &[
                &first,
                &Tensor::from_i64s(DType::I64, vec![1], &[-1]).unwrap(),
            ],
        );
        assert_eq!(joined.to_i64s(), vec![2, -1]);
    }

    #[test]
    fn transpose_folds() {
        let t = Tensor::from_i64s(DType::I32, vec![2, 3], &[1, 2, 3, 4, 5, 6]).unwrap();
        let r = fold1(&Movement::Transpose { perm: vec![1, 0] }, &[&t]);
        assert_eq!(r.dims, vec![3, 2]);
        assert_eq!(r.to_i64s(), vec![1, 4, 2, 5, 3, 6]);
    }

    #[test]
    fn indexing_ops_infer_result_types() {
        let f = |d: &[u64]| TensorType::of_known(DType::F32, d);
        let i = |d: &[u64]| TensorType::of_known(DType::I64, d);
        let ge = Movement::GatherElements { axis: 1 };
        assert_eq!(
            ge.infer(&[&f(&[2, 3]), &i(&[2, 5])]).unwrap()[0],
            f(&[2, 5])
        );
        assert!(ge.infer(&[&f(&[2, 3]), &i(&[5])]).is_err());
        let gnd = Movement::GatherND { batch_dims: 1 };
        assert_eq!(
            gnd.infer(&[&f(&[2, 3, 4]), &i(&[2, 1])]).unwrap()[0],
            f(&[2, 4])
        );
        let snd = Movement::ScatterND {
            reduction: ScatterReduction::Add,
        };
        assert_eq!(
            snd.infer(&[&f(&[4, 3]), &i(&[2, 1]), &f(&[2, 3])]).unwrap()[0],
            f(&[4, 3])
        );
        assert!(snd.infer(&[&f(&[4, 3]), &i(&[2, 1]), &f(&[2, 4])]).is_err());
        let sel = Movement::ScatterElements {
            axis: 0,
            reduction: ScatterReduction::None,
        };
        assert!(sel.infer(&[&f(&[4, 3]), &i(&[2, 3]), &f(&[2, 2])]).is_err());
        let oh = Movement::OneHot {
            axis: 0,
            depth: 5,
            wrap: true,
        };
        assert_eq!(oh.infer(&[&i(&[3]), &f(&[2])]).unwrap()[0], f(&[5, 3]));
        let tr = Movement::Trilu { upper: true, k: 0 };
        assert!(tr.infer(&[&f(&[3])]).is_err());
        assert_eq!(tr.infer(&[&f(&[3, 4]), &i(&[])]).unwrap()[0], f(&[3, 4]));
    }
}
