//! Resize (opsets 11 to 19) and Upsample, composed. Resizing is separable:
//! along each resized axis every output position reads a few input positions
//! (1 nearest, 2 linear, 4 cubic, more with antialias) with weights that only
//! depend on the static sizes. Those taps and weights are computed here, in
//! f64 as the ONNX reference does, and each tap becomes a Gather along the
//! axis times a constant weight vector; the taps are summed. Nearest with
//! one-hot weights is a single Gather. tf_crop_and_resize positions outside
//! the input take `extrapolation_value`. AffineGrid (the sampling grid of
//! an affine map) is here too: a constant base grid times theta.
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Elementwise, Movement, Unary};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

/// What resampling emits: taps as Gathers times weights, and, with sizes known
/// only at run time, the tap arithmetic over `Range(0, output length)`.
const RESAMPLE: &[&str] = &[
    "Gather",
    "Mul",
    "Add",
    "Select",
    "Cast",
    "Round",
    "Clamp",
    "ShapeOf",
    "Reshape",
    "Div",
    "Sub",
    "Min",
    "Max",
    "Range",
    "Equal",
    "Less",
    "Greater",
    "GreaterOrEqual",
    "LessOrEqual",
    "Or",
    "And",
    "Floor",
    "Ceil",
    "Abs",
    "MatMul",
    "Transpose",
    "ReduceSum",
];

pub(crate) static RULES: &[Rule] = &[
    row(
        "Resize",
        &[11, 13, 18, 19],
        RESAMPLE,
        resize,
        "nearest/linear/cubic, every coordinate transform, antialias, axes, keep_aspect_ratio_policy; constant scales/sizes/roi: taps computed at conversion; run-time ones (or symbolic input dims): the same taps computed at run time (antialias: a dense weight matrix per axis, contracted)",
    ),
    row(
        "Resize",
        &[10],
        RESAMPLE,
        upsample,
        "as Upsample-9: nearest (floor) or linear, asymmetric coordinates; constant scales",
    ),
    row(
        "GridSample",
        &[16, 20, 22],
        &["GridSample"],
        grid_sample,
        "nearest/linear/cubic (bilinear/bicubic before 20), zeros/border/reflection, align_corners; 2-D and 3-D",
    ),
    row(
        "AffineGrid",
        &[20],
        &[
            "MatMul",
            "Transpose",
            "Reshape",
            "Cast",
            "Gather",
            "Range",
            "Mul",
            "Add",
            "Sub",
            "Div",
            "Greater",
            "Select",
            "Concat",
            "BroadcastTo",
        ],
        affine_grid,
        "the normalised base grid times theta: a constant of a constant size; of a run-time size, built over Range(0, n) per spatial dim",
    ),
    row(
        "Upsample",
        &[1],
        &["Gather", "Mul", "Add", "Cast"],
        upsample,
        "4-D NCHW, height_scale/width_scale; nearest (floor) or bilinear, asymmetric coordinates",
    ),
    row(
        "Upsample",
        &[7, 9, 10],
        RESAMPLE,
        upsample,
        "nearest (floor) or linear, asymmetric coordinates; run-time scales (9+): taps computed at run time",
    ),
];

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Nearest(Nearest),
    Linear,
    Cubic(f64),
}

#[derive(Clone, Copy, PartialEq)]
enum Nearest {
    RoundPreferFloor,
    RoundPreferCeil,
    Floor,
    Ceil,
}

#[derive(Clone, Copy, PartialEq)]
enum Transform {
    HalfPixel,
    HalfPixelSymmetric,
    PytorchHalfPixel,
    AlignCorners,
    Asymmetric,
    TfCropAndResize,
}

struct Options {
    mode: Mode,
    transform: Transform,
    antialias: bool,
    exclude_outside: bool,
    extrapolation: f64,
}

/// Interpolation weights for the fraction `ratio` at `scale` (the reference's coefficient functions).
fn coeffs(mode: Mode, antialias: bool, ratio: f64, scale: f64) -> Vec<f64> {
    match mode {
        Mode::Nearest(m) => {
            if ratio.fract() == 0.0 {
                return vec![0.0, 1.0];
            }
            let up = match m {
                Nearest::RoundPreferFloor => ratio > 0.5,
                Nearest::RoundPreferCeil => ratio >= 0.5,
                Nearest::Floor => false,
                Nearest::Ceil => true,
            };
            if up { vec![0.0, 1.0] } else { vec![1.0, 0.0] }
        }
        Mode::Linear if antialias => {
            let s = scale.min(1.0);
            let start = (-1.0 / s).floor() as i64 + 1;
            let footprint = 2 - 2 * start;
            let c: Vec<f64> = (start..start + footprint)
                .map(|i| (1.0 - ((i as f64 - ratio) * s).abs()).clamp(0.0, 1.0))
                .collect();
            normalized(c)
        }
        Mode::Linear => vec![1.0 - ratio, ratio],
        Mode::Cubic(a) if antialias => {
            let s = scale.min(1.0);
            let k = |x: f64| {
                let x = x.abs();
                let (x2, x3) = (x * x, x * x * x);
                if x <= 1.0 {
                    (a + 2.0) * x3 - (a + 3.0) * x2 + 1.0
                } else if x < 2.0 {
                    a * x3 - 5.0 * a * x2 + 8.0 * a * x - 4.0 * a
                } else {
                    0.0
                }
            };
            let start = (-2.0 / s).floor() as i64 + 1;
            let end = 2 - start;
            normalized((start..end).map(|i| k(s * (i as f64 - ratio))).collect())
        }
        Mode::Cubic(a) => {
            let r = ratio;
            let q = 1.0 - r;
            vec![
                ((a * (r + 1.0) - 5.0 * a) * (r + 1.0) + 8.0 * a) * (r + 1.0) - 4.0 * a,
                ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0,
                ((a + 2.0) * q - (a + 3.0)) * q * q + 1.0,
                ((a * (q + 1.0) - 5.0 * a) * (q + 1.0) + 8.0 * a) * (q + 1.0) - 4.0 * a,
            ]
        }
    }
}

fn normalized(c: Vec<f64>) -> Vec<f64> {
    let s: f64 = c.iter().sum();
    c.into_iter().map(|v| v / s).collect()
}

/// Taps of one axis: per output position, (input index, weight) pairs (all
/// rows the same length), and whether the position extrapolates.
struct Taps {
    idx: Vec<Vec<i64>>,
    w: Vec<Vec<f64>>,
    outside: Vec<bool>,
}

