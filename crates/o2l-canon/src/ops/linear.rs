//! Contractions: matrix products with numpy `matmul` semantics.
use super::declare::canonical_ops;
use super::spec::{expect_operands, expect_same_dtype};
use crate::shape::broadcast_shapes;
use crate::{DType, Result, TensorType};

canonical_ops! {
    family: Linear;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Linear {
        /// numpy `matmul`: 1-D operands are promoted (and the added dim dropped again),
        /// leading batch dims broadcast.
        MatMul
            => "matrix product with numpy matmul semantics (1-D promotion, batch broadcasting)",
            ["a", "b"], [];
        /// Determinants of a batch of square matrices: (B, M, M) -> (B).
        Det
            => "determinant of each (M, M) matrix of a (B, M, M) batch, by LU with partial pivoting",
            ["a"], [];
        /// Integer matrix product of 8-bit operands (i8 or u8, any mix) with
        /// their zero points as 0-d i32 operands, accumulated in i32:
        /// `sum_k (a[m, k] - a_zp) * (b[k, n] - b_zp)`. `b` is 2-D (any leading
        /// dims of `a` are rows) or both are 3-D with the same batch.
        QuantizedMatMul
            => "i32 matrix product of i8/u8 operands minus their i32 scalar zero points; (.., M, K) x (K, N) or (B, M, K) x (B, K, N)",
            ["a", "b", "a_zero_point", "b_zero_point"], [];
    }
}

/// Whether `t` is an operand a quantized kernel takes: 8 bits, signed or not.
pub fn is_quantized_operand(t: &TensorType) -> bool {
    matches!(t.dtype, DType::I8 | DType::U8)
}

/// Checks the operands of a quantized kernel: two 8-bit tensors and two 0-d
/// i32 zero points.
pub(crate) fn expect_quantized_operands(op: &str, inputs: &[&TensorType]) -> Result<()> {
    expect_operands(op, inputs, 4, 4)?;
    for (role, t) in ["input", "weight"].iter().zip(&inputs[..2]) {
        if !is_quantized_operand(t) {
            crate::bail!(InvalidModel, "{op} {role} must be i8 or u8, got {t}");
        }
    }
    for (role, t) in ["input", "weight"].iter().zip(&inputs[2..]) {
        if t.dtype != DType::I32 || t.rank() != 0 {
            crate::bail!(
                InvalidModel,
                "{op} {role} zero point must be a 0-d i32, got {t}"
            );
        }
    }
    Ok(())
}

impl Linear {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        if let Linear::Det = self {
            expect_operands("Det", inputs, 1, 1)?;
            let a = inputs[0];
            match &a.shape[..] {
                [b, m, n] if m == n && m.known().is_some() && a.dtype.is_float() => {
                    if a.dtype.is_narrow() {
                        crate::bail!(Unsupported, "Det of {} elements", a.dtype);
                    }
                    return Ok(vec![TensorType::new(a.dtype, vec![b.clone()])]);
                }
                _ => crate::bail!(
                    InvalidModel,
                    "Det takes a float (B, M, M) batch of static square matrices, got {a}"
                ),
            }
        }
        if let Linear::QuantizedMatMul = self {
            return quantized_matmul_type(inputs).map(|t| vec![t]);
        }
        expect_operands("MatMul", inputs, 2, 2)?;
        let (a, b) = (inputs[0], inputs[1]);
        expect_same_dtype("MatMul", a, b)?;
        if a.rank() == 0 || b.rank() == 0 {
            crate::bail!(InvalidModel, "MatMul of a scalar: {a} x {b}");
        }
        let mut sa = a.shape.clone();
        let mut sb = b.shape.clone();
        if sa.len() == 1 {
            sa.insert(0, 1u64.into());
        }
        if sb.len() == 1 {
            sb.push(1u64.into());
        }
        let (m, ka) = (&sa[sa.len() - 2], &sa[sa.len() - 1]);
        let (kb, n) = (&sb[sb.len() - 2], &sb[sb.len() - 1]);
        if let (Some(x), Some(y)) = (ka.known(), kb.known())
            && x != y
        {
            crate::bail!(InvalidModel, "MatMul contraction dims differ: {a} x {b}");
        }
        let mut shape = broadcast_shapes(&[&sa[..sa.len() - 2], &sb[..sb.len() - 2]])?;
        if a.rank() > 1 {
            shape.push(m.clone());
        }
        if b.rank() > 1 {
            shape.push(n.clone());
        }
        Ok(vec![TensorType::new(a.dtype, shape)])
    }
}

