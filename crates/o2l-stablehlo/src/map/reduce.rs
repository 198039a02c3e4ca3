//! Ops whose meaning is a body region: `reduce` and `reduce_window` whose
//! body is one binary op on its two arguments (recognised, not run), the
//! argmax/argmin `reduce` JAX emits (values and an iota reduced together),
//! and `sort` whose comparator orders one operand with LT or GT.
use super::ctx::{OpCtx, Rule, axes, rule};
use crate::parse::{Attr, Op as SrcOp, Region};
use o2l_canon::ops::Sort;
use o2l_canon::ops::{Binary, Elementwise, Movement, Pool, PoolKind, Reduce, ReduceKind, Unary};
use o2l_canon::{Builder, DType, Error, Op, Result, ValueId};
use std::collections::HashMap;

pub(crate) static RULES: &[Rule] = &[
    rule(
        "stablehlo.reduce",
        &[
            "ReduceSum",
            "ReduceMax",
            "ReduceMin",
            "ReduceProd",
            "ArgMax",
            "ArgMin",
            "Cast",
        ],
        reduce,
        "a body of one add, maximum, minimum, multiply, and or or (and/or on i1); an init value that is not the identity is combined after; the (values, iota) argmax/argmin form",
    ),
    rule(
        "stablehlo.reduce_window",
        &["Transpose", "Reshape", "MaxPool", "SumPool", "Neg"],
        reduce_window,
        "a body of one add, maximum or minimum with its identity as init; dims with a trivial window become batch; base dilation 1, padding >= 0",
    ),
    rule(
        "stablehlo.sort",
        &["TopK", "GatherElements"],
        sort,
        "a comparator ordering one operand with LT or GT (total order as float order); the other operands follow its permutation",
    ),
];

/// The binary op a reduction body applies: `applies stablehlo.add`, or a
/// region of one op on its two arguments.
fn body_op(op: &SrcOp) -> Result<String> {
    if let Some(i) = op
        .words
        .iter()
        .position(|w| w == &Attr::Ident("applies".into()))
        && let Some(Attr::Ident(name)) = op.words.get(i + 1)
    {
        return Ok(name.clone());
    }
    let Some(r) = op.regions.first() else {
        return Err(Error::invalid("a reduction without a body"));
    };
    match &r.ops[..] {
        [inner, ret] if r.args.len() == 2 && inner.results.len() == 1 => {
            let args: Vec<String> = r.args.iter().map(|(n, _)| format!("{n}#0")).collect();
            let on_args = inner.operands.len() == 2
                && inner.operands.iter().all(|o| args.contains(o))
                && inner.operands[0] != inner.operands[1];
            if on_args && ret.operands == inner.results {
                return Ok(inner.name.clone());
            }
            Err(Error::unsupported(
                "a reduction body other than one binary op on its arguments",
            ))
        }
        _ => Err(Error::unsupported(
            "a reduction body other than one binary op on its arguments",
        )),
    }
}

/// The canonical reduction, the binary op that combines with the init, and
/// whether the reduction runs over 0/1 bytes (and/or on i1).
fn kind_of(name: &str, d: DType) -> Result<(ReduceKind, Binary, bool)> {
    let boolean = d == DType::Bool;
    Ok(match name {
        "stablehlo.add" => (ReduceKind::Sum, Binary::Add, false),
        "stablehlo.maximum" => (ReduceKind::Max, Binary::Max, false),
        "stablehlo.minimum" => (ReduceKind::Min, Binary::Min, false),
        "stablehlo.multiply" => (ReduceKind::Prod, Binary::Mul, false),
        "stablehlo.and" if boolean => (ReduceKind::Min, Binary::And, true),
        "stablehlo.or" if boolean => (ReduceKind::Max, Binary::Or, true),
        other => {
            return Err(Error::unsupported(format!(
                "a reduction by {other} over {d}"
            )));
        }
    })
}

/// Whether the constant `init` is the identity of `b` (so it changes nothing).
fn is_identity(ctx: &OpCtx, init: ValueId, b: Binary) -> bool {
    let Some(t) = ctx.const_of(init) else {
        return false;
    };
    let Some(&v) = t.to_f64s().first() else {
        return false;
    };
    let d = t.dtype;
    match b {
        Binary::Add | Binary::Or => v == 0.0,
        Binary::Mul | Binary::And => v == 1.0,
        Binary::Max => {
            v == f64::NEG_INFINITY || (!d.is_float() && t.to_i64s().first() == Some(&int_min(d)))
        }
        Binary::Min => {
            v == f64::INFINITY || (!d.is_float() && t.to_i64s().first() == Some(&int_max(d)))
        }
        _ => false,
    }
}

