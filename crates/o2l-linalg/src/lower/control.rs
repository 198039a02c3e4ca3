//! Check as `cf.assert` on the extracted condition; the value passes through.
//!
//! Switch as a chain of `scf.if` on the key: each case graph is lowered in its
//! own region by a nested lowerer, its results cast to the joined result
//! types (or padded to a static shape, its run-time extents yielded beside).
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
use crate::Weights;
use crate::weights::Resources;
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
        // One buffer per scan output, as long as the trip count allows. Its
        // buffer is allocated before the loop: a run-time dim of the element
        // (an RNN's batch) is read from a loop input with the same dim.
        let scan_types = &outs[carried..];
        let mut buffers = Vec::with_capacity(scan_types.len());
        for t in scan_types {
            let elem = cx.dims_for(&t.shape[1..], &ins[2..]).map_err(|e| {
                Error::unsupported(format!(
                    "a Loop scan output of shape {t}: its buffer is allocated before the loop, and {}",
                    e.message
                ))
            })?;
            let n = cx.op1("arith.index_cast", &[max], cx.index_type(), &[])?;
            let mut dims = vec![DimV::Dynamic(n)];
            dims.extend(elem);
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

/// What every branch of a Switch's `scf.if` chain needs to yield its results.
struct SwitchForm<'s, 'c> {
    cases: &'s [(i64, Body)],
    outs: &'s [TensorType],
    captured_types: Vec<&'s TensorType>,
    /// Per result: the static shape it is padded to, if it is.
    padded: Vec<Option<Vec<u64>>>,
    /// (result, dim) of each run-time extent yielded after the results.
    extents: Vec<(usize, usize)>,
    /// The result types, then one index per extent.
    types: Vec<Type<'c>>,
    weights: Weights,
    resources: Resources,
}

impl<'s, 'c> SwitchForm<'s, 'c> {
    /// The results of case `at` (the default when `at` is past the cases).
    fn results<'b>(
        &mut self,
        b: &Ctx<'c, 'b>,
        at: usize,
        caps: &[Val<'c, 'b>],
    ) -> Result<Vec<Val<'c, 'b>>> {
        let Some((_, body)) = self.cases.get(at) else {
            return self.default_results(b, caps);
        };
        let body = &*body.0;
        let mut inner = Lowerer {
            ctx: *b,
            graph: body,
            values: Default::default(),
            weights: self.weights,
            resources: std::mem::take(&mut self.resources),
        };
        for (&id, &v) in body.inputs.iter().zip(caps) {
            inner.values.insert(id, v);
        }
        let lowered = inner.lower_nodes();
        let mut results = Vec::with_capacity(self.types.len());
        let got: Result<()> = lowered.and_then(|()| {
            for (k, &id) in body.outputs.iter().enumerate() {
                let v = inner.get(id, b.loc)?;
                let v = match &self.padded[k] {
                    Some(dims) => {
                        let own = body.ty(id);
                        let high: Vec<u64> = dims
                            .iter()
                            .zip(&own.shape)
                            .map(|(m, d)| m - d.known().unwrap_or(0))
                            .collect();
                        let zero = b.extreme(own.dtype, Extreme::Zero)?;
                        b.pad(v, own, &vec![0; own.rank()], &high, zero)?.0
                    }
                    None => v,
                };
                let ty = self.types[k];
                results.push(if v.r#type() == ty {
                    v
                } else {
                    b.op1("tensor.cast", &[v], ty, &[])?
                });
            }
            for &(k, i) in &self.extents {
                let n = body.ty(body.outputs[k]).shape[i].known().unwrap_or(0);
                results.push(b.index(n as i64)?);
            }
            Ok(())
        });
        self.resources = std::mem::take(&mut inner.resources);
        got.map(|()| results)
    }

    /// An unknown key yields zeros, extent 0 in the dims only the run time knows.
    fn default_results<'b>(
        &self,
        b: &Ctx<'c, 'b>,
        caps: &[Val<'c, 'b>],
    ) -> Result<Vec<Val<'c, 'b>>> {
        let sources: Vec<(Val<'c, 'b>, &TensorType)> = caps
            .iter()
            .copied()
            .zip(self.captured_types.iter().copied())
            .collect();
        let mut results = Vec::with_capacity(self.types.len());
        for (t, p) in self.outs.iter().zip(&self.padded) {
            let dims = match p {
                Some(dims) => dims.iter().map(|&n| DimV::Static(n)).collect(),
                None => t
                    .shape
                    .iter()
                    .map(|d| match d {
                        Dim::Known(n) => Ok(DimV::Static(*n)),
                        Dim::Symbol(_) => match b.dims_for(std::slice::from_ref(d), &sources) {
                            Ok(mut v) => Ok(v.remove(0)),
                            Err(_) => Ok(DimV::Dynamic(b.index(0)?)),
                        },
                    })
                    .collect::<Result<Vec<_>>>()?,
            };
            let empty = b.empty(&dims, t.dtype)?;
            let zero = b.extreme(t.dtype, Extreme::Zero)?;
            results.push(b.fill(zero, empty)?);
        }
        for _ in &self.extents {
            results.push(b.index(0)?);
        }
        Ok(results)
    }

    /// `if key == case[at] { case at } else { the chain from at + 1 }`;
    /// `caps` is the key (index) and then the captured operands.
    fn chain<'b>(
        &mut self,
        b: &Ctx<'c, 'b>,
        caps: &[Val<'c, 'b>],
        at: usize,
    ) -> Result<Vec<Val<'c, 'b>>> {
        let Some(&(key, _)) = self.cases.get(at) else {
            return self.default_results(b, &caps[1..]);
        };
        let want = b.index(key)?;
        let hit = b.cmpi(0, caps[0], want)?; // eq
        let then_region = b.region("scf.yield", &[], caps, |bb, _, cc| {
            self.results(bb, at, &cc[1..])
        })?;
        let else_region = b.region("scf.yield", &[], caps, |bb, _, cc| {
            self.chain(bb, cc, at + 1)
        })?;
        let op = b.build(
            "scf.if",
            &[hit],
            &self.types,
            &[],
            vec![then_region, else_region],
        )?;
        (0..self.types.len())
            .map(|k| {
                Ok(op
                    .result(k)
                    .map_err(|_| Error::internal("scf.if result"))?
                    .into())
            })
            .collect()
    }
}

