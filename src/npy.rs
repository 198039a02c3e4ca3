//! Tensors to and from NumPy's `.npy` format (versions 1 to 3, little-endian,
//! C order). Types: `<f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1`.
//! NumPy has no bfloat16, float8 or float4, so those are written as `<f4`
//! (exact); int4/int2 as `|i1`, uint4/uint2 as `|u1`.
use crate::{DType, Error, Result, Tensor};

const MAGIC: &[u8] = b"\x93NUMPY";

/// The `.npy` type string of a dtype (bf16 excepted: it is written as f32).
fn descr(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "|b1",
        DType::I8 => "|i1",
        DType::U8 => "|u1",
        DType::I16 => "<i2",
        DType::U16 => "<u2",
        DType::I32 => "<i4",
        DType::U32 => "<u4",
        DType::I64 => "<i8",
        DType::U64 => "<u8",
        DType::F16 => "<f2",
        DType::BF16 | DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::I4 | DType::I2 => "|i1",
        DType::U4 | DType::U2 => "|u1",
        DType::F8E4M3FN
        | DType::F8E4M3FNUZ
        | DType::F8E5M2
        | DType::F8E5M2FNUZ
        | DType::F8E8M0
        | DType::F4E2M1 => "<f4",
    }
}

fn parse_descr(s: &str) -> Result<DType> {
    let (order, code) = match s.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &s[1..]),
        _ => ('=', s),
    };
    let dtype = match code {
        "b1" => DType::Bool,
        "i1" => DType::I8,
        "u1" => DType::U8,
        "i2" => DType::I16,
        "u2" => DType::U16,
        "i4" => DType::I32,
        "u4" => DType::U32,
        "i8" => DType::I64,
        "u8" => DType::U64,
        "f2" => DType::F16,
        "f4" => DType::F32,
        "f8" => DType::F64,
        _ => {
            return Err(Error::unsupported(format!(
                "unsupported .npy dtype '{s}' (supported: <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1)"
            )));
        }
    };
    if order == '>' && dtype.size_bytes() > 1 {
        return Err(Error::unsupported(format!(
            "big-endian .npy data ('{s}') is not supported; save it little-endian"
        )));
    }
    Ok(dtype)
}

/// Encodes `tensor` as a version 1.0 `.npy` file (2.0 when the header needs it).
pub fn write(tensor: &Tensor) -> Vec<u8> {
    let shape = match tensor.dims.len() {
        0 => "()".to_string(),
        1 => format!("({},)", tensor.dims[0]),
        _ => format!(
            "({})",
            tensor
                .dims
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        descr(tensor.dtype)
    );
    // Magic + version + length field + dict + padding spaces + '\n', a multiple of 64.
    let unpadded_v1 = MAGIC.len() + 2 + 2 + dict.len() + 1;
    let v2 = unpadded_v1.next_multiple_of(64) - MAGIC.len() - 4 > u16::MAX as usize;
    let prefix = MAGIC.len() + 2 + if v2 { 4 } else { 2 };
    let total = (prefix + dict.len() + 1).next_multiple_of(64);
    let header_len = total - prefix;
    let mut out = Vec::with_capacity(total + tensor.data.len() * 2);
    out.extend_from_slice(MAGIC);
    if v2 {
        out.extend_from_slice(&[2, 0]);
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
    } else {
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    if tensor.dtype == DType::BF16 {
        for c in tensor.data.chunks_exact(2) {
            // bf16 is the high half of an f32.
            out.extend_from_slice(&[0, 0, c[0], c[1]]);
        }
    } else if tensor.dtype.is_narrow_float() {
        for v in tensor.to_f64s() {
            out.extend_from_slice(&(v as f32).to_le_bytes());
        }
    } else {
        out.extend_from_slice(&tensor.data);
    }
    out
}

/// Decodes a `.npy` file.
pub fn read(bytes: &[u8]) -> Result<Tensor> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(Error::invalid("not a .npy file (bad magic)"));
    }
    let major = bytes[6];
    let (len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(Error::invalid(".npy header is truncated"));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => {
            return Err(Error::unsupported(format!(
                ".npy format version {v} is not supported"
            )));
        }
    };
    let header = bytes
        .get(start..start + len)
        .ok_or_else(|| Error::invalid(".npy header is truncated"))?;
    let header =
        std::str::from_utf8(header).map_err(|_| Error::invalid(".npy header is not UTF-8"))?;
    let descr = field(header, "descr")?;
    let descr = descr
        .trim()
        .trim_matches(|c| c == '\'' || c == '"')
        .to_string();
    let fortran = field(header, "fortran_order")?;
    match fortran.trim() {
        "False" => {}
        "True" => {
            return Err(Error::unsupported(
                "Fortran-order .npy data is not supported; save with np.ascontiguousarray",
            ));
        }
        other => {
            return Err(Error::invalid(format!(
                "bad fortran_order value \"{other}\""
            )));
        }
    }
    let dtype = parse_descr(&descr)?;
    let shape = field(header, "shape")?;
    let inner = shape
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| Error::invalid(format!("bad .npy shape \"{shape}\"")))?;
    let dims = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|d| {
            d.trim_end_matches('L')
                .parse::<u64>()
                .map_err(|_| Error::invalid(format!("bad .npy dimension \"{d}\"")))
        })
        .collect::<Result<Vec<_>>>()?;
    let data = &bytes[start + len..];
    let count = o2l_canon::shape::element_count(&dims)?;
    let want = count
        .checked_mul(dtype.size_bytes() as u64)
        .ok_or_else(|| Error::limit(format!(".npy shape {dims:?} is too large")))?;
    if (data.len() as u64) < want {
        return Err(Error::invalid(format!(
            ".npy data is truncated: shape {dims:?} of {dtype} needs {want} bytes, found {}",
            data.len()
        )));
    }
    let mut data = data[..want as usize].to_vec();
    if dtype == DType::Bool {
        for b in &mut data {
            *b = (*b != 0) as u8;
        }
    }
    Tensor::new(dtype, dims, data.into())
}

