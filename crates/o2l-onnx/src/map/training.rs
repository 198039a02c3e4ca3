//! `ai.onnx.preview.training` optimizer steps (Adagrad, Adam, Momentum): one
//! update of each optimized tensor, written with elementwise canonical ops.
//! Inputs are R (learning rate), T (update count), then per tensor the
//! X's, G's and state tensors in groups; outputs follow the same grouping.
use super::ctx::{MapCtx, Rule, versioned};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Unary};
use o2l_canon::{DType, Error, Op, Result, ValueId};

const fn training(
    op_type: &'static str,
    produces: &'static [&'static str],
    map: super::ctx::MapFn,
    note: &'static str,
) -> Rule {
    versioned(
        "ai.onnx.preview.training",
        op_type,
        &[1],
        produces,
        map,
        note,
    )
}

pub(crate) static RULES: &[Rule] = &[
    training(
        "Adagrad",
        &["Add", "Mul", "Div", "Sub", "Sqrt", "Cast"],
        adagrad,
        "X - R/(1+T*decay) * G' / (sqrt(H + G'^2) + eps), G' = G + norm*X",
    ),
    training(
        "Adam",
        &[
            "Add", "Mul", "Div", "Sub", "Sqrt", "Pow", "Greater", "Select", "Cast",
        ],
        adam,
        "bias-corrected step when T > 0; post-update decay",
    ),
    training(
        "Momentum",
        &["Add", "Mul", "Sub", "Greater", "Select", "Cast"],
        momentum,
        "standard or nesterov; beta is 1 at T = 0",
    ),
];

/// The optimized tensors' count, when the inputs are R, T and `groups` lists.
fn tensor_count(ctx: &MapCtx, groups: usize, op: &str) -> Result<usize> {
    let rest = ctx.num_inputs().saturating_sub(2);
    if rest == 0
        || !rest.is_multiple_of(groups)
        || ctx.num_outputs() != rest / groups * (groups - 1)
    {
        return Err(Error::invalid(format!(
            "{op} takes R, T and {groups} inputs per optimized tensor, with {} outputs each; got {} inputs and {} outputs",
            groups - 1,
            ctx.num_inputs(),
            ctx.num_outputs()
        )));
    }
    Ok(rest / groups)
}

/// A scalar input (R or T) in the optimized tensors' float type.
fn scalar_as(ctx: &mut MapCtx, i: usize, dtype: DType) -> Result<ValueId> {
    let v = ctx.input(i)?;
    ctx.cast(v, dtype)
}

fn un(ctx: &mut MapCtx, u: Unary, x: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[x])
}

/// `c * x` for an attribute constant `c`.
fn times(ctx: &mut MapCtx, c: f64, x: ValueId) -> Result<ValueId> {
    let dtype = ctx.ty(x).dtype;
    let k = ctx.scalar(dtype, c)?;
    ctx.binary(Binary::Mul, k, x)
}

/// `G + norm * X`.
fn regularized(ctx: &mut MapCtx, norm: f64, x: ValueId, g: ValueId) -> Result<ValueId> {
    let nx = times(ctx, norm, x)?;
    ctx.binary(Binary::Add, nx, g)
}

/// `T > 0` as a bool scalar.
fn started(ctx: &mut MapCtx, t: ValueId) -> Result<ValueId> {
    let dtype = ctx.ty(t).dtype;
    let zero = ctx.scalar(dtype, 0.0)?;
    ctx.emit1(
        Op::Elementwise(Elementwise::Compare(Compare::Greater)),
        &[t, zero],
    )
}

fn float_type(ctx: &MapCtx) -> Result<DType> {
    let x = ctx.input(2)?;
    let dtype = ctx.ty(x).dtype;
    if !dtype.is_float() {
        return Err(Error::invalid(format!(
            "optimized tensors must be floating point, got {dtype}"
        )));
    }
    Ok(dtype)
}

