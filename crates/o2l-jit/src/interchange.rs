//! Loop order for the fast pipeline: convolutions (1-D, 2-D, 3-D, and the
//! quantized 2-D one), poolings and matmuls are
//! generalized and their loops interchanged so that the innermost loop runs
//! over a parallel, unit-stride output dim (`ow` of a convolution, `j` of a
//! matmul) instead of a short reduction (`kw`) or a strided one (`k`). LLVM's
//! loop vectorizer can then vectorise that loop. Every output element still
//! accumulates its products in the same order (the reduction loops keep
//! their relative order), so results do not change, bit for bit.
//!
//! The reordering is specified by a transform-dialect script (`SCRIPT`) and
//! done before the pass pipeline by `apply`, which builds the script's result
//! directly; the interpreter (`apply_script`) stays the way for an op of
//! another form, and a test requires both to give the same module.
use melior::{
    Context,
    ir::{
        Attribute, BlockLike, Identifier, Module, Region, Type, Value, ValueLike,
        attribute::ArrayAttribute,
        operation::{OperationBuilder, OperationLike, OperationRef},
    },
};
use mlir_sys::{
    MlirAffineExpr, MlirAttribute, MlirOperation, MlirWalkOrder_MlirWalkPreOrder, MlirWalkResult,
    MlirWalkResult_MlirWalkResultAdvance, mlirAffineDimExprGetPosition, mlirAffineExprCompose,
    mlirAffineExprIsADim, mlirAffineMapAttrGet, mlirAffineMapAttrGetValue, mlirAffineMapGet,
    mlirAffineMapGetNumDims, mlirAffineMapGetNumResults, mlirAffineMapGetNumSymbols,
    mlirAffineMapGetResult, mlirAffineMapPermutationGet, mlirArrayAttrGet, mlirArrayAttrGetElement,
    mlirArrayAttrGetNumElements, mlirBlockInsertOwnedOperationBefore, mlirIdentifierStr,
    mlirLinalgGetIndexingMapsAttribute, mlirOperationDestroy, mlirOperationGetBlock,
    mlirOperationGetContext, mlirOperationGetName, mlirOperationGetNumOperands,
    mlirOperationGetNumRegions, mlirOperationGetNumResults, mlirOperationGetRegion,
    mlirOperationGetResult, mlirOperationWalk, mlirRegionGetFirstBlock, mlirRegionTakeBody,
    mlirValueReplaceAllUsesOfWith,
};
use std::ffi::c_void;

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

/// The reordered ops and their loop order, as in `SCRIPT` (its
/// `iterator_interchange`: loop `i` of the new op is loop `order[i]` of the
/// named op).
const ORDERS: &[(&str, &[u32])] = &[
    ("linalg.conv_2d_nchw_fchw", &[0, 1, 4, 5, 6, 2, 3]),
    ("linalg.conv_2d_nchw_fchw_q", &[0, 1, 4, 5, 6, 2, 3]),
    ("linalg.conv_1d_ncw_fcw", &[0, 1, 3, 4, 2]),
    ("linalg.conv_3d_ncdhw_fcdhw", &[0, 1, 5, 6, 7, 8, 2, 3, 4]),
    ("linalg.pooling_nchw_max", &[0, 1, 4, 5, 2, 3]),
    ("linalg.pooling_nchw_sum", &[0, 1, 4, 5, 2, 3]),
    ("linalg.matmul", &[0, 2, 1]),
    ("linalg.batch_matmul", &[0, 1, 3, 2]),
];

