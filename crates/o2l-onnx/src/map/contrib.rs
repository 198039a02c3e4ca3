//! onnxruntime's `com.microsoft` contrib ops that its transformer optimizer
//! writes: the fused activations (Gelu, FastGelu, BiasGelu, QuickGelu),
//! BiasAdd, the skip layer norms, FusedMatMul/FusedGemm/FusedConv. The
//! attention family is in `contrib_attention.rs`. Semantics follow onnxruntime's ContribOperators.md
//! and its CPU kernels; every form they take that is not mapped here is
//! refused by name. The quantized contrib ops live in `contrib_quant.rs`.
use super::conv::conv_op;
use super::ctx::{MapCtx, Rule, versioned};
use super::linear::gemm_value;
use super::norm::rms_norm;
use o2l_canon::Builder;
use o2l_canon::compose::{self, LayerNormSpec};
use o2l_canon::ops::{Binary, Linear, Unary};
use o2l_canon::{DType, Error, Op, Result, ValueId};

const MS: &str = "com.microsoft";

pub(crate) static RULES: &[Rule] = &[
    versioned(
        MS,
        "Gelu",
        &[1],
        &["Mul", "Erf", "Add"],
        gelu,
        "0.5 * x * (1 + erf(x / sqrt(2)))",
    ),
    versioned(
        MS,
        "BiasGelu",
        &[1],
        &["Mul", "Erf", "Add"],
        bias_gelu,
        "Gelu(A + B)",
    ),
    versioned(
        MS,
        "FastGelu",
        &[1],
        &["Mul", "Tanh", "Add"],
        fast_gelu,
        "tanh approximation of Gelu, of X + bias when bias is given",
    ),
    versioned(
        MS,
        "QuickGelu",
        &[1],
        &["Mul", "Sigmoid"],
        quick_gelu,
        "x * sigmoid(alpha * x), alpha default 1.702",
    ),
    versioned(
        MS,
        "BiasAdd",
        &[1],
        &["Add"],
        bias_add,
        "X + bias + skip (no case: onnxruntime has no CPU kernel to compare with)",
    ),
    versioned(
        MS,
        "SkipLayerNormalization",
        &[1],
        &[
            "Add",
            "Cast",
            "ReduceMean",
            "Sub",
            "Mul",
            "Sqrt",
            "BroadcastTo",
            "Div",
        ],
        skip_layer_norm,
        "layer norm of input + skip (+ bias) over the last dim; mean, inv_std_var and the sum as optional outputs",
    ),
    versioned(
        MS,
        "SkipSimplifiedLayerNormalization",
        &[1],
        &["Add", "Cast", "ReduceMean", "Mul", "Sqrt", "Div"],
        skip_simplified_layer_norm,
        "RMS norm of input + skip (+ bias) over the last dim; the sum as optional output 3",
    ),
    versioned(
        MS,
        "FusedMatMul",
        &[1],
        &["Transpose", "MatMul", "Mul"],
        fused_matmul,
        "alpha * op(A) @ op(B), transA/transB swap the last two dims; transBatchA/B refused",
    ),
    versioned(
        MS,
        "FusedGemm",
        &[1],
        &[
            "Transpose",
            "MatMul",
            "Mul",
            "Add",
            "Relu",
            "Tanh",
            "Sigmoid",
            "LeakyRelu",
            "Clamp",
        ],
        fused_gemm,
        "Gemm, then the `activation` (Relu, Tanh, Sigmoid, LeakyRelu, Clip, HardSigmoid)",
    ),
    versioned(
        MS,
        "FusedConv",
        &[1],
        &[
            "Conv",
            "Add",
            "Mul",
            "Relu",
            "Tanh",
            "Sigmoid",
            "LeakyRelu",
            "Clamp",
        ],
        fused_conv,
        "Conv (+ Z), then the `activation` (Relu, Tanh, Sigmoid, LeakyRelu, Clip, HardSigmoid)",
    ),
    // onnxruntime registers it in the default domain, not com.microsoft.
    versioned(
        "ai.onnx",
        "SimplifiedLayerNormalization",
        &[1],
        &["Cast", "Mul", "ReduceMean", "Add", "Sqrt", "Div"],
        simplified_layer_norm,
        "RMS norm over the dims from `axis` in stash_type (onnxruntime's contrib op in the default domain); inv_std_var refused",
    ),
];

pub(crate) fn scaled(ctx: &mut MapCtx, x: ValueId, k: f64) -> Result<ValueId> {
    let s = ctx.scalar(ctx.ty(x).dtype, k)?;
    ctx.binary(Binary::Mul, x, s)
}

