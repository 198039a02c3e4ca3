//! Constants as MLIR attributes: `dense_resource` blobs whose bytes the
//! writer fills in from the tensor as it writes (`Deferred`), inline
//! `dense<...>`, or zero placeholders.
//! The crate's `unsafe` lives here and in `emit.rs`.
use crate::Weights;
use bytes::Bytes;
use melior::Context;
use melior::ir::attribute::{DenseElementsAttribute, FloatAttribute, IntegerAttribute};
use melior::ir::r#type::TypeLike;
use melior::ir::{Attribute, Type};
use o2l_canon::{DType, Error, FileMaps, Result, Tensor};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

/// Constants with at most this many elements are always inlined.
pub const INLINE_MAX_ELEMENTS: u64 = 16;

/// MLIR 22 prints a non-splat `dense<...>` of more than this many elements as
/// a hex string (the default of its printing flags, which the C API cannot
/// change per attribute).
pub const PRINTED_IN_HEX_ABOVE: u64 = 100;

/// What resource blobs need while a module is built: unique names, and the
/// weights the writer fills in.
pub(crate) struct Resources {
    used: HashSet<String>,
    deferred: Rc<RefCell<Deferred>>,
}

/// Empty, for `mem::take` while a nested region is lowered.
impl Default for Resources {
    fn default() -> Self {
        Resources::new(Rc::new(RefCell::new(Deferred::new(FileMaps::default()))))
    }
}

impl Resources {
    pub fn new(deferred: Rc<RefCell<Deferred>>) -> Self {
        Resources {
            used: HashSet::new(),
            deferred,
        }
    }

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
    resources: &mut Resources,
) -> Result<Attribute<'c>> {
    let small = tensor.num_elements() <= INLINE_MAX_ELEMENTS;
    match mode {
        Weights::Elide if !small => {
            Ok(DenseElementsAttribute::splat(ty, zero(cx, elem, tensor.dtype)).into())
        }
        Weights::Resource if !small && tensor.dtype != DType::Bool => {
            let name = resources.unique(name);
            resources.deferred.borrow_mut().resource(ty, tensor, name)
        }
        _ => inline(ty, tensor),
    }
}

