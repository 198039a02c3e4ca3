//! Convolution: `tensor.pad` for padding, then `linalg.conv_{1,2,3}d_*` named
//! ops for one group, `linalg.depthwise_conv_*` for depthwise and
//! `linalg.conv_2d_ngchw_gfchw` for other grouped convolution (1-D through a
//! unit spatial dim), a `linalg.generic` over expanded group dims for grouped
//! 3-D convolution. Bias seeds the accumulator through
//! `linalg.broadcast`.
//!
//! QuantizedConv: the input padded with its own zero point (so padding reads
//! as 0 once the zero point is subtracted), then `linalg.conv_2d_nchw_fchw_q`
//! (one group) or `linalg.conv_2d_ngchw_gfchw_q` over expanded group dims
//! (grouped and depthwise) when both operands are i8, or a `linalg.generic`
//! with the same loops and body when one is u8 (the named ops only
//! sign-extend).
use super::ir::{Ctx, Extreme, Operand, Val, dense_i64, map_str, pick_map};
use super::linear::{acc_dtype, finish, mul_add, quantized_mul_add, scalar_of, unsigned_operands};
use o2l_canon::ops::{Conv, QuantizedConv};
use o2l_canon::{DType, Dim, Error, Result, TensorType};

pub(crate) fn lower_quantized<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &QuantizedConv,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let (x, w) = (ins[0], ins[1]);
    let zps = [scalar_of(cx, ins[2])?, scalar_of(cx, ins[3])?];
    let unsigned = unsigned_operands(ins);
    let (xp, xpt) = pad_spatial(cx, x, &op.pads, || {
        let narrow = cx.elem(x.1.dtype)?;
        cx.op1("arith.trunci", &[zps[0]], narrow, &[])
    })?;
    let mut srcs = vec![(xp, &xpt), x];
    if windowed_dims_unknown(x.1, out) {
        let kernel: Vec<u64> = w.1.static_dims("QuantizedConv filter")?[2..].to_vec();
        let extents =
            cx.window_extents(x, out, &op.pads, &kernel, &op.strides, &op.dilations, false)?;
        srcs.insert(0, (extents, out));
    }
    let strides: Vec<i64> = op.strides.iter().map(|&s| s as i64).collect();
    let dilations: Vec<i64> = op.dilations.iter().map(|&s| s as i64).collect();
    if op.groups != 1 {
        let wdims = w.1.static_dims("QuantizedConv filter")?;
        let (xr, xrt) =
            reach_trimmed(cx, (xp, &xpt), out, &op.strides, &op.dilations, &wdims[2..])?;
        return grouped_quantized(
            cx,
            op.groups,
            (xr, &xrt),
            w,
            zps,
            out,
            &srcs,
            (&strides, &dilations),
        );
    }
    let init = cx.filled(out, &srcs, Extreme::Zero)?;
    let ins_all = [xp, w.0, zps[0], zps[1]];
    if unsigned == [false, false] {
        let attrs = [
            ("strides", cx.parse_attr(&dense_i64(&strides))?),
            ("dilations", cx.parse_attr(&dense_i64(&dilations))?),
        ];
        return Ok(cx.structured(
            "linalg.conv_2d_nchw_fchw_q",
            &ins_all,
            &[init],
            &attrs,
            &[],
            move |b, v, _| Ok(vec![quantized_mul_add(b, v, unsigned)?]),
        )?[0]);
    }
    // Loops as the named op's: (n, f, oh, ow, c, kh, kw).
    let x_map = map_str(
        7,
        &[
            "d0".into(),
            "d4".into(),
            format!("d2 * {} + d5 * {}", strides[0], dilations[0]),
            format!("d3 * {} + d6 * {}", strides[1], dilations[1]),
        ],
    );
    let maps = [
        x_map,
        pick_map(7, &[1, 4, 5, 6]),
        pick_map(7, &[]),
        pick_map(7, &[]),
        pick_map(7, &[0, 1, 2, 3]),
    ];
    let iters = [
        "parallel",
        "parallel",
        "parallel",
        "parallel",
        "reduction",
        "reduction",
        "reduction",
    ];
    debug_assert_eq!(out.dtype, DType::I32);
    Ok(
        cx.generic(&ins_all, &[init], &maps, &iters, &[], move |b, v, _| {
            Ok(vec![quantized_mul_add(b, v, unsigned)?])
        })?[0],
    )
}

