//! Convolution, with ONNX's padding forms resolved to explicit (begin, end) pads.
use super::{MapCtx, Rule, to_u64s};
use o2l_canon::ops::Conv;
use o2l_canon::{Dim, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[Rule {
    domain: "ai.onnx",
    op_type: "Conv",
    since: &[1, 11, 22],
    produces: &["Conv"],
    map: conv,
    note: "groups, dilations, strides; pads or auto_pad NOTSET/VALID/SAME_UPPER/SAME_LOWER resolved to explicit pads",
}];

/// Per-spatial-dim window attributes, with ONNX defaults applied.
pub(crate) struct Window {
    pub strides: Vec<u64>,
    pub dilations: Vec<u64>,
    pub pads: Vec<(u64, u64)>,
}

/// Reads strides, dilations, pads and auto_pad for a window of `kernel` over
/// `spatial` (the input's spatial dims).
pub(crate) fn window(ctx: &MapCtx, spatial: &[Dim], kernel: &[u64]) -> Result<Window> {
    let n = spatial.len();
    let per_dim = |name: &str| -> Result<Vec<u64>> {
        match ctx.attrs.ints(name)? {
            None => Ok(vec![1; n]),
            Some(v) if v.len() == n => {
                let v = to_u64s(&v, name)?;
                if v.contains(&0) {
                    return Err(Error::invalid(format!(
                        "attribute \"{name}\": values must be positive, got {v:?}"
                    )));
                }
                Ok(v)
            }
            Some(v) => Err(Error::invalid(format!(
                "attribute \"{name}\": expected {n} values for {n} spatial dims, got {}",
                v.len()
            ))),
        }
    };
    let strides = per_dim("strides")?;
    let dilations = per_dim("dilations")?;
    let auto_pad = ctx.attrs.string_or("auto_pad", "NOTSET")?;
    let pads = match auto_pad.as_str() {
        "NOTSET" => match ctx.attrs.ints("pads")? {
            None => vec![(0, 0); n],
            Some(p) if p.len() == 2 * n => {
                let p = to_u64s(&p, "pads")?;
                (0..n).map(|i| (p[i], p[n + i])).collect()
            }
            Some(p) => {
                return Err(Error::invalid(format!(
                    "attribute \"pads\": expected {} values for {n} spatial dims, got {}",
                    2 * n,
                    p.len()
                )));
            }
        },
        "VALID" => vec![(0, 0); n],
        "SAME_UPPER" | "SAME_LOWER" => {
            let mut pads = Vec::with_capacity(n);
            for i in 0..n {
                let Some(len) = spatial[i].known() else {
                    return Err(Error::unsupported(format!(
                        "auto_pad {auto_pad} over a symbolic spatial dim ({})",
                        spatial[i]
                    )));
                };
                pads.push(same_pads(
                    len,
                    kernel[i],
                    strides[i],
                    dilations[i],
                    auto_pad == "SAME_UPPER",
                ));
            }
            pads
        }
        other => {
            return Err(Error::invalid(format!(
                "attribute \"auto_pad\": expected NOTSET, VALID, SAME_UPPER or SAME_LOWER, got \"{other}\""
            )));
        }
    };
    Ok(Window {
        strides,
        dilations,
        pads,
    })
}

/// SAME padding: output = ceil(input / stride); the odd pad goes at the end
/// (SAME_UPPER) or the beginning (SAME_LOWER).
pub(crate) fn same_pads(
    input: u64,
    kernel: u64,
    stride: u64,
    dilation: u64,
    upper: bool,
) -> (u64, u64) {
    let out = input.div_ceil(stride.max(1));
    let span = dilation
        .saturating_mul(kernel.saturating_sub(1))
        .saturating_add(1);
    let needed = out
        .saturating_sub(1)
        .saturating_mul(stride)
        .saturating_add(span);
    let total = needed.saturating_sub(input);
    let small = total / 2;
    if upper {
        (small, total - small)
    } else {
        (total - small, small)
    }
}

fn conv(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let w = ctx.input(1)?;
    let b = ctx.opt_input(2);
    let op = conv_op(ctx, x, w)?;
    let mut inputs = vec![x, w];
    inputs.extend(b);
    let v = ctx.emit1(op, &inputs)?;
    ctx.bind(0, v)
}

/// The canonical Conv of this node's attributes for input `x` and filter `w`
/// (Conv, ConvInteger and QLinearConv share them).
pub(crate) fn conv_op(ctx: &MapCtx, x: ValueId, w: ValueId) -> Result<Op> {
    let xt = ctx.ty(x);
    let wt = ctx.ty(w);
    if xt.rank() < 3 {
        return Err(Error::invalid(format!(
            "Conv input must have rank >= 3, got {xt}"
        )));
    }
    let filter = wt.static_dims("Conv filter")?;
    let kernel = filter.get(2..).unwrap_or(&[]).to_vec();
    if let Some(ks) = ctx.attrs.ints("kernel_shape")? {
        let ks = to_u64s(&ks, "kernel_shape")?;
        if ks != kernel {
            return Err(Error::invalid(format!(
                "attribute \"kernel_shape\" {ks:?} does not match the filter {wt}"
            )));
        }
    }
    let groups = ctx.attrs.int_or("group", 1)?;
    let groups = u64::try_from(groups)
        .ok()
        .filter(|&g| g > 0)
        .ok_or_else(|| {
            Error::invalid(format!(
                "attribute \"group\" must be positive, got {groups}"
            ))
        })?;
    let win = window(ctx, &xt.shape[2..], &kernel)?;
    Ok(Op::Conv(Conv {
        strides: win.strides,
        dilations: win.dilations,
        pads: win.pads,
        groups,
    }))
}
