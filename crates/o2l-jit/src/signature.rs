//! The compiled function's argument and result types, read from its
//! `function_type`, and the checks that host tensors fit them.
use melior::Context;
use melior::ir::{
    Type,
    attribute::TypeAttribute,
    operation::OperationLike,
    r#type::{DimSize, FunctionType, IntegerType, MemRefType, RankedTensorType, ShapedTypeLike},
};
use o2l_canon::{DType, Dim, Error, Result, Tensor, TensorType};
use std::fmt;

/// Element type as MLIR sees it: signless integers do not know their sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemKind {
    /// Integer of this bit width (1 for bool).
    Int(u32),
    F16,
    BF16,
    F32,
    F64,
}

impl ElemKind {
    pub fn of(dtype: DType) -> ElemKind {
        match dtype {
            DType::F16 => ElemKind::F16,
            DType::BF16 => ElemKind::BF16,
            DType::F32 => ElemKind::F32,
            DType::F64 => ElemKind::F64,
            // Narrow types are stored one per byte (code or value).
            other if other.is_narrow() => ElemKind::Int(8),
            other => ElemKind::Int(other.bit_width()),
        }
    }
    /// Bytes per element in memory (i1 takes a byte).
    pub fn size_bytes(self) -> usize {
        match self {
            ElemKind::Int(w) => (w as usize).div_ceil(8),
            ElemKind::F16 | ElemKind::BF16 => 2,
            ElemKind::F32 => 4,
            ElemKind::F64 => 8,
        }
    }
}

impl fmt::Display for ElemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElemKind::Int(w) => write!(f, "i{w}"),
            ElemKind::F16 => f.write_str("f16"),
            ElemKind::BF16 => f.write_str("bf16"),
            ElemKind::F32 => f.write_str("f32"),
            ElemKind::F64 => f.write_str("f64"),
        }
    }
}

/// One ranked tensor type of the signature; `None` dims are dynamic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSig {
    pub elem: ElemKind,
    pub dims: Vec<Option<u64>>,
}

impl TypeSig {
    pub fn rank(&self) -> usize {
        self.dims.len()
    }
}

impl fmt::Display for TypeSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tensor<")?;
        for d in &self.dims {
            match d {
                Some(n) => write!(f, "{n}x")?,
                None => f.write_str("?x")?,
            }
        }
        write!(f, "{}>", self.elem)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub inputs: Vec<TypeSig>,
    pub results: Vec<TypeSig>,
}

impl Signature {
    /// One line: inputs and results, space-separated, `->` between them;
    /// each type as `f32:2x?x16` (`:` alone for a scalar). `parse` reads it.
    pub fn to_line(&self) -> String {
        let one = |t: &TypeSig| {
            let dims: Vec<String> = t
                .dims
                .iter()
                .map(|d| d.map_or("?".to_string(), |n| n.to_string()))
                .collect();
            format!("{}:{}", t.elem, dims.join("x"))
        };
        let side = |ts: &[TypeSig]| ts.iter().map(one).collect::<Vec<_>>().join(" ");
        format!("{} -> {}", side(&self.inputs), side(&self.results))
    }

    /// Reads `to_line`'s form (None if it is not that).
    pub fn parse(line: &str) -> Option<Signature> {
        let one = |s: &str| -> Option<TypeSig> {
            let (elem, dims) = s.split_once(':')?;
            let elem = match elem {
                "f16" => ElemKind::F16,
                "bf16" => ElemKind::BF16,
                "f32" => ElemKind::F32,
                "f64" => ElemKind::F64,
                other => ElemKind::Int(other.strip_prefix('i')?.parse().ok()?),
            };
            let dims = if dims.is_empty() {
                Vec::new()
            } else {
                dims.split('x')
                    .map(|d| {
                        if d == "?" {
                            Some(None)
                        } else {
                            d.parse().ok().map(Some)
                        }
                    })
                    .collect::<Option<Vec<_>>>()?
            };
            Some(TypeSig { elem, dims })
        };
        let side = |s: &str| s.split_whitespace().map(one).collect::<Option<Vec<_>>>();
        let (inputs, results) = line.split_once("->")?;
        Some(Signature {
            inputs: side(inputs)?,
            results: side(results)?,
        })
    }
}

