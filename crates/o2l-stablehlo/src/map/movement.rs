//! StableHLO data movement. Shapes and windows are attributes (static);
//! `dynamic_slice` and `dynamic_update_slice` read their start indices at run
//! time (clamped into range as StableHLO defines) through Gather and
//! ScatterND.
use super::ctx::{OpCtx, Rule, axes, rule};
use o2l_canon::ops::{Binary, Elementwise, Movement, ScatterReduction};
use o2l_canon::{Builder, DType, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    rule(
        "stablehlo.broadcast_in_dim",
        &["Transpose", "Reshape", "Gather"],
        broadcast_in_dim,
        "operand dims placed at `dims`, size-1 dims repeated",
    ),
    rule(
        "stablehlo.dynamic_broadcast_in_dim",
        &["Transpose", "Reshape", "Gather"],
        dynamic_broadcast_in_dim,
        "a static result type (torch-mlir): as broadcast_in_dim; a constant shape operand must agree",
    ),
    rule("stablehlo.reshape", &["Reshape"], reshape, ""),
    rule(
        "stablehlo.dynamic_reshape",
        &["Reshape"],
        dynamic_reshape,
        "a static result type (torch-mlir): as reshape; a constant shape operand must agree",
    ),
    rule("stablehlo.transpose", &["Transpose"], transpose, ""),
    rule(
        "stablehlo.slice",
        &["Gather"],
        slice,
        "start, limit and stride per dim",
    ),
    rule(
        "stablehlo.real_dynamic_slice",
        &["Gather"],
        real_dynamic_slice,
        "constant start, limit and stride operands (torch-mlir): as slice",
    ),
    rule("stablehlo.concatenate", &["Concat"], concatenate, ""),
    rule(
        "stablehlo.pad",
        &["Reshape", "Concat", "Gather"],
        pad,
        "low, high (negative crops) and interior padding with the padding value (constant or run-time)",
    ),
    rule("stablehlo.reverse", &["Gather"], reverse, ""),
    rule(
        "stablehlo.dynamic_slice",
        &["Cast", "Max", "Min", "Add", "Gather", "Reshape"],
        dynamic_slice,
        "run-time starts clamped to [0, dim - size]",
    ),
    rule(
        "stablehlo.dynamic_update_slice",
        &[
            "Cast",
            "Max",
            "Min",
            "Concat",
            "Add",
            "ScatterND",
            "Reshape",
        ],
        dynamic_update_slice,
        "run-time starts clamped to [0, dim - update size]",
    ),
];

fn broadcast_in_dim(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let out = ctx.result_dims(0)?;
    let have = ctx.dims(x)?;
    let dims = ctx.ints(&["dims", "broadcast_dimensions"])?;
    let dims = axes(&dims, out.len(), "broadcast_in_dim")?;
    if dims.len() != have.len() {
        return Err(Error::invalid(format!(
            "broadcast_in_dim of rank {} with {} dims",
            have.len(),
            dims.len()
        )));
    }
    let mut order: Vec<usize> = (0..dims.len()).collect();
    order.sort_by_key(|&i| dims[i]);
    let y = ctx.transpose(x, &order)?;
    let mut shape = vec![1u64; out.len()];
    for &i in &order {
        shape[dims[i]] = have[i];
    }
    let y = ctx.reshape_to(y, &shape)?;
    let y = ctx.broadcast_to(y, &out)?;
    ctx.bind(0, y)
}

/// Checks the shape operand `k` of a `dynamic_*` op against the static
/// result type, when the operand is known.
fn shape_operand_agrees(ctx: &OpCtx, k: usize) -> Result<()> {
    let out = ctx.result_dims(0)?;
    let v = ctx.input(k)?;
    if ctx.const_of(v).is_none() {
        return Ok(());
    }
    let given = ctx.const_ints(k, "the output shape")?;
    let want: Vec<i64> = out.iter().map(|&d| d as i64).collect();
    if given != want {
        return Err(Error::invalid(format!(
            "the shape operand {given:?} disagrees with the result type {out:?}"
        )));
    }
    Ok(())
}

fn dynamic_broadcast_in_dim(ctx: &mut OpCtx) -> Result<()> {
    shape_operand_agrees(ctx, 1)?;
    broadcast_in_dim(ctx)
}

