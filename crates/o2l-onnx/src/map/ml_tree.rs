//! Tree ensembles of `ai.onnx.ml`: TreeEnsemble-5 and the older
//! TreeEnsembleClassifier/Regressor (versions 1, 3 and the deprecation
//! marker 5, which keeps version 3's attributes). All share one vectorised
//! evaluation: every split compared at once, a leaf reached when no split on
//! its path disagrees (a MatMul count), then the leaves' votes summed
//! (MatMul), averaged, or taken the min/max of.
use super::ctx::{MapCtx, Rule};
use super::ml::{
    PostTransform, apply_post_transform, as_f32, binary_scores, floats_or_tensor, int_labels,
    label_of_best, ml_row, post_transform_attr, req_floats, zero_rows,
};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Linear, Movement, Reduce, ReduceKind, Unary};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};
use std::collections::HashMap;

/// What the tree rules may emit: the forest, post transforms, labels.
const TREE_OPS: &[&str] = &[
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
    "Div",
    "Softmax",
    "Sigmoid",
    "ReduceSum",
    "Exp",
    "Abs",
    "Mul",
    "Log",
    "Sqrt",
    "ArgMax",
    "Concat",
    "Neg",
];

pub(crate) static RULES: &[Rule] = &[
    ml_row(
        "TreeEnsemble",
        &[5],
        TREE_OPS,
        tree_ensemble,
        "vectorised: every split compared at once, leaves reached when no split on their path disagrees (a MatMul count), then sum/average (MatMul) or min/max; every post_transform, numbered as the spec numbers them (1 SOFTMAX, 2 LOGISTIC: onnxruntime 1.31 swaps the two)",
    ),
    ml_row(
        "TreeEnsembleRegressor",
        &[1, 3, 5],
        TREE_OPS,
        tree_ensemble_regressor,
        "the TreeEnsemble evaluation over (tree, node) ids; SUM/AVERAGE/MIN/MAX, base_values, every post_transform; v3's `_as_tensor` forms; v5 is the deprecation marker with v3's attributes; f32 result",
    ),
    ml_row(
        "TreeEnsembleClassifier",
        &[1, 3, 5],
        TREE_OPS,
        tree_ensemble_classifier,
        "class scores summed over the trees plus base_values, label = classlabels_int64s[argmax]; one weight column with two classes is the binary form, as onnxruntime writes it: LOGISTIC gives [sigmoid(-s), sigmoid(s)], other transforms are not applied ([1-s, s] and label s > 0.5 when every weight is >= 0, else [-s, s] and label s > 0); string labels refused",
    ),
];

/// Split comparison modes, numbered as TreeEnsemble-5 numbers them.
const MODE_MEMBER: i64 = 6;

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
                return Err(Error::invalid(format!("tree leaf {at} is out of range")));
            }
            out.push(LeafPath { leaf: at, path });
            continue;
        }
        let Some(&(ids, leafy)) = children.get(at) else {
            return Err(Error::invalid(format!("tree node {at} is out of range")));
        };
        if path.len() > children.len() {
            return Err(Error::invalid("tree nodes form a cycle"));
        }
        for side in [false, true] {
            let k = usize::from(side);
            let next = usize::try_from(ids[1 - k])
                .map_err(|_| Error::invalid("tree child id is negative"))?;
            let mut p = path.clone();
            p.push((at, side));
            stack.push((next, leafy[1 - k], p));
        }
    }
    out.sort_by_key(|l| l.leaf);
    Ok(out)
}

/// How the trees' votes for one target combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Average,
    Sum,
    Min,
    Max,
}

/// A forest in the shared form: split nodes (K of them) and the reachable
/// leaves, each with its path and its votes (target, weight).
struct Forest {
    features: Vec<i64>,
    splits: Vec<f64>,
    modes: Vec<i64>,
    missing_true: Vec<bool>,
    /// NaN-separated sets of the membership (mode 6) nodes, in node order.
    members: Vec<f64>,
    leaves: Vec<(LeafPath, Vec<(usize, f64)>)>,
    trees: usize,
    targets: usize,
}

