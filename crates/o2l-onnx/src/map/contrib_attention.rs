//! onnxruntime's `com.microsoft` attention family: the packed-QKV
//! Attention and QAttention, MultiHeadAttention, GroupQueryAttention
//! (EmbedLayerNormalization and RotaryEmbedding are in `contrib_embed.rs`). Masked scores get `mask_filter_value` added (not -inf),
//! as onnxruntime's CPU kernels do; past/present caches are refused except
//! GroupQueryAttention's.
use super::attention::split_heads;
use super::contrib::{bounded, positions, refuse_int, scaled, with_bias};
use super::ctx::{MapCtx, Rule, versioned};
use super::quant::shifted;
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Linear, Movement, Norm};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

const MS: &str = "com.microsoft";

/// What GroupQueryAttention emits besides: positions and masks at run time.
const GQA_OPS: &[&str] = &[
    "Concat",
    "MatMul",
    "Sub",
    "Greater",
    "Add",
    "Gather",
    "Reshape",
    "Transpose",
    "Mul",
    "Softmax",
    "Cast",
    "Equal",
    "Select",
    "ShapeOf",
    "Range",
];

/// What the attention rules emit: projections, heads split, masks, softmax.
const ATTENTION_OPS: &[&str] = &[
    "Concat",
    "MatMul",
    "Sub",
    "Greater",
    "Add",
    "Gather",
    "Reshape",
    "Transpose",
    "Mul",
    "Softmax",
    "Cast",
    "Less",
    "Equal",
    "Select",
];

pub(crate) static RULES: &[Rule] = &[
    versioned(
        MS,
        "Attention",
        &[1],
        ATTENTION_OPS,
        attention,
        "packed QKV projection, past K/V concatenated (present bound), scaled QK^T + mask (key lengths, 2-D or 3-D 0/1 mask, unidirectional) + attention_bias, softmax, @V",
    ),
    versioned(
        MS,
        "MultiHeadAttention",
        &[1],
        ATTENTION_OPS,
        multi_head_attention,
        "separate 3-D Q, K, V (+ packed bias), scaled QK^T + key padding mask + attention_bias, softmax, @V; no past, no packed QKV",
    ),
    versioned(
        MS,
        "GroupQueryAttention",
        &[1],
        GQA_OPS,
        group_query_attention,
        "separate or packed Q, K, V, kv heads repeated, rotary from the cos/sin caches, past cache concatenated, causal from each query's position, keys past seqlens_k and before the local window masked (no softcap, position_ids, attention bias, quantized or ring KV cache, or qk norm)",
    ),
    versioned(
        MS,
        "QAttention",
        &[1],
        ATTENTION_OPS,
        qattention,
        "Attention over an i32 projection of the 8-bit input and weights, rescaled to f32 (+ bias); no past",
    ),
];

/// The additive mask bias of Attention's `mask_index` (MultiHeadAttention's
/// `key_padding_mask`): `mask_filter_value` where a key is masked, 0
/// elsewhere, shaped to broadcast against `(B, H, S, T)` scores.
fn mask_bias(ctx: &mut MapCtx, mask: ValueId, shape: &Scores, dtype: DType) -> Result<ValueId> {
    let Scores {
        batch,
        queries,
        keys,
        filter,
    } = *shape;
    let mt = ctx.ty(mask);
    let dims = ctx.dims(mask)?;
    let m = ctx.cast(mask, DType::I64)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let masked = ctx.scalar(dtype, filter)?;
    match dims.as_slice() {
        // Key lengths: key j of batch b is masked from j = mask[b] on.
        [b] if *b == batch => {
            let ends = ctx.reshape_to(m, &[batch, 1, 1, 1])?;
            let positions = positions(keys, "key positions")?;
            let j = ctx.constant(Tensor::from_i64s(DType::I64, vec![keys], &positions)?)?;
            let keep = ctx.compare(Compare::Less, j, ends)?;
            select(ctx, keep, zero, masked)
        }
        // A 0/1 mask per key, or per query and key.
        [b, t] | [b, _, t] if *b == batch && *t == keys => {
            let shape = if dims.len() == 2 {
                vec![batch, 1, 1, keys]
            } else {
                vec![batch, 1, queries, keys]
            };
            let m = ctx.reshape_to(m, &shape)?;
            let z = ctx.scalar(DType::I64, 0.0)?;
            let drop = ctx.compare(Compare::Equal, m, z)?;
            select(ctx, drop, masked, zero)
        }
        _ => Err(Error::unsupported(format!(
            "{} mask of type {mt} is not supported (key lengths (B), or a 0/1 mask (B, T) or (B, S, T))",
            ctx.origin.op_type
        ))),
    }
}

