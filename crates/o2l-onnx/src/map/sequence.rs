//! Sequences made and used inside one graph, resolved at conversion time: a
//! sequence is a list of tensor values, positions must be constant, and the
//! ops become the tensor ops they select, split or join. A sequence that is
//! a graph input or output is refused at the boundary (import.rs).
use super::ctx::{MapCtx, Rule, row};
use super::movement::{static_len, take};
use o2l_canon::Builder;
use o2l_canon::ops::Movement;
use o2l_canon::shape::normalize_axis;
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "SequenceConstruct",
        &[11],
        &[],
        construct,
        "a list of the input tensors",
    ),
    row("SequenceEmpty", &[11], &[], empty, "an empty list"),
    row(
        "SequenceInsert",
        &[11],
        &[],
        insert,
        "constant position (default: the end)",
    ),
    row(
        "SequenceAt",
        &[11],
        &[],
        at,
        "constant position; the tensor itself",
    ),
    row(
        "SequenceErase",
        &[11],
        &[],
        erase,
        "constant position (default: the last)",
    ),
    row(
        "SequenceLength",
        &[11],
        &[],
        length,
        "a constant i64 scalar",
    ),
    row(
        "SplitToSequence",
        &[11, 24],
        &["Gather", "Reshape"],
        split_to_sequence,
        "constant split (scalar chunk or sizes; default: 1 with keepdims)",
    ),
    row(
        "ConcatFromSequence",
        &[11],
        &["Concat", "Reshape"],
        concat_from_sequence,
        "concat, or stack with new_axis",
    ),
    row(
        "SequenceMap",
        &[17],
        &[],
        sequence_map,
        "the body inlined once per element",
    ),
];

fn construct(ctx: &mut MapCtx) -> Result<()> {
    let items = (0..ctx.num_inputs())
        .map(|i| ctx.input(i))
        .collect::<Result<Vec<_>>>()?;
    ctx.bind_seq(0, items)
}

fn empty(ctx: &mut MapCtx) -> Result<()> {
    ctx.bind_seq(0, Vec::new())
}

/// The constant position of input `i` in a sequence of `len` items, with
/// negative positions counted from the end; `slack` admits `len` itself.
fn position(ctx: &MapCtx, i: usize, len: usize, slack: bool) -> Result<Option<usize>> {
    if ctx.opt_input(i).is_none() {
        return Ok(None);
    }
    let Some(p) = ctx.const_ints(i, "position")? else {
        return Err(ctx.needs_constant(i, "sequence positions must be constant"));
    };
    let [p] = p[..] else {
        return Err(Error::invalid(format!(
            "a sequence position holds one value, got {p:?}"
        )));
    };
    let n = len as i64;
    let q = if p < 0 { p + n } else { p };
    let hi = if slack { n } else { n - 1 };
    if q < 0 || q > hi {
        return Err(Error::invalid(format!(
            "position {p} is outside a sequence of {len}"
        )));
    }
    Ok(Some(q as usize))
}

fn insert(ctx: &mut MapCtx) -> Result<()> {
    let mut items = ctx.seq_input(0)?;
    let v = ctx.input(1)?;
    let at = position(ctx, 2, items.len(), true)?.unwrap_or(items.len());
    items.insert(at, v);
    ctx.bind_seq(0, items)
}

fn at(ctx: &mut MapCtx) -> Result<()> {
    let items = ctx.seq_input(0)?;
    let Some(k) = position(ctx, 1, items.len(), false)? else {
        return Err(Error::invalid("SequenceAt needs its position input"));
    };
    ctx.bind(0, items[k])
}

fn erase(ctx: &mut MapCtx) -> Result<()> {
    let mut items = ctx.seq_input(0)?;
    if items.is_empty() {
        return Err(Error::invalid("SequenceErase of an empty sequence"));
    }
    let k = position(ctx, 1, items.len(), false)?.unwrap_or(items.len() - 1);
    items.remove(k);
    ctx.bind_seq(0, items)
}

fn length(ctx: &mut MapCtx) -> Result<()> {
    let n = ctx.seq_input(0)?.len() as i64;
    let v = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[n])?)?;
    ctx.bind(0, v)
}

