//! `ai.onnx.ml` ops with a tensor meaning, and what the ml family files share
//! (post transforms, class labels, attribute forms). String-keyed ops and
//! string labels have none: string tensors have no linalg representation.
//! Trees are in `ml_tree.rs`, linear models and SVMs in `ml_linear.rs`.
use super::ctx::{MapCtx, Rule, versioned};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Movement, Norm, Reduce, ReduceKind, Unary};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

/// A row of the `ai.onnx.ml` domain implementing the given versions.
pub(crate) const fn ml_row(
    op_type: &'static str,
    since: &'static [i64],
    produces: &'static [&'static str],
    map: super::ctx::MapFn,
    note: &'static str,
) -> Rule {
    versioned("ai.onnx.ml", op_type, since, produces, map, note)
}

const fn ml(
    op_type: &'static str,
    produces: &'static [&'static str],
    map: super::ctx::MapFn,
    note: &'static str,
) -> Rule {
    ml_row(op_type, &[1], produces, map, note)
}

pub(crate) static RULES: &[Rule] = &[
    ml(
        "Binarizer",
        &["Greater", "Select"],
        binarizer,
        "x > threshold ? 1 : 0, in x's type",
    ),
    ml(
        "ArrayFeatureExtractor",
        &["Reshape", "Gather"],
        array_feature_extractor,
        "Gather along the last axis with the flattened indices; 1-D data gives one row",
    ),
    ml(
        "Scaler",
        &["Cast", "Sub", "Mul"],
        scaler,
        "(x - offset) * scale per feature (or one value for all), in f32",
    ),
    ml(
        "Normalizer",
        &[
            "Cast",
            "ReduceMax",
            "ReduceSum",
            "Abs",
            "Mul",
            "Sqrt",
            "Equal",
            "Div",
            "Select",
        ],
        normalizer,
        "rows divided by their MAX (plain maximum, as onnxruntime), L1 or L2 norm; a zero norm leaves the row",
    ),
    ml(
        "Imputer",
        &["Equal", "IsNaN", "Select"],
        imputer,
        "x equal to replaced_value_float (NaN matches NaN) or, for integer input, replaced_value_int64 becomes the imputed value",
    ),
    ml(
        "OneHotEncoder",
        &["Cast", "Reshape", "Equal"],
        one_hot_encoder,
        "cats_int64s only: (..., C) f32 of x == category; a value outside the categories gives a zero row (onnxruntime rejects it when zeros=0)",
    ),
    ml(
        "LabelEncoder",
        &[],
        label_encoder_v1,
        "refused: version 1 maps strings to integers (classes_strings)",
    ),
    ml_row(
        "LabelEncoder",
        &[2, 4],
        &[
            "Reshape",
            "Equal",
            "Cast",
            "ArgMax",
            "ReduceMax",
            "Greater",
            "Gather",
            "Select",
        ],
        label_encoder,
        "numeric keys and values (int64/float attributes; v4 also keys_tensor/values_tensor/default_tensor): the first matching key's value, else the default",
    ),
    ml(
        "FeatureVectorizer",
        &["Cast", "Reshape", "Concat", "Gather", "And", "Add"],
        feature_vectorizer,
        "inputs as (N, d) f32 columns, concatenated; an input wider than its inputdimensions is cut, a narrower one padded with zeros",
    ),
    ml(
        "ZipMap",
        &[],
        zip_map,
        "its result, a sequence of maps, has no tensor form: the output is the (N, C) probability tensor it wraps, column j for the j-th class label, with a warning naming the labels",
    ),
];

fn binarizer(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let threshold = ctx.attrs.float_or("threshold", 0.0)? as f64;
    let t = ctx.scalar(dtype, threshold)?;
    let above = ctx.emit1(
        Op::Elementwise(Elementwise::Compare(Compare::Greater)),
        &[x, t],
    )?;
    let one = ctx.scalar(dtype, 1.0)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let y = ctx.emit1(Op::Elementwise(Elementwise::Select), &[above, one, zero])?;
    ctx.bind(0, y)
}

fn array_feature_extractor(ctx: &mut MapCtx) -> Result<()> {
    let (x, idx) = (ctx.input(0)?, ctx.input(1)?);
    let xt = ctx.ty(x);
    // Indices of run-time extent flatten to a run-time dim.
    let count = super::movement::merged_dim(&ctx.ty(idx).shape)?;
    let Some(axis) = xt.rank().checked_sub(1) else {
        return Err(Error::invalid(
            "ArrayFeatureExtractor data must have rank >= 1",
        ));
    };
    let flat = ctx.reshape(idx, vec![count.clone()])?;
    let y = ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, flat])?;
    let y = if xt.rank() == 1 {
        ctx.reshape(y, vec![Dim::Known(1), count])?
    } else {
        y
    };
    ctx.bind(0, y)
}

/// How scores become the output values (the ml ops' `post_transform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PostTransform {
    None,
    Softmax,
    Logistic,
    SoftmaxZero,
    Probit,
}

impl PostTransform {
    /// The string form of the older ops.
    pub(crate) fn named(name: &str) -> Result<Self> {
        Ok(match name {
            "NONE" => Self::None,
            "SOFTMAX" => Self::Softmax,
            "LOGISTIC" => Self::Logistic,
            "SOFTMAX_ZERO" => Self::SoftmaxZero,
            "PROBIT" => Self::Probit,
            other => {
                return Err(Error::invalid(format!(
                    "attribute \"post_transform\": unknown value {other:?}"
                )));
            }
        })
    }

