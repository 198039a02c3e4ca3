//! Elementwise ONNX ops: arithmetic with numpy broadcasting, activations,
//! Clip, variadic Max/Min/Sum/Mean, Pow, Reciprocal and Cast.
use super::ctx::{MapCtx, Rule, SymEl, row};
use super::qlinear::TableFn;
use crate::tensor::dtype_of;
use o2l_canon::Builder;
use o2l_canon::narrow::E8M0Round;
use o2l_canon::ops::{Binary, Compare, Elementwise, Unary};
use o2l_canon::{DType, Error, Op, Result, ValueId};

pub(crate) static RULES: &[Rule] = &[
    row(
        "Add",
        &[1, 6, 7, 13, 14],
        &[
            "Add", "Reshape", "Cast", "Sub", "Mul", "Div", "Round", "Clamp",
        ],
        add,
        LEGACY_BINARY,
    ),
    row(
        "Sub",
        &[1, 6, 7, 13, 14],
        &["Sub", "Reshape"],
        sub,
        LEGACY_BINARY,
    ),
    row(
        "Mul",
        &[1, 6, 7, 13, 14],
        &[
            "Add", "Reshape", "Cast", "Sub", "Mul", "Div", "Round", "Clamp",
        ],
        mul,
        LEGACY_BINARY,
    ),
    row(
        "Div",
        &[1, 6, 7, 13, 14],
        &["Div", "Reshape"],
        div,
        "numpy broadcasting (v1/v6: `broadcast`/`axis` align B, then the same); integers truncate",
    ),
    row(
        "Pow",
        &[1, 7, 12, 13, 15],
        &["Pow", "Cast", "Reshape"],
        pow,
        "exponent cast to the base's type when they differ; v1 aligns it by `broadcast`/`axis`",
    ),
    row(
        "Relu",
        &[1, 6, 13, 14],
        &["Relu", "Gather", "Cast", "Add", "Sub", "Mul", "Reshape"],
        relu,
        "max(x, 0); a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is a table of the f32 result for each 8-bit code, gathered by the codes",
    ),
    row(
        "Sigmoid",
        &[1, 6, 13],
        &["Sigmoid", "Gather", "Cast", "Add", "Sub", "Mul", "Reshape"],
        sigmoid,
        "1 / (1 + e^-x); a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is onnxruntime's QLinearSigmoid table gathered by the 8-bit codes",
    ),
    row("Tanh", &[1, 6, 13], &["Tanh"], tanh, "tanh"),
    row("Exp", &[1, 6, 13], &["Exp"], exp, "e^x"),
    row("Log", &[1, 6, 13], &["Log"], log, "natural log"),
    row("Sqrt", &[1, 6, 13], &["Sqrt"], sqrt, "square root"),
    row(
        "Neg",
        &[1, 6, 13],
        &["Neg", "Gather", "Cast", "Add", "Sub", "Mul", "Reshape"],
        neg,
        "-x; a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is a table of the f32 result for each 8-bit code, gathered by the codes",
    ),
    row(
        "Abs",
        &[1, 6, 13],
        &["Abs", "Gather", "Cast", "Add", "Sub", "Mul", "Reshape"],
        abs,
        "|x|; a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is a table of the f32 result for each 8-bit code, gathered by the codes",
    ),
    row("Reciprocal", &[1, 6, 13], &["Div"], reciprocal, "1 / x"),
    row(
        "LeakyRelu",
        &[1, 6, 16],
        &[
            "LeakyRelu",
            "Gather",
            "Cast",
            "Add",
            "Sub",
            "Mul",
            "Reshape",
        ],
        leaky_relu,
        "alpha defaults to 0.01; a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is onnxruntime's QLinearLeakyRelu table gathered by the 8-bit codes",
    ),
    row(
        "Clip",
        &[1, 6],
        &["Clamp", "Gather", "Cast", "Add", "Sub", "Mul", "Reshape"],
        clip_v6,
        "min/max attributes (defaults: the f32 range); a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is a table of the f32 result for each 8-bit code, gathered by the codes",
    ),
    row(
        "Clip",
        &[11, 12, 13],
        &[
            "Clamp", "Max", "Min", "Gather", "Cast", "Add", "Sub", "Mul", "Reshape",
        ],
        clip_v11,
        "constant min/max inputs -> Clamp; run-time bounds -> Max/Min; with constant bounds, a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is a table of the f32 result for each 8-bit code, gathered by the codes",
    ),
    row(
        "Max",
        &[1, 6, 8, 12, 13],
        &["Max"],
        max_n,
        "variadic, folded left with broadcasting",
    ),
    row(
        "Min",
        &[1, 6, 8, 12, 13],
        &["Min"],
        min_n,
        "variadic, folded left with broadcasting",
    ),
    row(
        "Sum",
        &[1, 6, 8, 13],
        &["Add"],
        sum_n,
        "variadic, folded left with broadcasting",
    ),
    row(
        "Mean",
        &[1, 6, 8, 13],
        &["Add", "Div"],
        mean_n,
        "variadic sum divided by the operand count",
    ),
    row(
        "Cast",
        &[6, 9, 13, 19, 21, 23, 24, 25, 28],
        &["Cast"],
        cast,
        "float8/float4 targets round to nearest even, saturating unless saturate=0; e8m0 by round_mode; int4/int2 wrap",
    ),
    row(
        "Cast",
        &[1],
        &["Cast"],
        cast_v1,
        "`to` names the type as a string (\"FLOAT\", \"INT64\", ...)",
    ),
    row(
        "BitCast",
        &[26],
        &["BitCast"],
        bit_cast,
        "same bits, another type of the same width",
    ),
    row(
        "CastLike",
        &[15, 19, 21, 23, 24, 25],
        &["Cast"],
        cast_like,
        "cast to the element type of the second input",
    ),
    row(
        "PRelu",
        &[1, 6, 7, 9, 16],
        &["Relu", "Min", "Mul", "Add", "Reshape"],
        prelu,
        "relu(x) + slope * min(x, 0), slope broadcast (v1/v6: a slope of C values applies per channel, dim 1)",
    ),
    row(
        "Elu",
        &[1, 6, 22],
        &["Relu", "Min", "Exp", "Sub", "Mul", "Add", "Cast"],
        elu,
        "relu(x) + alpha * (e^min(x, 0) - 1)",
    ),
    row(
        "Selu",
        &[1, 6, 22],
        &["Relu", "Min", "Exp", "Sub", "Mul", "Add"],
        selu,
        "gamma * (relu(x) + alpha * (e^min(x, 0) - 1))",
    ),
    row(
        "Celu",
        &[12, 28],
        &["Relu", "Min", "Div", "Exp", "Sub", "Mul", "Add", "Cast"],
        celu,
        "relu(x) + alpha * (e^(min(x, 0) / alpha) - 1)",
    ),
    row(
        "Softplus",
        &[1, 22],
        &["Relu", "Abs", "Neg", "Exp", "Add", "Log"],
        softplus,
        "relu(x) + log(1 + e^-|x|), stable for large |x|",
    ),
    row(
        "Softsign",
        &[1, 22],
        &["Abs", "Add", "Div"],
        softsign,
        "x / (1 + |x|)",
    ),
    row(
        "HardSigmoid",
        &[1, 6, 22],
        &["Mul", "Add", "Clamp", "Gather", "Cast", "Sub", "Reshape"],
        hard_sigmoid,
        "clamp(alpha * x + beta, 0, 1); alpha 0.2, beta 0.5 by default; a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is a table of the f32 result for each 8-bit code, gathered by the codes",
    ),
    row(
        "HardSwish",
        &[14, 22],
        &["Mul", "Add", "Clamp", "Gather", "Cast", "Sub", "Reshape"],
        hard_swish,
        "x * clamp(x / 6 + 0.5, 0, 1); a QDQ group (8-bit DequantizeLinear in, QuantizeLinear alone after) is a table of the f32 result for each 8-bit code, gathered by the codes",
    ),
    row(
        "Mish",
        &[18, 22],
        &["Relu", "Abs", "Neg", "Exp", "Add", "Log", "Tanh", "Mul"],
        mish,
        "x * tanh(softplus(x))",
    ),
    row(
        "Swish",
        &[24],
        &["Mul", "Sigmoid"],
        swish,
        "x * sigmoid(alpha * x)",
    ),
    row(
        "Mod",
        &[10, 13, 28],
        &["Mod"],
        modulo,
        "constant operands folded; fmod=1 truncates, fmod=0 takes the divisor's sign (numpy)",
    ),
    row(
        "Floor",
        &[1, 6, 13],
        &["Floor"],
        floor,
        "constant operand folded",
    ),
    row(
        "Ceil",
        &[1, 6, 13],
        &["Ceil"],
        ceil,
        "constant operand folded",
    ),
    row("Round", &[11, 22], &["Round"], round, "half to even"),
    row("Erf", &[9, 13], &["Erf"], erf, "error function"),
    row("Sin", &[7, 22], &["Sin"], sin, "sine"),
    row("Cos", &[7, 22], &["Cos"], cos, "cosine"),
    row("Tan", &[7, 22], &["Tan"], tan, "tangent"),
    row("Asin", &[7, 22], &["Asin"], asin, "arc sine"),
    row("Acos", &[7, 22], &["Acos"], acos, "arc cosine"),
    row("Atan", &[7, 22], &["Atan"], atan, "arc tangent"),
    row("Sinh", &[9, 22], &["Sinh"], sinh, "hyperbolic sine"),
    row("Cosh", &[9, 22], &["Cosh"], cosh, "hyperbolic cosine"),
    row(
        "Asinh",
        &[9, 22],
        &["Asinh"],
        asinh,
        "inverse hyperbolic sine",
    ),
    row(
        "Acosh",
        &[9, 22],
        &["Acosh"],
        acosh,
        "inverse hyperbolic cosine",
    ),
    row(
        "Atanh",
        &[9, 22],
        &["Atanh"],
        atanh,
        "inverse hyperbolic tangent",
    ),
    row("Sign", &[9, 13], &["Sign"], sign, "-1, 0, 1; NaN stays NaN"),
    row("IsNaN", &[9, 13, 20], &["IsNaN"], is_nan, "bool result"),
    row(
        "IsInf",
        &[10, 20],
        &["IsInf"],
        is_inf,
        "detect_negative/detect_positive (both 1 by default)",
    ),
    row(
        "Equal",
        &[1, 7, 11, 13, 19],
        &["Equal", "Reshape"],
        equal,
        "numpy broadcasting; string operands not supported",
    ),
    row(
        "Less",
        &[1, 7, 9, 13],
        &["Less"],
        less,
        "ordered (NaN false)",
    ),
    row(
        "LessOrEqual",
        &[12, 16],
        &["LessOrEqual"],
        less_or_equal,
        "ordered (NaN false)",
    ),
    row(
        "Greater",
        &[1, 7, 9, 13],
        &["Greater", "Reshape"],
        greater,
        "ordered (NaN false)",
    ),
    row(
        "GreaterOrEqual",
        &[12, 16],
        &["GreaterOrEqual"],
        greater_or_equal,
        "ordered (NaN false)",
    ),
    row(
        "Where",
        &[9, 16],
        &["Select"],
        where_,
        "three-way numpy broadcasting",
    ),
    row("And", &[1, 7], &["And", "Reshape"], and, "bool operands"),
    row("Or", &[1, 7], &["Or", "Reshape"], or, "bool operands"),
    row("Xor", &[1, 7], &["Xor", "Reshape"], xor, "bool operands"),
    row("Not", &[1], &["Not"], not, "bool operand"),
    row("BitwiseAnd", &[18], &["And"], and, "int operands"),
    row("BitwiseOr", &[18], &["Or"], or, "int operands"),
    row("BitwiseXor", &[18], &["Xor"], xor, "int operands"),
    row("BitwiseNot", &[18], &["Not"], not, "int operand"),
    row(
        "BitShift",
        &[11, 28],
        &["ShiftLeft", "ShiftRight"],
        bit_shift,
        "direction LEFT/RIGHT; a shift by the bit width or more gives 0",
    ),
    row(
        "Gelu",
        &[20],
        &["Mul", "Add", "Tanh", "Erf", "Div"],
        gelu,
        "approximate=\"none\": 0.5 x (1 + erf(x / sqrt 2)); \"tanh\": the tanh form",
    ),
];

