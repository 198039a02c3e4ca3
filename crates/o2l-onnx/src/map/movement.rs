//! Data movement and value plumbing: Reshape, Flatten, Squeeze, Unsqueeze,
//! Transpose, Concat, Gather, Shape, and the ops that only alias or make
//! constants (Identity, Dropout in inference, Constant).
use super::ctx::{MapCtx, Rule, SymEl, known_product, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Movement, PadMode, ScatterReduction, Unary};
use o2l_canon::shape::{element_count, normalize_axes, normalize_axis};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

/// Versions of ops whose later schema revisions only widened the type lists.
const V13_ON: &[i64] = &[13, 21, 23, 24, 25];

pub(crate) static RULES: &[Rule] = &[
    row(
        "Reshape",
        &[1],
        &["Reshape"],
        reshape_v1,
        "shape attribute; 0 copies the input dim, -1 is inferred",
    ),
    row(
        "Reshape",
        &[5, 13, 14, 19, 21, 23, 24, 25],
        &["Reshape", "Cast", "ReshapeTo"],
        reshape,
        "shape input, constant or tracked (shape arithmetic on symbolic dims): 0 copies the input dim (unless allowzero), -1 is inferred; a shape computed at run time: ReshapeTo",
    ),
    row(
        "Flatten",
        &[1, 9, 11, 13, 21, 23, 24, 25],
        &["Reshape"],
        flatten,
        "2-D [prod(dims before axis), prod(rest)]",
    ),
    row(
        "Squeeze",
        &[1, 11],
        &["Reshape", "ShapeOf", "Gather", "Equal", "Not", "Check"],
        squeeze_v1,
        "axes attribute; absent: every dim of size 1",
    ),
    row(
        "Squeeze",
        V13_ON,
        &[
            "Reshape", "Switch", "ShapeOf", "Gather", "Equal", "Not", "Check",
        ],
        squeeze_v13,
        "axes input; absent: every dim of size 1; run-time axes of static count: a Switch over the possible sets",
    ),
    row(
        "Unsqueeze",
        &[1, 11],
        &["Reshape"],
        unsqueeze_v1,
        "axes attribute",
    ),
    row(
        "Unsqueeze",
        V13_ON,
        &["Reshape", "Switch"],
        unsqueeze_v13,
        "axes input; run-time axes of static count: a Switch over the possible sets",
    ),
    row(
        "Transpose",
        &[1, 13, 21, 23, 24, 25],
        &["Transpose"],
        transpose,
        "perm defaults to reversing the dims",
    ),
    row(
        "Concat",
        &[1],
        &[
            "Concat", "Reshape", "Cast", "Sub", "Mul", "Div", "Add", "Round", "Clamp",
        ],
        concat_v1,
        "axis optional, default 1",
    ),
    row(
        "Concat",
        &[4, 11, 13],
        &[
            "Concat", "Reshape", "Cast", "Sub", "Mul", "Div", "Add", "Round", "Clamp",
        ],
        concat,
        "axis may be negative (11+); a QDQ group concatenates the 8-bit values (QLinearConcat with its QuantizeLinear)",
    ),
    row(
        "Gather",
        &[1, 11, 13],
        &["Gather"],
        gather,
        "axis default 0; negative indices count from the end",
    ),
    row(
        "Shape",
        &[1, 13],
        &["ShapeOf"],
        shape_v1,
        "folds to a constant on static shapes",
    ),
    row(
        "Shape",
        &[15, 19, 21, 23, 24, 25],
        &["ShapeOf", "Gather"],
        shape_v15,
        "start/end select a range of dims",
    ),
    row(
        "Identity",
        &[1, 13, 14, 16, 19, 21, 23, 24, 25],
        &[],
        identity,
        "alias of the input, no op",
    ),
    row(
        "Dropout",
        &[1, 6],
        super::random::DROPOUT,
        dropout_v1,
        "is_test=1 (or ratio 0): alias of the input, a used mask all ones; is_test=0: mask = u >= ratio from the counter-based generator (as RandomUniform; not onnxruntime's draws), y = mask ? x * 1/(1 - ratio) : 0",
    ),
    row(
        "Dropout",
        &[7, 10, 12, 13, 22],
        super::random::DROPOUT,
        dropout,
        "inference: alias of the input, a used mask all true; training_mode (constant or run-time) and ratio (constant or run-time): mask = u >= ratio from the counter-based generator (as RandomUniform; not onnxruntime's draws), y = mask ? x * 1/(1 - ratio) : 0, chosen at run time",
    ),
    row(
        "Constant",
        &[1, 9, 11, 12, 13, 19, 21, 23, 24, 25],
        &[],
        constant,
        "value, value_float(s), value_int(s); strings and sparse values not supported",
    ),
    row(
        "Slice",
        &[1],
        &["Gather", "SliceAt"],
        slice_v1,
        "starts/ends/axes attributes; each sliced axis becomes a Gather of constant indices (static dims)",
    ),
    row(
        "Slice",
        &[10, 11, 13],
        &["Gather", "Cast", "Reshape", "SliceAt", "Switch"],
        slice_v10,
        "constant starts/ends/axes/steps: a Gather of constant indices per sliced axis (static dims); run-time starts/ends/steps, or a symbolic sliced dim: SliceAt (run-time dims); run-time axes: a Switch over the possible axes",
    ),
    row(
        "Split",
        &[1],
        &["Gather"],
        split_v1,
        "sizes from the `split` attribute or a constant second input, else equal parts",
    ),
    row(
        "Split",
        &[2, 11],
        &["Gather"],
        split_v2,
        "`split` attribute or equal parts; one Gather of constant indices per output",
    ),
    row(
        "Split",
        &[13],
        &["Gather", "Cast", "CumSum", "Sub", "Reshape", "SliceAt"],
        split_v13,
        "constant `split` input or equal parts: one Gather of constant indices per output; run-time `split`: SliceAt between running sums",
    ),
    row(
        "Split",
        &[18],
        &["Gather", "Cast", "CumSum", "Sub", "Reshape", "SliceAt"],
        split_v18,
        "constant `split` input or num_outputs (last part smaller): one Gather per output; run-time `split`: SliceAt between running sums",
    ),
    row(
        "ConstantOfShape",
        &[9, 20, 21, 23, 24, 25],
        &["Fill", "Cast", "Concat", "BroadcastTo"],
        constant_of_shape,
        "the value attribute (default f32 0) repeated; constant shape: a constant up to --max-fold-bytes, a run-time Fill above; run-time shape: BroadcastTo",
    ),
    row(
        "Expand",
        &[8, 13],
        &["Reshape", "Gather", "Cast", "Concat", "BroadcastTo"],
        expand,
        "constant shape: each broadcast 1-dim becomes a Gather of repeated index 0; run-time shape: BroadcastTo (dims computed at run time)",
    ),
    row(
        "Tile",
        &[1],
        &["Gather"],
        tile_v1,
        "constant tiles and axis inputs: `tiles` copies along `axis`",
    ),
    row(
        "Tile",
        &[6, 13],
        &[
            "Gather",
            "Reshape",
            "Cast",
            "ShapeOf",
            "Concat",
            "Mul",
            "BroadcastTo",
            "ReshapeTo",
        ],
        tile,
        "constant repeats: each repeated axis becomes a Gather (static dims); repeats computed at run time: a broadcast over an inserted axis per dim, then a reshape, the tiled dims run-time dims",
    ),
    row(
        "Compress",
        &[9, 11, 28],
        &["Reshape", "Gather", "Cast", "NonZero"],
        compress,
        "Gather of the positions the condition keeps: constant ones, or NonZero of a run-time condition (a run-time length)",
    ),
    row(
        "ReverseSequence",
        &[10, 28],
        &[
            "GatherElements",
            "Cast",
            "Reshape",
            "Clamp",
            "Less",
            "Sub",
            "Select",
            "Fill",
            "Add",
        ],
        reverse_sequence,
        "GatherElements along the time axis with per-batch reversed positions (sequence_lens constant, or computed at run time)",
    ),
    row(
        "CenterCropPad",
        &[18],
        &[
            "Fill", "Gather", "Concat", "Cast", "Reshape", "ShapeOf", "Sub", "Abs", "Sign", "Div",
            "Mul", "PadAt",
        ],
        center_crop_pad,
        "per axis: the centred window of the target length, or zeros around (odd remainders after); a shape computed at run time pads and crops by run-time amounts",
    ),
    row(
        "Pad",
        &[1],
        &["Gather", "Concat", "PadAt"],
        pad_v1,
        "paddings/value attributes; see Pad-11",
    ),
    row(
        "Pad",
        &[2],
        &["Fill", "Gather", "Concat", "PadAt"],
        pad_v2,
        "pads/value attributes; see Pad-11",
    ),
    row(
        "Pad",
        &[11, 13, 18, 19, 21, 23, 24, 25],
        &[
            "Fill", "Gather", "Concat", "Cast", "Reshape", "PadAt", "Switch",
        ],
        pad_v11,
        "constant pads and constant_value: constant mode concatenates constant blocks, edge/reflect/wrap gather (static dims); run-time pads or value: PadAt (run-time dims); run-time axes: a Switch over the axis lists",
    ),
    row(
        "DepthToSpace",
        &[1, 11, 13, 28],
        &["Reshape", "Transpose"],
        depth_to_space,
        "DCR or CRD (11+) as Reshape, Transpose, Reshape",
    ),
    row(
        "SpaceToDepth",
        &[1, 13, 28],
        &["Reshape", "Transpose"],
        space_to_depth,
        "Reshape, Transpose, Reshape; mode DCR or CRD (28+)",
    ),
    row(
        "Size",
        &[1, 13, 19, 21, 23, 24, 25],
        &["ShapeOf", "ReduceProd"],
        size,
        "product of the shape; folds to a constant on static shapes",
    ),
    row(
        "Range",
        &[11, 27],
        &["Reshape", "Range"],
        range,
        "constant inputs: folded to a constant; run-time ones: a run-time length",
    ),
    row(
        "EyeLike",
        &[9, 22],
        &[],
        eye_like,
        "static 2-D shape: folded to a constant",
    ),
    row(
        "GatherElements",
        &[11, 13],
        &["GatherElements"],
        gather_elements,
        "axis (negative from the end); negative indices wrap",
    ),
    row(
        "GatherND",
        &[11, 12, 13],
        &["GatherND"],
        gather_nd,
        "batch_dims (12+); index tuple length must be static; negative indices wrap",
    ),
    row(
        "Trilu",
        &[14],
        &["Trilu"],
        trilu,
        "upper; k from an optional constant input",
    ),
    row(
        "OneHot",
        &[9, 11, 28],
        &[
            "OneHot", "Cast", "Reshape", "Range", "Less", "Add", "Select", "Equal", "Gather",
        ],
        one_hot,
        "values input of [off, on]; axis; negative indices wrap (11+); a run-time depth: indices compared with Range(0, depth) along the new axis",
    ),
    row(
        "ScatterElements",
        &[11, 13, 16, 18],
        &["ScatterElements"],
        scatter_elements,
        "axis; reduction add/mul (16+), max/min (18+); duplicates apply in order; static shapes",
    ),
    row(
        "Scatter",
        &[9, 11],
        &["ScatterElements"],
        scatter_elements,
        "the older name of ScatterElements (no reduction); static shapes",
    ),
    row(
        "ScatterND",
        &[11, 13, 16, 18],
        &["ScatterND"],
        scatter_nd,
        "reduction add/mul (16+), max/min (18+); duplicates apply in order; static shapes",
    ),
    row(
        "TensorScatter",
        &[24],
        &["TensorScatter"],
        tensor_scatter,
        "axis (not the batch dim); mode linear or circular; optional write_indices",
    ),
];

fn tensor_scatter(ctx: &mut MapCtx) -> Result<()> {
    let (cache, upd) = (ctx.input(0)?, ctx.input(1)?);
    let rank = ctx.ty(cache).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", -2)?, rank)?;
    let circular = match ctx.attrs.string_or("mode", "linear")?.as_str() {
        "linear" => false,
        "circular" => true,
        other => {
            return Err(Error::invalid(format!(
                "attribute \"mode\": expected linear or circular, got \"{other}\""
            )));
        }
    };
    let mut operands = vec![cache, upd];
    if let Some(w) = ctx.opt_input(2) {
        operands.push(w);
    }
    let v = ctx.emit1(
        Op::Movement(Movement::TensorScatter { axis, circular }),
        &operands,
    )?;
    ctx.bind(0, v)
}

