//! Signal processing: DFT and STFT as MatMuls against cos/sin tables computed
//! here (the transform length is static), and the windows and mel matrix,
//! which are constants of their (bound) size inputs; TfIdfVectorizer counts
//! n-grams of int64 tokens with comparisons of shifted windows.
use super::ctx::{MapCtx, Rule, row};
use crate::tensor::dtype_of;
use o2l_canon::Builder;
use o2l_canon::compose;
use o2l_canon::ops::{Binary, Compare, Elementwise, Linear, Movement, Unary};
use o2l_canon::shape::normalize_axis;
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};
use std::f64::consts::PI;

pub(crate) static RULES: &[Rule] = &[
    row(
        "DFT",
        &[17, 20],
        &[
            "Switch",
            "Fill",
            "Gather",
            "Reshape",
            "Transpose",
            "MatMul",
            "Add",
            "Concat",
        ],
        dft,
        "MatMuls with cos/sin tables of the static length; inverse, onesided (rfft/irfft), dft_length; a run-time axis (20+): a Switch over the possible axes",
    ),
    row(
        "STFT",
        &[17],
        &[
            "Fill",
            "Gather",
            "Mul",
            "Reshape",
            "Transpose",
            "MatMul",
            "Add",
            "Concat",
            "Cast",
            "Sub",
            "Div",
            "Mod",
            "Range",
            "Cos",
            "Sin",
            "Neg",
        ],
        stft,
        "frames gathered, windowed, then the DFT of each; a run-time frame_step or frame_length: frames of run-time count gathered at f * step + t, DFT tables computed over Range(0, frame)",
    ),
    row(
        "TfIdfVectorizer",
        &[9],
        &[
            "Gather",
            "Equal",
            "And",
            "Cast",
            "ReduceSum",
            "Concat",
            "MatMul",
            "Select",
            "Mul",
            "Add",
            "Reshape",
        ],
        tfidf_vectorizer,
        "int64 pools: n-gram matches counted per skip distance, mapped to outputs, TF/IDF/TFIDF",
    ),
    row(
        "HannWindow",
        &[17],
        &[
            "Cast", "Reshape", "Range", "Sub", "Mul", "Div", "Cos", "Add",
        ],
        hann_window,
        "a constant of a constant size; of a run-time size, computed over Range(0, size)",
    ),
    row(
        "HammingWindow",
        &[17],
        &[
            "Cast", "Reshape", "Range", "Sub", "Mul", "Div", "Cos", "Add",
        ],
        hamming_window,
        "a constant of a constant size; of a run-time size, computed over Range(0, size)",
    ),
    row(
        "BlackmanWindow",
        &[17],
        &[
            "Cast", "Reshape", "Range", "Sub", "Mul", "Div", "Cos", "Add",
        ],
        blackman_window,
        "a constant of a constant size; of a run-time size, computed over Range(0, size)",
    ),
    row(
        "MelWeightMatrix",
        &[17],
        &[
            "Reshape",
            "Cast",
            "Range",
            "Add",
            "Sub",
            "Mul",
            "Div",
            "Log",
            "Exp",
            "Floor",
            "Equal",
            "Less",
            "GreaterOrEqual",
            "Greater",
            "And",
            "Select",
        ],
        mel_weight_matrix,
        "a constant of constant parameters; of run-time ones, the triangles computed over Range(0, dft_length / 2 + 1) x Range(0, num_mel_bins)",
    ),
];

/// A scalar input the op needs as a constant (named for binding).
fn const_scalar(ctx: &MapCtx, i: usize, what: &str) -> Result<Option<f64>> {
    let Some(v) = ctx.opt_input(i) else {
        return Ok(None);
    };
    match ctx.const_of(v) {
        Some(t) => Ok(t.to_f64s().first().copied()),
        None => Err(ctx.needs_constant(
            i,
            format!(
                "input {i} ({what}) is computed at run time; only constant {what} is supported"
            ),
        )),
    }
}

/// `x @ m` for a constant `(rows, cols)` table in `dtype`, or None when all zero.
fn times_table(
    ctx: &mut MapCtx,
    x: ValueId,
    table: Vec<f64>,
    rows: u64,
    cols: u64,
    dtype: DType,
) -> Result<Option<ValueId>> {
    if table.iter().all(|&v| v == 0.0) {
        return Ok(None);
    }
    let m = ctx.constant(Tensor::from_f64s(dtype, vec![rows, cols], &table)?)?;
    Ok(Some(ctx.emit1(Op::Linear(Linear::MatMul), &[x, m])?))
}

fn sum(ctx: &mut MapCtx, terms: Vec<Option<ValueId>>, like: ValueId, cols: u64) -> Result<ValueId> {
    let mut acc: Option<ValueId> = None;
    for t in terms.into_iter().flatten() {
        acc = Some(match acc {
            Some(a) => ctx.binary(Binary::Add, a, t)?,
            None => t,
        });
    }
    match acc {
        Some(a) => Ok(a),
        None => {
            // Every table was zero: a zero result of the right shape.
            let mut shape = ctx.ty(like).shape;
            if let Some(last) = shape.last_mut() {
                *last = Dim::Known(cols);
            }
            let dims: Vec<u64> = shape.iter().filter_map(Dim::known).collect();
            let dtype = ctx.ty(like).dtype;
            ctx.filled(dtype, dims, 0.0)
        }
    }
}

