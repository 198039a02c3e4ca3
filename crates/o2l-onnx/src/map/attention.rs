//! Attention (opsets 23, 24, 25) as a composition of canonical ops: heads
//! split from 3-D inputs, the past cache concatenated, kv heads repeated for
//! grouped queries, `(Q*sqrt(s)) @ (K*sqrt(s))^T`, softcap, an additive bias
//! (mask, causal frontier, sliding window, padding), a softmax whose fully
//! masked rows are zero, then `@ V`. Numerics follow the ONNX reference.
//! RotaryEmbedding (opset 23) lives here too: it feeds attention.
use super::ctx::{MapCtx, Rule, row, versioned};
use crate::tensor::dtype_of;
use o2l_canon::Builder;
use o2l_canon::compose;
use o2l_canon::ops::{
    Binary, Compare, Elementwise, Linear, Movement, Norm, Reduce, ReduceKind, Unary,
};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, TensorType, ValueId};

pub(crate) static RULES: &[Rule] = &[
    versioned(
        "ai.onnx.preview",
        "FlexAttention",
        &[1],
        &["Gather", "Mul", "Transpose", "MatMul", "Cast", "Softmax"],
        flex_attention,
        "scaled QK^T, score_mod and prob_mod subgraphs inlined around the softmax, @V; GQA",
    ),
    row(
        "LinearAttention",
        &[27],
        &[
            "Fill",
            "Reshape",
            "Transpose",
            "Gather",
            "Exp",
            "Mul",
            "Sub",
            "Add",
            "MatMul",
            "Concat",
            "Cast",
        ],
        linear_attention,
        "the recurrence unrolled over T in f32: linear, gated, delta, gated_delta; GQA; past/present state",
    ),
    row(
        "RotaryEmbedding",
        &[23],
        &[
            "Transpose",
            "Reshape",
            "Gather",
            "Mul",
            "Sub",
            "Add",
            "Concat",
        ],
        rotary_embedding,
        "rotates halves (or interleaved pairs) of the first rotary_embedding_dim features by cos/sin",
    ),
    row(
        "Attention",
        &[23, 24, 25],
        &[
            "Fill",
            "Reshape",
            "Transpose",
            "Concat",
            "Gather",
            "Mul",
            "MatMul",
            "Tanh",
            "Div",
            "Add",
            "Equal",
            "LessOrEqual",
            "Less",
            "Select",
            "Softmax",
            "ReduceMax",
            "Cast",
            "Exp",
            "GreaterOrEqual",
            "ReduceSum",
            "Sub",
        ],
        attention,
        "composed: heads split, cache concat, GQA repeat, scaled QK^T, softcap, bias, guarded softmax, @V",
    ),
];

fn known(ty: &TensorType, what: &str) -> Result<Vec<u64>> {
    ty.shape
        .iter()
        .map(|d| match d {
            Dim::Known(n) => Ok(*n),
            Dim::Symbol(s) => Err(Error::unsupported(format!(
                "Attention with a symbolic dim \"{s}\" in {what}"
            ))),
        })
        .collect()
}

/// `known`, and the rank must be `rank` (a hostile model may declare any rank).
fn known_rank(ty: &TensorType, what: &str, rank: usize) -> Result<Vec<u64>> {
    let dims = known(ty, what)?;
    if dims.len() != rank {
        return Err(Error::invalid(format!(
            "Attention {what} must be rank {rank}, got {ty}"
        )));
    }
    Ok(dims)
}

fn matmul(ctx: &mut MapCtx, a: ValueId, b: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])
}

fn select(ctx: &mut MapCtx, c: ValueId, a: ValueId, b: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Elementwise(Elementwise::Select), &[c, a, b])
}

/// `(B, S, H*D)` to `(B, H, S, D)`.
pub(crate) fn split_heads(ctx: &mut MapCtx, x: ValueId, heads: u64, what: &str) -> Result<ValueId> {
    let d = known_rank(&ctx.ty(x), what, 3)?;
    if heads == 0 || d[2] % heads != 0 {
        return Err(Error::invalid(format!(
            "Attention {what} hidden size {} is not a multiple of {heads} heads",
            d[2]
        )));
    }
    let shape = [d[0], d[1], heads, d[2] / heads].map(Dim::Known).to_vec();
    let r = ctx.reshape(x, shape)?;
    ctx.transpose(r, &[0, 2, 1, 3])
}

