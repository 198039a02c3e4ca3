//! f64 -> f16 and f64 -> bf16 truncations without compiler-runtime helpers.
//!
//! LLVM lowers these two conversions to calls (`__truncdfhf2`, `__truncdfbf2`)
//! that live in newer compiler runtimes only: a stock Debian 12 process (GCC
//! 12's libgcc) has neither, so the JIT could not link such code there, and
//! the JIT may take only libc and libm from its host. `arith-expand` expands
//! f32 -> bf16 into integer arithmetic and f32 -> f16 is an instruction, so
//! each scalar `arith.truncf` from f64 to a 16-bit float is rewritten, before
//! the pass pipeline, as f64 -> f32 rounded to odd, then f32 -> the target.
//!
//! Rounding to odd (toward zero, then the lowest bit set when anything was
//! cut off) keeps the information round-to-nearest-even needs in a format
//! with at least two more bits of precision than the target, so the second
//! rounding gives the same result as one rounding from f64 (f32 has 24 bits,
//! f16 11 and bf16 8). Too large for f32 becomes f32's largest value (odd),
//! which then rounds to infinity, as it should; NaN stays NaN.
use melior::Context;
use melior::ir::operation::{OperationBuilder, OperationLike, OperationRef};
use melior::ir::{Attribute, Identifier, Module, Type, Value, ValueLike};
use mlir_sys::{
    MlirOperation, MlirValue, MlirWalkOrder_MlirWalkPostOrder, MlirWalkResult,
    MlirWalkResult_MlirWalkResultAdvance, mlirBlockInsertOwnedOperationBefore,
    mlirOperationDestroy, mlirOperationGetBlock, mlirOperationGetResult, mlirOperationWalk,
    mlirValueReplaceAllUsesOfWith,
};
use o2l_canon::{Error, Result};
use std::ffi::c_void;

/// Collects every operation of a walk.
unsafe extern "C" fn collect(op: MlirOperation, found: *mut c_void) -> MlirWalkResult {
    // SAFETY: `found` is the `Vec` that `rewrite` passes to the walk, alive
    // and not otherwise borrowed while the walk runs.
    let found = unsafe { &mut *(found as *mut Vec<MlirOperation>) };
    found.push(op);
    MlirWalkResult_MlirWalkResultAdvance
}