fn dynamic_reshape(ctx: &mut OpCtx) -> Result<()> {
    shape_operand_agrees(ctx, 1)?;
    reshape(ctx)
}

fn real_dynamic_slice(ctx: &mut OpCtx) -> Result<()> {
    let start = ctx.const_ints(1, "slice starts")?;
    let limit = ctx.const_ints(2, "slice limits")?;
    let strides = ctx.const_ints(3, "slice strides")?;
    if start.len() != limit.len() || start.len() != strides.len() {
        return Err(Error::invalid(
            "real_dynamic_slice needs a start, limit and stride per dim",
        ));
    }
    let spec: Vec<(i64, i64, i64)> = (0..start.len())
        .map(|i| (start[i], limit[i], strides[i]))
        .collect();
    slice_by(ctx, spec)
}

fn reshape(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let out = ctx.result_dims(0)?;
    let v = ctx.reshape_to(x, &out)?;
    ctx.bind(0, v)
}

fn transpose(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let perm = ctx.ints(&["dims", "permutation"])?;
    let perm = axes(&perm, rank, "transpose")?;
    let v = ctx.transpose(x, &perm)?;
    ctx.bind(0, v)
}

fn slice(ctx: &mut OpCtx) -> Result<()> {
    let v = ctx.input(0)?;
    let dims = ctx.dims(v)?;
    let spec: Vec<(i64, i64, i64)> = if ctx.op.slices.is_empty() && !dims.is_empty() {
        let start = ctx.ints(&["start_indices"])?;
        let limit = ctx.ints(&["limit_indices"])?;
        let strides = ctx.ints_or(&["strides"], vec![1; dims.len()])?;
        if start.len() != dims.len() || limit.len() != dims.len() || strides.len() != dims.len() {
            return Err(Error::invalid(
                "slice needs a start, limit and stride per dim",
            ));
        }
        (0..dims.len())
            .map(|i| (start[i], limit[i], strides[i]))
            .collect()
    } else {
        ctx.op.slices.clone()
    };
    slice_by(ctx, spec)
}

/// `x` sliced by (start, limit, stride) per dim.
fn slice_by(ctx: &mut OpCtx, spec: Vec<(i64, i64, i64)>) -> Result<()> {
    let mut v = ctx.input(0)?;
    let dims = ctx.dims(v)?;
    if spec.len() != dims.len() {
        return Err(Error::invalid(format!(
            "slice of rank {} with {} ranges",
            dims.len(),
            spec.len()
        )));
    }
    for (axis, &(a, b, s)) in spec.iter().enumerate() {
        if a < 0 || b < a || b > dims[axis] as i64 || s < 1 {
            return Err(Error::invalid(format!(
                "slice [{a}:{b}:{s}] of dim {axis} (size {})",
                dims[axis]
            )));
        }
        let picks: Vec<i64> = (a..b).step_by(s as usize).collect();
        v = ctx.take(v, axis, &picks)?;
    }
    ctx.bind(0, v)
}

fn concatenate(ctx: &mut OpCtx) -> Result<()> {
    let inputs = ctx.inputs().to_vec();
    let Some(&first) = inputs.first() else {
        return Err(Error::invalid("concatenate without operands"));
    };
    let rank = ctx.ty(first).rank();
    let axis = ctx.int(&["dim", "dimension"])?;
    let axis = axes(&[axis], rank, "concatenate")?[0];
    let v = if inputs.len() == 1 {
        first
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis }), &inputs)?
    };
    ctx.bind(0, v)
}

/// A block of `shape` filled with the scalar `value`.
fn filled(ctx: &mut OpCtx, value: ValueId, shape: &[u64]) -> Result<ValueId> {
    let d = ctx.ty(value).dtype;
    if let Some(t) = ctx.const_of(value)
        && t.num_elements() == 1
    {
        let n = o2l_canon::shape::element_count(shape)?;
        if n > 1 << 26 {
            return Err(Error::limit(format!("a padding block of {n} elements")));
        }
        let bytes = t.data.repeat(n as usize);
        return ctx.constant(Tensor::new(d, shape.to_vec(), bytes.into())?);
    }
    let ones = vec![1u64; shape.len()];
    let v = ctx.reshape_to(value, &ones)?;
    ctx.broadcast_to(v, shape)
}

