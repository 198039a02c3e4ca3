//! Elementwise ops: each supplies only its scalar body to the broadcasting
//! `elementwise` helper. Ints use the int ops (signed or unsigned flavour).
use super::Operand;
use super::ir::{Ctx, Val};
use melior::ir::ValueLike;
use o2l_canon::ops::{Binary, Elementwise, Unary};
use o2l_canon::{DType, Error, Result, TensorType};

pub(crate) fn lower<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    op: &Elementwise,
    ins: &[Operand<'c, 'a, '_>],
    out: &TensorType,
) -> Result<Val<'c, 'a>> {
    let d = ins[0].1.dtype;
    match op {
        Elementwise::Unary(u) => {
            check_unary(u, d)?;
            cx.elementwise(&ins[..1], out, &[], |b, x, _| {
                widened(b, d, x, |b, w, x| unary(b, u, w, x[0]))
            })
        }
        Elementwise::Binary(op) => {
            let op = *op;
            if op == Binary::Pow && d.is_unsigned_int() {
                o2l_canon::bail!(Unsupported, "Pow of unsigned {d} elements");
            }
            cx.elementwise(&ins[..2], out, &[], move |b, x, _| {
                widened(b, d, x, |b, w, x| binary(b, op, w, x[0], x[1]))
            })
        }
        Elementwise::Cast { to } => {
            let to = *to;
            if to == d {
                return Ok(ins[0].0);
            }
            cx.elementwise(&ins[..1], out, &[], move |b, x, _| cast(b, x[0], d, to))
        }
    }
}

/// Runs a scalar body on f16/bf16 operands in f32 (one rounding per op, as the
/// reference computes), other types as they are.
fn widened<'c, 'b>(
    b: &Ctx<'c, 'b>,
    d: DType,
    xs: &[Val<'c, 'b>],
    body: impl FnOnce(&Ctx<'c, 'b>, DType, &[Val<'c, 'b>]) -> Result<Val<'c, 'b>>,
) -> Result<Val<'c, 'b>> {
    if !matches!(d, DType::F16 | DType::BF16) {
        return body(b, d, xs);
    }
    let wide = xs
        .iter()
        .map(|&x| cast(b, x, d, DType::F32))
        .collect::<Result<Vec<_>>>()?;
    let r = body(b, DType::F32, &wide)?;
    cast(b, r, DType::F32, d)
}

/// Runs `body` on the operand converted to f32 when it is f16/bf16 (and the
/// result converted back), so sums and exponentials round once.
pub(crate) fn in_f32<'c, 'a>(
    cx: &Ctx<'c, 'a>,
    x: Operand<'c, 'a, '_>,
    out: &TensorType,
    body: impl FnOnce(Operand<'c, 'a, '_>, &TensorType) -> Result<Val<'c, 'a>>,
) -> Result<Val<'c, 'a>> {
    let d = x.1.dtype;
    if !matches!(d, DType::F16 | DType::BF16) || out.dtype != d {
        return body(x, out);
    }
    let xt = TensorType::new(DType::F32, x.1.shape.clone());
    let ot = TensorType::new(DType::F32, out.shape.clone());
    let wide = cx.elementwise(&[x], &xt, &[], move |b, v, _| cast(b, v[0], d, DType::F32))?;
    let r = body((wide, &xt), &ot)?;
    cx.elementwise(&[(r, &ot)], out, &[], move |b, v, _| {
        cast(b, v[0], DType::F32, d)
    })
}

fn check_unary(u: &Unary, d: DType) -> Result<()> {
    if d.is_float() {
        return Ok(());
    }
    if u.float_only() || matches!(u, Unary::LeakyRelu { .. }) {
        o2l_canon::bail!(Unsupported, "{} of {d} elements", u.name());
    }
    Ok(())
}

/// The scalar body of a unary op.
pub(crate) fn unary<'c, 'b>(
    b: &Ctx<'c, 'b>,
    u: &Unary,
    d: DType,
    x: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    if d.is_float() {
        return match u {
            Unary::Neg => b.un("arith.negf", x),
            Unary::Abs => b.un("math.absf", x),
            Unary::Relu => {
                let z = b.scalar(d, 0.0)?;
                b.bin("arith.maximumf", x, z)
            }
            Unary::Sigmoid => {
                let one = b.scalar(d, 1.0)?;
                let n = b.un("arith.negf", x)?;
                let e = b.un("math.exp", n)?;
                let s = b.bin("arith.addf", one, e)?;
                b.bin("arith.divf", one, s)
            }
            Unary::Tanh => b.un("math.tanh", x),
            Unary::Exp => b.un("math.exp", x),
            Unary::Log => b.un("math.log", x),
            Unary::Sqrt => b.un("math.sqrt", x),
            Unary::LeakyRelu { alpha } => {
                let z = b.scalar(d, 0.0)?;
                let a = b.scalar(d, *alpha)?;
                let m = b.bin("arith.mulf", x, a)?;
                let c = b.cmpf(3, x, z)?; // oge
                b.select(c, x, m)
            }
            Unary::Clamp { min, max } => {
                let lo = b.scalar(d, *min)?;
                let hi = b.scalar(d, *max)?;
                let y = b.bin("arith.maximumf", x, lo)?;
                b.bin("arith.minimumf", y, hi)
            }
        };
    }
    let signed = d.is_signed_int();
    match u {
        Unary::Neg => {
            let z = b.scalar_int(d, 0)?;
            b.bin("arith.subi", z, x)
        }
        Unary::Abs if signed => b.un("math.absi", x),
        Unary::Abs => Ok(x),
        Unary::Relu if signed => {
            let z = b.scalar_int(d, 0)?;
            b.bin("arith.maxsi", x, z)
        }
        Unary::Relu => Ok(x),
        Unary::Clamp { min, max } => {
            let (lo_t, hi_t) = int_range(d);
            let mut y = x;
            if *min > lo_t {
                let lo = b.scalar_int(d, min.ceil() as i64)?;
                y = b.bin(if signed { "arith.maxsi" } else { "arith.maxui" }, y, lo)?;
            }
            if *max < hi_t {
                let hi = b.scalar_int(d, max.floor() as i64)?;
                y = b.bin(if signed { "arith.minsi" } else { "arith.minui" }, y, hi)?;
            }
            Ok(y)
        }
        Unary::Sigmoid
        | Unary::Tanh
        | Unary::Exp
        | Unary::Log
        | Unary::Sqrt
        | Unary::LeakyRelu { .. } => {
            Err(Error::unsupported(format!("{} of {d} elements", u.name())))
        }
    }
}

/// Value range of an int type, as f64.
fn int_range(d: DType) -> (f64, f64) {
    let bits = d.bit_width() as i32;
    if d.is_signed_int() {
        (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1) - 1.0)
    } else {
        (0.0, 2f64.powi(bits) - 1.0)
    }
}