/// A grouped (or depthwise) QuantizedConv of the padded input `x`: x
/// `[N, G, C/G, H, W]`, w `[G, F/G, C/G, KH, KW]`, out `[N, G, F/G, OH, OW]`
/// through `linalg.conv_2d_ngchw_gfchw_q` (both i8) or a generic over the
/// named op's loops `(n, g, f, oh, ow, c, kh, kw)` with its body, then the
/// group dims collapsed.
#[allow(clippy::too_many_arguments)]
fn grouped_quantized<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    g: u64,
    x: Operand<'c, 'a, '_>,
    w: Operand<'c, 'a, '_>,
    zps: [Val<'c, 'a>; 2],
    out: &TensorType,
    srcs: &[Operand<'c, 'a, '_>],
    (strides, dilations): (&[i64], &[i64]),
) -> Result<Val<'c, 'a>> {
    let unsigned = [x.1.dtype == DType::U8, w.1.dtype == DType::U8];
    let wdims = w.1.static_dims("QuantizedConv filter")?;
    let (f, cg) = (wdims[0], wdims[1]);
    if g == 0 || !f.is_multiple_of(g) {
        o2l_canon::bail!(
            InvalidModel,
            "QuantizedConv: {f} filters do not split into {g} groups"
        );
    }
    let fg = f / g;
    let xs = vec![
        x.1.shape[0].clone(),
        Dim::Known(g),
        Dim::Known(cg),
        x.1.shape[2].clone(),
        x.1.shape[3].clone(),
    ];
    let xg = cx.expand(
        x.0,
        &[vec![0], vec![1, 2], vec![3], vec![4]],
        &TensorType::new(x.1.dtype, xs),
        srcs,
    )?;
    let ws = [g, fg, cg, wdims[2], wdims[3]].map(Dim::Known).to_vec();
    let wg = cx.expand(
        w.0,
        &[vec![0, 1], vec![2], vec![3], vec![4]],
        &TensorType::new(w.1.dtype, ws),
        &[],
    )?;
    let os = vec![
        out.shape[0].clone(),
        Dim::Known(g),
        Dim::Known(fg),
        out.shape[2].clone(),
        out.shape[3].clone(),
    ];
    let ogt = TensorType::new(DType::I32, os);
    let init = cx.filled(&ogt, srcs, Extreme::Zero)?;
    let ins_all = [xg, wg, zps[0], zps[1]];
    let r = if unsigned == [false, false] {
        let attrs = [
            ("strides", cx.parse_attr(&dense_i64(strides))?),
            ("dilations", cx.parse_attr(&dense_i64(dilations))?),
        ];
        cx.structured(
            "linalg.conv_2d_ngchw_gfchw_q",
            &ins_all,
            &[init],
            &attrs,
            &[],
            move |b, v, _| Ok(vec![quantized_mul_add(b, v, unsigned)?]),
        )?[0]
    } else {
        // Loops as the named op's: (n, g, f, oh, ow, c, kh, kw).
        let x_map = map_str(
            8,
            &[
                "d0".into(),
                "d1".into(),
                "d5".into(),
                format!("d3 * {} + d6 * {}", strides[0], dilations[0]),
                format!("d4 * {} + d7 * {}", strides[1], dilations[1]),
            ],
        );
        let maps = [
            x_map,
            pick_map(8, &[1, 2, 5, 6, 7]),
            pick_map(8, &[]),
            pick_map(8, &[]),
            pick_map(8, &[0, 1, 2, 3, 4]),
        ];
        let mut iters = vec!["parallel"; 5];
        iters.extend(["reduction"; 3]);
        cx.generic(&ins_all, &[init], &maps, &iters, &[], move |b, v, _| {
            Ok(vec![quantized_mul_add(b, v, unsigned)?])
        })?[0]
    };
    cx.collapse(r, &[vec![0], vec![1, 2], vec![3], vec![4]], out)
}