/// The batch dim of a 2-D float input, checked.
/// The (N, F) input of a tree op; integer features are compared as f32
/// (the older ops take int32/int64 input, TreeEnsemble-5 does not).
fn forest_input(ctx: &mut MapCtx, what: &str, ints_allowed: bool) -> Result<ValueId> {
    let x = ctx.input(0)?;
    let xt = ctx.ty(x);
    if xt.rank() != 2 {
        return Err(Error::unsupported(format!(
            "{what} takes a 2-D input, got {xt}"
        )));
    }
    match xt.dtype {
        d if d.is_float() => Ok(x),
        DType::I64 | DType::I32 if ints_allowed => ctx.cast(x, DType::F32),
        d => Err(Error::unsupported(format!("{what} of {d} input"))),
    }
}

/// Which leaves each row reaches: (N, L) bool.
fn reached_leaves(ctx: &mut MapCtx, x: ValueId, forest: &Forest) -> Result<ValueId> {
    let d = ctx.ty(x).dtype;
    let batch = ctx.ty(x).shape[0].clone();
    let k = forest.features.len();
    let l = forest.leaves.len();
    if k == 0 {
        // Only single-leaf trees: every row reaches every leaf.
        return all_true_rows(ctx, x, l);
    }
    let modes = &forest.modes;
    let feat = ctx.i64s(vec![k as u64], &forest.features)?;
    let xk = ctx.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[x, feat])?;
    let split = ctx.constant(Tensor::from_f64s(d, vec![k as u64], &forest.splits)?)?;
    let mask_of = |ctx: &mut MapCtx, f: &dyn Fn(usize) -> bool| -> Result<ValueId> {
        let v: Vec<i64> = (0..k).map(|i| i64::from(f(i))).collect();
        ctx.constant(Tensor::from_i64s(DType::Bool, vec![k as u64], &v)?)
    };
    let mut cond: Option<ValueId> = None;
    for mode in 0..=MODE_MEMBER {
        if !modes.contains(&mode) {
            continue;
        }
        let hit = match mode {
            0 => ctx.compare(Compare::LessOrEqual, xk, split)?,
            1 => ctx.compare(Compare::Less, xk, split)?,
            2 => ctx.compare(Compare::GreaterOrEqual, xk, split)?,
            3 => ctx.compare(Compare::Greater, xk, split)?,
            4 => ctx.compare(Compare::Equal, xk, split)?,
            5 => {
                let eq = ctx.compare(Compare::Equal, xk, split)?;
                ctx.unary(Unary::Not, eq)?
            }
            _ => membership(ctx, xk, forest, batch.clone())?,
        };
        let mask = mask_of(ctx, &|i| modes[i] == mode)?;
        let hit = ctx.binary(Binary::And, hit, mask)?;
        cond = Some(match cond {
            None => hit,
            Some(c) => ctx.binary(Binary::Or, c, hit)?,
        });
    }
    let mut cond = cond.ok_or_else(|| Error::invalid("the trees have no split modes"))?;
    if forest.missing_true.iter().any(|&m| m) {
        let nan = ctx.unary(Unary::IsNaN, xk)?;
        let mask = mask_of(ctx, &|i| {
            forest.missing_true.get(i).copied().unwrap_or(false)
        })?;
        let nan = ctx.binary(Binary::And, nan, mask)?;
        cond = ctx.binary(Binary::Or, cond, nan)?;
    }
    // Disagreements per leaf: (1 - C) x NeedTrue + C x NeedFalse; reached at 0.
    let mut need_true = vec![0.0; k * l];
    let mut need_false = vec![0.0; k * l];
    for (j, (p, _)) in forest.leaves.iter().enumerate() {
        for &(node, side) in &p.path {
            let cell = node * l + j;
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
    let nt = ctx.constant(Tensor::from_f64s(d, vec![k as u64, l as u64], &need_true)?)?;
    let nf = ctx.constant(Tensor::from_f64s(d, vec![k as u64, l as u64], &need_false)?)?;
    let a = ctx.emit1(Op::Linear(Linear::MatMul), &[not_c, nt])?;
    let b = ctx.emit1(Op::Linear(Linear::MatMul), &[cf, nf])?;
    let miss = ctx.binary(Binary::Add, a, b)?;
    let zero = ctx.scalar(d, 0.0)?;
    ctx.compare(Compare::Equal, miss, zero)
}

/// Set membership (mode 6) of every split's feature value: (N, K) bool.
fn membership(ctx: &mut MapCtx, xk: ValueId, forest: &Forest, batch: Dim) -> Result<ValueId> {
    let d = ctx.ty(xk).dtype;
    let k = forest.features.len();
    let mut sets: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut it = forest.members.split(|v| v.is_nan());
    for (i, set) in sets.iter_mut().enumerate() {
        if forest.modes[i] == MODE_MEMBER {
            *set = it.next().map(<[f64]>::to_vec).ok_or_else(|| {
                Error::invalid("attribute \"membership_values\" has too few sets")
            })?;
        }
    }
    let width = sets.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let padded: Vec<f64> = sets
        .iter()
        .flat_map(|s| (0..width).map(move |j| s.get(j).copied().unwrap_or(f64::NAN)))
        .collect();
    let table = ctx.constant(Tensor::from_f64s(d, vec![k as u64, width as u64], &padded)?)?;
    let x3 = ctx.reshape(xk, vec![batch, Dim::Known(k as u64), Dim::Known(1)])?;
    let eq = ctx.compare(Compare::Equal, x3, table)?;
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
    ctx.compare(Compare::Greater, any, zero)
}

/// (N, width) of true, N taken from `x`'s rows.
fn all_true_rows(ctx: &mut MapCtx, x: ValueId, width: usize) -> Result<ValueId> {
    let d = ctx.ty(x).dtype;
    let zeros = zero_rows(ctx, x, width as u64)?;
    let zero = ctx.scalar(d, 0.0)?;
    ctx.compare(Compare::Equal, zeros, zero)
}

/// The forest's votes per target: (N, T) in `d`.
fn aggregate(
    ctx: &mut MapCtx,
    reached: ValueId,
    forest: &Forest,
    how: Aggregate,
    d: DType,
) -> Result<ValueId> {
    let l = forest.leaves.len();
    let t = forest.targets;
    let batch = ctx.ty(reached).shape[0].clone();
    match how {
        Aggregate::Sum | Aggregate::Average => {
            let scale = if how == Aggregate::Average {
                1.0 / forest.trees.max(1) as f64
            } else {
                1.0
            };
            let mut table = vec![0.0; l * t];
            for (j, (_, votes)) in forest.leaves.iter().enumerate() {
                for &(target, w) in votes {
                    table[j * t + target] += w * scale;
                }
            }
            let table = ctx.constant(Tensor::from_f64s(d, vec![l as u64, t as u64], &table)?)?;
            let rf = ctx.cast(reached, d)?;
            ctx.emit1(Op::Linear(Linear::MatMul), &[rf, table])
        }
        Aggregate::Min | Aggregate::Max => {
            let min = how == Aggregate::Min;
            // Unreached leaves and other targets give the dtype's extreme.
            let extreme = match (d, min) {
                (DType::F64, true) => f64::MAX,
                (DType::F64, false) => f64::MIN,
                (_, true) => f64::from(f32::MAX),
                (_, false) => f64::from(f32::MIN),
            };
            let mut has = vec![0i64; l * t];
            let mut table = vec![0.0; l * t];
            for (j, (_, votes)) in forest.leaves.iter().enumerate() {
                for &(target, w) in votes {
                    let cell = j * t + target;
                    table[cell] = match (has[cell], min) {
                        (0, _) => w,
                        (_, true) => w.min(table[cell]),
                        (_, false) => w.max(table[cell]),
                    };
                    has[cell] = 1;
                }
            }
            let dims = vec![l as u64, t as u64];
            let has = ctx.constant(Tensor::from_i64s(DType::Bool, dims.clone(), &has)?)?;
            let table = ctx.constant(Tensor::from_f64s(d, dims, &table)?)?;
            let r3 = ctx.reshape(reached, vec![batch, Dim::Known(l as u64), Dim::Known(1)])?;
            let hit = ctx.binary(Binary::And, r3, has)?;
            let fill = ctx.scalar(d, extreme)?;
            let v = ctx.emit1(Op::Elementwise(Elementwise::Select), &[hit, table, fill])?;
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
            )
        }
    }
}