/// The scalar body of a binary op.
pub(crate) fn binary<'c, 'b>(
    b: &Ctx<'c, 'b>,
    op: Binary,
    d: DType,
    x: Val<'c, 'b>,
    y: Val<'c, 'b>,
) -> Result<Val<'c, 'b>> {
    let name = if d.is_float() {
        match op {
            Binary::Add => "arith.addf",
            Binary::Sub => "arith.subf",
            Binary::Mul => "arith.mulf",
            Binary::Div => "arith.divf",
            Binary::Max => "arith.maximumf",
            Binary::Min => "arith.minimumf",
            Binary::Pow => "math.powf",
        }
    } else {
        let s = d.is_signed_int();
        match op {
            Binary::Add => "arith.addi",
            Binary::Sub => "arith.subi",
            Binary::Mul => "arith.muli",
            Binary::Div if s => "arith.divsi",
            Binary::Div => "arith.divui",
            Binary::Max if s => "arith.maxsi",
            Binary::Max => "arith.maxui",
            Binary::Min if s => "arith.minsi",
            Binary::Min => "arith.minui",
            Binary::Pow if s => "math.ipowi",
            Binary::Pow => {
                return Err(Error::unsupported(format!("Pow of {d} elements")));
            }
        }
    };
    b.bin(name, x, y)
}

/// Converts a scalar between element types (every pair).
pub(crate) fn cast<'c, 'b>(
    b: &Ctx<'c, 'b>,
    x: Val<'c, 'b>,
    from: DType,
    to: DType,
) -> Result<Val<'c, 'b>> {
    if from == to {
        return Ok(x);
    }
    let t = b.elem(to)?;
    let one = |name: &str| b.op1(name, &[x], t, &[]);
    if to == DType::Bool {
        return if from.is_float() {
            let z = b.scalar(from, 0.0)?;
            b.cmpf(13, x, z) // une: NaN is true
        } else {
            let z = b.scalar_int(from, 0)?;
            b.cmpi(1, x, z) // ne
        };
    }
    // Bool reads as an unsigned 0/1.
    let unsigned_src = from.is_unsigned_int() || from == DType::Bool;
    match (from.is_float(), to.is_float()) {
        (true, true) => {
            let (fw, tw) = (from.bit_width(), to.bit_width());
            if fw < tw {
                one("arith.extf")
            } else if fw > tw {
                one("arith.truncf")
            } else {
                // f16 <-> bf16: through f32.
                let f32t = b.elem(DType::F32)?;
                let w = b.op1("arith.extf", &[x], f32t, &[])?;
                b.op1("arith.truncf", &[w], t, &[])
            }
        }
        (false, true) => one(if unsigned_src {
            "arith.uitofp"
        } else {
            "arith.sitofp"
        }),
        (true, false) => one(if to.is_unsigned_int() {
            "arith.fptoui"
        } else {
            "arith.fptosi"
        }),
        (false, false) => {
            let (fw, tw) = (from.bit_width(), to.bit_width());
            if fw < tw {
                one(if unsigned_src {
                    "arith.extui"
                } else {
                    "arith.extsi"
                })
            } else if fw > tw {
                one("arith.trunci")
            } else {
                // Same width, other signedness: the bits stay.
                debug_assert!(x.r#type() == t);
                Ok(x)
            }
        }
    }
}