/// The sizes of an attention's scores `(B, H, S, T)` that masks need, and
/// the value masked scores get.
#[derive(Clone, Copy)]
struct Scores {
    batch: u64,
    queries: u64,
    keys: u64,
    filter: f64,
}

/// `softmax(Q K^T * scale + biases) @ V` over heads `(B, H, S, D)`, heads
/// merged back into `(B, S, H * D)`. With `causal`, key j > query i gets
/// `filter` added, as onnxruntime's CPU kernels do (no past: S = T).
fn attend(
    ctx: &mut MapCtx,
    [q, k, v]: [ValueId; 3],
    scale: f64,
    biases: &[ValueId],
    causal: Option<Scores>,
) -> Result<ValueId> {
    let dtype = ctx.ty(q).dtype;
    let kt = ctx.transpose(k, &[0, 1, 3, 2])?;
    let scores = ctx.emit1(Op::Linear(Linear::MatMul), &[q, kt])?;
    let mut scores = scaled(ctx, scores, scale)?;
    for &bias in biases {
        scores = ctx.binary(Binary::Add, scores, bias)?;
    }
    if let Some(s) = causal {
        let mut v = Vec::with_capacity(bounded(
            s.queries.saturating_mul(s.keys),
            "the causal mask",
        )?);
        for i in 0..s.queries {
            // Query i sits at position i + (keys - queries): after the past.
            let at = i + s.keys.saturating_sub(s.queries);
            v.extend((0..s.keys).map(|j| if j > at { s.filter } else { 0.0 }));
        }
        let frontier = ctx.constant(Tensor::from_f64s(dtype, vec![s.queries, s.keys], &v)?)?;
        scores = ctx.binary(Binary::Add, scores, frontier)?;
    }
    let probs = ctx.emit1(Op::Norm(Norm::Softmax { axis: 3 }), &[scores])?;
    let heads = ctx.emit1(Op::Linear(Linear::MatMul), &[probs, v])?;
    let merged = ctx.transpose(heads, &[0, 2, 1, 3])?;
    let shape = ctx.ty(merged).shape;
    let (Some(n), Some(h)) = (shape[2].known(), shape[3].known()) else {
        return Err(Error::unsupported(format!(
            "attention with symbolic heads or head size ({})",
            ctx.ty(merged)
        )));
    };
    let out = vec![shape[0].clone(), shape[1].clone(), Dim::Known(n * h)];
    ctx.reshape(merged, out)
}

/// `scale`, or `1 / sqrt(head_size)` when absent or 0.
fn attention_scale(ctx: &MapCtx, head_size: u64) -> Result<f64> {
    Ok(match ctx.attrs.float("scale")? {
        Some(s) if s != 0.0 => s as f64,
        _ => 1.0 / (head_size as f64).sqrt(),
    })
}

/// `num_heads`, which must divide `hidden`.
fn heads_of(ctx: &MapCtx, hidden: u64) -> Result<u64> {
    let heads = ctx.attrs.req_int("num_heads")?;
    u64::try_from(heads)
        .ok()
        .filter(|&h| h > 0 && hidden.is_multiple_of(h))
        .ok_or_else(|| {
            Error::invalid(format!(
                "{}: hidden size {hidden} does not split into {heads} heads",
                ctx.origin.op_type
            ))
        })
}

fn select(ctx: &mut MapCtx, c: ValueId, a: ValueId, b: ValueId) -> Result<ValueId> {
    ctx.emit1(
        Op::Elementwise(o2l_canon::ops::Elementwise::Select),
        &[c, a, b],
    )
}

/// onnxruntime's Attention: one projection `input @ weights + bias` packs Q,
/// K and V along the last dim; heads split, `softmax(Q K^T * scale + mask)
/// @ V`, heads merged. Masked scores get `mask_filter_value` added (not
/// -inf), as the CPU kernel does.
fn attention(ctx: &mut MapCtx) -> Result<()> {
    refuse_packed_attention_forms(ctx, &[(6, "past_sequence_length")])?;
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let dims = packed_dims(ctx, x, w)?;
    let proj = ctx.emit1(Op::Linear(Linear::MatMul), &[x, w])?;
    let proj = with_bias(ctx, proj, ctx.opt_input(2))?;
    attend_packed(ctx, proj, dims, [Some(3), Some(4)], Some(5))
}