/// Reads the signature of a `func.func`; every argument and result must be a
/// ranked tensor of a supported element type.
pub fn read<'c: 'a, 'a>(context: &Context, func: &impl OperationLike<'c, 'a>) -> Result<Signature> {
    let attr = func
        .attribute("function_type")
        .map_err(|e| Error::internal(format!("func.func without function_type: {e}")))?;
    let ty = TypeAttribute::try_from(attr)
        .map_err(|e| Error::internal(format!("function_type is not a type: {e}")))?
        .value();
    let fty = FunctionType::try_from(ty)
        .map_err(|e| Error::internal(format!("function_type is not a function type: {e}")))?;
    let mut inputs = Vec::with_capacity(fty.input_count());
    for i in 0..fty.input_count() {
        let t = fty.input(i).map_err(|e| Error::internal(e.to_string()))?;
        inputs.push(
            type_sig(context, t).map_err(|m| Error::unsupported(format!("argument {i}: {m}")))?,
        );
    }
    let mut results = Vec::with_capacity(fty.result_count());
    for i in 0..fty.result_count() {
        let t = fty.result(i).map_err(|e| Error::internal(e.to_string()))?;
        results.push(
            type_sig(context, t).map_err(|m| Error::unsupported(format!("result {i}: {m}")))?,
        );
    }
    Ok(Signature { inputs, results })
}

/// A ranked tensor, or a memref with the identity layout and the default
/// memory space (a bufferized module's boundary: `--bufferize` output runs
/// the same way).
fn type_sig(ctx: &Context, t: Type) -> std::result::Result<TypeSig, String> {
    if let Ok(tensor) = RankedTensorType::try_from(t) {
        return shaped_sig(ctx, &tensor);
    }
    if let Ok(memref) = MemRefType::try_from(t) {
        // A layout or a memory space prints after a comma: `memref<4xf32, strided<..>>`.
        if t.to_string().contains(',') {
            return Err(format!(
                "the JIT passes memrefs with the identity layout only, got {t}"
            ));
        }
        return shaped_sig(ctx, &memref);
    }
    Err(format!(
        "the JIT passes ranked tensors (or identity-layout memrefs) only, got {t}"
    ))
}

fn shaped_sig<'c>(
    ctx: &Context,
    shaped: &impl ShapedTypeLike<'c>,
) -> std::result::Result<TypeSig, String> {
    let e = shaped.element();
    let elem = if let Ok(i) = IntegerType::try_from(e) {
        match i.width() {
            w @ (1 | 8 | 16 | 32 | 64) => ElemKind::Int(w),
            w => return Err(format!("integer width {w} is not supported by the JIT")),
        }
    } else if e == Type::float16(ctx) {
        ElemKind::F16
    } else if e == Type::bfloat16(ctx) {
        ElemKind::BF16
    } else if e == Type::float32(ctx) {
        ElemKind::F32
    } else if e == Type::float64(ctx) {
        ElemKind::F64
    } else {
        return Err(format!("element type {e} is not supported by the JIT"));
    };
    let mut dims = Vec::with_capacity(shaped.rank());
    for d in 0..shaped.rank() {
        dims.push(match shaped.dim_size(d).map_err(|e| e.to_string())? {
            DimSize::Static(n) => Some(n),
            DimSize::Dynamic => None,
        });
    }
    Ok(TypeSig { elem, dims })
}

impl Signature {
    pub fn check_inputs(&self, inputs: &[Tensor]) -> Result<()> {
        if inputs.len() != self.inputs.len() {
            return Err(Error::invalid(format!(
                "the function takes {} inputs ({}), got {}",
                self.inputs.len(),
                list(&self.inputs),
                inputs.len()
            )));
        }
        for (k, (t, want)) in inputs.iter().zip(&self.inputs).enumerate() {
            let dims_fit = t.dims.len() == want.rank()
                && t.dims
                    .iter()
                    .zip(&want.dims)
                    .all(|(&d, w)| w.is_none_or(|w| w == d));
            if ElemKind::of(t.dtype) != want.elem || !dims_fit {
                return Err(Error::invalid(format!(
                    "input {k}: expected {want}, got {} {:?}",
                    t.dtype, t.dims
                )));
            }
        }
        Ok(())
    }

    pub fn check_outputs(&self, outputs: &[TensorType]) -> Result<()> {
        if outputs.len() != self.results.len() {
            return Err(Error::internal(format!(
                "the function returns {} results ({}), {} result types were given",
                self.results.len(),
                list(&self.results),
                outputs.len()
            )));
        }
        for (k, (ty, want)) in outputs.iter().zip(&self.results).enumerate() {
            let dims_fit = ty.rank() == want.rank()
                && ty.shape.iter().zip(&want.dims).all(|(d, w)| match (d, w) {
                    (Dim::Known(a), Some(b)) => a == b,
                    _ => true,
                });
            if ElemKind::of(ty.dtype) != want.elem || !dims_fit {
                return Err(Error::internal(format!(
                    "result {k}: the function returns {want}, expected {ty}"
                )));
            }
        }
        Ok(())
    }
}

fn list(types: &[TypeSig]) -> String {
    types
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
