//! Ops that call functions or carry regions. `func.call` and `composite`
//! inline the function (a composite's decomposition); `case` and `if` map
//! every branch (StableHLO ops have no side effects) and select each result
//! by the index or predicate; `while` becomes the canonical structured Loop,
//! whose body graph runs the `do` region and then the `cond` region on the
//! new values.
use super::ctx::{Env, OpCtx, Rule, rule};
use crate::parse::{Attr, Region};
use o2l_canon::compose;
use o2l_canon::ops::control::{Body, Control};
use o2l_canon::ops::{Compare, Elementwise};
use o2l_canon::{Builder, DType, Error, Graph, Op, Result, Tensor, TensorType, ValueId};
use std::sync::Arc;

pub(crate) static RULES: &[Rule] = &[
    rule(
        "func.call",
        &[],
        call,
        "the callee is inlined (also `call`)",
    ),
    rule(
        "stablehlo.composite",
        &[],
        composite,
        "its decomposition function is inlined",
    ),
    rule(
        "stablehlo.optimization_barrier",
        &[],
        barrier,
        "the operands pass through",
    ),
    rule(
        "stablehlo.while",
        &["Loop"],
        while_loop,
        "a structured Loop: the body runs `do` then `cond`; run-time trip count; outer values captured",
    ),
    rule(
        "stablehlo.case",
        &["Equal", "Select"],
        case,
        "every branch is mapped, each result selected by the index (out of range: the last branch)",
    ),
    rule(
        "stablehlo.if",
        &["Select"],
        if_op,
        "both branches are mapped, each result selected by the predicate",
    ),
];

fn inline(ctx: &mut OpCtx, name: &str) -> Result<()> {
    let deeper = ctx.scope.deeper()?;
    let f = ctx.scope.func(name)?;
    let args = ctx.inputs().to_vec();
    let outs = deeper.walker.call(ctx.graph, f, &args, &deeper)?;
    if outs.len() != ctx.num_results() {
        return Err(Error::invalid(format!(
            "@{name} returns {} values for {} results",
            outs.len(),
            ctx.num_results()
        )));
    }
    for (k, v) in outs.into_iter().enumerate() {
        ctx.bind(k, v)?;
    }
    Ok(())
}

fn call(ctx: &mut OpCtx) -> Result<()> {
    let name = match (&ctx.op.callee, ctx.attr(&["callee"])) {
        (Some(n), _) => n.clone(),
        (None, Some(Attr::Sym(n))) => n.clone(),
        _ => return Err(Error::invalid("a call without a callee")),
    };
    inline(ctx, &name)
}

fn composite(ctx: &mut OpCtx) -> Result<()> {
    let Some(Attr::Sym(name)) = ctx.attr(&["decomposition"]) else {
        return Err(Error::invalid(
            "a composite without a decomposition function",
        ));
    };
    inline(ctx, &name.clone())
}

fn barrier(ctx: &mut OpCtx) -> Result<()> {
    for (k, v) in ctx.inputs().to_vec().into_iter().enumerate() {
        ctx.bind(k, v)?;
    }
    Ok(())
}

fn branches(ctx: &mut OpCtx) -> Result<Vec<Vec<ValueId>>> {
    let deeper = ctx.scope.deeper()?;
    let env: Env = ctx.env.clone();
    let mut out = Vec::with_capacity(ctx.op.regions.len());
    for r in &ctx.op.regions {
        let vals = deeper.walker.region(ctx.graph, &env, r, &[], &deeper)?;
        if vals.len() != ctx.num_results() {
            return Err(Error::invalid(format!(
                "a branch yields {} values for {} results",
                vals.len(),
                ctx.num_results()
            )));
        }
        out.push(vals);
    }
    if out.is_empty() {
        return Err(Error::invalid("an op without branches"));
    }
    Ok(out)
}

