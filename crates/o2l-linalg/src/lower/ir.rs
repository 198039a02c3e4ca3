//! Shared IR-building helpers, written once: generic op building, constants,
//! `tensor.empty` with dynamic dims, `linalg.generic`, named structured ops with
//! their body region, the broadcasting `elementwise` helper and `tensor.pad`.
use melior::Context;
use melior::ir::attribute::{DenseElementsAttribute, FloatAttribute, IntegerAttribute};
use melior::ir::block::BlockLike;
use melior::ir::operation::OperationBuilder;
use melior::ir::r#type::RankedTensorType;
use melior::ir::{
    Attribute, Block, Identifier, Location, OperationRef, Region, RegionLike, Type, Value,
    ValueLike,
};
use o2l_canon::{DType, Dim, Error, Result, TensorType};

pub(crate) type Val<'c, 'a> = Value<'c, 'a>;

/// An operand as the family lowerings see it: its SSA value and canonical type.
pub(crate) type Operand<'c, 'a, 't> = (Val<'c, 'a>, &'t TensorType);

/// Where ops go: the context, the block being filled and the location of the
/// source node every op carries.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'c, 'a> {
    pub cx: &'c Context,
    pub block: &'a Block<'c>,
    pub loc: Location<'c>,
}

/// MLIR spelling of an element type (signless for unsigned ints).
pub(crate) fn elem_str(d: DType) -> &'static str {
    match d {
        DType::Bool => "i1",
        DType::I8 | DType::U8 => "i8",
        DType::I16 | DType::U16 => "i16",
        DType::I32 | DType::U32 => "i32",
        DType::I64 | DType::U64 => "i64",
        DType::F16 => "f16",
        DType::BF16 => "bf16",
        DType::F32 => "f32",
        DType::F64 => "f64",
        // Narrow types live as one byte each: their code, or their value for ints.
        _ => "i8",
    }
}

/// `tensor<2x?xf32>` for a canonical shape.
pub(crate) fn tensor_str(shape: &[Dim], d: DType) -> String {
    let mut s = String::from("tensor<");
    for dim in shape {
        match dim {
            Dim::Known(n) => s.push_str(&format!("{n}x")),
            Dim::Symbol(_) => s.push_str("?x"),
        }
    }
    s.push_str(elem_str(d));
    s.push('>');
    s
}

/// `affine_map<(d0, d1) -> (d1, 0)>` from loop count and result expressions.
pub(crate) fn map_str(loops: usize, exprs: &[String]) -> String {
    let dims: Vec<String> = (0..loops).map(|i| format!("d{i}")).collect();
    format!(
        "affine_map<({}) -> ({})>",
        dims.join(", "),
        exprs.join(", ")
    )
}

/// Identity map over `loops` loops.
pub(crate) fn identity_map(loops: usize) -> String {
    map_str(
        loops,
        &(0..loops).map(|i| format!("d{i}")).collect::<Vec<_>>(),
    )
}

/// Map picking the given loops.
pub(crate) fn pick_map(loops: usize, picks: &[usize]) -> String {
    map_str(
        loops,
        &picks.iter().map(|i| format!("d{i}")).collect::<Vec<_>>(),
    )
}

/// Numpy-broadcast map of an operand of shape `shape` into an iteration space
/// of shape `out` (operand dims aligned right; size-1 dims against larger ones read index 0).
pub(crate) fn broadcast_map(shape: &[Dim], out: &[Dim]) -> String {
    map_str(out.len(), &broadcast_exprs(shape, out))
}

/// The result expressions of `broadcast_map`.
pub(crate) fn broadcast_exprs(shape: &[Dim], out: &[Dim]) -> Vec<String> {
    let offset = out.len() - shape.len().min(out.len());
    shape
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let o = &out[offset + j];
            if *d == Dim::Known(1) && *o != Dim::Known(1) {
                "0".to_string()
            } else {
                format!("d{}", offset + j)
            }
        })
        .collect()
}

pub(crate) fn dense_i64(values: &[i64]) -> String {
    let v: Vec<String> = values.iter().map(|x| x.to_string()).collect();
    format!("dense<[{}]> : tensor<{}xi64>", v.join(", "), values.len())
}

pub(crate) fn array_i64(values: &[i64]) -> String {
    if values.is_empty() {
        return "array<i64>".to_string();
    }
    let v: Vec<String> = values.iter().map(|x| x.to_string()).collect();
    format!("array<i64: {}>", v.join(", "))
}

