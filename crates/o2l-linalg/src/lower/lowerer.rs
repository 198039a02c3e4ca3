//! The lowerer's state, shared by the dispatch in `mod.rs` and the Loop
//! lowering that nests one: the graph being lowered, the SSA value of every
//! graph value lowered so far, and where weights go.
use super::ir::{Ctx, Val};
use crate::Weights;
use crate::weights::{self, Resources};
use melior::ir::Location;
use o2l_canon::{Graph, Node, Result, ValueId};
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
        let ty = ctx.tensor(&value.ty.shape, value.ty.dtype)?;
        let elem = ctx.elem(value.ty.dtype)?;
        let attr = weights::attribute(
            ctx.cx,
            ty,
            elem,
            tensor,
            &value.name,
            self.weights,
            &mut self.resources,
        )?;
        let v = ctx.constant(attr, ty)?;
        self.values.insert(id, v);
        Ok(v)
    }
}