fn axis_taps(o: &Options, input: u64, output: u64, scale: f64, roi: (f64, f64)) -> Taps {
    let (inw, out_f) = (input as f64, scale * input as f64);
    let mut taps = Taps {
        idx: Vec::new(),
        w: Vec::new(),
        outside: Vec::new(),
    };
    for y in 0..output {
        let y = y as f64;
        let mut outside = false;
        let x = match o.transform {
            Transform::AlignCorners => {
                if out_f == 1.0 {
                    0.0
                } else {
                    y * (inw - 1.0) / (out_f - 1.0)
                }
            }
            Transform::Asymmetric => y / scale,
            Transform::TfCropAndResize => {
                let x = if out_f == 1.0 {
                    (roi.1 - roi.0) * (inw - 1.0) / 2.0
                } else {
                    y * (roi.1 - roi.0) * (inw - 1.0) / (out_f - 1.0)
                } + roi.0 * (inw - 1.0);
                outside = x < 0.0 || x > inw - 1.0;
                x
            }
            Transform::PytorchHalfPixel => {
                if out_f == 1.0 {
                    -0.5
                } else {
                    (y + 0.5) / scale - 0.5
                }
            }
            Transform::HalfPixel => (y + 0.5) / scale - 0.5,
            Transform::HalfPixelSymmetric => {
                let adjustment = output as f64 / out_f;
                let offset = inw / 2.0 * (1.0 - adjustment);
                offset + (y + 0.5) / scale - 0.5
            }
        };
        let base = x.floor();
        let ratio = if x == base { 1.0 } else { x - base };
        let mut w = coeffs(o.mode, o.antialias, ratio, scale);
        let n = w.len() as i64;
        let pad = (n + 1) / 2;
        let xp = x + pad as f64;
        let p = xp.floor();
        let frac = xp - p;
        let offset = if n % 2 == 0 {
            if frac == 0.0 { -(n / 2) } else { -(n / 2) + 1 }
        } else {
            let b = -((n - 1) / 2);
            if frac <= 0.5 { b } else { b + 1 }
        };
        let start = p as i64 + offset;
        let idx: Vec<i64> = (0..n).map(|j| start + j - pad).collect();
        if o.exclude_outside {
            for (k, &i) in idx.iter().enumerate() {
                if i < 0 || i >= input as i64 {
                    w[k] = 0.0;
                }
            }
            let s: f64 = w.iter().sum();
            let s = if s == 0.0 { 1.0 } else { s };
            w.iter_mut().for_each(|v| *v /= s);
        }
        taps.idx
            .push(idx.iter().map(|&i| i.clamp(0, input as i64 - 1)).collect());
        taps.w.push(w);
        taps.outside.push(outside);
    }
    taps
}

/// One resized axis: its output length, scale and roi (start, end).
#[derive(Clone, Copy)]
struct AxisPlan {
    axis: usize,
    output: u64,
    scale: f64,
    roi: (f64, f64),
}

/// Resamples `x` along `p.axis` to `p.output` positions.
fn resize_axis(
    ctx: &mut MapCtx,
    x: ValueId,
    p: AxisPlan,
    o: &Options,
    work: DType,
) -> Result<ValueId> {
    let AxisPlan {
        axis,
        output,
        scale,
        roi,
    } = p;
    let xt = ctx.ty(x);
    let input = xt.static_dims("Resize input")?[axis];
    if input == 0 {
        return Err(Error::invalid("Resize of an empty axis"));
    }
    let taps = axis_taps(o, input, output, scale, roi);
    let n = taps.w.first().map_or(0, Vec::len);
    let mut shape = vec![Dim::Known(1); xt.rank()];
    shape[axis] = Dim::Known(output);
    let gather = |ctx: &mut MapCtx, picks: Vec<i64>| -> Result<ValueId> {
        let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![output], &picks)?)?;
        ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, idx])
    };
    // One-hot rows (nearest): one Gather, exact.
    let one_hot: Option<Vec<i64>> = taps
        .w
        .iter()
        .zip(&taps.idx)
        .map(|(w, i)| {
            let hot: Vec<usize> = (0..w.len()).filter(|&k| w[k] != 0.0).collect();
            match hot[..] {
                [k] if w[k] == 1.0 => Some(i[k]),
                _ => None,
            }
        })
        .collect();
    let mut y = if let Some(picks) = one_hot {
        gather(ctx, picks)?
    } else {
        let mut acc: Option<ValueId> = None;
        for k in 0..n {
            let picks: Vec<i64> = taps.idx.iter().map(|r| r[k]).collect();
            let weights: Vec<f64> = taps.w.iter().map(|r| r[k]).collect();
            if weights.iter().all(|&w| w == 0.0) {
                continue;
            }
            let g = gather(ctx, picks)?;
            let wv = ctx.constant(Tensor::from_f64s(work, vec![output], &weights)?)?;
            let wv = ctx.reshape(wv, shape.clone())?;
            let term = ctx.binary(Binary::Mul, g, wv)?;
            acc = Some(match acc {
                Some(a) => ctx.binary(Binary::Add, a, term)?,
                None => term,
            });
        }
        match acc {
            Some(a) => a,
            None => {
                let zero = ctx.scalar(work, 0.0)?;
                let g = gather(ctx, vec![0; output as usize])?;
                ctx.binary(Binary::Mul, g, zero)?
            }
        }
    };
    if taps.outside.iter().any(|&b| b) {
        let flags: Vec<i64> = taps.outside.iter().map(|&b| i64::from(b)).collect();
        let mask = ctx.constant(Tensor::from_i64s(DType::Bool, vec![output], &flags)?)?;
        let mask = ctx.reshape(mask, shape)?;
        let e = ctx.scalar(work, o.extrapolation)?;
        y = ctx.emit1(Op::Elementwise(Elementwise::Select), &[mask, e, y])?;
    }
    Ok(y)
}

/// Resizes every listed axis in turn (skipping identity ones) and casts back,
/// rounding and clamping for integer inputs as the reference's saturate_cast.
fn resample(ctx: &mut MapCtx, x: ValueId, plan: &[AxisPlan], o: &Options) -> Result<()> {
    let dtype = ctx.ty(x).dtype;
    let work = match dtype {
        DType::F64 => DType::F64,
        _ => DType::F32,
    };
    let mut y = ctx.cast(x, work)?;
    let dims = ctx.ty(x).static_dims("Resize input")?;
    for &p in plan {
        let identity =
            (p.scale - 1.0).abs() < 1e-9 && p.output == dims[p.axis] && p.roi == (0.0, 1.0);
        if identity {
            continue;
        }
        y = resize_axis(ctx, y, p, o, work)?;
    }
    finish_resample(ctx, y, dtype)
}

/// The resampled `y` back in `dtype`, integers rounded and clamped as the
/// reference's saturate_cast.
fn finish_resample(ctx: &mut MapCtx, y: ValueId, dtype: DType) -> Result<()> {
    let y = if dtype.is_float() {
        ctx.cast(y, dtype)?
    } else {
        let (lo, hi) = super::elementwise::dtype_range(dtype);
        let r = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Round)), &[y])?;
        let c = ctx.emit1(
            Op::Elementwise(Elementwise::Unary(Unary::Clamp { min: lo, max: hi })),
            &[r],
        )?;
        ctx.cast(c, dtype)?
    };
    ctx.bind(0, y)
}

fn floats_of(ctx: &MapCtx, i: usize) -> Option<Vec<f64>> {
    let v = ctx.opt_input(i)?;
    let t = ctx.const_of(v)?;
    if t.num_elements() == 0 {
        None
    } else {
        Some(t.to_f64s())
    }
}

