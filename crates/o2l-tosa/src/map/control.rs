//! TOSA's region ops. `cond_if` runs both branches and selects per result
//! (TOSA ops have no side effects, and both branches yield the same types);
//! `while_loop` becomes the canonical structured Loop: its body graph runs
//! the `do` region, then the condition region on the new values. The
//! regions are mapped by the walker, through the context.
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::compose;
use o2l_canon::ops::Elementwise;
use o2l_canon::ops::control::{Body, Control};
use o2l_canon::{Builder, DType, Error, Graph, Op, Result, Tensor, TensorType, ValueId};
use std::sync::Arc;

pub(crate) static RULES: &[Rule] = &[
    rule(
        "tosa.cond_if",
        &["Select"],
        cond_if,
        "both branches run (TOSA ops have no side effects), each result selected by the condition; regions may read outer values",
    ),
    rule(
        "tosa.while_loop",
        &["Loop"],
        while_loop,
        "a structured Loop whose body is the do region then the condition region; run-time trip count; outer values captured",
    ),
];

/// The op's operands, all tensors.
fn tensor_operands(ctx: &OpCtx) -> Result<Vec<ValueId>> {
    (0..ctx.num_operands())
        .map(|k| match ctx.shape_operand(k) {
            Ok(_) => Err(Error::unsupported("a !tosa.shape through a region op")),
            Err(_) => ctx.input(k),
        })
        .collect()
}

/// Binds `results` to the op's results, each of exactly its declared type.
fn bind_all(ctx: &mut OpCtx, results: Vec<ValueId>) -> Result<()> {
    for (k, v) in results.into_iter().enumerate() {
        let want = ctx.result_type(k)?.clone();
        if ctx.ty(v) != want {
            return Err(Error::invalid(format!(
                "result {k} is declared {want}, the regions give {}",
                ctx.ty(v)
            )));
        }
        ctx.bind(k, v)?;
    }
    Ok(())
}

fn cond_if(ctx: &mut OpCtx) -> Result<()> {
    let ops = tensor_operands(ctx)?;
    let Some((&cond, inputs)) = ops.split_first() else {
        return Err(Error::invalid("tosa.cond_if needs a condition"));
    };
    let cond = compose::scalar_condition(ctx.graph, ctx.origin, cond)?;
    // Both branches are walked before either error is raised, so the
    // unsupported ops of both are reported.
    let then = ctx.region(0, inputs);
    let otherwise = ctx.region(1, inputs);
    let (then, otherwise) = (then?, otherwise?);
    let n = ctx.num_results();
    if then.len() != otherwise.len() || then.len() != n {
        return Err(Error::invalid(format!(
            "the branches yield {} and {} values for {n} results",
            then.len(),
            otherwise.len(),
        )));
    }
    let selected = then
        .iter()
        .zip(&otherwise)
        .map(|(&a, &b)| ctx.elementwise(Elementwise::Select, &[cond, a, b]))
        .collect::<Result<Vec<_>>>()?;
    bind_all(ctx, selected)
}

fn while_loop(ctx: &mut OpCtx) -> Result<()> {
    let carried = tensor_operands(ctx)?;
    // Region 0 is the condition, region 1 the body (`do`). The first test,
    // on the initial values, runs in the enclosing graph.
    let first = ctx.region(0, &carried);

    let mut g = Graph::new(format!("{}/body", ctx.origin.node));
    g.limits = ctx.graph.limits;
    let scalar = |d: DType| TensorType::new(d, vec![]);
    g.add_input("iteration", scalar(DType::I64))?;
    g.add_input("condition", scalar(DType::Bool))?;
    let mut args = Vec::with_capacity(carried.len());
    for (i, &v) in carried.iter().enumerate() {
        args.push(g.add_input(format!("carried{i}"), ctx.ty(v))?);
    }
    // Values the regions read from outside: constants copied in, the rest
    // become extra operands of the loop (and inputs of the body).
    let captured = ctx.capture_into(&mut g)?;
    // The body is walked even when the first test failed, so that the
    // unsupported ops of both regions are reported; the body graph adds
    // nothing to the enclosing one.
    let next = ctx.body_region(&mut g, 1, &args);
    let first = first?;
    let [c0] = first[..] else {
        return Err(Error::invalid("the condition region must yield one value"));
    };
    let cond0 = compose::scalar_condition(ctx.graph, ctx.origin, c0)?;
    let next = next?;
    if next.len() != carried.len() {
        return Err(Error::invalid(format!(
            "the body yields {} values for {} carried ones",
            next.len(),
            carried.len()
        )));
    }
    let test = ctx.body_region(&mut g, 0, &next)?;
    let [c] = test[..] else {
        return Err(Error::invalid("the condition region must yield one value"));
    };
    let c = compose::scalar_condition(&mut g, ctx.origin, c)?;
    g.outputs = std::iter::once(c).chain(next).collect();
    g.prune();

    let max = ctx.graph.add_constant(
        format!("{}/max_trips", ctx.origin.node),
        Tensor::from_i64s(DType::I64, vec![], &[i64::MAX])?,
    )?;
    let mut loop_operands = vec![max, cond0];
    loop_operands.extend(&carried);
    loop_operands.extend(&captured);
    let op = Op::Control(Control::Loop {
        body: Body(Arc::new(g)),
        carried: carried.len(),
        trips: format!("{}_trips", ctx.origin.node),
    });
    let results = ctx.emit(op, &loop_operands)?;
    bind_all(ctx, results)
}

