//! Check as `cf.assert` on the extracted condition; the value passes through.
//!
//! Switch as `scf.index_switch`: each case graph is lowered in its own
//! region by a nested lowerer, its results cast to the joined result types.
//!
//! Loop as `scf.while`. The loop carries the iteration number (i64), the
//! condition (i1), the carried tensors and one buffer per scan output, sized
//! by the trip count and filled one slice per iteration with
//! `tensor.insert_slice`. The "before" region tests `i < max && cond`; the
//! "after" region lowers the body graph with a nested lowerer (outer values
//! are used directly: scf regions see their enclosing values). After the
//! loop, each buffer is cut to the iterations run with `tensor.extract_slice`.
use super::ir::{Ctx, DimV, Extreme, Val};
use super::lowerer::Lowerer;
use melior::ir::{Location, Type, ValueLike};
use o2l_canon::ops::{Body, Control};
use o2l_canon::{DType, Dim, Error, Result, TensorType};

/// `i64::MIN`: a dynamic entry in the static offsets/sizes of a slice op.
const DYNAMIC: i64 = i64::MIN;

/// `cf.assert` of `holds` (a 0-d bool tensor) with `message`; returns `value`.
pub(crate) fn check<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    message: &str,
    holds: Val<'c, 'a>,
    value: Val<'c, 'a>,
) -> Result<Val<'c, 'a>> {
    let i1 = cx.elem(DType::Bool)?;
    let holds = cx.op1("tensor.extract", &[holds], i1, &[])?;
    let escaped: String = message
        .chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c if c.is_control() || !c.is_ascii() => vec!['?'],
            c => vec![c],
        })
        .collect();
    let msg = cx.parse_attr(&format!("\"{escaped}\""))?;
    cx.build("cf.assert", &[holds], &[], &[("msg", msg)], vec![])?;
    Ok(value)
}

