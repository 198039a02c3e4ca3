//! onnxruntime's block-wise 4-bit and f32-output integer contrib ops:
//! MatMulNBits and GatherBlockQuantized (4-bit values unpacked from bytes
//! by masks and shifts, dequantized per block), DynamicQuantizeMatMul and
//! MatMulIntegerToFloat (an i32 matmul rescaled to f32).
use super::contrib::positions;
use super::ctx::{MapCtx, Rule, versioned};
use super::integer::integer_matmul;
use super::movement::merged_dim;
use super::quant::{column, dynamic_quantize, shifted};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Linear, Movement, Reduce, ReduceKind, Unary};
use o2l_canon::{DType, Dim, Error, Op, Result, ValueId};

const MS: &str = "com.microsoft";

pub(crate) static RULES: &[Rule] = &[
    versioned(
        MS,
        "MatMulNBits",
        &[1],
        &[
            "Reshape",
            "Cast",
            "And",
            "ShiftRight",
            "Concat",
            "Gather",
            "Sub",
            "Mul",
            "Transpose",
            "MatMul",
            "Add",
            "Abs",
            "ReduceMax",
            "Div",
            "Equal",
            "Select",
            "Round",
            "ReduceSum",
            "QuantizedMatMul",
        ],
        matmul_nbits,
        "4-bit block-wise weights (zero points packed u8, f32, or 8) dequantized in f32, A @ W^T (+ bias); at accuracy_level 4 (u8 or no zero points) A is quantized to int8 per block and each block is an i8 x i8 QuantizedMatMul, as the CPU kernel computes it; g_idx refused",
    ),
    versioned(
        MS,
        "DynamicQuantizeMatMul",
        &[1],
        &[
            "ReduceMax",
            "ReduceMin",
            "Max",
            "Min",
            "Sub",
            "Equal",
            "Select",
            "Div",
            "Neg",
            "Clamp",
            "Round",
            "Cast",
            "Add",
            "Reshape",
            "MatMul",
            "Mul",
        ],
        dynamic_quantize_matmul,
        "A quantized as DynamicQuantizeLinear, i32 matmul with B, times a_scale * b_scale (+ bias)",
    ),
    versioned(
        MS,
        "MatMulIntegerToFloat",
        &[1],
        &["Reshape", "Cast", "Sub", "MatMul", "Mul", "Add"],
        matmul_integer_to_float,
        "i32 matmul of A - a_zp and B - b_zp, times a_scale * b_scale (+ bias)",
    ),
    versioned(
        MS,
        "GatherBlockQuantized",
        &[1],
        &[
            "Gather",
            "Reshape",
            "Cast",
            "And",
            "ShiftRight",
            "Concat",
            "Sub",
            "Mul",
        ],
        gather_block_quantized,
        "rows gathered along axis 0 from u8-packed 4-bit data quantized in blocks along the last axis, then dequantized (zero point 8 when absent)",
    ),
];

