//! The object cache of the fast pipeline: one file per compiled module.
//!
//! The key hashes (two 64-bit SipHash passes with different prefixes) what
//! the module was made from, the function name, the pipeline, its effort and
//! LLVM passes, this crate's version and the host CPU (name and features): a
//! different model, option, tool or machine is a different file. What the
//! module was made from is either its text (`Key::Text`) or a digest of its
//! source given by the caller (`Key::Source`: a graph and the options it is
//! lowered with), which is cheaper to compute than the text; a source key
//! also hashes the identity of the file holding this code (`code_identity`),
//! as the same source lowers differently after a rebuild.
//!
//! An entry holds the function's signature (so a hit parses no MLIR), the
//! object, which of its undefined symbols are weights (symbol and resource
//! key) and, for source keys up to `MAX_STORED_WEIGHTS`, the weights' bytes:
//! such a hit needs no module text at all. Entries are written to a
//! temporary file and renamed, so a reader never sees half a file; a damaged
//! entry is a miss.
use crate::weights::{Blob, Blobs};
use crate::{Options, Pipeline, Signature};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"o2l-jit object 3\n";

/// Weights up to this many bytes in all are kept in a source-keyed entry;
/// above it a hit reads them from the module text again.
pub const MAX_STORED_WEIGHTS: usize = 256 << 20;

/// What a cache entry is keyed by.
#[derive(Clone, Copy)]
pub enum Key<'a> {
    /// The module's text.
    Text(&'a str),
    /// A digest of what the text is made from.
    Source(&'a str),
}

pub struct Entry {
    path: PathBuf,
    /// Whether the entry keeps the weights' bytes (source keys).
    keeps_weights: bool,
}

pub struct Hit {
    pub object: Vec<u8>,
    pub weights: Vec<(String, String)>,
    /// The function's signature, so a hit needs no parse of the text.
    pub signature: Signature,
    /// The weights' bytes, when the entry keeps them.
    pub blobs: Option<Blobs>,
}

impl Entry {
    /// None for a source key when the file holding this code cannot be
    /// identified (the key could then outlive a rebuild).
    pub fn new(dir: &Path, key: Key, func: &str, options: &Options) -> Option<Entry> {
        let (effort, keep_temporaries) = (options.effort, options.keep_temporaries);
        let pipeline = Pipeline::Fast;
        let identity = match key {
            Key::Text(_) => String::new(),
            Key::Source(_) => crate::orc::code_identity()?,
        };
        let hash = |prefix: &str| {
            #[allow(deprecated)] // SipHasher: a hash that is fixed, unlike DefaultHasher's
            let mut h = std::hash::SipHasher::new();
            prefix.hash(&mut h);
            match key {
                Key::Text(text) => ("text", text).hash(&mut h),
                Key::Source(digest) => ("source", digest, &identity).hash(&mut h),
            }
            func.hash(&mut h);
            pipeline.name().hash(&mut h);
            effort.name().hash(&mut h);
            crate::orc::passes(effort).hash(&mut h);
            crate::orc::codegen_level(effort).hash(&mut h);
            crate::pipeline::fast_pipeline(keep_temporaries).hash(&mut h);
            crate::interchange::SCRIPT.hash(&mut h);
            env!("CARGO_PKG_VERSION").hash(&mut h);
            crate::orc::host_description().hash(&mut h);
            h.finish()
        };
        let name = format!("{:016x}{:016x}.o2l", hash("a"), hash("b"));
        Some(Entry {
            path: dir.join(name),
            keeps_weights: matches!(key, Key::Source(_)),
        })
    }

    pub fn load(&self) -> Option<Hit> {
        let bytes = std::fs::read(&self.path).ok()?;
        let mut rest = bytes.strip_prefix(MAGIC)?;
        let mut line = || -> Option<&str> {
            let newline = rest.iter().position(|&b| b == b'\n')?;
            let text = std::str::from_utf8(&rest[..newline]).ok()?;
            rest = &rest[newline + 1..];
            Some(text)
        };
        let signature = Signature::parse(line()?)?;
        let count: usize = line()?.parse().ok()?;
        let mut weights = Vec::with_capacity(count.min(1 << 16));
        let mut lengths = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let mut fields = line()?.split('\t');
            let (symbol, key, len) = (fields.next()?, fields.next()?, fields.next()?);
            weights.push((symbol.to_string(), key.to_string()));
            lengths.push(if len == "-" {
                None
            } else {
                Some(len.parse::<usize>().ok()?)
            });
        }
        let object_len: usize = line()?.parse().ok()?;
        let object = rest.get(..object_len)?.to_vec();
        let mut rest = &rest[object_len..];
        let mut blobs = Some(Blobs::default());
        for ((_, key), len) in weights.iter().zip(&lengths) {
            match (len, blobs.as_mut()) {
                (Some(len), Some(b)) => {
                    b.insert(key.clone(), Blob::from_bytes(rest.get(..*len)?));
                    rest = &rest[*len..];
                }
                _ => blobs = None,
            }
        }
        Some(Hit {
            object,
            weights,
            signature,
            blobs: blobs.filter(|_| rest.is_empty()),
        })
    }

    /// Writes the entry (with the weights' bytes from `blobs` when the entry
    /// keeps them and they are small enough); names with a tab or a newline
    /// are not cached.
    pub fn store(
        &self,
        object: &[u8],
        weights: &[(String, String)],
        signature: &Signature,
        blobs: &Blobs,
    ) -> std::io::Result<()> {
        let plain = |s: &str| !s.contains(['\t', '\n']);
        if !weights.iter().all(|(s, k)| plain(s) && plain(k)) {
            return Ok(());
        }
        let stored: Option<Vec<&[u8]>> = if self.keeps_weights {
            weights
                .iter()
                .map(|(_, k)| blobs.get(k).map(Blob::bytes))
                .collect::<Option<Vec<_>>>()
                .filter(|b| b.iter().map(|b| b.len()).sum::<usize>() <= MAX_STORED_WEIGHTS)
        } else {
            None
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut bytes = MAGIC.to_vec();
        bytes.extend(format!("{}\n", signature.to_line()).bytes());
        bytes.extend(format!("{}\n", weights.len()).bytes());
        for (k, (s, key)) in weights.iter().enumerate() {
            let len = match &stored {
                Some(b) => b[k].len().to_string(),
                None => "-".to_string(),
            };
            bytes.extend(format!("{s}\t{key}\t{len}\n").bytes());
        }
        bytes.extend(format!("{}\n", object.len()).bytes());
        bytes.extend_from_slice(object);
        for b in stored.iter().flatten() {
            bytes.extend_from_slice(b);
        }
        // Unique per process and per store: threads of one process (`batch
        // --check` workers) may store the same entry at once.
        static STORES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("entry"),
            std::process::id(),
            STORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &self.path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}