/// The padded input `x` cut to the positions the windows read: a grouped
/// kernel whose input is larger than its maps reach is rejected by some
/// consumers' shape inference (IREE's unit-dim folding).
fn reach_trimmed<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: (Val<'c, 'a>, &TensorType),
    out: &TensorType,
    strides: &[u64],
    dilations: &[u64],
    kernel: &[u64],
) -> Result<(Val<'c, 'a>, TensorType)> {
    let mut sizes = vec![None, None];
    let mut trim = false;
    for i in 0..kernel.len() {
        let (o, p) = (out.shape[2 + i].known(), x.1.shape[2 + i].known());
        let reach = o.map(|o| (o - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1);
        match (reach, p) {
            (Some(r), Some(p)) if o != Some(0) && r < p => {
                sizes.push(Some(r));
                trim = true;
            }
            _ => sizes.push(None),
        }
    }
    if trim {
        cx.leading(x, &sizes)
    } else {
        Ok((x.0, x.1.clone()))
    }
}

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Conv,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let (x, w) = (ins[0], ins[1]);
    let d = out.dtype;
    let n = x.1.rank() - 2;
    let (xp, xpt) = pad_spatial(cx, x, &op.pads, || cx.scalar(d, 0.0))?;
    let wdims = w.1.static_dims("Conv filter")?;
    let strides: Vec<i64> = op.strides.iter().map(|&s| s as i64).collect();
    let dilations: Vec<i64> = op.dilations.iter().map(|&s| s as i64).collect();
    let mut srcs = vec![(xp, &xpt), x];
    // Spatial extents only the run time knows are computed once, up front.
    if windowed_dims_unknown(x.1, out) {
        let kernel: Vec<u64> = wdims[2..].to_vec();
        let extents =
            cx.window_extents(x, out, &op.pads, &kernel, &op.strides, &op.dilations, false)?;
        srcs.insert(0, (extents, out));
    }
    let acc_out = TensorType::new(acc_dtype(d), out.shape.clone());
    if op.groups == 1 {
        let name = match n {
            1 => "linalg.conv_1d_ncw_fcw",
            2 => "linalg.conv_2d_nchw_fchw",
            3 => "linalg.conv_3d_ncdhw_fcdhw",
            _ => {
                return Err(Error::unsupported(format!(
                    "Conv with {n} spatial dims (1 to 3 are supported)"
                )));
            }
        };
        let init = init(cx, ins.get(2).copied(), &acc_out, &srcs, &[])?;
        let attrs = [
            ("strides", cx.parse_attr(&dense_i64(&strides))?),
            ("dilations", cx.parse_attr(&dense_i64(&dilations))?),
        ];
        let r = cx.structured(name, &[xp, w.0], &[init], &attrs, &[], move |b, v, _| {
            Ok(vec![mul_add(b, d, v[0], v[1], v[2])?])
        })?[0];
        return finish(cx, r, &acc_out, out);
    }
    // Grouped: x [N, G, C/G, S..], w [G, F/G, C/G, K..], out [N, G, F/G, O..].
    // The padded input is cut to the positions the windows read: a generic
    // whose input is larger than its maps reach is rejected by some
    // consumers' shape inference (IREE's unit-dim folding).
    let (xr, xrt) = reach_trimmed(cx, (xp, &xpt), out, &op.strides, &op.dilations, &wdims[2..])?;
    let g = op.groups;
    let f = wdims[0];
    let cg = wdims[1];
    if !f.is_multiple_of(g) {
        o2l_canon::bail!(
            InvalidModel,
            "Conv: {f} filters do not split into {g} groups"
        );
    }
    let fg = f / g;
    if n <= 2 || (cg == 1 && fg == 1) {
        return grouped_named(cx, op, (xr, &xrt), w, ins.get(2).copied(), out, &srcs);
    }
    let mut xs = vec![xrt.shape[0].clone(), Dim::Known(g), Dim::Known(cg)];
    xs.extend(xrt.shape[2..].iter().cloned());
    let xgt = TensorType::new(d, xs);
    let mut xgroups = vec![vec![0], vec![1, 2]];
    xgroups.extend((0..n).map(|i| vec![3 + i]));
    let xg = cx.expand(xr, &xgroups, &xgt, &srcs)?;
    let mut ws = vec![Dim::Known(g), Dim::Known(fg), Dim::Known(cg)];
    ws.extend(wdims[2..].iter().map(|&k| Dim::Known(k)));
    let wgt = TensorType::new(d, ws);
    let mut wgroups = vec![vec![0, 1], vec![2]];
    wgroups.extend((0..n).map(|i| vec![3 + i]));
    let wg = cx.expand(w.0, &wgroups, &wgt, &[])?;
    let mut os = vec![out.shape[0].clone(), Dim::Known(g), Dim::Known(fg)];
    os.extend(out.shape[2..].iter().cloned());
    let ogt = TensorType::new(acc_dtype(d), os);
    let init = init(cx, ins.get(2).copied(), &ogt, &srcs, &[g, fg])?;
    let loops = 4 + 2 * n;
    let c = 3 + n;
    let mut ex = vec!["d0".to_string(), "d1".to_string(), format!("d{c}")];
    for i in 0..n {
        ex.push(format!(
            "d{} * {} + d{} * {}",
            3 + i,
            strides[i],
            c + 1 + i,
            dilations[i]
        ));
    }
    let mut ew = vec!["d1".to_string(), "d2".to_string(), format!("d{c}")];
    ew.extend((0..n).map(|i| format!("d{}", c + 1 + i)));
    let maps = vec![
        map_str(loops, &ex),
        map_str(loops, &ew),
        pick_map(loops, &(0..3 + n).collect::<Vec<_>>()),
    ];
    let mut iters = vec!["parallel"; 3 + n];
    iters.extend(vec!["reduction"; 1 + n]);
    let r = cx.generic(&[xg, wg], &[init], &maps, &iters, &[], move |b, v, _| {
        Ok(vec![mul_add(b, d, v[0], v[1], v[2])?])
    })?[0];
    let mut ogroups = vec![vec![0], vec![1, 2]];
    ogroups.extend((0..n).map(|i| vec![3 + i]));
    let r = cx.collapse(r, &ogroups, &acc_out)?;
    finish(cx, r, &acc_out, out)
}