#[cfg(test)]
mod tests {
    const BRANCHES_WITH_UNSUPPORTED_OPS: &str = r#"
func.func @f(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %y = "tosa.cond_if"(%c, %x) ({
  ^bb0(%a: tensor<2xf32>):
    %e = math.exp %a : tensor<2xf32>
    tosa.yield %e : tensor<2xf32>
  }, {
  ^bb0(%a: tensor<2xf32>):
    %s = math.sin %a : tensor<2xf32>
    tosa.yield %s : tensor<2xf32>
  }) : (tensor<i1>, tensor<2xf32>) -> tensor<2xf32>
  %z = math.cos %y : tensor<2xf32>
  return %z : tensor<2xf32>
}
"#;

    #[test]
    fn unsupported_ops_in_regions_are_reported_with_the_rest() {
        let e = crate::import_text(BRANCHES_WITH_UNSUPPORTED_OPS, None).unwrap_err();
        assert_eq!(e.kind, o2l_canon::ErrorKind::Unsupported, "{e}");
        let text = e.to_string();
        assert!(text.contains("op math.exp is not supported"), "{text}");
        assert!(text.contains("op math.sin is not supported"), "{text}");
        // cos reads the cond_if's result, which could not be converted.
        assert!(text.contains("and 2 more"), "{text}");
        assert!(!text.contains("region holds"), "{text}");
    }

    const BODY_WITH_UNSUPPORTED_OPS: &str = r#"
func.func @f(%x: tensor<2xf32>, %n: tensor<i32>) -> tensor<2xf32> {
  %zero = "tosa.const"() <{values = dense<0> : tensor<i32>}> : () -> tensor<i32>
  %r:2 = tosa.while_loop (%i = %zero, %acc = %x) : (tensor<i32>, tensor<2xf32>) -> (tensor<i32>, tensor<2xf32>) {
    %f = math.floor %acc : tensor<2xf32>
    %more = tosa.greater %n, %i : (tensor<i32>, tensor<i32>) -> tensor<i1>
    tosa.yield %more : tensor<i1>
  } do {
  ^bb0(%i1: tensor<i32>, %acc1: tensor<2xf32>):
    %one = "tosa.const"() <{values = dense<1> : tensor<i32>}> : () -> tensor<i32>
    %next = tosa.add %i1, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %e = math.exp %acc1 : tensor<2xf32>
    %s = math.sin %e : tensor<2xf32>
    %t = math.tan %acc1 : tensor<2xf32>
    tosa.yield %next, %s : tensor<i32>, tensor<2xf32>
  }
  return %r#1 : tensor<2xf32>
}
"#;

    #[test]
    fn unsupported_ops_in_a_loop_body_are_all_reported() {
        let e = crate::import_text(BODY_WITH_UNSUPPORTED_OPS, None).unwrap_err();
        assert_eq!(e.kind, o2l_canon::ErrorKind::Unsupported, "{e}");
        let text = e.to_string();
        // The condition's op once (it is walked before the loop, then
        // no more), the body's two.
        assert!(text.contains("op math.floor is not supported"), "{text}");
        assert!(text.contains("op math.exp is not supported"), "{text}");
        assert!(text.contains("op math.tan is not supported"), "{text}");
        assert!(text.contains("and 3 more"), "{text}");
        assert!(!text.contains("region holds"), "{text}");
    }
}