impl<'c, 'a, 'g> Lowerer<'c, 'a, 'g> {
    /// Switch as a chain of `scf.if` on the key (consumers such as IREE take
    /// `scf.if` with tensor results where they refuse `scf.index_switch`). A
    /// result whose cases all have static shapes is yielded padded to the
    /// largest shape, with its run-time extents as index results, and cut to
    /// them after the chain, so its extents are read from the cut (a consumer
    /// that must know every tensor's extents cannot ask a region op for them).
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
        let padded: Vec<Option<Vec<u64>>> = outs
            .iter()
            .enumerate()
            .map(|(k, t)| padded_shape(cases, k, t))
            .collect();
        let mut types: Vec<Type<'c>> = outs
            .iter()
            .zip(&padded)
            .map(|(t, p)| match p {
                Some(dims) => cx.tensor(&known(dims), t.dtype),
                None => cx.tensor(&t.shape, t.dtype),
            })
            .collect::<Result<_>>()?;
        let extents: Vec<(usize, usize)> = outs
            .iter()
            .zip(&padded)
            .enumerate()
            .filter(|(_, (_, p))| p.is_some())
            .flat_map(|(k, (t, _))| {
                (0..t.rank())
                    .filter(|&i| t.shape[i].known().is_none())
                    .map(move |i| (k, i))
            })
            .collect();
        types.extend(extents.iter().map(|_| cx.index_type()));
        let mut form = SwitchForm {
            cases,
            outs,
            captured_types: ins[1..].iter().map(|(_, t)| *t).collect(),
            padded,
            extents,
            types,
            weights: self.weights,
            resources: std::mem::take(&mut self.resources),
        };
        let mut caps = vec![key];
        caps.extend(ins[1..].iter().map(|(v, _)| *v));
        let chained = form.chain(&cx, &caps, 0);
        self.resources = std::mem::take(&mut form.resources);
        let results = chained?;
        let mut values = Vec::with_capacity(outs.len());
        for (k, t) in outs.iter().enumerate() {
            let v = results[k];
            if form.padded[k].is_none() {
                values.push(v);
                continue;
            }
            // The cut: a generic over the result's extents reading the padded
            // buffer (IREE 3.13 sizes an extract_slice of it wrongly when an
            // elementwise op follows).
            let dims: Vec<DimV> = t
                .shape
                .iter()
                .enumerate()
                .map(|(i, d)| match d.known() {
                    Some(n) => DimV::Static(n),
                    None => {
                        let at = form.extents.iter().position(|&e| e == (k, i)).unwrap_or(0);
                        DimV::Dynamic(results[outs.len() + at])
                    }
                })
                .collect();
            let empty = cx.empty(&dims, t.dtype)?;
            let rank = t.rank();
            let elem = cx.elem(t.dtype)?;
            let cut = cx.generic(
                &[],
                &[empty],
                &[super::ir::identity_map(rank)],
                &vec!["parallel"; rank],
                &[v],
                |b, _, caps| {
                    let at = (0..rank)
                        .map(|i| {
                            let dim = b.parse_attr(&format!("{i} : i64"))?;
                            b.op1("linalg.index", &[], b.index_type(), &[("dim", dim)])
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let mut operands = vec![caps[0]];
                    operands.extend(at);
                    Ok(vec![b.op1("tensor.extract", &operands, elem, &[])?])
                },
            )?;
            values.push(cut[0]);
        }
        Ok(values)
    }
}

/// Static dims as canonical dims.
fn known(dims: &[u64]) -> Vec<Dim> {
    dims.iter().map(|&n| Dim::Known(n)).collect()
}

/// The largest shape of result `k` over the cases, when every case gives it
/// a static shape and the joined type `t` has a run-time dim.
fn padded_shape(cases: &[(i64, Body)], k: usize, t: &TensorType) -> Option<Vec<u64>> {
    if t.shape.iter().all(|d| d.known().is_some()) {
        return None;
    }
    let mut max = vec![0u64; t.rank()];
    for (_, body) in cases {
        let shape = &body.0.ty(*body.0.outputs.get(k)?).shape;
        if shape.len() != max.len() {
            return None;
        }
        for (m, d) in max.iter_mut().zip(shape) {
            *m = (*m).max(d.known()?);
        }
    }
    Some(max)
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
    // Run-time dims of the element are its own (`tensor.dim`).
    let mut operands = vec![elem, buffer, at];
    for (k, d) in elem_shape.iter().enumerate() {
        match d.known() {
            Some(n) => sizes.push(n as i64),
            None => {
                sizes.push(DYNAMIC);
                operands.push(b.dim(elem, k)?);
            }
        }
    }
    let dynamic_sizes = operands.len() - 3;
    let attrs = [
        ("static_offsets", b.parse_attr(&array_i64(&offsets))?),
        ("static_sizes", b.parse_attr(&array_i64(&sizes))?),
        ("static_strides", b.parse_attr(&array_i64(&vec![1; rank]))?),
        (
            "operandSegmentSizes",
            b.parse_attr(&format!("array<i32: 1, 1, 1, {dynamic_sizes}, 0>"))?,
        ),
    ];
    b.op1("tensor.insert_slice", &operands, buffer.r#type(), &attrs)
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
    let mut operands = vec![buffer, count];
    for (k, d) in t.shape[1..].iter().enumerate() {
        match d.known() {
            Some(n) => sizes.push(n as i64),
            None => {
                sizes.push(DYNAMIC);
                operands.push(cx.dim(buffer, k + 1)?);
            }
        }
    }
    let dynamic_sizes = operands.len() - 1;
    let attrs = [
        ("static_offsets", cx.parse_attr(&array_i64(&vec![0; rank]))?),
        ("static_sizes", cx.parse_attr(&array_i64(&sizes))?),
        ("static_strides", cx.parse_attr(&array_i64(&vec![1; rank]))?),
        (
            "operandSegmentSizes",
            cx.parse_attr(&format!("array<i32: 1, 0, {dynamic_sizes}, 0>"))?,
        ),
    ];
    let ty = cx.tensor(&t.shape, t.dtype)?;
    cx.op1("tensor.extract_slice", &operands, ty, &attrs)
}