/// onnxruntime's QAttention: Attention whose projection is an i32 matmul of
/// `input - input_zero_point` and `weight - weight_zero_point` (a zero point
/// and scale of the weight per tensor or per packed column), times
/// `input_scale * weight_scale`, plus the f32 bias.
fn qattention(ctx: &mut MapCtx) -> Result<()> {
    refuse_packed_attention_forms(ctx, &[(8, "past")])?;
    ctx.only_outputs(1, "present")?;
    let (x, w, bias) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let (x_scale, w_scale) = (ctx.input(3)?, ctx.input(4)?);
    let dims = packed_dims(ctx, x, w)?;
    let xi = shifted(ctx, x, ctx.opt_input(6), None)?;
    let wi = shifted(ctx, w, ctx.opt_input(7), None)?;
    let acc = ctx.emit1(Op::Linear(Linear::MatMul), &[xi, wi])?;
    let acc = ctx.cast(acc, DType::F32)?;
    let x_scale = ctx.reshape(x_scale, vec![])?;
    let w_scale = if ctx.dims(w_scale)?.iter().product::<u64>() == 1 {
        ctx.reshape(w_scale, vec![])?
    } else {
        w_scale
    };
    let scale = ctx.binary(Binary::Mul, x_scale, w_scale)?;
    let proj = ctx.binary(Binary::Mul, acc, scale)?;
    let proj = ctx.binary(Binary::Add, proj, bias)?;
    attend_packed(ctx, proj, dims, [Some(5), None], None)
}

/// Refuses what the packed-QKV attention ops (Attention, QAttention) take
/// that is not mapped: rotary, a shared cache buffer, differently sized Q,
/// K and V, the listed cache inputs.
fn refuse_packed_attention_forms(ctx: &MapCtx, cache: &[(usize, &str)]) -> Result<()> {
    for (name, allowed) in [("do_rotary", 0), ("past_present_share_buffer", 0)] {
        refuse_int(ctx, name, allowed)?;
    }
    if ctx.attrs.ints("qkv_hidden_sizes")?.is_some() {
        return Err(Error::unsupported(format!(
            "{} attribute \"qkv_hidden_sizes\" is not supported (Q, K and V must be of one size)",
            ctx.origin.op_type
        )));
    }
    refuse_inputs(ctx, cache)
}

/// `[batch, seq, hidden]` of an input `(B, S, D)` projected by weights
/// `(D, 3 * hidden)`.
fn packed_dims(ctx: &MapCtx, x: ValueId, w: ValueId) -> Result<[u64; 3]> {
    let xd = ctx.dims(x)?;
    let wd = ctx.dims(w)?;
    match (xd.as_slice(), wd.as_slice()) {
        ([batch, seq, _], [_, packed]) if packed % 3 == 0 => Ok([*batch, *seq, *packed / 3]),
        _ => Err(Error::invalid(format!(
            "{} takes input (B, S, D) and weights (D, 3 * hidden), got {} and {}",
            ctx.origin.op_type,
            ctx.ty(x),
            ctx.ty(w)
        ))),
    }
}

/// Attention over a packed Q|K|V projection `(B, S, 3 * hidden)`.
fn attend_packed(
    ctx: &mut MapCtx,
    proj: ValueId,
    [batch, seq, hidden]: [u64; 3],
    [mask, past]: [Option<usize>; 2],
    bias: Option<usize>,
) -> Result<()> {
    let heads = heads_of(ctx, hidden)?;
    let mut qkv = [proj; 3];
    for (part, slot) in qkv.iter_mut().enumerate() {
        let p = packed_part(ctx, proj, 2, part, hidden)?;
        *slot = split_heads(ctx, p, heads, "packed QKV")?;
    }
    let mut keys = seq;
    if let Some(past) = past.and_then(|i| ctx.opt_input(i)) {
        let pd = ctx.dims(past)?;
        let &[2, b, n, p, h] = pd.as_slice() else {
            return Err(Error::invalid(format!(
                "{} past must be (2, B, heads, P, head_size), got {}",
                ctx.origin.op_type,
                ctx.ty(past)
            )));
        };
        let concat = Op::Movement(Movement::Concat { axis: 2 });
        for (which, slot) in qkv.iter_mut().enumerate().skip(1) {
            let cached = ctx.take(past, 0, &[which as i64 - 1])?;
            let cached = ctx.reshape_to(cached, &[b, n, p, h])?;
            *slot = ctx.emit1(concat.clone(), &[cached, *slot])?;
        }
        keys += p;
        if ctx.output_wanted(1) {
            let total = [1, b, n, keys, h];
            let k = ctx.reshape_to(qkv[1], &total)?;
            let v = ctx.reshape_to(qkv[2], &total)?;
            let present = ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &[k, v])?;
            ctx.bind(1, present)?;
        }
    }
    attend_node(ctx, qkv, [batch, seq, keys], (mask, bias), hidden / heads)
}