fn scatter_reduction(ctx: &MapCtx) -> Result<ScatterReduction> {
    let r = ctx.attrs.string_or("reduction", "none")?;
    Ok(match r.as_str() {
        "none" => ScatterReduction::None,
        "add" => ScatterReduction::Add,
        "mul" => ScatterReduction::Mul,
        "max" if ctx.version >= 18 => ScatterReduction::Max,
        "min" if ctx.version >= 18 => ScatterReduction::Min,
        other => {
            return Err(Error::invalid(format!(
                "attribute \"reduction\": expected none, add, mul (or max, min from 18), got \"{other}\""
            )));
        }
    })
}

fn scatter_elements(ctx: &mut MapCtx) -> Result<()> {
    let (data, idx, upd) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let axis = normalize_axis(ctx.attrs.int_or("axis", 0)?, ctx.ty(data).rank())?;
    let reduction = scatter_reduction(ctx)?;
    let v = ctx.emit1(
        Op::Movement(Movement::ScatterElements { axis, reduction }),
        &[data, idx, upd],
    )?;
    ctx.bind(0, v)
}

fn scatter_nd(ctx: &mut MapCtx) -> Result<()> {
    let (data, idx, upd) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let reduction = scatter_reduction(ctx)?;
    let v = ctx.emit1(
        Op::Movement(Movement::ScatterND { reduction }),
        &[data, idx, upd],
    )?;
    ctx.bind(0, v)
}

fn gather_elements(ctx: &mut MapCtx) -> Result<()> {
    let (data, idx) = (ctx.input(0)?, ctx.input(1)?);
    let axis = normalize_axis(ctx.attrs.int_or("axis", 0)?, ctx.ty(data).rank())?;
    let v = ctx.emit1(
        Op::Movement(Movement::GatherElements { axis }),
        &[data, idx],
    )?;
    ctx.bind(0, v)
}

fn gather_nd(ctx: &mut MapCtx) -> Result<()> {
    let (data, idx) = (ctx.input(0)?, ctx.input(1)?);
    let b = ctx.attrs.int_or("batch_dims", 0)?;
    let batch_dims = usize::try_from(b)
        .map_err(|_| Error::invalid(format!("batch_dims must be >= 0, got {b}")))?;
    let v = ctx.emit1(
        Op::Movement(Movement::GatherND { batch_dims }),
        &[data, idx],
    )?;
    ctx.bind(0, v)
}

fn trilu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let upper = ctx.attrs.int_or("upper", 1)? != 0;
    let mut operands = vec![x];
    let k = match ctx.opt_input(1) {
        None => 0,
        Some(kv) => match ctx.const_of(kv) {
            Some(t) if t.dtype.is_int() && t.num_elements() == 1 => t.to_i64s()[0],
            Some(t) => {
                return Err(Error::invalid(format!(
                    "input 1 (k) must hold one integer, got {}",
                    t.ty()
                )));
            }
            None => {
                operands.push(kv);
                0
            }
        },
    };
    let v = ctx.emit1(Op::Movement(Movement::Trilu { upper, k }), &operands)?;
    ctx.bind(0, v)
}

fn one_hot(ctx: &mut MapCtx) -> Result<()> {
    let (idx, depth_v, values) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let Some(depth_t) = ctx.const_of(depth_v) else {
        return run_time_one_hot(ctx, idx, depth_v, values);
    };
    let depth = match depth_t.to_f64s()[..] {
        [d] if d >= 1.0 && d.is_finite() => d as u64,
        _ => {
            return Err(Error::invalid(format!(
                "input 1 (depth) must be one positive value, got {:?}",
                depth_t.to_f64s()
            )));
        }
    };
    let rank = ctx.ty(idx).rank();
    let axis = ctx.attrs.int_or("axis", -1)?;
    let axis = normalize_axis(axis, rank + 1)?;
    let v = ctx.emit1(
        Op::Movement(Movement::OneHot {
            axis,
            depth,
            wrap: ctx.version >= 11,
        }),
        &[idx, values],
    )?;
    ctx.bind(0, v)
}

/// OneHot of a depth computed at run time: positions `Range(0, depth)` laid
/// along the new axis, compared with the (wrapped) indices broadcast across
/// it; the new axis is a run-time dim.
fn run_time_one_hot(ctx: &mut MapCtx, idx: ValueId, depth: ValueId, values: ValueId) -> Result<()> {
    use o2l_canon::ops::{Binary, Compare};
    let rank = ctx.ty(idx).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", -1)?, rank + 1)?;
    if ctx.ty(depth).num_elements()? != Some(1) || ctx.ty(values).shape != [Dim::Known(2)] {
        return Err(Error::invalid(format!(
            "OneHot takes one depth value and two values, got {} and {}",
            ctx.ty(depth),
            ctx.ty(values)
        )));
    }
    // A float depth counts its whole part, as ONNX casts it.
    let depth = ctx.cast(depth, DType::I64)?;
    let depth = ctx.reshape_to(depth, &[])?;
    let zero = ctx.i64s(vec![], &[0])?;
    let one = ctx.i64s(vec![], &[1])?;
    let count = Dim::Symbol(format!("{}_depth", ctx.origin.node));
    let count_name = count.to_string();
    let positions = ctx.emit1(
        Op::Movement(Movement::Range { count: count_name }),
        &[zero, depth, one],
    )?;
    let mut along = vec![Dim::Known(1); rank + 1];
    along[axis] = count;
    let positions = ctx.reshape(positions, along)?;
    let i = ctx.cast(idx, DType::I64)?;
    if ctx.version >= 11 {
        let negative = ctx.compare(Compare::Less, i, zero)?;
        let wrapped = ctx.binary(Binary::Add, i, depth)?;
        let i2 = ctx.emit1(
            Op::Elementwise(Elementwise::Select),
            &[negative, wrapped, i],
        )?;
        return finish_one_hot(ctx, i2, positions, values, axis);
    }
    finish_one_hot(ctx, i, positions, values, axis)
}

/// `values[1]` where the index (with a new 1-dim at `axis`) equals the
/// position, `values[0]` elsewhere.
fn finish_one_hot(
    ctx: &mut MapCtx,
    i: ValueId,
    positions: ValueId,
    values: ValueId,
    axis: usize,
) -> Result<()> {
    let mut shape = ctx.ty(i).shape;
    shape.insert(axis, Dim::Known(1));
    let i = ctx.reshape(i, shape)?;
    let hit = ctx.compare(o2l_canon::ops::Compare::Equal, i, positions)?;
    let pick = |ctx: &mut MapCtx, k: i64| -> Result<ValueId> {
        let at = index_constant(ctx, &[k])?;
        let v = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[values, at])?;
        ctx.reshape_to(v, &[])
    };
    let (off, on) = (pick(ctx, 0)?, pick(ctx, 1)?);
    let v = ctx.emit1(Op::Elementwise(Elementwise::Select), &[hit, on, off])?;
    ctx.bind(0, v)
}

fn dims_text(dims: &[Dim]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(","))
}