const LEGACY_BINARY: &str =
    "numpy broadcasting (v1/v6: `broadcast`=1 aligns B's dims from `axis`, then the same)";

/// The two operands of a binary op. Before v7, `broadcast`=1 lets B be
/// smaller, its dims aligned with A's starting at `axis` (default: at the
/// end); B is reshaped with trailing 1s so numpy broadcasting does the same.
/// `broadcast`=0 requires equal shapes.
pub(crate) fn operands(ctx: &mut MapCtx) -> Result<(ValueId, ValueId)> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    if ctx.version >= 7 {
        return Ok((x, y));
    }
    let (a, b) = (ctx.ty(x).shape, ctx.ty(y).shape);
    if ctx.attrs.int_or("broadcast", 0)? == 0 {
        if a != b {
            return Err(Error::invalid(format!(
                "broadcast=0 needs operands of equal shapes, got {a:?} and {b:?}"
            )));
        }
        return Ok((x, y));
    }
    let Some(axis) = ctx.attrs.int("axis")? else {
        return Ok((x, y));
    };
    let (ra, rb) = (a.len() as i64, b.len() as i64);
    let start = if axis < 0 { axis + ra } else { axis };
    if start < 0 || start + rb > ra {
        return Err(Error::invalid(format!(
            "axis {axis}: B of rank {rb} does not fit in A of rank {ra} from there"
        )));
    }
    let trailing = (ra - start - rb) as usize;
    let mut shape = b;
    shape.extend(std::iter::repeat_n(o2l_canon::Dim::Known(1), trailing));
    let y = ctx.reshape(y, shape)?;
    Ok((x, y))
}

