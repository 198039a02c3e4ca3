//! A graph cut in two for a compile on two cores (`Runner`): the first part
//! computes the values the second one needs, and the two compile at once,
//! each on its own core, then run one after the other.
//!
//! Why: compiling is nearly all of a first `run` of a model fixture, and it
//! is one thread's work (MLIR's passes and LLVM's code generation see one
//! function). Two modules of half the size each compile in about half the
//! time. Each node lowers on its own (no lowering looks at another node), so
//! every element is computed by the same ops either way; the values that
//! cross the cut are results of the first function and arguments of the
//! second, copied once between the calls.
use crate::Graph;
use o2l_canon::ValueId;
use o2l_canon::ops::Op;

/// A graph lighter than this (`compile_weight`) compiles whole: its compile
/// is mostly fixed costs, which each part would pay again on its own core
/// (the MLIR context, LLVM's target machine). Measured on the model
/// fixtures (`docs/performance.md`), two parts against one module:
/// gather_scatter (weight 17) 1.09x, einsum_mix (19) 1.08x, token_mlp (29)
/// 1.02-1.04x; the small ResNets (49) 0.80-0.90x, a small BERT (155) 0.73x.
pub const SPLIT_FROM_WEIGHT: u64 = 40;

/// How much compiling a node costs, roughly, in loop nests: a
/// convolution's (padding, the window's loops, the bias) more than a
/// contraction's, more than an elementwise op's (often fused away).
pub fn compile_weight(op: &Op) -> u64 {
    match op {
        Op::Conv(_) | Op::QuantizedConv(_) => 4,
        Op::Norm(_) | Op::Sort(_) | Op::Detect(_) | Op::Sample(_) => 3,
        Op::Linear(_) | Op::Pool(_) => 2,
        _ => 1,
    }
}

/// The cut is taken where the nodes before it weigh between these
/// fractions of the graph (`compile_weight`), where the fewest values cross
/// it, nearest the middle.
const CUT_WINDOW: (f64, f64) = (0.4, 0.6);