fn resize(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let r = ctx.ty(x).rank();
    let mode = ctx.attrs.string_or("mode", "nearest")?;
    let cubic_a = ctx.attrs.float_or("cubic_coeff_a", -0.75)? as f64;
    let mode = match mode.as_str() {
        "nearest" => Mode::Nearest(
            match ctx
                .attrs
                .string_or("nearest_mode", "round_prefer_floor")?
                .as_str()
            {
                "round_prefer_floor" => Nearest::RoundPreferFloor,
                "round_prefer_ceil" => Nearest::RoundPreferCeil,
                "floor" => Nearest::Floor,
                "ceil" => Nearest::Ceil,
                other => return Err(Error::invalid(format!("unknown nearest_mode \"{other}\""))),
            },
        ),
        "linear" => Mode::Linear,
        "cubic" => Mode::Cubic(cubic_a),
        other => return Err(Error::invalid(format!("unknown Resize mode \"{other}\""))),
    };
    let transform = match ctx
        .attrs
        .string_or("coordinate_transformation_mode", "half_pixel")?
        .as_str()
    {
        "half_pixel" => Transform::HalfPixel,
        "half_pixel_symmetric" => Transform::HalfPixelSymmetric,
        "pytorch_half_pixel" => Transform::PytorchHalfPixel,
        "align_corners" => Transform::AlignCorners,
        "asymmetric" => Transform::Asymmetric,
        "tf_crop_and_resize" => Transform::TfCropAndResize,
        other => {
            return Err(Error::invalid(format!(
                "unknown coordinate_transformation_mode \"{other}\""
            )));
        }
    };
    let antialias = ctx.attrs.int_or("antialias", 0)? != 0;
    if antialias && matches!(mode, Mode::Nearest(_)) {
        return Err(Error::invalid(
            "Resize antialias needs linear or cubic mode",
        ));
    }
    let o = Options {
        mode,
        transform,
        antialias,
        exclude_outside: ctx.attrs.int_or("exclude_outside", 0)? != 0,
        extrapolation: ctx.attrs.float_or("extrapolation_value", 0.0)? as f64,
    };
    let axes: Vec<usize> = match ctx.attrs.ints("axes")? {
        Some(a) => a
            .iter()
            .map(|&v| normalize_axis(v, r))
            .collect::<Result<_>>()?,
        None => (0..r).collect(),
    };
    let policy = ctx.attrs.string_or("keep_aspect_ratio_policy", "stretch")?;
    // roi, scales or sizes computed at run time, or symbolic input dims: the
    // taps are computed at run time too.
    let run_time: Vec<usize> = [1, 2, 3]
        .into_iter()
        .filter(|&i| ctx.opt_input(i).is_some_and(|v| ctx.const_of(v).is_none()))
        .collect();
    if !run_time.is_empty() || ctx.ty(x).known_dims().is_none() {
        let at = ResizeInputs {
            roi: Some(1),
            scales: 2,
            sizes: Some(3),
        };
        return run_time_resize(ctx, x, &o, &axes, &policy, at);
    }
    let dims = ctx.ty(x).static_dims("Resize input")?;
    let mut roi = vec![(0.0, 1.0); r];
    if let Some(v) = floats_of(ctx, 1) {
        let n = axes.len();
        if v.len() != 2 * n {
            return Err(Error::invalid(format!(
                "Resize roi needs {} values, got {}",
                2 * n,
                v.len()
            )));
        }
        for (k, &a) in axes.iter().enumerate() {
            roi[a] = (v[k], v[n + k]);
        }
    }
    let mut plan = Vec::with_capacity(axes.len());
    match (floats_of(ctx, 2), floats_of(ctx, 3)) {
        (Some(scales), None) => {
            if scales.len() != axes.len() {
                return Err(Error::invalid("Resize scales must have one value per axis"));
            }
            for (k, &a) in axes.iter().enumerate() {
                // The scale as f32, times the dim, truncated (as the reference).
                let s = f64::from(scales[k] as f32);
                plan.push(AxisPlan {
                    axis: a,
                    output: (s * dims[a] as f64) as u64,
                    scale: s,
                    roi: roi[a],
                });
            }
        }
        (None, Some(sizes)) => {
            if sizes.len() != axes.len() {
                return Err(Error::invalid("Resize sizes must have one value per axis"));
            }
            let mut scales: Vec<f64> = axes
                .iter()
                .zip(&sizes)
                .map(|(&a, &s)| s / dims[a] as f64)
                .collect();
            let mut outs: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
            if policy != "stretch" {
                let pick = match policy.as_str() {
                    "not_larger" => scales.iter().copied().fold(f64::INFINITY, f64::min),
                    "not_smaller" => scales.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    other => {
                        return Err(Error::invalid(format!(
                            "unknown keep_aspect_ratio_policy \"{other}\""
                        )));
                    }
                };
                scales = vec![pick; axes.len()];
                outs = axes
                    .iter()
                    .map(|&a| (pick * dims[a] as f64 + 0.5) as u64)
                    .collect();
            }
            for (k, &a) in axes.iter().enumerate() {
                plan.push(AxisPlan {
                    axis: a,
                    output: outs[k],
                    scale: scales[k],
                    roi: roi[a],
                });
            }
        }
        _ => {
            return Err(Error::invalid(
                "Resize needs exactly one of scales and sizes",
            ));
        }
    }
    plan.sort_by_key(|p| p.axis);
    resample(ctx, x, &plan, &o)
}

/// Where Resize (roi, scales, sizes) or Upsample (scales) keep their inputs.
#[derive(Clone, Copy)]
struct ResizeInputs {
    roi: Option<usize>,
    scales: usize,
    sizes: Option<usize>,
}

/// One resized axis when its sizes are known only at run time: 0-d values.
struct RunTimeAxis {
    axis: usize,
    /// Input and output lengths (f64), the output length (i64), the scale (f64).
    input: ValueId,
    output: ValueId,
    output_len: ValueId,
    scale: ValueId,
    /// roi start and end (f64), for tf_crop_and_resize.
    roi: (ValueId, ValueId),
}

/// A 0-d f64 value.
fn f64_scalar(ctx: &mut MapCtx, v: f64) -> Result<ValueId> {
    ctx.scalar(DType::F64, v)
}

/// Entry `k` of a 1-D run-time vector as a 0-d value of type `to`.
fn entry(ctx: &mut MapCtx, v: ValueId, k: usize, to: DType) -> Result<ValueId> {
    let at = ctx.i64s(vec![1], &[k as i64])?;
    let e = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[v, at])?;
    let e = ctx.reshape_to(e, &[])?;
    ctx.cast(e, to)
}