fn show_target(target: &[SymEl]) -> String {
    let parts: Vec<String> = target
        .iter()
        .map(|e| match e {
            SymEl::Int(v) => v.to_string(),
            SymEl::Sym(s) => s.clone(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Resolves an ONNX Reshape target (0 = copy unless `allow_zero`, -1 = infer);
/// entries may be dim symbols (tracked shape arithmetic).
pub(crate) fn resolve_reshape_sym(
    input: &[Dim],
    target_els: &[SymEl],
    allow_zero: bool,
) -> Result<Vec<Dim>> {
    let target = show_target(target_els);
    let mut out: Vec<Option<Dim>> = Vec::with_capacity(target_els.len());
    let mut infer_at = None;
    for (i, el) in target_els.iter().enumerate() {
        let t = match el {
            SymEl::Int(t) => *t,
            SymEl::Sym(s) => {
                out.push(Some(Dim::Symbol(s.clone())));
                continue;
            }
        };
        match t {
            -1 => {
                if infer_at.replace(i).is_some() {
                    return Err(Error::invalid(format!(
                        "Reshape shape {target} has more than one -1"
                    )));
                }
                out.push(None);
            }
            0 if !allow_zero => match input.get(i) {
                Some(d) => out.push(Some(d.clone())),
                None => {
                    return Err(Error::invalid(format!(
                        "Reshape shape {target}: 0 at index {i} copies a dim the input {} lacks",
                        dims_text(input)
                    )));
                }
            },
            t if t >= 0 => out.push(Some(Dim::Known(t as u64))),
            t => {
                return Err(Error::invalid(format!(
                    "Reshape shape {target}: invalid dim {t}"
                )));
            }
        }
    }
    if let Some(at) = infer_at {
        // Cancel symbols shared by both sides, then divide the known rest.
        let mut rest_in: Vec<Dim> = input.to_vec();
        let mut known_out: u64 = 1;
        for d in out.iter().flatten() {
            match d {
                Dim::Known(n) => {
                    known_out = known_out
                        .checked_mul(*n)
                        .ok_or_else(|| Error::limit(format!("Reshape shape {target} overflows")))?
                }
                Dim::Symbol(_) => match rest_in.iter().position(|x| x == d) {
                    Some(p) => {
                        rest_in.remove(p);
                    }
                    None => {
                        return Err(Error::unsupported(format!(
                            "Reshape of {} to {target}: cannot infer -1 over symbolic dims",
                            dims_text(input)
                        )));
                    }
                },
            }
        }
        let mut known_in: u64 = 1;
        let mut factors: Vec<String> = Vec::new();
        for d in &rest_in {
            match d {
                Dim::Known(n) => {
                    known_in = known_in
                        .checked_mul(*n)
                        .ok_or_else(|| Error::limit("Reshape element count overflows"))?
                }
                // A product symbol's numeric factors (`4*batch`) count as known.
                Dim::Symbol(s) => {
                    for f in s.split('*') {
                        match f.parse::<u64>() {
                            Ok(k) => {
                                known_in = known_in.checked_mul(k).ok_or_else(|| {
                                    Error::limit("Reshape element count overflows")
                                })?
                            }
                            Err(_) => factors.push(f.to_string()),
                        }
                    }
                }
            }
        }
        if known_out == 0 || !known_in.is_multiple_of(known_out) {
            let e = if factors.is_empty() {
                Error::invalid
            } else {
                Error::unsupported
            };
            return Err(e(format!(
                "Reshape of {} to {target}: cannot infer -1 ({known_in} known elements do not divide by {known_out})",
                dims_text(input)
            )));
        }
        let ratio = known_in / known_out;
        out[at] = Some(if factors.is_empty() {
            Dim::Known(ratio)
        } else {
            // The inferred dim is a product of symbols: name it like Mul does.
            if ratio != 1 {
                factors.push(ratio.to_string());
            }
            factors.sort();
            Dim::Symbol(factors.join("*"))
        });
    }
    Ok(out.into_iter().flatten().collect())
}

fn reshape_v1(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let target: Vec<SymEl> = ctx
        .attrs
        .req_ints("shape")?
        .into_iter()
        .map(SymEl::Int)
        .collect();
    let shape = resolve_reshape_sym(&ctx.ty(x).shape, &target, false)?;
    let v = ctx.reshape(x, shape)?;
    ctx.bind(0, v)
}

fn reshape(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let allow_zero = ctx.version >= 14 && ctx.attrs.int_or("allowzero", 0)? != 0;
    if let Some(shape) = ctx.opt_input(1)
        && ctx.sym_of(shape).is_none()
    {
        return run_time_reshape(ctx, x, shape, allow_zero);
    }
    let Some(target) = ctx.sym_ints(1, "shape")? else {
        return Err(Error::invalid("Reshape needs its shape input"));
    };
    let shape = resolve_reshape_sym(&ctx.ty(x).shape, &target, allow_zero)?;
    let v = ctx.reshape(x, shape)?;
    ctx.bind(0, v)
}

/// Reshape to a shape computed at run time (of static length): `ReshapeTo`,
/// every result dim a run-time dim named after the node.
fn run_time_reshape(ctx: &mut MapCtx, x: ValueId, shape: ValueId, allow_zero: bool) -> Result<()> {
    let n = match ctx.ty(shape).known_dims().as_deref() {
        Some([n]) => *n as usize,
        _ => {
            return Err(Error::unsupported(format!(
                "Reshape to a shape {} of run-time length (the result's rank would depend on data)",
                ctx.ty(shape)
            )));
        }
    };
    let dims = (0..n)
        .map(|k| Dim::Symbol(format!("{}_{k}", ctx.origin.node)))
        .collect();
    let shape = ctx.cast(shape, DType::I64)?;
    let v = ctx.emit1(
        Op::Movement(Movement::ReshapeTo { dims, allow_zero }),
        &[x, shape],
    )?;
    ctx.bind(0, v)
}

/// The product of some dims as one dim: known, or a symbol named by its
/// factors (`batch*seq`, sorted, as shape arithmetic names products) whose
/// value the lowering computes from the element count.
pub(crate) fn merged_dim(dims: &[Dim]) -> Result<Dim> {
    let mut product: u64 = 1;
    let mut factors: Vec<String> = Vec::new();
    for d in dims {
        match d {
            Dim::Known(n) => {
                product = product
                    .checked_mul(*n)
                    .ok_or_else(|| Error::limit("Flatten size overflows"))?
            }
            Dim::Symbol(s) => factors.extend(s.split('*').map(str::to_string)),
        }
    }
    if factors.is_empty() {
        return Ok(Dim::Known(product));
    }
    if product == 0 {
        return Ok(Dim::Known(0));
    }
    if product != 1 {
        factors.push(product.to_string());
    }
    factors.sort();
    Ok(Dim::Symbol(factors.join("*")))
}

fn flatten(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let shape = ctx.ty(x).shape;
    let rank = shape.len();
    let axis = ctx.attrs.int_or("axis", 1)?;
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    if a < 0 || a > rank as i64 {
        return Err(Error::invalid(format!(
            "Flatten axis {axis} is out of range for rank {rank}"
        )));
    }
    let a = a as usize;
    let out = vec![merged_dim(&shape[..a])?, merged_dim(&shape[a..])?];
    let v = ctx.reshape(x, out)?;
    ctx.bind(0, v)
}

fn squeeze(ctx: &mut MapCtx, axes: Option<Vec<i64>>) -> Result<()> {
    let mut x = ctx.input(0)?;
    let shape = ctx.ty(x).shape;
    let axes = match axes {
        Some(a) => normalize_axes(&a, shape.len())?,
        None => {
            // Dims of size 1 go; a dim known only at run time is assumed not
            // to be 1 (the result's rank must be known), checked at run time.
            let symbolic: Vec<(usize, String)> = shape
                .iter()
                .enumerate()
                .filter_map(|(i, d)| match d {
                    Dim::Symbol(s) => Some((i, s.clone())),
                    Dim::Known(_) => None,
                })
                .collect();
            if !symbolic.is_empty() {
                let dims = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
                let one = ctx.i64s(vec![1], &[1])?;
                for (i, s) in symbolic {
                    let d = ctx.take(dims, 0, &[i as i64])?;
                    let is_one = ctx.compare(Compare::Equal, d, one)?;
                    let holds = ctx.unary(Unary::Not, is_one)?;
                    x = ctx.checked_at_run_time(
                        holds,
                        x,
                        &format!(
                            "Squeeze without axes keeps dim {i} (\"{s}\", known only at run time), assuming it is not 1"
                        ),
                    )?;
                }
            }
            (0..shape.len())
                .filter(|&i| shape[i] == Dim::Known(1))
                .collect()
        }
    };
    for &a in &axes {
        if let Dim::Known(n) = shape[a]
            && n != 1
        {
            return Err(Error::invalid(format!(
                "Squeeze axis {a} has size {n}, not 1, in {}",
                dims_text(&shape)
            )));
        }
    }
    let out: Vec<Dim> = shape
        .iter()
        .enumerate()
        .filter(|(i, _)| !axes.contains(i))
        .map(|(_, d)| d.clone())
        .collect();
    let v = ctx.reshape(x, out)?;
    ctx.bind(0, v)
}

fn squeeze_v1(ctx: &mut MapCtx) -> Result<()> {
    let axes = ctx.attrs.ints("axes")?;
    squeeze(ctx, axes)
}

fn squeeze_v13(ctx: &mut MapCtx) -> Result<()> {
    let rank = ctx.ty(ctx.input(0)?).rank();
    if ctx.switch_on_run_time_axes(1, rank)? {
        return Ok(());
    }
    let axes = ctx.const_ints(1, "axes")?;
    squeeze(ctx, axes)
}

fn unsqueeze(ctx: &mut MapCtx, axes: Vec<i64>) -> Result<()> {
    let x = ctx.input(0)?;
    let shape = ctx.ty(x).shape;
    let rank = shape.len() + axes.len();
    let axes = normalize_axes(&axes, rank)?;
    let mut rest = shape.into_iter();
    let mut out = Vec::with_capacity(rank);
    for i in 0..rank {
        if axes.contains(&i) {
            out.push(Dim::Known(1));
        } else {
            out.push(
                rest.next()
                    .ok_or_else(|| Error::internal("Unsqueeze rank bookkeeping"))?,
            );
        }
    }
    let v = ctx.reshape(x, out)?;
    ctx.bind(0, v)
}

fn unsqueeze_v1(ctx: &mut MapCtx) -> Result<()> {
    let axes = ctx.attrs.req_ints("axes")?;
    unsqueeze(ctx, axes)
}

fn unsqueeze_v13(ctx: &mut MapCtx) -> Result<()> {
    // The axes index the result, whose rank is the input's plus their count.
    if let Some(axes) = ctx.opt_input(1)
        && let Some(count) = ctx.ty(axes).num_elements()?
    {
        let rank = ctx.ty(ctx.input(0)?).rank() + count as usize;
        if ctx.switch_on_run_time_axes(1, rank)? {
            return Ok(());
        }
    }
    let Some(axes) = ctx.const_ints(1, "axes")? else {
        return Err(Error::invalid("Unsqueeze needs its axes input"));
    };
    unsqueeze(ctx, axes)
}

fn transpose(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let perm = match ctx.attrs.ints("perm")? {
        Some(p) => {
            if p.len() != rank {
                return Err(Error::invalid(format!(
                    "attribute \"perm\" {p:?} has {} entries for rank {rank}",
                    p.len()
                )));
            }
            normalize_axes(&p, rank)?
        }
        None => (0..rank).rev().collect(),
    };
    let v = ctx.emit1(Op::Movement(Movement::Transpose { perm }), &[x])?;
    ctx.bind(0, v)
}

fn concat_v1(ctx: &mut MapCtx) -> Result<()> {
    let axis = ctx.attrs.int_or("axis", 1)?;
    concat_along(ctx, axis)
}

fn concat(ctx: &mut MapCtx) -> Result<()> {
    let axis = ctx.attrs.req_int("axis")?;
    concat_along(ctx, axis)
}

fn concat_along(ctx: &mut MapCtx, axis: i64) -> Result<()> {
    let inputs: Vec<ValueId> = (0..ctx.num_inputs())
        .map(|i| ctx.input(i))
        .collect::<Result<_>>()?;
    let first = *inputs
        .first()
        .ok_or_else(|| Error::invalid("Concat of no operands"))?;
    let axis = normalize_axis(axis, ctx.ty(first).rank())?;
    // Operands empty along the axis add nothing; drop them (keeping at least one).
    let non_empty: Vec<ValueId> = inputs
        .iter()
        .copied()
        .filter(|&v| ctx.ty(v).shape.get(axis) != Some(&Dim::Known(0)))
        .collect();
    let inputs = if non_empty.is_empty() {
        inputs
    } else {
        non_empty
    };
    if let [only] = inputs[..]
        && ctx.ty(only).rank() == ctx.ty(first).rank()
    {
        return ctx.bind(0, only);
    }
    if inputs.iter().any(|&v| ctx.dequantized(v).is_some())
        && let Some(v) = super::qdq::concat(ctx, &inputs, axis)?
    {
        return ctx.bind(0, v);
    }
    let mut v = ctx.emit1(Op::Movement(Movement::Concat { axis }), &inputs)?;
    if axis == 0
        && let Some(parts) = inputs
            .iter()
            .map(|&i| ctx.sym_of(i))
            .collect::<Option<Vec<_>>>()
    {
        v = ctx.set_sym(v, parts.concat())?;
    }
    ctx.bind(0, v)
}

fn gather(ctx: &mut MapCtx) -> Result<()> {
    let (data, idx) = (ctx.input(0)?, ctx.input(1)?);
    let axis = normalize_axis(ctx.attrs.int_or("axis", 0)?, ctx.ty(data).rank())?;
    let mut v = ctx.emit1(Op::Movement(Movement::Gather { axis }), &[data, idx])?;
    if let Some(t) = ctx.const_of(idx)
        && t.dtype.is_int()
    {
        v = ctx.track_gather(data, axis, &t.to_i64s(), v)?;
    }
    ctx.bind(0, v)
}

/// ShapeOf, with its contents tracked as dims (symbols where symbolic).
fn shape_of(ctx: &mut MapCtx, x: ValueId) -> Result<ValueId> {
    let v = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
    let els = ctx
        .ty(x)
        .shape
        .iter()
        .map(|d| match d {
            Dim::Known(n) => SymEl::Int(*n as i64),
            Dim::Symbol(s) => SymEl::Sym(s.clone()),
        })
        .collect();
    ctx.set_sym(v, els)
}

fn shape_v1(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let v = shape_of(ctx, x)?;
    ctx.bind(0, v)
}

fn shape_v15(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank() as i64;
    let clampi = |v: i64| {
        let v = if v < 0 { v + rank } else { v };
        v.clamp(0, rank)
    };
    let start = clampi(ctx.attrs.int_or("start", 0)?);
    let end = clampi(ctx.attrs.int_or("end", rank)?);
    let shape = shape_of(ctx, x)?;
    if start == 0 && end == rank {
        return ctx.bind(0, shape);
    }
    let picks: Vec<i64> = (start..end.max(start)).collect();
    let idx = ctx.constant(Tensor::from_i64s(
        DType::I64,
        vec![picks.len() as u64],
        &picks,
    )?)?;
    let v = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[shape, idx])?;
    let v = ctx.track_gather(shape, 0, &picks, v)?;
    ctx.bind(0, v)
}

fn identity(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    ctx.bind(0, x)
}

/// Dropout-1/6: `is_test`=1 (or a ratio of 0) passes the input through;
/// training (`is_test`=0) draws the mask from the counter-based generator.
fn dropout_v1(ctx: &mut MapCtx) -> Result<()> {
    let ratio = ctx.attrs.float_or("ratio", 0.5)?;
    if ctx.attrs.int_or("is_test", 0)? == 0 && ratio != 0.0 {
        let x = ctx.input(0)?;
        let dtype = ctx.ty(x).dtype;
        let r = ctx.scalar(dtype, f64::from(ratio))?;
        return super::random::training_dropout(ctx, x, r, None);
    }
    dropout(ctx)
}

/// Dropout-7 on: inference passes the input through. From Dropout-12 the
/// training_mode input may say otherwise: a constant true draws the mask
/// (unless the ratio is a constant 0), a run-time flag chooses at run time.
fn dropout(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    if ctx.version >= 12
        && let Some(t) = ctx.opt_input(2)
    {
        let ratio = match ctx.opt_input(1) {
            Some(r) => r,
            None => ctx.scalar(ctx.ty(x).dtype, 0.5)?,
        };
        let ratio_zero = ctx
            .const_of(ratio)
            .is_some_and(|r| r.to_f64s().iter().all(|&v| v == 0.0));
        match ctx.const_of(t) {
            Some(c) if c.to_i64s().iter().all(|&v| v == 0) => {}
            // Training drops nothing when the ratio is 0.
            Some(_) if ratio_zero => {}
            Some(_) => return super::random::training_dropout(ctx, x, ratio, None),
            None => return super::random::training_dropout(ctx, x, ratio, Some(t)),
        }
    }
    ctx.bind(0, x)?;
    if ctx.output_wanted(1) {
        let t = ctx.ty(x);
        let dtype = if ctx.version >= 10 {
            DType::Bool
        } else {
            t.dtype
        };
        let mask = match t.known_dims() {
            Some(dims) => ctx.filled(dtype, dims, 1.0)?,
            None => {
                // All ones over x's run-time shape.
                let one = ctx.scalar(dtype, 1.0)?;
                let shape = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
                ctx.emit1(
                    Op::Movement(Movement::BroadcastTo { dims: t.shape }),
                    &[one, shape],
                )?
            }
        };
        ctx.bind(1, mask)?;
    }
    Ok(())
}

fn constant(ctx: &mut MapCtx) -> Result<()> {
    let names: Vec<&str> = ctx.attrs.names().collect();
    let [name] = names[..] else {
        return Err(Error::invalid(format!(
            "Constant needs exactly one value attribute, got {names:?}"
        )));
    };
    let t = match name {
        "value" => {
            let Some(p) = ctx.attrs.tensor("value")? else {
                return Err(Error::internal("Constant value vanished"));
            };
            ctx.decode_tensor(p)?
        }
        "value_float" => {
            let v = ctx.attrs.float("value_float")?.unwrap_or(0.0);
            Tensor::from_f64s(DType::F32, vec![], &[v as f64])?
        }
        "value_floats" => {
            let v = ctx.attrs.floats("value_floats")?.unwrap_or_default();
            let f: Vec<f64> = v.iter().map(|&x| x as f64).collect();
            Tensor::from_f64s(DType::F32, vec![f.len() as u64], &f)?
        }
        "value_int" => {
            let v = ctx.attrs.int("value_int")?.unwrap_or(0);
            Tensor::from_i64s(DType::I64, vec![], &[v])?
        }
        "value_ints" => {
            let v = ctx.attrs.ints("value_ints")?.unwrap_or_default();
            Tensor::from_i64s(DType::I64, vec![v.len() as u64], &v)?
        }
        other => {
            return Err(Error::unsupported(format!(
                "Constant with attribute \"{other}\" (string and sparse constants are not supported)"
            )));
        }
    };
    let v = ctx.constant(t)?;
    ctx.bind(0, v)
}

/// `len` of a static axis, or an Unsupported error naming `what`.
pub(crate) fn static_len(ctx: &MapCtx, x: ValueId, axis: usize, what: &str) -> Result<i64> {
    match ctx.ty(x).shape.get(axis) {
        Some(Dim::Known(n)) => i64::try_from(*n).map_err(|_| Error::limit("dim too large")),
        Some(Dim::Symbol(s)) => Err(Error::unsupported(format!(
            "{what} along symbolic dim \"{s}\""
        ))),
        None => Err(Error::internal("axis out of range")),
    }
}

/// Takes `picks` along `axis` (skipped when it is the whole axis in order).
pub(crate) fn take(
    ctx: &mut MapCtx,
    x: ValueId,
    axis: usize,
    picks: &[i64],
    len: i64,
) -> Result<ValueId> {
    if picks.len() as i64 == len && picks.iter().enumerate().all(|(i, &p)| p == i as i64) {
        return Ok(x);
    }
    gather_along(ctx, x, axis, picks)
}

/// Indices numpy slicing picks from an axis of `len` (ONNX clamping rules).
/// They become an index table: one that would not fit the limits is a limit
/// error before any index is made (a huge static dim otherwise allocated
/// them all first).
fn slice_indices(ctx: &MapCtx, len: i64, start: i64, end: i64, step: i64) -> Result<Vec<i64>> {
    let fix = |v: i64| if v < 0 { v.saturating_add(len) } else { v };
    let (s, e) = (fix(start), fix(end));
    let (s, e) = if step > 0 {
        (s.clamp(0, len), e.clamp(0, len))
    } else {
        (s.clamp(-1, len - 1), e.clamp(-1, len - 1))
    };
    // Distance to walk, and how many steps of `step` fit in it.
    let span = if step > 0 { e - s } else { s - e };
    let count = if span > 0 {
        (span.unsigned_abs() - 1) / step.unsigned_abs() + 1
    } else {
        0
    };
    ctx.graph.check_constant(count, 8, "Slice indices")?;
    let mut out = Vec::with_capacity(count as usize);
    let mut i = s;
    for _ in 0..count {
        out.push(i);
        i = i.wrapping_add(step);
    }
    Ok(out)
}

fn slice(
    ctx: &mut MapCtx,
    starts: Vec<i64>,
    ends: Vec<i64>,
    axes: Option<Vec<i64>>,
    steps: Option<Vec<i64>>,
) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let n = starts.len();
    let axes = axes.unwrap_or_else(|| (0..n as i64).collect());
    let steps = steps.unwrap_or_else(|| vec![1; n]);
    if ends.len() != n || axes.len() != n || steps.len() != n {
        return Err(Error::invalid(format!(
            "Slice starts, ends, axes and steps differ in length: {n}, {}, {}, {}",
            ends.len(),
            axes.len(),
            steps.len()
        )));
    }
    let axes = normalize_axes(&axes, rank)?;
    if steps.contains(&0) {
        return Err(Error::invalid("Slice step must not be 0"));
    }
    // Along a symbolic dim the extent is known only at run time: SliceAt,
    // skipping the axes taken whole.
    let whole = |i: usize| starts[i] == 0 && steps[i] == 1 && ends[i] >= i64::MAX / 2;
    let symbolic: Vec<usize> = (0..n)
        .filter(|&i| !whole(i) && ctx.ty(x).shape[axes[i]].known().is_none())
        .collect();
    if !symbolic.is_empty() {
        let picked = |v: &[i64]| symbolic.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let len = vec![symbolic.len() as u64];
        let operands = [
            x,
            ctx.i64s(len.clone(), &picked(&starts))?,
            ctx.i64s(len.clone(), &picked(&ends))?,
            ctx.i64s(len, &picked(&steps))?,
        ];
        let sliced: Vec<usize> = symbolic.iter().map(|&i| axes[i]).collect();
        let sizes = sliced
            .iter()
            .map(|a| format!("{}_{a}", ctx.origin.node))
            .collect();
        let y = ctx.emit1(
            Op::Movement(Movement::SliceAt {
                axes: sliced,
                sizes,
            }),
            &operands,
        )?;
        // The static axes, if any, as before.
        let rest: Vec<usize> = (0..n)
            .filter(|&i| !symbolic.contains(&i) && !whole(i))
            .collect();
        let mut y = y;
        for i in rest {
            let len = static_len(ctx, y, axes[i], "Slice")?;
            let picks = slice_indices(ctx, len, starts[i], ends[i], steps[i])?;
            y = take(ctx, y, axes[i], &picks, len)?;
        }
        return ctx.bind(0, y);
    }
    let mut y = x;
    for i in (0..n).filter(|&i| !whole(i)) {
        let len = static_len(ctx, y, axes[i], "Slice")?;
        let picks = slice_indices(ctx, len, starts[i], ends[i], steps[i])?;
        y = take(ctx, y, axes[i], &picks, len)?;
    }
    ctx.bind(0, y)
}

fn slice_v1(ctx: &mut MapCtx) -> Result<()> {
    let starts = ctx.attrs.req_ints("starts")?;
    let ends = ctx.attrs.req_ints("ends")?;
    let axes = ctx.attrs.ints("axes")?;
    slice(ctx, starts, ends, axes, None)
}

fn slice_v10(ctx: &mut MapCtx) -> Result<()> {
    let rank = ctx.ty(ctx.input(0)?).rank();
    if ctx.switch_on_run_time_axis_list(3, rank)? {
        return Ok(());
    }
    let run_time = [1, 2, 4]
        .iter()
        .any(|&i| ctx.opt_input(i).is_some_and(|v| ctx.const_of(v).is_none()));
    if run_time {
        return run_time_slice(ctx, rank);
    }
    let starts = ctx
        .const_ints(1, "starts")?
        .ok_or_else(|| Error::invalid("Slice needs its starts input"))?;
    let ends = ctx
        .const_ints(2, "ends")?
        .ok_or_else(|| Error::invalid("Slice needs its ends input"))?;
    let axes = ctx.const_ints(3, "axes")?;
    let steps = ctx.const_ints(4, "steps")?;
    slice(ctx, starts, ends, axes, steps)
}

/// Slice with run-time starts, ends or steps (constant axes): `SliceAt`.
/// A sliced dim taken from 0 up to a tracked dim symbol in steps of 1
/// (`x[:, :seq]`) is that symbol; any other is a run-time dim of its own.
fn run_time_slice(ctx: &mut MapCtx, rank: usize) -> Result<()> {
    let x = ctx.input(0)?;
    let starts = ctx.input(1)?;
    let n = match ctx.ty(starts).known_dims().as_deref() {
        Some([n]) => *n as usize,
        _ => {
            return Err(Error::invalid(format!(
                "Slice starts must be 1-D of a static length, got {}",
                ctx.ty(starts)
            )));
        }
    };
    let axes = match ctx.const_ints(3, "axes")? {
        Some(a) => normalize_axes(&a, rank)?,
        None => (0..n).collect(),
    };
    if axes.len() != n {
        return Err(Error::invalid(format!(
            "Slice has {n} starts for {} axes",
            axes.len()
        )));
    }
    let starts_known = ctx.sym_ints(1, "starts").ok().flatten();
    let ends_known = ctx.sym_ints(2, "ends").ok().flatten();
    let steps_known = match ctx.opt_input(4) {
        Some(_) => ctx.sym_ints(4, "steps").ok().flatten(),
        None => Some(vec![SymEl::Int(1); n]),
    };
    let sizes: Vec<String> = axes
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let pick = |v: &Option<Vec<SymEl>>| v.as_ref().and_then(|v| v.get(k).cloned());
            match (pick(&starts_known), pick(&ends_known), pick(&steps_known)) {
                (Some(SymEl::Int(0)), Some(SymEl::Sym(s)), Some(SymEl::Int(1))) => s,
                _ => format!("{}_{a}", ctx.origin.node),
            }
        })
        .collect();
    let mut operands = vec![x];
    for i in [1, 2] {
        let v = ctx.input(i)?;
        let v = ctx.cast(v, DType::I64)?;
        operands.push(ctx.reshape_to(v, &[n as u64])?);
    }
    operands.push(match ctx.opt_input(4) {
        Some(v) => {
            let v = ctx.cast(v, DType::I64)?;
            ctx.reshape_to(v, &[n as u64])?
        }
        None => ctx.i64s(vec![n as u64], &vec![1; n])?,
    });
    let v = ctx.emit1(Op::Movement(Movement::SliceAt { axes, sizes }), &operands)?;
    ctx.bind(0, v)
}