pub(crate) fn reassociation(groups: &[Vec<usize>]) -> String {
    let g: Vec<String> = groups
        .iter()
        .map(|g| {
            format!(
                "[{}]",
                g.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    format!("[{}]", g.join(", "))
}

fn mlir_err(what: &str) -> Error {
    Error::internal(format!("MLIR refused to build {what}"))
}

/// A dimension of a tensor to create: known, or a run-time index value.
#[derive(Clone, Copy)]
pub(crate) enum DimV<'c, 'a> {
    Static(u64),
    Dynamic(Val<'c, 'a>),
}

/// Identity values of reductions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Extreme {
    Zero,
    One,
    /// The lowest value of the type (-inf for floats).
    Lowest,
    /// The highest value of the type (+inf for floats).
    Highest,
}

impl<'c, 'a> Ctx<'c, 'a> {
    pub fn parse_type(&self, s: &str) -> Result<Type<'c>> {
        Type::parse(self.cx, s)
            .ok_or_else(|| Error::internal(format!("MLIR cannot parse type {s}")))
    }

    pub fn parse_attr(&self, s: &str) -> Result<Attribute<'c>> {
        Attribute::parse(self.cx, s)
            .ok_or_else(|| Error::internal(format!("MLIR cannot parse attribute {s}")))
    }

    pub fn elem(&self, d: DType) -> Result<Type<'c>> {
        self.parse_type(elem_str(d))
    }

    pub fn tensor(&self, shape: &[Dim], d: DType) -> Result<Type<'c>> {
        self.parse_type(&tensor_str(shape, d))
    }

    pub fn index_type(&self) -> Type<'c> {
        Type::index(self.cx)
    }

    /// Builds and appends one op.
    pub fn build(
        &self,
        name: &str,
        operands: &[Val<'c, 'a>],
        results: &[Type<'c>],
        attrs: &[(&str, Attribute<'c>)],
        regions: Vec<Region<'c>>,
    ) -> Result<OperationRef<'c, 'a>> {
        let named: Vec<(Identifier<'c>, Attribute<'c>)> = attrs
            .iter()
            .map(|(n, a)| (Identifier::new(self.cx, n), *a))
            .collect();
        let op = OperationBuilder::new(name, self.loc)
            .add_operands(operands)
            .add_results(results)
            .add_attributes(&named)
            .add_regions_vec(regions)
            .build()
            .map_err(|e| Error::internal(format!("building {name}: {e}")))?;
        Ok(self.block.append_operation(op))
    }

    /// Builds an op with one result and returns it.
    pub fn op1(
        &self,
        name: &str,
        operands: &[Val<'c, 'a>],
        result: Type<'c>,
        attrs: &[(&str, Attribute<'c>)],
    ) -> Result<Val<'c, 'a>> {
        self.op1_regions(name, operands, result, attrs, vec![])
    }

    pub fn op1_regions(
        &self,
        name: &str,
        operands: &[Val<'c, 'a>],
        result: Type<'c>,
        attrs: &[(&str, Attribute<'c>)],
        regions: Vec<Region<'c>>,
    ) -> Result<Val<'c, 'a>> {
        let op = self.build(name, operands, &[result], attrs, regions)?;
        Ok(op.result(0).map_err(|_| mlir_err(name))?.into())
    }

    /// A binary op whose result type is the first operand's.
    pub fn bin(&self, name: &str, a: Val<'c, 'a>, b: Val<'c, 'a>) -> Result<Val<'c, 'a>> {
        self.op1(name, &[a, b], a.r#type(), &[])
    }

    /// A unary op whose result type is the operand's.
    pub fn un(&self, name: &str, a: Val<'c, 'a>) -> Result<Val<'c, 'a>> {
        self.op1(name, &[a], a.r#type(), &[])
    }

    pub fn cmpf(&self, pred: u32, a: Val<'c, 'a>, b: Val<'c, 'a>) -> Result<Val<'c, 'a>> {
        let p = self.parse_attr(&format!("{pred} : i64"))?;
        let i1 = self.parse_type("i1")?;
        self.op1("arith.cmpf", &[a, b], i1, &[("predicate", p)])
    }

    pub fn cmpi(&self, pred: u32, a: Val<'c, 'a>, b: Val<'c, 'a>) -> Result<Val<'c, 'a>> {
        let p = self.parse_attr(&format!("{pred} : i64"))?;
        let i1 = self.parse_type("i1")?;
        self.op1("arith.cmpi", &[a, b], i1, &[("predicate", p)])
    }

    pub fn select(&self, c: Val<'c, 'a>, a: Val<'c, 'a>, b: Val<'c, 'a>) -> Result<Val<'c, 'a>> {
        self.op1("arith.select", &[c, a, b], a.r#type(), &[])
    }

    /// `arith.constant` of an attribute.
    pub fn constant(&self, value: Attribute<'c>, ty: Type<'c>) -> Result<Val<'c, 'a>> {
        self.op1("arith.constant", &[], ty, &[("value", value)])
    }

    pub fn index(&self, n: i64) -> Result<Val<'c, 'a>> {
        let t = self.index_type();
        self.constant(IntegerAttribute::new(t, n).into(), t)
    }

    /// A scalar constant of element type `d` (floats: `v`; ints: `v` truncated).
    pub fn scalar(&self, d: DType, v: f64) -> Result<Val<'c, 'a>> {
        let t = self.elem(d)?;
        let attr: Attribute<'c> = if d.is_float() {
            FloatAttribute::new(self.cx, t, v).into()
        } else {
            IntegerAttribute::new(t, v as i64).into()
        };
        self.constant(attr, t)
    }

    pub fn scalar_int(&self, d: DType, v: i64) -> Result<Val<'c, 'a>> {
        let t = self.elem(d)?;
        self.constant(IntegerAttribute::new(t, v).into(), t)
    }

    /// Zero, one, or the extreme values of `d`.
    pub fn extreme(&self, d: DType, which: Extreme) -> Result<Val<'c, 'a>> {
        let bits = d.bit_width();
        match which {
            Extreme::Zero => self.scalar(d, 0.0),
            Extreme::One => self.scalar(d, 1.0),
            Extreme::Lowest if d.is_float() => self.scalar(d, f64::NEG_INFINITY),
            Extreme::Highest if d.is_float() => self.scalar(d, f64::INFINITY),
            Extreme::Lowest if d.is_signed_int() => self.scalar_int(
                d,
                if bits == 64 {
                    i64::MIN
                } else {
                    -(1i64 << (bits - 1))
                },
            ),
            Extreme::Highest if d.is_signed_int() => self.scalar_int(
                d,
                if bits == 64 {
                    i64::MAX
                } else {
                    (1i64 << (bits - 1)) - 1
                },
            ),
            Extreme::Lowest => self.scalar_int(d, 0),
            // All ones: the unsigned maximum (and `true` for bool).
            Extreme::Highest => self.scalar_int(d, -1),
        }
    }

    /// `tensor.dim %v, i`.
    pub fn dim(&self, v: Val<'c, 'a>, i: usize) -> Result<Val<'c, 'a>> {
        let c = self.index(i as i64)?;
        self.op1("tensor.dim", &[v, c], self.index_type(), &[])
    }

    /// Dims of a tensor to create with canonical shape `shape`: symbolic dims are
    /// read with `tensor.dim` from the first source that has the same symbol.
    pub fn dims_for(
        &self,
        shape: &[Dim],
        sources: &[(Val<'c, 'a>, &TensorType)],
    ) -> Result<Vec<DimV<'c, 'a>>> {
        shape
            .iter()
            .map(|d| match d {
                Dim::Known(n) => Ok(DimV::Static(*n)),
                Dim::Symbol(s) => {
                    for (v, t) in sources {
                        if let Some(i) = t.shape.iter().position(|x| x == d) {
                            return Ok(DimV::Dynamic(self.dim(*v, i)?));
                        }
                    }
                    Err(Error::unsupported(format!(
                        "symbolic dim \"{s}\" of the result is not a dim of any operand"
                    )))
                }
            })
            .collect()
    }

    /// `tensor.empty` with the given dims.
    pub fn empty(&self, dims: &[DimV<'c, 'a>], d: DType) -> Result<Val<'c, 'a>> {
        let shape: Vec<Dim> = dims
            .iter()
            .map(|x| match x {
                DimV::Static(n) => Dim::Known(*n),
                DimV::Dynamic(_) => Dim::Symbol("?".into()),
            })
            .collect();
        let dynamic: Vec<Val<'c, 'a>> = dims
            .iter()
            .filter_map(|x| match x {
                DimV::Dynamic(v) => Some(*v),
                DimV::Static(_) => None,
            })
            .collect();
        self.op1("tensor.empty", &dynamic, self.tensor(&shape, d)?, &[])
    }

    /// A `tensor.empty` of `out`'s type whose run-time spatial dims (2..) are
    /// the extents of sliding windows over `x` (`o2l_canon::ops::window_output`
    /// at run time): a source that a windowed op's result dims are read from.
    #[allow(clippy::too_many_arguments)]
    pub fn window_extents(
        &self,
        x: (Val<'c, 'a>, &TensorType),
        out: &TensorType,
        pads: &[(u64, u64)],
        kernel: &[u64],
        strides: &[u64],
        dilations: &[u64],
        ceil: bool,
    ) -> Result<Val<'c, 'a>> {
        let mut dims = Vec::with_capacity(out.rank());
        for (k, d) in out.shape.iter().enumerate() {
            dims.push(match d {
                Dim::Known(n) => DimV::Static(*n),
                _ if k < 2 || x.1.shape.get(k) == Some(d) => {
                    self.dims_for(std::slice::from_ref(d), &[x])?.remove(0)
                }
                Dim::Symbol(_) => {
                    let i = k - 2;
                    let input = self.dim(x.0, k)?;
                    let index = |v: u64| self.index(v as i64);
                    let span = dilations[i] * (kernel[i] - 1) + 1;
                    let padded = self.bin("arith.addi", input, index(pads[i].0 + pads[i].1)?)?;
                    let room = self.bin("arith.subi", padded, index(span)?)?;
                    let stride = index(strides[i])?;
                    let one = index(1)?;
                    let n = if ceil {
                        let n = self.bin(
                            "arith.addi",
                            self.bin("arith.ceildivsi", room, stride)?,
                            one,
                        )?;
                        // The last window must start inside the input or the begin padding.
                        let start =
                            self.bin("arith.muli", self.bin("arith.subi", n, one)?, stride)?;
                        let limit = self.bin("arith.addi", input, index(pads[i].0)?)?;
                        let past = self.cmpi(5, start, limit)?; // sge
                        self.select(past, self.bin("arith.subi", n, one)?, n)?
                    } else {
                        self.bin("arith.addi", self.bin("arith.divsi", room, stride)?, one)?
                    };
                    DimV::Dynamic(n)
                }
            });
        }
        self.empty(&dims, out.dtype)
    }

    /// The leading `sizes` (None: the whole dim) of `x` along each dim:
    /// `tensor.extract_slice` at offset 0, stride 1.
    pub fn leading(
        &self,
        x: (Val<'c, 'a>, &TensorType),
        sizes: &[Option<u64>],
    ) -> Result<(Val<'c, 'a>, TensorType)> {
        let rank = sizes.len();
        self.extract_slice(x, &vec![0; rank], sizes, &vec![1; rank], None)
    }

    /// `tensor.extract_slice` of `x` with static offsets and strides: along
    /// each dim, `sizes` elements (None: the whole dim, which may be
    /// symbolic), the dim `dropped` (of size 1) left out of the result.
    pub fn extract_slice(
        &self,
        x: (Val<'c, 'a>, &TensorType),
        offsets: &[i64],
        sizes: &[Option<u64>],
        strides: &[i64],
        dropped: Option<usize>,
    ) -> Result<(Val<'c, 'a>, TensorType)> {
        let mut shape = Vec::with_capacity(sizes.len());
        let mut static_sizes = Vec::with_capacity(sizes.len());
        let mut dynamic = Vec::new();
        for (i, (d, s)) in x.1.shape.iter().zip(sizes).enumerate() {
            let kept = dropped != Some(i);
            match (s, d) {
                (Some(n), _) | (None, Dim::Known(n)) => {
                    if kept {
                        shape.push(Dim::Known(*n));
                    }
                    static_sizes.push(*n as i64);
                }
                (None, Dim::Symbol(_)) => {
                    if kept {
                        shape.push(d.clone());
                    }
                    static_sizes.push(i64::MIN);
                    dynamic.push(self.dim(x.0, i)?);
                }
            }
        }
        let attrs = [
            ("static_offsets", self.parse_attr(&array_i64(offsets))?),
            ("static_sizes", self.parse_attr(&array_i64(&static_sizes))?),
            ("static_strides", self.parse_attr(&array_i64(strides))?),
            (
                "operandSegmentSizes",
                self.parse_attr(&format!("array<i32: 1, 0, {}, 0>", dynamic.len()))?,
            ),
        ];
        let ty = TensorType::new(x.1.dtype, shape);
        let mut operands = vec![x.0];
        operands.extend(dynamic);
        let v = self.op1(
            "tensor.extract_slice",
            &operands,
            self.tensor(&ty.shape, ty.dtype)?,
            &attrs,
        )?;
        Ok((v, ty))
    }

    /// `tensor.empty` of a canonical type, dynamic dims taken from `sources`.
    pub fn empty_like(
        &self,
        ty: &TensorType,
        sources: &[(Val<'c, 'a>, &TensorType)],
    ) -> Result<Val<'c, 'a>> {
        let dims = self.dims_for(&ty.shape, sources)?;
        self.empty(&dims, ty.dtype)
    }

    /// `linalg.fill` of a scalar into `init`.
    pub fn fill(&self, value: Val<'c, 'a>, init: Val<'c, 'a>) -> Result<Val<'c, 'a>> {
        let elem = element_type(init.r#type())?;
        let region = self.region("linalg.yield", &[elem, elem], &[], |_, args, _| {
            Ok(vec![args[0]])
        })?;
        let seg = self.parse_attr("array<i32: 1, 1>")?;
        self.op1_regions(
            "linalg.fill",
            &[value, init],
            init.r#type(),
            &[("operandSegmentSizes", seg)],
            vec![region],
        )
    }

    /// `tensor.empty` + `linalg.fill` with an extreme value.
    pub fn filled(
        &self,
        ty: &TensorType,
        sources: &[(Val<'c, 'a>, &TensorType)],
        which: Extreme,
    ) -> Result<Val<'c, 'a>> {
        let e = self.empty_like(ty, sources)?;
        let v = self.extreme(ty.dtype, which)?;
        self.fill(v, e)
    }

    /// A one-block region with arguments `args`, built by `body`, ended by
    /// `terminator` over the values `body` returns. Values from the enclosing
    /// block that the body uses are passed in `caps` and handed back to it.
    pub fn region<F>(
        &self,
        terminator: &str,
        args: &[Type<'c>],
        caps: &[Val<'c, 'a>],
        body: F,
    ) -> Result<Region<'c>>
    where
        F: for<'b> FnOnce(&Ctx<'c, 'b>, &[Val<'c, 'b>], &[Val<'c, 'b>]) -> Result<Vec<Val<'c, 'b>>>,
    {
        let arg_locs: Vec<(Type<'c>, Location<'c>)> = args.iter().map(|&t| (t, self.loc)).collect();
        let block = Block::new(&arg_locs);
        {
            let inner = Ctx {
                cx: self.cx,
                block: &block,
                loc: self.loc,
            };
            let vals = (0..args.len())
                .map(|i| block.argument(i).map(Val::from))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|_| mlir_err("a block argument"))?;
            let caps: Vec<Val<'c, '_>> = caps.to_vec();
            let ys = body(&inner, &vals, &caps)?;
            inner.build(terminator, &ys, &[], &[], vec![])?;
        }
        let region = Region::new();
        region.append_block(block);
        Ok(region)
    }

    /// `scf.for` over `0..n` carrying `inits`; `body` gets the induction
    /// variable, the carried values and `caps`, and returns the next carried
    /// values. Returns the final carried values.
    pub fn for_range<F>(
        &self,
        n: Val<'c, 'a>,
        inits: &[Val<'c, 'a>],
        caps: &[Val<'c, 'a>],
        body: F,
    ) -> Result<Vec<Val<'c, 'a>>>
    where
        F: for<'b> FnOnce(
            &Ctx<'c, 'b>,
            Val<'c, 'b>,
            &[Val<'c, 'b>],
            &[Val<'c, 'b>],
        ) -> Result<Vec<Val<'c, 'b>>>,
    {
        let types: Vec<Type<'c>> = inits.iter().map(|v| v.r#type()).collect();
        let mut args = vec![self.index_type()];
        args.extend(&types);
        let region = self.region("scf.yield", &args, caps, |b, a, c| {
            body(b, a[0], &a[1..], c)
        })?;
        let mut operands = vec![self.index(0)?, n, self.index(1)?];
        operands.extend(inits);
        let op = self.build("scf.for", &operands, &types, &[], vec![region])?;
        (0..inits.len())
            .map(|i| op.result(i).map(Val::from).map_err(|_| mlir_err("scf.for")))
            .collect()
    }

    /// `linalg.generic` over `ins` and `outs` with the given maps and iterator
    /// kinds (`parallel` / `reduction`); `body` gets the scalars of ins then outs
    /// (then `caps`) and returns one value per out.
    #[allow(clippy::too_many_arguments)]
    pub fn generic<F>(
        &self,
        ins: &[Val<'c, 'a>],
        outs: &[Val<'c, 'a>],
        maps: &[String],
        iterators: &[&str],
        caps: &[Val<'c, 'a>],
        body: F,
    ) -> Result<Vec<Val<'c, 'a>>>
    where
        F: for<'b> FnOnce(&Ctx<'c, 'b>, &[Val<'c, 'b>], &[Val<'c, 'b>]) -> Result<Vec<Val<'c, 'b>>>,
    {
        let maps_attr = self.parse_attr(&format!("[{}]", maps.join(", ")))?;
        let iters: Vec<String> = iterators
            .iter()
            .map(|k| format!("#linalg.iterator_type<{k}>"))
            .collect();
        let iters_attr = self.parse_attr(&format!("[{}]", iters.join(", ")))?;
        self.structured(
            "linalg.generic",
            ins,
            outs,
            &[("indexing_maps", maps_attr), ("iterator_types", iters_attr)],
            caps,
            body,
        )
    }

    /// A named structured op (`linalg.matmul`, `linalg.conv_2d_nchw_fchw`, ...)
    /// with its body region built explicitly.
    pub fn structured<F>(
        &self,
        name: &str,
        ins: &[Val<'c, 'a>],
        outs: &[Val<'c, 'a>],
        attrs: &[(&str, Attribute<'c>)],
        caps: &[Val<'c, 'a>],
        body: F,
    ) -> Result<Vec<Val<'c, 'a>>>
    where
        F: for<'b> FnOnce(&Ctx<'c, 'b>, &[Val<'c, 'b>], &[Val<'c, 'b>]) -> Result<Vec<Val<'c, 'b>>>,
    {
        let mut arg_types = Vec::new();
        for v in ins.iter().chain(outs) {
            arg_types.push(element_type(v.r#type())?);
        }
        let region = self.region("linalg.yield", &arg_types, caps, body)?;
        let mut all = attrs.to_vec();
        // These three take plain operand lists.
        if !matches!(
            name,
            "linalg.broadcast" | "linalg.transpose" | "linalg.reduce"
        ) {
            let seg = self.parse_attr(&format!("array<i32: {}, {}>", ins.len(), outs.len()))?;
            all.push(("operandSegmentSizes", seg));
        }
        let operands: Vec<Val<'c, 'a>> = ins.iter().chain(outs).copied().collect();
        let results: Vec<Type<'c>> = outs.iter().map(|v| v.r#type()).collect();
        let op = self.build(name, &operands, &results, &all, vec![region])?;
        (0..outs.len())
            .map(|i| op.result(i).map(Val::from).map_err(|_| mlir_err(name)))
            .collect()
    }

    /// Numpy-broadcasting elementwise `linalg.generic`: `body` maps the input
    /// scalars to the output scalar.
    pub fn elementwise<F>(
        &self,
        ins: &[(Val<'c, 'a>, &TensorType)],
        out: &TensorType,
        caps: &[Val<'c, 'a>],
        body: F,
    ) -> Result<Val<'c, 'a>>
    where
        F: for<'b> FnOnce(&Ctx<'c, 'b>, &[Val<'c, 'b>], &[Val<'c, 'b>]) -> Result<Val<'c, 'b>>,
    {
        let init = self.empty_like(out, ins)?;
        let mut maps: Vec<String> = ins
            .iter()
            .map(|(_, t)| broadcast_map(&t.shape, &out.shape))
            .collect();
        maps.push(identity_map(out.rank()));
        let iters = vec!["parallel"; out.rank()];
        let n = ins.len();
        let vals: Vec<Val<'c, 'a>> = ins.iter().map(|(v, _)| *v).collect();
        let r = self.generic(&vals, &[init], &maps, &iters, caps, move |b, args, caps| {
            Ok(vec![body(b, &args[..n], caps)?])
        })?;
        Ok(r[0])
    }

    /// `tensor.pad` with a constant pad value.
    pub fn pad(
        &self,
        x: Val<'c, 'a>,
        ty: &TensorType,
        low: &[u64],
        high: &[u64],
        value: Val<'c, 'a>,
    ) -> Result<(Val<'c, 'a>, TensorType)> {
        if low.iter().chain(high).all(|&p| p == 0) {
            return Ok((x, ty.clone()));
        }
        let shape: Vec<Dim> = ty
            .shape
            .iter()
            .enumerate()
            .map(|(i, d)| match d {
                Dim::Known(n) => Dim::Known(n + low[i] + high[i]),
                Dim::Symbol(s) if low[i] + high[i] == 0 => Dim::Symbol(s.clone()),
                Dim::Symbol(s) => Dim::Symbol(format!("{s}+pad")),
            })
            .collect();
        let out = TensorType::new(ty.dtype, shape);
        let idx = vec![self.index_type(); ty.rank()];
        let region = self.region("tensor.yield", &idx, &[value], |_, _, caps| {
            Ok(vec![caps[0]])
        })?;
        let lo: Vec<i64> = low.iter().map(|&p| p as i64).collect();
        let hi: Vec<i64> = high.iter().map(|&p| p as i64).collect();
        let v = self.op1_regions(
            "tensor.pad",
            &[x],
            self.tensor(&out.shape, ty.dtype)?,
            &[
                (
                    "operandSegmentSizes",
                    self.parse_attr("array<i32: 1, 0, 0>")?,
                ),
                ("static_low", self.parse_attr(&array_i64(&lo))?),
                ("static_high", self.parse_attr(&array_i64(&hi))?),
            ],
            vec![region],
        )?;
        Ok((v, out))
    }

    /// `tensor.expand_shape` to canonical shape `to` (dynamic dims from `sources`).
    pub fn expand(
        &self,
        x: Val<'c, 'a>,
        groups: &[Vec<usize>],
        to: &TensorType,
        sources: &[(Val<'c, 'a>, &TensorType)],
    ) -> Result<Val<'c, 'a>> {
        let dims = self.dims_for(&to.shape, sources)?;
        let mut stat = Vec::new();
        let mut dynamic = vec![x];
        for d in &dims {
            match d {
                DimV::Static(n) => stat.push(*n as i64),
                DimV::Dynamic(v) => {
                    stat.push(i64::MIN);
                    dynamic.push(*v);
                }
            }
        }
        self.op1(
            "tensor.expand_shape",
            &dynamic,
            self.tensor(&to.shape, to.dtype)?,
            &[
                ("reassociation", self.parse_attr(&reassociation(groups))?),
                ("static_output_shape", self.parse_attr(&array_i64(&stat))?),
            ],
        )
    }

    /// `tensor.collapse_shape` to canonical shape `to`.
    pub fn collapse(
        &self,
        x: Val<'c, 'a>,
        groups: &[Vec<usize>],
        to: &TensorType,
    ) -> Result<Val<'c, 'a>> {
        self.op1(
            "tensor.collapse_shape",
            &[x],
            self.tensor(&to.shape, to.dtype)?,
            &[("reassociation", self.parse_attr(&reassociation(groups))?)],
        )
    }

    /// A dense constant tensor of `d` elements from f64 values.
    pub fn dense_f64(&self, d: DType, dims: &[u64], values: &[f64]) -> Result<Val<'c, 'a>> {
        let ty = self.tensor(&dims.iter().map(|&n| Dim::Known(n)).collect::<Vec<_>>(), d)?;
        let elem = self.elem(d)?;
        let attrs: Vec<Attribute<'c>> = values
            .iter()
            .map(|&v| -> Attribute<'c> {
                if d.is_float() {
                    FloatAttribute::new(self.cx, elem, v).into()
                } else {
                    IntegerAttribute::new(elem, v as i64).into()
                }
            })
            .collect();
        let dense = DenseElementsAttribute::new(ty, &attrs)
            .map_err(|e| Error::internal(format!("dense constant: {e}")))?;
        self.constant(dense.into(), ty)
    }
}

/// Element type of a ranked tensor type.
pub(crate) fn element_type(t: Type<'_>) -> Result<Type<'_>> {
    use melior::ir::r#type::{ShapedTypeLike, TypeLike};
    // A scalar operand (the quantized ops' zero points) is its own element.
    if t.is_integer() || t.is_index() {
        return Ok(t);
    }
    let r = RankedTensorType::try_from(t)
        .map_err(|_| Error::internal(format!("expected a ranked tensor type, got {t}")))?;
    Ok(r.element())
}
