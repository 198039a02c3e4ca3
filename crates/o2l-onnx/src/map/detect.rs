//! Detection ops: NonMaxSuppression onto the canonical Detect family,
//! RoiAlign onto Sample.
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Detect, Sample};
use o2l_canon::{DType, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "NonMaxSuppression",
        &[10, 11],
        &["NonMaxSuppression", "Reshape"],
        non_max_suppression,
        "greedy per class; thresholds may be run-time scalars; the selected count is a run-time dim",
    ),
    row(
        "RoiAlign",
        &[10, 16, 22],
        &["RoiAlign"],
        roi_align,
        "avg or max; fixed or adaptive sampling grid; half_pixel or output_half_pixel (10: output_half_pixel)",
    ),
];

fn roi_align(ctx: &mut MapCtx) -> Result<()> {
    let (x, rois, batch) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let max = match ctx.attrs.string_or("mode", "avg")?.as_str() {
        "avg" => false,
        "max" => true,
        other => {
            return Err(Error::invalid(format!(
                "RoiAlign mode \"{other}\": expected avg or max"
            )));
        }
    };
    let default_mode = if ctx.version >= 16 {
        "half_pixel"
    } else {
        "output_half_pixel"
    };
    let half_pixel = match ctx
        .attrs
        .string_or("coordinate_transformation_mode", default_mode)?
        .as_str()
    {
        "half_pixel" => true,
        "output_half_pixel" => false,
        other => {
            return Err(Error::invalid(format!(
                "RoiAlign coordinate_transformation_mode \"{other}\": expected half_pixel or output_half_pixel"
            )));
        }
    };
    let size = |ctx: &MapCtx, name: &str| -> Result<u64> {
        let v = ctx.attrs.int_or(name, 1)?;
        u64::try_from(v)
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| Error::invalid(format!("RoiAlign {name} must be positive, got {v}")))
    };
    let output = (size(ctx, "output_height")?, size(ctx, "output_width")?);
    let ratio = ctx.attrs.int_or("sampling_ratio", 0)?;
    let sampling_ratio = u64::try_from(ratio).map_err(|_| {
        Error::invalid(format!("RoiAlign sampling_ratio must be >= 0, got {ratio}"))
    })?;
    let spatial_scale = f64::from(ctx.attrs.float_or("spatial_scale", 1.0)?);
    let batch = if ctx.ty(batch).dtype == DType::I64 {
        batch
    } else {
        ctx.cast(batch, DType::I64)?
    };
    let op = Op::Sample(Sample::RoiAlign {
        max,
        output,
        sampling_ratio,
        spatial_scale,
        half_pixel,
    });
    let y = ctx.emit1(op, &[x, rois, batch])?;
    ctx.bind(0, y)
}

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