/// A constant `(rows, cols)` bias: 0 where `allowed(i, j)`, -inf elsewhere.
fn frontier(
    ctx: &mut MapCtx,
    dtype: DType,
    rows: u64,
    cols: u64,
    allowed: impl Fn(i64, i64) -> bool,
) -> Result<ValueId> {
    let mut v = Vec::with_capacity((rows * cols) as usize);
    for i in 0..rows as i64 {
        for j in 0..cols as i64 {
            v.push(if allowed(i, j) {
                0.0
            } else {
                f64::NEG_INFINITY
            });
        }
    }
    ctx.constant(Tensor::from_f64s(dtype, vec![rows, cols], &v)?)
}

/// 0 where `cond`, -inf elsewhere (in `dtype`).
fn bias_of(ctx: &mut MapCtx, cond: ValueId, dtype: DType) -> Result<ValueId> {
    let zero = ctx.scalar(dtype, 0.0)?;
    let ninf = ctx.scalar(dtype, f64::NEG_INFINITY)?;
    select(ctx, cond, zero, ninf)
}

fn add_bias(ctx: &mut MapCtx, bias: Option<ValueId>, b: ValueId) -> Result<ValueId> {
    match bias {
        Some(a) => ctx.binary(Binary::Add, a, b),
        None => Ok(b),
    }
}

/// Per-batch `(B, 1, q, kv)` bias: 0 where `j - i + q <= n[b]` (with `strict`,
/// `j < n[b]`), -inf elsewhere; `n` is `nonpad_kv_seqlen`.
fn per_batch_bias(
    ctx: &mut MapCtx,
    n: ValueId,
    dtype: DType,
    q: u64,
    kv: u64,
    rel: impl Fn(i64, i64) -> i64,
    cmp: Compare,
) -> Result<ValueId> {
    let batch = known(&ctx.ty(n), "nonpad_kv_seqlen")?;
    let nb = ctx.cast(n, DType::I64)?;
    let nb = ctx.reshape(
        nb,
        [batch.iter().product::<u64>(), 1, 1, 1]
            .map(Dim::Known)
            .to_vec(),
    )?;
    let mut d = Vec::with_capacity((q * kv) as usize);
    for i in 0..q as i64 {
        for j in 0..kv as i64 {
            d.push(rel(i, j));
        }
    }
    let d = ctx.constant(Tensor::from_i64s(DType::I64, vec![q, kv], &d)?)?;
    let ok = ctx.compare(cmp, d, nb)?;
    bias_of(ctx, ok, dtype)
}

