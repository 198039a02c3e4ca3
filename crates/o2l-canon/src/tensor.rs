//! Constant tensors: weights (slices of the memory-mapped model) and folded values.
use crate::shape::element_count;
use crate::{DType, Error, Result, narrow};
use bytes::Bytes;
use ndarray::{ArrayD, IxDyn};

/// A dense constant in host layout: row-major, little-endian, bool as one byte.
/// `data` is a `Bytes`, so a weight can stay a view into the model's memory map.
#[derive(Clone, PartialEq)]
pub struct Tensor {
    pub dtype: DType,
    pub dims: Vec<u64>,
    pub data: Bytes,
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tensor({} {:?}, {} bytes)",
            self.dtype,
            self.dims,
            self.data.len()
        )
    }
}

/// Values of a folded tensor, widened: integers and bools as i64, floats as f64.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HostArray {
    Int(ArrayD<i64>),
    Float(ArrayD<f64>),
}

impl Tensor {
    /// Checks that `data` holds exactly the elements `dims` asks for.
    pub fn new(dtype: DType, dims: Vec<u64>, data: Bytes) -> Result<Tensor> {
        let count = element_count(&dims)?;
        let want = count
            .checked_mul(dtype.size_bytes() as u64)
            .ok_or_else(|| {
                Error::limit(format!("byte size of {dtype} tensor {dims:?} overflows"))
            })?;
        if data.len() as u64 != want {
            return Err(Error::invalid(format!(
                "{dtype} tensor of shape {dims:?} needs {want} bytes, got {}",
                data.len()
            )));
        }
        Ok(Tensor { dtype, dims, data })
    }

    /// A tensor of `dims` whose every element is this one-element tensor's.
    /// Allocates the whole result: check its size against the limits first.
    pub fn repeated(&self, dims: Vec<u64>) -> Result<Tensor> {
        if self.num_elements() != 1 {
            return Err(Error::invalid(format!(
                "a fill value must hold one element, got {}",
                self.num_elements()
            )));
        }
        let n = element_count(&dims)?;
        let bytes = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(self.data.len()))
            .ok_or_else(|| Error::limit(format!("a fill of {dims:?} is too large")))?;
        // `repeat` doubles its copies: a few large memcpys, not one per element.
        let data = self.data.repeat(bytes / self.data.len().max(1));
        Tensor::new(self.dtype, dims, Bytes::from(data))
    }

    pub fn num_elements(&self) -> u64 {
        (self.data.len() / self.dtype.size_bytes()) as u64
    }

    pub fn ty(&self) -> crate::TensorType {
        crate::TensorType::of_known(self.dtype, &self.dims)
    }

    pub fn from_i64s(dtype: DType, dims: Vec<u64>, values: &[i64]) -> Result<Tensor> {
        let mut out = Vec::with_capacity(values.len() * dtype.size_bytes());
        for &v in values {
            push_int(&mut out, dtype, v)?;
        }
        Tensor::new(dtype, dims, Bytes::from(out))
    }

    pub fn from_f64s(dtype: DType, dims: Vec<u64>, values: &[f64]) -> Result<Tensor> {
        let mut out = Vec::with_capacity(values.len() * dtype.size_bytes());
        for &v in values {
            push_float(&mut out, dtype, v)?;
        }
        Tensor::new(dtype, dims, Bytes::from(out))
    }

    /// Elements widened to i64; floats are truncated toward zero.
    pub fn to_i64s(&self) -> Vec<i64> {
        let n = self.dtype.size_bytes();
        self.data
            .chunks_exact(n)
            .map(|c| read_int(self.dtype, c))
            .collect()
    }

    /// Elements widened to f64.
    pub fn to_f64s(&self) -> Vec<f64> {
        let n = self.dtype.size_bytes();
        self.data
            .chunks_exact(n)
            .map(|c| read_float(self.dtype, c))
            .collect()
    }

    pub(crate) fn to_array(&self) -> Result<HostArray> {
        let shape = IxDyn(&self.dims.iter().map(|&d| d as usize).collect::<Vec<_>>());
        let bad = |e: ndarray::ShapeError| Error::internal(format!("tensor to array: {e}"));
        Ok(if self.dtype.is_float() || self.dtype.is_narrow_float() {
            HostArray::Float(ArrayD::from_shape_vec(shape, self.to_f64s()).map_err(bad)?)
        } else {
            HostArray::Int(ArrayD::from_shape_vec(shape, self.to_i64s()).map_err(bad)?)
        })
    }

    /// Narrows an array back to `dtype` (values converted as by a cast).
    pub(crate) fn from_array(dtype: DType, array: &HostArray) -> Result<Tensor> {
        match array {
            HostArray::Int(a) => {
                let dims = a.shape().iter().map(|&d| d as u64).collect();
                let v: Vec<i64> = a.iter().copied().collect();
                if dtype.is_float() || dtype.is_narrow_float() {
                    let f: Vec<f64> = v.iter().map(|&x| x as f64).collect();
                    Tensor::from_f64s(dtype, dims, &f)
                } else {
                    Tensor::from_i64s(dtype, dims, &v)
                }
            }
            HostArray::Float(a) => {
                let dims = a.shape().iter().map(|&d| d as u64).collect();
                let v: Vec<f64> = a.iter().copied().collect();
                if dtype.is_float() || dtype.is_narrow_float() {
                    Tensor::from_f64s(dtype, dims, &v)
                } else {
                    let i: Vec<i64> = v.iter().map(|&x| float_to_int(dtype, x)).collect();
                    Tensor::from_i64s(dtype, dims, &i)
                }
            }
        }
    }
}

