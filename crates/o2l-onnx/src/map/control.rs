//! Control flow with subgraphs, resolved at conversion time: a subgraph's
//! nodes are mapped into the enclosing graph (inlined) with its inputs bound.
//! If with a constant condition inlines the taken branch; with a run-time
//! condition both branches are computed and their results selected
//! (subgraphs have no side effects), or, when the branches cannot both be
//! kept, one is kept behind a run-time check. Loop and Scan with static trip counts
//! are unrolled: the body is inlined once per iteration, carried values
//! threaded through, scan outputs stacked.
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Body, Control, Elementwise, Movement, Unary};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{DType, Dim, Error, ErrorKind, Graph, Op, Result, Tensor, TensorType, ValueId};
use o2l_proto::GraphProto;
use std::collections::HashMap;

pub(crate) static RULES: &[Rule] = &[
    row(
        "If",
        &[1, 11, 13, 16, 19, 21, 23, 24, 25],
        &["Select", "Not", "Check", "Reshape"],
        if_op,
        "constant condition: the taken branch inlined; run-time: both inlined, results selected",
    ),
    row(
        "Loop",
        &[1, 11, 13, 16, 19, 21, 23, 24, 25],
        &["Concat", "Reshape", "Loop"],
        loop_op,
        "unrolled when the trip count and conditions are constant (up to 4096 iterations); otherwise scf.while over the body graph",
    ),
    row(
        "Scan",
        &[8, 9, 11, 16, 19, 21, 23, 24, 25],
        &["Gather", "Concat", "Reshape"],
        scan,
        "unrolled over the static scan length; axes and directions per input and output",
    ),
];

/// Unrolled iterations of one Loop or Scan.
const MAX_ITERATIONS: u64 = 4096;

/// Names `body` (and the subgraphs inside it) reads without defining them,
/// in order of first use.
fn free_names(body: &GraphProto) -> Vec<String> {
    let mut defined: std::collections::HashSet<String> = body
        .input
        .iter()
        .map(|v| v.name().to_string())
        .chain(body.initializer.iter().map(|t| t.name().to_string()))
        .collect();
    let mut free: Vec<String> = Vec::new();
    let mut note = |n: &str, defined: &std::collections::HashSet<String>| {
        if !n.is_empty() && !defined.contains(n) && !free.iter().any(|f| f == n) {
            free.push(n.to_string());
        }
    };
    for node in &body.node {
        for n in &node.input {
            note(n, &defined);
        }
        for a in &node.attribute {
            let nested = a.g.iter().chain(a.graphs.iter());
            for g in nested {
                for n in free_names(g) {
                    note(&n, &defined);
                }
            }
        }
        defined.extend(node.output.iter().cloned());
    }
    free
}

fn subgraph<'a>(ctx: &MapCtx<'a>, name: &str) -> Result<&'a GraphProto> {
    ctx.attrs
        .graph(name)?
        .ok_or_else(|| Error::invalid(format!("the attribute \"{name}\" (a graph) is missing")))
}

/// A constant boolean (or integer) scalar's truth, None at run time.
fn const_truth(ctx: &MapCtx, v: ValueId) -> Option<bool> {
    ctx.const_of(v)
        .and_then(|t| t.to_i64s().first().copied())
        .map(|x| x != 0)
}

fn if_op(ctx: &mut MapCtx) -> Result<()> {
    let cond = ctx.input(0)?;
    let (then_g, else_g) = (subgraph(ctx, "then_branch")?, subgraph(ctx, "else_branch")?);
    let tag = ctx.origin.node.clone();
    let outs = match const_truth(ctx, cond) {
        Some(true) => ctx.inline_subgraph(then_g, &[], &format!("{tag}/then"))?,
        Some(false) => ctx.inline_subgraph(else_g, &[], &format!("{tag}/else"))?,
        None => run_time_if(ctx, cond, then_g, else_g, &tag)?,
    };
    for (k, v) in outs.into_iter().enumerate() {
        if ctx.output_wanted(k) {
            ctx.bind(k, v)?;
        }
    }
    Ok(())
}

