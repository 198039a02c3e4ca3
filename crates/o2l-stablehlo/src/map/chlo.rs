//! CHLO, the client ops StableHLO producers print before legalizing them
//! (JAX's `chlo.erf`; torch-mlir's `convert-torch-to-stablehlo` output, which
//! IREE takes as is). `chlo.broadcast_*` ops broadcast numpy-style, or along
//! `broadcast_dimensions` when the ranks differ: the lower-rank operand is
//! reshaped to the result's rank, then the op maps as its StableHLO
//! counterpart. The unary ops land on canonical unary ops.
use super::ctx::{OpCtx, Rule, axes, rule};
use super::elementwise as ew;
use o2l_canon::ops::{Binary, Elementwise, Sort, Unary};
use o2l_canon::{Builder, Error, Op, Result};

const NUMPY: &str = "numpy broadcasting; broadcast_dimensions place a lower-rank operand";

pub(crate) static RULES: &[Rule] = &[
    rule("chlo.broadcast_add", &["Add", "Reshape"], b_add, NUMPY),
    rule("chlo.broadcast_subtract", &["Sub", "Reshape"], b_sub, NUMPY),
    rule("chlo.broadcast_multiply", &["Mul", "Reshape"], b_mul, NUMPY),
    rule("chlo.broadcast_divide", &["Div", "Reshape"], b_div, NUMPY),
    rule(
        "chlo.broadcast_remainder",
        &["Mod", "Reshape"],
        b_rem,
        NUMPY,
    ),
    rule("chlo.broadcast_maximum", &["Max", "Reshape"], b_max, NUMPY),
    rule("chlo.broadcast_minimum", &["Min", "Reshape"], b_min, NUMPY),
    rule("chlo.broadcast_power", &["Pow", "Reshape"], b_pow, NUMPY),
    rule("chlo.broadcast_and", &["And", "Reshape"], b_and, NUMPY),
    rule("chlo.broadcast_or", &["Or", "Reshape"], b_or, NUMPY),
    rule("chlo.broadcast_xor", &["Xor", "Reshape"], b_xor, NUMPY),
    rule(
        "chlo.broadcast_atan2",
        &[
            "Div",
            "Atan",
            "Less",
            "Select",
            "Add",
            "And",
            "Equal",
            "GreaterOrEqual",
            "Reshape",
        ],
        b_atan2,
        NUMPY,
    ),
    rule(
        "chlo.broadcast_compare",
        &[
            "Equal",
            "Less",
            "LessOrEqual",
            "Greater",
            "GreaterOrEqual",
            "Not",
            "BitCast",
            "Reshape",
        ],
        b_compare,
        "as stablehlo.compare, with numpy broadcasting",
    ),
    rule(
        "chlo.broadcast_select",
        &["Select"],
        b_select,
        "numpy broadcasting of the predicate and both branches",
    ),
    rule("chlo.sinh", &["Sinh"], sinh, ""),
    rule("chlo.cosh", &["Cosh"], cosh, ""),
    rule("chlo.tan", &["Tan"], tan, ""),
    rule("chlo.asin", &["Asin"], asin, ""),
    rule("chlo.acos", &["Acos"], acos, ""),
    rule("chlo.atan", &["Atan"], atan, ""),
    rule("chlo.asinh", &["Asinh"], asinh, ""),
    rule("chlo.acosh", &["Acosh"], acosh, ""),
    rule("chlo.atanh", &["Atanh"], atanh, ""),
    rule("chlo.square", &["Mul"], square, "x * x"),
    rule("chlo.erfc", &["Erf", "Sub"], erfc, "1 - erf(x)"),
    rule("chlo.is_inf", &["IsInf"], is_inf, ""),
    rule("chlo.is_pos_inf", &["IsInf"], is_pos_inf, ""),
    rule("chlo.is_neg_inf", &["IsInf"], is_neg_inf, ""),
    rule("chlo.constant", &[], ew::constant, "as stablehlo.constant"),
    rule(
        "chlo.top_k",
        &["TopK", "Cast"],
        top_k,
        "the k greatest along the last dim, sorted; ties: lower index first",
    ),
    rule(
        "chlo.constant_like",
        &[],
        constant_like,
        "a splat of `value` in the operand's shape and the result's type",
    ),
];

