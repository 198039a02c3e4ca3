//! The fast backend: LLVM driven through its C API instead of MLIR's
//! ExecutionEngine, so that each stage has its own settings and the compiled
//! object can be kept.
//!
//! - `Object::compile` translates the LLVM-dialect module to LLVM IR, adds the
//!   packed entry (`PACKED_ENTRY`: one `void**` argument, as MLIR's
//!   `invoke_packed` wrappers take), runs `LLVM_PASSES` (a light function
//!   pipeline: the `default<O2>` pipeline spends most of its time in
//!   IndVarSimplify over the one long function a model becomes, quadratic in
//!   its number of loops) and emits an object with codegen at `-O2` for the
//!   host CPU.
//! - `Jit::load` links that object with ORC's LLJIT: the runtime (`memrefCopy`)
//!   and the weight buffers are absolute symbols, anything else is looked up
//!   in this process (libc and libm, checked by `host_symbols` under tests).
//!
//! Every LLVM object created here is disposed of here; the LLJIT owns the code.
use crate::Effort;
use crate::abi::UnrankedMemRef;
use std::ffi::{CStr, CString, c_char, c_void};

type LLVMContextRef = *mut c_void;
type LLVMModuleRef = *mut c_void;
type LLVMValueRef = *mut c_void;
type LLVMTypeRef = *mut c_void;
type LLVMBuilderRef = *mut c_void;
type LLVMBasicBlockRef = *mut c_void;
type LLVMTargetRef = *mut c_void;
type LLVMTargetMachineRef = *mut c_void;
type LLVMTargetDataRef = *mut c_void;
type LLVMMemoryBufferRef = *mut c_void;
type LLVMErrorRef = *mut c_void;
type LLVMPassBuilderOptionsRef = *mut c_void;
type LLVMOrcLLJITRef = *mut c_void;
type LLVMOrcJITDylibRef = *mut c_void;
type LLVMOrcDefinitionGeneratorRef = *mut c_void;
type LLVMOrcSymbolStringPoolEntryRef = *mut c_void;
type LLVMOrcMaterializationUnitRef = *mut c_void;

#[repr(C)]
struct LLVMJITSymbolFlags {
    generic: u8,
    target: u8,
}

#[repr(C)]
struct LLVMJITEvaluatedSymbol {
    address: u64,
    flags: LLVMJITSymbolFlags,
}

#[repr(C)]
struct LLVMOrcCSymbolMapPair {
    name: LLVMOrcSymbolStringPoolEntryRef,
    sym: LLVMJITEvaluatedSymbol,
}

const CODEGEN_OPT_NONE: u32 = 0;
const CODEGEN_OPT_DEFAULT: u32 = 2;
const RELOC_PIC: u32 = 2;
const CODE_MODEL_SMALL: u32 = 3;
const OBJECT_FILE: u32 = 1;
const FLAG_EXPORTED: u8 = 1;
const FLAG_CALLABLE: u8 = 1 << 2;