fn binary(ctx: &mut MapCtx, b: Binary) -> Result<()> {
    let (x, y) = operands(ctx)?;
    let v = ctx.binary(b, x, y)?;
    ctx.bind(0, v)
}
fn add(ctx: &mut MapCtx) -> Result<()> {
    if qdq_group(ctx, Binary::Add)? {
        return Ok(());
    }
    binary(ctx, Binary::Add)
}

/// An Add or Mul of dequantized 8-bit values as a QDQ group (qdq.rs:
/// QLinearAdd / QLinearMul on the 8-bit inputs); false: map the float op.
fn qdq_group(ctx: &mut MapCtx, b: Binary) -> Result<bool> {
    if ctx.version < 7 || ctx.num_inputs() != 2 {
        return Ok(false);
    }
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    if ctx.dequantized(x).is_none() && ctx.dequantized(y).is_none() {
        return Ok(false);
    }
    match super::qdq::binary(ctx, b, x, y)? {
        Some(v) => ctx.bind(0, v).map(|()| true),
        None => Ok(false),
    }
}
fn sub(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Sub)
}
fn mul(ctx: &mut MapCtx) -> Result<()> {
    if qdq_group(ctx, Binary::Mul)? {
        return Ok(());
    }
    let (x, y) = operands(ctx)?;
    let mut v = ctx.binary(Binary::Mul, x, y)?;
    // Shape arithmetic: a dim symbol times a number is a new, named dim.
    if let (Some(a), Some(b)) = (ctx.sym_of(x), ctx.sym_of(y))
        && let ([p], [q]) = (a.as_slice(), b.as_slice())
    {
        // Factors of a product dim, sorted so that equal products share a name.
        let factors = |e: &SymEl| -> Vec<String> {
            match e {
                SymEl::Int(1) => Vec::new(),
                SymEl::Int(k) => vec![k.to_string()],
                SymEl::Sym(s) => s.split('*').map(str::to_string).collect(),
            }
        };
        let product = match (p, q) {
            (SymEl::Int(_), SymEl::Int(_)) => None,
            _ => {
                let mut f = factors(p);
                f.extend(factors(q));
                f.sort();
                Some(SymEl::Sym(f.join("*")))
            }
        };
        if let Some(p) = product {
            v = ctx.set_sym(v, vec![p])?;
        }
    }
    ctx.bind(0, v)
}
fn div(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Div)
}

fn pow(ctx: &mut MapCtx) -> Result<()> {
    let (x, y) = operands(ctx)?;
    let dtype = ctx.ty(x).dtype;
    let y = ctx.cast(y, dtype)?;
    let v = ctx.binary(Binary::Pow, x, y)?;
    ctx.bind(0, v)
}

fn unary(ctx: &mut MapCtx, u: Unary) -> Result<()> {
    let x = ctx.input(0)?;
    let v = ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[x])?;
    ctx.bind(0, v)
}
fn relu(ctx: &mut MapCtx) -> Result<()> {
    if qdq_table(ctx, TableFn::Relu)? {
        return Ok(());
    }
    unary(ctx, Unary::Relu)
}
/// An elementwise unary op of a dequantized 8-bit value as a QDQ group
/// (qdq.rs: a lookup table on the 8-bit input); false: map the float op.
fn qdq_table(ctx: &mut MapCtx, f: TableFn) -> Result<bool> {
    let x = ctx.input(0)?;
    if ctx.dequantized(x).is_none() {
        return Ok(false);
    }
    match super::qdq::table(ctx, x, f)? {
        Some(v) => ctx.bind(0, v).map(|()| true),
        None => Ok(false),
    }
}
fn sigmoid(ctx: &mut MapCtx) -> Result<()> {
    if qdq_table(ctx, TableFn::Sigmoid)? {
        return Ok(());
    }
    unary(ctx, Unary::Sigmoid)
}
fn tanh(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Tanh)
}
fn exp(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Exp)
}
fn log(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Log)
}
fn sqrt(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Sqrt)
}
fn neg(ctx: &mut MapCtx) -> Result<()> {
    if qdq_table(ctx, TableFn::Neg)? {
        return Ok(());
    }
    unary(ctx, Unary::Neg)
}
fn abs(ctx: &mut MapCtx) -> Result<()> {
    if qdq_table(ctx, TableFn::Abs)? {
        return Ok(());
    }
    unary(ctx, Unary::Abs)
}
fn leaky_relu(ctx: &mut MapCtx) -> Result<()> {
    let alpha = ctx.attrs.float_or("alpha", 0.01)?;
    if qdq_table(ctx, TableFn::LeakyRelu(alpha))? {
        return Ok(());
    }
    unary(
        ctx,
        Unary::LeakyRelu {
            alpha: alpha as f64,
        },
    )
}

fn reciprocal(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let one = ctx.scalar(ctx.ty(x).dtype, 1.0)?;
    let v = ctx.binary(Binary::Div, one, x)?;
    ctx.bind(0, v)
}