fn case(ctx: &mut OpCtx) -> Result<()> {
    let index = ctx.input(0)?;
    let all = branches(ctx)?;
    let n = all.len();
    if let Some(t) = ctx.const_of(index) {
        let i = t.to_i64s().first().copied().unwrap_or(0);
        let pick = if i < 0 || i as usize >= n {
            n - 1
        } else {
            i as usize
        };
        for (k, &v) in all[pick].iter().enumerate() {
            ctx.bind(k, v)?;
        }
        return Ok(());
    }
    let d = ctx.ty(index).dtype;
    let last = all[n - 1].clone();
    for (k, &otherwise) in last.iter().enumerate() {
        let mut v = otherwise;
        for b in (0..n - 1).rev() {
            let bi = ctx.scalar(d, b as f64)?;
            let is = ctx.elementwise(Elementwise::Compare(Compare::Equal), &[index, bi])?;
            v = ctx.elementwise(Elementwise::Select, &[is, all[b][k], v])?;
        }
        ctx.bind(k, v)?;
    }
    Ok(())
}

fn if_op(ctx: &mut OpCtx) -> Result<()> {
    let pred = ctx.input(0)?;
    let pred = compose::scalar_condition(ctx.graph, ctx.origin, pred)?;
    let all = branches(ctx)?;
    let [then, otherwise] = &all[..] else {
        return Err(Error::invalid("if needs a true and a false branch"));
    };
    for k in 0..ctx.num_results() {
        let v = ctx.elementwise(Elementwise::Select, &[pred, then[k], otherwise[k]])?;
        ctx.bind(k, v)?;
    }
    Ok(())
}

fn while_loop(ctx: &mut OpCtx) -> Result<()> {
    let [cond, body] = &ctx.op.regions[..] else {
        return Err(Error::invalid("while needs a cond and a do region"));
    };
    let deeper = ctx.scope.deeper()?;
    let carried = ctx.inputs().to_vec();
    // The first test, on the initial values, in the enclosing graph.
    let first = deeper
        .walker
        .region(ctx.graph, ctx.env, cond, &carried, &deeper)?;
    let [c0] = first[..] else {
        return Err(Error::invalid("the cond region must yield one value"));
    };
    let cond0 = compose::scalar_condition(ctx.graph, ctx.origin, c0)?;

    let mut g = Graph::new(format!("{}/body", ctx.origin.node));
    let scalar = |d: DType| TensorType::new(d, vec![]);
    g.add_input("iteration", scalar(DType::I64))?;
    g.add_input("condition", scalar(DType::Bool))?;
    let mut args = Vec::with_capacity(carried.len());
    for (i, &v) in carried.iter().enumerate() {
        args.push(g.add_input(format!("carried{i}"), ctx.graph.ty(v).clone())?);
    }
    // Values the regions read from outside: constants copied in, the rest
    // become extra operands of the loop (and inputs of the body).
    let mut inner = Env::new();
    let mut captured = Vec::new();
    for key in free_values(&ctx.op.regions) {
        let Some(&outer) = ctx.env.get(&key) else {
            return Err(Error::invalid(format!(
                "value {} is not defined before its use",
                key.trim_end_matches("#0")
            )));
        };
        let v = match ctx.graph.constant(outer).cloned() {
            Some(t) => g.add_constant(format!("captured{}", inner.len()), t)?,
            None => {
                captured.push(outer);
                let ty = ctx.graph.ty(outer).clone();
                g.add_input(format!("captured{}", captured.len()), ty)?
            }
        };
        inner.insert(key, v);
    }
    let next = deeper.walker.region(&mut g, &inner, body, &args, &deeper)?;
    if next.len() != carried.len() {
        return Err(Error::invalid(format!(
            "the do region yields {} values for {} carried ones",
            next.len(),
            carried.len()
        )));
    }
    let test = deeper.walker.region(&mut g, &inner, cond, &next, &deeper)?;
    let [c] = test[..] else {
        return Err(Error::invalid("the cond region must yield one value"));
    };
    let c = compose::scalar_condition(&mut g, ctx.origin, c)?;
    g.outputs = std::iter::once(c).chain(next).collect();
    g.prune();

    let max = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[i64::MAX])?)?;
    let mut operands = vec![max, cond0];
    operands.extend(&carried);
    operands.extend(&captured);
    let op = Op::Control(Control::Loop {
        body: Body(Arc::new(g)),
        carried: carried.len(),
        trips: format!("{}_trips", ctx.origin.node),
    });
    let outs = ctx.emit(op, &operands)?;
    for (k, v) in outs.into_iter().enumerate() {
        ctx.bind(k, v)?;
    }
    Ok(())
}