unsafe extern "C" {
    fn mlirTranslateModuleToLLVMIR(
        module: mlir_sys::MlirOperation,
        context: LLVMContextRef,
    ) -> LLVMModuleRef;

    fn LLVMInitializeX86TargetInfo();
    fn LLVMInitializeX86Target();
    fn LLVMInitializeX86TargetMC();
    fn LLVMInitializeX86AsmPrinter();

    fn LLVMContextCreate() -> LLVMContextRef;
    fn LLVMContextDispose(c: LLVMContextRef);
    fn LLVMDisposeModule(m: LLVMModuleRef);
    fn LLVMDisposeMessage(m: *mut c_char);
    fn LLVMGetErrorMessage(e: LLVMErrorRef) -> *mut c_char;
    fn LLVMDisposeErrorMessage(m: *mut c_char);

    fn LLVMGetDefaultTargetTriple() -> *mut c_char;
    fn LLVMGetHostCPUName() -> *mut c_char;
    fn LLVMGetHostCPUFeatures() -> *mut c_char;
    fn LLVMGetTargetFromTriple(
        triple: *const c_char,
        t: *mut LLVMTargetRef,
        err: *mut *mut c_char,
    ) -> i32;
    fn LLVMCreateTargetMachine(
        t: LLVMTargetRef,
        triple: *const c_char,
        cpu: *const c_char,
        features: *const c_char,
        level: u32,
        reloc: u32,
        model: u32,
    ) -> LLVMTargetMachineRef;
    fn LLVMDisposeTargetMachine(tm: LLVMTargetMachineRef);
    fn LLVMCreateTargetDataLayout(tm: LLVMTargetMachineRef) -> LLVMTargetDataRef;
    fn LLVMDisposeTargetData(td: LLVMTargetDataRef);
    fn LLVMSetModuleDataLayout(m: LLVMModuleRef, dl: LLVMTargetDataRef);
    fn LLVMSetTarget(m: LLVMModuleRef, triple: *const c_char);
    fn LLVMTargetMachineEmitToMemoryBuffer(
        tm: LLVMTargetMachineRef,
        m: LLVMModuleRef,
        kind: u32,
        err: *mut *mut c_char,
        out: *mut LLVMMemoryBufferRef,
    ) -> i32;

    fn LLVMCreatePassBuilderOptions() -> LLVMPassBuilderOptionsRef;
    fn LLVMDisposePassBuilderOptions(o: LLVMPassBuilderOptionsRef);
    fn LLVMRunPasses(
        m: LLVMModuleRef,
        passes: *const c_char,
        tm: LLVMTargetMachineRef,
        o: LLVMPassBuilderOptionsRef,
    ) -> LLVMErrorRef;

    fn LLVMGetNamedFunction(m: LLVMModuleRef, name: *const c_char) -> LLVMValueRef;
    fn LLVMGlobalGetValueType(g: LLVMValueRef) -> LLVMTypeRef;
    fn LLVMCountParamTypes(fty: LLVMTypeRef) -> u32;
    fn LLVMGetParamTypes(fty: LLVMTypeRef, dest: *mut LLVMTypeRef);
    fn LLVMGetReturnType(fty: LLVMTypeRef) -> LLVMTypeRef;
    fn LLVMGetTypeKind(t: LLVMTypeRef) -> u32;
    fn LLVMPointerTypeInContext(c: LLVMContextRef, address_space: u32) -> LLVMTypeRef;
    fn LLVMVoidTypeInContext(c: LLVMContextRef) -> LLVMTypeRef;
    fn LLVMInt64TypeInContext(c: LLVMContextRef) -> LLVMTypeRef;
    fn LLVMFunctionType(
        ret: LLVMTypeRef,
        params: *mut LLVMTypeRef,
        count: u32,
        var_arg: i32,
    ) -> LLVMTypeRef;
    fn LLVMAddFunction(m: LLVMModuleRef, name: *const c_char, fty: LLVMTypeRef) -> LLVMValueRef;
    fn LLVMAppendBasicBlockInContext(
        c: LLVMContextRef,
        f: LLVMValueRef,
        name: *const c_char,
    ) -> LLVMBasicBlockRef;
    fn LLVMCreateBuilderInContext(c: LLVMContextRef) -> LLVMBuilderRef;
    fn LLVMPositionBuilderAtEnd(b: LLVMBuilderRef, bb: LLVMBasicBlockRef);
    fn LLVMDisposeBuilder(b: LLVMBuilderRef);
    fn LLVMGetParam(f: LLVMValueRef, i: u32) -> LLVMValueRef;
    fn LLVMConstInt(t: LLVMTypeRef, n: u64, sign_extend: i32) -> LLVMValueRef;
    fn LLVMBuildGEP2(
        b: LLVMBuilderRef,
        t: LLVMTypeRef,
        ptr: LLVMValueRef,
        indices: *mut LLVMValueRef,
        count: u32,
        name: *const c_char,
    ) -> LLVMValueRef;
    fn LLVMBuildLoad2(
        b: LLVMBuilderRef,
        t: LLVMTypeRef,
        ptr: LLVMValueRef,
        name: *const c_char,
    ) -> LLVMValueRef;
    fn LLVMBuildCall2(
        b: LLVMBuilderRef,
        fty: LLVMTypeRef,
        f: LLVMValueRef,
        args: *mut LLVMValueRef,
        count: u32,
        name: *const c_char,
    ) -> LLVMValueRef;
    fn LLVMBuildRetVoid(b: LLVMBuilderRef) -> LLVMValueRef;
    fn LLVMModuleCreateWithNameInContext(name: *const c_char, c: LLVMContextRef) -> LLVMModuleRef;
    fn LLVMFloatTypeInContext(c: LLVMContextRef) -> LLVMTypeRef;
    fn LLVMBuildFMul(
        b: LLVMBuilderRef,
        l: LLVMValueRef,
        r: LLVMValueRef,
        name: *const c_char,
    ) -> LLVMValueRef;
    fn LLVMBuildStore(b: LLVMBuilderRef, v: LLVMValueRef, ptr: LLVMValueRef) -> LLVMValueRef;

    fn LLVMGetBufferStart(b: LLVMMemoryBufferRef) -> *const c_char;
    fn LLVMGetBufferSize(b: LLVMMemoryBufferRef) -> usize;
    fn LLVMDisposeMemoryBuffer(b: LLVMMemoryBufferRef);
    fn LLVMCreateMemoryBufferWithMemoryRangeCopy(
        data: *const c_char,
        len: usize,
        name: *const c_char,
    ) -> LLVMMemoryBufferRef;

    fn LLVMOrcCreateLLJIT(result: *mut LLVMOrcLLJITRef, builder: *mut c_void) -> LLVMErrorRef;
    fn LLVMOrcDisposeLLJIT(j: LLVMOrcLLJITRef) -> LLVMErrorRef;
    fn LLVMOrcLLJITGetMainJITDylib(j: LLVMOrcLLJITRef) -> LLVMOrcJITDylibRef;
    fn LLVMOrcLLJITGetGlobalPrefix(j: LLVMOrcLLJITRef) -> c_char;
    fn LLVMOrcLLJITMangleAndIntern(
        j: LLVMOrcLLJITRef,
        name: *const c_char,
    ) -> LLVMOrcSymbolStringPoolEntryRef;
    fn LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        result: *mut LLVMOrcDefinitionGeneratorRef,
        prefix: c_char,
        filter: *mut c_void,
        filter_ctx: *mut c_void,
    ) -> LLVMErrorRef;
    fn LLVMOrcJITDylibAddGenerator(jd: LLVMOrcJITDylibRef, g: LLVMOrcDefinitionGeneratorRef);
    fn LLVMOrcAbsoluteSymbols(
        syms: *mut LLVMOrcCSymbolMapPair,
        count: usize,
    ) -> LLVMOrcMaterializationUnitRef;
    fn LLVMOrcJITDylibDefine(
        jd: LLVMOrcJITDylibRef,
        mu: LLVMOrcMaterializationUnitRef,
    ) -> LLVMErrorRef;
    fn LLVMOrcLLJITAddObjectFile(
        j: LLVMOrcLLJITRef,
        jd: LLVMOrcJITDylibRef,
        obj: LLVMMemoryBufferRef,
    ) -> LLVMErrorRef;
    fn LLVMOrcLLJITLookup(
        j: LLVMOrcLLJITRef,
        result: *mut u64,
        name: *const c_char,
    ) -> LLVMErrorRef;
}

