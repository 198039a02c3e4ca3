//! TOSA's layout-carrying ops: NHWC / NDHWC activations and OHWI / ODHWI /
//! HWCM filters are transposed to the canonical channels-first layouts
//! around Conv and Pool; MatMul is batched (N, H, C) x (N, C, W).
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::compose::{self, Transposed};
use o2l_canon::ops::{Binary, Conv, Elementwise, Linear, Pool, PoolKind};
use o2l_canon::{Builder, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    rule(
        "tosa.matmul",
        &["MatMul"],
        matmul,
        "zero points must be 0 (floats always)",
    ),
    rule(
        "tosa.conv2d",
        &["Transpose", "Conv", "Add"],
        conv2d,
        "NHWC x OHWI, pad [top, bottom, left, right], stride, dilation; zero points 0",
    ),
    rule(
        "tosa.conv3d",
        &["Transpose", "Conv", "Add"],
        conv3d,
        "NDHWC x ODHWI, pad [d0, d1, top, bottom, left, right], stride, dilation; zero points 0",
    ),
    rule(
        "tosa.transpose_conv2d",
        &["Transpose", "Reshape", "Concat", "Gather", "Conv", "Add"],
        transpose_conv2d,
        "NHWC x OHWI; out_pad [top, bottom, left, right] (negative crops), stride; the transposed convolution ONNX's ConvTranspose also builds; zero points 0",
    ),
    rule(
        "tosa.depthwise_conv2d",
        &["Transpose", "Reshape", "Conv", "Add"],
        depthwise_conv2d,
        "NHWC x HWCM as a grouped Conv (groups = C)",
    ),
    rule(
        "tosa.avg_pool2d",
        &["Transpose", "AveragePool"],
        avg_pool2d,
        "padding not counted; zero points 0",
    ),
    rule("tosa.max_pool2d", &["Transpose", "MaxPool"], max_pool2d, ""),
];

const TO_NCHW: [usize; 4] = [0, 3, 1, 2];
const TO_NHWC: [usize; 4] = [0, 2, 3, 1];

/// Channels-last to channels-first for `rank` dims, and back.
fn to_channels_first(rank: usize) -> Vec<usize> {
    let mut p = vec![0, rank - 1];
    p.extend(1..rank - 1);
    p
}

fn to_channels_last(rank: usize) -> Vec<usize> {
    let mut p = vec![0];
    p.extend(2..rank);
    p.push(1);
    p
}

fn zero_points_are_zero(ctx: &OpCtx, from: usize, what: &str) -> Result<()> {
    for k in from..ctx.num_operands() {
        if ctx.zero_point(k, "a zero point")? != 0.0 {
            return Err(Error::unsupported(format!(
                "{what} with a non-zero zero point (operand {k})"
            )));
        }
    }
    Ok(())
}

/// `n` positive values of attribute `name`.
fn positive(ctx: &OpCtx, name: &str, n: usize) -> Result<Vec<u64>> {
    let v = ctx.ints(name)?;
    if v.len() != n || v.iter().any(|&x| x <= 0) {
        return Err(Error::invalid(format!(
            "attribute \"{name}\" needs {n} positive values, got {v:?}"
        )));
    }
    Ok(v.iter().map(|&x| x as u64).collect())
}

fn pair(ctx: &OpCtx, name: &str) -> Result<[u64; 2]> {
    let v = positive(ctx, name, 2)?;
    Ok([v[0], v[1]])
}

/// `pad` = [begin, end] per spatial dim (2-D: [top, bottom, left, right]).
fn pads_n(ctx: &OpCtx, n: usize) -> Result<Vec<(u64, u64)>> {
    let v = ctx.ints("pad")?;
    if v.len() != 2 * n || v.iter().any(|&p| p < 0) {
        return Err(Error::invalid(format!(
            "attribute \"pad\" needs {} values >= 0 ([begin, end] per spatial dim), got {v:?}",
            2 * n
        )));
    }
    Ok(v.chunks(2).map(|c| (c[0] as u64, c[1] as u64)).collect())
}

fn pads(ctx: &OpCtx) -> Result<Vec<(u64, u64)>> {
    pads_n(ctx, 2)
}

/// The result cast to the declared element type (TOSA may accumulate wider).
fn bind_as_declared(ctx: &mut OpCtx, v: ValueId) -> Result<()> {
    let want = ctx.result_type(0)?.dtype;
    let v = if ctx.ty(v).dtype == want {
        v
    } else {
        ctx.elementwise(Elementwise::cast(want), &[v])?
    };
    ctx.bind(0, v)
}

fn matmul(ctx: &mut OpCtx) -> Result<()> {
    zero_points_are_zero(ctx, 2, "tosa.matmul")?;
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let v = ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])?;
    bind_as_declared(ctx, v)
}

