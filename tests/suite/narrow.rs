//! The narrow types' conversions, compiled and run, against the host codec
//! (`o2l_canon::narrow`): every float8/float4 code decoded, a sweep of f32
//! values (ties, subnormals, overflow, inf, NaN) encoded with and without
//! saturation, e8m0 in its three rounding modes, int4/int2 wrapping.
#![allow(clippy::unwrap_used)]
use o2l_canon::Op;
use o2l_canon::narrow::{E8M0Round, e8m0_decode, e8m0_encode, mini_float, wrap_int};
use o2l_canon::ops::Elementwise;
use onnx2linalg::{DType, Graph, Origin, Runner, Tensor};

fn origin() -> Origin {
    Origin {
        node: "cast".into(),
        op_type: "Cast".into(),
        domain: "ai.onnx".into(),
        opset: 25,
        version: 25,
    }
}

/// Runs `Cast(x)` with the given options on the JIT.
fn run_cast(x: &Tensor, to: DType, saturate: bool, e8m0: E8M0Round) -> Tensor {
    let mut g = Graph::new("cast");
    let v = g.add_input("x", x.ty()).unwrap();
    let op = Op::Elementwise(Elementwise::Cast { to, saturate, e8m0 });
    let y = g.add_node(op, &[v], &origin()).unwrap()[0];
    g.outputs.push(y);
    let runner = Runner::new(&g).unwrap();
    let mut out = runner.run(std::slice::from_ref(x)).unwrap();
    out.remove(0)
}

fn codes(d: DType) -> Tensor {
    let all: Vec<u8> = (0..=255u8).collect();
    Tensor::new(d, vec![256], all.into()).unwrap()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
}

fn sweep() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e-7,
        1e6,
        -1e6,
        448.0,
        464.0,
        480.0,
        57344.0,
        61440.0,
        240.0,
        6.0,
        7.0,
        0.25,
        0.75,
        1.25,
        1.75,
    ];
    // Powers of two and the midpoints around them, across every format's range.
    for e in -20..=17 {
        let p = 2f64.powi(e);
        for k in [
            1.0, 1.0625, 1.125, 1.1875, 1.25, 1.375, 1.5, 1.625, 1.75, 1.875, 1.9375,
        ] {
            v.push(p * k);
            v.push(-p * k);
        }
    }
    v
}

#[test]
fn float8_and_float4_codes_decode_like_the_host() {
    for d in [
        DType::F8E4M3FN,
        DType::F8E4M3FNUZ,
        DType::F8E5M2,
        DType::F8E5M2FNUZ,
        DType::F4E2M1,
    ] {
        let f = mini_float(d).unwrap();
        let x = if d == DType::F4E2M1 {
            Tensor::new(d, vec![16], (0..16u8).collect::<Vec<_>>().into()).unwrap()
        } else {
            codes(d)
        };
        let got = run_cast(&x, DType::F32, true, E8M0Round::Up).to_f64s();
        for (c, g) in x.data.iter().zip(got) {
            assert!(
                same(g, f.decode(*c)),
                "{d} code {c:#x}: got {g}, host {}",
                f.decode(*c)
            );
        }
    }
    let got = run_cast(&codes(DType::F8E8M0), DType::F32, true, E8M0Round::Up).to_f64s();
    for (c, g) in (0..=255u8).zip(got) {
        assert!(same(g, e8m0_decode(c)), "e8m0 code {c:#x}: got {g}");
    }
}

#[test]
fn f32_values_encode_like_the_host_with_and_without_saturation() {
    let values = sweep();
    let x = Tensor::from_f64s(DType::F32, vec![values.len() as u64], &values).unwrap();
    for d in [
        DType::F8E4M3FN,
        DType::F8E4M3FNUZ,
        DType::F8E5M2,
        DType::F8E5M2FNUZ,
        DType::F4E2M1,
    ] {
        let f = mini_float(d).unwrap();
        for saturate in [true, false] {
            let got = run_cast(&x, d, saturate, E8M0Round::Up);
            for (v, c) in values.iter().zip(got.data.iter()) {
                let want = f.encode(*v, saturate);
                assert_eq!(
                    *c, want,
                    "{d} saturate={saturate} of {v}: got {c:#x}, host {want:#x}"
                );
            }
        }
    }
    for round in [E8M0Round::Up, E8M0Round::Down, E8M0Round::Nearest] {
        for saturate in [true, false] {
            let got = run_cast(&x, DType::F8E8M0, saturate, round);
            for (v, c) in values.iter().zip(got.data.iter()) {
                let want = e8m0_encode(v.abs(), saturate, round);
                assert_eq!(*c, want, "e8m0 {round:?} saturate={saturate} of {v}");
            }
        }
    }
}

#[test]
fn narrow_ints_wrap_from_ints_and_truncated_floats() {
    let ints: Vec<i64> = (-20..20).collect();
    let xi = Tensor::from_i64s(DType::I32, vec![ints.len() as u64], &ints).unwrap();
    let floats: Vec<f64> = ints.iter().map(|&i| i as f64 + 0.7).collect();
    let xf = Tensor::from_f64s(DType::F32, vec![floats.len() as u64], &floats).unwrap();
    for d in [DType::I4, DType::U4, DType::I2, DType::U2] {
        let (bits, signed) = o2l_canon::narrow::narrow_int_bits(d).unwrap();
        let got = run_cast(&xi, d, true, E8M0Round::Up).to_i64s();
        let want: Vec<i64> = ints.iter().map(|&i| wrap_int(i, bits, signed)).collect();
        assert_eq!(got, want, "{d} from i32");
        let got = run_cast(&xf, d, true, E8M0Round::Up).to_i64s();
        let want: Vec<i64> = floats
            .iter()
            .map(|&f| wrap_int(f as i64, bits, signed))
            .collect();
        assert_eq!(got, want, "{d} from f32");
        // And back: the value as an i8.
        let narrow = Tensor::from_i64s(d, vec![ints.len() as u64], &ints).unwrap();
        let back = run_cast(&narrow, DType::I8, true, E8M0Round::Up).to_i64s();
        assert_eq!(back, narrow.to_i64s(), "{d} to i8");
    }
}
