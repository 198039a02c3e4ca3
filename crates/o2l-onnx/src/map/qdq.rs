//! QDQ groups, as onnxruntime's `quantize_static` writes them: a Conv, MatMul
//! or Gemm whose data input is `DequantizeLinear` of an 8-bit tensor (one
//! scale) and whose weight is `DequantizeLinear` of a constant 8-bit tensor
//! (one scale, or one per output channel with zero points all 0) runs the
//! integer kernel on the 8-bit values, then one float rescale:
//! `f32(acc) * (s_x * s_w)`, plus the bias as the float op would add it (the
//! bias onnxruntime writes is itself dequantized with `s_x * s_w`). A
//! QuantizeLinear after the group maps as usual. Groups that do not qualify
//! return `None`, and the caller keeps the float op.
use super::ctx::{Dequantized, MapCtx};
use super::integer::{as_quantized_conv, quantized_matmul_shapes, scalar_zero_point};
use o2l_canon::Builder;
use o2l_canon::ops::linear::is_quantized_operand;
use o2l_canon::ops::{Binary, Linear, Movement};
use o2l_canon::{DType, Dim, Op, Result, ValueId};

/// Element count of a value of static shape.
fn count(ctx: &MapCtx, v: ValueId) -> Option<u64> {
    ctx.ty(v).known_dims().map(|d| d.iter().product())
}

/// Why a group is not integer: the note `--explain-quant` prints.
type Why = String;

/// The DequantizeLinear behind a data input, when it has one scale.
fn data(ctx: &MapCtx, v: ValueId) -> std::result::Result<Dequantized, Why> {
    let d = ctx
        .dequantized(v)
        .ok_or("the data input is not a DequantizeLinear output")?;
    if count(ctx, d.scale) != Some(1) {
        return Err("the data input has more than one scale (per-tensor only)".into());
    }
    if d.zero_point.is_some_and(|z| count(ctx, z) != Some(1)) {
        return Err("the data input has more than one zero point".into());
    }
    if !is_quantized_operand(&ctx.ty(d.q)) {
        return Err(format!(
            "the data input is {}, not an 8-bit integer",
            ctx.ty(d.q).dtype
        ));
    }
    Ok(d)
}

/// The DequantizeLinear behind a weight: a constant 8-bit tensor with one
/// scale, or one scale per slice along `channel_axis` (the output channels).
/// The second value says whether the scales are per channel.
fn weight(
    ctx: &MapCtx,
    w: ValueId,
    channel_axis: usize,
) -> std::result::Result<(Dequantized, bool), Why> {
    let d = ctx
        .dequantized(w)
        .ok_or("the weight is not a DequantizeLinear output")?;
    if ctx.graph.constant(d.q).is_none() {
        return Err("the weight's 8-bit values are computed at run time, not constant".into());
    }
    if !is_quantized_operand(&ctx.ty(d.q)) {
        return Err(format!(
            "the weight is {}, not an 8-bit integer",
            ctx.ty(d.q).dtype
        ));
    }
    let scales = count(ctx, d.scale).ok_or("the weight's scales have a symbolic shape")?;
    if scales == 1 {
        return Ok((d, false));
    }
    let channels = ctx.ty(d.q).shape.get(channel_axis).and_then(|c| c.known());
    let per_channel =
        d.axis == channel_axis && ctx.ty(d.scale).rank() == 1 && channels == Some(scales);
    if per_channel {
        Ok((d, true))
    } else {
        Err(format!(
            "the weight's {scales} scales are along axis {}, not one per output channel (axis {channel_axis})",
            d.axis
        ))
    }
}

/// Both operands of a group, or the reason (recorded) why it stays float.
fn qualify<T>(ctx: &mut MapCtx, got: std::result::Result<T, Why>) -> Option<T> {
    got.map_err(|why| ctx.stays_float(why)).ok()
}

/// The group's 8-bit operands with their scalar i32 zero points, or `None`
/// when the weight's zero points vary by channel.
struct Operands {
    x: ValueId,
    w: ValueId,
    x_zero_point: ValueId,
    w_zero_point: ValueId,
}

fn operands(ctx: &mut MapCtx, x: &Dequantized, w: &Dequantized) -> Result<Option<Operands>> {
    // The weight's first: it is the one that may not qualify.
    let Some(w_zero_point) = scalar_zero_point(ctx, w.zero_point)? else {
        ctx.stays_float(
            "the weight's zero points differ by channel (the integer kernels take one zero point)",
        );
        return Ok(None);
    };
    let Some(x_zero_point) = scalar_zero_point(ctx, x.zero_point)? else {
        ctx.stays_float("the data input has more than one zero point");
        return Ok(None);
    };
    Ok(Some(Operands {
        x: x.q,
        w: w.q,
        x_zero_point,
        w_zero_point,
    }))
}