/// Whether some reached leaf votes for each target: (N, T) bool.
fn votes_present(ctx: &mut MapCtx, reached: ValueId, forest: &Forest, d: DType) -> Result<ValueId> {
    let (l, t) = (forest.leaves.len(), forest.targets);
    let mut has = vec![0.0; l * t];
    for (j, (_, votes)) in forest.leaves.iter().enumerate() {
        for &(target, _) in votes {
            has[j * t + target] = 1.0;
        }
    }
    let has = ctx.constant(Tensor::from_f64s(d, vec![l as u64, t as u64], &has)?)?;
    let rf = ctx.cast(reached, d)?;
    let count = ctx.emit1(Op::Linear(Linear::MatMul), &[rf, has])?;
    let zero = ctx.scalar(d, 0.0)?;
    ctx.compare(Compare::Greater, count, zero)
}

fn tree_ensemble(ctx: &mut MapCtx) -> Result<()> {
    let x = forest_input(ctx, "TreeEnsemble", false)?;
    let d = ctx.ty(x).dtype;
    let post = PostTransform::numbered(ctx.attrs.int_or("post_transform", 0)?)?;
    let floats = |ctx: &mut MapCtx, name: &str| -> Result<Option<Vec<f64>>> {
        match ctx.attrs.tensor(name)? {
            Some(p) => Ok(Some(ctx.decode_tensor(p)?.to_f64s())),
            None => Ok(None),
        }
    };
    let splits = floats(ctx, "nodes_splits")?.unwrap_or_default();
    let modes: Vec<i64> = match ctx.attrs.tensor("nodes_modes")? {
        Some(p) => ctx.decode_tensor(p)?.to_i64s(),
        None => return Err(Error::invalid("TreeEnsemble needs nodes_modes")),
    };
    let features = ctx.attrs.req_ints("nodes_featureids")?;
    let true_ids = ctx.attrs.req_ints("nodes_truenodeids")?;
    let false_ids = ctx.attrs.req_ints("nodes_falsenodeids")?;
    let true_leafs = ctx.attrs.req_ints("nodes_trueleafs")?;
    let false_leafs = ctx.attrs.req_ints("nodes_falseleafs")?;
    let targets = ctx.attrs.req_ints("leaf_targetids")?;
    let weights = floats(ctx, "leaf_weights")?.unwrap_or_default();
    let roots = ctx.attrs.req_ints("tree_roots")?;
    let missing_true = ctx
        .attrs
        .ints("nodes_missing_value_tracks_true")?
        .unwrap_or_default();
    let members = floats(ctx, "membership_values")?.unwrap_or_default();
    let n_targets = ctx.attrs.req_int("n_targets")?;
    let how = match ctx.attrs.int_or("aggregate_function", 1)? {
        0 => Aggregate::Average,
        1 => Aggregate::Sum,
        2 => Aggregate::Min,
        3 => Aggregate::Max,
        other => {
            return Err(Error::invalid(format!(
                "attribute \"aggregate_function\": {other} is not one of 0 to 3"
            )));
        }
    };
    let k = features.len();
    if !all_of_length(
        k,
        &[
            splits.len(),
            modes.len(),
            true_ids.len(),
            false_ids.len(),
            true_leafs.len(),
            false_leafs.len(),
        ],
    ) || targets.len() != weights.len()
        || n_targets <= 0
        || k == 0
    {
        return Err(Error::invalid(
            "TreeEnsemble node and leaf attributes differ in length",
        ));
    }
    let t = n_targets as usize;
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
            paths.extend(leaf_paths(ids[0] as usize, true, &children, weights.len())?);
        } else {
            paths.extend(leaf_paths(r, false, &children, weights.len())?);
        }
    }
    let mut leaves = Vec::with_capacity(paths.len());
    for p in paths {
        let target = usize::try_from(targets[p.leaf])
            .ok()
            .filter(|&v| v < t)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "TreeEnsemble leaf target {} is out of range",
                    targets[p.leaf]
                ))
            })?;
        let w = weights[p.leaf];
        leaves.push((p, vec![(target, w)]));
    }
    let forest = Forest {
        features,
        splits,
        modes,
        missing_true: (0..k)
            .map(|i| missing_true.get(i).is_some_and(|&m| m != 0))
            .collect(),
        members,
        leaves,
        trees: roots.len(),
        targets: t,
    };
    let reached = reached_leaves(ctx, x, &forest)?;
    let y = aggregate(ctx, reached, &forest, how, d)?;
    let y = apply_post_transform(ctx, y, post)?;
    ctx.bind(0, y)
}

