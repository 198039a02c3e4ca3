//! Control flow that stays control flow: a loop whose trip count or
//! condition is known only at run time runs its body (a canonical graph of
//! its own) as a structured loop; an operand known only at run time that
//! selects among finitely many forms (a set of axes) picks one case graph.
use super::declare::canonical_ops;
use crate::{DType, Dim, Graph, Result, TensorType};
use std::sync::Arc;

/// A subgraph owned by the op that runs it; equal only to itself.
#[derive(Debug, Clone)]
pub struct Body(pub Arc<Graph>);

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

canonical_ops! {
    family: Control;
    #[derive(Debug, Clone, PartialEq)]
    pub enum Control {
        /// Runs `body` while the iteration number is below the maximum and the
        /// condition holds. Operands: the maximum trip count (i64, 0-d), the
        /// initial condition (bool, 0-d), the `carried` values, then the outer
        /// values the body reads. Body inputs: iteration (i64, 0-d), condition
        /// (bool, 0-d), carried values, outer values. Body outputs: the next
        /// condition, the next carried values, then per-iteration scan elements.
        /// Results: the final carried values, then each scan element stacked on a
        /// new first dim whose length, `trips`, is known at run time.
        Loop {
            body: Body,
            carried: usize,
            trips: String,
        }
            => "a structured loop over a body graph: run-time trip count and condition, carried values, stacked scan outputs",
            ["max_trips", "cond", "carried..", "captured.."],
            ["body: graph", "carried: usize", "trips: dim symbol"];
        /// Runs the case whose key equals `key` (i64, 0-d) on the captured
        /// operands and returns its results. Every case body takes the captured
        /// values as its inputs and returns results of the same ranks and types;
        /// a result dim on which the cases disagree is a run-time dim named
        /// `<dims>_<result>_<dim>`. A key no case has (an invalid run-time
        /// operand) gives zeros, with extent 0 in the run-time dims.
        Switch {
            cases: Vec<(i64, Body)>,
            dims: String,
        }
            => "runs one of several case graphs chosen by a run-time key: an operand known only at run time that selects among finitely many forms (axes)",
            ["key", "captured.."],
            ["cases: (key, graph) list", "dims: dim symbol prefix"];
        /// Passes `value` through when `holds` (bool, 0-d) is true; otherwise
        /// the program stops with `message`. Guards what the conversion had to
        /// assume about run-time values (a dim that is not 1, the If branch
        /// that is taken), so a wrong assumption fails loudly instead of
        /// computing a result of the wrong shape.
        Check {
            message: String,
        }
            => "passes a value through after a run-time check; the program stops with a message when the check fails (what the conversion assumed about run-time values)",
            ["holds", "value"],
            ["message: text"];
    }
}

impl Control {
    /// The graphs this op runs (a loop's body, a switch's cases), for walks
    /// that must see every value of a model, nested ones included.
    pub fn bodies(&self) -> Vec<&Graph> {
        match self {
            Control::Loop { body, .. } => vec![&body.0],
            Control::Switch { cases, .. } => cases.iter().map(|(_, b)| &*b.0).collect(),
            Control::Check { .. } => Vec::new(),
        }
    }

    pub fn infer(&self, inputs: &[&TensorType]) -> Result<Vec<TensorType>> {
        match self {
            Control::Loop {
                body,
                carried,
                trips,
            } => infer_loop(&body.0, *carried, trips, inputs),
            Control::Switch { cases, dims } => infer_switch(cases, dims, inputs),
            Control::Check { .. } => match inputs {
                [holds, value] if holds.dtype == DType::Bool && holds.rank() == 0 => {
                    Ok(vec![(*value).clone()])
                }
                _ => crate::bail!(
                    InvalidModel,
                    "a Check takes a bool scalar (0-d) and the value it passes through"
                ),
            },
        }
    }
}