fn gather_block_quantized(ctx: &mut MapCtx) -> Result<()> {
    let (data, indices, scales) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let dims = ctx.dims(data)?;
    let rank = dims.len();
    let bits = ctx.attrs.int_or("bits", 4)?;
    let gather_axis = ctx.attrs.int_or("gather_axis", 0)?;
    let quantize_axis = ctx.attrs.int_or("quantize_axis", 1)?;
    let block = ctx.attrs.int_or("block_size", 128)?;
    let dtype = ctx.ty(data).dtype;
    if dtype != DType::U8 || bits != 4 {
        return Err(Error::unsupported(format!(
            "GatherBlockQuantized of {dtype} data with \"bits\" = {bits} is not supported (only u8-packed 4-bit)"
        )));
    }
    if rank < 2 || gather_axis != 0 || quantize_axis != rank as i64 - 1 {
        return Err(Error::unsupported(format!(
            "GatherBlockQuantized with \"gather_axis\" = {gather_axis} and \"quantize_axis\" = {quantize_axis} on rank-{rank} data is not supported (only gather_axis 0, quantize_axis last)"
        )));
    }
    let packed = dims[rank - 1];
    let width = packed * 2;
    let block = u64::try_from(block)
        .ok()
        .filter(|b| *b >= 16 && b.is_power_of_two() && width.is_multiple_of(*b))
        .ok_or_else(|| {
            Error::invalid(format!(
                "GatherBlockQuantized block_size {block} must be a power of two >= 16 dividing the row width {width}"
            ))
        })?;
    let gather = Op::Movement(Movement::Gather { axis: 0 });
    let rows = ctx.emit1(gather.clone(), &[data, indices])?;
    let q = nibbles(ctx, rows)?;
    let q = ctx.cast(q, DType::F32)?;
    let mut lead = ctx.dims(q)?;
    lead.pop();
    let blocks = width / block;
    let blocked =
        |lead: &[u64], last: &[u64]| -> Vec<u64> { lead.iter().chain(last).copied().collect() };
    let q = ctx.reshape_to(q, &blocked(&lead, &[blocks, block]))?;
    let zero = match ctx.opt_input(3) {
        None => ctx.scalar(DType::F32, 8.0)?,
        Some(z) => {
            let z = ctx.emit1(gather.clone(), &[z, indices])?;
            let z = nibbles(ctx, z)?;
            let picks = positions(blocks, "zero-point blocks")?;
            let axis = lead.len();
            let z = ctx.take(z, axis, &picks)?;
            let z = ctx.cast(z, DType::F32)?;
            ctx.reshape_to(z, &blocked(&lead, &[blocks, 1]))?
        }
    };
    let s = ctx.emit1(gather, &[scales, indices])?;
    let s = ctx.reshape_to(s, &blocked(&lead, &[blocks, 1]))?;
    let c = ctx.binary(Binary::Sub, q, zero)?;
    let w = ctx.binary(Binary::Mul, c, s)?;
    let w = ctx.reshape_to(w, &blocked(&lead, &[width]))?;
    let out_type = ctx.ty(scales).dtype;
    let w = ctx.cast(w, out_type)?;
    ctx.bind(0, w)
}

/// The 4-bit values of packed bytes `b` (any shape `(.., n)`), low nibble
/// first: `(.., 2n)` in u8.
fn nibbles(ctx: &mut MapCtx, b: ValueId) -> Result<ValueId> {
    let dims = ctx.dims(b)?;
    let b = ctx.cast(b, DType::U8)?;
    let mask = ctx.scalar(DType::U8, 15.0)?;
    let four = ctx.scalar(DType::U8, 4.0)?;
    let lo = ctx.binary(Binary::And, b, mask)?;
    let hi = ctx.binary(Binary::ShiftRight, b, four)?;
    let mut pair = dims.clone();
    pair.push(1);
    let lo = ctx.reshape_to(lo, &pair)?;
    let hi = ctx.reshape_to(hi, &pair)?;
    let both = ctx.emit1(
        Op::Movement(Movement::Concat { axis: dims.len() }),
        &[lo, hi],
    )?;
    let mut out = dims;
    if let Some(last) = out.last_mut() {
        *last *= 2;
    }
    ctx.reshape_to(both, &out)
}