/// `f32(acc) * (s_x * s_w)`; per-channel weight scales are reshaped to
/// `channel_shape` so they broadcast over the accumulator's channel dim.
fn rescale(
    ctx: &mut MapCtx,
    acc: ValueId,
    x: &Dequantized,
    w: &Dequantized,
    per_channel: bool,
    channel_shape: Vec<Dim>,
) -> Result<ValueId> {
    let sx = ctx.reshape(x.scale, vec![])?;
    let sw = if per_channel {
        ctx.reshape(w.scale, channel_shape)?
    } else {
        ctx.reshape(w.scale, vec![])?
    };
    let scale = ctx.binary(Binary::Mul, sx, sw)?;
    let acc = ctx.cast(acc, DType::F32)?;
    ctx.binary(Binary::Mul, acc, scale)
}

/// A Conv (`op` from `conv_op`) of `x` by `w` plus `bias` as a QDQ group.
pub(crate) fn conv(
    ctx: &mut MapCtx,
    op: &Op,
    x: ValueId,
    w: ValueId,
    bias: Option<ValueId>,
) -> Result<Option<ValueId>> {
    let Some(q) = as_quantized_conv(op) else {
        ctx.stays_float("a grouped convolution has no integer kernel here");
        return Ok(None);
    };
    let Some(xd) = qualify(ctx, data(ctx, x)) else {
        return Ok(None);
    };
    let Some((wd, per_channel)) = qualify(ctx, weight(ctx, w, 0)) else {
        return Ok(None);
    };
    if ctx.ty(xd.q).rank() != 4 {
        ctx.stays_float(format!(
            "a {}-D convolution: the integer kernel is 2-D (NCHW)",
            ctx.ty(xd.q).rank().saturating_sub(2)
        ));
        return Ok(None);
    }
    let Some(o) = operands(ctx, &xd, &wd)? else {
        return Ok(None);
    };
    let acc = ctx.emit1(
        Op::QuantizedConv(q),
        &[o.x, o.w, o.x_zero_point, o.w_zero_point],
    )?;
    let channels = ctx.ty(acc).shape[1].clone();
    let channel_shape = vec![Dim::Known(1), channels, Dim::Known(1), Dim::Known(1)];
    let mut y = rescale(ctx, acc, &xd, &wd, per_channel, channel_shape.clone())?;
    if let Some(b) = bias {
        let b = ctx.reshape(b, channel_shape)?;
        y = ctx.binary(Binary::Add, y, b)?;
    }
    Ok(Some(y))
}

/// A MatMul `a x b` as a QDQ group (`b` the weight, channels its last dim).
pub(crate) fn matmul(ctx: &mut MapCtx, a: ValueId, b: ValueId) -> Result<Option<ValueId>> {
    let b_rank = ctx.ty(b).rank();
    let Some(channel_axis) = b_rank.checked_sub(1) else {
        ctx.stays_float("the weight is a scalar");
        return Ok(None);
    };
    let Some(ad) = qualify(ctx, data(ctx, a)) else {
        return Ok(None);
    };
    let Some((bd, per_channel)) = qualify(ctx, weight(ctx, b, channel_axis)) else {
        return Ok(None);
    };
    if !quantized_matmul_shapes(ctx, ad.q, bd.q) {
        ctx.stays_float(format!(
            "shapes {} x {}: the integer kernels take (.., M, K) x (K, N) or (B, M, K) x (B, K, N)",
            ctx.ty(ad.q),
            ctx.ty(bd.q)
        ));
        return Ok(None);
    }
    let Some(o) = operands(ctx, &ad, &bd)? else {
        return Ok(None);
    };
    let acc = ctx.emit1(
        Op::Linear(Linear::QuantizedMatMul),
        &[o.x, o.w, o.x_zero_point, o.w_zero_point],
    )?;
    let n = ctx.ty(bd.q).shape[channel_axis].clone();
    rescale(ctx, acc, &ad, &bd, per_channel, vec![n]).map(Some)
}