/// The DFT of `x` (`(.., L at axis, .., 1|2)`) along `axis` with length `n`.
fn dft_of(
    ctx: &mut MapCtx,
    x: ValueId,
    axis: usize,
    n: u64,
    inverse: bool,
    onesided: bool,
) -> Result<ValueId> {
    let xt = ctx.ty(x);
    let dims = xt.static_dims("DFT input")?;
    let rank = dims.len();
    let parts = dims[rank - 1];
    if rank < 2 || axis + 1 >= rank || !(parts == 1 || parts == 2) {
        return Err(Error::invalid(format!(
            "DFT takes (.., signal.., 1 or 2) with the axis before the last dim, got {xt} and axis {axis}"
        )));
    }
    if n == 0 {
        return Err(Error::invalid("DFT length must be positive"));
    }
    let dtype = xt.dtype;
    let len = dims[axis];
    // Real and imaginary parts, the signal axis moved last.
    let mut perm: Vec<usize> = (0..rank - 1).filter(|&a| a != axis).collect();
    perm.push(axis);
    let mut back = vec![0; rank - 1];
    for (i, &p) in perm.iter().enumerate() {
        back[p] = i;
    }
    let mut plain = dims[..rank - 1].to_vec();
    let part = |ctx: &mut MapCtx, k: i64| -> Result<ValueId> {
        let p = compose::take(ctx, x, rank - 1, &[k])?;
        let p = ctx.reshape(p, plain.iter().map(|&d| Dim::Known(d)).collect())?;
        ctx.emit1(
            Op::Movement(Movement::Transpose { perm: perm.clone() }),
            &[p],
        )
    };
    let re = part(ctx, 0)?;
    let im = if parts == 2 {
        Some(part(ctx, 1)?)
    } else {
        None
    };
    let nf = n as f64;
    let (rows, cols, irfft) = if inverse && onesided {
        (len.min(n / 2 + 1), n, true)
    } else if onesided {
        (len.min(n), n / 2 + 1, false)
    } else {
        (len.min(n), n, false)
    };
    // Inputs longer than the rows the tables read are cropped.
    let crop = |ctx: &mut MapCtx, v: ValueId| -> Result<ValueId> {
        if rows < len {
            let last = ctx.ty(v).rank() - 1;
            compose::take(ctx, v, last, &(0..rows as i64).collect::<Vec<_>>())
        } else {
            Ok(v)
        }
    };
    let re = crop(ctx, re)?;
    let im = match im {
        Some(v) => Some(crop(ctx, v)?),
        None => None,
    };
    let angle = |r: u64, c: u64| 2.0 * PI * (r as f64) * (c as f64) / nf;
    let table = |f: &dyn Fn(u64, u64) -> f64| -> Vec<f64> {
        (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .map(|(r, c)| f(r, c))
            .collect()
    };
    let (out_re, out_im) = if irfft {
        // x[t] = (1/N) sum_k w_k (Re X_k cos - Im X_k sin); w_k = 1 at DC and Nyquist, else 2.
        let wk = |k: u64| {
            if k == 0 || (n.is_multiple_of(2) && k == n / 2) {
                1.0
            } else {
                2.0
            }
        };
        let cr = table(&|k, t| wk(k) * angle(k, t).cos() / nf);
        let ci = table(&|k, t| -wk(k) * angle(k, t).sin() / nf);
        let a = times_table(ctx, re, cr, rows, cols, dtype)?;
        let b = match im {
            Some(im) => times_table(ctx, im, ci, rows, cols, dtype)?,
            None => None,
        };
        (sum(ctx, vec![a, b], re, cols)?, None)
    } else {
        // Forward: e^{-i theta}; inverse: e^{+i theta} / N.
        let (sign, scale) = if inverse {
            (1.0, 1.0 / nf)
        } else {
            (-1.0, 1.0)
        };
        let c = table(&|r, k| angle(r, k).cos() * scale);
        let s = table(&|r, k| sign * angle(r, k).sin() * scale);
        let neg_s: Vec<f64> = s.iter().map(|v| -v).collect();
        // (re + i im)(c + i s) = (re c - im s) + i (re s + im c)
        let rc = times_table(ctx, re, c.clone(), rows, cols, dtype)?;
        let rs = times_table(ctx, re, s, rows, cols, dtype)?;
        let (ims, imc) = match im {
            Some(im) => (
                times_table(ctx, im, neg_s, rows, cols, dtype)?,
                times_table(ctx, im, c, rows, cols, dtype)?,
            ),
            None => (None, None),
        };
        (
            sum(ctx, vec![rc, ims], re, cols)?,
            Some(sum(ctx, vec![rs, imc], re, cols)?),
        )
    };
    plain[axis] = cols;
    let finish = |ctx: &mut MapCtx, v: ValueId| -> Result<ValueId> {
        let v = ctx.emit1(
            Op::Movement(Movement::Transpose { perm: back.clone() }),
            &[v],
        )?;
        let mut shape: Vec<Dim> = plain.iter().map(|&d| Dim::Known(d)).collect();
        shape.push(Dim::Known(1));
        ctx.reshape(v, shape)
    };
    let re = finish(ctx, out_re)?;
    match out_im {
        Some(im) => {
            let im = finish(ctx, im)?;
            ctx.emit1(Op::Movement(Movement::Concat { axis: rank - 1 }), &[re, im])
        }
        None => Ok(re),
    }
}

fn dft(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let inverse = ctx.attrs.int_or("inverse", 0)? != 0;
    let onesided = ctx.attrs.int_or("onesided", 0)? != 0;
    // An axis computed at run time (DFT-20) picks among the possible ones.
    if ctx.version >= 20 && ctx.switch_on_run_time_axes(2, rank)? {
        return Ok(());
    }
    let axis = if ctx.version >= 20 {
        const_scalar(ctx, 2, "axis")?.map_or(-2, |v| v as i64)
    } else {
        ctx.attrs.int_or("axis", 1)?
    };
    let axis = normalize_axis(axis, rank)?;
    let len = ctx.ty(x).static_dims("DFT input")?[axis];
    let n = match const_scalar(ctx, 1, "dft_length")? {
        Some(v) if v >= 1.0 => v as u64,
        Some(v) => {
            return Err(Error::invalid(format!(
                "dft_length must be positive, got {v}"
            )));
        }
        None if inverse && onesided => 2 * len.saturating_sub(1),
        None => len,
    };
    let y = dft_of(ctx, x, axis, n, inverse, onesided)?;
    ctx.bind(0, y)
}

fn stft(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dims = ctx.ty(x).static_dims("STFT signal")?;
    if dims.len() != 3 {
        return Err(Error::invalid(format!(
            "STFT takes a signal (batch, length, 1|2), got {}",
            ctx.ty(x)
        )));
    }
    let onesided = ctx.attrs.int_or("onesided", 1)? != 0;
    let run_time = |i: usize| ctx.opt_input(i).is_some_and(|v| ctx.const_of(v).is_none());
    if run_time(1) || run_time(3) {
        return run_time_stft(ctx, x, &dims, onesided);
    }
    let step = const_scalar(ctx, 1, "frame_step")?
        .ok_or_else(|| Error::invalid("STFT needs frame_step"))? as u64;
    let window = ctx.opt_input(2);
    let frame = match const_scalar(ctx, 3, "frame_length")? {
        Some(v) => v as u64,
        None => match window {
            Some(w) => match ctx.ty(w).static_dims("STFT window")?[..] {
                [n] => n,
                _ => {
                    return Err(Error::invalid(format!(
                        "STFT window must be 1-D, got {}",
                        ctx.ty(w)
                    )));
                }
            },
            None => return Err(Error::invalid("STFT needs a window or frame_length")),
        },
    };
    if step == 0 || frame == 0 || frame > dims[1] {
        return Err(Error::invalid(format!(
            "STFT frame_step {step} and frame_length {frame} do not fit a signal of {}",
            dims[1]
        )));
    }
    let frames = 1 + (dims[1] - frame) / step;
    ctx.graph.check_constant(
        frames.saturating_mul(frame),
        8,
        &format!("STFT of {frames} frames of {frame}"),
    )?;
    // (batch, frames * frame, c) gathered, then (batch, frames, frame, c).
    let picks: Vec<i64> = (0..frames)
        .flat_map(|f| (0..frame).map(move |t| (f * step + t) as i64))
        .collect();
    let g = compose::take(ctx, x, 1, &picks)?;
    let mut y = ctx.reshape(
        g,
        [dims[0], frames, frame, dims[2]].map(Dim::Known).to_vec(),
    )?;
    if let Some(w) = window {
        let w = ctx.reshape(w, [1, 1, frame, 1].map(Dim::Known).to_vec())?;
        y = ctx.binary(Binary::Mul, y, w)?;
    }
    let out = dft_of(ctx, y, 2, frame, false, onesided)?;
    ctx.bind(0, out)
}

/// STFT with a frame step or frame length computed at run time: the frame
/// count (and, without a window, the frame length and the bins) are run-time
/// dims. Frames are one Gather of `f * step + t`; the DFT is two MatMuls per
/// part against cos/sin tables computed over `Range(0, frame)` x `Range(0, bins)`
/// (angles from `(t k) mod frame`, in f64).
fn run_time_stft(ctx: &mut MapCtx, x: ValueId, dims: &[u64], onesided: bool) -> Result<()> {
    let node = ctx.origin.node.clone();
    let (batch, len, parts) = (dims[0], dims[1], dims[2]);
    if !(parts == 1 || parts == 2) {
        return Err(Error::invalid(format!(
            "STFT takes a signal (batch, length, 1|2), got {}",
            ctx.ty(x)
        )));
    }
    let dtype = ctx.ty(x).dtype;
    let step = scalar_input(ctx, 1, "frame_step", DType::I64)?;
    let window = ctx.opt_input(2);
    // A window fixes the frame length (frame_length must agree with it).
    let frame = match window {
        Some(w) => match ctx.ty(w).static_dims("STFT window")?[..] {
            [n] => ctx.i64s(vec![], &[n as i64])?,
            _ => {
                return Err(Error::invalid(format!(
                    "STFT window must be 1-D, got {}",
                    ctx.ty(w)
                )));
            }
        },
        None if ctx.opt_input(3).is_some() => scalar_input(ctx, 3, "frame_length", DType::I64)?,
        None => return Err(Error::invalid("STFT needs a window or frame_length")),
    };
    let one = ctx.i64s(vec![], &[1])?;
    let total = ctx.i64s(vec![], &[len as i64])?;
    let room = ctx.binary(Binary::Sub, total, frame)?;
    let frames = ctx.binary(Binary::Div, room, step)?;
    let frames = ctx.binary(Binary::Add, frames, one)?;
    let f = iota(ctx, frames, format!("{node}_frames"))?;
    let t = iota(ctx, frame, format!("{node}_frame_length"))?;
    let f_col = as_2d(ctx, f, true)?;
    let starts = ctx.binary(Binary::Mul, f_col, step)?;
    let t_row = as_2d(ctx, t, false)?;
    let picks = ctx.binary(Binary::Add, starts, t_row)?;
    // (batch, frames, frame, parts)
    let mut y = ctx.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[x, picks])?;
    let fd = ctx.ty(f).shape[0].clone();
    let td = ctx.ty(t).shape[0].clone();
    if let Some(w) = window {
        let w = ctx.reshape(
            w,
            vec![Dim::Known(1), Dim::Known(1), td.clone(), Dim::Known(1)],
        )?;
        y = ctx.binary(Binary::Mul, y, w)?;
    }
    let bins = if onesided {
        let two = ctx.i64s(vec![], &[2])?;
        let half = ctx.binary(Binary::Div, frame, two)?;
        ctx.binary(Binary::Add, half, one)?
    } else {
        frame
    };
    let k = iota(ctx, bins, format!("{node}_bins"))?;
    let kd = ctx.ty(k).shape[0].clone();
    // angle[t, k] = 2 pi ((t k) mod frame) / frame
    let t_col = as_2d(ctx, t, true)?;
    let k_row = as_2d(ctx, k, false)?;
    let tk = ctx.binary(Binary::Mul, t_col, k_row)?;
    let tk = ctx.binary(Binary::Mod { fmod: false }, tk, frame)?;
    let tk = ctx.cast(tk, DType::F64)?;
    let n = ctx.cast(frame, DType::F64)?;
    let two_pi = ctx.scalar(DType::F64, 2.0 * PI)?;
    let angle = ctx.binary(Binary::Mul, tk, two_pi)?;
    let angle = ctx.binary(Binary::Div, angle, n)?;
    let cos = ctx.unary(Unary::Cos, angle)?;
    let cos = ctx.cast(cos, dtype)?;
    let sin = ctx.unary(Unary::Sin, angle)?;
    let sin = ctx.cast(sin, dtype)?;
    let frames_shape = vec![Dim::Known(batch), fd.clone(), td];
    let part = |ctx: &mut MapCtx, p: i64| -> Result<ValueId> {
        let idx = ctx.i64s(vec![1], &[p])?;
        let v = ctx.emit1(Op::Movement(Movement::Gather { axis: 3 }), &[y, idx])?;
        ctx.reshape(v, frames_shape.clone())
    };
    let matmul =
        |ctx: &mut MapCtx, a: ValueId, b: ValueId| ctx.emit1(Op::Linear(Linear::MatMul), &[a, b]);
    // (re + i im)(cos - i sin) = (re cos + im sin) + i (im cos - re sin)
    let re = part(ctx, 0)?;
    let mut out_re = matmul(ctx, re, cos)?;
    let re_sin = matmul(ctx, re, sin)?;
    let mut out_im = ctx.unary(Unary::Neg, re_sin)?;
    if parts == 2 {
        let im = part(ctx, 1)?;
        let im_sin = matmul(ctx, im, sin)?;
        out_re = ctx.binary(Binary::Add, out_re, im_sin)?;
        let im_cos = matmul(ctx, im, cos)?;
        out_im = ctx.binary(Binary::Add, out_im, im_cos)?;
    }
    let out_shape = vec![Dim::Known(batch), fd, kd, Dim::Known(1)];
    let out_re = ctx.reshape(out_re, out_shape.clone())?;
    let out_im = ctx.reshape(out_im, out_shape)?;
    let out = ctx.emit1(
        Op::Movement(Movement::Concat { axis: 3 }),
        &[out_re, out_im],
    )?;
    ctx.bind(0, out)
}