/// The values `regions` read from outside themselves, in first-use order.
fn free_values(regions: &[Region]) -> Vec<String> {
    fn visit(r: &Region, defined: &mut Vec<String>, out: &mut Vec<String>) {
        let mark = defined.len();
        for (name, _) in &r.args {
            defined.push(format!("{name}#0"));
        }
        for op in &r.ops {
            for k in &op.operands {
                if !defined.contains(k) && !out.contains(k) {
                    out.push(k.clone());
                }
            }
            for inner in &op.regions {
                visit(inner, defined, out);
            }
            defined.extend(op.results.iter().cloned());
        }
        defined.truncate(mark);
    }
    let mut out = Vec::new();
    for r in regions {
        visit(r, &mut Vec::new(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::import_text;
    use o2l_canon::ErrorKind;

    #[test]
    fn unsupported_ops_in_branches_are_reported_together() {
        let text = r#"func.func public @main(%i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "stablehlo.case"(%i) ({
    %1 = stablehlo.custom_call @first_kernel(%x) : (tensor<3xf32>) -> tensor<3xf32>
    stablehlo.return %1 : tensor<3xf32>
  }, {
    %1 = "stablehlo.reduce_precision"(%x) {exponent_bits = 5 : i32, mantissa_bits = 10 : i32} : (tensor<3xf32>) -> tensor<3xf32>
    stablehlo.return %1 : tensor<3xf32>
  }) : (tensor<i32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}"#;
        let e = import_text(text, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        assert!(
            e.message
                .contains("stablehlo.custom_call target \"first_kernel\" at line 3: not supported"),
            "{e}"
        );
        assert!(
            e.message
                .contains("stablehlo.reduce_precision at line 6: not supported"),
            "{e}"
        );
    }

    #[test]
    fn a_value_defined_twice_is_refused() {
        let text = "func.func @main(%a: tensor<3xf32>) -> tensor<3xf32> {\n  %0 = stablehlo.negate %a : tensor<3xf32>\n  %0 = stablehlo.abs %a : tensor<3xf32>\n  return %0 : tensor<3xf32>\n}\n";
        let e = import_text(text, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
        assert!(
            e.message
                .starts_with("stablehlo.abs at line 3: value %0 is defined twice"),
            "{e}"
        );
    }

    #[test]
    fn a_branch_reads_values_defined_around_it() {
        let text = r#"func.func public @main(%i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %n = stablehlo.negate %x : tensor<3xf32>
  %0 = "stablehlo.case"(%i) ({
    stablehlo.return %n : tensor<3xf32>
  }, {
    %1 = stablehlo.abs %n : tensor<3xf32>
    stablehlo.return %1 : tensor<3xf32>
  }) : (tensor<i32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}"#;
        let g = import_text(text, None).unwrap();
        let ops: Vec<String> = g.nodes.iter().map(|n| n.op.name().to_string()).collect();
        assert!(ops.contains(&"Neg".to_string()), "{ops:?}");
        assert!(ops.contains(&"Abs".to_string()), "{ops:?}");
        assert!(ops.contains(&"Select".to_string()), "{ops:?}");
    }
}