fn adagrad(ctx: &mut MapCtx) -> Result<()> {
    let n = tensor_count(ctx, 3, "Adagrad")?;
    let norm = ctx.attrs.float_or("norm_coefficient", 0.0)? as f64;
    let decay = ctx.attrs.float_or("decay_factor", 0.0)? as f64;
    let eps = ctx.attrs.float_or("epsilon", 1e-6)? as f64;
    let dtype = float_type(ctx)?;
    let r = scalar_as(ctx, 0, dtype)?;
    let t = scalar_as(ctx, 1, dtype)?;
    // r = R / (1 + T * decay)
    let td = times(ctx, decay, t)?;
    let one = ctx.scalar(dtype, 1.0)?;
    let denom = ctx.binary(Binary::Add, one, td)?;
    let rate = ctx.binary(Binary::Div, r, denom)?;
    for k in 0..n {
        let (x, g, h) = (
            ctx.input(2 + k)?,
            ctx.input(2 + n + k)?,
            ctx.input(2 + 2 * n + k)?,
        );
        let gr = regularized(ctx, norm, x, g)?;
        let g2 = ctx.binary(Binary::Mul, gr, gr)?;
        let h_new = ctx.binary(Binary::Add, h, g2)?;
        let root = un(ctx, Unary::Sqrt, h_new)?;
        let e = ctx.scalar(dtype, eps)?;
        let adaptive = ctx.binary(Binary::Add, root, e)?;
        let step = ctx.binary(Binary::Mul, rate, gr)?;
        let step = ctx.binary(Binary::Div, step, adaptive)?;
        let x_new = ctx.binary(Binary::Sub, x, step)?;
        ctx.bind(k, x_new)?;
        ctx.bind(n + k, h_new)?;
    }
    Ok(())
}

fn adam(ctx: &mut MapCtx) -> Result<()> {
    let n = tensor_count(ctx, 4, "Adam")?;
    let alpha = ctx.attrs.float_or("alpha", 0.9)? as f64;
    let beta = ctx.attrs.float_or("beta", 0.999)? as f64;
    let eps = ctx.attrs.float_or("epsilon", 1e-6)? as f64;
    let norm = ctx.attrs.float_or("norm_coefficient", 0.0)? as f64;
    let post = ctx.attrs.float_or("norm_coefficient_post", 0.0)? as f64;
    let dtype = float_type(ctx)?;
    let r = scalar_as(ctx, 0, dtype)?;
    let t_raw = ctx.input(1)?;
    let t = scalar_as(ctx, 1, dtype)?;
    // R_adjusted = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R
    let one = ctx.scalar(dtype, 1.0)?;
    let a = ctx.scalar(dtype, alpha)?;
    let b = ctx.scalar(dtype, beta)?;
    let at = ctx.binary(Binary::Pow, a, t)?;
    let bt = ctx.binary(Binary::Pow, b, t)?;
    let one_minus_at = ctx.binary(Binary::Sub, one, at)?;
    let one_minus_bt = ctx.binary(Binary::Sub, one, bt)?;
    let root = un(ctx, Unary::Sqrt, one_minus_bt)?;
    let scaled = ctx.binary(Binary::Mul, r, root)?;
    let corrected = ctx.binary(Binary::Div, scaled, one_minus_at)?;
    let go = started(ctx, t_raw)?;
    let rate = ctx.emit1(Op::Elementwise(Elementwise::Select), &[go, corrected, r])?;
    for k in 0..n {
        let x = ctx.input(2 + k)?;
        let g = ctx.input(2 + n + k)?;
        let v = ctx.input(2 + 2 * n + k)?;
        let h = ctx.input(2 + 3 * n + k)?;
        let gr = regularized(ctx, norm, x, g)?;
        let av = times(ctx, alpha, v)?;
        let ag = times(ctx, 1.0 - alpha, gr)?;
        let v_new = ctx.binary(Binary::Add, av, ag)?;
        let bh = times(ctx, beta, h)?;
        let g2 = ctx.binary(Binary::Mul, gr, gr)?;
        let bg = times(ctx, 1.0 - beta, g2)?;
        let h_new = ctx.binary(Binary::Add, bh, bg)?;
        let sq = un(ctx, Unary::Sqrt, h_new)?;
        let e = ctx.scalar(dtype, eps)?;
        let h_sqrt = ctx.binary(Binary::Add, sq, e)?;
        let step = ctx.binary(Binary::Mul, rate, v_new)?;
        let step = ctx.binary(Binary::Div, step, h_sqrt)?;
        let x_new = ctx.binary(Binary::Sub, x, step)?;
        let x_final = times(ctx, 1.0 - post, x_new)?;
        ctx.bind(k, x_final)?;
        ctx.bind(n + k, v_new)?;
        ctx.bind(2 * n + k, h_new)?;
    }
    Ok(())
}