/// The cosine-sum window `a0 - a1 cos(2 pi i / n) + a2 cos(4 pi i / n)` of
/// `size` (input 0) points, `n` the size (periodic) or the size - 1: a
/// constant of a constant size, else computed over `Range(0, size)`.
fn window(ctx: &mut MapCtx, [a0, a1, a2]: [f64; 3]) -> Result<()> {
    let periodic = ctx.attrs.int_or("periodic", 1)? != 0;
    let dtype = dtype_of(
        ctx.attrs.int_or("output_datatype", 1)? as i32,
        "attribute \"output_datatype\"",
    )?;
    let size_v = ctx.input(0)?;
    if ctx.const_of(size_v).is_none() {
        return run_time_window(ctx, size_v, [a0, a1, a2], periodic, dtype);
    }
    let size =
        const_scalar(ctx, 0, "size")?.ok_or_else(|| Error::invalid("a window needs its size"))?;
    if size < 0.0 {
        return Err(Error::invalid(format!(
            "window size must not be negative, got {size}"
        )));
    }
    let size = size as u64;
    ctx.graph
        .check_constant(size, 8, &format!("a window of {size}"))?;
    let span = if periodic {
        size as f64
    } else {
        size as f64 - 1.0
    };
    let values: Vec<f64> = (0..size)
        .map(|i| {
            let t = 2.0 * PI * i as f64 / span;
            a0 - a1 * t.cos() + a2 * (2.0 * t).cos()
        })
        .collect();
    let t = Tensor::from_f64s(dtype, vec![size], &values)?;
    let v = ctx.constant(t)?;
    ctx.bind(0, v)
}