fn quantized_matmul_type(inputs: &[&TensorType]) -> Result<TensorType> {
    expect_quantized_operands("QuantizedMatMul", inputs)?;
    let (a, b) = (inputs[0], inputs[1]);
    let batched = a.rank() == 3 && b.rank() == 3;
    if a.rank() < 2 || !(b.rank() == 2 || batched) {
        crate::bail!(
            InvalidModel,
            "QuantizedMatMul takes (.., M, K) x (K, N) or (B, M, K) x (B, K, N), got {a} x {b}"
        );
    }
    let rows = b.rank() - 2;
    let (ka, kb) = (&a.shape[a.rank() - 1], &b.shape[rows]);
    if let (Some(x), Some(y)) = (ka.known(), kb.known())
        && x != y
    {
        crate::bail!(
            InvalidModel,
            "QuantizedMatMul contraction dims differ: {a} x {b}"
        );
    }
    if batched
        && let (Some(x), Some(y)) = (a.shape[0].known(), b.shape[0].known())
        && x != y
    {
        crate::bail!(InvalidModel, "QuantizedMatMul batch dims differ: {a} x {b}");
    }
    let mut shape = a.shape[..a.rank() - 1].to_vec();
    shape.push(b.shape[rows + 1].clone());
    Ok(TensorType::new(DType::I32, shape))
}

#[cfg(test)]
mod tests {
    use crate::DType;
    use crate::ops::linear::*;

    #[test]
    fn matmul_shapes() {
        let t = |d: &[u64]| TensorType::of_known(DType::F32, d);
        let r = Linear::MatMul
            .infer(&[&t(&[2, 1, 3, 4]), &t(&[5, 4, 6])])
            .unwrap();
        assert_eq!(r[0], t(&[2, 5, 3, 6]));
        let r = Linear::MatMul.infer(&[&t(&[4]), &t(&[4, 6])]).unwrap();
        assert_eq!(r[0], t(&[6]));
        assert!(Linear::MatMul.infer(&[&t(&[3, 4]), &t(&[5, 6])]).is_err());
    }

    #[test]
    fn quantized_matmul_takes_8_bit_operands_and_i32_zero_points() {
        let t = |d: DType, s: &[u64]| TensorType::of_known(d, s);
        let zp = t(DType::I32, &[]);
        let q = Linear::QuantizedMatMul;
        let r = q
            .infer(&[&t(DType::U8, &[2, 3, 4]), &t(DType::I8, &[4, 5]), &zp, &zp])
            .unwrap();
        assert_eq!(r[0], t(DType::I32, &[2, 3, 5]));
        let r = q
            .infer(&[
                &t(DType::I8, &[2, 3, 4]),
                &t(DType::I8, &[2, 4, 5]),
                &zp,
                &zp,
            ])
            .unwrap();
        assert_eq!(r[0], t(DType::I32, &[2, 3, 5]));
        let e = q
            .infer(&[&t(DType::I32, &[3, 4]), &t(DType::I8, &[4, 5]), &zp, &zp])
            .unwrap_err();
        assert!(e.message.contains("must be i8 or u8"), "{e}");
        let e = q
            .infer(&[
                &t(DType::I8, &[3, 4]),
                &t(DType::I8, &[4, 5]),
                &zp,
                &t(DType::I32, &[1]),
            ])
            .unwrap_err();
        assert!(
            e.message.contains("weight zero point must be a 0-d i32"),
            "{e}"
        );
        assert!(
            q.infer(&[&t(DType::I8, &[3, 4]), &t(DType::I8, &[2, 4, 5]), &zp, &zp])
                .is_err()
        );
    }
}
