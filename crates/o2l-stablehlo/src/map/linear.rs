//! Contractions: `dot_general` (batching and contracting dims) as a batched
//! MatMul between transposes and reshapes, `dot`, and `convolution` with its
//! dimension numbers made explicit: Transposes to the canonical channels-first
//! layouts around one Conv.
use super::ctx::{OpCtx, Rule, axes, rule};
use crate::parse::Attr;
use o2l_canon::ops::{Conv, Linear};
use o2l_canon::{Builder, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    rule(
        "stablehlo.dot_general",
        &["Cast", "Transpose", "Reshape", "MatMul"],
        dot_general,
        "(batch, free, contracting) x (batch, contracting, free) as one batched MatMul; operands cast to the result type",
    ),
    rule(
        "stablehlo.dot",
        &["Cast", "MatMul"],
        dot,
        "vector and matrix products",
    ),
    rule(
        "stablehlo.convolution",
        &["Transpose", "Gather", "Reshape", "Concat", "Conv", "Cast"],
        convolution,
        "any dimension numbers; stride, padding (negative crops), lhs dilation (zeros inserted), rhs dilation, window reversal, feature groups; batch_group_count 1",
    ),
];

/// (lhs, rhs) dims of a `batching_dims = [0] x [0]` or of `#stablehlo.dot<...>`.
fn dim_pair(ctx: &OpCtx, pretty: &str, lhs: &str, rhs: &str) -> Result<(Vec<i64>, Vec<i64>)> {
    if let Some(Attr::Product(parts)) = ctx.attr(&[pretty]) {
        let [a, b] = &parts[..] else {
            return Err(Error::invalid(format!("{pretty} needs lhs x rhs")));
        };
        let bad = || Error::invalid(format!("{pretty} must be integers"));
        return Ok((a.ints().ok_or_else(bad)?, b.ints().ok_or_else(bad)?));
    }
    if let Some(dn) = ctx.attr(&["dot_dimension_numbers"]) {
        let get = |k: &str| dn.item(k).and_then(Attr::ints).unwrap_or_default();
        return Ok((get(lhs), get(rhs)));
    }
    Ok((vec![], vec![]))
}

fn dot_general(ctx: &mut OpCtx) -> Result<()> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let to = ctx.result_type(0)?.dtype;
    let (a, b) = (ctx.cast(a, to)?, ctx.cast(b, to)?);
    let (ad, bd) = (ctx.dims(a)?, ctx.dims(b)?);
    let (lb, rb) = dim_pair(
        ctx,
        "batching_dims",
        "lhs_batching_dimensions",
        "rhs_batching_dimensions",
    )?;
    let (lc, rc) = dim_pair(
        ctx,
        "contracting_dims",
        "lhs_contracting_dimensions",
        "rhs_contracting_dimensions",
    )?;
    let (lb, rb) = (
        axes(&lb, ad.len(), "dot_general")?,
        axes(&rb, bd.len(), "dot_general")?,
    );
    let (lc, rc) = (
        axes(&lc, ad.len(), "dot_general")?,
        axes(&rc, bd.len(), "dot_general")?,
    );
    if lb.len() != rb.len() || lc.len() != rc.len() {
        return Err(Error::invalid("dot_general dims do not pair up"));
    }
    for (&i, &j) in lb.iter().zip(&rb).chain(lc.iter().zip(&rc)) {
        if ad[i] != bd[j] {
            return Err(Error::invalid(format!(
                "dot_general pairs lhs dim {i} ({}) with rhs dim {j} ({})",
                ad[i], bd[j]
            )));
        }
    }
    let lf: Vec<usize> = (0..ad.len())
        .filter(|i| !lb.contains(i) && !lc.contains(i))
        .collect();
    let rf: Vec<usize> = (0..bd.len())
        .filter(|i| !rb.contains(i) && !rc.contains(i))
        .collect();
    let batch: Vec<u64> = lb.iter().map(|&i| ad[i]).collect();
    let m: u64 = lf.iter().map(|&i| ad[i]).product();
    let k: u64 = lc.iter().map(|&i| ad[i]).product();
    let n: u64 = rf.iter().map(|&i| bd[i]).product();
    let pa: Vec<usize> = lb.iter().chain(&lf).chain(&lc).copied().collect();
    let pb: Vec<usize> = rb.iter().chain(&rc).chain(&rf).copied().collect();
    let a = ctx.transpose(a, &pa)?;
    let b = ctx.transpose(b, &pb)?;
    let mut sa = batch.clone();
    sa.extend([m, k]);
    let mut sb = batch.clone();
    sb.extend([k, n]);
    let a = ctx.reshape_to(a, &sa)?;
    let b = ctx.reshape_to(b, &sb)?;
    let y = ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])?;
    let out = ctx.result_dims(0)?;
    let y = ctx.reshape_to(y, &out)?;
    ctx.bind(0, y)
}

