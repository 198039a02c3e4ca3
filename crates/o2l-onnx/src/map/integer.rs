//! The i32 accumulators of the integer kernels, shared by the ONNX integer
//! ops (quant.rs) and the QDQ groups (qdq.rs): `QuantizedMatMul` /
//! `QuantizedConv` on the 8-bit operands with scalar i32 zero points when each
//! zero point is one value (or per-channel and all 0); otherwise the zero
//! points are subtracted into i32 tensors and an i32 MatMul / Conv runs.
use super::ctx::MapCtx;
use o2l_canon::Builder;
use o2l_canon::ops::linear::is_quantized_operand;
use o2l_canon::ops::{Binary, Conv, Linear, QuantizedConv};
use o2l_canon::{DType, Dim, Error, Op, Result, ValueId};

/// `v - zero_point` in i32; `zp_shape` reshapes a per-row/channel zero point.
pub(crate) fn shifted(
    ctx: &mut MapCtx,
    v: ValueId,
    zp: Option<ValueId>,
    zp_shape: Option<Vec<Dim>>,
) -> Result<ValueId> {
    let v = ctx.cast(v, DType::I32)?;
    let Some(z) = zp else { return Ok(v) };
    let count = ctx
        .ty(z)
        .static_dims("a zero point")?
        .iter()
        .product::<u64>();
    let z = match zp_shape {
        Some(shape) if count > 1 => ctx.reshape(z, shape)?,
        _ if count == 1 => ctx.reshape(z, vec![])?,
        _ => z,
    };
    let z = ctx.cast(z, DType::I32)?;
    ctx.binary(Binary::Sub, v, z)
}

/// Per-row zero point/scale of a matmul's left operand: `(M, 1)`.
pub(crate) fn column(ctx: &MapCtx, a: ValueId) -> Option<Vec<Dim>> {
    let at = ctx.ty(a);
    let m = at.shape.get(at.rank().checked_sub(2)?)?.clone();
    Some(vec![m, Dim::Known(1)])
}

/// A zero point as the 0-d i32 operand of the integer kernels: absent (0),
/// one value, or several that are all constant 0 (symmetric per-channel
/// quantization). `None` when it varies along an axis.
pub(crate) fn scalar_zero_point(ctx: &mut MapCtx, zp: Option<ValueId>) -> Result<Option<ValueId>> {
    let Some(z) = zp else {
        return ctx.scalar(DType::I32, 0.0).map(Some);
    };
    let count: u64 = ctx.ty(z).static_dims("a zero point")?.iter().product();
    if count == 1 {
        let z = ctx.reshape(z, vec![])?;
        return ctx.cast(z, DType::I32).map(Some);
    }
    match ctx.graph.constant(z) {
        Some(t) if t.to_i64s().iter().all(|&v| v == 0) => ctx.scalar(DType::I32, 0.0).map(Some),
        _ => Ok(None),
    }
}

/// Whether `QuantizedMatMul` takes these shapes: `(.., M, K) x (K, N)`, or
/// `(B, M, K) x (B, K, N)` with the same known batch.
pub(crate) fn quantized_matmul_shapes(ctx: &MapCtx, a: ValueId, b: ValueId) -> bool {
    let (at, bt) = (ctx.ty(a), ctx.ty(b));
    if !is_quantized_operand(&at) || !is_quantized_operand(&bt) || at.rank() < 2 {
        return false;
    }
    match bt.rank() {
        2 => true,
        3 => at.rank() == 3 && at.shape[0].known().is_some() && at.shape[0] == bt.shape[0],
        _ => false,
    }
}

/// The i32 accumulator `sum_k (a - a_zp) * (b - b_zp)` of a matmul: an
/// integer kernel when the zero points are scalars, else i32 tensors.
pub(crate) fn integer_matmul(
    ctx: &mut MapCtx,
    a: ValueId,
    b: ValueId,
    azp: Option<ValueId>,
    bzp: Option<ValueId>,
) -> Result<ValueId> {
    if quantized_matmul_shapes(ctx, a, b)
        && let Some(az) = scalar_zero_point(ctx, azp)?
        && let Some(bz) = scalar_zero_point(ctx, bzp)?
    {
        return ctx.emit1(Op::Linear(Linear::QuantizedMatMul), &[a, b, az, bz]);
    }
    let col = column(ctx, a);
    let a = shifted(ctx, a, azp, col)?;
    let b = shifted(ctx, b, bzp, None)?;
    ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])
}

/// Zero point or scale per output channel of a conv filter `(M, 1, 1..)`.
pub(crate) fn per_channel(ctx: &MapCtx, w: ValueId) -> Result<Vec<Dim>> {
    let wt = ctx.ty(w);
    let Some(channels) = wt.shape.first() else {
        return Err(Error::invalid(
            "the filter is a scalar; it needs an output-channel dim",
        ));
    };
    let mut shape = vec![Dim::Known(1); wt.rank()];
    shape[0] = channels.clone();
    Ok(shape)
}

/// The i32 accumulator of a convolution `op` (from `conv_op`) of 8-bit `x`
/// and `w`: `QuantizedConv` for a 2-D convolution (grouped or not) with
/// scalar zero points, else an i32 Conv of zero-point-shifted tensors.
pub(crate) fn integer_conv(
    ctx: &mut MapCtx,
    op: Op,
    x: ValueId,
    w: ValueId,
    xzp: Option<ValueId>,
    wzp: Option<ValueId>,
) -> Result<ValueId> {
    if let Some(q) = as_quantized_conv(&op)
        && ctx.ty(x).rank() == 4
        && is_quantized_operand(&ctx.ty(x))
        && is_quantized_operand(&ctx.ty(w))
        && let Some(xz) = scalar_zero_point(ctx, xzp)?
        && let Some(wz) = scalar_zero_point(ctx, wzp)?
    {
        return ctx.emit1(Op::QuantizedConv(q), &[x, w, xz, wz]);
    }
    let wshape = per_channel(ctx, w)?;
    let x = shifted(ctx, x, xzp, None)?;
    let w = shifted(ctx, w, wzp, Some(wshape))?;
    ctx.emit1(op, &[x, w])
}

/// The `QuantizedConv` of a `Conv` (what `conv_op` gives), grouped or not.
pub(crate) fn as_quantized_conv(op: &Op) -> Option<QuantizedConv> {
    match op {
        Op::Conv(Conv {
            strides,
            dilations,
            pads,
            groups,
        }) => Some(QuantizedConv {
            strides: strides.clone(),
            dilations: dilations.clone(),
            pads: pads.clone(),
            groups: *groups,
        }),
        _ => None,
    }
}
