//! Data movement: Reshape as `tensor.collapse_shape` / `tensor.expand_shape`
//! (`tensor.reshape` when the dims do not group, or are symbolic), Transpose as
//! `linalg.transpose`, Concat as `tensor.concat`, Gather as a `linalg.generic`
//! that reads with `tensor.extract`, ShapeOf from `tensor.dim`.
use super::Operand;
use super::ir::{Ctx, Val, identity_map, map_str, tensor_str};
use melior::ir::attribute::IntegerAttribute;
use melior::ir::{Type, ValueLike};
use o2l_canon::ops::Movement;
use o2l_canon::{DType, Dim, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Movement,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    match op {
        Movement::Reshape { .. } => reshape(cx, ins[0], out),
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
    }
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

fn reshape<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    if x.1.shape == out.shape {
        return Ok(x.0);
    }
    if let (Some(a), Some(b)) = (x.1.known_dims(), out.known_dims())
        && !a.contains(&0)
    {
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
    // General: tensor.reshape with the target shape as a tensor of index. A
    // symbolic dim of the result that the operand lacks is the element count
    // divided by the other dims (at most one such dim).
    let mut elems: Vec<Option<Val<'c, 'a>>> = Vec::with_capacity(out.rank());
    for d in &out.shape {
        elems.push(match d {
            Dim::Known(n) => Some(cx.index(*n as i64)?),
            Dim::Symbol(_) => match x.1.shape.iter().position(|s| s == d) {
                Some(i) => Some(cx.dim(x.0, i)?),
                None => None,
            },
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
    let shape_t: Type<'c> = cx.parse_type(&format!("tensor<{}xindex>", elems.len()))?;
    let shape = cx.op1("tensor.from_elements", &elems, shape_t, &[])?;
    cx.op1(
        "tensor.reshape",
        &[x.0, shape],
        cx.parse_type(&tensor_str(&out.shape, out.dtype))?,
        &[],
    )
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
