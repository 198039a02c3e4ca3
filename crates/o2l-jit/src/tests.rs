//! JIT tests over hand-written linalg-on-tensors modules.
use super::*;
use o2l_canon::{DType, Dim, Tensor, TensorType};

fn f32s(dims: &[u64], v: &[f64]) -> Tensor {
    Tensor::from_f64s(DType::F32, dims.to_vec(), v).unwrap()
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
}

const ADD: &str = r#"
func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %r = linalg.add ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}"#;

#[test]
fn adds_two_tensors() {
    let c = compile(ADD, "add").unwrap();
    let a = f32s(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let b = f32s(&[2, 3], &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
    let ty = TensorType::of_known(DType::F32, &[2, 3]);
    let out = c
        .run(&[a.clone(), b.clone()], std::slice::from_ref(&ty))
        .unwrap();
    assert_eq!(out[0].to_f64s(), vec![11.0, 22.0, 33.0, 44.0, 55.0, 66.0]);
    // A second call on the same engine.
    let out = c.run(&[b, a], &[ty]).unwrap();
    assert_eq!(out[0].dims, vec![2, 3]);
}

#[test]
fn rejects_wrong_inputs_with_the_expected_types() {
    let c = compile(ADD, "add").unwrap();
    let ty = TensorType::of_known(DType::F32, &[2, 3]);
    let a = f32s(&[3, 2], &[0.0; 6]);
    let e = c
        .run(&[a.clone(), a.clone()], std::slice::from_ref(&ty))
        .unwrap_err();
    assert!(e.message.contains("expected tensor<2x3xf32>"), "{e}");
    let e = c.run(&[a], &[ty]).unwrap_err();
    assert!(e.message.contains("takes 2 inputs"), "{e}");
}

#[test]
fn parse_errors_carry_diagnostics() {
    let e = compile("func.func @f( {", "f").err().unwrap();
    assert_eq!(e.kind, o2l_canon::ErrorKind::Verification);
    assert!(e.message.contains("cannot parse"), "{e}");
    let e = compile(ADD, "nope").err().unwrap();
    assert!(e.message.contains("no func.func named"), "{e}");
}

const MANY: &str = r#"
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @main(%a: tensor<2x3xf32>, %h: tensor<2x3xf16>, %b: tensor<2x3xbf16>, %c: tensor<2x3xi1>, %d: tensor<?x3xf32>)
      -> (tensor<2x3xf32>, tensor<2x3xf16>, tensor<2x3xbf16>, tensor<2x3xi1>, tensor<2x3xf32>, tensor<4x5xf32>,
          tensor<4x3xf32>, tensor<3xi64>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<f64>) {
    %e = tensor.empty() : tensor<2x3xf32>
    %i3 = arith.constant 3 : i32
    %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
        ins(%a : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
    ^bb0(%x: f32, %o: f32):
      %1 = math.exp %x : f32
      %2 = math.tanh %1 : f32
      %3 = math.erf %2 : f32
      %4 = arith.maximumf %3, %x : f32
      %5 = math.fpowi %4, %i3 : f32, i32
      linalg.yield %5 : f32
    } -> tensor<2x3xf32>
    %eh = tensor.empty() : tensor<2x3xf16>
    %rh = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
        ins(%h : tensor<2x3xf16>) outs(%eh : tensor<2x3xf16>) {
    ^bb0(%x: f16, %o: f16):
      %1 = math.erf %x : f16
      %2 = math.tanh %1 : f16
      %3 = arith.addf %2, %x : f16
      linalg.yield %3 : f16
    } -> tensor<2x3xf16>
    %eb = tensor.empty() : tensor<2x3xbf16>
    %rb = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
        ins(%b : tensor<2x3xbf16>) outs(%eb : tensor<2x3xbf16>) {
    ^bb0(%x: bf16, %o: bf16):
      %1 = arith.mulf %x, %x : bf16
      %2 = math.exp %1 : bf16
      linalg.yield %2 : bf16
    } -> tensor<2x3xbf16>
    %ec = tensor.empty() : tensor<2x3xi1>
    %rc = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]}
        ins(%c : tensor<2x3xi1>) outs(%ec : tensor<2x3xi1>) {
    ^bb0(%x: i1, %o: i1):
      %t = arith.constant true
      %1 = arith.xori %x, %t : i1
      linalg.yield %1 : i1
    } -> tensor<2x3xi1>
    %cst = arith.constant dense_resource<w> : tensor<2x3xf32>
    %zero = arith.constant 0.0 : f32
    %p = tensor.pad %a low[1, 1] high[1, 1] {
    ^bb0(%i: index, %j: index):
      tensor.yield %zero : f32
    } : tensor<2x3xf32> to tensor<4x5xf32>
    %cc = tensor.concat dim(0) %a, %cst : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
    %c1 = arith.constant 1 : i64
    %c2 = arith.constant 2 : i64
    %fe = tensor.from_elements %c1, %c2, %c1 : tensor<3xi64>
    %cst2 = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
    %et = tensor.empty() : tensor<3x2xf32>
    %tr = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%et : tensor<3x2xf32>) permutation = [1, 0]
    %s0 = arith.constant dense<2.5> : tensor<f64>
    return %r, %rh, %rb, %rc, %cst, %p, %cc, %fe, %a, %d, %cst2, %tr, %s0
      : tensor<2x3xf32>, tensor<2x3xf16>, tensor<2x3xbf16>, tensor<2x3xi1>, tensor<2x3xf32>, tensor<4x5xf32>,
        tensor<4x3xf32>, tensor<3xi64>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<f64>
  }
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}
"#;

