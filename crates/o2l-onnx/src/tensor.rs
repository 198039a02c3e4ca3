//! `TensorProto` -> canonical `Tensor`, in every storage form: `raw_data`
//! (ONNX and canonical tensors are both little-endian, so it is used as is,
//! a slice of the memory map), the typed repeated fields, and external
//! data files (resolved inside the model's folder only, memory-mapped, sliced).
use crate::mmap::map_file;
use o2l_canon::shape::element_count;
use o2l_canon::{DType, Error, Result, Tensor};
use o2l_proto::tensor_proto::{DataLocation, DataType};
use o2l_proto::{Bytes, TensorProto};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Maps the ONNX `TensorProto.DataType` code to a canonical dtype.
/// `what` names the tensor or attribute in the error.
pub(crate) fn dtype_of(code: i32, what: &str) -> Result<DType> {
    let Ok(dt) = DataType::try_from(code) else {
        return Err(Error::invalid(format!(
            "{what}: unknown ONNX data type code {code}"
        )));
    };
    Ok(match dt {
        DataType::Float => DType::F32,
        DataType::Uint8 => DType::U8,
        DataType::Int8 => DType::I8,
        DataType::Uint16 => DType::U16,
        DataType::Int16 => DType::I16,
        DataType::Int32 => DType::I32,
        DataType::Int64 => DType::I64,
        DataType::Bool => DType::Bool,
        DataType::Float16 => DType::F16,
        DataType::Double => DType::F64,
        DataType::Uint32 => DType::U32,
        DataType::Uint64 => DType::U64,
        DataType::Bfloat16 => DType::BF16,
        DataType::Float8e4m3fn => DType::F8E4M3FN,
        DataType::Float8e4m3fnuz => DType::F8E4M3FNUZ,
        DataType::Float8e5m2 => DType::F8E5M2,
        DataType::Float8e5m2fnuz => DType::F8E5M2FNUZ,
        DataType::Float8e8m0 => DType::F8E8M0,
        DataType::Float4e2m1 => DType::F4E2M1,
        DataType::Int4 => DType::I4,
        DataType::Uint4 => DType::U4,
        DataType::Int2 => DType::I2,
        DataType::Uint2 => DType::U2,
        DataType::Undefined => {
            return Err(Error::invalid(format!("{what}: data type is UNDEFINED")));
        }
        other => {
            return Err(Error::unsupported(format!(
                "{what}: element type {} is not supported",
                other.as_str_name()
            )));
        }
    })
}

/// One byte per element from ONNX's packing: 4- and 2-bit elements come low
/// bits first; signed ones are sign-extended (int4 0xF is -1). Byte-wide
/// types pass through untouched (no copy).
fn unpack(dtype: DType, data: Bytes, count: u64) -> Bytes {
    let (bits, signed) = match dtype {
        DType::I4 => (4, true),
        DType::U4 | DType::F4E2M1 => (4, false),
        DType::I2 => (2, true),
        DType::U2 => (2, false),
        _ => return data,
    };
    let per_byte = 8 / bits;
    let mask = (1u8 << bits) - 1;
    let out: Vec<u8> = (0..count as usize)
        .map(|i| {
            let byte = data.get(i / per_byte).copied().unwrap_or(0);
            let v = (byte >> ((i % per_byte) * bits)) & mask;
            if signed && v & (1 << (bits - 1)) != 0 {
                v | !mask
            } else {
                v
            }
        })
        .collect();
    Bytes::from(out)
}

/// External data files already mapped, keyed by canonical path; all inside `dir`.
pub(crate) struct ExternalFiles {
    dir: PathBuf,
    canonical_dir: Option<PathBuf>,
    maps: HashMap<PathBuf, Bytes>,
}

impl ExternalFiles {
    /// The external data files mapped so far.
    pub(crate) fn maps(&self) -> impl Iterator<Item = &Bytes> {
        self.maps.values()
    }

    pub(crate) fn new(dir: &Path) -> Self {
        ExternalFiles {
            dir: dir.to_path_buf(),
            canonical_dir: None,
            maps: HashMap::new(),
        }
    }

    /// Resolves `location` inside the model's folder and maps the file once.
    fn file(&mut self, location: &str, what: &str) -> Result<Bytes> {
        let rel = Path::new(location);
        if location.is_empty() {
            return Err(Error::invalid(format!(
                "{what}: external data has an empty location"
            )));
        }
        for c in rel.components() {
            match c {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => {
                    return Err(Error::invalid(format!(
                        "{what}: external data location \"{location}\" leaves the model's folder (\"..\")"
                    )));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(Error::invalid(format!(
                        "{what}: external data location \"{location}\" is absolute; it must be relative to the model's folder"
                    )));
                }
            }
        }
        let canonical_dir = match &self.canonical_dir {
            Some(d) => d.clone(),
            None => {
                let d = self.dir.canonicalize().map_err(|e| {
                    Error::io(format!("cannot resolve folder {}: {e}", self.dir.display()))
                })?;
                self.canonical_dir = Some(d.clone());
                d
            }
        };
        let joined = self.dir.join(rel);
        let real = joined.canonicalize().map_err(|e| {
            Error::io(format!(
                "{what}: cannot open external data {}: {e}",
                joined.display()
            ))
        })?;
        if !real.starts_with(&canonical_dir) {
            return Err(Error::invalid(format!(
                "{what}: external data location \"{location}\" resolves to {}, outside the model's folder",
                real.display()
            )));
        }
        if let Some(b) = self.maps.get(&real) {
            return Ok(b.clone());
        }
        if !real.is_file() {
            return Err(Error::invalid(format!(
                "{what}: external data location \"{location}\" is not a regular file"
            )));
        }
        let bytes = map_file(&real)?;
        self.maps.insert(real, bytes.clone());
        Ok(bytes)
    }
}

