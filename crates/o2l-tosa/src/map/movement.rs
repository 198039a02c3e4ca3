//! TOSA data movement: shapes and windows come as `!tosa.shape` operands
//! (from `tosa.const_shape`), known at conversion.
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::ops::{Movement, ScatterReduction};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{Builder, DType, Dim, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    rule("tosa.reshape", &["Reshape"], reshape, "-1 infers a dim"),
    rule("tosa.transpose", &["Transpose"], transpose, ""),
    rule("tosa.concat", &["Concat"], concat, ""),
    rule("tosa.slice", &["Gather"], slice, "start and size per dim"),
    rule(
        "tosa.pad",
        &["Concat"],
        pad,
        "(before, after) per dim, the pad_const operand's value",
    ),
    rule("tosa.tile", &["Gather"], tile, ""),
    rule("tosa.reverse", &["Gather"], reverse, ""),
    rule(
        "tosa.gather",
        &["GatherND", "Cast", "Reshape"],
        gather,
        "values (N, K, C), indices (N, W) -> (N, W, C)",
    ),
    rule(
        "tosa.scatter",
        &["Cast", "Reshape", "Concat", "ScatterND"],
        scatter,
        "values_in (N, K, C), indices (N, W), input (N, W, C): row (n, indices[n, w]) takes input[n, w]",
    ),
];

fn static_dims(ctx: &OpCtx, v: ValueId, what: &str) -> Result<Vec<u64>> {
    ctx.ty(v)
        .known_dims()
        .ok_or_else(|| Error::unsupported(format!("{what} of symbolic shape {}", ctx.ty(v))))
}

/// `x` with only `picks` along `axis` (skipped when that is the whole axis).
fn take(ctx: &mut OpCtx, x: ValueId, axis: usize, picks: &[i64]) -> Result<ValueId> {
    let len = static_dims(ctx, x, "a slice")?[axis];
    if picks.len() as u64 == len && picks.iter().enumerate().all(|(i, &p)| p == i as i64) {
        return Ok(x);
    }
    let idx = ctx.constant(Tensor::from_i64s(
        DType::I64,
        vec![picks.len() as u64],
        picks,
    )?)?;
    ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, idx])
}

fn reshape(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let want = ctx.result_type(0)?.clone();
    let v = ctx.emit1(Op::Movement(Movement::Reshape { shape: want.shape }), &[x])?;
    ctx.bind(0, v)
}

fn transpose(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let perm = ctx.ints("perms")?;
    let perm: Vec<usize> = perm
        .iter()
        .map(|&p| usize::try_from(p).map_err(|_| Error::invalid(format!("bad perms {perm:?}"))))
        .collect::<Result<_>>()?;
    let v = ctx.transpose(x, &perm)?;
    ctx.bind(0, v)
}

fn concat(ctx: &mut OpCtx) -> Result<()> {
    let inputs: Vec<ValueId> = (0..ctx.num_operands())
        .map(|k| ctx.input(k))
        .collect::<Result<_>>()?;
    let rank = ctx.ty(inputs[0]).rank();
    let axis = normalize_axis(ctx.int("axis")?, rank)?;
    let v = if inputs.len() == 1 {
        inputs[0]
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis }), &inputs)?
    };
    ctx.bind(0, v)
}

fn slice(ctx: &mut OpCtx) -> Result<()> {
    let mut v = ctx.input(0)?;
    let (start, size) = (ctx.shape_operand(1)?, ctx.shape_operand(2)?);
    let dims = static_dims(ctx, v, "tosa.slice")?;
    if start.len() != dims.len() || size.len() != dims.len() {
        return Err(Error::invalid(
            "tosa.slice start and size need one value per dim",
        ));
    }
    for axis in 0..dims.len() {
        let len = if size[axis] == -1 {
            dims[axis] as i64 - start[axis]
        } else {
            size[axis]
        };
        if start[axis] < 0 || len < 0 || start[axis] + len > dims[axis] as i64 {
            return Err(Error::invalid(format!(
                "tosa.slice [{}, +{len}) is outside dim {axis} of {}",
                start[axis], dims[axis]
            )));
        }
        let picks: Vec<i64> = (start[axis]..start[axis] + len).collect();
        v = take(ctx, v, axis, &picks)?;
    }
    ctx.bind(0, v)
}