/// Grouped convolution as the named ops compilers have fast paths for:
/// `linalg.depthwise_conv_{1,2,3}d_*` when every group has one input and one
/// output channel, else (1-D and 2-D) `linalg.conv_2d_ngchw_gfchw` over
/// x [N, G, C/G, S..] and w [G, F/G, C/G, K..], a 1-D one with a unit second
/// spatial dim.
fn grouped_named<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Conv,
    x: Operand<'c, 'a, '_>,
    w: Operand<'c, 'a, '_>,
    bias: Option<Operand<'c, 'a, '_>>,
    out: &TensorType,
    srcs: &[Operand<'c, 'a, '_>],
) -> Result<Val<'c, 'a>> {
    let d = out.dtype;
    let n = x.1.rank() - 2;
    let wdims = w.1.static_dims("Conv filter")?;
    let (g, f, cg) = (op.groups, wdims[0], wdims[1]);
    let fg = f / g;
    let mut strides: Vec<i64> = op.strides.iter().map(|&s| s as i64).collect();
    let mut dilations: Vec<i64> = op.dilations.iter().map(|&s| s as i64).collect();
    let acc_out = TensorType::new(acc_dtype(d), out.shape.clone());
    if cg == 1 && fg == 1 {
        // Depthwise: w [C, 1, K..] -> [C, K..].
        let name = match n {
            1 => "linalg.depthwise_conv_1d_ncw_cw",
            2 => "linalg.depthwise_conv_2d_nchw_chw",
            _ => "linalg.depthwise_conv_3d_ncdhw_cdhw",
        };
        let mut ws = vec![Dim::Known(f)];
        ws.extend(wdims[2..].iter().map(|&k| Dim::Known(k)));
        let wct = TensorType::new(w.1.dtype, ws);
        let mut wgroups = vec![vec![0, 1]];
        wgroups.extend((0..n).map(|i| vec![2 + i]));
        let wc = cx.collapse(w.0, &wgroups, &wct)?;
        let init = init(cx, bias, &acc_out, srcs, &[])?;
        let attrs = [
            ("strides", cx.parse_attr(&dense_i64(&strides))?),
            ("dilations", cx.parse_attr(&dense_i64(&dilations))?),
        ];
        let r = cx.structured(name, &[x.0, wc], &[init], &attrs, &[], move |b, v, _| {
            Ok(vec![mul_add(b, d, v[0], v[1], v[2])?])
        })?[0];
        return finish(cx, r, &acc_out, out);
    }
    // One spatial dim gets a unit second one (expanded into, collapsed away after).
    let unit = n == 1;
    if unit {
        strides.push(1);
        dilations.push(1);
    }
    let spatial = |shape: &[Dim]| {
        let mut s = shape.to_vec();
        if unit {
            s.push(Dim::Known(1));
        }
        s
    };
    let last = |from: usize| {
        if unit {
            vec![vec![from, from + 1]]
        } else {
            vec![vec![from], vec![from + 1]]
        }
    };
    let mut xs = vec![x.1.shape[0].clone(), Dim::Known(g), Dim::Known(cg)];
    xs.extend(spatial(&x.1.shape[2..]));
    let mut xgroups = vec![vec![0], vec![1, 2]];
    xgroups.extend(last(3));
    let xg = cx.expand(x.0, &xgroups, &TensorType::new(x.1.dtype, xs), srcs)?;
    let mut ws = vec![Dim::Known(g), Dim::Known(fg), Dim::Known(cg)];
    ws.extend(spatial(
        &wdims[2..]
            .iter()
            .map(|&k| Dim::Known(k))
            .collect::<Vec<_>>(),
    ));
    let mut wgroups = vec![vec![0, 1], vec![2]];
    wgroups.extend(last(3));
    let wg = cx.expand(w.0, &wgroups, &TensorType::new(w.1.dtype, ws), &[])?;
    let mut os = vec![out.shape[0].clone(), Dim::Known(g), Dim::Known(fg)];
    os.extend(spatial(&out.shape[2..]));
    let ogt = TensorType::new(acc_dtype(d), os);
    let init = init(cx, bias, &ogt, srcs, &[g, fg])?;
    let attrs = [
        ("strides", cx.parse_attr(&dense_i64(&strides))?),
        ("dilations", cx.parse_attr(&dense_i64(&dilations))?),
    ];
    let r = cx.structured(
        "linalg.conv_2d_ngchw_gfchw",
        &[xg, wg],
        &[init],
        &attrs,
        &[],
        move |b, v, _| Ok(vec![mul_add(b, d, v[0], v[1], v[2])?]),
    )?[0];
    let mut ogroups = vec![vec![0], vec![1, 2]];
    ogroups.extend(last(3));
    let r = cx.collapse(r, &ogroups, &acc_out)?;
    finish(cx, r, &acc_out, out)
}

