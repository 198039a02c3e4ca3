//! Data movement: Reshape as `tensor.collapse_shape` / `tensor.expand_shape`
//! (`tensor.reshape` when the dims do not group, or are symbolic), Transpose as
//! `linalg.transpose`, Concat as `tensor.concat`, Gather as a `linalg.generic`
//! that reads with `tensor.extract` (of constant, evenly spaced positions, as a
//! static Slice becomes: `tensor.extract_slice`), ShapeOf from `tensor.dim`. GatherElements
//! and GatherND read with `tensor.extract` inside a `linalg.generic` over the
//! result; Trilu and OneHot compare `linalg.index` positions. Fill is
//! `tensor.empty` + `linalg.fill` of the extracted scalar. SliceAt and Range
//! compute their run-time extents with `arith` on index values, then fill a
//! `tensor.empty` of that size with a `linalg.generic` over `linalg.index`.
use super::ir::{
    Ctx, DimV, Operand, Val, broadcast_map, identity_map, map_str, pick_map, tensor_str,
};
use melior::ir::attribute::IntegerAttribute;
use melior::ir::{Type, ValueLike};
use o2l_canon::ops::{Movement, PadMode, ScatterReduction};
use o2l_canon::{DType, Dim, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Movement,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    match op {
        Movement::Reshape { .. } => reshape(cx, ins[0], &ins[1..], out),
        Movement::Transpose { perm } => {
            let x = ins[0];
            if perm.iter().enumerate().all(|(i, &p)| i == p) {
                return Ok(x.0);
            }
            let e = cx.empty_like(out, &[x])?;
            let p: Vec<i64> = perm.iter().map(|&p| p as i64).collect();
            let attr = cx.parse_attr(&super::ir::array_i64(&p))?;
            Ok(cx.structured(
                "linalg.transpose",
                &[x.0],
                &[e],
                &[("permutation", attr)],
                &[],
                |_, v, _| Ok(vec![v[0]]),
            )?[0])
        }
        Movement::Concat { axis } => {
            if ins.len() == 1 {
                return Ok(ins[0].0);
            }
            let vals: Vec<Val<'c, 'a>> = ins.iter().map(|(v, _)| *v).collect();
            let dim = IntegerAttribute::new(cx.elem(DType::I64)?, *axis as i64);
            cx.op1(
                "tensor.concat",
                &vals,
                cx.tensor(&out.shape, out.dtype)?,
                &[("dim", dim.into())],
            )
        }
        Movement::Gather { axis } => gather(cx, ins[0], ins[1], *axis, out),
        Movement::SliceAt { axes, .. } => slice_at(cx, ins, axes, out),
        Movement::Range { .. } => range(cx, ins, out),
        Movement::BroadcastTo { .. } => broadcast_to(cx, ins[0], ins[1], out),
        Movement::PadAt { mode, axes, .. } => pad_at(cx, ins, *mode, axes, out),
        Movement::ReshapeTo { allow_zero, .. } => reshape_to(cx, ins[0], ins[1], *allow_zero, out),
        Movement::Fill { .. } => {
            let elem = cx.elem(out.dtype)?;
            let v = cx.op1("tensor.extract", &[ins[0].0], elem, &[])?;
            let e = cx.empty_like(out, &[])?;
            cx.fill(v, e)
        }
        Movement::ShapeOf => {
            let x = ins[0];
            let i64t = cx.elem(DType::I64)?;
            let mut elems = Vec::new();
            for (i, d) in x.1.shape.iter().enumerate() {
                elems.push(match d {
                    Dim::Known(n) => cx.scalar_int(DType::I64, *n as i64)?,
                    Dim::Symbol(_) => {
                        let v = cx.dim(x.0, i)?;
                        cx.op1("arith.index_cast", &[v], i64t, &[])?
                    }
                });
            }
            cx.op1(
                "tensor.from_elements",
                &elems,
                cx.tensor(&out.shape, DType::I64)?,
                &[],
            )
        }
        Movement::GatherElements { axis } => gather_elements(cx, ins[0], ins[1], *axis, out),
        Movement::GatherND { batch_dims } => gather_nd(cx, ins[0], ins[1], *batch_dims, out),
        Movement::Trilu { upper, k } => trilu(cx, ins[0], ins.get(1).copied(), *upper, *k, out),
        Movement::ScatterElements { axis, reduction } => {
            scatter(cx, ins[0], ins[1], ins[2], Some(*axis), *reduction, out)
        }
        Movement::ScatterND { reduction } => {
            scatter(cx, ins[0], ins[1], ins[2], None, *reduction, out)
        }
        Movement::TensorScatter { axis, circular } => tensor_scatter(
            cx,
            ins[0],
            ins[1],
            ins.get(2).copied(),
            *axis,
            *circular,
            out,
        ),
        Movement::OneHot { axis, depth, wrap } => {
            one_hot(cx, ins[0], ins[1], *axis, *depth, *wrap, out)
        }
    }
}

/// `linalg.index k` inside a body.
fn loop_index<'c, 'b>(b: &Ctx<'c, 'b>, k: usize) -> Result<Val<'c, 'b>> {
    let dim = b.parse_attr(&format!("{k} : i64"))?;
    b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
}

/// An integer (or float, truncated) scalar as an index, wrapped once by `len`
/// when negative.
fn wrapped_index<'c, 'b>(
    b: &Ctx<'c, 'b>,
    v: Val<'c, 'b>,
    d: DType,
    len: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    let i64t = b.elem(DType::I64)?;
    let wide = match d {
        DType::I64 | DType::U64 => v,
        _ if d.is_float() => b.op1("arith.fptosi", &[v], i64t, &[])?,
        _ if d.is_unsigned_int() => b.op1("arith.extui", &[v], i64t, &[])?,
        _ => b.op1("arith.extsi", &[v], i64t, &[])?,
    };
    let i = b.op1("arith.index_cast", &[wide], b.index_type(), &[])?;
    let zero = b.index(0)?;
    let neg = b.cmpi(2, i, zero)?; // slt
    let plus = b.bin("arith.addi", i, len)?;
    b.select(neg, plus, i)
}

fn gather_elements<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    data: Operand<'c, 'a, '_>,
    idx: Operand<'c, 'a, '_>,
    axis: usize,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = out.rank();
    let e = cx.empty_like(out, &[idx, data])?;
    let axis_len = cx.dim(data.0, axis)?;
    let maps = [identity_map(rank), identity_map(rank)];
    let iters = vec!["parallel"; rank];
    let d = idx.1.dtype;
    Ok(cx.generic(
        &[idx.0],
        &[e],
        &maps,
        &iters,
        &[data.0, axis_len],
        move |b, v, caps| {
            let i = wrapped_index(b, v[0], d, caps[1])?;
            let mut coords = vec![caps[0]];
            for k in 0..rank {
                coords.push(if k == axis { i } else { loop_index(b, k)? });
            }
            let elem = super::ir::element_type(caps[0].r#type())?;
            Ok(vec![b.op1("tensor.extract", &coords, elem, &[])?])
        },
    )?[0])
}