    /// The numbered form of TreeEnsemble-5 (same order).
    pub(crate) fn numbered(n: i64) -> Result<Self> {
        const ALL: [PostTransform; 5] = [
            PostTransform::None,
            PostTransform::Softmax,
            PostTransform::Logistic,
            PostTransform::SoftmaxZero,
            PostTransform::Probit,
        ];
        usize::try_from(n)
            .ok()
            .and_then(|i| ALL.get(i).copied())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "attribute \"post_transform\": {n} is not one of 0 to 4"
                ))
            })
    }
}

/// The node's string `post_transform` (default NONE).
pub(crate) fn post_transform_attr(ctx: &MapCtx) -> Result<PostTransform> {
    PostTransform::named(&ctx.attrs.string_or("post_transform", "NONE")?)
}

/// Applies `pt` to scores (N, C), along the class axis 1.
pub(crate) fn apply_post_transform(
    ctx: &mut MapCtx,
    scores: ValueId,
    pt: PostTransform,
) -> Result<ValueId> {
    let d = ctx.ty(scores).dtype;
    let row = |kind| {
        Op::Reduce(Reduce {
            kind,
            axes: vec![1],
            keep_dims: true,
        })
    };
    match pt {
        PostTransform::None => Ok(scores),
        PostTransform::Softmax => ctx.emit1(Op::Norm(Norm::Softmax { axis: 1 }), &[scores]),
        PostTransform::Logistic => ctx.unary(Unary::Sigmoid, scores),
        PostTransform::SoftmaxZero => {
            // Softmax over the non-zero scores; zero scores stay zero.
            let max = ctx.emit1(row(ReduceKind::Max), &[scores])?;
            let shifted = ctx.binary(Binary::Sub, scores, max)?;
            let e = ctx.unary(Unary::Exp, shifted)?;
            let size = ctx.unary(Unary::Abs, scores)?;
            let eps = ctx.scalar(d, 1e-7)?;
            let nonzero = ctx.compare(Compare::Greater, size, eps)?;
            let zero = ctx.scalar(d, 0.0)?;
            let kept = ctx.emit1(Op::Elementwise(Elementwise::Select), &[nonzero, e, zero])?;
            let sum = ctx.emit1(row(ReduceKind::Sum), &[kept])?;
            ctx.binary(Binary::Div, kept, sum)
        }
        PostTransform::Probit => probit(ctx, scores),
    }
}

/// sqrt(2) * erfinv(2p - 1), erfinv by the closed-form approximation with
/// a = 0.147 that onnxruntime and the ONNX reference both use.
fn probit(ctx: &mut MapCtx, p: ValueId) -> Result<ValueId> {
    let d = ctx.ty(p).dtype;
    let c = |ctx: &mut MapCtx, v: f64| ctx.scalar(d, v);
    let two = c(ctx, 2.0)?;
    let one = c(ctx, 1.0)?;
    let twice = ctx.binary(Binary::Mul, p, two)?;
    let v = ctx.binary(Binary::Sub, twice, one)?;
    let below = ctx.binary(Binary::Sub, one, v)?;
    let above = ctx.binary(Binary::Add, one, v)?;
    let w = ctx.binary(Binary::Mul, below, above)?;
    let log = ctx.unary(Unary::Log, w)?;
    let half = c(ctx, 0.5)?;
    let half_log = ctx.binary(Binary::Mul, half, log)?;
    let k = c(ctx, 2.0 / (std::f64::consts::PI * 0.147))?;
    let a = ctx.binary(Binary::Add, k, half_log)?;
    let inv = c(ctx, 1.0 / 0.147)?;
    let b = ctx.binary(Binary::Mul, inv, log)?;
    let a2 = ctx.binary(Binary::Mul, a, a)?;
    let disc = ctx.binary(Binary::Sub, a2, b)?;
    let root = ctx.unary(Unary::Sqrt, disc)?;
    let inner = ctx.binary(Binary::Sub, root, a)?;
    let magnitude = ctx.unary(Unary::Sqrt, inner)?;
    let negated = ctx.unary(Unary::Neg, magnitude)?;
    let zero = c(ctx, 0.0)?;
    let negative = ctx.compare(Compare::Less, v, zero)?;
    let erfinv = ctx.emit1(
        Op::Elementwise(Elementwise::Select),
        &[negative, negated, magnitude],
    )?;
    let sqrt2 = c(ctx, std::f64::consts::SQRT_2)?;
    ctx.binary(Binary::Mul, erfinv, sqrt2)
}

/// The integer class labels from `int_name`; string labels (`str_name`) have
/// no tensor form. Without either, the classes are numbered 0..`count`.
pub(crate) fn int_labels(
    ctx: &MapCtx,
    int_name: &str,
    str_name: &str,
    count: usize,
) -> Result<Vec<i64>> {
    if ctx.attrs.strings(str_name)?.is_some_and(|s| !s.is_empty()) {
        return Err(Error::unsupported(format!(
            "attribute \"{str_name}\": string class labels have no tensor form (use {int_name})"
        )));
    }
    Ok(match ctx.attrs.ints(int_name)? {
        Some(labels) if !labels.is_empty() => labels,
        _ => (0..count as i64).collect(),
    })
}

/// labels[argmax(scores, axis 1)] as (N,) int64 (the first maximum wins).
pub(crate) fn label_of_best(ctx: &mut MapCtx, scores: ValueId, labels: &[i64]) -> Result<ValueId> {
    let best = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::ArgMax { last: false },
            axes: vec![1],
            keep_dims: false,
        }),
        &[scores],
    )?;
    pick_labels(ctx, best, labels)
}

