//! TOSA's region ops. `cond_if` runs both branches and selects per result
//! (TOSA ops have no side effects, and both branches yield the same types);
//! `while_loop` becomes the canonical structured Loop: its body graph runs
//! the `do` region, then the condition region on the new values.
use crate::map::Operand;
use crate::mlir::{Walk, bind_results, captured_by, key_of, operands, tensor_type};
use melior::ir::RegionLike;
use melior::ir::ValueLike;
use melior::ir::block::{BlockLike, BlockRef};
use melior::ir::operation::{OperationLike, OperationRef};
use o2l_canon::ops::control::{Body, Control};
use o2l_canon::ops::{Elementwise, Movement};
use o2l_canon::{DType, Error, Graph, Op, Origin, Result, Tensor, TensorType, ValueId};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) fn map(walk: &mut Walk, o: &OperationRef, origin: &Origin) -> Result<()> {
    let ops = operands(o, walk.values)?;
    let tensors: Vec<ValueId> = ops
        .iter()
        .map(|x| match x {
            Operand::Tensor(v) => Ok(*v),
            Operand::Shape(_) => Err(Error::unsupported("a !tosa.shape through a region op")),
        })
        .collect::<Result<_>>()?;
    let results = if o.name().as_string_ref().as_str().ok() == Some("tosa.cond_if") {
        cond_if(walk, o, origin, &tensors)?
    } else {
        while_loop(walk, o, origin, &tensors)?
    };
    for (k, &v) in results.iter().enumerate() {
        let declared = o
            .result(k)
            .map_err(|_| Error::invalid(format!("the op has no result {k}")))?;
        let want = tensor_type(declared.r#type())?;
        if walk.graph.ty(v) != &want {
            return Err(Error::invalid(format!(
                "result {k} is declared {want}, the regions give {}",
                walk.graph.ty(v)
            )));
        }
    }
    let results = results.into_iter().map(Operand::Tensor).collect();
    bind_results(o, walk.values, results)
}

fn region_block<'c, 'a>(o: &OperationRef<'c, 'a>, k: usize) -> Result<BlockRef<'c, 'a>> {
    o.region(k)
        .ok()
        .and_then(|r| r.first_block())
        .ok_or_else(|| Error::invalid(format!("region {k} is missing or empty")))
}

/// Walks `block` with its arguments bound to `args`, in the same graph.
fn inline(walk: &mut Walk, block: &BlockRef, args: &[ValueId]) -> Result<Vec<ValueId>> {
    if block.argument_count() != args.len() {
        return Err(Error::invalid(format!(
            "a region takes {} arguments, it is given {}",
            block.argument_count(),
            args.len()
        )));
    }
    for (i, &v) in args.iter().enumerate() {
        let a = block
            .argument(i)
            .map_err(|_| Error::internal("region argument"))?;
        walk.values.insert(key_of(a.into()), Operand::Tensor(v));
    }
    let mut inner = Walk {
        graph: walk.graph,
        values: walk.values,
        resources: walk.resources,
        unsupported: Vec::new(),
        depth: walk.depth + 1,
    };
    let out = inner.block(block);
    if let Some(e) = inner.unsupported.into_iter().next() {
        return Err(e);
    }
    out?.into_iter()
        .map(|x| match x {
            Operand::Tensor(v) => Ok(v),
            Operand::Shape(_) => Err(Error::unsupported("a region yielding a !tosa.shape")),
        })
        .collect()
}

/// A condition yielded as tensor<i1> or tensor<1xi1>, as a 0-d bool.
fn scalar_condition(graph: &mut Graph, origin: &Origin, c: ValueId) -> Result<ValueId> {
    let t = graph.ty(c).clone();
    if t.dtype != DType::Bool
        || t.known_dims()
            .is_none_or(|d| d.iter().product::<u64>() != 1)
    {
        return Err(Error::invalid(format!(
            "a condition must be one i1, got {t}"
        )));
    }
    if t.rank() == 0 {
        return Ok(c);
    }
    let op = Op::Movement(Movement::Reshape { shape: vec![] });
    Ok(graph.add_node(op, &[c], origin)?[0])
}

fn cond_if(
    walk: &mut Walk,
    o: &OperationRef,
    origin: &Origin,
    ops: &[ValueId],
) -> Result<Vec<ValueId>> {
    let Some((&cond, inputs)) = ops.split_first() else {
        return Err(Error::invalid("tosa.cond_if needs a condition"));
    };
    let cond = scalar_condition(walk.graph, origin, cond)?;
    let then = inline(walk, &region_block(o, 0)?, inputs)?;
    let otherwise = inline(walk, &region_block(o, 1)?, inputs)?;
    if then.len() != otherwise.len() || then.len() != o.result_count() {
        return Err(Error::invalid(format!(
            "the branches yield {} and {} values for {} results",
            then.len(),
            otherwise.len(),
            o.result_count()
        )));
    }
    then.iter()
        .zip(&otherwise)
        .map(|(&a, &b)| {
            let op = Op::Elementwise(Elementwise::Select);
            Ok(walk.graph.add_node(op, &[cond, a, b], origin)?[0])
        })
        .collect()
}

fn while_loop(
    walk: &mut Walk,
    o: &OperationRef,
    origin: &Origin,
    carried: &[ValueId],
) -> Result<Vec<ValueId>> {
    let (cond_block, body_block) = (region_block(o, 0)?, region_block(o, 1)?);
    // The first test, on the initial values, in the enclosing graph.
    let first = inline(walk, &cond_block, carried)?;
    let [c0] = first[..] else {
        return Err(Error::invalid("the condition region must yield one value"));
    };
    let cond0 = scalar_condition(walk.graph, origin, c0)?;

    let tag = format!("{}/body", origin.node);
    let mut g = Graph::new(tag);
    g.limits = walk.graph.limits;
    let scalar = |d: DType| TensorType::new(d, vec![]);
    g.add_input("iteration", scalar(DType::I64))?;
    g.add_input("condition", scalar(DType::Bool))?;
    let mut args = Vec::with_capacity(carried.len());
    for (i, &v) in carried.iter().enumerate() {
        args.push(g.add_input(format!("carried{i}"), walk.graph.ty(v).clone())?);
    }
    // Values the regions read from outside: constants copied in, the rest
    // become extra operands of the loop (and inputs of the body).
    let mut inner_values: HashMap<usize, Operand> = HashMap::new();
    let mut captured = Vec::new();
    for v in captured_by(o) {
        let k = key_of(v);
        let Some(outer) = walk.values.get(&k).cloned() else {
            return Err(Error::unsupported(
                "a region reads a value from an op that could not be converted",
            ));
        };
        let inner = match outer {
            Operand::Shape(s) => Operand::Shape(s),
            Operand::Tensor(id) => match walk.graph.constant(id).cloned() {
                Some(t) => Operand::Tensor(g.add_constant(format!("captured{k}"), t)?),
                None => {
                    captured.push(id);
                    let ty = walk.graph.ty(id).clone();
                    Operand::Tensor(g.add_input(format!("captured{}", captured.len()), ty)?)
                }
            },
        };
        inner_values.insert(k, inner);
    }
    let mut body_walk = Walk {
        graph: &mut g,
        values: &mut inner_values,
        resources: walk.resources,
        unsupported: Vec::new(),
        depth: walk.depth + 1,
    };
    let next = inline(&mut body_walk, &body_block, &args)?;
    if next.len() != carried.len() {
        return Err(Error::invalid(format!(
            "the body yields {} values for {} carried ones",
            next.len(),
            carried.len()
        )));
    }
    let test = inline(&mut body_walk, &cond_block, &next)?;
    let [c] = test[..] else {
        return Err(Error::invalid("the condition region must yield one value"));
    };
    let c = scalar_condition(&mut g, origin, c)?;
    g.outputs = std::iter::once(c).chain(next).collect();
    g.prune();

    let max = walk.graph.add_constant(
        format!("{}/max_trips", origin.node),
        Tensor::from_i64s(DType::I64, vec![], &[i64::MAX])?,
    )?;
    let mut loop_operands = vec![max, cond0];
    loop_operands.extend(carried);
    loop_operands.extend(&captured);
    let op = Op::Control(Control::Loop {
        body: Body(Arc::new(g)),
        carried: carried.len(),
        trips: format!("{}_trips", origin.node),
    });
    walk.graph.add_node(op, &loop_operands, origin)
}
