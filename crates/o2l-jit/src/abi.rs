//! The unsafe edge: MLIR's ExecutionEngine through its C API, ranked memref
//! descriptors, and the small runtime the lowered code calls (`memrefCopy`).
//!
//! A ranked memref descriptor of rank r is, in memory, 3 + 2r machine words:
//! `{allocated ptr, aligned ptr, offset, sizes[r], strides[r]}` (all 8 bytes on
//! 64-bit targets, so no padding). `_mlir_ciface_<f>` takes a pointer to the
//! result first: one descriptor for one result, or a struct of descriptors (the
//! same words back to back) for several; then a pointer to each argument's
//! descriptor. `invoke_packed` takes a pointer to each of those pointer arguments.
use crate::signature::{Signature, TypeSig};
use melior::ir::Module;
use mlir_sys::{
    MlirExecutionEngine, mlirExecutionEngineCreate, mlirExecutionEngineDestroy,
    mlirExecutionEngineDumpToObjectFile, mlirExecutionEngineInvokePacked,
    mlirExecutionEngineLookupPacked, mlirExecutionEngineRegisterSymbol,
};
use o2l_canon::{DType, Error, Result, Tensor};
use std::ffi::c_void;

const WORD: usize = std::mem::size_of::<i64>();

pub struct Engine {
    raw: MlirExecutionEngine,
}

/// A borrowed string for the C API; `s` must outlive the call it is passed to.
fn string_ref(s: &str) -> mlir_sys::MlirStringRef {
    mlir_sys::MlirStringRef {
        data: s.as_ptr() as *const _,
        length: s.len(),
    }
}

impl Engine {
    /// Translates the (LLVM dialect) module and creates the JIT.
    /// With `keep_object`, the compiled object stays available to `dump_object`.
    pub fn new(
        module: &Module,
        opt_level: i32,
        keep_object: bool,
    ) -> std::result::Result<Engine, String> {
        // SAFETY: the module is valid for the duration of the call; the engine
        // translates it to its own LLVM module and keeps no reference to it.
        let raw = unsafe {
            mlirExecutionEngineCreate(
                module.to_raw(),
                opt_level,
                0,
                std::ptr::null(),
                keep_object,
                false,
            )
        };
        if raw.ptr.is_null() {
            return Err("the execution engine could not translate the module to LLVM IR".into());
        }
        let engine = Engine { raw };
        // SAFETY: `memref_copy` has the C signature the lowered code declares.
        unsafe {
            mlirExecutionEngineRegisterSymbol(
                engine.raw,
                string_ref("memrefCopy"),
                memref_copy as *const () as *mut c_void,
            );
        }
        Ok(engine)
    }

    /// Compiles (LLJIT is lazy) and finds the packed wrapper of `func`'s C interface.
    pub fn lookup_entry(&self, func: &str) -> std::result::Result<(), String> {
        let name = entry_name(func);
        // SAFETY: plain lookup by name.
        let ptr = unsafe { mlirExecutionEngineLookupPacked(self.raw, string_ref(&name)) };
        if ptr.is_null() {
            return Err(format!(
                "JIT compilation of {name} failed (an unresolved symbol? see stderr)"
            ));
        }
        Ok(())
    }
}

impl Engine {
    /// Writes the compiled object (`new` with `keep_object`, after
    /// `lookup_entry` compiled it) to `path`.
    pub fn dump_object(&self, path: &str) {
        // SAFETY: the engine is live; `path` outlives the call.
        unsafe { mlirExecutionEngineDumpToObjectFile(self.raw, string_ref(path)) }
    }
}

/// Symbols the engine defines itself (`Engine::new` registers them), so
/// compiled code does not take them from the host process.
pub const RUNTIME_SYMBOLS: &[&str] = &["memrefCopy"];

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: created by mlirExecutionEngineCreate, destroyed once.
        unsafe { mlirExecutionEngineDestroy(self.raw) }
    }
}

fn entry_name(func: &str) -> String {
    format!("_mlir_ciface_{func}")
}

/// An input's elements copied into 8-byte aligned memory we own.
struct Buffer {
    words: Vec<u64>,
}

impl Buffer {
    fn from_tensor(t: &Tensor) -> Buffer {
        let n = t.data.len();
        let mut words = vec![0u64; n.div_ceil(WORD).max(1)];
        // SAFETY: `words` holds at least `n` bytes; the regions do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(t.data.as_ptr(), words.as_mut_ptr() as *mut u8, n);
        }
        if t.dtype == DType::Bool {
            // i1 in memory is a byte holding 0 or 1.
            // SAFETY: same `n` bytes as above.
            let bytes = unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, n) };
            for b in bytes {
                *b = (*b != 0) as u8;
            }
        }
        Buffer { words }
    }
}

