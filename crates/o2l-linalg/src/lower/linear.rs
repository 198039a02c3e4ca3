//! MatMul with numpy semantics: `linalg.matmul` for 2-D (1-D operands promoted
//! with `tensor.expand_shape`), `linalg.batch_matmul` for 3-D operands with the
//! same batch dim. An N-D operand times a 2-D one folds its leading dims into
//! the rows of one `linalg.matmul`; two N-D operands with the same batch dims
//! fold them into one `linalg.batch_matmul` dim; the results are expanded
//! back. A broadcasting `linalg.generic` contraction otherwise.
//!
//! QuantizedMatMul: `linalg.quantized_matmul` / `linalg.quantized_batch_matmul`
//! when both operands are i8. Those named ops sign-extend every operand (their
//! OpDSL casts are `cast_signed`, with no `cast` attribute), so a u8 operand
//! takes a `linalg.generic` with the same body: extend a, subtract its zero
//! point, the same for b, `muli`, `addi` into the accumulator.
//!
//! Det: Gaussian elimination with partial pivoting in nested `scf.for`s
//! (per matrix, per column: pivot search, row swap, elimination below it),
//! the determinant the signed product of the pivots; f16/bf16 run in f32.
use super::elementwise::cast;
use super::ir::{Ctx, Extreme, Operand, Val, broadcast_exprs, map_str, pick_map};
use melior::ir::ValueLike;
use o2l_canon::ops::Linear;
use o2l_canon::{DType, Dim, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Linear,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    match op {
        Linear::MatMul => matmul(cx, ins[0], ins[1], out),
        Linear::Det => super::elementwise::in_f32(cx, ins[0], out, |x, o| det(cx, x, o)),
        Linear::QuantizedMatMul => quantized_matmul(cx, ins, out),
    }
}

/// The scalar of a 0-d tensor (a zero point the quantized ops take as a scalar).
pub(crate) fn scalar_of<'c, 'a>(cx: &Ctx<'c, 'a>, v: Operand<'c, 'a, '_>) -> Result<Val<'c, 'a>> {
    if v.1.rank() != 0 {
        o2l_canon::bail!(Internal, "expected a 0-d zero point, got {}", v.1);
    }
    cx.op1("tensor.extract", &[v.0], cx.elem(v.1.dtype)?, &[])
}

/// The body of the quantized kernels, in the order of their OpDSL formula:
/// `acc + (ext(x) - x_zp) * (ext(w) - w_zp)`; `v` is `[x, w, x_zp, w_zp, acc]`
/// and `unsigned` says which of x and w to zero-extend.
pub(crate) fn quantized_mul_add<'c, 'b>(
    b: &Ctx<'c, 'b>,
    v: &[Val<'c, 'b>],
    unsigned: [bool; 2],
) -> Result<Val<'c, 'b>> {
    let i32t = b.elem(DType::I32)?;
    let ext = |x: Val<'c, 'b>, unsigned: bool| {
        let name = if unsigned {
            "arith.extui"
        } else {
            "arith.extsi"
        };
        b.op1(name, &[x], i32t, &[])
    };
    let x = ext(v[0], unsigned[0])?;
    let x = b.bin("arith.subi", x, v[2])?;
    let w = ext(v[1], unsigned[1])?;
    let w = b.bin("arith.subi", w, v[3])?;
    let m = b.bin("arith.muli", x, w)?;
    b.bin("arith.addi", v[4], m)
}

