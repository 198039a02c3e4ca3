//! Contractions: matrix products with numpy `matmul` semantics.
use super::declare::canonical_ops;
use super::spec::{expect_operands, expect_same_dtype};
use crate::shape::broadcast_shapes;
use crate::{Result, TensorType};

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
    }
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
}
