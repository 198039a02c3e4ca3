//! Compositions the frontends share: a meaning that several source op sets
//! have (ONNX ConvTranspose, TOSA transpose_conv2d; layer and RMS
//! normalisation) but that the canonical table builds from other ops is
//! written here once, over the `Builder` (`crate::builder`) each frontend's
//! mapping context implements.
use crate::ops::{Binary, Compare, Conv, Elementwise, Movement, Reduce, ReduceKind, Unary};
use crate::{DType, Dim, Error, Op, Result, Tensor, TensorType, ValueId};

pub use crate::builder::Builder;
/// Random draws (a counter-based generator written with integer ops).
pub use crate::random::{Distribution, bernoulli, key_for, multinomial, random_tensor, uniform01};

/// 1 / x.
pub fn reciprocal(b: &mut impl Builder, x: ValueId) -> Result<ValueId> {
    let one = b.scalar(b.ty(x).dtype, 1.0)?;
    b.emit1(Op::Elementwise(Elementwise::Binary(Binary::Div)), &[one, x])
}

/// 1 / sqrt(x).
pub fn rsqrt(b: &mut impl Builder, x: ValueId) -> Result<ValueId> {
    let s = b.emit1(Op::Elementwise(Elementwise::Unary(Unary::Sqrt)), &[x])?;
    reciprocal(b, s)
}

/// Constant indices `picks` taken along `axis`.
pub fn take(b: &mut impl Builder, x: ValueId, axis: usize, picks: &[i64]) -> Result<ValueId> {
    let idx = b.constant(Tensor::from_i64s(
        crate::DType::I64,
        vec![picks.len() as u64],
        picks,
    )?)?;
    b.emit1(Op::Movement(Movement::Gather { axis }), &[x, idx])
}

/// `t`'s dims with a symbolic batch (dim 0) read as 1; the others must be known.
pub fn batch_as_one(t: &TensorType, what: &str) -> Result<Vec<u64>> {
    t.shape
        .iter()
        .enumerate()
        .map(|(i, d)| match d.known() {
            Some(n) => Ok(n),
            None if i == 0 => Ok(1),
            None => Err(Error::unsupported(format!(
                "{what} needs static dims but the batch, got {t}"
            ))),
        })
        .collect()
}

/// `x` with `count` zeros appended (or prepended) along `axis`.
pub fn zeros_beside(
    b: &mut impl Builder,
    x: ValueId,
    axis: usize,
    count: u64,
    before: bool,
) -> Result<ValueId> {
    if count == 0 {
        return Ok(x);
    }
    let t = b.ty(x);
    let z = match t.known_dims() {
        Some(mut dims) => {
            dims[axis] = count;
            let n = crate::shape::element_count(&dims)? as usize;
            b.constant(Tensor::from_f64s(t.dtype, dims, &vec![0.0; n])?)?
        }
        None => {
            // A symbolic dim (a run-time batch): zeros broadcast to x's run-time
            // shape with `count` along `axis`.
            let rank = t.rank();
            let shape = b.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
            let keep: Vec<i64> = (0..rank).map(|i| i64::from(i != axis)).collect();
            let put: Vec<i64> = (0..rank)
                .map(|i| if i == axis { count as i64 } else { 0 })
                .collect();
            let keep = b.i64s(vec![rank as u64], &keep)?;
            let put = b.i64s(vec![rank as u64], &put)?;
            let shape = b.binary(Binary::Mul, shape, keep)?;
            let shape = b.binary(Binary::Add, shape, put)?;
            let mut dims = t.shape.clone();
            dims[axis] = Dim::Known(count);
            let zero = b.scalar(t.dtype, 0.0)?;
            b.emit1(Op::Movement(Movement::BroadcastTo { dims }), &[zero, shape])?
        }
    };
    let parts = if before { [z, x] } else { [x, z] };
    b.emit1(Op::Movement(Movement::Concat { axis }), &parts)
}