fn attention(ctx: &mut MapCtx) -> Result<()> {
    let (q_in, k_in, v_in) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let mask = ctx.opt_input(3);
    let (past_k, past_v) = (ctx.opt_input(4), ctx.opt_input(5));
    let nonpad = if ctx.version >= 24 {
        ctx.opt_input(6)
    } else {
        None
    };
    let is_causal = ctx.attrs.int_or("is_causal", 0)? != 0;
    let mode = ctx.attrs.int_or("qk_matmul_output_mode", 0)?;
    let softcap = ctx.attrs.float_or("softcap", 0.0)? as f64;
    let scale = ctx.attrs.float("scale")?;
    let precision = ctx.attrs.int("softmax_precision")?;
    let (left, right) = if ctx.version >= 25 {
        (
            ctx.attrs.int_or("left_window_size", -1)?,
            ctx.attrs.int_or("right_window_size", -1)?,
        )
    } else {
        (-1, -1)
    };
    if past_k.is_some() != past_v.is_some() {
        return Err(Error::invalid(
            "Attention past_key and past_value go together",
        ));
    }
    if nonpad.is_some() && past_k.is_some() {
        return Err(Error::invalid(
            "Attention nonpad_kv_seqlen cannot be combined with past_key/past_value",
        ));
    }
    if !(0..=3).contains(&mode) {
        return Err(Error::invalid(format!(
            "Attention qk_matmul_output_mode must be 0 to 3, got {mode}"
        )));
    }
    let qt = ctx.ty(q_in);
    let dtype = qt.dtype;
    let three_d = qt.rank() == 3;
    let (q, k, v) = if three_d {
        let qh = ctx.attrs.int("q_num_heads")?;
        let kvh = ctx.attrs.int("kv_num_heads")?;
        let (Some(qh), Some(kvh)) = (qh, kvh) else {
            return Err(Error::invalid(
                "Attention with 3-D inputs needs q_num_heads and kv_num_heads",
            ));
        };
        let (qh, kvh) = (
            super::ctx::to_u64s(&[qh], "q_num_heads")?[0],
            super::ctx::to_u64s(&[kvh], "kv_num_heads")?[0],
        );
        (
            split_heads(ctx, q_in, qh, "Q")?,
            split_heads(ctx, k_in, kvh, "K")?,
            split_heads(ctx, v_in, kvh, "V")?,
        )
    } else if qt.rank() == 4 {
        (q_in, k_in, v_in)
    } else {
        return Err(Error::invalid(format!(
            "Attention takes 3-D or 4-D Q, K, V; Q is {qt}"
        )));
    };
    let qd = known_rank(&ctx.ty(q), "Q", 4)?;
    known_rank(&ctx.ty(k), "K", 4)?;
    known_rank(&ctx.ty(v), "V", 4)?;
    if let (Some(pk), Some(pv)) = (past_k, past_v) {
        known_rank(&ctx.ty(pk), "past_key", 4)?;
        known_rank(&ctx.ty(pv), "past_value", 4)?;
    }
    let (k, v) = match (past_k, past_v) {
        (Some(pk), Some(pv)) => (
            ctx.emit1(Op::Movement(Movement::Concat { axis: 2 }), &[pk, k])?,
            ctx.emit1(Op::Movement(Movement::Concat { axis: 2 }), &[pv, v])?,
        ),
        _ => (k, v),
    };
    if ctx.output_wanted(1) {
        ctx.bind(1, k)?;
    }
    if ctx.output_wanted(2) {
        ctx.bind(2, v)?;
    }
    let kd = known_rank(&ctx.ty(k), "K", 4)?;
    let (batch, q_heads, q_len, head) = (qd[0], qd[1], qd[2], qd[3]);
    let (kv_heads, kv_len) = (kd[1], kd[2]);
    let past_len = match past_k {
        Some(pk) => known(&ctx.ty(pk), "past_key")?[2],
        None => 0,
    };

    // Grouped queries: query head h reads kv head h / (q_heads / kv_heads).
    let (k, v) = if q_heads != kv_heads {
        if kv_heads == 0 || q_heads % kv_heads != 0 {
            return Err(Error::invalid(format!(
                "Attention q heads ({q_heads}) must be a multiple of kv heads ({kv_heads})"
            )));
        }
        let reps = q_heads / kv_heads;
        let picks: Vec<i64> = (0..q_heads).map(|h| (h / reps) as i64).collect();
        let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![q_heads], &picks)?)?;
        (
            ctx.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[k, idx])?,
            ctx.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[v, idx])?,
        )
    } else {
        (k, v)
    };

    // Scores: (Q * sqrt(s)) @ (K^T * sqrt(s)), s defaulting to 1/sqrt(head size).
    let s = scale.map_or(1.0 / (head as f64).sqrt(), f64::from);
    let root = ctx.scalar(dtype, s.sqrt())?;
    let qs = ctx.binary(Binary::Mul, q, root)?;
    let kt = ctx.transpose(k, &[0, 1, 3, 2])?;
    let ks = ctx.binary(Binary::Mul, kt, root)?;
    let mut scores = matmul(ctx, qs, ks)?;
    if softcap > 0.0 {
        let c = ctx.scalar(dtype, softcap)?;
        let d = ctx.binary(Binary::Div, scores, c)?;
        let t = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Tanh)), &[d])?;
        scores = ctx.binary(Binary::Mul, t, c)?;
    }
    let capped = scores;

    // The additive bias, as the reference builds it.
    let mut bias: Option<ValueId> = None;
    let mask = match mask {
        Some(m) => {
            let mt = ctx.ty(m);
            let md = known(&mt, "attn_mask")?;
            let short = md.last().map_or(0, |&l| kv_len.saturating_sub(l));
            let m = if short > 0 {
                // The mask's kv dim may be shorter: pad with False / -inf.
                let mut pad_dims = md.clone();
                if let Some(l) = pad_dims.last_mut() {
                    *l = short;
                }
                let value = if mt.dtype == DType::Bool {
                    0.0
                } else {
                    f64::NEG_INFINITY
                };
                let fill = ctx.filled(mt.dtype, pad_dims, value)?;
                let axis = md.len() - 1;
                ctx.emit1(Op::Movement(Movement::Concat { axis }), &[m, fill])?
            } else {
                m
            };
            Some(if mt.dtype == DType::Bool {
                bias_of(ctx, m, dtype)?
            } else {
                m
            })
        }
        None => None,
    };
    if is_causal {
        let base = mask;
        bias = match nonpad {
            Some(n) => {
                // j <= i + n[b] - q  <=>  j - i + q <= n[b]
                let ql = q_len as i64;
                let c = per_batch_bias(
                    ctx,
                    n,
                    dtype,
                    q_len,
                    kv_len,
                    |i, j| j - i + ql,
                    Compare::LessOrEqual,
                )?;
                Some(add_bias(ctx, base, c)?)
            }
            None => {
                let off = past_len as i64;
                let c = frontier(ctx, dtype, q_len, kv_len, |i, j| j <= i + off)?;
                Some(add_bias(ctx, base, c)?)
            }
        };
    } else if let Some(m) = mask {
        bias = Some(m);
    }
    if left >= 0 || right >= 0 {
        let window = |d: i64| (left < 0 || d <= left) && (right < 0 || -d <= right);
        let w = match nonpad {
            Some(n) => {
                // A per-batch offset: two comparisons against n[b].
                let ql = q_len as i64;
                let mut w = None;
                if left >= 0 {
                    // i + n - q - j <= left  <=>  n <= left + j + q - i
                    let c = per_batch_bias(
                        ctx,
                        n,
                        dtype,
                        q_len,
                        kv_len,
                        |i, j| left + j + ql - i,
                        Compare::GreaterOrEqual,
                    )?;
                    w = Some(c);
                }
                if right >= 0 {
                    // j - (i + n - q) <= right  <=>  j - i + q - right <= n
                    let c = per_batch_bias(
                        ctx,
                        n,
                        dtype,
                        q_len,
                        kv_len,
                        |i, j| j - i + ql - right,
                        Compare::LessOrEqual,
                    )?;
                    w = Some(add_bias(ctx, w, c)?);
                }
                w
            }
            None => {
                let off = past_len as i64;
                Some(frontier(ctx, dtype, q_len, kv_len, |i, j| {
                    window(i + off - j)
                })?)
            }
        };
        if let Some(w) = w {
            bias = Some(add_bias(ctx, bias, w)?);
        }
    }
    if let Some(n) = nonpad {
        // Keys at or past n[b] are padding.
        let pad = per_batch_bias(ctx, n, dtype, 1, kv_len, |_, j| j + 1, Compare::LessOrEqual)?;
        bias = Some(add_bias(ctx, bias, pad)?);
    }

    let with_bias = match bias {
        Some(b) => ctx.binary(Binary::Add, capped, b)?,
        None => capped,
    };
    let mut qk_out = match mode {
        0 | 1 => capped,
        _ => with_bias,
    };
    let soft_type = match precision {
        Some(p) => {
            let t = dtype_of(p as i32, "softmax_precision")?;
            if !t.is_float() {
                return Err(Error::invalid(format!(
                    "Attention softmax_precision must be a float type, got {t}"
                )));
            }
            t
        }
        None => dtype,
    };
    let logits = ctx.cast(with_bias, soft_type)?;
    let last = 3;
    let mut probs = if matches!(soft_type, DType::F16 | DType::BF16) {
        compose::stepwise_softmax(ctx, logits, last)?
    } else {
        ctx.emit1(Op::Norm(Norm::Softmax { axis: last }), &[logits])?
    };
    if let Some(b) = bias {
        // Rows whose bias is -inf everywhere attend nothing: zeros, not NaN.
        let top = ctx.emit1(
            Op::Reduce(Reduce {
                kind: ReduceKind::Max,
                axes: vec![ctx.ty(b).rank() - 1],
                keep_dims: true,
            }),
            &[b],
        )?;
        let ninf = ctx.scalar(dtype, f64::NEG_INFINITY)?;
        let dead = ctx.compare(Compare::Equal, top, ninf)?;
        let zero = ctx.scalar(soft_type, 0.0)?;
        probs = select(ctx, dead, zero, probs)?;
    }
    if mode == 3 {
        qk_out = probs;
    }
    let probs = ctx.cast(probs, dtype)?;
    let y = matmul(ctx, probs, v)?;
    let y = if three_d {
        let yd = known(&ctx.ty(y), "Y")?;
        let t = ctx.transpose(y, &[0, 2, 1, 3])?;
        ctx.reshape(t, [batch, q_len, yd[1] * yd[3]].map(Dim::Known).to_vec())?
    } else {
        y
    };
    ctx.bind(0, y)?;
    if ctx.output_wanted(3) {
        let out = ctx.cast(qk_out, dtype)?;
        ctx.bind(3, out)?;
    }
    Ok(())
}

