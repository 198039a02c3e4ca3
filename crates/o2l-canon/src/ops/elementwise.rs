//! Elementwise ops: one scalar function applied per element, with numpy
//! (multidirectional) broadcasting for binary ops, and dtype casts.
use super::declare::canonical_ops;
use super::spec::{expect_operands, expect_same_dtype};
use crate::narrow::E8M0Round;
use crate::shape::broadcast_shapes;
use crate::{DType, HostArray, Result, Tensor, TensorType};

canonical_ops! {
    family: Elementwise;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Elementwise wrapping [
        Unary(Unary),
        /// Numpy broadcasting; both operands share one element type.
        Binary(Binary),
        /// Numpy broadcasting; both operands share one element type, the result is bool.
        /// Float compares are ordered (NaN compares false).
        Compare(Compare),
    ] {
        /// `cond ? x : y` with three-way numpy broadcasting; `cond` is bool.
        Select
            => "cond ? x : y, three-way numpy broadcasting", ["cond", "x", "y"], [];
        /// The same bits read as `to`, a type of the same byte width (bool is a
        /// byte, 0 or 1).
        BitCast { to: DType }
            => "reinterpret the bits as another type of the same width", ["x"], ["to: dtype"];
        /// Element type conversion: float->int truncates toward zero, to bool is
        /// `!= 0`, float to float rounds to nearest even. Narrow float targets
        /// (float8, float4) clamp out-of-range values to their largest finite
        /// value when `saturate`, else become inf or NaN as the format has;
        /// float8e8m0 drops the mantissa by `e8m0`; int4/int2 targets wrap.
        Cast {
            to: DType,
            saturate: bool,
            e8m0: E8M0Round,
        }
            => "convert the element type; float to int truncates, to bool is != 0; narrow float targets round to nearest even and saturate or overflow",
            ["x"],
            ["to: dtype", "saturate: bool = true", "e8m0: up|down|nearest = up"];
    }
}

impl Elementwise {
    /// A cast with ONNX's defaults (saturating, e8m0 rounding up).
    pub fn cast(to: DType) -> Elementwise {
        Elementwise::Cast {
            to,
            saturate: true,
            e8m0: E8M0Round::Up,
        }
    }
}

canonical_ops! {
    family: Elementwise;
    /// One-operand scalar functions; parameters are explicit.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Unary {
        Neg => "-x", ["x"], [];
        Abs => "|x|", ["x"], [];
        Relu => "max(x, 0)", ["x"], [];
        Sigmoid => "1 / (1 + exp(-x))", ["x"], [];
        Tanh => "tanh(x)", ["x"], [];
        Exp => "e^x", ["x"], [];
        Log => "natural logarithm", ["x"], [];
        Sqrt => "square root", ["x"], [];
        /// `x >= 0 ? x : alpha * x`.
        LeakyRelu { alpha: f64 } => "x >= 0 ? x : alpha * x", ["x"], ["alpha: f64"];
        /// `min(max(x, min), max)`; bounds already in the operand's value range.
        Clamp { min: f64, max: f64 }
            => "min(max(x, min), max)", ["x"], ["min: f64", "max: f64"];
        Floor => "round toward -inf", ["x"], [];
        Ceil => "round toward +inf", ["x"], [];
        /// Round half to even.
        Round => "round half to even", ["x"], [];
        Erf => "error function", ["x"], [];
        Sin => "sine", ["x"], [];
        Cos => "cosine", ["x"], [];
        Tan => "tangent", ["x"], [];
        Asin => "arc sine", ["x"], [];
        Acos => "arc cosine", ["x"], [];
        Atan => "arc tangent", ["x"], [];
        Sinh => "hyperbolic sine", ["x"], [];
        Cosh => "hyperbolic cosine", ["x"], [];
        Asinh => "inverse hyperbolic sine", ["x"], [];
        Acosh => "inverse hyperbolic cosine", ["x"], [];
        Atanh => "inverse hyperbolic tangent", ["x"], [];
        /// -1, 0 or 1 (NaN stays NaN).
        Sign => "-1, 0 or 1; NaN stays NaN", ["x"], [];
        /// Logical not on bool, bitwise not on ints.
        Not => "logical not on bool, bitwise not on ints", ["x"], [];
        /// Bool result.
        IsNaN => "x != x, bool result", ["x"], [];
        /// Bool result: true for -inf when `negative`, for +inf when `positive`.
        IsInf { negative: bool, positive: bool }
            => "x is an infinity of a selected sign, bool result",
            ["x"], ["negative: bool", "positive: bool"];
    }
}