/// Which of the first two operands are u8 (zero-extended); the named quantized
/// ops only sign-extend, so any u8 operand takes the generic form.
pub(crate) fn unsigned_operands(ins: &[Operand<'_, '_, '_>]) -> [bool; 2] {
    [ins[0].1.dtype == DType::U8, ins[1].1.dtype == DType::U8]
}

fn quantized_matmul<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let (a, b) = (ins[0], ins[1]);
    let zps = [scalar_of(cx, ins[2])?, scalar_of(cx, ins[3])?];
    let unsigned = unsigned_operands(ins);
    // i8 rows (.., M, K) of static leading dims against a 2-D weight: one
    // named 2-D product over the collapsed rows, its result expanded again.
    let ra = a.1.rank();
    if ra > 2
        && b.1.rank() == 2
        && unsigned == [false, false]
        && let Some(rows) = a.1.shape[..ra - 1]
            .iter()
            .try_fold(1u64, |n, d| n.checked_mul(d.known()?))
    {
        let lead: Vec<usize> = (0..ra - 1).collect();
        let a2t = TensorType::new(a.1.dtype, vec![Dim::Known(rows), a.1.shape[ra - 1].clone()]);
        let a2 = cx.collapse(a.0, &[lead.clone(), vec![ra - 1]], &a2t)?;
        let o2t = TensorType::new(DType::I32, vec![Dim::Known(rows), b.1.shape[1].clone()]);
        let init = cx.filled(&o2t, &[b], Extreme::Zero)?;
        let r = cx.structured(
            "linalg.quantized_matmul",
            &[a2, b.0, zps[0], zps[1]],
            &[init],
            &[],
            &[],
            move |b, v, _| Ok(vec![quantized_mul_add(b, v, unsigned)?]),
        )?[0];
        return cx.expand(r, &[lead, vec![ra - 1]], out, &[b]);
    }
    let init = cx.filled(out, &[a, b], Extreme::Zero)?;
    let batched = a.1.rank() == 3 && b.1.rank() == 3;
    let named = match (a.1.rank(), b.1.rank()) {
        (2, 2) => Some("linalg.quantized_matmul"),
        (3, 3) => Some("linalg.quantized_batch_matmul"),
        _ => None,
    };
    let ins_all = [a.0, b.0, zps[0], zps[1]];
    if let Some(name) = named
        && unsigned == [false, false]
    {
        return Ok(
            cx.structured(name, &ins_all, &[init], &[], &[], move |b, v, _| {
                Ok(vec![quantized_mul_add(b, v, unsigned)?])
            })?[0],
        );
    }
    // Loops: the result's dims, then k. Batched: (b, m, n, k); otherwise the
    // rows of a (every dim but K), n, k.
    let loops = out.rank() + 1;
    let k = loops - 1;
    let n = out.rank() - 1;
    let (a_map, b_map) = if batched {
        (pick_map(4, &[0, 1, 3]), pick_map(4, &[0, 3, 2]))
    } else {
        let mut rows: Vec<usize> = (0..n).collect();
        rows.push(k);
        (pick_map(loops, &rows), pick_map(loops, &[k, n]))
    };
    let maps = [
        a_map,
        b_map,
        pick_map(loops, &[]),
        pick_map(loops, &[]),
        pick_map(loops, &(0..out.rank()).collect::<Vec<_>>()),
    ];
    let mut iters = vec!["parallel"; out.rank()];
    iters.push("reduction");
    Ok(
        cx.generic(&ins_all, &[init], &maps, &iters, &[], move |b, v, _| {
            Ok(vec![quantized_mul_add(b, v, unsigned)?])
        })?[0],
    )
}