/// Whether every parallel node attribute has `n` values.
fn all_of_length(n: usize, lengths: &[usize]) -> bool {
    lengths.iter().all(|&len| len == n)
}

/// The mode number of an older op's `nodes_modes` string (None: a leaf).
fn mode_number(name: &str) -> Result<Option<i64>> {
    Ok(Some(match name {
        "BRANCH_LEQ" => 0,
        "BRANCH_LT" => 1,
        "BRANCH_GTE" => 2,
        "BRANCH_GT" => 3,
        "BRANCH_EQ" => 4,
        "BRANCH_NEQ" => 5,
        "LEAF" => return Ok(None),
        other => {
            return Err(Error::unsupported(format!(
                "attribute \"nodes_modes\": {other:?} is not a known mode"
            )));
        }
    }))
}

/// The forest of a TreeEnsembleClassifier/Regressor, whose votes are the
/// `<prefix>_treeids/_nodeids/_ids/_weights` attributes (`class` or `target`).
fn older_forest(ctx: &mut MapCtx, prefix: &str, targets: usize) -> Result<Forest> {
    let tree_ids = ctx.attrs.req_ints("nodes_treeids")?;
    let node_ids = ctx.attrs.req_ints("nodes_nodeids")?;
    let features = ctx.attrs.req_ints("nodes_featureids")?;
    let modes = ctx.attrs.strings("nodes_modes")?.unwrap_or_default();
    let values = floats_or_tensor(ctx, "nodes_values")?.unwrap_or_default();
    let true_ids = ctx.attrs.req_ints("nodes_truenodeids")?;
    let false_ids = ctx.attrs.req_ints("nodes_falsenodeids")?;
    let missing = ctx
        .attrs
        .ints("nodes_missing_value_tracks_true")?
        .unwrap_or_default();
    let n = tree_ids.len();
    if !all_of_length(
        n,
        &[
            node_ids.len(),
            features.len(),
            modes.len(),
            values.len(),
            true_ids.len(),
            false_ids.len(),
        ],
    ) || n == 0
        || !(missing.is_empty() || missing.len() == n)
    {
        return Err(Error::invalid(
            "the nodes_* attributes are empty or differ in length",
        ));
    }
    let vote_trees = ctx.attrs.req_ints(&format!("{prefix}_treeids"))?;
    let vote_nodes = ctx.attrs.req_ints(&format!("{prefix}_nodeids"))?;
    let vote_targets = ctx.attrs.req_ints(&format!("{prefix}_ids"))?;
    let vote_weights = req_floats(ctx, &format!("{prefix}_weights"))?;
    let v = vote_trees.len();
    if vote_nodes.len() != v || vote_targets.len() != v || vote_weights.len() != v {
        return Err(Error::invalid(format!(
            "the {prefix}_* attributes differ in length"
        )));
    }
    // Split nodes and leaves get their own dense numbers.
    let mut at: HashMap<(i64, i64), usize> = HashMap::new();
    let mut number = vec![0usize; n];
    let mut is_leaf = vec![false; n];
    let mut forest = Forest {
        features: Vec::new(),
        splits: Vec::new(),
        modes: Vec::new(),
        missing_true: Vec::new(),
        members: Vec::new(),
        leaves: Vec::new(),
        trees: 0,
        targets,
    };
    let mut leaf_count = 0;
    for i in 0..n {
        if at.insert((tree_ids[i], node_ids[i]), i).is_some() {
            return Err(Error::invalid(format!(
                "tree {} has node {} twice",
                tree_ids[i], node_ids[i]
            )));
        }
        match mode_number(&modes[i])? {
            None => {
                is_leaf[i] = true;
                number[i] = leaf_count;
                leaf_count += 1;
            }
            Some(mode) => {
                number[i] = forest.features.len();
                forest.features.push(features[i]);
                forest.splits.push(values[i]);
                forest.modes.push(mode);
                forest
                    .missing_true
                    .push(missing.get(i).is_some_and(|&m| m != 0));
            }
        }
    }
    let child = |tree: i64, id: i64| -> Result<(i64, bool)> {
        let &c = at
            .get(&(tree, id))
            .ok_or_else(|| Error::invalid(format!("tree {tree} has no node {id} (a child id)")))?;
        Ok((number[c] as i64, is_leaf[c]))
    };
    let mut children = Vec::with_capacity(forest.features.len());
    let mut referenced = vec![false; n];
    for i in (0..n).filter(|&i| !is_leaf[i]) {
        let (t, tl) = child(tree_ids[i], true_ids[i])?;
        let (f, fl) = child(tree_ids[i], false_ids[i])?;
        for id in [true_ids[i], false_ids[i]] {
            if let Some(&c) = at.get(&(tree_ids[i], id)) {
                referenced[c] = true;
            }
        }
        children.push(([t, f], [tl, fl]));
    }
    // Votes per leaf.
    let mut votes: Vec<Vec<(usize, f64)>> = vec![Vec::new(); leaf_count];
    for j in 0..v {
        let &i = at.get(&(vote_trees[j], vote_nodes[j])).ok_or_else(|| {
            Error::invalid(format!(
                "{prefix} vote {j} names tree {} node {}, which does not exist",
                vote_trees[j], vote_nodes[j]
            ))
        })?;
        if !is_leaf[i] {
            return Err(Error::unsupported(format!(
                "{prefix} vote {j} is on tree {} node {}, which is not a LEAF",
                vote_trees[j], vote_nodes[j]
            )));
        }
        let target = usize::try_from(vote_targets[j])
            .ok()
            .filter(|&c| c < targets)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{prefix}_ids[{j}] = {} is out of range (0 to {})",
                    vote_targets[j],
                    targets.saturating_sub(1)
                ))
            })?;
        votes[number[i]].push((target, vote_weights[j]));
    }
    // A tree's root is its first node no other node points at.
    let mut seen_trees = Vec::new();
    for i in 0..n {
        if referenced[i] || seen_trees.contains(&tree_ids[i]) {
            continue;
        }
        seen_trees.push(tree_ids[i]);
        for p in leaf_paths(number[i], is_leaf[i], &children, leaf_count)? {
            let vs = votes[p.leaf].clone();
            forest.leaves.push((p, vs));
        }
    }
    forest.trees = seen_trees.len();
    Ok(forest)
}

