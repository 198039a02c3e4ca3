//! The counter-based random generator (`o2l_canon::random`), compiled and
//! run: over a run-time shape the JIT computes the same draws the host folds
//! for a static shape (bit for bit for uniform and Bernoulli, to rounding of
//! libm for normals), the draws are a function of the element index only (a
//! smaller run-time shape gives a prefix), statistics hold over 1e5 run-time
//! draws, and Multinomial picks classes with their probabilities.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use o2l_canon::random::{
    Distribution, bernoulli, host_uniform01, key_for, multinomial, random_tensor,
};
use o2l_canon::{Builder, Op, ValueId};
use onnx2linalg::{DType, Dim, Graph, Origin, Result, Runner, Tensor, TensorType};

/// A Builder over a bare graph.
struct G {
    g: Graph,
    origin: Origin,
    n: usize,
}

impl G {
    fn new() -> Self {
        G {
            g: Graph::new("random"),
            origin: Origin {
                node: "rand".into(),
                op_type: "RandomUniformLike".into(),
                domain: "ai.onnx".into(),
                opset: 22,
                version: 22,
            },
            n: 0,
        }
    }

    /// A graph input of `dtype` with a symbolic first dim and then `rest`.
    fn input(&mut self, dtype: DType, rest: &[u64]) -> ValueId {
        let mut shape = vec![Dim::Symbol("n".into())];
        shape.extend(rest.iter().map(|&d| Dim::Known(d)));
        self.g
            .add_input("x", TensorType::new(dtype, shape))
            .unwrap()
    }

    fn run(mut self, out: ValueId, x: &Tensor) -> Tensor {
        assert!(self.g.constant(out).is_none(), "computed at run time");
        self.g.outputs.push(out);
        let runner = Runner::new(&self.g).unwrap();
        runner.run(std::slice::from_ref(x)).unwrap().remove(0)
    }
}

impl Builder for G {
    fn graph(&self) -> &Graph {
        &self.g
    }
    fn emit(&mut self, op: Op, inputs: &[ValueId]) -> Result<Vec<ValueId>> {
        self.g.add_node(op, inputs, &self.origin)
    }
    fn constant(&mut self, t: Tensor) -> Result<ValueId> {
        self.n += 1;
        self.g.add_constant(format!("c{}", self.n), t)
    }
}

fn zeros(dtype: DType, dims: &[u64]) -> Tensor {
    let n = dims.iter().product::<u64>() as usize;
    Tensor::from_f64s(dtype, dims.to_vec(), &vec![0.0; n]).unwrap()
}

/// The same draws folded on the host for a static shape.
fn folded(dist: Distribution, dtype: DType, dims: &[u64], key: u64) -> Vec<f64> {
    let mut b = G::new();
    let shape: Vec<Dim> = dims.iter().map(|&d| Dim::Known(d)).collect();
    let v = random_tensor(&mut b, dist, dtype, &shape, None, key, "r").unwrap();
    b.g.constant(v).expect("a static shape folds").to_f64s()
}

fn run_time(dist: Distribution, dtype: DType, dims: &[u64], key: u64) -> Vec<f64> {
    let mut b = G::new();
    let x = b.input(dtype, &dims[1..]);
    let shape = b.ty(x).shape;
    let v = random_tensor(&mut b, dist, dtype, &shape, Some(x), key, "r").unwrap();
    let t = b.run(v, &zeros(dtype, dims));
    assert_eq!((t.dtype, t.dims.clone()), (dtype, dims.to_vec()));
    t.to_f64s()
}

const UNIFORM: Distribution = Distribution::Uniform {
    low: 0.0,
    high: 1.0,
};
const NORMAL: Distribution = Distribution::Normal {
    mean: 0.0,
    scale: 1.0,
};