fn pad(ctx: &mut OpCtx) -> Result<()> {
    let (mut v, value) = (ctx.input(0)?, ctx.input(1)?);
    let rank = ctx.ty(v).rank();
    let low = ctx.ints(&["low", "edge_padding_low"])?;
    let high = ctx.ints(&["high", "edge_padding_high"])?;
    let interior = ctx.ints_or(&["interior", "interior_padding"], vec![0; rank])?;
    if low.len() != rank || high.len() != rank || interior.len() != rank {
        return Err(Error::invalid("pad needs low, high and interior per dim"));
    }
    for axis in 0..rank {
        let k = interior[axis];
        if !(0..=1 << 16).contains(&k) || low[axis].abs() > 1 << 30 || high[axis].abs() > 1 << 30 {
            return Err(Error::unsupported(format!(
                "padding ({}, {}, interior {k}) out of the supported range",
                low[axis], high[axis]
            )));
        }
        if k > 0 {
            let dims = ctx.dims(v)?;
            let len = dims[axis];
            if len > 1 {
                let mut split = dims.clone();
                split.insert(axis + 1, 1);
                let col = ctx.reshape_to(v, &split)?;
                let mut block = split.clone();
                block[axis + 1] = k as u64;
                let fill = filled(ctx, value, &block)?;
                let wide = ctx.emit1(
                    Op::Movement(Movement::Concat { axis: axis + 1 }),
                    &[col, fill],
                )?;
                let mut merged = dims.clone();
                merged[axis] = len * (1 + k as u64);
                let flat = ctx.reshape_to(wide, &merged)?;
                let keep = ((len - 1) * (1 + k as u64) + 1) as i64;
                v = ctx.take(flat, axis, &(0..keep).collect::<Vec<_>>())?;
            }
        }
        for (count, before) in [(low[axis], true), (high[axis], false)] {
            let dims = ctx.dims(v)?;
            let len = dims[axis] as i64;
            if count < 0 {
                let cut = -count;
                if cut > len {
                    return Err(Error::invalid(format!(
                        "padding {count} crops more than dim {axis} holds ({len})"
                    )));
                }
                let picks: Vec<i64> = if before {
                    (cut..len).collect()
                } else {
                    (0..len - cut).collect()
                };
                v = ctx.take(v, axis, &picks)?;
            } else if count > 0 {
                let mut block = dims.clone();
                block[axis] = count as u64;
                let fill = filled(ctx, value, &block)?;
                let parts = if before { [fill, v] } else { [v, fill] };
                v = ctx.emit1(Op::Movement(Movement::Concat { axis }), &parts)?;
            }
        }
    }
    ctx.bind(0, v)
}

fn reverse(ctx: &mut OpCtx) -> Result<()> {
    let mut v = ctx.input(0)?;
    let dims = ctx.dims(v)?;
    let which = ctx.ints(&["dims", "dimensions"])?;
    for axis in axes(&which, dims.len(), "reverse")? {
        let picks: Vec<i64> = (0..dims[axis] as i64).rev().collect();
        v = ctx.take(v, axis, &picks)?;
    }
    ctx.bind(0, v)
}

/// Start index operand `s` as a 1-element i64 clamped to [0, hi].
fn clamped_start(ctx: &mut OpCtx, s: ValueId, hi: i64) -> Result<ValueId> {
    let s = ctx.cast(s, DType::I64)?;
    let s = ctx.reshape_to(s, &[1])?;
    let zero = ctx.i64s(vec![1], &[0])?;
    let top = ctx.i64s(vec![1], &[hi])?;
    let s = ctx.elementwise(Elementwise::Binary(Binary::Max), &[s, zero])?;
    ctx.elementwise(Elementwise::Binary(Binary::Min), &[s, top])
}

