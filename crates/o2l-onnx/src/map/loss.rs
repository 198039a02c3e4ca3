//! NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, composed: the
//! target class of every position is gathered from the (log-)probabilities
//! along the class axis 1, weighted (class weights, 0 where the target is
//! `ignore_index`), negated, then reduced as `reduction` says; `mean` divides
//! by the sum of the weights, as the ONNX reference does.
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Movement, Norm, Reduce, ReduceKind, Unary};
use o2l_canon::{DType, Dim, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "NegativeLogLikelihoodLoss",
        &[12, 13, 22],
        &[
            "GatherElements",
            "Gather",
            "Reshape",
            "Equal",
            "Select",
            "Mul",
            "Neg",
            "ReduceSum",
            "Div",
            "Not",
        ],
        nll_loss,
        "-input[n, target, d..] * weight[target], reduced; ignore_index weighs 0",
    ),
    row(
        "SoftmaxCrossEntropyLoss",
        &[12, 13],
        &[
            "LogSoftmax",
            "GatherElements",
            "Gather",
            "Reshape",
            "Equal",
            "Select",
            "Mul",
            "Neg",
            "ReduceSum",
            "Div",
            "Not",
        ],
        softmax_cross_entropy,
        "NegativeLogLikelihoodLoss of LogSoftmax along axis 1; log_prob is the second output",
    ),
];

#[derive(Clone, Copy, PartialEq)]
enum Reduction {
    None,
    Sum,
    Mean,
}

fn reduction(ctx: &MapCtx) -> Result<Reduction> {
    match ctx.attrs.string_or("reduction", "mean")?.as_str() {
        "none" => Ok(Reduction::None),
        "sum" => Ok(Reduction::Sum),
        "mean" => Ok(Reduction::Mean),
        other => Err(Error::invalid(format!(
            "reduction must be none, sum or mean, got \"{other}\""
        ))),
    }
}

fn sum_all(ctx: &mut MapCtx, x: ValueId) -> Result<ValueId> {
    let rank = ctx.ty(x).rank();
    ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Sum,
            axes: (0..rank).collect(),
            keep_dims: false,
        }),
        &[x],
    )
}

/// The loss of log-probabilities `logp` (N, C, d..) against `target` (N, d..).
/// `uniform_mean` keeps the reference's plain mean over all positions for
/// NegativeLogLikelihoodLoss without weights and with `ignore_index = -1`.
fn nll_of(
    ctx: &mut MapCtx,
    logp: ValueId,
    target: ValueId,
    weight: Option<ValueId>,
    ignore: Option<i64>,
    how: Reduction,
    uniform_mean: bool,
) -> Result<ValueId> {
    let lt = ctx.ty(logp);
    let tt = ctx.ty(target);
    let dtype = lt.dtype;
    if lt.rank() < 2 || tt.rank() + 1 != lt.rank() {
        return Err(Error::invalid(format!(
            "the loss takes input (N, C, d..) and target (N, d..), got {lt} and {tt}"
        )));
    }
    if !tt.dtype.is_int() {
        return Err(Error::invalid(format!(
            "the loss target must hold integers, got {}",
            tt.dtype
        )));
    }
    let target = ctx.cast(target, DType::I64)?;
    // Ignored positions read class 0 (their value is dropped below).
    let valid = match ignore {
        Some(ii) => {
            let i = ctx.scalar(DType::I64, ii as f64)?;
            let hit = ctx.emit1(
                Op::Elementwise(Elementwise::Compare(Compare::Equal)),
                &[target, i],
            )?;
            Some(ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Not)), &[hit])?)
        }
        None => None,
    };
    let safe = match valid {
        Some(ok) => {
            let zero = ctx.scalar(DType::I64, 0.0)?;
            ctx.emit1(Op::Elementwise(Elementwise::Select), &[ok, target, zero])?
        }
        None => target,
    };
    let mut idx_shape = tt.shape.clone();
    idx_shape.insert(1, Dim::Known(1));
    let idx = ctx.reshape(safe, idx_shape)?;
    let picked = ctx.emit1(
        Op::Movement(Movement::GatherElements { axis: 1 }),
        &[logp, idx],
    )?;
    let picked = ctx.reshape(picked, tt.shape.clone())?;
    let mut loss = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Neg)), &[picked])?;
    // Per-position weights: class weights, zero where ignored.
    let w = match weight {
        Some(wc) => Some(ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[wc, safe])?),
        None if valid.is_some() && !uniform_mean => Some(ctx.scalar(dtype, 1.0)?),
        None => None,
    };
    let w = match (w, valid) {
        (Some(w), Some(ok)) => {
            let zero = ctx.scalar(dtype, 0.0)?;
            let w = if ctx.ty(w).rank() == 0 {
                // A full tensor of ones, so that the mean's denominator counts positions.
                let one = w;
                ctx.emit1(Op::Elementwise(Elementwise::Select), &[ok, one, zero])?
            } else {
                ctx.emit1(Op::Elementwise(Elementwise::Select), &[ok, w, zero])?
            };
            Some(w)
        }
        (w, None) => w,
        (None, Some(ok)) => {
            // No weights and the plain mean: ignored positions still lose 0.
            let zero = ctx.scalar(dtype, 0.0)?;
            loss = ctx.emit1(Op::Elementwise(Elementwise::Select), &[ok, loss, zero])?;
            None
        }
    };
    if let Some(w) = w {
        loss = ctx.binary(Binary::Mul, w, loss)?;
    }
    match how {
        Reduction::None => Ok(loss),
        Reduction::Sum => sum_all(ctx, loss),
        Reduction::Mean => {
            let total = sum_all(ctx, loss)?;
            match w {
                Some(w) => {
                    let denom = sum_all(ctx, w)?;
                    ctx.binary(Binary::Div, total, denom)
                }
                None => {
                    let count = tt
                        .known_dims()
                        .map(|d| d.iter().product::<u64>())
                        .ok_or_else(|| Error::unsupported("a mean loss over symbolic dims"))?;
                    let n = ctx.scalar(dtype, count as f64)?;
                    ctx.binary(Binary::Div, total, n)
                }
            }
        }
    }
}

