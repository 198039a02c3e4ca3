//! Writes a verified module to any `io::Write` as MLIR prints it, chunk by
//! chunk: a multi-GB module (weights as resource blobs) never sits in memory
//! a second time.
use melior::ir::operation::{OperationLike, OperationPrintingFlags};
use mlir_sys::{
    MlirStringRef, mlirOpPrintingFlagsAssumeVerified, mlirOpPrintingFlagsElideLargeResourceString,
    mlirOperationPrintWithFlags, mlirOperationWriteBytecode,
};
use o2l_canon::{Error, Result};
use std::ffi::c_void;

use crate::weights::Deferred;
use std::io::Write;

/// The sink behind MLIR's C callback: the first write error stops the copying.
struct Sink<'a> {
    out: &'a mut dyn Write,
    deferred: &'a Deferred,
    /// Text form: output held back while it may be MLIR's (empty) resource
    /// section, which `Deferred` replaces.
    held: Option<Vec<u8>>,
    error: Option<std::io::Error>,
}

const SECTION_OPEN: &[u8] = b"{-#";
const SECTION_CLOSE: &[u8] = b"#-}";

/// How far `held` matches an empty `{-# #-}` section (whitespace between and after).
#[derive(PartialEq)]
enum EmptySection {
    Partly,
    Whole,
    No,
}

fn empty_section(held: &[u8]) -> EmptySection {
    if held.len() < SECTION_OPEN.len() {
        return if SECTION_OPEN.starts_with(held) {
            EmptySection::Partly
        } else {
            EmptySection::No
        };
    }
    let Some(rest) = held.strip_prefix(SECTION_OPEN) else {
        return EmptySection::No;
    };
    let rest = rest.trim_ascii_start();
    if rest.len() < SECTION_CLOSE.len() {
        return if SECTION_CLOSE.starts_with(rest) {
            EmptySection::Partly
        } else {
            EmptySection::No
        };
    }
    match rest.strip_prefix(SECTION_CLOSE) {
        Some(tail) if tail.trim_ascii().is_empty() => EmptySection::Whole,
        _ => EmptySection::No,
    }
}

impl Sink<'_> {
    fn write(&mut self, bytes: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    /// Text form: passes `bytes` on, holding back what may be the empty
    /// resource section MLIR prints when it leaves the blobs out.
    fn write_text(&mut self, bytes: &[u8]) {
        if let Some(held) = &mut self.held {
            held.extend_from_slice(bytes);
            if empty_section(held) == EmptySection::No {
                let held = self.held.take().unwrap_or_default();
                self.write(&held);
            }
            return;
        }
        match bytes
            .windows(SECTION_OPEN.len())
            .position(|w| w == SECTION_OPEN)
        {
            Some(at) => {
                self.write(&bytes[..at]);
                self.held = Some(Vec::new());
                self.write_text(&bytes[at..]);
            }
            None => self.write(bytes),
        }
    }
}

/// MLIR calls this with each piece of the output, in order.
unsafe extern "C" fn write_chunk(chunk: MlirStringRef, data: *mut c_void) {
    // SAFETY: `data` is the `&mut Sink` passed to the print call below, alive
    // for its duration; MLIR hands over `length` valid bytes at `data`.
    let sink = unsafe { &mut *(data as *mut Sink) };
    if sink.error.is_some() || chunk.length == 0 {
        return;
    }
    // A deferred weight's placeholder is never read: its bytes come from the weight.
    if let Some(written) = sink
        .deferred
        .write_through(chunk.data as usize, chunk.length, sink.out)
    {
        if let Err(e) = written {
            sink.error = Some(e);
        }
        return;
    }
    // SAFETY: MLIR passes a chunk of `length` readable bytes, valid for this call.
    let bytes = unsafe { std::slice::from_raw_parts(chunk.data as *const u8, chunk.length) };
    sink.write(bytes);
}

