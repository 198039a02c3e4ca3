//! Matrix products: MatMul, and Gemm decomposed into transposes, a MatMul,
//! scalings and a broadcast bias; determinants.
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Linear, Movement};
use o2l_canon::{Dim, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "MatMul",
        &[1, 9, 13],
        &["MatMul", "QuantizedMatMul", "Cast", "Reshape", "Mul"],
        matmul,
        "numpy matmul semantics; a QDQ group (8-bit DequantizeLinear inputs) is QuantizedMatMul and one f32 rescale",
    ),
    row(
        "Gemm",
        &[1, 6, 7, 9, 11, 13],
        &[
            "Transpose",
            "MatMul",
            "Mul",
            "Add",
            "QuantizedMatMul",
            "Cast",
            "Reshape",
        ],
        gemm,
        "alpha * A' x B' + beta * C, C broadcast to the product (v1/v6: `broadcast`=0 means equal shapes); C optional since 11; a plain QDQ group is QuantizedMatMul and one f32 rescale",
    ),
    row(
        "Det",
        &[11, 22],
        &["Reshape", "Det"],
        det,
        "leading dims flattened into one batch; static matrix size",
    ),
];

fn det(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let r = xt.rank();
    if r < 2 || xt.shape[r - 1] != xt.shape[r - 2] {
        return Err(Error::invalid(format!(
            "Det takes (.., M, M) square matrices, got {xt}"
        )));
    }
    let lead = xt.shape[..r - 2].to_vec();
    let batch = match super::ctx::known_product(&lead) {
        Some(n) => Dim::Known(n),
        None if lead.len() == 1 => lead[0].clone(),
        None => {
            return Err(Error::unsupported(format!(
                "Det with several symbolic batch dims: {xt}"
            )));
        }
    };
    let m = xt.shape[r - 1].clone();
    let batched = ctx.reshape(x, vec![batch, m.clone(), m])?;
    let dets = ctx.emit1(Op::Linear(Linear::Det), &[batched])?;
    let y = ctx.reshape(dets, lead)?;
    ctx.bind(0, y)
}

fn matmul(ctx: &mut MapCtx) -> Result<()> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    if let Some(v) = super::qdq::matmul(ctx, a, b)? {
        return ctx.bind(0, v);
    }
    let v = ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])?;
    ctx.bind(0, v)
}

fn transposed(ctx: &mut MapCtx, v: ValueId, flag: &str, which: &str) -> Result<ValueId> {
    let rank = ctx.ty(v).rank();
    if rank != 2 {
        return Err(Error::invalid(format!(
            "Gemm operand {which} must be 2-D, got {}",
            ctx.ty(v)
        )));
    }
    if ctx.attrs.int_or(flag, 0)? != 0 {
        ctx.emit1(Op::Movement(Movement::Transpose { perm: vec![1, 0] }), &[v])
    } else {
        Ok(v)
    }
}

fn gemm(ctx: &mut MapCtx) -> Result<()> {
    let y = match qdq_gemm(ctx)? {
        Some(y) => y,
        None => gemm_value(ctx)?,
    };
    ctx.bind(0, y)
}

/// The Gemm as a QDQ group (qdq.rs) when it is a plain `A x op(B) + C`
/// (alpha and beta 1, A untransposed: what exporters write for a linear layer).
fn qdq_gemm(ctx: &mut MapCtx) -> Result<Option<ValueId>> {
    let c = ctx.opt_input(2);
    let plain = ctx.version >= 11
        && ctx.attrs.float_or("alpha", 1.0)? == 1.0
        && (c.is_none() || ctx.attrs.float_or("beta", 1.0)? == 1.0)
        && ctx.attrs.int_or("transA", 0)? == 0;
    if !plain {
        ctx.stays_float("a Gemm with alpha or beta other than 1, or a transposed A");
        return Ok(None);
    }
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let transposed_b = ctx.attrs.int_or("transB", 0)? != 0;
    super::qdq::gemm(ctx, a, b, c, transposed_b)
}

/// The node's Gemm, unbound (FusedGemm applies its activation to it).
pub(crate) fn gemm_value(ctx: &mut MapCtx) -> Result<ValueId> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    // C is optional from Gemm-11 on, and in FusedGemm (com.microsoft, version 1).
    let c = if ctx.version < 11 && ctx.origin.domain == "ai.onnx" {
        Some(ctx.input(2)?)
    } else {
        ctx.opt_input(2)
    };
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    let beta = ctx.attrs.float_or("beta", 1.0)? as f64;
    let a = transposed(ctx, a, "transA", "A")?;
    let b = transposed(ctx, b, "transB", "B")?;
    let mut y = ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])?;
    let dtype = ctx.ty(y).dtype;
    if alpha != 1.0 {
        let s = ctx.scalar(dtype, alpha)?;
        y = ctx.binary(Binary::Mul, y, s)?;
    }
    if let Some(mut c) = c
        && beta != 0.0
    {
        if beta != 1.0 {
            let s = ctx.scalar(dtype, beta)?;
            c = ctx.binary(Binary::Mul, c, s)?;
        }
        y = ctx.binary(Binary::Add, y, c)?;
    }
    Ok(y)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn gemm_decomposes_into_transposes_matmul_scalings_and_bias() {
        let g = M::new(13)
            .input(f32_in("a", &[4, 3]))
            .input(f32_in("b", &[5, 4]))
            .input(f32_in("c", &[5]))
            .node(with_attrs(
                node("Gemm", "gemm", &["a", "b", "c"], &["y"]),
                vec![
                    a_int("transA", 1),
                    a_int("transB", 1),
                    a_float("alpha", 2.0),
                    a_float("beta", 0.5),
                ],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(
            op_names(&g),
            vec!["Transpose", "Transpose", "MatMul", "Mul", "Mul", "Add"]
        );
        assert_eq!(out_dims(&g, 0), vec![3, 5]);

        // C is optional since 11; without it there is no Add.
        let g = M::new(11)
            .input(f32_in("a", &[3, 4]))
            .input(f32_in("b", &[4, 5]))
            .node(node("Gemm", "gemm", &["a", "b"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["MatMul"]);
    }
}