/// The node's attention over heads `qkv` of `[batch, queries, keys]`: its
/// mask and attention_bias (the inputs `masks` names), `unidirectional`,
/// `mask_filter_value` and `scale` read, the result bound as output 0.
fn attend_node(
    ctx: &mut MapCtx,
    qkv: [ValueId; 3],
    [batch, queries, keys]: [u64; 3],
    (mask, bias): (Option<usize>, Option<usize>),
    head_size: u64,
) -> Result<()> {
    let shape = Scores {
        batch,
        queries,
        keys,
        filter: ctx.attrs.float_or("mask_filter_value", -10000.0)? as f64,
    };
    let mut biases = Vec::new();
    if let Some(m) = mask.and_then(|i| ctx.opt_input(i)) {
        let dtype = ctx.ty(qkv[0]).dtype;
        biases.push(mask_bias(ctx, m, &shape, dtype)?);
    }
    biases.extend(bias.and_then(|b| ctx.opt_input(b)));
    let causal = (ctx.attrs.int_or("unidirectional", 0)? != 0).then_some(shape);
    let scale = attention_scale(ctx, head_size)?;
    let y = attend(ctx, qkv, scale, &biases, causal)?;
    ctx.bind(0, y)
}

/// Part `part` (0: Q, 1: K, 2: V) of `hidden` features packed along `axis`.
fn packed_part(
    ctx: &mut MapCtx,
    x: ValueId,
    axis: usize,
    part: usize,
    hidden: u64,
) -> Result<ValueId> {
    let first = part as u64 * hidden;
    let picks: Vec<i64> = positions(hidden, "a packed part")?
        .into_iter()
        .map(|i| i + first as i64)
        .collect();
    ctx.take(x, axis, &picks)
}

/// Refuses each listed input that the node gives.
fn refuse_inputs(ctx: &MapCtx, inputs: &[(usize, &str)]) -> Result<()> {
    for &(i, what) in inputs {
        if ctx.opt_input(i).is_some() {
            return Err(Error::unsupported(format!(
                "{} input {i} ({what}) is not supported",
                ctx.origin.op_type
            )));
        }
    }
    Ok(())
}

/// onnxruntime's MultiHeadAttention with separate 3-D query, key and value
/// (each `(B, L, hidden)`), an optional packed bias of Q, K and V, a key
/// padding mask and an attention bias; no past.
fn multi_head_attention(ctx: &mut MapCtx) -> Result<()> {
    refuse_inputs(
        ctx,
        &[
            (6, "past_key"),
            (7, "past_value"),
            (8, "past_sequence_length"),
            (9, "cache_indirection"),
        ],
    )?;
    ctx.only_outputs(1, "present_key")?;
    let q = ctx.input(0)?;
    let (Some(k), Some(v)) = (ctx.opt_input(1), ctx.opt_input(2)) else {
        return Err(Error::unsupported(
            "MultiHeadAttention with packed QKV or packed KV (no separate key and value) is not supported",
        ));
    };
    let dims = [ctx.dims(q)?, ctx.dims(k)?, ctx.dims(v)?];
    let ([b, s, hidden], [_, kv_len, kh], [_, _, vh]) =
        (dims[0].as_slice(), dims[1].as_slice(), dims[2].as_slice())
    else {
        return Err(Error::unsupported(format!(
            "MultiHeadAttention with query, key, value of types {}, {}, {} is not supported (each 3-D (B, L, hidden))",
            ctx.ty(q),
            ctx.ty(k),
            ctx.ty(v)
        )));
    };
    if kh != hidden || vh != hidden {
        return Err(Error::unsupported(format!(
            "MultiHeadAttention with query, key and value of different hidden sizes ({hidden}, {kh}, {vh}) is not supported"
        )));
    }
    let (b, s, kv_len, hidden) = (*b, *s, *kv_len, *hidden);
    let heads = heads_of(ctx, hidden)?;
    let mut qkv = [q, k, v];
    let bias = ctx.opt_input(3);
    for (part, slot) in qkv.iter_mut().enumerate() {
        let x = match bias {
            Some(bias) => {
                let pb = packed_part(ctx, bias, 0, part, hidden)?;
                ctx.binary(Binary::Add, *slot, pb)?
            }
            None => *slot,
        };
        *slot = split_heads(ctx, x, heads, "query, key or value")?;
    }
    attend_node(ctx, qkv, [b, s, kv_len], (Some(4), Some(5)), hidden / heads)
}