fn int_min(d: DType) -> i64 {
    if d.is_unsigned_int() || d == DType::Bool {
        0
    } else {
        -(1i64 << (d.bit_width().clamp(1, 64) - 1))
    }
}

fn int_max(d: DType) -> i64 {
    match d {
        DType::Bool => 1,
        DType::U64 => -1,
        _ if d.is_unsigned_int() => ((1u64 << d.bit_width()) - 1) as i64,
        _ => ((1u64 << (d.bit_width().clamp(1, 64) - 1)) - 1) as i64,
    }
}

fn reduce(ctx: &mut OpCtx) -> Result<()> {
    let n = ctx.num_inputs() / 2;
    let dims = ctx.ints(&["dimensions"])?;
    if n == 2 {
        return arg_reduce(ctx, &dims);
    }
    if n != 1 || ctx.num_inputs() != 2 {
        return Err(Error::unsupported(format!(
            "a reduce of {n} operands (only one, or the argmax/argmin pair)"
        )));
    }
    let (x, init) = (ctx.input(0)?, ctx.input(1)?);
    let d = ctx.ty(x).dtype;
    let name = body_op(ctx.op)?;
    let (kind, b, boolean) = kind_of(&name, d)?;
    let mut axes = axes(&dims, ctx.ty(x).rank(), "reduce")?;
    axes.sort_unstable();
    axes.dedup();
    let src = if boolean { ctx.cast(x, DType::I8)? } else { x };
    let mut v = ctx.emit1(
        Op::Reduce(Reduce {
            kind,
            axes,
            keep_dims: false,
        }),
        &[src],
    )?;
    if boolean {
        v = ctx.cast(v, DType::Bool)?;
    }
    if !is_identity(ctx, init, b) {
        v = ctx.elementwise(Elementwise::Binary(b), &[v, init])?;
    }
    ctx.bind(0, v)
}

/// Which block arguments each value of `r` depends on.
fn arg_deps(r: &Region) -> HashMap<String, Vec<usize>> {
    let mut deps: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (n, _)) in r.args.iter().enumerate() {
        deps.insert(format!("{n}#0"), vec![i]);
    }
    for op in &r.ops {
        let mut all: Vec<usize> = op
            .operands
            .iter()
            .flat_map(|o| deps.get(o).cloned().unwrap_or_default())
            .collect();
        all.sort_unstable();
        all.dedup();
        for res in &op.results {
            deps.insert(res.clone(), all.clone());
        }
    }
    deps
}

/// JAX's argmax/argmin: reduce (values, iota) with a body that keeps the
/// greater (GT) or lesser (LT) value and its index.
fn arg_reduce(ctx: &mut OpCtx, dims: &[i64]) -> Result<()> {
    let (x, idx) = (ctx.input(0)?, ctx.input(1)?);
    let rank = ctx.ty(x).rank();
    let axis = match axes(dims, rank, "reduce")?[..] {
        [a] => a,
        _ => {
            return Err(Error::unsupported(
                "an argmax/argmin reduce over several dims",
            ));
        }
    };
    // The second operand must count along the axis (an iota).
    let xd = ctx.dims(x)?;
    let is_iota = ctx.const_of(idx).is_some_and(|t| {
        let inner: u64 = xd[axis + 1..].iter().product();
        t.to_i64s()
            .iter()
            .enumerate()
            .all(|(i, &v)| v as u64 == (i as u64 / inner.max(1)) % xd[axis].max(1))
    });
    let Some(r) = ctx.op.regions.first() else {
        return Err(Error::invalid("a reduce without a body"));
    };
    let direction = r.ops.iter().find_map(|o| {
        if o.name != "stablehlo.compare" || o.operands.len() != 2 {
            return None;
        }
        let a = |k: usize| format!("{}#0", r.args.get(k).map(|(n, _)| n.as_str()).unwrap_or(""));
        let dir = o
            .words
            .iter()
            .chain(o.attr("comparison_direction"))
            .find_map(|w| match w.word() {
                Some(s @ ("GT" | "GE" | "LT" | "LE")) => Some(s.to_string()),
                _ => None,
            })?;
        let greater = matches!(dir.as_str(), "GT" | "GE");
        if o.operands[0] == a(0) && o.operands[1] == a(2) {
            Some(greater)
        } else if o.operands[0] == a(2) && o.operands[1] == a(0) {
            Some(!greater)
        } else {
            None
        }
    });
    let (Some(greater), true) = (direction, is_iota) else {
        return Err(Error::unsupported(
            "a reduce of two operands other than JAX's argmax/argmin (values with an iota, compared GT or LT)",
        ));
    };
    let (arg, val) = if greater {
        (ReduceKind::ArgMax { last: false }, ReduceKind::Max)
    } else {
        (ReduceKind::ArgMin { last: false }, ReduceKind::Min)
    };
    let values = ctx.emit1(
        Op::Reduce(Reduce {
            kind: val,
            axes: vec![axis],
            keep_dims: false,
        }),
        &[x],
    )?;
    let index = ctx.emit1(
        Op::Reduce(Reduce {
            kind: arg,
            axes: vec![axis],
            keep_dims: false,
        }),
        &[x],
    )?;
    let to = ctx.result_type(1)?.dtype;
    let index = ctx.cast(index, to)?;
    ctx.bind(0, values)?;
    ctx.bind(1, index)
}