fn det<'c, 'a>(cx: &Ctx<'c, 'a>, x: Operand<'c, 'a, '_>, out: &TensorType) -> Result<Val<'c, 'a>> {
    let d = out.dtype;
    let m = x.1.shape[1]
        .known()
        .ok_or_else(|| o2l_canon::Error::internal("Det of a symbolic matrix size"))?;
    let result = cx.empty_like(out, &[x])?;
    let batches = cx.dim(x.0, 0)?;
    // The matrices are worked on flat (IREE 3.13 sizes a host-side
    // `tensor.insert` into a tensor of rank 2 or more wrongly).
    let flat_len = match x.1.shape[0].known() {
        Some(n) => o2l_canon::Dim::Known(n * m * m),
        None => o2l_canon::Dim::Symbol("det_flat".into()),
    };
    let flat_t = TensorType::new(x.1.dtype, vec![flat_len]);
    let flat = cx.collapse(x.0, &[vec![0, 1, 2]], &flat_t)?;
    let res = cx.for_range(batches, &[result, flat], &[], move |b, bi, carried, _| {
        let (result, w) = (carried[0], carried[1]);
        let one = b.scalar(d, 1.0)?;
        let cols = b.index(m as i64)?;
        let per = b.for_range(cols, &[w, one], &[bi], move |b, k, c, caps| {
            eliminate_column(b, caps[0], k, c[0], c[1], m, d)
        })?;
        let result = b.op1("tensor.insert", &[per[1], result, bi], result.r#type(), &[])?;
        Ok(vec![result, per[0]])
    })?;
    Ok(res[0])
}

/// The offset of w[bi, i, j] in the flat matrices of size m x m.
fn at_ij<'c, 'b>(
    b: &Ctx<'c, 'b>,
    m: u64,
    bi: Val<'c, 'b>,
    i: Val<'c, 'b>,
    j: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    let mv = b.index(m as i64)?;
    let row = b.bin("arith.addi", b.bin("arith.muli", bi, mv)?, i)?;
    b.bin("arith.addi", b.bin("arith.muli", row, mv)?, j)
}

/// One column k of matrix `bi` in `w` (flat): moves the row with the largest |w[i, k]|
/// (i >= k) to row k, folds the pivot into `det` (negated by a swap), and
/// subtracts multiples of row k from the rows below. Returns (w, det).
fn eliminate_column<'c, 'b>(
    b: &Ctx<'c, 'b>,
    bi: Val<'c, 'b>,
    k: Val<'c, 'b>,
    w: Val<'c, 'b>,
    det: Val<'c, 'b>,
    m: u64,
    d: DType,
) -> Result<Vec<Val<'c, 'b>>> {
    let elem = b.elem(d)?;
    let size = b.index(m as i64)?;
    let rest = b.bin("arith.subi", size, k)?;
    let none = b.scalar(d, -1.0)?;
    let pivot = b.for_range(rest, &[k, none], &[w, bi, k], move |b, t, c, caps| {
        let i = b.bin("arith.addi", caps[2], t)?;
        let v = b.op1(
            "tensor.extract",
            &[caps[0], at_ij(b, m, caps[1], i, caps[2])?],
            elem,
            &[],
        )?;
        let v = b.un("math.absf", v)?;
        let better = b.cmpf(2, v, c[1])?; // ogt
        Ok(vec![b.select(better, i, c[0])?, b.select(better, v, c[1])?])
    })?[0];
    let all = b.index(m as i64)?;
    let w = b.for_range(all, &[w], &[bi, k, pivot], move |b, j, c, caps| {
        let (bi, k, p) = (caps[0], caps[1], caps[2]);
        let top = b.op1("tensor.extract", &[c[0], at_ij(b, m, bi, k, j)?], elem, &[])?;
        let low = b.op1("tensor.extract", &[c[0], at_ij(b, m, bi, p, j)?], elem, &[])?;
        let w = b.op1(
            "tensor.insert",
            &[low, c[0], at_ij(b, m, bi, k, j)?],
            c[0].r#type(),
            &[],
        )?;
        let w = b.op1(
            "tensor.insert",
            &[top, w, at_ij(b, m, bi, p, j)?],
            w.r#type(),
            &[],
        )?;
        Ok(vec![w])
    })?[0];
    let p = b.op1("tensor.extract", &[w, at_ij(b, m, bi, k, k)?], elem, &[])?;
    let swapped = b.cmpi(1, pivot, k)?; // ne
    let det = b.bin("arith.mulf", det, p)?;
    let flipped = b.un("arith.negf", det)?;
    let det = b.select(swapped, flipped, det)?;
    // A zero pivot means a zero column below it: divide by 1 instead.
    let (zero, one) = (b.scalar(d, 0.0)?, b.scalar(d, 1.0)?);
    let singular = b.cmpf(1, p, zero)?; // oeq
    let safe = b.select(singular, one, p)?;
    let one_i = b.index(1)?;
    let below = b.bin("arith.subi", rest, one_i)?;
    let w = b.for_range(below, &[w], &[bi, k, safe, below], move |b, t, c, caps| {
        let (bi, k, safe, below) = (caps[0], caps[1], caps[2], caps[3]);
        let one = b.index(1)?;
        let next = b.bin("arith.addi", k, one)?;
        let i = b.bin("arith.addi", next, t)?;
        let lead = b.op1("tensor.extract", &[c[0], at_ij(b, m, bi, i, k)?], elem, &[])?;
        let f = b.bin("arith.divf", lead, safe)?;
        let w = b.for_range(
            below,
            &[c[0]],
            &[bi, k, i, f, next],
            move |b, u, c, caps| {
                let (bi, k, i, f, next) = (caps[0], caps[1], caps[2], caps[3], caps[4]);
                let j = b.bin("arith.addi", next, u)?;
                let top = b.op1("tensor.extract", &[c[0], at_ij(b, m, bi, k, j)?], elem, &[])?;
                let cur = b.op1("tensor.extract", &[c[0], at_ij(b, m, bi, i, j)?], elem, &[])?;
                let sub = b.bin("arith.mulf", f, top)?;
                let v = b.bin("arith.subf", cur, sub)?;
                Ok(vec![b.op1(
                    "tensor.insert",
                    &[v, c[0], at_ij(b, m, bi, i, j)?],
                    c[0].r#type(),
                    &[],
                )?])
            },
        )?[0];
        Ok(vec![w])
    })?[0];
    Ok(vec![w, det])
}

/// The scalar body `acc + a * b`.
pub(crate) fn mul_add<'c, 'b>(
    b: &Ctx<'c, 'b>,
    d: DType,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
    acc: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    if acc_dtype(d) != d {
        let x = cast(b, x, d, DType::F32)?;
        let y = cast(b, y, d, DType::F32)?;
        return mul_add(b, DType::F32, x, y, acc);
    }
    if d.is_float() {
        let m = b.bin("arith.mulf", x, y)?;
        b.bin("arith.addf", acc, m)
    } else if d == DType::Bool {
        let m = b.bin("arith.andi", x, y)?;
        b.bin("arith.ori", acc, m)
    } else {
        let m = b.bin("arith.muli", x, y)?;
        b.bin("arith.addi", acc, m)
    }
}

/// Accumulator element type of a contraction over `d`: f16 and bf16 sum in f32.
pub(crate) fn acc_dtype(d: DType) -> DType {
    match d {
        DType::F16 | DType::BF16 => DType::F32,
        _ => d,
    }
}

/// Rounds an accumulator of type `acc` to the result type `out` (no-op when equal).
pub(crate) fn finish<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    r: Val<'c, 'a>,
    acc: &TensorType,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    if acc.dtype == out.dtype {
        return Ok(r);
    }
    let (from, to) = (acc.dtype, out.dtype);
    cx.elementwise(&[(r, acc)], out, &[], move |b, x, _| {
        cast(b, x[0], from, to)
    })
}

