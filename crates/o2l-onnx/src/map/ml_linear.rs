//! Linear models and support vector machines of `ai.onnx.ml`: scores are a
//! MatMul against the coefficients (or against kernel values of the support
//! vectors), then the shared post transforms and labels of `ml.rs`.
use super::ctx::{MapCtx, Rule};
use super::ml::{
    PostTransform, apply_post_transform, binary_scores, int_labels, label_of_best, ml_row,
    post_transform_attr, req_floats, rows_f32,
};
use o2l_canon::Builder;
use o2l_canon::ops::{Binary, Compare, Elementwise, Linear, Reduce, ReduceKind, Unary};
use o2l_canon::{DType, Dim, Error, Op, Result, Tensor, ValueId};

const LINEAR_OPS: &[&str] = &[
    "Cast",
    "Reshape",
    "MatMul",
    "Add",
    "ArgMax",
    "Gather",
    "Greater",
    "Neg",
    "Sigmoid",
    "Sub",
    "Concat",
    "Softmax",
    "ReduceMax",
    "ReduceSum",
    "Exp",
    "Abs",
    "Less",
    "Select",
    "Div",
    "Mul",
    "Log",
    "Sqrt",
];

const SVM_OPS: &[&str] = &[
    "Cast",
    "Reshape",
    "MatMul",
    "Add",
    "Sub",
    "Mul",
    "Pow",
    "Exp",
    "Tanh",
    "ReduceSum",
    "Greater",
    "Select",
    "ArgMax",
    "Gather",
    "Neg",
    "Sigmoid",
    "Concat",
    "Softmax",
    "ReduceMax",
    "Abs",
    "Less",
    "Div",
    "Log",
    "Sqrt",
];

pub(crate) static RULES: &[Rule] = &[
    ml_row(
        "LinearClassifier",
        &[1],
        LINEAR_OPS,
        linear_classifier,
        "scores = x W^T + intercepts, label = classlabels_ints[argmax]; one coefficient row with two classes is the binary form, as onnxruntime writes it: [1-s, s] (LOGISTIC: [sigmoid(-s), sigmoid(s)]), label s > 0; string labels refused",
    ),
    ml_row(
        "LinearRegressor",
        &[1],
        LINEAR_OPS,
        linear_regressor,
        "x W^T + intercepts, then post_transform",
    ),
    ml_row(
        "SVMClassifier",
        &[1],
        SVM_OPS,
        svm_classifier,
        "LINEAR/POLY/RBF/SIGMOID kernels against the support vectors, one-vs-one decisions and votes (label of the most votes, first on ties); scores are the decisions (two columns [-d, d] for two classes); prob_a/prob_b and the liblinear form (no support vectors) refused",
    ),
    ml_row(
        "SVMRegressor",
        &[1],
        SVM_OPS,
        svm_regressor,
        "sum of coefficient x kernel(x, support vector) + rho (x . coefficients + rho without support vectors); one_class gives +1/-1",
    ),
];

/// x (N, F) @ W^T for W given row-major as (rows, F): (N, rows).
fn times_rows(
    ctx: &mut MapCtx,
    x: ValueId,
    w: &[f64],
    features: u64,
    what: &str,
) -> Result<ValueId> {
    let f = features as usize;
    if f == 0 || w.is_empty() || !w.len().is_multiple_of(f) {
        return Err(Error::invalid(format!(
            "attribute \"{what}\": {} values do not make rows of {features} features",
            w.len()
        )));
    }
    let rows = w.len() / f;
    let mut wt = vec![0.0; w.len()];
    for r in 0..rows {
        for c in 0..f {
            wt[c * rows + r] = w[r * f + c];
        }
    }
    let wt = ctx.constant(Tensor::from_f64s(
        DType::F32,
        vec![features, rows as u64],
        &wt,
    )?)?;
    ctx.emit1(Op::Linear(Linear::MatMul), &[x, wt])
}

/// `scores + row` for a (1, C) row of constants, if any.
fn plus_row(ctx: &mut MapCtx, scores: ValueId, row: &[f64], what: &str) -> Result<ValueId> {
    if row.is_empty() {
        return Ok(scores);
    }
    let columns = ctx.ty(scores).shape[1].known();
    if columns != Some(row.len() as u64) && row.len() != 1 {
        return Err(Error::invalid(format!(
            "attribute \"{what}\" has {} values for {columns:?} scores",
            row.len()
        )));
    }
    let row = ctx.constant(Tensor::from_f64s(
        DType::F32,
        vec![1, row.len() as u64],
        row,
    )?)?;
    ctx.binary(Binary::Add, scores, row)
}