/// Input, target, optional class weights, ignore_index and reduction of a loss node.
struct LossInputs {
    x: ValueId,
    target: ValueId,
    weight: Option<ValueId>,
    ignore: Option<i64>,
    how: Reduction,
}

fn loss_inputs(ctx: &MapCtx) -> Result<LossInputs> {
    Ok(LossInputs {
        x: ctx.input(0)?,
        target: ctx.input(1)?,
        weight: ctx.opt_input(2),
        ignore: ctx.attrs.int("ignore_index")?,
        how: reduction(ctx)?,
    })
}

fn nll_loss(ctx: &mut MapCtx) -> Result<()> {
    let LossInputs {
        x,
        target,
        weight,
        ignore,
        how,
    } = loss_inputs(ctx)?;
    let uniform_mean = weight.is_none() && ignore == Some(-1);
    let loss = nll_of(ctx, x, target, weight, ignore, how, uniform_mean)?;
    ctx.bind(0, loss)
}

fn softmax_cross_entropy(ctx: &mut MapCtx) -> Result<()> {
    let LossInputs {
        x,
        target,
        weight,
        ignore,
        how,
    } = loss_inputs(ctx)?;
    let logp = ctx.emit1(Op::Norm(Norm::LogSoftmax { axis: 1 }), &[x])?;
    let loss = nll_of(ctx, logp, target, weight, ignore, how, false)?;
    ctx.bind(0, loss)?;
    if ctx.output_wanted(1) {
        ctx.bind(1, logp)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn losses_reduce_to_a_scalar_and_keep_positions_with_reduction_none() {
        let model = |op: &str, reduction: &str, outs: &[&str]| {
            let mut m = M::new(13)
                .input(f32_in("x", &[3, 5, 2]))
                .input(vi("t", 7, &[D::N(3), D::N(2)]))
                .input(f32_in("w", &[5]))
                .node(with_attrs(
                    node(op, "loss", &["x", "t", "w"], outs),
                    vec![a_str("reduction", reduction), a_int("ignore_index", -1)],
                ));
            for o in outs {
                m = m.output(o);
            }
            m
        };
        let g = model("NegativeLogLikelihoodLoss", "mean", &["l"])
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), Vec::<u64>::new());
        let g = model("SoftmaxCrossEntropyLoss", "none", &["l", "logp"])
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![3, 2]);
        assert_eq!(out_dims(&g, 1), vec![3, 5, 2]);
        let e = model("NegativeLogLikelihoodLoss", "median", &["l"])
            .import()
            .unwrap_err();
        assert!(e.message.contains("\"median\""), "{e}");
    }
}