/// Splits along `axis` into parts of the given sizes, or `ctx`'s output count.
fn split(ctx: &mut MapCtx, sizes: Option<Vec<i64>>, num_outputs: Option<i64>) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", 0)?, rank)?;
    let len = static_len(ctx, x, axis, "Split")?;
    let outputs = ctx.num_outputs() as i64;
    let sizes = match sizes {
        Some(s) => s,
        None => {
            let parts = num_outputs.unwrap_or(outputs);
            if parts <= 0 {
                return Err(Error::invalid("Split into no parts"));
            }
            if num_outputs.is_some() {
                let chunk = (len + parts - 1) / parts;
                (0..parts)
                    .map(|k| (len - k * chunk).clamp(0, chunk))
                    .collect()
            } else {
                if len % parts != 0 {
                    return Err(Error::invalid(format!(
                        "Split of a dim of {len} into {parts} equal parts"
                    )));
                }
                vec![len / parts; parts as usize]
            }
        }
    };
    if sizes.iter().any(|&s| s < 0) || sizes.iter().sum::<i64>() != len {
        return Err(Error::invalid(format!(
            "Split sizes {sizes:?} do not add up to the dim of {len}"
        )));
    }
    if sizes.len() as i64 != outputs {
        return Err(Error::invalid(format!(
            "Split into {} parts, the node has {outputs} outputs",
            sizes.len()
        )));
    }
    let mut at = 0;
    for (k, &s) in sizes.iter().enumerate() {
        let picks: Vec<i64> = (at..at + s).collect();
        at += s;
        if ctx.output_wanted(k) {
            let v = take(ctx, x, axis, &picks, len)?;
            ctx.bind(k, v)?;
        }
    }
    Ok(())
}

fn split_v1(ctx: &mut MapCtx) -> Result<()> {
    let sizes = match ctx.attrs.ints("split")? {
        Some(s) => Some(s),
        None => ctx.const_ints(1, "split")?,
    };
    split(ctx, sizes, None)
}

fn split_v2(ctx: &mut MapCtx) -> Result<()> {
    let sizes = ctx.attrs.ints("split")?;
    split(ctx, sizes, None)
}

fn split_v13(ctx: &mut MapCtx) -> Result<()> {
    if ctx.opt_input(1).is_some_and(|v| ctx.const_of(v).is_none()) {
        return run_time_split(ctx);
    }
    let sizes = ctx.const_ints(1, "split")?;
    split(ctx, sizes, None)
}

