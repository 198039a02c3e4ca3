//! Convolution over N spatial dims, channels-first: input `N x C x D1..Dn`,
//! filter `F x C/groups x K1..Kn`, optional bias `F`. Padding is explicit.
use super::declare::canonical_op;
use super::linear::expect_quantized_operands;
use super::spec::{expect_operands, expect_same_dtype};
use crate::{DType, Dim, Error, Result, TensorType};

canonical_op! {
    family: Conv;
    #[derive(Debug, Clone, PartialEq)]
    pub struct Conv
        => "grouped, dilated, strided convolution; NC[D..] input, F C/g [K..] filter, zero padding begin/end per dim",
        ["input", "filter", "bias?"],
        ["strides: [u64]", "dilations: [u64]", "pads: [(u64, u64)]", "groups: u64"]
    {
        pub strides: Vec<u64>,
        pub dilations: Vec<u64>,
        /// (begin, end) zero padding per spatial dim.
        pub pads: Vec<(u64, u64)>,
        pub groups: u64,
    }
}

canonical_op! {
    family: Conv;
    /// 2-D convolution of 8-bit operands (i8 or u8, any mix) with their zero
    /// points as 0-d i32 operands, accumulated in i32: input `N x C x H x W`,
    /// filter `F x C/groups x KH x KW` (groups = C = F: depthwise). Padding
    /// is the real value 0, i.e. the input's zero point, which must fit the
    /// input's 8-bit type.
    #[derive(Debug, Clone, PartialEq)]
    pub struct QuantizedConv
        => "i32 grouped 2-D convolution of i8/u8 NCHW input and F C/g KH KW filter minus their i32 scalar zero points; input padded with its zero point",
        ["input", "filter", "input_zero_point", "filter_zero_point"],
        ["strides: [u64]", "dilations: [u64]", "pads: [(u64, u64)]", "groups: u64"]
    {
        pub strides: Vec<u64>,
        pub dilations: Vec<u64>,
        /// (begin, end) padding per spatial dim, filled with the input's zero point.
        pub pads: Vec<(u64, u64)>,
        pub groups: u64,
    }
}

impl QuantizedConv {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        expect_quantized_operands("QuantizedConv", inputs)?;
        let (x, w) = (inputs[0], inputs[1]);
        if x.rank() != 4 {
            crate::bail!(
                InvalidModel,
                "QuantizedConv takes a rank-4 NCHW input, got {x}"
            );
        }
        // The window and group arithmetic is Conv's; only the types differ.
        let as_i32 = |t: &TensorType| TensorType::new(DType::I32, t.shape.clone());
        let conv = Conv {
            strides: self.strides.clone(),
            dilations: self.dilations.clone(),
            pads: self.pads.clone(),
            groups: self.groups,
        };
        conv.infer(&[&as_i32(x), &as_i32(w)])
    }
}

/// Output extent of one sliding-window dim; `None` when the window does not fit.
/// `window_output` of a dim that may be symbolic. A symbolic input gives a
/// symbol named after it and the window (the lowering computes its value),
/// or the input's own symbol when the window keeps the length (stride 1,
/// padding that makes up for the kernel).
pub fn window_dim(
    input: &Dim,
    pad: (u64, u64),
    kernel: u64,
    stride: u64,
    dilation: u64,
    ceil: bool,
) -> Option<Dim> {
    match input {
        Dim::Known(n) => window_output(*n, pad, kernel, stride, dilation, ceil).map(Dim::Known),
        Dim::Symbol(s) => {
            let span = dilation.checked_mul(kernel.checked_sub(1)?)?;
            if stride == 0 {
                return None;
            }
            if stride == 1 && pad.0.checked_add(pad.1)? == span {
                return Some(input.clone());
            }
            let mode = if ceil { "c" } else { "" };
            Some(Dim::Symbol(format!(
                "{s}/w{kernel}s{stride}d{dilation}p{}+{}{mode}",
                pad.0, pad.1
            )))
        }
    }
}

pub fn window_output(
    input: u64,
    pad: (u64, u64),
    kernel: u64,
    stride: u64,
    dilation: u64,
    ceil: bool,
) -> Option<u64> {
    let padded = input.checked_add(pad.0)?.checked_add(pad.1)?;
    let span = dilation
        .checked_mul(kernel.checked_sub(1)?)?
        .checked_add(1)?;
    let room = padded.checked_sub(span)?;
    if stride == 0 {
        return None;
    }
    let mut out = if ceil {
        room.div_ceil(stride) + 1
    } else {
        room / stride + 1
    };
    // With ceil mode the last window must start inside the input or the begin padding.
    if ceil && (out - 1) * stride >= input + pad.0 {
        out -= 1;
    }
    Some(out)
}

