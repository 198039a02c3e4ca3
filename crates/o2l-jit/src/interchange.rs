//! Loop order for the fast pipeline: convolutions and matmuls are
//! generalized and their loops interchanged so that the innermost loop runs
//! over a parallel, unit-stride output dim (`ow` of a convolution, `j` of a
//! matmul) instead of a short reduction (`kw`) or a strided one (`k`). LLVM's
//! loop vectorizer can then vectorise that loop. Every output element still
//! accumulates its products in the same order (the reduction loops keep
//! their relative order), so results do not change, bit for bit.
//!
//! The reordering is a transform-dialect script applied by the interpreter
//! (`mlirTransformApplyNamedSequence`) before the pass pipeline.
use melior::{
    Context,
    ir::{BlockLike, Module},
};

pub const SCRIPT: &str = r#"
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %conv = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %root : (!transform.any_op) -> !transform.any_op
    %conv_g = transform.structured.generalize %conv : (!transform.any_op) -> !transform.any_op
    %conv_i = transform.structured.interchange %conv_g iterator_interchange = [0, 1, 4, 5, 6, 2, 3] : (!transform.any_op) -> !transform.any_op
    %mm = transform.structured.match ops{["linalg.matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %mm_g = transform.structured.generalize %mm : (!transform.any_op) -> !transform.any_op
    %mm_i = transform.structured.interchange %mm_g iterator_interchange = [0, 2, 1] : (!transform.any_op) -> !transform.any_op
    %bmm = transform.structured.match ops{["linalg.batch_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %bmm_g = transform.structured.generalize %bmm : (!transform.any_op) -> !transform.any_op
    %bmm_i = transform.structured.interchange %bmm_g iterator_interchange = [0, 1, 3, 2] : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
"#;

/// Applies `SCRIPT` to `module`. Errors are MLIR's diagnostics (collected by
/// the caller's handler).
pub fn apply(context: &Context, module: &mut Module) -> Result<(), String> {
    let Some(script) = Module::parse(context, SCRIPT) else {
        return Err("the loop-order script does not parse".into());
    };
    let body = script.body();
    let Some(entry) = body.first_operation() else {
        return Err("the loop-order script is empty".into());
    };
    // SAFETY: the payload, the entry and its module are live for the call;
    // the options are created and destroyed here.
    let ok = unsafe {
        let options = mlir_sys::mlirTransformOptionsCreate();
        let result = mlir_sys::mlirTransformApplyNamedSequence(
            module.as_operation().to_raw(),
            entry.to_raw(),
            script.as_operation().to_raw(),
            options,
        );
        mlir_sys::mlirTransformOptionsDestroy(options);
        result.value != 0
    };
    if ok {
        Ok(())
    } else {
        Err("reordering the loops of convolutions and matmuls failed".into())
    }
}