/// Reshapes the lower-rank operand of a binary CHLO op to the other's rank:
/// its dims go to `broadcast_dimensions` (in order), or to the trailing dims.
fn align(ctx: &mut OpCtx) -> Result<()> {
    let (x, y) = (ctx.input(0)?, ctx.input(1)?);
    let (rx, ry) = (ctx.ty(x).rank(), ctx.ty(y).rank());
    if rx == ry {
        return Ok(());
    }
    let (k, v, rank) = if rx < ry { (0, x, ry) } else { (1, y, rx) };
    let have = ctx.dims(v)?;
    let Some(dims) = ctx.attr(&["broadcast_dimensions"]).and_then(|a| a.ints()) else {
        return Ok(()); // numpy broadcasting aligns trailing dims: nothing to do
    };
    let dims = axes(&dims, rank, "broadcast_dimensions")?;
    if dims.len() != have.len() || dims.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::unsupported(format!(
            "broadcast_dimensions {dims:?} for an operand of rank {}: only increasing dims are supported",
            have.len()
        )));
    }
    let mut shape = vec![1u64; rank];
    for (&d, &n) in dims.iter().zip(&have) {
        shape[d] = n;
    }
    let r = ctx.reshape_to(v, &shape)?;
    ctx.set_input(k, r)
}

macro_rules! broadcasting {
    ($($name:ident => $f:path),* $(,)?) => {
        $(fn $name(ctx: &mut OpCtx) -> Result<()> {
            align(ctx)?;
            $f(ctx)
        })*
    };
}

broadcasting! {
    b_add => ew::add,
    b_sub => ew::sub,
    b_mul => ew::mul,
    b_div => ew::div,
    b_rem => ew::rem,
    b_max => ew::maximum,
    b_min => ew::minimum,
    b_pow => ew::power,
    b_and => ew::and,
    b_or => ew::or,
    b_xor => ew::xor,
    b_atan2 => ew::atan2,
    b_compare => ew::compare,
}

fn b_select(ctx: &mut OpCtx) -> Result<()> {
    ew::select(ctx)
}

macro_rules! unaries {
    ($($name:ident => $u:expr),* $(,)?) => {
        $(fn $name(ctx: &mut OpCtx) -> Result<()> {
            ew::unary(ctx, $u)
        })*
    };
}

unaries! {
    sinh => Unary::Sinh,
    cosh => Unary::Cosh,
    tan => Unary::Tan,
    asin => Unary::Asin,
    acos => Unary::Acos,
    atan => Unary::Atan,
    asinh => Unary::Asinh,
    acosh => Unary::Acosh,
    atanh => Unary::Atanh,
    is_inf => Unary::IsInf { negative: true, positive: true },
    is_pos_inf => Unary::IsInf { negative: false, positive: true },
    is_neg_inf => Unary::IsInf { negative: true, positive: false },
}

fn square(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let v = ctx.elementwise(Elementwise::Binary(Binary::Mul), &[x, x])?;
    ctx.bind(0, v)
}

fn erfc(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let d = ctx.ty(x).dtype;
    let e = ctx.elementwise(Elementwise::Unary(Unary::Erf), &[x])?;
    let one = ctx.scalar(d, 1.0)?;
    let v = ctx.elementwise(Elementwise::Binary(Binary::Sub), &[one, e])?;
    ctx.bind(0, v)
}

fn top_k(ctx: &mut OpCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let rank = ctx.ty(x).rank();
    let Some(axis) = rank.checked_sub(1) else {
        return Err(Error::invalid("top_k of a scalar"));
    };
    let k = ctx.int(&["k"])?;
    let k = u64::try_from(k).map_err(|_| Error::invalid(format!("top_k k = {k}")))?;
    let outs = ctx.emit(
        Op::Sort(Sort::TopK {
            axis,
            k,
            largest: true,
        }),
        &[x],
    )?;
    let [values, indices] = outs[..] else {
        return Err(Error::internal("TopK gives two results"));
    };
    ctx.bind(0, values)?;
    let to = ctx.result_type(1)?.dtype;
    let indices = ctx.cast(indices, to)?;
    ctx.bind(1, indices)
}

