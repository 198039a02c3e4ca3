//! Quantization, composed from casts and arithmetic as the ONNX reference
//! computes it: QuantizeLinear (per tensor, per axis, blocked; integer,
//! float8 and float4 targets), DequantizeLinear, DynamicQuantizeLinear, and
//! the integer kernels MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv
//! (requantized through f64) over the integer accumulators of `integer.rs`.
//! DequantizeLinear records what it dequantizes (`MapCtx::record_dequantized`)
//! for the QDQ groups of `qdq.rs`.
use super::ctx::{Dequantized, MapCtx, Rule, row};
pub(crate) use super::integer::{column, shifted};
use super::integer::{integer_conv, integer_matmul, per_channel};
pub(crate) use super::qlinear::{int_range, round_clamp_cast};
use crate::tensor::dtype_of;
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Elementwise, Movement, Reduce, ReduceKind, Unary};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "QuantizeLinear",
        &[10, 13, 19, 21, 23, 24, 25, 28],
        &[
            "Div", "Round", "Add", "Clamp", "IsNaN", "Select", "Cast", "Reshape", "Gather",
        ],
        quantize_linear,
        "round(x / scale) + zero point, clamped (integers: saturated in f32 first, NaN to the lowest value, as onnxruntime); saturating or not (float8); per tensor, axis or block",
    ),
    row(
        "DequantizeLinear",
        &[10, 13, 19, 21, 23, 24, 25, 28],
        &["Cast", "Sub", "Mul", "Reshape", "Gather"],
        dequantize_linear,
        "(x - zero point) * scale in f32, then the scale's type (or output_dtype)",
    ),
    row(
        "DynamicQuantizeLinear",
        &[11],
        &[
            "ReduceMax",
            "ReduceMin",
            "Max",
            "Min",
            "Sub",
            "Div",
            "Round",
            "Clamp",
            "Cast",
            "Add",
            "Equal",
            "Neg",
            "Select",
        ],
        dynamic_quantize_linear,
        "uint8 with the scale and zero point from the tensor's range (0 included)",
    ),
    row(
        "MatMulInteger",
        &[10],
        &["QuantizedMatMul", "Cast", "Sub", "MatMul", "Reshape"],
        matmul_integer,
        "QuantizedMatMul (per-tensor zero points); else i32 MatMul of zero-point-shifted operands",
    ),
    row(
        "ConvInteger",
        &[10],
        &["QuantizedConv", "Cast", "Sub", "Conv", "Reshape"],
        conv_integer,
        "QuantizedConv (2-D, any groups, per-tensor zero points); else i32 Conv of zero-point-shifted operands",
    ),
    row(
        "QLinearMatMul",
        &[10, 21],
        &[
            "QuantizedMatMul",
            "Cast",
            "Sub",
            "MatMul",
            "Mul",
            "Div",
            "Add",
            "Round",
            "Clamp",
            "Reshape",
        ],
        qlinear_matmul,
        "QuantizedMatMul (or i32 MatMul), rescaled by a_scale*b_scale/y_scale in f64, rounded, clamped",
    ),
    row(
        "QLinearConv",
        &[10],
        &[
            "QuantizedConv",
            "Cast",
            "Sub",
            "Conv",
            "Mul",
            "Div",
            "Add",
            "Round",
            "Clamp",
            "Reshape",
        ],
        qlinear_conv,
        "QuantizedConv (or i32 Conv) (+ i32 bias), rescaled by x_scale*w_scale/y_scale in f64, clamped, rounded",
    ),
];

fn un(ctx: &mut MapCtx, u: Unary, x: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[x])
}