fn gather_nd<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    data: Operand<'c, 'a, '_>,
    idx: Operand<'c, 'a, '_>,
    batch: usize,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = out.rank();
    let q = idx.1.rank();
    let Some(Dim::Known(r)) = idx.1.shape.last() else {
        o2l_canon::bail!(Unsupported, "GatherND: index tuple length must be known");
    };
    let r = *r as usize;
    let data_rank = data.1.rank();
    let e = cx.empty_like(out, &[idx, data])?;
    let mut caps = vec![data.0, idx.0];
    for j in 0..r {
        caps.push(cx.dim(data.0, batch + j)?);
    }
    let maps = [identity_map(rank)];
    let iters = vec!["parallel"; rank];
    let d = idx.1.dtype;
    Ok(
        cx.generic(&[], &[e], &maps, &iters, &caps, move |b, _, caps| {
            let outer: Vec<Val<'c, '_>> = (0..q - 1)
                .map(|k| loop_index(b, k))
                .collect::<Result<_>>()?;
            let idx_elem = super::ir::element_type(caps[1].r#type())?;
            let mut coords = vec![caps[0]];
            coords.extend(outer.iter().take(batch).copied());
            for j in 0..r {
                let mut at = vec![caps[1]];
                at.extend(outer.iter().copied());
                at.push(b.index(j as i64)?);
                let raw = b.op1("tensor.extract", &at, idx_elem, &[])?;
                coords.push(wrapped_index(b, raw, d, caps[2 + j])?);
            }
            for t in 0..data_rank - batch - r {
                coords.push(loop_index(b, q - 1 + t)?);
            }
            let elem = super::ir::element_type(caps[0].r#type())?;
            Ok(vec![b.op1("tensor.extract", &coords, elem, &[])?])
        })?[0],
    )
}

fn trilu<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    k_operand: Option<Operand<'c, 'a, '_>>,
    upper: bool,
    k: i64,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = out.rank();
    let d = out.dtype;
    let kv = match k_operand {
        Some((kt, ty)) => {
            let zeros = (0..ty.rank())
                .map(|_| cx.index(0))
                .collect::<Result<Vec<_>>>()?;
            let mut at = vec![kt];
            at.extend(zeros);
            cx.op1("tensor.extract", &at, cx.elem(DType::I64)?, &[])?
        }
        None => cx.scalar_int(DType::I64, k)?,
    };
    let zero = cx.extreme(d, super::ir::Extreme::Zero)?;
    cx.elementwise(&[x], out, &[kv, zero], move |b, v, caps| {
        let i64t = b.elem(DType::I64)?;
        let row = loop_index(b, rank - 2)?;
        let col = loop_index(b, rank - 1)?;
        let row = b.op1("arith.index_cast", &[row], i64t, &[])?;
        let col = b.op1("arith.index_cast", &[col], i64t, &[])?;
        let diff = b.bin("arith.subi", col, row)?;
        // Upper keeps col - row >= k (sge 5); lower keeps col - row <= k (sle 3).
        let keep = b.cmpi(if upper { 5 } else { 3 }, diff, caps[0])?;
        b.select(keep, v[0], caps[1])
    })
}

fn one_hot<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    idx: Operand<'c, 'a, '_>,
    values: Operand<'c, 'a, '_>,
    axis: usize,
    depth: u64,
    wrap: bool,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = out.rank();
    let e = cx.empty_like(out, &[idx])?;
    let elem = cx.elem(out.dtype)?;
    let c0 = cx.index(0)?;
    let c1 = cx.index(1)?;
    let off = cx.op1("tensor.extract", &[values.0, c0], elem, &[])?;
    let on = cx.op1("tensor.extract", &[values.0, c1], elem, &[])?;
    // Without wrapping, a negative index plus 0 stays negative: no match.
    let depth_v = cx.index(if wrap { depth as i64 } else { 0 })?;
    let picks: Vec<usize> = (0..rank).filter(|&k| k != axis).collect();
    let maps = [pick_map(rank, &picks), identity_map(rank)];
    let iters = vec!["parallel"; rank];
    let d = idx.1.dtype;
    Ok(cx.generic(
        &[idx.0],
        &[e],
        &maps,
        &iters,
        &[off, on, depth_v],
        move |b, v, caps| {
            let i = wrapped_index(b, v[0], d, caps[2])?;
            let here = loop_index(b, axis)?;
            let hit = b.cmpi(0, i, here)?; // eq
            Ok(vec![b.select(hit, caps[1], caps[0])?])
        },
    )?[0])
}

/// Groups of `big` dims whose products are the `small` dims, in order.
fn groups(small: &[u64], big: &[u64]) -> Option<Vec<Vec<usize>>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut p = 0;
    for &s in small {
        let mut g = vec![*big.get(p).map(|_| &p)?];
        let mut prod = big[p];
        p += 1;
        while prod < s {
            let b = *big.get(p)?;
            prod *= b;
            g.push(p);
            p += 1;
        }
        if prod != s {
            return None;
        }
        out.push(g);
    }
    // Trailing 1s join the last group.
    while p < big.len() {
        if big[p] != 1 {
            return None;
        }
        out.last_mut()?.push(p);
        p += 1;
    }
    Some(out)
}

/// Groups of `shape`'s dims around its non-unit dims: each unit dim joins the
/// group of the non-unit dim before it (leading ones the first group).
fn unit_groups(shape: &[Dim]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut has_core = false;
    for (i, d) in shape.iter().enumerate() {
        if *d != Dim::Known(1) {
            if has_core {
                groups.push(std::mem::take(&mut current));
            }
            has_core = true;
        }
        current.push(i);
    }
    groups.push(current);
    groups
}