fn pad(ctx: &mut OpCtx) -> Result<()> {
    let mut v = ctx.input(0)?;
    let padding = ctx.shape_operand(1)?;
    let value = match ctx.num_operands() {
        n if n > 2 => ctx
            .const_operand(2)?
            .and_then(|t| t.to_f64s().first().copied())
            .ok_or_else(|| Error::unsupported("a pad value computed at run time"))?,
        _ => 0.0,
    };
    let d = ctx.ty(v).dtype;
    let rank = ctx.ty(v).rank();
    if padding.len() != 2 * rank || padding.iter().any(|&p| p < 0) {
        return Err(Error::invalid(format!(
            "tosa.pad padding {padding:?} needs a (before, after) >= 0 pair per dim"
        )));
    }
    for axis in 0..rank {
        let (before, after) = (padding[2 * axis] as u64, padding[2 * axis + 1] as u64);
        if before == 0 && after == 0 {
            continue;
        }
        let dims = static_dims(ctx, v, "tosa.pad")?;
        let block = |ctx: &mut OpCtx, n: u64| -> Result<ValueId> {
            let mut shape = dims.clone();
            shape[axis] = n;
            let count: u64 = shape.iter().product();
            let t = if d.is_float() {
                Tensor::from_f64s(d, shape, &vec![value; count as usize])?
            } else {
                Tensor::from_i64s(d, shape, &vec![value as i64; count as usize])?
            };
            ctx.constant(t)
        };
        let mut parts = Vec::with_capacity(3);
        if before > 0 {
            parts.push(block(ctx, before)?);
        }
        parts.push(v);
        if after > 0 {
            parts.push(block(ctx, after)?);
        }
        v = ctx.emit1(Op::Movement(Movement::Concat { axis }), &parts)?;
    }
    ctx.bind(0, v)
}

fn tile(ctx: &mut OpCtx) -> Result<()> {
    let mut v = ctx.input(0)?;
    let multiples = ctx.shape_operand(1)?;
    let dims = static_dims(ctx, v, "tosa.tile")?;
    if multiples.len() != dims.len() || multiples.iter().any(|&m| m < 1) {
        return Err(Error::invalid(format!("tosa.tile multiples {multiples:?}")));
    }
    for (axis, &m) in multiples.iter().enumerate() {
        let picks: Vec<i64> = (0..m).flat_map(|_| 0..dims[axis] as i64).collect();
        v = take(ctx, v, axis, &picks)?;
    }
    ctx.bind(0, v)
}

fn reverse(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.int("axis")?, rank)?;
    let len = static_dims(ctx, x, "tosa.reverse")?[axis] as i64;
    let picks: Vec<i64> = (0..len).rev().collect();
    let v = take(ctx, x, axis, &picks)?;
    ctx.bind(0, v)
}

fn gather(ctx: &mut OpCtx) -> Result<()> {
    let (values, indices) = (ctx.input(0)?, ctx.input(1)?);
    let [n, w] = static_dims(ctx, indices, "tosa.gather")?[..] else {
        return Err(Error::invalid("tosa.gather indices must be (N, W)"));
    };
    // GatherND with one batch dim: each (n, w) index picks the row values[n, idx].
    let idx = ctx.elementwise(o2l_canon::ops::Elementwise::cast(DType::I64), &[indices])?;
    let shape = vec![Dim::Known(n), Dim::Known(w), Dim::Known(1)];
    let idx = ctx.emit1(Op::Movement(Movement::Reshape { shape }), &[idx])?;
    let v = ctx.emit1(
        Op::Movement(Movement::GatherND { batch_dims: 1 }),
        &[values, idx],
    )?;
    ctx.bind(0, v)
}

fn scatter(ctx: &mut OpCtx) -> Result<()> {
    let (values, indices, input) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let [n, w] = static_dims(ctx, indices, "tosa.scatter")?[..] else {
        return Err(Error::invalid("tosa.scatter indices must be (N, W)"));
    };
    // ScatterND over (n, index) pairs: each addresses the row values[n, index].
    let idx = ctx.elementwise(o2l_canon::ops::Elementwise::cast(DType::I64), &[indices])?;
    let shape = vec![Dim::Known(n), Dim::Known(w), Dim::Known(1)];
    let idx = ctx.emit1(Op::Movement(Movement::Reshape { shape }), &[idx])?;
    let batch: Vec<i64> = (0..n as i64)
        .flat_map(|b| std::iter::repeat_n(b, w as usize))
        .collect();
    let batch = ctx.constant(Tensor::from_i64s(DType::I64, vec![n, w, 1], &batch)?)?;
    let pairs = ctx.emit1(Op::Movement(Movement::Concat { axis: 2 }), &[batch, idx])?;
    let v = ctx.emit1(
        Op::Movement(Movement::ScatterND {
            reduction: ScatterReduction::None,
        }),
        &[values, pairs, input],
    )?;
    ctx.bind(0, v)
}