fn matmul_nbits(ctx: &mut MapCtx) -> Result<()> {
    let attr = |ctx: &MapCtx, name| ctx.attrs.req_int(name);
    let (k, n, bits, block) = (
        attr(ctx, "K")?,
        attr(ctx, "N")?,
        ctx.attrs.int_or("bits", 4)?,
        attr(ctx, "block_size")?,
    );
    if bits != 4 {
        return Err(Error::unsupported(format!(
            "MatMulNBits attribute \"bits\" = {bits} is not supported (only 4)"
        )));
    }
    if ctx.opt_input(4).is_some() {
        return Err(Error::unsupported(
            "MatMulNBits input 4 (g_idx) is not supported",
        ));
    }
    let (k, n, block) = match (u64::try_from(k), u64::try_from(n), u64::try_from(block)) {
        (Ok(k), Ok(n), Ok(b)) if k > 0 && n > 0 && b >= 16 && b.is_power_of_two() => (k, n, b),
        _ => {
            return Err(Error::invalid(format!(
                "MatMulNBits needs K, N > 0 and a block_size that is a power of two >= 16, got K={k}, N={n}, block_size={block}"
            )));
        }
    };
    let blocks = k.div_ceil(block);
    let (a, b, scales) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let bd = ctx.dims(b)?;
    if bd != [n, blocks, block / 2] {
        return Err(Error::invalid(format!(
            "MatMulNBits B must be ({n}, {blocks}, {}) for K={k}, N={n}, block_size={block}, got {}",
            block / 2,
            ctx.ty(b)
        )));
    }
    let q = nibbles(ctx, b)?;
    let q = ctx.cast(q, DType::F32)?;
    let zero = match ctx.opt_input(3) {
        None => ctx.scalar(DType::F32, 8.0)?,
        Some(z) if ctx.ty(z).dtype == DType::U8 => {
            let zd = ctx.dims(z)?;
            let per_row: u64 = zd.iter().product::<u64>() / n;
            let z = ctx.reshape_to(z, &[n, per_row])?;
            let z = nibbles(ctx, z)?;
            let picks = positions(blocks, "zero-point blocks")?;
            let z = ctx.take(z, 1, &picks)?;
            let z = ctx.cast(z, DType::F32)?;
            ctx.reshape_to(z, &[n, blocks, 1])?
        }
        Some(z) => {
            let z = ctx.cast(z, DType::F32)?;
            ctx.reshape_to(z, &[n, blocks, 1])?
        }
    };
    let scales = ctx.cast(scales, DType::F32)?;
    let scales = ctx.reshape_to(scales, &[n, blocks, 1])?;
    let c = ctx.binary(Binary::Sub, q, zero)?;
    // accuracy_level 4: onnxruntime's CPU kernel quantizes A to int8 per
    // block and multiplies integers (not with f32 zero points).
    let int_zero = ctx
        .opt_input(3)
        .is_none_or(|z| ctx.ty(z).dtype == DType::U8);
    if ctx.attrs.int_or("accuracy_level", 0)? == 4 && int_zero {
        let a = ctx.input(0)?;
        let y = int8_blockwise_product(ctx, a, c, scales, [k, n, block])?;
        let y = match ctx.opt_input(5) {
            Some(bias) => ctx.binary(Binary::Add, y, bias)?,
            None => y,
        };
        return ctx.bind(0, y);
    }
    let w = ctx.binary(Binary::Mul, c, scales)?;
    let w = ctx.reshape_to(w, &[n, blocks * block])?;
    let picks = positions(k, "the weight's K columns")?;
    let w = ctx.take(w, 1, &picks)?;
    let wt = ctx.transpose(w, &[1, 0])?;
    let adt = ctx.ty(a).dtype;
    let wt = ctx.cast(wt, adt)?;
    let y = ctx.emit1(Op::Linear(Linear::MatMul), &[a, wt])?;
    let y = match ctx.opt_input(5) {
        Some(bias) => ctx.binary(Binary::Add, y, bias)?,
        None => y,
    };
    ctx.bind(0, y)
}