/// onnxruntime's GroupQueryAttention: query `(B, S, N * H)` with separate
/// key and value `(B, S, kvN * H)`, or Q, K and V packed in the query's last
/// dim; each kv head serves `N / kvN` query heads. The new keys (rotated
/// with `do_rotary`) follow the past cache `(B, kvN, P, H)`: that is
/// `present_key`. Query i of batch b sits at position `offset[b] + i`, where
/// `offset[b]` is 0 for a first prompt (`S` equal to total_sequence_length)
/// and `seqlens_k[b] + 1 - S` after a past, as the CPU kernel reads them; it
/// sees keys up to its position and up to `seqlens_k[b]` (the others are
/// left out of the softmax: -inf), and with `local_window_size` w > 0 only
/// the last w of those (its position and the w - 1 before it). Batch, sequence and past lengths may be
/// symbolic: positions and masks are then computed at run time.
fn group_query_attention(ctx: &mut MapCtx) -> Result<()> {
    for (name, allowed) in [
        ("smooth_softmax", 0),
        ("sliding_window_cache", 0),
        ("kv_cache_bit_width", 0),
    ] {
        refuse_int(ctx, name, allowed)?;
    }
    for name in ["k_quant_type", "v_quant_type"] {
        if ctx.attrs.string(name)?.is_some() {
            return Err(Error::unsupported(format!(
                "GroupQueryAttention attribute \"{name}\" (a quantized KV cache) is not supported"
            )));
        }
    }
    let window = ctx.attrs.int_or("local_window_size", -1)?;
    if let Some(cap) = ctx.attrs.float("softcap")?
        && cap != 0.0
    {
        return Err(Error::unsupported(format!(
            "GroupQueryAttention attribute \"softcap\" = {cap} is not supported (only 0)"
        )));
    }
    refuse_inputs(
        ctx,
        &[
            (9, "position_ids"),
            (10, "attention_bias"),
            (11, "head_sink"),
            (12, "k_scale"),
            (13, "v_scale"),
            (14, "q_norm_weight"),
            (15, "k_norm_weight"),
        ],
    )?;
    let q = ctx.input(0)?;
    let qt = ctx.ty(q);
    let [bd, sd, wd] = qt.shape.as_slice() else {
        return Err(Error::invalid(format!(
            "GroupQueryAttention takes a 3-D query, got {qt}"
        )));
    };
    let (bd, sd) = (bd.clone(), sd.clone());
    let Some(width) = wd.known() else {
        return Err(Error::unsupported(format!(
            "GroupQueryAttention with a symbolic hidden size ({qt})"
        )));
    };
    let heads = u64::try_from(ctx.attrs.req_int("num_heads")?).unwrap_or(0);
    let kv_heads = u64::try_from(ctx.attrs.req_int("kv_num_heads")?).unwrap_or(0);
    if heads == 0 || kv_heads == 0 || !heads.is_multiple_of(kv_heads) {
        return Err(Error::invalid(format!(
            "GroupQueryAttention: {kv_heads} kv heads do not divide {heads} heads"
        )));
    }
    let (q, k, v, head) = match (ctx.opt_input(1), ctx.opt_input(2)) {
        (Some(k), Some(v)) => {
            let kt = ctx.ty(k);
            let head = width / heads;
            if kt.rank() != 3
                || !width.is_multiple_of(heads)
                || kt.shape[2].known() != Some(kv_heads * head)
            {
                return Err(Error::invalid(format!(
                    "GroupQueryAttention: query {qt} and key {kt} do not make {heads} heads and {kv_heads} kv heads"
                )));
            }
            (q, k, v, head)
        }
        (None, None) => {
            let parts = heads + 2 * kv_heads;
            if !width.is_multiple_of(parts) {
                return Err(Error::invalid(format!(
                    "GroupQueryAttention packed QKV width {width} does not split into {heads} + 2 x {kv_heads} heads"
                )));
            }
            let head = width / parts;
            let part = |ctx: &mut MapCtx, first: u64, n: u64| -> Result<ValueId> {
                let picks: Vec<i64> = positions(n * head, "a packed part")?
                    .into_iter()
                    .map(|i| i + (first * head) as i64)
                    .collect();
                pick(ctx, q, 2, &picks)
            };
            let qp = part(ctx, 0, heads)?;
            let kp = part(ctx, heads, kv_heads)?;
            let vp = part(ctx, heads + kv_heads, kv_heads)?;
            (qp, kp, vp, head)
        }
        _ => {
            return Err(Error::invalid(
                "GroupQueryAttention key and value go together",
            ));
        }
    };
    let mut qh = heads_split(ctx, q, heads, head)?;
    let mut kh = heads_split(ctx, k, kv_heads, head)?;
    let vh = heads_split(ctx, v, kv_heads, head)?;
    let past = match (ctx.opt_input(3), ctx.opt_input(4)) {
        (Some(pk), Some(pv)) => {
            let (pkt, pvt) = (ctx.ty(pk), ctx.ty(pv));
            if pkt.rank() != 4 || pkt.shape[1].known() != Some(kv_heads) || pvt.shape != pkt.shape {
                return Err(Error::invalid(format!(
                    "GroupQueryAttention past key and value must be (B, {kv_heads}, P, {head}), got {pkt} and {pvt}"
                )));
            }
            // The cache's last dim may be a symbol of its own (kv_cache_dim).
            let mut shape = pkt.shape.clone();
            shape[3] = Dim::Known(head);
            let pk = ctx.reshape(pk, shape.clone())?;
            let pv = ctx.reshape(pv, shape)?;
            Some((pk, pv, pkt.shape[2].clone()))
        }
        (None, None) => None,
        _ => {
            return Err(Error::invalid(
                "GroupQueryAttention past_key and past_value go together",
            ));
        }
    };
    // offset[b]: the position of the first new token.
    let seqlens = ctx.input(5)?;
    let lens = ctx.cast(seqlens, DType::I64)?;
    let lens = ctx.reshape(lens, vec![bd.clone(), Dim::Known(1)])?;
    let total = ctx
        .opt_input(6)
        .and_then(|t| ctx.const_of(t))
        .filter(|t| t.dtype.is_int())
        .and_then(|t| t.to_i64s().first().copied());
    let past_len = past.as_ref().map_or(Some(0), |p| p.2.known());
    let first_prompt = match (total, sd.known(), past_len) {
        (Some(t), Some(s), _) => Some(t == s as i64),
        (_, _, Some(0)) => Some(true),
        _ => None,
    };
    let zeros = ctx.scalar(DType::I64, 0.0)?;
    let one = ctx.scalar(DType::I64, 1.0)?;
    let s_value = dim_value(ctx, q, 1)?;
    let back = ctx.binary(Binary::Sub, one, s_value)?;
    let later = ctx.binary(Binary::Add, lens, back)?;
    let offset = match first_prompt {
        Some(true) => ctx.binary(Binary::Mul, lens, zeros)?,
        Some(false) => later,
        None => {
            // S == total_sequence_length at run time.
            let t = ctx.input(6)?;
            let t = ctx.cast(t, DType::I64)?;
            let t = ctx.reshape(t, vec![])?;
            let first = ctx.compare(Compare::Equal, s_value, t)?;
            select(ctx, first, zeros, later)?
        }
    };
    let steps = arange(ctx, &sd, s_value)?;
    let pos = ctx.binary(Binary::Add, offset, steps)?; // (B, S)
    if ctx.attrs.int_or("do_rotary", 0)? != 0 {
        let (cos, sin) = (ctx.input(7)?, ctx.input(8)?);
        let interleaved = ctx.attrs.int_or("rotary_interleaved", 0)? != 0;
        qh = rotate_heads(ctx, qh, cos, sin, pos, interleaved)?;
        kh = rotate_heads(ctx, kh, cos, sin, pos, interleaved)?;
    }
    let (kh, vh) = match past {
        Some((pk, pv, _)) => {
            let concat = Op::Movement(Movement::Concat { axis: 2 });
            let k = ctx.emit1(concat.clone(), &[pk, kh])?;
            let v = ctx.emit1(concat, &[pv, vh])?;
            (k, v)
        }
        None => (kh, vh),
    };
    if ctx.output_wanted(1) {
        ctx.bind(1, kh)?;
    }
    if ctx.output_wanted(2) {
        ctx.bind(2, vh)?;
    }
    let group = heads / kv_heads;
    let picks: Vec<i64> = positions(heads, "query heads")?
        .into_iter()
        .map(|h| h / group as i64)
        .collect();
    let kr = pick(ctx, kh, 1, &picks)?;
    let vr = pick(ctx, vh, 1, &picks)?;
    let dtype = ctx.ty(q).dtype;
    let zero = ctx.scalar(dtype, 0.0)?;
    let hidden = ctx.scalar(dtype, f64::NEG_INFINITY)?;
    let keys = ctx.ty(kh).shape[2].clone();
    let keys_value = dim_value(ctx, kh, 2)?;
    let j = arange(ctx, &keys, keys_value)?;
    // Key j of batch b is visible while j <= seqlens_k[b] ...
    let unit = Dim::Known(1);
    let lens = ctx.reshape(
        lens,
        vec![bd.clone(), unit.clone(), unit.clone(), unit.clone()],
    )?;
    let beyond = ctx.compare(Compare::Greater, j, lens)?;
    let key_bias = select(ctx, beyond, hidden, zero)?;
    // ... and j <= the query's position.
    let at = ctx.reshape(pos, vec![bd, unit.clone(), sd, unit])?;
    let after = ctx.compare(Compare::Greater, j, at)?;
    let causal_bias = select(ctx, after, hidden, zero)?;
    let mut biases = vec![key_bias, causal_bias];
    if window > 0 {
        // A local window of `window` keys ending at the query's position:
        // keys `window` or more before it are left out too.
        let w = ctx.scalar(DType::I64, (window - 1) as f64)?;
        let start = ctx.binary(Binary::Sub, at, w)?;
        let before = ctx.compare(Compare::Greater, start, j)?;
        biases.push(select(ctx, before, hidden, zero)?);
    }
    let scale = attention_scale(ctx, head)?;
    let y = attend(ctx, [qh, kr, vr], scale, &biases, None)?;
    ctx.bind(0, y)
}

