//! Optional values that are known at conversion time: a present tensor is the
//! tensor itself, an absent input is an empty optional. Optional-typed graph
//! inputs and outputs are refused at the graph boundary (import.rs).
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::{DType, Result, Tensor};

pub(crate) static RULES: &[Rule] = &[
    row(
        "OptionalHasElement",
        &[15, 18, 28],
        &[],
        has_element,
        "a constant: true for a tensor input, false for an absent one",
    ),
    row(
        "OptionalGetElement",
        &[15, 18, 28],
        &[],
        get_element,
        "alias of a tensor input (18+ accepts plain tensors)",
    ),
];

fn has_element(ctx: &mut MapCtx) -> Result<()> {
    let present = (0..ctx.num_inputs()).any(|i| ctx.opt_input(i).is_some());
    let v = ctx.constant(Tensor::from_i64s(DType::Bool, vec![], &[present as i64])?)?;
    ctx.bind(0, v)
}

fn get_element(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    ctx.bind(0, x)
}