/// The value range of a dtype, as clamp bounds.
pub(crate) fn dtype_range(d: DType) -> (f64, f64) {
    match d {
        DType::Bool => (0.0, 1.0),
        DType::I8 => (i8::MIN as f64, i8::MAX as f64),
        DType::I16 => (i16::MIN as f64, i16::MAX as f64),
        DType::I32 => (i32::MIN as f64, i32::MAX as f64),
        DType::I64 => (i64::MIN as f64, i64::MAX as f64),
        DType::U8 => (0.0, u8::MAX as f64),
        DType::U16 => (0.0, u16::MAX as f64),
        DType::U32 => (0.0, u32::MAX as f64),
        DType::U64 => (0.0, u64::MAX as f64),
        DType::F16 | DType::BF16 | DType::F32 | DType::F64 => (f64::NEG_INFINITY, f64::INFINITY),
        DType::I4 => (-8.0, 7.0),
        DType::U4 => (0.0, 15.0),
        DType::I2 => (-2.0, 1.0),
        DType::U2 => (0.0, 3.0),
        // Narrow floats take no clamps (no arithmetic happens on them).
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

fn clip_v6(ctx: &mut MapCtx) -> Result<()> {
    let min = ctx.attrs.float_or("min", f32::MIN)? as f64;
    let max = ctx.attrs.float_or("max", f32::MAX)? as f64;
    if qdq_table(ctx, TableFn::Clip(min as f32, max as f32))? {
        return Ok(());
    }
    unary(ctx, Unary::Clamp { min, max })
}

fn clip_v11(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let (mut lo, mut hi) = dtype_range(dtype);
    let mut runtime: Vec<(Binary, ValueId)> = Vec::new();
    let mut any_const = false;
    for (i, b) in [(1, Binary::Max), (2, Binary::Min)] {
        let Some(v) = ctx.opt_input(i) else {
            continue;
        };
        match ctx.const_of(v) {
            Some(t) => {
                let vals = t.to_f64s();
                let [bound] = vals.as_slice() else {
                    return Err(Error::invalid(format!(
                        "Clip bound (input {i}) must be a scalar, got {} values",
                        vals.len()
                    )));
                };
                any_const = true;
                if i == 1 {
                    lo = *bound;
                } else {
                    hi = *bound;
                }
            }
            None => runtime.push((b, v)),
        }
    }
    if runtime.is_empty() && qdq_table(ctx, TableFn::Clip(lo as f32, hi as f32))? {
        return Ok(());
    }
    let mut y = x;
    if any_const || runtime.is_empty() {
        y = ctx.emit1(
            Op::Elementwise(Elementwise::Unary(Unary::Clamp { min: lo, max: hi })),
            &[y],
        )?;
    }
    for (b, v) in runtime {
        let v = ctx.cast(v, dtype)?;
        y = ctx.binary(b, y, v)?;
    }
    ctx.bind(0, y)
}

fn variadic(ctx: &mut MapCtx, b: Binary) -> Result<ValueId> {
    let mut acc = ctx.input(0)?;
    for i in 1..ctx.num_inputs() {
        let v = ctx.input(i)?;
        acc = ctx.binary(b, acc, v)?;
    }
    Ok(acc)
}
fn max_n(ctx: &mut MapCtx) -> Result<()> {
    let v = variadic(ctx, Binary::Max)?;
    ctx.bind(0, v)
}
fn min_n(ctx: &mut MapCtx) -> Result<()> {
    let v = variadic(ctx, Binary::Min)?;
    ctx.bind(0, v)
}
fn sum_n(ctx: &mut MapCtx) -> Result<()> {
    let v = variadic(ctx, Binary::Add)?;
    ctx.bind(0, v)
}
fn mean_n(ctx: &mut MapCtx) -> Result<()> {
    let s = variadic(ctx, Binary::Add)?;
    let n = ctx.num_inputs();
    let v = if n > 1 {
        let count = ctx.scalar(ctx.ty(s).dtype, n as f64)?;
        ctx.binary(Binary::Div, s, count)?
    } else {
        s
    };
    ctx.bind(0, v)
}

fn cast(ctx: &mut MapCtx) -> Result<()> {
    let code = ctx.attrs.req_int("to")?;
    let code = i32::try_from(code)
        .map_err(|_| Error::invalid(format!("attribute \"to\": bad data type code {code}")))?;
    let to = dtype_of(code, "attribute \"to\"")?;
    cast_to(ctx, to)
}

/// Cast-1 names the target type by its `TensorProto.DataType` name.
fn cast_v1(ctx: &mut MapCtx) -> Result<()> {
    let name = ctx
        .attrs
        .string("to")?
        .ok_or_else(|| Error::invalid("Cast without the required \"to\" attribute"))?;
    let code = o2l_proto::tensor_proto::DataType::from_str_name(&name.to_ascii_uppercase())
        .ok_or_else(|| Error::invalid(format!("attribute \"to\": unknown data type \"{name}\"")))?;
    let to = dtype_of(code as i32, "attribute \"to\"")?;
    cast_to(ctx, to)
}

fn cast_to(ctx: &mut MapCtx, to: DType) -> Result<()> {
    let x = ctx.input(0)?;
    let op = cast_op(ctx, to)?;
    let v = if ctx.ty(x).dtype == to || op != Elementwise::cast(to) {
        ctx.emit1(Op::Elementwise(op), &[x])?
    } else {
        ctx.cast(x, to)?
    };
    ctx.bind(0, v)
}

/// The Cast with this node's `saturate` (opset 19+) and `round_mode` (24+).
fn cast_op(ctx: &MapCtx, to: DType) -> Result<Elementwise> {
    let saturate = ctx.attrs.int_or("saturate", 1)? != 0;
    let e8m0 = match ctx.attrs.string_or("round_mode", "up")?.as_str() {
        "up" => E8M0Round::Up,
        "down" => E8M0Round::Down,
        "nearest" => E8M0Round::Nearest,
        other => {
            return Err(Error::invalid(format!(
                "round_mode must be up, down or nearest, got \"{other}\""
            )));
        }
    };
    Ok(Elementwise::Cast { to, saturate, e8m0 })
}

fn un(ctx: &mut MapCtx, u: Unary, x: ValueId) -> Result<ValueId> {
    ctx.emit1(Op::Elementwise(Elementwise::Unary(u)), &[x])
}

fn bit_cast(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let code = ctx.attrs.req_int("to")?;
    let code = i32::try_from(code)
        .map_err(|_| Error::invalid(format!("attribute \"to\": bad data type code {code}")))?;
    let to = dtype_of(code, "attribute \"to\"")?;
    let v = ctx.emit1(Op::Elementwise(Elementwise::BitCast { to }), &[x])?;
    ctx.bind(0, v)
}

fn cast_like(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let like = ctx.input(1)?;
    let to = ctx.ty(like).dtype;
    let op = cast_op(ctx, to)?;
    let v = ctx.emit1(Op::Elementwise(op), &[x])?;
    ctx.bind(0, v)
}

fn prelu(ctx: &mut MapCtx) -> Result<()> {
    let (x, mut slope) = (ctx.input(0)?, ctx.input(1)?);
    let dtype = ctx.ty(x).dtype;
    // Before v7 the slope is one value or one per channel (dim 1 of X).
    let (xs, ss) = (ctx.ty(x).shape, ctx.ty(slope).shape);
    if ctx.version < 7 && ss.len() == 1 && xs.len() >= 2 && ss[0] != o2l_canon::Dim::Known(1) {
        let mut shape = ss;
        shape.extend(std::iter::repeat_n(o2l_canon::Dim::Known(1), xs.len() - 2));
        slope = ctx.reshape(slope, shape)?;
    }
    let pos = un(ctx, Unary::Relu, x)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let neg = ctx.binary(Binary::Min, x, zero)?;
    let neg = ctx.binary(Binary::Mul, slope, neg)?;
    let v = ctx.binary(Binary::Add, pos, neg)?;
    ctx.bind(0, v)
}

/// `relu(x) + alpha * (e^(min(x, 0) / scale) - 1)`, the shared body of Elu, Selu, Celu.
/// Half-precision inputs are computed in f32 and rounded once, as one op should be.
fn exp_linear(ctx: &mut MapCtx, x: ValueId, alpha: f64, scale: f64) -> Result<ValueId> {
    let half = ctx.ty(x).dtype;
    if matches!(half, DType::F16 | DType::BF16) {
        let wide = ctx.cast(x, DType::F32)?;
        let v = exp_linear(ctx, wide, alpha, scale)?;
        return ctx.cast(v, half);
    }
    let dtype = half;
    let pos = un(ctx, Unary::Relu, x)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let mut neg = ctx.binary(Binary::Min, x, zero)?;
    if scale != 1.0 {
        let s = ctx.scalar(dtype, scale)?;
        neg = ctx.binary(Binary::Div, neg, s)?;
    }
    let e = un(ctx, Unary::Exp, neg)?;
    let one = ctx.scalar(dtype, 1.0)?;
    let em1 = ctx.binary(Binary::Sub, e, one)?;
    let a = ctx.scalar(dtype, alpha)?;
    let scaled = ctx.binary(Binary::Mul, a, em1)?;
    ctx.binary(Binary::Add, pos, scaled)
}

fn elu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    let v = exp_linear(ctx, x, alpha, 1.0)?;
    ctx.bind(0, v)
}

fn selu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let alpha = ctx.attrs.float_or("alpha", 1.673_263_2)? as f64;
    let gamma = ctx.attrs.float_or("gamma", 1.050_701)? as f64;
    let v = exp_linear(ctx, x, alpha, 1.0)?;
    let g = ctx.scalar(ctx.ty(x).dtype, gamma)?;
    let v = ctx.binary(Binary::Mul, g, v)?;
    ctx.bind(0, v)
}