/// MatMulNBits at accuracy_level 4, as onnxruntime's CPU kernel computes
/// it: each block of `block` values along a row of `a` (f32, `(.., K)`)
/// quantized to int8 with scale `max|a| / 127` (`round(a / scale)`, half to
/// even; a zero block stays zero), an i32 product per block with the
/// centred 4-bit weights `w` (`(N, blocks, block)`, whole numbers in f32)
/// as one batched `QuantizedMatMul` over the blocks,
/// rescaled by both scales (`b_scales`: `(N, blocks, 1)`) and summed over
/// the blocks.
fn int8_blockwise_product(
    ctx: &mut MapCtx,
    a: ValueId,
    w: ValueId,
    b_scales: ValueId,
    [k, n, block]: [u64; 3],
) -> Result<ValueId> {
    let a_in = a;
    let blocks = k.div_ceil(block);
    let at = ctx.ty(a);
    let Some((last, lead)) = at.shape.split_last() else {
        return Err(Error::invalid("MatMulNBits A must have a K dim"));
    };
    if last.known() != Some(k) {
        return Err(Error::invalid(format!(
            "MatMulNBits A {at} does not end in K = {k}"
        )));
    }
    let lead = lead.to_vec();
    // The rows, one dim (a product of symbols when A's leading dims are).
    let m = merged_dim(&lead)?;
    let a = ctx.cast(a, DType::F32)?;
    // A last, partial block is padded with zeros (as the kernel's buffer is).
    let a = if k < blocks * block {
        let Some(mut pad_dims) = lead.iter().map(Dim::known).collect::<Option<Vec<u64>>>() else {
            return Err(Error::unsupported(format!(
                "MatMulNBits at accuracy_level 4 with K = {k} not a multiple of block_size {block} over symbolic rows ({at})"
            )));
        };
        pad_dims.push(blocks * block - k);
        let pad = ctx.filled(DType::F32, pad_dims, 0.0)?;
        let axis = lead.len();
        ctx.emit1(Op::Movement(Movement::Concat { axis }), &[a, pad])?
    } else {
        a
    };
    let a = ctx.reshape(a, vec![m, Dim::Known(blocks), Dim::Known(block)])?;
    let mag = ctx.unary(Unary::Abs, a)?;
    let amax = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Max,
            axes: vec![2],
            keep_dims: true,
        }),
        &[mag],
    )?;
    let top = ctx.scalar(DType::F32, 127.0)?;
    let a_scale = ctx.binary(Binary::Div, amax, top)?; // (M, blocks, 1)
    let one = ctx.scalar(DType::F32, 1.0)?;
    let zero = ctx.scalar(DType::F32, 0.0)?;
    let inverse = ctx.binary(Binary::Div, one, a_scale)?;
    let empty = ctx.compare(Compare::Equal, a_scale, zero)?;
    let inverse = ctx.emit1(
        Op::Elementwise(Elementwise::Select),
        &[empty, zero, inverse],
    )?;
    let ratio = ctx.binary(Binary::Mul, a, inverse)?;
    let qa = ctx.unary(Unary::Round, ratio)?;
    // |qa| <= 127 and |w| <= 15: both are i8, and the per-block products
    // one batched integer kernel (i8 x i8, i32 accumulation).
    let qa = ctx.cast(qa, DType::I8)?;
    let qa = ctx.transpose(qa, &[1, 0, 2])?; // (blocks, M, block)
    let wi = ctx.cast(w, DType::I8)?;
    let wi = ctx.transpose(wi, &[1, 2, 0])?; // (blocks, block, N)
    let acc = integer_matmul(ctx, qa, wi, None, None)?; // (blocks, M, N)
    let acc = ctx.cast(acc, DType::F32)?;
    let sa = ctx.transpose(a_scale, &[1, 0, 2])?; // (blocks, M, 1)
    let sb = ctx.transpose(b_scales, &[1, 2, 0])?; // (blocks, 1, N)
    let scale = ctx.binary(Binary::Mul, sa, sb)?;
    let y = ctx.binary(Binary::Mul, acc, scale)?;
    let y = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Sum,
            axes: vec![0],
            keep_dims: false,
        }),
        &[y],
    )?;
    // Back to A's leading dims (read from A where they are symbols).
    let out: Vec<Dim> = lead.into_iter().chain([Dim::Known(n)]).collect();
    if ctx.ty(y).shape == out {
        return Ok(y);
    }
    ctx.emit1(Op::Movement(Movement::Reshape { shape: out }), &[y, a_in])
}

