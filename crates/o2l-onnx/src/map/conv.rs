//! Convolution, with ONNX's padding forms resolved to explicit (begin, end)
//! pads. ConvTranspose is the same Conv over the input with `stride - 1`
//! zeros inserted between elements and `dilation * (kernel - 1) - pad` rows
//! of zeros around it (cropping where that is negative), with the filter's
//! channel axes swapped per group and its spatial axes reversed.
use super::ctx::{MapCtx, Rule, row, to_u64s};
use o2l_canon::Builder;
use o2l_canon::compose::{self, Transposed};
use o2l_canon::ops::{Binary, Conv, Linear, Movement, PadMode, Sample};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "DeformConv",
        &[19, 22],
        &["DeformGather", "Reshape", "MatMul", "Add"],
        deform_conv,
        "2-D; bilinear samples at offset taps (zeros outside), optional mask and bias, groups and offset groups",
    ),
    row(
        "Conv",
        &[1, 11, 22],
        &[
            "Conv",
            "QuantizedConv",
            "Cast",
            "Reshape",
            "Mul",
            "Add",
            "ShapeOf",
            "Gather",
            "Div",
            "Sub",
            "Max",
            "Concat",
            "PadAt",
            "Round",
            "Clamp",
        ],
        conv,
        "groups, dilations, strides; pads or auto_pad NOTSET/VALID/SAME_UPPER/SAME_LOWER resolved to explicit pads (SAME with stride > 1 over a symbolic dim: zeros padded by amounts computed at run time); a 2-D QDQ group (grouped and depthwise too) is QuantizedConv and one f32 rescale, or, read by a QuantizeLinear alone, requantized as onnxruntime's QLinearConv (i32 bias, f32 multiplier, round half to even, saturate)",
    ),
    row(
        "Col2Im",
        &[18],
        &[
            "Reshape",
            "Concat",
            "Gather",
            "Transpose",
            "Conv",
            "Cast",
            "Mul",
            "Div",
            "Mod",
            "Add",
            "Sub",
            "BroadcastTo",
            "ScatterElements",
            "ReshapeTo",
            "SliceAt",
        ],
        col2im,
        "constant image and block shapes: a ConvTranspose (group = C) of the blocks with a one-hot kernel per block position; run-time ones: each column entry added at its image position (ScatterElements with add) into zeros of run-time size, reshaped to (N, C, padded image) and cropped",
    ),
    row(
        "ConvTranspose",
        &[1, 11, 22],
        &[
            "Reshape",
            "Concat",
            "Gather",
            "Transpose",
            "Conv",
            "ShapeOf",
            "Mul",
            "Add",
            "BroadcastTo",
        ],
        conv_transpose,
        "Conv of the zero-inserted, padded input with the flipped, channel-swapped filter; groups, dilations, pads, auto_pad, output_padding, output_shape; a symbolic batch takes zeros broadcast at run time",
    ),
];