/// `window` of a size computed at run time, evaluated in f64 like the constant.
fn run_time_window(
    ctx: &mut MapCtx,
    size: ValueId,
    [a0, a1, a2]: [f64; 3],
    periodic: bool,
    dtype: DType,
) -> Result<()> {
    if ctx.ty(size).num_elements()? != Some(1) {
        return Err(Error::invalid(format!(
            "a window size must be one value, got {}",
            ctx.ty(size)
        )));
    }
    let size = ctx.cast(size, DType::I64)?;
    let size = ctx.reshape_to(size, &[])?;
    let zero = ctx.i64s(vec![], &[0])?;
    let one = ctx.i64s(vec![], &[1])?;
    let count = format!("{}_size", ctx.origin.node);
    let i = ctx.emit1(Op::Movement(Movement::Range { count }), &[zero, size, one])?;
    let i = ctx.cast(i, DType::F64)?;
    let span = if periodic {
        size
    } else {
        ctx.binary(Binary::Sub, size, one)?
    };
    let span = ctx.cast(span, DType::F64)?;
    let two_pi = ctx.scalar(DType::F64, 2.0 * PI)?;
    let t = ctx.binary(Binary::Mul, i, two_pi)?;
    let t = ctx.binary(Binary::Div, t, span)?;
    let two = ctx.scalar(DType::F64, 2.0)?;
    let t2 = ctx.binary(Binary::Mul, t, two)?;
    let c1 = ctx.unary(Unary::Cos, t)?;
    let c2 = ctx.unary(Unary::Cos, t2)?;
    let (k0, k1, k2) = (
        ctx.scalar(DType::F64, a0)?,
        ctx.scalar(DType::F64, a1)?,
        ctx.scalar(DType::F64, a2)?,
    );
    let v = ctx.binary(Binary::Mul, c1, k1)?;
    let v = ctx.binary(Binary::Sub, k0, v)?;
    let w = ctx.binary(Binary::Mul, c2, k2)?;
    let v = ctx.binary(Binary::Add, v, w)?;
    let v = ctx.cast(v, dtype)?;
    ctx.bind(0, v)
}