fn matmul<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    a: Operand<'c, 'a, '_>,
    b: Operand<'c, 'a, '_>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = out.dtype;
    let acc_out = TensorType::new(acc_dtype(d), out.shape.clone());
    let (ra, rb) = (a.1.rank(), b.1.rank());
    let srcs = [a, b];
    if ra <= 2 && rb <= 2 {
        let a2t;
        let a2 = if ra == 1 {
            a2t = TensorType::new(d, vec![Dim::Known(1), a.1.shape[0].clone()]);
            (cx.expand(a.0, &[vec![0, 1]], &a2t, &srcs)?, &a2t)
        } else {
            a
        };
        let b2t;
        let b2 = if rb == 1 {
            b2t = TensorType::new(d, vec![b.1.shape[0].clone(), Dim::Known(1)]);
            (cx.expand(b.0, &[vec![0, 1]], &b2t, &srcs)?, &b2t)
        } else {
            b
        };
        let rt = TensorType::new(
            acc_dtype(d),
            vec![a2.1.shape[0].clone(), b2.1.shape[1].clone()],
        );
        let init = cx.filled(&rt, &srcs, Extreme::Zero)?;
        let maps = cx.parse_attr(&format!(
            "[{}, {}, {}]",
            pick_map(3, &[0, 2]),
            pick_map(3, &[2, 1]),
            pick_map(3, &[0, 1])
        ))?;
        let r = cx.structured(
            "linalg.matmul",
            &[a2.0, b2.0],
            &[init],
            &[("indexing_maps", maps)],
            &[],
            move |bb, x, _| Ok(vec![mul_add(bb, d, x[0], x[1], x[2])?]),
        )?[0];
        if ra == 2 && rb == 2 {
            return finish(cx, r, &acc_out, out);
        }
        let groups: Vec<Vec<usize>> = if ra == 1 && rb == 1 {
            vec![]
        } else {
            vec![vec![0, 1]]
        };
        let r = cx.collapse(r, &groups, &acc_out)?;
        return finish(cx, r, &acc_out, out);
    }
    if ra == 3 && rb == 3 && a.1.shape[0] == b.1.shape[0] {
        let init = cx.filled(&acc_out, &srcs, Extreme::Zero)?;
        let maps = cx.parse_attr(&format!(
            "[{}, {}, {}]",
            pick_map(4, &[0, 1, 3]),
            pick_map(4, &[0, 3, 2]),
            pick_map(4, &[0, 1, 2])
        ))?;
        let r = cx.structured(
            "linalg.batch_matmul",
            &[a.0, b.0],
            &[init],
            &[("indexing_maps", maps)],
            &[],
            move |bb, x, _| Ok(vec![mul_add(bb, d, x[0], x[1], x[2])?]),
        )?[0];
        return finish(cx, r, &acc_out, out);
    }
    // More batch dims than the named ops take: fold them into one when that
    // loses no broadcasting (a linear layer's [B.., M, K] x [K, N]; the same
    // batch dims on both sides), so compilers see a plain (batch) matmul.
    // Static shapes only: folded symbolic dims crash the JIT's run (to be found).
    let fixed = |t: &TensorType| t.shape.iter().all(|d| d.known().is_some());
    if ra >= 3 && rb == 2 && fixed(a.1) {
        let lead = ra - 1;
        return folded(cx, a, b, lead, 0, out, &acc_out);
    }
    if ra == rb && ra > 3 && fixed(a.1) && a.1.shape[..ra - 2] == b.1.shape[..rb - 2] {
        return folded(cx, a, b, ra - 2, ra - 2, out, &acc_out);
    }
    // General case: loops (batch.., m?, n?, k) with broadcasting batch maps.
    let nb = out.rank() - usize::from(ra > 1) - usize::from(rb > 1);
    let batch = &out.shape[..nb];
    let loops = out.rank() + 1;
    let k = loops - 1;
    let m = nb;
    let n = nb + usize::from(ra > 1);
    let batch_exprs =
        |t: &TensorType, r: usize| broadcast_exprs(&t.shape[..r.saturating_sub(2)], batch);
    let mut ea = batch_exprs(a.1, ra);
    if ra > 1 {
        ea.push(format!("d{m}"));
    }
    ea.push(format!("d{k}"));
    let mut eb = batch_exprs(b.1, rb);
    eb.push(format!("d{k}"));
    if rb > 1 {
        eb.push(format!("d{n}"));
    }
    let eo: Vec<String> = (0..out.rank()).map(|i| format!("d{i}")).collect();
    let maps = vec![
        map_str(loops, &ea),
        map_str(loops, &eb),
        map_str(loops, &eo),
    ];
    let mut iters = vec!["parallel"; out.rank()];
    iters.push("reduction");
    let init = cx.filled(&acc_out, &srcs, Extreme::Zero)?;
    let r = cx.generic(&[a.0, b.0], &[init], &maps, &iters, &[], move |bb, x, _| {
        Ok(vec![mul_add(bb, d, x[0], x[1], x[2])?])
    })?[0];
    finish(cx, r, &acc_out, out)
}