/// Applies `SCRIPT` to `module` with the transform interpreter. Errors are
/// MLIR's diagnostics (collected by the caller's handler).
fn apply_script(context: &Context, module: &mut Module) -> Result<(), String> {
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

/// Reorders the loops of `module`'s convolutions, poolings and matmuls: each
/// op of `ORDERS` becomes the `linalg.generic` that `SCRIPT`'s `generalize`
/// then `interchange` make of it (same operands, result type, body and
/// location; the op's indexing maps composed with the inverse of the loop
/// order, its iterator types permuted), built here directly. Loading the
/// transform dialect, whose extensions load the GPU, AMDGPU, NVVM and ROCDL
/// dialects, was most of the cost of the script on a small model. When an op
/// is not of the expected form (one result, maps over the loop count, an
/// output map that only picks loops), `SCRIPT` does the whole module instead.
pub fn apply(context: &Context, module: &mut Module) -> Result<(), String> {
    if reorder(context, module)? {
        Ok(())
    } else {
        apply_script(context, module)
    }
}

/// `apply` without the script: false (and `module` unchanged) when an op is
/// not of the expected form.
fn reorder(context: &Context, module: &mut Module) -> Result<bool, String> {
    let mut found: Vec<Found> = Vec::new();
    // SAFETY: the module's operation is valid; the callback only appends to
    // `found`, which outlives the walk.
    unsafe {
        mlirOperationWalk(
            module.as_operation().to_raw(),
            Some(collect),
            &mut found as *mut Vec<Found> as *mut c_void,
            MlirWalkOrder_MlirWalkPreOrder,
        );
    }
    let mut plans = Vec::with_capacity(found.len());
    for &(op, order) in &found {
        // SAFETY: the walk returned live operations of the module.
        match unsafe { plan(op, order) } {
            Some(p) => plans.push(p),
            None => return Ok(false),
        }
    }
    for p in plans {
        // SAFETY: each planned op is live until it is replaced here, once.
        unsafe { replace(context, p)? };
    }
    Ok(true)
}

/// An op to reorder and its loop order.
type Found = (MlirOperation, &'static [u32]);

/// Adds each operation named in `ORDERS` (with its loop order) to the `Vec`.
unsafe extern "C" fn collect(op: MlirOperation, found: *mut c_void) -> MlirWalkResult {
    // SAFETY: `found` is the `Vec` that `apply` passes to the walk, alive and
    // not otherwise borrowed while the walk runs; `op` is live, and its name
    // is a string of the context.
    let (found, name) = unsafe {
        let found = &mut *(found as *mut Vec<Found>);
        let name = mlirIdentifierStr(mlirOperationGetName(op));
        let name = std::slice::from_raw_parts(name.data as *const u8, name.length);
        (found, name)
    };
    if let Some((_, order)) = ORDERS.iter().find(|(n, _)| n.as_bytes() == name) {
        found.push((op, order));
    }
    MlirWalkResult_MlirWalkResultAdvance
}

/// What replaces one op: its new indexing maps and iterator types.
struct Plan {
    op: MlirOperation,
    maps: MlirAttribute,
    parallel: Vec<bool>,
    inputs: usize,
}

/// The generic form of `op` with its loops in `order`, or `None` when `op`
/// is not of the expected form.
///
/// # Safety
/// `op` is a live operation.
unsafe fn plan(op: MlirOperation, order: &[u32]) -> Option<Plan> {
    // SAFETY: `op` is live (the caller's contract); the maps and exprs read
    // here belong to its context.
    unsafe {
        let operands = usize::try_from(mlirOperationGetNumOperands(op)).ok()?;
        if operands == 0
            || mlirOperationGetNumResults(op) != 1
            || mlirOperationGetNumRegions(op) != 1
            || mlirRegionGetFirstBlock(mlirOperationGetRegion(op, 0))
                .ptr
                .is_null()
        {
            return None;
        }
        let maps = mlirLinalgGetIndexingMapsAttribute(op);
        if maps.ptr.is_null()
            || usize::try_from(mlirArrayAttrGetNumElements(maps)).ok()? != operands
        {
            return None;
        }
        let loops = order.len();
        let mut old = Vec::with_capacity(operands);
        for i in 0..operands {
            let map = mlirAffineMapAttrGetValue(mlirArrayAttrGetElement(maps, i as isize));
            if usize::try_from(mlirAffineMapGetNumDims(map)).ok()? != loops
                || mlirAffineMapGetNumSymbols(map) != 0
            {
                return None;
            }
            old.push(map);
        }
        // A loop is parallel when the output is indexed by it.
        let out = *old.last()?;
        let mut in_output = vec![false; loops];
        for r in 0..mlirAffineMapGetNumResults(out) {
            let e = mlirAffineMapGetResult(out, r);
            if !mlirAffineExprIsADim(e) {
                return None;
            }
            let d = usize::try_from(mlirAffineDimExprGetPosition(e)).ok()?;
            *in_output.get_mut(d)? = true;
        }
        // Old loop `order[i]` is new loop `i`.
        let mut inverse = vec![0u32; loops];
        for (i, &d) in order.iter().enumerate() {
            *inverse.get_mut(d as usize)? = u32::try_from(i).ok()?;
        }
        let context = mlirOperationGetContext(op);
        let permutation =
            mlirAffineMapPermutationGet(context, loops as isize, inverse.as_mut_ptr());
        let mut new_maps: Vec<MlirAttribute> = Vec::with_capacity(operands);
        for map in old {
            let mut exprs: Vec<MlirAffineExpr> = (0..mlirAffineMapGetNumResults(map))
                .map(|r| mlirAffineExprCompose(mlirAffineMapGetResult(map, r), permutation))
                .collect();
            let composed = mlirAffineMapGet(
                context,
                loops as isize,
                0,
                exprs.len() as isize,
                exprs.as_mut_ptr(),
            );
            new_maps.push(mlirAffineMapAttrGet(composed));
        }
        let maps = mlirArrayAttrGet(context, new_maps.len() as isize, new_maps.as_ptr());
        let parallel = order.iter().map(|&d| in_output[d as usize]).collect();
        Some(Plan {
            op,
            maps,
            parallel,
            inputs: operands - 1,
        })
    }
}

/// Replaces the planned op by its `linalg.generic`.
///
/// # Safety
/// `plan.op` is a live operation of a block, not used after this call.
unsafe fn replace(context: &Context, plan: Plan) -> Result<(), String> {
    let fail = |what: &str| format!("reordering the loops of a linalg op: {what}");
    let parse = |s: &str| Attribute::parse(context, s).ok_or_else(|| fail(s));
    let (parallel, reduction) = (
        parse("#linalg.iterator_type<parallel>")?,
        parse("#linalg.iterator_type<reduction>")?,
    );
    let iterators: Vec<Attribute> = plan
        .parallel
        .iter()
        .map(|&p| if p { parallel } else { reduction })
        .collect();
    let iterators = ArrayAttribute::new(context, &iterators);
    let segments = parse(&format!("array<i32: {}, 1>", plan.inputs))?;
    // SAFETY: `plan.op` is live and sits in a block (the caller's contract);
    // the maps attribute belongs to the same context. The new op takes the
    // old one's body, is inserted before it and takes its uses; the old op,
    // then unused and empty, is erased.
    unsafe {
        let old = OperationRef::from_raw(plan.op);
        let operands: Vec<Value> = old.operands().collect();
        let result: Type = Value::from(old.result(0).map_err(|e| fail(&e.to_string()))?).r#type();
        let built = OperationBuilder::new("linalg.generic", old.location())
            .add_operands(&operands)
            .add_results(&[result])
            .add_attributes(&[
                (
                    Identifier::new(context, "indexing_maps"),
                    Attribute::from_raw(plan.maps),
                ),
                (Identifier::new(context, "iterator_types"), iterators.into()),
                (Identifier::new(context, "operandSegmentSizes"), segments),
            ])
            .add_regions([Region::new()])
            .build()
            .map_err(|e| fail(&e.to_string()))?;
        let new = built.into_raw();
        mlirRegionTakeBody(
            mlirOperationGetRegion(new, 0),
            mlirOperationGetRegion(plan.op, 0),
        );
        mlirBlockInsertOwnedOperationBefore(mlirOperationGetBlock(plan.op), plan.op, new);
        mlirValueReplaceAllUsesOfWith(
            mlirOperationGetResult(plan.op, 0),
            mlirOperationGetResult(new, 0),
        );
        mlirOperationDestroy(plan.op);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use melior::{dialect::DialectRegistry, utility::register_all_dialects};

    /// Every op of `ORDERS`, with strides, dilations, zero points and integer
    /// operands, and a matmul inside a loop.
    const OPS: &str = r#"
func.func @main(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>, %x1: tensor<2x3x10xf32>,
                %w1: tensor<4x3x3xf32>, %x3: tensor<1x2x5x5x5xf32>, %w3: tensor<3x2x2x2x2xf32>,
                %xq: tensor<1x3x6x6xi8>, %wq: tensor<2x3x2x2xi8>, %zx: i32, %zw: i32,
                %a: tensor<4x5xf32>, %b: tensor<5x6xf32>, %ai: tensor<4x5xi8>, %bi: tensor<5x6xi8>,
                %ba: tensor<2x4x5xf32>, %bb: tensor<2x5x6xf32>)
    -> (tensor<1x4x4x4xf32>, tensor<1x4x5x5xf32>, tensor<2x4x4xf32>, tensor<1x3x4x4x4xf32>,
        tensor<1x2x5x5xi32>, tensor<1x3x4x4xf32>, tensor<1x3x7x7xf32>, tensor<4x6xf32>,
        tensor<4x6xi32>, tensor<2x4x6xf32>, tensor<4x6xf32>) {
  %o0 = tensor.empty() : tensor<1x4x4x4xf32>
  %r0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%o0 : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %o1 = tensor.empty() : tensor<1x4x5x5xf32>
  %r1 = linalg.conv_2d_nchw_fchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%o1 : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %o2 = tensor.empty() : tensor<2x4x4xf32>
  %r2 = linalg.conv_1d_ncw_fcw {dilations = dense<1> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>} ins(%x1, %w1 : tensor<2x3x10xf32>, tensor<4x3x3xf32>) outs(%o2 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %o3 = tensor.empty() : tensor<1x3x4x4x4xf32>
  %r3 = linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>} ins(%x3, %w3 : tensor<1x2x5x5x5xf32>, tensor<3x2x2x2x2xf32>) outs(%o3 : tensor<1x3x4x4x4xf32>) -> tensor<1x3x4x4x4xf32>
  %o4 = tensor.empty() : tensor<1x2x5x5xi32>
  %r4 = linalg.conv_2d_nchw_fchw_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xq, %wq, %zx, %zw : tensor<1x3x6x6xi8>, tensor<2x3x2x2xi8>, i32, i32) outs(%o4 : tensor<1x2x5x5xi32>) -> tensor<1x2x5x5xi32>
  %win = tensor.empty() : tensor<3x3xf32>
  %o5 = tensor.empty() : tensor<1x3x4x4xf32>
  %r5 = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %win : tensor<1x3x9x9xf32>, tensor<3x3xf32>) outs(%o5 : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %o6 = tensor.empty() : tensor<1x3x7x7xf32>
  %r6 = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %win : tensor<1x3x9x9xf32>, tensor<3x3xf32>) outs(%o6 : tensor<1x3x7x7xf32>) -> tensor<1x3x7x7xf32>
  %o7 = tensor.empty() : tensor<4x6xf32>
  %r7 = linalg.matmul ins(%a, %b : tensor<4x5xf32>, tensor<5x6xf32>) outs(%o7 : tensor<4x6xf32>) -> tensor<4x6xf32>
  %o8 = tensor.empty() : tensor<4x6xi32>
  %r8 = linalg.matmul ins(%ai, %bi : tensor<4x5xi8>, tensor<5x6xi8>) outs(%o8 : tensor<4x6xi32>) -> tensor<4x6xi32>
  %o9 = tensor.empty() : tensor<2x4x6xf32>
  %r9 = linalg.batch_matmul ins(%ba, %bb : tensor<2x4x5xf32>, tensor<2x5x6xf32>) outs(%o9 : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r10 = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %r7) -> (tensor<4x6xf32>) {
    %m = linalg.matmul ins(%a, %b : tensor<4x5xf32>, tensor<5x6xf32>) outs(%acc : tensor<4x6xf32>) -> tensor<4x6xf32>
    scf.yield %m : tensor<4x6xf32>
  }
  return %r0, %r1, %r2, %r3, %r4, %r5, %r6, %r7, %r8, %r9, %r10 : tensor<1x4x4x4xf32>, tensor<1x4x5x5xf32>, tensor<2x4x4xf32>, tensor<1x3x4x4x4xf32>, tensor<1x2x5x5xi32>, tensor<1x3x4x4xf32>, tensor<1x3x7x7xf32>, tensor<4x6xf32>, tensor<4x6xi32>, tensor<2x4x6xf32>, tensor<4x6xf32>
}
"#;

    /// `apply` builds the very module that the transform interpreter makes
    /// of `SCRIPT`, for every op of `ORDERS`, without the script.
    #[test]
    fn reordering_matches_the_script() {
        let context = Context::new();
        let registry = DialectRegistry::new();
        register_all_dialects(&registry);
        context.append_dialect_registry(&registry);
        let mut by_script = Module::parse(&context, OPS).expect("the test module parses");
        let mut direct = Module::parse(&context, OPS).expect("the test module parses");
        apply_script(&context, &mut by_script).expect("the script applies");
        assert_eq!(reorder(&context, &mut direct), Ok(true));
        assert!(direct.as_operation().verify());
        let (want, got) = (
            by_script.as_operation().to_string(),
            direct.as_operation().to_string(),
        );
        assert_eq!(got, want);
        assert_eq!(got.matches("linalg.generic").count(), 11, "{got}");
        for (name, _) in ORDERS {
            assert!(!got.contains(&format!("{name} ")), "{name} left: {got}");
        }
        // The loop order of the first convolution: reductions outside the
        // output's rows and columns.
        assert!(
            got.contains(
                "iterator_types = [\"parallel\", \"parallel\", \"reduction\", \"reduction\", \"reduction\", \"parallel\", \"parallel\"]"
            ),
            "{got}"
        );
    }

    /// `ORDERS` is what `SCRIPT` does: the same ops, in the same loop orders.
    #[test]
    fn the_orders_are_the_script() {
        for (name, order) in ORDERS {
            let order: Vec<String> = order.iter().map(|d| d.to_string()).collect();
            let at = SCRIPT.find(&format!("\"{name}\"")).expect(name);
            let rest = &SCRIPT[at..];
            let line = rest
                .lines()
                .find(|l| l.contains("iterator_interchange"))
                .expect(name);
            assert!(
                line.contains(&format!("iterator_interchange = [{}]", order.join(", "))),
                "{name}: {line}"
            );
        }
    }
}