/// The entry every compiled module gets: `void _o2l_packed(void **args)`,
/// `args[i]` pointing at the i-th argument of `_mlir_ciface_<func>`.
pub const PACKED_ENTRY: &str = "_o2l_packed";

/// The LLVM IR passes of the fast pipeline, per function: promote and
/// simplify, hoist loop invariants (descriptor loads), common
/// subexpressions, then vectorise inner loops. No IndVarSimplify, no unrolling.
pub const LLVM_PASSES: &str = "function(sroa,early-cse<memssa>,instcombine<no-verify-fixpoint>,\
simplifycfg,loop-mssa(licm),gvn,loop(loop-rotate),loop-vectorize,instcombine<no-verify-fixpoint>,\
simplifycfg)";

/// The light effort's IR passes: promote, simplify and hoist loop
/// invariants (the descriptor loads of every loop body), nothing that costs
/// more than it saves on a module that runs for milliseconds.
pub const LLVM_PASSES_LIGHT: &str = "function(sroa,early-cse<memssa>,instcombine<no-verify-fixpoint>,\
simplifycfg,loop-mssa(licm))";

/// The minimal effort's IR passes: promote to registers, remove common
/// subexpressions, simplify branches. On a module that runs for well under a
/// millisecond, InstCombine and the hoisting of loop invariants (with the
/// memory SSA it builds) cost more compile time than they save in
/// execution, and FastISel compiles the uncombined IR about as fast (a small
/// einsum module: IR passes 1.8 -> 0.4 ms, codegen 2.5 -> 2.2 ms).
pub const LLVM_PASSES_MINIMAL: &str = "function(sroa,early-cse,simplifycfg)";

