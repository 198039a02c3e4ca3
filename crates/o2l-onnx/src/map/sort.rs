//! TopK, NonZero and Unique onto the canonical Sort family.
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::Sort;
use o2l_canon::shape::normalize_axis;
use o2l_canon::{DType, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "TopK",
        &[1, 10, 11, 24],
        &["TopK", "Cast", "Reshape", "SliceAt"],
        top_k,
        "k from the attribute (1) or an input (10+); largest; always sorted (ties: lower index first); a run-time K: the whole (static) axis sorted, then its first K",
    ),
    row(
        "Unique",
        &[11, 28],
        &["Unique", "Reshape", "Transpose"],
        unique,
        "distinct values or slices along axis, sorted or by first occurrence; their count is a run-time dim",
    ),
    row(
        "NonZero",
        &[9, 13],
        &["NonZero"],
        non_zero,
        "coordinates of the non-zero elements; the count is a run-time dim",
    ),
];

fn top_k(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", -1)?, rank)?;
    if ctx.version >= 10 && ctx.opt_input(1).is_some_and(|v| ctx.const_of(v).is_none()) {
        return run_time_top_k(ctx, x, axis);
    }
    let k = if ctx.version >= 10 {
        match ctx.const_ints(1, "K")?.as_deref() {
            Some([k]) => *k,
            Some(other) => {
                return Err(Error::invalid(format!(
                    "TopK K must hold one value, got {other:?}"
                )));
            }
            None => return Err(Error::invalid("TopK needs its K input")),
        }
    } else {
        ctx.attrs.req_int("k")?
    };
    let k = u64::try_from(k)
        .map_err(|_| Error::invalid(format!("TopK k must not be negative, got {k}")))?;
    let largest = ctx.version < 11 || ctx.attrs.int_or("largest", 1)? != 0;
    let outs = ctx.emit(Op::Sort(Sort::TopK { axis, k, largest }), &[x])?;
    for (i, v) in outs.into_iter().enumerate() {
        if ctx.output_wanted(i) {
            ctx.bind(i, v)?;
        }
    }
    Ok(())
}

/// TopK with K computed at run time: the whole axis sorted (a static
/// length), then its first K, a run-time dim.
fn run_time_top_k(ctx: &mut MapCtx, x: ValueId, axis: usize) -> Result<()> {
    let Some(len) = ctx.ty(x).shape[axis].known() else {
        return Err(ctx.needs_constant(
            1,
            format!(
                "TopK with K computed at run time along a symbolic dim of {}",
                ctx.ty(x)
            ),
        ));
    };
    let largest = ctx.attrs.int_or("largest", 1)? != 0;
    let sorted = ctx.emit(
        Op::Sort(Sort::TopK {
            axis,
            k: len,
            largest,
        }),
        &[x],
    )?;
    let k = ctx.input(1)?;
    let k = ctx.cast(k, DType::I64)?;
    let zero = ctx.i64s(vec![1], &[0])?;
    let size = format!("{}_k", ctx.origin.node);
    for (i, v) in sorted.into_iter().enumerate() {
        if ctx.output_wanted(i) {
            let v = super::movement::slice_at_run_time(ctx, v, axis, zero, k, size.clone())?;
            ctx.bind(i, v)?;
        }
    }
    Ok(())
}

fn non_zero(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let count = format!("{}_nonzero", ctx.origin.node);
    let v = ctx.emit1(Op::Sort(Sort::NonZero { count }), &[x])?;
    ctx.bind(0, v)
}

fn unique(ctx: &mut MapCtx) -> Result<()> {
    use o2l_canon::Dim;
    use o2l_canon::ops::Movement;
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let dims = xt.static_dims("Unique input")?;
    let sorted = ctx.attrs.int_or("sorted", 1)? != 0;
    let count = format!("{}_unique", ctx.origin.node);
    let axis = match ctx.attrs.int("axis")? {
        Some(a) => Some(normalize_axis(a, xt.rank())?),
        None => None,
    };
    // Rows to compare: (L, S).
    let (rows, perm) = match axis {
        None => {
            let n: u64 = dims.iter().product();
            (ctx.reshape(x, vec![Dim::Known(n), Dim::Known(1)])?, None)
        }
        Some(a) => {
            let mut perm = vec![a];
            perm.extend((0..dims.len()).filter(|&i| i != a));
            let t = ctx.emit1(
                Op::Movement(Movement::Transpose { perm: perm.clone() }),
                &[x],
            )?;
            let rest: u64 = dims
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != a)
                .map(|(_, &d)| d)
                .product();
            (
                ctx.reshape(t, vec![Dim::Known(dims[a]), Dim::Known(rest)])?,
                Some(perm),
            )
        }
    };
    let outs = ctx.emit(
        Op::Sort(Sort::Unique {
            sorted,
            count: count.clone(),
        }),
        &[rows],
    )?;
    let u = Dim::Symbol(count);
    let y = match perm {
        None => ctx.reshape(outs[0], vec![u])?,
        Some(perm) => {
            let mut shape = vec![u];
            shape.extend(perm[1..].iter().map(|&i| Dim::Known(dims[i])));
            let y = ctx.reshape(outs[0], shape)?;
            // Back from (U, others..) to the input's axis order.
            let mut back = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                back[p] = i;
            }
            ctx.emit1(Op::Movement(Movement::Transpose { perm: back }), &[y])?
        }
    };
    let results = [y, outs[1], outs[2], outs[3]];
    for (k, v) in results.into_iter().enumerate() {
        if ctx.output_wanted(k) {
            ctx.bind(k, v)?;
        }
    }
    Ok(())
}
