//! Writes a verified module to any `io::Write` as MLIR prints it, chunk by
//! chunk: a multi-GB module (weights as resource blobs) never sits in memory
//! a second time.
use melior::ir::operation::{OperationLike, OperationPrintingFlags};
use mlir_sys::{MlirStringRef, mlirOperationPrintWithFlags, mlirOperationWriteBytecode};
use o2l_canon::{Error, Result};
use std::ffi::c_void;

use crate::weights::Deferred;
use std::io::Write;

/// The sink behind MLIR's C callback: the first write error stops the copying.
struct Sink<'a> {
    out: &'a mut dyn Write,
    deferred: Option<&'a Deferred>,
    error: Option<std::io::Error>,
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
    if let Some(deferred) = sink.deferred
        && let Some(written) = deferred.write_through(chunk.data as usize, chunk.length, sink.out)
    {
        if let Err(e) = written {
            sink.error = Some(e);
        }
        return;
    }
    let bytes = unsafe { std::slice::from_raw_parts(chunk.data as *const u8, chunk.length) };
    if let Err(e) = sink.out.write_all(bytes) {
        sink.error = Some(e);
    }
}

/// How the module is written.
pub(crate) enum Form {
    Text { locations: bool },
    Bytecode,
}

/// Streams `op` (a module) to `out` in `form`; `deferred` holds the weights
/// whose placeholders the module's resource blobs point at.
pub(crate) fn write_module<'c>(
    op: &impl OperationLike<'c, 'c>,
    form: Form,
    deferred: Option<&Deferred>,
    out: &mut dyn Write,
) -> Result<()> {
    let mut sink = Sink {
        out,
        deferred,
        error: None,
    };
    let data = &mut sink as *mut Sink as *mut c_void;
    match form {
        Form::Text { locations } => {
            let flags = OperationPrintingFlags::new().enable_debug_info(locations, false);
            // SAFETY: a valid operation and flags; the callback only touches `sink`.
            unsafe {
                mlirOperationPrintWithFlags(op.to_raw(), flags.to_raw(), Some(write_chunk), data)
            };
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