canonical_ops! {
    family: Elementwise;
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Compare {
        Equal => "a == b, bool result, numpy broadcasting", ["a", "b"], [];
        Less => "a < b, bool result, numpy broadcasting; NaN false", ["a", "b"], [];
        LessOrEqual => "a <= b, bool result, numpy broadcasting; NaN false", ["a", "b"], [];
        Greater => "a > b, bool result, numpy broadcasting; NaN false", ["a", "b"], [];
        GreaterOrEqual => "a >= b, bool result, numpy broadcasting; NaN false", ["a", "b"], [];
    }
}

canonical_ops! {
    family: Elementwise;
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Binary {
        Add => "a + b, numpy broadcasting", ["a", "b"], [];
        Sub => "a - b, numpy broadcasting", ["a", "b"], [];
        Mul => "a * b, numpy broadcasting", ["a", "b"], [];
        /// Integer division truncates toward zero.
        Div => "a / b, numpy broadcasting; integers truncate toward zero", ["a", "b"], [];
        Max => "max(a, b), numpy broadcasting; NaN propagates", ["a", "b"], [];
        Min => "min(a, b), numpy broadcasting; NaN propagates", ["a", "b"], [];
        Pow => "a ^ b, numpy broadcasting", ["a", "b"], [];
        /// Remainder; `fmod` truncates (C fmod, sign of the dividend), otherwise the
        /// result takes the divisor's sign (as numpy's mod). Integer `x mod 0` is 0.
        Mod { fmod: bool }
            => "remainder, numpy broadcasting; fmod truncates, else the divisor's sign",
            ["a", "b"], ["fmod: bool"];
        /// Logical on bool, bitwise on ints.
        And => "logical and on bool, bitwise on ints", ["a", "b"], [];
        Or => "logical or on bool, bitwise on ints", ["a", "b"], [];
        Xor => "logical xor on bool, bitwise on ints", ["a", "b"], [];
        /// Shifts of ints; a shift by the bit width or more gives 0.
        ShiftLeft => "a << b on ints; 0 when b >= width", ["a", "b"], [];
        ShiftRight => "a >> b on ints (logical for unsigned); 0 when b >= width", ["a", "b"], [];
    }
}

impl Unary {
    /// The result is bool whatever the operand type.
    pub fn bool_result(&self) -> bool {
        matches!(self, Unary::IsNaN | Unary::IsInf { .. })
    }

    /// Transcendental functions are defined on floats only.
    pub fn float_only(&self) -> bool {
        matches!(
            self,
            Unary::Sigmoid
                | Unary::Tanh
                | Unary::Exp
                | Unary::Log
                | Unary::Sqrt
                | Unary::Floor
                | Unary::Ceil
                | Unary::Round
                | Unary::Erf
                | Unary::Sin
                | Unary::Cos
                | Unary::Tan
                | Unary::Asin
                | Unary::Acos
                | Unary::Atan
                | Unary::Sinh
                | Unary::Cosh
                | Unary::Asinh
                | Unary::Acosh
                | Unary::Atanh
                | Unary::IsNaN
                | Unary::IsInf { .. }
        )
    }

    /// The scalar function, for folding (None: not folded, e.g. erf).
    pub fn eval(&self, x: f64) -> Option<f64> {
        Some(match self {
            Unary::Neg => -x,
            Unary::Abs => x.abs(),
            Unary::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Unary::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Unary::Tanh => x.tanh(),
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::Sqrt => x.sqrt(),
            Unary::LeakyRelu { alpha } => {
                if x >= 0.0 {
                    x
                } else {
                    alpha * x
                }
            }
            Unary::Clamp { min, max } => x.max(*min).min(*max),
            Unary::Floor => x.floor(),
            Unary::Ceil => x.ceil(),
            Unary::Round => x.round_ties_even(),
            Unary::Sin => x.sin(),
            Unary::Cos => x.cos(),
            Unary::Tan => x.tan(),
            Unary::Asin => x.asin(),
            Unary::Acos => x.acos(),
            Unary::Atan => x.atan(),
            Unary::Sinh => x.sinh(),
            Unary::Cosh => x.cosh(),
            Unary::Asinh => x.asinh(),
            Unary::Acosh => x.acosh(),
            Unary::Atanh => x.atanh(),
            Unary::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    x
                }
            }
            Unary::IsNaN => f64::from(u8::from(x.is_nan())),
            Unary::IsInf { negative, positive } => f64::from(u8::from(
                (*negative && x == f64::NEG_INFINITY) || (*positive && x == f64::INFINITY),
            )),
            Unary::Erf | Unary::Not => return None,
        })
    }
}

