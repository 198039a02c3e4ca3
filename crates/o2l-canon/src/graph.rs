//! The canonical graph: SSA values (typed, possibly constant) and nodes in
//! topological order. Building a node infers its result types and folds it
//! away when its results can be computed now.
use crate::ops::Op;
use crate::{Dim, Error, Origin, Result, Tensor, TensorType};

/// Index of a value in `Graph::values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(pub u32);

#[derive(Debug, Clone)]
pub struct Value {
    /// Source name (graph inputs and outputs keep theirs; others are for messages).
    pub name: String,
    pub ty: TensorType,
    /// Known contents: a weight or a folded result.
    pub constant: Option<Tensor>,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub op: Op,
    pub inputs: Vec<ValueId>,
    pub outputs: Vec<ValueId>,
    /// The source node this op was mapped from.
    pub origin: Origin,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub name: String,
    pub values: Vec<Value>,
    pub nodes: Vec<Node>,
    pub inputs: Vec<ValueId>,
    pub outputs: Vec<ValueId>,
    /// Caps on what building this graph may allocate.
    pub limits: crate::Limits,
    /// Bytes of constants made so far by folds and frontends (see `charge`).
    pub made_bytes: u64,
    /// The read-only file mappings that constants may be views into.
    pub file_maps: FileMaps,
}

/// Read-only memory maps of files (the model, its external data), kept alive
/// by the graph. A constant whose bytes lie inside one can have its pages
/// dropped from memory after use: they are re-read from the file if touched
/// again, unlike heap memory.
#[derive(Clone, Default)]
pub struct FileMaps(Vec<bytes::Bytes>);

impl FileMaps {
    pub fn push(&mut self, map: bytes::Bytes) {
        if !map.is_empty() {
            self.0.push(map);
        }
    }

    /// Whether `bytes` lie entirely inside one of the maps.
    pub fn contains(&self, bytes: &[u8]) -> bool {
        let start = bytes.as_ptr() as usize;
        let end = start + bytes.len();
        self.0.iter().any(|m| {
            let m_start = m.as_ptr() as usize;
            start >= m_start && end <= m_start + m.len()
        })
    }
}

impl std::fmt::Debug for FileMaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes: usize = self.0.iter().map(|m| m.len()).sum();
        write!(f, "FileMaps({} maps, {bytes} bytes)", self.0.len())
    }
}

impl Graph {
    pub fn new(name: impl Into<String>) -> Self {
        Graph {
            name: name.into(),
            ..Default::default()
        }
    }

    pub fn value(&self, id: ValueId) -> &Value {
        &self.values[id.0 as usize]
    }

    pub fn ty(&self, id: ValueId) -> &TensorType {
        &self.value(id).ty
    }

    pub fn constant(&self, id: ValueId) -> Option<&Tensor> {
        self.value(id).constant.as_ref()
    }

    fn push_value(
        &mut self,
        name: String,
        ty: TensorType,
        constant: Option<Tensor>,
    ) -> Result<ValueId> {
        let id =
            u32::try_from(self.values.len()).map_err(|_| Error::limit("more than 2^32 values"))?;
        self.values.push(Value { name, ty, constant });
        Ok(ValueId(id))
    }

    /// A value that has the symbolic dim `dim`: an input first, else the
    /// latest value made. A Reshape to a dim its operand lacks reads it there.
    pub fn value_with_dim(&self, dim: &Dim) -> Option<ValueId> {
        let has = |id: &ValueId| self.ty(*id).shape.contains(dim);
        self.inputs.iter().copied().find(has).or_else(|| {
            (0..self.values.len() as u32)
                .rev()
                .map(ValueId)
                .find(|id| self.constant(*id).is_none() && has(id))
        })
    }

    /// Declares a runtime input of the function.
    pub fn add_input(&mut self, name: impl Into<String>, ty: TensorType) -> Result<ValueId> {
        let id = self.push_value(name.into(), ty, None)?;
        self.inputs.push(id);
        Ok(id)
    }

    /// Counts `bytes` of constants the converter made against
    /// `limits.max_alloc_bytes`; `what` names them in the error.
    pub fn charge(&mut self, bytes: u64, what: &str) -> Result<()> {
        let total = self.made_bytes.saturating_add(bytes);
        if total > self.limits.max_alloc_bytes {
            return Err(Error::limit(format!(
                "{what}: constants made while converting would take {total} bytes, more than the limit of {} (--max-alloc-bytes)",
                self.limits.max_alloc_bytes
            )));
        }
        self.made_bytes = total;
        Ok(())
    }

    /// Checks, before allocating it, that a constant of `elements` elements
    /// of `element_bytes` each fits the limits; `what` names it.
    pub fn check_constant(&self, elements: u64, element_bytes: u64, what: &str) -> Result<()> {
        let bytes = elements.checked_mul(element_bytes);
        match bytes {
            Some(b)
                if b <= self.limits.max_fold_bytes
                    && self.made_bytes.saturating_add(b) <= self.limits.max_alloc_bytes =>
            {
                Ok(())
            }
            _ => Err(Error::limit(format!(
                "{what}: a constant of {elements} elements is more than the limits allow ({} bytes for one, --max-fold-bytes; {} in total, --max-alloc-bytes)",
                self.limits.max_fold_bytes, self.limits.max_alloc_bytes
            ))),
        }
    }