fn descriptor_words(rank: usize) -> usize {
    3 + 2 * rank
}

/// Builds a row-major descriptor over `buffer` with `dims`.
fn input_descriptor(buffer: &mut Buffer, dims: &[u64]) -> Result<Vec<i64>> {
    let rank = dims.len();
    let mut d = vec![0i64; descriptor_words(rank)];
    let ptr = buffer.words.as_mut_ptr() as i64;
    d[0] = ptr;
    d[1] = ptr;
    d[2] = 0;
    let mut stride: i64 = 1;
    for i in (0..rank).rev() {
        let size = i64::try_from(dims[i])
            .map_err(|_| Error::limit(format!("dimension {} does not fit i64", dims[i])))?;
        d[3 + i] = size;
        d[3 + rank + i] = stride;
        stride = stride.saturating_mul(size.max(1));
    }
    Ok(d)
}

/// Calls `func` on `inputs`; results come back with the dtypes of `outputs`
/// (MLIR's signless integers do not say whether they are signed).
/// What `call` calls: an ExecutionEngine's packed wrapper of `func`, or a
/// packed entry of the same convention.
pub enum Callee<'a> {
    Engine(&'a Engine, &'a str),
    Packed(unsafe extern "C" fn(*mut *mut c_void)),
}

unsafe extern "C" {
    /// The C library's standard output stream.
    static mut stdout: *mut libc::FILE;
}

/// Makes the C library's standard output unbuffered, once: a failed run-time
/// check (`cf.assert`) prints its message with `puts` and then aborts, which
/// would lose a buffered message when the output is a pipe or a file.
fn unbuffer_c_stdout() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: `stdout` is the C library's own stream, valid for the life of
    // the process; setvbuf before this process writes to it through C (the
    // Rust side writes through its own handles) has no other effect.
    ONCE.call_once(|| unsafe {
        libc::setvbuf(stdout, std::ptr::null_mut(), libc::_IONBF, 0);
    });
}

pub fn call(
    callee: Callee,
    signature: &Signature,
    inputs: &[Tensor],
    output_dtypes: &[DType],
) -> Result<Vec<Tensor>> {
    unbuffer_c_stdout();
    let mut buffers: Vec<Buffer> = inputs.iter().map(Buffer::from_tensor).collect();
    let mut descriptors = Vec::with_capacity(inputs.len());
    for (b, t) in buffers.iter_mut().zip(inputs) {
        descriptors.push(input_descriptor(b, &t.dims)?);
    }
    let result_words: usize = signature
        .results
        .iter()
        .map(|r| descriptor_words(r.rank()))
        .sum();
    let mut results = vec![0i64; result_words.max(1)];

    // The pointer arguments of the C interface, then a pointer to each of them.
    let mut pointer_args: Vec<*mut c_void> = Vec::with_capacity(inputs.len() + 1);
    if !signature.results.is_empty() {
        pointer_args.push(results.as_mut_ptr() as *mut c_void);
    }
    for d in descriptors.iter_mut() {
        pointer_args.push(d.as_mut_ptr() as *mut c_void);
    }
    let mut packed: Vec<*mut c_void> = pointer_args
        .iter_mut()
        .map(|p| p as *mut *mut c_void as *mut c_void)
        .collect();
    // SAFETY: the descriptors describe live buffers of the right sizes, checked
    // against the signature by the caller; the result area has room for every
    // result descriptor; everything outlives the call.
    match callee {
        Callee::Engine(engine, func) => {
            // The C API prepends `_mlir_ciface_` itself, so it takes the bare name.
            let ok = unsafe {
                mlirExecutionEngineInvokePacked(engine.raw, string_ref(func), packed.as_mut_ptr())
                    .value
                    != 0
            };
            if !ok {
                return Err(Error::internal(format!(
                    "the JIT could not call {} (compilation failed? see stderr)",
                    entry_name(func)
                )));
            }
        }
        // SAFETY: as above; the entry takes the same packed arguments.
        Callee::Packed(entry) => unsafe { entry(packed.as_mut_ptr()) },
    }

    let mut out = Vec::with_capacity(signature.results.len());
    let mut at = 0;
    for (k, (sig, &dtype)) in signature.results.iter().zip(output_dtypes).enumerate() {
        let words = descriptor_words(sig.rank());
        let d = &results[at..at + words];
        at += words;
        // SAFETY: the callee filled `d` with a descriptor of a live buffer of `sig`'s
        // element type. Results may alias inputs or globals; we only read them.
        let t = unsafe { read_result(d, sig, dtype) }
            .map_err(|e| Error::internal(format!("result {k}: {}", e.message)))?;
        out.push(t);
    }
    // Inputs stay alive until every result is copied out.
    drop(buffers);
    Ok(out)
}

