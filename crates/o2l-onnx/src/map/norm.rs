//! Normalisations: Softmax/LogSoftmax (the pre-13 "flatten to 2-D" form and
//! the single-axis form), Batch (inference and training), Layer, Group, RMS
//! and Lp normalisation, LRN.
use super::ctx::{MapCtx, Rule, known_product, row};
use crate::tensor::dtype_of;
use o2l_canon::Builder;
use o2l_canon::compose::{self, LayerNormSpec, Standardised, standardise};
use o2l_canon::ops::{Binary, Compare, Elementwise, Norm, Reduce, ReduceKind, Unary};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{DType, Dim, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "Softmax",
        &[1, 11],
        &["Reshape", "Softmax"],
        softmax_v1,
        "flatten to 2-D at `axis` (default 1), normalise the last dim, reshape back",
    ),
    row(
        "Softmax",
        &[13],
        &["Softmax"],
        softmax_v13,
        "one axis, default -1",
    ),
    row(
        "LogSoftmax",
        &[1, 11],
        &["Reshape", "LogSoftmax"],
        log_softmax_v1,
        "flatten to 2-D at `axis` (default 1), normalise the last dim, reshape back",
    ),
    row(
        "LogSoftmax",
        &[13],
        &["LogSoftmax"],
        log_softmax_v13,
        "one axis, default -1",
    ),
    row(
        "BatchNormalization",
        &[7, 9, 14, 15],
        &[
            "Reshape",
            "Add",
            "Sqrt",
            "Div",
            "Mul",
            "Sub",
            "Cast",
            "ReduceMean",
            "BroadcastTo",
        ],
        batch_norm,
        "(x - mean) * scale / sqrt(var + eps) + bias; training_mode uses the batch statistics and updates the running ones",
    ),
    row(
        "BatchNormalization",
        &[1, 6],
        &["Reshape", "Add", "Sqrt", "Div", "Mul", "Sub", "Cast"],
        batch_norm_v1,
        "test mode (is_test=1, or only Y used) as BatchNormalization-7; spatial=0 and legacy training outputs not supported",
    ),
    row(
        "GroupNormalization",
        &[18, 21],
        &[
            "Reshape",
            "ReduceMean",
            "Sub",
            "Mul",
            "Add",
            "Sqrt",
            "Div",
            "BroadcastTo",
            "Gather",
            "Cast",
        ],
        group_norm,
        "standardised per (sample, group); scale/bias per group (18) or per channel (21); statistics in the input type (18) or stash_type (21, default f32)",
    ),
    row(
        "LRN",
        &[1, 13],
        &["Mul", "Concat", "Gather", "Add", "Pow", "Div"],
        lrn,
        "x / (bias + alpha/size * window sum of x^2 over channels)^beta",
    ),
    row(
        "LayerNormalization",
        &[17],
        &[
            "Cast",
            "ReduceMean",
            "Sub",
            "Mul",
            "Add",
            "Sqrt",
            "BroadcastTo",
            "Div",
        ],
        layer_norm,
        "normalise over the dims from `axis` on, statistics in stash_type (default f32); Mean and InvStdDev outputs are in stash_type and keep the reduced dims as 1",
    ),
    row(
        "RMSNormalization",
        &[23],
        &["Cast", "Mul", "ReduceMean", "Add", "Sqrt", "Div"],
        rms_norm,
        "x / sqrt(mean(x^2 over the dims from `axis` on) + epsilon) * scale, the statistics in stash_type (default f32)",
    ),
    row(
        "InstanceNormalization",
        &[1, 6, 22],
        &[
            "ReduceMean",
            "Sub",
            "Mul",
            "Add",
            "Sqrt",
            "BroadcastTo",
            "Div",
            "Reshape",
        ],
        instance_norm,
        "normalise each channel over the spatial dims",
    ),
    row(
        "MeanVarianceNormalization",
        &[9, 13],
        &["ReduceMean", "Sub", "Mul", "Sqrt", "Add", "Div"],
        mean_variance_norm,
        "(x - mean) / (std + 1e-9) over `axes` (default 0, 2, 3)",
    ),
    row(
        "LpNormalization",
        &[1, 22],
        &["Abs", "Mul", "ReduceSum", "Sqrt", "Equal", "Select", "Div"],
        lp_norm,
        "p = 1 or 2 along one axis",
    ),
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
        return batch_norm_training(ctx);
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

