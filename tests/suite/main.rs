//! The integration tests, one module per subject, linked into one test binary
//! (`cargo test --test suite`; one module: `cargo test --test suite cli::`).
//! One binary rather than one per file: each links all of MLIR and LLVM
//! (about 270 MB on disk), so sixteen of them filled small CI disks.
//! The ONNX node-suite runner is separate (tests/conformance.rs, its own main).

mod common;

mod bad_models;
mod batch;
mod batch_check;
mod batch_resume;
mod bind;
mod cli;
mod contrib_cases;
mod corpus;
mod det;
mod docs;
mod dynamic_shapes;
mod examples;
mod fuzz_regressions;
mod ir_coverage;
mod ir_forms;
mod iree;
mod layering;
mod light_models;
mod ml_models;
mod models;
mod narrow;
mod old_suites;
mod op_cases;
mod op_sets_agree;
mod quirks;
mod random;
mod run_check;
mod stablehlo;
mod torch_mlir_stablehlo;
mod tosa;