fn rotary_embedding(ctx: &mut MapCtx) -> Result<()> {
    let (x, cos, sin) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let y = rotate(ctx, x, cos, sin, ctx.opt_input(3))?;
    ctx.bind(0, y)
}

/// `x` rotated by the cos/sin caches (read at `pos`, else in order), with
/// the node's `interleaved`, `rotary_embedding_dim` and `num_heads`
/// (com.microsoft's RotaryEmbedding takes its inputs in another order).
pub(crate) fn rotate(
    ctx: &mut MapCtx,
    x: ValueId,
    cos: ValueId,
    sin: ValueId,
    pos: Option<ValueId>,
) -> Result<ValueId> {
    let interleaved = ctx.attrs.int_or("interleaved", 0)? != 0;
    let rot = ctx.attrs.int_or("rotary_embedding_dim", 0)?;
    let xt = ctx.ty(x);
    let xd = known(&xt, "the input")?;
    // Work in (B, S, H, D).
    let x4 = match xd.len() {
        4 => ctx.transpose(x, &[0, 2, 1, 3])?,
        3 => {
            let heads = ctx.attrs.int("num_heads")?.ok_or_else(|| {
                Error::invalid("RotaryEmbedding with a 3-D input needs num_heads")
            })?;
            let heads = super::ctx::to_u64s(&[heads], "num_heads")?[0];
            if heads == 0 || xd[2] % heads != 0 {
                return Err(Error::invalid(format!(
                    "RotaryEmbedding hidden size {} is not a multiple of {heads} heads",
                    xd[2]
                )));
            }
            ctx.reshape(
                x,
                [xd[0], xd[1], heads, xd[2] / heads]
                    .map(Dim::Known)
                    .to_vec(),
            )?
        }
        _ => {
            return Err(Error::invalid(format!(
                "RotaryEmbedding takes a 3-D or 4-D input, got {xt}"
            )));
        }
    };
    let d4 = known(&ctx.ty(x4), "the input")?;
    let head = d4[3] as i64;
    let rd = if rot == 0 { head } else { rot };
    if rd <= 0 || rd > head || rd % 2 != 0 {
        return Err(Error::invalid(format!(
            "RotaryEmbedding rotary_embedding_dim {rd} must be even and at most the head size {head}"
        )));
    }
    let half = rd / 2;
    let xr = compose::take(ctx, x4, 3, &(0..rd).collect::<Vec<_>>())?;
    let (i1, i2): (Vec<i64>, Vec<i64>) = if interleaved {
        (
            (0..half).map(|i| 2 * i).collect(),
            (0..half).map(|i| 2 * i + 1).collect(),
        )
    } else {
        ((0..half).collect(), (half..rd).collect())
    };
    let x1 = compose::take(ctx, xr, 3, &i1)?;
    let x2 = compose::take(ctx, xr, 3, &i2)?;
    let (b, s) = (d4[0], d4[1]);
    let cache = |ctx: &mut MapCtx, c: ValueId| -> Result<ValueId> {
        let c = match pos {
            Some(p) => ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[c, p])?,
            None => c,
        };
        ctx.reshape(c, [b, s, 1, half as u64].map(Dim::Known).to_vec())
    };
    let (c, sn) = (cache(ctx, cos)?, cache(ctx, sin)?);
    let cx1 = ctx.binary(Binary::Mul, c, x1)?;
    let sx2 = ctx.binary(Binary::Mul, sn, x2)?;
    let real = ctx.binary(Binary::Sub, cx1, sx2)?;
    let sx1 = ctx.binary(Binary::Mul, sn, x1)?;
    let cx2 = ctx.binary(Binary::Mul, c, x2)?;
    let imag = ctx.binary(Binary::Add, sx1, cx2)?;
    let heads = d4[2];
    let rotated = if interleaved {
        let pair = [b, s, heads, half as u64, 1].map(Dim::Known).to_vec();
        let r = ctx.reshape(real, pair.clone())?;
        let i = ctx.reshape(imag, pair)?;
        let both = ctx.emit1(Op::Movement(Movement::Concat { axis: 4 }), &[r, i])?;
        ctx.reshape(both, [b, s, heads, rd as u64].map(Dim::Known).to_vec())?
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis: 3 }), &[real, imag])?
    };
    let y4 = if rd < head {
        let rest = compose::take(ctx, x4, 3, &(rd..head).collect::<Vec<_>>())?;
        ctx.emit1(Op::Movement(Movement::Concat { axis: 3 }), &[rotated, rest])?
    } else {
        rotated
    };
    if xd.len() == 4 {
        ctx.transpose(y4, &[0, 2, 1, 3])
    } else {
        ctx.reshape(y4, xt.shape.clone())
    }
}