/// Copies a strided memref into a row-major tensor.
///
/// # Safety
/// `d` must be a descriptor the JIT returned for a result of type `sig`.
unsafe fn read_result(d: &[i64], sig: &TypeSig, dtype: DType) -> Result<Tensor> {
    let rank = sig.rank();
    let aligned = d[1] as *const u8;
    let offset = d[2];
    let sizes = &d[3..3 + rank];
    let strides = &d[3 + rank..3 + 2 * rank];
    let esize = sig.elem.size_bytes();
    if esize != dtype.size_bytes() {
        return Err(Error::internal(format!(
            "element size {esize} of {} does not match {dtype}",
            sig.elem
        )));
    }
    let mut dims = Vec::with_capacity(rank);
    let mut count: usize = 1;
    for &s in sizes {
        let s =
            u64::try_from(s).map_err(|_| Error::internal(format!("negative result size {s}")))?;
        dims.push(s);
        count = count
            .checked_mul(s as usize)
            .ok_or_else(|| Error::limit("result element count overflows"))?;
    }
    let mut data = vec![0u8; count * esize];
    if count > 0 {
        if aligned.is_null() {
            return Err(Error::internal("the JIT returned a null buffer"));
        }
        let mut row_major = true;
        let mut expect: i64 = 1;
        for i in (0..rank).rev() {
            if sizes[i] != 1 && strides[i] != expect {
                row_major = false;
            }
            expect = expect.saturating_mul(sizes[i]);
        }
        if row_major {
            // SAFETY: a row-major buffer of `count` elements starts at `offset`.
            unsafe {
                let src = aligned.offset(offset as isize * esize as isize);
                std::ptr::copy_nonoverlapping(src, data.as_mut_ptr(), count * esize);
            }
        } else {
            let mut index = vec![0i64; rank];
            for e in 0..count {
                let mut linear = offset;
                for i in 0..rank {
                    linear += index[i] * strides[i];
                }
                // SAFETY: `index` stays inside `sizes`, so the element is in the buffer.
                unsafe {
                    let src = aligned.offset(linear as isize * esize as isize);
                    std::ptr::copy_nonoverlapping(src, data.as_mut_ptr().add(e * esize), esize);
                }
                for i in (0..rank).rev() {
                    index[i] += 1;
                    if index[i] < sizes[i] {
                        break;
                    }
                    index[i] = 0;
                }
            }
        }
    }
    if dtype == DType::Bool {
        for b in &mut data {
            *b &= 1;
        }
    }
    Tensor::new(dtype, dims, data.into())
}

/// An unranked memref as the lowered code passes it: rank and a pointer to a
/// ranked descriptor.
#[repr(C)]
pub struct UnrankedMemRef {
    rank: i64,
    descriptor: *const i64,
}

/// `memrefCopy(elem_size, src, dst)`: the copy `memref.copy` lowers to when the
/// layouts are not both contiguous (as MLIR's C runner utils provide it).
///
/// # Safety
/// Called only by JIT code with valid unranked descriptors of equal shapes.
pub unsafe extern "C" fn memref_copy(
    elem_size: i64,
    src: *const UnrankedMemRef,
    dst: *const UnrankedMemRef,
) {
    // SAFETY: see the function's contract.
    unsafe {
        let rank = (*src).rank.max(0) as usize;
        let s = std::slice::from_raw_parts((*src).descriptor, 3 + 2 * rank);
        let d = std::slice::from_raw_parts((*dst).descriptor, 3 + 2 * rank);
        let esize = elem_size.max(0) as usize;
        let (sbase, dbase) = (s[1] as *const u8, d[1] as *mut u8);
        let sizes = &s[3..3 + rank];
        if sizes.iter().any(|&n| n <= 0) {
            return;
        }
        // Rows along the innermost dim are contiguous on both sides when both
        // strides are 1: copy them whole, and walk only the outer dims.
        let inner_run = rank > 0 && s[3 + 2 * rank - 1] == 1 && d[3 + 2 * rank - 1] == 1;
        let (walk, run) = if inner_run {
            (rank - 1, sizes[rank - 1] as usize)
        } else {
            (rank, 1)
        };
        let mut index = vec![0i64; walk];
        loop {
            let (mut so, mut dso) = (s[2], d[2]);
            for i in 0..walk {
                so += index[i] * s[3 + rank + i];
                dso += index[i] * d[3 + rank + i];
            }
            std::ptr::copy(
                sbase.offset(so as isize * esize as isize),
                dbase.offset(dso as isize * esize as isize),
                esize * run,
            );
            let mut i = walk;
            loop {
                if i == 0 {
                    return;
                }
                i -= 1;
                index[i] += 1;
                if index[i] < sizes[i] {
                    break;
                }
                index[i] = 0;
            }
        }
    }
}