fn tensor_name(t: &TensorProto) -> String {
    format!("tensor \"{}\"", t.name())
}

/// Decodes one tensor. `files` resolves external data.
pub(crate) fn tensor_from_proto(t: &TensorProto, files: &mut ExternalFiles) -> Result<Tensor> {
    let what = tensor_name(t);
    let code = t.data_type.unwrap_or(0);
    let dtype = dtype_of(code, &what)?;
    if t.segment.is_some() {
        return Err(Error::unsupported(format!("{what}: segmented tensors")));
    }
    let mut dims = Vec::with_capacity(t.dims.len());
    for &d in &t.dims {
        let d = u64::try_from(d)
            .map_err(|_| Error::invalid(format!("{what}: negative dim {d} in {:?}", t.dims)))?;
        dims.push(d);
    }
    let count = element_count(&dims).map_err(|e| Error {
        message: format!("{what}: {}", e.message),
        ..e
    })?;
    // 4- and 2-bit types are packed (low bits first) in raw and external data.
    let bits = u64::from(dtype.bit_width());
    let want = if bits < 8 && dtype != DType::Bool {
        count
            .checked_mul(bits)
            .map(|b| b.div_ceil(8))
            .ok_or_else(|| Error::limit(format!("{what}: byte size of {dims:?} overflows")))?
    } else {
        count
            .checked_mul(dtype.size_bytes() as u64)
            .ok_or_else(|| Error::limit(format!("{what}: byte size of {dims:?} overflows")))?
    };
    let size_error = |got: u64, form: &str| {
        Error::invalid(format!(
            "{what}: {dtype} tensor of shape {dims:?} needs {want} bytes, {form} holds {got}"
        ))
    };

    if t.data_location() == DataLocation::External {
        let data = external_bytes(t, files, &what)?;
        if data.len() as u64 != want {
            return Err(size_error(data.len() as u64, "external data"));
        }
        return Tensor::new(dtype, dims, unpack(dtype, data, count));
    }
    if let Some(raw) = &t.raw_data {
        if raw.len() as u64 != want {
            return Err(size_error(raw.len() as u64, "raw_data"));
        }
        return Tensor::new(dtype, dims, unpack(dtype, raw.clone(), count));
    }
    let n = usize::try_from(count)
        .map_err(|_| Error::limit(format!("{what}: {count} elements do not fit in memory")))?;
    let mut out: Vec<u8> = Vec::new();
    let check = |len: usize, field: &str| -> Result<()> {
        if len != n {
            return Err(Error::invalid(format!(
                "{what}: shape {dims:?} needs {n} elements, {field} holds {len}"
            )));
        }
        Ok(())
    };
    match dtype {
        DType::F32 => {
            check(t.float_data.len(), "float_data")?;
            out.reserve(n * 4);
            for v in &t.float_data {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        DType::F64 => {
            check(t.double_data.len(), "double_data")?;
            out.reserve(n * 8);
            for v in &t.double_data {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        DType::I64 => {
            check(t.int64_data.len(), "int64_data")?;
            out.reserve(n * 8);
            for v in &t.int64_data {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        DType::U32 | DType::U64 => {
            check(t.uint64_data.len(), "uint64_data")?;
            out.reserve(n * dtype.size_bytes());
            for &v in &t.uint64_data {
                if dtype == DType::U32 {
                    let v = u32::try_from(v).map_err(|_| {
                        Error::invalid(format!("{what}: uint64_data value {v} does not fit u32"))
                    })?;
                    out.extend_from_slice(&v.to_le_bytes());
                } else {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        // One (packed) byte per int32 for the narrow types.
        DType::F8E4M3FN
        | DType::F8E4M3FNUZ
        | DType::F8E5M2
        | DType::F8E5M2FNUZ
        | DType::F8E8M0
        | DType::F4E2M1
        | DType::I4
        | DType::U4
        | DType::I2
        | DType::U2 => {
            let bytes: Vec<u8> = t.int32_data.iter().map(|&v| v as u8).collect();
            if bytes.len() as u64 != want {
                return Err(size_error(bytes.len() as u64, "int32_data"));
            }
            return Tensor::new(dtype, dims, unpack(dtype, Bytes::from(bytes), count));
        }
        // int32_data carries the bit patterns of every type of 32 bits or fewer.
        DType::I32
        | DType::I16
        | DType::I8
        | DType::U16
        | DType::U8
        | DType::Bool
        | DType::F16
        | DType::BF16 => {
            check(t.int32_data.len(), "int32_data")?;
            out.reserve(n * dtype.size_bytes());
            for &v in &t.int32_data {
                match dtype {
                    DType::I32 => out.extend_from_slice(&v.to_le_bytes()),
                    DType::I16 | DType::U16 | DType::F16 | DType::BF16 => {
                        out.extend_from_slice(&(v as u16).to_le_bytes())
                    }
                    DType::Bool => out.push((v != 0) as u8),
                    _ => out.push(v as u8),
                }
            }
        }
    }
    Tensor::new(dtype, dims, Bytes::from(out))
}

fn external_bytes(t: &TensorProto, files: &mut ExternalFiles, what: &str) -> Result<Bytes> {
    let mut location = None;
    let mut offset: u64 = 0;
    let mut length: Option<u64> = None;
    for kv in &t.external_data {
        let parse = |v: &str| {
            v.parse::<u64>().map_err(|_| {
                Error::invalid(format!(
                    "{what}: external data {} \"{v}\" is not a non-negative integer",
                    kv.key()
                ))
            })
        };
        match kv.key() {
            "location" => location = Some(kv.value().to_string()),
            "offset" => offset = parse(kv.value())?,
            "length" => length = Some(parse(kv.value())?),
            _ => {}
        }
    }
    let Some(location) = location else {
        return Err(Error::invalid(format!(
            "{what}: external data without a \"location\" key"
        )));
    };
    let file = files.file(&location, what)?;
    let size = file.len() as u64;
    if offset > size {
        return Err(Error::invalid(format!(
            "{what}: external data offset {offset} is past the end of \"{location}\" ({size} bytes)"
        )));
    }
    let length = length.unwrap_or(size - offset);
    let end = offset
        .checked_add(length)
        .filter(|&e| e <= size)
        .ok_or_else(|| {
            Error::invalid(format!(
                "{what}: external data offset {offset} + length {length} is past the end of \"{location}\" ({size} bytes)"
            ))
        })?;
    Ok(file.slice(offset as usize..end as usize))
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn int32_data_carries_f16_and_bool_bit_patterns() {
        let dir = scratch("tensors");
        let f16 = TensorProto {
            dims: vec![2],
            data_type: Some(10),
            int32_data: vec![0x3E00, 0xC000],
            ..Default::default()
        };
        let path = dir.join("f16.pb");
        std::fs::write(&path, f16.encode_to_vec()).unwrap();
        let t = read_tensor_file(&path).unwrap();
        assert_eq!(t.dtype, DType::F16);
        assert_eq!(t.to_f64s(), vec![1.5, -2.0]);

        let b = TensorProto {
            dims: vec![3],
            data_type: Some(9),
            int32_data: vec![1, 0, 1],
            ..Default::default()
        };
        std::fs::write(&path, b.encode_to_vec()).unwrap();
        let t = read_tensor_file(&path).unwrap();
        assert_eq!(t.dtype, DType::Bool);
        assert_eq!(&t.data[..], &[1, 0, 1]);

        let s = TensorProto {
            name: Some("words".into()),
            dims: vec![1],
            data_type: Some(8),
            ..Default::default()
        };
        std::fs::write(&path, s.encode_to_vec()).unwrap();
        let e = read_tensor_file(&path).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(
            e.message.contains("words") && e.message.contains("STRING"),
            "{e}"
        );

        let neg = TensorProto {
            dims: vec![-1],
            data_type: Some(1),
            ..Default::default()
        };
        std::fs::write(&path, neg.encode_to_vec()).unwrap();
        assert_eq!(
            read_tensor_file(&path).unwrap_err().kind,
            ErrorKind::InvalidModel
        );
        let huge = TensorProto {
            dims: vec![1 << 40, 1 << 40],
            data_type: Some(1),
            ..Default::default()
        };
        std::fs::write(&path, huge.encode_to_vec()).unwrap();
        assert_eq!(read_tensor_file(&path).unwrap_err().kind, ErrorKind::Limit);
    }

    #[test]
    fn raw_data_stays_a_slice_of_the_memory_map() {
        let dir = scratch("zerocopy");
        let t = t_f32("w", &[4], &[1.0, 2.0, 3.0, 4.0]);
        let path = dir.join("w.pb");
        std::fs::write(&path, t.encode_to_vec()).unwrap();
        let map = crate::mmap::map_file(&path).unwrap();
        let proto: TensorProto = crate::load::decode(map.clone(), &path).unwrap();
        let mut files = crate::tensor::ExternalFiles::new(&dir);
        let tensor = crate::tensor::tensor_from_proto(&proto, &mut files).unwrap();
        let range = map.as_ptr_range();
        assert!(range.contains(&tensor.data.as_ptr()), "raw_data was copied");
        assert_eq!(tensor.to_f64s(), vec![1.0, 2.0, 3.0, 4.0]);
    }
}
