//! Memory maps of files: a model or external data file is read through a
//! `Bytes` that owns the map, so weights stay slices of it.
use o2l_canon::{Error, Result};
use o2l_proto::Bytes;
use std::fs::File;
use std::path::Path;

/// Memory-maps a whole file into a `Bytes` that owns the map.
pub(crate) fn map_file(path: &Path) -> Result<Bytes> {
    map_opened(&open_file(path)?, path)
}

pub(crate) fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::io(format!("cannot open {}: {e}", path.display())))
}

/// Memory-maps `file` (opened from `path`, which errors name).
pub(crate) fn map_opened(file: &File, path: &Path) -> Result<Bytes> {
    let len = file
        .metadata()
        .map_err(|e| Error::io(format!("cannot stat {}: {e}", path.display())))?
        .len();
    if len == 0 {
        return Ok(Bytes::new());
    }
    // SAFETY: the map is read-only; like every reader of model files we assume the
    // file is not truncated by another process while we convert it.
    let map = unsafe { memmap2::Mmap::map(file) }
        .map_err(|e| Error::io(format!("cannot map {}: {e}", path.display())))?;
    Ok(Bytes::from_owner(map))
}