/// A scale or zero point made to broadcast against `x` (dims `xd`): scalars
/// (or one element) stay scalars, 1-D per-axis values become `(1.., n, 1..)`,
/// blocked ones (same rank as x) repeat each entry `block` times along `axis`.
fn broadcast_param(
    ctx: &mut MapCtx,
    p: ValueId,
    xd: &[Dim],
    axis: usize,
    block: u64,
) -> Result<ValueId> {
    let pt = ctx.ty(p);
    let pd = pt.static_dims("a quantization parameter")?;
    let count: u64 = pd.iter().product();
    if count == 1 {
        return ctx.reshape(p, vec![]);
    }
    if axis >= xd.len() {
        return Err(Error::invalid(format!(
            "the quantization axis is out of range for a rank-{} input",
            xd.len()
        )));
    }
    if block == 0 {
        if pd.len() != 1 {
            return Err(Error::invalid(format!(
                "a per-axis quantization parameter must be 1-D, got {pt}"
            )));
        }
        let mut shape = vec![Dim::Known(1); xd.len()];
        shape[axis] = Dim::Known(count);
        return ctx.reshape(p, shape);
    }
    let Some(Dim::Known(len)) = xd.get(axis) else {
        return Err(Error::unsupported(
            "blocked quantization along a symbolic dim",
        ));
    };
    if pd.len() != xd.len() || pd[axis] != len.div_ceil(block) {
        return Err(Error::invalid(format!(
            "a blocked quantization parameter must have x's rank and {} blocks along axis {axis}, got {pt}",
            len.div_ceil(block)
        )));
    }
    let picks: Vec<i64> = (0..*len).map(|i| (i / block) as i64).collect();
    let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![*len], &picks)?)?;
    ctx.emit1(Op::Movement(Movement::Gather { axis }), &[p, idx])
}

/// `axis` and `block_size` of a quantization node, `axis` normalised for
/// `rank` (an axis that only per-tensor parameters see is not checked).
fn axis_and_block(ctx: &MapCtx, rank: usize) -> Result<(usize, u64)> {
    let axis = ctx.attrs.int_or("axis", 1)?;
    let axis = normalize_axis(axis, rank).unwrap_or(usize::MAX);
    let block = if ctx.version >= 21 {
        ctx.attrs.int_or("block_size", 0)?
    } else {
        0
    };
    let block = u64::try_from(block)
        .map_err(|_| Error::invalid(format!("block_size must not be negative, got {block}")))?;
    Ok((axis, block))
}

pub(crate) fn quantize_linear(ctx: &mut MapCtx) -> Result<()> {
    let (x, scale) = (ctx.input(0)?, ctx.input(1)?);
    let zp = ctx.opt_input(2);
    let xt = ctx.ty(x);
    let (axis, block) = axis_and_block(ctx, xt.rank())?;
    let saturate = ctx.attrs.int_or("saturate", 1)? != 0;
    let out_attr = if ctx.version >= 21 {
        ctx.attrs.int("output_dtype")?.filter(|&c| c != 0)
    } else {
        None
    };
    let out = match (zp, out_attr) {
        (Some(z), _) => ctx.ty(z).dtype,
        (None, Some(code)) => dtype_of(code as i32, "attribute \"output_dtype\"")?,
        (None, None) => DType::U8,
    };
    // The division's type: `precision` (23+), else numpy's promotion of x and scale.
    let precision = if ctx.version >= 23 {
        ctx.attrs.int("precision")?.filter(|&c| c != 0)
    } else {
        None
    };
    let st = ctx.ty(scale).dtype;
    let work = match precision {
        Some(code) => dtype_of(code as i32, "attribute \"precision\"")?,
        // An int32 input divides in f64, as numpy promotes it.
        None if !xt.dtype.is_float() => DType::F64,
        None if st.is_float() && st.bit_width() > xt.dtype.bit_width() => st,
        None => xt.dtype,
    };
    // The 8-bit tensor a DequantizeLinear with these parameters made: itself.
    if block == 0
        && let Some(q) = super::qdq::unquantized(ctx, x, scale, zp, axis, out)
    {
        return ctx.bind(0, q);
    }
    let s = broadcast_param(ctx, scale, &xt.shape, axis, block)?;
    let s = ctx.cast(s, work)?;
    let xw = ctx.cast(x, work)?;
    let q = ctx.binary(Binary::Div, xw, s)?;
    let y = if let Some((lo, hi)) = int_range(out) {
        // rint(x / scale) as i32, plus the zero point, clamped.
        let mut r = un(ctx, Unary::Round, q)?;
        let span = hi - lo;
        if span <= 65535.0 {
            // Saturate before the i32 cast: beyond +-span the result is
            // lo or hi whatever the zero point, and an f32 beyond i32's
            // range (or NaN) has no i32 value. NaN gives lo, as
            // onnxruntime's MLAS quantizer does.
            r = un(
                ctx,
                Unary::Clamp {
                    min: -span,
                    max: span,
                },
                r,
            )?;
            let nan = ctx.unary(Unary::IsNaN, r)?;
            let low = ctx.scalar(work, -span)?;
            r = ctx.emit1(Op::Elementwise(Elementwise::Select), &[nan, low, r])?;
        }
        let mut r = ctx.cast(r, DType::I32)?;
        if let Some(z) = zp {
            let z = broadcast_param(ctx, z, &xt.shape, axis, block)?;
            let z = ctx.cast(z, DType::I32)?;
            r = ctx.binary(Binary::Add, r, z)?;
        }
        let c = un(ctx, Unary::Clamp { min: lo, max: hi }, r)?;
        ctx.cast(c, out)?
    } else if out == DType::F4E2M1 {
        let q = match zp {
            Some(z) => {
                let z = broadcast_param(ctx, z, &xt.shape, axis, block)?;
                let z = ctx.cast(z, work)?;
                ctx.binary(Binary::Add, q, z)?
            }
            None => q,
        };
        ctx.cast(q, out)?
    } else if out.is_narrow_float() && out != DType::F8E8M0 {
        // Float8: the zero point must be 0 and is not added.
        ctx.emit1(
            Op::Elementwise(Elementwise::Cast {
                to: out,
                saturate,
                e8m0: Default::default(),
            }),
            &[q],
        )?
    } else {
        return Err(Error::unsupported(format!(
            "QuantizeLinear to {out}: not a quantized type"
        )));
    };
    ctx.bind(0, y)
}

