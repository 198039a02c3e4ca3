//! onnxruntime's quantized `com.microsoft` contrib ops on 8-bit values: the
//! QLinear ops (dequantize, compute in f32, requantize with round half to
//! even and saturation, as the CPU kernels do) and QGemm. Block-wise 4-bit
//! weights and the f32-output integer matmuls are in `contrib_blockwise.rs`.
use super::contrib::last_two_swapped;
use super::ctx::{MapCtx, Rule, versioned};
use super::pool::pool_op;
use super::qlinear::{
    Quantized, TableFn, add_form, average_pool_form, global_average_pool_form, in_scale_of,
    mul_form, ratio, requantized, table_form, unary_form,
};
use super::quant::{dequantize_linear, quantize_linear, shifted};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Linear, Movement, Unary};
use o2l_canon::{DType, Error, Op, Result, ValueId};

const MS: &str = "com.microsoft";

/// What the QLinear element-wise rules emit.
const QLINEAR_OPS: &[&str] = &[
    "Reshape",
    "Cast",
    "Sub",
    "Mul",
    "Div",
    "Add",
    "Round",
    "Clamp",
    "Sigmoid",
    "LeakyRelu",
];

/// What QLinearSigmoid and QLinearLeakyRelu emit: the table lookup, or (with
/// scales or zero points computed at run time) the element-wise form.
const QLINEAR_TABLE_OPS: &[&str] = &[
    "Gather",
    "Reshape",
    "Cast",
    "Sub",
    "Mul",
    "Div",
    "Add",
    "Round",
    "Clamp",
    "Sigmoid",
    "LeakyRelu",
];

/// What QLinearConcat emits.
const QLINEAR_CONCAT_OPS: &[&str] = &[
    "Reshape", "Cast", "Sub", "Mul", "Div", "Add", "Round", "Clamp", "Concat",
];