/// BatchNormalization-1/6: `consumed_inputs` is an optimisation hint;
/// test mode is the inference form of v7. Training (is_test=0 with the
/// running or saved statistics used) is refused.
fn batch_norm_v1(ctx: &mut MapCtx) -> Result<()> {
    if ctx.attrs.int_or("spatial", 1)? == 0 {
        return Err(Error::unsupported(
            "BatchNormalization with spatial=0 (per-activation statistics)",
        ));
    }
    if ctx.attrs.int_or("is_test", 0)? == 0 {
        ctx.only_outputs(1, "legacy training statistics (is_test=0)")?;
    } else {
        ctx.only_outputs(1, "not filled in test mode")?;
    }
    batch_norm(ctx)
}

/// Training mode: normalise with the batch's mean and (population) variance
/// over every axis but the channels; outputs 1 and 2 are the running
/// statistics moved toward them by `1 - momentum`.
fn batch_norm_training(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    if xt.rank() < 2 {
        return Err(Error::invalid(format!(
            "BatchNormalization input must have rank >= 2, got {xt}"
        )));
    }
    let mut param_shape = vec![xt.shape[1].clone()];
    param_shape.extend(std::iter::repeat_n(Dim::Known(1), xt.rank() - 2));
    let eps = ctx.attrs.float_or("epsilon", 1e-5)? as f64;
    let momentum = ctx.attrs.float_or("momentum", 0.9)? as f64;
    let mut axes = vec![0];
    axes.extend(2..xt.rank());
    let Standardised {
        normalised: n,
        mean,
        std_dev: std,
    } = standardise(ctx, x, axes, eps)?;
    let mut p = Vec::with_capacity(4);
    for i in 1..=4 {
        let v = ctx.input(i)?;
        let v = ctx.cast(v, xt.dtype)?;
        p.push(ctx.reshape(v, param_shape.clone())?);
    }
    let y = ctx.binary(Binary::Mul, n, p[0])?;
    let y = ctx.binary(Binary::Add, y, p[1])?;
    ctx.bind(0, y)?;
    // var = std^2 - eps, exactly the population variance computed inside.
    let e = ctx.scalar(xt.dtype, eps)?;
    let sq = ctx.binary(Binary::Mul, std, std)?;
    let var = ctx.binary(Binary::Sub, sq, e)?;
    let keep = ctx.scalar(xt.dtype, momentum)?;
    let take = ctx.scalar(xt.dtype, 1.0 - momentum)?;
    for (k, (running, current)) in [(1, (p[2], mean)), (2, (p[3], var))] {
        if ctx.output_wanted(k) {
            let a = ctx.binary(Binary::Mul, running, keep)?;
            let b = ctx.binary(Binary::Mul, current, take)?;
            let r = ctx.binary(Binary::Add, a, b)?;
            let r = ctx.reshape(r, vec![xt.shape[1].clone()])?;
            ctx.bind(k, r)?;
        }
    }
    Ok(())
}

