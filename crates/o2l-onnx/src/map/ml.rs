//! `ai.onnx.ml` ops with a tensor meaning (the string-keyed ones have none:
//! string tensors have no linalg representation).
use super::ctx::{MapCtx, Rule, known_product, versioned};
use o2l_canon::Builder;
use o2l_canon::ops::{Compare, Elementwise, Movement};
use o2l_canon::{Dim, Error, Op, Result, ValueId};

const fn ml(
    op_type: &'static str,
    produces: &'static [&'static str],
    map: super::ctx::MapFn,
    note: &'static str,
) -> Rule {
    versioned("ai.onnx.ml", op_type, &[1], produces, map, note)
}

pub(crate) static RULES: &[Rule] = &[
    ml(
        "Binarizer",
        &["Greater", "Select"],
        binarizer,
        "x > threshold ? 1 : 0, in x's type",
    ),
    versioned(
        "ai.onnx.ml",
        "TreeEnsemble",
        &[5],
        &[
            "Gather",
            "LessOrEqual",
            "Less",
            "GreaterOrEqual",
            "Greater",
            "Equal",
            "Not",
            "IsNaN",
            "Reshape",
            "Cast",
            "And",
            "Or",
            "Sub",
            "Add",
            "MatMul",
            "Select",
            "ReduceMin",
            "ReduceMax",
        ],
        tree_ensemble,
        "vectorised: every split compared at once, leaves reached when no split on their path disagrees (a MatMul count), then sum/average (MatMul) or min/max; post_transform NONE only",
    ),
    ml(
        "ArrayFeatureExtractor",
        &["Reshape", "Gather"],
        array_feature_extractor,
        "Gather along the last axis with the flattened indices; 1-D data gives one row",
    ),
];

fn binarizer(ctx: &mut MapCtx) -> Result<()> {
    let x = ctx.input(0)?;
    let dtype = ctx.ty(x).dtype;
    let threshold = ctx.attrs.float_or("threshold", 0.0)? as f64;
    let t = ctx.scalar(dtype, threshold)?;
    let above = ctx.emit1(
        Op::Elementwise(Elementwise::Compare(Compare::Greater)),
        &[x, t],
    )?;
    let one = ctx.scalar(dtype, 1.0)?;
    let zero = ctx.scalar(dtype, 0.0)?;
    let y = ctx.emit1(Op::Elementwise(Elementwise::Select), &[above, one, zero])?;
    ctx.bind(0, y)
}

fn array_feature_extractor(ctx: &mut MapCtx) -> Result<()> {
    let (x, idx) = (ctx.input(0)?, ctx.input(1)?);
    let xt = ctx.ty(x);
    let count = known_product(&ctx.ty(idx).shape).ok_or_else(|| {
        Error::unsupported("ArrayFeatureExtractor with symbolic dims in its indices")
    })?;
    let Some(axis) = xt.rank().checked_sub(1) else {
        return Err(Error::invalid(
            "ArrayFeatureExtractor data must have rank >= 1",
        ));
    };
    let flat = ctx.reshape(idx, vec![Dim::Known(count)])?;
    let y = ctx.emit1(Op::Movement(Movement::Gather { axis }), &[x, flat])?;
    let y = if xt.rank() == 1 {
        ctx.reshape(y, vec![Dim::Known(1), Dim::Known(count)])?
    } else {
        y
    };
    ctx.bind(0, y)
}

/// One reachable leaf of a tree: the splits on its path and the side taken.
struct LeafPath {
    leaf: usize,
    path: Vec<(usize, bool)>,
}