pub(crate) static RULES: &[Rule] = &[
    versioned(
        MS,
        "QLinearAdd",
        &[1],
        QLINEAR_OPS,
        qlinear_add,
        "(A - zA) * sA / sC + (B - zB) * sB / sC + zC in f32, rounded half to even, saturated",
    ),
    versioned(
        MS,
        "QLinearMul",
        &[1],
        QLINEAR_OPS,
        qlinear_mul,
        "(A - zA) * (B - zB) * (sA * sB / sC) + zC in f32, rounded half to even, saturated",
    ),
    versioned(
        MS,
        "QLinearSigmoid",
        &[1],
        QLINEAR_TABLE_OPS,
        qlinear_sigmoid,
        "onnxruntime's 256-entry table (each code dequantized, MLAS's f32 logistic, quantized with round half to even and saturation), built from constant scales and zero points, gathered by the 8-bit codes; else dequantize, sigmoid in f32, requantize",
    ),
    versioned(
        MS,
        "QLinearLeakyRelu",
        &[1],
        QLINEAR_TABLE_OPS,
        qlinear_leaky_relu,
        "onnxruntime's 256-entry table (each code dequantized, leaky relu in f32, quantized with round half to even and saturation), built from constant scales and zero points, gathered by the 8-bit codes; else dequantize, leaky relu in f32, requantize",
    ),
    versioned(
        MS,
        "QLinearConcat",
        &[1],
        QLINEAR_CONCAT_OPS,
        qlinear_concat,
        "each input requantized to Y's scale and zero point (dequantize, divide, round half to even, saturate), then concatenated",
    ),
    versioned(
        MS,
        "QLinearGlobalAveragePool",
        &[1],
        &[
            "Reshape",
            "Cast",
            "Sub",
            "ReduceSum",
            "Mul",
            "Div",
            "Add",
            "Round",
            "Clamp",
            "Transpose",
        ],
        qlinear_global_average_pool,
        "i32 sum of X - zX over the spatial dims times sX / (sY * count), + zY, rounded half to even, saturated; NCHW or channels_last",
    ),
    versioned(
        MS,
        "QGemm",
        &[1],
        &[
            "Transpose",
            "Cast",
            "Sub",
            "MatMul",
            "Add",
            "Mul",
            "Div",
            "Round",
            "Clamp",
            "Reshape",
        ],
        qgemm,
        "i32 (A - zA) @ (B - zB) + C, times alpha * sA * sB: f32, or requantized to y_scale/y_zero_point (round half to even, saturate)",
    ),
    versioned(
        MS,
        "QLinearAveragePool",
        &[1],
        &[
            "Reshape",
            "Cast",
            "Sub",
            "Mul",
            "AveragePool",
            "Div",
            "Add",
            "Round",
            "Clamp",
            "Transpose",
        ],
        qlinear_average_pool,
        "dequantize, AveragePool in f32 (its window attributes), requantize; NCHW or channels_last",
    ),
    versioned(
        MS,
        "QLinearWhere",
        &[1],
        &[
            "Reshape", "Cast", "Sub", "Mul", "Div", "Add", "Round", "Clamp", "Select",
        ],
        qlinear_where,
        "X and Y requantized to Z's scale and zero point, then selected by the condition",
    ),
    versioned(
        MS,
        "QLinearSoftmax",
        &[1],
        &[
            "Reshape",
            "Cast",
            "ReduceMax",
            "ReduceSum",
            "Sub",
            "Add",
            "Mul",
            "Div",
            "Exp",
            "Floor",
            "Round",
            "Min",
        ],
        qlinear_softmax,
        "onnxruntime's kernel: f32 table exp((x - max + shift) * sX) (shift keeps the sum finite), f32 sum along the axis (opset < 13: over the dims from axis on), round half to even of e * floor(1 / sY) / sum, + zY; the zero point of X cancels",
    ),
    // onnxruntime's quantizer writes these for 16-bit and 4-bit types; at
    // version 1 they are the ONNX ops without block_size or output_dtype.
    versioned(
        MS,
        "QuantizeLinear",
        &[1],
        &[
            "Div", "Round", "Add", "Clamp", "IsNaN", "Select", "Cast", "Reshape", "Gather",
        ],
        quantize_linear,
        "the ONNX QuantizeLinear rule (per tensor or axis)",
    ),
    versioned(
        MS,
        "DequantizeLinear",
        &[1],
        &["Cast", "Sub", "Mul", "Reshape", "Gather"],
        dequantize_linear,
        "the ONNX DequantizeLinear rule (per tensor or axis)",
    ),
];

/// Inputs `first`, `first + 1`, `first + 2` as a quantized operand; scale
/// and zero point must be per tensor.
fn quantized(ctx: &mut MapCtx, first: usize, what: &str) -> Result<Quantized> {
    let x = ctx.input(first)?;
    let scale = per_tensor(ctx, ctx.input(first + 1)?, what)?;
    let zero = match ctx.opt_input(first + 2) {
        Some(z) => Some(per_tensor(ctx, z, what)?),
        None => None,
    };
    Ok(Quantized { x, scale, zero })
}

/// A one-element scale or zero point as a scalar; per-axis ones are refused.
fn per_tensor(ctx: &mut MapCtx, p: ValueId, what: &str) -> Result<ValueId> {
    let count: u64 = ctx.dims(p)?.iter().product();
    if count != 1 {
        return Err(Error::unsupported(format!(
            "{} with a per-axis {what} scale or zero point ({}) is not supported",
            ctx.origin.op_type,
            ctx.ty(p)
        )));
    }
    ctx.reshape(p, vec![])
}

fn qlinear_add(ctx: &mut MapCtx) -> Result<()> {
    let (a, b) = (quantized(ctx, 0, "A")?, quantized(ctx, 3, "B")?);
    let c = quantized_output(ctx, 6)?;
    let y = add_form(ctx, &a, &b, &c)?;
    ctx.bind(0, y)
}