impl Binary {
    /// Defined on bool operands (the logical ops).
    pub fn allows_bool(self) -> bool {
        matches!(self, Binary::And | Binary::Or | Binary::Xor)
    }

    /// Defined on integer (and bool) operands only.
    pub fn int_only(self) -> bool {
        matches!(
            self,
            Binary::And | Binary::Or | Binary::Xor | Binary::ShiftLeft | Binary::ShiftRight
        )
    }

    pub fn eval_f64(self, a: f64, b: f64) -> f64 {
        match self {
            Binary::Add => a + b,
            Binary::Sub => a - b,
            Binary::Mul => a * b,
            Binary::Div => a / b,
            Binary::Max => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }
            Binary::Min => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }
            Binary::Pow => a.powf(b),
            Binary::Mod { fmod } => {
                let r = a % b;
                if !fmod && r != 0.0 && (r < 0.0) != (b < 0.0) {
                    r + b
                } else {
                    r
                }
            }
            // Int-only ops (never reached for floats).
            Binary::And | Binary::Or | Binary::Xor | Binary::ShiftLeft | Binary::ShiftRight => {
                f64::NAN
            }
        }
    }

    /// Integer semantics (wrapping, division by zero gives 0 rather than trapping).
    pub fn eval_i64(self, a: i64, b: i64) -> i64 {
        match self {
            Binary::Add => a.wrapping_add(b),
            Binary::Sub => a.wrapping_sub(b),
            Binary::Mul => a.wrapping_mul(b),
            Binary::Div => {
                if b == 0 {
                    0
                } else {
                    a.wrapping_div(b)
                }
            }
            Binary::Max => a.max(b),
            Binary::Min => a.min(b),
            Binary::Pow => (a as f64).powf(b as f64) as i64,
            Binary::Mod { fmod } => {
                if b == 0 {
                    return 0;
                }
                let r = a.wrapping_rem(b);
                if !fmod && r != 0 && (r < 0) != (b < 0) {
                    r + b
                } else {
                    r
                }
            }
            Binary::And => a & b,
            Binary::Or => a | b,
            Binary::Xor => a ^ b,
            Binary::ShiftLeft => {
                if (0..64).contains(&b) {
                    a.wrapping_shl(b as u32)
                } else {
                    0
                }
            }
            Binary::ShiftRight => {
                if (0..64).contains(&b) {
                    ((a as u64) >> b) as i64
                } else {
                    0
                }
            }
        }
    }
}

impl Compare {
    /// Ordered comparison (NaN gives false).
    pub fn eval_f64(self, a: f64, b: f64) -> bool {
        match self {
            Compare::Equal => a == b,
            Compare::Less => a < b,
            Compare::LessOrEqual => a <= b,
            Compare::Greater => a > b,
            Compare::GreaterOrEqual => a >= b,
        }
    }

    pub fn eval_i64(self, a: i64, b: i64) -> bool {
        match self {
            Compare::Equal => a == b,
            Compare::Less => a < b,
            Compare::LessOrEqual => a <= b,
            Compare::Greater => a > b,
            Compare::GreaterOrEqual => a >= b,
        }
    }
}