/// `x[.., picks, ..]` along `axis` (constant indices; any shape).
fn pick(ctx: &mut MapCtx, x: ValueId, axis: usize, picks: &[i64]) -> Result<ValueId> {
    let idx = ctx.i64s(vec![picks.len() as u64], picks)?;
    ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, idx])
}

/// `(B, S, heads * head)` to `(B, heads, S, head)`; B and S may be symbols.
fn heads_split(ctx: &mut MapCtx, x: ValueId, heads: u64, head: u64) -> Result<ValueId> {
    let shape = ctx.ty(x).shape;
    let [b, s, _] = shape.as_slice() else {
        return Err(Error::invalid(format!(
            "GroupQueryAttention takes 3-D Q, K and V, got {}",
            ctx.ty(x)
        )));
    };
    let split = vec![b.clone(), s.clone(), Dim::Known(heads), Dim::Known(head)];
    let r = ctx.reshape(x, split)?;
    ctx.transpose(r, &[0, 2, 1, 3])
}

/// Dim `axis` of `x` as a 0-d i64 (a constant when it is known).
fn dim_value(ctx: &mut MapCtx, x: ValueId, axis: usize) -> Result<ValueId> {
    if let Some(n) = ctx.ty(x).shape.get(axis).and_then(Dim::known) {
        return ctx.scalar(DType::I64, n as f64);
    }
    let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
    let at = ctx.scalar(DType::I64, axis as f64)?;
    ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[shape, at])
}