fn qlinear_mul(ctx: &mut MapCtx) -> Result<()> {
    let (a, b) = (quantized(ctx, 0, "A")?, quantized(ctx, 3, "B")?);
    let c = quantized_output(ctx, 6)?;
    let y = mul_form(ctx, &a, &b, &c)?;
    ctx.bind(0, y)
}

/// The output's scale (input `first`) and optional zero point; its values
/// are what the rule computes.
fn quantized_output(ctx: &mut MapCtx, first: usize) -> Result<Quantized> {
    let scale = per_tensor(ctx, ctx.input(first)?, "output")?;
    let zero = match ctx.opt_input(first + 1) {
        Some(z) => Some(per_tensor(ctx, z, "output")?),
        None => None,
    };
    Ok(Quantized {
        x: scale,
        scale,
        zero,
    })
}

/// The table form when the scales and zero points are constant, else `f`
/// on the dequantized values.
fn qlinear_table(
    ctx: &mut MapCtx,
    table: TableFn,
    f: impl FnOnce(&mut MapCtx, ValueId) -> Result<ValueId>,
) -> Result<()> {
    let x = quantized(ctx, 0, "X")?;
    let y = quantized_output(ctx, 3)?;
    if let Some(q) = table_form(ctx, &x, &y, table)? {
        return ctx.bind(0, q);
    }
    let q = unary_form(ctx, &x, &y, f)?;
    ctx.bind(0, q)
}

fn qlinear_sigmoid(ctx: &mut MapCtx) -> Result<()> {
    qlinear_table(ctx, TableFn::Sigmoid, |ctx, v| ctx.unary(Unary::Sigmoid, v))
}

fn qlinear_leaky_relu(ctx: &mut MapCtx) -> Result<()> {
    let alpha = ctx.attrs.float_or("alpha", 0.01)?;
    qlinear_table(ctx, TableFn::LeakyRelu(alpha), |ctx, v| {
        ctx.unary(
            Unary::LeakyRelu {
                alpha: alpha as f64,
            },
            v,
        )
    })
}

fn qlinear_concat(ctx: &mut MapCtx) -> Result<()> {
    let y = quantized_output(ctx, 0)?;
    let count = ctx.num_inputs().saturating_sub(2);
    if count == 0 || !count.is_multiple_of(3) {
        return Err(Error::invalid(format!(
            "QLinearConcat takes Y_scale, Y_zero_point and (X, X_scale, X_zero_point) triples, got {} inputs",
            ctx.num_inputs()
        )));
    }
    let sy = ctx.cast(y.scale, DType::F32)?;
    let mut parts = Vec::with_capacity(count / 3);
    for first in (2..ctx.num_inputs()).step_by(3) {
        let x = quantized(ctx, first, "X")?;
        let v = in_scale_of(ctx, &x, sy)?;
        let like = ctx.ty(x.x).dtype;
        parts.push(requantized(ctx, v, &y, like)?);
    }
    let rank = ctx.ty(parts[0]).rank();
    let axis = o2l_canon::shape::normalize_axis(ctx.attrs.req_int("axis")?, rank)?;
    let out = ctx.emit1(Op::Movement(Movement::Concat { axis }), &parts)?;
    ctx.bind(0, out)
}

fn qlinear_where(ctx: &mut MapCtx) -> Result<()> {
    let cond = ctx.input(0)?;
    let (x, y) = (quantized(ctx, 1, "X")?, quantized(ctx, 4, "Y")?);
    let z = quantized_output(ctx, 7)?;
    let sz = ctx.cast(z.scale, DType::F32)?;
    let like = ctx.ty(x.x).dtype;
    let xv = in_scale_of(ctx, &x, sz)?;
    let xq = requantized(ctx, xv, &z, like)?;
    let yv = in_scale_of(ctx, &y, sz)?;
    let yq = requantized(ctx, yv, &z, like)?;
    let out = ctx.emit1(
        Op::Elementwise(o2l_canon::ops::Elementwise::Select),
        &[cond, xq, yq],
    )?;
    ctx.bind(0, out)
}