/// base_values (or its `_as_tensor` form): none, or one per column.
fn base_values(ctx: &mut MapCtx, columns: usize) -> Result<Option<Vec<f64>>> {
    match floats_or_tensor(ctx, "base_values")? {
        Some(b) if b.is_empty() => Ok(None),
        Some(b) if b.len() == columns => Ok(Some(b)),
        Some(b) => Err(Error::unsupported(format!(
            "attribute \"base_values\": {} values for {columns} scores",
            b.len()
        ))),
        None => Ok(None),
    }
}

/// `scores + base` (a (1, C) row), when there are base values.
fn add_base(ctx: &mut MapCtx, scores: ValueId, base: Option<Vec<f64>>) -> Result<ValueId> {
    let Some(base) = base else {
        return Ok(scores);
    };
    let d = ctx.ty(scores).dtype;
    let row = ctx.constant(Tensor::from_f64s(d, vec![1, base.len() as u64], &base)?)?;
    ctx.binary(Binary::Add, scores, row)
}

fn tree_ensemble_regressor(ctx: &mut MapCtx) -> Result<()> {
    let x = forest_input(ctx, "TreeEnsembleRegressor", true)?;
    let d = ctx.ty(x).dtype;
    let targets = usize::try_from(ctx.attrs.int_or("n_targets", 1)?)
        .ok()
        .filter(|&t| t > 0)
        .ok_or_else(|| Error::invalid("attribute \"n_targets\" must be positive"))?;
    let post = post_transform_attr(ctx)?;
    let how = match ctx.attrs.string_or("aggregate_function", "SUM")?.as_str() {
        "SUM" => Aggregate::Sum,
        "AVERAGE" => Aggregate::Average,
        "MIN" => Aggregate::Min,
        "MAX" => Aggregate::Max,
        other => {
            return Err(Error::invalid(format!(
                "attribute \"aggregate_function\": {other:?} (expected SUM, AVERAGE, MIN or MAX)"
            )));
        }
    };
    let forest = older_forest(ctx, "target", targets)?;
    let base = base_values(ctx, targets)?;
    let reached = reached_leaves(ctx, x, &forest)?;
    let scores = aggregate(ctx, reached, &forest, how, d)?;
    // onnxruntime gives 0 for a target no reached leaf votes for: no base
    // value added, no extreme of an empty MIN/MAX.
    let scores = if base.is_some() || matches!(how, Aggregate::Min | Aggregate::Max) {
        let with_base = add_base(ctx, scores, base)?;
        let voted = votes_present(ctx, reached, &forest, d)?;
        let zero = ctx.scalar(d, 0.0)?;
        ctx.emit1(
            Op::Elementwise(Elementwise::Select),
            &[voted, with_base, zero],
        )?
    } else {
        scores
    };
    let scores = as_f32(ctx, scores)?;
    let y = apply_post_transform(ctx, scores, post)?;
    ctx.bind(0, y)
}