/// `0, 1, .., n - 1` (i64) for a dim `n` whose value is `len`: a constant
/// when `n` is known, else a run-time Range of that dim's symbol.
fn arange(ctx: &mut MapCtx, n: &Dim, len: ValueId) -> Result<ValueId> {
    match n {
        Dim::Known(n) => {
            let v = positions(*n, "positions")?;
            ctx.constant(Tensor::from_i64s(DType::I64, vec![*n], &v)?)
        }
        Dim::Symbol(name) => {
            let zero = ctx.scalar(DType::I64, 0.0)?;
            let one = ctx.scalar(DType::I64, 1.0)?;
            ctx.emit1(
                Op::Movement(Movement::Range {
                    count: name.clone(),
                }),
                &[zero, len, one],
            )
        }
    }
}

/// Heads `x` `(B, N, S, H)` rotated at positions `pos` `(B, S)` by the
/// caches `(max position, R / 2)`: the first `R` features of each head, as
/// halves (or, `interleaved`, as even/odd pairs); the rest unchanged.
fn rotate_heads(
    ctx: &mut MapCtx,
    x: ValueId,
    cos: ValueId,
    sin: ValueId,
    pos: ValueId,
    interleaved: bool,
) -> Result<ValueId> {
    let shape = ctx.ty(x).shape;
    let cd = ctx.dims(cos)?;
    let ([b, n, s, h], &[_, half]) = (shape.as_slice(), cd.as_slice()) else {
        return Err(Error::invalid(format!(
            "GroupQueryAttention rotary caches must be 2-D, got {}",
            ctx.ty(cos)
        )));
    };
    let Some(head) = h.known() else {
        return Err(Error::unsupported(
            "GroupQueryAttention with a symbolic head size",
        ));
    };
    let rd = half * 2;
    if rd == 0 || rd > head {
        return Err(Error::invalid(format!(
            "GroupQueryAttention rotary dim {rd} (twice the cache width) must be in 1..={head}"
        )));
    }
    let (i1, i2): (Vec<i64>, Vec<i64>) = if interleaved {
        (
            (0..half as i64).map(|i| 2 * i).collect(),
            (0..half as i64).map(|i| 2 * i + 1).collect(),
        )
    } else {
        (
            (0..half as i64).collect(),
            (half as i64..rd as i64).collect(),
        )
    };
    let x1 = pick(ctx, x, 3, &i1)?;
    let x2 = pick(ctx, x, 3, &i2)?;
    let gather = Op::Movement(Movement::Gather { axis: 0 });
    let per_head = vec![b.clone(), Dim::Known(1), s.clone(), Dim::Known(half)];
    let at = |ctx: &mut MapCtx, c: ValueId| -> Result<ValueId> {
        let c = ctx.emit1(gather.clone(), &[c, pos])?;
        ctx.reshape(c, per_head.clone())
    };
    let (c, sn) = (at(ctx, cos)?, at(ctx, sin)?);
    let cx1 = ctx.binary(Binary::Mul, x1, c)?;
    let sx2 = ctx.binary(Binary::Mul, x2, sn)?;
    let real = ctx.binary(Binary::Sub, cx1, sx2)?;
    let sx1 = ctx.binary(Binary::Mul, x1, sn)?;
    let cx2 = ctx.binary(Binary::Mul, x2, c)?;
    let imag = ctx.binary(Binary::Add, sx1, cx2)?;
    let rotated = if interleaved {
        let lead = [b.clone(), n.clone(), s.clone()];
        let pair: Vec<Dim> = lead
            .iter()
            .cloned()
            .chain([Dim::Known(half), Dim::Known(1)])
            .collect();
        let r = ctx.reshape(real, pair.clone())?;
        let i = ctx.reshape(imag, pair)?;
        let both = ctx.emit1(Op::Movement(Movement::Concat { axis: 4 }), &[r, i])?;
        ctx.reshape(both, lead.into_iter().chain([Dim::Known(rd)]).collect())?
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis: 3 }), &[real, imag])?
    };
    if rd == head {
        return Ok(rotated);
    }
    let rest = pick(ctx, x, 3, &(rd as i64..head as i64).collect::<Vec<_>>())?;
    ctx.emit1(Op::Movement(Movement::Concat { axis: 3 }), &[rotated, rest])
}