/// Every leaf reachable from `root`, with its path (trees are walked from
/// the node arrays; a cycle or a bad index is an invalid model).
fn leaf_paths(
    root: usize,
    is_leaf: bool,
    children: &[([i64; 2], [bool; 2])],
    leaves: usize,
) -> Result<Vec<LeafPath>> {
    let mut out = Vec::new();
    let mut stack = vec![(root, is_leaf, Vec::new())];
    while let Some((at, leaf, path)) = stack.pop() {
        if leaf {
            if at >= leaves {
                return Err(Error::invalid(format!(
                    "TreeEnsemble leaf {at} is out of range"
                )));
            }
            out.push(LeafPath { leaf: at, path });
            continue;
        }
        let Some(&(ids, leafy)) = children.get(at) else {
            return Err(Error::invalid(format!(
                "TreeEnsemble node {at} is out of range"
            )));
        };
        if path.len() > children.len() {
            return Err(Error::invalid("TreeEnsemble nodes form a cycle"));
        }
        for side in [false, true] {
            let k = usize::from(side);
            let next = usize::try_from(ids[1 - k])
                .map_err(|_| Error::invalid("TreeEnsemble child id is negative"))?;
            let mut p = path.clone();
            p.push((at, side));
            stack.push((next, leafy[1 - k], p));
        }
    }
    out.sort_by_key(|l| l.leaf);
    Ok(out)
}