/// The IR passes of an effort.
pub fn passes(effort: Effort) -> &'static str {
    match effort {
        Effort::Full => LLVM_PASSES,
        Effort::Light => LLVM_PASSES_LIGHT,
        Effort::Minimal => LLVM_PASSES_MINIMAL,
    }
}

/// The codegen optimisation level of an effort (LLVM's `CodeGenOptLevel`):
/// `-O0` selects instructions with FastISel and allocates registers the
/// fast way, several times faster than `-O2`.
pub fn codegen_level(effort: Effort) -> u32 {
    match effort {
        Effort::Full => CODEGEN_OPT_DEFAULT,
        Effort::Light | Effort::Minimal => CODEGEN_OPT_NONE,
    }
}

/// Takes the message out of an LLVM error (and frees it).
fn error_text(e: LLVMErrorRef) -> String {
    // SAFETY: `e` is a live error; the message is copied, then freed.
    unsafe {
        let m = LLVMGetErrorMessage(e);
        let s = CStr::from_ptr(m).to_string_lossy().into_owned();
        LLVMDisposeErrorMessage(m);
        s
    }
}

fn check(e: LLVMErrorRef, what: &str) -> Result<(), String> {
    if e.is_null() {
        Ok(())
    } else {
        Err(format!("{what}: {}", error_text(e)))
    }
}

/// Takes an LLVM-allocated message (and frees it).
fn message(m: *mut c_char) -> String {
    if m.is_null() {
        return String::new();
    }
    // SAFETY: `m` is a NUL-terminated string LLVM allocated; copied, then freed.
    unsafe {
        let s = CStr::from_ptr(m).to_string_lossy().into_owned();
        LLVMDisposeMessage(m);
        s
    }
}

fn cstring(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| format!("name with a NUL byte: {s:?}"))
}

fn init_target() {
    static INIT: std::sync::Once = std::sync::Once::new();
    // SAFETY: LLVM's target registration functions, called once.
    INIT.call_once(|| unsafe {
        LLVMInitializeX86TargetInfo();
        LLVMInitializeX86Target();
        LLVMInitializeX86TargetMC();
        LLVMInitializeX86AsmPrinter();
    });
}

/// A target machine for the host CPU (disposed on drop).
pub struct TargetMachine {
    raw: LLVMTargetMachineRef,
    triple: CString,
}

// SAFETY: a target machine is used by one thread at a time (it is moved
// from the warm-up thread to the compiling one, never shared).
unsafe impl Send for TargetMachine {}

impl TargetMachine {
    fn host(level: u32) -> Result<TargetMachine, String> {
        init_target();
        // SAFETY: plain C API calls; every returned string is copied and freed.
        unsafe {
            let triple = cstring(&message(LLVMGetDefaultTargetTriple()))?;
            let cpu = cstring(&message(LLVMGetHostCPUName()))?;
            let features = cstring(&message(LLVMGetHostCPUFeatures()))?;
            let mut target: LLVMTargetRef = std::ptr::null_mut();
            let mut err: *mut c_char = std::ptr::null_mut();
            if LLVMGetTargetFromTriple(triple.as_ptr(), &mut target, &mut err) != 0 {
                return Err(format!("no LLVM target for this host: {}", message(err)));
            }
            let raw = LLVMCreateTargetMachine(
                target,
                triple.as_ptr(),
                cpu.as_ptr(),
                features.as_ptr(),
                level,
                RELOC_PIC,
                CODE_MODEL_SMALL,
            );
            if raw.is_null() {
                return Err("LLVM could not create a target machine for this host".into());
            }
            Ok(TargetMachine { raw, triple })
        }
    }
}