fn reduce_window(ctx: &mut OpCtx) -> Result<()> {
    if ctx.num_inputs() != 2 {
        return Err(Error::unsupported("a reduce_window of several operands"));
    }
    let (x, init) = (ctx.input(0)?, ctx.input(1)?);
    let xd = ctx.dims(x)?;
    let rank = xd.len();
    let d = ctx.ty(x).dtype;
    let name = body_op(ctx.op)?;
    let (_, b, _) = kind_of(&name, d)?;
    if !is_identity(ctx, init, b) {
        return Err(Error::unsupported(
            "a reduce_window whose init value is not its body's identity (padding takes the init value)",
        ));
    }
    let window = ctx.ints(&["window_dimensions"])?;
    let strides = ctx.ints_or(&["window_strides"], vec![1; rank])?;
    let base = ctx.ints_or(&["base_dilations"], vec![1; rank])?;
    let dil = ctx.ints_or(&["window_dilations"], vec![1; rank])?;
    let mut pads = ctx.ints_or(&["padding"], vec![0; 2 * rank])?;
    if let [p] = pads[..] {
        pads = vec![p; 2 * rank];
    }
    if [&window, &strides, &base, &dil]
        .iter()
        .any(|v| v.len() != rank)
        || pads.len() != 2 * rank
    {
        return Err(Error::invalid(
            "reduce_window attributes need a value per dim",
        ));
    }
    if base.iter().any(|&v| v != 1) {
        return Err(Error::unsupported("reduce_window with base dilation"));
    }
    if pads.iter().any(|&p| p < 0)
        || [&window, &strides, &dil]
            .iter()
            .any(|v| v.iter().any(|&x| x < 1))
    {
        return Err(Error::unsupported(
            "reduce_window with negative padding or a non-positive window",
        ));
    }
    let trivial =
        |i: usize| window[i] == 1 && strides[i] == 1 && pads[2 * i] == 0 && pads[2 * i + 1] == 0;
    let batch: Vec<usize> = (0..rank).filter(|&i| trivial(i)).collect();
    let spatial: Vec<usize> = (0..rank).filter(|&i| !trivial(i)).collect();
    if spatial.is_empty() {
        return ctx.bind(0, x);
    }
    let perm: Vec<usize> = batch.iter().chain(&spatial).copied().collect();
    let y = ctx.transpose(x, &perm)?;
    let p: u64 = batch.iter().map(|&i| xd[i]).product();
    let mut shape = vec![p, 1];
    shape.extend(spatial.iter().map(|&i| xd[i]));
    let y = ctx.reshape_to(y, &shape)?;
    let pick = |v: &[i64]| spatial.iter().map(|&i| v[i] as u64).collect::<Vec<_>>();
    let (kind, negate) = match b {
        Binary::Max => (PoolKind::Max, false),
        Binary::Min => (PoolKind::Max, true),
        Binary::Add => (PoolKind::Sum, false),
        _ => {
            return Err(Error::unsupported(format!("a reduce_window by {name}")));
        }
    };
    let y = if negate {
        ctx.elementwise(Elementwise::Unary(Unary::Neg), &[y])?
    } else {
        y
    };
    let pool = Op::Pool(Pool {
        kind,
        kernel: pick(&window),
        strides: pick(&strides),
        dilations: pick(&dil),
        pads: spatial
            .iter()
            .map(|&i| (pads[2 * i] as u64, pads[2 * i + 1] as u64))
            .collect(),
        ceil_mode: false,
    });
    let y = ctx.emit1(pool, &[y])?;
    let y = if negate {
        ctx.elementwise(Elementwise::Unary(Unary::Neg), &[y])?
    } else {
        y
    };
    let out = ctx.result_dims(0)?;
    let expected = (0..rank).map(|i| {
        // i128: the attributes come from the file and may be near i64::MAX.
        let padded = xd[i] as i128 + pads[2 * i] as i128 + pads[2 * i + 1] as i128;
        let extent = dil[i] as i128 * (window[i] as i128 - 1) + 1;
        if padded < extent {
            0
        } else {
            ((padded - extent) / strides[i] as i128 + 1) as u64
        }
    });
    if out.len() != rank || !out.iter().copied().eq(expected) {
        return Err(Error::invalid(format!(
            "reduce_window result shape {out:?} does not match its operand, window, strides and padding"
        )));
    }
    let permuted: Vec<u64> = perm.iter().map(|&i| out[i]).collect();
    let y = ctx.reshape_to(y, &permuted)?;
    let mut inverse = vec![0; rank];
    for (k, &i) in perm.iter().enumerate() {
        inverse[i] = k;
    }
    let y = ctx.transpose(y, &inverse)?;
    ctx.bind(0, y)
}