/// An If whose condition is known only at run time: both branches computed
/// and their results selected. When only one branch converts (the other
/// cannot be shape-inferred for these inputs), or the two give results of
/// different types (a rank that depends on a run-time dim, as in `if
/// x.shape[-1] == 1: x = x.squeeze(-1)`), one branch is kept and a run-time
/// check stops the program if the other is taken (as onnxruntime fails only
/// when it takes a branch it cannot run); a warning names the node. Of two
/// branches that both convert, the one with more result dims is kept first
/// (the other is often the special case of a dim of 1); when the rest of the
/// graph does not convert with it, the import is retried with the other.
fn run_time_if(
    ctx: &mut MapCtx,
    cond: ValueId,
    then_g: &GraphProto,
    else_g: &GraphProto,
    tag: &str,
) -> Result<Vec<ValueId>> {
    // Only a branch that cannot be converted for these inputs may be left to
    // a run-time check; a limit hit, a bug or an I/O error stops the conversion.
    let may_fail = |r: Result<Vec<ValueId>>| match r {
        Err(e) if !matches!(e.kind, ErrorKind::Unsupported | ErrorKind::InvalidModel) => Err(e),
        r => Ok(r),
    };
    let a = may_fail(ctx.inline_subgraph(then_g, &[], &format!("{tag}/then")))?;
    let b = may_fail(ctx.inline_subgraph(else_g, &[], &format!("{tag}/else")))?;
    let c = ctx.reshape(cond, vec![])?;
    let shown = |t: &[TensorType]| {
        t.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (kept, keep_then, why) = match (a, b) {
        (Ok(a), Ok(b)) => {
            if a.len() != b.len() {
                return Err(Error::invalid(format!(
                    "If branches have {} and {} outputs",
                    a.len(),
                    b.len()
                )));
            }
            let ta: Vec<TensorType> = a.iter().map(|&v| ctx.ty(v)).collect();
            let tb: Vec<TensorType> = b.iter().map(|&v| ctx.ty(v)).collect();
            if ta == tb {
                let mut picked = Vec::with_capacity(a.len());
                for (&x, &y) in a.iter().zip(&b) {
                    picked.push(ctx.emit1(Op::Elementwise(Elementwise::Select), &[c, x, y])?);
                }
                return Ok(picked);
            }
            let rank = |t: &[TensorType]| t.iter().map(TensorType::rank).sum::<usize>();
            let keep_then = ctx.guess(rank(&ta) > rank(&tb));
            let why = format!("the branches give {} and {}", shown(&ta), shown(&tb));
            (if keep_then { a } else { b }, keep_then, why)
        }
        (Ok(a), Err(e)) => (a, true, format!("the else branch does not convert ({e})")),
        (Err(e), Ok(b)) => (b, false, format!("the then branch does not convert ({e})")),
        (Err(e), Err(_)) => return Err(e),
    };
    let holds = if keep_then {
        c
    } else {
        ctx.unary(Unary::Not, c)?
    };
    let (taken, other) = if keep_then {
        ("then", "else")
    } else {
        ("else", "then")
    };
    let assumed = format!(
        "If with a run-time condition: {why}; the {taken} branch is kept and the program stops if the {other} branch is taken"
    );
    kept.into_iter()
        .map(|v| ctx.checked_at_run_time(holds, v, &assumed))
        .collect()
}

/// `values` stacked along a new `axis` (in order).
fn stack(ctx: &mut MapCtx, values: &[ValueId], axis: usize) -> Result<ValueId> {
    let mut parts = Vec::with_capacity(values.len());
    for &v in values {
        let mut shape = ctx.ty(v).shape;
        if axis > shape.len() {
            return Err(Error::invalid(format!(
                "a scan output axis {axis} is out of range for {}",
                ctx.ty(v)
            )));
        }
        shape.insert(axis, Dim::Known(1));
        parts.push(ctx.reshape(v, shape)?);
    }
    match parts[..] {
        [] => Err(Error::unsupported("a scan output of zero iterations")),
        [one] => Ok(one),
        _ => ctx.emit1(Op::Movement(Movement::Concat { axis }), &parts),
    }
}

fn loop_op(ctx: &mut MapCtx) -> Result<()> {
    let body = subgraph(ctx, "body")?;
    let trips = ctx
        .opt_input(0)
        .and_then(|m| ctx.const_of(m))
        .map(|t| t.to_i64s().first().copied().unwrap_or(0).max(0) as u64);
    let go = match ctx.opt_input(1) {
        Some(c) => const_truth(ctx, c),
        None => Some(true),
    };
    if let (Some(trips), Some(go)) = (trips, go)
        && trips <= MAX_ITERATIONS
        && unroll_loop(ctx, body, trips, go)?
    {
        return Ok(());
    }
    structured_loop(ctx, body)
}

/// Unrolls a Loop with a constant trip count and initial condition. Returns
/// false (binding nothing) when the body's condition is known only at run
/// time; the nodes inlined so far are then dead and pruned.
fn unroll_loop(ctx: &mut MapCtx, body: &GraphProto, trips: u64, go: bool) -> Result<bool> {
    let n_carried = ctx.num_inputs().saturating_sub(2);
    let mut carried: Vec<ValueId> = (0..n_carried)
        .map(|i| ctx.input(2 + i))
        .collect::<Result<_>>()?;
    let n_scan = body.output.len().saturating_sub(1 + n_carried);
    let mut scans: Vec<Vec<ValueId>> = vec![Vec::new(); n_scan];
    let tag = ctx.origin.node.clone();
    let mut running = go;
    let mut i = 0;
    while running && i < trips {
        let iter = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[i as i64])?)?;
        let cond = ctx.constant(Tensor::from_i64s(DType::Bool, vec![], &[1])?)?;
        let mut bound = vec![iter, cond];
        bound.extend(&carried);
        let outs = ctx.inline_subgraph(body, &bound, &format!("{tag}/iter{i}"))?;
        if outs.len() != 1 + n_carried + n_scan {
            return Err(Error::invalid(
                "the Loop body's outputs do not match its carried values",
            ));
        }
        let Some(next) = const_truth(ctx, outs[0]) else {
            return Ok(false);
        };
        running = next;
        carried = outs[1..1 + n_carried].to_vec();
        for (j, &v) in outs[1 + n_carried..].iter().enumerate() {
            scans[j].push(v);
        }
        i += 1;
    }
    for (k, v) in carried.into_iter().enumerate() {
        if ctx.output_wanted(k) {
            ctx.bind(k, v)?;
        }
    }
    for (j, values) in scans.iter().enumerate() {
        if ctx.output_wanted(n_carried + j) {
            let v = stack(ctx, values, 0)?;
            ctx.bind(n_carried + j, v)?;
        }
    }
    Ok(true)
}

