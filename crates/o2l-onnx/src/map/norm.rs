//! Normalisations: Softmax/LogSoftmax (the pre-13 "flatten to 2-D" form and
//! the single-axis form) and BatchNormalization in inference mode.
use super::{MapCtx, Rule, known_product};
use o2l_canon::ops::{Binary, Elementwise, Norm, Unary};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{Dim, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    Rule {
        domain: "ai.onnx",
        op_type: "Softmax",
        since: &[1, 11],
        produces: &["Reshape", "Softmax"],
        map: softmax_v1,
        note: "flatten to 2-D at `axis` (default 1), normalise the last dim, reshape back",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "Softmax",
        since: &[13],
        produces: &["Softmax"],
        map: softmax_v13,
        note: "one axis, default -1",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "LogSoftmax",
        since: &[1, 11],
        produces: &["Reshape", "LogSoftmax"],
        map: log_softmax_v1,
        note: "flatten to 2-D at `axis` (default 1), normalise the last dim, reshape back",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "LogSoftmax",
        since: &[13],
        produces: &["LogSoftmax"],
        map: log_softmax_v13,
        note: "one axis, default -1",
    },
    Rule {
        domain: "ai.onnx",
        op_type: "BatchNormalization",
        since: &[7, 9, 14, 15],
        produces: &["Reshape", "Add", "Sqrt", "Div", "Mul", "Sub", "Cast"],
        map: batch_norm,
        note: "inference only: (x - mean) * scale / sqrt(var + eps) + bias; training_mode and the extra outputs are not supported",
    },
];

fn norm_op(log: bool, axis: usize) -> Op {
    Op::Norm(if log {
        Norm::LogSoftmax { axis }
    } else {
        Norm::Softmax { axis }
    })
}

fn softmax_legacy(ctx: &mut MapCtx, log: bool) -> Result<()> {
    let x = ctx.input(0)?;
    let t = ctx.ty(x);
    let rank = t.rank();
    if rank == 0 {
        return Err(Error::invalid("softmax of a scalar"));
    }
    let axis = normalize_axis(ctx.attrs.int_or("axis", 1)?, rank)?;
    if axis == rank - 1 {
        // The 2-D view normalises exactly the last dim: no reshape needed.
        let v = ctx.emit1(norm_op(log, axis), &[x])?;
        return ctx.bind(0, v);
    }
    let (Some(outer), Some(inner)) = (
        known_product(&t.shape[..axis]),
        known_product(&t.shape[axis..]),
    ) else {
        return Err(Error::unsupported(format!(
            "softmax before opset 13 over several dims needs them static, got {t}"
        )));
    };
    let flat = ctx.reshape(x, vec![Dim::Known(outer), Dim::Known(inner)])?;
    let y = ctx.emit1(norm_op(log, 1), &[flat])?;
    let y = ctx.reshape(y, t.shape.clone())?;
    ctx.bind(0, y)
}

fn softmax_single(ctx: &mut MapCtx, log: bool) -> Result<()> {
    let x = ctx.input(0)?;
    let axis = normalize_axis(ctx.attrs.int_or("axis", -1)?, ctx.ty(x).rank())?;
    let v = ctx.emit1(norm_op(log, axis), &[x])?;
    ctx.bind(0, v)
}

fn softmax_v1(ctx: &mut MapCtx) -> Result<()> {
    softmax_legacy(ctx, false)
}
fn softmax_v13(ctx: &mut MapCtx) -> Result<()> {
    softmax_single(ctx, false)
}
fn log_softmax_v1(ctx: &mut MapCtx) -> Result<()> {
    softmax_legacy(ctx, true)
}
fn log_softmax_v13(ctx: &mut MapCtx) -> Result<()> {
    softmax_single(ctx, true)
}

fn batch_norm(ctx: &mut MapCtx) -> Result<()> {
    if ctx.attrs.int_or("training_mode", 0)? != 0 {
        return Err(Error::unsupported(
            "BatchNormalization with training_mode=1 (only inference is supported)",
        ));
    }
    if ctx.attrs.int_or("spatial", 1)? == 0 {
        return Err(Error::unsupported(
            "BatchNormalization with spatial=0 (per-activation statistics)",
        ));
    }
    ctx.only_outputs(1, "training statistics")?;
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    if xt.rank() < 2 {
        return Err(Error::invalid(format!(
            "BatchNormalization input must have rank >= 2, got {xt}"
        )));
    }
    let channels = xt.shape[1].clone();
    let mut param_shape = vec![channels];
    param_shape.extend(std::iter::repeat_n(Dim::Known(1), xt.rank() - 2));
    let mut params: Vec<ValueId> = Vec::with_capacity(4);
    for (i, name) in [(1, "scale"), (2, "bias"), (3, "mean"), (4, "var")] {
        let p = ctx.input(i)?;
        let pt = ctx.ty(p);
        if pt.rank() != 1 {
            return Err(Error::invalid(format!(
                "BatchNormalization {name} must be 1-D [C], got {pt}"
            )));
        }
        let p = ctx.cast(p, xt.dtype)?;
        params.push(ctx.reshape(p, param_shape.clone())?);
    }
    let [scale, bias, mean, var] = params[..] else {
        return Err(Error::internal("BatchNormalization parameters"));
    };
    let eps = ctx.attrs.float_or("epsilon", 1e-5)? as f64;
    let eps = ctx.scalar(xt.dtype, eps)?;
    let var_eps = ctx.binary(Binary::Add, var, eps)?;
    let std = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Sqrt)), &[var_eps])?;
    let factor = ctx.binary(Binary::Div, scale, std)?;
    let centred = ctx.binary(Binary::Sub, x, mean)?;
    let scaled = ctx.binary(Binary::Mul, centred, factor)?;
    let y = ctx.binary(Binary::Add, scaled, bias)?;
    ctx.bind(0, y)
}