fn reshape<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    witnesses: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    if x.1.shape == out.shape {
        return Ok(x.0);
    }
    if let (Some(a), Some(b)) = (x.1.known_dims(), out.known_dims())
        && !a.contains(&0)
    {
        // To or from rank 0 (every other dim 1): a collapse or expand with no
        // groups. (IREE 3.13 crashes on the `tensor<0xindex>` shape that a
        // `tensor.reshape` to rank 0 would need once it lands in a dispatch.)
        if b.is_empty() && a.iter().all(|&n| n == 1) {
            return cx.collapse(x.0, &[], out);
        }
        if a.is_empty() && b.iter().all(|&n| n == 1) {
            return cx.expand(x.0, &[], out, &[]);
        }
        if b.len() < a.len()
            && let Some(g) = groups(&b, &a)
            && !b.is_empty()
        {
            return cx.collapse(x.0, &g, out);
        }
        if b.len() > a.len()
            && let Some(g) = groups(&a, &b)
            && !a.is_empty()
        {
            return cx.expand(x.0, &g, out, &[]);
        }
        if a.len() > 1 && b.len() > 1 {
            // Through 1-D.
            let n: u64 = a.iter().product();
            let flat_t = TensorType::of_known(out.dtype, &[n]);
            let flat = cx.collapse(x.0, &[(0..a.len()).collect()], &flat_t)?;
            return cx.expand(flat, &[(0..b.len()).collect()], out, &[]);
        }
    }
    // Shapes that differ only in unit dims (run-time dims among them): drop
    // the operand's unit dims by a collapse, add the result's by an expand.
    // (A `tensor.reshape` would need a shape tensor of index, which IREE 3.13
    // rejects when it crosses a dispatch boundary.)
    let core = |shape: &[Dim]| -> Vec<Dim> {
        shape
            .iter()
            .filter(|d| **d != Dim::Known(1))
            .cloned()
            .collect()
    };
    let x_core = core(&x.1.shape);
    if x_core == core(&out.shape) && !x_core.is_empty() && !x_core.contains(&Dim::Known(0)) {
        let mid = TensorType::new(out.dtype, x_core.clone());
        let mut v = x.0;
        if x.1.rank() != x_core.len() {
            v = cx.collapse(v, &unit_groups(&x.1.shape), &mid)?;
        }
        if out.rank() != x_core.len() {
            v = cx.expand(v, &unit_groups(&out.shape), out, &[(x.0, x.1)])?;
        }
        return Ok(v);
    }
    // General: tensor.reshape with the target shape as a tensor of index. A
    // symbolic dim of the result is read from the operand or a witness that
    // has it; one that none has is the element count divided by the other
    // dims (at most one such dim).
    let mut elems: Vec<Option<Val<'c, 'a>>> = Vec::with_capacity(out.rank());
    for d in &out.shape {
        elems.push(match d {
            Dim::Known(n) => Some(cx.index(*n as i64)?),
            Dim::Symbol(_) => std::iter::once(&x)
                .chain(witnesses)
                .find_map(|w| w.1.shape.iter().position(|s| s == d).map(|i| (w.0, i)))
                .map(|(v, i)| cx.dim(v, i))
                .transpose()?,
        });
    }
    let missing: Vec<usize> = (0..elems.len()).filter(|&i| elems[i].is_none()).collect();
    if missing.len() > 1 {
        o2l_canon::bail!(
            Unsupported,
            "Reshape of {} to {}: more than one result dim is unknown",
            x.1,
            out
        );
    }
    if let Some(&m) = missing.first() {
        let mut total = cx.index(1)?;
        for (i, d) in x.1.shape.iter().enumerate() {
            let v = match d {
                Dim::Known(n) => cx.index(*n as i64)?,
                Dim::Symbol(_) => cx.dim(x.0, i)?,
            };
            total = cx.bin("arith.muli", total, v)?;
        }
        let mut rest = cx.index(1)?;
        for v in elems.iter().flatten() {
            rest = cx.bin("arith.muli", rest, *v)?;
        }
        elems[m] = Some(cx.bin("arith.divui", total, rest)?);
    }
    let elems: Vec<Val<'c, 'a>> = elems.into_iter().flatten().collect();
    reshape_to_dims(cx, x, &elems, out)
}

/// `tensor.reshape` of `x` to `out`, its dims given as index values.
fn reshape_to_dims<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    dims: &[Val<'c, 'a>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let shape_t: Type<'c> = cx.parse_type(&format!("tensor<{}xindex>", dims.len()))?;
    let shape = cx.op1("tensor.from_elements", dims, shape_t, &[])?;
    cx.op1(
        "tensor.reshape",
        &[x.0, shape],
        cx.parse_type(&tensor_str(&out.shape, out.dtype))?,
        &[],
    )
}

/// `x`'s dims as sizes of a new tensor, those along `axes` left at 0 for the
/// caller to set.
fn sizes_but<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    axes: &[usize],
) -> Result<Vec<DimV<'c, 'a>>> {
    x.1.shape
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Ok(match d {
                _ if axes.contains(&i) => DimV::Static(0),
                Dim::Known(n) => DimV::Static(*n),
                Dim::Symbol(_) => DimV::Dynamic(cx.dim(x.0, i)?),
            })
        })
        .collect()
}