#[cfg(test)]
mod tests {
    use super::super::contrib::tests::{contrib, refusal};
    use crate::test_models::*;

    #[test]
    fn contrib_attention_refuses_rotary_and_past_sequence_length() {
        let inputs: &[(&str, &[i64])] = &[("x", &[1, 4, 8]), ("w", &[8, 24])];
        let m = contrib(
            "Attention",
            inputs,
            vec![a_int("num_heads", 2), a_int("do_rotary", 1)],
        );
        assert!(refusal(m).contains("\"do_rotary\" = 1"));
        let inputs: &[(&str, &[i64])] = &[
            ("x", &[1, 4, 8]),
            ("w", &[8, 24]),
            ("", &[]),
            ("", &[]),
            ("past", &[2, 1, 2, 3, 4]),
            ("", &[]),
            ("psl", &[1]),
        ];
        let m = contrib("Attention", inputs, vec![a_int("num_heads", 2)]);
        assert!(refusal(m).contains("past_sequence_length"));
    }

    #[test]
    fn contrib_group_query_attention_refuses_attention_bias_and_softcap() {
        let qkv: &[(&str, &[i64])] = &[("q", &[1, 4, 16]), ("k", &[1, 4, 8]), ("v", &[1, 4, 8])];
        let heads = || vec![a_int("num_heads", 4), a_int("kv_num_heads", 2)];
        let mut inputs = qkv.to_vec();
        inputs.extend([("", &[][..]); 7]);
        inputs.push(("attention_bias", &[1, 1, 4, 4]));
        let m = contrib("GroupQueryAttention", &inputs, heads());
        assert!(refusal(m).contains("attention_bias"));
        let mut attrs = heads();
        attrs.push(a_float("softcap", 30.0));
        let e = refusal(contrib("GroupQueryAttention", qkv, attrs));
        assert!(e.contains("\"softcap\" = 30"), "{e}");
        // A windowed layer's ring-buffer cache is refused, not read as a
        // full cache.
        let mut attrs = heads();
        attrs.push(a_int("sliding_window_cache", 1));
        let e = refusal(contrib("GroupQueryAttention", qkv, attrs));
        assert!(e.contains("\"sliding_window_cache\" = 1"), "{e}");
    }

    #[test]
    fn contrib_multi_head_attention_refuses_packed_qkv() {
        let inputs: &[(&str, &[i64])] = &[("q", &[1, 4, 2, 3, 4])];
        let m = contrib("MultiHeadAttention", inputs, vec![a_int("num_heads", 2)]);
        assert!(refusal(m).contains("packed QKV"));
    }

    #[test]
    fn contrib_attention_with_a_hostile_length_is_a_limit_error() {
        let inputs: &[(&str, &[i64])] = &[("x", &[1, 1 << 25, 8]), ("w", &[8, 24])];
        let attrs = vec![a_int("num_heads", 2), a_int("unidirectional", 1)];
        let e = contrib("Attention", inputs, attrs).import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit, "{e}");
    }
}