/// labels[index] for an int64 index tensor.
pub(crate) fn pick_labels(ctx: &mut MapCtx, index: ValueId, labels: &[i64]) -> Result<ValueId> {
    let table = ctx.i64s(vec![labels.len() as u64], labels)?;
    ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[table, index])
}

/// `cond ? labels[1] : labels[0]` as (N,) int64, for a (N, 1) condition.
pub(crate) fn binary_label(ctx: &mut MapCtx, cond: ValueId, labels: &[i64]) -> Result<ValueId> {
    let [negative, positive] = labels[..] else {
        return Err(Error::invalid(format!(
            "a binary classifier needs 2 class labels, got {}",
            labels.len()
        )));
    };
    let index = ctx.cast(cond, DType::I64)?;
    let batch = ctx.ty(index).shape[0].clone();
    let index = ctx.reshape(index, vec![batch])?;
    pick_labels(ctx, index, &[negative, positive])
}

/// A float list attribute, or its `<name>_as_tensor` form (doubles).
pub(crate) fn floats_or_tensor(ctx: &mut MapCtx, name: &str) -> Result<Option<Vec<f64>>> {
    if let Some(t) = ctx.attrs.tensor(&format!("{name}_as_tensor"))? {
        return Ok(Some(ctx.decode_tensor(t)?.to_f64s()));
    }
    Ok(ctx
        .attrs
        .floats(name)?
        .map(|v| v.into_iter().map(f64::from).collect()))
}

/// A required float list attribute (or its `_as_tensor` form).
pub(crate) fn req_floats(ctx: &mut MapCtx, name: &str) -> Result<Vec<f64>> {
    floats_or_tensor(ctx, name)?
        .ok_or_else(|| Error::invalid(format!("attribute \"{name}\" is required")))
}

/// `x` as f32 (the ml ops compute and answer in f32 whatever they read).
pub(crate) fn as_f32(ctx: &mut MapCtx, x: ValueId) -> Result<ValueId> {
    if ctx.ty(x).dtype == DType::F32 {
        Ok(x)
    } else {
        ctx.cast(x, DType::F32)
    }
}

/// A 2-D input (N, F) with a known F, read as f32; 1-D input is one row.
pub(crate) fn rows_f32(ctx: &mut MapCtx, what: &str) -> Result<(ValueId, u64)> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let x = match xt.shape.len() {
        1 => {
            let f = xt.shape[0].clone();
            ctx.reshape(x, vec![Dim::Known(1), f])?
        }
        2 => x,
        _ => {
            return Err(Error::unsupported(format!(
                "{what} of a rank-{} input {xt}: only (N, F) is supported",
                xt.rank()
            )));
        }
    };
    let Some(features) = ctx.ty(x).shape[1].known() else {
        return Err(Error::unsupported(format!(
            "{what} with a symbolic feature count ({xt})"
        )));
    };
    Ok((as_f32(ctx, x)?, features))
}

/// `values` of one per feature or one for all, as a constant of `dims`.
fn per_feature(
    ctx: &mut MapCtx,
    name: &str,
    values: &[f64],
    features: u64,
    dtype: DType,
) -> Result<ValueId> {
    let dims = match values.len() as u64 {
        1 => vec![1],
        n if n == features => vec![n],
        n => {
            return Err(Error::invalid(format!(
                "attribute \"{name}\" has {n} values for {features} features (expected 1 or {features})"
            )));
        }
    };
    ctx.constant(Tensor::from_f64s(dtype, dims, values)?)
}

fn scaler(ctx: &mut MapCtx) -> Result<()> {
    let (x, features) = rows_f32(ctx, "Scaler")?;
    let offset = floats_or_tensor(ctx, "offset")?.unwrap_or_else(|| vec![0.0]);
    let scale = floats_or_tensor(ctx, "scale")?.unwrap_or_else(|| vec![1.0]);
    let offset = per_feature(ctx, "offset", &offset, features, DType::F32)?;
    let scale = per_feature(ctx, "scale", &scale, features, DType::F32)?;
    let centred = ctx.binary(Binary::Sub, x, offset)?;
    let y = ctx.binary(Binary::Mul, centred, scale)?;
    ctx.bind(0, y)
}

fn normalizer(ctx: &mut MapCtx) -> Result<()> {
    let (x, _) = rows_f32(ctx, "Normalizer")?;
    let norm = ctx.attrs.string_or("norm", "MAX")?;
    let row = |kind| {
        Op::Reduce(Reduce {
            kind,
            axes: vec![1],
            keep_dims: true,
        })
    };
    let size = match norm.as_str() {
        "MAX" => ctx.emit1(row(ReduceKind::Max), &[x])?,
        "L1" => {
            let a = ctx.unary(Unary::Abs, x)?;
            ctx.emit1(row(ReduceKind::Sum), &[a])?
        }
        "L2" => {
            let sq = ctx.binary(Binary::Mul, x, x)?;
            let s = ctx.emit1(row(ReduceKind::Sum), &[sq])?;
            ctx.unary(Unary::Sqrt, s)?
        }
        other => {
            return Err(Error::unsupported(format!(
                "attribute \"norm\": {other:?} (expected MAX, L1 or L2)"
            )));
        }
    };
    let zero = ctx.scalar(DType::F32, 0.0)?;
    let is_zero = ctx.compare(Compare::Equal, size, zero)?;
    let scaled = ctx.binary(Binary::Div, x, size)?;
    let y = ctx.emit1(Op::Elementwise(Elementwise::Select), &[is_zero, x, scaled])?;
    ctx.bind(0, y)
}