fn group_norm(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let (scale, bias) = (ctx.input(1)?, ctx.input(2)?);
    let xt = ctx.ty(x);
    let dims = xt.static_dims("GroupNormalization input")?;
    if dims.len() < 2 {
        return Err(Error::invalid(format!(
            "GroupNormalization input must have rank >= 2, got {xt}"
        )));
    }
    let groups = ctx.attrs.req_int("num_groups")?;
    let g = u64::try_from(groups)
        .ok()
        .filter(|&g| g > 0 && dims[1] % g == 0)
        .ok_or_else(|| {
            Error::invalid(format!(
                "num_groups {groups} must divide the {} channels",
                dims[1]
            ))
        })?;
    let eps = ctx.attrs.float_or("epsilon", 1e-5)? as f64;
    // GroupNormalization-18 computes in the input's type; 21 has stash_type.
    let stash = if ctx.version >= 21 {
        stash_type(ctx)?
    } else {
        xt.dtype
    };
    let rest: u64 = dims[1..].iter().product::<u64>() / g;
    let xs = ctx.cast(x, stash)?;
    let grouped = ctx.reshape(
        xs,
        vec![Dim::Known(dims[0]), Dim::Known(g), Dim::Known(rest)],
    )?;
    let n = standardise(ctx, grouped, vec![2], eps)?.normalised;
    let n = ctx.reshape(n, xt.shape.clone())?;
    let n = ctx.cast(n, xt.dtype)?;
    // Per-channel parameters (C, 1, ..); opset 18 gives one per group.
    let c = dims[1];
    let mut shape = vec![Dim::Known(c)];
    shape.extend(std::iter::repeat_n(Dim::Known(1), dims.len() - 2));
    let per_channel = |ctx: &mut MapCtx, p: ValueId| -> Result<ValueId> {
        let p = ctx.cast(p, xt.dtype)?;
        let len = ctx.ty(p).static_dims("GroupNormalization parameter")?;
        let p = if len == [g] && g != c {
            let picks: Vec<i64> = (0..c).map(|i| (i / (c / g)) as i64).collect();
            let idx = ctx.constant(o2l_canon::Tensor::from_i64s(
                o2l_canon::DType::I64,
                vec![c],
                &picks,
            )?)?;
            ctx.emit1(
                Op::Movement(o2l_canon::ops::Movement::Gather { axis: 0 }),
                &[p, idx],
            )?
        } else {
            p
        };
        ctx.reshape(p, shape.clone())
    };
    let s = per_channel(ctx, scale)?;
    let b = per_channel(ctx, bias)?;
    let y = ctx.binary(Binary::Mul, n, s)?;
    let y = ctx.binary(Binary::Add, y, b)?;
    ctx.bind(0, y)
}

fn lrn(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let dims = xt.static_dims("LRN input")?;
    if dims.len() < 3 {
        return Err(Error::invalid(format!(
            "LRN input must have rank >= 3, got {xt}"
        )));
    }
    let size = ctx.attrs.req_int("size")?;
    let size = u64::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| Error::invalid(format!("LRN size must be positive, got {size}")))?;
    let alpha = ctx.attrs.float_or("alpha", 1e-4)? as f64;
    let beta = ctx.attrs.float_or("beta", 0.75)? as f64;
    let bias = ctx.attrs.float_or("bias", 1.0)? as f64;
    let c = dims[1];
    let (before, after) = ((size - 1) / 2, (size - 1).div_ceil(2));
    let sq = ctx.binary(Binary::Mul, x, x)?;
    // Zero channels around, then the sum of `size` shifted windows.
    let mut parts = Vec::with_capacity(3);
    for count in [before, after] {
        if count > 0 {
            let mut zd = dims.clone();
            zd[1] = count;
            let n = zd.iter().product::<u64>() as usize;
            parts.push(Some(ctx.constant(o2l_canon::Tensor::from_f64s(
                xt.dtype,
                zd,
                &vec![0.0; n],
            )?)?));
        } else {
            parts.push(None);
        }
    }
    let mut cat = Vec::with_capacity(3);
    cat.extend(parts[0]);
    cat.push(sq);
    cat.extend(parts[1]);
    let padded = if cat.len() == 1 {
        sq
    } else {
        ctx.emit1(
            Op::Movement(o2l_canon::ops::Movement::Concat { axis: 1 }),
            &cat,
        )?
    };
    let mut sum: Option<ValueId> = None;
    for j in 0..size {
        let picks: Vec<i64> = (j..j + c).map(|i| i as i64).collect();
        let idx = ctx.constant(o2l_canon::Tensor::from_i64s(
            o2l_canon::DType::I64,
            vec![c],
            &picks,
        )?)?;
        let w = ctx.emit1(
            Op::Movement(o2l_canon::ops::Movement::Gather { axis: 1 }),
            &[padded, idx],
        )?;
        sum = Some(match sum {
            Some(s) => ctx.binary(Binary::Add, s, w)?,
            None => w,
        });
    }
    let sum = sum.ok_or_else(|| Error::internal("LRN window"))?;
    let k = ctx.scalar(xt.dtype, alpha / size as f64)?;
    let scaled = ctx.binary(Binary::Mul, sum, k)?;
    let b = ctx.scalar(xt.dtype, bias)?;
    let base = ctx.binary(Binary::Add, scaled, b)?;
    let p = ctx.scalar(xt.dtype, beta)?;
    let denom = ctx.binary(Binary::Pow, base, p)?;
    let y = ctx.binary(Binary::Div, x, denom)?;
    ctx.bind(0, y)
}

