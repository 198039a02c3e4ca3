//! Loop order for the fast pipeline: convolutions (1-D, 2-D, 3-D, and the
//! quantized 2-D one), poolings and matmuls are
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
    %conv_q = transform.structured.match ops{["linalg.conv_2d_nchw_fchw_q"]} in %root : (!transform.any_op) -> !transform.any_op
    %conv_q_g = transform.structured.generalize %conv_q : (!transform.any_op) -> !transform.any_op
    %conv_q_i = transform.structured.interchange %conv_q_g iterator_interchange = [0, 1, 4, 5, 6, 2, 3] : (!transform.any_op) -> !transform.any_op
    %conv1 = transform.structured.match ops{["linalg.conv_1d_ncw_fcw"]} in %root : (!transform.any_op) -> !transform.any_op
    %conv1_g = transform.structured.generalize %conv1 : (!transform.any_op) -> !transform.any_op
    %conv1_i = transform.structured.interchange %conv1_g iterator_interchange = [0, 1, 3, 4, 2] : (!transform.any_op) -> !transform.any_op
    %conv3 = transform.structured.match ops{["linalg.conv_3d_ncdhw_fcdhw"]} in %root : (!transform.any_op) -> !transform.any_op
    %conv3_g = transform.structured.generalize %conv3 : (!transform.any_op) -> !transform.any_op
    %conv3_i = transform.structured.interchange %conv3_g iterator_interchange = [0, 1, 5, 6, 7, 8, 2, 3, 4] : (!transform.any_op) -> !transform.any_op
    %pool = transform.structured.match ops{["linalg.pooling_nchw_max", "linalg.pooling_nchw_sum"]} in %root : (!transform.any_op) -> !transform.any_op
    %pool_g = transform.structured.generalize %pool : (!transform.any_op) -> !transform.any_op
    %pool_i = transform.structured.interchange %pool_g iterator_interchange = [0, 1, 4, 5, 2, 3] : (!transform.any_op) -> !transform.any_op
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