fn sort(ctx: &mut OpCtx) -> Result<()> {
    let n = ctx.num_inputs();
    let Some(first) = ctx.inputs().first().copied() else {
        return Err(Error::invalid("sort without operands"));
    };
    let rank = ctx.ty(first).rank();
    let axis = ctx.int(&["dimension"]).unwrap_or(-1);
    let axis = if axis < 0 { axis + rank as i64 } else { axis };
    let axis = axes(&[axis], rank, "sort")?[0];
    let Some(r) = ctx.op.regions.first() else {
        return Err(Error::invalid("sort without a comparator"));
    };
    let deps = arg_deps(r);
    let ret = r.ops.last().filter(|o| o.operands.len() == 1);
    let cmp = ret.and_then(|ret| {
        r.ops
            .iter()
            .find(|o| o.results.first() == ret.operands.first())
    });
    let found = cmp.and_then(|c| {
        if c.name != "stablehlo.compare" {
            return None;
        }
        let dir = c
            .words
            .iter()
            .chain(c.attr("comparison_direction"))
            .find_map(|w| match w.word() {
                Some(s @ ("GT" | "GE" | "LT" | "LE")) => Some(s.to_string()),
                _ => None,
            })?;
        let (l, rr) = (
            deps.get(c.operands.first()?)?,
            deps.get(c.operands.get(1)?)?,
        );
        let ([a], [b]) = (&l[..], &rr[..]) else {
            return None;
        };
        let greater = matches!(dir.as_str(), "GT" | "GE");
        if a / 2 != b / 2 || a == b {
            return None;
        }
        // lhs from the first of the pair: LT is ascending.
        Some((a / 2, if a % 2 == 0 { greater } else { !greater }))
    });
    let Some((key, descending)) = found else {
        return Err(Error::unsupported(
            "a sort comparator other than one operand compared with LT or GT",
        ));
    };
    if key >= n {
        return Err(Error::invalid("the comparator reads a missing operand"));
    }
    let k = ctx.dims(first)?[axis];
    let xk = ctx.input(key)?;
    let outs = ctx.emit(
        Op::Sort(Sort::TopK {
            axis,
            k,
            largest: descending,
        }),
        &[xk],
    )?;
    let (values, indices) = match outs[..] {
        [v, i] => (v, i),
        _ => return Err(Error::internal("TopK gives values and indices")),
    };
    for i in 0..n {
        let v = if i == key {
            values
        } else {
            let x = ctx.input(i)?;
            ctx.emit1(
                Op::Movement(Movement::GatherElements { axis }),
                &[x, indices],
            )?
        };
        ctx.bind(i, v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::import_text;

    fn max_pool(window: &str, out: &str) -> String {
        format!(
            "func.func @main(%a: tensor<1x6x6x2xf32>) -> tensor<{out}xf32> {{\n  %i = stablehlo.constant dense<0xFF800000> : tensor<f32>\n  %0 = \"stablehlo.reduce_window\"(%a, %i) <{{window_dimensions = array<i64: {window}>, window_strides = array<i64: 1, 2, 2, 1>}}> ({{\n  ^bb0(%x: tensor<f32>, %y: tensor<f32>):\n    %m = stablehlo.maximum %x, %y : tensor<f32>\n    stablehlo.return %m : tensor<f32>\n  }}) : (tensor<1x6x6x2xf32>, tensor<f32>) -> tensor<{out}xf32>\n  return %0 : tensor<{out}xf32>\n}}\n"
        )
    }

    /// The declared result shape comes from the file; one that disagrees
    /// with the window is an error, not an out-of-range index (found by fuzzing).
    #[test]
    fn a_reduce_window_result_that_disagrees_with_its_window_is_an_error() {
        assert!(import_text(&max_pool("1, 2, 2, 1", "1x3x3x2"), None).is_ok());
        for out in ["1x3x3", "1x3x3x2x1", "1x4x3x2"] {
            let err = import_text(&max_pool("1, 2, 2, 1", out), None).unwrap_err();
            assert!(
                err.to_string().contains("reduce_window result shape"),
                "{out}: {err}"
            );
        }
    }
}