/// The element type a normalisation computes its statistics in: the
/// `stash_type` attribute (an ONNX element type code, default 1 = float32),
/// which must be a floating-point type.
fn stash_type(ctx: &MapCtx) -> Result<DType> {
    let code = ctx.attrs.int_or("stash_type", 1)?;
    let what = "attribute \"stash_type\"";
    let dtype = i32::try_from(code)
        .map_err(|_| Error::invalid(format!("{what}: {code} is not an element type")))
        .and_then(|c| dtype_of(c, what))?;
    match dtype {
        DType::F16 | DType::BF16 | DType::F32 | DType::F64 => Ok(dtype),
        other => Err(Error::invalid(format!(
            "{what} must be a floating-point type, got {other}"
        ))),
    }
}

fn layer_norm(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let scale = ctx.input(1)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", -1)?, rank)?;
    let spec = LayerNormSpec {
        axes: (axis..rank).collect(),
        epsilon: ctx.attrs.float_or("epsilon", 1e-5)? as f64,
        stash: stash_type(ctx)?,
        inv_std_dev: ctx.output_wanted(2),
    };
    let bias = ctx.opt_input(2);
    let out = compose::layer_norm(ctx, x, scale, bias, &spec)?;
    if ctx.output_wanted(1) {
        ctx.bind(1, out.mean)?;
    }
    if let Some(inv) = out.inv_std_dev {
        ctx.bind(2, inv)?;
    }
    ctx.bind(0, out.y)
}

pub(crate) fn rms_norm(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let scale = ctx.input(1)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", -1)?, rank)?;
    let eps = ctx.attrs.float_or("epsilon", 1e-5)? as f64;
    let stash = stash_type(ctx)?;
    let y = compose::rms_norm(ctx, x, scale, (axis..rank).collect(), eps, stash)?;
    ctx.bind(0, y)
}

fn instance_norm(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    if xt.rank() < 3 {
        return Err(Error::invalid(format!(
            "InstanceNormalization input must have rank >= 3, got {xt}"
        )));
    }
    let eps = ctx.attrs.float_or("epsilon", 1e-5)? as f64;
    let mut param_shape = vec![xt.shape[1].clone()];
    param_shape.extend(std::iter::repeat_n(Dim::Known(1), xt.rank() - 2));
    let scale = ctx.input(1)?;
    let scale = ctx.reshape(scale, param_shape.clone())?;
    let bias = ctx.input(2)?;
    let bias = ctx.reshape(bias, param_shape)?;
    let n = standardise(ctx, x, (2..xt.rank()).collect(), eps)?.normalised;
    let y = ctx.binary(Binary::Mul, n, scale)?;
    let y = ctx.binary(Binary::Add, y, bias)?;
    ctx.bind(0, y)
}

fn mean_variance_norm(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let axes = ctx.attrs.ints("axes")?.unwrap_or_else(|| vec![0, 2, 3]);
    let mut axes = o2l_canon::shape::normalize_axes(&axes, xt.rank())?;
    axes.sort_unstable();
    let mean_op = Op::Reduce(Reduce {
        kind: ReduceKind::Mean,
        axes,
        keep_dims: true,
    });
    let mean = ctx.emit1(mean_op.clone(), &[x])?;
    let d = ctx.binary(Binary::Sub, x, mean)?;
    let sq = ctx.binary(Binary::Mul, d, d)?;
    let var = ctx.emit1(mean_op, &[sq])?;
    let std = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Sqrt)), &[var])?;
    let e = ctx.scalar(xt.dtype, 1e-9)?;
    let den = ctx.binary(Binary::Add, std, e)?;
    let y = ctx.binary(Binary::Div, d, den)?;
    ctx.bind(0, y)
}

