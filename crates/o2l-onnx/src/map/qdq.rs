//! QDQ groups, as onnxruntime's `quantize_static` writes them: a Conv, MatMul
//! or Gemm whose data input is `DequantizeLinear` of an 8-bit tensor (one
//! scale) and whose weight is `DequantizeLinear` of a constant 8-bit tensor
//! (one scale, or one per output channel with zero points all 0) runs the
//! integer kernel on the 8-bit values, then one float rescale:
//! `f32(acc) * (s_x * s_w)`, plus the bias as the float op would add it (the
//! bias onnxruntime writes is itself dequantized with `s_x * s_w`). A
//! QuantizeLinear after the group maps as usual. Groups that do not qualify
//! return `None`, and the caller keeps the float op.
//!
//! The groups around Add, Mul, AveragePool and GlobalAveragePool need the
//! QuantizeLinear that alone reads their result (`Scope::requantized_by`):
//! they compute onnxruntime's QLinearAdd / QLinearMul / QLinearAveragePool /
//! QLinearGlobalAveragePool (`qlinear.rs`) on the 8-bit inputs, into
//! that Q's scale and zero point. Concat and MaxPool move or compare the
//! 8-bit values themselves (exact). Each binds its float result as the
//! dequantized 8-bit result and records it, so the Q after it takes the 8-bit
//! tensor as it is (`unquantized`) and the float ops fall away.
use super::ctx::{Dequantized, MapCtx, Tracked};
use super::integer::{as_quantized_conv, quantized_matmul_shapes, scalar_zero_point};
use super::qlinear::{
    Quantized, TableFn, add_form, average_pool_form, global_average_pool_form, mul_form,
    requantized_to, table_form,
};
use o2l_canon::Builder;
use o2l_canon::ops::linear::is_quantized_operand;
use o2l_canon::ops::{Binary, Linear, Movement, PoolKind};
use o2l_canon::{DType, Dim, Op, Result, ValueId};
use o2l_canon::{Graph, Origin};
use std::collections::HashMap;

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
        ctx.stays_float("not a convolution the integer kernel takes");
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
    if let Some(y) = requantized_conv(ctx, acc, &xd, &wd, per_channel, bias, &channel_shape)? {
        return Ok(Some(y));
    }
    let mut y = rescale(ctx, acc, &xd, &wd, per_channel, channel_shape.clone())?;
    if let Some(b) = bias {
        let b = ctx.reshape(b, channel_shape)?;
        y = ctx.binary(Binary::Add, y, b)?;
    }
    Ok(Some(y))
}