fn constant_like(ctx: &mut OpCtx) -> Result<()> {
    let value = ctx
        .attr(&["value"])
        .ok_or_else(|| Error::invalid("constant_like without a value"))?;
    let v = match value {
        crate::parse::Attr::Float(f) => *f,
        crate::parse::Attr::Int(i) => *i as f64,
        crate::parse::Attr::Bool(b) => f64::from(u8::from(*b)),
        _ => {
            return Err(Error::unsupported(
                "constant_like: only a scalar integer, float or bool value",
            ));
        }
    };
    let t = ctx.result_type(0)?.clone();
    let dims = ctx.result_dims(0)?;
    let s = ctx.scalar(t.dtype, v)?;
    let out = ctx.broadcast_to(s, &dims)?;
    ctx.bind(0, out)
}

#[cfg(test)]
mod tests {
    use crate::import_text;

    /// The program's one result, folded to a constant (its operands are constants).
    fn folded(text: &str) -> Vec<f64> {
        let g = import_text(text, None).unwrap();
        let out = g.outputs[0];
        g.constant(out).map(|t| t.to_f64s()).unwrap()
    }

    #[test]
    fn broadcast_dimensions_place_the_lower_rank_operand() {
        // b (3) along dim 0 of a (3x2): a + b[i] on row i; numpy broadcasting would
        // have aligned b with the trailing dim (and refused 3 vs 2).
        let text = r#"func.func @main() -> tensor<3x2xf32> {
  %a = stablehlo.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = chlo.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %0 = chlo.broadcast_add %a, %b {broadcast_dimensions = array<i64: 0>} : (tensor<3x2xf32>, tensor<3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}"#;
        assert_eq!(folded(text), vec![11.0, 12.0, 23.0, 24.0, 35.0, 36.0]);
        // Without broadcast_dimensions: numpy broadcasting (trailing dims).
        let text = r#"func.func @main() -> tensor<2x2xi1> {
  %a = stablehlo.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %0 = chlo.broadcast_compare %a, %b {comparison_direction = #chlo<comparison_direction GE>} : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xi1>
  return %0 : tensor<2x2xi1>
}"#;
        assert_eq!(folded(text), vec![0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn refused_chlo_and_run_time_shapes_name_the_op() {
        let text = r#"func.func @main(%a: tensor<4xf32>, %s: tensor<2xi64>) -> (tensor<4xf32>, tensor<2xf32>) {
  %0 = chlo.lgamma %a : tensor<4xf32> -> tensor<4xf32>
  %1 = stablehlo.dynamic_reshape %a, %s : (tensor<4xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  %v, %i = chlo.top_k(%a, k = 2) : tensor<4xf32> -> (tensor<2xf32>, tensor<2xi32>)
  return %0, %v : tensor<4xf32>, tensor<2xf32>
}"#;
        let e = import_text(text, None).unwrap_err().to_string();
        assert!(e.contains("chlo.lgamma at line 2: not supported"), "{e}");
        assert!(!e.contains("chlo.top_k"), "{e}");
        // A run-time shape operand with a static result type maps as reshape;
        // a result shape known only at run time is refused naming the op.
        let text = r#"func.func @main(%a: tensor<4xf32>, %s: tensor<2xi64>) -> tensor<2x2xf32> {
  %1 = stablehlo.dynamic_reshape %a, %s : (tensor<4xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  return %1 : tensor<2x2xf32>
}"#;
        assert!(import_text(text, None).is_ok());
        let text = text.replace(
            "-> tensor<2x2xf32>\n  return",
            "-> tensor<?x2xf32>\n  return",
        );
        let e = import_text(&text, None).unwrap_err().to_string();
        assert!(e.contains("stablehlo.dynamic_reshape at line 2"), "{e}");
    }
}