/// `acc * a_scale * b_scale (+ bias)` in f32: a per-column b_scale (N)
/// broadcasts along the last dim.
pub(crate) fn rescaled(
    ctx: &mut MapCtx,
    acc: ValueId,
    a_scale: ValueId,
    b_scale: ValueId,
    bias: Option<ValueId>,
) -> Result<ValueId> {
    let acc = ctx.cast(acc, DType::F32)?;
    let a_scale = ctx.reshape(a_scale, vec![])?;
    let scale = ctx.binary(Binary::Mul, a_scale, b_scale)?;
    let y = ctx.binary(Binary::Mul, acc, scale)?;
    match bias {
        Some(b) => ctx.binary(Binary::Add, y, b),
        None => Ok(y),
    }
}

fn dynamic_quantize_matmul(ctx: &mut MapCtx) -> Result<()> {
    let (a, b, b_scale) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let (qa, a_scale, a_zero) = dynamic_quantize(ctx, a)?;
    let ai = shifted(ctx, qa, Some(a_zero), None)?;
    let bi = shifted(ctx, b, ctx.opt_input(3), None)?;
    let acc = ctx.emit1(Op::Linear(Linear::MatMul), &[ai, bi])?;
    let y = rescaled(ctx, acc, a_scale, b_scale, ctx.opt_input(4))?;
    ctx.bind(0, y)
}

fn matmul_integer_to_float(ctx: &mut MapCtx) -> Result<()> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let (a_scale, b_scale) = (ctx.input(2)?, ctx.input(3)?);
    let a_count: u64 = ctx.dims(a_scale)?.iter().product();
    if a_count != 1 {
        return Err(Error::unsupported(format!(
            "MatMulIntegerToFloat with a per-row a_scale ({}) is not supported",
            ctx.ty(a_scale)
        )));
    }
    let col: Option<Vec<Dim>> = column(ctx, a);
    let ai = shifted(ctx, a, ctx.opt_input(4), col)?;
    let bi = shifted(ctx, b, ctx.opt_input(5), None)?;
    let acc = ctx.emit1(Op::Linear(Linear::MatMul), &[ai, bi])?;
    let y = rescaled(ctx, acc, a_scale, b_scale, ctx.opt_input(6))?;
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    use super::super::contrib::tests::typed;
    use crate::test_models::*;

    #[test]
    fn contrib_matmul_nbits_refuses_other_widths_and_g_idx() {
        let (f32, u8, i32) = (1, 2, 6);
        let model = |bits: i64, g_idx: bool| {
            let mut inputs: Vec<(&str, i32, &[i64])> = vec![
                ("a", f32, &[2, 32]),
                ("b", u8, &[4, 1, 16]),
                ("s", f32, &[4]),
            ];
            if g_idx {
                inputs.extend([("", u8, &[][..]), ("g", i32, &[32])]);
            }
            let attrs = vec![
                a_int("K", 32),
                a_int("N", 4),
                a_int("bits", bits),
                a_int("block_size", 32),
            ];
            typed("MatMulNBits", &inputs, attrs)
        };
        let e = model(8, false).import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("\"bits\" = 8"), "{e}");
        let e = model(4, true).import().unwrap_err();
        assert!(e.to_string().contains("g_idx"), "{e}");
        let g = model(4, false).import().unwrap();
        assert_eq!(out_dims(&g, 0), vec![2, 4]);
    }

    #[test]
    fn contrib_gather_block_quantized_refuses_other_axes() {
        let (f32, u8, i64) = (1, 2, 7);
        let inputs: &[(&str, i32, &[i64])] =
            &[("d", u8, &[32, 16]), ("i", i64, &[3]), ("s", f32, &[2, 16])];
        let attrs = vec![a_int("quantize_axis", 0), a_int("block_size", 16)];
        let e = typed("GatherBlockQuantized", inputs, attrs)
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("\"quantize_axis\" = 0"), "{e}");
    }
}