impl Drop for TargetMachine {
    fn drop(&mut self) {
        // SAFETY: created by LLVMCreateTargetMachine, disposed once.
        unsafe { LLVMDisposeTargetMachine(self.raw) }
    }
}

/// A string naming the host (triple, CPU and features) for cache keys:
/// an object compiled for one CPU may not run on another.
pub fn host_description() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        init_target();
        // SAFETY: plain C API calls; the strings are copied and freed.
        unsafe {
            format!(
                "{} {} {}",
                message(LLVMGetDefaultTargetTriple()),
                message(LLVMGetHostCPUName()),
                message(LLVMGetHostCPUFeatures())
            )
        }
    })
}

/// The file holding this code (the executable, or the shared library it
/// was linked into) as path, size, modification time and inode, for cache
/// keys that hash a module's source instead of its text: the same graph
/// lowers differently after a rebuild. None if the file cannot be found.
pub fn code_identity() -> Option<String> {
    // SAFETY: dladdr reads the loader's tables for an address in this
    // object and fills `info`; the returned name is a C string owned by the
    // loader, copied before use.
    let path = unsafe {
        let mut info: libc::Dl_info = std::mem::zeroed();
        let here = code_identity as fn() -> Option<String> as *const c_void;
        if libc::dladdr(here, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        CStr::from_ptr(info.dli_fname)
            .to_string_lossy()
            .into_owned()
    };
    // The executable's name is what it was started as (maybe relative, or
    // a bare name found on PATH).
    let file = if path.starts_with('/') {
        std::path::PathBuf::from(&path)
    } else {
        std::env::current_exe().ok()?
    };
    let meta = std::fs::metadata(&file).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    use std::os::unix::fs::MetadataExt;
    Some(format!(
        "{} {} {} {}",
        file.display(),
        meta.len(),
        modified.as_nanos(),
        meta.ino()
    ))
}

/// How long each stage of `compile` took.
pub struct ObjectTimings {
    pub translate: std::time::Duration,
    pub optimize: std::time::Duration,
    pub codegen: std::time::Duration,
}

/// Compiles an LLVM-dialect module to an object file (bytes) whose packed
/// entry calls `_mlir_ciface_<func>`; with a `warmup`, also the empty LLJIT
/// it made, to link the object into (`Jit::link`).
pub fn compile(
    module: &melior::ir::Module,
    func: &str,
    effort: Effort,
    warmup: Option<Warmup>,
) -> Result<(Vec<u8>, ObjectTimings, Option<Jit>), String> {
    let (tm, empty) = warmup.map_or((None, None), |mut w| w.take());
    let tm = match tm {
        Some(tm) => tm,
        None => TargetMachine::host(codegen_level(effort))?,
    };
    let start = std::time::Instant::now();
    // SAFETY: the LLVM context outlives the module translated into it; both
    // are disposed below on every path (module first).
    unsafe {
        let context = LLVMContextCreate();
        let llvm = mlirTranslateModuleToLLVMIR(module.as_operation().to_raw(), context);
        if llvm.is_null() {
            LLVMContextDispose(context);
            return Err("the module could not be translated to LLVM IR".into());
        }
        let translate = start.elapsed();
        let result = emit_object(&tm, context, llvm, func, effort);
        LLVMDisposeModule(llvm);
        LLVMContextDispose(context);
        let (bytes, optimize, codegen) = result?;
        Ok((
            bytes,
            ObjectTimings {
                translate,
                optimize,
                codegen,
            },
            empty,
        ))
    }
}

/// Adds the packed entry to `llvm`, runs the LLVM passes and emits an
/// object: its bytes, and the time of the passes and of code generation.
///
/// # Safety
/// `context` and `llvm` are live, the module in that context.
unsafe fn emit_object(
    tm: &TargetMachine,
    context: LLVMContextRef,
    llvm: LLVMModuleRef,
    func: &str,
    effort: Effort,
) -> Result<(Vec<u8>, std::time::Duration, std::time::Duration), String> {
    // SAFETY: see the function's contract; the buffer is copied and freed.
    unsafe {
        let dl = LLVMCreateTargetDataLayout(tm.raw);
        LLVMSetModuleDataLayout(llvm, dl);
        LLVMDisposeTargetData(dl);
        LLVMSetTarget(llvm, tm.triple.as_ptr());
        add_packed_entry(context, llvm, func)?;
        let start = std::time::Instant::now();
        let options = LLVMCreatePassBuilderOptions();
        let passes = cstring(passes(effort))?;
        let e = LLVMRunPasses(llvm, passes.as_ptr(), tm.raw, options);
        LLVMDisposePassBuilderOptions(options);
        check(e, "LLVM passes")?;
        let optimize = start.elapsed();
        let start = std::time::Instant::now();
        let mut err: *mut c_char = std::ptr::null_mut();
        let mut buffer: LLVMMemoryBufferRef = std::ptr::null_mut();
        if LLVMTargetMachineEmitToMemoryBuffer(tm.raw, llvm, OBJECT_FILE, &mut err, &mut buffer)
            != 0
        {
            return Err(format!("LLVM code generation failed: {}", message(err)));
        }
        let bytes = std::slice::from_raw_parts(
            LLVMGetBufferStart(buffer) as *const u8,
            LLVMGetBufferSize(buffer),
        )
        .to_vec();
        LLVMDisposeMemoryBuffer(buffer);
        Ok((bytes, optimize, start.elapsed()))
    }
}

/// LLVM's fixed costs of a compile, paid on another thread while this one
/// parses the MLIR module and runs the MLIR passes: creating the host's
/// target machine (reading the CPU's features), once per process compiling
/// and linking a tiny module the way `compile` and `Jit::load` do, which
/// sets up LLVM's pass and code generation pipelines and brings their code
/// into memory, and the empty LLJIT the code will be linked into (about
/// half a millisecond: `Jit::empty`). Dropping a `Warmup` waits for its
/// thread, so no LLVM work is left running when the process exits.
pub struct Warmup(Option<std::thread::JoinHandle<Warm>>);

/// What the warm-up made.
pub(crate) struct Warm {
    tm: Option<TargetMachine>,
    jit: Option<Jit>,
}

impl Warm {
    /// The warm-up's work, on the calling thread.
    pub(crate) fn make(effort: Effort) -> Warm {
        Warm {
            tm: warm(effort),
            jit: Jit::empty().ok(),
        }
    }
}

// SAFETY: an LLJIT may be used from any thread (its session locks what it
// shares); this one is made on the warm-up thread and then used only by the
// thread that joins it.
#[allow(unsafe_code)]
unsafe impl Send for Warm {}

impl Warmup {
    /// None on a machine with one CPU (the thread would only compete).
    pub fn start(effort: Effort) -> Option<Warmup> {
        if !crate::spare_core() {
            return None;
        }
        std::thread::Builder::new()
            .name("o2l-llvm-warmup".into())
            .spawn(move || Warm::make(effort))
            .ok()
            .map(|h| Warmup(Some(h)))
    }

    /// The warm-up of a thread that does it after other work
    /// (`ContextAhead`).
    pub(crate) fn of_thread(handle: std::thread::JoinHandle<Warm>) -> Warmup {
        Warmup(Some(handle))
    }

    /// The target machine and the empty LLJIT, once the thread is done.
    fn take(&mut self) -> (Option<TargetMachine>, Option<Jit>) {
        match self.0.take().map(|h| h.join()) {
            Some(Ok(warm)) => (warm.tm, warm.jit),
            _ => (None, None),
        }
    }
}

impl Drop for Warmup {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

fn warm(effort: Effort) -> Option<TargetMachine> {
    static WARMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let tm = TargetMachine::host(codegen_level(effort)).ok()?;
    if WARMED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return Some(tm);
    }
    // `void _mlir_ciface_warm(float *p) { *p = *p * *p; }`, compiled and
    // linked; failures here only mean a colder compile.
    // SAFETY: every LLVM object is created and disposed here (module
    // before context); the builder only adds to the module's function.
    let object = unsafe {
        let context = LLVMContextCreate();
        let module = LLVMModuleCreateWithNameInContext(c"warm".as_ptr(), context);
        let ptr = LLVMPointerTypeInContext(context, 0);
        let f32t = LLVMFloatTypeInContext(context);
        let mut params = [ptr];
        let fty = LLVMFunctionType(LLVMVoidTypeInContext(context), params.as_mut_ptr(), 1, 0);
        let f = LLVMAddFunction(module, c"_mlir_ciface_warm".as_ptr(), fty);
        let b = LLVMCreateBuilderInContext(context);
        LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(context, f, c"".as_ptr()));
        let p = LLVMGetParam(f, 0);
        let x = LLVMBuildLoad2(b, f32t, p, c"".as_ptr());
        LLVMBuildStore(b, LLVMBuildFMul(b, x, x, c"".as_ptr()), p);
        LLVMBuildRetVoid(b);
        LLVMDisposeBuilder(b);
        let object = emit_object(&tm, context, module, "warm", effort);
        LLVMDisposeModule(module);
        LLVMContextDispose(context);
        object
    };
    if let Ok((bytes, _, _)) = object {
        drop(Jit::load(&bytes, &[]));
    }
    Some(tm)
}