pub(crate) fn dequantize_linear(ctx: &mut MapCtx) -> Result<()> {
    let (x, scale) = (ctx.input(0)?, ctx.input(1)?);
    let zp = ctx.opt_input(2);
    let xt = ctx.ty(x);
    let (axis, block) = axis_and_block(ctx, xt.rank())?;
    let st = ctx.ty(scale).dtype;
    let out = match ctx
        .attrs
        .int("output_dtype")?
        .filter(|&c| c != 0 && ctx.version >= 23)
    {
        Some(code) => dtype_of(code as i32, "attribute \"output_dtype\"")?,
        None => st,
    };
    let work = if st == DType::F64 {
        DType::F64
    } else {
        DType::F32
    };
    let mut dx = ctx.cast(x, work)?;
    if let Some(z) = zp
        && !xt.dtype.is_narrow_float()
    {
        let z = broadcast_param(ctx, z, &xt.shape, axis, block)?;
        let z = ctx.cast(z, work)?;
        dx = ctx.binary(Binary::Sub, dx, z)?;
    }
    let s = broadcast_param(ctx, scale, &xt.shape, axis, block)?;
    let s = ctx.cast(s, work)?;
    let y = ctx.binary(Binary::Mul, dx, s)?;
    let y = ctx.cast(y, out)?;
    // An 8-bit tensor dequantized to f32 per tensor or per axis: a consumer
    // may run an integer kernel on `x` instead (qdq.rs).
    if matches!(xt.dtype, DType::I8 | DType::U8)
        && block == 0
        && st == DType::F32
        && out == DType::F32
    {
        let d = Dequantized {
            q: x,
            scale,
            zero_point: zp,
            axis,
        };
        ctx.record_dequantized(y, d);
    }
    if xt.dtype == DType::I32 && block == 0 && out == DType::F32 {
        ctx.record_dequantized_i32(y, x);
    }
    ctx.bind(0, y)
}

fn dynamic_quantize_linear(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let (y, scale, zp) = dynamic_quantize(ctx, x)?;
    ctx.bind(0, y)?;
    if ctx.output_wanted(1) {
        ctx.bind(1, scale)?;
    }
    if ctx.output_wanted(2) {
        ctx.bind(2, zp)?;
    }
    Ok(())
}