fn float_to_int(dtype: DType, x: f64) -> i64 {
    if dtype == DType::Bool {
        (x != 0.0) as i64
    } else {
        x as i64
    }
}

fn read_int(dtype: DType, c: &[u8]) -> i64 {
    match dtype {
        DType::Bool => (c[0] != 0) as i64,
        DType::I8 => c[0] as i8 as i64,
        DType::U8 => c[0] as i64,
        DType::I16 => i16::from_le_bytes([c[0], c[1]]) as i64,
        DType::U16 => u16::from_le_bytes([c[0], c[1]]) as i64,
        DType::I32 => i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64,
        DType::U32 => u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64,
        DType::I64 | DType::U64 => i64::from_le_bytes(c8(c)),
        // Narrow ints are stored as their value (sign- or zero-extended).
        DType::I4 | DType::I2 => c[0] as i8 as i64,
        DType::U4 | DType::U2 => c[0] as i64,
        _ => read_float(dtype, c) as i64,
    }
}

fn read_float(dtype: DType, c: &[u8]) -> f64 {
    match dtype {
        DType::F16 => half::f16::from_le_bytes([c[0], c[1]]).to_f64(),
        DType::BF16 => half::bf16::from_le_bytes([c[0], c[1]]).to_f64(),
        DType::F32 => f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64,
        DType::F64 => f64::from_le_bytes(c8(c)),
        DType::U64 => u64::from_le_bytes(c8(c)) as f64,
        DType::F8E8M0 => narrow::e8m0_decode(c[0]),
        d => match narrow::mini_float(d) {
            Some(f) => f.decode(c[0]),
            None => read_int(dtype, c) as f64,
        },
    }
}

fn c8(c: &[u8]) -> [u8; 8] {
    let mut b = [0u8; 8];
    b.copy_from_slice(&c[..8]);
    b
}

/// Appends `v` in `dtype`'s layout, wrapping like a C cast for narrower ints.
fn push_int(out: &mut Vec<u8>, dtype: DType, v: i64) -> Result<()> {
    match dtype {
        DType::Bool => out.push((v != 0) as u8),
        DType::I8 | DType::U8 => out.push(v as u8),
        DType::I16 | DType::U16 => out.extend_from_slice(&(v as u16).to_le_bytes()),
        DType::I32 | DType::U32 => out.extend_from_slice(&(v as u32).to_le_bytes()),
        DType::I64 | DType::U64 => out.extend_from_slice(&v.to_le_bytes()),
        d if d.is_narrow_int() => {
            if let Some((bits, signed)) = narrow::narrow_int_bits(d) {
                out.push(narrow::wrap_int(v, bits, signed) as u8);
            }
        }
        _ => push_float(out, dtype, v as f64)?,
    }
    Ok(())
}