/// The text of `key`'s value in the header's Python dict literal.
fn field<'h>(header: &'h str, key: &str) -> Result<&'h str> {
    let missing = || Error::invalid(format!(".npy header has no '{key}': {}", header.trim()));
    let at = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))
        .ok_or_else(missing)?;
    let rest = &header[at + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':').ok_or_else(missing)?;
    let rest = rest.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')').map(|i| i + 1)
    } else {
        rest.find([',', '}'])
    }
    .ok_or_else(missing)?;
    Ok(&rest[..end])
}

/// Reads a `.npy` file from disk; errors name the file.
pub fn read_file(path: &std::path::Path) -> Result<Tensor> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("{}: {e}", path.display())))?;
    read(&bytes).map_err(|e| Error {
        message: format!("{}: {}", path.display(), e.message),
        ..e
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_dtype_and_rank() {
        for dtype in DType::ALL {
            for dims in [vec![], vec![3], vec![2, 3], vec![0, 4]] {
                let n: u64 = dims.iter().product();
                let vals: Vec<i64> = (0..n as i64).map(|i| i % 2).collect();
                let t = Tensor::from_i64s(dtype, dims.clone(), &vals).unwrap();
                let bytes = write(&t);
                // Written as f32: bf16 (2 bytes) and the narrow floats (1 byte).
                let widened = if dtype == DType::BF16 {
                    2
                } else if dtype.is_narrow_float() {
                    4
                } else {
                    1
                };
                assert_eq!((bytes.len() - t.data.len() * widened) % 64, 0);
                let back = read(&bytes).unwrap();
                if dtype == DType::BF16 || dtype.is_narrow_float() {
                    assert_eq!(back.dtype, DType::F32);
                    assert_eq!(back.to_f64s(), t.to_f64s());
                } else if dtype.is_narrow_int() {
                    assert_eq!(back.to_i64s(), t.to_i64s(), "{dtype} {dims:?}");
                } else {
                    assert_eq!(back, t, "{dtype} {dims:?}");
                }
            }
        }
    }

    #[test]
    fn reads_numpy_headers() {
        let mut f = b"\x93NUMPY\x01\x00".to_vec();
        let h = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 1), }";
        let pad = (10 + h.len() + 1).next_multiple_of(64) - 10;
        f.extend_from_slice(&(pad as u16).to_le_bytes());
        f.extend_from_slice(h.as_bytes());
        f.resize(10 + pad - 1, b' ');
        f.push(b'\n');
        f.extend_from_slice(&[7, 0, 0, 0, 255, 255, 255, 255]);
        let t = read(&f).unwrap();
        assert_eq!(t.dims, vec![2, 1]);
        assert_eq!(t.to_i64s(), vec![7, -1]);
    }

    #[test]
    fn rejects_fortran_order_and_unknown_dtypes() {
        let t = Tensor::from_i64s(DType::I32, vec![2], &[1, 2]).unwrap();
        let bytes = write(&t);
        let replace = |from: &[u8], to: &[u8]| {
            let mut b = bytes.clone();
            let at = b.windows(from.len()).position(|w| w == from).unwrap();
            b[at..at + to.len()].copy_from_slice(to);
            b
        };
        let e = read(&replace(b"False", b"True ")).unwrap_err();
        assert!(e.message.contains("Fortran"), "{e}");
        let e = read(&replace(b"<i4", b"<c8")).unwrap_err();
        assert!(e.message.contains("'<c8'"), "{e}");
    }
}