fn dot(ctx: &mut OpCtx) -> Result<()> {
    let (a, b) = (ctx.input(0)?, ctx.input(1)?);
    let to = ctx.result_type(0)?.dtype;
    let (a, b) = (ctx.cast(a, to)?, ctx.cast(b, to)?);
    let y = ctx.emit1(Op::Linear(Linear::MatMul), &[a, b])?;
    let out = ctx.result_dims(0)?;
    let y = ctx.reshape_to(y, &out)?;
    ctx.bind(0, y)
}

/// Where batch/feature (`b`,`f` or `i`,`o`) and each spatial dim sit in a layout.
struct Layout {
    /// Canonical order: [first, second, spatial 0, spatial 1, ..] as positions.
    order: Vec<usize>,
}

fn layout(list: &Attr, first: &str, second: &str) -> Result<Layout> {
    let Attr::List(items) = list else {
        return Err(Error::invalid(
            "convolution dimension numbers must be lists",
        ));
    };
    let mut a = None;
    let mut b = None;
    let mut spatial: Vec<Option<usize>> = vec![None; items.len().saturating_sub(2)];
    for (pos, it) in items.iter().enumerate() {
        match it {
            Attr::Ident(s) if s == first => a = Some(pos),
            Attr::Ident(s) if s == second => b = Some(pos),
            Attr::Int(k) => {
                let slot = usize::try_from(*k)
                    .ok()
                    .and_then(|k| spatial.get_mut(k))
                    .ok_or_else(|| Error::invalid(format!("spatial dim {k} out of range")))?;
                *slot = Some(pos);
            }
            other => {
                return Err(Error::invalid(format!(
                    "convolution dimension numbers: unexpected {other:?}"
                )));
            }
        }
    }
    let (Some(a), Some(b)) = (a, b) else {
        return Err(Error::invalid(format!(
            "convolution dimension numbers need {first} and {second}"
        )));
    };
    let mut order = vec![a, b];
    for s in spatial {
        order.push(s.ok_or_else(|| Error::invalid("a spatial dim is missing"))?);
    }
    Ok(Layout { order })
}

fn raw_layout(dn: &Attr, prefix: &str, first: &str, second: &str) -> Option<Layout> {
    let one = |k: &str| {
        dn.item(&format!("{prefix}_{k}"))
            .and_then(Attr::ints)
            .and_then(|v| v.first().copied())
    };
    let a = one(first)? as usize;
    let b = one(second)? as usize;
    let sp = dn.item(&format!("{prefix}_spatial_dimensions"))?.ints()?;
    let mut order = vec![a, b];
    order.extend(sp.iter().map(|&s| s as usize));
    Some(Layout { order })
}

fn conv_layouts(ctx: &OpCtx) -> Result<[Layout; 3]> {
    let a = ctx.req_attr(&["dim_numbers", "dimension_numbers"])?;
    let parts = match a {
        Attr::Product(p) => Some(p),
        Attr::Hash(_, items) => items.iter().find_map(|(_, v)| match v {
            Attr::Product(p) => Some(p),
            _ => None,
        }),
        _ => None,
    };
    if let Some(parts) = parts {
        let [i, k, o] = &parts[..] else {
            return Err(Error::invalid(
                "convolution dimension numbers need input x kernel -> output",
            ));
        };
        return Ok([
            layout(i, "b", "f")?,
            layout(k, "o", "i")?,
            layout(o, "b", "f")?,
        ]);
    }
    match (
        raw_layout(a, "input", "batch_dimension", "feature_dimension"),
        raw_layout(
            a,
            "kernel",
            "output_feature_dimension",
            "input_feature_dimension",
        ),
        raw_layout(a, "output", "batch_dimension", "feature_dimension"),
    ) {
        (Some(i), Some(k), Some(o)) => Ok([i, k, o]),
        _ => Err(Error::invalid("unreadable convolution dimension numbers")),
    }
}

/// A window attribute: the pretty `window = {stride = ..}` entry or the generic name.
fn window_ints(
    ctx: &OpCtx,
    pretty: &str,
    generic: &str,
    n: usize,
    default: i64,
) -> Result<Vec<i64>> {
    let a = ctx
        .attr(&["window"])
        .and_then(|w| w.item(pretty))
        .or_else(|| ctx.attr(&[generic]));
    let mut v = match a {
        Some(a) => a
            .ints()
            .ok_or_else(|| Error::invalid(format!("convolution {pretty} must be integers")))?,
        None => vec![default; n],
    };
    if let [one] = v[..] {
        v = vec![one; n];
    }
    if v.len() != n {
        return Err(Error::invalid(format!(
            "convolution {pretty} needs {n} values, got {}",
            v.len()
        )));
    }
    Ok(v)
}

