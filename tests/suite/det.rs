//! Det, compiled and run, against the Leibniz formula (a sum over all
//! permutations, independent of the lowering's elimination): random
//! matrices, a zero leading pivot (needs a row swap), a singular matrix and
//! a permutation matrix with a negative determinant.
#![allow(clippy::unwrap_used)]
use o2l_canon::Op;
use o2l_canon::ops::Linear;
use onnx2linalg::{DType, Graph, Origin, Runner, Tensor};

fn run_det(x: &Tensor) -> Vec<f64> {
    let mut g = Graph::new("det");
    let v = g.add_input("x", x.ty()).unwrap();
    let origin = Origin {
        node: "det".into(),
        op_type: "Det".into(),
        domain: "ai.onnx".into(),
        opset: 22,
        version: 22,
    };
    let y = g.add_node(Op::Linear(Linear::Det), &[v], &origin).unwrap()[0];
    g.outputs.push(y);
    let out = Runner::new(&g)
        .unwrap()
        .run(std::slice::from_ref(x))
        .unwrap();
    out[0].to_f64s()
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut all = Vec::new();
    for p in permutations(n - 1) {
        for at in 0..n {
            let mut q = p.clone();
            q.insert(at, n - 1);
            all.push(q);
        }
    }
    all
}

fn leibniz(a: &[f64], n: usize) -> f64 {
    permutations(n)
        .iter()
        .map(|p| {
            let inversions = (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .filter(|&(i, j)| p[i] > p[j])
                .count();
            let sign = if inversions % 2 == 0 { 1.0 } else { -1.0 };
            sign * (0..n).map(|i| a[i * n + p[i]]).product::<f64>()
        })
        .sum()
}

#[test]
fn det_matches_the_leibniz_formula() {
    let n = 4;
    let mut seed = 12345u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as f64 / (1u64 << 31) as f64) * 2.0 - 1.0
    };
    let mut mats: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..n * n).map(|_| next()).collect())
        .collect();
    // Zero leading pivot: row 0 starts with 0, so row 1 or below must swap up.
    let mut swap = mats[0].clone();
    swap[0] = 0.0;
    mats.push(swap);
    // Singular: column 2 all zero.
    let mut singular = mats[1].clone();
    for r in 0..n {
        singular[r * n + 2] = 0.0;
    }
    mats.push(singular);
    // A permutation matrix of one transposition: det -1.
    let mut perm = vec![0.0; n * n];
    for (r, c) in [(0, 1), (1, 0), (2, 2), (3, 3)] {
        perm[r * n + c] = 1.0;
    }
    mats.push(perm);
    let flat: Vec<f64> = mats.iter().flatten().copied().collect();
    let x = Tensor::from_f64s(DType::F64, vec![mats.len() as u64, 4, 4], &flat).unwrap();
    let got = run_det(&x);
    for (k, m) in mats.iter().enumerate() {
        let want = leibniz(m, n);
        assert!(
            (got[k] - want).abs() <= 1e-12 * (1.0 + want.abs()),
            "matrix {k}: got {}, want {want}",
            got[k]
        );
    }
    assert_eq!(got[4], 0.0, "a zero column gives exactly 0");
    assert_eq!(got[5], -1.0);
}