/// Numpy slicing with run-time starts, ends and steps. Per sliced axis of
/// length `n`: negative starts and ends add `n`; a positive step clamps both
/// to `[0, n]` and takes `ceil((e - s) / t)` elements, a negative one clamps
/// them to `[-1, n - 1]` and takes `ceil((s - e) / -t)` (never fewer than 0).
/// The result reads `data[s + i * t]` along each sliced axis.
fn slice_at<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    ins: &[Operand<'c, 'a, '_>],
    axes: &[usize],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let (data, rank) = (ins[0], out.rank());
    let i64t = cx.elem(DType::I64)?;
    let index_t = cx.index_type();
    let mut sizes = sizes_but(cx, data, axes)?;
    // Per sliced axis: its first position and its step, as index values.
    let mut starts = Vec::with_capacity(axes.len());
    let mut steps = Vec::with_capacity(axes.len());
    let zero = cx.scalar_int(DType::I64, 0)?;
    let one = cx.scalar_int(DType::I64, 1)?;
    let minus_one = cx.scalar_int(DType::I64, -1)?;
    for (k, &a) in axes.iter().enumerate() {
        let at = cx.index(k as i64)?;
        let read = |v: Val<'c, 'a>| cx.op1("tensor.extract", &[v, at], i64t, &[]);
        let (s, e, t) = (read(ins[1].0)?, read(ins[2].0)?, read(ins[3].0)?);
        let n = cx.op1("arith.index_cast", &[cx.dim(data.0, a)?], i64t, &[])?;
        let from_end = |v: Val<'c, 'a>| -> Result<Val<'c, 'a>> {
            let neg = cx.cmpi(2, v, zero)?; // slt
            let wrapped = cx.bin("arith.addi", v, n)?;
            cx.select(neg, wrapped, v)
        };
        let (s, e) = (from_end(s)?, from_end(e)?);
        let clamp = |v: Val<'c, 'a>, lo: Val<'c, 'a>, hi: Val<'c, 'a>| -> Result<Val<'c, 'a>> {
            let v = cx.bin("arith.maxsi", v, lo)?;
            cx.bin("arith.minsi", v, hi)
        };
        let last = cx.bin("arith.subi", n, one)?;
        let forward = cx.cmpi(4, t, zero)?; // sgt
        let s = cx.select(forward, clamp(s, zero, n)?, clamp(s, minus_one, last)?)?;
        let e = cx.select(forward, clamp(e, zero, n)?, clamp(e, minus_one, last)?)?;
        let span = cx.select(
            forward,
            cx.bin("arith.subi", e, s)?,
            cx.bin("arith.subi", s, e)?,
        )?;
        let stride = cx.select(forward, t, cx.bin("arith.subi", zero, t)?)?;
        let count = cx.bin("arith.ceildivsi", span, stride)?;
        let count = cx.bin("arith.maxsi", count, zero)?;
        sizes[a] = DimV::Dynamic(cx.op1("arith.index_cast", &[count], index_t, &[])?);
        starts.push(cx.op1("arith.index_cast", &[s], index_t, &[])?);
        steps.push(cx.op1("arith.index_cast", &[t], index_t, &[])?);
    }
    let e = cx.empty(&sizes, out.dtype)?;
    let mut caps = vec![data.0];
    caps.extend(&starts);
    caps.extend(&steps);
    let n_axes = axes.len();
    Ok(cx.generic(
        &[],
        &[e],
        &[identity_map(rank)],
        &vec!["parallel"; rank],
        &caps,
        move |b, _, caps| {
            let mut coords = vec![caps[0]];
            for i in 0..rank {
                let pos = loop_index(b, i)?;
                coords.push(match axes.iter().position(|&a| a == i) {
                    Some(k) => {
                        let moved = b.bin("arith.muli", pos, caps[1 + n_axes + k])?;
                        b.bin("arith.addi", caps[1 + k], moved)?
                    }
                    None => pos,
                });
            }
            let elem = super::ir::element_type(caps[0].r#type())?;
            Ok(vec![b.op1("tensor.extract", &coords, elem, &[])?])
        },
    )?[0])
}

/// Padding by run-time amounts: result position `j` along padded axis `a`
/// reads `x` at `j - begin`; outside `[0, d)` that source is the `value`
/// (constant), clamped (edge), mirrored with period `2 (d - 1)` (reflect)
/// or taken modulo `d` (wrap). Each padded extent is `d + begin + end`.
fn pad_at<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    ins: &[Operand<'c, 'a, '_>],
    mode: PadMode,
    axes: &[usize],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let (x, rank, n) = (ins[0], out.rank(), axes.len());
    let i64t = cx.elem(DType::I64)?;
    let index_t = cx.index_type();
    let mut sizes = sizes_but(cx, x, axes)?;
    // Captured: x, the value, then per padded axis its length and begin.
    let value = cx.op1("tensor.extract", &[ins[2].0], cx.elem(out.dtype)?, &[])?;
    let mut caps = vec![x.0, value];
    let zero = cx.index(0)?;
    for (k, &a) in axes.iter().enumerate() {
        let read = |at: usize| -> Result<Val<'c, 'a>> {
            let at = cx.index(at as i64)?;
            let v = cx.op1("tensor.extract", &[ins[1].0, at], i64t, &[])?;
            cx.op1("arith.index_cast", &[v], index_t, &[])
        };
        let (begin, end) = (read(k)?, read(n + k)?);
        let len = cx.dim(x.0, a)?;
        let size = cx.bin("arith.addi", cx.bin("arith.addi", len, begin)?, end)?;
        sizes[a] = DimV::Dynamic(cx.bin("arith.maxsi", size, zero)?);
        caps.push(len);
        caps.push(begin);
    }
    let e = cx.empty(&sizes, out.dtype)?;
    let axes = axes.to_vec();
    Ok(cx.generic(
        &[],
        &[e],
        &[identity_map(rank)],
        &vec!["parallel"; rank],
        &caps,
        move |b, _, caps| {
            let (zero, one) = (b.index(0)?, b.index(1)?);
            let mut coords = vec![caps[0]];
            let mut inside: Option<Val<'c, '_>> = None;
            for i in 0..rank {
                let j = loop_index(b, i)?;
                let Some(k) = axes.iter().position(|&a| a == i) else {
                    coords.push(j);
                    continue;
                };
                let (len, begin) = (caps[2 + 2 * k], caps[3 + 2 * k]);
                let src = b.bin("arith.subi", j, begin)?;
                let last = b.bin("arith.subi", len, one)?;
                let clamped = b.bin("arith.minsi", b.bin("arith.maxsi", src, zero)?, last)?;
                coords.push(match mode {
                    PadMode::Constant => {
                        let ok = b.bin(
                            "arith.andi",
                            b.cmpi(5, src, zero)?, // sge
                            b.cmpi(2, src, len)?,  // slt
                        )?;
                        inside = Some(match inside {
                            Some(all) => b.bin("arith.andi", all, ok)?,
                            None => ok,
                        });
                        clamped
                    }
                    PadMode::Edge => clamped,
                    PadMode::Wrap => modulo(b, src, b.bin("arith.maxsi", len, one)?)?,
                    PadMode::Reflect => {
                        let period = b.bin("arith.addi", last, last)?;
                        let m = modulo(b, src, b.bin("arith.maxsi", period, one)?)?;
                        let back = b.bin("arith.subi", period, m)?;
                        b.select(b.cmpi(2, m, len)?, m, back)?
                    }
                });
            }
            let elem = super::ir::element_type(caps[0].r#type())?;
            let read = b.op1("tensor.extract", &coords, elem, &[])?;
            Ok(vec![match inside {
                Some(ok) => b.select(ok, read, caps[1])?,
                None => read,
            }])
        },
    )?[0])
}

/// `v` modulo `m` (> 0) in `[0, m)` for negative `v` too.
fn modulo<'c, 'b>(b: &Ctx<'c, 'b>, v: Val<'c, 'b>, m: Val<'c, 'b>) -> Result<Val<'c, 'b>> {
    let r = b.bin("arith.remsi", v, m)?;
    b.bin("arith.remsi", b.bin("arith.addi", r, m)?, m)
}

/// Reshape to a run-time shape with ONNX's rules: entry `t` is `x`'s dim
/// when 0 (unless `allow_zero`), the element count over the other entries
/// when -1, else itself; the result is `tensor.reshape` to those dims.
fn reshape_to<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    shape: Operand<'c, 'a, '_>,
    allow_zero: bool,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let i64t = cx.elem(DType::I64)?;
    let (zero, one, minus_one) = (
        cx.scalar_int(DType::I64, 0)?,
        cx.scalar_int(DType::I64, 1)?,
        cx.scalar_int(DType::I64, -1)?,
    );
    let mut count = one;
    for i in 0..x.1.rank() {
        let d = cx.op1("arith.index_cast", &[cx.dim(x.0, i)?], i64t, &[])?;
        count = cx.bin("arith.muli", count, d)?;
    }
    let mut entries = Vec::with_capacity(out.rank());
    for k in 0..out.rank() {
        let at = cx.index(k as i64)?;
        let t = cx.op1("tensor.extract", &[shape.0, at], i64t, &[])?;
        let t = if !allow_zero && k < x.1.rank() {
            let d = cx.op1("arith.index_cast", &[cx.dim(x.0, k)?], i64t, &[])?;
            cx.select(cx.cmpi(0, t, zero)?, d, t)?
        } else {
            t
        };
        entries.push(t);
    }
    // The product of the entries other than -1 gives the inferred one.
    let mut rest = one;
    for &t in &entries {
        let factor = cx.select(cx.cmpi(0, t, minus_one)?, one, t)?;
        rest = cx.bin("arith.muli", rest, factor)?;
    }
    let inferred = cx.bin("arith.divsi", count, cx.bin("arith.maxsi", rest, one)?)?;
    let index_t = cx.index_type();
    let dims: Vec<Val<'c, 'a>> = entries
        .iter()
        .map(|&t| {
            let t = cx.select(cx.cmpi(0, t, minus_one)?, inferred, t)?;
            cx.op1("arith.index_cast", &[t], index_t, &[])
        })
        .collect::<Result<_>>()?;
    reshape_to_dims(cx, x, &dims, out)
}

/// Numpy broadcast of `x` to a run-time shape. A result dim known at
/// conversion is static; another is the shape's entry, or `x`'s dim where
/// the entry is 1. Each `x` dim not known at conversion is read at position
/// 0 when it is 1 at run time and along the result otherwise.
fn broadcast_to<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    shape: Operand<'c, 'a, '_>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = out.rank();
    if x.1.rank() <= rank && x.1.known_dims().is_some() && out.known_dims().is_some() {
        // Every dim is known: a plain broadcast, which compilers see as one (no
        // element reads at computed coordinates).
        let e = cx.empty_like(out, &[])?;
        return Ok(cx.generic(
            &[x.0],
            &[e],
            &[broadcast_map(&x.1.shape, &out.shape), identity_map(rank)],
            &vec!["parallel"; rank],
            &[],
            |_, v, _| Ok(vec![v[0]]),
        )?[0]);
    }
    let offset = rank - x.1.rank();
    let i64t = cx.elem(DType::I64)?;
    let index_t = cx.index_type();
    let one = cx.index(1)?;
    let mut sizes = Vec::with_capacity(rank);
    for (k, d) in out.shape.iter().enumerate() {
        sizes.push(match d {
            Dim::Known(n) => DimV::Static(*n),
            Dim::Symbol(_) => {
                let at = cx.index(k as i64)?;
                let t = cx.op1("tensor.extract", &[shape.0, at], i64t, &[])?;
                let t = cx.op1("arith.index_cast", &[t], index_t, &[])?;
                if k < offset {
                    DimV::Dynamic(t)
                } else {
                    let xd = cx.dim(x.0, k - offset)?;
                    let is_one = cx.cmpi(0, t, one)?; // eq
                    DimV::Dynamic(cx.select(is_one, xd, t)?)
                }
            }
        });
    }
    // Per x dim: whether it is read at 0 (a run-time 1), for the dims not known now.
    let mut caps = vec![x.0];
    let mut flags = Vec::with_capacity(x.1.rank());
    for (i, d) in x.1.shape.iter().enumerate() {
        flags.push(match d {
            Dim::Known(1) => Some(true),
            Dim::Known(_) => Some(false),
            Dim::Symbol(_) => {
                caps.push(cx.cmpi(0, cx.dim(x.0, i)?, one)?);
                None
            }
        });
    }
    let e = cx.empty(&sizes, out.dtype)?;
    Ok(cx.generic(
        &[],
        &[e],
        &[identity_map(rank)],
        &vec!["parallel"; rank],
        &caps,
        move |b, _, caps| {
            let zero = b.index(0)?;
            let mut coords = vec![caps[0]];
            let mut next_flag = 1;
            for (i, flag) in flags.iter().enumerate() {
                let pos = loop_index(b, offset + i)?;
                coords.push(match flag {
                    Some(true) => zero,
                    Some(false) => pos,
                    None => {
                        let is_one = caps[next_flag];
                        next_flag += 1;
                        b.select(is_one, zero, pos)?
                    }
                });
            }
            let elem = super::ir::element_type(caps[0].r#type())?;
            Ok(vec![b.op1("tensor.extract", &coords, elem, &[])?])
        },
    )?[0])
}

/// `start + i * delta` for `i < max(ceil((limit - start) / delta), 0)`.
fn range<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = out.dtype;
    let elem = cx.elem(d)?;
    let index_t = cx.index_type();
    let read = |v: Val<'c, 'a>| cx.op1("tensor.extract", &[v], elem, &[]);
    let (start, limit, delta) = (read(ins[0].0)?, read(ins[1].0)?, read(ins[2].0)?);
    let count = if d.is_float() {
        let span = cx.bin("arith.subf", limit, start)?;
        let steps = cx.un("math.ceil", cx.bin("arith.divf", span, delta)?)?;
        let i64t = cx.elem(DType::I64)?;
        let n = cx.op1("arith.fptosi", &[steps], i64t, &[])?;
        let zero = cx.scalar_int(DType::I64, 0)?;
        let n = cx.bin("arith.maxsi", n, zero)?;
        cx.op1("arith.index_cast", &[n], index_t, &[])?
    } else {
        let span = cx.bin("arith.subi", limit, start)?;
        let n = cx.bin("arith.ceildivsi", span, delta)?;
        let zero = cx.scalar_int(d, 0)?;
        let n = cx.bin("arith.maxsi", n, zero)?;
        cx.op1("arith.index_cast", &[n], index_t, &[])?
    };
    let e = cx.empty(&[DimV::Dynamic(count)], d)?;
    Ok(cx.generic(
        &[],
        &[e],
        &[identity_map(1)],
        &["parallel"],
        &[start, delta],
        move |b, _, caps| {
            let i = loop_index(b, 0)?;
            let elem = caps[0].r#type();
            let v = if d.is_float() {
                let i64t = b.elem(DType::I64)?;
                let i = b.op1("arith.index_cast", &[i], i64t, &[])?;
                let i = b.op1("arith.sitofp", &[i], elem, &[])?;
                let moved = b.bin("arith.mulf", i, caps[1])?;
                b.bin("arith.addf", caps[0], moved)?
            } else {
                let i = b.op1("arith.index_cast", &[i], elem, &[])?;
                let moved = b.bin("arith.muli", i, caps[1])?;
                b.bin("arith.addi", caps[0], moved)?
            };
            Ok(vec![v])
        },
    )?[0])
}

