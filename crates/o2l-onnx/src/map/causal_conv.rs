//! CausalConvWithState (opset 27), part of the convolution family: a
//! depthwise 1-D convolution over the carried state followed by the input,
//! composed from Concat, Conv and Gather (and Sigmoid, Mul for the fused SiLU).
use super::ctx::{MapCtx, Rule, row};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Conv, Elementwise, Movement, Unary};
use o2l_canon::{Dim, Error, Op, Result, Tensor, ValueId};

pub(crate) static RULES: &[Rule] = &[row(
    "CausalConvWithState",
    &[27],
    &["Concat", "Conv", "Gather", "Sigmoid", "Mul"],
    causal_conv_with_state,
    "state ++ input, depthwise Conv without padding; present state = last k-1 steps",
)];

fn known(ctx: &MapCtx, v: ValueId, what: &str) -> Result<Vec<u64>> {
    let ty = ctx.ty(v);
    ty.shape
        .iter()
        .map(|d| match d {
            Dim::Known(n) => Ok(*n),
            Dim::Symbol(s) => Err(Error::unsupported(format!(
                "CausalConvWithState with a symbolic {what} dim \"{s}\""
            ))),
        })
        .collect()
}

fn causal_conv_with_state(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let w = ctx.input(1)?;
    let bias = ctx.opt_input(2);
    let past = ctx.opt_input(3);
    let activation = ctx.attrs.string_or("activation", "none")?;
    let silu = match activation.as_str() {
        "none" => false,
        "silu" | "swish" => true,
        other => {
            return Err(Error::invalid(format!(
                "CausalConvWithState activation must be silu, swish or none, got \"{other}\""
            )));
        }
    };
    let xd = known(ctx, x, "input")?;
    let wd = known(ctx, w, "weight")?;
    let (&[batch, channels, length], &[wc, 1, k]) = (xd.as_slice(), wd.as_slice()) else {
        return Err(Error::invalid(format!(
            "CausalConvWithState takes input (N, C, L) and weight (C, 1, k), got {} and {}",
            ctx.ty(x),
            ctx.ty(w)
        )));
    };
    if wc != channels || k == 0 {
        return Err(Error::invalid(format!(
            "CausalConvWithState weight {} does not fit input {}",
            ctx.ty(w),
            ctx.ty(x)
        )));
    }
    let carry = k - 1;
    let state = match past {
        Some(p) => {
            if known(ctx, p, "past_state")? != [batch, channels, carry] {
                return Err(Error::invalid(format!(
                    "CausalConvWithState past_state must be ({batch}, {channels}, {carry}), got {}",
                    ctx.ty(p)
                )));
            }
            p
        }
        None => {
            let dtype = ctx.ty(x).dtype;
            let zeros = vec![0.0; (batch * channels * carry) as usize];
            ctx.constant(Tensor::from_f64s(
                dtype,
                vec![batch, channels, carry],
                &zeros,
            )?)?
        }
    };
    let padded = if carry == 0 {
        x
    } else {
        ctx.emit1(Op::Movement(Movement::Concat { axis: 2 }), &[state, x])?
    };
    let conv = Conv {
        strides: vec![1],
        dilations: vec![1],
        pads: vec![(0, 0)],
        groups: channels,
    };
    let mut operands = vec![padded, w];
    operands.extend(bias);
    let mut y = ctx.emit1(Op::Conv(conv), &operands)?;
    if silu {
        let s = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Sigmoid)), &[y])?;
        y = ctx.binary(Binary::Mul, y, s)?;
    }
    ctx.bind(0, y)?;
    if ctx.output_wanted(1) {
        let last: Vec<i64> = (length..length + carry).map(|i| i as i64).collect();
        let idx = ctx.constant(Tensor::from_i64s(
            o2l_canon::DType::I64,
            vec![carry],
            &last,
        )?)?;
        let present = ctx.emit1(Op::Movement(Movement::Gather { axis: 2 }), &[padded, idx])?;
        ctx.bind(1, present)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    fn model(activation: &str) -> M {
        M::new(27)
            .input(f32_in("x", &[2, 4, 5]))
            .input(f32_in("w", &[4, 1, 3]))
            .node(with_attrs(
                node("CausalConvWithState", "cc", &["x", "w"], &["y", "state"]),
                vec![a_str("activation", activation)],
            ))
            .output("y")
            .output("state")
    }

    #[test]
    fn causal_conv_is_a_depthwise_conv_over_zero_state_then_input() {
        let g = model("silu").import().unwrap();
        let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
        assert_eq!(ops, ["Concat", "Conv", "Sigmoid", "Mul", "Gather"]);
        let Op::Conv(conv) = &g.nodes[1].op else {
            panic!("expected Conv, got {:?}", g.nodes[1].op)
        };
        assert_eq!((conv.groups, conv.pads.clone()), (4, vec![(0, 0)]));
        assert_eq!(out_dims(&g, 0), vec![2, 4, 5]);
        assert_eq!(out_dims(&g, 1), vec![2, 4, 2]);
    }

    #[test]
    fn causal_conv_rejects_an_unknown_activation() {
        let e = model("relu").import().unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidModel);
        assert!(e.message.contains("\"relu\""), "{e}");
    }
}