fn tree_ensemble_classifier(ctx: &mut MapCtx) -> Result<()> {
    let x = forest_input(ctx, "TreeEnsembleClassifier", true)?;
    let d = ctx.ty(x).dtype;
    let class_ids = ctx.attrs.req_ints("class_ids")?;
    let count = class_ids.iter().copied().max().unwrap_or(0).max(0) as usize + 1;
    let labels = int_labels(ctx, "classlabels_int64s", "classlabels_strings", count)?;
    let post = post_transform_attr(ctx)?;
    let classes = labels.len();
    // One weight column for two classes: the score of the second class.
    let binary = classes == 2 && class_ids.iter().all(|&c| c == 0);
    let columns = if binary { 1 } else { classes };
    let forest = older_forest(ctx, "class", columns)?;
    let base = match floats_or_tensor(ctx, "base_values")? {
        Some(b) if binary && b.len() == 2 => {
            return Err(Error::unsupported(format!(
                "attribute \"base_values\": two values {b:?} with one weight column (onnxruntime and the ONNX reference disagree on it)"
            )));
        }
        _ => base_values(ctx, columns)?,
    };
    let reached = reached_leaves(ctx, x, &forest)?;
    let scores = aggregate(ctx, reached, &forest, Aggregate::Sum, d)?;
    let scores = add_base(ctx, scores, base)?;
    let scores = as_f32(ctx, scores)?;
    let (label, probabilities) = if binary {
        let all_positive = forest
            .leaves
            .iter()
            .all(|(_, vs)| vs.iter().all(|&(_, w)| w >= 0.0));
        let threshold = if all_positive { 0.5 } else { 0.0 };
        binary_scores(ctx, scores, &labels, post, all_positive, threshold)?
    } else {
        let label = label_of_best(ctx, scores, &labels)?;
        (label, apply_post_transform(ctx, scores, post)?)
    };
    ctx.bind(0, label)?;
    ctx.bind(1, probabilities)
}