/// A Gather's constant indices when they are evenly spaced positions
/// `start + k * step` (step >= 1) of a static axis: a strided window that
/// `tensor.extract_slice` takes. Compilers fold that into the loads of its
/// consumers; a `tensor.extract` at a computed position in a `linalg.generic`
/// stops their fusion (IREE gave each such Gather a dispatch of its own).
/// Scalar indices take one position and drop the axis.
#[derive(Debug, PartialEq)]
pub(crate) struct Progression {
    axis: usize,
    start: u64,
    count: u64,
    step: u64,
    scalar: bool,
}

impl Progression {
    /// None unless every index is in range (negative ones count from the
    /// end of the `len` positions) and they are evenly spaced, rising.
    pub(crate) fn of(indices: &o2l_canon::Tensor, axis: usize, len: u64) -> Option<Progression> {
        let scalar = match indices.dims.len() {
            0 => true,
            1 => false,
            _ => return None,
        };
        if !indices.dtype.is_int() || indices.num_elements() == 0 {
            return None;
        }
        let len = i64::try_from(len).ok()?;
        let at = |i: i64| -> Option<u64> {
            let i = if i < 0 { i.checked_add(len)? } else { i };
            (0..len).contains(&i).then_some(i as u64)
        };
        let picks: Vec<u64> = indices
            .to_i64s()
            .into_iter()
            .map(at)
            .collect::<Option<_>>()?;
        let start = picks[0];
        let step = match picks.get(1) {
            Some(&next) if next > start => next - start,
            Some(_) => return None,
            None => 1,
        };
        let even = picks.iter().enumerate().all(|(k, &p)| {
            Some(p)
                == (k as u64)
                    .checked_mul(step)
                    .and_then(|o| o.checked_add(start))
        });
        even.then_some(Progression {
            axis,
            start,
            count: picks.len() as u64,
            step,
            scalar,
        })
    }