/// Adds `void _o2l_packed(void **args)` calling `_mlir_ciface_<func>` with
/// `*args[i]` as its i-th argument.
///
/// # Safety
/// `context` and `module` are live, the module in that context.
unsafe fn add_packed_entry(
    context: LLVMContextRef,
    module: LLVMModuleRef,
    func: &str,
) -> Result<(), String> {
    const VOID_KIND: u32 = 0;
    let name = cstring(&format!("_mlir_ciface_{func}"))?;
    let empty = c"";
    // SAFETY: see the function's contract; every value built belongs to `module`.
    unsafe {
        let target = LLVMGetNamedFunction(module, name.as_ptr());
        if target.is_null() {
            return Err(format!("the LLVM module has no {}", name.to_string_lossy()));
        }
        let fty = LLVMGlobalGetValueType(target);
        if LLVMGetTypeKind(LLVMGetReturnType(fty)) != VOID_KIND {
            return Err(format!("{} does not return void", name.to_string_lossy()));
        }
        let count = LLVMCountParamTypes(fty);
        let mut params: Vec<LLVMTypeRef> = vec![std::ptr::null_mut(); count as usize];
        if count > 0 {
            LLVMGetParamTypes(fty, params.as_mut_ptr());
        }
        let ptr = LLVMPointerTypeInContext(context, 0);
        let mut one = [ptr];
        let wty = LLVMFunctionType(LLVMVoidTypeInContext(context), one.as_mut_ptr(), 1, 0);
        let entry = cstring(PACKED_ENTRY)?;
        let wrapper = LLVMAddFunction(module, entry.as_ptr(), wty);
        let block = LLVMAppendBasicBlockInContext(context, wrapper, empty.as_ptr());
        let b = LLVMCreateBuilderInContext(context);
        LLVMPositionBuilderAtEnd(b, block);
        let args = LLVMGetParam(wrapper, 0);
        let i64t = LLVMInt64TypeInContext(context);
        let mut values = Vec::with_capacity(count as usize);
        for (i, &ty) in params.iter().enumerate() {
            let mut index = [LLVMConstInt(i64t, i as u64, 0)];
            let slot = LLVMBuildGEP2(b, ptr, args, index.as_mut_ptr(), 1, empty.as_ptr());
            let at = LLVMBuildLoad2(b, ptr, slot, empty.as_ptr());
            values.push(LLVMBuildLoad2(b, ty, at, empty.as_ptr()));
        }
        LLVMBuildCall2(b, fty, target, values.as_mut_ptr(), count, empty.as_ptr());
        LLVMBuildRetVoid(b);
        LLVMDisposeBuilder(b);
    }
    Ok(())
}