    /// Whether a constant of one repeated value, `elements` of
    /// `element_bytes` each, is made now (`true`: it fits `check_constant`) or
    /// left to a run-time `Fill` (`false`: too large to fold, but no larger
    /// than `max_alloc_bytes`). Larger still is the limit error of
    /// `check_constant`: a shape no model needs.
    pub fn materialise_fill(&self, elements: u64, element_bytes: u64, what: &str) -> Result<bool> {
        match self.check_constant(elements, element_bytes, what) {
            Ok(()) => Ok(true),
            Err(e) => match elements.checked_mul(element_bytes) {
                Some(b) if b <= self.limits.max_alloc_bytes => Ok(false),
                _ => Err(e),
            },
        }
    }

    pub fn add_constant(&mut self, name: impl Into<String>, tensor: Tensor) -> Result<ValueId> {
        let ty = tensor.ty();
        self.push_value(name.into(), ty, Some(tensor))
    }

    /// Adds `op` applied to `inputs`: infers result types, then folds the op into
    /// constants when possible, else appends a node. Returns the result values,
    /// named `<node>` (one result) or `<node>:<k>`.
    pub fn add_node(
        &mut self,
        op: Op,
        inputs: &[ValueId],
        origin: &Origin,
    ) -> Result<Vec<ValueId>> {
        let types: Vec<&TensorType> = inputs.iter().map(|&v| self.ty(v)).collect();
        let result_types = op.infer(&types).map_err(|e| e.at(origin))?;
        let consts: Vec<Option<&Tensor>> = inputs.iter().map(|&v| self.constant(v)).collect();
        // Results too large to fold stay ops, computed at run time.
        let result_bytes = result_types.iter().try_fold(0u64, |acc, t| {
            let n = crate::shape::element_count(&t.known_dims()?).ok()?;
            acc.checked_add(n.checked_mul(t.dtype.size_bytes() as u64)?)
        });
        // (Data-dependent results have unknown sizes until folded.)
        let foldable = result_bytes.is_none_or(|b| b <= self.limits.max_fold_bytes);
        let folded = if foldable {
            op.fold(&types, &consts, &result_types)
                .map_err(|e| e.at(origin))?
        } else {
            None
        };
        if let Some(tensors) = &folded {
            let bytes = tensors.iter().map(|t| t.data.len() as u64).sum();
            self.charge(bytes, "a folded result")
                .map_err(|e| e.at(origin))?;
        }
        let single = result_types.len() == 1;
        let name = |k: usize| {
            if single {
                origin.node.clone()
            } else {
                format!("{}:{k}", origin.node)
            }
        };
        match folded {
            Some(tensors) => tensors
                .into_iter()
                .enumerate()
                .map(|(k, t)| self.add_constant(name(k), t))
                .collect(),
            None => {
                let outputs = result_types
                    .into_iter()
                    .enumerate()
                    .map(|(k, ty)| self.push_value(name(k), ty, None))
                    .collect::<Result<Vec<_>>>()?;
                self.nodes.push(Node {
                    op,
                    inputs: inputs.to_vec(),
                    outputs: outputs.clone(),
                    origin: origin.clone(),
                });
                Ok(outputs)
            }
        }
    }

    /// Drops nodes whose results nothing uses (e.g. a Dropout mask).
    pub fn prune(&mut self) {
        let mut live = vec![false; self.values.len()];
        for &o in &self.outputs {
            live[o.0 as usize] = true;
        }
        let mut keep = vec![false; self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate().rev() {
            if node.outputs.iter().any(|o| live[o.0 as usize]) {
                keep[i] = true;
                for &v in &node.inputs {
                    live[v.0 as usize] = true;
                }
            }
        }
        let mut k = keep.into_iter();
        self.nodes.retain(|_| k.next().unwrap_or(false));
    }

    /// Constant values that some node or output uses, in first-use order.
    pub fn used_constants(&self) -> Vec<ValueId> {
        let mut seen = vec![false; self.values.len()];
        let mut out = Vec::new();
        let uses = self
            .nodes
            .iter()
            .flat_map(|n| n.inputs.iter())
            .chain(self.outputs.iter());
        for &v in uses {
            if self.constant(v).is_some() && !seen[v.0 as usize] {
                seen[v.0 as usize] = true;
                out.push(v);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;
    use crate::ops::{Elementwise, Movement, Unary};

    #[test]
    fn static_shape_chains_fold_and_dead_nodes_are_pruned() {
        let mut g = Graph::new("g");
        let o = Origin {
            node: "n".into(),
            ..Default::default()
        };
        let x = g
            .add_input("x", TensorType::of_known(DType::F32, &[2, 3]))
            .unwrap();
        let shape = g
            .add_node(Op::Movement(Movement::ShapeOf), &[x], &o)
            .unwrap()[0];
        assert_eq!(g.constant(shape).unwrap().to_i64s(), vec![2, 3]);
        let relu = g
            .add_node(Op::Elementwise(Elementwise::Unary(Unary::Relu)), &[x], &o)
            .unwrap()[0];
        let _dead = g
            .add_node(Op::Elementwise(Elementwise::Unary(Unary::Neg)), &[x], &o)
            .unwrap();
        g.outputs.push(relu);
        assert_eq!(g.nodes.len(), 2);
        g.prune();
        assert_eq!(g.nodes.len(), 1);
        assert_eq!(g.nodes[0].op.name(), "Relu");
    }
}