/// Inserts `k` zeros between the elements of `x` along `axis`.
fn dilate(ctx: &mut OpCtx, x: ValueId, axis: usize, k: u64) -> Result<ValueId> {
    let dims = ctx.dims(x)?;
    let len = dims[axis];
    if k == 0 || len < 2 {
        return Ok(x);
    }
    if k > 1 << 16 {
        return Err(Error::unsupported(format!("an lhs dilation of {}", k + 1)));
    }
    let mut split = dims.clone();
    split.insert(axis + 1, 1);
    let col = ctx.reshape_to(x, &split)?;
    let wide = o2l_canon::compose::zeros_beside(ctx, col, axis + 1, k, false)?;
    let mut merged = dims;
    merged[axis] = len * (1 + k);
    let flat = ctx.reshape_to(wide, &merged)?;
    let keep = ((len - 1) * (1 + k) + 1) as i64;
    ctx.take(flat, axis, &(0..keep).collect::<Vec<_>>())
}

fn convolution(ctx: &mut OpCtx) -> Result<()> {
    let (x, w) = (ctx.input(0)?, ctx.input(1)?);
    let to = ctx.result_type(0)?.dtype;
    let (x, w) = (ctx.cast(x, to)?, ctx.cast(w, to)?);
    let rank = ctx.ty(x).rank();
    if rank < 3 || ctx.ty(w).rank() != rank {
        return Err(Error::unsupported(format!(
            "a convolution of {} with {}",
            ctx.ty(x),
            ctx.ty(w)
        )));
    }
    let n = rank - 2;
    let [li, lk, lo] = conv_layouts(ctx)?;
    if [&li, &lk, &lo].iter().any(|l| l.order.len() != rank) {
        return Err(Error::invalid(
            "convolution dimension numbers do not match the rank",
        ));
    }
    let batch_groups = ctx
        .attr(&["batch_group_count"])
        .and_then(Attr::ints)
        .and_then(|v| v.first().copied())
        .unwrap_or(1);
    if batch_groups != 1 {
        return Err(Error::unsupported(format!(
            "batch_group_count {batch_groups} (a gradient of a grouped convolution)"
        )));
    }
    let groups = ctx
        .attr(&["feature_group_count"])
        .and_then(Attr::ints)
        .and_then(|v| v.first().copied())
        .unwrap_or(1);
    let strides = window_ints(ctx, "stride", "window_strides", n, 1)?;
    let lhs_dil = window_ints(ctx, "lhs_dilate", "lhs_dilation", n, 1)?;
    let rhs_dil = window_ints(ctx, "rhs_dilate", "rhs_dilation", n, 1)?;
    let pads = window_ints(ctx, "pad", "padding", 2 * n, 0)?;
    let reversal = ctx
        .attr(&["window"])
        .and_then(|a| a.item("reverse"))
        .or_else(|| ctx.attr(&["window_reversal"]))
        .and_then(Attr::ints)
        .unwrap_or_default();
    if groups < 1
        || [&strides, &lhs_dil, &rhs_dil]
            .iter()
            .any(|v| v.iter().any(|&s| s < 1))
    {
        return Err(Error::invalid(
            "convolution strides, dilations and groups must be positive",
        ));
    }
    let mut y = ctx.transpose(x, &li.order)?;
    let mut f = ctx.transpose(w, &lk.order)?;
    let mut conv_pads = Vec::with_capacity(n);
    for i in 0..n {
        let axis = 2 + i;
        y = dilate(ctx, y, axis, (lhs_dil[i] - 1) as u64)?;
        let (lo, hi) = (pads[2 * i], pads[2 * i + 1]);
        if lo < 0 || hi < 0 {
            y = o2l_canon::compose::pad_or_crop(ctx, y, axis, lo.min(0), hi.min(0))?;
        }
        conv_pads.push((lo.max(0) as u64, hi.max(0) as u64));
        if reversal.get(i).copied().unwrap_or(0) != 0 {
            let k = ctx.dims(f)?[axis] as i64;
            f = ctx.take(f, axis, &(0..k).rev().collect::<Vec<_>>())?;
        }
    }
    let op = Op::Conv(Conv {
        strides: strides.iter().map(|&s| s as u64).collect(),
        dilations: rhs_dil.iter().map(|&s| s as u64).collect(),
        pads: conv_pads,
        groups: groups as u64,
    });
    let y = ctx.emit1(op, &[y, f])?;
    // Canonical [b, f, s..] to the output layout: position p holds canonical dim c.
    let mut perm = vec![0; rank];
    for (c, &p) in lo.order.iter().enumerate() {
        perm[p] = c;
    }
    let y = ctx.transpose(y, &perm)?;
    ctx.bind(0, y)
}