fn split_v18(ctx: &mut MapCtx) -> Result<()> {
    if ctx.opt_input(1).is_some_and(|v| ctx.const_of(v).is_none()) {
        return run_time_split(ctx);
    }
    let sizes = ctx.const_ints(1, "split")?;
    let n = ctx.attrs.int("num_outputs")?;
    if sizes.is_none() && n.is_none() {
        return Err(Error::invalid(
            "Split-18 needs either the split input or num_outputs",
        ));
    }
    split(ctx, sizes, n)
}

/// Split by sizes computed at run time (one per output): part `k` is the
/// slice between the running sums of the sizes before it and through it.
fn run_time_split(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axis = normalize_axis(ctx.attrs.int_or("axis", 0)?, rank)?;
    let sizes = ctx.input(1)?;
    let parts = ctx.num_outputs();
    if ctx.ty(sizes).shape != [Dim::Known(parts as u64)] {
        return Err(Error::invalid(format!(
            "Split sizes {} do not give one size per output ({parts})",
            ctx.ty(sizes)
        )));
    }
    let sizes = ctx.cast(sizes, DType::I64)?;
    let ends = ctx.emit1(
        Op::Reduce(o2l_canon::ops::Reduce {
            kind: o2l_canon::ops::ReduceKind::CumSum {
                exclusive: false,
                reverse: false,
            },
            axes: vec![0],
            keep_dims: true,
        }),
        &[sizes],
    )?;
    let starts = ctx.binary(o2l_canon::ops::Binary::Sub, ends, sizes)?;
    for k in 0..parts {
        if !ctx.output_wanted(k) {
            continue;
        }
        let at = index_constant(ctx, &[k as i64])?;
        let start = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[starts, at])?;
        let end = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[ends, at])?;
        let size = format!("{}_{k}", ctx.origin.node);
        let v = slice_at_run_time(ctx, x, axis, start, end, size)?;
        ctx.bind(k, v)?;
    }
    Ok(())
}

/// `x[start:end]` along `axis` in steps of 1, `start` and `end` run-time
/// i64 tensors of one element; the sliced dim is the run-time dim `size`.
pub(crate) fn slice_at_run_time(
    ctx: &mut MapCtx,
    x: ValueId,
    axis: usize,
    start: ValueId,
    end: ValueId,
    size: String,
) -> Result<ValueId> {
    let one = index_constant(ctx, &[1])?;
    let start = ctx.reshape_to(start, &[1])?;
    let end = ctx.reshape_to(end, &[1])?;
    ctx.emit1(
        Op::Movement(Movement::SliceAt {
            axes: vec![axis],
            sizes: vec![size],
        }),
        &[x, start, end, one],
    )
}

fn constant_of_shape(ctx: &mut MapCtx) -> Result<()> {
    let value = match ctx.attrs.tensor("value")? {
        Some(p) => ctx.decode_tensor(p)?,
        None => Tensor::from_f64s(DType::F32, vec![1], &[0.0])?,
    };
    if value.num_elements() != 1 {
        return Err(Error::invalid(format!(
            "ConstantOfShape value must hold one element, got {}",
            value.num_elements()
        )));
    }
    let shape_v = ctx.input(0)?;
    if ctx.const_of(shape_v).is_none() {
        // A run-time shape: the value broadcast to it.
        let scalar = ctx.constant(value.repeated(vec![])?)?;
        let v = broadcast_to_run_time(ctx, scalar, shape_v)?;
        return ctx.bind(0, v);
    }
    let Some(shape) = ctx.const_ints(0, "shape")? else {
        return Err(Error::invalid("ConstantOfShape needs its shape input"));
    };
    let dims = super::ctx::to_u64s(&shape, "ConstantOfShape shape")?;
    let v = ctx.fill(
        &value,
        dims.clone(),
        &format!("ConstantOfShape of {dims:?}"),
    )?;
    ctx.bind(0, v)
}

fn index_constant(ctx: &mut MapCtx, picks: &[i64]) -> Result<ValueId> {
    ctx.constant(Tensor::from_i64s(
        DType::I64,
        vec![picks.len() as u64],
        picks,
    )?)
}

/// Gathers `picks` along `axis`, without the whole-axis shortcut of `take`.
fn gather_along(ctx: &mut MapCtx, x: ValueId, axis: usize, picks: &[i64]) -> Result<ValueId> {
    let idx = index_constant(ctx, picks)?;
    let y = ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, idx])?;
    ctx.track_gather(x, axis, picks, y)
}

fn expand(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    if ctx.opt_input(1).is_some_and(|v| ctx.const_of(v).is_none()) {
        return run_time_expand(ctx, x);
    }
    let Some(target) = ctx.const_ints(1, "shape")? else {
        return Err(Error::invalid("Expand needs its shape input"));
    };
    let target = super::ctx::to_u64s(&target, "Expand shape")?;
    let mut shape = ctx.ty(x).shape;
    if target.len() > shape.len() {
        let mut padded = vec![Dim::Known(1); target.len() - shape.len()];
        padded.extend(shape);
        shape = padded;
    }
    let mut y = ctx.reshape(x, shape.clone())?;
    let offset = shape.len() - target.len();
    for (k, &t) in target.iter().enumerate() {
        let axis = offset + k;
        match &shape[axis] {
            _ if t == 1 => {}
            Dim::Known(1) => {
                ctx.graph
                    .check_constant(t, 8, &format!("Expand to a dim of {t}"))?;
                let picks = vec![0i64; t as usize];
                y = gather_along(ctx, y, axis, &picks)?;
            }
            Dim::Known(d) if *d == t => {}
            Dim::Known(d) => {
                return Err(Error::invalid(format!(
                    "Expand of dim {d} to {t}: only 1-dims broadcast"
                )));
            }
            Dim::Symbol(s) => {
                return Err(Error::unsupported(format!(
                    "Expand of symbolic dim \"{s}\" to {t}"
                )));
            }
        }
    }
    ctx.bind(0, y)
}

/// Expand to a shape computed at run time (of static length): `BroadcastTo`.
/// Result dims are resolved where the conversion can tell (a dim of `x`
/// other than 1; a tracked entry: a number or a dim symbol), and are run-time
/// dims named after the node otherwise.
fn run_time_expand(ctx: &mut MapCtx, x: ValueId) -> Result<()> {
    let shape = ctx.input(1)?;
    let v = broadcast_to_run_time(ctx, x, shape)?;
    ctx.bind(0, v)
}

/// `x` broadcast to the run-time shape `shape` (see `run_time_expand`).
pub(crate) fn broadcast_to_run_time(
    ctx: &mut MapCtx,
    x: ValueId,
    shape: ValueId,
) -> Result<ValueId> {
    let n = match ctx.ty(shape).known_dims().as_deref() {
        Some([n]) => *n as usize,
        _ => {
            return Err(Error::unsupported(format!(
                "a broadcast to a shape {} of run-time length (the result's rank would depend on data)",
                ctx.ty(shape)
            )));
        }
    };
    let have = ctx.ty(x).shape;
    let rank = n.max(have.len());
    let tracked = ctx.sym_of(shape);
    let mut dims = Vec::with_capacity(rank);
    for k in 0..rank {
        let xd = k.checked_sub(rank - have.len()).map(|i| have[i].clone());
        let el = k
            .checked_sub(rank - n)
            .and_then(|i| tracked.as_ref().and_then(|t| t.get(i).cloned()));
        dims.push(match (xd, el) {
            // No shape entry (padded with 1): x's own dim.
            (Some(d), _) if k < rank - n => d,
            (Some(Dim::Known(d)), _) if d != 1 => Dim::Known(d),
            (xd, Some(SymEl::Int(1))) => xd.unwrap_or(Dim::Known(1)),
            (_, Some(SymEl::Int(t))) if t >= 0 => Dim::Known(t as u64),
            (_, Some(SymEl::Sym(s))) => Dim::Symbol(s),
            _ => Dim::Symbol(format!("{}_{k}", ctx.origin.node)),
        });
    }
    let shape = ctx.cast(shape, DType::I64)?;
    // The shape operand has one entry per result dim: pad it with leading 1s.
    let shape = if n < rank {
        let ones = ctx.i64s(vec![(rank - n) as u64], &vec![1; rank - n])?;
        ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &[ones, shape])?
    } else {
        shape
    };
    ctx.emit1(Op::Movement(Movement::BroadcastTo { dims }), &[x, shape])
}

/// Tile-1: `tiles` copies of the input along `axis`, both scalar inputs.
fn tile_v1(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let (Some(tiles), Some(axis)) = (ctx.const_ints(1, "tiles")?, ctx.const_ints(2, "axis")?)
    else {
        return Err(Error::invalid("Tile-1 needs its tiles and axis inputs"));
    };
    let ([tiles], [axis]) = (&tiles[..], &axis[..]) else {
        return Err(Error::invalid(format!(
            "Tile-1 tiles and axis must be scalars, got {tiles:?} and {axis:?}"
        )));
    };
    let axis = normalize_axis(*axis, rank)?;
    let mut repeats = vec![1; rank];
    repeats[axis] = *tiles;
    tile_by(ctx, x, repeats)
}

fn tile(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    if let Some(repeats) = ctx.opt_input(1)
        && ctx.graph.constant(repeats).is_none()
    {
        return tile_at_run_time(ctx, x, repeats);
    }
    let Some(repeats) = ctx.const_ints(1, "repeats")? else {
        return Err(Error::invalid("Tile needs its repeats input"));
    };
    tile_by(ctx, x, repeats)
}

/// Tile by repeats known at run time: `x` (d0, .., dn) reshaped to
/// (1, d0, .., 1, dn), broadcast to (r0, d0, .., rn, dn), reshaped to
/// (r0 d0, .., rn dn); each result dim a run-time dim named after the node.
fn tile_at_run_time(ctx: &mut MapCtx, x: ValueId, repeats: ValueId) -> Result<()> {
    let xt = ctx.ty(x);
    let n = xt.rank() as u64;
    if ctx.ty(repeats).shape != [Dim::Known(n)] {
        return Err(Error::invalid(format!(
            "Tile repeats {} must hold one value per dim of {xt}",
            ctx.ty(repeats)
        )));
    }
    let node = ctx.origin.node.clone();
    let mut spread = Vec::with_capacity(2 * n as usize);
    let mut broadcast_dims = Vec::with_capacity(2 * n as usize);
    for (axis, d) in xt.shape.iter().enumerate() {
        spread.extend([Dim::Known(1), d.clone()]);
        broadcast_dims.extend([Dim::Symbol(format!("{node}_repeats_{axis}")), d.clone()]);
    }
    let spread_x = ctx.reshape(x, spread)?;
    let repeats = ctx.cast(repeats, DType::I64)?;
    let dims = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
    let column = vec![Dim::Known(n), Dim::Known(1)];
    let (r, d) = (
        ctx.reshape(repeats, column.clone())?,
        ctx.reshape(dims, column)?,
    );
    let pairs = ctx.emit1(Op::Movement(Movement::Concat { axis: 1 }), &[r, d])?;
    let target = ctx.reshape(pairs, vec![Dim::Known(2 * n)])?;
    let wide = ctx.emit1(
        Op::Movement(Movement::BroadcastTo {
            dims: broadcast_dims,
        }),
        &[spread_x, target],
    )?;
    let lengths = ctx.binary(Binary::Mul, repeats, dims)?;
    let out_dims = (0..n).map(|a| Dim::Symbol(format!("{node}_{a}"))).collect();
    let y = ctx.emit1(
        Op::Movement(Movement::ReshapeTo {
            dims: out_dims,
            allow_zero: true,
        }),
        &[wide, lengths],
    )?;
    ctx.bind(0, y)
}

fn tile_by(ctx: &mut MapCtx, x: ValueId, repeats: Vec<i64>) -> Result<()> {
    let rank = ctx.ty(x).rank();
    if repeats.len() != rank {
        return Err(Error::invalid(format!(
            "Tile repeats {repeats:?} do not match rank {rank}"
        )));
    }
    let repeats = super::ctx::to_u64s(&repeats, "Tile repeats")?;
    let mut y = x;
    for (axis, &r) in repeats.iter().enumerate() {
        if r == 1 {
            continue;
        }
        let len = static_len(ctx, y, axis, "Tile")?;
        let picks = r.saturating_mul(len as u64);
        ctx.graph
            .check_constant(picks, 8, &format!("Tile of {len} by {r} along axis {axis}"))?;
        let picks: Vec<i64> = (0..r).flat_map(|_| 0..len).collect();
        y = gather_along(ctx, y, axis, &picks)?;
    }
    ctx.bind(0, y)
}