#[test]
fn run_time_draws_equal_the_folded_ones() {
    let key = key_for(Some(42), "", 0);
    for dtype in [DType::F32, DType::F64, DType::F16] {
        let dims = [5, 3, 4];
        let jit = run_time(UNIFORM, dtype, &dims, key);
        assert_eq!(jit, folded(UNIFORM, dtype, &dims, key), "{dtype}");
        if dtype != DType::F16 {
            let host: Vec<f64> = (0..60).map(|i| host_uniform01(key, i, dtype)).collect();
            assert_eq!(jit, host, "{dtype}");
        }
        let jit = run_time(NORMAL, dtype, &dims, key);
        let host = folded(NORMAL, dtype, &dims, key);
        let tol = if dtype == DType::F16 { 2e-3 } else { 1e-5 };
        for (i, (a, b)) in jit.iter().zip(&host).enumerate() {
            assert!(
                (a - b).abs() <= tol * (1.0 + b.abs()),
                "{dtype} [{i}]: {a} vs {b}"
            );
        }
    }
    // Static draws too large to fold run on the JIT, equal to the host's.
    let mut b = G::new();
    let shape = [Dim::Known(300), Dim::Known(300)];
    let v = random_tensor(&mut b, UNIFORM, DType::F32, &shape, None, key, "big").unwrap();
    assert!(b.g.constant(v).is_none(), "computed at run time");
    b.g.outputs.push(v);
    let jit = Runner::new(&b.g).unwrap().run(&[]).unwrap().remove(0);
    let host: Vec<f64> = (0..90_000)
        .map(|i| host_uniform01(key, i, DType::F32))
        .collect();
    assert_eq!(jit.to_f64s(), host);
    // Draws depend on the element index only: a smaller run-time batch is a prefix.
    let big = run_time(UNIFORM, DType::F32, &[9, 4], key);
    let small = run_time(UNIFORM, DType::F32, &[2, 4], key);
    assert_eq!(small, big[..8]);
}

#[test]
fn run_time_statistics_over_1e5_draws() {
    let key = key_for(None, "stats", 0);
    let v = run_time(UNIFORM, DType::F32, &[25_000, 4], key);
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    assert!(v.iter().all(|x| (0.0..1.0).contains(x)));
    assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
    assert!((var - 1.0 / 12.0).abs() < 0.002, "var {var}");
    let z = run_time(NORMAL, DType::F32, &[25_000, 4], key);
    let mean = z.iter().sum::<f64>() / n;
    let var = z.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    assert!((mean).abs() < 0.02, "mean {mean}");
    assert!((var - 1.0).abs() < 0.02, "var {var}");
}

#[test]
fn bernoulli_at_run_time_follows_p() {
    let ps = [0.0, 0.2, 0.7, 1.0];
    let n = 20_000u64;
    let mut b = G::new();
    let p = b.input(DType::F32, &[4]);
    let y = bernoulli(&mut b, p, key_for(Some(3), "", 0), "b").unwrap();
    let p_values: Vec<f64> = (0..n).flat_map(|_| ps).collect();
    let t = b.run(
        y,
        &Tensor::from_f64s(DType::F32, vec![n, 4], &p_values).unwrap(),
    );
    assert_eq!(t.dtype, DType::Bool);
    let hits = t.to_i64s();
    for (k, &pk) in ps.iter().enumerate() {
        let freq = hits.iter().skip(k).step_by(4).sum::<i64>() as f64 / n as f64;
        assert!((freq - pk).abs() < 0.015, "p {pk}: frequency {freq}");
    }
}

#[test]
fn multinomial_picks_classes_by_probability() {
    // Row 0: probabilities 0.1, 0.2, 0.7; row 1: all mass on class 1.
    let probs = [[0.1f64, 0.2, 0.7], [0.0, 1.0, 0.0]];
    let logits: Vec<f64> = probs
        .iter()
        .flatten()
        .map(|&p| if p > 0.0 { p.ln() } else { -1e4 })
        .collect();
    let samples = 20_000u64;
    let mut b = G::new();
    let x = b.input(DType::F32, &[3]);
    let y = multinomial(&mut b, x, samples, key_for(None, "m", 0), "m").unwrap();
    let t = b.run(
        y,
        &Tensor::from_f64s(DType::F32, vec![2, 3], &logits).unwrap(),
    );
    assert_eq!((t.dtype, t.dims.clone()), (DType::I64, vec![2, samples]));
    let picks = t.to_i64s();
    let (row0, row1) = picks.split_at(samples as usize);
    assert!(
        row1.iter().all(|&c| c == 1),
        "a sure class is always picked"
    );
    for (class, &p) in probs[0].iter().enumerate() {
        let freq = row0.iter().filter(|&&c| c == class as i64).count() as f64 / samples as f64;
        assert!((freq - p).abs() < 0.015, "class {class}: {freq} vs {p}");
    }
}
