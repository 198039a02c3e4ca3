//! Random ops (RandomUniform, RandomNormal, their *Like forms, Bernoulli,
//! Multinomial) and Dropout in training mode, over the counter-based generator
//! of `o2l_canon::compose` (`o2l_canon::random`): SplitMix64 of the seed's key
//! and each element's row-major index, in canonical integer ops. The same seed
//! gives the same values on every run and executor; they are not the values
//! another runtime's generator draws. Without a `seed` attribute the key comes
//! from a fixed default and the node's name.
use super::ctx::{MapCtx, Rule, row};
use crate::attr::AttrValue;
use o2l_canon::Builder;
use o2l_canon::compose::{
    Distribution, bernoulli, key_for, multinomial as multinomial_draws, random_tensor, uniform01,
};
use o2l_canon::ops::{Binary, Compare, Elementwise, Unary};
use o2l_canon::random::{compute_dtype, element_index, float_seed};
use o2l_canon::{DType, Dim, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "RandomUniform",
        &[1, 22],
        GENERATOR,
        random_uniform,
        "draws of a counter-based generator (SplitMix64 of seed and element index), the same on every run and executor but not onnxruntime's values; no seed: a fixed default mixed with the node name; static shapes fold to a constant",
    ),
    row(
        "RandomUniformLike",
        &[1, 22],
        GENERATOR,
        random_uniform_like,
        "as RandomUniform, over the input's (possibly run-time) shape; dtype defaults to the input's",
    ),
    row(
        "RandomNormal",
        &[1, 22],
        NORMAL,
        random_normal,
        "Box-Muller over two streams of the counter-based generator (as RandomUniform); no seed: a fixed default mixed with the node name",
    ),
    row(
        "RandomNormalLike",
        &[1, 22],
        NORMAL,
        random_normal_like,
        "as RandomNormal, over the input's (possibly run-time) shape; dtype defaults to the input's",
    ),
    row(
        "Bernoulli",
        &[15, 22],
        BERNOULLI,
        bernoulli_op,
        "uniform draw < p of the counter-based generator (as RandomUniform); no seed: a fixed default mixed with the node name",
    ),
    row(
        "Multinomial",
        &[7, 22],
        MULTINOMIAL,
        multinomial,
        "per sample, the count of classes whose running softmax sum is <= a uniform draw of the counter-based generator (as RandomUniform); no seed: a fixed default mixed with the node name",
    ),
];

/// What the generator emits when the shape is run-time or too large to fold.
const GENERATOR: &[&str] = &[
    "ShapeOf",
    "ReduceProd",
    "Range",
    "ReshapeTo",
    "Fill",
    "Add",
    "Mul",
    "Xor",
    "And",
    "ShiftRight",
    "Cast",
];
const NORMAL: &[&str] = &[
    "ShapeOf",
    "ReduceProd",
    "Range",
    "ReshapeTo",
    "Fill",
    "Add",
    "Mul",
    "Xor",
    "And",
    "ShiftRight",
    "Cast",
    "Sub",
    "Log",
    "Sqrt",
    "Cos",
];
const BERNOULLI: &[&str] = &[
    "ShapeOf",
    "ReduceProd",
    "Range",
    "ReshapeTo",
    "Fill",
    "Add",
    "Mul",
    "Xor",
    "And",
    "ShiftRight",
    "Cast",
    "Less",
];
const MULTINOMIAL: &[&str] = &[
    "ShapeOf",
    "ReduceProd",
    "Range",
    "ReshapeTo",
    "Fill",
    "Add",
    "Mul",
    "Xor",
    "And",
    "ShiftRight",
    "Cast",
    "Sub",
    "Exp",
    "ReduceMax",
    "ReduceSum",
    "CumSum",
    "Gather",
    "Reshape",
    "LessOrEqual",
    "Min",
];
/// What Dropout in training mode emits (rows in `movement.rs`).
pub(crate) const DROPOUT: &[&str] = &[
    "Fill",
    "BroadcastTo",
    "ShapeOf",
    "ReduceProd",
    "Range",
    "ReshapeTo",
    "Reshape",
    "Add",
    "Mul",
    "Xor",
    "And",
    "ShiftRight",
    "Cast",
    "GreaterOrEqual",
    "Not",
    "Or",
    "Sub",
    "Div",
    "Select",
];