/// Text form: as `write_chunk`, through the resource-section filter.
unsafe extern "C" fn write_text_chunk(chunk: MlirStringRef, data: *mut c_void) {
    // SAFETY: as in `write_chunk`.
    let sink = unsafe { &mut *(data as *mut Sink) };
    if sink.error.is_some() || chunk.length == 0 {
        return;
    }
    // SAFETY: as in `write_chunk`: `length` readable bytes, valid for this call.
    let bytes = unsafe { std::slice::from_raw_parts(chunk.data as *const u8, chunk.length) };
    sink.write_text(bytes);
}

/// How the module is written.
pub(crate) enum Form {
    /// `resources`: write the resource section (the weights' bytes).
    Text {
        locations: bool,
        resources: bool,
    },
    Bytecode,
}

/// Streams `op` (a module, already verified: the printer is told so) to `out`
/// in `form`; `deferred` holds the weights whose placeholders the module's
/// resource blobs point at.
pub(crate) fn write_module<'c>(
    op: &impl OperationLike<'c, 'c>,
    form: Form,
    deferred: &Deferred,
    out: &mut dyn Write,
) -> Result<()> {
    let mut sink = Sink {
        out,
        deferred,
        held: None,
        error: None,
    };
    let data = &mut sink as *mut Sink as *mut c_void;
    match form {
        Form::Text {
            locations,
            resources,
        } => {
            let flags = OperationPrintingFlags::new().enable_debug_info(locations, false);
            // SAFETY: a valid operation and flags; the callback only touches `sink`.
            // Every resource string is left out (limit 0): MLIR prints only the
            // section's braces, and the blobs, whose placeholders must not be
            // read, are written below from their weights. The module was
            // verified before it got here (`build_and_emit`): without
            // `AssumeVerified` the printer verifies it again, which took a
            // third of the printing of a small BERT (0.65 of 2.25 ms).
            unsafe {
                mlirOpPrintingFlagsElideLargeResourceString(flags.to_raw(), 0);
                mlirOpPrintingFlagsAssumeVerified(flags.to_raw());
                mlirOperationPrintWithFlags(
                    op.to_raw(),
                    flags.to_raw(),
                    Some(write_text_chunk),
                    data,
                )
            };
            if let Some(held) = sink.held.take()
                && empty_section(&held) != EmptySection::Whole
            {
                sink.write(&held);
            }
            if resources
                && sink.error.is_none()
                && let Err(e) = deferred.write_text_section(sink.out)
            {
                sink.error = Some(e);
            }
        }
        Form::Bytecode => {
            // SAFETY: as above.
            unsafe { mlirOperationWriteBytecode(op.to_raw(), Some(write_chunk), data) };
        }
    }
    match sink.error {
        Some(e) => Err(Error::io(format!("writing the module: {e}"))),
        None => sink
            .out
            .flush()
            .map_err(|e| Error::io(format!("writing the module: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use o2l_canon::FileMaps;

    /// What the text filter passes on when MLIR writes `chunks`.
    fn filtered(chunks: &[&str]) -> String {
        let deferred = Deferred::new(FileMaps::default());
        let mut out = Vec::new();
        let mut sink = Sink {
            out: &mut out,
            deferred: &deferred,
            held: None,
            error: None,
        };
        for c in chunks {
            sink.write_text(c.as_bytes());
        }
        if let Some(held) = sink.held.take()
            && empty_section(&held) != EmptySection::Whole
        {
            sink.write(&held);
        }
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn only_an_empty_resource_section_is_dropped() {
        let body = "module {\n}\n\n";
        assert_eq!(filtered(&[body, "{-#", "\n", "\n", "#-}", "\n"]), body);
        assert_eq!(filtered(&[body, "{-#\n\n#-}\n"]), body);
        // Anything else in the braces, or "{-#" inside the body, is kept.
        let full = "{-#\n  external_resources: {}\n#-}\n";
        assert_eq!(filtered(&[body, full]), format!("{body}{full}"));
        let quoted = "  \"x{-#y\" = 1\n}\n";
        assert_eq!(filtered(&[quoted, body]), format!("{quoted}{body}"));
        assert_eq!(filtered(&["a {-", "# b"]), "a {-# b");
    }
}