/// `x[.., i, ..]` along `axis` (the axis dropped).
fn step_of(ctx: &mut MapCtx, x: ValueId, axis: usize, i: u64) -> Result<ValueId> {
    let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[i as i64])?)?;
    ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, idx])
}

/// `x` with a unit dim inserted at `axis`.
fn unit_at(ctx: &mut MapCtx, x: ValueId, axis: usize) -> Result<ValueId> {
    let mut shape = ctx.ty(x).shape;
    shape.insert(axis, Dim::Known(1));
    ctx.reshape(x, shape)
}

fn linear_attention(ctx: &mut MapCtx) -> Result<()> {
    let (q, k, v) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let (past, decay, beta) = (ctx.opt_input(3), ctx.opt_input(4), ctx.opt_input(5));
    let rule = ctx.attrs.string_or("update_rule", "gated_delta")?;
    let (gating, delta) = match rule.as_str() {
        "linear" => (false, false),
        "gated" => (true, false),
        "delta" => (false, true),
        "gated_delta" => (true, true),
        other => {
            return Err(Error::invalid(format!(
                "LinearAttention update_rule must be linear, gated, delta or gated_delta, got \"{other}\""
            )));
        }
    };
    if gating != decay.is_some() || delta != beta.is_some() {
        return Err(Error::invalid(format!(
            "LinearAttention update_rule {rule} takes decay: {gating}, beta: {delta}"
        )));
    }
    let heads = |ctx: &MapCtx, name: &str| -> Result<u64> {
        let h = ctx
            .attrs
            .int(name)?
            .ok_or_else(|| Error::invalid(format!("LinearAttention needs {name}")))?;
        u64::try_from(h)
            .ok()
            .filter(|&h| h > 0)
            .ok_or_else(|| Error::invalid(format!("{name} must be positive, got {h}")))
    };
    let (hq, hkv) = (heads(ctx, "q_num_heads")?, heads(ctx, "kv_num_heads")?);
    if hq % hkv != 0 {
        return Err(Error::invalid(format!(
            "q_num_heads ({hq}) must be a multiple of kv_num_heads ({hkv})"
        )));
    }
    let out_dtype = ctx.ty(q).dtype;
    let qd = known(&ctx.ty(q), "query")?;
    let vd = known(&ctx.ty(v), "value")?;
    if qd.len() != 3 || vd.len() != 3 {
        return Err(Error::invalid(format!(
            "LinearAttention query and value must be (B, T, hidden), got {qd:?} and {vd:?}"
        )));
    }
    let (b, t) = (qd[0], qd[1]);
    let dk = qd[2] / hq;
    let dv = vd[2] / hkv;
    // (B, H, T, D) in f32, as the reference computes.
    let f32s = |ctx: &mut MapCtx, x: ValueId, h: u64, what: &str| -> Result<ValueId> {
        let x = split_heads(ctx, x, h, what)?;
        ctx.cast(x, DType::F32)
    };
    let q4 = f32s(ctx, q, hq, "query")?;
    let k4 = f32s(ctx, k, hkv, "key")?;
    let v4 = f32s(ctx, v, hkv, "value")?;
    // Decay and beta as (B, H, T, 1 or D).
    let per_head = |ctx: &mut MapCtx, x: ValueId, h: u64, what: &str| -> Result<ValueId> {
        let xd = known(&ctx.ty(x), what)?;
        if xd.len() != 3 {
            return Err(Error::invalid(format!(
                "LinearAttention {what} must be (B, T, heads or hidden), got {xd:?}"
            )));
        }
        let x = if xd[2] == h || xd[2] == 1 {
            let r = ctx.reshape(x, [xd[0], xd[1], xd[2], 1].map(Dim::Known).to_vec())?;
            ctx.transpose(r, &[0, 2, 1, 3])?
        } else {
            split_heads(ctx, x, h, what)?
        };
        ctx.cast(x, DType::F32)
    };
    let decay4 = match decay {
        Some(g) => Some(per_head(ctx, g, hkv, "decay")?),
        None => None,
    };
    let beta4 = match beta {
        Some(bt) => Some(per_head(ctx, bt, hkv, "beta")?),
        None => None,
    };
    let state_dtype = past.map_or(out_dtype, |p| ctx.ty(p).dtype);
    let mut state = match past {
        Some(p) => ctx.cast(p, DType::F32)?,
        None => ctx.filled(DType::F32, vec![b, hkv, dk, dv], 0.0)?,
    };
    let given = ctx.attrs.float_or("scale", 0.0)?;
    let scale = if given == 0.0 {
        1.0 / (dk as f64).sqrt()
    } else {
        f64::from(given)
    };
    let scale = ctx.scalar(DType::F32, scale)?;
    let group = hq / hkv;
    let picks: Vec<i64> = (0..hq).map(|h| (h / group) as i64).collect();
    let heads_idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![hq], &picks)?)?;
    let mut outs = Vec::with_capacity(t as usize);
    for i in 0..t {
        let q_t = step_of(ctx, q4, 2, i)?; // (B, Hq, dk)
        let k_t = step_of(ctx, k4, 2, i)?; // (B, Hkv, dk)
        let mut v_t = step_of(ctx, v4, 2, i)?; // (B, Hkv, dv)
        if let Some(g4) = decay4 {
            let g = step_of(ctx, g4, 2, i)?; // (B, Hkv, 1 or dk)
            let e = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Exp)), &[g])?;
            let e = unit_at(ctx, e, 3)?; // (B, Hkv, 1 or dk, 1)
            state = ctx.binary(Binary::Mul, state, e)?;
        }
        let k_col = unit_at(ctx, k_t, 3)?; // (B, Hkv, dk, 1)
        if let Some(b4) = beta4 {
            // retrieved = k^T S: (B, Hkv, 1, dk) @ (B, Hkv, dk, dv)
            let k_row = unit_at(ctx, k_t, 2)?;
            let got = matmul(ctx, k_row, state)?;
            let got = ctx.reshape(got, [b, hkv, dv].map(Dim::Known).to_vec())?;
            let diff = ctx.binary(Binary::Sub, v_t, got)?;
            let bt = step_of(ctx, b4, 2, i)?; // (B, Hkv or 1, 1)
            v_t = ctx.binary(Binary::Mul, bt, diff)?;
        }
        let v_row = unit_at(ctx, v_t, 2)?; // (B, Hkv, 1, dv)
        let outer = ctx.binary(Binary::Mul, k_col, v_row)?;
        state = ctx.binary(Binary::Add, state, outer)?;
        let read = if group == 1 {
            state
        } else {
            ctx.emit1(
                Op::Movement(Movement::Gather { axis: 1 }),
                &[state, heads_idx],
            )?
        };
        let q_row = unit_at(ctx, q_t, 2)?; // (B, Hq, 1, dk)
        let o = matmul(ctx, q_row, read)?; // (B, Hq, 1, dv)
        outs.push(ctx.binary(Binary::Mul, o, scale)?);
    }
    // (B, Hq, T, dv) -> (B, T, Hq * dv)
    let o = if outs.len() == 1 {
        outs[0]
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis: 2 }), &outs)?
    };
    let o = ctx.transpose(o, &[0, 2, 1, 3])?;
    let o = ctx.reshape(o, [b, t, hq * dv].map(Dim::Known).to_vec())?;
    let o = ctx.cast(o, out_dtype)?;
    ctx.bind(0, o)?;
    if ctx.output_wanted(1) {
        let s = ctx.cast(state, state_dtype)?;
        ctx.bind(1, s)?;
    }
    Ok(())
}