/// Index of padded position `j` (from `-begin`) for the non-constant modes.
fn pad_index(mode: &str, j: i64, len: i64) -> i64 {
    match mode {
        "edge" => j.clamp(0, len - 1),
        "wrap" => j.rem_euclid(len),
        _ => {
            if len == 1 {
                return 0;
            }
            let period = 2 * (len - 1);
            let m = j.rem_euclid(period);
            if m < len { m } else { period - m }
        }
    }
}

fn pad(ctx: &mut MapCtx, pads: Vec<i64>, axes: Option<Vec<i64>>, value: f64) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let mode = ctx.attrs.string_or("mode", "constant")?;
    if !matches!(mode.as_str(), "constant" | "reflect" | "edge" | "wrap") {
        return Err(Error::invalid(format!(
            "Pad mode \"{mode}\": expected constant, reflect, edge or wrap"
        )));
    }
    let axes = match axes {
        Some(a) => normalize_axes(&a, rank)?,
        None => (0..rank).collect(),
    };
    let n = axes.len();
    if pads.len() != 2 * n {
        return Err(Error::invalid(format!(
            "Pad pads {pads:?}: expected {} values for {n} axes",
            2 * n
        )));
    }
    let symbolic = axes
        .iter()
        .enumerate()
        .any(|(k, &a)| (pads[k], pads[n + k]) != (0, 0) && ctx.ty(x).shape[a].known().is_none());
    if symbolic {
        // Along a symbolic dim the extent is known only at run time: PadAt.
        let pads = ctx.i64s(vec![2 * n as u64], &pads)?;
        let value = ctx.scalar(ctx.ty(x).dtype, value)?;
        let v = emit_pad_at(ctx, x, &mode, axes, pads, value)?;
        return ctx.bind(0, v);
    }
    let mut y = x;
    for (k, &axis) in axes.iter().enumerate() {
        let (b, e) = (pads[k], pads[n + k]);
        if b == 0 && e == 0 {
            continue;
        }
        let len = static_len(ctx, y, axis, "Pad")?;
        // Negative pads crop.
        let (cb, ce) = ((-b).max(0), (-e).max(0));
        if cb > 0 || ce > 0 {
            if cb + ce > len {
                return Err(Error::invalid(format!(
                    "Pad crops {} of a dim of {len}",
                    cb + ce
                )));
            }
            let picks: Vec<i64> = (cb..len - ce).collect();
            y = take(ctx, y, axis, &picks, len)?;
        }
        let len = len - cb - ce;
        let (b, e) = (b.max(0), e.max(0));
        if b == 0 && e == 0 {
            continue;
        }
        if mode == "constant" {
            let ty = ctx.ty(y);
            let mut dims = ty.static_dims("Pad (constant mode)")?;
            let mut parts = Vec::with_capacity(3);
            for (count, at_end) in [(b, false), (e, true)] {
                if count == 0 {
                    continue;
                }
                dims[axis] = count as u64;
                let c = ctx.filled(ty.dtype, dims.clone(), value)?;
                parts.push((at_end, c));
            }
            let mut operands: Vec<ValueId> = parts
                .iter()
                .filter(|(end, _)| !end)
                .map(|(_, c)| *c)
                .collect();
            operands.push(y);
            operands.extend(parts.iter().filter(|(end, _)| *end).map(|(_, c)| *c));
            y = ctx.emit1(Op::Movement(Movement::Concat { axis }), &operands)?;
        } else {
            if len == 0 {
                return Err(Error::invalid(format!("Pad mode {mode} of an empty dim")));
            }
            let picks: Vec<i64> = (-b..len + e).map(|j| pad_index(&mode, j, len)).collect();
            y = gather_along(ctx, y, axis, &picks)?;
        }
    }
    ctx.bind(0, y)
}

fn compress(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let Some(cond) = ctx.opt_input(1) else {
        return Err(Error::invalid("Compress needs its condition"));
    };
    let keep = ctx.const_of(cond).map(|t| t.to_i64s());
    let xt = ctx.ty(x);
    let (y, axis) = match ctx.attrs.int("axis")? {
        Some(a) => (x, normalize_axis(a, xt.rank())?),
        None => {
            let n = known_product(&xt.shape)
                .ok_or_else(|| Error::unsupported("Compress without axis of a symbolic shape"))?;
            (ctx.reshape(x, vec![Dim::Known(n)])?, 0)
        }
    };
    let len = static_len(ctx, y, axis, "Compress")?;
    let Some(keep) = keep else {
        // A run-time condition: the positions NonZero finds, a run-time count.
        let c = match ctx.ty(cond).known_dims().as_deref() {
            Some([c]) => *c as i64,
            _ => {
                return Err(Error::invalid(format!(
                    "Compress condition must be 1-D, got {}",
                    ctx.ty(cond)
                )));
            }
        };
        let cond = if c > len {
            let first: Vec<i64> = (0..len).collect();
            gather_along(ctx, cond, 0, &first)?
        } else {
            cond
        };
        let cond = ctx.cast(cond, DType::Bool)?;
        let count = format!("{}_count", ctx.origin.node);
        let at = ctx.emit1(
            Op::Sort(o2l_canon::ops::Sort::NonZero {
                count: count.clone(),
            }),
            &[cond],
        )?;
        let at = ctx.reshape(at, vec![Dim::Symbol(count)])?;
        let v = ctx.emit1(Op::Movement(Movement::Gather { axis }), &[y, at])?;
        return ctx.bind(0, v);
    };
    let picks: Vec<i64> = keep
        .iter()
        .take(len as usize)
        .enumerate()
        .filter(|(_, c)| **c != 0)
        .map(|(i, _)| i as i64)
        .collect();
    let v = gather_along(ctx, y, axis, &picks)?;
    ctx.bind(0, v)
}

/// ReverseSequence with lengths known at run time: the same index tensor,
/// `t < len[b] ? len[b] - 1 - t : t` (len clamped to the time extent),
/// computed by broadcasting ops over (time, batch), then filled out to the
/// input's shape.
fn reverse_sequence_at_run_time(
    ctx: &mut MapCtx,
    x: ValueId,
    lens: ValueId,
    dims: &[u64],
    time: usize,
    batch: usize,
) -> Result<()> {
    let rank = dims.len();
    if ctx.ty(lens).shape != [Dim::Known(dims[batch])] {
        return Err(Error::invalid(format!(
            "ReverseSequence has sequence lengths {} for a batch of {}",
            ctx.ty(lens),
            dims[batch]
        )));
    }
    let steps = dims[time] as i64;
    let t_shape: Vec<u64> = (0..rank)
        .map(|a| if a == time { dims[time] } else { 1 })
        .collect();
    let t = ctx.i64s(t_shape, &(0..steps).collect::<Vec<_>>())?;
    let len = ctx.cast(lens, DType::I64)?;
    let len_shape = (0..rank)
        .map(|a| Dim::Known(if a == batch { dims[batch] } else { 1 }))
        .collect();
    let len = ctx.reshape(len, len_shape)?;
    let len = ctx.unary(
        Unary::Clamp {
            min: 0.0,
            max: steps as f64,
        },
        len,
    )?;
    let inside = ctx.emit1(
        Op::Elementwise(Elementwise::Compare(o2l_canon::ops::Compare::Less)),
        &[t, len],
    )?;
    let one = ctx.i64s(vec![], &[1])?;
    let last = ctx.binary(Binary::Sub, len, one)?;
    let reversed = ctx.binary(Binary::Sub, last, t)?;
    let idx = ctx.emit1(Op::Elementwise(Elementwise::Select), &[inside, reversed, t])?;
    let zeros = ctx.filled(DType::I64, dims.to_vec(), 0.0)?;
    let idx = ctx.binary(Binary::Add, idx, zeros)?;
    let y = ctx.emit1(
        Op::Movement(Movement::GatherElements { axis: time }),
        &[x, idx],
    )?;
    ctx.bind(0, y)
}

fn reverse_sequence(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dims = ctx.ty(x).static_dims("ReverseSequence input")?;
    let rank = dims.len();
    let time = normalize_axis(ctx.attrs.int_or("time_axis", 0)?, rank)?;
    let batch = normalize_axis(ctx.attrs.int_or("batch_axis", 1)?, rank)?;
    if rank < 2 || time == batch || time > 1 || batch > 1 {
        return Err(Error::invalid(format!(
            "ReverseSequence time_axis and batch_axis must be 0 and 1 in some order, got {time} and {batch}"
        )));
    }
    let Some(lens) = ctx.opt_input(1) else {
        return Err(Error::invalid("ReverseSequence needs sequence_lens"));
    };
    let Some(lens) = ctx.const_of(lens).map(|t| t.to_i64s()) else {
        return reverse_sequence_at_run_time(ctx, x, lens, &dims, time, batch);
    };
    if lens.len() as u64 != dims[batch] {
        return Err(Error::invalid(format!(
            "ReverseSequence has {} sequence lengths for a batch of {}",
            lens.len(),
            dims[batch]
        )));
    }
    // idx[.., t (time), b (batch), ..] = t < len[b] ? len[b] - 1 - t : t
    let count = element_count(&dims)?;
    ctx.graph
        .check_constant(count, 8, "the ReverseSequence index tensor")?;
    let count = count as usize;
    let mut idx = Vec::with_capacity(count);
    let mut coord = vec![0u64; rank];
    for _ in 0..count {
        let (t, b) = (coord[time] as i64, coord[batch] as usize);
        let len = lens[b].clamp(0, dims[time] as i64);
        idx.push(if t < len { len - 1 - t } else { t });
        for d in (0..rank).rev() {
            coord[d] += 1;
            if coord[d] < dims[d] {
                break;
            }
            coord[d] = 0;
        }
    }
    let idx = ctx.constant(Tensor::from_i64s(DType::I64, dims, &idx)?)?;
    let y = ctx.emit1(
        Op::Movement(Movement::GatherElements { axis: time }),
        &[x, idx],
    )?;
    ctx.bind(0, y)
}

fn center_crop_pad(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let axes = match ctx.attrs.ints("axes")? {
        Some(a) => normalize_axes(&a, rank)?,
        None => (0..rank).collect(),
    };
    if let Some(shape) = ctx.opt_input(1)
        && ctx.graph.constant(shape).is_none()
    {
        return center_crop_pad_at_run_time(ctx, x, shape, axes);
    }
    let Some(shape) = ctx.const_ints(1, "shape")? else {
        return Err(Error::invalid("CenterCropPad needs its shape input"));
    };
    if shape.len() != axes.len() {
        return Err(Error::invalid(format!(
            "CenterCropPad shape {shape:?} must give one length per axis ({} axes)",
            axes.len()
        )));
    }
    let mut y = x;
    for (&axis, &want) in axes.iter().zip(&shape) {
        let len = static_len(ctx, y, axis, "CenterCropPad")?;
        if want < 0 {
            return Err(Error::invalid(format!(
                "CenterCropPad length {want} is negative"
            )));
        }
        if want < len {
            let start = (len - want) / 2;
            let picks: Vec<i64> = (start..start + want).collect();
            y = take(ctx, y, axis, &picks, len)?;
        } else if want > len {
            let before = (want - len) / 2;
            let after = want - len - before;
            let ty = ctx.ty(y);
            let mut parts = Vec::with_capacity(3);
            for (count, at_end) in [(before, false), (after, true)] {
                if count == 0 {
                    continue;
                }
                let mut dims = ty.static_dims("CenterCropPad")?;
                dims[axis] = count as u64;
                let z = ctx.filled(ty.dtype, dims, 0.0)?;
                parts.push((z, at_end));
            }
            let mut ordered: Vec<ValueId> = parts.iter().filter(|p| !p.1).map(|p| p.0).collect();
            ordered.push(y);
            ordered.extend(parts.iter().filter(|p| p.1).map(|p| p.0));
            y = ctx.emit1(Op::Movement(Movement::Concat { axis }), &ordered)?;
        }
    }
    ctx.bind(0, y)
}

