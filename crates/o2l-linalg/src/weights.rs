//! Constants as MLIR attributes: `dense_resource` blobs over the tensor's own
//! bytes (no copy unless misaligned), inline `dense<...>`, or zero placeholders.
//! The only `unsafe` of the crate lives here.
use crate::Weights;
use melior::Context;
use melior::ir::attribute::{DenseElementsAttribute, FloatAttribute, IntegerAttribute};
use melior::ir::r#type::TypeLike;
use melior::ir::{Attribute, Type};
use o2l_canon::{DType, Error, Result, Tensor};
use std::collections::HashSet;

/// Constants with at most this many elements are always inlined.
pub const INLINE_MAX_ELEMENTS: u64 = 16;

/// Hands out unique, readable resource names.
#[derive(Default)]
pub(crate) struct ResourceNames {
    used: HashSet<String>,
}

impl ResourceNames {
    pub fn unique(&mut self, name: &str) -> String {
        let mut base: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            base = format!("w_{base}");
        }
        let mut candidate = base.clone();
        let mut k = 1;
        while !self.used.insert(candidate.clone()) {
            candidate = format!("{base}_{k}");
            k += 1;
        }
        candidate
    }
}

/// The attribute of a constant tensor of type `ty`, as `mode` asks.
///
/// The resource form points MLIR at `tensor.data` without copying when the
/// bytes are suitably aligned; the caller keeps `tensor` (and so its bytes)
/// alive for as long as the context lives.
pub(crate) fn attribute<'c>(
    cx: &'c Context,
    ty: Type<'c>,
    elem: Type<'c>,
    tensor: &Tensor,
    name: &str,
    mode: Weights,
    names: &mut ResourceNames,
) -> Result<Attribute<'c>> {
    let small = tensor.num_elements() <= INLINE_MAX_ELEMENTS;
    match mode {
        Weights::Elide if !small => {
            Ok(DenseElementsAttribute::splat(ty, zero(cx, elem, tensor.dtype)).into())
        }
        Weights::Resource if !small && tensor.dtype != DType::Bool => {
            Ok(resource(ty, tensor, &names.unique(name)))
        }
        _ => inline(ty, tensor),
    }
}

fn zero<'c>(cx: &'c Context, elem: Type<'c>, d: DType) -> Attribute<'c> {
    if d.is_float() {
        FloatAttribute::new(cx, elem, 0.0).into()
    } else {
        IntegerAttribute::new(elem, 0).into()
    }
}

fn inline<'c>(ty: Type<'c>, tensor: &Tensor) -> Result<Attribute<'c>> {
    if tensor.dtype == DType::Bool {
        let v: Vec<i32> = tensor.data.iter().map(|&b| i32::from(b != 0)).collect();
        return Ok(DenseElementsAttribute::bool_values(ty, &v).into());
    }
    if tensor.num_elements() == 0 {
        return DenseElementsAttribute::new(ty, &[])
            .map(Into::into)
            .map_err(|e| Error::internal(format!("empty constant: {e}")));
    }
    Ok(DenseElementsAttribute::raw_buffer(ty, &tensor.data).into())
}

unsafe extern "C" fn free_copy(
    user: *mut std::ffi::c_void,
    _data: *const std::ffi::c_void,
    _size: usize,
    _align: usize,
) {
    // SAFETY: `user` is the `Box<Vec<u64>>` leaked in `resource` for this blob,
    // and MLIR calls the deleter exactly once.
    unsafe { drop(Box::from_raw(user as *mut Vec<u64>)) }
}

fn resource<'c>(ty: Type<'c>, tensor: &Tensor, name: &str) -> Attribute<'c> {
    let align = tensor.dtype.size_bytes();
    let len = tensor.data.len();
    let ptr = tensor.data.as_ptr();
    let name_ref = melior::StringRef::new(name);
    // SAFETY: MLIR reads `len` bytes at `data` while the context lives. For the
    // aligned case those are the tensor's bytes, which the caller keeps alive
    // until the context is dropped; the misaligned case hands MLIR an owned,
    // 8-byte aligned copy that `free_copy` releases.
    unsafe {
        let raw = if (ptr as usize).is_multiple_of(align) {
            mlir_sys::mlirUnmanagedDenseResourceElementsAttrGet(
                ty.to_raw(),
                name_ref.to_raw(),
                ptr as *mut std::ffi::c_void,
                len,
                align,
                false,
                None,
                std::ptr::null_mut(),
            )
        } else {
            let mut words = vec![0u64; len.div_ceil(8)];
            std::ptr::copy_nonoverlapping(ptr, words.as_mut_ptr() as *mut u8, len);
            let data = words.as_mut_ptr() as *mut std::ffi::c_void;
            let user = Box::into_raw(Box::new(words));
            mlir_sys::mlirUnmanagedDenseResourceElementsAttrGet(
                ty.to_raw(),
                name_ref.to_raw(),
                data,
                len,
                align,
                false,
                Some(free_copy),
                user as *mut std::ffi::c_void,
            )
        };
        Attribute::from_raw(raw)
    }
}