/// A bool constant MLIR would print in hex, as the `i8` tensor (one 0 or 1 a
/// byte) that the lowering truncates to `i1`; `None` for any other constant.
///
/// MLIR 22's hex for `i1` packs eight elements a byte, newer MLIR (IREE's)
/// reads one byte an element and rejects it; an `i8` constant reads the same
/// in both. Splats and short constants print as `true`/`false` and stay `i1`.
pub(crate) fn bool_as_i8(tensor: &Tensor, mode: Weights) -> Result<Option<Tensor>> {
    if tensor.dtype != DType::Bool
        || mode == Weights::Elide
        || tensor.num_elements() <= PRINTED_IN_HEX_ABOVE
    {
        return Ok(None);
    }
    let bytes: Vec<u8> = tensor.data.iter().map(|&b| u8::from(b != 0)).collect();
    if bytes.iter().all(|&b| Some(&b) == bytes.first()) {
        return Ok(None);
    }
    Tensor::new(DType::I8, tensor.dims.clone(), Bytes::from(bytes)).map(Some)
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

/// Weights that the writer copies from their source as it writes.
///
/// MLIR gets, for each weight, an aligned address inside a reserved region
/// that can never be read (`PROT_NONE`, no memory behind it). The bytecode
/// writer hands resource blobs to the output stream by address and unbuffered
/// (MLIR's C callback stream), so the stream callback (`emit.rs`) recognises
/// those addresses and writes the weight's real bytes instead. The text form
/// has MLIR leave the resource section out and writes it here, hex-encoded in
/// parallel (`write_text_section`). A misaligned weight then needs no aligned
/// copy, and pages of weights viewed in a file map are dropped again as soon
/// as they are written: peak memory stays near the largest weight instead of
/// the whole model. Anything else that tried to read a placeholder would fault
/// at once, never see wrong bytes.
pub(crate) struct Deferred {
    regions: Vec<Region>,
    /// By placeholder address.
    slots: BTreeMap<usize, Slot>,
    /// Placeholder addresses in the order the blobs were made.
    order: Vec<usize>,
    file_maps: FileMaps,
}

/// A reserved, inaccessible address range handed out from the front.
struct Region {
    base: usize,
    len: usize,
    used: usize,
}

struct Slot {
    /// The blob's key in the resource section.
    name: String,
    /// The blob's alignment (its element size).
    align: usize,
    source: Bytes,
    /// The source lies in a file map, so its pages may be dropped after use.
    in_file: bool,
}

/// Placeholder addresses are aligned like this (enough for every element type).
const SLOT_ALIGN: usize = 64;
/// A file-mapped weight is written and its pages dropped this much at a time.
const RELEASE_CHUNK: usize = 4 << 20;
/// Address space reserved at a time (costs no memory).
const REGION_BYTES: usize = 1 << 32;

impl Deferred {
    pub fn new(file_maps: FileMaps) -> Self {
        Deferred {
            regions: Vec::new(),
            slots: BTreeMap::new(),
            order: Vec::new(),
            file_maps,
        }
    }

    fn placeholder(&mut self, len: usize) -> Result<usize> {
        let need = len.div_ceil(SLOT_ALIGN).max(1) * SLOT_ALIGN;
        if let Some(r) = self.regions.last_mut()
            && r.len - r.used >= need
        {
            let at = r.base + r.used;
            r.used += need;
            return Ok(at);
        }
        let len = need.max(REGION_BYTES);
        // SAFETY: a fresh anonymous mapping that nothing else refers to.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(Error::limit(format!(
                "cannot reserve {len} bytes of address space for the weights: {}",
                std::io::Error::last_os_error()
            )));
        }
        self.regions.push(Region {
            base: base as usize,
            len,
            used: need,
        });
        Ok(base as usize)
    }

    fn resource<'c>(
        &mut self,
        ty: Type<'c>,
        tensor: &Tensor,
        name: String,
    ) -> Result<Attribute<'c>> {
        let at = self.placeholder(tensor.data.len())?;
        let in_file = self.file_maps.contains(&tensor.data);
        let name_ref = melior::StringRef::new(&name);
        self.order.push(at);
        self.slots.insert(
            at,
            Slot {
                name: name.clone(),
                align: tensor.dtype.size_bytes(),
                source: tensor.data.clone(),
                in_file,
            },
        );
        // SAFETY: MLIR keeps the address and length and, when writing bytecode,
        // passes them to the stream callback, which writes `source` instead
        // (see `write_through`); the text form never prints them (see
        // `write_text_section`); nothing is freed (no deleter).
        Ok(unsafe {
            Attribute::from_raw(mlir_sys::mlirUnmanagedDenseResourceElementsAttrGet(
                ty.to_raw(),
                name_ref.to_raw(),
                at as *mut std::ffi::c_void,
                tensor.data.len(),
                tensor.dtype.size_bytes(),
                false,
                None,
                std::ptr::null_mut(),
            ))
        })
    }

    /// If `chunk` (an address range the writer passed on) lies in the
    /// placeholders, writes the weights' bytes for it to `out` and returns
    /// Some; None for any other chunk.
    pub fn write_through(
        &self,
        start: usize,
        len: usize,
        out: &mut dyn std::io::Write,
    ) -> Option<std::io::Result<()>> {
        if !self
            .regions
            .iter()
            .any(|r| start >= r.base && start < r.base + r.len)
        {
            return None;
        }
        let end = start + len;
        let mut at = start;
        while at < end {
            let Some((&slot_start, slot)) = self.slots.range(..=at).next_back() else {
                return Some(Err(stray(at)));
            };
            let from = at - slot_start;
            if from >= slot.source.len() {
                return Some(Err(stray(at)));
            }
            let to = (end - slot_start).min(slot.source.len());
            // In pieces, so that at most one piece of a large weight is resident.
            for piece in slot.source[from..to].chunks(RELEASE_CHUNK) {
                if let Err(e) = out.write_all(piece) {
                    return Some(Err(e));
                }
                if slot.in_file {
                    release(piece);
                }
            }
            at = slot_start + to;
        }
        Some(Ok(()))
    }
}