/// CenterCropPad to lengths known at run time: one PadAt whose amounts are
/// `begin = trunc(d / 2)`, `end = d - begin` for `d = target - length` per
/// axis (negative amounts crop: the centred window, the odd element at the
/// end, as the constant form does).
fn center_crop_pad_at_run_time(
    ctx: &mut MapCtx,
    x: ValueId,
    shape: ValueId,
    axes: Vec<usize>,
) -> Result<()> {
    let k = axes.len() as u64;
    if ctx.ty(shape).shape != [Dim::Known(k)] {
        return Err(Error::invalid(format!(
            "CenterCropPad shape {} must give one length per axis ({k} axes)",
            ctx.ty(shape)
        )));
    }
    let target = ctx.cast(shape, DType::I64)?;
    let dims = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
    let picks = ctx.i64s(vec![k], &axes.iter().map(|&a| a as i64).collect::<Vec<_>>())?;
    let lens = ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[dims, picks])?;
    let d = ctx.binary(Binary::Sub, target, lens)?;
    // trunc(d / 2) whatever the sign, as sign(d) * (|d| / 2).
    let magnitude = ctx.unary(Unary::Abs, d)?;
    let two = ctx.i64s(vec![], &[2])?;
    let half = ctx.binary(Binary::Div, magnitude, two)?;
    let sign = ctx.unary(Unary::Sign, d)?;
    let begin = ctx.binary(Binary::Mul, sign, half)?;
    let end = ctx.binary(Binary::Sub, d, begin)?;
    let pads = ctx.emit1(Op::Movement(Movement::Concat { axis: 0 }), &[begin, end])?;
    let zero = ctx.scalar(ctx.ty(x).dtype, 0.0)?;
    let y = emit_pad_at(ctx, x, "constant", axes, pads, zero)?;
    ctx.bind(0, y)
}

fn pad_v1(ctx: &mut MapCtx) -> Result<()> {
    let pads = ctx.attrs.req_ints("paddings")?;
    let value = ctx.attrs.float_or("value", 0.0)? as f64;
    pad(ctx, pads, None, value)
}

fn pad_v2(ctx: &mut MapCtx) -> Result<()> {
    let pads = ctx.attrs.req_ints("pads")?;
    let value = ctx.attrs.float_or("value", 0.0)? as f64;
    pad(ctx, pads, None, value)
}

fn pad_v11(ctx: &mut MapCtx) -> Result<()> {
    let rank = ctx.ty(ctx.input(0)?).rank();
    if ctx.version >= 18 && ctx.switch_on_run_time_axis_list(3, rank)? {
        return Ok(());
    }
    if [1, 2]
        .iter()
        .any(|&i| ctx.opt_input(i).is_some_and(|v| ctx.const_of(v).is_none()))
    {
        return run_time_pad(ctx, rank);
    }
    let Some(pads) = ctx.const_ints(1, "pads")? else {
        return Err(Error::invalid("Pad needs its pads input"));
    };
    let value = match ctx.opt_input(2) {
        None => 0.0,
        Some(v) => match ctx.const_of(v) {
            Some(t) => t.to_f64s().first().copied().unwrap_or(0.0),
            None => {
                return Err(ctx.needs_constant(
                    2,
                    "input 2 (constant_value) is computed at run time; only a constant value is supported",
                ));
            }
        },
    };
    let axes = if ctx.version >= 18 {
        ctx.const_ints(3, "axes")?
    } else {
        None
    };
    pad(ctx, pads, axes, value)
}

/// Pad by amounts (or a value) computed at run time: `PadAt`, each padded
/// dim a run-time dim named after the node.
fn run_time_pad(ctx: &mut MapCtx, rank: usize) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let mode = ctx.attrs.string_or("mode", "constant")?;
    let axes = match ctx.const_ints(3, "axes")? {
        Some(a) if ctx.version >= 18 => normalize_axes(&a, rank)?,
        _ => (0..rank).collect(),
    };
    let pads = ctx.input(1)?;
    if ctx.ty(pads).shape != [Dim::Known(2 * axes.len() as u64)] {
        return Err(Error::invalid(format!(
            "Pad pads {} must hold 2 values for each of {} axes",
            ctx.ty(pads),
            axes.len()
        )));
    }
    let pads = ctx.cast(pads, DType::I64)?;
    let value = match ctx.opt_input(2) {
        Some(v) if ctx.ty(v).num_elements()? == Some(1) => {
            let v = ctx.reshape_to(v, &[])?;
            ctx.cast(v, dtype)?
        }
        Some(v) => {
            return Err(Error::invalid(format!(
                "Pad constant_value must hold one value, got {}",
                ctx.ty(v)
            )));
        }
        None => ctx.scalar(dtype, 0.0)?,
    };
    let v = emit_pad_at(ctx, x, &mode, axes, pads, value)?;
    ctx.bind(0, v)
}

/// `PadAt` of `x` along `axes` by the i64 `pads` (begins, then ends) with
/// ONNX's `mode`; each padded dim a run-time dim named after the node.
pub(crate) fn emit_pad_at(
    ctx: &mut MapCtx,
    x: ValueId,
    mode: &str,
    axes: Vec<usize>,
    pads: ValueId,
    value: ValueId,
) -> Result<ValueId> {
    let mode = match mode {
        "constant" => PadMode::Constant,
        "edge" => PadMode::Edge,
        "reflect" => PadMode::Reflect,
        "wrap" => PadMode::Wrap,
        other => {
            return Err(Error::invalid(format!(
                "Pad mode \"{other}\": expected constant, reflect, edge or wrap"
            )));
        }
    };
    let sizes = axes
        .iter()
        .map(|a| format!("{}_{a}", ctx.origin.node))
        .collect();
    ctx.emit1(
        Op::Movement(Movement::PadAt { mode, axes, sizes }),
        &[x, pads, value],
    )
}

/// N, C, H, W of a 4-D input, C/H/W static.
fn nchw(ctx: &MapCtx, x: ValueId, what: &str) -> Result<(Dim, u64, u64, u64)> {
    let t = ctx.ty(x);
    let [n, c, h, w] = &t.shape[..] else {
        return Err(Error::invalid(format!("{what} input must be 4-D, got {t}")));
    };
    let (Some(c), Some(h), Some(w)) = (c.known(), h.known(), w.known()) else {
        return Err(Error::unsupported(format!(
            "{what} needs static channel and spatial dims, got {t}"
        )));
    };
    Ok((n.clone(), c, h, w))
}

fn blocksize(ctx: &MapCtx) -> Result<u64> {
    let b = ctx.attrs.req_int("blocksize")?;
    u64::try_from(b)
        .ok()
        .filter(|&b| b > 0)
        .ok_or_else(|| Error::invalid(format!("blocksize must be positive, got {b}")))
}

fn depth_to_space(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let (n, c, h, w) = nchw(ctx, x, "DepthToSpace")?;
    let b = blocksize(ctx)?;
    if c % (b * b) != 0 {
        return Err(Error::invalid(format!(
            "DepthToSpace: {c} channels do not divide by blocksize {b} squared"
        )));
    }
    let mode = if ctx.version >= 11 {
        ctx.attrs.string_or("mode", "DCR")?
    } else {
        "DCR".to_string()
    };
    let k = |v: u64| Dim::Known(v);
    let cc = c / (b * b);
    let (split, perm) = match mode.as_str() {
        "DCR" => (
            vec![n.clone(), k(b), k(b), k(cc), k(h), k(w)],
            vec![0, 3, 4, 1, 5, 2],
        ),
        "CRD" => (
            vec![n.clone(), k(cc), k(b), k(b), k(h), k(w)],
            vec![0, 1, 4, 2, 5, 3],
        ),
        other => {
            return Err(Error::invalid(format!(
                "DepthToSpace mode \"{other}\": expected DCR or CRD"
            )));
        }
    };
    let y = ctx.reshape(x, split)?;
    let y = ctx.emit1(Op::Movement(Movement::Transpose { perm }), &[y])?;
    let y = ctx.reshape(y, vec![n, k(cc), k(h * b), k(w * b)])?;
    ctx.bind(0, y)
}

fn space_to_depth(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let (n, c, h, w) = nchw(ctx, x, "SpaceToDepth")?;
    let b = blocksize(ctx)?;
    if h % b != 0 || w % b != 0 {
        return Err(Error::invalid(format!(
            "SpaceToDepth: spatial dims {h}x{w} do not divide by blocksize {b}"
        )));
    }
    let k = |v: u64| Dim::Known(v);
    let y = ctx.reshape(x, vec![n.clone(), k(c), k(h / b), k(b), k(w / b), k(b)])?;
    let mode = if ctx.version >= 28 {
        ctx.attrs.string_or("mode", "DCR")?
    } else {
        "DCR".to_string()
    };
    let perm = match mode.as_str() {
        "DCR" => vec![0, 3, 5, 1, 2, 4],
        "CRD" => vec![0, 1, 3, 5, 2, 4],
        other => {
            return Err(Error::invalid(format!(
                "SpaceToDepth mode \"{other}\": expected DCR or CRD"
            )));
        }
    };
    let y = ctx.emit1(Op::Movement(Movement::Transpose { perm }), &[y])?;
    let y = ctx.reshape(y, vec![n, k(c * b * b), k(h / b), k(w / b)])?;
    ctx.bind(0, y)
}

fn size(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    if let Some(n) = ctx.ty(x).num_elements()? {
        let n = i64::try_from(n).map_err(|_| Error::limit("Size overflows i64"))?;
        let v = ctx.constant(Tensor::from_i64s(DType::I64, vec![], &[n])?)?;
        return ctx.bind(0, v);
    }
    let s = ctx.emit1(Op::Movement(Movement::ShapeOf), &[x])?;
    let v = ctx.emit1(
        Op::Reduce(o2l_canon::ops::Reduce {
            kind: o2l_canon::ops::ReduceKind::Prod,
            axes: vec![0],
            keep_dims: false,
        }),
        &[s],
    )?;
    ctx.bind(0, v)
}

fn range(ctx: &mut MapCtx) -> Result<()> {
    let operands = [ctx.input(0)?, ctx.input(1)?, ctx.input(2)?];
    if operands.iter().any(|&v| ctx.const_of(v).is_none()) {
        return run_time_range(ctx, operands);
    }
    let mut vals = [0.0f64; 3];
    let mut dtype = DType::F32;
    for (i, name) in ["start", "limit", "delta"].iter().enumerate() {
        let v = ctx.input(i)?;
        let Some(t) = ctx.const_of(v) else {
            return Err(ctx.needs_constant(
                i,
                format!(
                    "input {i} ({name}) is computed at run time; only constant Range is supported"
                ),
            ));
        };
        dtype = t.dtype;
        vals[i] = t
            .to_f64s()
            .first()
            .copied()
            .ok_or_else(|| Error::invalid(format!("Range {name} must be a scalar")))?;
    }
    let [start, limit, delta] = vals;
    if delta == 0.0 {
        return Err(Error::invalid("Range delta must not be 0"));
    }
    let count = ((limit - start) / delta).ceil().max(0.0);
    if count > (1u64 << 62) as f64 {
        return Err(Error::limit(format!("Range of {count} elements")));
    }
    ctx.graph
        .check_constant(count as u64, 8, &format!("Range of {count} elements"))?;
    let count = count as usize;
    let t = if dtype.is_float() {
        let v: Vec<f64> = (0..count).map(|i| start + i as f64 * delta).collect();
        Tensor::from_f64s(dtype, vec![count as u64], &v)?
    } else {
        let (s, d) = (start as i64, delta as i64);
        let v: Vec<i64> = (0..count as i64).map(|i| s + i * d).collect();
        Tensor::from_i64s(dtype, vec![count as u64], &v)?
    };
    let v = ctx.constant(t)?;
    ctx.bind(0, v)
}

/// Range with a run-time operand: its length is a run-time dim, named after
/// the limit's dim symbol when the range counts 0, 1, .. up to a tracked dim
/// (`Range(0, seq, 1)`), so it lines up with the tensors of that dim.
fn run_time_range(ctx: &mut MapCtx, operands: [ValueId; 3]) -> Result<()> {
    let mut scalars = Vec::with_capacity(3);
    for (i, &v) in operands.iter().enumerate() {
        if ctx.ty(v).num_elements()? != Some(1) {
            return Err(Error::invalid(format!(
                "Range input {i} must be a scalar, got {}",
                ctx.ty(v)
            )));
        }
        scalars.push(ctx.reshape_to(v, &[])?);
    }
    let ints = |i: usize| ctx.const_of(operands[i]).map(|t| t.to_f64s());
    let counts_from_zero = ints(0) == Some(vec![0.0]) && ints(2) == Some(vec![1.0]);
    let count = match ctx.sym_of(operands[1]).as_deref() {
        Some([SymEl::Sym(s)]) if counts_from_zero => s.clone(),
        _ => format!("{}_count", ctx.origin.node),
    };
    let v = ctx.emit1(Op::Movement(Movement::Range { count }), &scalars)?;
    ctx.bind(0, v)
}