fn tree_ensemble(ctx: &mut MapCtx) -> Result<()> {
    use o2l_canon::ops::{Binary, Linear, Reduce, ReduceKind, Unary};
    use o2l_canon::{DType, Tensor};
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    let d = xt.dtype;
    let [n, _] = xt.static_dims("TreeEnsemble input")?[..] else {
        return Err(Error::invalid(format!(
            "TreeEnsemble takes a 2-D input, got {xt}"
        )));
    };
    if !d.is_float() {
        return Err(Error::unsupported(format!("TreeEnsemble of {d} input")));
    }
    if ctx.attrs.int_or("post_transform", 0)? != 0 {
        return Err(Error::unsupported(
            "TreeEnsemble post_transform other than NONE",
        ));
    }
    let floats = |ctx: &mut MapCtx, name: &str| -> Result<Option<Vec<f64>>> {
        match ctx.attrs.tensor(name)? {
            Some(p) => Ok(Some(ctx.decode_tensor(p)?.to_f64s())),
            None => Ok(None),
        }
    };
    let ints = |ctx: &MapCtx, name: &str| -> Result<Vec<i64>> { ctx.attrs.req_ints(name) };
    let splits = floats(ctx, "nodes_splits")?.unwrap_or_default();
    let modes: Vec<i64> = match ctx.attrs.tensor("nodes_modes")? {
        Some(p) => ctx.decode_tensor(p)?.to_i64s(),
        None => return Err(Error::invalid("TreeEnsemble needs nodes_modes")),
    };
    let features = ints(ctx, "nodes_featureids")?;
    let true_ids = ints(ctx, "nodes_truenodeids")?;
    let false_ids = ints(ctx, "nodes_falsenodeids")?;
    let true_leafs = ints(ctx, "nodes_trueleafs")?;
    let false_leafs = ints(ctx, "nodes_falseleafs")?;
    let targets = ints(ctx, "leaf_targetids")?;
    let weights = floats(ctx, "leaf_weights")?.unwrap_or_default();
    let roots = ints(ctx, "tree_roots")?;
    let missing_true = ctx
        .attrs
        .ints("nodes_missing_value_tracks_true")?
        .unwrap_or_default();
    let members = floats(ctx, "membership_values")?.unwrap_or_default();
    let n_targets = ctx.attrs.req_int("n_targets")?;
    let aggregate = ctx.attrs.int_or("aggregate_function", 1)?;
    let k = features.len();
    if [
        splits.len(),
        modes.len(),
        true_ids.len(),
        false_ids.len(),
        true_leafs.len(),
        false_leafs.len(),
    ]
    .iter()
    .any(|&l| l != k)
        || targets.len() != weights.len()
        || n_targets <= 0
        || k == 0
    {
        return Err(Error::invalid(
            "TreeEnsemble node and leaf attributes differ in length",
        ));
    }
    let t = n_targets as u64;
    // Walk every tree into its leaves' paths.
    let children: Vec<([i64; 2], [bool; 2])> = (0..k)
        .map(|i| {
            (
                [true_ids[i], false_ids[i]],
                [true_leafs[i] != 0, false_leafs[i] != 0],
            )
        })
        .collect();
    let mut paths = Vec::new();
    for &r in &roots {
        let r = usize::try_from(r).map_err(|_| Error::invalid("negative tree root"))?;
        let Some(&(ids, leafy)) = children.get(r) else {
            return Err(Error::invalid(format!("tree root {r} is out of range")));
        };
        // A root that is a leaf points both ways at the same leaf.
        if leafy[0] && leafy[1] && ids[0] == ids[1] {
            paths.push(LeafPath {
                leaf: ids[0] as usize,
                path: Vec::new(),
            });
        } else {
            paths.extend(leaf_paths(r, false, &children, weights.len())?);
        }
    }
    let l = paths.len() as u64;
    // Per-split conditions C (N, K): x[:, feature] against the split by mode.
    let feats: Vec<i64> = features.clone();
    let feat = ctx.constant(Tensor::from_i64s(DType::I64, vec![k as u64], &feats)?)?;
    let xk = ctx.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[x, feat])?;
    let split = ctx.constant(Tensor::from_f64s(d, vec![k as u64], &splits)?)?;
    let mask_of = |ctx: &mut MapCtx, f: &dyn Fn(usize) -> bool| -> Result<ValueId> {
        let v: Vec<i64> = (0..k).map(|i| i64::from(f(i))).collect();
        ctx.constant(Tensor::from_i64s(DType::Bool, vec![k as u64], &v)?)
    };
    let cmp = |ctx: &mut MapCtx, c: Compare, a: ValueId, b: ValueId| {
        ctx.emit1(Op::Elementwise(Elementwise::Compare(c)), &[a, b])
    };
    let mut cond: Option<ValueId> = None;
    for mode in 0..=6i64 {
        if !modes.contains(&mode) {
            continue;
        }
        let hit = match mode {
            0 => cmp(ctx, Compare::LessOrEqual, xk, split)?,
            1 => cmp(ctx, Compare::Less, xk, split)?,
            2 => cmp(ctx, Compare::GreaterOrEqual, xk, split)?,
            3 => cmp(ctx, Compare::Greater, xk, split)?,
            4 => cmp(ctx, Compare::Equal, xk, split)?,
            5 => {
                let eq = cmp(ctx, Compare::Equal, xk, split)?;
                ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::Not)), &[eq])?
            }
            _ => {
                // Set membership: each member node's set, NaN-separated, padded.
                let mut sets: Vec<Vec<f64>> = vec![Vec::new(); k];
                let mut it = members.split(|v| v.is_nan());
                for (i, set) in sets.iter_mut().enumerate() {
                    if modes[i] == 6 {
                        *set = it.next().map(<[f64]>::to_vec).ok_or_else(|| {
                            Error::invalid("TreeEnsemble membership_values has too few sets")
                        })?;
                    }
                }
                let width = sets.iter().map(Vec::len).max().unwrap_or(0).max(1);
                let padded: Vec<f64> = sets
                    .iter()
                    .flat_map(|s| (0..width).map(move |j| s.get(j).copied().unwrap_or(f64::NAN)))
                    .collect();
                let table =
                    ctx.constant(Tensor::from_f64s(d, vec![k as u64, width as u64], &padded)?)?;
                let x3 =
                    ctx.reshape(xk, vec![Dim::Known(n), Dim::Known(k as u64), Dim::Known(1)])?;
                let eq = cmp(ctx, Compare::Equal, x3, table)?;
                let eqf = ctx.cast(eq, DType::F32)?;
                let any = ctx.emit1(
                    Op::Reduce(Reduce {
                        kind: ReduceKind::Max,
                        axes: vec![2],
                        keep_dims: false,
                    }),
                    &[eqf],
                )?;
                let zero = ctx.scalar(DType::F32, 0.0)?;
                cmp(ctx, Compare::Greater, any, zero)?
            }
        };
        let mask = mask_of(ctx, &|i| modes[i] == mode)?;
        let hit = ctx.binary(Binary::And, hit, mask)?;
        cond = Some(match cond {
            None => hit,
            Some(c) => ctx.binary(Binary::Or, c, hit)?,
        });
    }
    let mut cond = cond.ok_or_else(|| Error::invalid("TreeEnsemble has no split modes"))?;
    if missing_true.iter().any(|&m| m != 0) {
        let nan = ctx.emit1(Op::Elementwise(Elementwise::Unary(Unary::IsNaN)), &[xk])?;
        let mask = mask_of(ctx, &|i| missing_true.get(i).is_some_and(|&m| m != 0))?;
        let nan = ctx.binary(Binary::And, nan, mask)?;
        cond = ctx.binary(Binary::Or, cond, nan)?;
    }
    // Disagreements per leaf: (1 - C) x NeedTrue + C x NeedFalse; reached at 0.
    let mut need_true = vec![0.0; k * l as usize];
    let mut need_false = vec![0.0; k * l as usize];
    for (j, p) in paths.iter().enumerate() {
        for &(node, side) in &p.path {
            let cell = node * l as usize + j;
            if side {
                need_true[cell] = 1.0;
            } else {
                need_false[cell] = 1.0;
            }
        }
    }
    let cf = ctx.cast(cond, d)?;
    let one = ctx.scalar(d, 1.0)?;
    let not_c = ctx.binary(Binary::Sub, one, cf)?;
    let nt = ctx.constant(Tensor::from_f64s(d, vec![k as u64, l], &need_true)?)?;
    let nf = ctx.constant(Tensor::from_f64s(d, vec![k as u64, l], &need_false)?)?;
    let a = ctx.emit1(Op::Linear(Linear::MatMul), &[not_c, nt])?;
    let b = ctx.emit1(Op::Linear(Linear::MatMul), &[cf, nf])?;
    let miss = ctx.binary(Binary::Add, a, b)?;
    let zero = ctx.scalar(d, 0.0)?;
    let reached = cmp(ctx, Compare::Equal, miss, zero)?;
    let leaf_target = |p: &LeafPath| -> Result<usize> {
        usize::try_from(targets[p.leaf])
            .ok()
            .filter(|&v| (v as u64) < t)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "TreeEnsemble leaf target {} is out of range",
                    targets[p.leaf]
                ))
            })
    };
    let y = match aggregate {
        0 | 1 => {
            let scale = if aggregate == 0 {
                1.0 / roots.len() as f64
            } else {
                1.0
            };
            let mut table = vec![0.0; (l * t) as usize];
            for (j, p) in paths.iter().enumerate() {
                table[j * t as usize + leaf_target(p)?] = weights[p.leaf] * scale;
            }
            let table = ctx.constant(Tensor::from_f64s(d, vec![l, t], &table)?)?;
            let rf = ctx.cast(reached, d)?;
            ctx.emit1(Op::Linear(Linear::MatMul), &[rf, table])?
        }
        2 | 3 => {
            let min = aggregate == 2;
            // Unreached leaves and other targets give the dtype's extreme.
            let extreme = if min {
                f64::from(f32::MAX)
            } else {
                f64::from(f32::MIN)
            };
            let extreme = if d == DType::F64 {
                if min { f64::MAX } else { f64::MIN }
            } else {
                extreme
            };
            let mut by_target = vec![0i64; (l * t) as usize];
            let mut w = vec![0.0; l as usize];
            for (j, p) in paths.iter().enumerate() {
                by_target[j * t as usize + leaf_target(p)?] = 1;
                w[j] = weights[p.leaf];
            }
            let tmask = ctx.constant(Tensor::from_i64s(DType::Bool, vec![l, t], &by_target)?)?;
            let w = ctx.constant(Tensor::from_f64s(d, vec![l, 1], &w)?)?;
            let r3 = ctx.reshape(reached, vec![Dim::Known(n), Dim::Known(l), Dim::Known(1)])?;
            let hit = ctx.binary(Binary::And, r3, tmask)?;
            let fill = ctx.scalar(d, extreme)?;
            let v = ctx.emit1(Op::Elementwise(Elementwise::Select), &[hit, w, fill])?;
            let kind = if min {
                ReduceKind::Min
            } else {
                ReduceKind::Max
            };
            ctx.emit1(
                Op::Reduce(Reduce {
                    kind,
                    axes: vec![1],
                    keep_dims: false,
                }),
                &[v],
            )?
        }
        other => {
            return Err(Error::invalid(format!(
                "TreeEnsemble aggregate_function {other}: expected 0 to 3"
            )));
        }
    };
    ctx.bind(0, y)
}