fn conv_transpose(ctx: &mut MapCtx) -> Result<()> {
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let bias = ctx.opt_input(2);
    // A symbolic batch is fine: only the other dims' sizes are read.
    let xd = o2l_canon::compose::batch_as_one(&ctx.ty(x), "ConvTranspose input")?;
    let wd = ctx.ty(w).static_dims("ConvTranspose filter")?;
    if xd.len() < 3 || wd.len() != xd.len() {
        return Err(Error::invalid(format!(
            "ConvTranspose takes input (N, C, D..) and filter (C, M/g, K..) of one rank, got {} and {}",
            ctx.ty(x),
            ctx.ty(w)
        )));
    }
    let n = xd.len() - 2;
    let groups = ctx.attrs.int_or("group", 1)?;
    let g = u64::try_from(groups)
        .ok()
        .filter(|&g| g > 0 && xd[1] % g == 0 && wd[0] == xd[1])
        .ok_or_else(|| {
            Error::invalid(format!(
                "ConvTranspose group {groups} does not fit {} input channels and filter {:?}",
                xd[1], wd
            ))
        })?;
    let kernel = wd[2..].to_vec();
    let per_dim = |name: &str, default: u64| -> Result<Vec<u64>> {
        match ctx.attrs.ints(name)? {
            None => Ok(vec![default; n]),
            Some(v) if v.len() == n => to_u64s(&v, name),
            Some(v) => Err(Error::invalid(format!(
                "attribute \"{name}\": expected {n} values, got {}",
                v.len()
            ))),
        }
    };
    let strides = per_dim("strides", 1)?;
    let dilations = per_dim("dilations", 1)?;
    let out_pad = per_dim("output_padding", 0)?;
    if strides.contains(&0) || dilations.contains(&0) {
        return Err(Error::invalid(
            "ConvTranspose strides and dilations must be positive",
        ));
    }
    let auto_pad = ctx.attrs.string_or("auto_pad", "NOTSET")?;
    let output_shape = ctx.attrs.ints("output_shape")?;
    let explicit = ctx.attrs.ints("pads")?;
    let full =
        |i: usize| strides[i] * (xd[2 + i] - 1) + out_pad[i] + (kernel[i] - 1) * dilations[i] + 1;
    let pads: Vec<(i64, i64)> = match (explicit, auto_pad.as_str()) {
        (Some(p), _) if p.len() == 2 * n => (0..n).map(|i| (p[i], p[n + i])).collect(),
        (Some(p), _) => {
            return Err(Error::invalid(format!(
                "attribute \"pads\": expected {} values, got {}",
                2 * n,
                p.len()
            )));
        }
        (None, mode) if output_shape.is_some() || mode.starts_with("SAME") => {
            let target: Vec<i64> = match &output_shape {
                Some(s) if s.len() == n => s.clone(),
                Some(s) if s.len() == n + 2 => s[2..].to_vec(),
                Some(s) => {
                    return Err(Error::invalid(format!(
                        "attribute \"output_shape\": expected {n} values, got {}",
                        s.len()
                    )));
                }
                None => (0..n).map(|i| (xd[2 + i] * strides[i]) as i64).collect(),
            };
            (0..n)
                .map(|i| {
                    let total = full(i) as i64 - target[i];
                    let half = total.div_euclid(2);
                    if mode == "SAME_UPPER" {
                        (half, total - half)
                    } else {
                        (total - half, half)
                    }
                })
                .collect()
        }
        (None, "NOTSET" | "VALID") => vec![(0, 0); n],
        (None, other) => {
            return Err(Error::invalid(format!(
                "attribute \"auto_pad\": expected NOTSET, VALID, SAME_UPPER or SAME_LOWER, got \"{other}\""
            )));
        }
    };
    let p = Transposed {
        groups: g,
        strides,
        dilations,
        pads,
        out_pad,
    };
    let out = compose::conv_transpose(ctx, x, w, bias, &p)?;
    ctx.bind(0, out)
}

/// Per-spatial-dim window attributes, with ONNX defaults applied.
pub(crate) struct Window {
    pub strides: Vec<u64>,
    pub dilations: Vec<u64>,
    pub pads: Vec<(u64, u64)>,
}

