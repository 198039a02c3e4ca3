//! RNN, GRU and LSTM, unrolled over a static sequence of up to 3 steps (a
//! `Control::Loop` over one step when the sequence is longer, without
//! per-batch lengths or quantization, or known only at run time): the input
//! projections of every step in one MatMul, then per step
//! the recurrent MatMul, the gates (ONNX's order: GRU z r h, LSTM i o f c)
//! and the state update, for each direction. Per-batch sequence lengths mask the steps past
//! a sequence's end (its state is kept, its output is 0).
use super::contrib_blockwise::rescaled;
use super::ctx::{MapCtx, Rule, row, versioned};
use super::integer::integer_matmul;
use super::quant::dynamic_quantize;
use o2l_canon::Builder;
use o2l_canon::compose;
use o2l_canon::ops::linear::is_quantized_operand;
use o2l_canon::ops::{
    Binary, Body, Compare, Control, Elementwise, Linear, Movement, Reduce, ReduceKind, Unary,
};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, TensorType, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "RNN",
        &[1, 7, 14, 22],
        &[
            "MatMul",
            "Add",
            "Tanh",
            "Gather",
            "Concat",
            "Select",
            "Reshape",
            "Transpose",
            "ShapeOf",
            "Mul",
            "BroadcastTo",
            "Loop",
            "Range",
            "Sub",
            "Less",
            "Cast",
        ],
        rnn,
        "unrolled over up to --max-unrolled-steps known steps (16 for convert, 3 for run and check), a loop over more (without sequence_lens) or over a run-time length (the batch may be a run-time dim too); forward, reverse, bidirectional; layout; activations; clip; sequence_lens",
    ),
    row(
        "GRU",
        &[1, 3, 7, 14, 22],
        &[
            "MatMul",
            "Add",
            "Mul",
            "Sigmoid",
            "Tanh",
            "Gather",
            "Concat",
            "Select",
            "Reshape",
            "Sub",
            "Transpose",
            "ShapeOf",
            "BroadcastTo",
            "Loop",
            "Range",
            "Less",
            "Cast",
        ],
        gru,
        "unrolled over up to --max-unrolled-steps known steps (16 for convert, 3 for run and check), a loop over more (without sequence_lens) or over a run-time length; linear_before_reset; forward, reverse, bidirectional; layout; sequence_lens",
    ),
    row(
        "LSTM",
        &[1, 7, 14, 22],
        &[
            "MatMul",
            "Add",
            "Mul",
            "Sigmoid",
            "Tanh",
            "Gather",
            "Concat",
            "Select",
            "Cast",
            "Less",
            "Reshape",
            "Transpose",
            "ShapeOf",
            "BroadcastTo",
            "Loop",
            "Range",
            "Sub",
        ],
        lstm,
        "unrolled over up to --max-unrolled-steps known steps (16 for convert, 3 for run and check), a loop over more (without sequence_lens) or over a run-time length; peepholes; forward, reverse, bidirectional; layout; sequence_lens",
    ),
    versioned(
        "com.microsoft",
        "DynamicQuantizeLSTM",
        &[1],
        &[
            "QuantizedMatMul",
            "MatMul",
            "ReduceMax",
            "ReduceMin",
            "Max",
            "Min",
            "Equal",
            "Div",
            "Neg",
            "Clamp",
            "Round",
            "Add",
            "Mul",
            "Sigmoid",
            "Tanh",
            "Gather",
            "Concat",
            "Select",
            "Cast",
            "Less",
            "Reshape",
            "Transpose",
            "ShapeOf",
            "BroadcastTo",
            "Loop",
            "Range",
            "Sub",
        ],
        dynamic_quantize_lstm,
        "the LSTM rule over 8-bit W (dirs, input, 4h) and R (dirs, h, 4h), scales and zero points per direction or gate column: X (up to the longest sequence) and each step's h quantized to u8 as DynamicQuantizeLinear does, QuantizedMatMul (i32), times x_scale * w_scale, + Wb + Rb",
    ),
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Rnn,
    Gru,
    Lstm,
}

impl Kind {
    fn gates(self) -> u64 {
        match self {
            Kind::Rnn => 1,
            Kind::Gru => 3,
            Kind::Lstm => 4,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Kind::Rnn => "RNN",
            Kind::Gru => "GRU",
            Kind::Lstm => "LSTM",
        }
    }
    /// Activations of one direction when the attribute is absent.
    fn default_activations(self) -> &'static [&'static str] {
        match self {
            Kind::Rnn => &["Tanh"],
            Kind::Gru => &["Sigmoid", "Tanh"],
            Kind::Lstm => &["Sigmoid", "Tanh", "Tanh"],
        }
    }
}

/// One activation function with its alpha and beta.
#[derive(Clone)]
struct Act {
    name: String,
    alpha: Option<f64>,
    beta: Option<f64>,
}

fn un(ctx: &mut MapCtx, u: Unary, x: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[x])
}

