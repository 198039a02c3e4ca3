//! NonMaxSuppression onto the canonical Detect family.
use super::{MapCtx, Rule, row};
use o2l_canon::ops::Detect;
use o2l_canon::{DType, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[row(
    "NonMaxSuppression",
    &[10, 11],
    &["NonMaxSuppression", "Reshape"],
    non_max_suppression,
    "greedy per class; thresholds may be run-time scalars; the selected count is a run-time dim",
)];

fn non_max_suppression(ctx: &mut MapCtx) -> Result<()> {
    let boxes = ctx.input(0)?;
    let scores = ctx.input(1)?;
    let d = ctx.ty(boxes).dtype;
    let center_point_box = match ctx.attrs.int_or("center_point_box", 0)? {
        0 => false,
        1 => true,
        other => {
            return Err(Error::invalid(format!(
                "center_point_box must be 0 or 1, got {other}"
            )));
        }
    };
    // Absent: no boxes at all (0 per class), IoU 0, no score filter.
    let max_out = threshold(ctx, 2, DType::I64, "max_output_boxes_per_class")?;
    let iou = threshold(ctx, 3, d, "iou_threshold")?;
    let score_filter = ctx.opt_input(4).is_some();
    let score = threshold(ctx, 4, d, "score_threshold")?;
    let count = format!("{}_selected", ctx.origin.node);
    let op = Op::Detect(Detect::NonMaxSuppression {
        center_point_box,
        score_filter,
        count,
    });
    let v = ctx.emit1(op, &[boxes, scores, max_out, iou, score])?;
    ctx.bind(0, v)
}

/// Input `i` as a 0-d value of `dtype` (a one-element tensor is reshaped, an
/// absent one is 0).
fn threshold(ctx: &mut MapCtx, i: usize, dtype: DType, what: &str) -> Result<ValueId> {
    let Some(v) = ctx.opt_input(i) else {
        return ctx.constant(Tensor::from_i64s(dtype, vec![], &[0])?);
    };
    let t = ctx.ty(v);
    if t.known_dims().map(|d| d.iter().product::<u64>()) != Some(1) {
        return Err(Error::invalid(format!(
            "NonMaxSuppression {what} must hold one value, got {t}"
        )));
    }
    let v = if t.dtype == dtype { v } else { ctx.cast(v, dtype)? };
    if t.rank() == 0 {
        Ok(v)
    } else {
        ctx.reshape(v, vec![])
    }
}