/// Conv channels-first between transposes, then the bias (O or 1 values)
/// added channels-last. `w` is already (O, I/groups, K..).
fn conv_channels_last(ctx: &mut OpCtx, x: ValueId, w: ValueId, groups: u64) -> Result<()> {
    let bias = ctx.input(2)?;
    let rank = ctx.ty(x).rank();
    if rank < 3 || ctx.ty(w).rank() != rank {
        return Err(Error::invalid(format!(
            "input {} and filter {} must have one rank of at least 3",
            ctx.ty(x),
            ctx.ty(w)
        )));
    }
    let n = rank - 2;
    let x = ctx.transpose(x, &to_channels_first(rank))?;
    let conv = Op::Conv(Conv {
        strides: positive(ctx, "stride", n)?,
        dilations: positive(ctx, "dilation", n)?,
        pads: pads_n(ctx, n)?,
        groups,
    });
    let y = ctx.emit1(conv, &[x, w])?;
    let y = ctx.transpose(y, &to_channels_last(rank))?;
    let y = ctx.elementwise(Elementwise::Binary(Binary::Add), &[y, bias])?;
    bind_as_declared(ctx, y)
}

fn conv2d(ctx: &mut OpCtx) -> Result<()> {
    zero_points_are_zero(ctx, 3, "tosa.conv2d")?;
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let w = ctx.transpose(w, &TO_NCHW)?;
    conv_channels_last(ctx, x, w, 1)
}

fn conv3d(ctx: &mut OpCtx) -> Result<()> {
    zero_points_are_zero(ctx, 3, "tosa.conv3d")?;
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let w = ctx.transpose(w, &to_channels_first(5))?;
    conv_channels_last(ctx, x, w, 1)
}

/// out[oy] += in[iy] * w[ky] at oy = iy * stride + out_pad_top + ky: ONNX's
/// ConvTranspose with pads (-out_pad_top, -out_pad_bottom) and the filter
/// (O, KH, KW, I) as (I, O, KH, KW).
fn transpose_conv2d(ctx: &mut OpCtx) -> Result<()> {
    zero_points_are_zero(ctx, 3, "tosa.transpose_conv2d")?;
    let (x, w, bias) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let out_pad = match ctx.ints("out_pad")?[..] {
        [t, b, l, r] => vec![(-t, -b), (-l, -r)],
        ref v => {
            return Err(Error::invalid(format!(
                "attribute \"out_pad\" needs [top, bottom, left, right], got {v:?}"
            )));
        }
    };
    let p = Transposed {
        groups: 1,
        strides: pair(ctx, "stride")?.to_vec(),
        dilations: vec![1, 1],
        pads: out_pad,
        out_pad: vec![0, 0],
    };
    let x = ctx.transpose(x, &TO_NCHW)?;
    let w = ctx.transpose(w, &[3, 0, 1, 2])?;
    let y = compose::conv_transpose(ctx, x, w, None, &p)?;
    let y = ctx.transpose(y, &TO_NHWC)?;
    let y = ctx.elementwise(Elementwise::Binary(Binary::Add), &[y, bias])?;
    bind_as_declared(ctx, y)
}

fn depthwise_conv2d(ctx: &mut OpCtx) -> Result<()> {
    zero_points_are_zero(ctx, 3, "tosa.depthwise_conv2d")?;
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let wd = ctx
        .ty(w)
        .known_dims()
        .ok_or_else(|| Error::unsupported("a depthwise filter of symbolic shape"))?;
    let [kh, kw, c, m] = wd[..] else {
        return Err(Error::invalid(
            "tosa.depthwise_conv2d filter must be (KH, KW, C, M)",
        ));
    };
    // (KH, KW, C, M) -> (C, M, KH, KW) -> (C*M, 1, KH, KW): output channel c*M + m.
    let w = ctx.transpose(w, &[2, 3, 0, 1])?;
    let w = ctx.reshape_to(w, &[c * m, 1, kh, kw])?;
    conv_channels_last(ctx, x, w, c)
}

fn pool(ctx: &mut OpCtx, kind: PoolKind) -> Result<()> {
    let x = ctx.input(0)?;
    let x = ctx.transpose(x, &TO_NCHW)?;
    let op = Op::Pool(Pool {
        kind,
        kernel: pair(ctx, "kernel")?.to_vec(),
        strides: pair(ctx, "stride")?.to_vec(),
        dilations: vec![1, 1],
        pads: pads(ctx)?,
        ceil_mode: false,
    });
    let y = ctx.emit1(op, &[x])?;
    let y = ctx.transpose(y, &TO_NHWC)?;
    bind_as_declared(ctx, y)
}

fn avg_pool2d(ctx: &mut OpCtx) -> Result<()> {
    zero_points_are_zero(ctx, 1, "tosa.avg_pool2d")?;
    pool(
        ctx,
        PoolKind::Average {
            count_include_pad: false,
        },
    )
}

fn max_pool2d(ctx: &mut OpCtx) -> Result<()> {
    pool(ctx, PoolKind::Max)
}
