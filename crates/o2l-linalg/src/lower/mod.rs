//! Walks the graph's nodes in order and lowers each through ONE exhaustive
//! `match` over the canonical op families: a new canonical op does not compile
//! until it is lowered here.
pub(crate) mod ir;
pub(crate) mod lowerer;

mod control;
mod conv;
mod detect;
mod elementwise;
mod linear;
mod movement;
mod narrow;
mod norm;
mod pool;
mod reduce;
mod sample;
mod sort;

use ir::{Ctx, Val};
use lowerer::{Lowerer, node_name};
use melior::ir::Location;
use o2l_canon::ops::{Binary, Control, Elementwise, Movement};
use o2l_canon::{Node, Op, Result, TensorType};

impl<'c, 'a, 'g> Lowerer<'c, 'a, 'g> {
    /// Lowers every node.
    pub fn lower_nodes(&mut self) -> Result<()> {
        let graph = self.graph;
        for (index, node) in graph.nodes.iter().enumerate() {
            let loc = Location::name(
                self.ctx.cx,
                &node_name(node, index),
                Location::unknown(self.ctx.cx),
            );
            self.lower_node(node, loc).map_err(|e| e.at(&node.origin))?;
        }
        Ok(())
    }

    /// A float Pow whose exponent is a constant small integer (see
    /// `elementwise::small_integral_exponent`): that integer.
    fn pow_by_multiplication(&self, node: &Node) -> Option<i32> {
        if !matches!(node.op, Op::Elementwise(Elementwise::Binary(Binary::Pow))) {
            return None;
        }
        let (&x, &y) = (node.inputs.first()?, node.inputs.get(1)?);
        if !self.graph.ty(x).dtype.is_float() {
            return None;
        }
        let exponent = self.graph.value(y).constant.as_ref()?;
        elementwise::small_integral_exponent(exponent)
    }

    /// A Gather whose indices are a constant run of evenly spaced positions
    /// along a static axis (what a static Slice becomes): that run, lowered
    /// as `tensor.extract_slice` (see `movement::Progression`).
    fn gather_as_slice(&self, node: &Node) -> Option<movement::Progression> {
        let Op::Movement(Movement::Gather { axis }) = node.op else {
            return None;
        };
        let (&x, &indices) = (node.inputs.first()?, node.inputs.get(1)?);
        let len = self.graph.ty(x).shape.get(axis)?.known()?;
        let indices = self.graph.value(indices).constant.as_ref()?;
        movement::Progression::of(indices, axis, len)
    }

    fn lower_node(&mut self, node: &Node, loc: Location<'c>) -> Result<()> {
        // A Pow by a small constant integer never reads its exponent tensor,
        // nor a Gather of a run of positions its indices: they are not
        // materialised (unless another node uses them).
        let pow_n = self.pow_by_multiplication(node);
        let slice = self.gather_as_slice(node);
        let used = if pow_n.is_some() || slice.is_some() {
            1
        } else {
            node.inputs.len()
        };
        let mut ins = Vec::with_capacity(used);
        for &id in &node.inputs[..used] {
            ins.push((self.get(id, loc)?, self.graph.ty(id)));
        }
        let outs: Vec<TensorType> = node
            .outputs
            .iter()
            .map(|&id| self.graph.ty(id).clone())
            .collect();
        let cx = Ctx { loc, ..self.ctx };
        let results: Vec<Val<'c, 'a>> = match &node.op {
            Op::Elementwise(op) => vec![match pow_n {
                Some(n) => elementwise::lower_pow_by_multiplication(&cx, n, ins[0], &outs[0])?,
                None => elementwise::lower(&cx, op, &ins, &outs[0])?,
            }],
            Op::Linear(op) => vec![linear::lower(&cx, op, &ins, &outs[0])?],
            Op::Conv(op) => vec![conv::lower(&cx, op, &ins, &outs[0])?],
            Op::QuantizedConv(op) => vec![conv::lower_quantized(&cx, op, &ins, &outs[0])?],
            Op::Pool(op) => pool::lower(&cx, op, &ins, &outs)?,
            Op::Reduce(op) => vec![reduce::lower(&cx, op, &ins, &outs[0])?],
            Op::Norm(op) => vec![norm::lower(&cx, op, &ins, &outs[0])?],
            Op::Movement(op) => vec![match &slice {
                Some(run) => run.lower(&cx, ins[0], &outs[0])?,
                None => movement::lower(&cx, op, &ins, &outs[0])?,
            }],
            Op::Sort(op) => sort::lower(&cx, op, &ins, &outs)?,
            Op::Sample(op) => vec![sample::lower(&cx, op, &ins, &outs[0])?],
            Op::Detect(op) => vec![detect::lower(&cx, op, &ins, &outs[0])?],
            Op::Control(op @ Control::Loop { .. }) => self.lower_loop(op, &ins, &outs, loc)?,
            Op::Control(Control::Switch { cases, .. }) => {
                self.lower_switch(cases, &ins, &outs, loc)?
            }
            Op::Control(Control::Check { message }) => {
                vec![control::check(&cx, message, ins[0].0, ins[1].0)?]
            }
        };
        if results.len() != node.outputs.len() {
            return Err(o2l_canon::Error::internal(format!(
                "{} produced {} results for {} outputs",
                node.op.name(),
                results.len(),
                node.outputs.len()
            )));
        }
        for (&id, v) in node.outputs.iter().zip(results) {
            self.values.insert(id, v);
        }
        Ok(())
    }
}
