//! Output files written atomically: bytes go to a temporary file beside the
//! target, which is synced and renamed over it only when complete. A failed
//! or interrupted conversion leaves no file (and no partial one) behind.
use crate::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written; `commit` publishes it, dropping it unpublished removes it.
pub struct AtomicFile {
    target: PathBuf,
    /// The temporary file renamed over `target`; None when `target` is a
    /// device or pipe (`-o /dev/null`, `-o /dev/stdout`), written in place:
    /// renaming over it would replace the device with a regular file.
    temp: Option<PathBuf>,
    file: Option<BufWriter<WritebackFile>>,
}

/// A file whose written bytes the kernel is asked to start writing to disk
/// every `WRITEBACK_STEP` (without waiting), so the disk works while the
/// conversion still produces output and the final sync has little left.
struct WritebackFile {
    file: File,
    /// False for a device or pipe, where there is no page cache range to start.
    regular: bool,
    written: u64,
    /// Everything before this offset has been handed to writeback.
    started: u64,
}

const WRITEBACK_STEP: u64 = 8 << 20;

impl WritebackFile {
    fn new(file: File, regular: bool) -> Self {
        WritebackFile {
            file,
            regular,
            written: 0,
            started: 0,
        }
    }
}

impl Write for WritebackFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.regular && self.written - self.started >= WRITEBACK_STEP {
            start_writeback(&self.file, self.started, self.written - self.started);
            self.started = self.written;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Starts writeback of a byte range; only a hint, so errors are ignored (the
/// final `sync_all` reports real ones).
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: a valid open descriptor; the call only schedules I/O.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

impl AtomicFile {
    /// Starts `path`: creates `.<name>.<pid>.tmp` in the same folder.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::invalid(format!("{}: not a file path", path.display())))?;
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            if meta.is_dir() {
                return Err(Error::io(format!("{} is a folder", path.display())));
            }
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(format!("{}: {e}", path.display())))?;
            return Ok(AtomicFile {
                target: path.to_path_buf(),
                temp: None,
                file: Some(BufWriter::with_capacity(
                    1 << 20,
                    WritebackFile::new(file, false),
                )),
            });
        }
        sweep_stale_temps(&dir, &name);
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file =
            File::create(&temp).map_err(|e| Error::io(format!("{}: {e}", temp.display())))?;
        Ok(AtomicFile {
            target: path.to_path_buf(),
            temp: Some(temp),
            file: Some(BufWriter::with_capacity(
                1 << 20,
                WritebackFile::new(file, true),
            )),
        })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<()> {
        self.finish(true)
    }

    /// `commit` without the sync: the file still appears whole or not at
    /// all to other processes, but a crash of the machine may lose it. For
    /// results that are cheap to make again.
    pub fn commit_unsynced(self) -> Result<()> {
        self.finish(false)
    }

    fn finish(mut self, sync: bool) -> Result<()> {
        let io = |e: std::io::Error| Error::io(format!("{}: {e}", self.target.display()));
        let Some(buffered) = self.file.take() else {
            return Err(Error::internal("the output file was already closed"));
        };
        let file = buffered.into_inner().map_err(|e| io(e.into_error()))?.file;
        let Some(temp) = self.temp.take() else {
            return Ok(()); // a device or pipe: written in place
        };
        let synced = if sync { file.sync_all() } else { Ok(()) };
        let done = synced.and_then(|()| {
            drop(file);
            std::fs::rename(&temp, &self.target)
        });
        if done.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        done.map_err(io)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("the output file is closed")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some()
            && let Some(temp) = &self.temp
        {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)
        .map_err(|e| Error::io(format!("{}: {e}", path.display())))?;
    f.commit()
}

/// `write_atomic` without syncing the file (`AtomicFile::commit_unsynced`).
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)
        .map_err(|e| Error::io(format!("{}: {e}", path.display())))?;
    f.commit_unsynced()
}

/// Converts `model` and streams the MLIR into `path` atomically; returns the
/// number of bytes written. On any error no file is left at `path`.
pub fn convert_to_file(model: &Path, options: &crate::ConvertOptions, path: &Path) -> Result<u64> {
    let graph = crate::import_model(model, options.from, &options.import)?;
    lower_to_file(&graph, &options.lower, path).map_err(|e| e.in_file(model.display().to_string()))
}

/// Lowers `graph` and streams the MLIR into `path` atomically; returns the
/// number of bytes written. On any error no file is left at `path`.
pub fn lower_to_file(
    graph: &crate::Graph,
    options: &crate::LowerOptions,
    path: &Path,
) -> Result<u64> {
    let mut file = Counting {
        inner: AtomicFile::create(path)?,
        count: 0,
    };
    crate::lower_into(graph, options, &mut file)?;
    let n = file.count;
    file.inner.commit()?;
    Ok(n)
}

/// Bytes of the constants the lowered module carries (its weights).
pub fn weight_bytes(graph: &crate::Graph) -> u64 {
    graph
        .used_constants()
        .iter()
        .filter_map(|&v| graph.constant(v))
        .map(|t| t.data.len() as u64)
        .sum()
}

/// Counts the bytes passing through.
struct Counting<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Removes `.<name>.<pid>.tmp` files left by a writer that was killed (its
/// process is gone), so an interrupted run leaves nothing behind once resumed.
/// A live writer's temp file is left alone.
fn sweep_stale_temps(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process of this id runs on this machine (Linux: /proc; elsewhere
/// assumed alive, so nothing is removed that might be in use).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}
