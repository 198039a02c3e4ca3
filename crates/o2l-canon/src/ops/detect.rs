//! Object-detection post-processing: greedy non-maximum suppression. The
//! number of selected boxes is known only at run time.
use super::declare::canonical_ops;
use super::spec::{expect_operands, expect_same_dtype};
use crate::{DType, Dim, Result, TensorType};

canonical_ops! {
    family: Detect;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Detect {
        /// Per batch and class, boxes in descending score order (ties: lower
        /// index first) are kept unless a kept box overlaps them with an IoU
        /// above the threshold, up to `max_output` per class. Operands: boxes
        /// (B, N, 4), scores (B, C, N), and 0-d thresholds: max boxes per class
        /// (i64), IoU, score. Result: (count, 3) i64 rows (batch, class, box).
        NonMaxSuppression {
            /// Boxes are (x_center, y_center, width, height), else two corners
            /// (y1, x1, y2, x2) in either order.
            center_point_box: bool,
            /// Whether scores must exceed the score threshold (the operand is
            /// ignored otherwise).
            score_filter: bool,
            count: String,
        }
            => "greedy per-class suppression of boxes overlapping a higher-scored kept box: (count, 3) i64 (batch, class, box); count is a run-time dim",
            ["boxes", "scores", "max_per_class", "iou_threshold", "score_threshold"],
            ["center_point_box: bool", "score_filter: bool", "count: dim symbol"];
    }
}

impl Detect {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        let Detect::NonMaxSuppression { count, .. } = self;
        expect_operands("NonMaxSuppression", inputs, 5, 5)?;
        let [boxes, scores, max_out, iou, score] = inputs[..] else {
            unreachable!("five operands checked above");
        };
        expect_same_dtype("NonMaxSuppression", boxes, scores)?;
        expect_same_dtype("NonMaxSuppression", boxes, iou)?;
        expect_same_dtype("NonMaxSuppression", boxes, score)?;
        if !boxes.dtype.is_float() || boxes.dtype.is_narrow() {
            crate::bail!(Unsupported, "NonMaxSuppression of {} boxes", boxes.dtype);
        }
        if max_out.dtype != DType::I64 || max_out.rank() + iou.rank() + score.rank() != 0 {
            crate::bail!(
                InvalidModel,
                "NonMaxSuppression thresholds must be scalars (i64, float, float), got {max_out}, {iou}, {score}"
            );
        }
        let (Some(bs), Some(ss)) = (boxes.known_dims(), scores.known_dims()) else {
            crate::bail!(
                Unsupported,
                "NonMaxSuppression with symbolic dims: {boxes}, {scores}"
            );
        };
        match (&bs[..], &ss[..]) {
            ([b, n, 4], [b2, _, n2]) if b == b2 && n == n2 => {}
            _ => crate::bail!(
                InvalidModel,
                "NonMaxSuppression takes boxes (B, N, 4) and scores (B, C, N), got {boxes} and {scores}"
            ),
        }
        Ok(vec![TensorType::new(
            DType::I64,
            vec![Dim::Symbol(count.clone()), Dim::Known(3)],
        )])
    }
}