    /// The positions of `x` along the axis.
    pub(crate) fn lower<'c, 'a>(
        &self,
        cx: &Ctx<'c, 'a>,
        x: Operand<'c, 'a, '_>,
        out: &TensorType,
    ) -> Result<Val<'c, 'a>> {
        let rank = x.1.rank();
        let mut offsets = vec![0; rank];
        let mut sizes = vec![None; rank];
        let mut strides = vec![1; rank];
        offsets[self.axis] = self.start as i64;
        sizes[self.axis] = Some(self.count);
        strides[self.axis] = self.step as i64;
        let dropped = self.scalar.then_some(self.axis);
        let (v, ty) = cx.extract_slice(x, &offsets, &sizes, &strides, dropped)?;
        if ty.shape.len() != out.shape.len() {
            o2l_canon::bail!(Internal, "Gather as a slice: {ty} for a result of {out}");
        }
        Ok(v)
    }
}

fn gather<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    data: Operand<'c, 'a, '_>,
    idx: Operand<'c, 'a, '_>,
    axis: usize,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = out.rank();
    let q = idx.1.rank();
    let e = cx.empty_like(out, &[data, idx])?;
    let idx_map = map_str(
        rank,
        &(axis..axis + q)
            .map(|i| format!("d{i}"))
            .collect::<Vec<_>>(),
    );
    let axis_len = cx.dim(data.0, axis)?;
    let data_rank = data.1.rank();
    let maps = [idx_map, identity_map(rank)];
    let iters = vec!["parallel"; rank];
    Ok(cx.generic(
        &[idx.0],
        &[e],
        &maps,
        &iters,
        &[data.0, axis_len],
        move |b, v, caps| {
            let index_t = b.index_type();
            let i = b.op1("arith.index_cast", &[v[0]], index_t, &[])?;
            // Negative indices count from the end.
            let zero = b.index(0)?;
            let neg = b.cmpi(2, i, zero)?; // slt
            let wrapped = b.bin("arith.addi", i, caps[1])?;
            let i = b.select(neg, wrapped, i)?;
            let mut coords = Vec::with_capacity(data_rank + 1);
            coords.push(caps[0]);
            let linalg_index = |k: usize| -> Result<Val<'c, '_>> {
                let dim = b.parse_attr(&format!("{k} : i64"))?;
                b.op1("linalg.index", &[], index_t, &[("dim", dim)])
            };
            for k in 0..axis {
                coords.push(linalg_index(k)?);
            }
            coords.push(i);
            for k in axis + 1..data_rank {
                coords.push(linalg_index(k - 1 + q)?);
            }
            let elem = super::ir::element_type(caps[0].r#type())?;
            Ok(vec![b.op1("tensor.extract", &coords, elem, &[])?])
        },
    )?[0])
}

/// ScatterElements (`axis` given) and ScatterND (`axis` None) as one `scf.for`
/// over the updates' elements in row-major order, carrying the result tensor:
/// each step reads the update and the addressed element with `tensor.extract`,
/// combines them and writes back with `tensor.insert`, so duplicate indices
/// apply in turn. Needs static updates; a data dim known only at run time
/// (an index wraps by it) is read with `tensor.dim` of the data before the loop.
///
/// Data of rank 2 or more is carried flat (`tensor.collapse_shape` to one dim
/// before the loop, `tensor.expand_shape` after it) and written at the
/// row-major offset: IREE 3.13 turns a host-side `tensor.insert` into a fill
/// whose length is the offset of element [1, 1, ..] (one element only in one
/// dim), which writes past the element or out of the buffer.
fn scatter<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    data: Operand<'c, 'a, '_>,
    idx: Operand<'c, 'a, '_>,
    upd: Operand<'c, 'a, '_>,
    axis: Option<usize>,
    reduction: ScatterReduction,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let Some(udims) = upd.1.known_dims() else {
        o2l_canon::bail!(
            Unsupported,
            "scatter needs static updates, got data {}, updates {}",
            data.1,
            upd.1
        );
    };
    let ddims: Vec<Option<u64>> = data.1.shape.iter().map(Dim::known).collect();

    let total: u64 = udims.iter().product();
    if total == 0 {
        return Ok(data.0);
    }
    if let Some(ax) = axis
        && let Some(v) = scatter_elements_gathered(cx, data, idx, upd, ax, &udims, reduction)?
    {
        return Ok(v);
    }
    let d = out.dtype;
    let combine = combiner(d, reduction);
    let idx_d = idx.1.dtype;
    let q = idx.1.rank();
    let rank = ddims.len();
    let flat = rank >= 2;
    // The carried tensor: the data itself, or flattened to one dim.
    let (init, carried) = if flat {
        let n = ddims
            .iter()
            .try_fold(1u64, |p, d| d.map(|n| p * n))
            .map_or_else(|| Dim::Symbol("scatter_flat".into()), Dim::Known);
        let flat_t = TensorType::new(d, vec![n]);
        let v = cx.collapse(data.0, &[(0..rank).collect()], &flat_t)?;
        (v, cx.tensor(&flat_t.shape, d)?)
    } else {
        (data.0, cx.tensor(&out.shape, d)?)
    };
    // Data dims known only at run time, read before the loop.
    let mut caps = vec![idx.0, upd.0];
    let mut dyn_at = vec![None; rank];
    for (k, dn) in ddims.iter().enumerate() {
        if dn.is_none() {
            dyn_at[k] = Some(caps.len());
            caps.push(cx.dim(data.0, k)?);
        }
    }
    let lb = cx.index(0)?;
    let ub = cx.index(total as i64)?;
    let step = cx.index(1)?;
    let region = cx.region(
        "scf.yield",
        &[cx.index_type(), carried],
        &caps,
        move |b, args, caps| {
            let (iv, acc) = (args[0], args[1]);
            let (idx_t, upd_t) = (caps[0], caps[1]);
            let len_of = |k: usize| -> Result<Val<'c, '_>> {
                match (
                    ddims.get(k).copied().flatten(),
                    dyn_at.get(k).copied().flatten(),
                ) {
                    (Some(n), _) => b.index(n as i64),
                    (None, Some(at)) => Ok(caps[at]),
                    (None, None) => Err(o2l_canon::Error::internal("scatter: a data dim")),
                }
            };
            // Row-major coordinates of the update.
            let mut coords = vec![iv; udims.len()];
            let mut rest = iv;
            for (k, &n) in udims.iter().enumerate().rev() {
                let nv = b.index(n as i64)?;
                coords[k] = b.bin("arith.remui", rest, nv)?;
                rest = b.bin("arith.divui", rest, nv)?;
            }
            let idx_elem = super::ir::element_type(idx_t.r#type())?;
            let elem = b.elem(d)?;
            let mut at = vec![upd_t];
            at.extend(coords.iter().copied());
            let u = b.op1("tensor.extract", &at, elem, &[])?;
            let target: Vec<Val<'c, '_>> = match axis {
                Some(ax) => {
                    let mut at = vec![idx_t];
                    at.extend(coords.iter().copied());
                    let raw = b.op1("tensor.extract", &at, idx_elem, &[])?;
                    let len = len_of(ax)?;
                    let mut t = coords.clone();
                    t[ax] = wrapped_index(b, raw, idx_d, len)?;
                    t
                }
                None => {
                    let k = ddims.len() + q - 1 - udims.len();
                    let mut t = Vec::with_capacity(ddims.len());
                    for j in 0..k {
                        let mut at = vec![idx_t];
                        at.extend(coords[..q - 1].iter().copied());
                        at.push(b.index(j as i64)?);
                        let raw = b.op1("tensor.extract", &at, idx_elem, &[])?;
                        let len = len_of(j)?;
                        t.push(wrapped_index(b, raw, idx_d, len)?);
                    }
                    t.extend(coords[q - 1..].iter().copied());
                    t
                }
            };
            // The row-major offset in the flat carried tensor.
            let target = if flat {
                let mut lin = target[0];
                for (k, &t) in target.iter().enumerate().skip(1) {
                    let len = len_of(k)?;
                    let scaled = b.bin("arith.muli", lin, len)?;
                    lin = b.bin("arith.addi", scaled, t)?;
                }
                vec![lin]
            } else {
                target
            };
            let value = match combine {
                None => u,
                Some(name) => {
                    let mut at = vec![acc];
                    at.extend(target.iter().copied());
                    let old = b.op1("tensor.extract", &at, elem, &[])?;
                    b.bin(name, old, u)?
                }
            };
            let mut operands = vec![value, acc];
            operands.extend(target);
            Ok(vec![b.op1(
                "tensor.insert",
                &operands,
                acc.r#type(),
                &[],
            )?])
        },
    )?;
    let result = cx.op1_regions("scf.for", &[lb, ub, step, init], carried, &[], vec![region])?;
    if !flat {
        return Ok(result);
    }
    let shaped = TensorType::new(d, data.1.shape.clone());
    cx.expand(result, &[(0..rank).collect()], &shaped, &[(data.0, data.1)])
}