fn imputer(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let Some(features) = xt.shape.last().and_then(Dim::known) else {
        return Err(Error::unsupported(format!(
            "Imputer with a symbolic last dim ({xt})"
        )));
    };
    // The float form for float input, the int64 form for integer input.
    let (imputed, replaced) = if xt.dtype.is_float() {
        let imputed = req_floats(ctx, "imputed_value_floats")?;
        let replaced = f64::from(ctx.attrs.float_or("replaced_value_float", 0.0)?);
        (imputed, replaced)
    } else if xt.dtype.is_int() {
        let Some(imputed) = ctx.attrs.ints("imputed_value_int64s")? else {
            return Err(Error::invalid(format!(
                "Imputer of {} input needs imputed_value_int64s",
                xt.dtype
            )));
        };
        let replaced = ctx.attrs.int_or("replaced_value_int64", 0)? as f64;
        (imputed.into_iter().map(|v| v as f64).collect(), replaced)
    } else {
        return Err(Error::unsupported(format!("Imputer of {} input", xt.dtype)));
    };
    let imputed = if xt.dtype.is_float() {
        per_feature(ctx, "imputed_value_floats", &imputed, features, xt.dtype)?
    } else {
        per_feature(ctx, "imputed_value_int64s", &imputed, features, xt.dtype)?
    };
    let hit = if replaced.is_nan() {
        ctx.unary(Unary::IsNaN, x)?
    } else {
        let r = ctx.scalar(xt.dtype, replaced)?;
        ctx.compare(Compare::Equal, x, r)?
    };
    let y = ctx.emit1(Op::Elementwise(Elementwise::Select), &[hit, imputed, x])?;
    ctx.bind(0, y)
}

/// `x` with a trailing dim of 1 (symbolic dims kept).
fn with_trailing_one(ctx: &mut MapCtx, x: ValueId) -> Result<ValueId> {
    let mut shape = ctx.ty(x).shape;
    shape.push(Dim::Known(1));
    ctx.reshape(x, shape)
}

fn one_hot_encoder(ctx: &mut MapCtx) -> Result<()> {
    if ctx
        .attrs
        .strings("cats_strings")?
        .is_some_and(|s| !s.is_empty())
    {
        return Err(Error::unsupported(
            "attribute \"cats_strings\": string categories have no tensor form",
        ));
    }
    let cats = ctx.attrs.ints("cats_int64s")?.unwrap_or_default();
    if cats.is_empty() {
        return Err(Error::invalid("OneHotEncoder needs cats_int64s"));
    }
    let x = ctx.input(0)?;
    let x = if ctx.ty(x).dtype == DType::I64 {
        x
    } else {
        ctx.cast(x, DType::I64)?
    };
    let x = with_trailing_one(ctx, x)?;
    let cats = ctx.i64s(vec![cats.len() as u64], &cats)?;
    let hit = ctx.compare(Compare::Equal, x, cats)?;
    let y = ctx.cast(hit, DType::F32)?;
    ctx.bind(0, y)
}

fn label_encoder_v1(_: &mut MapCtx) -> Result<()> {
    Err(Error::unsupported(
        "LabelEncoder-1 maps strings to integers (attribute \"classes_strings\"); strings have no tensor form",
    ))
}

/// Keys or values of a LabelEncoder: from `<what>_tensor` (v4) or the typed lists.
fn label_encoder_table(ctx: &mut MapCtx, what: &str) -> Result<Tensor> {
    if let Some(t) = ctx.attrs.tensor(&format!("{what}_tensor"))? {
        let t = ctx.decode_tensor(t)?;
        if !(t.dtype.is_float() || t.dtype.is_int()) {
            return Err(Error::unsupported(format!(
                "attribute \"{what}_tensor\" of {}: only numeric keys and values are supported",
                t.dtype
            )));
        }
        return Ok(t);
    }
    if ctx.attrs.strings(&format!("{what}_strings"))?.is_some() {
        return Err(Error::unsupported(format!(
            "attribute \"{what}_strings\": string keys and values have no tensor form"
        )));
    }
    if let Some(v) = ctx.attrs.ints(&format!("{what}_int64s"))? {
        return Tensor::from_i64s(DType::I64, vec![v.len() as u64], &v);
    }
    if let Some(v) = ctx.attrs.floats(&format!("{what}_floats"))? {
        let v: Vec<f64> = v.into_iter().map(f64::from).collect();
        return Tensor::from_f64s(DType::F32, vec![v.len() as u64], &v);
    }
    Err(Error::invalid(format!(
        "LabelEncoder needs {what}_int64s, {what}_floats or {what}_tensor"
    )))
}