/// Reads strides, dilations, pads and auto_pad for a window of `kernel` over
/// `spatial` (the input's spatial dims).
/// The spatial dims listed in `prepadded` were already padded at run time
/// for SAME (`pad_same_at_run_time`): no padding there.
pub(crate) fn window_with(
    ctx: &MapCtx,
    spatial: &[Dim],
    kernel: &[u64],
    prepadded: &[usize],
) -> Result<Window> {
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
                if prepadded.contains(&i) {
                    pads.push((0, 0));
                    continue;
                }
                // With stride 1 the total padding, (k - 1) d, is the same
                // whatever the length: any length stands for a symbolic one.
                let len = match spatial[i].known() {
                    Some(len) => len,
                    None if strides[i] == 1 => kernel[i] * dilations[i] + 1,
                    None => {
                        return Err(Error::unsupported(format!(
                            "auto_pad {auto_pad} with stride {} over a symbolic spatial dim ({}): the padding depends on its length",
                            strides[i], spatial[i]
                        )));
                    }
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

/// SAME padding along a symbolic spatial dim with stride > 1 depends on the
/// dim's length: pads `x` (N, C, spatial...) there by amounts computed at run
/// time, `total = max((ceil(L / s) - 1) s + (k - 1) d + 1 - L, 0)` split as
/// `same_pads` splits it, with `fill` (the window op then pads nothing
/// there). Returns `x` and no dims when nothing needs it.
pub(crate) fn pad_same_at_run_time(
    ctx: &mut MapCtx,
    x: ValueId,
    kernel: &[u64],
    fill: f64,
) -> Result<(ValueId, Vec<usize>)> {
    let auto_pad = ctx.attrs.string_or("auto_pad", "NOTSET")?;
    if !matches!(auto_pad.as_str(), "SAME_UPPER" | "SAME_LOWER") {
        return Ok((x, Vec::new()));
    }
    let spatial = ctx.ty(x).shape.get(2..).unwrap_or(&[]).to_vec();
    let n = spatial.len();
    let attr = |name: &str| -> Result<Vec<u64>> {
        match ctx.attrs.ints(name)? {
            Some(v) if v.len() == n => to_u64s(&v, name),
            _ => Ok(vec![1; n]),
        }
    };
    let (strides, dilations) = (attr("strides")?, attr("dilations")?);
    let dims: Vec<usize> = (0..n)
        .filter(|&i| spatial[i].known().is_none() && strides[i] > 1 && kernel.len() == n)
        .collect();
    if dims.is_empty() {
        return Ok((x, dims));
    }
    let int = |ctx: &mut MapCtx, v: i64| ctx.i64s(vec![], &[v]);
    let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
    let (mut begins, mut ends) = (Vec::new(), Vec::new());
    for &i in &dims {
        let axis = int(ctx, 2 + i as i64)?;
        let len = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[shape, axis])?;
        let stride = int(ctx, strides[i] as i64)?;
        let span = dilations[i]
            .checked_mul(kernel[i].saturating_sub(1))
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| Error::invalid("the window's span overflows"))?;
        let (one, zero, two) = (int(ctx, 1)?, int(ctx, 0)?, int(ctx, 2)?);
        let stride_less_one = int(ctx, strides[i] as i64 - 1)?;
        let out = ctx.binary(Binary::Add, len, stride_less_one)?;
        let out = ctx.binary(Binary::Div, out, stride)?;
        let out = ctx.binary(Binary::Sub, out, one)?;
        let reach = ctx.binary(Binary::Mul, out, stride)?;
        let span_one = int(ctx, span + 1)?;
        let reach = ctx.binary(Binary::Add, reach, span_one)?;
        let total = ctx.binary(Binary::Sub, reach, len)?;
        let total = ctx.binary(Binary::Max, total, zero)?;
        let small = ctx.binary(Binary::Div, total, two)?;
        let large = ctx.binary(Binary::Sub, total, small)?;
        let (begin, end) = if auto_pad == "SAME_UPPER" {
            (small, large)
        } else {
            (large, small)
        };
        begins.push(ctx.reshape(begin, vec![Dim::Known(1)])?);
        ends.push(ctx.reshape(end, vec![Dim::Known(1)])?);
    }
    begins.extend(ends);
    let pads = ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &begins)?;
    let value = ctx.scalar(ctx.ty(x).dtype, fill)?;
    let axes: Vec<usize> = dims.iter().map(|i| i + 2).collect();
    let sizes = axes
        .iter()
        .map(|a| format!("{}_same_{a}", ctx.origin.node))
        .collect();
    let padded = ctx.emit1(
        Op::Movement(Movement::PadAt {
            mode: PadMode::Constant,
            axes,
            sizes,
        }),
        &[x, pads, value],
    )?;
    Ok((padded, dims))
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
    let kernel = ctx.ty(w).static_dims("Conv filter")?;
    let (x, prepadded) = pad_same_at_run_time(ctx, x, kernel.get(2..).unwrap_or(&[]), 0.0)?;
    let op = conv_op_with(ctx, x, w, &prepadded)?;
    if let Some(v) = super::qdq::conv(ctx, &op, x, w, b)? {
        return ctx.bind(0, v);
    }
    let mut inputs = vec![x, w];
    inputs.extend(b);
    let v = ctx.emit1(op, &inputs)?;
    ctx.bind(0, v)
}