/// The generator key of this node: its `seed` attribute, else the default
/// with the node's name.
/// The seed is a float for the random ops and an int for Dropout.
fn key(ctx: &MapCtx, stream: u64) -> Result<u64> {
    let seed = match ctx.attrs.get("seed")? {
        None => None,
        Some(AttrValue::Int(i)) => Some(i as u64),
        Some(AttrValue::Float(f)) => Some(float_seed(f)),
        Some(other) => {
            return Err(Error::invalid(format!(
                "attribute \"seed\": expected float or int, got {}",
                other.kind()
            )));
        }
    };
    Ok(key_for(seed, &ctx.origin.node, stream))
}

/// The name the node's run-time element counts take.
fn count_name(ctx: &MapCtx) -> String {
    format!("{}_random", ctx.origin.node)
}

/// The `dtype` attribute, or `default`.
fn dtype_attr(ctx: &MapCtx, default: DType) -> Result<DType> {
    match ctx.attrs.int("dtype")? {
        Some(code) => crate::tensor::dtype_of(
            i32::try_from(code).map_err(|_| Error::invalid(format!("bad dtype code {code}")))?,
            "attribute \"dtype\"",
        ),
        None => Ok(default),
    }
}

fn uniform(ctx: &MapCtx) -> Result<Distribution> {
    Ok(Distribution::Uniform {
        low: f64::from(ctx.attrs.float_or("low", 0.0)?),
        high: f64::from(ctx.attrs.float_or("high", 1.0)?),
    })
}

fn normal(ctx: &MapCtx) -> Result<Distribution> {
    Ok(Distribution::Normal {
        mean: f64::from(ctx.attrs.float_or("mean", 0.0)?),
        scale: f64::from(ctx.attrs.float_or("scale", 1.0)?),
    })
}

/// A random op with a `shape` attribute.
fn from_shape(ctx: &mut MapCtx, dist: Distribution) -> Result<()> {
    let shape = ctx.attrs.req_ints("shape")?;
    let dims = super::ctx::to_u64s(&shape, "shape")?;
    let dtype = dtype_attr(ctx, DType::F32)?;
    let shape: Vec<Dim> = dims.into_iter().map(Dim::Known).collect();
    let (key, name) = (key(ctx, 0)?, count_name(ctx));
    let y = random_tensor(ctx, dist, dtype, &shape, None, key, &name)?;
    ctx.bind(0, y)
}

/// A random op shaped like its input.
fn like_input(ctx: &mut MapCtx, dist: Distribution) -> Result<()> {
    let x = ctx.input(0)?;
    let t = ctx.ty(x);
    let dtype = dtype_attr(ctx, t.dtype)?;
    let (key, name) = (key(ctx, 0)?, count_name(ctx));
    let y = random_tensor(ctx, dist, dtype, &t.shape, Some(x), key, &name)?;
    ctx.bind(0, y)
}

fn random_uniform(ctx: &mut MapCtx) -> Result<()> {
    let dist = uniform(ctx)?;
    from_shape(ctx, dist)
}

fn random_uniform_like(ctx: &mut MapCtx) -> Result<()> {
    let dist = uniform(ctx)?;
    like_input(ctx, dist)
}

fn random_normal(ctx: &mut MapCtx) -> Result<()> {
    let dist = normal(ctx)?;
    from_shape(ctx, dist)
}

fn random_normal_like(ctx: &mut MapCtx) -> Result<()> {
    let dist = normal(ctx)?;
    like_input(ctx, dist)
}