/// DynamicQuantizeLinear of `x`: the u8 values, the scale and the zero point
/// (DynamicQuantizeMatMul in com.microsoft quantizes its input the same way).
pub(crate) fn dynamic_quantize(
    ctx: &mut MapCtx,
    x: ValueId,
) -> Result<(ValueId, ValueId, ValueId)> {
    let xt = ctx.ty(x);
    if xt.dtype != DType::F32 {
        return Err(Error::invalid(format!(
            "DynamicQuantizeLinear takes f32, got {}",
            xt.dtype
        )));
    }
    let all = |kind| {
        Op::Reduce(Reduce {
            kind,
            axes: (0..xt.rank()).collect(),
            keep_dims: false,
        })
    };
    let hi = ctx.emit1(all(ReduceKind::Max), &[x])?;
    let lo = ctx.emit1(all(ReduceKind::Min), &[x])?;
    let zero = ctx.scalar(DType::F32, 0.0)?;
    let hi = ctx.binary(Binary::Max, hi, zero)?;
    let lo = ctx.binary(Binary::Min, lo, zero)?;
    // scale = (hi - lo, or 1 when equal) / 255
    let span = ctx.binary(Binary::Sub, hi, lo)?;
    let same = ctx.emit1(
        Op::Elementwise(Elementwise::Compare(o2l_canon::ops::Compare::Equal)),
        &[hi, lo],
    )?;
    let one = ctx.scalar(DType::F32, 1.0)?;
    let span = ctx.emit1(Op::Elementwise(Elementwise::Select), &[same, one, span])?;
    let range = ctx.scalar(DType::F32, 255.0)?;
    let scale = ctx.binary(Binary::Div, span, range)?;
    // zero point = rint(clamp(0 - lo / scale, 0, 255))
    let ls = ctx.binary(Binary::Div, lo, scale)?;
    let izp = un(ctx, Unary::Neg, ls)?;
    let izp = un(
        ctx,
        Unary::Clamp {
            min: 0.0,
            max: 255.0,
        },
        izp,
    )?;
    let zpf = un(ctx, Unary::Round, izp)?;
    let zp = ctx.cast(zpf, DType::U8)?;
    let q = ctx.binary(Binary::Div, x, scale)?;
    let q = un(ctx, Unary::Round, q)?;
    let q = ctx.binary(Binary::Add, q, zpf)?;
    let y = round_clamp_cast(ctx, q, 0.0, 255.0, DType::U8)?;
    Ok((y, scale, zp))
}

fn matmul_integer(ctx: &mut MapCtx) -> Result<()> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let (azp, bzp) = (ctx.opt_input(2), ctx.opt_input(3));
    let y = integer_matmul(ctx, a, b, azp, bzp)?;
    ctx.bind(0, y)
}

fn conv_integer(ctx: &mut MapCtx) -> Result<()> {
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let (xzp, wzp) = (ctx.opt_input(2), ctx.opt_input(3));
    let op = super::conv::conv_op(ctx, x, w)?;
    let y = integer_conv(ctx, op, x, w, xzp, wzp)?;
    ctx.bind(0, y)
}

/// `round(acc * (s1 * s2 / sy) + zp)` clamped to the output type, through f64
/// as numpy promotes an i32 product by f32 scales. With `clamp_first`, the
/// clamp comes before the rounding (QLinearConv's reference order).
#[allow(clippy::too_many_arguments)]
fn requantize(
    ctx: &mut MapCtx,
    acc: ValueId,
    s1: ValueId,
    s2: ValueId,
    sy: ValueId,
    zp: ValueId,
    clamp_first: bool,
) -> Result<ValueId> {
    let st = ctx.ty(s1).dtype;
    let s2 = ctx.cast(s2, st)?;
    let sy_c = ctx.cast(sy, st)?;
    let m = ctx.binary(Binary::Mul, s1, s2)?;
    let m = ctx.binary(Binary::Div, m, sy_c)?;
    let m = ctx.cast(m, DType::F64)?;
    let acc = ctx.cast(acc, DType::F64)?;
    let v = ctx.binary(Binary::Mul, acc, m)?;
    let out = ctx.ty(zp).dtype;
    let zf = ctx.cast(zp, DType::F64)?;
    let v = ctx.binary(Binary::Add, v, zf)?;
    let (lo, hi) = int_range(out).ok_or_else(|| {
        Error::invalid(format!(
            "the output zero point must be an integer type, got {out}"
        ))
    })?;
    if clamp_first {
        let c = un(ctx, Unary::Clamp { min: lo, max: hi }, v)?;
        let r = un(ctx, Unary::Round, c)?;
        ctx.cast(r, out)
    } else {
        round_clamp_cast(ctx, v, lo, hi, out)
    }
}

