//! Where the module's bytes go. Any `Write` takes them in order; a regular
//! file takes each weight by positioned writes split over the rayon pool, so
//! the copy into the page cache (most of a conversion's time) runs on every
//! core. (A batch is already parallel across models; there each model writes
//! on its own worker.)
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;

/// A module's destination.
pub(crate) trait ModuleSink: Write {
    /// Writes a weight's bytes after everything written so far.
    fn write_weight(&mut self, bytes: &[u8]) -> io::Result<()>;
}

/// Any writer, in order.
pub(crate) struct InOrder<'w>(pub &'w mut dyn Write);

impl Write for InOrder<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl ModuleSink for InOrder<'_> {
    fn write_weight(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }
}

/// Pieces of a weight each thread writes at a time.
const WEIGHT_CHUNK: usize = 8 << 20;
/// MLIR's small writes are gathered up to this much.
const BUFFER: usize = 1 << 20;

/// A regular file written from offset 0: MLIR's small pieces through a
/// buffer, weights by parallel positioned writes.
pub(crate) struct FileSink<'f> {
    file: &'f File,
    /// Where the buffer's first byte goes.
    offset: u64,
    buffer: Vec<u8>,
}

impl<'f> FileSink<'f> {
    pub fn new(file: &'f File) -> Self {
        FileSink {
            file,
            offset: 0,
            buffer: Vec::with_capacity(BUFFER),
        }
    }

    /// Bytes written (or buffered) so far.
    pub fn len(&self) -> u64 {
        self.offset + self.buffer.len() as u64
    }
}

impl Write for FileSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.buffer.len() + buf.len() > BUFFER {
            self.flush()?;
        }
        if buf.len() >= BUFFER {
            self.file.write_all_at(buf, self.offset)?;
            self.offset += buf.len() as u64;
        } else {
            self.buffer.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            self.file.write_all_at(&self.buffer, self.offset)?;
            self.offset += self.buffer.len() as u64;
            self.buffer.clear();
        }
        Ok(())
    }
}

impl ModuleSink for FileSink<'_> {
    fn write_weight(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.flush()?;
        let (file, offset) = (self.file, self.offset);
        // On a rayon worker (a batch converting models in parallel) the copy
        // stays on this thread: waiting for chunks there would let the worker
        // steal another model's whole conversion onto this stack, mid-write.
        if bytes.len() <= WEIGHT_CHUNK || rayon::current_thread_index().is_some() {
            file.write_all_at(bytes, offset)?;
            self.offset += bytes.len() as u64;
            return Ok(());
        }
        bytes
            .par_chunks(WEIGHT_CHUNK)
            .enumerate()
            .try_for_each(|(k, chunk)| {
                file.write_all_at(chunk, offset + (k * WEIGHT_CHUNK) as u64)
            })?;
        self.offset += bytes.len() as u64;
        Ok(())
    }
}