fn apply(ctx: &mut MapCtx, a: &Act, x: ValueId) -> Result<ValueId> {
    let dtype = ctx.ty(x).dtype;
    let affine = |ctx: &mut MapCtx, x: ValueId, m: f64, b: f64| -> Result<ValueId> {
        let mv = ctx.scalar(dtype, m)?;
        let bv = ctx.scalar(dtype, b)?;
        let y = ctx.binary(Binary::Mul, x, mv)?;
        ctx.binary(Binary::Add, y, bv)
    };
    match a.name.to_ascii_lowercase().as_str() {
        "tanh" => un(ctx, Unary::Tanh, x),
        "sigmoid" => un(ctx, Unary::Sigmoid, x),
        "relu" => un(ctx, Unary::Relu, x),
        "leakyrelu" => un(
            ctx,
            Unary::LeakyRelu {
                alpha: a.alpha.unwrap_or(0.01),
            },
            x,
        ),
        "affine" => affine(ctx, x, a.alpha.unwrap_or(1.0), a.beta.unwrap_or(0.0)),
        "hardsigmoid" => {
            let y = affine(ctx, x, a.alpha.unwrap_or(0.2), a.beta.unwrap_or(0.5))?;
            un(ctx, Unary::Clamp { min: 0.0, max: 1.0 }, y)
        }
        "scaledtanh" => {
            let y = affine(ctx, x, a.beta.unwrap_or(1.0), 0.0)?;
            let t = un(ctx, Unary::Tanh, y)?;
            affine(ctx, t, a.alpha.unwrap_or(1.0), 0.0)
        }
        other => Err(Error::unsupported(format!(
            "recurrent activation {other} (supported: Tanh, Sigmoid, Relu, LeakyRelu, Affine, HardSigmoid, ScaledTanh)"
        ))),
    }
}

/// `x[i]` along axis 0 (the axis dropped).
fn at(ctx: &mut MapCtx, x: ValueId, i: u64) -> Result<ValueId> {
    let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[i as i64])?)?;
    ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[x, idx])
}

/// Gate `g` (of width `h`) along the last axis.
fn gate(ctx: &mut MapCtx, x: ValueId, g: u64, h: u64) -> Result<ValueId> {
    let last = ctx.ty(x).rank() - 1;
    let picks: Vec<i64> = (g * h..(g + 1) * h).map(|i| i as i64).collect();
    compose::take(ctx, x, last, &picks)
}

fn stack0(ctx: &mut MapCtx, values: &[ValueId]) -> Result<ValueId> {
    let mut parts = Vec::with_capacity(values.len());
    for &v in values {
        let mut shape = ctx.ty(v).shape;
        shape.insert(0, Dim::Known(1));
        parts.push(ctx.reshape(v, shape)?);
    }
    if parts.len() == 1 {
        return Ok(parts[0]);
    }
    ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &parts)
}

/// What one step of a direction reads besides its input and state: R^T,
/// R (GRU's h rows), the recurrent bias, the peepholes, in the graph the
/// step is emitted into.
#[derive(Clone, Copy)]
struct Cell<'p> {
    kind: Kind,
    hidden: u64,
    dtype: DType,
    act: &'p [Act],
    clip: Option<f64>,
    linear_before_reset: bool,
    rt: ValueId,
    rd: ValueId,
    rb: Option<ValueId>,
    peeps: Option<(ValueId, ValueId, ValueId)>,
    /// DynamicQuantizeLSTM: R's scale and zero point of this direction (`rt`
    /// is then the 8-bit R (hidden, gates * hidden) and h is quantized per step).
    rq: Option<(ValueId, ValueId)>,
    /// DynamicQuantizeLSTM with Y and sequence_lens: the recurrent product
    /// reads the previous step's output (0 past a sequence's end), as
    /// onnxruntime's kernel does, so finished rows leave h's range.
    zero_finished: bool,
}