fn label_encoder(ctx: &mut MapCtx) -> Result<()> {
    let keys = label_encoder_table(ctx, "keys")?;
    let values = label_encoder_table(ctx, "values")?;
    if keys.dims.len() != 1 || keys.dims != values.dims {
        return Err(Error::invalid(format!(
            "LabelEncoder keys {:?} and values {:?} must be 1-D of one length",
            keys.dims, values.dims
        )));
    }
    let default = match ctx.attrs.tensor("default_tensor")? {
        Some(t) => ctx
            .decode_tensor(t)?
            .to_f64s()
            .first()
            .copied()
            .unwrap_or(0.0),
        None if values.dtype.is_int() => ctx.attrs.int_or("default_int64", -1)? as f64,
        None => f64::from(ctx.attrs.float_or("default_float", -0.0)?),
    };
    let x = ctx.input(0)?;
    let x = if ctx.ty(x).dtype == keys.dtype {
        x
    } else {
        ctx.cast(x, keys.dtype)?
    };
    let value_type = values.dtype;
    let keys = ctx.constant(keys)?;
    let values = ctx.constant(values)?;
    let axis = ctx.ty(x).rank();
    let x = with_trailing_one(ctx, x)?;
    let hits = ctx.compare(Compare::Equal, x, keys)?;
    let hits = ctx.cast(hits, DType::I32)?;
    let over_keys = |kind| {
        Op::Reduce(Reduce {
            kind,
            axes: vec![axis],
            keep_dims: false,
        })
    };
    let first = ctx.emit1(over_keys(ReduceKind::ArgMax { last: false }), &[hits])?;
    let any = ctx.emit1(over_keys(ReduceKind::Max), &[hits])?;
    let zero = ctx.scalar(DType::I32, 0.0)?;
    let found = ctx.compare(Compare::Greater, any, zero)?;
    let mapped = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[values, first])?;
    let default = ctx.scalar(value_type, default)?;
    let y = ctx.emit1(
        Op::Elementwise(Elementwise::Select),
        &[found, mapped, default],
    )?;
    ctx.bind(0, y)
}

fn feature_vectorizer(ctx: &mut MapCtx) -> Result<()> {
    let widths = ctx.attrs.ints("inputdimensions")?.unwrap_or_default();
    if widths.len() != ctx.num_inputs() {
        return Err(Error::invalid(format!(
            "FeatureVectorizer has {} inputs and {} inputdimensions",
            ctx.num_inputs(),
            widths.len()
        )));
    }
    let mut columns = Vec::with_capacity(widths.len());
    for (i, &width) in widths.iter().enumerate() {
        let x = ctx.input(i)?;
        let xt = ctx.ty(x);
        let x = match xt.rank() {
            1 => with_trailing_one(ctx, x)?,
            2 => x,
            r => {
                return Err(Error::unsupported(format!(
                    "FeatureVectorizer input {i} of rank {r} ({xt})"
                )));
            }
        };
        let (Some(got), Ok(width)) = (ctx.ty(x).shape[1].known(), u64::try_from(width)) else {
            return Err(Error::unsupported(format!(
                "attribute \"inputdimensions\": input {i} ({xt}) needs a known column count and {width} >= 0"
            )));
        };
        // Extra columns are dropped, missing ones are zeros (as onnxruntime).
        let x = if got > width {
            let keep: Vec<i64> = (0..width as i64).collect();
            o2l_canon::compose::take(ctx, x, 1, &keep)?
        } else {
            x
        };
        let x = as_f32(ctx, x)?;
        columns.push(x);
        if got < width {
            let zeros = zero_rows(ctx, x, width - got)?;
            columns.push(zeros);
        }
    }
    let y = ctx.emit1(Op::Movement(Movement::Concat { axis: 1 }), &columns)?;
    ctx.bind(0, y)
}

/// Zeros of (N, width) in `x`'s type, N taken from `x`'s rows (through a
/// bool that is false whatever the value, so NaN and inf give zeros too).
pub(crate) fn zero_rows(ctx: &mut MapCtx, x: ValueId, width: u64) -> Result<ValueId> {
    let d = ctx.ty(x).dtype;
    let first = o2l_canon::compose::take(ctx, x, 1, &[0])?;
    let as_bool = ctx.cast(first, DType::Bool)?;
    let no = ctx.constant(Tensor::from_i64s(DType::Bool, vec![], &[0])?)?;
    let never = ctx.binary(Binary::And, as_bool, no)?;
    let column = ctx.cast(never, d)?;
    let row = ctx.filled(d, vec![1, width], 0.0)?;
    ctx.binary(Binary::Add, column, row)
}

/// ZipMap turns each row of class scores into a map from class label to
/// score. A map has no tensor form, so the scores stay the (N, C) tensor
/// they are, and the warning says which column is which label.
fn zip_map(ctx: &mut MapCtx) -> Result<()> {
    let scores = ctx.input(0)?;
    let labels = match (
        ctx.attrs.ints("classlabels_int64s")?,
        ctx.attrs.strings("classlabels_strings")?,
    ) {
        (Some(ints), None) => ints.iter().map(i64::to_string).collect::<Vec<_>>(),
        (None, Some(strings)) => strings.iter().map(|s| format!("\"{s}\"")).collect(),
        _ => {
            return Err(Error::invalid(
                "ZipMap needs exactly one of classlabels_int64s and classlabels_strings",
            ));
        }
    };
    if let Some(&Dim::Known(c)) = ctx.ty(scores).shape.last()
        && c != labels.len() as u64
    {
        return Err(Error::invalid(format!(
            "ZipMap has {} class labels for {c} score columns",
            labels.len()
        )));
    }
    let output = ctx.output_name(0).to_string();
    ctx.warn(&format!(
        "output \"{output}\" is the {} score tensor, not a sequence of maps (maps have no tensor form); its columns are the class labels {}",
        ctx.ty(scores),
        labels.join(", ")
    ));
    ctx.bind(0, scores)
}

/// The label and two-column scores of a classifier with one score column
/// `s` (N, 1): the label is the second class when s > `threshold`; the
/// columns are `two_columns`'.
pub(crate) fn binary_scores(
    ctx: &mut MapCtx,
    s: ValueId,
    labels: &[i64],
    post: PostTransform,
    probability: bool,
    threshold: f64,
) -> Result<(ValueId, ValueId)> {
    let columns = two_columns(ctx, s, post, probability)?;
    let threshold = ctx.scalar(DType::F32, threshold)?;
    let positive = ctx.compare(Compare::Greater, s, threshold)?;
    let label = binary_label(ctx, positive, labels)?;
    Ok((label, columns))
}