fn hann_window(ctx: &mut MapCtx) -> Result<()> {
    // sin^2(pi i / n) = 1/2 - 1/2 cos(2 pi i / n)
    window(ctx, [0.5, 0.5, 0.0])
}

fn hamming_window(ctx: &mut MapCtx) -> Result<()> {
    let alpha = 25.0 / 46.0;
    window(ctx, [alpha, 1.0 - alpha, 0.0])
}

fn blackman_window(ctx: &mut MapCtx) -> Result<()> {
    window(ctx, [0.42, 0.5, 0.08])
}

fn mel_weight_matrix(ctx: &mut MapCtx) -> Result<()> {
    let dtype = dtype_of(
        ctx.attrs.int_or("output_datatype", 1)? as i32,
        "attribute \"output_datatype\"",
    )?;
    if (0..5).any(|i| ctx.opt_input(i).is_some_and(|v| ctx.const_of(v).is_none())) {
        return run_time_mel_weight_matrix(ctx, dtype);
    }
    let mut p = [0.0f64; 5];
    let names = [
        "num_mel_bins",
        "dft_length",
        "sample_rate",
        "lower_edge_hertz",
        "upper_edge_hertz",
    ];
    for (i, name) in names.iter().enumerate() {
        p[i] = const_scalar(ctx, i, name)?
            .ok_or_else(|| Error::invalid(format!("MelWeightMatrix needs {name}")))?;
    }
    let [mels, dft_len, rate, lo, hi] = p;
    let (mels, dft_len) = (mels as usize, dft_len as i64);
    if mels == 0 || dft_len <= 0 || rate <= 0.0 {
        return Err(Error::invalid(
            "MelWeightMatrix needs positive bins, length and rate",
        ));
    }
    let spectrogram = (dft_len / 2 + 1) as usize;
    let to_mel = |f: f64| 2595.0 * (f / 700.0).ln_1p() / 10f64.ln();
    let (lo_mel, hi_mel) = (to_mel(lo), to_mel(hi));
    let step = (hi_mel - lo_mel) / (mels + 2) as f64;
    let bins: Vec<i64> = (0..mels + 2)
        .map(|i| {
            let m = i as f64 * step + lo_mel;
            let hz = 700.0 * (m / 2595.0 * 10f64.ln()).exp_m1();
            (((dft_len + 1) as f64 * hz) / rate).floor() as i64
        })
        .collect();
    let mut out = vec![0.0; spectrogram * mels];
    let mut set = |j: i64, i: usize, v: f64| -> Result<()> {
        let j = usize::try_from(j)
            .ok()
            .filter(|&j| j < spectrogram)
            .ok_or_else(|| Error::invalid("MelWeightMatrix edges fall outside the spectrogram"))?;
        out[j * mels + i] = v;
        Ok(())
    };
    for i in 0..mels {
        let (left, center, right) = (bins[i], bins[i + 1], bins[i + 2]);
        if center == left {
            set(center, i, 1.0)?;
        } else {
            for j in left..=center {
                set(j, i, (j - left) as f64 / (center - left) as f64)?;
            }
        }
        for j in center..right {
            set(j, i, (right - j) as f64 / (right - center) as f64)?;
        }
    }
    let v = ctx.constant(Tensor::from_f64s(
        dtype,
        vec![spectrogram as u64, mels as u64],
        &out,
    )?)?;
    ctx.bind(0, v)
}

/// Input `i` (one value) as a rank-0 tensor of `to`.
fn scalar_input(ctx: &mut MapCtx, i: usize, what: &str, to: DType) -> Result<ValueId> {
    let v = ctx.input(i)?;
    if ctx.ty(v).num_elements()? != Some(1) {
        return Err(Error::invalid(format!(
            "input {i} ({what}) must be one value, got {}",
            ctx.ty(v)
        )));
    }
    let v = ctx.reshape_to(v, &[])?;
    ctx.cast(v, to)
}

