//! TOSA's integer arithmetic for quantized networks: shifts, `clz`,
//! `table` lookups, the `mul` shift and `rescale`, written with canonical
//! integer ops in i64 where TOSA computes wider than the operands.
use super::ctx::{OpCtx, Rule, rule};
use o2l_canon::ops::{Binary, Compare, Elementwise, Movement, Reduce, ReduceKind, Unary};
use o2l_canon::{Builder, DType, Dim, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[
    rule(
        "tosa.arithmetic_right_shift",
        &["ShiftRight", "And", "Add", "Select"],
        arithmetic_right_shift,
        "sign-filling; round adds the last bit shifted out",
    ),
    rule(
        "tosa.logical_right_shift",
        &["BitCast", "ShiftRight"],
        logical_right_shift,
        "zero-filling, also for signed types",
    ),
    rule(
        "tosa.logical_left_shift",
        &["ShiftLeft"],
        logical_left_shift,
        "",
    ),
    rule("tosa.bitwise_not", &["Xor"], bitwise_not, "x ^ -1"),
    rule(
        "tosa.clz",
        &[
            "BitCast",
            "GreaterOrEqual",
            "ReduceSum",
            "Cast",
            "Reshape",
            "Sub",
        ],
        clz,
        "32 minus the number of powers of two at or below x (as unsigned)",
    ),
    rule(
        "tosa.table",
        &[
            "Gather",
            "ShiftRight",
            "Mul",
            "Add",
            "Cast",
            "And",
            "ShiftLeft",
            "Sub",
        ],
        table,
        "i8: a 256-entry lookup; i16: 513 entries, linear interpolation to i32",
    ),
    rule(
        "tosa.rescale",
        &[
            "Cast",
            "Sub",
            "Mul",
            "Add",
            "ShiftRight",
            "Clamp",
            "GreaterOrEqual",
            "Select",
            "BitCast",
        ],
        rescale,
        "constant multiplier and shift (per tensor or per channel), SINGLE/DOUBLE/INEXACT rounding, zero points, unsigned flags",
    ),
];

fn cast(ctx: &mut OpCtx, v: ValueId, to: DType) -> Result<ValueId> {
    if ctx.ty(v).dtype == to {
        return Ok(v);
    }
    ctx.elementwise(Elementwise::cast(to), &[v])
}

fn bin(ctx: &mut OpCtx, b: Binary, x: ValueId, y: ValueId) -> Result<ValueId> {
    ctx.elementwise(Elementwise::Binary(b), &[x, y])
}

fn unsigned_of(d: DType) -> Result<DType> {
    Ok(match d {
        DType::I8 | DType::U8 => DType::U8,
        DType::I16 | DType::U16 => DType::U16,
        DType::I32 | DType::U32 => DType::U32,
        DType::I64 | DType::U64 => DType::U64,
        other => return Err(Error::invalid(format!("a shift of {other} elements"))),
    })
}

fn arithmetic_right_shift(ctx: &mut OpCtx) -> Result<()> {
    let (x, s) = (ctx.input(0)?, ctx.input(1)?);
    let d = ctx.ty(x).dtype;
    let mut y = bin(ctx, Binary::ShiftRight, x, s)?;
    if ctx.attr("round").is_some_and(|r| r.starts_with("true")) {
        // + bit (s - 1) of x, when s > 0.
        let one = ctx.scalar(d, 1.0)?;
        let zero = ctx.scalar(d, 0.0)?;
        let s1 = bin(ctx, Binary::Sub, s, one)?;
        let s1 = bin(ctx, Binary::Max, s1, zero)?;
        let last = bin(ctx, Binary::ShiftRight, x, s1)?;
        let bit = bin(ctx, Binary::And, last, one)?;
        let positive = ctx.elementwise(Elementwise::Compare(Compare::Greater), &[s, zero])?;
        let bit = ctx.elementwise(Elementwise::Select, &[positive, bit, zero])?;
        y = bin(ctx, Binary::Add, y, bit)?;
    }
    ctx.bind(0, y)
}

fn logical_right_shift(ctx: &mut OpCtx) -> Result<()> {
    let (x, s) = (ctx.input(0)?, ctx.input(1)?);
    let d = ctx.ty(x).dtype;
    let u = unsigned_of(d)?;
    let ux = ctx.elementwise(Elementwise::BitCast { to: u }, &[x])?;
    let us = ctx.elementwise(Elementwise::BitCast { to: u }, &[s])?;
    let y = bin(ctx, Binary::ShiftRight, ux, us)?;
    let y = ctx.elementwise(Elementwise::BitCast { to: d }, &[y])?;
    ctx.bind(0, y)
}

fn logical_left_shift(ctx: &mut OpCtx) -> Result<()> {
    let (x, s) = (ctx.input(0)?, ctx.input(1)?);
    let y = bin(ctx, Binary::ShiftLeft, x, s)?;
    ctx.bind(0, y)
}

fn bitwise_not(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let all = ctx.scalar(ctx.ty(x).dtype, -1.0)?;
    let y = bin(ctx, Binary::Xor, x, all)?;
    ctx.bind(0, y)
}

fn clz(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let t = ctx.ty(x);
    if t.dtype != DType::I32 {
        return Err(Error::unsupported(format!(
            "tosa.clz of {} elements",
            t.dtype
        )));
    }
    // Bit length = #{k : x >= 2^k} for x as unsigned; clz = 32 - bit length.
    let ux = ctx.elementwise(Elementwise::BitCast { to: DType::U32 }, &[x])?;
    let mut shape = t.shape.clone();
    shape.push(Dim::Known(1));
    let ux = ctx.emit1(Op::Movement(Movement::Reshape { shape }), &[ux])?;
    let powers: Vec<i64> = (0..32).map(|k| 1i64 << k).collect();
    let powers = ctx.constant(Tensor::from_i64s(DType::U32, vec![32], &powers)?)?;
    let ge = ctx.elementwise(Elementwise::Compare(Compare::GreaterOrEqual), &[ux, powers])?;
    let ge = cast(ctx, ge, DType::I32)?;
    let len = ctx.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Sum,
            axes: vec![t.rank()],
            keep_dims: false,
        }),
        &[ge],
    )?;
    let width = ctx.scalar(DType::I32, 32.0)?;
    let y = bin(ctx, Binary::Sub, width, len)?;
    ctx.bind(0, y)
}