/// `v` as a 0-d tensor of `dtype` (one-element tensors are reshaped).
fn scalar_operand(ctx: &mut MapCtx, v: ValueId, dtype: DType, what: &str) -> Result<ValueId> {
    let t = ctx.ty(v);
    if t.known_dims().map(|d| d.iter().product::<u64>()) != Some(1) {
        return Err(Error::invalid(format!(
            "Loop {what} must hold one value, got {t}"
        )));
    }
    let v = if t.dtype == dtype {
        v
    } else {
        ctx.cast(v, dtype)?
    };
    if t.rank() == 0 {
        Ok(v)
    } else {
        ctx.reshape(v, vec![])
    }
}

/// A Loop that stays a loop: its body becomes a canonical graph of its own
/// (inputs: iteration, condition, carried values, then the outer values it
/// reads; constants among those are copied in), lowered as `scf.while`.
fn structured_loop(ctx: &mut MapCtx, body: &GraphProto) -> Result<()> {
    ctx.check_nesting()?;
    let n_carried = ctx.num_inputs().saturating_sub(2);
    if body.input.len() != 2 + n_carried {
        return Err(Error::invalid(format!(
            "the Loop body takes {} inputs for {n_carried} carried values",
            body.input.len()
        )));
    }
    let n_scan = body.output.len().saturating_sub(1 + n_carried);
    let max = match ctx.opt_input(0) {
        Some(m) => scalar_operand(ctx, m, DType::I64, "trip count")?,
        None if n_scan > 0 => {
            return Err(Error::unsupported(
                "a Loop without a trip count that has scan outputs (their buffers need a size before the loop)",
            ));
        }
        None => ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[i64::MAX])?)?,
    };
    let cond = match ctx.opt_input(1) {
        Some(c) => scalar_operand(ctx, c, DType::Bool, "condition")?,
        None => ctx.constant(Tensor::from_i64s(DType::Bool, vec![], &[1])?)?,
    };
    let carried: Vec<ValueId> = (0..n_carried)
        .map(|i| ctx.input(2 + i))
        .collect::<Result<_>>()?;
    let tag = format!("{}/body", ctx.origin.node);
    let mut g = Graph::new(tag.clone());
    g.limits = ctx.graph.limits;
    let mut names: HashMap<String, ValueId> = HashMap::new();
    let mut input_types = vec![
        TensorType::new(DType::I64, vec![]),
        TensorType::new(DType::Bool, vec![]),
    ];
    input_types.extend(carried.iter().map(|&v| ctx.ty(v)));
    for (vi, ty) in body.input.iter().zip(input_types) {
        let id = g.add_input(vi.name(), ty)?;
        names.insert(vi.name().to_string(), id);
    }
    let mut captured = Vec::new();
    for n in free_names(body) {
        let Some(&outer) = ctx.scope.names.get(n.as_str()) else {
            return Err(Error::unsupported(format!(
                "the Loop body reads \"{n}\", which is not available in an enclosing scope"
            )));
        };
        let id = match ctx.const_of(outer) {
            Some(t) => g.add_constant(n.clone(), t)?,
            None => {
                captured.push(outer);
                g.add_input(n.clone(), ctx.ty(outer))?
            }
        };
        names.insert(n, id);
    }
    let outs = ctx.map_subgraph_into(&mut g, names, body, &tag)?;
    if outs.len() != 1 + n_carried + n_scan {
        return Err(Error::invalid(
            "the Loop body's outputs do not match its carried values",
        ));
    }
    // A carried value the body returns with a run-time dim where it came in
    // with a known one (a slice of run-time extent, say) is the same value:
    // reshaped back to the carried type, so the loop keeps one type.
    let mut outs = outs;
    for (k, &c) in carried.iter().enumerate() {
        let (before, after) = (ctx.ty(c), g.ty(outs[1 + k]).clone());
        let refines = before.dtype == after.dtype
            && before.rank() == after.rank()
            && before.shape != after.shape
            && before.known_dims().is_some();
        if refines {
            let reshape = Op::Movement(Movement::Reshape {
                shape: before.shape.clone(),
            });
            outs[1 + k] = g.add_node(reshape, &[outs[1 + k]], ctx.origin)?[0];
        }
    }
    // A scan element of run-time extent whose output the body declares with
    // static dims takes those (its buffer is sized before the loop).
    for (k, vi) in body.output.iter().enumerate().skip(1 + n_carried) {
        let have = g.ty(outs[k]).clone();
        if have.known_dims().is_some() {
            continue;
        }
        if let Some(dims) = declared_static_dims(vi).filter(|d| d.len() == have.rank()) {
            let reshape = Op::Movement(Movement::Reshape {
                shape: dims.into_iter().map(Dim::Known).collect(),
            });
            outs[k] = g.add_node(reshape, &[outs[k]], ctx.origin)?[0];
        }
    }
    g.outputs = outs;
    g.prune();
    let mut operands = vec![max, cond];
    operands.extend(&carried);
    operands.extend(&captured);
    let op = Op::Control(Control::Loop {
        body: Body(std::sync::Arc::new(g)),
        carried: n_carried,
        trips: format!("{}_trips", ctx.origin.node),
    });
    let results = ctx.emit(op, &operands)?;
    for (k, v) in results.into_iter().enumerate() {
        if ctx.output_wanted(k) {
            ctx.bind(k, v)?;
        }
    }
    Ok(())
}