fn celu(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    if alpha == 0.0 {
        return Err(Error::invalid("Celu alpha must not be 0"));
    }
    let v = exp_linear(ctx, x, alpha, alpha)?;
    ctx.bind(0, v)
}

/// `relu(x) + log(1 + e^-|x|)`: equal to log(1 + e^x) without overflow.
fn softplus_of(ctx: &mut MapCtx, x: ValueId) -> Result<ValueId> {
    let dtype = ctx.ty(x).dtype;
    let pos = un(ctx, Unary::Relu, x)?;
    let a = un(ctx, Unary::Abs, x)?;
    let na = un(ctx, Unary::Neg, a)?;
    let e = un(ctx, Unary::Exp, na)?;
    let one = ctx.scalar(dtype, 1.0)?;
    let s = ctx.binary(Binary::Add, one, e)?;
    let l = un(ctx, Unary::Log, s)?;
    ctx.binary(Binary::Add, pos, l)
}

fn softplus(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let v = softplus_of(ctx, x)?;
    ctx.bind(0, v)
}

fn softsign(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let a = un(ctx, Unary::Abs, x)?;
    let one = ctx.scalar(ctx.ty(x).dtype, 1.0)?;
    let d = ctx.binary(Binary::Add, one, a)?;
    let v = ctx.binary(Binary::Div, x, d)?;
    ctx.bind(0, v)
}

fn hard_sigmoid_of(ctx: &mut MapCtx, x: ValueId, alpha: f64, beta: f64) -> Result<ValueId> {
    let dtype = ctx.ty(x).dtype;
    let a = ctx.scalar(dtype, alpha)?;
    let b = ctx.scalar(dtype, beta)?;
    let ax = ctx.binary(Binary::Mul, a, x)?;
    let lin = ctx.binary(Binary::Add, ax, b)?;
    un(ctx, Unary::Clamp { min: 0.0, max: 1.0 }, lin)
}

fn hard_sigmoid(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let alpha = ctx.attrs.float_or("alpha", 0.2)? as f64;
    let beta = ctx.attrs.float_or("beta", 0.5)? as f64;
    if qdq_table(ctx, TableFn::HardSigmoid(alpha as f32, beta as f32))? {
        return Ok(());
    }
    let v = hard_sigmoid_of(ctx, x, alpha, beta)?;
    ctx.bind(0, v)
}

fn hard_swish(ctx: &mut MapCtx) -> Result<()> {
    if qdq_table(ctx, TableFn::HardSwish)? {
        return Ok(());
    }
    let x = ctx.input(0)?;
    let h = hard_sigmoid_of(ctx, x, 1.0 / 6.0, 0.5)?;
    let v = ctx.binary(Binary::Mul, x, h)?;
    ctx.bind(0, v)
}

fn mish(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let sp = softplus_of(ctx, x)?;
    let t = un(ctx, Unary::Tanh, sp)?;
    let v = ctx.binary(Binary::Mul, x, t)?;
    ctx.bind(0, v)
}