impl Elementwise {
    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        if !matches!(self, Elementwise::Cast { .. })
            && let Some(t) = inputs.iter().find(|t| t.dtype.is_narrow())
        {
            crate::bail!(
                Unsupported,
                "{} of {} elements: narrow types only convert (Cast) or move",
                self.name(),
                t.dtype
            );
        }
        match self {
            Elementwise::Unary(u) => {
                expect_operands(u.name(), inputs, 1, 1)?;
                if u.float_only() && !inputs[0].dtype.is_float() {
                    crate::bail!(
                        Unsupported,
                        "{} of {} elements: only float types are supported",
                        u.name(),
                        inputs[0].dtype
                    );
                }
                let d = inputs[0].dtype;
                if d == DType::Bool && *u != Unary::Not {
                    crate::bail!(InvalidModel, "{} of bool elements", u.name());
                }
                if *u == Unary::Not && d.is_float() {
                    crate::bail!(InvalidModel, "Not of {d} elements (expected bool or ints)");
                }
                if u.bool_result() {
                    return Ok(vec![TensorType::new(DType::Bool, inputs[0].shape.clone())]);
                }
                Ok(vec![inputs[0].clone()])
            }
            Elementwise::Binary(b) => {
                expect_operands(b.name(), inputs, 2, 2)?;
                expect_same_dtype(b.name(), inputs[0], inputs[1])?;
                let d = inputs[0].dtype;
                if d == DType::Bool && !b.allows_bool() {
                    crate::bail!(InvalidModel, "{} of bool elements", b.name());
                }
                if d.is_float() && b.int_only() {
                    crate::bail!(
                        InvalidModel,
                        "{} of {d} elements (expected ints or bool)",
                        b.name()
                    );
                }
                let shape = broadcast_shapes(&[&inputs[0].shape, &inputs[1].shape])?;
                Ok(vec![TensorType::new(d, shape)])
            }
            Elementwise::Compare(c) => {
                expect_operands(c.name(), inputs, 2, 2)?;
                expect_same_dtype(c.name(), inputs[0], inputs[1])?;
                if inputs[0].dtype == DType::Bool && *c != Compare::Equal {
                    crate::bail!(InvalidModel, "{} of bool elements", c.name());
                }
                let shape = broadcast_shapes(&[&inputs[0].shape, &inputs[1].shape])?;
                Ok(vec![TensorType::new(DType::Bool, shape)])
            }
            Elementwise::Select => {
                expect_operands("Select", inputs, 3, 3)?;
                if inputs[0].dtype != DType::Bool {
                    crate::bail!(
                        InvalidModel,
                        "Select condition must be bool, found {}",
                        inputs[0].dtype
                    );
                }
                expect_same_dtype("Select", inputs[1], inputs[2])?;
                let shape =
                    broadcast_shapes(&[&inputs[0].shape, &inputs[1].shape, &inputs[2].shape])?;
                Ok(vec![TensorType::new(inputs[1].dtype, shape)])
            }
            Elementwise::Cast { to, .. } => {
                expect_operands("Cast", inputs, 1, 1)?;
                Ok(vec![TensorType::new(*to, inputs[0].shape.clone())])
            }
            Elementwise::BitCast { to } => {
                expect_operands("BitCast", inputs, 1, 1)?;
                let from = inputs[0].dtype;
                if from.size_bytes() != to.size_bytes() || to.is_narrow() {
                    crate::bail!(
                        InvalidModel,
                        "BitCast from {from} to {to}: the types must have the same width"
                    );
                }
                Ok(vec![TensorType::new(*to, inputs[0].shape.clone())])
            }
        }
    }

    pub fn fold(
        &self,
        consts: &[Option<&Tensor>],
        outputs: &[TensorType],
    ) -> Result<Option<Vec<Tensor>>> {
        let Some(all) = consts.iter().copied().collect::<Option<Vec<&Tensor>>>() else {
            return Ok(None);
        };
        let out = &outputs[0];
        let folded = match self {
            Elementwise::BitCast { to } => {
                Tensor::new(*to, all[0].dims.clone(), all[0].data.clone())?
            }
            // Narrow targets fold only with the defaults `from_array` applies.
            Elementwise::Cast { to, saturate, e8m0 } => {
                if to.is_narrow() && (!saturate || *e8m0 != E8M0Round::Up) {
                    return Ok(None);
                }
                if to.is_narrow_int() && all[0].dtype.is_float() {
                    // float -> int4 truncates, then wraps.
                    let ints = all[0]
                        .to_f64s()
                        .iter()
                        .map(|&v| v as i64)
                        .collect::<Vec<_>>();
                    Tensor::from_i64s(*to, all[0].dims.clone(), &ints)?
                } else {
                    Tensor::from_array(*to, &all[0].to_array()?)?
                }
            }
            Elementwise::Unary(u) => match (u, all[0].to_array()?) {
                (Unary::Not, HostArray::Int(a)) => {
                    let d = all[0].dtype;
                    let r = if d == DType::Bool {
                        a.mapv(|x| i64::from(x == 0))
                    } else if d.is_signed_int() {
                        a.mapv(|x| !x)
                    } else {
                        return Ok(None);
                    };
                    Tensor::from_array(out.dtype, &HostArray::Int(r))?
                }
                (Unary::Sign, HostArray::Int(a)) => {
                    Tensor::from_array(out.dtype, &HostArray::Int(a.mapv(i64::signum)))?
                }
                (_, HostArray::Float(a)) => {
                    if a.iter().any(|&x| u.eval(x).is_none()) {
                        return Ok(None);
                    }
                    let r = a.mapv(|x| u.eval(x).unwrap_or(f64::NAN));
                    Tensor::from_array(out.dtype, &HostArray::Float(r))?
                }
                (_, HostArray::Int(a)) => {
                    if a.iter().any(|&x| u.eval(x as f64).is_none()) {
                        return Ok(None);
                    }
                    let r = a.mapv(|x| u.eval(x as f64).unwrap_or(0.0) as i64);
                    Tensor::from_array(out.dtype, &HostArray::Int(r))?
                }
            },
            Elementwise::Compare(c) => {
                if all[0].dtype == DType::U64 {
                    // Values above i64::MAX would compare as negative.
                    return Ok(None);
                }
                let dims = out_dims(out)?;
                let r = match (all[0].to_array()?, all[1].to_array()?) {
                    (HostArray::Float(x), HostArray::Float(y)) => {
                        let (x, y) = (bcast(&x, &dims)?, bcast(&y, &dims)?);
                        ndarray::Zip::from(&x)
                            .and(&y)
                            .map_collect(|&p, &q| i64::from(c.eval_f64(p, q)))
                    }
                    (HostArray::Int(x), HostArray::Int(y)) => {
                        let (x, y) = (bcast(&x, &dims)?, bcast(&y, &dims)?);
                        ndarray::Zip::from(&x)
                            .and(&y)
                            .map_collect(|&p, &q| i64::from(c.eval_i64(p, q)))
                    }
                    _ => return Ok(None),
                };
                Tensor::from_array(DType::Bool, &HostArray::Int(r))?
            }
            Elementwise::Select => {
                let dims = out_dims(out)?;
                let HostArray::Int(cond) = all[0].to_array()? else {
                    return Ok(None);
                };
                let cond = bcast(&cond, &dims)?;
                match (all[1].to_array()?, all[2].to_array()?) {
                    (HostArray::Float(x), HostArray::Float(y)) => {
                        let (x, y) = (bcast(&x, &dims)?, bcast(&y, &dims)?);
                        let r = ndarray::Zip::from(&cond)
                            .and(&x)
                            .and(&y)
                            .map_collect(|&c, &p, &q| if c != 0 { p } else { q });
                        Tensor::from_array(out.dtype, &HostArray::Float(r))?
                    }
                    (HostArray::Int(x), HostArray::Int(y)) => {
                        let (x, y) = (bcast(&x, &dims)?, bcast(&y, &dims)?);
                        let r = ndarray::Zip::from(&cond)
                            .and(&x)
                            .and(&y)
                            .map_collect(|&c, &p, &q| if c != 0 { p } else { q });
                        Tensor::from_array(out.dtype, &HostArray::Int(r))?
                    }
                    _ => return Ok(None),
                }
            }
            Elementwise::Binary(b) => {
                let dims: Vec<usize> = out
                    .static_dims("folding")?
                    .iter()
                    .map(|&d| d as usize)
                    .collect();
                let bad = || crate::Error::internal("broadcast failed while folding");
                match (all[0].to_array()?, all[1].to_array()?) {
                    (HostArray::Float(x), HostArray::Float(y)) => {
                        let x = x.broadcast(dims.clone()).ok_or_else(bad)?;
                        let y = y.broadcast(dims).ok_or_else(bad)?;
                        let r = ndarray::Zip::from(&x)
                            .and(&y)
                            .map_collect(|&p, &q| b.eval_f64(p, q));
                        Tensor::from_array(out.dtype, &HostArray::Float(r))?
                    }
                    (HostArray::Int(x), HostArray::Int(y)) => {
                        let x = x.broadcast(dims.clone()).ok_or_else(bad)?;
                        let y = y.broadcast(dims).ok_or_else(bad)?;
                        // A signed right shift is arithmetic, as the lowering
                        // emits it (shrsi; by the width or more: sign fill).
                        let arithmetic = *b == Binary::ShiftRight && out.dtype.is_signed_int();
                        let r = ndarray::Zip::from(&x).and(&y).map_collect(|&p, &q| {
                            if arithmetic {
                                // (A negative amount is a huge unsigned one.)
                                p >> if (0..64).contains(&q) { q } else { 63 }
                            } else {
                                b.eval_i64(p, q)
                            }
                        });
                        Tensor::from_array(out.dtype, &HostArray::Int(r))?
                    }
                    _ => return Ok(None),
                }
            }
        };
        Ok(Some(vec![folded]))
    }
}