/// Resize with scales, sizes or roi computed at run time (or symbolic input
/// dims): the same taps as `axis_taps`, computed by canonical ops over
/// `Range(0, output length)` in f64, so the output lengths are run-time dims.
fn run_time_resize(
    ctx: &mut MapCtx,
    x: ValueId,
    o: &Options,
    axes: &[usize],
    policy: &str,
    at: ResizeInputs,
) -> Result<()> {
    let n = axes.len();
    let xt = ctx.ty(x);
    let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
    let mut inputs = Vec::with_capacity(n);
    for &a in axes {
        inputs.push(match xt.shape[a].known() {
            Some(d) => f64_scalar(ctx, d as f64)?,
            None => entry(ctx, shape, a, DType::F64)?,
        });
    }
    let vector = |ctx: &mut MapCtx, i: Option<usize>, what: &str| -> Result<Option<ValueId>> {
        let Some(v) = i.and_then(|i| ctx.opt_input(i)) else {
            return Ok(None);
        };
        let is_roi = i == at.roi;
        match ctx.ty(v).num_elements()? {
            Some(0) => Ok(None),
            Some(len) if len as usize == n || (is_roi && len as usize == 2 * n) => {
                Ok(Some(ctx.reshape_to(v, &[len])?))
            }
            _ => Err(Error::invalid(format!(
                "Resize {what} {} must hold one value per resized axis ({n})",
                ctx.ty(v)
            ))),
        }
    };
    let roi_v = vector(ctx, at.roi, "roi")?;
    let scales_v = vector(ctx, Some(at.scales), "scales")?;
    let sizes_v = vector(ctx, at.sizes, "sizes")?;
    let mut plan = Vec::with_capacity(n);
    match (scales_v, sizes_v) {
        (Some(scales), None) => {
            for (k, &a) in axes.iter().enumerate() {
                // The scale as f32, times the dim, truncated (as the reference).
                let s = ctx.cast(scales, DType::F32)?;
                let scale = entry(ctx, s, k, DType::F64)?;
                let out = ctx.binary(Binary::Mul, scale, inputs[k])?;
                let output_len = ctx.cast(out, DType::I64)?;
                let output = ctx.cast(output_len, DType::F64)?;
                plan.push((a, inputs[k], output, output_len, scale));
            }
        }
        (None, Some(sizes)) => {
            let mut scales = Vec::with_capacity(n);
            let mut outs = Vec::with_capacity(n);
            for (k, &input) in inputs.iter().enumerate() {
                let out = entry(ctx, sizes, k, DType::F64)?;
                scales.push(ctx.binary(Binary::Div, out, input)?);
                outs.push(out);
            }
            if policy != "stretch" {
                let pick = match policy {
                    "not_larger" => Binary::Min,
                    "not_smaller" => Binary::Max,
                    other => {
                        return Err(Error::invalid(format!(
                            "unknown keep_aspect_ratio_policy \"{other}\""
                        )));
                    }
                };
                let mut one = scales[0];
                for &s in &scales[1..] {
                    one = ctx.binary(pick, one, s)?;
                }
                let half = f64_scalar(ctx, 0.5)?;
                for (k, &input) in inputs.iter().enumerate() {
                    scales[k] = one;
                    let out = ctx.binary(Binary::Mul, one, input)?;
                    let out = ctx.binary(Binary::Add, out, half)?;
                    let out = ctx.cast(out, DType::I64)?;
                    outs[k] = ctx.cast(out, DType::F64)?;
                }
            }
            for (k, &a) in axes.iter().enumerate() {
                let output_len = ctx.cast(outs[k], DType::I64)?;
                plan.push((a, inputs[k], outs[k], output_len, scales[k]));
            }
        }
        _ => {
            return Err(Error::invalid(
                "Resize needs exactly one of scales and sizes",
            ));
        }
    }
    let mut axes_plan = Vec::with_capacity(n);
    for (k, (axis, input, output, output_len, scale)) in plan.into_iter().enumerate() {
        let roi = match roi_v {
            Some(r) => (
                entry(ctx, r, k, DType::F64)?,
                entry(ctx, r, n + k, DType::F64)?,
            ),
            None => (f64_scalar(ctx, 0.0)?, f64_scalar(ctx, 1.0)?),
        };
        axes_plan.push(RunTimeAxis {
            axis,
            input,
            output,
            output_len,
            scale,
            roi,
        });
    }
    axes_plan.sort_by_key(|p| p.axis);
    let dtype = ctx.ty(x).dtype;
    let work = match dtype {
        DType::F64 => DType::F64,
        _ => DType::F32,
    };
    let mut y = ctx.cast(x, work)?;
    for p in &axes_plan {
        y = run_time_resize_axis(ctx, y, p, o, work)?;
    }
    finish_resample(ctx, y, dtype)
}