fn gelu(ctx: &mut MapCtx) -> Result<()> {
    let approximate = ctx.attrs.string_or("approximate", "none")?;
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    match approximate.as_str() {
        "tanh" => {}
        "none" => {
            // 0.5 * x * (1 + erf(x / sqrt(2)))
            let r2 = ctx.scalar(dtype, std::f64::consts::SQRT_2)?;
            let xs = ctx.binary(Binary::Div, x, r2)?;
            let e = un(ctx, Unary::Erf, xs)?;
            let one = ctx.scalar(dtype, 1.0)?;
            let onep = ctx.binary(Binary::Add, one, e)?;
            let half = ctx.scalar(dtype, 0.5)?;
            let hx = ctx.binary(Binary::Mul, half, x)?;
            let v = ctx.binary(Binary::Mul, hx, onep)?;
            return ctx.bind(0, v);
        }
        other => {
            return Err(Error::invalid(format!(
                "Gelu approximate=\"{other}\" (expected \"none\" or \"tanh\")"
            )));
        }
    }
    // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
    let x2 = ctx.binary(Binary::Mul, x, x)?;
    let x3 = ctx.binary(Binary::Mul, x2, x)?;
    let c = ctx.scalar(dtype, 0.044_715)?;
    let cx3 = ctx.binary(Binary::Mul, c, x3)?;
    let inner = ctx.binary(Binary::Add, x, cx3)?;
    let k = ctx.scalar(dtype, (2.0 / std::f64::consts::PI).sqrt())?;
    let arg = ctx.binary(Binary::Mul, k, inner)?;
    let t = un(ctx, Unary::Tanh, arg)?;
    let one = ctx.scalar(dtype, 1.0)?;
    let onep = ctx.binary(Binary::Add, one, t)?;
    let half = ctx.scalar(dtype, 0.5)?;
    let hx = ctx.binary(Binary::Mul, half, x)?;
    let v = ctx.binary(Binary::Mul, hx, onep)?;
    ctx.bind(0, v)
}

fn swish(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let alpha = ctx.attrs.float_or("alpha", 1.0)? as f64;
    let mut ax = x;
    if alpha != 1.0 {
        let a = ctx.scalar(ctx.ty(x).dtype, alpha)?;
        ax = ctx.binary(Binary::Mul, a, x)?;
    }
    let s = un(ctx, Unary::Sigmoid, ax)?;
    let v = ctx.binary(Binary::Mul, x, s)?;
    ctx.bind(0, v)
}

/// Evaluates a scalar function over constant operands with numpy broadcasting;
/// an operand computed at run time is Unsupported (no canonical op does this).
fn fold_only(ctx: &mut MapCtx, what: &str, f: &dyn Fn(&[f64], bool) -> f64) -> Result<()> {
    let mut consts = Vec::with_capacity(ctx.num_inputs());
    for i in 0..ctx.num_inputs() {
        let v = ctx.input(i)?;
        let Some(t) = ctx.const_of(v) else {
            return Err(Error::unsupported(format!(
                "{what} of a value computed at run time (only constant operands are folded)"
            )));
        };
        consts.push(t);
    }
    let dtype = consts
        .first()
        .map(|t| t.dtype)
        .ok_or_else(|| Error::invalid(format!("{what} without operands")))?;
    let shapes: Vec<Vec<o2l_canon::Dim>> = consts.iter().map(|t| t.ty().shape).collect();
    let refs: Vec<&[o2l_canon::Dim]> = shapes.iter().map(|s| s.as_slice()).collect();
    let out = o2l_canon::shape::broadcast_shapes(&refs)?;
    let out_dims: Vec<u64> = out.iter().filter_map(|d| d.known()).collect();
    let count = o2l_canon::shape::element_count(&out_dims)?;
    ctx.graph.check_constant(count, 8, what)?;
    let n = count as usize;
    let values: Vec<Vec<f64>> = consts.iter().map(|t| t.to_f64s()).collect();
    let is_int = !dtype.is_float();
    let mut result = Vec::with_capacity(n);
    let mut args = vec![0.0; consts.len()];
    for flat in 0..n {
        for (k, t) in consts.iter().enumerate() {
            // Map the output index onto operand k (size-1 and missing dims repeat).
            let mut rem = flat;
            let mut idx = 0usize;
            let mut stride = 1usize;
            let offset = out_dims.len() - t.dims.len();
            for (axis, &od) in out_dims.iter().enumerate().rev() {
                let od = od as usize;
                let coord = rem % od.max(1);
                rem /= od.max(1);
                if axis >= offset {
                    let d = t.dims[axis - offset] as usize;
                    if d != 1 {
                        idx += coord * stride;
                    }
                    stride *= d;
                }
            }
            args[k] = values[k][idx];
        }
        result.push(f(&args, is_int));
    }
    let t = if is_int {
        let v: Vec<i64> = result.iter().map(|&x| x as i64).collect();
        o2l_canon::Tensor::from_i64s(dtype, out_dims, &v)?
    } else {
        o2l_canon::Tensor::from_f64s(dtype, out_dims, &result)?
    };
    let v = ctx.constant(t)?;
    ctx.bind(0, v)
}

/// All operands are compile-time constants (then the op is folded here,
/// which also covers int Floor/Ceil in shape arithmetic).
fn all_const(ctx: &MapCtx) -> Result<bool> {
    for i in 0..ctx.num_inputs() {
        let v = ctx.input(i)?;
        if ctx.const_of(v).is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

fn modulo(ctx: &mut MapCtx) -> Result<()> {
    let fmod = ctx.attrs.int_or("fmod", 0)?;
    if fmod != 0 && fmod != 1 {
        return Err(Error::invalid(format!("Mod fmod={fmod} (expected 0 or 1)")));
    }
    let fmod = fmod == 1;
    if all_const(ctx)? {
        return mod_const(ctx, fmod);
    }
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let v = ctx.binary(Binary::Mod { fmod }, x, y)?;
    ctx.bind(0, v)
}

fn floor(ctx: &mut MapCtx) -> Result<()> {
    if all_const(ctx)? {
        return floor_const(ctx);
    }
    unary(ctx, Unary::Floor)
}

fn ceil(ctx: &mut MapCtx) -> Result<()> {
    if all_const(ctx)? {
        return ceil_const(ctx);
    }
    unary(ctx, Unary::Ceil)
}

fn round(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Round)
}
fn erf(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Erf)
}
fn sin(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Sin)
}
fn cos(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Cos)
}
fn tan(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Tan)
}
fn asin(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Asin)
}
fn acos(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Acos)
}
fn atan(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Atan)
}
fn sinh(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Sinh)
}
fn cosh(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Cosh)
}
fn asinh(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Asinh)
}
fn acosh(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Acosh)
}
fn atanh(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Atanh)
}
fn sign(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Sign)
}
fn is_nan(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::IsNaN)
}
fn is_inf(ctx: &mut MapCtx) -> Result<()> {
    let negative = ctx.attrs.int_or("detect_negative", 1)? != 0;
    let positive = ctx.attrs.int_or("detect_positive", 1)? != 0;
    unary(ctx, Unary::IsInf { negative, positive })
}
fn not(ctx: &mut MapCtx) -> Result<()> {
    unary(ctx, Unary::Not)
}