fn split_to_sequence(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let axis = normalize_axis(ctx.attrs.int_or("axis", 0)?, xt.rank())?;
    let len = static_len(ctx, x, axis, "SplitToSequence")?;
    let split = if ctx.opt_input(1).is_some() {
        match ctx.const_ints(1, "split")? {
            Some(s) => Some((s, ctx.ty(ctx.input(1)?).rank() == 0)),
            None => return Err(ctx.needs_constant(1, "SplitToSequence split must be constant")),
        }
    } else {
        None
    };
    // Without split, pieces of 1 whose axis keepdims may drop.
    let keep = split.is_some() || ctx.attrs.int_or("keepdims", 1)? != 0;
    let sizes: Vec<i64> = match split {
        None => vec![1; len as usize],
        Some((s, true)) => {
            let chunk = s[0];
            if chunk <= 0 {
                return Err(Error::invalid(format!(
                    "SplitToSequence chunk size must be positive, got {chunk}"
                )));
            }
            (0..len)
                .step_by(chunk as usize)
                .map(|at| chunk.min(len - at))
                .collect()
        }
        Some((s, false)) => {
            if s.iter().any(|&v| v < 0) || s.iter().sum::<i64>() != len {
                return Err(Error::invalid(format!(
                    "SplitToSequence sizes {s:?} do not add up to the dim of {len}"
                )));
            }
            s
        }
    };
    let mut items = Vec::with_capacity(sizes.len());
    let mut start = 0;
    for s in sizes {
        let picks: Vec<i64> = (start..start + s).collect();
        start += s;
        let mut v = take(ctx, x, axis, &picks, len)?;
        if !keep {
            let mut shape = ctx.ty(v).shape;
            shape.remove(axis);
            v = ctx.reshape(v, shape)?;
        }
        items.push(v);
    }
    ctx.bind_seq(0, items)
}

fn concat_from_sequence(ctx: &mut MapCtx) -> Result<()> {
    let items = ctx.seq_input(0)?;
    let Some(&first) = items.first() else {
        return Err(Error::invalid(
            "ConcatFromSequence of an empty sequence has no element type or shape",
        ));
    };
    let new_axis = ctx.attrs.int_or("new_axis", 0)? != 0;
    let rank = ctx.ty(first).rank() + usize::from(new_axis);
    let axis = normalize_axis(ctx.attrs.req_int("axis")?, rank)?;
    let mut operands = Vec::with_capacity(items.len());
    for v in items {
        operands.push(if new_axis {
            let mut shape = ctx.ty(v).shape;
            shape.insert(axis, Dim::Known(1));
            ctx.reshape(v, shape)?
        } else {
            v
        });
    }
    let y = if operands.len() == 1 {
        operands[0]
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis }), &operands)?
    };
    ctx.bind(0, y)
}

/// The body runs once per element: sequence inputs give their k-th item,
/// tensor inputs the same tensor each time; each body output collects into
/// an output sequence.
fn sequence_map(ctx: &mut MapCtx) -> Result<()> {
    let Some(body) = ctx.attrs.graph("body")? else {
        return Err(Error::invalid("SequenceMap needs its body graph"));
    };
    let first = ctx.seq_input(0)?;
    let n = first.len();
    // Per input: its items (a sequence) or the one tensor every run reads.
    enum Arg {
        Each(Vec<ValueId>),
        Same(ValueId),
    }
    let mut args = Vec::with_capacity(ctx.num_inputs());
    for i in 0..ctx.num_inputs() {
        if ctx.is_seq_input(i) {
            let s = ctx.seq_input(i)?;
            if s.len() != n {
                return Err(Error::invalid(format!(
                    "SequenceMap sequences differ in length: {n} and {}",
                    s.len()
                )));
            }
            args.push(Arg::Each(s));
        } else {
            args.push(Arg::Same(ctx.input(i)?));
        }
    }
    let outputs = ctx.num_outputs();
    let mut collected: Vec<Vec<ValueId>> = vec![Vec::with_capacity(n); outputs];
    for k in 0..n {
        let bound: Vec<ValueId> = args
            .iter()
            .map(|a| match a {
                Arg::Each(s) => s[k],
                Arg::Same(t) => *t,
            })
            .collect();
        let tag = format!("{}/map{k}", ctx.origin.node);
        let outs = ctx.inline_subgraph(body, &bound, &tag)?;
        if outs.len() != outputs {
            return Err(Error::invalid(format!(
                "SequenceMap body gives {} outputs, the node has {outputs}",
                outs.len()
            )));
        }
        for (c, v) in collected.iter_mut().zip(outs) {
            c.push(v);
        }
    }
    for (k, items) in collected.into_iter().enumerate() {
        ctx.bind_seq(k, items)?;
    }
    Ok(())
}
