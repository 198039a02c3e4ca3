//! Sampling an input at coordinates computed at run time (GridSample,
//! RoiAlign, the deformable-convolution gather).
use super::declare::canonical_ops;
use super::spec::{expect_operands, expect_same_dtype};
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

canonical_ops! {
    family: Sample;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Sample {
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
        }
            => "bilinear samples of regions of interest, averaged or maxed per output bin",
            ["x", "rois", "batch_indices"],
            [
                "max: bool",
                "output: (u64, u64)",
                "sampling_ratio: u64",
                "spatial_scale: f64",
                "half_pixel: bool",
            ];
        /// `y[n, c, o..] = X[n, c] sampled at grid[n, o.., :]` (normalised
        /// coordinates in [-1, 1], the last grid dim listing x (width) first).
        GridSample {
            mode: SampleMode,
            padding: SamplePadding,
            align_corners: bool,
        }
            => "sample N x C x D.. at normalised run-time coordinates: nearest, linear or cubic; zeros, border or reflection padding",
            ["x", "grid"],
            [
                "mode: nearest|linear|cubic",
                "padding: zeros|border|reflection",
                "align_corners: bool",
            ];
        /// The input of a deformable 2-D convolution: `y[n, c, a, b, i, j]` =
        /// mask × X[n, c] sampled bilinearly (zeros outside) at
        /// (i·sh − ph + a·dh + Δy, j·sw − pw + b·dw + Δx), the offsets Δ and the
        /// mask taken from offset group `c / (C / offset_groups)`. Operands: X
        /// (N, C, H, W), offsets (N, G·KH·KW·2, OH, OW), optional mask
        /// (N, G·KH·KW, OH, OW). A grouped contraction with the filter follows.
        DeformGather {
            kernel: [u64; 2],
            strides: [u64; 2],
            dilations: [u64; 2],
            pads_begin: [u64; 2],
            offset_groups: u64,
        }
            => "deformable-convolution input: X (N, C, H, W) sampled bilinearly (zeros outside) at each kernel tap shifted by its offset group's run-time offsets, times the optional mask: (N, C, KH, KW, OH, OW)",
            ["x", "offsets", "mask?"],
            [
                "kernel: [u64; 2]",
                "strides: [u64; 2]",
                "dilations: [u64; 2]",
                "pads_begin: [u64; 2]",
                "offset_groups: u64",
            ];
    }
}

impl Sample {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        if let Sample::DeformGather {
            kernel,
            offset_groups,
            ..
        } = self
        {
            expect_operands("DeformGather", inputs, 2, 3)?;
            let (x, off) = (inputs[0], inputs[1]);
            expect_same_dtype("DeformGather", x, off)?;
            let (Some(xd), Some(od)) = (x.known_dims(), off.known_dims()) else {
                crate::bail!(Unsupported, "DeformConv with symbolic dims: {x}, {off}");
            };
            let taps = offset_groups * kernel[0] * kernel[1];
            let fits = x.dtype.is_float()
                && xd.len() == 4
                && od.len() == 4
                && od[0] == xd[0]
                && od[1] == taps * 2
                && *offset_groups > 0
                && xd[1] % offset_groups == 0;
            let mask_fits = inputs.get(2).is_none_or(|m| {
                m.dtype == x.dtype && m.known_dims() == Some(vec![xd[0], taps, od[2], od[3]])
            });
            if !fits || !mask_fits {
                crate::bail!(
                    InvalidModel,
                    "DeformConv takes float X (N, C, H, W), offsets (N, {}, OH, OW) and mask (N, {taps}, OH, OW) for {offset_groups} offset groups, got {}",
                    taps * 2,
                    inputs
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            return Ok(vec![TensorType::of_known(
                x.dtype,
                &[xd[0], xd[1], kernel[0], kernel[1], od[2], od[3]],
            )]);
        }
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