/// `Range(0, n)` (n a rank-0 i64) whose length is the run-time dim `count`;
/// a constant vector of known length when `n` is known.
fn iota(ctx: &mut MapCtx, n: ValueId, count: String) -> Result<ValueId> {
    if let Some(&len) = ctx
        .const_of(n)
        .and_then(|t| t.to_i64s().first().copied())
        .as_ref()
    {
        // As Range: no elements below 0.
        let len = len.max(0) as u64;
        ctx.graph
            .check_constant(len, 8, &format!("a range of {len}"))?;
        let v: Vec<i64> = (0..len as i64).collect();
        return ctx.i64s(vec![len], &v);
    }
    let zero = ctx.i64s(vec![], &[0])?;
    let one = ctx.i64s(vec![], &[1])?;
    ctx.emit1(Op::Movement(Movement::Range { count }), &[zero, n, one])
}

/// `v` (1-D) as a column (`column`) or a row of a 2-D tensor.
fn as_2d(ctx: &mut MapCtx, v: ValueId, column: bool) -> Result<ValueId> {
    let d = ctx.ty(v).shape[0].clone();
    let shape = if column {
        vec![d, Dim::Known(1)]
    } else {
        vec![Dim::Known(1), d]
    };
    ctx.reshape(v, shape)
}

/// MelWeightMatrix of parameters computed at run time: the same triangles as
/// the constant form, evaluated in f64 over `Range(0, dft_length / 2 + 1)`
/// (rows) and `Range(0, num_mel_bins)` (columns), both run-time dims.
fn run_time_mel_weight_matrix(ctx: &mut MapCtx, dtype: DType) -> Result<()> {
    let node = ctx.origin.node.clone();
    let mels = scalar_input(ctx, 0, "num_mel_bins", DType::I64)?;
    let dft = scalar_input(ctx, 1, "dft_length", DType::I64)?;
    let rate = scalar_input(ctx, 2, "sample_rate", DType::F64)?;
    let lo = scalar_input(ctx, 3, "lower_edge_hertz", DType::F64)?;
    let hi = scalar_input(ctx, 4, "upper_edge_hertz", DType::F64)?;
    let two = ctx.i64s(vec![], &[2])?;
    let one = ctx.i64s(vec![], &[1])?;
    let half = ctx.binary(Binary::Div, dft, two)?;
    let rows = ctx.binary(Binary::Add, half, one)?;
    let f = |ctx: &mut MapCtx, v: f64| ctx.scalar(DType::F64, v);
    let to_mel = |ctx: &mut MapCtx, hz: ValueId| -> Result<ValueId> {
        let k700 = f(ctx, 700.0)?;
        let one = f(ctx, 1.0)?;
        let v = ctx.binary(Binary::Div, hz, k700)?;
        let v = ctx.binary(Binary::Add, v, one)?;
        let v = ctx.unary(Unary::Log, v)?;
        let k = f(ctx, 2595.0)?;
        let v = ctx.binary(Binary::Mul, v, k)?;
        let ln10 = f(ctx, 10f64.ln())?;
        ctx.binary(Binary::Div, v, ln10)
    };
    let (lo_mel, hi_mel) = (to_mel(ctx, lo)?, to_mel(ctx, hi)?);
    let mels_f = ctx.cast(mels, DType::F64)?;
    let two_f = f(ctx, 2.0)?;
    let parts = ctx.binary(Binary::Add, mels_f, two_f)?;
    let width = ctx.binary(Binary::Sub, hi_mel, lo_mel)?;
    let step = ctx.binary(Binary::Div, width, parts)?;
    let dft_f = ctx.cast(dft, DType::F64)?;
    let one_f = f(ctx, 1.0)?;
    let dft_1 = ctx.binary(Binary::Add, dft_f, one_f)?;
    let i = iota(ctx, mels, format!("{node}_mel_bins"))?;
    let i = ctx.cast(i, DType::F64)?;
    // The FFT bin of mel edge i + off, floored.
    let edge = |ctx: &mut MapCtx, off: f64| -> Result<ValueId> {
        let o = f(ctx, off)?;
        let m = ctx.binary(Binary::Add, i, o)?;
        let m = ctx.binary(Binary::Mul, m, step)?;
        let m = ctx.binary(Binary::Add, m, lo_mel)?;
        let k = f(ctx, 2595.0)?;
        let m = ctx.binary(Binary::Div, m, k)?;
        let ln10 = f(ctx, 10f64.ln())?;
        let m = ctx.binary(Binary::Mul, m, ln10)?;
        let e = ctx.unary(Unary::Exp, m)?;
        let one = f(ctx, 1.0)?;
        let e = ctx.binary(Binary::Sub, e, one)?;
        let k700 = f(ctx, 700.0)?;
        let hz = ctx.binary(Binary::Mul, e, k700)?;
        let b = ctx.binary(Binary::Mul, dft_1, hz)?;
        let b = ctx.binary(Binary::Div, b, rate)?;
        let b = ctx.unary(Unary::Floor, b)?;
        as_2d(ctx, b, false)
    };
    let left = edge(ctx, 0.0)?;
    let center = edge(ctx, 1.0)?;
    let right = edge(ctx, 2.0)?;
    let j = iota(ctx, rows, format!("{node}_bins"))?;
    let j = ctx.cast(j, DType::F64)?;
    let j = as_2d(ctx, j, true)?;
    let up = {
        let a = ctx.binary(Binary::Sub, j, left)?;
        let b = ctx.binary(Binary::Sub, center, left)?;
        ctx.binary(Binary::Div, a, b)?
    };
    let down = {
        let a = ctx.binary(Binary::Sub, right, j)?;
        let b = ctx.binary(Binary::Sub, right, center)?;
        ctx.binary(Binary::Div, a, b)?
    };
    let on_up = {
        let a = ctx.compare(Compare::GreaterOrEqual, j, left)?;
        let b = ctx.compare(Compare::Less, j, center)?;
        ctx.binary(Binary::And, a, b)?
    };
    let on_down = {
        let a = ctx.compare(Compare::Greater, j, center)?;
        let b = ctx.compare(Compare::Less, j, right)?;
        ctx.binary(Binary::And, a, b)?
    };
    let at_center = ctx.compare(Compare::Equal, j, center)?;
    let zero_f = f(ctx, 0.0)?;
    let one_f = f(ctx, 1.0)?;
    let w = ctx.elementwise(Elementwise::Select, &[on_down, down, zero_f])?;
    let w = ctx.elementwise(Elementwise::Select, &[on_up, up, w])?;
    let w = ctx.elementwise(Elementwise::Select, &[at_center, one_f, w])?;
    let w = ctx.cast(w, dtype)?;
    ctx.bind(0, w)
}