/// `x` (channels-first) padded by `pads` (begin, end) on its spatial dims
/// with the scalar `value` makes (made only when there is padding).
fn pad_spatial<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    pads: &[(u64, u64)],
    value: impl FnOnce() -> Result<Val<'c, 'a>>,
) -> Result<(Val<'c, 'a>, TensorType)> {
    if pads.iter().all(|&(b, e)| b == 0 && e == 0) {
        return Ok((x.0, x.1.clone()));
    }
    let mut low = vec![0, 0];
    let mut high = vec![0, 0];
    low.extend(pads.iter().map(|p| p.0));
    high.extend(pads.iter().map(|p| p.1));
    cx.pad(x.0, x.1, &low, &high, value()?)
}

/// Whether a windowed op's result has a symbolic spatial dim its input lacks.
pub(crate) fn windowed_dims_unknown(x: &TensorType, out: &TensorType) -> bool {
    out.shape
        .iter()
        .skip(2)
        .any(|d| d.known().is_none() && !x.shape.contains(d))
}

/// The accumulator: zeros, or the bias broadcast over every dim but the
/// channel dim(s). `split` (grouped case) is `[G, F/G]`: the bias is expanded
/// to that shape first.
fn init<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    bias: Option<Operand<'c, 'a, '_>>,
    out: &TensorType,
    srcs: &[Operand<'c, 'a, '_>],
    split: &[u64],
) -> Result<Val<'c, 'a>> {
    let Some(bias) = bias else {
        return cx.filled(out, srcs, Extreme::Zero);
    };
    let e = cx.empty_like(out, srcs)?;
    // The accumulator may be wider than the bias (f16/bf16 sum in f32).
    let wide_t = TensorType::new(out.dtype, bias.1.shape.clone());
    let bias = if bias.1.dtype == out.dtype {
        bias
    } else {
        let (from, to) = (bias.1.dtype, out.dtype);
        let v = cx.elementwise(&[bias], &wide_t, &[], move |b, x, _| {
            super::elementwise::cast(b, x[0], from, to)
        })?;
        (v, &wide_t)
    };
    let (bv, channel_dims) = if split.is_empty() {
        (bias.0, vec![1])
    } else {
        let t = TensorType::of_known(out.dtype, split);
        (cx.expand(bias.0, &[vec![0, 1]], &t, &[])?, vec![1, 2])
    };
    let added: Vec<i64> = (0..out.rank())
        .filter(|i| !channel_dims.contains(i))
        .map(|i| i as i64)
        .collect();
    let dims = cx.parse_attr(&super::ir::array_i64(&added))?;
    Ok(cx.structured(
        "linalg.broadcast",
        &[bv],
        &[e],
        &[("dimensions", dims)],
        &[],
        |_, v, _| Ok(vec![v[0]]),
    )?[0])
}