impl Conv {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        expect_operands("Conv", inputs, 2, 3)?;
        let (x, w) = (inputs[0], inputs[1]);
        expect_same_dtype("Conv", x, w)?;
        let spatial =
            x.rank().checked_sub(2).filter(|&s| s >= 1).ok_or_else(|| {
                Error::invalid(format!("Conv input must have rank >= 3, got {x}"))
            })?;
        if w.rank() != x.rank() {
            crate::bail!(InvalidModel, "Conv filter {w} does not match input {x}");
        }
        if self.strides.len() != spatial
            || self.dilations.len() != spatial
            || self.pads.len() != spatial
        {
            crate::bail!(
                InvalidModel,
                "Conv attributes must give {spatial} values per spatial dim"
            );
        }
        if self.groups == 0 {
            crate::bail!(InvalidModel, "Conv groups must be positive");
        }
        if let (Some(c), Some(wc)) = (x.shape[1].known(), w.shape[1].known())
            && c != wc * self.groups
        {
            crate::bail!(
                InvalidModel,
                "Conv input has {c} channels, filter expects {wc} x {} groups",
                self.groups
            );
        }
        let kernel = w.static_dims("Conv filter")?;
        let mut shape = vec![x.shape[0].clone(), Dim::Known(kernel[0])];
        for i in 0..spatial {
            shape.push(
                window_dim(
                    &x.shape[2 + i],
                    self.pads[i],
                    kernel[2 + i],
                    self.strides[i],
                    self.dilations[i],
                    false,
                )
                .ok_or_else(|| Error::invalid(format!("Conv window does not fit input {x}")))?,
            );
        }
        if let Some(b) = inputs.get(2)
            && (b.rank() != 1 || b.shape[0] != Dim::Known(kernel[0]))
        {
            crate::bail!(
                InvalidModel,
                "Conv bias {b} must be 1-D with {} elements",
                kernel[0]
            );
        }
        Ok(vec![TensorType::new(x.dtype, shape)])
    }
}

#[cfg(test)]
mod tests {
    use crate::DType;
    use crate::ops::conv::*;

    #[test]
    fn conv_output_shape() {
        let conv = Conv {
            strides: vec![2, 2],
            dilations: vec![1, 1],
            pads: vec![(1, 1), (1, 1)],
            groups: 1,
        };
        let x = TensorType::of_known(DType::F32, &[1, 3, 8, 8]);
        let w = TensorType::of_known(DType::F32, &[4, 3, 3, 3]);
        assert_eq!(
            conv.infer(&[&x, &w]).unwrap()[0],
            TensorType::of_known(DType::F32, &[1, 4, 4, 4])
        );
    }

    #[test]
    fn quantized_conv_gives_i32_with_conv_window_arithmetic() {
        let q = QuantizedConv {
            strides: vec![2, 1],
            dilations: vec![1, 2],
            pads: vec![(1, 1), (0, 0)],
            groups: 1,
        };
        let x = TensorType::of_known(DType::U8, &[1, 3, 8, 8]);
        let w = TensorType::of_known(DType::I8, &[4, 3, 3, 3]);
        let zp = TensorType::of_known(DType::I32, &[]);
        assert_eq!(
            q.infer(&[&x, &w, &zp, &zp]).unwrap()[0],
            TensorType::of_known(DType::I32, &[1, 4, 4, 4])
        );
        let grouped = QuantizedConv {
            strides: vec![1, 1],
            dilations: vec![1, 1],
            pads: vec![(1, 1), (1, 1)],
            groups: 3,
        };
        let dw = TensorType::of_known(DType::I8, &[6, 1, 3, 3]);
        assert_eq!(
            grouped.infer(&[&x, &dw, &zp, &zp]).unwrap()[0],
            TensorType::of_known(DType::I32, &[1, 6, 8, 8])
        );
        assert!(grouped.infer(&[&x, &w, &zp, &zp]).is_err());
        let x3 = TensorType::of_known(DType::U8, &[1, 3, 8]);
        assert!(q.infer(&[&x3, &w, &zp, &zp]).is_err());
        let xf = TensorType::of_known(DType::F32, &[1, 3, 8, 8]);
        assert!(q.infer(&[&xf, &w, &zp, &zp]).is_err());
    }

    #[test]
    fn ceil_mode_drops_a_window_starting_in_the_end_padding() {
        assert_eq!(window_output(5, (0, 1), 2, 2, 1, true), Some(3));
        assert_eq!(window_output(4, (0, 0), 3, 2, 1, true), Some(2));
        assert_eq!(window_output(2, (0, 0), 3, 1, 1, false), None);
    }
}
