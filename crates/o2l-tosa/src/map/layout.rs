//! TOSA's layout-carrying ops: NHWC activations and OHWI / HWCM filters are
//! transposed to the canonical NCHW / OIHW around Conv and Pool; MatMul is
//! batched (N, H, C) x (N, C, W).
use super::{OpCtx, Rule, rule};
use o2l_canon::ops::{Binary, Conv, Elementwise, Linear, Pool, PoolKind};
use o2l_canon::{Error, Op, Result, ValueId};

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

fn pair(ctx: &OpCtx, name: &str) -> Result<[u64; 2]> {
    match ctx.ints(name)?[..] {
        [a, b] if a > 0 && b > 0 => Ok([a as u64, b as u64]),
        ref v => Err(Error::invalid(format!(
            "attribute \"{name}\" needs 2 positive values, got {v:?}"
        ))),
    }
}

/// `pad` = [top, bottom, left, right] as (begin, end) per spatial dim.
fn pads(ctx: &OpCtx) -> Result<Vec<(u64, u64)>> {
    match ctx.ints("pad")?[..] {
        [t, b, l, r] if [t, b, l, r].iter().all(|&p| p >= 0) => {
            Ok(vec![(t as u64, b as u64), (l as u64, r as u64)])
        }
        ref v => Err(Error::invalid(format!(
            "attribute \"pad\" needs [top, bottom, left, right] >= 0, got {v:?}"
        ))),
    }
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

/// Conv in NCHW between transposes, then the bias (O or 1 values) added in NHWC.
fn conv_nhwc(ctx: &mut OpCtx, x: ValueId, w_oihw: ValueId, groups: u64) -> Result<()> {
    let bias = ctx.input(2)?;
    let x = ctx.transpose(x, &TO_NCHW)?;
    let conv = Op::Conv(Conv {
        strides: pair(ctx, "stride")?.to_vec(),
        dilations: pair(ctx, "dilation")?.to_vec(),
        pads: pads(ctx)?,
        groups,
    });
    let y = ctx.emit1(conv, &[x, w_oihw])?;
    let y = ctx.transpose(y, &TO_NHWC)?;
    let y = ctx.elementwise(Elementwise::Binary(Binary::Add), &[y, bias])?;
    bind_as_declared(ctx, y)
}

fn conv2d(ctx: &mut OpCtx) -> Result<()> {
    zero_points_are_zero(ctx, 3, "tosa.conv2d")?;
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let w = ctx.transpose(w, &TO_NCHW)?;
    conv_nhwc(ctx, x, w, 1)
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
    let w = ctx.reshape(w, &[c * m, 1, kh, kw])?;
    conv_nhwc(ctx, x, w, c)
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