fn compare(ctx: &mut MapCtx, c: Compare) -> Result<()> {
    let (x, y) = operands(ctx)?;
    let v = ctx.emit1(Op::Elementwise(Elementwise::Compare(c)), &[x, y])?;
    ctx.bind(0, v)
}
fn equal(ctx: &mut MapCtx) -> Result<()> {
    compare(ctx, Compare::Equal)?;
    // Shape arithmetic (`where(shape == -1, 1, shape)`): a tracked vector
    // compared with numbers, a dim symbol never being negative.
    let (Some(a), Some(b), Some(out)) = (
        ctx.opt_input(0).and_then(|v| ctx.sym_of(v)),
        ctx.opt_input(1).and_then(|v| ctx.sym_of(v)),
        ctx.output(0),
    ) else {
        return Ok(());
    };
    let known: Option<Vec<SymEl>> = paired(&a, &b)
        .map(|(p, q)| match (p, q) {
            (SymEl::Int(x), SymEl::Int(y)) => Some(SymEl::Int((x == y) as i64)),
            (SymEl::Sym(_), SymEl::Int(k)) | (SymEl::Int(k), SymEl::Sym(_)) if *k < 0 => {
                Some(SymEl::Int(0))
            }
            (SymEl::Sym(x), SymEl::Sym(y)) if x == y => Some(SymEl::Int(1)),
            _ => None,
        })
        .collect();
    if let Some(known) = known {
        let v = ctx.set_sym(out, known)?;
        ctx.bind(0, v)?;
    }
    Ok(())
}

/// Element pairs of two tracked vectors of one length, or of one and a scalar.
fn paired<'e>(a: &'e [SymEl], b: &'e [SymEl]) -> impl Iterator<Item = (&'e SymEl, &'e SymEl)> {
    let n = match (a.len(), b.len()) {
        (x, y) if x == y => x,
        (1, y) => y,
        (x, 1) => x,
        _ => 0,
    };
    (0..n).map(move |i| (&a[i.min(a.len() - 1)], &b[i.min(b.len() - 1)]))
}
fn less(ctx: &mut MapCtx) -> Result<()> {
    compare(ctx, Compare::Less)
}
fn less_or_equal(ctx: &mut MapCtx) -> Result<()> {
    compare(ctx, Compare::LessOrEqual)
}
fn greater(ctx: &mut MapCtx) -> Result<()> {
    compare(ctx, Compare::Greater)
}
fn greater_or_equal(ctx: &mut MapCtx) -> Result<()> {
    compare(ctx, Compare::GreaterOrEqual)
}

fn where_(ctx: &mut MapCtx) -> Result<()> {
    let (c, x, y) = (ctx.input(0)?, ctx.input(1)?, ctx.input(2)?);
    let v = ctx.emit1(Op::Elementwise(Elementwise::Select), &[c, x, y])?;
    // Shape arithmetic: a known condition picks from tracked vectors.
    if let (Some(cond), Some(a), Some(b)) = (ctx.sym_of(c), ctx.sym_of(x), ctx.sym_of(y))
        && cond.len() == a.len().max(b.len())
    {
        let picked: Option<Vec<SymEl>> = cond
            .iter()
            .zip(paired(&a, &b))
            .map(|(c, (p, q))| match c {
                SymEl::Int(0) => Some(q.clone()),
                SymEl::Int(_) => Some(p.clone()),
                SymEl::Sym(_) => None,
            })
            .collect();
        if let Some(picked) = picked {
            let v = ctx.set_sym(v, picked)?;
            return ctx.bind(0, v);
        }
    }
    ctx.bind(0, v)
}

fn and(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::And)
}
fn or(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Or)
}
fn xor(ctx: &mut MapCtx) -> Result<()> {
    binary(ctx, Binary::Xor)
}

fn bit_shift(ctx: &mut MapCtx) -> Result<()> {
    let dir = ctx
        .attrs
        .string("direction")?
        .ok_or_else(|| Error::invalid("BitShift without the required \"direction\" attribute"))?;
    let b = match dir.as_str() {
        "LEFT" => Binary::ShiftLeft,
        "RIGHT" => Binary::ShiftRight,
        other => {
            return Err(Error::invalid(format!(
                "BitShift direction \"{other}\" (expected LEFT or RIGHT)"
            )));
        }
    };
    binary(ctx, b)
}

fn mod_const(ctx: &mut MapCtx, fmod: bool) -> Result<()> {
    fold_only(ctx, "Mod", &|a, is_int| {
        let (x, y) = (a[0], a[1]);
        if is_int && y == 0.0 {
            return 0.0;
        }
        let r = x % y;
        if !fmod && r != 0.0 && (r < 0.0) != (y < 0.0) {
            r + y
        } else {
            r
        }
    })
}

fn floor_const(ctx: &mut MapCtx) -> Result<()> {
    fold_only(ctx, "Floor", &|a, _| a[0].floor())
}