fn out_dims(out: &TensorType) -> Result<Vec<usize>> {
    Ok(out
        .static_dims("folding")?
        .iter()
        .map(|&d| d as usize)
        .collect())
}

fn bcast<'x, T>(a: &'x ndarray::ArrayD<T>, dims: &[usize]) -> Result<ndarray::ArrayViewD<'x, T>> {
    a.broadcast(dims.to_vec())
        .ok_or_else(|| crate::Error::internal("broadcast failed while folding"))
}

#[cfg(test)]
mod tests {
    use crate::ops::elementwise::*;

    #[test]
    fn compare_and_select_fold() {
        let a = Tensor::from_f64s(DType::F32, vec![3], &[1.0, f64::NAN, 3.0]).unwrap();
        let b = Tensor::from_f64s(DType::F32, vec![1], &[2.0]).unwrap();
        let op = Elementwise::Compare(Compare::Less);
        let out = op.infer(&[&a.ty(), &b.ty()]).unwrap();
        assert_eq!(out[0].dtype, DType::Bool);
        let c = op.fold(&[Some(&a), Some(&b)], &out).unwrap().unwrap();
        assert_eq!(c[0].to_i64s(), vec![1, 0, 0]);
        let sel = Elementwise::Select;
        let so = sel.infer(&[&c[0].ty(), &a.ty(), &b.ty()]).unwrap();
        let r = sel
            .fold(&[Some(&c[0]), Some(&a), Some(&b)], &so)
            .unwrap()
            .unwrap();
        assert_eq!(r[0].to_f64s(), vec![1.0, 2.0, 2.0]);
        let m = Elementwise::Binary(Binary::Mod { fmod: false });
        let x = Tensor::from_i64s(DType::I32, vec![2], &[-7, 7]).unwrap();
        let y = Tensor::from_i64s(DType::I32, vec![1], &[3]).unwrap();
        let mo = m.infer(&[&x.ty(), &y.ty()]).unwrap();
        let r = m.fold(&[Some(&x), Some(&y)], &mo).unwrap().unwrap();
        assert_eq!(r[0].to_i64s(), vec![2, 1]);
    }