/// The canonical Conv of this node's attributes for input `x` and filter `w`
/// (Conv, ConvInteger and QLinearConv share them).
pub(crate) fn conv_op(ctx: &MapCtx, x: ValueId, w: ValueId) -> Result<Op> {
    conv_op_with(ctx, x, w, &[])
}

/// `conv_op` for an input already padded at run time along `prepadded`.
fn conv_op_with(ctx: &MapCtx, x: ValueId, w: ValueId, prepadded: &[usize]) -> Result<Op> {
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
    let win = window_with(ctx, &xt.shape[2..], &kernel, prepadded)?;
    Ok(Op::Conv(Conv {
        strides: win.strides,
        dilations: win.dilations,
        pads: win.pads,
        groups,
    }))
}

/// Col2Im's per-spatial-dim attribute `name` (`count` values, else `default`).
fn col2im_attr(ctx: &MapCtx, name: &str, default: i64, count: usize) -> Result<Vec<i64>> {
    match ctx.attrs.ints(name)? {
        None => Ok(vec![default; count]),
        Some(v) if v.len() == count => Ok(v),
        Some(v) => Err(Error::invalid(format!(
            "attribute \"{name}\": expected {count} values, got {}",
            v.len()
        ))),
    }
}

fn col2im(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let (image_v, block_v) = (ctx.input(1)?, ctx.input(2)?);
    if ctx.const_of(image_v).is_none() || ctx.const_of(block_v).is_none() {
        return run_time_col2im(ctx, x, image_v, block_v);
    }
    let shape_of = |ctx: &MapCtx, i: usize, what: &str| -> Result<Vec<u64>> {
        match ctx.const_ints(i, what)? {
            Some(v) => to_u64s(&v, what),
            None => Err(Error::invalid(format!("Col2Im needs its {what} input"))),
        }
    };
    let image = shape_of(ctx, 1, "image_shape")?;
    let block = shape_of(ctx, 2, "block_shape")?;
    let n = image.len();
    if block.len() != n || n == 0 || block.contains(&0) {
        return Err(Error::invalid(format!(
            "Col2Im image_shape {image:?} and block_shape {block:?} must have one positive value per spatial dim"
        )));
    }
    let strides = to_u64s(&col2im_attr(ctx, "strides", 1, n)?, "strides")?;
    let dilations = to_u64s(&col2im_attr(ctx, "dilations", 1, n)?, "dilations")?;
    let pads = col2im_attr(ctx, "pads", 0, 2 * n)?;
    let xd = ctx.ty(x).static_dims("Col2Im input")?;
    let k: u64 = block.iter().product();
    let [batch, ck, l] = xd[..] else {
        return Err(Error::invalid(format!(
            "Col2Im takes (N, C * prod(block), L), got {}",
            ctx.ty(x)
        )));
    };
    if ck % k != 0 || strides.contains(&0) {
        return Err(Error::invalid(format!(
            "Col2Im input channels {ck} are not a multiple of the block size {k}"
        )));
    }
    let c = ck / k;
    // Blocks per dim, which must multiply to L.
    let mut counts = Vec::with_capacity(n);
    for i in 0..n {
        let span = dilations[i] * (block[i] - 1) + 1;
        let padded = image[i] as i64 + pads[i] + pads[n + i];
        let room = padded - span as i64;
        if room < 0 {
            return Err(Error::invalid("Col2Im blocks do not fit the padded image"));
        }
        counts.push(room as u64 / strides[i] + 1);
    }
    if counts.iter().product::<u64>() != l {
        return Err(Error::invalid(format!(
            "Col2Im input has {l} blocks, the shapes give {counts:?}"
        )));
    }
    let mut shape = vec![Dim::Known(batch), Dim::Known(ck)];
    shape.extend(counts.iter().map(|&d| Dim::Known(d)));
    let cols = ctx.reshape(x, shape)?;
    // Filter (C*K, 1, block..): channel (c, j) puts 1 at block position j.
    let mut w = vec![0.0; (ck * k) as usize];
    for ch in 0..ck {
        let j = ch % k;
        w[(ch * k + j) as usize] = 1.0;
    }
    let mut wdims = vec![ck, 1];
    wdims.extend(&block);
    let dtype = ctx.ty(x).dtype;
    let w = ctx.constant(Tensor::from_f64s(dtype, wdims, &w)?)?;
    let p = Transposed {
        groups: c,
        strides,
        dilations,
        pads: (0..n).map(|i| (pads[i], pads[n + i])).collect(),
        out_pad: vec![0; n],
    };
    let y = compose::conv_transpose(ctx, cols, w, None, &p)?;
    ctx.bind(0, y)
}

