//! Decoding a model file without touching the weights stored inside it.
//!
//! Decoding straight from the file's memory map reads the few bytes in front of every
//! initializer's `raw_data`, and a kernel that keeps the page cache in large folios
//! then maps the whole folio around each of them: ResNet-50's 97 MiB protobuf put
//! ~35 MiB into the process for headers alone. So the model is first read with `pread`
//! into a skeleton in which every large top-level initializer's `raw_data` is empty, the
//! skeleton is decoded, and each of those fields is set to its slice of the (untouched)
//! map. Anything unusual in the file's structure gives `None`, and the caller decodes
//! the whole map as before, so errors and results never depend on this path.
use o2l_proto::{Bytes, Message, ModelProto};
use std::fs::File;
use std::os::unix::fs::FileExt;

/// `raw_data` at least this long is left in the file; shorter is copied.
const LEAVE_FROM: u64 = 4096;
/// Files smaller than this are decoded from the map directly.
const SKIM_FROM: u64 = 1 << 20;
const WINDOW: usize = 64 << 10;
/// A skeleton larger than this (weights kept in other fields, e.g. Constant nodes) would
/// cost more heap than the map costs pages: decode from the map then.
const SKELETON_MAX: u64 = 64 << 20;

const MODEL_GRAPH: u64 = 7;
const GRAPH_INITIALIZER: u64 = 5;
const TENSOR_RAW_DATA: u64 = 9;
const WIRE_LEN: u64 = 2;

/// The model in `map` (the memory map of `file`), decoded without reading its large
/// initializers' bytes; `None` when the file should be decoded from the map instead.
pub(crate) fn decode_skimmed(file: &File, map: &Bytes) -> Option<ModelProto> {
    let len = map.len() as u64;
    if len < SKIM_FROM {
        return None;
    }
    let mut reader = Reader {
        file,
        end: len,
        window: Vec::new(),
        window_at: 0,
        copied: 0,
    };
    let mut skeleton = Vec::new();
    let mut holes = Vec::new();
    walk(&mut reader, Level::Model, 0, len, &mut skeleton, &mut holes)?;
    let mut model = ModelProto::decode(Bytes::from(skeleton)).ok()?;
    let initializers = &mut model.graph.as_mut()?.initializer;
    if initializers.len() != holes.len() {
        return None;
    }
    for (tensor, hole) in initializers.iter_mut().zip(holes) {
        if let Some((at, n)) = hole {
            tensor.raw_data = Some(map.slice(at as usize..(at + n) as usize));
        }
    }
    Some(model)
}

#[derive(Clone, Copy)]
enum Level {
    Model,
    Graph,
    Tensor,
}

/// A byte range of the file left out of the skeleton: (offset, length).
type Hole = (u64, u64);

/// Copies the message in `start..end` of the file into `out`, leaving out large
/// `raw_data` of top-level initializers; `holes` gets one entry per initializer.
/// Returns, for a tensor, the range its `raw_data` was left out of.
fn walk(
    reader: &mut Reader,
    level: Level,
    start: u64,
    end: u64,
    out: &mut Vec<u8>,
    holes: &mut Vec<Option<Hole>>,
) -> Option<Option<Hole>> {
    let mut at = start;
    let mut graphs = 0;
    let mut raw_data_fields = 0;
    let mut hole = None;
    while at < end {
        let (key, after_key) = reader.varint(at)?;
        let (field, wire) = (key >> 3, key & 7);
        let (payload, next) = match wire {
            0 => (after_key, reader.varint(after_key)?.1),
            1 => (after_key, after_key.checked_add(8)?),
            5 => (after_key, after_key.checked_add(4)?),
            WIRE_LEN => {
                let (n, data) = reader.varint(after_key)?;
                (data, data.checked_add(n)?)
            }
            // Groups: never in ONNX; the full decoder says what is wrong.
            _ => return None,
        };
        if next > end {
            return None;
        }
        match (level, field, wire) {
            (Level::Model, MODEL_GRAPH, WIRE_LEN) => {
                // A second graph field would be merged into the first by the decoder.
                graphs += 1;
                if graphs > 1 {
                    return None;
                }
                nested(reader, Level::Graph, key, payload, next, out, holes)?;
            }
            (Level::Graph, GRAPH_INITIALIZER, WIRE_LEN) => {
                let hole = nested(reader, Level::Tensor, key, payload, next, out, holes)?;
                holes.push(hole);
            }
            (Level::Tensor, TENSOR_RAW_DATA, WIRE_LEN) => {
                // The decoder keeps the last of repeated fields; keep it simple.
                raw_data_fields += 1;
                if raw_data_fields > 1 {
                    return None;
                }
                if next - payload >= LEAVE_FROM {
                    push_varint(out, key);
                    push_varint(out, 0);
                    hole = Some((payload, next - payload));
                } else {
                    reader.copy(at, next, out)?;
                }
            }
            _ => reader.copy(at, next, out)?,
        }
        at = next;
    }
    Some(hole)
}

