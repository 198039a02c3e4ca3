//! onnxruntime's `com.microsoft` embedding ops: EmbedLayerNormalization
//! (BERT's embeddings and their layer norm) and RotaryEmbedding (the ONNX
//! rotation, with the contrib op's input order and offset positions).
use super::attention::rotate;
use super::contrib::{positions, refuse_int};
use super::ctx::{MapCtx, Rule, versioned};
use o2l_canon::Builder;
use o2l_canon::compose::{self, LayerNormSpec};
use o2l_canon::ops::{Binary, Reduce, ReduceKind};
use o2l_canon::{DType, Error, Op, Result};

const MS: &str = "com.microsoft";

pub(crate) static RULES: &[Rule] = &[
    versioned(
        MS,
        "EmbedLayerNormalization",
        &[1],
        &[
            "Gather",
            "Add",
            "Cast",
            "ReduceMean",
            "Sub",
            "Mul",
            "Sqrt",
            "BroadcastTo",
            "Div",
            "ReduceSum",
        ],
        embed_layer_norm,
        "word + position (+ segment) embeddings, layer norm; mask_index is the mask's count of ones",
    ),
    versioned(
        MS,
        "RotaryEmbedding",
        &[1],
        &[
            "Add",
            "Gather",
            "Transpose",
            "Reshape",
            "Mul",
            "Sub",
            "Concat",
        ],
        rotary_embedding,
        "the ONNX RotaryEmbedding rotation; position_ids (B, S), or one offset of positions offset..offset+S",
    ),
];

/// onnxruntime's EmbedLayerNormalization: word + position (+ segment)
/// embeddings, layer-normalised over the hidden dim; output 1 is the mask's
/// count of ones per batch (i32), output 2 the embedding sum.
fn embed_layer_norm(ctx: &mut MapCtx) -> Result<()> {
    let ids = ctx.input(0)?;
    let [b, s] = ctx.dims(ids)?[..] else {
        return Err(Error::invalid(format!(
            "EmbedLayerNormalization input_ids must be (B, S), got {}",
            ctx.ty(ids)
        )));
    };
    let (words, position_table) = (ctx.input(2)?, ctx.input(3)?);
    let (gamma, beta) = (ctx.input(5)?, ctx.input(6)?);
    let gather = Op::Movement(o2l_canon::ops::Movement::Gather { axis: 0 });
    let mut sum = ctx.emit1(gather.clone(), &[words, ids])?;
    let position_ids = match ctx.opt_input(8) {
        Some(p) => p,
        None => {
            let arange = positions(s, "position ids")?;
            ctx.i64s(vec![1, s], &arange)?
        }
    };
    let pos = ctx.emit1(gather.clone(), &[position_table, position_ids])?;
    sum = ctx.binary(Binary::Add, sum, pos)?;
    if let (Some(seg_ids), Some(segments)) = (ctx.opt_input(1), ctx.opt_input(4)) {
        let seg = ctx.emit1(gather, &[segments, seg_ids])?;
        sum = ctx.binary(Binary::Add, sum, seg)?;
    }
    if ctx.output_wanted(2) {
        ctx.bind(2, sum)?;
    }
    let spec = LayerNormSpec {
        axes: vec![2],
        epsilon: ctx.attrs.float_or("epsilon", 1e-12)? as f64,
        stash: DType::F32,
        inv_std_dev: false,
    };
    let out = compose::layer_norm(ctx, sum, gamma, Some(beta), &spec)?;
    ctx.bind(0, out.y)?;
    if ctx.output_wanted(1) {
        let count = match ctx.opt_input(7) {
            Some(mask) => {
                let m = ctx.cast(mask, DType::I32)?;
                ctx.emit1(
                    Op::Reduce(Reduce {
                        kind: ReduceKind::Sum,
                        axes: vec![1],
                        keep_dims: false,
                    }),
                    &[m],
                )?
            }
            // No mask: onnxruntime writes zeros.
            None => ctx.filled(DType::I32, vec![b], 0.0)?,
        };
        ctx.bind(1, count)?;
    }
    Ok(())
}

/// onnxruntime's RotaryEmbedding: input, position_ids, cos_cache,
/// sin_cache (the ONNX op's rotation, its inputs in another order); a
/// one-element position_ids is the offset of positions `offset..offset+S`.
fn rotary_embedding(ctx: &mut MapCtx) -> Result<()> {
    refuse_int(ctx, "is_packed_batching", 0)?;
    if let Some(scale) = ctx.attrs.float("scale")?
        && scale != 1.0
    {
        return Err(Error::unsupported(format!(
            "RotaryEmbedding attribute \"scale\" = {scale} is not supported (only 1)"
        )));
    }
    let (x, pos, cos, sin) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?, ctx.input(3)?);
    let xd = ctx.dims(x)?;
    // (B, S) of a 3-D (B, S, hidden) or 4-D (B, N, S, H) input.
    let (batch, seq) = match xd.as_slice() {
        [b, s, _] | [b, _, s, _] => (*b, *s),
        _ => {
            return Err(Error::invalid(format!(
                "RotaryEmbedding takes a 3-D or 4-D input, got {}",
                ctx.ty(x)
            )));
        }
    };
    let pos = if ctx.dims(pos)?.iter().product::<u64>() == 1 {
        let offset = ctx.reshape(pos, vec![])?;
        let offset = ctx.cast(offset, DType::I64)?;
        let steps = positions(seq, "position ids")?;
        let steps = ctx.i64s(vec![1, seq], &steps)?;
        let p = ctx.binary(Binary::Add, steps, offset)?;
        ctx.broadcast_to(p, &[batch, seq])?
    } else {
        pos
    };
    let y = rotate(ctx, x, cos, sin, Some(pos))?;
    ctx.bind(0, y)
}