/// One step: the new hidden state (and LSTM's cell state) from the step's
/// input projection `xt` (batch, gates * hidden) and the states `h`, `c`.
fn cell(
    ctx: &mut MapCtx,
    p: &Cell,
    xt: ValueId,
    h: ValueId,
    c: Option<ValueId>,
) -> Result<(ValueId, Option<ValueId>)> {
    let (kind, hidden, dtype, act) = (p.kind, p.hidden, p.dtype, p.act);
    let (linear_before_reset, rt, rd, rb, peeps) =
        (p.linear_before_reset, p.rt, p.rd, p.rb, p.peeps);
    let clip_to = |ctx: &mut MapCtx, v: ValueId| -> Result<ValueId> {
        match p.clip {
            Some(cl) => un(ctx, Unary::Clamp { min: -cl, max: cl }, v),
            None => Ok(v),
        }
    };
    let hr = match p.rq {
        // (batch, gw)
        None => ctx.emit1(Op::Linear(Linear::MatMul), &[h, rt])?,
        Some((scale, zero)) => dynamic_product(ctx, h, rt, scale, zero)?,
    };
    Ok(match kind {
        Kind::Rnn => {
            let mut g = ctx.binary(Binary::Add, xt, hr)?;
            if let Some(rb) = rb {
                g = ctx.binary(Binary::Add, g, rb)?;
            }
            let g = clip_to(ctx, g)?;
            (apply(ctx, &act[0], g)?, None)
        }
        Kind::Gru => {
            let (xz, xr, xh) = (
                gate(ctx, xt, 0, hidden)?,
                gate(ctx, xt, 1, hidden)?,
                gate(ctx, xt, 2, hidden)?,
            );
            let (hz, hrr) = (gate(ctx, hr, 0, hidden)?, gate(ctx, hr, 1, hidden)?);
            let rbs = match rb {
                Some(rb) => Some((
                    gate(ctx, rb, 0, hidden)?,
                    gate(ctx, rb, 1, hidden)?,
                    gate(ctx, rb, 2, hidden)?,
                )),
                None => None,
            };
            let mut z = ctx.binary(Binary::Add, xz, hz)?;
            let mut rg = ctx.binary(Binary::Add, xr, hrr)?;
            if let Some((bz, br, _)) = rbs {
                z = ctx.binary(Binary::Add, z, bz)?;
                rg = ctx.binary(Binary::Add, rg, br)?;
            }
            let z = clip_to(ctx, z)?;
            let z = apply(ctx, &act[0], z)?;
            let rg = clip_to(ctx, rg)?;
            let rg = apply(ctx, &act[0], rg)?;
            let mut hh = if linear_before_reset {
                let mut lin = gate(ctx, hr, 2, hidden)?;
                if let Some((_, _, bh)) = rbs {
                    lin = ctx.binary(Binary::Add, lin, bh)?;
                }
                let gated = ctx.binary(Binary::Mul, rg, lin)?;
                ctx.binary(Binary::Add, xh, gated)?
            } else {
                // R_h's rows (the last `hidden` rows of R), transposed.
                let rh = compose::take(
                    ctx,
                    rd,
                    0,
                    &(2 * hidden as i64..3 * hidden as i64).collect::<Vec<i64>>(),
                )?;
                let rht = ctx.transpose(rh, &[1, 0])?;
                let reset = ctx.binary(Binary::Mul, rg, h)?;
                let lin = ctx.emit1(Op::Linear(Linear::MatMul), &[reset, rht])?;
                let mut s = ctx.binary(Binary::Add, xh, lin)?;
                if let Some((_, _, bh)) = rbs {
                    s = ctx.binary(Binary::Add, s, bh)?;
                }
                s
            };
            hh = clip_to(ctx, hh)?;
            let hh = apply(ctx, &act[1], hh)?;
            // (1 - z) * hh + z * h
            let one = ctx.scalar(dtype, 1.0)?;
            let keep = ctx.binary(Binary::Sub, one, z)?;
            let a = ctx.binary(Binary::Mul, keep, hh)?;
            let bz = ctx.binary(Binary::Mul, z, h)?;
            (ctx.binary(Binary::Add, a, bz)?, None)
        }
        Kind::Lstm => {
            let mut g = ctx.binary(Binary::Add, xt, hr)?;
            if let Some(rb) = rb {
                g = ctx.binary(Binary::Add, g, rb)?;
            }
            let cp = c.ok_or_else(|| Error::internal("LSTM without a cell state"))?;
            let (mut i, mut o, mut f, cc) = (
                gate(ctx, g, 0, hidden)?,
                gate(ctx, g, 1, hidden)?,
                gate(ctx, g, 2, hidden)?,
                gate(ctx, g, 3, hidden)?,
            );
            if let Some((pi, _, pf)) = peeps {
                let a = ctx.binary(Binary::Mul, pi, cp)?;
                i = ctx.binary(Binary::Add, i, a)?;
                let b2 = ctx.binary(Binary::Mul, pf, cp)?;
                f = ctx.binary(Binary::Add, f, b2)?;
            }
            let i = clip_to(ctx, i)?;
            let i = apply(ctx, &act[0], i)?;
            let f = clip_to(ctx, f)?;
            let f = apply(ctx, &act[0], f)?;
            let cc = clip_to(ctx, cc)?;
            let cc = apply(ctx, &act[1], cc)?;
            let fc = ctx.binary(Binary::Mul, f, cp)?;
            let ic = ctx.binary(Binary::Mul, i, cc)?;
            let c_new = ctx.binary(Binary::Add, fc, ic)?;
            if let Some((_, po, _)) = peeps {
                let a = ctx.binary(Binary::Mul, po, c_new)?;
                o = ctx.binary(Binary::Add, o, a)?;
            }
            let o = clip_to(ctx, o)?;
            let o = apply(ctx, &act[0], o)?;
            let hc = apply(ctx, &act[2], c_new)?;
            (ctx.binary(Binary::Mul, o, hc)?, Some(c_new))
        }
    })
}