fn flex_attention(ctx: &mut MapCtx) -> Result<()> {
    let (q, k, v) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let qd = known(&ctx.ty(q), "Q")?;
    let kd = known(&ctx.ty(k), "K")?;
    if qd.len() != 4 || kd.len() != 4 || ctx.ty(v).rank() != 4 {
        return Err(Error::invalid("FlexAttention takes rank-4 Q, K and V"));
    }
    let (hq, hkv, e) = (qd[1], kd[1], qd[3]);
    if hkv == 0 || hq % hkv != 0 {
        return Err(Error::invalid(format!(
            "FlexAttention q heads ({hq}) must be a multiple of kv heads ({hkv})"
        )));
    }
    let (k, v) = if hq != hkv {
        let picks: Vec<i64> = (0..hq).map(|h| (h / (hq / hkv)) as i64).collect();
        let idx = ctx.constant(Tensor::from_i64s(DType::I64, vec![hq], &picks)?)?;
        (
            ctx.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[k, idx])?,
            ctx.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[v, idx])?,
        )
    } else {
        (k, v)
    };
    let qt = ctx.ty(q).dtype;
    let scale = ctx
        .attrs
        .float("scale")?
        .map_or(1.0 / (e as f64).sqrt(), f64::from);
    // sqrt(scale) is taken in f32, then held in Q's type.
    let root = ctx.scalar(qt, f64::from((scale as f32).sqrt()))?;
    let qs = ctx.binary(Binary::Mul, q, root)?;
    let kt = ctx.transpose(k, &[0, 1, 3, 2])?;
    let ks = ctx.binary(Binary::Mul, kt, root)?;
    let scores = matmul(ctx, qs, ks)?;
    let compute = match ctx.attrs.int("softmax_precision")? {
        Some(code) => dtype_of(code as i32, "attribute \"softmax_precision\"")?,
        None if qt == DType::F64 => DType::F64,
        None => DType::F32,
    };
    let mut scores = ctx.cast(scores, compute)?;
    let tag = ctx.origin.node.clone();
    if let Some(g) = ctx.attrs.graph("score_mod")? {
        let out = ctx.inline_subgraph(g, &[scores], &format!("{tag}/score_mod"))?;
        let [s] = out[..] else {
            return Err(Error::invalid("score_mod must have one output"));
        };
        scores = ctx.cast(s, compute)?;
    }
    let mut probs = ctx.emit1(Op::Norm(Norm::Softmax { axis: 3 }), &[scores])?;
    if let Some(g) = ctx.attrs.graph("prob_mod")? {
        let out = ctx.inline_subgraph(g, &[probs], &format!("{tag}/prob_mod"))?;
        let [p] = out[..] else {
            return Err(Error::invalid("prob_mod must have one output"));
        };
        probs = ctx.cast(p, compute)?;
    }
    let vt = ctx.ty(v).dtype;
    let vf = ctx.cast(v, compute)?;
    let y = matmul(ctx, probs, vf)?;
    let y = ctx.cast(y, vt)?;
    ctx.bind(0, y)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn grouped_query_attention_from_3d_inputs_with_a_past_cache() {
        let g = M::new(23)
            .input(f32_in("q", &[2, 3, 32]))
            .input(f32_in("k", &[2, 3, 16]))
            .input(f32_in("v", &[2, 3, 8]))
            .input(f32_in("pk", &[2, 2, 5, 8]))
            .input(f32_in("pv", &[2, 2, 5, 4]))
            .node(with_attrs(
                node(
                    "Attention",
                    "att",
                    &["q", "k", "v", "", "pk", "pv"],
                    &["y", "present_k", "present_v"],
                ),
                vec![
                    a_int("q_num_heads", 4),
                    a_int("kv_num_heads", 2),
                    a_int("is_causal", 1),
                ],
            ))
            .output("y")
            .output("present_k")
            .output("present_v")
            .import()
            .unwrap();
        // 4 query heads of 8, 2 kv heads; v head size 4; 5 past + 3 new keys.
        assert_eq!(out_dims(&g, 0), vec![2, 3, 16]);
        assert_eq!(out_dims(&g, 1), vec![2, 2, 8, 8]);
        assert_eq!(out_dims(&g, 2), vec![2, 2, 8, 4]);
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        for want in ["Concat", "Gather", "MatMul", "Softmax", "Select"] {
            assert!(ops.contains(&want), "{want} missing from {ops:?}");
        }
    }

    #[test]
    fn attention_rejects_3d_inputs_without_head_counts() {
        let e = M::new(23)
            .input(f32_in("q", &[1, 3, 8]))
            .input(f32_in("k", &[1, 3, 8]))
            .input(f32_in("v", &[1, 3, 8]))
            .node(node("Attention", "att", &["q", "k", "v"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.message.contains("q_num_heads and kv_num_heads"), "{e}");
    }
}
