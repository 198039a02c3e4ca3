//! The lowerer's state, shared by the dispatch in `mod.rs` and the Loop
//! lowering that nests one: the graph being lowered, the SSA value of every
//! graph value lowered so far, and where weights go.
use super::ir::{Ctx, Val};
use crate::Weights;
use crate::weights::{self, Resources};
use melior::ir::Location;
use o2l_canon::{Graph, Node, Result, TensorType, ValueId};
use std::collections::HashMap;

/// Location naming a node (its name, or op and position when it has none).
pub(crate) fn node_name(node: &Node, index: usize) -> String {
    if node.origin.node.is_empty() {
        format!("{}#{index}", node.op.name())
    } else {
        node.origin.node.clone()
    }
}

pub(crate) struct Lowerer<'c, 'a, 'g> {
    pub ctx: Ctx<'c, 'a>,
    pub graph: &'g Graph,
    pub values: HashMap<ValueId, Val<'c, 'a>>,
    pub weights: Weights,
    pub resources: Resources,
}

impl<'c, 'a, 'g> Lowerer<'c, 'a, 'g> {
    /// The SSA value of a graph value; constants are materialised on first use.
    pub fn get(&mut self, id: ValueId, loc: Location<'c>) -> Result<Val<'c, 'a>> {
        if let Some(v) = self.values.get(&id) {
            return Ok(*v);
        }
        let value = self.graph.value(id);
        let Some(tensor) = &value.constant else {
            return Err(o2l_canon::Error::internal(format!(
                "value \"{}\" is used before it is defined",
                value.name
            )));
        };
        let ctx = Ctx { loc, ..self.ctx };
        let narrowed = weights::bool_as_i8(tensor, self.weights)?;
        let stored = narrowed.as_ref().unwrap_or(tensor);
        let ty = ctx.tensor(&value.ty.shape, stored.dtype)?;
        let elem = ctx.elem(stored.dtype)?;
        let attr = weights::attribute(
            ctx.cx,
            ty,
            elem,
            stored,
            &value.name,
            self.weights,
            &mut self.resources,
        )?;
        let mut v = ctx.constant(attr, ty)?;
        if narrowed.is_some() {
            // Bools stored as i8 bytes: truncate to i1 (see `bool_as_i8`).
            let i1 = ctx.elem(value.ty.dtype)?;
            let bytes_ty = TensorType::new(stored.dtype, value.ty.shape.clone());
            v = ctx.elementwise(&[(v, &bytes_ty)], &value.ty, &[], |b, x, _| {
                b.op1("arith.trunci", &[x[0]], i1, &[])
            })?;
        }
        self.values.insert(id, v);
        Ok(v)
    }
}
