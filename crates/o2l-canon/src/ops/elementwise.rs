//! Elementwise ops: one scalar function applied per element, with numpy
//! (multidirectional) broadcasting for binary ops, and dtype casts.
use super::{Family, OpSpec, expect_operands, expect_same_dtype};
use crate::shape::broadcast_shapes;
use crate::{DType, HostArray, Result, Tensor, TensorType};

#[derive(Debug, Clone, PartialEq)]
pub enum Elementwise {
    Unary(Unary),
    /// Numpy broadcasting; both operands share one element type.
    Binary(Binary),
    /// Element type conversion: float->int truncates toward zero, to bool is `!= 0`.
    Cast {
        to: DType,
    },
}

/// One-operand scalar functions; parameters are explicit.
#[derive(Debug, Clone, PartialEq)]
pub enum Unary {
    Neg,
    Abs,
    Relu,
    Sigmoid,
    Tanh,
    Exp,
    Log,
    Sqrt,
    /// `x >= 0 ? x : alpha * x`.
    LeakyRelu {
        alpha: f64,
    },
    /// `min(max(x, min), max)`; bounds already in the operand's value range.
    Clamp {
        min: f64,
        max: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    /// Integer division truncates toward zero.
    Div,
    Max,
    Min,
    Pow,
}

const fn row(
    name: &'static str,
    doc: &'static str,
    operands: &'static [&'static str],
    attributes: &'static [&'static str],
) -> OpSpec {
    OpSpec {
        name,
        family: Family::Elementwise,
        doc,
        operands,
        attributes,
    }
}

pub const SPECS: &[OpSpec] = &[
    row("Neg", "-x", &["x"], &[]),
    row("Abs", "|x|", &["x"], &[]),
    row("Relu", "max(x, 0)", &["x"], &[]),
    row("Sigmoid", "1 / (1 + exp(-x))", &["x"], &[]),
    row("Tanh", "tanh(x)", &["x"], &[]),
    row("Exp", "e^x", &["x"], &[]),
    row("Log", "natural logarithm", &["x"], &[]),
    row("Sqrt", "square root", &["x"], &[]),
    row(
        "LeakyRelu",
        "x >= 0 ? x : alpha * x",
        &["x"],
        &["alpha: f64"],
    ),
    row(
        "Clamp",
        "min(max(x, min), max)",
        &["x"],
        &["min: f64", "max: f64"],
    ),
    row("Add", "a + b, numpy broadcasting", &["a", "b"], &[]),
    row("Sub", "a - b, numpy broadcasting", &["a", "b"], &[]),
    row("Mul", "a * b, numpy broadcasting", &["a", "b"], &[]),
    row(
        "Div",
        "a / b, numpy broadcasting; integers truncate toward zero",
        &["a", "b"],
        &[],
    ),
    row(
        "Max",
        "max(a, b), numpy broadcasting; NaN propagates",
        &["a", "b"],
        &[],
    ),
    row(
        "Min",
        "min(a, b), numpy broadcasting; NaN propagates",
        &["a", "b"],
        &[],
    ),
    row("Pow", "a ^ b, numpy broadcasting", &["a", "b"], &[]),
    row(
        "Cast",
        "convert the element type; float to int truncates, to bool is != 0",
        &["x"],
        &["to: dtype"],
    ),
];

impl Unary {
    pub fn name(&self) -> &'static str {
        match self {
            Unary::Neg => "Neg",
            Unary::Abs => "Abs",
            Unary::Relu => "Relu",
            Unary::Sigmoid => "Sigmoid",
            Unary::Tanh => "Tanh",
            Unary::Exp => "Exp",
            Unary::Log => "Log",
            Unary::Sqrt => "Sqrt",
            Unary::LeakyRelu { .. } => "LeakyRelu",
            Unary::Clamp { .. } => "Clamp",
        }
    }

    /// Transcendental functions are defined on floats only.
    pub fn float_only(&self) -> bool {
        matches!(
            self,
            Unary::Sigmoid | Unary::Tanh | Unary::Exp | Unary::Log | Unary::Sqrt
        )
    }

    /// The scalar function, for folding.
    pub fn eval(&self, x: f64) -> f64 {
        match self {
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
        }
    }
}

impl Binary {
    pub fn name(self) -> &'static str {
        match self {
            Binary::Add => "Add",
            Binary::Sub => "Sub",
            Binary::Mul => "Mul",
            Binary::Div => "Div",
            Binary::Max => "Max",
            Binary::Min => "Min",
            Binary::Pow => "Pow",
        }
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
        }
    }
}

impl Elementwise {
    pub fn name(&self) -> &'static str {
        match self {
            Elementwise::Unary(u) => u.name(),
            Elementwise::Binary(b) => b.name(),
            Elementwise::Cast { .. } => "Cast",
        }
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
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
                if inputs[0].dtype == DType::Bool {
                    crate::bail!(InvalidModel, "{} of bool elements", u.name());
                }
                Ok(vec![inputs[0].clone()])
            }
            Elementwise::Binary(b) => {
                expect_operands(b.name(), inputs, 2, 2)?;
                expect_same_dtype(b.name(), inputs[0], inputs[1])?;
                if inputs[0].dtype == DType::Bool {
                    crate::bail!(InvalidModel, "{} of bool elements", b.name());
                }
                let shape = broadcast_shapes(&[&inputs[0].shape, &inputs[1].shape])?;
                Ok(vec![TensorType::new(inputs[0].dtype, shape)])
            }
            Elementwise::Cast { to } => {
                expect_operands("Cast", inputs, 1, 1)?;
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
            Elementwise::Cast { to } => Tensor::from_array(*to, &all[0].to_array()?)?,
            Elementwise::Unary(u) => match all[0].to_array()? {
                HostArray::Float(a) => {
                    Tensor::from_array(out.dtype, &HostArray::Float(a.mapv(|x| u.eval(x))))?
                }
                HostArray::Int(a) => Tensor::from_array(
                    out.dtype,
                    &HostArray::Int(a.mapv(|x| u.eval(x as f64) as i64)),
                )?,
            },
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
                        let r = ndarray::Zip::from(&x)
                            .and(&y)
                            .map_collect(|&p, &q| b.eval_i64(p, q));
                        Tensor::from_array(out.dtype, &HostArray::Int(r))?
                    }
                    _ => return Ok(None),
                }
            }
        };
        Ok(Some(vec![folded]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_spec() {
        let all = [
            Unary::Neg,
            Unary::Abs,
            Unary::Relu,
            Unary::Sigmoid,
            Unary::Tanh,
            Unary::Exp,
            Unary::Log,
            Unary::Sqrt,
            Unary::LeakyRelu { alpha: 0.1 },
            Unary::Clamp { min: 0.0, max: 1.0 },
        ];
        for u in all {
            assert!(super::super::spec(u.name()).is_some(), "{}", u.name());
        }
        for b in [
            Binary::Add,
            Binary::Sub,
            Binary::Mul,
            Binary::Div,
            Binary::Max,
            Binary::Min,
            Binary::Pow,
        ] {
            assert!(super::super::spec(b.name()).is_some(), "{}", b.name());
        }
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