/// The op that combines an element with an update, None when the update replaces it.
fn combiner(d: DType, reduction: ScatterReduction) -> Option<&'static str> {
    let float = d.is_float();
    let unsigned = d.is_unsigned_int() || d == DType::Bool;
    match reduction {
        ScatterReduction::None => None,
        ScatterReduction::Add => Some(if float { "arith.addf" } else { "arith.addi" }),
        ScatterReduction::Mul => Some(if float { "arith.mulf" } else { "arith.muli" }),
        ScatterReduction::Max => Some(if float {
            "arith.maximumf"
        } else if unsigned {
            "arith.maxui"
        } else {
            "arith.maxsi"
        }),
        ScatterReduction::Min => Some(if float {
            "arith.minimumf"
        } else if unsigned {
            "arith.minui"
        } else {
            "arith.minsi"
        }),
    }
}

/// The most iterations (data elements times the updates' length along the
/// axis) a ScatterElements may take as one generic; larger ones stay a loop.
const SCATTER_GENERIC_MAX: u64 = 1 << 24;

/// ScatterElements as one generic over the data's elements and, innermost, the
/// updates along `axis` (a reduction in order, so later updates win or combine
/// in turn): an element takes `upd[.., j, ..]` where `idx[.., j, ..]` names its
/// position, its old value otherwise. Only when the data's shape is known,
/// equals the updates' off the axis, and the product is at most
/// `SCATTER_GENERIC_MAX` (else None, and the caller loops). IREE runs a
/// function-level `scf.for` of `tensor.insert`s on the host, one transfer per
/// element (the gather_scatter fixture: 60x its own import's `scatter` op);
/// this generic is one dispatch.
fn scatter_elements_gathered<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    data: Operand<'c, 'a, '_>,
    idx: Operand<'c, 'a, '_>,
    upd: Operand<'c, 'a, '_>,
    ax: usize,
    udims: &[u64],
    reduction: ScatterReduction,
) -> Result<Option<Val<'c, 'a>>> {
    let Some(ddims) = data.1.known_dims() else {
        return Ok(None);
    };
    let rank = ddims.len();
    let same_off_axis = udims.len() == rank
        && idx.1.known_dims().as_deref() == Some(udims)
        && (0..rank).all(|k| k == ax || ddims[k] == udims[k]);
    let steps = ddims
        .iter()
        .try_fold(udims.get(ax).copied().unwrap_or(0), |p, &n| {
            p.checked_mul(n)
        });
    if !same_off_axis || ax >= rank || steps.is_none_or(|n| n > SCATTER_GENERIC_MAX) {
        return Ok(None);
    }
    let d = data.1.dtype;
    let combine = combiner(d, reduction);
    let loops = rank + 1;
    let own: Vec<String> = (0..rank).map(|k| format!("d{k}")).collect();
    let mut along = own.clone();
    along[ax] = format!("d{rank}");
    let mut iters = vec!["parallel"; rank];
    iters.push("reduction");
    let idx_d = idx.1.dtype;
    let len = ddims[ax] as i64;
    Ok(Some(
        cx.generic(
            &[idx.0, upd.0],
            &[data.0],
            &[
                map_str(loops, &along),
                map_str(loops, &along),
                map_str(loops, &own),
            ],
            &iters,
            &[],
            move |b, v, _| {
                let (raw, u, acc) = (v[0], v[1], v[2]);
                let lenv = b.index(len)?;
                let target = wrapped_index(b, raw, idx_d, lenv)?;
                let here = loop_index(b, ax)?;
                let hit = b.cmpi(0, target, here)?; // eq
                let value = match combine {
                    None => u,
                    Some(name) => b.bin(name, acc, u)?,
                };
                Ok(vec![b.select(hit, value, acc)?])
            },
        )?[0],
    ))
}