impl<'c, 'a, 'g> Lowerer<'c, 'a, 'g> {
    pub(crate) fn lower_loop(
        &mut self,
        op: &Control,
        ins: &[(Val<'c, 'a>, &TensorType)],
        outs: &[TensorType],
        loc: Location<'c>,
    ) -> Result<Vec<Val<'c, 'a>>> {
        let Control::Loop { body, carried, .. } = op else {
            return Err(Error::internal("lower_loop takes a Loop"));
        };
        let body = &*body.0;
        let carried = *carried;
        let cx = Ctx { loc, ..self.ctx };
        let i64t = cx.elem(DType::I64)?;
        let i1 = cx.elem(DType::Bool)?;
        let max = cx.op1("tensor.extract", &[ins[0].0], i64t, &[])?;
        let cond = cx.op1("tensor.extract", &[ins[1].0], i1, &[])?;
        // One buffer per scan output, as long as the trip count allows.
        let scan_types = &outs[carried..];
        let mut buffers = Vec::with_capacity(scan_types.len());
        for t in scan_types {
            let elem: Vec<u64> = t.shape[1..]
                .iter()
                .map(|d| d.known())
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    Error::unsupported(format!(
                        "a Loop scan output of symbolic shape {t} (its buffer is allocated before the loop)"
                    ))
                })?;
            let n = cx.op1("arith.index_cast", &[max], cx.index_type(), &[])?;
            let mut dims = vec![DimV::Dynamic(n)];
            dims.extend(elem.iter().map(|&d| DimV::Static(d)));
            buffers.push(cx.empty(&dims, t.dtype)?);
        }
        let zero = cx.scalar_int(DType::I64, 0)?;
        let mut inits = vec![zero, cond];
        inits.extend(ins[2..2 + carried].iter().map(|(v, _)| *v));
        inits.extend(&buffers);
        let types: Vec<Type<'c>> = inits.iter().map(|v| v.r#type()).collect();

        let before = cx.region("scf.condition", &types, &[max], |b, args, caps| {
            let below = b.cmpi(2, args[0], caps[0])?; // slt
            let go = b.bin("arith.andi", below, args[1])?;
            let mut forwarded = vec![go];
            forwarded.extend(args);
            Ok(forwarded)
        })?;

        // The body's outer values, in its input order after the carried ones.
        let captured: Vec<Val<'c, 'a>> = ins[2 + carried..].iter().map(|(v, _)| *v).collect();
        let mut resources = std::mem::take(&mut self.resources);
        let weights = self.weights;
        let n_scans = scan_types.len();
        let after = cx.region("scf.yield", &types, &captured, |b, args, caps| {
            let mut inner = Lowerer {
                ctx: *b,
                graph: body,
                values: Default::default(),
                weights,
                resources: std::mem::take(&mut resources),
            };
            let i = args[0];
            let iter = b.op1(
                "tensor.from_elements",
                &[i],
                b.tensor(&[], DType::I64)?,
                &[],
            )?;
            let cond = b.op1(
                "tensor.from_elements",
                &[args[1]],
                b.tensor(&[], DType::Bool)?,
                &[],
            )?;
            let mut bound = vec![iter, cond];
            bound.extend(&args[2..2 + carried]);
            bound.extend(caps);
            for (&id, v) in body.inputs.iter().zip(bound) {
                inner.values.insert(id, v);
            }
            inner.lower_nodes()?;
            let mut results = Vec::with_capacity(body.outputs.len());
            for &id in &body.outputs {
                results.push(inner.get(id, b.loc)?);
            }
            resources = std::mem::take(&mut inner.resources);
            let i1 = b.elem(DType::Bool)?;
            let next_cond = b.op1("tensor.extract", &[results[0]], i1, &[])?;
            let one = b.scalar_int(DType::I64, 1)?;
            let mut yields = vec![b.bin("arith.addi", i, one)?, next_cond];
            yields.extend(&results[1..1 + carried]);
            let at = b.op1("arith.index_cast", &[i], b.index_type(), &[])?;
            for k in 0..n_scans {
                let buffer = args[2 + carried + k];
                let elem = results[1 + carried + k];
                yields.push(insert_row(
                    b,
                    elem,
                    buffer,
                    at,
                    &body.ty(body.outputs[1 + carried + k]).shape,
                )?);
            }
            Ok(yields)
        })?;
        self.resources = resources;

        let op = cx.build("scf.while", &inits, &types, &[], vec![before, after])?;
        let result = |k: usize| -> Result<Val<'c, 'a>> {
            Ok(op
                .result(k)
                .map_err(|_| Error::internal("scf.while result"))?
                .into())
        };
        let count = cx.op1("arith.index_cast", &[result(0)?], cx.index_type(), &[])?;
        let mut values = Vec::with_capacity(outs.len());
        for k in 0..carried {
            values.push(result(2 + k)?);
        }
        for (k, t) in scan_types.iter().enumerate() {
            let buffer = result(2 + carried + k)?;
            values.push(first_rows(&cx, buffer, count, t)?);
        }
        Ok(values)
    }
}