/// Resamples `x` along one axis with run-time sizes (see `axis_taps`).
fn run_time_resize_axis(
    ctx: &mut MapCtx,
    x: ValueId,
    p: &RunTimeAxis,
    o: &Options,
    work: DType,
) -> Result<ValueId> {
    use o2l_canon::ops::Compare;
    let c = |ctx: &mut MapCtx, v: f64| f64_scalar(ctx, v);
    let zero_i = ctx.i64s(vec![], &[0])?;
    let one_i = ctx.i64s(vec![], &[1])?;
    let count = format!("{}_{}", ctx.origin.node, p.axis);
    let positions = ctx.emit1(
        Op::Movement(Movement::Range {
            count: count.clone(),
        }),
        &[zero_i, p.output_len, one_i],
    )?;
    let y = ctx.cast(positions, DType::F64)?;
    let (one, half) = (c(ctx, 1.0)?, c(ctx, 0.5)?);
    // out_f = scale * input: the unrounded output length.
    let out_f = ctx.binary(Binary::Mul, p.scale, p.input)?;
    let in_last = ctx.binary(Binary::Sub, p.input, one)?;
    let out_last = ctx.binary(Binary::Sub, out_f, one)?;
    let single = ctx.compare(Compare::Equal, out_f, one)?;
    let centre = |ctx: &mut MapCtx| -> Result<ValueId> {
        let t = ctx.binary(Binary::Add, y, half)?;
        let t = ctx.binary(Binary::Div, t, p.scale)?;
        ctx.binary(Binary::Sub, t, half)
    };
    let select = |ctx: &mut MapCtx, c: ValueId, a: ValueId, b: ValueId| {
        ctx.emit1(Op::Elementwise(Elementwise::Select), &[c, a, b])
    };
    let mut outside = None;
    let coord = match o.transform {
        Transform::AlignCorners => {
            let t = ctx.binary(Binary::Mul, y, in_last)?;
            let t = ctx.binary(Binary::Div, t, out_last)?;
            let zero = c(ctx, 0.0)?;
            select(ctx, single, zero, t)?
        }
        Transform::Asymmetric => ctx.binary(Binary::Div, y, p.scale)?,
        Transform::TfCropAndResize => {
            let span = ctx.binary(Binary::Sub, p.roi.1, p.roi.0)?;
            let span = ctx.binary(Binary::Mul, span, in_last)?;
            let mid = ctx.binary(Binary::Mul, span, half)?;
            let t = ctx.binary(Binary::Mul, y, span)?;
            let t = ctx.binary(Binary::Div, t, out_last)?;
            let t = select(ctx, single, mid, t)?;
            let start = ctx.binary(Binary::Mul, p.roi.0, in_last)?;
            let t = ctx.binary(Binary::Add, t, start)?;
            let zero = c(ctx, 0.0)?;
            let below = ctx.compare(Compare::Less, t, zero)?;
            let above = ctx.compare(Compare::Greater, t, in_last)?;
            outside = Some(ctx.binary(Binary::Or, below, above)?);
            t
        }
        Transform::PytorchHalfPixel => {
            let t = centre(ctx)?;
            let m = c(ctx, -0.5)?;
            select(ctx, single, m, t)?
        }
        Transform::HalfPixel => centre(ctx)?,
        Transform::HalfPixelSymmetric => {
            let adjustment = ctx.binary(Binary::Div, p.output, out_f)?;
            let rest = ctx.binary(Binary::Sub, one, adjustment)?;
            let offset = ctx.binary(Binary::Mul, p.input, half)?;
            let offset = ctx.binary(Binary::Mul, offset, rest)?;
            let t = centre(ctx)?;
            ctx.binary(Binary::Add, offset, t)?
        }
    };
    if o.antialias {
        return antialias_axis(ctx, x, p, coord, outside, o, work);
    }
    let base = ctx.unary(Unary::Floor, coord)?;
    let ratio = ctx.binary(Binary::Sub, coord, base)?;
    // Taps: (offset from the floor, weight); None weight: the one tap of nearest.
    let taps: Vec<(i64, Option<ValueId>)> = match o.mode {
        Mode::Nearest(m) => {
            let zero = c(ctx, 0.0)?;
            let up = match m {
                Nearest::RoundPreferFloor => Some(ctx.compare(Compare::Greater, ratio, half)?),
                Nearest::RoundPreferCeil => {
                    Some(ctx.compare(Compare::GreaterOrEqual, ratio, half)?)
                }
                Nearest::Floor => None,
                Nearest::Ceil => Some(ctx.compare(Compare::Greater, ratio, zero)?),
            };
            let shift = match up {
                Some(up) => select(ctx, up, one, zero)?,
                None => zero,
            };
            let at = ctx.binary(Binary::Add, base, shift)?;
            return gather_taps(ctx, x, p, at, &[(0, None)], outside, o, work);
        }
        Mode::Linear => {
            let w0 = ctx.binary(Binary::Sub, one, ratio)?;
            vec![(0, Some(w0)), (1, Some(ratio))]
        }
        Mode::Cubic(a) => {
            let q = ctx.binary(Binary::Sub, one, ratio)?;
            // The reference's cubic kernel at distances 1 + r, r, 1 - r, 2 - r.
            let near = |ctx: &mut MapCtx, t: ValueId| -> Result<ValueId> {
                let k1 = c(ctx, a + 2.0)?;
                let k2 = c(ctx, a + 3.0)?;
                let v = ctx.binary(Binary::Mul, k1, t)?;
                let v = ctx.binary(Binary::Sub, v, k2)?;
                let v = ctx.binary(Binary::Mul, v, t)?;
                let v = ctx.binary(Binary::Mul, v, t)?;
                ctx.binary(Binary::Add, v, one)
            };
            let far = |ctx: &mut MapCtx, t: ValueId| -> Result<ValueId> {
                let t1 = ctx.binary(Binary::Add, t, one)?;
                let (ka, k5, k8, k4) = (
                    c(ctx, a)?,
                    c(ctx, 5.0 * a)?,
                    c(ctx, 8.0 * a)?,
                    c(ctx, 4.0 * a)?,
                );
                let v = ctx.binary(Binary::Mul, ka, t1)?;
                let v = ctx.binary(Binary::Sub, v, k5)?;
                let v = ctx.binary(Binary::Mul, v, t1)?;
                let v = ctx.binary(Binary::Add, v, k8)?;
                let v = ctx.binary(Binary::Mul, v, t1)?;
                ctx.binary(Binary::Sub, v, k4)
            };
            let w0 = far(ctx, ratio)?;
            let w1 = near(ctx, ratio)?;
            let w2 = near(ctx, q)?;
            let w3 = far(ctx, q)?;
            vec![(-1, Some(w0)), (0, Some(w1)), (1, Some(w2)), (2, Some(w3))]
        }
    };
    gather_taps(ctx, x, p, base, &taps, outside, o, work)
}

/// Antialiased resampling along one axis with run-time sizes. Its tap count
/// depends on the scale, so instead of taps this builds the dense weight
/// matrix of the axis, `W[y, t] = k(s * (t - coord[y]))` normalised per row
/// (`s = min(scale, 1)`, `k` the linear or cubic kernel), over the input
/// positions `t` in `[-r, input + r)` with `r = ceil(support / s)` the
/// kernel's reach: positions past an edge read the edge value (the
/// reference's edge padding), or weigh nothing under exclude_outside. The
/// kernel is zero outside the reference's window, so the rows equal its
/// normalised coefficients; `x` gathered at the clamped positions is
/// contracted with `W` (a MatMul along the axis).
#[allow(clippy::too_many_arguments)]
fn antialias_axis(
    ctx: &mut MapCtx,
    x: ValueId,
    p: &RunTimeAxis,
    coord: ValueId,
    outside: Option<ValueId>,
    o: &Options,
    work: DType,
) -> Result<ValueId> {
    use o2l_canon::ops::{Compare, Linear, Reduce, ReduceKind};
    let c = |ctx: &mut MapCtx, v: f64| f64_scalar(ctx, v);
    let rank = ctx.ty(x).rank();
    let (zero, one) = (c(ctx, 0.0)?, c(ctx, 1.0)?);
    let support = match o.mode {
        Mode::Cubic(_) => 2.0,
        _ => 1.0,
    };
    let s = ctx.binary(Binary::Min, p.scale, one)?;
    let reach = c(ctx, support)?;
    let reach = ctx.binary(Binary::Div, reach, s)?;
    let reach = ctx.unary(Unary::Ceil, reach)?;
    let reach = ctx.cast(reach, DType::I64)?;
    let input = ctx.cast(p.input, DType::I64)?;
    let zero_i = ctx.i64s(vec![], &[0])?;
    let one_i = ctx.i64s(vec![], &[1])?;
    let start = ctx.binary(Binary::Sub, zero_i, reach)?;
    let limit = ctx.binary(Binary::Add, input, reach)?;
    let count = format!("{}_{}_window", ctx.origin.node, p.axis);
    let t = ctx.emit1(
        Op::Movement(Movement::Range {
            count: count.clone(),
        }),
        &[start, limit, one_i],
    )?;
    // x read at every window position, the edges repeated past the ends.
    let last = ctx.binary(Binary::Sub, input, one_i)?;
    let clamped = ctx.binary(Binary::Max, t, zero_i)?;
    let clamped = ctx.binary(Binary::Min, clamped, last)?;
    let xs = ctx.emit1(
        Op::Movement(Movement::Gather { axis: p.axis }),
        &[x, clamped],
    )?;
    // Distances s * |t - coord| as [output, window].
    let out_sym = Dim::Symbol(format!("{}_{}", ctx.origin.node, p.axis));
    let win_sym = Dim::Symbol(count);
    let coord = ctx.reshape(coord, vec![out_sym, Dim::Known(1)])?;
    let tf = ctx.cast(t, DType::F64)?;
    let tf = ctx.reshape(tf, vec![Dim::Known(1), win_sym])?;
    let d = ctx.binary(Binary::Sub, tf, coord)?;
    let d = ctx.unary(Unary::Abs, d)?;
    let d = ctx.binary(Binary::Mul, d, s)?;
    let mut w = match o.mode {
        Mode::Cubic(a) => {
            let d2 = ctx.binary(Binary::Mul, d, d)?;
            let d3 = ctx.binary(Binary::Mul, d2, d)?;
            let poly = |ctx: &mut MapCtx, k: [f64; 4]| -> Result<ValueId> {
                // k0 d^3 + k1 d^2 + k2 d + k3
                let k0 = c(ctx, k[0])?;
                let k1 = c(ctx, k[1])?;
                let v = ctx.binary(Binary::Mul, k0, d3)?;
                let t2 = ctx.binary(Binary::Mul, k1, d2)?;
                let v = ctx.binary(Binary::Sub, v, t2)?;
                let v = if k[2] != 0.0 {
                    let k2 = c(ctx, k[2])?;
                    let t1 = ctx.binary(Binary::Mul, k2, d)?;
                    ctx.binary(Binary::Add, v, t1)?
                } else {
                    v
                };
                let k3 = c(ctx, k[3])?;
                ctx.binary(Binary::Add, v, k3)
            };
            // (a + 2) d^3 - (a + 3) d^2 + 1 within 1; a d^3 - 5a d^2 + 8a d - 4a within 2.
            let near = poly(ctx, [a + 2.0, a + 3.0, 0.0, 1.0])?;
            let far = poly(ctx, [a, 5.0 * a, 8.0 * a, -4.0 * a])?;
            let two = c(ctx, 2.0)?;
            let within1 = ctx.compare(Compare::LessOrEqual, d, one)?;
            let within2 = ctx.compare(Compare::Less, d, two)?;
            let w = ctx.emit1(Op::Elementwise(Elementwise::Select), &[within2, far, zero])?;
            ctx.emit1(Op::Elementwise(Elementwise::Select), &[within1, near, w])?
        }
        _ => {
            let w = ctx.binary(Binary::Sub, one, d)?;
            ctx.binary(Binary::Max, w, zero)?
        }
    };
    if o.exclude_outside {
        let low = ctx.compare(Compare::GreaterOrEqual, t, zero_i)?;
        let high = ctx.compare(Compare::LessOrEqual, t, last)?;
        let inside = ctx.binary(Binary::And, low, high)?;
        let inside = ctx.cast(inside, DType::F64)?;
        w = ctx.binary(Binary::Mul, w, inside)?;
    }
    let total = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Sum,
            axes: vec![1],
            keep_dims: true,
        }),
        &[w],
    )?;
    let none = ctx.compare(Compare::Equal, total, zero)?;
    let total = ctx.emit1(Op::Elementwise(Elementwise::Select), &[none, one, total])?;
    let w = ctx.binary(Binary::Div, w, total)?;
    let w = ctx.cast(w, work)?;
    // Contract the window axis of xs with W's columns.
    let y = if rank >= 2 && p.axis == rank - 2 {
        ctx.emit1(Op::Linear(Linear::MatMul), &[w, xs])?
    } else {
        let wt = ctx.transpose(w, &[1, 0])?;
        let mut perm: Vec<usize> = (0..rank).filter(|&i| i != p.axis).collect();
        perm.push(p.axis);
        let moved = ctx.transpose(xs, &perm)?;
        let y = ctx.emit1(Op::Linear(Linear::MatMul), &[moved, wt])?;
        let mut back = vec![0; rank];
        for (i, &a) in perm.iter().enumerate() {
            back[a] = i;
        }
        ctx.transpose(y, &back)?
    };
    match outside {
        Some(mask) => {
            let mut along = vec![Dim::Known(1); rank];
            along[p.axis] = Dim::Symbol(format!("{}_{}", ctx.origin.node, p.axis));
            let mask = ctx.reshape(mask, along)?;
            let e = ctx.scalar(work, o.extrapolation)?;
            ctx.emit1(Op::Elementwise(Elementwise::Select), &[mask, e, y])
        }
        None => Ok(y),
    }
}