/// `v` as f32 rounded to odd: toward zero, with the lowest bit set when
/// anything was cut off. Rounding that to a format with at least two bits
/// less precision (f16, bf16) gives the same result as rounding `v` once, to
/// nearest even; rounding `v` to f32 to nearest first would round twice.
/// The JIT expands f64 -> f16/bf16 truncations the same way.
pub(crate) fn f32_rounded_to_odd(v: f64) -> f32 {
    let t = v as f32;
    let back = t as f64;
    if back == v || v.is_nan() {
        return t;
    }
    let bits = t.to_bits();
    let toward_zero = if back.abs() > v.abs() { bits - 1 } else { bits };
    f32::from_bits(toward_zero | 1)
}

fn push_float(out: &mut Vec<u8>, dtype: DType, v: f64) -> Result<()> {
    match dtype {
        DType::F16 => {
            out.extend_from_slice(&half::f16::from_f32(f32_rounded_to_odd(v)).to_le_bytes())
        }
        DType::BF16 => {
            out.extend_from_slice(&half::bf16::from_f32(f32_rounded_to_odd(v)).to_le_bytes())
        }
        DType::F32 => out.extend_from_slice(&(v as f32).to_le_bytes()),
        DType::F64 => out.extend_from_slice(&v.to_le_bytes()),
        // ONNX's defaults: saturate, and e8m0 rounds up.
        DType::F8E8M0 => out.push(narrow::e8m0_encode(v, true, narrow::E8M0Round::Up)),
        d => match narrow::mini_float(d) {
            Some(f) => out.push(f.encode(v, true)),
            None => push_int(out, dtype, float_to_int(dtype, v))?,
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn f64_to_half_types_round_once() {
        let tie = 1.0 + 2f64.powi(-8);
        let above = tie + 2f64.powi(-40);
        let t = |d, v| Tensor::from_f64s(d, vec![1], &[v]).unwrap().to_f64s()[0];
        assert_eq!(t(DType::BF16, above), 1.0 + 2f64.powi(-7));
        assert_eq!(t(DType::BF16, tie), 1.0);
        assert_eq!(t(DType::BF16, -above), -(1.0 + 2f64.powi(-7)));
        let tie16 = 1.0 + 2f64.powi(-11);
        assert_eq!(t(DType::F16, tie16 + 2f64.powi(-40)), 1.0 + 2f64.powi(-10));
        assert_eq!(t(DType::F16, tie16), 1.0);
        assert_eq!(t(DType::F16, 1e300), f64::INFINITY);
        assert_eq!(t(DType::BF16, -1e300), f64::NEG_INFINITY);
        assert!(t(DType::BF16, f64::NAN).is_nan());
        assert_eq!(t(DType::F16, 0.1), half::f16::from_f32(0.1).to_f64());
    }
    use super::*;

    #[test]
    fn round_trips_through_arrays() {
        let t = Tensor::from_i64s(DType::I32, vec![2, 2], &[1, -2, 3, 4]).unwrap();
        let back = Tensor::from_array(DType::I32, &t.to_array().unwrap()).unwrap();
        assert_eq!(t, back);
        let f = Tensor::from_f64s(DType::F16, vec![3], &[0.5, -1.0, 2.0]).unwrap();
        assert_eq!(f.to_f64s(), vec![0.5, -1.0, 2.0]);
    }

    #[test]
    fn size_mismatch_is_rejected() {
        assert!(Tensor::new(DType::F32, vec![2], Bytes::from_static(&[0; 4])).is_err());
    }
}