/// A Conv group read by a QuantizeLinear alone (of the input's 8-bit type),
/// with no bias or a bias that is `DequantizeLinear` of an i32 tensor: the
/// 8-bit result as onnxruntime's QLinearConv (which its QDQ transformer
/// fuses the group into) computes it: the i32 bias added to the i32 sums,
/// times the f32 multiplier `s_x * s_w / s_y` (per output channel with
/// per-channel weights), rounded half to even, `+ z_y`, saturated. `None`
/// (the float rescale then) otherwise.
fn requantized_conv(
    ctx: &mut MapCtx,
    acc: ValueId,
    xd: &Dequantized,
    wd: &Dequantized,
    per_channel: bool,
    bias: Option<ValueId>,
    channel_shape: &[Dim],
) -> Result<Option<ValueId>> {
    let Ok(out) = output(ctx) else {
        return Ok(None);
    };
    let out_type = ctx.ty(out.zero_point).dtype;
    if ctx.ty(xd.q).dtype != out_type {
        return Ok(None);
    }
    let bias = match bias {
        None => None,
        Some(b) => match ctx.dequantized_i32(b) {
            Some(q) => Some(q),
            None => return Ok(None),
        },
    };
    let mut acc = acc;
    if let Some(b) = bias {
        let b = ctx.reshape(b, channel_shape.to_vec())?;
        acc = ctx.binary(Binary::Add, acc, b)?;
    }
    let sx = ctx.reshape(xd.scale, vec![])?;
    let sw = if per_channel {
        ctx.reshape(wd.scale, channel_shape.to_vec())?
    } else {
        ctx.reshape(wd.scale, vec![])?
    };
    let sy = ctx.reshape(out.scale, vec![])?;
    let sxw = ctx.binary(Binary::Mul, sx, sw)?;
    let multiplier = ctx.binary(Binary::Div, sxw, sy)?;
    let v = ctx.cast(acc, DType::F32)?;
    let v = ctx.binary(Binary::Mul, v, multiplier)?;
    // Rounded before the zero point is added (exact then), as MLAS does.
    let v = ctx.unary(o2l_canon::ops::Unary::Round, v)?;
    let zy = ctx.reshape(out.zero_point, vec![])?;
    let zy = ctx.cast(zy, DType::F32)?;
    let v = ctx.binary(Binary::Add, v, zy)?;
    let (lo, hi) = if out_type == DType::I8 {
        (-128.0, 127.0)
    } else {
        (0.0, 255.0)
    };
    let v = ctx.unary(o2l_canon::ops::Unary::Clamp { min: lo, max: hi }, v)?;
    let y = ctx.cast(v, out_type)?;
    dequantized_result(ctx, y, out.scale, Some(out.zero_point)).map(Some)
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

/// Whether `a` and `b` hold the same value: one value, or constants with
/// the same type and contents.
fn same_value(ctx: &MapCtx, a: ValueId, b: ValueId) -> bool {
    if a == b {
        return true;
    }
    match (ctx.graph.constant(a), ctx.graph.constant(b)) {
        (Some(x), Some(y)) => x.dtype == y.dtype && x.to_f64s() == y.to_f64s(),
        _ => false,
    }
}

/// Whether two (scale, zero point) pairs are the same.
fn same_params(
    ctx: &MapCtx,
    (sa, za): (ValueId, Option<ValueId>),
    (sb, zb): (ValueId, Option<ValueId>),
) -> bool {
    same_value(ctx, sa, sb)
        && match (za, zb) {
            (None, None) => true,
            (Some(a), Some(b)) => same_value(ctx, a, b),
            _ => false,
        }
}

/// QuantizeLinear of `x` back to the 8-bit tensor it dequantizes, when `x`
/// is `DequantizeLinear(q)` with the same scale and zero point (per tensor,
/// or along the same axis) and `q` has the output type: then it is `q`.
pub(crate) fn unquantized(
    ctx: &MapCtx,
    x: ValueId,
    scale: ValueId,
    zero_point: Option<ValueId>,
    axis: usize,
    out: DType,
) -> Option<ValueId> {
    let d = ctx.dequantized(x)?;
    let per_tensor = count(ctx, d.scale) == Some(1) && count(ctx, scale) == Some(1);
    let same = same_params(ctx, (d.scale, d.zero_point), (scale, zero_point))
        && (per_tensor || d.axis == axis)
        && ctx.ty(d.q).dtype == out;
    same.then_some(d.q)
}

/// The scale and zero point of the QuantizeLinear that alone reads this
/// node's result (per tensor, f32 scale, 8-bit zero point).
struct Output {
    scale: ValueId,
    zero_point: ValueId,
}

fn output(ctx: &MapCtx) -> std::result::Result<Output, Why> {
    let q = ctx
        .scope
        .requantized_by
        .ok_or("no QuantizeLinear alone reads the result")?;
    let named = |i: usize| {
        q.input
            .get(i)
            .filter(|n| !n.is_empty())
            .and_then(|n| ctx.scope.names.get(n.as_str()).copied())
    };
    let (Some(scale), Some(zero_point)) = (named(1), named(2)) else {
        return Err("the QuantizeLinear after it has no zero point, or one computed later".into());
    };
    if count(ctx, scale) != Some(1) || count(ctx, zero_point) != Some(1) {
        return Err("the QuantizeLinear after it is not per tensor".into());
    }
    if ctx.ty(scale).dtype != DType::F32 {
        return Err("the QuantizeLinear after it has a scale that is not f32".into());
    }
    if !matches!(ctx.ty(zero_point).dtype, DType::I8 | DType::U8) {
        return Err(format!(
            "the QuantizeLinear after it quantizes to {}, not 8 bits",
            ctx.ty(zero_point).dtype
        ));
    }
    Ok(Output { scale, zero_point })
}

/// A dequantized value as the operand of a QLinear form (scalar scale and
/// zero point).
fn as_quantized(
    ctx: &mut MapCtx,
    q: ValueId,
    scale: ValueId,
    zero: Option<ValueId>,
) -> Result<Quantized> {
    let scale = ctx.reshape(scale, vec![])?;
    let zero = match zero {
        Some(z) => Some(ctx.reshape(z, vec![])?),
        None => None,
    };
    Ok(Quantized { x: q, scale, zero })
}

/// The float value of the 8-bit result `q`, `(q - zero) * scale` as
/// DequantizeLinear computes it, recorded as dequantized so that the
/// QuantizeLinear after the group (and other groups) read `q` itself.
fn dequantized_result(
    ctx: &mut MapCtx,
    q: ValueId,
    scale: ValueId,
    zero_point: Option<ValueId>,
) -> Result<ValueId> {
    let mut v = ctx.cast(q, DType::F32)?;
    if let Some(z) = zero_point {
        let z = ctx.reshape(z, vec![])?;
        let z = ctx.cast(z, DType::F32)?;
        v = ctx.binary(Binary::Sub, v, z)?;
    }
    let s = ctx.reshape(scale, vec![])?;
    let y = ctx.binary(Binary::Mul, v, s)?;
    ctx.record_dequantized(
        y,
        Dequantized {
            q,
            scale,
            zero_point,
            axis: 0,
        },
    );
    Ok(y)
}

/// The per-tensor 8-bit inputs of a group, all of one type.
fn data_inputs(ctx: &MapCtx, inputs: &[ValueId]) -> std::result::Result<Vec<Dequantized>, Why> {
    let ds = inputs
        .iter()
        .map(|&v| data(ctx, v))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let first = ds.first().map(|d| ctx.ty(d.q).dtype);
    if ds.iter().any(|d| Some(ctx.ty(d.q).dtype) != first) {
        return Err("the inputs mix int8 and uint8".into());
    }
    Ok(ds)
}

/// A group of `inputs`, the Q after it and a type check of the two.
fn group_with_output(ctx: &mut MapCtx, inputs: &[ValueId]) -> Option<(Vec<Dequantized>, Output)> {
    let ds = qualify(ctx, data_inputs(ctx, inputs))?;
    let out = qualify(ctx, output(ctx))?;
    let in_type = ctx.ty(ds[0].q).dtype;
    let out_type = ctx.ty(out.zero_point).dtype;
    if in_type != out_type {
        ctx.stays_float(format!(
            "the inputs are {in_type} and the QuantizeLinear after it {out_type}"
        ));
        return None;
    }
    Some((ds, out))
}

/// An Add or Mul of two dequantized 8-bit values read by a QuantizeLinear
/// alone: onnxruntime's QLinearAdd / QLinearMul into that Q's scale and
/// zero point.
pub(crate) fn binary(
    ctx: &mut MapCtx,
    kind: Binary,
    a: ValueId,
    b: ValueId,
) -> Result<Option<ValueId>> {
    let Some((ds, out)) = group_with_output(ctx, &[a, b]) else {
        return Ok(None);
    };
    let qa = as_quantized(ctx, ds[0].q, ds[0].scale, ds[0].zero_point)?;
    let qb = as_quantized(ctx, ds[1].q, ds[1].scale, ds[1].zero_point)?;
    let qc = as_quantized(ctx, out.scale, out.scale, Some(out.zero_point))?;
    let (y, form) = match kind {
        Binary::Add => (add_form(ctx, &qa, &qb, &qc)?, "QLinearAdd"),
        Binary::Mul => (mul_form(ctx, &qa, &qb, &qc)?, "QLinearMul"),
        _ => return Ok(None),
    };
    ctx.integer_form(format!(
        "{form}: 8-bit in and out, requantized in f32 with round half to even and saturation"
    ));
    dequantized_result(ctx, y, out.scale, Some(out.zero_point)).map(Some)
}

/// An AveragePool (`global`: GlobalAveragePool) of a dequantized 8-bit value
/// read by a QuantizeLinear alone: QLinearAveragePool /
/// QLinearGlobalAveragePool into that Q's scale and zero point.
pub(crate) fn average_pool(
    ctx: &mut MapCtx,
    x: ValueId,
    global: bool,
    pool: impl Fn(&mut MapCtx, ValueId, PoolKind) -> Result<ValueId>,
) -> Result<Option<ValueId>> {
    let Some((ds, out)) = group_with_output(ctx, &[x]) else {
        return Ok(None);
    };
    let qx = as_quantized(ctx, ds[0].q, ds[0].scale, ds[0].zero_point)?;
    let qy = as_quantized(ctx, out.scale, out.scale, Some(out.zero_point))?;
    let y = if global {
        ctx.integer_form(
            "QLinearGlobalAveragePool: i32 sum of the 8-bit values, requantized in f32 with round half to even and saturation",
        );
        global_average_pool_form(ctx, &qx, &qy, false)?
    } else {
        ctx.integer_form(
            "QLinearAveragePool: 8-bit in and out, the window mean requantized in f32 with round half to even and saturation",
        );
        average_pool_form(ctx, &qx, &qy, false, pool)?
    };
    dequantized_result(ctx, y, out.scale, Some(out.zero_point)).map(Some)
}

/// An elementwise unary op (`TableFn`) of a dequantized 8-bit value read
/// by a QuantizeLinear alone: a 256-entry table into that Q's scale and zero
/// point, gathered by the 8-bit codes. For Sigmoid and LeakyRelu it is
/// onnxruntime's QLinearSigmoid / QLinearLeakyRelu (its QDQ transformer
/// fuses the group into them); for the others onnxruntime runs the float op
/// between the DQ and the Q, and each entry is that f32 result quantized.
pub(crate) fn table(ctx: &mut MapCtx, x: ValueId, f: TableFn) -> Result<Option<ValueId>> {
    let Some((ds, out)) = group_with_output(ctx, &[x]) else {
        return Ok(None);
    };
    let qx = as_quantized(ctx, ds[0].q, ds[0].scale, ds[0].zero_point)?;
    let qy = as_quantized(ctx, out.scale, out.scale, Some(out.zero_point))?;
    let Some(y) = table_form(ctx, &qx, &qy, f)? else {
        ctx.stays_float(
            "a scale or zero point is computed at run time (the table is built at conversion time)",
        );
        return Ok(None);
    };
    let (op, fused) = f.op();
    ctx.integer_form(if fused {
        format!("{op}: a 256-entry table of the 8-bit codes, gathered by the 8-bit input")
    } else {
        format!(
            "{op} table: a 256-entry table of the 8-bit codes (each the f32 {op} of the dequantized code, quantized), gathered by the 8-bit input"
        )
    });
    dequantized_result(ctx, y, out.scale, Some(out.zero_point)).map(Some)
}

/// The 8-bit input of a MaxPool group: per tensor, with a constant positive
/// scale (so the largest 8-bit value is the largest real value).
pub(crate) fn max_pool_input(ctx: &mut MapCtx, x: ValueId) -> Option<Dequantized> {
    let d = qualify(ctx, data(ctx, x))?;
    let positive = ctx
        .graph
        .constant(d.scale)
        .is_some_and(|t| t.to_f64s().iter().all(|&s| s > 0.0));
    if !positive {
        ctx.stays_float("the scale is not a positive constant");
        return None;
    }
    Some(d)
}

/// The float result of a MaxPool group from the 8-bit pool `q` of `d.q`.
pub(crate) fn max_pool_result(ctx: &mut MapCtx, q: ValueId, d: &Dequantized) -> Result<ValueId> {
    ctx.integer_form("MaxPool on the 8-bit values (exact: the scale is positive)");
    dequantized_result(ctx, q, d.scale, d.zero_point)
}

/// A Concat of dequantized 8-bit values along `axis`: the 8-bit values
/// concatenated; with a QuantizeLinear alone after it, each input whose
/// scale or zero point differs from that Q's is first requantized to it (as
/// onnxruntime's QLinearConcat does); without one, the inputs must share
/// one scale and zero point.
pub(crate) fn concat(ctx: &mut MapCtx, inputs: &[ValueId], axis: usize) -> Result<Option<ValueId>> {
    let Some(ds) = qualify(ctx, data_inputs(ctx, inputs)) else {
        return Ok(None);
    };
    let (scale, zero_point, parts, requantized) = match output(ctx) {
        Ok(out) if ctx.ty(out.zero_point).dtype == ctx.ty(ds[0].q).dtype => {
            let target = (out.scale, Some(out.zero_point));
            let qy = as_quantized(ctx, out.scale, out.scale, Some(out.zero_point))?;
            let mut parts = Vec::with_capacity(ds.len());
            let mut requantized = 0;
            for d in &ds {
                if same_params(ctx, (d.scale, d.zero_point), target) {
                    parts.push(d.q);
                } else {
                    let qx = as_quantized(ctx, d.q, d.scale, d.zero_point)?;
                    parts.push(requantized_to(ctx, &qx, &qy)?);
                    requantized += 1;
                }
            }
            (out.scale, Some(out.zero_point), parts, requantized)
        }
        _ => {
            let first = (ds[0].scale, ds[0].zero_point);
            if ds
                .iter()
                .any(|d| !same_params(ctx, (d.scale, d.zero_point), first))
            {
                ctx.stays_float(
                    "the inputs' scales or zero points differ and no QuantizeLinear alone reads the result",
                );
                return Ok(None);
            }
            (first.0, first.1, ds.iter().map(|d| d.q).collect(), 0)
        }
    };
    let y = ctx.emit1(Op::Movement(Movement::Concat { axis }), &parts)?;
    ctx.integer_form(if requantized == 0 {
        "Concat of the 8-bit values (one scale and zero point: exact)".to_string()
    } else {
        format!(
            "QLinearConcat: Concat of the 8-bit values, {requantized} of {} requantized to the output's scale and zero point",
            ds.len()
        )
    });
    dequantized_result(ctx, y, scale, zero_point).map(Some)
}

/// A node that only moved one dequantized 8-bit value (per tensor) with
/// the ops from `first_new_node` on: the same moves on the 8-bit tensor,
/// and each output recorded as its dequantization, so a QuantizeLinear or a
/// group after the node reads 8-bit values. Returns whether it did.
/// (Moves select and rearrange elements: they commute with dequantizing.)
pub(crate) fn track_moves(
    graph: &mut Graph,
    tracked: &mut Tracked,
    first_new_node: usize,
    origin: &Origin,
    outputs: &[Option<ValueId>],
) -> Result<bool> {
    let moves = graph.nodes[first_new_node..].to_vec();
    let selects = |op: &Op| {
        matches!(
            op,
            Op::Movement(
                Movement::Reshape { .. }
                    | Movement::ReshapeTo { .. }
                    | Movement::Transpose { .. }
                    | Movement::Gather { .. }
                    | Movement::GatherElements { .. }
                    | Movement::GatherND { .. }
                    | Movement::SliceAt { .. }
                    | Movement::BroadcastTo { .. }
            )
        )
    };
    if moves.is_empty() || !moves.iter().all(|n| selects(&n.op)) {
        return Ok(false);
    }
    let mut seed: Option<(ValueId, Dequantized)> = None;
    let mut moved: HashMap<ValueId, ValueId> = HashMap::new();
    for n in &moves {
        let Some((&data, rest)) = n.inputs.split_first() else {
            return Ok(false);
        };
        let from = if let Some(&q) = moved.get(&data) {
            q
        } else if let Some((v, d)) = &seed {
            if *v != data {
                return Ok(false);
            }
            d.q
        } else {
            let Some(d) = tracked.dequantized.get(&data).cloned() else {
                return Ok(false);
            };
            let one = graph
                .ty(d.scale)
                .known_dims()
                .map(|k| k.iter().product::<u64>());
            if one != Some(1) {
                return Ok(false);
            }
            let q = d.q;
            seed = Some((data, d));
            q
        };
        // The other operands are indices, shapes and sizes: no float values.
        if rest.iter().any(|v| {
            moved.contains_key(v)
                || seed.as_ref().is_some_and(|(s, _)| s == v)
                || graph.ty(*v).dtype.is_float()
        }) {
            return Ok(false);
        }
        let mut ins = vec![from];
        ins.extend_from_slice(rest);
        let outs = graph.add_node(n.op.clone(), &ins, origin)?;
        for (f, q) in n.outputs.iter().zip(outs) {
            moved.insert(*f, q);
        }
    }
    let Some((_, d)) = seed else {
        return Ok(false);
    };
    let mut any = false;
    for out in outputs.iter().flatten() {
        if let Some(&q) = moved.get(out) {
            tracked.dequantized.insert(
                *out,
                Dequantized {
                    q,
                    scale: d.scale,
                    zero_point: d.zero_point,
                    axis: 0,
                },
            );
            any = true;
        }
    }
    Ok(any)
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
    fn a_depthwise_qdq_conv_is_a_grouped_quantized_conv() {
        let imported = M::new(13)
            .input(f32_in("x", &[1, 2, 4, 4]))
            .init(t_f32("s", &[], &[0.1]))
            .init(t_i8("z", &[], &[3]))
            .init(t_i8("wq", &[2, 1, 3, 3], &[5; 18]))
            .init(t_f32("ws", &[2], &[0.5, 0.25]))
            .init(t_i8("wz", &[2], &[0, 0]))
            .node(node("QuantizeLinear", "q", &["x", "s", "z"], &["xq"]))
            .node(node("DequantizeLinear", "dq", &["xq", "s", "z"], &["xd"]))
            .node(with_attrs(
                node("DequantizeLinear", "dqw", &["wq", "ws", "wz"], &["w"]),
                vec![a_int("axis", 0)],
            ))
            .node(with_attrs(
                node("Conv", "conv", &["xd", "w"], &["y"]),
                vec![a_ints("pads", &[1, 1, 1, 1]), a_int("group", 2)],
            ))
            .output("y")
            .import_warned(&Default::default())
            .unwrap();
        assert_eq!(
            imported.quantization,
            [
                r#"node "conv" (Conv, ai.onnx, opset 13 -> Conv-11): integer (QuantizedConv, depthwise, i32 accumulation)"#
            ]
        );
        let ops = op_names(&imported.graph);
        assert!(ops.contains(&"QuantizedConv"), "{ops:?}");
        assert!(!ops.contains(&"Conv"), "{ops:?}");
    }

    #[test]
    fn an_elementwise_unary_op_read_by_a_quantize_linear_is_a_table_gather() {
        for (op, form) in [
            ("Sigmoid", "QLinearSigmoid"),
            ("LeakyRelu", "QLinearLeakyRelu"),
            ("HardSwish", "HardSwish table"),
            ("HardSigmoid", "HardSigmoid table"),
            ("Relu", "Relu table"),
            ("Abs", "Abs table"),
            ("Neg", "Neg table"),
            ("Clip", "Clip table"),
        ] {
            let imported = M::new(14)
                .input(f32_in("x", &[2, 3]))
                .init(t_f32("s", &[], &[0.1]))
                .init(t_i8("z", &[], &[3]))
                .init(t_f32("so", &[], &[0.01]))
                .init(t_i8("zo", &[], &[-2]))
                .node(node("QuantizeLinear", "qx", &["x", "s", "z"], &["xq"]))
                .node(node("DequantizeLinear", "dqx", &["xq", "s", "z"], &["xd"]))
                .node(node(op, "op", &["xd"], &["r"]))
                .node(node("QuantizeLinear", "qo", &["r", "so", "zo"], &["out"]))
                .output("out")
                .import_warned(&Default::default())
                .unwrap();
            assert_eq!(imported.quantization.len(), 1);
            assert!(
                imported.quantization[0]
                    .contains(&format!("): integer ({form}: a 256-entry table")),
                "{:?}",
                imported.quantization
            );
            let g = &imported.graph;
            let ops = op_names(g);
            assert!(ops.contains(&"Gather"), "{ops:?}");
            assert!(!ops.contains(&op), "{ops:?}");
            // x's QuantizeLinear is the only rounding left.
            assert_eq!(ops.iter().filter(|&&o| o == "Round").count(), 1, "{ops:?}");
            assert_eq!(g.ty(g.outputs[0]).dtype, DType::I8);
        }
    }

    #[test]
    fn a_clip_with_constant_bounds_is_a_table_and_transcendental_ops_stay_float() {
        let group = |op: &str, inputs: &[&str]| {
            M::new(14)
                .input(f32_in("x", &[2, 3]))
                .init(t_f32("s", &[], &[0.1]))
                .init(t_i8("z", &[], &[3]))
                .init(t_f32("so", &[], &[0.01]))
                .init(t_i8("zo", &[], &[-2]))
                .init(t_f32("lo", &[], &[-0.5]))
                .init(t_f32("hi", &[], &[0.75]))
                .node(node("QuantizeLinear", "qx", &["x", "s", "z"], &["xq"]))
                .node(node("DequantizeLinear", "dqx", &["xq", "s", "z"], &["xd"]))
                .node(node(op, "op", inputs, &["r"]))
                .node(node("QuantizeLinear", "qo", &["r", "so", "zo"], &["out"]))
                .output("out")
                .import_warned(&Default::default())
                .unwrap()
                .quantization
        };
        let clip = group("Clip", &["xd", "lo", "hi"]);
        assert!(clip[0].contains("): integer (Clip table: "), "{clip:?}");
        let mean = M::new(14)
            .input(f32_in("x", &[2, 3]))
            .init(t_f32("s", &[], &[0.1]))
            .init(t_i8("z", &[], &[3]))
            .init(t_f32("so", &[], &[0.01]))
            .init(t_i8("zo", &[], &[-2]))
            .node(node("QuantizeLinear", "qx", &["x", "s", "z"], &["xq"]))
            .node(node("DequantizeLinear", "dqx", &["xq", "s", "z"], &["xd"]))
            .node(node("ReduceMean", "op", &["xd"], &["r"]))
            .node(node("QuantizeLinear", "qo", &["r", "so", "zo"], &["out"]))
            .output("out")
            .import_warned(&Default::default())
            .unwrap()
            .quantization;
        assert!(
            mean[0].contains("stays float: onnxruntime runs ReduceMean in float"),
            "{mean:?}"
        );
        let tanh = group("Tanh", &["xd"]);
        assert!(
            tanh[0].contains("stays float: Tanh is not made a table (a table must hold onnxruntime's f32 Tanh bit for bit"),
            "{tanh:?}"
        );
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

    /// x, y -> Q -> DQ -> `op` -> (Q -> DQ when `requantized`) -> out.
    fn qdq_binary(op: &str, requantized: bool) -> M {
        let m = M::new(13)
            .input(f32_in("x", &[2, 3]))
            .input(f32_in("y", &[2, 3]))
            .init(t_f32("s", &[], &[0.1]))
            .init(t_i8("z", &[], &[3]))
            .init(t_f32("so", &[], &[0.25]))
            .init(t_i8("zo", &[], &[-2]))
            .node(node("QuantizeLinear", "qx", &["x", "s", "z"], &["xq"]))
            .node(node("DequantizeLinear", "dqx", &["xq", "s", "z"], &["xd"]))
            .node(node("QuantizeLinear", "qy", &["y", "s", "z"], &["yq"]))
            .node(node("DequantizeLinear", "dqy", &["yq", "s", "z"], &["yd"]))
            .node(node(op, "op", &["xd", "yd"], &["r"]));
        if requantized {
            m.node(node("QuantizeLinear", "qo", &["r", "so", "zo"], &["rq"]))
                .node(node(
                    "DequantizeLinear",
                    "dqo",
                    &["rq", "so", "zo"],
                    &["out"],
                ))
                .output("out")
        } else {
            m.output("r")
        }
    }

    #[test]
    fn an_add_or_mul_read_by_a_quantize_linear_is_its_qlinear_form() {
        for (op, form) in [("Add", "QLinearAdd"), ("Mul", "QLinearMul")] {
            let notes = qdq_binary(op, true)
                .import_warned(&Default::default())
                .unwrap()
                .quantization;
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert!(
                notes[0].contains(&format!("): integer ({form}: 8-bit in and out")),
                "{notes:?}"
            );
            // The Q after the group takes the 8-bit result as it is: one
            // Round (the requantization) and no float op of the inputs.
            let g = qdq_binary(op, true).import().unwrap();
            let ops = op_names(&g);
            assert_eq!(ops.iter().filter(|&&o| o == "Round").count(), 3, "{ops:?}");
        }
    }

    #[test]
    fn an_add_without_a_quantize_linear_after_it_stays_float() {
        let notes = qdq_binary("Add", false)
            .import_warned(&Default::default())
            .unwrap()
            .quantization;
        assert_eq!(
            notes,
            [
                r#"node "op" (Add, ai.onnx, opset 13 -> Add-13): stays float: no QuantizeLinear alone reads the result"#
            ]
        );
    }

    #[test]
    fn a_concat_of_one_scale_is_a_concat_of_the_8_bit_values() {
        let imported = M::new(13)
            .input(f32_in("x", &[2, 3]))
            .input(f32_in("y", &[2, 3]))
            .init(t_f32("s", &[], &[0.1]))
            .init(t_i8("z", &[], &[3]))
            .init(t_f32("s2", &[], &[0.1]))
            .init(t_i8("z2", &[], &[3]))
            .node(node("QuantizeLinear", "qx", &["x", "s", "z"], &["xq"]))
            .node(node("DequantizeLinear", "dqx", &["xq", "s", "z"], &["xd"]))
            .node(node("QuantizeLinear", "qy", &["y", "s2", "z2"], &["yq"]))
            .node(node(
                "DequantizeLinear",
                "dqy",
                &["yq", "s2", "z2"],
                &["yd"],
            ))
            .node(with_attrs(
                node("Concat", "cat", &["xd", "yd"], &["r"]),
                vec![a_int("axis", 0)],
            ))
            .output("r")
            .import_warned(&Default::default())
            .unwrap();
        assert_eq!(
            imported.quantization,
            [concat!(
                r#"node "cat" (Concat, ai.onnx, opset 13 -> Concat-13): "#,
                "integer (Concat of the 8-bit values (one scale and zero point: exact))"
            )]
        );
        let g = &imported.graph;
        let concat = g.nodes.iter().find(|n| n.op.name() == "Concat").unwrap();
        assert_eq!(g.ty(concat.outputs[0]).dtype, DType::I8);
    }

    #[test]
    fn an_add_whose_result_has_another_reader_stays_float() {
        let imported = qdq_binary("Add", true)
            .node(node("Relu", "relu", &["r"], &["other"]))
            .output("other")
            .import_warned(&Default::default())
            .unwrap();
        assert!(
            imported.quantization[0]
                .ends_with("stays float: no QuantizeLinear alone reads the result"),
            "{:?}",
            imported.quantization
        );
    }

    #[test]
    fn a_max_pool_and_a_reshape_move_the_8_bit_values_and_the_q_after_takes_them() {
        let imported = M::new(13)
            .input(f32_in("x", &[1, 1, 4, 4]))
            .init(t_f32("s", &[], &[0.1]))
            .init(t_i8("z", &[], &[3]))
            .init(TensorProto {
                name: Some("shape".into()),
                dims: vec![2],
                data_type: Some(7),
                int64_data: vec![1, 4],
                ..Default::default()
            })
            .node(node("QuantizeLinear", "q", &["x", "s", "z"], &["xq"]))
            .node(node("DequantizeLinear", "dq", &["xq", "s", "z"], &["xd"]))
            .node(with_attrs(
                node("MaxPool", "pool", &["xd"], &["p"]),
                vec![a_ints("kernel_shape", &[2, 2]), a_ints("strides", &[2, 2])],
            ))
            .node(node("Reshape", "flat", &["p", "shape"], &["f"]))
            .node(node("QuantizeLinear", "q2", &["f", "s", "z"], &["out"]))
            .output("out")
            .import_warned(&Default::default())
            .unwrap();
        let lines: Vec<&str> = imported
            .quantization
            .iter()
            .map(|l| l.split("): ").nth(1).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                "integer (MaxPool on the 8-bit values (exact: the scale is positive))",
                "integer (the same moves on the 8-bit values)"
            ]
        );
        // x's QuantizeLinear is the only float op left: the output is the
        // reshaped 8-bit pool.
        let g = &imported.graph;
        let ops = op_names(g);
        assert_eq!(ops.iter().filter(|&&o| o == "Round").count(), 1, "{ops:?}");
        assert!(!ops.contains(&"Mul"), "{ops:?}");
        assert_eq!(g.ty(g.outputs[0]).dtype, DType::I8);
    }
}