/// Sum over taps of `x` gathered along the axis at `at + offset` (clamped
/// into the input) times the tap's weight, weights of taps outside the
/// input dropped and the rest renormalised under exclude_outside; positions
/// `outside` take the extrapolation value.
#[allow(clippy::too_many_arguments)]
fn gather_taps(
    ctx: &mut MapCtx,
    x: ValueId,
    p: &RunTimeAxis,
    at: ValueId,
    taps: &[(i64, Option<ValueId>)],
    outside: Option<ValueId>,
    o: &Options,
    work: DType,
) -> Result<ValueId> {
    use o2l_canon::ops::Compare;
    let rank = ctx.ty(x).rank();
    let zero = f64_scalar(ctx, 0.0)?;
    let last = {
        let one = f64_scalar(ctx, 1.0)?;
        ctx.binary(Binary::Sub, p.input, one)?
    };
    let mut weights: Vec<Option<ValueId>> = taps.iter().map(|t| t.1).collect();
    let mut indices = Vec::with_capacity(taps.len());
    for (k, &(offset, _)) in taps.iter().enumerate() {
        let off = f64_scalar(ctx, offset as f64)?;
        let i = ctx.binary(Binary::Add, at, off)?;
        if o.exclude_outside
            && let Some(w) = weights[k]
        {
            let low = ctx.compare(Compare::GreaterOrEqual, i, zero)?;
            let high = ctx.compare(Compare::LessOrEqual, i, last)?;
            let inside = ctx.binary(Binary::And, low, high)?;
            let inside = ctx.cast(inside, DType::F64)?;
            weights[k] = Some(ctx.binary(Binary::Mul, w, inside)?);
        }
        let i = ctx.binary(Binary::Max, i, zero)?;
        let i = ctx.binary(Binary::Min, i, last)?;
        indices.push(ctx.cast(i, DType::I64)?);
    }
    if o.exclude_outside && weights.iter().all(Option::is_some) {
        let mut total = None;
        for w in weights.iter().flatten() {
            total = Some(match total {
                Some(t) => ctx.binary(Binary::Add, t, *w)?,
                None => *w,
            });
        }
        if let Some(total) = total {
            let none = ctx.compare(Compare::Equal, total, zero)?;
            let one = f64_scalar(ctx, 1.0)?;
            let total = ctx.emit1(Op::Elementwise(Elementwise::Select), &[none, one, total])?;
            for w in weights.iter_mut().flatten() {
                *w = ctx.binary(Binary::Div, *w, total)?;
            }
        }
    }
    let count = Dim::Symbol(format!("{}_{}", ctx.origin.node, p.axis));
    let mut along = vec![Dim::Known(1); rank];
    along[p.axis] = count;
    let mut acc: Option<ValueId> = None;
    for (i, w) in indices.into_iter().zip(weights) {
        let g = ctx.emit1(Op::Movement(Movement::Gather { axis: p.axis }), &[x, i])?;
        let term = match w {
            Some(w) => {
                let w = ctx.cast(w, work)?;
                let w = ctx.reshape(w, along.clone())?;
                ctx.binary(Binary::Mul, g, w)?
            }
            None => g,
        };
        acc = Some(match acc {
            Some(a) => ctx.binary(Binary::Add, a, term)?,
            None => term,
        });
    }
    let y = acc.ok_or_else(|| Error::internal("Resize without taps"))?;
    match outside {
        Some(mask) => {
            let mask = ctx.reshape(mask, along)?;
            let e = ctx.scalar(work, o.extrapolation)?;
            ctx.emit1(Op::Elementwise(Elementwise::Select), &[mask, e, y])
        }
        None => Ok(y),
    }
}

