//! The object cache of the fast pipeline: one file per compiled module.
//!
//! The key hashes (two 64-bit SipHash passes with different prefixes) the
//! module text, the function name, the pipeline, its effort and LLVM passes, this
//! crate's version and the host CPU (name and features): a different model,
//! option, tool or machine is a different file. An entry holds the
//! function's signature (so a hit parses no MLIR), the object and
//! which of its undefined symbols are weights (symbol and resource key, read
//! again from the text at load time). Entries are written to a temporary file
//! and renamed, so a reader never sees half a file; a damaged entry is a miss.
use crate::{Effort, Pipeline, Signature};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"o2l-jit object 2\n";

pub struct Entry {
    path: PathBuf,
}

pub struct Hit {
    pub object: Vec<u8>,
    pub weights: Vec<(String, String)>,
    /// The function's signature, so a hit needs no parse of the text.
    pub signature: Signature,
}

impl Entry {
    pub fn new(dir: &Path, text: &str, func: &str, effort: Effort) -> Entry {
        let pipeline = Pipeline::Fast;
        let hash = |prefix: &str| {
            #[allow(deprecated)] // SipHasher: a hash that is fixed, unlike DefaultHasher's
            let mut h = std::hash::SipHasher::new();
            prefix.hash(&mut h);
            text.hash(&mut h);
            func.hash(&mut h);
            pipeline.name().hash(&mut h);
            effort.name().hash(&mut h);
            crate::orc::passes(effort).hash(&mut h);
            crate::orc::codegen_level(effort).hash(&mut h);
            crate::pipeline::fast_pipeline().hash(&mut h);
            crate::interchange::SCRIPT.hash(&mut h);
            env!("CARGO_PKG_VERSION").hash(&mut h);
            crate::orc::host_description().hash(&mut h);
            h.finish()
        };
        let name = format!("{:016x}{:016x}.o2l", hash("a"), hash("b"));
        Entry {
            path: dir.join(name),
        }
    }

    pub fn load(&self) -> Option<Hit> {
        let bytes = std::fs::read(&self.path).ok()?;
        let rest = bytes.strip_prefix(MAGIC)?;
        let newline = rest.iter().position(|&b| b == b'\n')?;
        let signature = Signature::parse(std::str::from_utf8(&rest[..newline]).ok()?)?;
        let rest = &rest[newline + 1..];
        let newline = rest.iter().position(|&b| b == b'\n')?;
        let count: usize = std::str::from_utf8(&rest[..newline]).ok()?.parse().ok()?;
        let mut rest = &rest[newline + 1..];
        let mut weights = Vec::with_capacity(count);
        for _ in 0..count {
            let newline = rest.iter().position(|&b| b == b'\n')?;
            let line = std::str::from_utf8(&rest[..newline]).ok()?;
            let (symbol, key) = line.split_once('\t')?;
            weights.push((symbol.to_string(), key.to_string()));
            rest = &rest[newline + 1..];
        }
        Some(Hit {
            object: rest.to_vec(),
            weights,
            signature,
        })
    }

    /// Writes the entry; names with a tab or a newline are not cached.
    pub fn store(
        &self,
        object: &[u8],
        weights: &[(String, String)],
        signature: &Signature,
    ) -> std::io::Result<()> {
        let plain = |s: &str| !s.contains(['\t', '\n']);
        if !weights.iter().all(|(s, k)| plain(s) && plain(k)) {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut bytes = MAGIC.to_vec();
        bytes.extend(format!("{}\n", signature.to_line()).bytes());
        bytes.extend(format!("{}\n", weights.len()).bytes());
        for (s, k) in weights {
            bytes.extend(format!("{s}\t{k}\n").bytes());
        }
        bytes.extend_from_slice(object);
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
