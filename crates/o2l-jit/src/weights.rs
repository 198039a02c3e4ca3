//! Weights as host buffers instead of compiled constants (fast pipeline).
//!
//! A `dense_resource` constant becomes, after bufferization and the lowering
//! to the LLVM dialect, an `llvm.mlir.global private constant` whose value is
//! the resource. Translating and compiling it copies the weight into LLVM
//! constants and then into the object file, which is slow for large models.
//! Instead, `Blobs::from_text` decodes the `dialect_resources` section of the
//! module text into 64-byte aligned host buffers (or `Blobs::with_detached`
//! takes them from the lowering in this process, for text that has no
//! section), and `externalize` turns each such global into an external
//! declaration, whose symbol the JIT defines as the buffer's address. The code
//! reads the same bytes either way.
use melior::{
    Context,
    ir::{
        Attribute, BlockLike, Module,
        attribute::AttributeLike,
        operation::{OperationLike, OperationMutLike},
    },
};
use o2l_canon::{Error, Result};
use std::collections::{HashMap, HashSet};

/// Globals smaller than this stay compiled in.
const MIN_BYTES: usize = 256;
/// The alignment of every host buffer (a global asking for more stays compiled in).
pub const ALIGN: usize = 64;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; ALIGN]);

/// One resource blob's bytes, 64-byte aligned.
pub struct Blob {
    lines: Vec<Line>,
    len: usize,
}

impl Blob {
    fn from_hex(hex: &[u8]) -> Option<Blob> {
        if !hex.len().is_multiple_of(2) {
            return None;
        }
        let len = hex.len() / 2;
        let mut lines = vec![Line([0; ALIGN]); len.div_ceil(ALIGN).max(1)];
        // One line of output from each 128 hex digits; a bad digit fails the blob.
        let mut bad = 0u8;
        for (line, digits) in lines.iter_mut().zip(hex.chunks(2 * ALIGN)) {
            for (byte, pair) in line.0.iter_mut().zip(digits.chunks_exact(2)) {
                let (hi, lo) = (HEX[pair[0] as usize], HEX[pair[1] as usize]);
                bad |= (hi | lo) & 0x80;
                *byte = (hi << 4) | (lo & 0x0F);
            }
        }
        (bad == 0).then_some(Blob { lines, len })
    }

    /// A copy of `bytes`, aligned.
    pub fn from_bytes(bytes: &[u8]) -> Blob {
        let mut lines = vec![Line([0; ALIGN]); bytes.len().div_ceil(ALIGN).max(1)];
        for (line, chunk) in lines.iter_mut().zip(bytes.chunks(ALIGN)) {
            line.0[..chunk.len()].copy_from_slice(chunk);
        }
        Blob {
            lines,
            len: bytes.len(),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `lines` is `len.div_ceil(ALIGN)` or more plain byte arrays
        // laid out back to back (`repr(C)`, size ALIGN), so its first `len`
        // bytes are initialised and live as long as `self`.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast::<u8>(), self.len) }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn address(&self) -> usize {
        self.lines.as_ptr() as usize
    }
}

/// A hex digit's value, or 0x80 for anything else.
const HEX: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// The `builtin` resource blobs of a module's text, by key.
#[derive(Default)]
pub struct Blobs {
    by_key: HashMap<String, Blob>,
    /// Keys whose bytes are not in the text (`with_detached`): their globals
    /// must become external, whatever their size.
    detached: HashSet<String>,
}

impl Blobs {
    /// Reads the blobs of the text's `{-# dialect_resources: { builtin: { ... } } #-}`
    /// section; anything it does not understand is skipped (those weights
    /// then stay compiled in).
    pub fn from_text(text: &str) -> Blobs {
        let mut by_key = HashMap::new();
        let Some(at) = text.rfind("{-#") else {
            return Blobs::default();
        };
        let section = &text[at..];
        let Some(builtin) = section.find("builtin: {") else {
            return Blobs::default();
        };
        for line in section[builtin..].lines().skip(1) {
            let line = line.trim();
            if line.starts_with('}') {
                break;
            }
            let Some((key, value)) = split_entry(line) else {
                continue;
            };
            // The payload is "0x" + 4 bytes of alignment + the data.
            let Some(hex) = value.strip_prefix("\"0x") else {
                continue;
            };
            let hex = hex.trim_end_matches(',').trim_end_matches('"');
            if hex.len() < 8 {
                continue;
            }
            if let Some(blob) = Blob::from_hex(&hex.as_bytes()[8..]) {
                by_key.insert(key, blob);
            }
        }
        Blobs {
            by_key,
            detached: HashSet::new(),
        }
    }