/// Pads `x` along `axis` with zeros, `begin` before and `end` after;
/// negative counts crop instead.
pub fn pad_or_crop(
    b: &mut impl Builder,
    x: ValueId,
    axis: usize,
    begin: i64,
    end: i64,
) -> Result<ValueId> {
    let len = b.ty(x).shape[axis]
        .known()
        .ok_or_else(|| Error::unsupported(format!("padding along a symbolic dim of {}", b.ty(x))))?
        as i64;
    let (cb, ce) = ((-begin).max(0), (-end).max(0));
    let x = if cb > 0 || ce > 0 {
        if cb + ce >= len {
            return Err(Error::invalid(format!(
                "the padding crops {} of {len} positions",
                cb + ce
            )));
        }
        take(b, x, axis, &(cb..len - ce).collect::<Vec<_>>())?
    } else {
        x
    };
    let x = zeros_beside(b, x, axis, begin.max(0) as u64, true)?;
    zeros_beside(b, x, axis, end.max(0) as u64, false)
}

/// A transposed convolution's attributes, resolved.
pub struct Transposed {
    pub groups: u64,
    pub strides: Vec<u64>,
    pub dilations: Vec<u64>,
    /// (begin, end) per spatial dim, cropping the full result (negative: grow it).
    pub pads: Vec<(i64, i64)>,
    pub out_pad: Vec<u64>,
}

/// The transposed convolution of `x` (N, C, D..) with `w` (C, M/g, K..):
/// the same Conv over `x` with `stride - 1` zeros between elements and
/// `dilation * (kernel - 1) - pad` zeros around it (cropping where that is
/// negative), the filter's channel axes swapped per group and its spatial
/// axes reversed.
pub fn conv_transpose(
    b: &mut impl Builder,
    x: ValueId,
    w: ValueId,
    bias: Option<ValueId>,
    p: &Transposed,
) -> Result<ValueId> {
    // The batch may be symbolic (only the other dims' sizes are read).
    let xd = batch_as_one(&b.ty(x), "transposed convolution input")?;
    let wd = b.ty(w).static_dims("transposed convolution filter")?;
    let n = xd.len().saturating_sub(2);
    if xd.len() < 3
        || wd.len() != xd.len()
        || [&p.strides, &p.dilations, &p.out_pad]
            .iter()
            .any(|v| v.len() != n)
        || p.pads.len() != n
    {
        return Err(Error::invalid(format!(
            "a transposed convolution of {xd:?} with filter {wd:?} needs per-dim attributes for {n} spatial dims"
        )));
    }
    let kernel = wd[2..].to_vec();
    let g = p.groups;
    let mut y = x;
    for (i, &k) in kernel.iter().enumerate() {
        let axis = 2 + i;
        let s = p.strides[i];
        if s > 1 {
            let len = xd[axis];
            let mut split = b.ty(y).shape;
            split.insert(axis + 1, Dim::Known(1));
            let col = b.reshape(y, split)?;
            let wide = zeros_beside(b, col, axis + 1, s - 1, false)?;
            let mut merged = b.ty(y).shape;
            merged[axis] = Dim::Known(len * s);
            let flat = b.reshape(wide, merged)?;
            y = take(
                b,
                flat,
                axis,
                &(0..((len - 1) * s + 1) as i64).collect::<Vec<_>>(),
            )?;
        }
        let span = (p.dilations[i] * k.saturating_sub(1)) as i64;
        y = pad_or_crop(
            b,
            y,
            axis,
            span - p.pads[i].0,
            span - p.pads[i].1 + p.out_pad[i] as i64,
        )?;
    }
    // The filter (C, M/g, K..) as (M, C/g, K..) per group, spatially reversed.
    let (c, mg) = (wd[0], wd[1]);
    if g == 0 || c % g != 0 {
        return Err(Error::invalid(format!(
            "{g} groups do not divide the filter's {c} input channels"
        )));
    }
    let known = |v: &[u64]| v.iter().map(|&d| Dim::Known(d)).collect::<Vec<_>>();
    let mut grouped = vec![g, c / g, mg];
    grouped.extend(&kernel);
    let wf = b.reshape(w, known(&grouped))?;
    let mut perm = vec![0, 2, 1];
    perm.extend(3..3 + n);
    let wf = b.emit1(Op::Movement(Movement::Transpose { perm }), &[wf])?;
    let mut swapped = vec![g * mg, c / g];
    swapped.extend(&kernel);
    let mut wf = b.reshape(wf, known(&swapped))?;
    for (i, &k) in kernel.iter().enumerate() {
        wf = take(b, wf, 2 + i, &(0..k as i64).rev().collect::<Vec<_>>())?;
    }
    let op = Op::Conv(Conv {
        strides: vec![1; n],
        dilations: p.dilations.clone(),
        pads: vec![(0, 0); n],
        groups: g,
    });
    let mut operands = vec![y, wf];
    operands.extend(bias);
    b.emit1(op, &operands)
}

