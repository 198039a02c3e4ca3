//! A counter-based random generator written with canonical integer ops, so
//! that a random op lowers to ordinary linalg (no host generator, no runtime
//! library): the same key gives the same values on every run, on every
//! executor, and when the shape is known at conversion the draws fold to a
//! constant on the host with the same arithmetic.
//!
//! Draw `i` of a tensor (its row-major element index) under a 64-bit `key` is
//! SplitMix64's output function applied to `key + i * GOLDEN` (wrapping i64
//! arithmetic; logical right shifts are written as an arithmetic shift and a
//! mask, so signed and unsigned shift semantics agree). The top 24 bits (53
//! for f64) make a float in [0, 1); normals come from two such streams by the
//! Box-Muller transform.
use crate::builder::Builder;
use crate::ops::movement::FOLD_MAX_ELEMENTS;
use crate::ops::{Binary, Compare, Elementwise, Movement, Reduce, ReduceKind, Unary};
use crate::{DType, Dim, Error, Op, Result, ValueId};

/// The SplitMix64 increment (2^64 / golden ratio, odd).
pub const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
const MIX1: u64 = 0xbf58_476d_1ce4_e5b9;
const MIX2: u64 = 0x94d0_49bb_1331_11eb;

/// The seed used when a random op names none. Unseeded nodes mix in their
/// node name (`key_for`), so two of them in one model draw different streams,
/// and every conversion of that model draws the same ones.
pub const DEFAULT_SEED: u64 = 0x6f32_6c5f_7365_6564; // "o2l_seed"

/// SplitMix64's output function (a bijection of 64-bit words).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(MIX1);
    z = (z ^ (z >> 27)).wrapping_mul(MIX2);
    z ^ (z >> 31)
}

/// The seed word of a float seed (ONNX's random ops take a float): its
/// integer value when it is one (so `seed = 1.0` and Dropout's integer
/// `seed = 1` agree), else its f32 bits tagged above them.
pub fn float_seed(seed: f32) -> u64 {
    if seed.fract() == 0.0 && seed.abs() < 9.0e18 {
        seed as i64 as u64
    } else {
        u64::from(seed.to_bits()) | 1 << 32
    }
}