fn qlinear_average_pool(ctx: &mut MapCtx) -> Result<()> {
    let rank = ctx.ty(ctx.input(0)?).rank();
    let channels_last = ctx.attrs.int_or("channels_last", 0)? != 0 && rank >= 3;
    let x = quantized(ctx, 0, "X")?;
    let y = quantized_output(ctx, 3)?;
    let q = average_pool_form(ctx, &x, &y, channels_last, pool_op)?;
    ctx.bind(0, q)
}

fn qlinear_global_average_pool(ctx: &mut MapCtx) -> Result<()> {
    let x = quantized(ctx, 0, "X")?;
    let y = quantized_output(ctx, 3)?;
    let channels_last = ctx.attrs.int_or("channels_last", 0)? != 0;
    let out = global_average_pool_form(ctx, &x, &y, channels_last)?;
    ctx.bind(0, out)
}

fn qgemm(ctx: &mut MapCtx) -> Result<()> {
    let a = quantized(ctx, 0, "A")?;
    let (b, b_scale) = (ctx.input(3)?, ctx.input(4)?);
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    let ax = last_two_swapped(ctx, a.x, "transA")?;
    let bx = last_two_swapped(ctx, b, "transB")?;
    // Shifted after the transposes, so a per-column zero point (N) lines up
    // with B's last dim.
    let ai = shifted(ctx, ax, a.zero, None)?;
    let bi = shifted(ctx, bx, ctx.opt_input(5), None)?;
    let mut acc = ctx.emit1(Op::Linear(Linear::MatMul), &[ai, bi])?;
    if let Some(c) = ctx.opt_input(6) {
        let c = ctx.cast(c, DType::I32)?;
        acc = ctx.binary(Binary::Add, acc, c)?;
    }
    let acc = ctx.cast(acc, DType::F32)?;
    let sa = ctx.cast(a.scale, DType::F32)?;
    let sb = ctx.cast(b_scale, DType::F32)?;
    let sab = ctx.binary(Binary::Mul, sa, sb)?;
    let scale = if alpha == 1.0 {
        sab
    } else {
        let k = ctx.scalar(DType::F32, alpha)?;
        ctx.binary(Binary::Mul, sab, k)?
    };
    let Some(y_scale) = ctx.opt_input(7) else {
        let y = ctx.binary(Binary::Mul, acc, scale)?;
        return ctx.bind(0, y);
    };
    let y = Quantized {
        x: y_scale,
        scale: per_tensor(ctx, y_scale, "output")?,
        zero: match ctx.opt_input(8) {
            Some(z) => Some(per_tensor(ctx, z, "output")?),
            None => None,
        },
    };
    let multiplier = ratio(ctx, scale, y.scale)?;
    let v = ctx.binary(Binary::Mul, acc, multiplier)?;
    let like = ctx.ty(a.x).dtype;
    let out = requantized(ctx, v, &y, like)?;
    ctx.bind(0, out)
}