    /// The blobs of `text`'s resource section and the `detached` ones, whose
    /// bytes the text leaves out (copied once, aligned).
    pub fn with_detached(text: &str, detached: &[(String, bytes::Bytes)]) -> Blobs {
        let mut blobs = Blobs::from_text(text);
        for (key, bytes) in detached {
            blobs.insert(key.clone(), Blob::from_bytes(bytes));
            blobs.detached.insert(key.clone());
        }
        blobs
    }

    pub fn get(&self, key: &str) -> Option<&Blob> {
        self.by_key.get(key)
    }

    pub fn insert(&mut self, key: String, blob: Blob) {
        self.by_key.insert(key, blob);
    }
}

/// `key: "0x..."` or `"quoted key": "0x..."`.
fn split_entry(line: &str) -> Option<(String, &str)> {
    if let Some(rest) = line.strip_prefix('"') {
        let mut key = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    let value = rest[i + 1..].trim_start().strip_prefix(':')?.trim();
                    return Some((key, value));
                }
                '\\' => {
                    let (_, next) = chars.next()?;
                    match next {
                        '"' | '\\' => key.push(next),
                        _ => return None,
                    }
                }
                _ => key.push(c),
            }
        }
        None
    } else {
        let (key, value) = line.split_once(':')?;
        Some((key.trim().to_string(), value.trim()))
    }
}

/// Turns each large constant global of an LLVM-dialect module whose value is
/// a resource found in `blobs` (and each detached one, whatever its size)
/// into an external declaration. Returns (symbol, resource key) for each.
/// Fails if a detached blob's global cannot become external: the text has
/// no bytes to compile in for it.
pub fn externalize(
    context: &Context,
    module: &mut Module,
    blobs: &Blobs,
) -> Result<Vec<(String, String)>> {
    let Some(external) = Attribute::parse(context, "#llvm.linkage<external>") else {
        return Err(Error::internal(
            "MLIR does not parse #llvm.linkage<external>",
        ));
    };
    let mut done = Vec::new();
    let body = module.body();
    let mut op = body.first_operation_mut();
    while let Some(mut current) = op {
        if current.name().as_string_ref().as_str().ok() == Some("llvm.mlir.global")
            && let Some(key) = resource_key(&current)
        {
            match external_symbol(&current, &key, blobs) {
                Some(symbol) => {
                    let _ = current.remove_attribute("value");
                    current.set_attribute("linkage", external);
                    done.push((symbol, key));
                }
                None if blobs.detached.contains(&key) => {
                    return Err(Error::internal(format!(
                        "weight \"{key}\" cannot be passed to the compiled code as a buffer"
                    )));
                }
                None => {}
            }
        }
        op = current.next_in_block_mut();
    }
    Ok(done)
}

/// The resource key of a global whose value is a `dense_resource`.
fn resource_key<'c: 'a, 'a>(op: &impl OperationLike<'c, 'a>) -> Option<String> {
    let value = op.attribute("value").ok()?;
    // SAFETY: a live attribute of this context.
    if !unsafe { mlir_sys::mlirAttributeIsADenseResourceElements(value.to_raw()) } {
        return None;
    }
    // Printed alone, the attribute names its blob: `dense_resource<key> : type`.
    let printed = value.to_string();
    let inner = printed.strip_prefix("dense_resource<")?;
    Some(if inner.starts_with('"') {
        split_entry(&format!("{}:", &inner[..inner.find("\">")? + 1]))?.0
    } else {
        inner[..inner.find('>')?].to_string()
    })
}