fn infer_switch(
    cases: &[(i64, Body)],
    dims: &str,
    inputs: &[&TensorType],
) -> Result<Vec<TensorType>> {
    let Some(((_, first), rest)) = cases.split_first() else {
        crate::bail!(InvalidModel, "a Switch needs at least one case");
    };
    if inputs.first().map(|t| (t.dtype, t.rank())) != Some((DType::I64, 0)) {
        crate::bail!(InvalidModel, "a Switch key is an i64 scalar (0-d)");
    }
    let captured = &inputs[1..];
    let mut keys: Vec<i64> = cases.iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        crate::bail!(InvalidModel, "two Switch cases have the same key");
    }
    let outputs =
        |g: &Graph| -> Vec<TensorType> { g.outputs.iter().map(|&id| g.ty(id).clone()).collect() };
    for (key, body) in cases {
        let g = &body.0;
        let takes: Vec<&TensorType> = g.inputs.iter().map(|&id| g.ty(id)).collect();
        if takes != captured {
            crate::bail!(
                InvalidModel,
                "Switch case {key} takes {} inputs that differ from the {} captured operands",
                takes.len(),
                captured.len()
            );
        }
    }
    let mut joined = outputs(&first.0);
    for (key, body) in rest {
        let outs = outputs(&body.0);
        if outs.len() != joined.len() {
            crate::bail!(
                InvalidModel,
                "Switch case {key} returns {} results, the first case {}",
                outs.len(),
                joined.len()
            );
        }
        for (k, (j, o)) in joined.iter_mut().zip(&outs).enumerate() {
            if j.dtype != o.dtype || j.rank() != o.rank() {
                crate::bail!(
                    Unsupported,
                    "Switch case {key} returns {o} as result {k}, another case {j}"
                );
            }
            for (d, (jd, od)) in j.shape.iter_mut().zip(&o.shape).enumerate() {
                if jd != od {
                    *jd = Dim::Symbol(format!("{dims}_{k}_{d}"));
                }
            }
        }
    }
    Ok(joined)
}

fn infer_loop(
    g: &Graph,
    carried: usize,
    trips: &str,
    inputs: &[&TensorType],
) -> Result<Vec<TensorType>> {
    let scalar = |d: DType| TensorType::new(d, vec![]);
    if inputs.len() != g.inputs.len() || inputs.len() < 2 + carried {
        crate::bail!(
            InvalidModel,
            "Loop takes {} operands for its body's inputs, got {}",
            g.inputs.len(),
            inputs.len()
        );
    }
    if *inputs[0] != scalar(DType::I64) || *inputs[1] != scalar(DType::Bool) {
        crate::bail!(
            InvalidModel,
            "Loop needs an i64 trip count and a bool condition (0-d), got {} and {}",
            inputs[0],
            inputs[1]
        );
    }
    for (k, (&outer, &id)) in inputs.iter().zip(&g.inputs).enumerate() {
        if outer != g.ty(id) {
            crate::bail!(
                InvalidModel,
                "Loop operand {k} is {outer}, the body's input is {}",
                g.ty(id)
            );
        }
    }
    let outs: Vec<&TensorType> = g.outputs.iter().map(|&id| g.ty(id)).collect();
    if outs.len() < 1 + carried || *outs[0] != scalar(DType::Bool) {
        crate::bail!(
            InvalidModel,
            "a Loop body returns its condition (bool, 0-d) and {carried} carried values"
        );
    }
    let mut results = Vec::with_capacity(outs.len() - 1);
    for k in 0..carried {
        let (before, after) = (inputs[2 + k], outs[1 + k]);
        if before != after {
            crate::bail!(
                Unsupported,
                "Loop-carried value {k} changes from {before} to {after} across an iteration"
            );
        }
        results.push(before.clone());
    }
    for elem in &outs[1 + carried..] {
        let mut shape = vec![Dim::Symbol(trips.to_string())];
        shape.extend(elem.shape.iter().cloned());
        results.push(TensorType::new(elem.dtype, shape));
    }
    Ok(results)
}