/// A standardisation's results: `(x - mean) / std_dev`, the mean and the
/// standard deviation, each reduced dim kept as 1.
pub struct Standardised {
    pub normalised: ValueId,
    pub mean: ValueId,
    pub std_dev: ValueId,
}

/// `(x - mean) / sqrt(var + epsilon)` over `axes`, in x's element type, with
/// the population variance.
pub fn standardise(
    b: &mut impl Builder,
    x: ValueId,
    axes: Vec<usize>,
    epsilon: f64,
) -> Result<Standardised> {
    let dtype = b.ty(x).dtype;
    let mean_op = Op::Reduce(Reduce {
        kind: ReduceKind::Mean,
        axes,
        keep_dims: true,
    });
    let mean = b.emit1(mean_op.clone(), &[x])?;
    let centred = b.binary(Binary::Sub, x, mean)?;
    let squared = b.binary(Binary::Mul, centred, centred)?;
    let var = b.emit1(mean_op, &[squared])?;
    let e = b.scalar(dtype, epsilon)?;
    let var_eps = b.binary(Binary::Add, var, e)?;
    let std_dev = b.unary(Unary::Sqrt, var_eps)?;
    let divisor = spread_to(b, std_dev, centred)?;
    let normalised = b.binary(Binary::Div, centred, divisor)?;
    Ok(Standardised {
        normalised,
        mean,
        std_dev,
    })
}

/// `v` broadcast to the static shape of `like` as a value of its own, or `v`
/// itself when `like`'s shape has run-time dims or is `v`'s already.
///
/// A per-row statistic divided into a whole tensor is then an elementwise op
/// of two full operands rather than one with a broadcasting index map. The
/// values are the same; what changes is where a compiler can put a layout
/// transpose of the result: IREE moves a transpose up through elementwise ops
/// while one operand alone is reordered by it, and fuses it into the op where
/// two are. With the statistic broadcast in the op's map, a channels-last
/// normalisation between channels-first convolutions had its transpose moved
/// up to the centred value (used twice, so no further) and back down into the
/// next convolution, which then read its input across the channels (ConvNeXt's
/// downsampling convolutions: 3x to 4x slower than reading channels-first).
fn spread_to(b: &mut impl Builder, v: ValueId, like: ValueId) -> Result<ValueId> {
    let (vt, lt) = (b.ty(v), b.ty(like));
    let Some(dims) = lt.known_dims() else {
        return Ok(v);
    };
    if vt.shape == lt.shape {
        return Ok(v);
    }
    let values = dims
        .iter()
        .map(|&d| {
            i64::try_from(d).map_err(|_| Error::invalid(format!("dim {d} does not fit in i64")))
        })
        .collect::<Result<Vec<i64>>>()?;
    let shape = b.i64s(vec![dims.len() as u64], &values)?;
    b.emit1(
        Op::Movement(Movement::BroadcastTo {
            dims: lt.shape.clone(),
        }),
        &[v, shape],
    )
}

/// How a layer normalisation runs: over which dims, with which epsilon, and
/// the element type its statistics are computed (and returned) in.
pub struct LayerNormSpec {
    pub axes: Vec<usize>,
    pub epsilon: f64,
    pub stash: DType,
    /// Whether the caller uses the inverse standard deviation (computed only then).
    pub inv_std_dev: bool,
}

/// A layer normalisation's results: `y` in x's element type, the statistics
/// in the stash type with the normalised dims kept as 1.
pub struct LayerNorm {
    pub y: ValueId,
    pub mean: ValueId,
    pub inv_std_dev: Option<ValueId>,
}