impl<'c, 'a, 'g> Lowerer<'c, 'a, 'g> {
    pub(crate) fn lower_switch(
        &mut self,
        cases: &[(i64, Body)],
        ins: &[(Val<'c, 'a>, &TensorType)],
        outs: &[TensorType],
        loc: Location<'c>,
    ) -> Result<Vec<Val<'c, 'a>>> {
        let cx = Ctx { loc, ..self.ctx };
        let i64t = cx.elem(DType::I64)?;
        let key = cx.op1("tensor.extract", &[ins[0].0], i64t, &[])?;
        let key = cx.op1("arith.index_cast", &[key], cx.index_type(), &[])?;
        let captured: Vec<Val<'c, 'a>> = ins[1..].iter().map(|(v, _)| *v).collect();
        let captured_types: Vec<&TensorType> = ins[1..].iter().map(|(_, t)| *t).collect();
        let types: Vec<Type<'c>> = outs
            .iter()
            .map(|t| cx.tensor(&t.shape, t.dtype))
            .collect::<Result<_>>()?;
        // An unknown key yields zeros, extent 0 in the dims only the run time knows.
        let default = cx.region("scf.yield", &[], &captured, |b, _, caps| {
            let sources: Vec<(Val<'c, '_>, &TensorType)> = caps
                .iter()
                .copied()
                .zip(captured_types.iter().copied())
                .collect();
            outs.iter()
                .map(|t| {
                    let dims = t
                        .shape
                        .iter()
                        .map(|d| match d {
                            Dim::Known(n) => Ok(DimV::Static(*n)),
                            Dim::Symbol(_) => match b.dims_for(std::slice::from_ref(d), &sources) {
                                Ok(mut v) => Ok(v.remove(0)),
                                Err(_) => Ok(DimV::Dynamic(b.index(0)?)),
                            },
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let empty = b.empty(&dims, t.dtype)?;
                    let zero = b.extreme(t.dtype, Extreme::Zero)?;
                    b.fill(zero, empty)
                })
                .collect()
        })?;
        let mut regions = vec![default];
        let mut resources = std::mem::take(&mut self.resources);
        let weights = self.weights;
        for (_, body) in cases {
            let body = &*body.0;
            let region = cx.region("scf.yield", &[], &captured, |b, _, caps| {
                let mut inner = Lowerer {
                    ctx: *b,
                    graph: body,
                    values: Default::default(),
                    weights,
                    resources: std::mem::take(&mut resources),
                };
                for (&id, &v) in body.inputs.iter().zip(caps) {
                    inner.values.insert(id, v);
                }
                inner.lower_nodes()?;
                let mut results = Vec::with_capacity(outs.len());
                for (&id, &ty) in body.outputs.iter().zip(&types) {
                    let v = inner.get(id, b.loc)?;
                    results.push(if v.r#type() == ty {
                        v
                    } else {
                        b.op1("tensor.cast", &[v], ty, &[])?
                    });
                }
                resources = std::mem::take(&mut inner.resources);
                Ok(results)
            })?;
            regions.push(region);
        }
        self.resources = resources;
        let keys: Vec<i64> = cases.iter().map(|(k, _)| *k).collect();
        let attrs = [("cases", cx.parse_attr(&array_i64(&keys))?)];
        let op = cx.build("scf.index_switch", &[key], &types, &attrs, regions)?;
        (0..outs.len())
            .map(|k| {
                Ok(op
                    .result(k)
                    .map_err(|_| Error::internal("scf.index_switch result"))?
                    .into())
            })
            .collect()
    }
}

fn array_i64(v: &[i64]) -> String {
    format!(
        "array<i64: {}>",
        v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    )
}

/// `buffer[at] = elem` (elem has the buffer's shape without its first dim).
fn insert_row<'c, 'b>(
    b: &Ctx<'c, 'b>,
    elem: Val<'c, 'b>,
    buffer: Val<'c, 'b>,
    at: Val<'c, 'b>,
    elem_shape: &[o2l_canon::Dim],
) -> Result<Val<'c, 'b>> {
    let rank = elem_shape.len() + 1;
    let mut offsets = vec![DYNAMIC];
    offsets.extend(vec![0; rank - 1]);
    let mut sizes = vec![1];
    for d in elem_shape {
        sizes.push(
            d.known()
                .ok_or_else(|| Error::internal("scan element of symbolic shape"))?
                as i64,
        );
    }
    let attrs = [
        ("static_offsets", b.parse_attr(&array_i64(&offsets))?),
        ("static_sizes", b.parse_attr(&array_i64(&sizes))?),
        ("static_strides", b.parse_attr(&array_i64(&vec![1; rank]))?),
        (
            "operandSegmentSizes",
            b.parse_attr("array<i32: 1, 1, 1, 0, 0>")?,
        ),
    ];
    b.op1(
        "tensor.insert_slice",
        &[elem, buffer, at],
        buffer.r#type(),
        &attrs,
    )
}

/// The first `count` rows of `buffer`, typed as the scan output `t`.
fn first_rows<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    buffer: Val<'c, 'a>,
    count: Val<'c, 'a>,
    t: &TensorType,
) -> Result<Val<'c, 'a>> {
    let rank = t.rank();
    let mut sizes = vec![DYNAMIC];
    for d in &t.shape[1..] {
        sizes.push(
            d.known()
                .ok_or_else(|| Error::internal("scan output of symbolic shape"))?
                as i64,
        );
    }
    let attrs = [
        ("static_offsets", cx.parse_attr(&array_i64(&vec![0; rank]))?),
        ("static_sizes", cx.parse_attr(&array_i64(&sizes))?),
        ("static_strides", cx.parse_attr(&array_i64(&vec![1; rank]))?),
        (
            "operandSegmentSizes",
            cx.parse_attr("array<i32: 1, 0, 1, 0>")?,
        ),
    ];
    let ty = cx.tensor(&t.shape, t.dtype)?;
    cx.op1("tensor.extract_slice", &[buffer, count], ty, &attrs)
}