fn bernoulli_op(ctx: &mut MapCtx) -> Result<()> {
    let p = ctx.input(0)?;
    let dtype = dtype_attr(ctx, ctx.ty(p).dtype)?;
    let (key, name) = (key(ctx, 0)?, count_name(ctx));
    let hit = bernoulli(ctx, p, key, &name)?;
    let y = ctx.cast(hit, dtype)?;
    ctx.bind(0, y)
}

/// Multinomial: input [batch, classes] of unnormalised log-probabilities;
/// `sample_size` class indices per row (`o2l_canon::random::multinomial`).
fn multinomial(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let samples = u64::try_from(ctx.attrs.int_or("sample_size", 1)?)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| Error::invalid("Multinomial sample_size must be positive"))?;
    let dtype = dtype_attr(ctx, DType::I32)?;
    if !matches!(dtype, DType::I32 | DType::I64) {
        return Err(Error::invalid(format!(
            "Multinomial dtype must be int32 or int64, got {dtype}"
        )));
    }
    let (key, name) = (key(ctx, 0)?, count_name(ctx));
    let pick = multinomial_draws(ctx, x, samples, key, &name)?;
    let y = ctx.cast(pick, dtype)?;
    ctx.bind(0, y)
}

/// Dropout in training mode (or with a training flag known only at run time):
/// `mask = u >= ratio` (all true when not training), `y = mask ? x * 1/(1 -
/// ratio) : 0` (`x` when not training). `ratio` is the ratio operand or a
/// constant; `training` is the run-time flag (None: training). The mask is
/// bool from Dropout-10 on, of x's type before.
pub(crate) fn training_dropout(
    ctx: &mut MapCtx,
    x: ValueId,
    ratio: ValueId,
    training: Option<ValueId>,
) -> Result<()> {
    let t = ctx.ty(x);
    if !t.dtype.is_float() || t.dtype.is_narrow() {
        return Err(Error::unsupported(format!(
            "Dropout in training mode over {} (f16, bf16, f32 and f64 are)",
            t.dtype
        )));
    }
    for (v, what) in [(Some(ratio), "ratio"), (training, "training_mode")] {
        if let Some(v) = v
            && ctx.ty(v).num_elements()? != Some(1)
        {
            return Err(Error::invalid(format!(
                "Dropout {what} must be one value, got {}",
                ctx.ty(v)
            )));
        }
    }
    let compute = compute_dtype(t.dtype);
    let (key, name) = (key(ctx, 0)?, count_name(ctx));
    let index = element_index(ctx, &t.shape, Some(x), &name)?;
    let u = uniform01(ctx, index, key, compute)?;
    let ratio = ctx.reshape_to(ratio, &[])?;
    let r = ctx.cast(ratio, compute)?;
    let mut keep = ctx.compare(Compare::GreaterOrEqual, u, r)?;
    let one = ctx.scalar(t.dtype, 1.0)?;
    let rx = ctx.cast(ratio, t.dtype)?;
    let mut denom = ctx.binary(Binary::Sub, one, rx)?;
    if let Some(flag) = training {
        let flag = ctx.reshape_to(flag, &[])?;
        let flag = ctx.cast(flag, DType::Bool)?;
        let idle = ctx.unary(Unary::Not, flag)?;
        keep = ctx.binary(Binary::Or, keep, idle)?;
        denom = ctx.emit1(Op::Elementwise(Elementwise::Select), &[flag, denom, one])?;
    }
    let scale = ctx.binary(Binary::Div, one, denom)?;
    let scaled = ctx.binary(Binary::Mul, x, scale)?;
    let zero = ctx.scalar(t.dtype, 0.0)?;
    let y = ctx.emit1(Op::Elementwise(Elementwise::Select), &[keep, scaled, zero])?;
    ctx.bind(0, y)?;
    if ctx.output_wanted(1) {
        let mask = if ctx.version >= 10 {
            keep
        } else {
            ctx.cast(keep, t.dtype)?
        };
        ctx.bind(1, mask)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;
    use o2l_canon::{DType, Dim};

    #[test]
    fn random_uniform_folds_to_seeded_draws_of_its_dtype() {
        let model = |seed: Option<f32>| {
            let mut attrs = vec![
                a_ints("shape", &[3, 4]),
                a_int("dtype", 11),
                a_float("low", 2.0),
                a_float("high", 5.0),
            ];
            if let Some(s) = seed {
                attrs.push(a_float("seed", s));
            }
            M::new(22)
                .node(with_attrs(node("RandomUniform", "r", &[], &["y"]), attrs))
                .output("y")
                .import()
                .unwrap()
        };
        let g = model(Some(7.0));
        let y = g.constant(g.outputs[0]).expect("a static shape folds");
        assert_eq!((y.dtype, y.dims.clone()), (DType::F64, vec![3, 4]));
        let v = y.to_f64s();
        assert!(v.iter().all(|&x| (2.0..5.0).contains(&x)), "{v:?}");
        let again = model(Some(7.0));
        assert_eq!(again.constant(again.outputs[0]).unwrap().to_f64s(), v);
        let other = model(Some(8.0));
        assert_ne!(other.constant(other.outputs[0]).unwrap().to_f64s(), v);
        let unseeded = model(None);
        assert_ne!(unseeded.constant(unseeded.outputs[0]).unwrap().to_f64s(), v);
    }

    #[test]
    fn like_forms_take_the_input_shape_even_at_run_time() {
        let g = M::new(22)
            .input(vi("x", 10, &[D::S("n"), D::N(4)]))
            .node(node("RandomNormalLike", "r", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        let out = g.ty(g.outputs[0]);
        assert_eq!(out.dtype, DType::F16);
        assert_eq!(out.shape, vec![Dim::Symbol("n".into()), Dim::Known(4)]);
        let names = op_names(&g);
        assert!(
            names.contains(&"Range") && names.contains(&"Cos"),
            "{names:?}"
        );
        // The dtype attribute wins over the input's.
        let g = M::new(22)
            .input(f32_in("x", &[2, 3]))
            .node(with_attrs(
                node("RandomUniformLike", "r", &["x"], &["y"]),
                vec![a_int("dtype", 11)],
            ))
            .output("y")
            .import()
            .unwrap();
        let y = g.constant(g.outputs[0]).expect("a static shape folds");
        assert_eq!((y.dtype, y.dims.clone()), (DType::F64, vec![2, 3]));
    }

    #[test]
    fn bernoulli_and_multinomial_give_their_dtypes() {
        let g = M::new(22)
            .input(f32_in("p", &[10]))
            .node(with_attrs(
                node("Bernoulli", "b", &["p"], &["y"]),
                vec![a_int("dtype", 7)],
            ))
            .output("y")
            .import()
            .unwrap();
        let out = g.ty(g.outputs[0]);
        assert_eq!((out.dtype, out.known_dims()), (DType::I64, Some(vec![10])));
        // p's extreme values decide: 0 never, 1 always.
        let g = M::new(22)
            .init(t_f32("p", &[4], &[0.0, 1.0, 0.0, 1.0]))
            .node(node("Bernoulli", "b", &["p"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(
            g.constant(g.outputs[0]).unwrap().to_f64s(),
            vec![0.0, 1.0, 0.0, 1.0]
        );
        let g = M::new(22)
            .input(f32_in("x", &[2, 5]))
            .node(with_attrs(
                node("Multinomial", "m", &["x"], &["y"]),
                vec![a_int("sample_size", 3)],
            ))
            .output("y")
            .import()
            .unwrap();
        let out = g.ty(g.outputs[0]);
        assert_eq!(
            (out.dtype, out.known_dims()),
            (DType::I32, Some(vec![2, 3]))
        );
    }
}