/// Whether `op` is `arith.truncf` from `f64` to one of `halves`.
fn is_truncation_to_half(op: &OperationRef, f64t: Type, halves: [Type; 2]) -> bool {
    let name = op.name();
    if name.as_string_ref().as_str().ok() != Some("arith.truncf") {
        return false;
    }
    let (Ok(from), Ok(to)) = (op.operand(0), op.result(0)) else {
        return false;
    };
    let (from, to) = (from.r#type(), Value::from(to).r#type());
    from == f64t && halves.contains(&to)
}

/// Rewrites every scalar f64 -> f16/bf16 `arith.truncf` in `module`.
/// Returns how many were rewritten.
pub fn rewrite(context: &Context, module: &mut Module) -> Result<usize> {
    let mut all: Vec<MlirOperation> = Vec::new();
    // SAFETY: the module's operation is valid; the callback only appends to
    // `all`, which outlives the walk.
    unsafe {
        mlirOperationWalk(
            module.as_operation().to_raw(),
            Some(collect),
            &mut all as *mut Vec<MlirOperation> as *mut c_void,
            MlirWalkOrder_MlirWalkPostOrder,
        );
    }
    let parse = |s: &str| {
        Type::parse(context, s).ok_or_else(|| Error::internal(format!("cannot parse type {s}")))
    };
    let (f64t, halves) = (parse("f64")?, [parse("f16")?, parse("bf16")?]);
    let mut count = 0;
    for raw in all {
        // SAFETY: the walk returned live operations of the module, and only
        // the ones rewritten below are erased (each after it is visited).
        let op = unsafe { OperationRef::from_raw(raw) };
        if !is_truncation_to_half(&op, f64t, halves) {
            continue;
        }
        expand_one(context, op)?;
        count += 1;
    }
    Ok(count)
}

/// Builds `name` with `operands` and `attrs` and inserts it before `at`
/// (an operation of a block); returns its one result.
fn insert_before(
    context: &Context,
    at: MlirOperation,
    name: &str,
    operands: &[MlirValue],
    result: Type,
    attrs: &[(&str, &str)],
) -> Result<MlirValue> {
    let fail = |what: &str| Error::internal(format!("expanding an f64 truncation: {what}"));
    // SAFETY: `at` is a live operation of the module being rewritten.
    let at_ref = unsafe { OperationRef::from_raw(at) };
    // SAFETY: every operand is a live value of the same module.
    let values: Vec<Value> = operands
        .iter()
        .map(|&v| unsafe { Value::from_raw(v) })
        .collect();
    let mut builder = OperationBuilder::new(name, at_ref.location())
        .add_operands(&values)
        .add_results(&[result]);
    for (k, v) in attrs {
        let a = Attribute::parse(context, v).ok_or_else(|| fail(v))?;
        builder = builder.add_attributes(&[(Identifier::new(context, k), a)]);
    }
    let built = builder.build().map_err(|e| fail(&e.to_string()))?;
    // SAFETY: `at` sits in a block (it is an operand-carrying op of a
    // function body); the block takes ownership of the new operation.
    unsafe {
        let block = mlirOperationGetBlock(at);
        let raw = built.into_raw();
        mlirBlockInsertOwnedOperationBefore(block, at, raw);
        Ok(mlirOperationGetResult(raw, 0))
    }
}

fn expand_one(context: &Context, op: OperationRef) -> Result<()> {
    let fail = |what: &str| Error::internal(format!("expanding an f64 truncation: {what}"));
    let at = op.to_raw();
    let x = op.operand(0).map_err(|_| fail("no operand"))?.to_raw();
    let target: Type = Value::from(op.result(0).map_err(|_| fail("no result"))?).r#type();
    let ty = |s: &str| Type::parse(context, s).ok_or_else(|| fail(s));
    let (f32t, f64t, i32t, i1t) = (ty("f32")?, ty("f64")?, ty("i32")?, ty("i1")?);
    let add = |name: &str, operands: &[MlirValue], result: Type, attrs: &[(&str, &str)]| {
        insert_before(context, at, name, operands, result, attrs)
    };
    let t = add("arith.truncf", &[x], f32t, &[])?;
    let back = add("arith.extf", &[t], f64t, &[])?;
    let ax = add("math.absf", &[x], f64t, &[])?;
    let ab = add("math.absf", &[back], f64t, &[])?;
    // cmpf predicates: 1 = oeq, 2 = ogt.
    let exact = add("arith.cmpf", &[back, x], i1t, &[("predicate", "1 : i64")])?;
    let away = add("arith.cmpf", &[ab, ax], i1t, &[("predicate", "2 : i64")])?;
    let bits = add("arith.bitcast", &[t], i32t, &[])?;
    let one = add("arith.constant", &[], i32t, &[("value", "1 : i32")])?;
    let less = add("arith.subi", &[bits, one], i32t, &[])?;
    let toward_zero = add("arith.select", &[away, less, bits], i32t, &[])?;
    let odd = add("arith.ori", &[toward_zero, one], i32t, &[])?;
    let rounded = add("arith.select", &[exact, bits, odd], i32t, &[])?;
    let as_f32 = add("arith.bitcast", &[rounded], f32t, &[])?;
    let y = add("arith.truncf", &[as_f32], target, &[])?;
    // SAFETY: `op` is live; its one result is replaced everywhere, then the
    // operation (now unused) is erased from its block.
    unsafe {
        mlirValueReplaceAllUsesOfWith(mlirOperationGetResult(at, 0), y);
        mlirOperationDestroy(at);
    }
    Ok(())
}