fn gather(ctx: &mut OpCtx, table: ValueId, idx: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Movement(Movement::Gather { axis: 0 }), &[table, idx])
}

fn table(ctx: &mut OpCtx) -> Result<()> {
    let (x, table) = (ctx.input(0)?, ctx.input(1)?);
    match ctx.ty(x).dtype {
        DType::I8 => {
            let i = cast(ctx, x, DType::I64)?;
            let off = ctx.scalar(DType::I64, 128.0)?;
            let i = bin(ctx, Binary::Add, i, off)?;
            let y = gather(ctx, table, i)?;
            ctx.bind(0, y)
        }
        DType::I16 => {
            // index = (x + 32768) >> 7, fraction = low 7 bits; the result
            // interpolates table[index] to table[index + 1], scaled by 2^7.
            let v = cast(ctx, x, DType::I64)?;
            let off = ctx.scalar(DType::I64, 32768.0)?;
            let v = bin(ctx, Binary::Add, v, off)?;
            let seven = ctx.scalar(DType::I64, 7.0)?;
            let index = bin(ctx, Binary::ShiftRight, v, seven)?;
            let mask = ctx.scalar(DType::I64, 127.0)?;
            let frac = bin(ctx, Binary::And, v, mask)?;
            let one = ctx.scalar(DType::I64, 1.0)?;
            let next = bin(ctx, Binary::Add, index, one)?;
            let t64 = cast(ctx, table, DType::I64)?;
            let base = gather(ctx, t64, index)?;
            let upper = gather(ctx, t64, next)?;
            let scaled = bin(ctx, Binary::ShiftLeft, base, seven)?;
            let diff = bin(ctx, Binary::Sub, upper, base)?;
            let step = bin(ctx, Binary::Mul, diff, frac)?;
            let y = bin(ctx, Binary::Add, scaled, step)?;
            let y = cast(ctx, y, DType::I32)?;
            ctx.bind(0, y)
        }
        other => Err(Error::unsupported(format!("tosa.table of {other} input"))),
    }
}

/// `tosa.mul` of integers with a shift: the i64 product, rounded and shifted.
pub(crate) fn mul_shifted(ctx: &mut OpCtx, shift: i64) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let d = ctx.result_type(0)?.dtype;
    let (x, y) = (cast(ctx, x, DType::I64)?, cast(ctx, y, DType::I64)?);
    let p = bin(ctx, Binary::Mul, x, y)?;
    let round = ctx.scalar(DType::I64, (1i64 << (shift - 1)) as f64)?;
    let p = bin(ctx, Binary::Add, p, round)?;
    let s = ctx.scalar(DType::I64, shift as f64)?;
    let p = bin(ctx, Binary::ShiftRight, p, s)?;
    let p = cast(ctx, p, d)?;
    ctx.bind(0, p)
}

fn range_of(d: DType) -> Result<(f64, f64)> {
    Ok(match d {
        DType::I8 => (-128.0, 127.0),
        DType::U8 => (0.0, 255.0),
        DType::I16 => (-32768.0, 32767.0),
        DType::U16 => (0.0, 65535.0),
        DType::I32 => (-2147483648.0, 2147483647.0),
        other => return Err(Error::unsupported(format!("tosa.rescale to {other}"))),
    })
}