/// One direction over a sequence of run-time length `steps`: a loop whose
/// body is one step (`cell`, `masked`), the states carried, each step's
/// output stacked. Reverse runs the steps from the end and reverses the
/// stacked outputs back. Returns Y (steps, batch, hidden) and the last states.
fn step_loop(
    ctx: &mut MapCtx,
    p: &Cell,
    xw: ValueId,
    (h0, c0): (ValueId, Option<ValueId>),
    lens_col: Option<ValueId>,
    reverse: bool,
    steps: &str,
) -> Result<(ValueId, ValueId, Option<ValueId>)> {
    let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[xw])?;
    let first = ctx.i64s(vec![], &[0])?;
    let trips = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[shape, first])?;
    let truth = ctx.constant(Tensor::from_i64s(DType::Bool, vec![], &[1])?)?;
    let mut carried = vec![h0];
    carried.extend(c0);
    let mut state_types = vec![
        TensorType::new(DType::I64, vec![]),
        TensorType::new(DType::Bool, vec![]),
    ];
    state_types.extend(carried.iter().map(|&v| ctx.ty(v)));
    // Captured: xw, trips, R^T, R, then the optional values.
    let mut captured = vec![xw, trips, p.rt, p.rd];
    captured.extend(p.rb);
    if let Some((a, b, c)) = p.peeps {
        captured.extend([a, b, c]);
    }
    if let Some((s, z)) = p.rq {
        captured.extend([s, z]);
    }
    captured.extend(lens_col);
    let lstm = c0.is_some();
    let (body, operands) = ctx.body_graph("steps", &state_types, &captured, |b, own, inner| {
        let (iter, h) = (own[0], own[2]);
        let c = lstm.then(|| own[3]);
        let (xw, trips) = (inner[0], inner[1]);
        let mut rest = inner[4..].iter().copied();
        let rb = if p.rb.is_some() { rest.next() } else { None };
        let peeps = match p.peeps {
            Some(_) => match (rest.next(), rest.next(), rest.next()) {
                (Some(a), Some(bb), Some(cc)) => Some((a, bb, cc)),
                _ => return Err(Error::internal("the loop body lost a peephole")),
            },
            None => None,
        };
        let rq = match p.rq {
            Some(_) => match (rest.next(), rest.next()) {
                (Some(s), Some(z)) => Some((s, z)),
                _ => return Err(Error::internal("the loop body lost R's scale")),
            },
            None => None,
        };
        let lens_col = rest.next();
        let step = Cell {
            rt: inner[2],
            rd: inner[3],
            rb,
            peeps,
            rq,
            act: p.act,
            ..*p
        };
        let t = if reverse {
            let one = b.i64s(vec![], &[1])?;
            let last = b.binary(Binary::Sub, trips, one)?;
            b.binary(Binary::Sub, last, iter)?
        } else {
            iter
        };
        let xt = b.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[xw, t])?;
        // The previous step's output: h, or 0 where that step was past the
        // sequence's end (only forward runs with per-batch lengths).
        let h_in = match lens_col {
            Some(l) if p.zero_finished => {
                let one = b.i64s(vec![], &[1])?;
                let prev = b.binary(Binary::Sub, iter, one)?;
                let live = b.compare(Compare::Less, prev, l)?;
                let zero = b.scalar(p.dtype, 0.0)?;
                b.emit1(Op::Elementwise(Elementwise::Select), &[live, h, zero])?
            }
            _ => h,
        };
        let new = cell(b, &step, xt, h_in, c)?;
        let mask = match lens_col {
            Some(l) => Some(b.emit1(
                Op::Elementwise(Elementwise::Compare(Compare::Less)),
                &[t, l],
            )?),
            None => None,
        };
        let (hn, cn, y) = masked(b, mask, new, h, c)?;
        let go = b.constant(Tensor::from_i64s(DType::Bool, vec![], &[1])?)?;
        let mut outs = vec![go, hn];
        outs.extend(cn);
        outs.push(y);
        Ok(outs)
    })?;
    let n_carried = carried.len();
    let mut loop_operands = vec![trips, truth];
    loop_operands.extend(carried);
    loop_operands.extend(operands);
    let results = ctx.emit(
        Op::Control(Control::Loop {
            body: Body(std::sync::Arc::new(body)),
            carried: n_carried,
            trips: steps.to_string(),
        }),
        &loop_operands,
    )?;
    let (h_last, c_last, mut y) = (results[0], lstm.then(|| results[1]), results[n_carried]);
    if reverse {
        let last = ctx.i64s(vec![], &[-1])?;
        let one = ctx.i64s(vec![], &[1])?;
        let start = ctx.binary(Binary::Sub, trips, one)?;
        let back = ctx.emit1(
            Op::Movement(Movement::Range {
                count: steps.to_string(),
            }),
            &[start, last, last],
        )?;
        y = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[y, back])?;
    }
    Ok((y, h_last, c_last))
}

/// The masked update past a sequence's end (`mask` false): the state is
/// kept and the output is 0. Returns the next states and the step's output.
fn masked(
    ctx: &mut MapCtx,
    mask: Option<ValueId>,
    (h_new, c_new): (ValueId, Option<ValueId>),
    h: ValueId,
    c: Option<ValueId>,
) -> Result<(ValueId, Option<ValueId>, ValueId)> {
    let Some(mk) = mask else {
        return Ok((h_new, c_new, h_new));
    };
    let dtype = ctx.ty(h_new).dtype;
    let zero = ctx.scalar(dtype, 0.0)?;
    let select = Op::Elementwise(Elementwise::Select);
    let hn = ctx.emit1(select.clone(), &[mk, h_new, h])?;
    let cn = match (c_new, c) {
        (Some(cn), Some(cp)) => Some(ctx.emit1(select.clone(), &[mk, cn, cp])?),
        _ => None,
    };
    let y = ctx.emit1(select, &[mk, h_new, zero])?;
    Ok((hn, cn, y))
}

/// DynamicQuantizeLSTM's weight quantization (its inputs 8 to 11): a scale
/// and zero point per direction `(dirs)` or per gate column `(dirs, 4 * hidden)`.
struct Quant {
    w_scale: ValueId,
    w_zero: ValueId,
    r_scale: ValueId,
    r_zero: ValueId,
}

/// `a @ w` as onnxruntime's DynamicQuantizeLSTM computes each gate product:
/// `a` quantized per tensor to u8 as DynamicQuantizeLinear does, an integer
/// matmul with the 8-bit `w` accumulating in i32, times `a_scale * w_scale`.
fn dynamic_product(
    ctx: &mut MapCtx,
    a: ValueId,
    w: ValueId,
    w_scale: ValueId,
    w_zero: ValueId,
) -> Result<ValueId> {
    let quantized = dynamic_quantize(ctx, a)?;
    quantized_product(ctx, quantized, w, w_scale, w_zero)
}

/// The i32 product of a quantized `(values, scale, zero point)` and the
/// 8-bit `w`, rescaled to f32.
fn quantized_product(
    ctx: &mut MapCtx,
    (aq, a_scale, a_zero): (ValueId, ValueId, ValueId),
    w: ValueId,
    w_scale: ValueId,
    w_zero: ValueId,
) -> Result<ValueId> {
    let acc = integer_matmul(ctx, aq, w, Some(a_zero), Some(w_zero))?;
    rescaled(ctx, acc, a_scale, w_scale, None)
}