fn upsample(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let mode = match ctx.attrs.string_or("mode", "nearest")?.as_str() {
        "nearest" => Mode::Nearest(Nearest::Floor),
        "linear" | "bilinear" => Mode::Linear,
        other => return Err(Error::invalid(format!("unknown Upsample mode \"{other}\""))),
    };
    let o = Options {
        mode,
        transform: Transform::Asymmetric,
        antialias: false,
        exclude_outside: false,
        extrapolation: 0.0,
    };
    let run_time_scales =
        ctx.version >= 9 && ctx.opt_input(1).is_some_and(|v| ctx.const_of(v).is_none());
    if run_time_scales || (ctx.version >= 9 && ctx.ty(x).known_dims().is_none()) {
        let at = ResizeInputs {
            roi: None,
            scales: 1,
            sizes: None,
        };
        let axes: Vec<usize> = (0..ctx.ty(x).rank()).collect();
        return run_time_resize(ctx, x, &o, &axes, "stretch", at);
    }
    let dims = ctx.ty(x).static_dims("Upsample input")?;
    let scales: Vec<f64> = if ctx.version >= 9 {
        floats_of(ctx, 1).ok_or_else(|| Error::invalid("Upsample needs its scales"))?
    } else if ctx.version < 7 {
        if dims.len() != 4 {
            return Err(Error::invalid(format!(
                "Upsample-1 input must be 4-D (NCHW), got {dims:?}"
            )));
        }
        let h = ctx.attrs.float("height_scale")?;
        let w = ctx.attrs.float("width_scale")?;
        let (Some(h), Some(w)) = (h, w) else {
            return Err(Error::invalid(
                "Upsample-1 needs height_scale and width_scale",
            ));
        };
        vec![1.0, 1.0, f64::from(h), f64::from(w)]
    } else {
        ctx.attrs
            .floats("scales")?
            .ok_or_else(|| Error::invalid("Upsample needs scales"))?
            .into_iter()
            .map(f64::from)
            .collect()
    };
    if scales.len() != dims.len() {
        return Err(Error::invalid(
            "Upsample scales must have one value per dim",
        ));
    }
    let plan: Vec<_> = scales
        .iter()
        .enumerate()
        .map(|(a, &s)| {
            let s = f64::from(s as f32);
            AxisPlan {
                axis: a,
                output: (s * dims[a] as f64) as u64,
                scale: s,
                roi: (0.0, 1.0),
            }
        })
        .collect();
    resample(ctx, x, &plan, &o)
}

fn grid_sample(ctx: &mut MapCtx) -> Result<()> {
    use o2l_canon::ops::{Sample, SampleMode, SamplePadding};
    let (x, grid) = (ctx.input(0)?, ctx.input(1)?);
    let mode = match ctx
        .attrs
        .string_or(
            "mode",
            if ctx.version >= 20 {
                "linear"
            } else {
                "bilinear"
            },
        )?
        .as_str()
    {
        "nearest" => SampleMode::Nearest,
        "linear" | "bilinear" => SampleMode::Linear,
        "cubic" | "bicubic" => SampleMode::Cubic,
        other => {
            return Err(Error::invalid(format!(
                "unknown GridSample mode \"{other}\""
            )));
        }
    };
    let padding = match ctx.attrs.string_or("padding_mode", "zeros")?.as_str() {
        "zeros" => SamplePadding::Zeros,
        "border" => SamplePadding::Border,
        "reflection" => SamplePadding::Reflection,
        other => {
            return Err(Error::invalid(format!(
                "unknown GridSample padding_mode \"{other}\""
            )));
        }
    };
    let align_corners = ctx.attrs.int_or("align_corners", 0)? != 0;
    let grid = ctx.cast(grid, ctx.ty(x).dtype)?;
    let y = ctx.emit1(
        Op::Sample(Sample::GridSample {
            mode,
            padding,
            align_corners,
        }),
        &[x, grid],
    )?;
    ctx.bind(0, y)
}

fn affine_grid(ctx: &mut MapCtx) -> Result<()> {
    let theta = ctx.input(0)?;
    if ctx.opt_input(1).is_some_and(|v| ctx.const_of(v).is_none()) {
        return run_time_affine_grid(ctx, theta);
    }
    let size = match ctx.const_ints(1, "size")? {
        Some(s) => s,
        None => return Err(Error::invalid("AffineGrid needs its size input")),
    };
    let align = ctx.attrs.int_or("align_corners", 0)? != 0;
    let dims = super::ctx::to_u64s(&size, "AffineGrid size")?;
    let spatial: Vec<u64> = match dims.len() {
        4 | 5 => dims[2..].to_vec(),
        n => {
            return Err(Error::invalid(format!(
                "AffineGrid size must have 4 (2-D) or 5 (3-D) values, got {n}"
            )));
        }
    };
    let k = spatial.len();
    let tt = ctx.ty(theta);
    let td = tt.static_dims("AffineGrid theta")?;
    if td != [dims[0], k as u64, k as u64 + 1] {
        return Err(Error::invalid(format!(
            "AffineGrid theta must be ({}, {k}, {}) for size {size:?}, got {tt}",
            dims[0],
            k + 1
        )));
    }
    // Coordinates along one dim, in [-1, 1].
    let coords = |n: u64| -> Vec<f64> {
        (0..n)
            .map(|i| {
                let i = i as f64;
                let n = n as f64;
                if align {
                    if n > 1.0 {
                        -1.0 + 2.0 * i / (n - 1.0)
                    } else {
                        -1.0
                    }
                } else {
                    -1.0 + (2.0 * i + 1.0) / n
                }
            })
            .collect()
    };
    let axes: Vec<Vec<f64>> = spatial.iter().map(|&n| coords(n)).collect();
    let points: u64 = spatial.iter().product();
    // Rows (x, y[, z], 1) in row-major order of the spatial dims; x is the last dim.
    let mut base = Vec::with_capacity(points as usize * (k + 1));
    for p in 0..points {
        let mut rem = p;
        let mut idx = vec![0usize; k];
        for d in (0..k).rev() {
            idx[d] = (rem % spatial[d]) as usize;
            rem /= spatial[d];
        }
        for d in (0..k).rev() {
            base.push(axes[d][idx[d]]);
        }
        base.push(1.0);
    }
    // (points, k+1) @ theta^T (N, k+1, k) -> (N, points, k)
    let b = ctx.constant(Tensor::from_f64s(
        tt.dtype,
        vec![points, k as u64 + 1],
        &base,
    )?)?;
    let t = ctx.emit1(
        Op::Movement(Movement::Transpose {
            perm: vec![0, 2, 1],
        }),
        &[theta],
    )?;
    let g = ctx.emit1(Op::Linear(o2l_canon::ops::Linear::MatMul), &[b, t])?;
    let mut shape = vec![Dim::Known(dims[0])];
    shape.extend(spatial.iter().map(|&n| Dim::Known(n)));
    shape.push(Dim::Known(k as u64));
    let y = ctx.reshape(g, shape)?;
    ctx.bind(0, y)
}