fn ceil_const(ctx: &mut MapCtx) -> Result<()> {
    fold_only(ctx, "Ceil", &|a, _| a[0].ceil())
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn clip_6_uses_attributes_and_clip_11_uses_inputs() {
        let g = M::new(7)
            .input(f32_in("x", &[4]))
            .node(with_attrs(
                node("Clip", "c", &["x"], &["y"]),
                vec![a_float("min", -1.0), a_float("max", 2.0)],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 6);
        assert_eq!(
            g.nodes[0].op,
            Op::Elementwise(Elementwise::Unary(Unary::Clamp {
                min: -1.0,
                max: 2.0
            }))
        );

        let g = M::new(11)
            .input(f32_in("x", &[4]))
            .input(vi("hi", 1, &[]))
            .init(t_f32("lo", &[], &[-0.5]))
            .node(node("Clip", "c", &["x", "lo", "hi"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 11);
        assert_eq!(op_names(&g), vec!["Clamp", "Min"]);
        assert_eq!(
            g.nodes[0].op,
            Op::Elementwise(Elementwise::Unary(Unary::Clamp {
                min: -0.5,
                max: f64::INFINITY
            }))
        );
        assert_eq!(
            g.nodes[1].op,
            Op::Elementwise(Elementwise::Binary(Binary::Min))
        );
    }

    #[test]
    fn comparisons_where_and_mod_map_onto_elementwise_ops() {
        let g = M::new(17)
            .input(f32_in("a", &[2, 3]))
            .input(f32_in("b", &[3]))
            .node(node("GreaterOrEqual", "ge", &["a", "b"], &["c"]))
            .node(node("Where", "w", &["c", "a", "b"], &["y"]))
            .node(with_attrs(
                node("Mod", "m", &["y", "b"], &["z"]),
                vec![a_int("fmod", 1)],
            ))
            .node(with_attrs(
                node("Gelu", "g", &["z"], &["out"]),
                vec![a_str("approximate", "none")],
            ))
            .output("out")
            .import();
        // Gelu is opset 20: at opset 17 it is not in the default domain.
        assert!(g.is_err());
        let g = M::new(20)
            .input(f32_in("a", &[2, 3]))
            .input(f32_in("b", &[3]))
            .node(node("GreaterOrEqual", "ge", &["a", "b"], &["c"]))
            .node(node("Where", "w", &["c", "a", "b"], &["y"]))
            .node(with_attrs(
                node("Mod", "m", &["y", "b"], &["z"]),
                vec![a_int("fmod", 1)],
            ))
            .node(node("Gelu", "g", &["z"], &["out"]))
            .output("out")
            .import()
            .unwrap();
        let names = op_names(&g);
        assert_eq!(&names[..3], &["GreaterOrEqual", "Select", "Mod"]);
        assert!(names.contains(&"Erf"));
        assert_eq!(g.ty(g.nodes[0].outputs[0]).dtype, o2l_canon::DType::Bool);
        assert_eq!(out_dims(&g, 0), vec![2, 3]);
    }

    #[test]
    fn add_6_aligns_b_from_axis_with_broadcast() {
        let g = M::new(6)
            .input(f32_in("a", &[2, 3, 4, 5]))
            .input(f32_in("b", &[3, 4]))
            .node(with_attrs(
                node("Add", "add", &["a", "b"], &["y"]),
                vec![a_int("broadcast", 1), a_int("axis", 1)],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 6);
        assert_eq!(op_names(&g), vec!["Reshape", "Add"]);
        assert_eq!(
            g.ty(g.nodes[0].outputs[0]).known_dims(),
            Some(vec![3, 4, 1])
        );
        assert_eq!(out_dims(&g, 0), vec![2, 3, 4, 5]);

        // Without axis, B's dims align with A's last ones (numpy broadcasting).
        let g = M::new(1)
            .input(f32_in("a", &[2, 3, 4, 5]))
            .input(f32_in("b", &[5]))
            .node(with_attrs(
                node("Mul", "mul", &["a", "b"], &["y"]),
                vec![a_int("broadcast", 1), a_ints("consumed_inputs", &[0, 0])],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Mul"]);
        assert_eq!(out_dims(&g, 0), vec![2, 3, 4, 5]);
    }

    #[test]
    fn legacy_binary_ops_refuse_unequal_shapes_without_broadcast_and_bad_axes() {
        let e = M::new(6)
            .input(f32_in("a", &[2, 3]))
            .input(f32_in("b", &[3]))
            .node(node("Sub", "sub", &["a", "b"], &["y"]))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.to_string().contains("broadcast=0"), "{e}");
        let e = M::new(6)
            .input(f32_in("a", &[2, 3]))
            .input(f32_in("b", &[3, 4]))
            .node(with_attrs(
                node("Div", "div", &["a", "b"], &["y"]),
                vec![a_int("broadcast", 1), a_int("axis", 1)],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.to_string().contains("does not fit"), "{e}");
    }

    #[test]
    fn legacy_compare_aligns_like_arithmetic() {
        let g = M::new(1)
            .input(f32_in("a", &[2, 3, 4]))
            .input(f32_in("b", &[3]))
            .node(with_attrs(
                node("Greater", "gt", &["a", "b"], &["y"]),
                vec![a_int("broadcast", 1), a_int("axis", -2)],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(op_names(&g), vec!["Reshape", "Greater"]);
        assert_eq!(g.ty(g.nodes[0].outputs[0]).known_dims(), Some(vec![3, 1]));
    }

    #[test]
    fn unary_1_ignores_consumed_inputs() {
        let g = M::new(1)
            .input(f32_in("x", &[4]))
            .node(with_attrs(
                node("Relu", "r", &["x"], &["y"]),
                vec![a_ints("consumed_inputs", &[1])],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 1);
        assert_eq!(op_names(&g), vec!["Relu"]);
    }

    #[test]
    fn cast_1_names_the_type() {
        let g = M::new(1)
            .input(f32_in("x", &[4]))
            .node(with_attrs(
                node("Cast", "c", &["x"], &["y"]),
                vec![a_str("to", "INT32")],
            ))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 1);
        assert_eq!(g.ty(g.outputs[0]).dtype, DType::I32);
        let e = M::new(1)
            .input(f32_in("x", &[4]))
            .node(with_attrs(
                node("Cast", "c", &["x"], &["y"]),
                vec![a_str("to", "QUATERNION")],
            ))
            .output("y")
            .import()
            .unwrap_err();
        assert!(e.to_string().contains("unknown data type"), "{e}");
    }

    #[test]
    fn prelu_6_applies_a_slope_per_channel() {
        let g = M::new(6)
            .input(f32_in("x", &[2, 3, 4]))
            .input(f32_in("s", &[3]))
            .node(node("PRelu", "p", &["x", "s"], &["y"]))
            .output("y")
            .import()
            .unwrap();
        assert_eq!(g.nodes[0].origin.version, 6);
        assert!(op_names(&g).contains(&"Reshape"));
        assert_eq!(out_dims(&g, 0), vec![2, 3, 4]);
    }
}