/// One dim standing for `dims` collapsed: their product, or a symbol only the
/// collapsed value's own shape carries (its extent is read from that value).
fn folded_dim(dims: &[Dim]) -> Dim {
    let known: Option<u64> = dims.iter().map(Dim::known).product();
    match known {
        Some(n) => Dim::Known(n),
        None => Dim::Symbol(format!(
            "({})",
            dims.iter()
                .map(|d| match d {
                    Dim::Known(n) => n.to_string(),
                    Dim::Symbol(s) => s.clone(),
                })
                .collect::<Vec<_>>()
                .join("*")
        )),
    }
}

/// MatMul over folded batch dims. `lead` dims of a (the batch dims and, when
/// `b_lead` is 0, a's rows too) become one; `b_lead` dims of b the same. Then
/// `linalg.matmul` (b_lead = 0: [L, K] x [K, N]) or `linalg.batch_matmul`
/// ([L, M, K] x [L, K, N]), and the result is expanded back to `out`.
fn folded<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    a: Operand<'c, 'a, '_>,
    b: Operand<'c, 'a, '_>,
    lead: usize,
    b_lead: usize,
    out: &TensorType,
    acc_out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = out.dtype;
    let fold = |t: &TensorType, n: usize| -> (Vec<Vec<usize>>, TensorType) {
        let mut groups = vec![(0..n).collect::<Vec<_>>()];
        groups.extend((n..t.rank()).map(|i| vec![i]));
        let mut shape = vec![folded_dim(&t.shape[..n])];
        shape.extend(t.shape[n..].iter().cloned());
        (groups, TensorType::new(t.dtype, shape))
    };
    let (ag, at) = fold(a.1, lead);
    let a2 = cx.collapse(a.0, &ag, &at)?;
    let (b2, bt) = if b_lead > 0 {
        let (bg, bt) = fold(b.1, b_lead);
        (cx.collapse(b.0, &bg, &bt)?, bt)
    } else {
        (b.0, b.1.clone())
    };
    let (og, ot) = fold(acc_out, if b_lead > 0 { b_lead } else { lead });
    let init = cx.filled(&ot, &[(a2, &at), (b2, &bt)], Extreme::Zero)?;
    let (name, maps) = if b_lead > 0 {
        (
            "linalg.batch_matmul",
            [
                pick_map(4, &[0, 1, 3]),
                pick_map(4, &[0, 3, 2]),
                pick_map(4, &[0, 1, 2]),
            ],
        )
    } else {
        (
            "linalg.matmul",
            [
                pick_map(3, &[0, 2]),
                pick_map(3, &[2, 1]),
                pick_map(3, &[0, 1]),
            ],
        )
    };
    let maps = cx.parse_attr(&format!("[{}]", maps.join(", ")))?;
    let r = cx.structured(
        name,
        &[a2, b2],
        &[init],
        &[("indexing_maps", maps)],
        &[],
        move |bb, x, _| Ok(vec![mul_add(bb, d, x[0], x[1], x[2])?]),
    )?[0];
    let r = cx.expand(r, &og, acc_out, &[a, b])?;
    finish(cx, r, acc_out, out)
}