/// Checks DynamicQuantizeLSTM's 8-bit W `(dirs, input, 4h)` and R
/// `(dirs, h, 4h)` and its scales and zero points `(dirs)` or `(dirs, 4h)`.
fn check_quantized(
    ctx: &MapCtx,
    (w, r): (ValueId, ValueId),
    q: &Quant,
    dirs: u64,
    hidden: u64,
    input: &Dim,
) -> Result<()> {
    let gw = Dim::Known(4 * hidden);
    let (wt, rt) = (ctx.ty(w), ctx.ty(r));
    let w_ok = wt.shape == [Dim::Known(dirs), input.clone(), gw.clone()];
    let r_ok = rt.shape == [Dim::Known(dirs), Dim::Known(hidden), gw.clone()];
    if !w_ok || !r_ok {
        return Err(Error::invalid(format!(
            "DynamicQuantizeLSTM W must be ({dirs}, {input}, {gw}) and R ({dirs}, {hidden}, {gw}), got {wt} and {rt}"
        )));
    }
    if !is_quantized_operand(&wt) || wt.dtype != rt.dtype {
        return Err(Error::invalid(format!(
            "DynamicQuantizeLSTM W and R must both be int8 or both uint8, got {} and {}",
            wt.dtype, rt.dtype
        )));
    }
    let params = [
        ("W_scale", q.w_scale),
        ("W_zero_point", q.w_zero),
        ("R_scale", q.r_scale),
        ("R_zero_point", q.r_zero),
    ];
    for (name, v) in params {
        let t = ctx.ty(v);
        let ok = t.shape == [Dim::Known(dirs)] || t.shape == [Dim::Known(dirs), gw.clone()];
        if !ok {
            return Err(Error::invalid(format!(
                "DynamicQuantizeLSTM {name} must be ({dirs}) per direction or ({dirs}, {gw}) per channel, got {t}"
            )));
        }
    }
    Ok(())
}

/// X over the steps up to the longest sequence, 0 after them: the range
/// onnxruntime's DynamicQuantizeLSTM quantizes X over (0 is in it anyway).
fn up_to_longest(ctx: &mut MapCtx, x: ValueId, lens_col: ValueId) -> Result<ValueId> {
    let longest = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Max,
            axes: vec![0, 1],
            keep_dims: false,
        }),
        &[lens_col],
    )?;
    let steps = match ctx.ty(x).shape.first() {
        Some(Dim::Known(n)) => {
            let n = *n;
            let idx: Vec<i64> = (0..n as i64).collect();
            ctx.i64s(vec![n, 1, 1], &idx)?
        }
        Some(Dim::Symbol(name)) => {
            let name = name.clone();
            let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
            let first = ctx.i64s(vec![], &[0])?;
            let count = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[shape, first])?;
            let (start, delta) = (ctx.i64s(vec![], &[0])?, ctx.i64s(vec![], &[1])?);
            let idx = ctx.emit1(
                Op::Movement(Movement::Range {
                    count: name.clone(),
                }),
                &[start, count, delta],
            )?;
            let one = Dim::Known(1);
            ctx.reshape(idx, vec![Dim::Symbol(name), one.clone(), one])?
        }
        None => return Err(Error::internal("X without a sequence axis")),
    };
    let live = ctx.compare(Compare::Less, steps, longest)?;
    let zero = ctx.scalar(ctx.ty(x).dtype, 0.0)?;
    ctx.emit1(Op::Elementwise(Elementwise::Select), &[live, x, zero])
}