impl Deferred {
    /// Every blob's key and bytes, in the order they were made.
    pub fn weights(&self) -> Vec<(String, Bytes)> {
        self.order
            .iter()
            .filter_map(|at| self.slots.get(at))
            .map(|slot| (slot.name.clone(), slot.source.clone()))
            .collect()
    }

    /// Writes the text form's resource section: each blob as MLIR spells it,
    /// `"0x"` then the alignment (4 bytes, little-endian) and the bytes in
    /// upper-case hex. Pieces of a weight are encoded in parallel on the rayon
    /// pool, except on a rayon worker (batch), whose waiting could steal
    /// another model's conversion onto its stack; there models run in parallel.
    pub fn write_text_section(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        if self.order.is_empty() {
            return Ok(());
        }
        let parallel = rayon::current_thread_index().is_none();
        out.write_all(b"{-#\n  dialect_resources: {\n    builtin: {\n")?;
        for (i, at) in self.order.iter().enumerate() {
            let Some(slot) = self.slots.get(at) else {
                return Err(stray(*at));
            };
            let align = u32::try_from(slot.align).unwrap_or(1).to_le_bytes();
            write!(out, "      {}: \"0x", slot.name)?;
            out.write_all(&hex(&align))?;
            for window in slot.source.chunks(RELEASE_CHUNK) {
                // One piece needs no pool (starting it costs a small model's time).
                if parallel && window.len() > HEX_PIECE {
                    let pieces: Vec<Vec<u8>> = window.par_chunks(HEX_PIECE).map(hex).collect();
                    for piece in pieces {
                        out.write_all(&piece)?;
                    }
                } else {
                    out.write_all(&hex(window))?;
                }
                if slot.in_file {
                    release(window);
                }
            }
            let last = i + 1 == self.order.len();
            out.write_all(if last { b"\"\n" } else { b"\",\n" })?;
        }
        out.write_all(b"    }\n  }\n#-}\n")
    }
}

/// Bytes encoded in parallel as one piece of the text form.
const HEX_PIECE: usize = 256 << 10;

/// `bytes` in upper-case hex, as MLIR prints blobs.
fn hex(bytes: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)]);
        s.push(DIGITS[usize::from(b & 15)]);
    }
    s
}

fn stray(at: usize) -> std::io::Error {
    std::io::Error::other(format!(
        "internal error: MLIR's writer passed on placeholder address {at:#x}, which is no weight's"
    ))
}

