//! `ai.onnx.ml` ops with a tensor meaning (the string-keyed ones have none:
//! string tensors have no linalg representation).
use super::{MapCtx, Rule, known_product};
use o2l_canon::ops::{Compare, Elementwise, Movement};
use o2l_canon::{Dim, Error, Op, Result};

const fn ml(
    op_type: &'static str,
    produces: &'static [&'static str],
    map: super::MapFn,
    note: &'static str,
) -> Rule {
    Rule {
        domain: "ai.onnx.ml",
        op_type,
        since: &[1],
        produces,
        map,
        note,
    }
}

pub(crate) static RULES: &[Rule] = &[
    ml(
        "Binarizer",
        &["Greater", "Select"],
        binarizer,
        "x > threshold ? 1 : 0, in x's type",
    ),
    ml(
        "ArrayFeatureExtractor",
        &["Reshape", "Gather"],
        array_feature_extractor,
        "Gather along the last axis with the flattened indices; 1-D data gives one row",
    ),
];

fn binarizer(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let threshold = ctx.attrs.float_or("threshold", 0.0)? as f64;
    let t = ctx.scalar(dtype, threshold)?;
    let above = ctx.emit1(
        Op::Elementwise(Elementwise::Compare(Compare::Greater)),
        &[x, t],
    )?;
    let one = ctx.scalar(dtype, 1.0)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let y = ctx.emit1(Op::Elementwise(Elementwise::Select), &[above, one, zero])?;
    ctx.bind(0, y)
}

fn array_feature_extractor(ctx: &mut MapCtx) -> Result<()> {
    let (x, idx) = (ctx.input(0)?, ctx.input(1)?);
    let xt = ctx.ty(x);
    let count = known_product(&ctx.ty(idx).shape).ok_or_else(|| {
        Error::unsupported("ArrayFeatureExtractor with symbolic dims in its indices")
    })?;
    let Some(axis) = xt.rank().checked_sub(1) else {
        return Err(Error::invalid(
            "ArrayFeatureExtractor data must have rank >= 1",
        ));
    };
    let flat = ctx.reshape(idx, vec![Dim::Known(count)])?;
    let y = ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, flat])?;
    let y = if xt.rank() == 1 {
        ctx.reshape(y, vec![Dim::Known(1), Dim::Known(count)])?
    } else {
        y
    };
    ctx.bind(0, y)
}