fn recurrent(ctx: &mut MapCtx, kind: Kind, quant: Option<Quant>) -> Result<()> {
    let x = ctx.input(0)?;
    let (w, r) = (ctx.input(1)?, ctx.input(2)?);
    let (b, lens, h0) = (ctx.opt_input(3), ctx.opt_input(4), ctx.opt_input(5));
    let (c0, peep) = if kind == Kind::Lstm {
        (ctx.opt_input(6), ctx.opt_input(7))
    } else {
        (None, None)
    };
    let layout = ctx.attrs.int_or("layout", 0)?;
    let hidden = u64::try_from(ctx.attrs.req_int("hidden_size")?)
        .map_err(|_| Error::invalid("hidden_size must be positive"))?;
    let direction = ctx.attrs.string_or("direction", "forward")?;
    let dirs: Vec<bool> = match direction.as_str() {
        "forward" => vec![false],
        "reverse" => vec![true],
        "bidirectional" => vec![false, true],
        other => {
            return Err(Error::invalid(format!(
                "direction must be forward, reverse or bidirectional, got \"{other}\""
            )));
        }
    };
    let clip = ctx.attrs.float("clip")?.map(f64::from);
    let linear_before_reset = ctx.attrs.int_or("linear_before_reset", 0)? != 0;
    if kind == Kind::Lstm && ctx.attrs.int_or("input_forget", 0)? != 0 {
        return Err(Error::unsupported("LSTM input_forget=1"));
    }
    // Activations: per direction, as listed (alphas and betas consumed in order).
    let names = ctx.attrs.strings("activations")?;
    let alphas = ctx.attrs.floats("activation_alpha")?.unwrap_or_default();
    let betas = ctx.attrs.floats("activation_beta")?.unwrap_or_default();
    let per_dir = kind.default_activations().len();
    let names: Vec<String> = match names {
        Some(n) => n,
        None => dirs
            .iter()
            .flat_map(|_| kind.default_activations().iter().map(|s| s.to_string()))
            .collect(),
    };
    if names.len() != per_dir * dirs.len() {
        return Err(Error::invalid(format!(
            "{} expects {} activations, got {}",
            kind.name(),
            per_dir * dirs.len(),
            names.len()
        )));
    }
    let acts: Vec<Act> = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| Act {
            name,
            alpha: alphas.get(i).map(|&v| f64::from(v)),
            beta: betas.get(i).map(|&v| f64::from(v)),
        })
        .collect();

    // X as (seq, batch, input).
    let x = if layout == 1 {
        ctx.transpose(x, &[1, 0, 2])?
    } else {
        x
    };
    // The sequence is unrolled, so its length must be known; the batch may
    // be a run-time dim.
    let xt = ctx.ty(x);
    let [seq, batch, _] = &xt.shape[..] else {
        return Err(Error::invalid(format!(
            "{} input X must have rank 3, got {xt}",
            kind.name()
        )));
    };
    // A sequence of run-time length runs as a loop (`step_loop`); a known
    // one is unrolled.
    let seq_dim = seq.clone();
    let seq = seq.known().unwrap_or(0);
    let batch = batch.clone();
    let dtype = xt.dtype;
    let gw = kind.gates() * hidden;
    let zeros_state = |ctx: &mut MapCtx| -> Result<ValueId> {
        match batch.known() {
            Some(n) => ctx.constant(Tensor::from_f64s(
                dtype,
                vec![n, hidden],
                &vec![0.0; (n * hidden) as usize],
            )?),
            None => {
                // Zeros of (batch, hidden), the batch read from X at run time.
                let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
                let keep = ctx.i64s(vec![3], &[0, 1, 0])?;
                let put = ctx.i64s(vec![3], &[0, 0, hidden as i64])?;
                let shape = ctx.binary(o2l_canon::ops::Binary::Mul, shape, keep)?;
                let shape = ctx.binary(o2l_canon::ops::Binary::Add, shape, put)?;
                let at = ctx.i64s(vec![2], &[1, 2])?;
                let shape = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[shape, at])?;
                let zero = ctx.scalar(dtype, 0.0)?;
                ctx.emit1(
                    Op::Movement(Movement::BroadcastTo {
                        dims: vec![batch.clone(), Dim::Known(hidden)],
                    }),
                    &[zero, shape],
                )
            }
        }
    };
    let initial = |ctx: &mut MapCtx, v: Option<ValueId>, d: u64| -> Result<Option<ValueId>> {
        match v {
            Some(v) => {
                let v = if layout == 1 {
                    ctx.transpose(v, &[1, 0, 2])?
                } else {
                    v
                };
                Ok(Some(at(ctx, v, d)?))
            }
            None => Ok(None),
        }
    };
    // Sequence lengths as a column (batch, 1), and the unrolled steps' masks.
    let lens_col = match lens {
        Some(l) => {
            let l = ctx.cast(l, DType::I64)?;
            Some(ctx.reshape(l, vec![batch.clone(), Dim::Known(1)])?)
        }
        None => None,
    };
    let masks: Option<Vec<ValueId>> = match lens_col {
        Some(l) => {
            let mut m = Vec::with_capacity(seq as usize);
            for t in 0..seq {
                let tv = ctx.scalar(DType::I64, t as f64)?;
                m.push(ctx.emit1(
                    Op::Elementwise(Elementwise::Compare(Compare::Less)),
                    &[tv, l],
                )?);
            }
            Some(m)
        }
        None => None,
    };
    if lens.is_some() && dirs.contains(&true) {
        if let Some(l) = lens
            && seq_dim.known().is_some()
            && ctx
                .const_of(l)
                .is_some_and(|t| t.to_i64s().iter().all(|&v| v as u64 == seq))
        {
            // All sequences are full length: reversing needs no per-batch order.
        } else {
            return Err(Error::unsupported(format!(
                "{} in reverse with per-batch sequence lengths",
                kind.name()
            )));
        }
    }
    // DynamicQuantizeLSTM quantizes X once, for every direction.
    let xq = match &quant {
        Some(q) => {
            let input = xt.shape[2].clone();
            check_quantized(ctx, (w, r), q, dirs.len() as u64, hidden, &input)?;
            let xr = match lens_col {
                Some(l) => up_to_longest(ctx, x, l)?,
                None => x,
            };
            Some(dynamic_quantize(ctx, xr)?)
        }
        None => None,
    };
    // With Y and sequence lengths, its recurrent products read the last
    // step's output (0 past a sequence's end) instead of the kept state.
    let zero_finished = quant.is_some() && lens.is_some() && ctx.output_wanted(0);
    let mut ys = Vec::new();
    let mut hs = Vec::new();
    let mut cs = Vec::new();
    for (di, &reverse) in dirs.iter().enumerate() {
        let d = di as u64;
        let wd = at(ctx, w, d)?; // (gw, input); quantized: (input, gw)
        let rd = at(ctx, r, d)?; // (gw, hidden); quantized: (hidden, gw)
        let (wt, rt) = match quant {
            Some(_) => (wd, rd),
            None => (ctx.transpose(wd, &[1, 0])?, ctx.transpose(rd, &[1, 0])?),
        };
        // Every step's input projection at once: (seq, batch, gw).
        let (mut xw, rq) = match (&quant, xq) {
            (Some(q), Some(xq)) => {
                let (ws, wz) = (at(ctx, q.w_scale, d)?, at(ctx, q.w_zero, d)?);
                let xw = quantized_product(ctx, xq, wt, ws, wz)?;
                (xw, Some((at(ctx, q.r_scale, d)?, at(ctx, q.r_zero, d)?)))
            }
            _ => (ctx.emit1(Op::Linear(Linear::MatMul), &[x, wt])?, None),
        };
        let (wb, rb) = match b {
            Some(b) => {
                let bd = at(ctx, b, d)?;
                (
                    Some(compose::take(
                        ctx,
                        bd,
                        0,
                        &(0..gw as i64).collect::<Vec<i64>>(),
                    )?),
                    Some(compose::take(
                        ctx,
                        bd,
                        0,
                        &(gw as i64..2 * gw as i64).collect::<Vec<i64>>(),
                    )?),
                )
            }
            None => (None, None),
        };
        // GRU's h gate keeps its recurrent bias apart (linear_before_reset).
        // The quantized LSTM adds Wb + Rb after both products, as
        // onnxruntime's kernel does.
        let rb = match (wb, rb) {
            (Some(wb), Some(rb)) if rq.is_some() => Some(ctx.binary(Binary::Add, wb, rb)?),
            (Some(wb), _) => {
                xw = ctx.binary(Binary::Add, xw, wb)?;
                rb
            }
            _ => rb,
        };
        let act = &acts[di * per_dir..(di + 1) * per_dir];
        let mut h = match initial(ctx, h0, d)? {
            Some(h) => h,
            None => zeros_state(ctx)?,
        };
        let mut c = if kind == Kind::Lstm {
            Some(match initial(ctx, c0, d)? {
                Some(c) => c,
                None => zeros_state(ctx)?,
            })
        } else {
            None
        };
        let peeps = match peep {
            Some(p) => {
                let pd = at(ctx, p, d)?;
                Some((
                    gate(ctx, pd, 0, hidden)?,
                    gate(ctx, pd, 1, hidden)?,
                    gate(ctx, pd, 2, hidden)?,
                ))
            }
            None => None,
        };
        let p = Cell {
            kind,
            hidden,
            dtype,
            act,
            clip,
            linear_before_reset,
            rt,
            rd,
            rb,
            peeps,
            rq,
            zero_finished,
        };
        // A known sequence of more steps than the limits unroll runs as a
        // loop too: one copy of the step's kernels instead of one per step
        // (the same ops per step, so the same results). Its length is a
        // symbol of its own, pinned back to the known length when the
        // directions are stacked.
        let unrolled_at_most = ctx.graph.limits.max_unrolled_steps;
        let looped = match &seq_dim {
            Dim::Symbol(steps) => Some(steps.clone()),
            Dim::Known(n) if *n > unrolled_at_most && lens.is_none() && quant.is_none() => {
                Some(format!("o2l_{}_steps_{n}", kind.name().to_lowercase()))
            }
            Dim::Known(_) => None,
        };
        if let Some(steps) = &looped {
            let (y, h_last, c_last) = step_loop(ctx, &p, xw, (h, c), lens_col, reverse, steps)?;
            ys.push(y);
            hs.push(h_last);
            cs.extend(c_last);
            continue;
        }
        let mut outs = vec![None; seq as usize];
        for step in 0..seq {
            let t = if reverse { seq - 1 - step } else { step };
            let xt = at(ctx, xw, t)?; // (batch, gw)
            let h_in = match &masks {
                Some(m) if zero_finished && step > 0 => {
                    let prev = if reverse { t + 1 } else { t - 1 };
                    let zero = ctx.scalar(dtype, 0.0)?;
                    ctx.emit1(
                        Op::Elementwise(Elementwise::Select),
                        &[m[prev as usize], h, zero],
                    )?
                }
                _ => h,
            };
            let new = cell(ctx, &p, xt, h_in, c)?;
            let mask = masks.as_ref().map(|m| m[t as usize]);
            let (h_next, c_next, y_t) = masked(ctx, mask, new, h, c)?;
            h = h_next;
            c = c_next;
            outs[t as usize] = Some(y_t);
        }
        let outs: Vec<ValueId> = outs.into_iter().flatten().collect();
        ys.push(stack0(ctx, &outs)?); // (seq, batch, hidden)
        hs.push(h);
        if let Some(c) = c {
            cs.push(c);
        }
    }
    // Y: (seq, dirs, batch, hidden); Y_h, Y_c: (dirs, batch, hidden).
    let y = {
        let mut parts = Vec::with_capacity(ys.len());
        for v in ys {
            let shape = vec![
                seq_dim.clone(),
                Dim::Known(1),
                batch.clone(),
                Dim::Known(hidden),
            ];
            parts.push(ctx.reshape(v, shape)?);
        }
        if parts.len() == 1 {
            parts[0]
        } else {
            ctx.emit1(Op::Movement(Movement::Concat { axis: 1 }), &parts)?
        }
    };
    let yh = stack0(ctx, &hs)?;
    let (y, yh) = if layout == 1 {
        (
            ctx.transpose(y, &[2, 0, 1, 3])?,
            ctx.transpose(yh, &[1, 0, 2])?,
        )
    } else {
        (y, yh)
    };
    if ctx.output_wanted(0) {
        ctx.bind(0, y)?;
    }
    if ctx.output_wanted(1) {
        ctx.bind(1, yh)?;
    }
    if kind == Kind::Lstm && ctx.output_wanted(2) {
        let yc = stack0(ctx, &cs)?;
        let yc = if layout == 1 {
            ctx.transpose(yc, &[1, 0, 2])?
        } else {
            yc
        };
        ctx.bind(2, yc)?;
    }
    Ok(())
}