/// The dims a subgraph output declares, when it declares every one.
fn declared_static_dims(vi: &o2l_proto::ValueInfoProto) -> Option<Vec<u64>> {
    use o2l_proto::tensor_shape_proto::dimension::Value as DimValue;
    use o2l_proto::type_proto::Value as TypeValue;
    let Some(TypeValue::TensorType(tt)) = vi.r#type.as_ref()?.value.as_ref() else {
        return None;
    };
    tt.shape
        .as_ref()?
        .dim
        .iter()
        .map(|d| match d.value {
            Some(DimValue::DimValue(v)) => u64::try_from(v).ok(),
            _ => None,
        })
        .collect()
}

/// The per-input and per-output axes and directions of one Scan.
struct ScanPlan {
    in_axes: Vec<i64>,
    in_dirs: Vec<i64>,
    out_axes: Vec<i64>,
    out_dirs: Vec<i64>,
}

/// Unrolls `body` over the scan inputs `xs`; returns the final states and
/// the stacked scan outputs.
fn unroll_scan(
    ctx: &mut MapCtx,
    body: &GraphProto,
    mut states: Vec<ValueId>,
    xs: &[ValueId],
    plan: &ScanPlan,
    tag: &str,
) -> Result<(Vec<ValueId>, Vec<ValueId>)> {
    let n = states.len();
    let k_out = body.output.len().saturating_sub(n);
    let mut axes = Vec::with_capacity(xs.len());
    let mut length = None;
    for (j, &x) in xs.iter().enumerate() {
        let xt = ctx.ty(x);
        let axis = normalize_axis(plan.in_axes[j], xt.rank())?;
        let len = xt.shape[axis].known().ok_or_else(|| {
            Error::unsupported(format!("Scan over the symbolic dim {}", xt.shape[axis]))
        })?;
        if *length.get_or_insert(len) != len {
            return Err(Error::invalid(
                "Scan inputs differ in length along their scan axes",
            ));
        }
        axes.push(axis);
    }
    let length = length.ok_or_else(|| Error::invalid("Scan needs at least one scan input"))?;
    if length > MAX_ITERATIONS {
        return Err(Error::limit(format!(
            "Scan of {length} iterations: at most {MAX_ITERATIONS} are unrolled"
        )));
    }
    let mut outs: Vec<Vec<ValueId>> = vec![Vec::new(); k_out];
    for t in 0..length {
        let mut bound = states.clone();
        for (j, &x) in xs.iter().enumerate() {
            let pos = if plan.in_dirs[j] != 0 {
                length - 1 - t
            } else {
                t
            };
            let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[pos as i64])?)?;
            bound.push(ctx.emit1(Op::Movement(Movement::Gather { axis: axes[j] }), &[x, idx])?);
        }
        let res = ctx.inline_subgraph(body, &bound, &format!("{tag}/step{t}"))?;
        if res.len() != n + k_out {
            return Err(Error::invalid(
                "the Scan body's outputs do not match its states",
            ));
        }
        states = res[..n].to_vec();
        for (j, &v) in res[n..].iter().enumerate() {
            outs[j].push(v);
        }
    }
    let mut stacked = Vec::with_capacity(k_out);
    for (j, mut values) in outs.into_iter().enumerate() {
        if plan.out_dirs[j] != 0 {
            values.reverse();
        }
        let rank = values.first().map_or(0, |&v| ctx.ty(v).rank()) + 1;
        let axis = normalize_axis(plan.out_axes[j], rank)?;
        stacked.push(stack(ctx, &values, axis)?);
    }
    Ok((states, stacked))
}