fn linear_scores(ctx: &mut MapCtx, what: &str) -> Result<ValueId> {
    let (x, features) = rows_f32(ctx, what)?;
    let w = req_floats(ctx, "coefficients")?;
    let scores = times_rows(ctx, x, &w, features, "coefficients")?;
    let intercepts = ctx
        .attrs
        .floats("intercepts")?
        .map(|v| v.into_iter().map(f64::from).collect::<Vec<_>>())
        .unwrap_or_default();
    plus_row(ctx, scores, &intercepts, "intercepts")
}

fn linear_classifier(ctx: &mut MapCtx) -> Result<()> {
    let post = post_transform_attr(ctx)?;
    let scores = linear_scores(ctx, "LinearClassifier")?;
    let rows = ctx.ty(scores).shape[1].known().unwrap_or(0) as usize;
    let labels = int_labels(ctx, "classlabels_ints", "classlabels_strings", rows)?;
    let (label, probabilities) = if rows == 1 && labels.len() == 2 {
        // onnxruntime: [1-s, s] unless LOGISTIC, the label by the sign of s.
        binary_scores(ctx, scores, &labels, post, true, 0.0)?
    } else if rows == labels.len() {
        let label = label_of_best(ctx, scores, &labels)?;
        (label, apply_post_transform(ctx, scores, post)?)
    } else {
        return Err(Error::unsupported(format!(
            "LinearClassifier with {rows} coefficient rows for {} class labels",
            labels.len()
        )));
    };
    ctx.bind(0, label)?;
    ctx.bind(1, probabilities)
}

fn linear_regressor(ctx: &mut MapCtx) -> Result<()> {
    let post = post_transform_attr(ctx)?;
    let targets = ctx.attrs.int_or("targets", 1)?;
    let scores = linear_scores(ctx, "LinearRegressor")?;
    if ctx.ty(scores).shape[1].known() != u64::try_from(targets).ok() {
        return Err(Error::invalid(format!(
            "LinearRegressor: {targets} targets, but the coefficients give {}",
            ctx.ty(scores)
        )));
    }
    let y = apply_post_transform(ctx, scores, post)?;
    ctx.bind(0, y)
}