#[test]
fn runs_math_low_precision_bools_resources_aliases_and_dynamic_results() {
    let c = compile(MANY, "main").unwrap();
    let av = [-1.0, -0.5, 0.0, 0.25, 0.5, 1.0];
    let a = f32s(&[2, 3], &av);
    let h = Tensor::from_f64s(DType::F16, vec![2, 3], &av).unwrap();
    let b = Tensor::from_f64s(DType::BF16, vec![2, 3], &av).unwrap();
    let bools = Tensor::from_i64s(DType::Bool, vec![2, 3], &[1, 0, 1, 0, 0, 1]).unwrap();
    let d = f32s(&[4, 3], &(0..12).map(|i| i as f64).collect::<Vec<_>>());
    let k = |dt, dims: &[u64]| TensorType::of_known(dt, dims);
    let outs = vec![
        k(DType::F32, &[2, 3]),
        k(DType::F16, &[2, 3]),
        k(DType::BF16, &[2, 3]),
        k(DType::Bool, &[2, 3]),
        k(DType::F32, &[2, 3]),
        k(DType::F32, &[4, 5]),
        k(DType::F32, &[4, 3]),
        k(DType::I64, &[3]),
        k(DType::F32, &[2, 3]),
        TensorType::new(DType::F32, vec![Dim::Symbol("n".into()), Dim::Known(3)]),
        k(DType::F32, &[2, 3]),
        k(DType::F32, &[3, 2]),
        k(DType::F64, &[]),
    ];
    let r = c.run(&[a.clone(), h, b, bools, d.clone()], &outs).unwrap();
    let erf = |x: f64| {
        // Abramowitz-Stegun 7.1.26, good to 1e-7.
        let t = 1.0 / (1.0 + 0.3275911 * x.abs());
        let y = 1.0
            - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                + 0.254829592)
                * t
                * (-x * x).exp();
        y.copysign(x)
    };
    let want0: Vec<f64> = av
        .iter()
        .map(|&x| erf(x.exp().tanh()).max(x).powi(3))
        .collect();
    assert!(close(&r[0].to_f64s(), &want0, 1e-5), "{:?}", r[0].to_f64s());
    let want1: Vec<f64> = av.iter().map(|&x| erf(x).tanh() + x).collect();
    assert!(close(&r[1].to_f64s(), &want1, 2e-3), "{:?}", r[1].to_f64s());
    let want2: Vec<f64> = av.iter().map(|&x| (x * x).exp()).collect();
    assert!(close(&r[2].to_f64s(), &want2, 1e-2), "{:?}", r[2].to_f64s());
    assert_eq!(r[3].to_i64s(), vec![0, 1, 0, 1, 1, 0]);
    assert_eq!(r[4].to_f64s(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let p = r[5].to_f64s();
    assert_eq!(&p[0..5], &[0.0; 5]);
    assert_eq!(&p[5..10], &[0.0, -1.0, -0.5, 0.0, 0.0]);
    assert_eq!(r[6].to_f64s()[9..], [4.0, 5.0, 6.0]);
    assert_eq!(r[7].to_i64s(), vec![1, 2, 1]);
    assert_eq!(r[8], a);
    assert_eq!(r[9], d);
    assert_eq!(r[10].to_f64s(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(r[11].to_f64s(), vec![-1.0, 0.25, -0.5, 0.5, 0.0, 1.0]);
    assert_eq!(r[12].to_f64s(), vec![2.5]);
    assert!(r[12].dims.is_empty());
}

/// Every scalar math/arith float op the lowering may emit, in one generic with
/// one output per op, for element type `t`. Returns the text and the op names.
fn float_ops_module(t: &str) -> (String, Vec<&'static str>) {
    let unary = [
        "math.sin",
        "math.cos",
        "math.tan",
        "math.asin",
        "math.acos",
        "math.atan",
        "math.sinh",
        "math.cosh",
        "math.asinh",
        "math.acosh",
        "math.atanh",
        "math.erf",
        "math.exp",
        "math.exp2",
        "math.log",
        "math.log2",
        "math.log10",
        "math.log1p",
        "math.expm1",
        "math.sqrt",
        "math.rsqrt",
        "math.round",
        "math.roundeven",
        "math.floor",
        "math.ceil",
        "math.trunc",
        "math.absf",
        "math.tanh",
        "math.cbrt",
        "arith.negf",
    ];
    let binary = [
        "math.powf",
        "math.atan2",
        "math.copysign",
        "arith.remf",
        "arith.maximumf",
        "arith.minimumf",
        "arith.maxnumf",
        "arith.minnumf",
        "arith.divf",
    ];
    let n = unary.len() + binary.len() + 2;
    let ty = format!("tensor<4x{t}>");
    let outs = vec![ty.as_str(); n].join(", ");
    let mut s = format!("func.func @main(%x: {ty}) -> ({outs}) {{\n");
    for i in 0..n {
        s += &format!("  %e{i} = tensor.empty() : {ty}\n");
    }
    let maps = vec!["affine_map<(d0) -> (d0)>"; n + 1].join(", ");
    let inits: Vec<String> = (0..n).map(|i| format!("%e{i}")).collect();
    s += &format!(
        "  %r:{n} = linalg.generic {{indexing_maps = [{maps}], iterator_types = [\"parallel\"]}} ins(%x : {ty}) outs({} : {outs}) {{\n",
        inits.join(", ")
    );
    let args: Vec<String> = (0..n).map(|i| format!("%o{i}: {t}")).collect();
    s += &format!("  ^bb0(%a: {t}, {}):\n", args.join(", "));
    let mut ys = Vec::new();
    let mut names = Vec::new();
    for (i, op) in unary.iter().enumerate() {
        s += &format!("    %u{i} = {op} %a : {t}\n");
        ys.push(format!("%u{i}"));
        names.push(*op);
    }
    for (i, op) in binary.iter().enumerate() {
        s += &format!("    %b{i} = {op} %a, %a : {t}\n");
        ys.push(format!("%b{i}"));
        names.push(*op);
    }
    s += &format!("    %c3 = arith.constant 3 : i32\n    %p = math.fpowi %a, %c3 : {t}, i32\n");
    s += &format!("    %fi = arith.fptosi %a : {t} to i32\n    %ip = math.ipowi %fi, %c3 : i32\n");
    s += &format!("    %ipf = arith.sitofp %ip : i32 to {t}\n");
    ys.push("%p".into());
    ys.push("%ipf".into());
    names.push("math.fpowi");
    names.push("math.ipowi");
    s += &format!(
        "    linalg.yield {} : {}\n",
        ys.join(", "),
        vec![t; n].join(", ")
    );
    let results: Vec<String> = (0..n).map(|i| format!("%r#{i}")).collect();
    s += &format!(
        "  }} -> ({outs})\n  return {} : {outs}\n}}\n",
        results.join(", ")
    );
    (s, names)
}

#[test]
fn every_float_math_op_links_and_runs_in_every_float_type() {
    for (t, dtype, tol) in [
        ("f32", DType::F32, 1e-5),
        ("f64", DType::F64, 1e-12),
        ("f16", DType::F16, 2e-3),
        ("bf16", DType::BF16, 1e-2),
    ] {
        let (text, names) = float_ops_module(t);
        let c = compile(&text, "main").unwrap_or_else(|e| panic!("{t}: {e}"));
        let xs = [0.25, 0.5, 0.75, 2.0];
        let x = Tensor::from_f64s(dtype, vec![4], &xs).unwrap();
        let x_used = x.to_f64s();
        let outs = vec![TensorType::of_known(dtype, &[4]); names.len()];
        let r = c.run(&[x], &outs).unwrap();
        let reference = |op: &str, a: f64| -> Option<f64> {
            Some(match op {
                "math.sin" => a.sin(),
                "math.atan" => a.atan(),
                "math.exp" => a.exp(),
                "math.log1p" => a.ln_1p(),
                "math.cbrt" => a.cbrt(),
                "math.tanh" => a.tanh(),
                "math.round" => a.round(),
                "math.atan2" => a.atan2(a),
                "math.powf" => a.powf(a),
                "math.fpowi" => a.powi(3),
                "math.ipowi" => (a.trunc() as i64).pow(3) as f64,
                "arith.remf" => a % a,
                _ => return None,
            })
        };
        for (k, op) in names.iter().enumerate() {
            let got = r[k].to_f64s();
            for (g, &a) in got.iter().zip(&x_used) {
                if let Some(want) = reference(op, a) {
                    assert!(
                        (g - want).abs() <= tol * (1.0 + want.abs()),
                        "{t} {op}({a}) = {g}, expected {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn integer_ops_link_and_run_at_every_width() {
    let binary = [
        "arith.addi",
        "arith.subi",
        "arith.muli",
        "arith.divsi",
        "arith.divui",
        "arith.remsi",
        "arith.remui",
        "arith.ceildivsi",
        "arith.floordivsi",
        "arith.ceildivui",
        "arith.maxsi",
        "arith.minsi",
        "arith.maxui",
        "arith.minui",
        "arith.shli",
        "arith.shrsi",
        "arith.shrui",
        "arith.andi",
        "arith.ori",
        "arith.xori",
    ];
    let unary = ["math.absi", "math.ctlz", "math.cttz", "math.ctpop"];
    for (t, dtype) in [
        ("i8", DType::I8),
        ("i16", DType::I16),
        ("i32", DType::I32),
        ("i64", DType::I64),
    ] {
        let n = binary.len() + unary.len() + 2;
        let ty = format!("tensor<4x{t}>");
        let outs = vec![ty.as_str(); n].join(", ");
        let mut s = format!("func.func @main(%x: {ty}, %y: {ty}) -> ({outs}) {{\n");
        for i in 0..n {
            s += &format!("  %e{i} = tensor.empty() : {ty}\n");
        }
        let maps = vec!["affine_map<(d0) -> (d0)>"; n + 2].join(", ");
        let inits: Vec<String> = (0..n).map(|i| format!("%e{i}")).collect();
        s += &format!(
            "  %r:{n} = linalg.generic {{indexing_maps = [{maps}], iterator_types = [\"parallel\"]}} ins(%x, %y : {ty}, {ty}) outs({} : {outs}) {{\n",
            inits.join(", ")
        );
        let args: Vec<String> = (0..n).map(|i| format!("%o{i}: {t}")).collect();
        s += &format!("  ^bb0(%a: {t}, %b: {t}, {}):\n", args.join(", "));
        let mut ys = Vec::new();
        for (i, op) in binary.iter().enumerate() {
            s += &format!("    %b{i} = {op} %a, %b : {t}\n");
            ys.push(format!("%b{i}"));
        }
        for (i, op) in unary.iter().enumerate() {
            s += &format!("    %u{i} = {op} %a : {t}\n");
            ys.push(format!("%u{i}"));
        }
        s += &format!(
            "    %lt = arith.cmpi slt, %a, %b : {t}\n    %sel = arith.select %lt, %a, %b : {t}\n"
        );
        s += &format!(
            "    %f = arith.uitofp %a : {t} to f32\n    %g = arith.fptoui %f : f32 to {t}\n"
        );
        ys.push("%sel".into());
        ys.push("%g".into());
        s += &format!(
            "    linalg.yield {} : {}\n",
            ys.join(", "),
            vec![t; n].join(", ")
        );
        let results: Vec<String> = (0..n).map(|i| format!("%r#{i}")).collect();
        s += &format!(
            "  }} -> ({outs})\n  return {} : {outs}\n}}\n",
            results.join(", ")
        );
        let c = compile(&s, "main").unwrap_or_else(|e| panic!("{t}: {e}"));
        let x = Tensor::from_i64s(dtype, vec![4], &[7, -7, 100, 1]).unwrap();
        let y = Tensor::from_i64s(dtype, vec![4], &[2, 2, -3, 1]).unwrap();
        let r = c
            .run(&[x, y], &vec![TensorType::of_known(dtype, &[4]); n])
            .unwrap();
        assert_eq!(r[3].to_i64s(), vec![3, -3, -33, 1], "{t} divsi");
        assert_eq!(r[5].to_i64s(), vec![1, -1, 1, 0], "{t} remsi");
        assert_eq!(r[7].to_i64s(), vec![4, -3, -33, 1], "{t} ceildivsi");
        assert_eq!(r[8].to_i64s(), vec![3, -4, -34, 1], "{t} floordivsi");
        assert_eq!(r[binary.len()].to_i64s(), vec![7, 7, 100, 1], "{t} absi");
        assert_eq!(r[n - 2].to_i64s(), vec![2, -7, -3, 1], "{t} select");
    }
}

/// Control flow and shape ops: loops carrying tensors, dynamic sizes, slices.
const STRUCTURE: &str = r#"
func.func @main(%x: tensor<?x4xf32>, %n: tensor<i64>) -> (tensor<?x4xf32>, tensor<4x?xf32>, tensor<?xf32>, tensor<2x2xf32>, tensor<f32>, tensor<?x4xf32>, tensor<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x4xf32>

  %nv = tensor.extract %n[] : tensor<i64>
  %ni = arith.index_cast %nv : i64 to index
  %acc = scf.for %i = %c0 to %ni step %c1 iter_args(%a = %x) -> (tensor<?x4xf32>) {
    %e = tensor.empty(%d0) : tensor<?x4xf32>
    %s = linalg.add ins(%a, %x : tensor<?x4xf32>, tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
    scf.yield %s : tensor<?x4xf32>
  }
  %et = tensor.empty(%d0) : tensor<4x?xf32>
  %t = linalg.transpose ins(%x : tensor<?x4xf32>) outs(%et : tensor<4x?xf32>) permutation = [1, 0]
  %flat = tensor.collapse_shape %x [[0, 1]] : tensor<?x4xf32> into tensor<?xf32>
  %sl = tensor.extract_slice %x[0, 1] [2, 2] [1, 1] : tensor<?x4xf32> to tensor<2x2xf32>

  %zero = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<f32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<f32>) -> tensor<f32>
  %sum = linalg.reduce ins(%flat : tensor<?xf32>) outs(%fs : tensor<f32>) dimensions = [0]
    (%in: f32, %init: f32) {
      %r = arith.addf %in, %init : f32
      linalg.yield %r : f32
    }

  %w = scf.while (%k = %c0) : (index) -> index {
    %cond = arith.cmpi slt, %k, %ni : index
    scf.condition(%cond) %k : index
  } do {
  ^bb0(%k: index):
    %k1 = arith.addi %k, %c1 : index
    scf.yield %k1 : index
  }
  %g = tensor.generate %d0 {
  ^bb0(%i: index, %j: index):
    %s = arith.addi %i, %j : index
    %s2 = arith.addi %s, %w : index
    %si = arith.index_cast %s2 : index to i64
    %f = arith.sitofp %si : i64 to f32
    tensor.yield %f : f32
  } : tensor<?x4xf32>
  %cmp = arith.cmpi sgt, %nv, %nv : i64
  %row = scf.if %cmp -> (tensor<4xf32>) {
    %r0 = tensor.extract_slice %x[0, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<4xf32>
    scf.yield %r0 : tensor<4xf32>
  } else {
    %r1 = tensor.extract_slice %x[1, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<4xf32>
    scf.yield %r1 : tensor<4xf32>
  }
  return %acc, %t, %flat, %sl, %sum, %g, %row : tensor<?x4xf32>, tensor<4x?xf32>, tensor<?xf32>, tensor<2x2xf32>, tensor<f32>, tensor<?x4xf32>, tensor<4xf32>
}
"#;

#[test]
fn runs_loops_conditionals_generate_reduce_and_dynamic_shapes() {
    let c = compile(STRUCTURE, "main").unwrap();
    let xs: Vec<f64> = (0..12).map(f64::from).collect();
    let x = f32s(&[3, 4], &xs);
    let n = Tensor::from_i64s(DType::I64, vec![], &[2]).unwrap();
    let sym = |s: &str| Dim::Symbol(s.into());
    let outs = vec![
        TensorType::new(DType::F32, vec![sym("n"), Dim::Known(4)]),
        TensorType::new(DType::F32, vec![Dim::Known(4), sym("n")]),
        TensorType::new(DType::F32, vec![sym("m")]),
        TensorType::of_known(DType::F32, &[2, 2]),
        TensorType::of_known(DType::F32, &[]),
        TensorType::new(DType::F32, vec![sym("n"), Dim::Known(4)]),
        TensorType::of_known(DType::F32, &[4]),
    ];
    let r = c.run(&[x, n], &outs).unwrap();
    assert_eq!(
        r[0].to_f64s(),
        xs.iter().map(|v| 3.0 * v).collect::<Vec<_>>()
    );
    assert_eq!(r[1].dims, vec![4, 3]);
    assert_eq!(r[1].to_f64s()[..3], [0.0, 4.0, 8.0]);
    assert_eq!(r[2].dims, vec![12]);
    assert_eq!(r[3].to_f64s(), vec![1.0, 2.0, 5.0, 6.0]);
    assert_eq!(r[4].to_f64s(), vec![66.0]);
    assert_eq!(r[5].dims, vec![3, 4]);
    assert_eq!(r[5].to_f64s()[..5], [2.0, 3.0, 4.0, 5.0, 3.0]);
    assert_eq!(r[6].to_f64s(), vec![4.0, 5.0, 6.0, 7.0]);
}

/// Every conversion between the float types, and between them and every
/// integer width, in one module: the conversions LLVM may lower to helper
/// calls (bf16 and f16 truncation and extension, integer to half types).
/// The module and, per result, its element type and how it was made:
/// "float" (float to float), "signed" or "unsigned" (through an integer).
fn conversions_module() -> (String, Vec<(DType, &'static str)>) {
    let floats = ["f16", "bf16", "f32", "f64"];
    let ints = ["i8", "i16", "i32", "i64"];
    let mut body = String::new();
    let mut ys: Vec<(String, String)> = Vec::new();
    let mut kinds: Vec<&'static str> = Vec::new();
    for from in floats {
        let x = if from == "f64" {
            "%a".to_string()
        } else {
            body += &format!("    %x{from} = arith.truncf %a : f64 to {from}\n");
            format!("%x{from}")
        };
        for to in floats.iter().filter(|t| **t != from) {
            let width = |t: &str| match t {
                "f16" | "bf16" => 16,
                "f32" => 32,
                _ => 64,
            };
            let op = match width(from).cmp(&width(to)) {
                std::cmp::Ordering::Less => "arith.extf",
                std::cmp::Ordering::Greater => "arith.truncf",
                // f16 <-> bf16: through f32
                std::cmp::Ordering::Equal => {
                    let y = format!("%{from}_{to}");
                    body += &format!(
                        "    {y}w = arith.extf {x} : {from} to f32\n    {y} = arith.truncf {y}w : f32 to {to}\n"
                    );
                    ys.push((y, to.to_string()));
                    kinds.push("float");
                    continue;
                }
            };
            let y = format!("%{from}_{to}");
            body += &format!("    {y} = {op} {x} : {from} to {to}\n");
            ys.push((y, to.to_string()));
            kinds.push("float");
        }
        for int in ints {
            let n = format!("%{from}_{int}");
            body += &format!("    {n} = arith.fptosi {x} : {from} to {int}\n");
            body += &format!("    {n}u = arith.fptoui {x} : {from} to {int}\n");
            body += &format!("    {n}b = arith.sitofp {n} : {int} to {from}\n");
            body += &format!("    {n}c = arith.uitofp {n}u : {int} to {from}\n");
            ys.push((format!("{n}b"), from.to_string()));
            ys.push((format!("{n}c"), from.to_string()));
            kinds.extend(["signed", "unsigned"]);
        }
    }
    let types: Vec<String> = ys.iter().map(|(_, t)| format!("tensor<4x{t}>")).collect();
    let mut s = format!(
        "func.func @main(%x: tensor<4xf64>) -> ({}) {{\n",
        types.join(", ")
    );
    for (i, t) in types.iter().enumerate() {
        s += &format!("  %e{i} = tensor.empty() : {t}\n");
    }
    let maps = vec!["affine_map<(d0) -> (d0)>"; ys.len() + 1].join(", ");
    let inits: Vec<String> = (0..ys.len()).map(|i| format!("%e{i}")).collect();
    s += &format!(
        "  %r:{} = linalg.generic {{indexing_maps = [{maps}], iterator_types = [\"parallel\"]}} ins(%x : tensor<4xf64>) outs({} : {}) {{\n",
        ys.len(),
        inits.join(", "),
        types.join(", ")
    );
    let args: Vec<String> = ys
        .iter()
        .enumerate()
        .map(|(i, (_, t))| format!("%o{i}: {t}"))
        .collect();
    s += &format!("  ^bb0(%a: f64, {}):\n", args.join(", "));
    s += &body;
    s += &format!(
        "    linalg.yield {} : {}\n",
        ys.iter()
            .map(|(y, _)| y.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        ys.iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let results: Vec<String> = (0..ys.len()).map(|i| format!("%r#{i}")).collect();
    s += &format!(
        "  }} -> ({})\n  return {} : {}\n}}\n",
        types.join(", "),
        results.join(", "),
        types.join(", ")
    );
    let dtype = |t: &str| match t {
        "f16" => DType::F16,
        "bf16" => DType::BF16,
        "f32" => DType::F32,
        _ => DType::F64,
    };
    (
        s,
        ys.iter()
            .zip(kinds)
            .map(|((_, t), kind)| (dtype(t), kind))
            .collect(),
    )
}

#[test]
fn conversions_between_every_float_and_integer_type_run() {
    let (text, dtypes) = conversions_module();
    let c = compile(&text, "main").unwrap();
    let x = Tensor::from_f64s(DType::F64, vec![4], &[1.5, -2.25, 100.0, 0.0]).unwrap();
    let outs: Vec<TensorType> = dtypes
        .iter()
        .map(|&(d, _)| TensorType::of_known(d, &[4]))
        .collect();
    let r = c.run(&[x], &outs).unwrap();
    assert_eq!(r.len(), dtypes.len());
    // 1.5, -2.25, 100 and 0 are exact in every float type; through a signed
    // integer they truncate toward zero (i8 holds 100); through an unsigned
    // one a negative value is undefined, so only the others are checked.
    for (k, (got, (dtype, kind))) in r.iter().zip(&dtypes).enumerate() {
        let v = got.to_f64s();
        match *kind {
            "float" => assert_eq!(v, vec![1.5, -2.25, 100.0, 0.0], "result {k} ({dtype:?})"),
            "signed" => assert_eq!(v, vec![1.0, -2.0, 100.0, 0.0], "result {k} ({dtype:?})"),
            _ => assert_eq!(
                (v[0], v[2], v[3]),
                (1.0, 100.0, 0.0),
                "result {k} ({dtype:?})"
            ),
        }
    }
    assert_eq!(dtypes.iter().filter(|(_, k)| *k == "float").count(), 12);
}

/// The symbols compiled code takes from the process, for every program of
/// these tests: each must be exported by the C library or libm, which every
/// Linux machine has; a compiler-runtime helper (`__truncsfbf2`, found only
/// in newer libgcc) would make the JIT fail on a stock machine.
#[test]
fn compiled_code_needs_only_libc_and_libm_from_the_host() {
    let provided = crate::libc_and_libm_exports().unwrap();
    let mut programs: Vec<(String, String, &str)> = vec![
        ("add".into(), ADD.into(), "add"),
        ("many".into(), MANY.into(), "main"),
        ("structure".into(), STRUCTURE.into(), "main"),
        ("conversions".into(), conversions_module().0, "main"),
    ];
    for t in ["f32", "f64", "f16", "bf16"] {
        programs.push((format!("float ops {t}"), float_ops_module(t).0, "main"));
    }
    let mut all = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (name, text, func) in &programs {
        for sym in crate::host_symbols(text, func).unwrap_or_else(|e| panic!("{name}: {e}")) {
            all.entry(sym).or_default().push(name.clone());
        }
    }
    eprintln!("symbols the JIT resolves from the host:");
    for (sym, users) in &all {
        eprintln!("  {sym} ({})", users.join(", "));
    }
    let foreign: Vec<&String> = all
        .keys()
        .filter(|s| !provided.iter().any(|p| p == *s))
        .collect();
    assert!(
        foreign.is_empty(),
        "compiled code needs symbols that are not in libc or libm: {foreign:?}"
    );
    // The programs do call libm (erf, tanh, ...) and allocate: the check sees calls.
    assert!(
        all.contains_key("malloc") && all.contains_key("erff"),
        "{all:?}"
    );
}

/// `x` rounded once, to nearest with ties to even, to a binary format of
/// `precision` significant bits whose normal exponents run from `emin` to
/// `emax` (subnormals below), as an exact f64; too large becomes infinity.
fn round_to_nearest_even(x: f64, (precision, emin, emax): (i32, i32, i32)) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let mut e = x.abs().log2().floor() as i32;
    while 2f64.powi(e) > x.abs() {
        e -= 1;
    }
    while 2f64.powi(e + 1) <= x.abs() {
        e += 1;
    }
    let ulp = 2f64.powi(e.max(emin) - (precision - 1));
    // Division and multiplication by a power of two are exact here.
    let y = (x / ulp).round_ties_even() * ulp;
    if y.abs() >= 2f64.powi(emax + 1) {
        f64::INFINITY.copysign(x)
    } else {
        y
    }
}

/// f64 -> bf16 and f64 -> f16 are rewritten before lowering (no runtime
/// helper); the results must be what one round-to-nearest-even from f64
/// gives, including where rounding to f32 first would round twice.
#[test]
fn f64_to_half_types_round_once() {
    let text = r#"
#map = affine_map<(d0) -> (d0)>
func.func @main(%x: tensor<?xf64>) -> (tensor<?xbf16>, tensor<?xf16>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf64>
  %eb = tensor.empty(%n) : tensor<?xbf16>
  %eh = tensor.empty(%n) : tensor<?xf16>
  %r:2 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf64>) outs(%eb, %eh : tensor<?xbf16>, tensor<?xf16>) {
  ^bb0(%a: f64, %o: bf16, %p: f16):
    %b = arith.truncf %a : f64 to bf16
    %h = arith.truncf %a : f64 to f16
    linalg.yield %b, %h : bf16, f16
  } -> (tensor<?xbf16>, tensor<?xf16>)
  return %r#0, %r#1 : tensor<?xbf16>, tensor<?xf16>
}"#;
    let c = compile(text, "main").unwrap();
    let tiny = 2f64.powi(-40);
    let mut xs = vec![
        // Just above a tie between two bf16 (f16) values: f32 rounding
        // first would make it a tie and round to even (down).
        1.0 + 2f64.powi(-8) + tiny,
        1.0 + 2f64.powi(-11) + tiny,
        -(1.0 + 2f64.powi(-8) + tiny),
        // Exact ties round to even; just below rounds down.
        1.0 + 2f64.powi(-8),
        1.0 + 3.0 * 2f64.powi(-8),
        1.0 + 2f64.powi(-8) - tiny,
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        3.4e38,
        65519.0,
        65520.0,
        1e-300,
        5.9e-8,
        2.9e-8,
        1e-40,
    ];
    // A deterministic spread of values over many binades.
    let mut state = 0x9e3779b97f4a7c15u64;
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mantissa = (state >> 12) as f64 / (1u64 << 52) as f64;
        let exponent = ((state >> 3) % 80) as i32 - 40;
        let sign = if state & 1 == 1 { -1.0 } else { 1.0 };
        xs.push(sign * (1.0 + mantissa) * 2f64.powi(exponent));
    }
    let n = xs.len() as u64;
    let x = Tensor::from_f64s(DType::F64, vec![n], &xs).unwrap();
    let r = c
        .run(
            &[x],
            &[
                TensorType::of_known(DType::BF16, &[n]),
                TensorType::of_known(DType::F16, &[n]),
            ],
        )
        .unwrap();
    // (precision in bits, smallest normal exponent, largest exponent)
    for (k, dtype, format) in [
        (0, DType::BF16, (8, -126, 127)),
        (1, DType::F16, (11, -14, 15)),
    ] {
        let got = r[k].to_f64s();
        for (i, (&g, &x)) in got.iter().zip(&xs).enumerate() {
            let want = round_to_nearest_even(x, format);
            assert_eq!(
                g.to_bits(),
                want.to_bits(),
                "{dtype:?} of {x:e} (input {i}): got {g:e}, want {want:e}"
            );
        }
    }
    // The first case is the one rounding to f32 first gets wrong.
    let once = round_to_nearest_even(xs[0], (8, -126, 127));
    let twice = round_to_nearest_even((xs[0] as f32) as f64, (8, -126, 127));
    assert_ne!(once, twice);
}

/// The check sees a call into the compiler runtime (libgcc's `__powidf2`).
#[test]
fn host_symbols_name_a_compiler_runtime_call() {
    let text = r#"
func.func private @__powidf2(f64, i32) -> f64
func.func @main(%x: tensor<f64>) -> tensor<f64> {
  %a = tensor.extract %x[] : tensor<f64>
  %c3 = arith.constant 3 : i32
  %y = func.call @__powidf2(%a, %c3) : (f64, i32) -> f64
  %r = tensor.from_elements %y : tensor<f64>
  return %r : tensor<f64>
}"#;
    let syms = crate::host_symbols(text, "main").unwrap();
    assert!(syms.iter().any(|s| s == "__powidf2"), "{syms:?}");
    let provided = crate::libc_and_libm_exports().unwrap();
    assert!(provided.binary_search(&"__powidf2".to_string()).is_err());
    assert!(provided.binary_search(&"erff".to_string()).is_ok());
}

/// The weight and bias of `weights_module`, by resource key.
fn weights_module_blobs() -> Vec<(String, Vec<u8>)> {
    let bytes = |vals: Vec<f32>| -> Vec<u8> { vals.iter().flat_map(|v| v.to_le_bytes()).collect() };
    let w: Vec<f32> = (0..64 * 16).map(|i| ((i * 7) % 13) as f32 - 6.0).collect();
    let bias: Vec<f32> = (0..16).map(|i| i as f32 * 0.5).collect();
    vec![
        ("weight".into(), bytes(w)),
        ("the bias".into(), bytes(bias)),
    ]
}

/// `weights_module` without its resource section.
const WEIGHTS_MODULE_CODE: &str = r#"
func.func @main(%x: tensor<8x64xf32>) -> tensor<8x16xf32> {
  %w = arith.constant dense_resource<weight> : tensor<64x16xf32>
  %b = arith.constant dense_resource<"the bias"> : tensor<16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %m = linalg.matmul ins(%x, %w : tensor<8x64xf32>, tensor<64x16xf32>) outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
    ins(%m, %b : tensor<8x16xf32>, tensor<16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}
"#;

/// A matmul against a 64x16 `dense_resource` weight (4 KiB: the fast
/// pipeline passes it as a host buffer) plus a small resource bias (compiled in).
fn weights_module() -> String {
    let blobs: Vec<String> = weights_module_blobs()
        .iter()
        .map(|(key, bytes)| {
            let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
            format!("      \"{key}\": \"0x04000000{hex}\"")
        })
        .collect();
    format!(
        "{WEIGHTS_MODULE_CODE}{{-#\n  dialect_resources: {{\n    builtin: {{\n{}\n    }}\n  }}\n#-}}\n",
        blobs.join(",\n")
    )
}

/// A source of text alone.
fn text_source(text: String) -> Source {
    Source {
        text,
        weights: Vec::new(),
    }
}

/// Weights passed beside the text (none of their bytes in it), the small
/// bias too, run the same as the same weights read from the text.
#[test]
fn detached_weights_run_like_weights_in_the_text() {
    let options = Options {
        pipeline: Pipeline::Fast,
        effort: Effort::Light,
        ..Default::default()
    };
    let x = f32s(
        &[8, 64],
        &(0..512)
            .map(|i| f64::from(i % 17) - 8.0)
            .collect::<Vec<_>>(),
    );
    let ty = [TensorType::of_known(DType::F32, &[8, 16])];
    let from_text = compile_source("", "main", &options, |_| Ok(text_source(weights_module())))
        .unwrap()
        .run(std::slice::from_ref(&x), &ty)
        .unwrap();
    let detached = |_| {
        Ok(Source {
            text: WEIGHTS_MODULE_CODE.to_string(),
            weights: weights_module_blobs()
                .into_iter()
                .map(|(k, v)| (k, bytes::Bytes::from(v)))
                .collect(),
        })
    };
    let beside = compile_source("", "main", &options, detached)
        .unwrap()
        .run(&[x], &ty)
        .unwrap();
    assert_eq!(from_text, beside);
    // Without their bytes anywhere, the weights cannot be compiled.
    let missing = |_| Ok(text_source(WEIGHTS_MODULE_CODE.to_string()));
    assert!(compile_source("", "main", &options, missing).is_err());
}

const CONV_POOL: &str = r#"
func.func @main(%x: tensor<1x3x9x9xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : tensor<1x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %pe = tensor.empty() : tensor<1x4x3x3xf32>
  %pm = linalg.fill ins(%ninf : f32) outs(%pe : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %max = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%c, %win : tensor<1x4x4x4xf32>, tensor<2x2xf32>) outs(%pm : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %ps = linalg.fill ins(%zero : f32) outs(%pe : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %sum = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%c, %win : tensor<1x4x4x4xf32>, tensor<2x2xf32>) outs(%ps : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %c, %max, %sum : tensor<1x4x4x4xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>
}
"#;

fn fast() -> Options {
    Options {
        pipeline: Pipeline::Fast,
        effort: Effort::Full,
        ..Default::default()
    }
}

/// The fast pipeline gives the reference pipeline's results, bit for bit,
/// on every program of these tests, and its code takes only libc and libm
/// from the host.
#[test]
fn fast_pipeline_gives_the_reference_results() {
    let sym = |s: &str| Dim::Symbol(s.into());
    let k = |dt, dims: &[u64]| TensorType::of_known(dt, dims);
    let av = [-1.0, -0.5, 0.0, 0.25, 0.5, 1.0];
    let mut cases: Vec<(String, String, Vec<Tensor>, Vec<TensorType>)> = vec![
        (
            "add".into(),
            ADD.into(),
            vec![f32s(&[2, 3], &av), f32s(&[2, 3], &[3.0; 6])],
            vec![k(DType::F32, &[2, 3])],
        ),
        (
            "many".into(),
            MANY.into(),
            vec![
                f32s(&[2, 3], &av),
                Tensor::from_f64s(DType::F16, vec![2, 3], &av).unwrap(),
                Tensor::from_f64s(DType::BF16, vec![2, 3], &av).unwrap(),
                Tensor::from_i64s(DType::Bool, vec![2, 3], &[1, 0, 1, 0, 0, 1]).unwrap(),
                f32s(&[4, 3], &(0..12).map(f64::from).collect::<Vec<_>>()),
            ],
            vec![
                k(DType::F32, &[2, 3]),
                k(DType::F16, &[2, 3]),
                k(DType::BF16, &[2, 3]),
                k(DType::Bool, &[2, 3]),
                k(DType::F32, &[2, 3]),
                k(DType::F32, &[4, 5]),
                k(DType::F32, &[4, 3]),
                k(DType::I64, &[3]),
                k(DType::F32, &[2, 3]),
                TensorType::new(DType::F32, vec![sym("n"), Dim::Known(3)]),
                k(DType::F32, &[2, 3]),
                k(DType::F32, &[3, 2]),
                k(DType::F64, &[]),
            ],
        ),
        (
            "structure".into(),
            STRUCTURE.into(),
            vec![
                f32s(&[3, 4], &(0..12).map(f64::from).collect::<Vec<_>>()),
                Tensor::from_i64s(DType::I64, vec![], &[2]).unwrap(),
            ],
            vec![
                TensorType::new(DType::F32, vec![sym("n"), Dim::Known(4)]),
                TensorType::new(DType::F32, vec![Dim::Known(4), sym("n")]),
                TensorType::new(DType::F32, vec![sym("m")]),
                k(DType::F32, &[2, 2]),
                k(DType::F32, &[]),
                TensorType::new(DType::F32, vec![sym("n"), Dim::Known(4)]),
                k(DType::F32, &[4]),
            ],
        ),
        (
            "weights".into(),
            weights_module(),
            vec![f32s(
                &[8, 64],
                &(0..512).map(|i| f64::from(i % 9) - 4.0).collect::<Vec<_>>(),
            )],
            vec![k(DType::F32, &[8, 16])],
        ),
    ];
    // A strided, padded convolution, then max and sum pooling (reordered loops).
    let ramp = |n: usize, scale: f64| {
        (0..n)
            .map(|i| ((i * 37) % 23) as f64 * scale - 1.0)
            .collect::<Vec<_>>()
    };
    cases.push((
        "conv and pooling".into(),
        CONV_POOL.into(),
        vec![
            f32s(&[1, 3, 9, 9], &ramp(243, 0.1)),
            f32s(&[4, 3, 3, 3], &ramp(108, 0.07)),
        ],
        vec![
            k(DType::F32, &[1, 4, 4, 4]),
            k(DType::F32, &[1, 4, 3, 3]),
            k(DType::F32, &[1, 4, 3, 3]),
        ],
    ));
    let (text, dtypes) = conversions_module();
    cases.push((
        "conversions".into(),
        text,
        vec![Tensor::from_f64s(DType::F64, vec![4], &[1.5, -2.25, 100.0, 0.0]).unwrap()],
        dtypes.iter().map(|&(d, _)| k(d, &[4])).collect(),
    ));
    for (t, dtype) in [
        ("f32", DType::F32),
        ("f64", DType::F64),
        ("f16", DType::F16),
        ("bf16", DType::BF16),
    ] {
        let (text, names) = float_ops_module(t);
        cases.push((
            format!("float ops {t}"),
            text,
            vec![Tensor::from_f64s(dtype, vec![4], &[0.25, 0.5, 0.75, 2.0]).unwrap()],
            vec![k(dtype, &[4]); names.len()],
        ));
    }
    for (name, text, inputs, outs) in &cases {
        let reference = compile(text, "main")
            .or_else(|_| compile(text, "add"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let func = if name == "add" { "add" } else { "main" };
        let want = reference.run(inputs, outs).unwrap();
        for effort in [Effort::Full, Effort::Light, Effort::Minimal] {
            for keep_temporaries in [false, true] {
                let options = Options {
                    effort,
                    keep_temporaries,
                    ..fast()
                };
                let how = format!("{name} ({effort:?}, keep_temporaries {keep_temporaries})");
                let fast_code = compile_with(None, text, &[], func, &options, true, None)
                    .unwrap_or_else(|e| panic!("{how}: {e}"));
                let got = fast_code.run(inputs, outs).unwrap();
                assert_eq!(got, want, "{how}");
            }
        }
    }
    // The weight really is a host buffer: one symbol of the object is left
    // for the JIT to define, and the matmul checks against a host product.
    let kept = compile_with(None, &weights_module(), &[], "main", &fast(), true, None).unwrap();
    let undefined = elf::undefined_symbols(kept.object.as_ref().unwrap()).unwrap();
    let weights: Vec<&String> = undefined
        .iter()
        .filter(|s| s.starts_with("__constant"))
        .collect();
    assert_eq!(weights.len(), 1, "{undefined:?}");
    let c = compile_with_options(&weights_module(), "main", &fast()).unwrap();
    let x: Vec<f64> = (0..512).map(|i| f64::from(i % 9) - 4.0).collect();
    let out = c
        .run(&[f32s(&[8, 64], &x)], &[k(DType::F32, &[8, 16])])
        .unwrap()[0]
        .to_f64s();
    for i in 0..8 {
        for j in 0..16 {
            let dot: f64 = (0..64)
                .map(|p| x[i * 64 + p] * (((p * 16 + j) * 7 % 13) as f64 - 6.0))
                .sum();
            assert_eq!(out[i * 16 + j], dot + j as f64 * 0.5, "({i}, {j})");
        }
    }
}

/// A second compile of the same module with a cache folder loads the object
/// from there, and runs the same.
#[test]
fn the_cache_serves_a_second_compile() {
    let dir = std::env::temp_dir().join(format!("o2l-jit-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = Options {
        pipeline: Pipeline::Fast,
        effort: Effort::Full,
        cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    let text = weights_module();
    let x = f32s(&[8, 64], &(0..512).map(f64::from).collect::<Vec<_>>());
    let ty = [TensorType::of_known(DType::F32, &[8, 16])];
    let first = compile_with_options(&text, "main", &options).unwrap();
    assert!(!first.timings().cache_hit);
    let second = compile_with_options(&text, "main", &options).unwrap();
    assert!(second.timings().cache_hit);
    assert_eq!(second.timings().passes, std::time::Duration::ZERO);
    assert_eq!(
        first.run(std::slice::from_ref(&x), &ty).unwrap(),
        second.run(&[x], &ty).unwrap()
    );
    // A damaged entry is a miss, and is written anew.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    }
    let again = compile_with_options(&text, "main", &options).unwrap();
    assert!(!again.timings().cache_hit);
    assert!(
        compile_with_options(&text, "main", &options)
            .unwrap()
            .timings()
            .cache_hit
    );
    // Another module is another entry.
    let third = compile_with_options(ADD, "add", &options).unwrap();
    assert!(!third.timings().cache_hit);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A source-keyed entry keeps the weights' bytes: a second compile of the
/// same source neither asks for the text nor parses it, and runs the same.
#[test]
fn a_source_keyed_hit_needs_no_text() {
    let dir = std::env::temp_dir().join(format!("o2l-jit-source-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = Options {
        pipeline: Pipeline::Fast,
        effort: Effort::Light,
        cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    let x = f32s(&[8, 64], &(0..512).map(f64::from).collect::<Vec<_>>());
    let ty = [TensorType::of_known(DType::F32, &[8, 16])];
    let first = compile_source("graph-1", "main", &options, |_| {
        Ok(text_source(weights_module()))
    })
    .unwrap();
    assert!(!first.timings().cache_hit);
    let no_text = |_| Err(Error::internal("the text was asked for"));
    let second = compile_source("graph-1", "main", &options, no_text).unwrap();
    assert!(second.timings().cache_hit);
    assert_eq!(
        first.run(std::slice::from_ref(&x), &ty).unwrap(),
        second.run(std::slice::from_ref(&x), &ty).unwrap()
    );
    // Another source is another entry, and so is code that keeps its
    // temporaries; a damaged entry is a miss.
    assert!(compile_source("graph-2", "main", &options, no_text).is_err());
    let keeping = Options {
        keep_temporaries: true,
        ..options.clone()
    };
    assert!(compile_source("graph-1", "main", &keeping, no_text).is_err());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    }
    assert!(compile_source("graph-1", "main", &options, no_text).is_err());
    let again = compile_source("graph-1", "main", &options, |_| {
        Ok(text_source(weights_module()))
    })
    .unwrap();
    assert!(!again.timings().cache_hit);
    assert_eq!(again.run(&[x], &ty).unwrap(), first_result(&first));
    let _ = std::fs::remove_dir_all(&dir);
}

fn first_result(compiled: &Compiled) -> Vec<Tensor> {
    let x = f32s(&[8, 64], &(0..512).map(f64::from).collect::<Vec<_>>());
    compiled
        .run(&[x], &[TensorType::of_known(DType::F32, &[8, 16])])
        .unwrap()
}

#[test]
fn a_signature_survives_its_cache_line() {
    let sig = Signature {
        inputs: vec![
            TypeSig {
                elem: ElemKind::F32,
                dims: vec![Some(2), None, Some(16)],
            },
            TypeSig {
                elem: ElemKind::Int(1),
                dims: vec![],
            },
        ],
        results: vec![TypeSig {
            elem: ElemKind::BF16,
            dims: vec![Some(3)],
        }],
    };
    assert_eq!(sig.to_line(), "f32:2x?x16 i1: -> bf16:3");
    assert_eq!(Signature::parse(&sig.to_line()), Some(sig));
    assert_eq!(Signature::parse("f32:2 bf16:x"), None);
}