fn momentum(ctx: &mut MapCtx) -> Result<()> {
    let n = tensor_count(ctx, 3, "Momentum")?;
    let required = |name: &str| -> Result<f64> {
        ctx.attrs
            .float(name)?
            .map(f64::from)
            .ok_or_else(|| Error::invalid(format!("Momentum needs the attribute \"{name}\"")))
    };
    let (alpha, beta, norm) = (
        required("alpha")?,
        required("beta")?,
        required("norm_coefficient")?,
    );
    let mode = ctx
        .attrs
        .string("mode")?
        .ok_or_else(|| Error::invalid("Momentum needs the attribute \"mode\""))?;
    let nesterov = match mode.as_str() {
        "standard" => false,
        "nesterov" => true,
        other => {
            return Err(Error::invalid(format!(
                "Momentum mode must be \"standard\" or \"nesterov\", got \"{other}\""
            )));
        }
    };
    let dtype = float_type(ctx)?;
    let r = scalar_as(ctx, 0, dtype)?;
    let t_raw = ctx.input(1)?;
    let go = started(ctx, t_raw)?;
    let b = ctx.scalar(dtype, beta)?;
    let one = ctx.scalar(dtype, 1.0)?;
    let beta_adjusted = ctx.emit1(Op::Elementwise(Elementwise::Select), &[go, b, one])?;
    for k in 0..n {
        let (x, g, v) = (
            ctx.input(2 + k)?,
            ctx.input(2 + n + k)?,
            ctx.input(2 + 2 * n + k)?,
        );
        let gr = regularized(ctx, norm, x, g)?;
        let av = times(ctx, alpha, v)?;
        let bg = ctx.binary(Binary::Mul, beta_adjusted, gr)?;
        let v_new = ctx.binary(Binary::Add, av, bg)?;
        let direction = if nesterov {
            let av_new = times(ctx, alpha, v_new)?;
            ctx.binary(Binary::Add, gr, av_new)?
        } else {
            v_new
        };
        let step = ctx.binary(Binary::Mul, r, direction)?;
        let x_new = ctx.binary(Binary::Sub, x, step)?;
        ctx.bind(k, x_new)?;
        ctx.bind(n + k, v_new)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    fn scalar_in(name: &str, elem: i32) -> ValueInfoProto {
        vi(name, elem, &[])
    }

    #[test]
    fn momentum_updates_every_tensor_and_rejects_an_unknown_mode() {
        let model = |mode: &str| {
            let mut n = with_attrs(
                node(
                    "Momentum",
                    "m",
                    &["r", "t", "x1", "x2", "g1", "g2", "v1", "v2"],
                    &["x1n", "x2n", "v1n", "v2n"],
                ),
                vec![
                    a_float("alpha", 0.9),
                    a_float("beta", 0.1),
                    a_float("norm_coefficient", 0.0),
                    a_str("mode", mode),
                ],
            );
            n.domain = Some("ai.onnx.preview.training".into());
            let mut m = M::new(17).input(scalar_in("r", 1)).input(scalar_in("t", 7));
            for v in ["x1", "x2", "g1", "g2", "v1", "v2"] {
                m = m.input(f32_in(v, &[3]));
            }
            m.model.opset_import.push(OperatorSetIdProto {
                domain: Some("ai.onnx.preview.training".into()),
                version: Some(1),
            });
            m.node(n)
                .output("x1n")
                .output("x2n")
                .output("v1n")
                .output("v2n")
        };
        let g = model("nesterov").import().unwrap();
        assert_eq!(g.outputs.len(), 4);
        for k in 0..4 {
            assert_eq!(out_dims(&g, k), vec![3]);
        }
        let e = model("heavy-ball").import().unwrap_err();
        assert!(e.message.contains("\"heavy-ball\""), "{e}");
    }
}
