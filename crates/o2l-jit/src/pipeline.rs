//! The pass pipeline from linalg-on-tensors to the LLVM dialect.
//!
//! Stage by stage:
//! - `convert-tensor-to-linalg`: `tensor.pad` becomes `linalg.fill` + `tensor.insert_slice`
//!   (One-Shot Bufferize has no rule for a pad with a body).
//! - `one-shot-bufferize` across function boundaries with identity layouts, so the
//!   C interface sees plain row-major memrefs; loops (`scf.for`/`scf.while`) may
//!   yield fresh buffers. `tensor.concat`, `tensor.from_elements`,
//!   `tensor.empty` and `arith.constant` (dense and `dense_resource`, which become
//!   `memref.global`s) all bufferize here.
//! - `convert-linalg-to-loops`: named ops and generics become `scf` loops.
//! - `buffer-deallocation-pipeline` + `convert-bufferization-to-memref`: frees
//!   temporaries. Results of a public function must be owned by the caller, so a result
//!   that would alias an argument or a constant global is returned as a fresh copy
//!   (`bufferization.clone`, lowered to alloc + copy here).
//! - math: `convert-math-to-funcs` outlines `ipowi`/`fpowi`/`ctlz`;
//!   `math-extend-to-supported-types` computes f16/bf16 math in f32;
//!   `convert-math-to-llvm` uses LLVM intrinsics where they exist and
//!   `convert-math-to-libm` turns the rest (erf, tanh, atan, ...) into libm calls,
//!   which the JIT resolves from this process.
//! - `arith-expand` legalises ops without a direct LLVM form (ceildivsi, min/max
//!   variants, bf16 extf/truncf via integer ops). It expands f32 -> bf16 only:
//!   before this pipeline, `half_from_f64` rewrites f64 -> f16/bf16 truncations
//!   (which LLVM would lower to `__truncdfbf2`/`__truncdfhf2`, absent from a
//!   stock Debian 12 process) as f64 -> f32 rounded to odd, then f32 -> target.
//!   What compiled code takes from the host is listed by `host_symbols` and
//!   checked (tests) to be libc and libm only.
//! - the usual conversions to LLVM, then `reconcile-unrealized-casts`.
//!
//! The fast pipeline (`FAST_PIPELINE`) runs the same stages with fewer
//! passes; see there.

/// Bufferization and loops: the start of both pipelines.
macro_rules! to_loops {
    () => {
        "convert-tensor-to-linalg,\
one-shot-bufferize{bufferize-function-boundaries allow-return-allocs-from-loops function-boundary-type-conversion=identity-layout-map},\
func.func(convert-linalg-to-loops),"
    };
}

/// From freed buffers to ops that convert to LLVM: the middle of both pipelines.
macro_rules! to_llvm_prep {
    () => {
        "convert-bufferization-to-memref,\
expand-strided-metadata,\
lower-affine,\
convert-scf-to-cf,\
convert-math-to-funcs,\
math-extend-to-supported-types,\
convert-math-to-llvm,\
convert-math-to-libm,\
arith-expand{include-bf16=true},"
    };
}

/// What the fast pipeline runs before the passes of `PIPELINE`: elementwise
/// `linalg.generic`s fused into their single consumer (each element computed
/// by the same ops in the same order, so the results do not change), then
/// canonicalization and CSE. Fewer loops mean less for LLVM to compile (a
/// small BERT: about half the branches) and fewer temporaries at run time.
macro_rules! fast_prefix {
    () => {
        "func.func(linalg-fuse-elementwise-ops,canonicalize{region-simplify=disabled},cse)"
    };
}

/// The fast pipeline up to bufferized loops.
macro_rules! fast_head {
    () => {
        concat!("builtin.module(", fast_prefix!(), ",", to_loops!())
    };
}

/// The fast pipeline from freed buffers to the LLVM dialect.
macro_rules! fast_tail {
    () => {
        concat!(
            to_llvm_prep!(),
            "finalize-memref-to-llvm,convert-to-llvm,reconcile-unrealized-casts)"
        )
    };
}

/// The reference pipeline (`Pipeline::Reference`), stage by stage as above.
pub const PIPELINE: &str = concat!(
    "builtin.module(",
    to_loops!(),
    "buffer-deallocation-pipeline,",
    to_llvm_prep!(),
    "finalize-memref-to-llvm,\
convert-arith-to-llvm,\
convert-index-to-llvm,\
convert-ub-to-llvm,\
convert-cf-to-llvm,\
convert-func-to-llvm,\
reconcile-unrealized-casts)"
);

/// The fast pipeline's MLIR passes: `fast_prefix!`, then the passes of
/// `PIPELINE` with fewer fixed costs (on a small model each pass costs more
/// in collecting its patterns than in rewriting the module), and the same
/// LLVM dialect out (checked on every model fixture):
/// - `buffer-deallocation-pipeline` is spelled out without its first
///   `canonicalize` (the module was canonicalized by `fast_prefix!`; without
///   it no fixture's LLVM dialect changed): three canonicalizations in all
///   instead of four, and none simplifies regions (erasing dead blocks and
///   merging identical ones, which these structured-control-flow modules
///   give them nothing to do: a small BERT's passes ran 3 % fewer
///   instructions for the same LLVM dialect on every fixture).
/// - one `convert-to-llvm` (the conversions that the loaded dialects offer
///   through their `ConvertToLLVMPatternInterface`: arith, index, ub, cf,
///   func, math) replaces five separate conversion passes, each of which
///   built its own patterns and walked the module. Math ops are all
///   converted before it (`convert-math-to-llvm` then `convert-math-to-libm`),
///   so which become intrinsics and which libm calls does not change.
///   `finalize-memref-to-llvm` stays a pass of its own before it: inside
///   `convert-to-llvm`, a `memref.reshape` of a run-time shape was left
///   unconverted.
pub const FAST_PIPELINE: &str = concat!(
    fast_head!(),
    "expand-realloc,\
ownership-based-buffer-deallocation,\
canonicalize{region-simplify=disabled},\
buffer-deallocation-simplification,\
bufferization-lower-deallocations,\
cse,\
canonicalize{region-simplify=disabled},",
    fast_tail!()
);

/// `FAST_PIPELINE` without buffer deallocation (`Options::keep_temporaries`):
/// the five deallocation passes and the canonicalization and CSE after them
/// become one canonicalization. Every temporary stays allocated after a call,
/// and a result may alias an argument or a constant (no clone is made), which
/// is harmless: results are only copied out, never written or freed. A small
/// model's passes take about 25 % less time, MobileNetV2's 46 -> 37 ms; the
/// outputs of all 41 model fixtures are byte-identical.
pub const FAST_PIPELINE_KEEPING_TEMPORARIES: &str = concat!(
    fast_head!(),
    "canonicalize{region-simplify=disabled},",
    fast_tail!()
);

/// The fast pipeline's MLIR passes, with or without buffer deallocation.
pub fn fast_pipeline(keep_temporaries: bool) -> &'static str {
    match keep_temporaries {
        false => FAST_PIPELINE,
        true => FAST_PIPELINE_KEEPING_TEMPORARIES,
    }
}
