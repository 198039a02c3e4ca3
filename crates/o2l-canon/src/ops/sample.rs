//! Sampling an input at coordinates computed at run time (GridSample).
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
}

pub const SPECS: &[OpSpec] = &[OpSpec {
    name: "GridSample",
    family: Family::Sample,
    doc: "sample N x C x D.. at normalised run-time coordinates: nearest, linear or cubic; zeros, border or reflection padding",
    operands: &["x", "grid"],
    attributes: &[
        "mode: nearest|linear|cubic",
        "padding: zeros|border|reflection",
        "align_corners: bool",
    ],
}];

impl Sample {
    pub fn name(&self) -> &'static str {
        match self {
            Sample::GridSample { .. } => "GridSample",
        }
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
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