/// QLinearSoftmax as onnxruntime computes it (its CPU kernel defines the op):
/// for each element `d = x - max` along the softmax dims, the f32 value
/// `exp((d + shift) * sX)` computed in f64, with `shift = max(0, ln(f32::MAX
/// / D) - 5) / sX` for D elements per softmax (so their f32 sum stays finite;
/// the shift cancels in the ratio); the f32 sum in order; then
/// `round_half_even(e * floor(1 / sY) / sum) + zY`, capped at 255 and cast
/// (wrapping, as the kernel's cast does). X's zero point cancels.
fn qlinear_softmax(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    if !matches!(dtype, DType::U8 | DType::I8) {
        return Err(Error::invalid(format!(
            "QLinearSoftmax takes uint8 or int8, got {dtype}"
        )));
    }
    let sx = per_tensor(ctx, ctx.input(1)?, "input")?;
    let y = quantized_output(ctx, 3)?;
    let dims = ctx.dims(x)?;
    let rank = dims.len();
    let opset = ctx.attrs.req_int("opset")?;
    let default_axis = if opset < 13 { 1 } else { -1 };
    let axis = o2l_canon::shape::normalize_axis(ctx.attrs.int_or("axis", default_axis)?, rank)?;
    // Opset < 13: one softmax over all dims from `axis` on; else along `axis`.
    let axes: Vec<usize> = if opset < 13 {
        (axis..rank).collect()
    } else {
        vec![axis]
    };
    let per_softmax: u64 = axes.iter().map(|&a| dims[a]).product();
    if per_softmax == 0 {
        return ctx.bind(0, x);
    }
    let reduce = |kind| {
        Op::Reduce(o2l_canon::ops::Reduce {
            kind,
            axes: axes.clone(),
            keep_dims: true,
        })
    };
    let xi = ctx.cast(x, DType::I32)?;
    let max = ctx.emit1(reduce(o2l_canon::ops::ReduceKind::Max), &[xi])?;
    let d = ctx.binary(Binary::Sub, xi, max)?;
    let d = ctx.cast(d, DType::F64)?;
    // The kernel divides f32::MAX by D in f32, then takes the log in f64.
    let headroom = (f64::from(f32::MAX / per_softmax as f32).ln() - 5.0).max(0.0);
    let sx = ctx.cast(sx, DType::F64)?;
    let headroom = ctx.scalar(DType::F64, headroom)?;
    let shift = ctx.binary(Binary::Div, headroom, sx)?;
    let d = ctx.binary(Binary::Add, d, shift)?;
    let arg = ctx.binary(Binary::Mul, d, sx)?;
    let e = ctx.unary(Unary::Exp, arg)?;
    let e = ctx.cast(e, DType::F32)?;
    let sum = ctx.emit1(reduce(o2l_canon::ops::ReduceKind::Sum), &[e])?;
    let one = ctx.scalar(DType::F32, 1.0)?;
    let sy = ctx.cast(y.scale, DType::F32)?;
    let inverse = ctx.binary(Binary::Div, one, sy)?;
    let inverse = ctx.unary(Unary::Floor, inverse)?;
    let scaled = ctx.binary(Binary::Mul, e, inverse)?;
    let ratio = ctx.binary(Binary::Div, scaled, sum)?;
    let rounded = ctx.unary(Unary::Round, ratio)?;
    let mut q = ctx.cast(rounded, DType::I32)?;
    if let Some(z) = y.zero {
        let z = ctx.cast(z, DType::I32)?;
        q = ctx.binary(Binary::Add, q, z)?;
    }
    let cap = ctx.scalar(DType::I32, 255.0)?;
    let q = ctx.binary(Binary::Min, q, cap)?;
    let out = ctx.cast(q, dtype)?;
    ctx.bind(0, out)
}

#[cfg(test)]
mod tests {
    use super::super::contrib::tests::typed;
    use crate::test_models::*;

    #[test]
    fn contrib_qlinear_add_refuses_a_per_axis_scale() {
        let (u8, f32) = (2, 1);
        let m = typed(
            "QLinearAdd",
            &[
                ("a", u8, &[2, 3]),
                ("sa", f32, &[3]),
                ("za", u8, &[]),
                ("b", u8, &[2, 3]),
                ("sb", f32, &[]),
                ("zb", u8, &[]),
                ("sc", f32, &[]),
                ("zc", u8, &[]),
            ],
            vec![],
        );
        let e = m.import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("per-axis A scale"), "{e}");
    }

    #[test]
    fn contrib_qlinear_concat_checks_its_triples() {
        let (u8, f32) = (2, 1);
        let m = typed(
            "QLinearConcat",
            &[("sy", f32, &[]), ("zy", u8, &[]), ("a", u8, &[2, 3])],
            vec![a_int("axis", 0)],
        );
        let e = m.import().unwrap_err();
        assert!(e.to_string().contains("triples"), "{e}");
    }
}