fn lp_norm(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", -1)?, rank)?;
    let p = ctx.attrs.int_or("p", 2)?;
    let sum = |ctx: &mut MapCtx, v: ValueId| {
        ctx.emit1(
            Op::Reduce(Reduce {
                kind: ReduceKind::Sum,
                axes: vec![axis],
                keep_dims: true,
            }),
            &[v],
        )
    };
    let norm = match p {
        1 => {
            let a = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Abs)), &[x])?;
            sum(ctx, a)?
        }
        2 => {
            let sq = ctx.binary(Binary::Mul, x, x)?;
            let s = sum(ctx, sq)?;
            ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Sqrt)), &[s])?
        }
        other => {
            return Err(Error::invalid(format!(
                "LpNormalization p must be 1 or 2, got {other}"
            )));
        }
    };
    // A zero norm means a zero slice: divide by 1 there, so it stays 0 (not NaN).
    let dtype = ctx.ty(x).dtype;
    let zero = ctx.scalar(dtype, 0.0)?;
    let one = ctx.scalar(dtype, 1.0)?;
    let is_zero = ctx.emit1(
        Op::Elementwise(Elementwise::Compare(Compare::Equal)),
        &[norm, zero],
    )?;
    let norm = ctx.emit1(Op::Elementwise(Elementwise::Select), &[is_zero, one, norm])?;
    let y = ctx.binary(Binary::Div, x, norm)?;
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn softmax_before_13_flattens_and_since_13_uses_one_axis() {
        let g = M::new(11)
            .input(f32_in("x", &[2, 3, 4]))
            .node(node("Softmax", "sm", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Reshape", "Softmax", "Reshape"]);
        assert_eq!(
            g.ty(g.nodes[1].inputs[0]).known_dims().unwrap(),
            vec![2, 12]
        );
        assert_eq!(out_dims(&g, 0), vec![2, 3, 4]);
        assert_eq!(g.nodes[1].origin.version, 11);

        let g = M::new(13)
            .input(f32_in("x", &[2, 3, 4]))
            .node(node("Softmax", "sm", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Softmax"]);
        assert_eq!(
            g.nodes[0].op,
            Op::Norm(o2l_canon::ops::Norm::Softmax { axis: 2 })
        );
    }

    #[test]
    fn batch_norm_folds_its_parameters_and_keeps_four_runtime_ops() {
        let g = M::new(15)
            .input(f32_in("x", &[1, 2, 3, 3]))
            .init(t_f32("s", &[2], &[1.0, 2.0]))
            .init(t_f32("b", &[2], &[0.0, 1.0]))
            .init(t_f32("m", &[2], &[0.5, 0.5]))
            .init(t_f32("v", &[2], &[1.0, 4.0]))
            .node(node(
                "BatchNormalization",
                "bn",
                &["x", "s", "b", "m", "v"],
                &["y"],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Sub", "Mul", "Add"]);
        let factor = g.constant(g.nodes[1].inputs[1]).unwrap();
        assert_eq!(factor.dims, vec![2, 1, 1]);
        let e = M::new(15)
            .input(f32_in("x", &[1, 2, 3, 3]))
            .init(t_f32("s", &[2], &[1.0, 2.0]))
            .node(with_attrs(
                node(
                    "BatchNormalization",
                    "bn",
                    &["x", "s", "s", "s", "s"],
                    &["y"],
                ),
                vec![a_int("training_mode", 1)],
            ))
            .output("y")
            .import()
            .unwrap();
        // Training mode normalises with the batch statistics (over N, H, W).
        let batch_mean = e.nodes.iter().any(|n| {
            matches!(&n.op, Op::Reduce(r) if r.kind == o2l_canon::ops::ReduceKind::Mean && r.axes == [0, 2, 3])
        });
        assert!(batch_mean, "{:?}", e.nodes);
    }

    #[test]
    fn layer_norm_binds_its_statistics_outputs() {
        let g = M::new(17)
            .input(f32_in("x", &[2, 3, 4]))
            .init(t_f32("s", &[4], &[1.0; 4]))
            .node(with_attrs(
                node(
                    "LayerNormalization",
                    "ln",
                    &["x", "s"],
                    &["y", "mean", "inv"],
                ),
                vec![a_int("axis", -1)],
            ))
            .output("y")
            .output("mean")
            .output("inv")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![2, 3, 4]);
        assert_eq!(out_dims(&g, 1), vec![2, 3, 1]);
        assert_eq!(out_dims(&g, 2), vec![2, 3, 1]);
    }

    /// LayerNormalization over the last dim of an `elem`-typed [2, 4] input,
    /// with these attributes; every output bound.
    fn layer_norm_model(elem: i32, attrs: Vec<AttributeProto>) -> M {
        M::new(17)
            .input(vi("x", elem, &[D::N(2), D::N(4)]))
            .init(t_f32("s", &[4], &[1.0; 4]))
            .node(with_attrs(
                node(
                    "LayerNormalization",
                    "ln",
                    &["x", "s"],
                    &["y", "mean", "inv"],
                ),
                attrs,
            ))
            .output("y")
            .output("mean")
            .output("inv")
    }

    #[test]
    fn f16_layer_norm_computes_and_returns_its_statistics_in_f32() {
        // stash_type defaults to 1 (float32): Mean and InvStdDev are f32, Y f16.
        let g = layer_norm_model(10, vec![]).import().unwrap();
        let dtype = |k: usize| g.ty(g.outputs[k]).dtype;
        assert_eq!(dtype(0), DType::F16);
        assert_eq!(dtype(1), DType::F32);
        assert_eq!(dtype(2), DType::F32);
        let reduce = g
            .nodes
            .iter()
            .find(|n| n.op.name() == "ReduceMean")
            .unwrap();
        assert_eq!(
            g.ty(reduce.inputs[0]).dtype,
            DType::F32,
            "mean taken in f32"
        );
    }

    #[test]
    fn layer_norm_reads_stash_type() {
        let g = layer_norm_model(1, vec![a_int("stash_type", 11)])
            .import()
            .unwrap();
        let dtype = |k: usize| g.ty(g.outputs[k]).dtype;
        assert_eq!(dtype(0), DType::F32);
        assert_eq!(dtype(1), DType::F64);
        assert_eq!(dtype(2), DType::F64);
        let e = layer_norm_model(1, vec![a_int("stash_type", 7)])
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("stash_type"), "{e}");
    }

    #[test]
    fn rms_norm_computes_in_stash_type_and_returns_the_input_type() {
        let model = |stash: i64| {
            M::new(23)
                .input(vi("x", 10, &[D::N(2), D::N(4)]))
                .init(t_f32("s", &[4], &[1.0; 4]))
                .node(with_attrs(
                    node("RMSNormalization", "rms", &["x", "s"], &["y"]),
                    vec![a_int("stash_type", stash)],
                ))
                .output("y")
                .import()
        };
        for (stash, dtype) in [(1, DType::F32), (11, DType::F64)] {
            let g = model(stash).unwrap();
            assert_eq!(g.ty(g.outputs[0]).dtype, DType::F16);
            let reduce = g
                .nodes
                .iter()
                .find(|n| n.op.name() == "ReduceMean")
                .unwrap();
            assert_eq!(g.ty(reduce.inputs[0]).dtype, dtype, "stash_type {stash}");
        }
    }

    #[test]
    fn batch_norm_6_in_test_mode_is_the_inference_form() {
        let model = |attrs: Vec<AttributeProto>, outputs: &[&str]| {
            let mut m = M::new(6).input(f32_in("x", &[2, 3, 4, 4]));
            for p in ["s", "b", "m", "v"] {
                m = m.init(t_f32(p, &[3], &[1.0, 2.0, 3.0]));
            }
            m.node(with_attrs(
                node(
                    "BatchNormalization",
                    "bn",
                    &["x", "s", "b", "m", "v"],
                    outputs,
                ),
                attrs,
            ))
            .output("y")
        };
        let g = model(
            vec![
                a_int("is_test", 1),
                a_ints("consumed_inputs", &[0, 0, 0, 1, 1]),
            ],
            &["y"],
        )
        .import()
        .unwrap();
        assert_eq!(g.nodes[0].origin.version, 6);
        // Constant statistics fold into one scale and one shift.
        assert_eq!(op_names(&g), vec!["Sub", "Mul", "Add"]);
        assert_eq!(out_dims(&g, 0), vec![2, 3, 4, 4]);
        // Training outputs, and per-activation statistics, are refused.
        let e = model(vec![], &["y", "mean"]).import().unwrap_err();
        assert!(e.to_string().contains("is_test=0"), "{e}");
        let e = model(vec![a_int("is_test", 1), a_int("spatial", 0)], &["y"])
            .import()
            .unwrap_err();
        assert!(e.to_string().contains("spatial=0"), "{e}");
    }
}