/// A Gemm `a x op(b) + c` as a QDQ group, for `alpha = beta = 1` and an
/// untransposed `a` (what exporters write for a linear layer); `transposed_b`
/// is `transB`. Returns `None` for other Gemms.
pub(crate) fn gemm(
    ctx: &mut MapCtx,
    a: ValueId,
    b: ValueId,
    c: Option<ValueId>,
    transposed_b: bool,
) -> Result<Option<ValueId>> {
    if ctx.ty(a).rank() != 2 || ctx.ty(b).rank() != 2 {
        ctx.stays_float("a Gemm operand is not 2-D");
        return Ok(None);
    }
    let channel_axis = if transposed_b { 0 } else { 1 };
    let Some(ad) = qualify(ctx, data(ctx, a)) else {
        return Ok(None);
    };
    let Some((bd, per_channel)) = qualify(ctx, weight(ctx, b, channel_axis)) else {
        return Ok(None);
    };
    let Some(o) = operands(ctx, &ad, &bd)? else {
        return Ok(None);
    };
    let n = ctx.ty(bd.q).shape[channel_axis].clone();
    let w = if transposed_b {
        ctx.emit1(
            Op::Movement(Movement::Transpose { perm: vec![1, 0] }),
            &[o.w],
        )?
    } else {
        o.w
    };
    let acc = ctx.emit1(
        Op::Linear(Linear::QuantizedMatMul),
        &[o.x, w, o.x_zero_point, o.w_zero_point],
    )?;
    let mut y = rescale(ctx, acc, &ad, &bd, per_channel, vec![n])?;
    if let Some(c) = c {
        y = ctx.binary(Binary::Add, y, c)?;
    }
    Ok(Some(y))
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;
    use o2l_proto::{Bytes, TensorProto};

    fn t_i8(name: &str, dims: &[i64], v: &[i8]) -> TensorProto {
        TensorProto {
            name: Some(name.into()),
            dims: dims.to_vec(),
            data_type: Some(3),
            raw_data: Some(Bytes::from(v.iter().map(|&x| x as u8).collect::<Vec<u8>>())),
            ..Default::default()
        }
    }

    /// x -> Q -> DQ -> Conv(w = DQ(wq, ws, wz)) -> y, with `ws`/`wz` of `channels` entries.
    fn qdq_conv(ws: &[f32], wz: &[i8]) -> Graph {
        qdq_conv_model(ws, wz).import().unwrap()
    }

    fn qdq_conv_model(ws: &[f32], wz: &[i8]) -> M {
        let n = ws.len() as i64;
        let wdims: &[i64] = if n == 1 { &[] } else { &[2] };
        M::new(13)
            .input(f32_in("x", &[1, 2, 4, 4]))
            .init(t_f32("s", &[], &[0.1]))
            .init(t_i8("z", &[], &[3]))
            .init(t_i8("wq", &[2, 2, 3, 3], &[5; 36]))
            .init(t_f32("ws", wdims, ws))
            .init(t_i8("wz", wdims, wz))
            .node(node("QuantizeLinear", "q", &["x", "s", "z"], &["xq"]))
            .node(node("DequantizeLinear", "dq", &["xq", "s", "z"], &["xd"]))
            .node(with_attrs(
                node("DequantizeLinear", "dqw", &["wq", "ws", "wz"], &["w"]),
                vec![a_int("axis", 0)],
            ))
            .node(with_attrs(
                node("Conv", "conv", &["xd", "w"], &["y"]),
                vec![a_ints("pads", &[1, 1, 1, 1])],
            ))
            .output("y")
    }

    #[test]
    fn each_qdq_group_says_whether_it_is_integer_and_why_not() {
        let notes = |ws: &[f32], wz: &[i8]| {
            qdq_conv_model(ws, wz)
                .import_warned(&Default::default())
                .unwrap()
                .quantization
        };
        assert_eq!(
            notes(&[0.5], &[0]),
            [
                r#"node "conv" (Conv, ai.onnx, opset 13 -> Conv-11): integer (QuantizedConv, i32 accumulation)"#
            ]
        );
        assert_eq!(
            notes(&[0.5, 0.25], &[1, 0]),
            [concat!(
                r#"node "conv" (Conv, ai.onnx, opset 13 -> Conv-11): stays float: "#,
                "the weight's zero points differ by channel (the integer kernels take one zero point)"
            )]
        );
    }

    #[test]
    fn a_qdq_conv_runs_the_integer_kernel_and_one_rescale() {
        for (ws, wz) in [(&[0.5][..], &[0][..]), (&[0.5, 0.25][..], &[0, 0][..])] {
            let g = qdq_conv(ws, wz);
            let ops = op_names(&g);
            assert!(ops.contains(&"QuantizedConv"), "{ops:?}");
            assert!(!ops.contains(&"Conv"), "{ops:?}");
            assert_eq!(g.ty(g.outputs[0]).dtype, DType::F32);
        }
    }

    #[test]
    fn per_channel_weight_zero_points_that_are_not_zero_keep_the_float_conv() {
        let ops = op_names(&qdq_conv(&[0.5, 0.25], &[1, 0]));
        assert!(ops.contains(&"Conv"), "{ops:?}");
        assert!(!ops.contains(&"QuantizedConv"), "{ops:?}");
    }

    #[test]
    fn a_qdq_gemm_with_transposed_weight_is_a_quantized_matmul() {
        let g = M::new(13)
            .input(f32_in("x", &[4, 3]))
            .init(t_f32("s", &[], &[0.1]))
            .init(t_i8("z", &[], &[0]))
            .init(t_i8("wq", &[2, 3], &[1, -2, 3, -4, 5, -6]))
            .init(t_f32("ws", &[], &[0.5]))
            .init(t_f32("c", &[2], &[1.0, 2.0]))
            .node(node("QuantizeLinear", "q", &["x", "s", "z"], &["xq"]))
            .node(node("DequantizeLinear", "dq", &["xq", "s", "z"], &["xd"]))
            .node(node("DequantizeLinear", "dqw", &["wq", "ws"], &["w"]))
            .node(with_attrs(
                node("Gemm", "gemm", &["xd", "w", "c"], &["y"]),
                vec![a_int("transB", 1)],
            ))
            .output("y")
            .import()
            .unwrap();
        let ops = op_names(&g);
        assert!(ops.contains(&"QuantizedMatMul"), "{ops:?}");
        assert!(!ops.contains(&"MatMul"), "{ops:?}");
        assert_eq!(out_dims(&g, 0), vec![4, 2]);
    }
}