/// The generator key of a random op: from its seed word when it has one
/// (`float_seed` for a float seed, an integer seed as is), else from the
/// default seed and `name` (FNV-1a of the node name). `stream` separates the
/// draws one op makes for different purposes.
pub fn key_for(seed: Option<u64>, name: &str, stream: u64) -> u64 {
    let base = match seed {
        Some(s) => s,
        None => {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in name.bytes() {
                h = (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
            DEFAULT_SEED ^ h
        }
    };
    mix64(base ^ mix64(stream.wrapping_add(GOLDEN)))
}

/// The 64 random bits of draw `index` under `key`, on the host: what the ops
/// `random_bits` emits compute.
pub fn host_bits(key: u64, index: u64) -> u64 {
    mix64(key.wrapping_add(index.wrapping_mul(GOLDEN)))
}

/// Mantissa bits a uniform draw computed in `compute` carries.
fn mantissa_bits(compute: DType) -> u32 {
    if compute == DType::F64 { 53 } else { 24 }
}

/// Draw `index` under `key` as a float in [0, 1), on the host, as `uniform01`
/// computes it in `compute` (f32 or f64).
pub fn host_uniform01(key: u64, index: u64, compute: DType) -> f64 {
    let m = mantissa_bits(compute);
    (host_bits(key, index) >> (64 - m)) as f64 / (1u64 << m) as f64
}

/// The dtype random draws for a `target` float type are computed in: f64 for
/// f64, f32 otherwise (half types round the f32 result once at the end).
pub fn compute_dtype(target: DType) -> DType {
    if target == DType::F64 {
        DType::F64
    } else {
        DType::F32
    }
}

/// The row-major index of every element of a tensor of `shape` (i64). Known
/// dims of at most `FOLD_MAX_ELEMENTS` elements give a constant (one iota per
/// axis times its stride, added with broadcasting), so the draws fold; more
/// elements give `Range(0, n)` reshaped to the shape at run time, so large
/// draws are computed, not stored; a symbolic dim needs `like`, a value of
/// that shape, whose run-time size is `n` (`name` names the run-time count).
pub fn element_index(
    b: &mut impl Builder,
    shape: &[Dim],
    like: Option<ValueId>,
    name: &str,
) -> Result<ValueId> {
    let known = shape.iter().map(Dim::known).collect::<Option<Vec<u64>>>();
    let (shape_of, count) = match known {
        Some(dims) => {
            let total = crate::shape::element_count(&dims)?;
            if total <= FOLD_MAX_ELEMENTS {
                return static_index(b, &dims);
            }
            // Larger draws stay run-time ops: a constant would grow the IR by
            // the tensor's size.
            let total = i64::try_from(total)
                .map_err(|_| Error::limit(format!("random draws over {dims:?}")))?;
            let as_i64: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
            let shape_of = b.i64s(vec![dims.len() as u64], &as_i64)?;
            (shape_of, b.i64s(vec![], &[total])?)
        }
        None => {
            let Some(like) = like else {
                return Err(Error::internal(format!(
                    "random draws over the symbolic shape {shape:?} need a value of that shape"
                )));
            };
            let shape_of = b.emit1(Op::Movement(Movement::ShapeOf), &[like])?;
            let count = b.emit1(
                Op::Reduce(Reduce {
                    kind: ReduceKind::Prod,
                    axes: vec![0],
                    keep_dims: false,
                }),
                &[shape_of],
            )?;
            (shape_of, count)
        }
    };
    let rank = shape.len();
    let zero = b.i64s(vec![], &[0])?;
    let one = b.i64s(vec![], &[1])?;
    let flat = b.emit1(
        Op::Movement(Movement::Range {
            count: format!("{name}_elements"),
        }),
        &[zero, count, one],
    )?;
    if rank == 1 && b.ty(flat).shape == shape {
        return Ok(flat);
    }
    b.emit1(
        Op::Movement(Movement::ReshapeTo {
            dims: shape.to_vec(),
            allow_zero: true,
        }),
        &[flat, shape_of],
    )
}

fn static_index(b: &mut impl Builder, dims: &[u64]) -> Result<ValueId> {
    let total = crate::shape::element_count(dims)?;
    if total <= 1 || dims.contains(&0) {
        return b.filled(DType::I64, dims.to_vec(), 0.0);
    }
    if total > i64::MAX as u64 {
        return Err(Error::limit(format!("random draws over {dims:?}")));
    }
    let rank = dims.len();
    let mut acc: Option<ValueId> = None;
    let mut stride: u64 = 1;
    for axis in (0..rank).rev() {
        let d = dims[axis];
        if d > 1 {
            let values: Vec<i64> = (0..d).map(|i| (i * stride) as i64).collect();
            let mut along = vec![1; rank];
            along[axis] = d;
            let iota = b.i64s(along, &values)?;
            acc = Some(match acc {
                None => iota,
                Some(a) => b.binary(Binary::Add, iota, a)?,
            });
        }
        stride = stride.saturating_mul(d);
    }
    match acc {
        Some(a) => Ok(a),
        None => b.filled(DType::I64, dims.to_vec(), 0.0),
    }
}

/// `x >> k` with zeros shifted in, whatever the shift's signedness.
fn shift_right_logical(b: &mut impl Builder, x: ValueId, k: u32) -> Result<ValueId> {
    let by = b.i64s(vec![], &[i64::from(k)])?;
    let shifted = b.binary(Binary::ShiftRight, x, by)?;
    let mask = b.i64s(vec![], &[((1u64 << (64 - k)) - 1) as i64])?;
    b.binary(Binary::And, shifted, mask)
}

/// The 64 random bits (i64) of each draw index in `index` (i64) under `key`:
/// `host_bits` as canonical ops.
pub fn random_bits(b: &mut impl Builder, index: ValueId, key: u64) -> Result<ValueId> {
    let golden = b.i64s(vec![], &[GOLDEN as i64])?;
    let key = b.i64s(vec![], &[key as i64])?;
    let z = b.binary(Binary::Mul, index, golden)?;
    let mut z = b.binary(Binary::Add, z, key)?;
    for (shift, mul) in [(30, Some(MIX1)), (27, Some(MIX2)), (31, None)] {
        let s = shift_right_logical(b, z, shift)?;
        z = b.binary(Binary::Xor, z, s)?;
        if let Some(m) = mul {
            let m = b.i64s(vec![], &[m as i64])?;
            z = b.binary(Binary::Mul, z, m)?;
        }
    }
    Ok(z)
}

/// Floats in [0, 1) of `compute` (f32 or f64), one per draw index in `index`:
/// the top 24 (f32) or 53 (f64) bits of `random_bits`, scaled.
pub fn uniform01(
    b: &mut impl Builder,
    index: ValueId,
    key: u64,
    compute: DType,
) -> Result<ValueId> {
    if !matches!(compute, DType::F32 | DType::F64) {
        return Err(Error::internal(format!(
            "random draws are computed in f32 or f64, not {compute}"
        )));
    }
    let m = mantissa_bits(compute);
    let bits = random_bits(b, index, key)?;
    let top = shift_right_logical(b, bits, 64 - m)?;
    let top = b.cast(top, compute)?;
    let scale = b.scalar(compute, 1.0 / (1u64 << m) as f64)?;
    b.binary(Binary::Mul, top, scale)
}

/// Standard normal draws (`compute`, f32 or f64) by Box-Muller over two
/// uniform streams: `sqrt(-2 ln(1 - u)) * cos(2 pi v)`.
pub fn standard_normal(
    b: &mut impl Builder,
    index: ValueId,
    key: u64,
    compute: DType,
) -> Result<ValueId> {
    let u = uniform01(b, index, key, compute)?;
    let v = uniform01(b, index, mix64(key ^ GOLDEN), compute)?;
    let one = b.scalar(compute, 1.0)?;
    let u = b.binary(Binary::Sub, one, u)?; // (0, 1]: the log is finite
    let ln = b.unary(Unary::Log, u)?;
    let minus_two = b.scalar(compute, -2.0)?;
    let r2 = b.binary(Binary::Mul, ln, minus_two)?;
    let r = b.unary(Unary::Sqrt, r2)?;
    let tau = b.scalar(compute, std::f64::consts::TAU)?;
    let theta = b.binary(Binary::Mul, v, tau)?;
    let c = b.unary(Unary::Cos, theta)?;
    b.binary(Binary::Mul, r, c)
}

/// What a random tensor's draws are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Uniform in [low, high).
    Uniform { low: f64, high: f64 },
    /// Normal with this mean and standard deviation.
    Normal { mean: f64, scale: f64 },
}

/// A tensor of `dtype` (a float type) and `shape` drawn from `dist` under
/// `key`; `like` (a value of that shape) is needed when a dim is symbolic,
/// `name` names the run-time element count then.
pub fn random_tensor(
    b: &mut impl Builder,
    dist: Distribution,
    dtype: DType,
    shape: &[Dim],
    like: Option<ValueId>,
    key: u64,
    name: &str,
) -> Result<ValueId> {
    if !dtype.is_float() || dtype.is_narrow() {
        return Err(Error::unsupported(format!(
            "random draws of {dtype} (f16, bf16, f32 and f64 are)"
        )));
    }
    let compute = compute_dtype(dtype);
    let index = element_index(b, shape, like, name)?;
    let (draws, offset, width) = match dist {
        Distribution::Uniform { low, high } => {
            (uniform01(b, index, key, compute)?, low, high - low)
        }
        Distribution::Normal { mean, scale } => {
            (standard_normal(b, index, key, compute)?, mean, scale)
        }
    };
    let mut y = draws;
    if width != 1.0 {
        let w = b.scalar(compute, width)?;
        y = b.binary(Binary::Mul, y, w)?;
    }
    if offset != 0.0 {
        let o = b.scalar(compute, offset)?;
        y = b.binary(Binary::Add, y, o)?;
    }
    b.cast(y, dtype)
}

/// Bool draws, true with probability `p` (a float tensor; each element its own
/// probability): `uniform < p`.
pub fn bernoulli(b: &mut impl Builder, p: ValueId, key: u64, name: &str) -> Result<ValueId> {
    let t = b.ty(p);
    if !t.dtype.is_float() || t.dtype.is_narrow() {
        return Err(Error::unsupported(format!(
            "Bernoulli probabilities of {} (f16, bf16, f32 and f64 are)",
            t.dtype
        )));
    }
    let compute = compute_dtype(t.dtype);
    let index = element_index(b, &t.shape, Some(p), name)?;
    let u = uniform01(b, index, key, compute)?;
    let p = b.cast(p, compute)?;
    b.compare(Compare::Less, u, p)
}

/// Class indices (i64, [batch, samples]) drawn from the categorical
/// distributions whose unnormalised log-probabilities are the rows of
/// `logits` ([batch, classes], classes known): draw `u` in [0, 1), scaled by
/// the row's sum of `exp(x - max)`, picks the number of classes whose running
/// sum is <= it (at most classes - 1). A symbolic batch counts its draws at
/// run time (`name` names the count).
pub fn multinomial(
    b: &mut impl Builder,
    logits: ValueId,
    samples: u64,
    key: u64,
    name: &str,
) -> Result<ValueId> {
    let t = b.ty(logits);
    let [batch, Dim::Known(classes)] = t.shape.as_slice() else {
        return Err(Error::invalid(format!(
            "Multinomial takes [batch, classes] with the classes known, got {t}"
        )));
    };
    let (batch, classes) = (batch.clone(), *classes);
    if classes == 0 || samples == 0 || !t.dtype.is_float() || t.dtype.is_narrow() {
        return Err(Error::invalid(format!(
            "Multinomial takes f16, bf16, f32 or f64 logits over at least one class and draws at least one sample, got {t} and {samples} samples"
        )));
    }
    let compute = compute_dtype(t.dtype);
    let along_classes = |kind| {
        Op::Reduce(Reduce {
            kind,
            axes: vec![1],
            keep_dims: true,
        })
    };
    let xs = b.cast(logits, compute)?;
    let m = b.emit1(along_classes(ReduceKind::Max), &[xs])?;
    let shifted = b.binary(Binary::Sub, xs, m)?;
    let e = b.unary(Unary::Exp, shifted)?;
    let total = b.emit1(along_classes(ReduceKind::Sum), &[e])?; // [batch, 1]
    let running = b.emit1(
        along_classes(ReduceKind::CumSum {
            exclusive: false,
            reverse: false,
        }),
        &[e],
    )?;
    // A value of the draws' shape [batch, samples]: column 0 plus zeros.
    let column = b.i64s(vec![1], &[0])?;
    let first = b.emit1(Op::Movement(Movement::Gather { axis: 1 }), &[xs, column])?;
    let zeros = b.filled(compute, vec![1, samples], 0.0)?;
    let like = b.binary(Binary::Add, first, zeros)?;
    let shape = vec![batch.clone(), Dim::Known(samples)];
    let index = element_index(b, &shape, Some(like), name)?;
    let u = uniform01(b, index, key, compute)?;
    let target = b.binary(Binary::Mul, u, total)?;
    let target = b.reshape(
        target,
        vec![batch.clone(), Dim::Known(samples), Dim::Known(1)],
    )?;
    let running = b.reshape(running, vec![batch, Dim::Known(1), Dim::Known(classes)])?;
    let below = b.compare(Compare::LessOrEqual, running, target)?;
    let below = b.cast(below, DType::I64)?;
    let count = b.emit1(
        Op::Reduce(Reduce {
            kind: ReduceKind::Sum,
            axes: vec![2],
            keep_dims: false,
        }),
        &[below],
    )?;
    let last = b.i64s(vec![], &[classes as i64 - 1])?;
    b.binary(Binary::Min, count, last)
}

/// `cond ? x : y`.
pub fn select(b: &mut impl Builder, cond: ValueId, x: ValueId, y: ValueId) -> Result<ValueId> {
    b.emit1(Op::Elementwise(Elementwise::Select), &[cond, x, y])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Graph, Origin, Tensor};

    /// A Builder over a bare graph, with room to fold large results.
    struct G {
        g: Graph,
        origin: Origin,
        n: usize,
    }

    impl G {
        fn new() -> Self {
            let mut g = Graph::new("t");
            g.limits.max_fold_bytes = 1 << 30;
            G {
                g,
                origin: Origin {
                    node: "rand".into(),
                    op_type: "RandomUniform".into(),
                    domain: "ai.onnx".into(),
                    opset: 22,
                    version: 22,
                },
                n: 0,
            }
        }
        fn folded(&self, v: ValueId) -> Tensor {
            self.g.constant(v).cloned().expect("folded")
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

    fn known(dims: &[u64]) -> Vec<Dim> {
        dims.iter().map(|&d| Dim::Known(d)).collect()
    }

    fn mean_var(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        (mean, var)
    }

    #[test]
    fn the_ops_compute_the_host_generator() {
        let key = key_for(Some(3), "", 0);
        let mut b = G::new();
        let idx = element_index(&mut b, &known(&[4, 5, 6]), None, "r").unwrap();
        assert_eq!(
            b.folded(idx).to_i64s(),
            (0..120).collect::<Vec<i64>>(),
            "row-major element indices"
        );
        let bits = random_bits(&mut b, idx, key).unwrap();
        let want: Vec<i64> = (0..120).map(|i| host_bits(key, i) as i64).collect();
        assert_eq!(b.folded(bits).to_i64s(), want);
        // SplitMix64's published first outputs for seed 0 (state advanced
        // before mixing): index 1 under key 0.
        assert_eq!(host_bits(0, 1), 0xe220_a839_7b1d_cdaf);
        assert_eq!(host_bits(0, 2), 0x6e78_9e6a_a1b9_65f4);
        for compute in [DType::F32, DType::F64] {
            let u = uniform01(&mut b, idx, key, compute).unwrap();
            let want: Vec<f64> = (0..120).map(|i| host_uniform01(key, i, compute)).collect();
            assert_eq!(b.folded(u).to_f64s(), want, "{compute}");
        }
    }

    #[test]
    fn uniform_and_normal_statistics_over_the_largest_folded_draws() {
        // 2^16 draws, the most that fold (the JIT test in tests/suite/random.rs
        // takes 1e5 at run time).
        let n = FOLD_MAX_ELEMENTS;
        for dtype in [DType::F32, DType::F64, DType::F16] {
            let mut b = G::new();
            let key = key_for(None, "stats", 0);
            let dist = Distribution::Uniform {
                low: -1.0,
                high: 3.0,
            };
            let u = random_tensor(&mut b, dist, dtype, &known(&[n]), None, key, "u").unwrap();
            let t = b.folded(u);
            assert_eq!(t.dtype, dtype);
            let v = t.to_f64s();
            assert!(v.iter().all(|&x| (-1.0..=3.0).contains(&x)), "{dtype}");
            // Uniform on [-1, 3): mean 1, variance 16/12; the standard error of
            // the mean is ~0.0045 and of the variance ~0.005.
            let (mean, var) = mean_var(&v);
            assert!((mean - 1.0).abs() < 0.02, "{dtype}: mean {mean}");
            assert!((var - 16.0 / 12.0).abs() < 0.03, "{dtype}: var {var}");
            // Every tenth of the range holds about a tenth of the draws.
            let mut bins = [0u64; 10];
            for &x in &v {
                bins[(((x + 1.0) / 4.0 * 10.0) as usize).min(9)] += 1;
            }
            assert!(bins.iter().all(|&c| c.abs_diff(n / 10) < 400), "{bins:?}");

            let dist = Distribution::Normal {
                mean: 2.0,
                scale: 0.5,
            };
            let z = random_tensor(&mut b, dist, dtype, &known(&[n]), None, key, "z").unwrap();
            let v = b.folded(z).to_f64s();
            assert!(v.iter().all(|x| x.is_finite()));
            let (mean, var) = mean_var(&v);
            assert!((mean - 2.0).abs() < 0.01, "{dtype}: mean {mean}");
            assert!((var - 0.25).abs() < 0.01, "{dtype}: var {var}");
            // About 68.3% within one standard deviation.
            let within = v.iter().filter(|&&x| (x - 2.0).abs() < 0.5).count() as f64 / n as f64;
            assert!((within - 0.6827).abs() < 0.01, "{dtype}: {within}");
        }
    }

    #[test]
    fn bernoulli_frequency_follows_p() {
        let mut b = G::new();
        let n = 65_535usize;
        let ps = [0.0, 0.1, 0.5, 0.9, 1.0];
        let p: Vec<f64> = (0..n).map(|i| ps[i % ps.len()]).collect();
        let pv = b
            .constant(Tensor::from_f64s(DType::F32, vec![n as u64], &p).unwrap())
            .unwrap();
        let y = bernoulli(&mut b, pv, key_for(Some(0), "", 0), "b").unwrap();
        let t = b.folded(y);
        assert_eq!(t.dtype, DType::Bool);
        let y = t.to_i64s();
        for (k, &pk) in ps.iter().enumerate() {
            let hits: Vec<i64> = y.iter().skip(k).step_by(ps.len()).copied().collect();
            let freq = hits.iter().sum::<i64>() as f64 / hits.len() as f64;
            // 13,107 draws each: the standard error is at most 0.0044.
            assert!((freq - pk).abs() < 0.015, "p {pk}: frequency {freq}");
        }
    }

    #[test]
    fn same_key_same_draws_other_key_other_draws() {
        let draw = |seed: Option<u64>, name: &str| {
            let mut b = G::new();
            let key = key_for(seed, name, 0);
            let dist = Distribution::Uniform {
                low: 0.0,
                high: 1.0,
            };
            let v = random_tensor(&mut b, dist, DType::F32, &known(&[3, 7]), None, key, "r");
            b.folded(v.unwrap()).to_f64s()
        };
        assert_eq!(draw(Some(1), "a"), draw(Some(1), "b"), "a seed decides");
        assert_ne!(draw(Some(1), "a"), draw(Some(float_seed(1.5)), "a"));
        assert_eq!(float_seed(1.0), 1);
        assert_ne!(float_seed(1.5), float_seed(1.25));
        assert_eq!(draw(None, "a"), draw(None, "a"), "the default is fixed");
        assert_ne!(draw(None, "a"), draw(None, "b"), "unseeded nodes differ");
        // Streams of one op differ.
        assert_ne!(key_for(Some(1), "", 0), key_for(Some(1), "", 1));
    }

    #[test]
    fn symbolic_shapes_draw_at_run_time_over_the_like_value() {
        let mut b = G::new();
        let shape = vec![Dim::Symbol("n".into()), Dim::Known(3)];
        let x =
            b.g.add_input("x", crate::TensorType::new(DType::F16, shape.clone()))
                .unwrap();
        let key = key_for(None, "x", 0);
        let dist = Distribution::Normal {
            mean: 0.0,
            scale: 1.0,
        };
        let y = random_tensor(&mut b, dist, DType::F16, &shape, Some(x), key, "r").unwrap();
        assert_eq!(b.ty(y).shape, shape);
        assert_eq!(b.ty(y).dtype, DType::F16);
        assert!(b.graph().constant(y).is_none());
        let names: Vec<&str> = b.g.nodes.iter().map(|n| n.op.name()).collect();
        assert!(
            names.starts_with(&["ShapeOf", "ReduceProd", "Range", "ReshapeTo"]),
            "{names:?}"
        );
        // Static draws past the fold limit are computed at run time too.
        let big = known(&[300, 300]);
        let y = random_tensor(&mut b, dist, DType::F32, &big, None, key, "big").unwrap();
        assert!(b.graph().constant(y).is_none());
        assert_eq!(b.ty(y).shape, big);
        // Without a value of the shape there is nothing to count.
        let e = random_tensor(&mut b, dist, DType::F32, &shape, None, key, "r").unwrap_err();
        assert!(e.to_string().contains("symbolic"), "{e}");
        // Integer draws are refused by name.
        let e = random_tensor(&mut b, dist, DType::I32, &known(&[2]), None, key, "r").unwrap_err();
        assert!(e.to_string().contains("i32"), "{e}");
    }
}