/// An int list attribute of `count` values (zeros when absent).
fn int_list(ctx: &MapCtx, name: &str, count: usize) -> Result<Vec<i64>> {
    match ctx.attrs.ints(name)? {
        Some(v) if v.len() == count => Ok(v),
        Some(v) => Err(Error::invalid(format!(
            "attribute \"{name}\": expected {count} values, got {}",
            v.len()
        ))),
        None => Ok(vec![0; count]),
    }
}

fn scan(ctx: &mut MapCtx) -> Result<()> {
    let body = subgraph(ctx, "body")?;
    let m = ctx.attrs.req_int("num_scan_inputs")?;
    let m =
        usize::try_from(m).map_err(|_| Error::invalid("num_scan_inputs must not be negative"))?;
    // The scan inputs' length is the number of steps: without one there is none.
    if m == 0 {
        return Err(Error::invalid(
            "Scan needs at least one scan input (num_scan_inputs is 0)",
        ));
    }
    // Scan-8 leads with optional sequence lengths and has a batch axis 0.
    let first = usize::from(ctx.version == 8);
    let n = ctx
        .num_inputs()
        .checked_sub(m + first)
        .ok_or_else(|| Error::invalid("Scan has fewer inputs than num_scan_inputs"))?;
    let k_out = body.output.len().saturating_sub(n);
    let plan = if ctx.version == 8 {
        if let Some(lens) = ctx.opt_input(0) {
            return Err(ctx.needs_constant(
                0,
                format!(
                    "Scan-8 sequence_lens ({}) are not supported; leave them empty",
                    ctx.ty(lens)
                ),
            ));
        }
        // Per batch element the scan axis is 0 (axis 1 of the batched input).
        ScanPlan {
            in_axes: vec![0; m],
            in_dirs: int_list(ctx, "directions", m)?,
            out_axes: vec![0; k_out],
            out_dirs: vec![0; k_out],
        }
    } else {
        ScanPlan {
            in_axes: int_list(ctx, "scan_input_axes", m)?,
            in_dirs: int_list(ctx, "scan_input_directions", m)?,
            out_axes: int_list(ctx, "scan_output_axes", k_out)?,
            out_dirs: int_list(ctx, "scan_output_directions", k_out)?,
        }
    };
    let states: Vec<ValueId> = (0..n)
        .map(|i| ctx.input(first + i))
        .collect::<Result<_>>()?;
    let xs: Vec<ValueId> = (0..m)
        .map(|i| ctx.input(first + n + i))
        .collect::<Result<_>>()?;
    let tag = ctx.origin.node.clone();
    let (states, outs) = if ctx.version == 8 {
        // One scan per batch element, restacked along the batch axis.
        let batch = ctx
            .ty(xs[0])
            .shape
            .first()
            .and_then(Dim::known)
            .ok_or_else(|| Error::unsupported("Scan-8 over a symbolic batch"))?;
        let mut per_state: Vec<Vec<ValueId>> = vec![Vec::new(); n];
        let mut per_out: Vec<Vec<ValueId>> = vec![Vec::new(); k_out];
        for b in 0..batch {
            let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[b as i64])?)?;
            let pick = |ctx: &mut MapCtx, v: ValueId| {
                ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[v, idx])
            };
            let s_b = states
                .iter()
                .map(|&v| pick(ctx, v))
                .collect::<Result<Vec<_>>>()?;
            let x_b = xs
                .iter()
                .map(|&v| pick(ctx, v))
                .collect::<Result<Vec<_>>>()?;
            let (s, o) = unroll_scan(ctx, body, s_b, &x_b, &plan, &format!("{tag}/batch{b}"))?;
            for (j, v) in s.into_iter().enumerate() {
                per_state[j].push(v);
            }
            for (j, v) in o.into_iter().enumerate() {
                per_out[j].push(v);
            }
        }
        let s = per_state
            .iter()
            .map(|vs| stack(ctx, vs, 0))
            .collect::<Result<Vec<_>>>()?;
        let o = per_out
            .iter()
            .map(|vs| stack(ctx, vs, 0))
            .collect::<Result<Vec<_>>>()?;
        (s, o)
    } else {
        unroll_scan(ctx, body, states, &xs, &plan, &tag)?
    };
    for (k, v) in states.into_iter().chain(outs).enumerate() {
        if ctx.output_wanted(k) {
            ctx.bind(k, v)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    fn graph_attr(name: &str, g: GraphProto) -> AttributeProto {
        AttributeProto {
            name: Some(name.into()),
            r#type: Some(AttributeType::Graph as i32),
            g: Some(g),
            ..Default::default()
        }
    }

    /// Body (i, cond, acc) -> (cond, acc + x, acc): x comes from the outer scope.
    fn body() -> GraphProto {
        GraphProto {
            name: Some("body".into()),
            input: vec![vi("i", 7, &[]), vi("c", 9, &[]), f32_in("acc", &[3])],
            node: vec![
                node("Identity", "keep", &["c"], &["c_out"]),
                node("Add", "add", &["acc", "x"], &["acc_out"]),
                node("Identity", "scan", &["acc"], &["seen"]),
            ],
            output: vec![
                vi("c_out", 9, &[]),
                f32_in("acc_out", &[3]),
                f32_in("seen", &[3]),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn loop_with_a_constant_trip_count_is_unrolled_reading_outer_values() {
        let g = M::new(13)
            .input(f32_in("x", &[3]))
            .input(f32_in("a0", &[3]))
            .init(t_i64("m", &[4]))
            .node(with_attrs(
                node("Loop", "loop", &["m", "", "a0"], &["acc", "all"]),
                vec![graph_attr("body", body())],
            ))
            .output("acc")
            .output("all")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 1), vec![4, 3]);
        let adds = g.nodes.iter().filter(|n| n.op.name() == "Add").count();
        assert_eq!(adds, 4, "one Add per unrolled iteration");
    }

    #[test]
    fn if_with_a_runtime_condition_selects_between_both_branches() {
        let branch = |v: f32| GraphProto {
            name: Some("b".into()),
            node: vec![with_attrs(
                node("Constant", "k", &[], &["out"]),
                vec![AttributeProto {
                    name: Some("value_float".into()),
                    r#type: Some(AttributeType::Float as i32),
                    f: Some(v),
                    ..Default::default()
                }],
            )],
            output: vec![f32_in("out", &[])],
            ..Default::default()
        };
        let g = M::new(13)
            .input(vi("c", 9, &[]))
            .node(with_attrs(
                node("If", "if", &["c"], &["y"]),
                vec![
                    graph_attr("then_branch", branch(1.0)),
                    graph_attr("else_branch", branch(2.0)),
                ],
            ))
            .output("y")
            .import()
            .unwrap();
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        assert!(ops.contains(&"Select"), "{ops:?}");
    }

    /// An If on a run-time condition whose branches both are `branch`.
    fn if_with(branch: GraphProto) -> M {
        M::new(13)
            .input(f32_in("x", &[2]))
            .input(vi("c", 9, &[]))
            .node(with_attrs(
                node("If", "if", &["c"], &["y"]),
                vec![
                    graph_attr("then_branch", branch.clone()),
                    graph_attr("else_branch", branch),
                ],
            ))
            .output("y")
    }

    #[test]
    fn a_subgraph_defining_a_value_twice_is_refused() {
        let branch = GraphProto {
            name: Some("b".into()),
            node: vec![
                node("Relu", "first", &["x"], &["t"]),
                node("Neg", "second", &["x"], &["t"]),
            ],
            output: vec![f32_in("t", &[2])],
            ..Default::default()
        };
        let e = if_with(branch).import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(e.message.contains("\"t\" is defined more than once"), "{e}");
        assert_eq!(e.origin.as_ref().unwrap().node, "if/then/second", "{e}");
    }

    #[test]
    fn every_unsupported_node_of_a_subgraph_is_reported_together() {
        let branch = GraphProto {
            name: Some("b".into()),
            node: vec![
                node("Foo", "foo", &["x"], &["a"]),
                node("Bar", "bar", &["x"], &["b"]),
                node("Add", "add", &["a", "b"], &["t"]),
            ],
            output: vec![f32_in("t", &[2])],
            ..Default::default()
        };
        let e = if_with(branch).import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        assert_eq!(e.origin.as_ref().unwrap().node, "if/then/foo", "{e}");
        assert!(e.message.contains("Foo"), "{e}");
        assert!(e.message.contains("1 more unsupported node"), "{e}");
        assert!(e.message.contains("\"if/then/bar\""), "{e}");
    }

    #[test]
    fn subgraphs_nested_past_max_depth_are_a_limit_error() {
        // If inside If inside If, each branch a graph of its own.
        let leaf = GraphProto {
            name: Some("leaf".into()),
            node: vec![node("Identity", "id", &["x"], &["r"])],
            output: vec![f32_in("r", &[2])],
            ..Default::default()
        };
        let mut g = leaf.clone();
        for level in 0..3 {
            let mut n = node("If", &format!("if{level}"), &["c"], &["r"]);
            n.attribute.push(AttributeProto {
                name: Some("then_branch".into()),
                r#type: Some(5),
                g: Some(g.clone()),
                ..Default::default()
            });
            n.attribute.push(AttributeProto {
                name: Some("else_branch".into()),
                r#type: Some(5),
                g: Some(leaf.clone()),
                ..Default::default()
            });
            g = GraphProto {
                name: Some(format!("level{level}")),
                node: vec![n],
                output: vec![f32_in("r", &[2])],
                ..Default::default()
            };
        }
        let model = || {
            let mut m = M::new(17)
                .input(f32_in("x", &[2]))
                .input(vi("c", 9, &[]))
                .output("r");
            m.g().node = g.node.clone();
            m
        };
        assert!(model().import().is_ok());
        let e = model()
            .import_with(&with_limits(|l| l.max_depth = 2))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit, "{e}");
        assert!(e.message.contains("--max-depth"), "{e}");
    }
}