/// Layer normalisation as ONNX's LayerNormalization function defines it: x
/// cast to the stash type, standardised over `axes` there, the result cast
/// back to x's type, then `* scale (+ bias)` in x's type.
pub fn layer_norm(
    b: &mut impl Builder,
    x: ValueId,
    scale: ValueId,
    bias: Option<ValueId>,
    spec: &LayerNormSpec,
) -> Result<LayerNorm> {
    let dtype = b.ty(x).dtype;
    let stashed = b.cast(x, spec.stash)?;
    let s = standardise(b, stashed, spec.axes.clone(), spec.epsilon)?;
    let inv_std_dev = if spec.inv_std_dev {
        let one = b.scalar(spec.stash, 1.0)?;
        Some(b.binary(Binary::Div, one, s.std_dev)?)
    } else {
        None
    };
    let normalised = b.cast(s.normalised, dtype)?;
    let scale = b.cast(scale, dtype)?;
    let mut y = b.binary(Binary::Mul, normalised, scale)?;
    if let Some(bias) = bias {
        let bias = b.cast(bias, dtype)?;
        y = b.binary(Binary::Add, y, bias)?;
    }
    Ok(LayerNorm {
        y,
        mean: s.mean,
        inv_std_dev,
    })
}

/// Root-mean-square normalisation: `x / sqrt(mean(x^2 over axes) + epsilon)`
/// computed in `stash`, cast back to x's type, then `* scale` there.
pub fn rms_norm(
    b: &mut impl Builder,
    x: ValueId,
    scale: ValueId,
    axes: Vec<usize>,
    epsilon: f64,
    stash: DType,
) -> Result<ValueId> {
    let dtype = b.ty(x).dtype;
    let xs = b.cast(x, stash)?;
    let squared = b.binary(Binary::Mul, xs, xs)?;
    let mean = b.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Mean,
            axes,
            keep_dims: true,
        }),
        &[squared],
    )?;
    let e = b.scalar(stash, epsilon)?;
    let mean_eps = b.binary(Binary::Add, mean, e)?;
    let rms = b.unary(Unary::Sqrt, mean_eps)?;
    let normalised = b.binary(Binary::Div, xs, rms)?;
    let normalised = b.cast(normalised, dtype)?;
    let scale = b.cast(scale, dtype)?;
    b.binary(Binary::Mul, normalised, scale)
}

/// Softmax one rounded step at a time, as the reference computes it in half
/// precision (a fused softmax rounds once and lands an ulp or two away):
/// `e = exp(x - m)` with `m` the row max (0 for an all -inf row), `e / sum(e)`
/// with a zero sum taken as 1.
pub fn stepwise_softmax(b: &mut impl Builder, x: ValueId, axis: usize) -> Result<ValueId> {
    let dtype = b.ty(x).dtype;
    let reduce = |kind| {
        Op::Reduce(Reduce {
            kind,
            axes: vec![axis],
            keep_dims: true,
        })
    };
    let m = b.emit1(reduce(ReduceKind::Max), &[x])?;
    let ninf = b.scalar(dtype, f64::NEG_INFINITY)?;
    let zero = b.scalar(dtype, 0.0)?;
    let one = b.scalar(dtype, 1.0)?;
    let dead = b.compare(Compare::Equal, m, ninf)?;
    let m = b.emit1(Op::Elementwise(Elementwise::Select), &[dead, zero, m])?;
    let shifted = b.binary(Binary::Sub, x, m)?;
    let e = b.unary(Unary::Exp, shifted)?;
    let sum = b.emit1(reduce(ReduceKind::Sum), &[e])?;
    let empty = b.compare(Compare::Equal, sum, zero)?;
    let sum = b.emit1(Op::Elementwise(Elementwise::Select), &[empty, one, sum])?;
    b.binary(Binary::Div, e, sum)
}

/// A loop or branch condition given as one bool (0-d, or one element of any
/// rank, as TOSA and StableHLO regions yield it) as a 0-d bool in `graph`.
pub fn scalar_condition(
    graph: &mut crate::Graph,
    origin: &crate::Origin,
    c: ValueId,
) -> Result<ValueId> {
    let t = graph.ty(c).clone();
    if t.dtype != crate::DType::Bool
        || t.known_dims()
            .is_none_or(|d| d.iter().product::<u64>() != 1)
    {
        return Err(Error::invalid(format!(
            "a condition must be one i1, got {t}"
        )));
    }
    if t.rank() == 0 {
        return Ok(c);
    }
    let op = Op::Movement(Movement::Reshape { shape: vec![] });
    Ok(graph.add_node(op, &[c], origin)?[0])
}