/// The kernel of an SVM and its parameters (gamma, coef0, degree).
#[derive(Debug, Clone, Copy)]
struct Kernel {
    kind: KernelKind,
    gamma: f64,
    coef0: f64,
    degree: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KernelKind {
    Linear,
    Poly,
    Rbf,
    Sigmoid,
}

fn kernel_attr(ctx: &MapCtx) -> Result<Kernel> {
    let kind = match ctx.attrs.string_or("kernel_type", "LINEAR")?.as_str() {
        "LINEAR" => KernelKind::Linear,
        "POLY" => KernelKind::Poly,
        "RBF" => KernelKind::Rbf,
        "SIGMOID" => KernelKind::Sigmoid,
        other => {
            return Err(Error::unsupported(format!(
                "attribute \"kernel_type\": {other:?} (expected LINEAR, POLY, RBF or SIGMOID)"
            )));
        }
    };
    let params = ctx.attrs.floats("kernel_params")?.unwrap_or_default();
    let param = |i: usize, default: f64| params.get(i).map_or(default, |&v| f64::from(v));
    Ok(Kernel {
        kind,
        gamma: param(0, 0.0),
        coef0: param(1, 0.0),
        degree: param(2, 0.0),
    })
}

/// kernel(x_n, sv_s) for every row and support vector: (N, S).
fn kernel_values(
    ctx: &mut MapCtx,
    x: ValueId,
    features: u64,
    support: &[f64],
    kernel: Kernel,
) -> Result<ValueId> {
    let f = features as usize;
    let count = (support.len() / f) as u64;
    let c = |ctx: &mut MapCtx, v: f64| ctx.scalar(DType::F32, v);
    // gamma * x . sv + coef0, for the dot-product kernels.
    let affine = |ctx: &mut MapCtx| -> Result<ValueId> {
        let dot = times_rows(ctx, x, support, features, "support_vectors")?;
        let gamma = c(ctx, kernel.gamma)?;
        let coef0 = c(ctx, kernel.coef0)?;
        let scaled = ctx.binary(Binary::Mul, dot, gamma)?;
        ctx.binary(Binary::Add, scaled, coef0)
    };
    match kernel.kind {
        KernelKind::Linear => times_rows(ctx, x, support, features, "support_vectors"),
        KernelKind::Poly => {
            let base = affine(ctx)?;
            let degree = c(ctx, kernel.degree)?;
            ctx.binary(Binary::Pow, base, degree)
        }
        KernelKind::Sigmoid => {
            let v = affine(ctx)?;
            ctx.unary(Unary::Tanh, v)
        }
        KernelKind::Rbf => {
            // exp(-gamma * |x - sv|^2), the differences taken directly (N, S, F).
            let batch = ctx.ty(x).shape[0].clone();
            let x3 = ctx.reshape(x, vec![batch, Dim::Known(1), Dim::Known(features)])?;
            let sv = ctx.constant(Tensor::from_f64s(
                DType::F32,
                vec![count, features],
                support,
            )?)?;
            let diff = ctx.binary(Binary::Sub, x3, sv)?;
            let sq = ctx.binary(Binary::Mul, diff, diff)?;
            let dist = ctx.emit1(
                Op::Reduce(Reduce {
                    kind: ReduceKind::Sum,
                    axes: vec![2],
                    keep_dims: false,
                }),
                &[sq],
            )?;
            let neg_gamma = c(ctx, -kernel.gamma)?;
            let e = ctx.binary(Binary::Mul, dist, neg_gamma)?;
            ctx.unary(Unary::Exp, e)
        }
    }
}

fn support_vectors(ctx: &mut MapCtx, features: u64) -> Result<Vec<f64>> {
    let support = ctx
        .attrs
        .floats("support_vectors")?
        .map(|v| v.into_iter().map(f64::from).collect::<Vec<_>>())
        .unwrap_or_default();
    if features == 0 || !support.len().is_multiple_of(features as usize) {
        return Err(Error::invalid(format!(
            "attribute \"support_vectors\": {} values are not rows of {features} features",
            support.len()
        )));
    }
    Ok(support)
}

fn svm_regressor(ctx: &mut MapCtx) -> Result<()> {
    let post = post_transform_attr(ctx)?;
    let (x, features) = rows_f32(ctx, "SVMRegressor")?;
    let kernel = kernel_attr(ctx)?;
    let coefficients = req_floats(ctx, "coefficients")?;
    let rho = req_floats(ctx, "rho")?;
    let support = support_vectors(ctx, features)?;
    let n_supports = ctx.attrs.int_or("n_supports", 0)?;
    let scores = if n_supports == 0 {
        // liblinear form: the coefficients are one weight row.
        times_rows(ctx, x, &coefficients, features, "coefficients")?
    } else {
        if support.len() as u64 != n_supports as u64 * features
            || coefficients.len() as i64 != n_supports
        {
            return Err(Error::invalid(format!(
                "SVMRegressor: n_supports {n_supports}, {} support vector values, {} coefficients for {features} features",
                support.len(),
                coefficients.len()
            )));
        }
        let k = kernel_values(ctx, x, features, &support, kernel)?;
        times_rows(ctx, k, &coefficients, n_supports as u64, "coefficients")?
    };
    let scores = plus_row(ctx, scores, &rho[..1.min(rho.len())], "rho")?;
    let y = if ctx.attrs.int_or("one_class", 0)? != 0 {
        let zero = ctx.scalar(DType::F32, 0.0)?;
        let inside = ctx.compare(Compare::Greater, scores, zero)?;
        let plus = ctx.scalar(DType::F32, 1.0)?;
        let minus = ctx.scalar(DType::F32, -1.0)?;
        ctx.emit1(Op::Elementwise(Elementwise::Select), &[inside, plus, minus])?
    } else {
        apply_post_transform(ctx, scores, post)?
    };
    ctx.bind(0, y)
}

fn svm_classifier(ctx: &mut MapCtx) -> Result<()> {
    for name in ["prob_a", "prob_b"] {
        if ctx.attrs.floats(name)?.is_some_and(|v| !v.is_empty()) {
            return Err(Error::unsupported(format!(
                "attribute \"{name}\": Platt-scaled probabilities are not supported (onnxruntime couples them by libsvm's iterative solver, which stops at a tolerance, even for two classes); export without probability=True"
            )));
        }
    }
    let post = post_transform_attr(ctx)?;
    let (x, features) = rows_f32(ctx, "SVMClassifier")?;
    let kernel = kernel_attr(ctx)?;
    let per_class = ctx.attrs.ints("vectors_per_class")?.unwrap_or_default();
    let total: i64 = per_class.iter().sum();
    if total <= 0 {
        return Err(Error::unsupported(
            "attribute \"vectors_per_class\": the liblinear form (no support vectors) is not supported",
        ));
    }
    let classes = per_class.len();
    let labels = int_labels(ctx, "classlabels_ints", "classlabels_strings", classes)?;
    let coefficients = req_floats(ctx, "coefficients")?;
    let rho = req_floats(ctx, "rho")?;
    let support = support_vectors(ctx, features)?;
    let s = total as usize;
    let pairs = classes * classes.saturating_sub(1) / 2;
    if classes < 2
        || labels.len() != classes
        || support.len() != s * features as usize
        || coefficients.len() != (classes - 1) * s
        || rho.len() != pairs
        || per_class.iter().any(|&c| c < 0)
    {
        return Err(Error::invalid(format!(
            "SVMClassifier: {classes} classes ({} labels), {s} support vectors ({} values for {features} features), {} coefficients, {} rho",
            labels.len(),
            support.len(),
            coefficients.len(),
            rho.len()
        )));
    }
    let k = kernel_values(ctx, x, features, &support, kernel)?;
    // Decision of pair (i, j): class i's vectors weighted by coefficient row
    // j-1, class j's by row i, plus rho; all pairs as one (S, P) matrix.
    let start: Vec<usize> = per_class
        .iter()
        .scan(0usize, |at, &c| {
            let here = *at;
            *at += c as usize;
            Some(here)
        })
        .collect();
    let mut weights = vec![0.0; s * pairs];
    let mut p = 0;
    for i in 0..classes {
        for j in i + 1..classes {
            for (class, row) in [(i, j - 1), (j, i)] {
                for v in start[class]..start[class] + per_class[class] as usize {
                    weights[v * pairs + p] = coefficients[row * s + v];
                }
            }
            p += 1;
        }
    }
    let weights = ctx.constant(Tensor::from_f64s(
        DType::F32,
        vec![s as u64, pairs as u64],
        &weights,
    )?)?;
    let decisions = ctx.emit1(Op::Linear(Linear::MatMul), &[k, weights])?;
    let decisions = plus_row(ctx, decisions, &rho, "rho")?;
    if classes == 2 {
        let (label, scores) = binary_svm(ctx, decisions, &labels, post)?;
        ctx.bind(0, label)?;
        return ctx.bind(1, scores);
    }
    // Votes: pair (i, j) votes i when its decision is > 0, else j.
    let mut for_first = vec![0.0; pairs * classes];
    let mut for_second = vec![0.0; pairs * classes];
    let mut p = 0;
    for i in 0..classes {
        for j in i + 1..classes {
            for_first[p * classes + i] = 1.0;
            for_second[p * classes + j] = 1.0;
            p += 1;
        }
    }
    let zero = ctx.scalar(DType::F32, 0.0)?;
    let positive = ctx.compare(Compare::Greater, decisions, zero)?;
    let positive = ctx.cast(positive, DType::F32)?;
    let one = ctx.scalar(DType::F32, 1.0)?;
    let negative = ctx.binary(Binary::Sub, one, positive)?;
    let dims = vec![pairs as u64, classes as u64];
    let first = ctx.constant(Tensor::from_f64s(DType::F32, dims.clone(), &for_first)?)?;
    let second = ctx.constant(Tensor::from_f64s(DType::F32, dims, &for_second)?)?;
    let a = ctx.emit1(Op::Linear(Linear::MatMul), &[positive, first])?;
    let b = ctx.emit1(Op::Linear(Linear::MatMul), &[negative, second])?;
    let votes = ctx.binary(Binary::Add, a, b)?;
    let label = label_of_best(ctx, votes, &labels)?;
    let scores = apply_post_transform(ctx, decisions, post)?;
    ctx.bind(0, label)?;
    ctx.bind(1, scores)
}

/// Two classes: one decision d; its vote is class 0 when d > 0, and the
/// scores are [-d, d] (LOGISTIC: [sigmoid(-d), sigmoid(d)]).
fn binary_svm(
    ctx: &mut MapCtx,
    d: ValueId,
    labels: &[i64],
    post: PostTransform,
) -> Result<(ValueId, ValueId)> {
    binary_scores(ctx, d, &[labels[1], labels[0]], post, false, 0.0)
}