#[cfg(test)]
mod tests {

    use crate::testing::{Case, check, conv, f32t, pool};
    use o2l_canon::ops::PoolKind;
    use o2l_canon::{DType, Dim, TensorType};

    #[test]
    fn conv_2d_named_with_pad_and_bias() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 3, 8, 8]));
        let w = c.weight("w", &[4, 3, 3, 3], 1.0);
        let b = c.weight("bias", &[4], 0.0);
        let y = c.node(
            conv(&[2, 2], &[1, 1], &[(1, 1), (1, 1)], 1),
            &[x, w, b],
            "conv",
        );
        check(
            &c.output(y),
            &[
                "tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]",
                "linalg.broadcast",
                "linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}",
                "-> tensor<1x4x4x4xf32>",
            ],
        );
    }

    #[test]
    fn quantized_conv_pads_with_the_zero_point_and_is_named_for_i8() {
        use crate::testing::t;
        use o2l_canon::Op;
        use o2l_canon::ops::QuantizedConv;
        let qconv = Op::QuantizedConv(QuantizedConv {
            strides: vec![2, 2],
            dilations: vec![1, 1],
            pads: vec![(1, 1), (1, 1)],
            groups: 1,
        });
        let mut c = Case::new();
        let x = c.input("x", t(DType::I8, &[1, 3, 8, 8]));
        let w = c.input("w", t(DType::I8, &[4, 3, 3, 3]));
        let xz = c.input("xz", t(DType::I32, &[]));
        let wz = c.input("wz", t(DType::I32, &[]));
        let y = c.node(qconv.clone(), &[x, w, xz, wz], "qconv");
        check(
            &c.output(y),
            &[
                "arith.trunci %extracted : i32 to i8",
                "tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]",
                "linalg.conv_2d_nchw_fchw_q {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}",
                "tensor<1x3x10x10xi8>, tensor<4x3x3x3xi8>, i32, i32",
                "-> tensor<1x4x4x4xi32>",
            ],
        );
        let mut c = Case::new();
        let x = c.input("x", t(DType::U8, &[1, 3, 8, 8]));
        let w = c.input("w", t(DType::I8, &[4, 3, 3, 3]));
        let xz = c.input("xz", t(DType::I32, &[]));
        let wz = c.input("wz", t(DType::I32, &[]));
        let y = c.node(qconv, &[x, w, xz, wz], "qconv_u8");
        check(
            &c.output(y),
            &[
                "affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>",
                "linalg.generic",
                "arith.extui %in : i8 to i32",
                "arith.subi",
                "arith.extsi",
                "arith.subi",
                "arith.muli",
                "arith.addi %out,",
                "-> tensor<1x4x4x4xi32>",
            ],
        );
    }

    #[test]
    fn grouped_and_depthwise_quantized_convs_run_over_group_dims() {
        use crate::testing::t;
        use o2l_canon::Op;
        use o2l_canon::ops::QuantizedConv;
        let qconv = |groups| {
            Op::QuantizedConv(QuantizedConv {
                strides: vec![1, 1],
                dilations: vec![1, 1],
                pads: vec![(1, 1), (1, 1)],
                groups,
            })
        };
        let mut c = Case::new();
        let x = c.input("x", t(DType::I8, &[1, 4, 6, 6]));
        let w = c.input("w", t(DType::I8, &[6, 2, 3, 3]));
        let xz = c.input("xz", t(DType::I32, &[]));
        let wz = c.input("wz", t(DType::I32, &[]));
        let y = c.node(qconv(2), &[x, w, xz, wz], "grouped");
        check(
            &c.output(y),
            &[
                "tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]",
                "tensor.expand_shape",
                "tensor<1x2x2x8x8xi8>",
                "tensor<2x3x2x3x3xi8>",
                "linalg.conv_2d_ngchw_gfchw_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}",
                "tensor<1x2x2x8x8xi8>, tensor<2x3x2x3x3xi8>, i32, i32",
                "-> tensor<1x2x3x6x6xi32>",
                "tensor.collapse_shape",
                "into tensor<1x6x6x6xi32>",
            ],
        );
        let mut c = Case::new();
        let x = c.input("x", t(DType::U8, &[1, 3, 6, 6]));
        let w = c.input("w", t(DType::I8, &[3, 1, 3, 3]));
        let xz = c.input("xz", t(DType::I32, &[]));
        let wz = c.input("wz", t(DType::I32, &[]));
        let y = c.node(qconv(3), &[x, w, xz, wz], "depthwise_u8");
        check(
            &c.output(y),
            &[
                "affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>",
                "linalg.generic",
                "tensor<1x3x1x8x8xi8>, tensor<3x1x1x3x3xi8>, i32, i32",
                "arith.extui %in : i8 to i32",
                "arith.subi",
                "arith.extsi",
                "arith.subi",
                "arith.muli",
                "arith.addi %out,",
                "-> tensor<1x3x1x6x6xi32>",
                "into tensor<1x3x6x6xi32>",
            ],
        );
    }

    #[test]
    fn conv_1d_3d_and_grouped() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 2, 9]));
        let w = c.weight("w", &[3, 2, 3], 1.0);
        let y = c.node(conv(&[1], &[2], &[(0, 0)], 1), &[x, w], "c1");
        check(
            &c.output(y),
            &["linalg.conv_1d_ncw_fcw {dilations = dense<2>"],
        );
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 2, 4, 4, 4]));
        let w = c.weight("w", &[3, 2, 2, 2, 2], 1.0);
        let y = c.node(conv(&[1, 1, 1], &[1, 1, 1], &[(0, 0); 3], 1), &[x, w], "c3");
        check(&c.output(y), &["linalg.conv_3d_ncdhw_fcdhw"]);
        // Depthwise: groups = channels.
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 4, 6, 6]));
        let w = c.weight("w", &[4, 1, 3, 3], 1.0);
        let b = c.weight("bias", &[4], 1.0);
        let y = c.node(
            conv(&[1, 1], &[1, 1], &[(1, 1), (1, 1)], 4),
            &[x, w, b],
            "dw",
        );
        check(
            &c.output(y),
            &[
                "tensor.collapse_shape",
                "tensor<4x1x3x3xf32> into tensor<4x3x3xf32>",
                "linalg.broadcast",
                "linalg.depthwise_conv_2d_nchw_chw",
                "ins(%padded, %collapsed : tensor<1x4x8x8xf32>, tensor<4x3x3xf32>)",
                "-> tensor<1x4x6x6xf32>",
            ],
        );
        // Grouped 1-D: the 2-D grouped named op over a unit spatial dim.
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 4, 10]));
        let w = c.weight("w", &[6, 2, 3], 1.0);
        let y = c.node(conv(&[1], &[2], &[(1, 1)], 2), &[x, w], "g1");
        check(
            &c.output(y),
            &[
                "tensor<1x4x12xf32> into tensor<1x2x2x12x1xf32>",
                "tensor<6x2x3xf32> into tensor<2x3x2x3x1xf32>",
                "linalg.conv_2d_ngchw_gfchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}",
                "tensor<1x2x3x8x1xf32> into tensor<1x6x8xf32>",
            ],
        );
    }

    #[test]
    fn conv_and_pool_with_symbolic_batch() {
        let n = || Dim::Symbol("N".into());
        let mut c = Case::new();
        let x = c.input(
            "x",
            TensorType::new(
                DType::F32,
                vec![n(), Dim::Known(4), Dim::Known(6), Dim::Known(6)],
            ),
        );
        let w = c.weight("w", &[4, 1, 3, 3], 1.0);
        let b = c.weight("bias", &[4], 1.0);
        let y = c.node(
            conv(&[1, 1], &[1, 1], &[(1, 1), (1, 1)], 4),
            &[x, w, b],
            "dw",
        );
        let p = c.node(
            pool(PoolKind::Max, &[2, 2], &[2, 2], &[(0, 0); 2], false),
            &[y],
            "mp",
        );
        let w2 = c.weight("w2", &[2, 4, 1, 1], 1.0);
        let z = c.node(conv(&[1, 1], &[1, 1], &[(0, 0); 2], 1), &[p, w2], "pw");
        check(
            &c.output(z),
            &[
                "tensor<?x4x8x8xf32>",
                "tensor.dim",
                "linalg.pooling_nchw_max",
                "linalg.conv_2d_nchw_fchw",
                "-> tensor<?x2x3x3xf32>",
            ],
        );
    }
}