/// Two score columns from one, as onnxruntime writes them: LOGISTIC gives
/// [sigmoid(-s), sigmoid(s)]; any other transform is not applied, giving
/// [1-s, s] when s is a probability, else [-s, s].
pub(crate) fn two_columns(
    ctx: &mut MapCtx,
    s: ValueId,
    post: PostTransform,
    probability: bool,
) -> Result<ValueId> {
    if post == PostTransform::Probit {
        return Err(Error::unsupported(
            "attribute \"post_transform\": PROBIT with one score column (onnxruntime writes a single probability column)",
        ));
    }
    let (first, second) = if post == PostTransform::Logistic {
        let neg = ctx.unary(Unary::Neg, s)?;
        (
            ctx.unary(Unary::Sigmoid, neg)?,
            ctx.unary(Unary::Sigmoid, s)?,
        )
    } else if probability {
        let one = ctx.scalar(DType::F32, 1.0)?;
        (ctx.binary(Binary::Sub, one, s)?, s)
    } else {
        (ctx.unary(Unary::Neg, s)?, s)
    };
    ctx.emit1(Op::Movement(Movement::Concat { axis: 1 }), &[first, second])
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    /// A model of one `ai.onnx.ml` node (ml opset `ml_opset`) over a
    /// (N, features) f32 input `x`, N symbolic.
    fn ml_model(ml_opset: i64, features: i64, mut n: NodeProto) -> M {
        n.domain = Some("ai.onnx.ml".into());
        let outputs: Vec<String> = n.output.clone();
        let mut m = M::new(17)
            .input(vi("x", 1, &[D::S("N"), D::N(features)]))
            .node(n);
        m.model.opset_import.push(OperatorSetIdProto {
            domain: Some("ai.onnx.ml".into()),
            version: Some(ml_opset),
        });
        for o in &outputs {
            m = m.output(o);
        }
        m
    }

    fn a_floats(name: &str, v: &[f32]) -> AttributeProto {
        AttributeProto {
            name: Some(name.into()),
            r#type: Some(AttributeType::Floats as i32),
            floats: v.to_vec(),
            ..Default::default()
        }
    }

    fn a_strs(name: &str, v: &[&str]) -> AttributeProto {
        AttributeProto {
            name: Some(name.into()),
            r#type: Some(AttributeType::Strings as i32),
            strings: v
                .iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect(),
            ..Default::default()
        }
    }

    fn a_tensor(name: &str, t: TensorProto) -> AttributeProto {
        AttributeProto {
            name: Some(name.into()),
            r#type: Some(AttributeType::Tensor as i32),
            t: Some(t),
            ..Default::default()
        }
    }

    fn t_f64(v: &[f64]) -> TensorProto {
        TensorProto {
            dims: vec![v.len() as i64],
            data_type: Some(11),
            double_data: v.to_vec(),
            ..Default::default()
        }
    }

    /// One split on x0 (<= 0.5) and two leaves, voting for `class_ids`.
    fn stump(op: &str, class_ids: &[i64], weights: &[f32], more: Vec<AttributeProto>) -> NodeProto {
        let (outputs, prefix): (&[&str], _) = if op == "TreeEnsembleRegressor" {
            (&["y"], "target")
        } else {
            (&["label", "scores"], "class")
        };
        let mut attrs = vec![
            a_ints("nodes_treeids", &[0, 0, 0]),
            a_ints("nodes_nodeids", &[0, 1, 2]),
            a_ints("nodes_featureids", &[0, 0, 0]),
            a_strs("nodes_modes", &["BRANCH_LEQ", "LEAF", "LEAF"]),
            a_floats("nodes_values", &[0.5, 0.0, 0.0]),
            a_ints("nodes_truenodeids", &[1, 0, 0]),
            a_ints("nodes_falsenodeids", &[2, 0, 0]),
            a_ints(&format!("{prefix}_treeids"), &vec![0; class_ids.len()]),
            a_ints(
                &format!("{prefix}_nodeids"),
                &(0..class_ids.len() as i64)
                    .map(|i| 1 + i % 2)
                    .collect::<Vec<_>>(),
            ),
            a_ints(&format!("{prefix}_ids"), class_ids),
            a_floats(&format!("{prefix}_weights"), weights),
        ];
        attrs.extend(more);
        with_attrs(node(op, "t", &["x"], outputs), attrs)
    }

    /// A two-class stump with one weight column (the binary form).
    fn binary_stump(post: &str) -> NodeProto {
        stump(
            "TreeEnsembleClassifier",
            &[0, 0],
            &[0.5, -0.5],
            vec![
                a_ints("classlabels_int64s", &[0, 1]),
                a_str("post_transform", post),
            ],
        )
    }

    fn refusal(m: M) -> String {
        let e = m.import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        e.to_string()
    }

    #[test]
    fn zipmap_gives_the_score_tensor_and_names_its_labels() {
        let n = with_attrs(
            node("ZipMap", "z", &["x"], &["y"]),
            vec![a_strs("classlabels_strings", &["cat", "dog", "eel"])],
        );
        let got = ml_model(1, 3, n)
            .import_warned(&ImportOptions::default())
            .unwrap();
        let [w] = &got.warnings[..] else {
            panic!("{:?}", got.warnings)
        };
        assert!(
            w.contains("\"y\"") && w.contains("\"cat\", \"dog\", \"eel\""),
            "{w}"
        );
        let y = got.graph.outputs[0];
        assert_eq!(got.graph.ty(y).dtype, DType::F32);
        assert_eq!(got.graph.ty(y).shape[1], Dim::Known(3));
    }

    #[test]
    fn zipmap_labels_must_match_the_score_columns() {
        let n = with_attrs(
            node("ZipMap", "z", &["x"], &["y"]),
            vec![a_ints("classlabels_int64s", &[0, 1])],
        );
        let e = ml_model(1, 3, n).import().unwrap_err();
        assert!(
            e.to_string().contains("2 class labels for 3 score columns"),
            "{e}"
        );
    }

    #[test]
    fn string_class_labels_are_refused_naming_the_attribute() {
        let n = stump(
            "TreeEnsembleClassifier",
            &[0, 1],
            &[1.0, 1.0],
            vec![a_strs("classlabels_strings", &["a", "b"])],
        );
        let e = refusal(ml_model(3, 2, n));
        assert!(e.contains("classlabels_strings"), "{e}");
    }

    #[test]
    fn a_classifier_gives_int64_labels_and_f32_scores_for_a_symbolic_batch() {
        let n = stump(
            "TreeEnsembleClassifier",
            &[0, 1, 2, 0],
            &[0.5, 0.25, 0.125, 1.0],
            vec![
                a_ints("classlabels_int64s", &[7, 8, 9]),
                a_floats("base_values", &[0.1, 0.2, 0.3]),
                a_str("post_transform", "SOFTMAX"),
            ],
        );
        let g = ml_model(1, 2, n).import().unwrap();
        let label = g.value(g.outputs[0]);
        let scores = g.value(g.outputs[1]);
        assert_eq!(label.ty.dtype, DType::I64);
        assert_eq!(label.ty.shape, vec![Dim::Symbol("N".into())]);
        assert_eq!(scores.ty.dtype, DType::F32);
        assert_eq!(scores.ty.shape[1], Dim::Known(3));
        let ops = op_names(&g);
        assert!(
            ops.contains(&"ArgMax") && ops.contains(&"Softmax"),
            "{ops:?}"
        );
    }

    #[test]
    fn each_post_transform_emits_its_ops() {
        for (name, wanted) in [
            ("NONE", None),
            ("SOFTMAX", Some("Softmax")),
            ("LOGISTIC", Some("Sigmoid")),
            ("SOFTMAX_ZERO", Some("Exp")),
            ("PROBIT", Some("Log")),
        ] {
            let n = with_attrs(
                node("LinearRegressor", "r", &["x"], &["y"]),
                vec![
                    a_floats("coefficients", &[1.0, 2.0, 3.0, 4.0]),
                    a_int("targets", 2),
                    a_str("post_transform", name),
                ],
            );
            let g = ml_model(1, 2, n).import().unwrap();
            let ops = op_names(&g);
            match wanted {
                Some(op) => assert!(ops.contains(&op), "{name}: {ops:?}"),
                None => assert!(
                    !ops.iter()
                        .any(|o| ["Softmax", "Sigmoid", "Exp", "Log"].contains(o)),
                    "{name}: {ops:?}"
                ),
            }
        }
    }

    #[test]
    fn an_unknown_post_transform_is_named() {
        let n = with_attrs(
            node("LinearRegressor", "r", &["x"], &["y"]),
            vec![
                a_floats("coefficients", &[1.0, 2.0]),
                a_str("post_transform", "CUBE"),
            ],
        );
        let e = ml_model(1, 2, n).import().unwrap_err();
        assert!(e.to_string().contains("post_transform"), "{e}");
        assert!(e.to_string().contains("CUBE"), "{e}");
    }

    #[test]
    fn probit_with_one_score_column_is_refused() {
        let n = binary_stump("PROBIT");
        let e = refusal(ml_model(1, 2, n));
        assert!(e.contains("PROBIT"), "{e}");
    }

    #[test]
    fn the_binary_tree_form_gives_two_columns() {
        let n = binary_stump("LOGISTIC");
        let g = ml_model(1, 2, n).import().unwrap();
        assert_eq!(g.value(g.outputs[1]).ty.shape[1], Dim::Known(2));
        assert!(op_names(&g).contains(&"Concat"));
    }

    #[test]
    fn the_v3_as_tensor_forms_are_read() {
        let mut n = stump("TreeEnsembleRegressor", &[0, 1], &[1.0, 2.0], vec![]);
        n.attribute
            .retain(|a| !matches!(a.name.as_deref(), Some("nodes_values" | "target_weights")));
        n.attribute.extend([
            a_tensor("nodes_values_as_tensor", t_f64(&[0.5, 0.0, 0.0])),
            a_tensor("target_weights_as_tensor", t_f64(&[1.0, 2.0])),
            a_tensor("base_values_as_tensor", t_f64(&[0.5, 0.25])),
            a_int("n_targets", 2),
            a_str("aggregate_function", "MAX"),
        ]);
        let g = ml_model(3, 2, n).import().unwrap();
        let y = g.value(g.outputs[0]);
        assert_eq!(y.ty.dtype, DType::F32);
        assert_eq!(y.ty.shape[1], Dim::Known(2));
        assert!(op_names(&g).contains(&"ReduceMax"));
    }

    #[test]
    fn a_vote_on_a_split_node_is_refused() {
        let mut n = stump("TreeEnsembleRegressor", &[0], &[1.0], vec![]);
        for a in &mut n.attribute {
            if a.name.as_deref() == Some("target_nodeids") {
                a.ints = vec![0];
            }
        }
        let e = refusal(ml_model(1, 2, n));
        assert!(e.contains("not a LEAF"), "{e}");
    }

    #[test]
    fn tree_ensemble_5_post_transform_is_applied() {
        let n = with_attrs(
            node("TreeEnsemble", "t", &["x"], &["y"]),
            vec![
                a_ints("nodes_featureids", &[0]),
                a_tensor("nodes_splits", t_f32("s", &[1], &[0.5])),
                a_tensor("nodes_modes", {
                    let mut t = t_i64("m", &[0]);
                    t.data_type = Some(2);
                    t.int64_data.clear();
                    t.int32_data = vec![0];
                    t
                }),
                a_ints("nodes_truenodeids", &[0]),
                a_ints("nodes_falsenodeids", &[1]),
                a_ints("nodes_trueleafs", &[1]),
                a_ints("nodes_falseleafs", &[1]),
                a_ints("leaf_targetids", &[0, 0]),
                a_tensor("leaf_weights", t_f32("w", &[2], &[1.0, -1.0])),
                a_ints("tree_roots", &[0]),
                a_int("n_targets", 1),
                a_int("post_transform", 2),
            ],
        );
        let g = ml_model(5, 2, n).import().unwrap();
        assert!(op_names(&g).contains(&"Sigmoid"));
    }

    #[test]
    fn svm_probabilities_and_the_liblinear_form_are_refused_by_name() {
        let base = || {
            vec![
                a_ints("classlabels_ints", &[0, 1]),
                a_floats("support_vectors", &[0.0, 1.0, 1.0, 0.0]),
                a_ints("vectors_per_class", &[1, 1]),
                a_floats("coefficients", &[1.0, -1.0]),
                a_floats("rho", &[0.5]),
                a_str("kernel_type", "RBF"),
                a_floats("kernel_params", &[0.5, 0.0, 3.0]),
            ]
        };
        let svm = |attrs| with_attrs(node("SVMClassifier", "s", &["x"], &["l", "p"]), attrs);
        ml_model(1, 2, svm(base())).import().unwrap();
        let mut with_prob = base();
        with_prob.push(a_floats("prob_a", &[-1.0]));
        with_prob.push(a_floats("prob_b", &[0.1]));
        let e = refusal(ml_model(1, 2, svm(with_prob)));
        assert!(e.contains("prob_a"), "{e}");
        let mut linear = base();
        linear.retain(|a| a.name.as_deref() != Some("vectors_per_class"));
        let e = refusal(ml_model(1, 2, svm(linear)));
        assert!(e.contains("vectors_per_class"), "{e}");
    }

    #[test]
    fn an_unknown_kernel_is_refused_by_name() {
        let n = with_attrs(
            node("SVMRegressor", "s", &["x"], &["y"]),
            vec![
                a_floats("support_vectors", &[0.0, 1.0]),
                a_int("n_supports", 1),
                a_floats("coefficients", &[1.0]),
                a_floats("rho", &[0.5]),
                a_str("kernel_type", "LAPLACE"),
            ],
        );
        let e = refusal(ml_model(1, 2, n));
        assert!(e.contains("kernel_type") && e.contains("LAPLACE"), "{e}");
    }

    #[test]
    fn string_forms_of_the_encoders_are_refused_by_name() {
        let cases = [
            (1, "LabelEncoder", vec![a_strs("classes_strings", &["a"])]),
            (
                2,
                "LabelEncoder",
                vec![
                    a_strs("keys_strings", &["a"]),
                    a_ints("values_int64s", &[1]),
                ],
            ),
            (1, "OneHotEncoder", vec![a_strs("cats_strings", &["a"])]),
            (1, "Normalizer", vec![a_str("norm", "L3")]),
        ];
        for (opset, op, attrs) in cases {
            let attr = attrs[0].name.clone().unwrap();
            let n = with_attrs(node(op, "n", &["x"], &["y"]), attrs);
            let e = refusal(ml_model(opset, 2, n));
            assert!(e.contains(&attr), "{op} {attr}: {e}");
        }
    }

    #[test]
    fn feature_vectorizer_pads_and_cuts_with_a_symbolic_batch() {
        for (width, gathers) in [(3, 1), (1, 1)] {
            let n = with_attrs(
                node("FeatureVectorizer", "f", &["x"], &["y"]),
                vec![a_ints("inputdimensions", &[width])],
            );
            let g = ml_model(1, 2, n).import().unwrap();
            let y = g.value(g.outputs[0]);
            assert_eq!(
                y.ty.shape,
                vec![Dim::Symbol("N".into()), Dim::Known(width as u64)]
            );
            let ops = op_names(&g);
            assert_eq!(
                ops.iter().filter(|&&o| o == "Gather").count(),
                gathers,
                "{ops:?}"
            );
        }
    }

    #[test]
    fn label_encoder_maps_numbers_with_a_default() {
        let n = with_attrs(
            node("LabelEncoder", "l", &["x"], &["y"]),
            vec![
                a_tensor("keys_tensor", t_f32("k", &[2], &[1.0, 2.0])),
                a_tensor("values_tensor", t_i64("v", &[10, 20])),
                a_tensor("default_tensor", t_i64("d", &[-1])),
            ],
        );
        let g = ml_model(4, 3, n).import().unwrap();
        let y = g.value(g.outputs[0]);
        assert_eq!(y.ty.dtype, DType::I64);
        assert_eq!(y.ty.shape[1], Dim::Known(3));
    }
}