fn plus_const(ctx: &mut MapCtx, x: ValueId, k: f64) -> Result<ValueId> {
    let s = ctx.scalar(ctx.ty(x).dtype, k)?;
    ctx.binary(Binary::Add, x, s)
}

/// `x + bias` when the bias is given.
pub(crate) fn with_bias(ctx: &mut MapCtx, x: ValueId, bias: Option<ValueId>) -> Result<ValueId> {
    match bias {
        Some(b) => ctx.binary(Binary::Add, x, b),
        None => Ok(x),
    }
}

/// The exact (erf) Gelu.
fn gelu_of(ctx: &mut MapCtx, x: ValueId) -> Result<ValueId> {
    let inner = scaled(ctx, x, std::f64::consts::FRAC_1_SQRT_2)?;
    let erf = ctx.unary(Unary::Erf, inner)?;
    let one_plus = plus_const(ctx, erf, 1.0)?;
    let half_x = scaled(ctx, x, 0.5)?;
    ctx.binary(Binary::Mul, half_x, one_plus)
}

fn gelu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let y = gelu_of(ctx, x)?;
    ctx.bind(0, y)
}

fn bias_gelu(ctx: &mut MapCtx) -> Result<()> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let x = ctx.binary(Binary::Add, a, b)?;
    let y = gelu_of(ctx, x)?;
    ctx.bind(0, y)
}

fn fast_gelu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let x = with_bias(ctx, x, ctx.opt_input(1))?;
    // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
    let x2 = ctx.binary(Binary::Mul, x, x)?;
    let cubic = scaled(ctx, x2, 0.044715)?;
    let cubic = plus_const(ctx, cubic, 1.0)?;
    let poly = ctx.binary(Binary::Mul, x, cubic)?;
    let inner = scaled(ctx, poly, (2.0 / std::f64::consts::PI).sqrt())?;
    let t = ctx.unary(Unary::Tanh, inner)?;
    let one_plus = plus_const(ctx, t, 1.0)?;
    let half_x = scaled(ctx, x, 0.5)?;
    let y = ctx.binary(Binary::Mul, half_x, one_plus)?;
    ctx.bind(0, y)
}

fn quick_gelu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let alpha = ctx.attrs.float_or("alpha", 1.702)? as f64;
    let ax = scaled(ctx, x, alpha)?;
    let gate = ctx.unary(Unary::Sigmoid, ax)?;
    let y = ctx.binary(Binary::Mul, x, gate)?;
    ctx.bind(0, y)
}

fn bias_add(ctx: &mut MapCtx) -> Result<()> {
    let (x, bias, skip) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let xb = ctx.binary(Binary::Add, x, bias)?;
    let y = ctx.binary(Binary::Add, xb, skip)?;
    ctx.bind(0, y)
}

/// `input + skip (+ bias)`, as both skip norms start; bound as output 3
/// (`input_skip_bias_sum`) when the model uses it.
fn skip_sum(ctx: &mut MapCtx, bias_input: usize) -> Result<ValueId> {
    let (x, skip) = (ctx.input(0)?, ctx.input(1)?);
    let (xt, st) = (ctx.ty(x), ctx.ty(skip));
    if xt.rank() < 2 || st.dtype != xt.dtype {
        return Err(Error::invalid(format!(
            "{} takes an input of rank >= 2 and a skip of its type, got {xt} and {st}",
            ctx.origin.op_type
        )));
    }
    let sum = ctx.binary(Binary::Add, x, skip)?;
    let sum = with_bias(ctx, sum, ctx.opt_input(bias_input))?;
    if ctx.output_wanted(3) {
        ctx.bind(3, sum)?;
    }
    Ok(sum)
}

fn skip_layer_norm(ctx: &mut MapCtx) -> Result<()> {
    let sum = skip_sum(ctx, 4)?;
    let gamma = ctx.input(2)?;
    let rank = ctx.ty(sum).rank();
    let spec = LayerNormSpec {
        axes: vec![rank - 1],
        epsilon: ctx.attrs.float_or("epsilon", 1e-12)? as f64,
        stash: DType::F32,
        inv_std_dev: ctx.output_wanted(2),
    };
    let beta = ctx.opt_input(3);
    let out = compose::layer_norm(ctx, sum, gamma, beta, &spec)?;
    if ctx.output_wanted(1) {
        ctx.bind(1, out.mean)?;
    }
    if let Some(inv) = out.inv_std_dev {
        ctx.bind(2, inv)?;
    }
    ctx.bind(0, out.y)
}