/// Linked code: an LLJIT holding one object, and its packed entry.
pub struct Jit {
    raw: LLVMOrcLLJITRef,
    entry: unsafe extern "C" fn(*mut *mut c_void),
}

impl Jit {
    /// Links `object`; `symbols` (name, address) are defined as absolute
    /// symbols beside the runtime (`memrefCopy`).
    pub fn load(object: &[u8], symbols: &[(String, usize)]) -> Result<Jit, String> {
        Jit::empty()?.link(object, symbols)
    }

    /// An LLJIT for this host holding no code yet, which resolves what the
    /// code takes from this process (libc and libm) by looking it up here.
    pub fn empty() -> Result<Jit, String> {
        init_target();
        let mut raw: LLVMOrcLLJITRef = std::ptr::null_mut();
        // SAFETY: a null builder asks for the default LLJIT for this host.
        check(
            unsafe { LLVMOrcCreateLLJIT(&mut raw, std::ptr::null_mut()) },
            "creating the LLJIT",
        )?;
        let jit = Jit {
            raw,
            entry: noop_entry,
        };
        // SAFETY: the LLJIT is live; ownership of the generator passes to it.
        unsafe {
            let jd = LLVMOrcLLJITGetMainJITDylib(jit.raw);
            let mut generator: LLVMOrcDefinitionGeneratorRef = std::ptr::null_mut();
            check(
                LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
                    &mut generator,
                    LLVMOrcLLJITGetGlobalPrefix(jit.raw),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                ),
                "looking up this process's symbols",
            )?;
            LLVMOrcJITDylibAddGenerator(jd, generator);
        }
        Ok(jit)
    }

    /// Links `object` into this empty LLJIT (`empty`); `symbols` as `load`.
    pub fn link(mut self, object: &[u8], symbols: &[(String, usize)]) -> Result<Jit, String> {
        let jit = &mut self;
        // SAFETY: the LLJIT is live; ownership of the materialization unit
        // and the memory buffer passes to it.
        unsafe {
            let jd = LLVMOrcLLJITGetMainJITDylib(jit.raw);
            let mut pairs = Vec::with_capacity(symbols.len() + 1);
            let copy = memref_copy_address();
            for (name, address, callable) in std::iter::once(("memrefCopy", copy, true))
                .chain(symbols.iter().map(|(n, a)| (n.as_str(), *a, false)))
            {
                let c = cstring(name)?;
                pairs.push(LLVMOrcCSymbolMapPair {
                    name: LLVMOrcLLJITMangleAndIntern(jit.raw, c.as_ptr()),
                    sym: LLVMJITEvaluatedSymbol {
                        address: address as u64,
                        flags: LLVMJITSymbolFlags {
                            generic: FLAG_EXPORTED | if callable { FLAG_CALLABLE } else { 0 },
                            target: 0,
                        },
                    },
                });
            }
            let unit = LLVMOrcAbsoluteSymbols(pairs.as_mut_ptr(), pairs.len());
            check(
                LLVMOrcJITDylibDefine(jd, unit),
                "defining the runtime symbols",
            )?;
            let name = c"o2l-object";
            let buffer = LLVMCreateMemoryBufferWithMemoryRangeCopy(
                object.as_ptr() as *const c_char,
                object.len(),
                name.as_ptr(),
            );
            check(
                LLVMOrcLLJITAddObjectFile(jit.raw, jd, buffer),
                "adding the object to the LLJIT",
            )?;
        }
        let mut address: u64 = 0;
        let entry = cstring(PACKED_ENTRY)?;
        // SAFETY: lookup by name links the object (resolving its symbols).
        check(
            unsafe { LLVMOrcLLJITLookup(jit.raw, &mut address, entry.as_ptr()) },
            "linking the compiled code",
        )?;
        if address == 0 {
            return Err("the compiled code has no entry point".into());
        }
        // SAFETY: the symbol is the packed entry this module defined, of that type.
        jit.entry = unsafe {
            std::mem::transmute::<usize, unsafe extern "C" fn(*mut *mut c_void)>(address as usize)
        };
        Ok(self)
    }

    /// The packed entry (valid while `self` lives).
    pub fn entry(&self) -> unsafe extern "C" fn(*mut *mut c_void) {
        self.entry
    }
}

unsafe extern "C" fn noop_entry(_: *mut *mut c_void) {}

fn memref_copy_address() -> usize {
    crate::abi::memref_copy
        as unsafe extern "C" fn(i64, *const UnrankedMemRef, *const UnrankedMemRef) as usize
}

impl Drop for Jit {
    fn drop(&mut self) {
        // SAFETY: created by LLVMOrcCreateLLJIT, disposed once; an error on
        // disposal leaves nothing to do but free its message.
        unsafe {
            let e = LLVMOrcDisposeLLJIT(self.raw);
            if !e.is_null() {
                let _ = error_text(e);
            }
        }
    }
}