fn eye_like(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let t = ctx.ty(x);
    let dims = t.static_dims("EyeLike")?;
    let [rows, cols] = dims[..] else {
        return Err(Error::invalid(format!(
            "EyeLike input must be 2-D, got {t}"
        )));
    };
    let dtype = match ctx.attrs.int("dtype")? {
        Some(code) => crate::tensor::dtype_of(
            i32::try_from(code).map_err(|_| Error::invalid("bad dtype code"))?,
            "attribute \"dtype\"",
        )?,
        None => t.dtype,
    };
    let k = ctx.attrs.int_or("k", 0)?;
    let n =
        usize::try_from(element_count(&dims)?).map_err(|_| Error::limit("EyeLike too large"))?;
    let mut v = vec![0i64; n];
    for r in 0..rows as i64 {
        let c = r + k;
        if c >= 0 && c < cols as i64 {
            v[(r as usize) * cols as usize + c as usize] = 1;
        }
    }
    let out = ctx.constant(Tensor::from_i64s(dtype, dims, &v)?)?;
    ctx.bind(0, out)
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn squeeze_reads_axes_from_the_attribute_before_13_and_the_input_since() {
        let g = M::new(11)
            .input(f32_in("x", &[1, 3, 1]))
            .node(with_attrs(
                node("Squeeze", "sq", &["x"], &["y"]),
                vec![a_ints("axes", &[0])],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![3, 1]);

        let g = M::new(13)
            .input(f32_in("x", &[1, 3, 1]))
            .init(t_i64("axes", &[-1]))
            .node(node("Squeeze", "sq", &["x", "axes"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![1, 3]);
        assert_eq!(g.nodes[0].origin.version, 13);

        // At opset 13 the axes attribute is gone: without the input, all 1-dims go.
        let g = M::new(13)
            .input(f32_in("x", &[1, 3, 1]))
            .node(node("Squeeze", "sq", &["x"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![3]);
    }

    #[test]
    fn shape_gather_concat_reshape_chain_folds_to_a_static_reshape() {
        let g = M::new(13)
            .input(f32_in("x", &[2, 3, 4]))
            .init(t_i64("idx0", &[0]))
            .init(t_i64("minus1", &[-1]))
            .node(node("Shape", "shape", &["x"], &["s"]))
            .node(node("Gather", "gather", &["s", "idx0"], &["n"]))
            .node(with_attrs(
                node("Concat", "concat", &["n", "minus1"], &["target"]),
                vec![a_int("axis", 0)],
            ))
            .node(node("Reshape", "reshape", &["x", "target"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Reshape"]);
        assert_eq!(
            g.nodes[0].op,
            Op::Movement(Movement::Reshape {
                shape: vec![Dim::Known(2), Dim::Known(12)]
            })
        );
        assert_eq!(g.value(g.outputs[0]).name, "y");
    }

    #[test]
    fn reshape_resolves_zero_and_minus_one_around_a_symbolic_batch() {
        let g = M::new(14)
            .input(vi("x", 1, &[D::S("batch"), D::N(3), D::N(4)]))
            .init(t_i64("shape", &[0, -1]))
            .node(node("Reshape", "r", &["x", "shape"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(
            g.ty(g.outputs[0]).shape,
            vec![Dim::Symbol("batch".into()), Dim::Known(12)]
        );
        // A run-time shape of static length: ReshapeTo, each dim a run-time one.
        let g = M::new(14)
            .input(f32_in("x", &[2, 6]))
            .input(vi("shape", 7, &[D::N(2)]))
            .node(node("Reshape", "r", &["x", "shape"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["ReshapeTo"]);
        let out = g.ty(g.outputs[0]);
        assert!(out.shape.iter().all(|d| d.known().is_none()), "{out}");
        // Of run-time length, the result's rank would depend on data.
        let e = M::new(14)
            .input(f32_in("x", &[2, 6]))
            .input(vi("shape", 7, &[D::S("n")]))
            .node(node("Reshape", "r", &["x", "shape"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("run-time length"), "{e}");
    }

    #[test]
    fn identity_dropout_and_constant_make_no_runtime_ops() {
        let g = M::new(13)
            .input(f32_in("x", &[2, 2]))
            .node(node("Dropout", "drop", &["x"], &["d", "mask"]))
            .node(node("Identity", "id", &["d"], &["y"]))
            .node(with_attrs(
                node("Constant", "k", &[], &["kk"]),
                vec![a_ints("value_ints", &[1, 2, 3])],
            ))
            .output("y")
            .output("mask")
            .output("kk")
            .import()
            .unwrap();
        // The output that is the input itself gets its own value (an identity transpose).
        assert_eq!(op_names(&g), vec!["Transpose"]);
        assert_eq!(g.nodes[0].inputs[0], g.inputs[0]);
        assert_eq!(g.value(g.outputs[0]).name, "y");
        assert_eq!(g.value(g.inputs[0]).name, "x");
        let mask = g.constant(g.outputs[1]).unwrap();
        assert_eq!(mask.dtype, DType::Bool);
        assert_eq!(g.constant(g.outputs[2]).unwrap().to_i64s(), vec![1, 2, 3]);
    }

    #[test]
    fn slice_split_expand_and_pad_become_gathers_and_concats() {
        let g = M::new(13)
            .input(f32_in("x", &[2, 6]))
            .init(t_i64("starts", &[-1]))
            .init(t_i64("ends", &[-100]))
            .init(t_i64("axes", &[1]))
            .init(t_i64("steps", &[-2]))
            .node(node(
                "Slice",
                "s",
                &["x", "starts", "ends", "axes", "steps"],
                &["y"],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Gather"]);
        assert_eq!(
            g.constant(g.nodes[0].inputs[1]).unwrap().to_i64s(),
            vec![5, 3, 1]
        );

        let g = M::new(18)
            .input(f32_in("x", &[7, 2]))
            .node(with_attrs(
                node("Split", "sp", &["x"], &["a", "b", "c"]),
                vec![a_int("num_outputs", 3)],
            ))
            .output("a")
            .output("c")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![3, 2]);
        assert_eq!(out_dims(&g, 1), vec![1, 2]);

        let g = M::new(13)
            .input(f32_in("x", &[3, 1]))
            .init(t_i64("shape", &[2, 3, 4]))
            .node(node("Expand", "e", &["x", "shape"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Reshape", "Gather", "Gather"]);
        assert_eq!(out_dims(&g, 0), vec![2, 3, 4]);

        let g = M::new(13)
            .input(f32_in("x", &[2, 3]))
            .init(t_i64("pads", &[0, 1, 0, 2]))
            .node(node("Pad", "p", &["x", "pads"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Concat"]);
        assert_eq!(out_dims(&g, 0), vec![2, 6]);
    }

    #[test]
    fn shape_arithmetic_on_symbolic_dims_gives_a_symbolic_reshape() {
        let g = M::new(13)
            .input(vi("x", 1, &[D::S("batch"), D::S("seq"), D::N(8)]))
            .init(t_i64("i0", &[0]))
            .init(t_i64("i2", &[2]))
            .init(t_i64("m1", &[-1]))
            .node(node("Shape", "shape", &["x"], &["s"]))
            .node(node("Gather", "g0", &["s", "i0"], &["b"]))
            .node(node("Gather", "g2", &["s", "i2"], &["c"]))
            .node(with_attrs(
                node("Concat", "cat", &["b", "m1", "c"], &["t"]),
                vec![a_int("axis", 0)],
            ))
            .node(node("Reshape", "r", &["x", "t"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        // The target is the input's own shape: no Reshape, only the output copy.
        assert_eq!(op_names(&g), vec!["Transpose"]);
        assert_eq!(
            g.ty(g.outputs[0]).shape,
            vec![
                Dim::Symbol("batch".into()),
                Dim::Symbol("seq".into()),
                Dim::Known(8)
            ]
        );
    }

    #[test]
    fn legacy_movement_attributes() {
        // Reshape-1: the shape is an attribute.
        let g = M::new(1)
            .input(f32_in("x", &[2, 3, 4]))
            .node(with_attrs(
                node("Reshape", "r", &["x"], &["y"]),
                vec![a_ints("shape", &[0, -1])],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![2, 12]);
        // Concat-1: the axis defaults to 1.
        let g = M::new(1)
            .input(f32_in("a", &[2, 3]))
            .input(f32_in("b", &[2, 5]))
            .node(node("Concat", "c", &["a", "b"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![2, 8]);
        // Pad-1: `paddings`, begins then ends.
        let g = M::new(1)
            .input(f32_in("x", &[2, 3]))
            .node(with_attrs(
                node("Pad", "p", &["x"], &["y"]),
                vec![a_ints("paddings", &[0, 1, 1, 2])],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![3, 6]);
        // Split-1: sizes from the attribute.
        let g = M::new(1)
            .input(f32_in("x", &[2, 6]))
            .node(with_attrs(
                node("Split", "s", &["x"], &["y", "z"]),
                vec![a_int("axis", 1), a_ints("split", &[2, 4])],
            ))
            .output("y")
            .output("z")
            .import()
            .unwrap();
        assert_eq!((out_dims(&g, 0), out_dims(&g, 1)), (vec![2, 2], vec![2, 4]));
        // Tile-1: `tiles` copies along `axis`, both scalar inputs.
        let g = M::new(1)
            .input(f32_in("x", &[2, 3]))
            .init(t_i64("tiles", &[3]))
            .init(t_i64("axis", &[1]))
            .node(node("Tile", "t", &["x", "tiles", "axis"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(out_dims(&g, 0), vec![2, 9]);
    }

    #[test]
    fn dropout_with_a_run_time_mode_chooses_at_run_time() {
        let model = |x: ValueInfoProto| {
            M::new(22)
                .input(x)
                .input(vi("ratio", 1, &[]))
                .input(vi("training", 9, &[]))
                .node(node(
                    "Dropout",
                    "d",
                    &["x", "ratio", "training"],
                    &["y", "mask"],
                ))
                .output("y")
                .output("mask")
                .import()
                .unwrap()
        };
        let g = model(f32_in("x", &[3, 4]));
        let names = op_names(&g);
        // The draws of a static shape fold; what the flag and ratio decide runs.
        for op in ["GreaterOrEqual", "Not", "Or", "Select", "Div", "Mul"] {
            assert!(names.contains(&op), "{op} in {names:?}");
        }
        assert_eq!(g.ty(g.outputs[1]).dtype, DType::Bool);
        let g = model(vi("x", 1, &[D::S("n"), D::N(4)]));
        assert!(op_names(&g).contains(&"Range"), "{:?}", op_names(&g));
        assert_eq!(g.ty(g.outputs[0]).shape, g.ty(g.inputs[0]).shape);
        // Inference over a run-time shape: the mask is all true at that shape.
        let g = M::new(13)
            .input(vi("x", 1, &[D::S("n"), D::N(4)]))
            .node(node("Dropout", "d", &["x"], &["y", "mask"]))
            .output("y")
            .output("mask")
            .import()
            .unwrap();
        assert!(op_names(&g).contains(&"BroadcastTo"), "{:?}", op_names(&g));
        assert_eq!(g.ty(g.outputs[1]).dtype, DType::Bool);
    }

    #[test]
    fn dropout_6_passes_the_input_in_test_mode_only() {
        let model = |attrs: Vec<AttributeProto>| {
            M::new(6)
                .input(f32_in("x", &[2, 3]))
                .node(with_attrs(node("Dropout", "d", &["x"], &["y"]), attrs))
                .output("y")
        };
        let g = model(vec![a_int("is_test", 1)]).import().unwrap();
        // Y is X (the graph output gets its own copy, which Dropout did not emit).
        assert!(g.nodes.iter().all(|n| n.origin.op_type != "Dropout"));
        // Training (is_test=0) keeps a drawn subset, scaled by 1/(1 - ratio).
        let g = model(vec![a_float("ratio", 0.25)]).import().unwrap();
        assert_eq!(op_names(&g), vec!["Mul", "Select"]);
    }
}