fn skip_simplified_layer_norm(ctx: &mut MapCtx) -> Result<()> {
    for (k, what) in [(1, "mean"), (2, "inv_std_var")] {
        if ctx.output_wanted(k) {
            return Err(Error::unsupported(format!(
                "output {k} ({what}) of SkipSimplifiedLayerNormalization is not supported"
            )));
        }
    }
    let sum = skip_sum(ctx, 3)?;
    let gamma = ctx.input(2)?;
    let rank = ctx.ty(sum).rank();
    let eps = ctx.attrs.float_or("epsilon", 1e-12)? as f64;
    let y = compose::rms_norm(ctx, sum, gamma, vec![rank - 1], eps, DType::F32)?;
    ctx.bind(0, y)
}

fn simplified_layer_norm(ctx: &mut MapCtx) -> Result<()> {
    ctx.only_outputs(1, "inv_std_var")?;
    rms_norm(ctx)
}

/// `x` with its last two dims swapped when attribute `flag` is set (a
/// vector has none to swap).
pub(crate) fn last_two_swapped(ctx: &mut MapCtx, x: ValueId, flag: &str) -> Result<ValueId> {
    let rank = ctx.ty(x).rank();
    if ctx.attrs.int_or(flag, 0)? == 0 || rank < 2 {
        return Ok(x);
    }
    let mut perm: Vec<usize> = (0..rank).collect();
    perm.swap(rank - 2, rank - 1);
    ctx.transpose(x, &perm)
}

fn fused_matmul(ctx: &mut MapCtx) -> Result<()> {
    for flag in ["transBatchA", "transBatchB"] {
        let v = ctx.attrs.int_or(flag, 0)?;
        if v != 0 {
            return Err(Error::unsupported(format!(
                "FusedMatMul attribute \"{flag}\" = {v} is not supported (only 0)"
            )));
        }
    }
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let a = last_two_swapped(ctx, a, "transA")?;
    let b = last_two_swapped(ctx, b, "transB")?;
    let mut y = ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])?;
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    if alpha != 1.0 {
        y = scaled(ctx, y, alpha)?;
    }
    ctx.bind(0, y)
}

/// The defaults of an activation's two parameters: alpha/beta (LeakyRelu,
/// HardSigmoid) or min/max (Clip), as onnxruntime takes them when absent.
fn activation_defaults(name: &str) -> [f64; 2] {
    match name {
        "LeakyRelu" => [0.01, 0.0],
        "HardSigmoid" => [0.2, 0.5],
        "Clip" => [f32::MIN as f64, f32::MAX as f64],
        _ => [0.0, 0.0],
    }
}

/// The fused `activation` of FusedGemm/FusedConv applied to `x`, with its
/// parameters (missing ones take their defaults).
fn activate(ctx: &mut MapCtx, x: ValueId, name: &str, params: &[f64]) -> Result<ValueId> {
    let defaults = activation_defaults(name);
    let p = |i: usize| params.get(i).copied().unwrap_or(defaults[i]);
    match name {
        "Relu" => ctx.unary(Unary::Relu, x),
        "Tanh" => ctx.unary(Unary::Tanh, x),
        "Sigmoid" => ctx.unary(Unary::Sigmoid, x),
        "LeakyRelu" => ctx.unary(Unary::LeakyRelu { alpha: p(0) }, x),
        "Clip" => ctx.unary(
            Unary::Clamp {
                min: p(0),
                max: p(1),
            },
            x,
        ),
        "HardSigmoid" => {
            let ax = scaled(ctx, x, p(0))?;
            let axb = plus_const(ctx, ax, p(1))?;
            ctx.unary(Unary::Clamp { min: 0.0, max: 1.0 }, axb)
        }
        other => Err(Error::unsupported(format!(
            "{} attribute \"activation\" = \"{other}\" is not supported (Relu, Tanh, Sigmoid, LeakyRelu, Clip, HardSigmoid)",
            ctx.origin.op_type
        ))),
    }
}

fn activation_name(ctx: &MapCtx) -> Result<String> {
    ctx.attrs.string("activation")?.ok_or_else(|| {
        Error::invalid(format!(
            "{} needs attribute \"activation\"",
            ctx.origin.op_type
        ))
    })
}

fn fused_gemm(ctx: &mut MapCtx) -> Result<()> {
    let name = activation_name(ctx)?;
    let defaults = activation_defaults(&name);
    let alpha = ctx.attrs.float("activation_alpha")?;
    let beta = ctx.attrs.float("activation_beta")?;
    let params = [
        alpha.map_or(defaults[0], f64::from),
        beta.map_or(defaults[1], f64::from),
    ];
    let y = gemm_value(ctx)?;
    let y = activate(ctx, y, &name, &params)?;
    ctx.bind(0, y)
}