#[cfg(test)]
mod tests {

    use crate::testing::{Case, check, conv, f32t, t};
    use o2l_canon::ops::Linear;
    use o2l_canon::{DType, Dim, Op, TensorType};

    #[test]
    fn quantized_matmul_i8_is_named_and_u8_is_a_generic_with_the_same_body() {
        let qmm = Op::Linear(Linear::QuantizedMatMul);
        let mut c = Case::new();
        let a = c.input("a", t(DType::I8, &[3, 4]));
        let b = c.input("b", t(DType::I8, &[4, 5]));
        let az = c.input("az", t(DType::I32, &[]));
        let bz = c.input("bz", t(DType::I32, &[]));
        let y = c.node(qmm.clone(), &[a, b, az, bz], "qmm");
        check(
            &c.output(y),
            &[
                "tensor.extract %arg2[] : tensor<i32>",
                "linalg.quantized_matmul ins(%arg0, %arg1, %extracted, %extracted_0 : tensor<3x4xi8>, tensor<4x5xi8>, i32, i32) outs(",
                "-> tensor<3x5xi32>",
            ],
        );
        let mut c = Case::new();
        let a = c.input("a", t(DType::I8, &[2, 3, 4]));
        let b = c.input("b", t(DType::I8, &[2, 4, 5]));
        let az = c.input("az", t(DType::I32, &[]));
        let bz = c.input("bz", t(DType::I32, &[]));
        let y = c.node(qmm.clone(), &[a, b, az, bz], "qbmm");
        check(
            &c.output(y),
            &["linalg.quantized_batch_matmul", "-> tensor<2x3x5xi32>"],
        );
        // i8 rows of a 3-D operand against a 2-D weight: collapsed, named, expanded.
        let mut c = Case::new();
        let a = c.input("a", t(DType::I8, &[2, 3, 4]));
        let b = c.input("b", t(DType::I8, &[4, 5]));
        let az = c.input("az", t(DType::I32, &[]));
        let bz = c.input("bz", t(DType::I32, &[]));
        let y = c.node(qmm.clone(), &[a, b, az, bz], "qmm_rows");
        check(
            &c.output(y),
            &[
                "tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<2x3x4xi8> into tensor<6x4xi8>",
                "linalg.quantized_matmul",
                "tensor.expand_shape",
                "tensor<6x5xi32> into tensor<2x3x5xi32>",
            ],
        );
        // u8 data: extui for it, extsi for the i8 weight, subi, subi, muli, addi.
        let mut c = Case::new();
        let a = c.input("a", t(DType::U8, &[2, 3, 4]));
        let b = c.input("b", t(DType::I8, &[4, 5]));
        let az = c.input("az", t(DType::I32, &[]));
        let bz = c.input("bz", t(DType::I32, &[]));
        let y = c.node(qmm, &[a, b, az, bz], "qmm_u8");
        check(
            &c.output(y),
            &[
                "affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>",
                "affine_map<(d0, d1, d2, d3) -> (d3, d2)>",
                "affine_map<(d0, d1, d2, d3) -> ()>",
                "linalg.generic",
                "arith.extui %in : i8 to i32",
                "arith.subi",
                "arith.extsi %in_1 : i8 to i32",
                "arith.subi",
                "arith.muli",
                "arith.addi %out,",
                "-> tensor<2x3x5xi32>",
            ],
        );
    }