/// Col2Im with image or block shape computed at run time. Column entry
/// (channel `c K + j`, block `l`) lands at padded-image position
/// `l_i s_i + k_i d_i` per spatial dim (`k` the block offset `j`, `l_i` the
/// block coordinates); the target flat indices `c P + pos` (P the padded
/// image size) are computed from the run-time shapes, and every entry is
/// added there (ScatterElements, add) into zeros of (N, C P), which is
/// reshaped to (N, C, padded..) and cropped by the pads: every dim after N
/// is a run-time dim.
fn run_time_col2im(ctx: &mut MapCtx, x: ValueId, image: ValueId, block: ValueId) -> Result<()> {
    use o2l_canon::ops::ScatterReduction;
    let node = ctx.origin.node.clone();
    let n = match (
        ctx.ty(image).known_dims().as_deref(),
        ctx.ty(block).known_dims().as_deref(),
    ) {
        (Some([a]), Some([b])) if a == b && *a > 0 => *a as usize,
        _ => {
            return Err(Error::invalid(format!(
                "Col2Im image_shape {} and block_shape {} must be 1-D with one value per spatial dim",
                ctx.ty(image),
                ctx.ty(block)
            )));
        }
    };
    let strides = col2im_attr(ctx, "strides", 1, n)?;
    let dilations = col2im_attr(ctx, "dilations", 1, n)?;
    let pads = col2im_attr(ctx, "pads", 0, 2 * n)?;
    if strides.iter().chain(&dilations).any(|&v| v <= 0) || pads.iter().any(|&p| p < 0) {
        return Err(Error::invalid(format!(
            "Col2Im strides {strides:?} and dilations {dilations:?} must be positive, pads {pads:?} not negative"
        )));
    }
    let xd = ctx
        .ty(x)
        .static_dims("Col2Im input (with run-time shapes)")?;
    let [batch, ck, l] = xd[..] else {
        return Err(Error::invalid(format!(
            "Col2Im takes (N, C * prod(block), L), got {}",
            ctx.ty(x)
        )));
    };
    let dtype = ctx.ty(x).dtype;
    let image = ctx.cast(image, DType::I64)?;
    let block = ctx.cast(block, DType::I64)?;
    let el = |ctx: &mut MapCtx, v: ValueId, i: usize| -> Result<ValueId> {
        let e = ctx.take(v, 0, &[i as i64])?;
        ctx.reshape_to(e, &[])
    };
    let int = |ctx: &mut MapCtx, v: i64| ctx.i64s(vec![], &[v]);
    let one = int(ctx, 1)?;
    let mut blk = Vec::with_capacity(n);
    let mut padded = Vec::with_capacity(n);
    let mut counts = Vec::with_capacity(n);
    let mut k = one;
    for i in 0..n {
        let b = el(ctx, block, i)?;
        k = ctx.binary(Binary::Mul, k, b)?;
        let img = el(ctx, image, i)?;
        let p = int(ctx, pads[i] + pads[n + i])?;
        let pd = ctx.binary(Binary::Add, img, p)?;
        let bm1 = ctx.binary(Binary::Sub, b, one)?;
        let d = int(ctx, dilations[i])?;
        let span = ctx.binary(Binary::Mul, bm1, d)?;
        let span = ctx.binary(Binary::Add, span, one)?;
        let room = ctx.binary(Binary::Sub, pd, span)?;
        let s = int(ctx, strides[i])?;
        let cnt = ctx.binary(Binary::Div, room, s)?;
        let cnt = ctx.binary(Binary::Add, cnt, one)?;
        blk.push(b);
        padded.push(pd);
        counts.push(cnt);
    }
    // Row-major strides over the padded image, the block grid and the block.
    let (mut pst, mut cst, mut bst) = (vec![one; n], vec![one; n], vec![one; n]);
    for i in (0..n - 1).rev() {
        pst[i] = ctx.binary(Binary::Mul, pst[i + 1], padded[i + 1])?;
        cst[i] = ctx.binary(Binary::Mul, cst[i + 1], counts[i + 1])?;
        bst[i] = ctx.binary(Binary::Mul, bst[i + 1], blk[i + 1])?;
    }
    let plane = ctx.binary(Binary::Mul, pst[0], padded[0])?;
    let ckv = int(ctx, ck as i64)?;
    let channels = ctx.binary(Binary::Div, ckv, k)?;
    let ch = ctx.i64s(vec![ck, 1], &(0..ck as i64).collect::<Vec<_>>())?;
    let at = ctx.i64s(vec![1, l], &(0..l as i64).collect::<Vec<_>>())?;
    let modulo = Binary::Mod { fmod: false };
    let c = ctx.binary(Binary::Div, ch, k)?;
    let j = ctx.binary(modulo, ch, k)?;
    let mut target = ctx.binary(Binary::Mul, c, plane)?;
    for i in 0..n {
        let ki = ctx.binary(Binary::Div, j, bst[i])?;
        let ki = ctx.binary(modulo, ki, blk[i])?;
        let li = ctx.binary(Binary::Div, at, cst[i])?;
        let li = ctx.binary(modulo, li, counts[i])?;
        let s = int(ctx, strides[i])?;
        let d = int(ctx, dilations[i])?;
        let a = ctx.binary(Binary::Mul, li, s)?;
        let b = ctx.binary(Binary::Mul, ki, d)?;
        let p = ctx.binary(Binary::Add, a, b)?;
        let p = ctx.binary(Binary::Mul, p, pst[i])?;
        target = ctx.binary(Binary::Add, target, p)?;
    }
    let entries = ck
        .checked_mul(l)
        .ok_or_else(|| Error::limit("Col2Im input size overflows"))?;
    let target = ctx.reshape_to(target, &[1, entries])?;
    let target = ctx.broadcast_to(target, &[batch, entries])?;
    let updates = ctx.reshape_to(x, &[batch, entries])?;
    let nv = ctx.i64s(vec![1], &[batch as i64])?;
    let area = ctx.binary(Binary::Mul, channels, plane)?;
    let area = ctx.reshape_to(area, &[1])?;
    let shape = ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &[nv, area])?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let zeros = ctx.emit1(
        Op::Movement(Movement::BroadcastTo {
            dims: vec![Dim::Known(batch), Dim::Symbol(format!("{node}_area"))],
        }),
        &[zero, shape],
    )?;
    let sums = ctx.emit1(
        Op::Movement(Movement::ScatterElements {
            axis: 1,
            reduction: ScatterReduction::Add,
        }),
        &[zeros, target, updates],
    )?;
    let cropped = pads.iter().any(|&p| p != 0);
    let mut dims = vec![Dim::Known(batch), Dim::Symbol(format!("{node}_channels"))];
    let image_dim = |i: usize| Dim::Symbol(format!("{node}_image_{i}"));
    dims.extend((0..n).map(|i| {
        if cropped {
            Dim::Symbol(format!("{node}_padded_{i}"))
        } else {
            image_dim(i)
        }
    }));
    let mut parts = vec![nv, ctx.reshape_to(channels, &[1])?];
    for pd in padded {
        parts.push(ctx.reshape_to(pd, &[1])?);
    }
    let shape = ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &parts)?;
    let y = ctx.emit1(
        Op::Movement(Movement::ReshapeTo {
            dims,
            allow_zero: false,
        }),
        &[sums, shape],
    )?;
    let y = if cropped {
        let starts = ctx.i64s(vec![n as u64], &pads[..n])?;
        let ends = ctx.binary(Binary::Add, starts, image)?;
        let steps = ctx.i64s(vec![n as u64], &vec![1; n])?;
        let sizes = (0..n).map(|i| format!("{node}_image_{i}")).collect();
        ctx.emit1(
            Op::Movement(Movement::SliceAt {
                axes: (2..2 + n).collect(),
                sizes,
            }),
            &[y, starts, ends, steps],
        )?
    } else {
        y
    };
    ctx.bind(0, y)
}

