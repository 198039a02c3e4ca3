//! Sampling an input at coordinates computed at run time (GridSample,
//! RoiAlign).
use super::{Family, OpSpec, expect_operands, expect_same_dtype};
use crate::{Dim, Result, TensorType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleMode {
    Nearest,
    Linear,
    Cubic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplePadding {
    /// Outside positions read 0.
    Zeros,
    /// Coordinates clamp to the edge.
    Border,
    /// Coordinates reflect at the borders.
    Reflection,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// `y[n, c, o..] = X[n, c] sampled at grid[n, o.., :]` (normalised
    /// coordinates in [-1, 1], the last grid dim listing x (width) first).
    GridSample {
        mode: SampleMode,
        padding: SamplePadding,
        align_corners: bool,
    },
    /// `y[r, c, ph, pw]` = the average (or the max) of bilinear samples of
    /// `X[batch[r], c]` on a grid inside bin (ph, pw) of region r. Operands:
    /// X (N, C, H, W), rois (R, 4) as (x1, y1, x2, y2), batch (R) i64.
    RoiAlign {
        max: bool,
        output: (u64, u64),
        /// Samples per bin along each axis; 0: ceil(region size / bins).
        sampling_ratio: u64,
        spatial_scale: f64,
        /// Shift the scaled region by -0.5 (no minimum size of 1).
        half_pixel: bool,
    },
}

pub const SPECS: &[OpSpec] = &[
    OpSpec {
        name: "RoiAlign",
        family: Family::Sample,
        doc: "bilinear samples of regions of interest, averaged or maxed per output bin",
        operands: &["x", "rois", "batch_indices"],
        attributes: &[
            "max: bool",
            "output: (u64, u64)",
            "sampling_ratio: u64",
            "spatial_scale: f64",
            "half_pixel: bool",
        ],
    },
    OpSpec {
        name: "GridSample",
        family: Family::Sample,
        doc: "sample N x C x D.. at normalised run-time coordinates: nearest, linear or cubic; zeros, border or reflection padding",
        operands: &["x", "grid"],
        attributes: &[
            "mode: nearest|linear|cubic",
            "padding: zeros|border|reflection",
            "align_corners: bool",
        ],
    },
];

impl Sample {
    pub fn name(&self) -> &'static str {
        match self {
            Sample::GridSample { .. } => "GridSample",
            Sample::RoiAlign { .. } => "RoiAlign",
        }
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        if let Sample::RoiAlign { output, .. } = self {
            expect_operands("RoiAlign", inputs, 3, 3)?;
            let (x, rois, batch) = (inputs[0], inputs[1], inputs[2]);
            expect_same_dtype("RoiAlign", x, rois)?;
            let fits = x.rank() == 4
                && x.dtype.is_float()
                && !x.dtype.is_narrow()
                && rois.rank() == 2
                && rois.shape[1] == Dim::Known(4)
                && batch.shape.len() == 1
                && batch.shape[0] == rois.shape[0]
                && batch.dtype == crate::DType::I64
                && x.shape[2..].iter().all(|d| d.known().is_some());
            if !fits {
                crate::bail!(
                    InvalidModel,
                    "RoiAlign takes float X (N, C, H, W) with static H, W, rois (R, 4) and i64 batch indices (R), got {x}, {rois}, {batch}"
                );
            }
            return Ok(vec![TensorType::new(
                x.dtype,
                vec![
                    rois.shape[0].clone(),
                    x.shape[1].clone(),
                    Dim::Known(output.0),
                    Dim::Known(output.1),
                ],
            )]);
        }
        expect_operands("GridSample", inputs, 2, 2)?;
        let (x, grid) = (inputs[0], inputs[1]);
        expect_same_dtype("GridSample", x, grid)?;
        let k = x.rank().saturating_sub(2);
        if !x.dtype.is_float() || !(k == 2 || k == 3) || grid.rank() != k + 2 {
            crate::bail!(
                InvalidModel,
                "GridSample takes float N x C x (2 or 3 spatial dims) and a grid N x (dims..) x k, got {x} and {grid}"
            );
        }
        if grid.shape[k + 1] != Dim::Known(k as u64) || grid.shape[0] != x.shape[0] {
            crate::bail!(
                InvalidModel,
                "GridSample grid {grid} does not fit input {x}"
            );
        }
        let mut shape = vec![x.shape[0].clone(), x.shape[1].clone()];
        shape.extend(grid.shape[1..=k].iter().cloned());
        Ok(vec![TensorType::new(x.dtype, shape)])
    }
}