    #[test]
    fn matmul_2d_uses_named_op() {
        let mut c = Case::new();
        let a = c.input("a", f32t(&[2, 3]));
        let b = c.weight("b", &[3, 6], 0.0);
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mm");
        let text = check(
            &c.output(y),
            &[
                "arith.constant dense_resource<b> : tensor<3x6xf32>",
                "linalg.fill",
                "linalg.matmul ins(%arg0, %",
                "-> tensor<2x6xf32>",
                "dialect_resources",
            ],
        );
        assert!(text.contains("b: \"0x04000000"), "{text}");
    }

    #[test]
    fn matmul_vector_promotion() {
        let mut c = Case::new();
        let a = c.input("a", f32t(&[3]));
        let b = c.input("b", f32t(&[3, 4]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mv");
        check(
            &c.output(y),
            &[
                "tensor.expand_shape",
                "tensor<1x3xf32>",
                "linalg.matmul",
                "tensor.collapse_shape",
                "tensor<4xf32>",
            ],
        );
        let mut c = Case::new();
        let a = c.input("a", f32t(&[3]));
        let b = c.input("b", f32t(&[3]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "dot");
        check(
            &c.output(y),
            &["linalg.matmul", "tensor.collapse_shape", "into tensor<f32>"],
        );
    }

    #[test]
    fn matmul_batched_and_broadcast() {
        let mut c = Case::new();
        let a = c.input("a", f32t(&[5, 2, 3]));
        let b = c.input("b", f32t(&[5, 3, 4]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "bmm");
        check(&c.output(y), &["linalg.batch_matmul", "tensor<5x2x4xf32>"]);
        let mut c = Case::new();
        let a = c.input("a", f32t(&[2, 1, 2, 3]));
        let b = c.input("b", f32t(&[5, 3, 4]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "bcast");
        check(
            &c.output(y),
            &[
                "affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>",
                "affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>",
                "\"reduction\"",
                "tensor<2x5x2x4xf32>",
            ],
        );
    }

    #[test]
    fn matmul_folds_batch_dims_into_named_ops() {
        // A linear layer: [2, 3, 4, 8] x [8, 5] is one [24, 8] x [8, 5] matmul.
        let mut c = Case::new();
        let a = c.input("a", f32t(&[2, 3, 4, 8]));
        let b = c.input("b", f32t(&[8, 5]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "lin");
        check(
            &c.output(y),
            &[
                "tensor.collapse_shape %arg0 [[0, 1, 2], [3]] : tensor<2x3x4x8xf32> into tensor<24x8xf32>",
                "linalg.matmul",
                "-> tensor<24x5xf32>",
                "[[0, 1, 2], [3]] output_shape [2, 3, 4, 5] : tensor<24x5xf32> into tensor<2x3x4x5xf32>",
            ],
        );
        // Attention's [B, H, S, D] x [B, H, D, S]: one batch_matmul over B*H.
        let mut c = Case::new();
        let a = c.input("a", f32t(&[2, 3, 4, 8]));
        let b = c.input("b", f32t(&[2, 3, 8, 4]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "att");
        check(
            &c.output(y),
            &[
                "tensor<2x3x4x8xf32> into tensor<6x4x8xf32>",
                "tensor<2x3x8x4xf32> into tensor<6x8x4xf32>",
                "linalg.batch_matmul",
                "-> tensor<6x4x4xf32>",
                "tensor<6x4x4xf32> into tensor<2x3x4x4xf32>",
            ],
        );
        // Symbolic batch and sequence: not folded (yet), the generic contraction.
        let mut c = Case::new();
        let sym = |s: &str| Dim::Symbol(s.into());
        let a = c.input(
            "a",
            TensorType::new(DType::F32, vec![sym("B"), sym("S"), Dim::Known(8)]),
        );
        let b = c.input("b", f32t(&[8, 5]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "dyn");
        let text = check(&c.output(y), &["linalg.generic", "tensor<?x?x5xf32>"]);
        assert!(!text.contains("collapse_shape"), "{text}");
    }

    #[test]
    fn matmul_symbolic_batch() {
        let mut c = Case::new();
        let a = c.input(
            "a",
            TensorType::new(DType::F32, vec![Dim::Symbol("N".into()), Dim::Known(3)]),
        );
        let b = c.input("b", f32t(&[3, 4]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mm");
        check(
            &c.output(y),
            &["tensor.dim", "linalg.matmul", "tensor<?x4xf32>"],
        );
    }

    #[test]
    fn half_precision_contractions_accumulate_in_f32() {
        let mut c = Case::new();
        let a = c.input("a", t(DType::F16, &[2, 3]));
        let b = c.input("b", t(DType::F16, &[3, 4]));
        let y = c.node(Op::Linear(Linear::MatMul), &[a, b], "mm");
        check(
            &c.output(y),
            &[
                "linalg.fill",
                "tensor<2x4xf32>",
                "linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf16>, tensor<3x4xf16>) outs(%",
                "arith.truncf",
                "-> tensor<2x4xf16>",
            ],
        );
        let mut c = Case::new();
        let x = c.input("x", t(DType::BF16, &[1, 4, 5, 5]));
        let w = c.input("w", t(DType::BF16, &[4, 2, 3, 3]));
        let b = c.input("b", t(DType::BF16, &[4]));
        let y = c.node(conv(&[1, 1], &[1, 1], &[(0, 0); 2], 2), &[x, w, b], "gconv");
        check(
            &c.output(y),
            &[
                "arith.extf",
                "linalg.broadcast",
                "tensor<1x2x2x3x3xf32>",
                // The named grouped conv of bf16 operands into an f32
                // accumulator (its body extends each operand to f32).
                "linalg.conv_2d_ngchw_gfchw",
                "tensor<1x2x2x5x5xbf16>, tensor<2x2x2x3x3xbf16>) outs(%broadcasted : tensor<1x2x2x3x3xf32>)",
                "arith.truncf",
                "-> tensor<1x4x3x3xbf16>",
            ],
        );
    }
}