/// The symbol of a resource global that may become external: its blob is
/// in `blobs`, large enough (or detached), covers the type, and needs no
/// more than the buffers' alignment.
fn external_symbol<'c: 'a, 'a>(
    op: &impl OperationLike<'c, 'a>,
    key: &str,
    blobs: &Blobs,
) -> Option<String> {
    let raw = op.attribute("value").ok()?.to_raw();
    let blob = blobs.get(key)?;
    let small = blob.len() < MIN_BYTES && !blobs.detached.contains(key);
    if small || blob.len() < needed_bytes(raw)? {
        return None;
    }
    if let Ok(align) = op.attribute("alignment") {
        let align = melior::ir::attribute::IntegerAttribute::try_from(align)
            .ok()?
            .value();
        if align > ALIGN as i64 {
            return None;
        }
    }
    Some(
        melior::ir::attribute::StringAttribute::try_from(op.attribute("sym_name").ok()?)
            .ok()?
            .value()
            .to_string(),
    )
}

/// The bytes a resource attribute's type covers (i1 as one byte each), or
/// `None` for an element type without a plain width.
fn needed_bytes(raw: mlir_sys::MlirAttribute) -> Option<usize> {
    // SAFETY: queries on a live attribute and its type.
    unsafe {
        let ty = mlir_sys::mlirAttributeGetType(raw);
        if !mlir_sys::mlirTypeIsAShaped(ty) || !mlir_sys::mlirShapedTypeHasStaticShape(ty) {
            return None;
        }
        let mut n: usize = 1;
        for i in 0..mlir_sys::mlirShapedTypeGetRank(ty) {
            n = n.checked_mul(
                usize::try_from(mlir_sys::mlirShapedTypeGetDimSize(ty, i as isize)).ok()?,
            )?;
        }
        let elem = mlir_sys::mlirShapedTypeGetElementType(ty);
        let bits = if mlir_sys::mlirTypeIsAInteger(elem) {
            mlir_sys::mlirIntegerTypeGetWidth(elem) as usize
        } else if mlir_sys::mlirTypeIsAFloat(elem) {
            mlir_sys::mlirFloatTypeGetWidth(elem) as usize
        } else {
            return None;
        };
        n.checked_mul(bits.div_ceil(8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_quoted_keys_and_skips_the_alignment_word() {
        let text = "module {}\n{-#\n  dialect_resources: {\n    builtin: {\n      w1: \"0x0400000001020304\",\n      \"odd \\\"key\\\"\": \"0x08000000FF\"\n    }\n  }\n#-}\n";
        let blobs = Blobs::from_text(text);
        let w1 = blobs.get("w1").unwrap();
        assert_eq!(w1.len(), 4);
        assert_eq!(w1.lines[0].0[..4], [1, 2, 3, 4]);
        assert_eq!(w1.address() % ALIGN, 0);
        let odd = blobs.get("odd \"key\"").unwrap();
        assert_eq!((odd.len(), odd.lines[0].0[0]), (1, 0xFF));
        // 130 bytes span three lines; a digit that is not hex drops the blob.
        let long: String = (0..130u32)
            .map(|i| format!("{:02x}", i * 7 % 256))
            .collect();
        let text = format!(
            "{{-#\n dialect_resources: {{\n builtin: {{\n a: \"0x04000000{long}\",\n b: \"0x040000000G\"\n }}\n }}\n#-}}\n"
        );
        let blobs = Blobs::from_text(&text);
        let a = blobs.get("a").unwrap();
        let bytes: Vec<u8> = a.lines.iter().flat_map(|l| l.0).take(a.len()).collect();
        assert_eq!(
            bytes,
            (0..130u32).map(|i| (i * 7 % 256) as u8).collect::<Vec<_>>()
        );
        assert!(blobs.get("b").is_none());
    }
}