fn rescale(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let constant = |ctx: &OpCtx, k: usize, what: &str| -> Result<Vec<i64>> {
        ctx.const_operand(k)?
            .map(|t| t.to_i64s())
            .ok_or_else(|| Error::unsupported(format!("a rescale {what} computed at run time")))
    };
    let multiplier = constant(ctx, 1, "multiplier")?;
    let shift = constant(ctx, 2, "shift")?;
    let in_zp = constant(ctx, 3, "input zero point")?[0];
    let out_zp = constant(ctx, 4, "output zero point")?[0];
    let flag = |ctx: &OpCtx, name: &str| ctx.attr(name).is_some_and(|v| v.starts_with("true"));
    let scale32 = flag(ctx, "scale32");
    let rounding = ctx
        .attr("rounding_mode")
        .unwrap_or("SINGLE_ROUND")
        .to_string();
    // Double rounding exists for 32-bit scales only.
    let double = scale32 && rounding.contains("DOUBLE");
    let (in_unsigned, out_unsigned) = (flag(ctx, "input_unsigned"), flag(ctx, "output_unsigned"));
    if multiplier.len() != shift.len() || multiplier.is_empty() {
        return Err(Error::invalid(
            "rescale multiplier and shift differ in length",
        ));
    }
    if shift.iter().any(|&s| !(2..=62).contains(&s)) {
        return Err(Error::invalid(format!(
            "rescale shift {shift:?} outside 2..=62"
        )));
    }
    let in_d = ctx.ty(x).dtype;
    let out_d = ctx.result_type(0)?.dtype;
    // Zero points of an unsigned side are unsigned too (-128 as i8 is 128).
    let as_unsigned = |zp: i64, d: DType| zp & ((1i64 << d.bit_width()) - 1);
    let in_zp = if in_unsigned {
        as_unsigned(in_zp, in_d)
    } else {
        in_zp
    };
    let out_zp = if out_unsigned {
        as_unsigned(out_zp, out_d)
    } else {
        out_zp
    };
    // The input as i64, unsigned if the flag says so, minus its zero point.
    let mut v = x;
    if in_unsigned {
        v = ctx.elementwise(
            Elementwise::BitCast {
                to: unsigned_of(in_d)?,
            },
            &[v],
        )?;
    }
    v = cast(ctx, v, DType::I64)?;
    let zp = ctx.scalar(DType::I64, in_zp as f64)?;
    v = bin(ctx, Binary::Sub, v, zp)?;
    // Per channel (the last dim) or per tensor: multiplier, rounding, shift.
    let n = multiplier.len() as u64;
    let vec = |ctx: &mut OpCtx, values: &[i64]| -> Result<ValueId> {
        ctx.constant(Tensor::from_i64s(DType::I64, vec![n], values)?)
    };
    let m = vec(ctx, &multiplier)?;
    let round: Vec<i64> = shift.iter().map(|&s| 1i64 << (s - 1)).collect();
    let round_v = vec(ctx, &round)?;
    let mut r = round_v;
    if double {
        // Above a shift of 31, round again by 2^30 toward the value's sign.
        let plus: Vec<i64> = shift
            .iter()
            .zip(&round)
            .map(|(&s, &rd)| if s > 31 { rd + (1 << 30) } else { rd })
            .collect();
        let minus: Vec<i64> = shift
            .iter()
            .zip(&round)
            .map(|(&s, &rd)| if s > 31 { rd - (1 << 30) } else { rd })
            .collect();
        let (plus, minus) = (vec(ctx, &plus)?, vec(ctx, &minus)?);
        let zero = ctx.scalar(DType::I64, 0.0)?;
        let nonneg = ctx.elementwise(Elementwise::Compare(Compare::GreaterOrEqual), &[v, zero])?;
        r = ctx.elementwise(Elementwise::Select, &[nonneg, plus, minus])?;
    }
    let s = vec(ctx, &shift)?;
    let p = bin(ctx, Binary::Mul, v, m)?;
    let p = bin(ctx, Binary::Add, p, r)?;
    let p = bin(ctx, Binary::ShiftRight, p, s)?;
    let zo = ctx.scalar(DType::I64, out_zp as f64)?;
    let p = bin(ctx, Binary::Add, p, zo)?;
    let target = if out_unsigned {
        unsigned_of(out_d)?
    } else {
        out_d
    };
    let (lo, hi) = range_of(target)?;
    let p = ctx.elementwise(Elementwise::Unary(Unary::Clamp { min: lo, max: hi }), &[p])?;
    let mut y = cast(ctx, p, target)?;
    if target != out_d {
        y = ctx.elementwise(Elementwise::BitCast { to: out_d }, &[y])?;
    }
    ctx.bind(0, y)
}