fn qlinear_matmul(ctx: &mut MapCtx) -> Result<()> {
    let [a, a_s, a_zp, b, b_s, b_zp, y_s, y_zp] = [0, 1, 2, 3, 4, 5, 6, 7].map(|i| ctx.input(i));
    let (a, a_s, a_zp, b, b_s, b_zp, y_s, y_zp) = (a?, a_s?, a_zp?, b?, b_s?, b_zp?, y_s?, y_zp?);
    let col = column(ctx, a);
    let a_scale = match (
        &col,
        ctx.ty(a_s).static_dims("a_scale")?.iter().product::<u64>(),
    ) {
        (Some(shape), n) if n > 1 => ctx.reshape(a_s, shape.clone())?,
        _ => ctx.reshape(a_s, vec![])?,
    };
    let b_scale = if ctx.ty(b_s).static_dims("b_scale")?.iter().product::<u64>() > 1 {
        b_s
    } else {
        ctx.reshape(b_s, vec![])?
    };
    let acc = integer_matmul(ctx, a, b, Some(a_zp), Some(b_zp))?;
    let y_zp = ctx.reshape(y_zp, vec![])?;
    let y_s = ctx.reshape(y_s, vec![])?;
    let y = requantize(ctx, acc, a_scale, b_scale, y_s, y_zp, false)?;
    ctx.bind(0, y)
}

fn qlinear_conv(ctx: &mut MapCtx) -> Result<()> {
    let [x, x_s, x_zp, w, w_s, w_zp, y_s, y_zp] = [0, 1, 2, 3, 4, 5, 6, 7].map(|i| ctx.input(i));
    let (x, x_s, x_zp, w, w_s, w_zp, y_s, y_zp) = (x?, x_s?, x_zp?, w?, w_s?, w_zp?, y_s?, y_zp?);
    let bias = ctx.opt_input(8);
    let op = super::conv::conv_op(ctx, x, w)?;
    let wshape = per_channel(ctx, w)?;
    let mut acc = integer_conv(ctx, op, x, w, Some(x_zp), Some(w_zp))?;
    if let Some(b) = bias {
        // The i32 bias per output channel, added to the exact i32 sums.
        let b = ctx.cast(b, DType::I32)?;
        let mut shape = wshape.clone();
        shape.insert(0, Dim::Known(1));
        shape.pop();
        let b = ctx.reshape(b, shape)?;
        acc = ctx.binary(Binary::Add, acc, b)?;
    }
    // Per-channel weight scales broadcast over (N, M, spatial..).
    let w_scale = if ctx.ty(w_s).static_dims("w_scale")?.iter().product::<u64>() > 1 {
        let mut shape = wshape;
        shape.insert(0, Dim::Known(1));
        shape.pop();
        ctx.reshape(w_s, shape)?
    } else {
        ctx.reshape(w_s, vec![])?
    };
    let x_s = ctx.reshape(x_s, vec![])?;
    let y_s = ctx.reshape(y_s, vec![])?;
    let y_zp = ctx.reshape(y_zp, vec![])?;
    let y = requantize(ctx, acc, x_s, w_scale, y_s, y_zp, true)?;
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn blocked_quantization_repeats_scales_and_clamps_to_the_zero_point_type() {
        let g = M::new(21)
            .input(f32_in("x", &[2, 6]))
            .input(f32_in("s", &[2, 3]))
            .input(vi("z", 3, &[D::N(2), D::N(3)]))
            .node(with_attrs(
                node("QuantizeLinear", "q", &["x", "s", "z"], &["y"]),
                vec![a_int("axis", 1), a_int("block_size", 2)],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.ty(g.outputs[0]).dtype, DType::I8);
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        for want in ["Gather", "Div", "Round", "Clamp"] {
            assert!(ops.contains(&want), "{want} missing from {ops:?}");
        }
        let e = M::new(21)
            .input(f32_in("x", &[2, 6]))
            .input(f32_in("s", &[2, 2]))
            .node(with_attrs(
                node("QuantizeLinear", "q", &["x", "s"], &["y"]),
                vec![a_int("axis", 1), a_int("block_size", 2)],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.message.contains("3 blocks along axis 1"), "{e}");
    }
}