/// `graph` as two graphs sharing its values: the first takes the graph's
/// inputs and returns the values the second uses and the graph's outputs it
/// computes; the second takes the graph inputs it uses and those values, and
/// returns the rest of the graph's outputs. `None` when the graph is small
/// (`SPLIT_FROM_WEIGHT`), has control flow (its bodies may read outer
/// values), returns an input or a constant, or has no cut in the window
/// where every crossing value has a static shape.
pub fn halves(graph: &Graph) -> Option<[Graph; 2]> {
    let n = graph.nodes.len();
    let weights: Vec<u64> = graph.nodes.iter().map(|node| compile_weight(&node.op)).collect();
    let total: u64 = weights.iter().sum();
    if total < SPLIT_FROM_WEIGHT
        || graph
            .nodes
            .iter()
            .any(|node| matches!(node.op, Op::Control(_)))
    {
        return None;
    }
    // Which node makes each value (graph inputs and constants: none).
    let mut made_by: Vec<Option<usize>> = vec![None; graph.values.len()];
    let mut last_use: Vec<Option<usize>> = vec![None; graph.values.len()];
    for (i, node) in graph.nodes.iter().enumerate() {
        for &v in &node.outputs {
            made_by[v.0 as usize] = Some(i);
        }
        for &v in &node.inputs {
            last_use[v.0 as usize] = Some(i);
        }
    }
    if graph
        .outputs
        .iter()
        .any(|v| made_by[v.0 as usize].is_none())
    {
        return None;
    }
    // A value made by node d and last used by node u crosses every cut k
    // (first part: nodes[..k]) with d < k <= u: counted by a sweep.
    let mut crossing = vec![0i64; n + 1];
    let mut symbolic = vec![0i64; n + 1];
    for (v, (made, used)) in made_by.iter().zip(&last_use).enumerate() {
        let (Some(d), Some(u)) = (made, used) else {
            continue;
        };
        if u <= d {
            continue;
        }
        let static_shape = graph.values[v].ty.shape.iter().all(|d| d.known().is_some());
        let count = if static_shape {
            &mut crossing
        } else {
            &mut symbolic
        };
        count[d + 1] += 1;
        count[u + 1] -= 1;
    }
    // `before`: the weight of nodes[..k], for the cut before node k.
    let (lo, hi) = (
        total as f64 * CUT_WINDOW.0,
        total as f64 * CUT_WINDOW.1,
    );
    let (mut across, mut unknown, mut before) = (0i64, 0i64, 0u64);
    let mut best: Option<(i64, u64, usize)> = None;
    for k in 0..n {
        across += crossing[k];
        unknown += symbolic[k];
        let in_window = k > 0 && (lo..=hi).contains(&(before as f64));
        if in_window && unknown == 0 {
            let rank = (across, (2 * before).abs_diff(total), k);
            if best.is_none_or(|b| rank < b) {
                best = Some(rank);
            }
        }
        before += weights[k];
    }
    let (_, _, cut) = best?;
    let crosses = |v: usize| {
        matches!((made_by[v], last_use[v]), (Some(d), Some(u)) if d < cut && u >= cut)
    };
    let mut shared: Vec<ValueId> = (0..graph.values.len())
        .filter(|&v| crosses(v))
        .map(|v| ValueId(v as u32))
        .collect();
    shared.sort();
    let made_first = |v: &ValueId| made_by[v.0 as usize].is_some_and(|d| d < cut);
    let mut first_outputs = shared.clone();
    let mut second_outputs = Vec::new();
    for &v in &graph.outputs {
        let list = match made_first(&v) {
            true => &mut first_outputs,
            false => &mut second_outputs,
        };
        if !list.contains(&v) {
            list.push(v);
        }
    }
    if second_outputs.is_empty() {
        return None;
    }
    let read_second: std::collections::HashSet<ValueId> = graph.nodes[cut..]
        .iter()
        .flat_map(|node| node.inputs.iter().copied())
        .collect();
    let mut second_inputs: Vec<ValueId> = graph
        .inputs
        .iter()
        .copied()
        .filter(|v| read_second.contains(v))
        .collect();
    second_inputs.extend(&shared);
    let part = |nodes: &[o2l_canon::Node], inputs: Vec<ValueId>, outputs: Vec<ValueId>| Graph {
        name: graph.name.clone(),
        values: graph.values.clone(),
        nodes: nodes.to_vec(),
        inputs,
        outputs,
        limits: graph.limits,
        made_bytes: graph.made_bytes,
        file_maps: graph.file_maps.clone(),
    };
    Some([
        part(&graph.nodes[..cut], graph.inputs.clone(), first_outputs),
        part(&graph.nodes[cut..], second_inputs, second_outputs),
    ])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{SPLIT_FROM_WEIGHT, halves};
    use crate::{DType, Graph, Origin, TensorType};
    use o2l_canon::ops::{Binary, Elementwise, Op, Unary};

    fn f32s(dims: &[u64]) -> TensorType {
        TensorType::of_known(DType::F32, dims)
    }

    /// A chain of `len` Relus from `x`, with `y` added to the last, and the
    /// value halfway along returned as well.
    fn chain(len: usize) -> Graph {
        let mut g = Graph::new("chain");
        let x = g.add_input("x", f32s(&[2, 3])).unwrap();
        let y = g.add_input("y", f32s(&[2, 3])).unwrap();
        let relu = Op::Elementwise(Elementwise::Unary(Unary::Relu));
        let add = Op::Elementwise(Elementwise::Binary(Binary::Add));
        let mut v = x;
        let mut halfway = x;
        for i in 0..len - 1 {
            v = g
                .add_node(relu.clone(), &[v], &Origin::default())
                .unwrap()[0];
            if i == len / 4 {
                halfway = v;
            }
        }
        let out = g
            .add_node(add, &[v, y], &Origin::default())
            .unwrap()[0];
        g.outputs = vec![out, halfway];
        g
    }

    #[test]
    fn a_chain_is_cut_near_its_middle_where_one_value_crosses() {
        let g = chain(SPLIT_FROM_WEIGHT as usize * 2);
        let [first, second] = halves(&g).unwrap();
        assert_eq!(first.nodes.len() + second.nodes.len(), g.nodes.len());
        assert!(first.nodes.len().abs_diff(second.nodes.len()) <= 1);
        // The chain's value at the cut, then the early output.
        assert_eq!(first.outputs.len(), 2);
        assert_eq!(first.outputs[1], g.outputs[1]);
        assert_eq!(first.inputs, g.inputs);
        // `y` (read by the last node only), then the crossing value.
        assert_eq!(second.inputs, vec![g.inputs[1], first.outputs[0]]);
        assert_eq!(second.outputs, vec![g.outputs[0]]);
    }

    #[test]
    fn small_graphs_and_graphs_returning_inputs_stay_whole() {
        assert!(halves(&chain(SPLIT_FROM_WEIGHT as usize - 1)).is_none());
        let mut g = chain(SPLIT_FROM_WEIGHT as usize * 2);
        g.outputs.push(g.inputs[0]);
        assert!(halves(&g).is_none());
    }
}