    #[test]
    fn signed_right_shifts_fold_arithmetic_as_they_lower() {
        let op = Elementwise::Binary(Binary::ShiftRight);
        let by = Tensor::from_i64s(DType::I64, vec![4], &[1, 3, 64, -1]).unwrap();
        let x = Tensor::from_i64s(DType::I64, vec![1], &[-16]).unwrap();
        let out = op.infer(&[&x.ty(), &by.ty()]).unwrap();
        let r = op.fold(&[Some(&x), Some(&by)], &out).unwrap().unwrap();
        assert_eq!(r[0].to_i64s(), vec![-8, -2, -1, -1]);
        // Unsigned shifts stay logical; past the width they give 0.
        let x = Tensor::from_i64s(DType::U8, vec![1], &[0xf0]).unwrap();
        let by = Tensor::from_i64s(DType::U8, vec![2], &[4, 9]).unwrap();
        let out = op.infer(&[&x.ty(), &by.ty()]).unwrap();
        let r = op.fold(&[Some(&x), Some(&by)], &out).unwrap().unwrap();
        assert_eq!(r[0].to_i64s(), vec![0x0f, 0]);
    }

    #[test]
    fn binary_folds_with_broadcast() {
        let a = Tensor::from_i64s(DType::I64, vec![2, 1], &[1, 2]).unwrap();
        let b = Tensor::from_i64s(DType::I64, vec![3], &[10, 20, 30]).unwrap();
        let op = Elementwise::Binary(Binary::Mul);
        let out = op.infer(&[&a.ty(), &b.ty()]).unwrap();
        let r = op.fold(&[Some(&a), Some(&b)], &out).unwrap().unwrap();
        assert_eq!(r[0].to_i64s(), vec![10, 20, 30, 20, 40, 60]);
    }
}