/// Writes the field `key` holding the skeleton of the message in `start..end`.
fn nested(
    reader: &mut Reader,
    level: Level,
    key: u64,
    start: u64,
    end: u64,
    out: &mut Vec<u8>,
    holes: &mut Vec<Option<Hole>>,
) -> Option<Option<Hole>> {
    let mut inner = Vec::new();
    let hole = walk(reader, level, start, end, &mut inner, holes)?;
    push_varint(out, key);
    push_varint(out, inner.len() as u64);
    out.extend_from_slice(&inner);
    Some(hole)
}

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Positioned reads of the file through a small window.
struct Reader<'f> {
    file: &'f File,
    end: u64,
    window: Vec<u8>,
    window_at: u64,
    /// Bytes copied into the skeleton so far.
    copied: u64,
}

impl Reader<'_> {
    /// The varint at `at` and the offset after it.
    fn varint(&mut self, at: u64) -> Option<(u64, u64)> {
        let bytes = self.bytes(at, 10.min(self.end.checked_sub(at)?) as usize)?;
        let mut value = 0u64;
        for (i, &b) in bytes.iter().enumerate() {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                return Some((value, at + i as u64 + 1));
            }
        }
        None
    }

    /// `n` bytes at `at`, from the window (reloaded there when needed).
    fn bytes(&mut self, at: u64, n: usize) -> Option<&[u8]> {
        let inside =
            at >= self.window_at && at + n as u64 <= self.window_at + self.window.len() as u64;
        if !inside {
            let len = (self.end - at).min(WINDOW.max(n) as u64) as usize;
            self.window.resize(len, 0);
            self.file.read_exact_at(&mut self.window, at).ok()?;
            self.window_at = at;
        }
        let from = (at - self.window_at) as usize;
        self.window.get(from..from + n)
    }

    /// Appends the file's bytes `start..end` to `out`.
    fn copy(&mut self, start: u64, end: u64, out: &mut Vec<u8>) -> Option<()> {
        self.copied += end - start;
        if self.copied > SKELETON_MAX {
            return None;
        }
        let n = (end - start) as usize;
        if n <= WINDOW {
            let bytes = self.bytes(start, n)?;
            out.extend_from_slice(bytes);
        } else {
            let from = out.len();
            out.resize(from + n, 0);
            self.file.read_exact_at(&mut out[from..], start).ok()?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use o2l_proto::{GraphProto, NodeProto, OperatorSetIdProto, TensorProto};

    fn tensor(name: &str, bytes: usize, seed: u8) -> TensorProto {
        TensorProto {
            name: Some(name.into()),
            dims: vec![bytes as i64],
            data_type: Some(2), // uint8
            raw_data: Some(Bytes::from(
                (0..bytes)
                    .map(|i| (i as u8).wrapping_mul(seed))
                    .collect::<Vec<u8>>(),
            )),
            ..Default::default()
        }
    }

    /// Large and small initializers, nodes between them, a producer field before the graph.
    fn model() -> ModelProto {
        ModelProto {
            ir_version: Some(8),
            producer_name: Some("skim test".into()),
            opset_import: vec![OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(17),
            }],
            graph: Some(GraphProto {
                name: Some("g".into()),
                node: vec![NodeProto {
                    op_type: Some("Identity".into()),
                    input: vec!["big".into()],
                    output: vec!["y".into()],
                    ..Default::default()
                }],
                initializer: vec![
                    tensor("big", 1 << 20, 7),
                    tensor("small", 100, 3),
                    TensorProto {
                        name: Some("external".into()),
                        ..Default::default()
                    },
                    tensor("edge", LEAVE_FROM as usize, 5),
                ],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn skim_file(path: &std::path::Path, map: &Bytes) -> Option<ModelProto> {
        decode_skimmed(&File::open(path).unwrap(), map)
    }

    fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("o2l-skim-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn skimmed_model_equals_the_full_decode_and_leaves_large_weights_in_the_map() {
        let bytes = model().encode_to_vec();
        let path = write("ok.onnx", &bytes);
        let map = crate::mmap::map_file(&path).unwrap();
        let skimmed = skim_file(&path, &map).expect("a well-formed large model is skimmed");
        assert_eq!(skimmed, ModelProto::decode(map.clone()).unwrap());
        let raw = |i: usize| {
            skimmed.graph.as_ref().unwrap().initializer[i]
                .raw_data
                .clone()
        };
        // The large ones are slices of the map itself, the small one a copy.
        let in_map = |b: &Bytes| {
            let (start, end) = (map.as_ptr() as usize, map.as_ptr() as usize + map.len());
            (start..end).contains(&(b.as_ptr() as usize))
        };
        assert!(in_map(&raw(0).unwrap()));
        assert!(in_map(&raw(3).unwrap()));
        assert!(!in_map(&raw(1).unwrap()));
        assert_eq!(raw(2), None);
        std::fs::remove_file(path).unwrap();
    }

    /// Whatever the damage, skimming gives up or agrees with the full decoder.
    #[test]
    fn flipped_bytes_never_make_the_two_decoders_disagree() {
        let bytes = model().encode_to_vec();
        // The structure is all before and after the big weight: flip there, densely.
        let positions = (0..200).chain((bytes.len() - 8200..bytes.len()).step_by(7));
        let path = write("flipped.onnx", &bytes);
        let (mut skimmed, mut agreed) = (0, 0);
        for at in positions {
            for bit in [0x01u8, 0x80] {
                let mut damaged = bytes.clone();
                damaged[at] ^= bit;
                std::fs::write(&path, &damaged).unwrap();
                let map = crate::mmap::map_file(&path).unwrap();
                if let Some(model) = skim_file(&path, &map) {
                    skimmed += 1;
                    let full = ModelProto::decode(map.clone());
                    assert_eq!(Some(&model), full.as_ref().ok(), "byte {at} ^ {bit:#x}");
                    agreed += 1;
                }
            }
        }
        assert!(skimmed > 100 && agreed == skimmed, "{skimmed} skimmed");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn damaged_or_small_files_are_left_to_the_full_decoder() {
        let bytes = model().encode_to_vec();
        // Cut inside the large weight, and inside the graph's last field.
        for cut in [(1 << 20) + 50, bytes.len() - 3] {
            let path = write("cut.onnx", &bytes[..cut]);
            let map = crate::mmap::map_file(&path).unwrap();
            assert!(skim_file(&path, &map).is_none(), "cut at {cut}");
        }
        // A second graph field would be merged by the decoder.
        let mut twice = bytes.clone();
        twice.extend_from_slice(&bytes);
        let path = write("twice.onnx", &twice);
        let map = crate::mmap::map_file(&path).unwrap();
        assert!(skim_file(&path, &map).is_none());
        let path = write("small.onnx", &bytes[..1000]);
        let map = crate::mmap::map_file(&path).unwrap();
        assert!(skim_file(&path, &map).is_none());
        for name in ["cut.onnx", "twice.onnx", "small.onnx"] {
            let _ = std::fs::remove_file(
                std::env::temp_dir().join(format!("o2l-skim-{}-{name}", std::process::id())),
            );
        }
    }
}