fn dynamic_slice(ctx: &mut OpCtx) -> Result<()> {
    let mut v = ctx.input(0)?;
    let dims = ctx.dims(v)?;
    let sizes = ctx.ints(&["sizes", "slice_sizes"])?;
    if sizes.len() != dims.len() || ctx.num_inputs() != 1 + dims.len() {
        return Err(Error::invalid(
            "dynamic_slice needs a start and a size per dim",
        ));
    }
    for axis in 0..dims.len() {
        let size = sizes[axis];
        let hi = dims[axis] as i64 - size;
        if size < 0 || hi < 0 {
            return Err(Error::invalid(format!(
                "slice size {size} of dim {axis} (size {})",
                dims[axis]
            )));
        }
        if size == dims[axis] as i64 {
            continue;
        }
        let s = ctx.input(1 + axis)?;
        if let Some(t) = ctx.const_of(s) {
            let start = t.to_i64s().first().copied().unwrap_or(0).clamp(0, hi);
            v = ctx.take(v, axis, &(start..start + size).collect::<Vec<_>>())?;
            continue;
        }
        let s = clamped_start(ctx, s, hi)?;
        let offsets = ctx.i64s(vec![size as u64], &(0..size).collect::<Vec<_>>())?;
        let idx = ctx.elementwise(Elementwise::Binary(Binary::Add), &[s, offsets])?;
        v = ctx.emit1(Op::Movement(Movement::Gather { axis }), &[v, idx])?;
    }
    ctx.bind(0, v)
}

fn dynamic_update_slice(ctx: &mut OpCtx) -> Result<()> {
    let (x, upd) = (ctx.input(0)?, ctx.input(1)?);
    let dims = ctx.dims(x)?;
    let udims = ctx.dims(upd)?;
    let n = dims.len();
    if udims.len() != n || ctx.num_inputs() != 2 + n {
        return Err(Error::invalid(
            "dynamic_update_slice needs an update of the operand's rank and a start per dim",
        ));
    }
    if n == 0 {
        return ctx.bind(0, upd);
    }
    let mut starts = Vec::with_capacity(n);
    for axis in 0..n {
        let hi = dims[axis] as i64 - udims[axis] as i64;
        if hi < 0 {
            return Err(Error::invalid(format!(
                "an update of {} along dim {axis} of size {}",
                udims[axis], dims[axis]
            )));
        }
        let s = ctx.input(2 + axis)?;
        starts.push(clamped_start(ctx, s, hi)?);
    }
    let start = if n == 1 {
        starts[0]
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &starts)?
    };
    // Coordinates of every update element: [u.., n], plus the start.
    let count = o2l_canon::shape::element_count(&udims)?;
    if count > 1 << 24 {
        return Err(Error::limit(format!("an update of {count} elements")));
    }
    let mut coords = Vec::with_capacity(count as usize * n);
    for i in 0..count {
        let mut rem = i;
        let mut c = vec![0i64; n];
        for axis in (0..n).rev() {
            c[axis] = (rem % udims[axis].max(1)) as i64;
            rem /= udims[axis].max(1);
        }
        coords.extend(c);
    }
    let mut cdims = udims.clone();
    cdims.push(n as u64);
    let coords = ctx.i64s(cdims, &coords)?;
    let idx = ctx.elementwise(Elementwise::Binary(Binary::Add), &[coords, start])?;
    let v = ctx.emit1(
        Op::Movement(Movement::ScatterND {
            reduction: ScatterReduction::None,
        }),
        &[x, idx, upd],
    )?;
    ctx.bind(0, v)
}

#[cfg(test)]
mod tests {
    use crate::import_text;

    fn op_names(text: &str) -> Vec<String> {
        let g = import_text(text, None).unwrap();
        g.nodes.iter().map(|n| n.op.name().to_string()).collect()
    }

    /// StableHLO's context overrides `Builder::transpose`: an identity
    /// permutation adds no op.
    #[test]
    fn an_identity_transpose_adds_no_op() {
        let program = |dims: &str, out: &str| {
            format!(
                "func.func @main(%a: tensor<2x3xf32>) -> tensor<{out}xf32> {{\n  %0 = stablehlo.transpose %a, dims = [{dims}] : (tensor<2x3xf32>) -> tensor<{out}xf32>\n  %1 = stablehlo.negate %0 : tensor<{out}xf32>\n  return %1 : tensor<{out}xf32>\n}}\n"
            )
        };
        assert_eq!(op_names(&program("0, 1", "2x3")), ["Neg"]);
        assert_eq!(op_names(&program("1, 0", "3x2")), ["Transpose", "Neg"]);
    }
}