/// Drops the whole pages inside `bytes` (a read-only file map) from this
/// process's memory; the file still holds them, and touching them reads them
/// back.
fn release(bytes: &[u8]) {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let start = (bytes.as_ptr() as usize).next_multiple_of(page);
    let end = (bytes.as_ptr() as usize + bytes.len()) / page * page;
    if end > start {
        // SAFETY: the range lies inside a read-only file map that the graph
        // keeps alive; MADV_DONTNEED on it only unmaps pages, whose contents
        // come back from the file if read again.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        for r in &self.regions {
            // SAFETY: each region is a mapping this struct made and still owns.
            unsafe {
                libc::munmap(r.base as *mut libc::c_void, r.len);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Case, binary, bufferizes, check, f32t, lower_bytecode, lower_text, t};
    use o2l_canon::ops::{Binary, Movement};
    use o2l_canon::{DType, Op, Tensor};

    /// MLIR's reading of `bytecode`, printed as text (resources in hex).
    fn bytecode_as_text(bytecode: &[u8]) -> String {
        let registry = melior::dialect::DialectRegistry::new();
        melior::utility::register_all_dialects(&registry);
        let context = melior::Context::new_with_registry(&registry, false);
        context.load_all_available_dialects();
        // SAFETY: the string ref points at `bytecode`, alive for the call.
        let raw = unsafe {
            mlir_sys::mlirModuleCreateParse(
                context.to_raw(),
                mlir_sys::MlirStringRef {
                    data: bytecode.as_ptr() as *const std::ffi::c_char,
                    length: bytecode.len(),
                },
            )
        };
        assert!(!raw.ptr.is_null(), "MLIR cannot read the bytecode");
        // SAFETY: a module just parsed, owned from here on.
        let module = unsafe { melior::ir::Module::from_raw(raw) };
        module.as_operation().to_string()
    }

    #[test]
    fn weights_modes() {
        let build = || {
            let mut c = Case::new();
            let x = c.input("x", f32t(&[4, 8]));
            let w = c.weight("layer/w:0", &[4, 8], 2.0);
            let w2 = c.weight("layer/w:0", &[4, 8], 3.0);
            let s = c.weight("small", &[8], 1.0);
            let a = c.node(binary(Binary::Add), &[x, w], "a");
            let b = c.node(binary(Binary::Add), &[a, w2], "b");
            let y = c.node(binary(Binary::Mul), &[b, s], "c");
            c.output(y)
        };
        let g = build();
        let res = lower_text(&g, Weights::Resource);
        assert!(res.contains("dense_resource<layer_w_0>"), "{res}");
        assert!(res.contains("dense_resource<layer_w_0_1>"), "{res}");
        assert!(res.contains("dense<[-1.000000e+00, -5.000000e-01"), "{res}");
        let inl = lower_text(&g, Weights::Inline);
        assert!(!inl.contains("dense_resource"), "{inl}");
        let eli = lower_text(&g, Weights::Elide);
        assert!(
            eli.contains("dense<0.000000e+00> : tensor<4x8xf32>"),
            "{eli}"
        );
        bufferizes(&res);
        let bc = lower_bytecode(&g);
        assert!(bc.starts_with(b"ML\xefR"), "bytecode magic");
        // Detached: the same module without its resource section, and the
        // weights' own bytes by key.
        let (text, weights) = crate::lower_detached(&g, &crate::LowerOptions::default()).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert_eq!(text, res[..res.find("{-#").unwrap()]);
        let keys: Vec<&str> = weights.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["layer_w_0", "layer_w_0_1"]);
        let w2 = g
            .nodes
            .iter()
            .flat_map(|n| &n.inputs)
            .filter_map(|&v| g.value(v).constant.as_ref())
            .nth(1);
        assert_eq!(weights[1].1, w2.unwrap().data);
    }

    #[test]
    fn bytecode_weights_are_the_weights() {
        // Weights viewed in a file map at odd (misaligned) offsets, spanning
        // several pages (offsets 5, 49192 and 49455 in the file; a map starts
        // page-aligned): the bytecode writer fills their placeholders from the
        // map and drops the pages again; the text form reads them directly.
        let dir = std::env::temp_dir().join(format!("o2l-deferred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("weights.bin");
        // The last (10 MB) spans many pages.
        let sizes = [(5usize, 4096usize * 3 + 8), (3, 64), (7, 2_500_000)];
        let mut file_bytes = Vec::new();
        let mut offsets = Vec::new();
        for (k, &(pad, floats)) in sizes.iter().enumerate() {
            file_bytes.extend(std::iter::repeat_n(0xAAu8, pad));
            offsets.push((file_bytes.len(), floats * 4));
            for i in 0..floats {
                file_bytes.extend(((i * 7 + k) as f32 * 0.25).to_le_bytes());
            }
        }
        std::fs::write(&path, &file_bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: a file this test wrote and does not change.
        let map = bytes::Bytes::from_owner(unsafe { memmap2::Mmap::map(&file) }.unwrap());
        let mut c = Case::new();
        let mut acc = None;
        for (k, &(off, len)) in offsets.iter().enumerate() {
            let n = (len / 4) as u64;
            let data = map.slice(off..off + len);
            let w =
                c.g.add_constant(
                    format!("w{k}"),
                    Tensor::new(DType::F32, vec![n], data).unwrap(),
                )
                .unwrap();
            let x = c.input(&format!("x{k}"), f32t(&[n]));
            let sum = c.node(binary(Binary::Add), &[x, w], &format!("add{k}"));
            acc = Some(sum);
        }
        c.g.file_maps.push(map.clone());
        let g = c.output(acc.unwrap());
        let bytecode = lower_bytecode(&g);
        let via_bytecode = bytecode_as_text(&bytecode);
        let text = lower_text(&g, Weights::Resource);
        let resources = |s: &str| -> String {
            let at = s
                .find("{-#")
                .unwrap_or_else(|| panic!("no resources:\n{s}"));
            s[at..].to_string()
        };
        assert_eq!(resources(&via_bytecode), resources(&text));
        assert!(
            resources(&text).contains("w2: \"0x04000000"),
            "{}",
            resources(&text)
        );
        // The map still reads the same after its pages were dropped.
        assert_eq!(&map[..], &file_bytes[..]);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn empty_and_scalar_constants() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[0, 3]));
        let e =
            c.g.add_constant("e", Tensor::from_f64s(DType::F32, vec![0, 3], &[]).unwrap())
                .unwrap();
        let s =
            c.g.add_constant("s", Tensor::from_f64s(DType::F32, vec![], &[2.0]).unwrap())
                .unwrap();
        let a = c.node(binary(Binary::Add), &[x, e], "add");
        let y = c.node(binary(Binary::Mul), &[a, s], "mul");
        check(
            &c.output(y),
            &["tensor<0x3xf32>", "dense<2.000000e+00> : tensor<f32>"],
        );
        // Bool constants inline even in resource mode.
        let mut c = Case::new();
        let x = c.input("x", t(DType::Bool, &[20]));
        let m =
            c.g.add_constant(
                "mask",
                Tensor::from_i64s(DType::Bool, vec![20], &[1; 20]).unwrap(),
            )
            .unwrap();
        let y = c.node(Op::Movement(Movement::Concat { axis: 0 }), &[x, m], "cat");
        check(
            &c.output(y),
            &["dense<true> : tensor<20xi1>", "tensor.concat"],
        );
    }

    /// A bool constant MLIR would print in hex is i8 bytes truncated to i1;
    /// short ones and splats stay i1 and print as `true`/`false`.
    #[test]
    fn bool_constants_print_as_bools_or_bytes() {
        let mask = |n: u64, all: bool| {
            let v: Vec<i64> = (0..n).map(|i| i64::from(all || i % 3 == 0)).collect();
            Tensor::from_i64s(DType::Bool, vec![n], &v).unwrap()
        };
        let lowered = |m: Tensor, mode: Weights| {
            let n = m.dims[0];
            let mut c = Case::new();
            let x = c.input("x", t(DType::Bool, &[n]));
            let m = c.g.add_constant("mask", m).unwrap();
            let y = c.node(binary(Binary::And), &[x, m], "and");
            lower_text(&c.output(y), mode)
        };
        let text = lowered(mask(101, false), Weights::Inline);
        assert!(text.contains("dense<\"0x0100000100000100"), "{text}");
        assert!(text.contains(": tensor<101xi8>"), "{text}");
        assert!(text.contains("arith.trunci %in : i8 to i1"), "{text}");
        assert!(!text.contains("xi1> ="), "{text}");
        bufferizes(&text);
        let text = lowered(mask(101, false), Weights::Resource);
        assert!(
            text.contains("dense_resource<mask> : tensor<101xi8>"),
            "{text}"
        );
        assert!(text.contains("mask: \"0x010000000100000100"), "{text}");
        let text = lowered(mask(101, false), Weights::Elide);
        assert!(text.contains("dense<false> : tensor<101xi1>"), "{text}");
        let text = lowered(mask(101, true), Weights::Inline);
        assert!(text.contains("dense<true> : tensor<101xi1>"), "{text}");
        assert!(!text.contains("trunci"), "{text}");
        let text = lowered(mask(100, false), Weights::Inline);
        assert!(text.contains("dense<[true, false, false, true,"), "{text}");
        assert!(!text.contains("trunci"), "{text}");
    }
}