/// AffineGrid of a size computed at run time (of static length): each
/// spatial dim's coordinates over `Range(0, n)`, broadcast to the grid and
/// stacked with ones into rows (x, y[, z], 1), times theta; the spatial
/// dims are run-time dims.
fn run_time_affine_grid(ctx: &mut MapCtx, theta: ValueId) -> Result<()> {
    use o2l_canon::ops::Compare;
    let size = ctx.input(1)?;
    let k = match ctx.ty(size).shape.as_slice() {
        [Dim::Known(4)] => 2,
        [Dim::Known(5)] => 3,
        _ => {
            return Err(Error::invalid(format!(
                "AffineGrid size must have 4 (2-D) or 5 (3-D) values, got {}",
                ctx.ty(size)
            )));
        }
    };
    let tt = ctx.ty(theta);
    let d = tt.dtype;
    let n = match tt.shape.as_slice() {
        [Dim::Known(n), Dim::Known(r), Dim::Known(c)] if *r == k as u64 && *c == k as u64 + 1 => *n,
        _ => {
            return Err(Error::invalid(format!(
                "AffineGrid theta must be (N, {k}, {}), got {tt}",
                k + 1
            )));
        }
    };
    let align = ctx.attrs.int_or("align_corners", 0)? != 0;
    let size = ctx.cast(size, DType::I64)?;
    let at = ctx.i64s(vec![k as u64], &(2..2 + k as i64).collect::<Vec<_>>())?;
    let spatial = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[size, at])?;
    let (zero, one) = (ctx.i64s(vec![], &[0])?, ctx.i64s(vec![], &[1])?);
    let mut channels = Vec::with_capacity(k + 1);
    for dim in (0..k).rev() {
        let len = entry(ctx, spatial, dim, DType::I64)?;
        let count = format!("{}_{dim}", ctx.origin.node);
        let i = ctx.emit1(
            Op::Movement(Movement::Range {
                count: count.clone(),
            }),
            &[zero, len, one],
        )?;
        let i = ctx.cast(i, DType::F64)?;
        let len_f = ctx.cast(len, DType::F64)?;
        let (m1, c1, c2) = (
            f64_scalar(ctx, -1.0)?,
            f64_scalar(ctx, 1.0)?,
            f64_scalar(ctx, 2.0)?,
        );
        let coords = if align {
            // n > 1 ? -1 + 2 i / (n - 1) : -1
            let t = ctx.binary(Binary::Mul, i, c2)?;
            let span = ctx.binary(Binary::Sub, len_f, c1)?;
            let t = ctx.binary(Binary::Div, t, span)?;
            let t = ctx.binary(Binary::Add, t, m1)?;
            let many = ctx.compare(Compare::Greater, len_f, c1)?;
            ctx.emit1(Op::Elementwise(Elementwise::Select), &[many, t, m1])?
        } else {
            // -1 + (2 i + 1) / n
            let t = ctx.binary(Binary::Mul, i, c2)?;
            let t = ctx.binary(Binary::Add, t, c1)?;
            let t = ctx.binary(Binary::Div, t, len_f)?;
            ctx.binary(Binary::Add, t, m1)?
        };
        let coords = ctx.cast(coords, d)?;
        let mut along = vec![Dim::Known(1); k];
        along[dim] = Dim::Symbol(count);
        let coords = ctx.reshape(coords, along)?;
        channels.push(super::movement::broadcast_to_run_time(
            ctx, coords, spatial,
        )?);
    }
    let ones = ctx.scalar(d, 1.0)?;
    let ones = super::movement::broadcast_to_run_time(ctx, ones, spatial)?;
    channels.push(ones);
    let grid_dims = ctx.ty(channels[0]).shape;
    let mut with_one = grid_dims.clone();
    with_one.push(Dim::Known(1));
    let columns = channels
        .into_iter()
        .map(|c| ctx.reshape(c, with_one.clone()))
        .collect::<Result<Vec<_>>>()?;
    let rows = ctx.emit1(Op::Movement(Movement::Concat { axis: k }), &columns)?;
    let points = Dim::Symbol(format!("{}_points", ctx.origin.node));
    let rows = ctx.reshape(rows, vec![points, Dim::Known(k as u64 + 1)])?;
    let t = ctx.emit1(
        Op::Movement(Movement::Transpose {
            perm: vec![0, 2, 1],
        }),
        &[theta],
    )?;
    let g = ctx.emit1(Op::Linear(o2l_canon::ops::Linear::MatMul), &[rows, t])?;
    let mut shape = vec![Dim::Known(n)];
    shape.extend(grid_dims);
    shape.push(Dim::Known(k as u64));
    let y = ctx.reshape(g, shape)?;
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    // Named by its full path: the layering check reads `super` in a file's
    // inline modules as the file's parent.
    use crate::map::resize::*;

    fn opts(mode: Mode, transform: Transform) -> Options {
        Options {
            mode,
            transform,
            antialias: false,
            exclude_outside: false,
            extrapolation: 0.0,
        }
    }

    #[test]
    fn linear_half_pixel_doubling_reads_neighbours_with_quarter_weights() {
        let t = axis_taps(
            &opts(Mode::Linear, Transform::HalfPixel),
            2,
            4,
            2.0,
            (0.0, 1.0),
        );
        // x = -0.25, 0.25, 0.75, 1.25: edges clamp to the first and last element.
        assert_eq!(t.idx, vec![vec![0, 0], vec![0, 1], vec![0, 1], vec![1, 1]]);
        assert_eq!(t.w[1], vec![0.75, 0.25]);
        assert_eq!(t.w[2], vec![0.25, 0.75]);
    }

    #[test]
    fn nearest_modes_pick_the_expected_source() {
        let pick = |m| {
            let t = axis_taps(
                &opts(Mode::Nearest(m), Transform::Asymmetric),
                4,
                6,
                1.5,
                (0.0, 1.0),
            );
            t.idx
                .iter()
                .zip(&t.w)
                .map(|(i, w)| i[w.iter().position(|&v| v == 1.0).unwrap()])
                .collect::<Vec<_>>()
        };
        // x = y / 1.5 = 0, 0.67, 1.33, 2, 2.67, 3.33
        assert_eq!(pick(Nearest::Floor), vec![0, 0, 1, 2, 2, 3]);
        assert_eq!(pick(Nearest::Ceil), vec![0, 1, 2, 2, 3, 3]);
        assert_eq!(pick(Nearest::RoundPreferFloor), vec![0, 1, 1, 2, 3, 3]);
    }

    #[test]
    fn crop_and_resize_flags_positions_outside_the_input() {
        let mut o = opts(Mode::Linear, Transform::TfCropAndResize);
        o.extrapolation = 10.0;
        let t = axis_taps(&o, 4, 3, 0.75, (0.4, 1.2));
        assert_eq!(t.outside, vec![false, false, true]);
    }

    #[test]
    fn upsample_1_scales_height_and_width() {
        use crate::test_models::{M, a_float, f32_in, node, out_dims, with_attrs};
        let g = M::new(1)
            .input(f32_in("x", &[1, 2, 3, 4]))
            .node(with_attrs(
                node("Upsample", "u", &["x"], &["y"]),
                vec![a_float("height_scale", 2.0), a_float("width_scale", 3.0)],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 1);
        assert_eq!(out_dims(&g, 0), vec![1, 2, 6, 12]);
    }
}