/// DeformConv: the sampled taps (N, C, KH, KW, OH, OW) from DeformGather,
/// then per group a MatMul of the filter (OC/G, C/G·KH·KW) with the taps
/// (C/G·KH·KW, OH·OW), and the bias.
fn deform_conv(ctx: &mut MapCtx) -> Result<()> {
    let (x, w, offsets) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let (bias, mask) = (ctx.opt_input(3), ctx.opt_input(4));
    let xd = ctx.ty(x).static_dims("DeformConv input")?;
    let wd = ctx.ty(w).static_dims("DeformConv filter")?;
    let od = ctx.ty(offsets).static_dims("DeformConv offsets")?;
    let ([n, c, _, _], [oc, icpg, kh, kw], [_, _, oh, ow]) = (&xd[..], &wd[..], &od[..]) else {
        return Err(Error::unsupported(format!(
            "DeformConv of rank {} (2-D only)",
            xd.len()
        )));
    };
    let (n, c, oc, icpg, kh, kw, oh, ow) = (*n, *c, *oc, *icpg, *kh, *kw, *oh, *ow);
    let positive = |name: &str| -> Result<u64> {
        let v = ctx.attrs.int_or(name, 1)?;
        u64::try_from(v).ok().filter(|&v| v > 0).ok_or_else(|| {
            Error::invalid(format!("attribute \"{name}\" must be positive, got {v}"))
        })
    };
    let groups = positive("group")?;
    let offset_groups = positive("offset_group")?;
    if icpg * groups != c || oc % groups != 0 {
        return Err(Error::invalid(format!(
            "DeformConv filter {wd:?} does not fit {c} input channels in {groups} groups"
        )));
    }
    let pair = |ctx: &MapCtx, name: &str, default: u64| -> Result<[u64; 2]> {
        match ctx.attrs.ints(name)? {
            None => Ok([default; 2]),
            Some(v) => match to_u64s(&v, name)?[..] {
                [a, b] => Ok([a, b]),
                _ => Err(Error::invalid(format!(
                    "attribute \"{name}\" needs 2 values, got {v:?}"
                ))),
            },
        }
    };
    let strides = pair(ctx, "strides", 1)?;
    let dilations = pair(ctx, "dilations", 1)?;
    let pads = match ctx.attrs.ints("pads")? {
        None => vec![0; 4],
        Some(p) if p.len() == 4 => to_u64s(&p, "pads")?,
        Some(p) => {
            return Err(Error::invalid(format!(
                "attribute \"pads\" needs 4 values, got {p:?}"
            )));
        }
    };
    let gather = Op::Sample(Sample::DeformGather {
        kernel: [kh, kw],
        strides,
        dilations,
        pads_begin: [pads[0], pads[1]],
        offset_groups,
    });
    let mut operands = vec![x, offsets];
    operands.extend(mask);
    let taps = ctx.emit1(gather, &operands)?;
    let k = icpg * kh * kw;
    let known = |d: &[u64]| d.iter().map(|&v| Dim::Known(v)).collect::<Vec<_>>();
    let taps = ctx.reshape(taps, known(&[n, groups, k, oh * ow]))?;
    let filter = ctx.reshape(w, known(&[1, groups, oc / groups, k]))?;
    let y = ctx.emit1(Op::Linear(Linear::MatMul), &[filter, taps])?;
    let mut y = ctx.reshape(y, known(&[n, oc, oh, ow]))?;
    if let Some(b) = bias {
        let b = ctx.reshape(b, known(&[1, oc, 1, 1]))?;
        y = ctx.binary(Binary::Add, y, b)?;
    }
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn conv_same_upper_resolves_explicit_pads() {
        let w: Vec<f32> = vec![1.0; 4];
        let g = M::new(11)
            .input(f32_in("x", &[1, 1, 5, 5]))
            .init(t_f32("w", &[1, 1, 2, 2], &w))
            .node(with_attrs(
                node("Conv", "conv", &["x", "w"], &["y"]),
                vec![a_str("auto_pad", "SAME_UPPER"), a_ints("strides", &[2, 2])],
            ))
            .output("y")
            .import()
            .unwrap();
        let Op::Conv(c) = &g.nodes[0].op else {
            panic!("{:?}", g.nodes[0].op)
        };
        assert_eq!(c.pads, vec![(0, 1), (0, 1)]);
        assert_eq!(out_dims(&g, 0), vec![1, 1, 3, 3]);

        let g = M::new(11)
            .input(f32_in("x", &[1, 1, 4, 4]))
            .init(t_f32("w", &[1, 1, 2, 2], &w))
            .node(with_attrs(
                node("Conv", "conv", &["x", "w"], &["y"]),
                vec![a_str("auto_pad", "SAME_LOWER")],
            ))
            .output("y")
            .import()
            .unwrap();
        let Op::Conv(c) = &g.nodes[0].op else {
            panic!()
        };
        assert_eq!(c.pads, vec![(1, 0), (1, 0)]);
    }

    #[test]
    fn conv_transpose_output_size_follows_strides_pads_and_output_padding() {
        let g = M::new(11)
            .input(f32_in("x", &[1, 4, 3, 5]))
            .input(f32_in("w", &[4, 3, 3, 3]))
            .node(with_attrs(
                node("ConvTranspose", "ct", &["x", "w"], &["y"]),
                vec![
                    a_int("group", 2),
                    a_ints("strides", &[2, 3]),
                    a_ints("pads", &[1, 0, 1, 2]),
                    a_ints("output_padding", &[1, 1]),
                ],
            ))
            .output("y")
            .import()
            .unwrap();
        // 2*(3-1)+1+3-1-1 = 6 and 3*(5-1)+1+3-0-2 = 14; 3 per group * 2 groups.
        assert_eq!(out_dims(&g, 0), vec![1, 6, 6, 14]);
        let e = M::new(11)
            .input(f32_in("x", &[1, 4, 3, 5]))
            .input(f32_in("w", &[4, 3, 3, 3]))
            .node(with_attrs(
                node("ConvTranspose", "ct", &["x", "w"], &["y"]),
                vec![a_int("group", 3)],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.message.contains("group 3"), "{e}");
    }

    #[test]
    fn col2im_keeps_the_conv_form_for_constant_shapes_and_scatters_for_run_time_ones() {
        let col2im = node("Col2Im", "c", &["x", "image", "block"], &["y"]);
        let g = M::new(18)
            .input(f32_in("x", &[1, 4, 6]))
            .init(t_i64("image", &[3, 4]))
            .init(t_i64("block", &[2, 2]))
            .node(col2im.clone())
            .output("y")
            .import()
            .unwrap();
        assert!(op_names(&g).contains(&"Conv"), "{:?}", op_names(&g));
        assert!(!op_names(&g).contains(&"ScatterElements"));
        assert_eq!(out_dims(&g, 0), vec![1, 1, 3, 4]);
        let g = M::new(18)
            .input(f32_in("x", &[1, 4, 6]))
            .input(vi("image", 7, &[D::N(2)]))
            .input(vi("block", 7, &[D::N(2)]))
            .node(with_attrs(col2im, vec![a_ints("pads", &[1, 0, 0, 1])]))
            .output("y")
            .import()
            .unwrap();
        let ops = op_names(&g);
        for op in ["ScatterElements", "BroadcastTo", "ReshapeTo", "SliceAt"] {
            assert!(ops.contains(&op), "{op} not in {ops:?}");
        }
        assert!(!ops.contains(&"Conv"));
        let out = g.ty(g.outputs[0]);
        assert_eq!(out.shape[0], Dim::Known(1));
        assert!(out.shape[1..].iter().all(|d| d.known().is_none()), "{out}");
        // Shapes of run-time length would make the rank depend on data.
        let e = M::new(18)
            .input(f32_in("x", &[1, 4, 6]))
            .input(vi("image", 7, &[D::S("n")]))
            .input(vi("block", 7, &[D::N(2)]))
            .node(node("Col2Im", "c", &["x", "image", "block"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel, "{e}");
    }
}