/// TensorScatter as one generic over the cache: each element takes the update
/// slice `s - w[b]` (modulo the axis length when circular) when that falls in
/// `0..n`, its old value otherwise.
fn tensor_scatter<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    cache: Operand<'c, 'a, '_>,
    upd: Operand<'c, 'a, '_>,
    write: Option<Operand<'c, 'a, '_>>,
    axis: usize,
    circular: bool,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    if upd.1.shape[axis] == Dim::Known(0) {
        return Ok(cache.0);
    }
    let rank = out.rank();
    let e = cx.empty_like(out, &[cache])?;
    let n = cx.dim(upd.0, axis)?;
    let m = cx.dim(cache.0, axis)?;
    let mut caps = vec![upd.0, n, m];
    if let Some(w) = write {
        caps.push(w.0);
    }
    let w_dtype = write.map(|w| w.1.dtype);
    let maps = [identity_map(rank), identity_map(rank)];
    let iters = vec!["parallel"; rank];
    Ok(
        cx.generic(&[cache.0], &[e], &maps, &iters, &caps, move |b, v, caps| {
            let (upd_t, n, m) = (caps[0], caps[1], caps[2]);
            let s = loop_index(b, axis)?;
            let w = match (caps.get(3), w_dtype) {
                (Some(&wt), Some(d)) => {
                    let batch = loop_index(b, 0)?;
                    let elem = super::ir::element_type(wt.r#type())?;
                    let raw = b.op1("tensor.extract", &[wt, batch], elem, &[])?;
                    let i64t = b.elem(DType::I64)?;
                    let wide = if d == DType::I64 {
                        raw
                    } else {
                        b.op1("arith.extsi", &[raw], i64t, &[])?
                    };
                    b.op1("arith.index_cast", &[wide], b.index_type(), &[])?
                }
                _ => b.index(0)?,
            };
            let mut rel = b.bin("arith.subi", s, w)?;
            if circular {
                // ((s - w) mod m + m) mod m, non-negative.
                let r = b.bin("arith.remsi", rel, m)?;
                let r = b.bin("arith.addi", r, m)?;
                rel = b.bin("arith.remsi", r, m)?;
            }
            let zero = b.index(0)?;
            let ge0 = b.cmpi(5, rel, zero)?; // sge
            let ltn = b.cmpi(2, rel, n)?; // slt
            let hit = b.bin("arith.andi", ge0, ltn)?;
            // Clamped so the read stays in bounds where it is not used.
            let one = b.index(1)?;
            let last = b.bin("arith.subi", n, one)?;
            let lo = b.op1("arith.maxsi", &[rel, zero], b.index_type(), &[])?;
            let at_axis = b.op1("arith.minsi", &[lo, last], b.index_type(), &[])?;
            let mut coords = vec![upd_t];
            for k in 0..rank {
                coords.push(if k == axis {
                    at_axis
                } else {
                    loop_index(b, k)?
                });
            }
            let elem = super::ir::element_type(upd_t.r#type())?;
            let u = b.op1("tensor.extract", &coords, elem, &[])?;
            Ok(vec![b.select(hit, u, v[0])?])
        })?[0],
    )
}

#[cfg(test)]
mod tests {

    use super::Progression;
    use crate::testing::{Case, check, f32t, t};
    use o2l_canon::ops::Movement;
    use o2l_canon::{DType, Dim, Op, TensorType};

    #[test]
    fn movement_ops() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 3, 4]));
        let r = c.node(
            Op::Movement(Movement::Reshape {
                shape: vec![Dim::Known(6), Dim::Known(4)],
            }),
            &[x],
            "flatten",
        );
        let r2 = c.node(
            Op::Movement(Movement::Reshape {
                shape: vec![Dim::Known(6), Dim::Known(1), Dim::Known(4)],
            }),
            &[r],
            "unsqueeze",
        );
        let r3 = c.node(
            Op::Movement(Movement::Reshape {
                shape: vec![Dim::Known(4), Dim::Known(6)],
            }),
            &[r2],
            "reshape",
        );
        let tr = c.node(
            Op::Movement(Movement::Transpose { perm: vec![1, 0] }),
            &[r3],
            "tr",
        );
        let cc = c.node(Op::Movement(Movement::Concat { axis: 0 }), &[tr, tr], "cat");
        check(
            &c.output(cc),
            &[
                "tensor.collapse_shape %arg0 [[0, 1], [2]]",
                "tensor.expand_shape",
                "[[0], [1, 2]] output_shape [6, 1, 4]",
                "tensor.collapse_shape",
                "tensor<24xf32>",
                "linalg.transpose",
                "permutation = [1, 0]",
                "tensor.concat dim(0)",
                "tensor<12x4xf32>",
            ],
        );
    }

    #[test]
    fn fill_is_empty_and_linalg_fill() {
        let mut c = Case::new();
        let v = c.input("v", f32t(&[]));
        let y = c.node(
            Op::Movement(Movement::Fill {
                shape: vec![4096, 25088],
            }),
            &[v],
            "fill",
        );
        check(
            &c.output(y),
            &[
                "tensor.extract %arg0[] : tensor<f32>",
                "tensor.empty() : tensor<4096x25088xf32>",
                "linalg.fill ins(%extracted : f32) outs(%0 : tensor<4096x25088xf32>)",
            ],
        );
    }

    #[test]
    fn gather_and_shape_of() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[5, 3]));
        let i = c.input("i", t(DType::I64, &[2, 2]));
        let y = c.node(
            Op::Movement(Movement::Gather { axis: 0 }),
            &[x, i],
            "gather",
        );
        check(
            &c.output(y),
            &[
                "affine_map<(d0, d1, d2) -> (d0, d1)>",
                "arith.index_cast",
                "arith.cmpi slt",
                "arith.select",
                "linalg.index 2",
                "tensor.extract %arg0",
                "tensor<2x2x3xf32>",
            ],
        );
        let mut c = Case::new();
        let x = c.input(
            "x",
            TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(3)]),
        );
        let s = c.node(Op::Movement(Movement::ShapeOf), &[x], "shape");
        check(
            &c.output(s),
            &["tensor.dim", "arith.index_cast", "tensor.from_elements"],
        );
        // Symbolic reshape goes through tensor.reshape.
        let mut c = Case::new();
        let x = c.input(
            "x",
            TensorType::new(
                DType::F32,
                vec![Dim::Symbol("N".into()), Dim::Known(3), Dim::Known(2)],
            ),
        );
        let r = c.node(
            Op::Movement(Movement::Reshape {
                shape: vec![Dim::Symbol("N".into()), Dim::Known(6)],
            }),
            &[x],
            "reshape",
        );
        check(
            &c.output(r),
            &["tensor.from_elements", "tensor.reshape", "tensor<?x6xf32>"],
        );
    }

    #[test]
    fn reshape_to_a_new_symbolic_dim() {
        let mut c = Case::new();
        let x = c.input(
            "x",
            TensorType::new(
                DType::F32,
                vec![Dim::Symbol("N".into()), Dim::Known(3), Dim::Known(4)],
            ),
        );
        let r = c.node(
            Op::Movement(Movement::Reshape {
                shape: vec![Dim::Symbol("M".into())],
            }),
            &[x],
            "flat",
        );
        check(
            &c.output(r),
            &[
                "tensor.dim",
                "arith.muli",
                "arith.divui",
                "tensor.reshape",
                "tensor<?xf32>",
            ],
        );
    }

    /// Which constant indices a Gather takes as a window, on an axis of 8.
    #[test]
    fn evenly_spaced_positions_are_a_window() {
        let run = |dims: Vec<u64>, values: &[i64]| {
            let t = o2l_canon::Tensor::from_i64s(DType::I64, dims, values).unwrap();
            Progression::of(&t, 1, 8).map(|p| (p.start, p.count, p.step, p.scalar))
        };
        assert_eq!(run(vec![4], &[0, 1, 2, 3]), Some((0, 4, 1, false)));
        assert_eq!(run(vec![3], &[-6, 4, -2]), Some((2, 3, 2, false)));
        assert_eq!(run(vec![1], &[-1]), Some((7, 1, 1, false)));
        assert_eq!(run(vec![], &[5]), Some((5, 1, 1, true)));
        // Falling, repeated, unevenly spaced, out of range, 2-D: a gather.
        assert_eq!(run(vec![2], &[3, 2]), None);
        assert_eq!(run(vec![2], &[0, 0]), None);
        assert_eq!(run(vec![3], &[1, 3, 4]), None);
        assert_eq!(run(vec![2], &[7, 8]), None);
        assert_eq!(run(vec![1], &[-9]), None);
        assert_eq!(run(vec![1, 2], &[0, 1]), None);
        let floats = o2l_canon::Tensor::from_f64s(DType::F32, vec![1], &[1.0]).unwrap();
        assert_eq!(Progression::of(&floats, 0, 8), None);
    }
}