fn rnn(ctx: &mut MapCtx) -> Result<()> {
    recurrent(ctx, Kind::Rnn, None)
}

fn gru(ctx: &mut MapCtx) -> Result<()> {
    recurrent(ctx, Kind::Gru, None)
}

fn lstm(ctx: &mut MapCtx) -> Result<()> {
    recurrent(ctx, Kind::Lstm, None)
}

fn dynamic_quantize_lstm(ctx: &mut MapCtx) -> Result<()> {
    let q = Quant {
        w_scale: ctx.input(8)?,
        w_zero: ctx.input(9)?,
        r_scale: ctx.input(10)?,
        r_zero: ctx.input(11)?,
    };
    recurrent(ctx, Kind::Lstm, Some(q))
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    /// A bidirectional LSTM (hidden 4, batch 2, 3 features) over `steps`,
    /// imported with `max_unrolled_steps`.
    fn bidirectional_lstm(steps: i64, max_unrolled_steps: u64) -> o2l_canon::Graph {
        M::new(14)
            .input(f32_in("x", &[steps, 2, 3]))
            .input(f32_in("w", &[2, 16, 3]))
            .input(f32_in("r", &[2, 16, 4]))
            .node(with_attrs(
                node("LSTM", "lstm", &["x", "w", "r"], &["y", "h", "c"]),
                vec![a_int("hidden_size", 4), a_str("direction", "bidirectional")],
            ))
            .output("y")
            .output("h")
            .output("c")
            .import_with(&with_limits(|l| l.max_unrolled_steps = max_unrolled_steps))
            .unwrap()
    }

    #[test]
    fn bidirectional_lstm_unrolls_and_stacks_directions() {
        // Up to the limit, by default 16 steps, steps are unrolled.
        assert_eq!(o2l_canon::Limits::default().max_unrolled_steps, 16);
        for (steps, limit) in [(3, 3), (16, 16)] {
            let g = bidirectional_lstm(steps, limit);
            let steps = steps as u64;
            assert_eq!(out_dims(&g, 0), vec![steps, 2, 2, 4]);
            assert_eq!(out_dims(&g, 1), vec![2, 2, 4]);
            assert_eq!(out_dims(&g, 2), vec![2, 2, 4]);
            // One input projection per direction, one recurrent MatMul per step.
            let matmuls = g.nodes.iter().filter(|n| n.op.name() == "MatMul").count();
            assert_eq!(matmuls as u64, 2 + 2 * steps);
            assert!(!g.nodes.iter().any(|n| n.op.name() == "Loop"));
        }
    }

    #[test]
    fn a_known_sequence_past_the_unroll_limit_loops() {
        for (steps, limit) in [(4, 3), (5, 3), (17, 16)] {
            let g = bidirectional_lstm(steps, limit);
            // The known length comes back when the directions are stacked.
            assert_eq!(out_dims(&g, 0), vec![steps as u64, 2, 2, 4]);
            assert_eq!(out_dims(&g, 1), vec![2, 2, 4]);
            assert_eq!(out_dims(&g, 2), vec![2, 2, 4]);
            let loops = g.nodes.iter().filter(|n| n.op.name() == "Loop").count();
            assert_eq!(loops, 2);
            // Only the input projections are outside the loops.
            let matmuls = g.nodes.iter().filter(|n| n.op.name() == "MatMul").count();
            assert_eq!(matmuls, 2);
        }
    }

    #[test]
    fn a_run_time_batch_takes_zero_states_of_its_size_and_a_run_time_sequence_loops() {
        let lstm = |x: Vec<D>| {
            M::new(14)
                .input(vi("x", 1, &x))
                .input(f32_in("w", &[1, 16, 3]))
                .input(f32_in("r", &[1, 16, 4]))
                .node(with_attrs(
                    node("LSTM", "lstm", &["x", "w", "r"], &["y"]),
                    vec![a_int("hidden_size", 4)],
                ))
                .output("y")
                .import()
        };
        let g = lstm(vec![D::N(5), D::S("b"), D::N(3)]).unwrap();
        let y = g.ty(g.outputs[0]);
        assert_eq!(y.shape[2], Dim::Symbol("b".into()), "{y}");
        assert!(g.nodes.iter().any(|n| n.op.name() == "BroadcastTo"));
        // A run-time sequence length runs as a loop, its steps stacked on "t".
        let g = lstm(vec![D::S("t"), D::N(2), D::N(3)]).unwrap();
        assert!(g.nodes.iter().any(|n| n.op.name() == "Loop"));
        assert_eq!(g.ty(g.outputs[0]).shape[0], Dim::Symbol("t".into()));
    }

    #[test]
    fn dynamic_quantize_lstm_runs_integer_products_and_checks_its_weights() {
        use super::super::contrib::tests::typed;
        let (f32, u8, i8, i32) = (1, 2, 3, 6);
        let model = |w: &[i64], wt: i32, rt: i32| {
            let inputs: &[(&str, i32, &[i64])] = &[
                ("x", f32, &[5, 2, 3]),
                ("w", wt, w),
                ("r", rt, &[2, 4, 16]),
                ("", f32, &[]),
                ("", i32, &[]),
                ("", f32, &[]),
                ("", f32, &[]),
                ("", f32, &[]),
                ("ws", f32, &[2]),
                ("wz", wt, &[2]),
                ("rs", f32, &[2, 16]),
                ("rz", rt, &[2, 16]),
            ];
            let attrs = vec![a_int("hidden_size", 4), a_str("direction", "bidirectional")];
            typed("DynamicQuantizeLSTM", inputs, attrs)
        };
        let g = model(&[2, 3, 16], i8, i8).import().unwrap();
        assert_eq!(out_dims(&g, 0), vec![5, 2, 2, 4]);
        let count = |name: &str| g.nodes.iter().filter(|n| n.op.name() == name).count();
        // Per-direction zero points: the input projections are integer
        // kernels; R's zero points vary by column (run-time values), so each
        // step's product is an i32 MatMul of shifted operands.
        assert_eq!(count("QuantizedMatMul"), 2);
        assert_eq!(count("MatMul"), 2 * 5);
        // One range of X, one of h per step and direction.
        assert_eq!(count("ReduceMax"), 1 + 2 * 5);
        // W in the ONNX LSTM layout, and mixed 8-bit types, are refused.
        let e = model(&[2, 16, 3], i8, i8).import().unwrap_err();
        assert!(e.to_string().contains("W must be (2, 3, 16)"), "{e}");
        let e = model(&[2, 3, 16], u8, i8).import().unwrap_err();
        assert!(
            e.to_string().contains("must both be int8 or both uint8"),
            "{e}"
        );
    }
}