/// TfIdfVectorizer over int64 tokens: for every pool n-gram and every skip
/// distance it may span (unigrams only adjacent), an Equal per token of the
/// shifted windows, And-ed, summed over the row; the per-gram counts go to
/// their output columns through a 0/1 matrix, then TF, IDF or TFIDF weighting.
fn tfidf_vectorizer(ctx: &mut MapCtx) -> Result<()> {
    use o2l_canon::ops::{Reduce, ReduceKind};
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    if ctx.attrs.strings("pool_strings")?.is_some() {
        return Err(Error::unsupported(
            "TfIdfVectorizer over strings (string tensors have no linalg representation)",
        ));
    }
    if !xt.dtype.is_int() {
        return Err(Error::invalid(format!(
            "TfIdfVectorizer takes int32/int64 tokens, got {}",
            xt.dtype
        )));
    }
    let dims = xt.static_dims("TfIdfVectorizer input")?;
    let (rows, len, batched) = match dims[..] {
        [l] => (1, l, false),
        [b, l] => (b, l, true),
        _ => {
            return Err(Error::invalid(format!(
                "TfIdfVectorizer takes 1-D or 2-D input, got {xt}"
            )));
        }
    };
    let x2 = ctx.reshape(x, vec![Dim::Known(rows), Dim::Known(len)])?;
    let x2 = ctx.cast(x2, DType::I64)?;
    let min_n = ctx.attrs.req_int("min_gram_length")?;
    let max_n = ctx.attrs.req_int("max_gram_length")?;
    let max_skip = ctx.attrs.req_int("max_skip_count")?;
    let mode = ctx.attrs.string("mode")?.unwrap_or_else(|| "TF".into());
    let counts = ctx.attrs.req_ints("ngram_counts")?;
    let indexes = ctx.attrs.req_ints("ngram_indexes")?;
    let pool = ctx
        .attrs
        .ints("pool_int64s")?
        .ok_or_else(|| Error::invalid("TfIdfVectorizer needs pool_int64s"))?;
    let weights = ctx.attrs.floats("weights")?;
    // The pool's grams in order, with their sizes.
    let mut grams: Vec<Vec<i64>> = Vec::new();
    for (i, &start) in counts.iter().enumerate() {
        let n = i + 1;
        let end = counts.get(i + 1).copied().unwrap_or(pool.len() as i64);
        let (start, end) = (start as usize, end as usize);
        if end > pool.len() || start > end || (end - start) % n != 0 {
            return Err(Error::invalid(
                "TfIdfVectorizer ngram_counts do not fit the pool",
            ));
        }
        for g in pool[start..end].chunks(n) {
            grams.push(g.to_vec());
        }
    }
    if grams.len() != indexes.len() {
        return Err(Error::invalid(format!(
            "TfIdfVectorizer has {} n-grams and {} ngram_indexes",
            grams.len(),
            indexes.len()
        )));
    }
    let out_size = indexes.iter().copied().max().unwrap_or(-1) + 1;
    let out_size = u64::try_from(out_size).map_err(|_| Error::invalid("negative ngram_indexes"))?;
    let sum_row = Op::Reduce(Reduce {
        kind: ReduceKind::Sum,
        axes: vec![1],
        keep_dims: true,
    });
    let mut per_gram = Vec::with_capacity(grams.len());
    for g in &grams {
        let n = g.len() as i64;
        let mut total: Option<ValueId> = None;
        if n >= min_n && n <= max_n {
            let dists: Vec<i64> = if n == 1 {
                vec![1]
            } else {
                (1..=max_skip + 1).collect()
            };
            for d in dists {
                let span = (n - 1) * d;
                if span >= len as i64 {
                    continue;
                }
                let starts = len as i64 - span;
                let mut hit: Option<ValueId> = None;
                for (j, &tok) in g.iter().enumerate() {
                    let picks: Vec<i64> = (0..starts).map(|i| i + j as i64 * d).collect();
                    let w = compose::take(ctx, x2, 1, &picks)?;
                    let t = ctx.scalar(DType::I64, tok as f64)?;
                    let eq = ctx.emit1(
                        Op::Elementwise(Elementwise::Compare(Compare::Equal)),
                        &[w, t],
                    )?;
                    hit = Some(match hit {
                        Some(h) => ctx.binary(Binary::And, h, eq)?,
                        None => eq,
                    });
                }
                let Some(hit) = hit else { continue };
                let f = ctx.cast(hit, DType::F32)?;
                let c = ctx.emit1(sum_row.clone(), &[f])?;
                total = Some(match total {
                    Some(t) => ctx.binary(Binary::Add, t, c)?,
                    None => c,
                });
            }
        }
        let total = match total {
            Some(t) => t,
            None => ctx.constant(Tensor::from_f64s(
                DType::F32,
                vec![rows, 1],
                &vec![0.0; rows as usize],
            )?)?,
        };
        per_gram.push(total);
    }
    let counts_v = if per_gram.len() == 1 {
        per_gram[0]
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis: 1 }), &per_gram)?
    };
    // (rows, grams) @ (grams, out): each gram to its output column.
    let mut onehot = vec![0.0; grams.len() * out_size as usize];
    for (gi, &o) in indexes.iter().enumerate() {
        onehot[gi * out_size as usize + o as usize] = 1.0;
    }
    let m = ctx.constant(Tensor::from_f64s(
        DType::F32,
        vec![grams.len() as u64, out_size],
        &onehot,
    )?)?;
    let freq = ctx.emit1(Op::Linear(Linear::MatMul), &[counts_v, m])?;
    let wv = match &weights {
        Some(w) if w.len() as u64 == out_size => {
            let w: Vec<f64> = w.iter().map(|&v| f64::from(v)).collect();
            Some(ctx.constant(Tensor::from_f64s(DType::F32, vec![out_size], &w)?)?)
        }
        Some(w) if !w.is_empty() => {
            return Err(Error::invalid(format!(
                "TfIdfVectorizer has {} weights for {out_size} outputs",
                w.len()
            )));
        }
        _ => None,
    };
    let y = match mode.as_str() {
        "TF" => freq,
        "IDF" => {
            let zero = ctx.scalar(DType::F32, 0.0)?;
            let seen = ctx.emit1(
                Op::Elementwise(Elementwise::Compare(Compare::Greater)),
                &[freq, zero],
            )?;
            let one = match wv {
                Some(w) => w,
                None => ctx.scalar(DType::F32, 1.0)?,
            };
            ctx.emit1(Op::Elementwise(Elementwise::Select), &[seen, one, zero])?
        }
        "TFIDF" => match wv {
            Some(w) => ctx.binary(Binary::Mul, freq, w)?,
            None => freq,
        },
        other => {
            return Err(Error::invalid(format!(
                "TfIdfVectorizer mode must be TF, IDF or TFIDF, got \"{other}\""
            )));
        }
    };
    let y = if batched {
        y
    } else {
        ctx.reshape(y, vec![Dim::Known(out_size)])?
    };
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    fn scalar_i64(name: &str, v: i64) -> TensorProto {
        TensorProto {
            name: Some(name.into()),
            data_type: Some(7),
            int64_data: vec![v],
            ..Default::default()
        }
    }

    #[test]
    fn stft_of_a_run_time_step_has_a_run_time_frame_count() {
        let g = M::new(17)
            .input(f32_in("x", &[1, 128, 1]))
            .input(vi("step", 7, &[]))
            .init(scalar_i64("frame", 16))
            .node(node("STFT", "s", &["x", "step", "", "frame"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        let ops = op_names(&g);
        assert!(ops.contains(&"Range") && ops.contains(&"MatMul"), "{ops:?}");
        let out = g.ty(g.outputs[0]);
        // The frame length is constant, so the onesided bins are known.
        assert_eq!(out.shape[0], Dim::Known(1));
        assert!(out.shape[1].known().is_none(), "{out}");
        assert_eq!(out.shape[2..], [Dim::Known(9), Dim::Known(2)]);
    }

    #[test]
    fn mel_weight_matrix_is_a_constant_of_constant_parameters_else_computed() {
        let names = ["bins", "dft", "rate", "lo", "hi"];
        let scalar_f32 = |name: &str, v: f32| {
            let mut t = t_f32(name, &[], &[v]);
            t.dims.clear();
            t
        };
        let g = M::new(17)
            .init(scalar_i64("bins", 8))
            .init(scalar_i64("dft", 16))
            .init(scalar_i64("rate", 8192))
            .init(scalar_f32("lo", 0.0))
            .init(scalar_f32("hi", 4096.0))
            .node(node("MelWeightMatrix", "m", &names, &["w"]))
            .output("w")
            .import()
            .unwrap();
        assert!(op_names(&g).is_empty(), "{:?}", op_names(&g));
        assert_eq!(out_dims(&g, 0), vec![9, 8]);
        let g = M::new(17)
            .input(vi("bins", 7, &[]))
            .input(vi("dft", 7, &[]))
            .init(scalar_i64("rate", 8192))
            .init(scalar_f32("lo", 0.0))
            .init(scalar_f32("hi", 4096.0))
            .node(node("MelWeightMatrix", "m", &names, &["w"]))
            .output("w")
            .import()
            .unwrap();
        let out = g.ty(g.outputs[0]);
        assert!(out.shape.iter().all(|d| d.known().is_none()), "{out}");
        assert_eq!(out.dtype, DType::F32);
    }
}