fn fused_conv(ctx: &mut MapCtx) -> Result<()> {
    let name = activation_name(ctx)?;
    let params: Vec<f64> = ctx
        .attrs
        .floats("activation_params")?
        .unwrap_or_default()
        .into_iter()
        .map(f64::from)
        .collect();
    let x = ctx.input(0)?;
    let w = ctx.input(1)?;
    let op = conv_op(ctx, x, w)?;
    let mut inputs = vec![x, w];
    inputs.extend(ctx.opt_input(2));
    let conv = ctx.emit1(op, &inputs)?;
    // Z, when given, is added before the activation.
    let pre = with_bias(ctx, conv, ctx.opt_input(3))?;
    let y = activate(ctx, pre, &name, &params)?;
    ctx.bind(0, y)
}

/// A run-time integer attribute that must be absent or `allowed`.
pub(crate) fn refuse_int(ctx: &MapCtx, name: &str, allowed: i64) -> Result<()> {
    match ctx.attrs.int(name)? {
        Some(v) if v != allowed => Err(Error::unsupported(format!(
            "{} attribute \"{name}\" = {v} is not supported (only {allowed})",
            ctx.origin.op_type
        ))),
        _ => Ok(()),
    }
}

/// `n` elements built at conversion (indices, a mask); a count from a
/// hostile shape is a limit error, not an allocation that aborts.
pub(crate) fn bounded(n: u64, what: &str) -> Result<usize> {
    const MAX: u64 = 1 << 24;
    if n > MAX {
        return Err(Error::limit(format!(
            "{what}: {n} elements built at conversion (at most {MAX})"
        )));
    }
    Ok(n as usize)
}

/// `0..n` as i64 indices, `bounded`.
pub(crate) fn positions(n: u64, what: &str) -> Result<Vec<i64>> {
    Ok((0..bounded(n, what)? as i64).collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::test_models::*;

    /// One com.microsoft node over inputs of (name, ONNX element type, dims).
    pub(crate) fn typed(op: &str, inputs: &[(&str, i32, &[i64])], attrs: Vec<AttributeProto>) -> M {
        let names: Vec<&str> = inputs.iter().map(|i| i.0).collect();
        let mut n = with_attrs(node(op, "n", &names, &["y"]), attrs);
        n.domain = Some("com.microsoft".into());
        let mut m = M::new(17);
        m.model.opset_import.push(OperatorSetIdProto {
            domain: Some("com.microsoft".into()),
            version: Some(1),
        });
        for (name, elem, dims) in inputs.iter().filter(|i| !i.0.is_empty()) {
            let dims: Vec<D> = dims.iter().map(|&d| D::N(d)).collect();
            m = m.input(vi(name, *elem, &dims));
        }
        m.node(n).output("y")
    }

    /// A one-node com.microsoft model over f32 inputs of the given shapes.
    pub(crate) fn contrib(op: &str, inputs: &[(&str, &[i64])], attrs: Vec<AttributeProto>) -> M {
        let f32_inputs: Vec<(&str, i32, &[i64])> =
            inputs.iter().map(|&(name, dims)| (name, 1, dims)).collect();
        typed(op, &f32_inputs, attrs)
    }

    pub(crate) fn refusal(m: M) -> String {
        let e = m.import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        e.to_string()
    }

    #[test]
    fn contrib_gelu_maps_onto_erf() {
        let g = contrib("Gelu", &[("x", &[2, 3])], vec![]).import().unwrap();
        assert!(op_names(&g).contains(&"Erf"), "{:?}", op_names(&g));
        assert_eq!(out_dims(&g, 0), vec![2, 3]);
    }

    #[test]
    fn contrib_fused_gemm_refuses_an_unknown_activation() {
        let m = contrib(
            "FusedGemm",
            &[("a", &[2, 3]), ("b", &[3, 4])],
            vec![a_str("activation", "Softplus")],
        );
        let e = refusal(m);
        assert!(e.contains("\"activation\" = \"Softplus\""), "{e}");
    }

    #[test]
    fn contrib_fused_matmul_refuses_batch_transposes() {
        let m = contrib(
            "FusedMatMul",
            &[("a", &[2, 2, 3]), ("b", &[2, 3, 4])],
            vec![a_int("transBatchA", 1)],
        );
        let e = refusal(m);
        assert!(e.contains("\"transBatchA\" = 1"), "{e}");
    }

    #[test]
    fn contrib_unmapped_op_is_unsupported_by_name() {
        let e = refusal(contrib("Inverse", &[("x", &[2, 2])], vec![]));
        assert!(e.contains("Inverse"), "{e}");
    }
}
