//! The walker: binds a function's arguments, maps its ops in order through
//! the rule table, inlines called functions, and returns what the function
//! returns. Errors name the op and its line:
//! `stablehlo.rng_bit_generator at line 12: not supported (...)`.
use crate::map::{self, Env, OpCtx, Scope, Walker};
use crate::parse::{Func, Module, Op, Region, Type};
use o2l_canon::{DType, Dim, Error, Graph, Origin, Result, TensorType, ValueId};

pub(crate) fn dtype_of(elem: &str) -> Result<DType> {
    Ok(match elem {
        "f32" => DType::F32,
        "f16" => DType::F16,
        "bf16" => DType::BF16,
        "f64" => DType::F64,
        "i1" => DType::Bool,
        "i8" | "si8" => DType::I8,
        "i16" | "si16" => DType::I16,
        "i32" | "si32" => DType::I32,
        // `index` (shape operands torch-mlir prints as `tensor<3xindex>`) is 64-bit here.
        "i64" | "si64" | "index" => DType::I64,
        "ui8" => DType::U8,
        "ui16" => DType::U16,
        "ui32" => DType::U32,
        "ui64" => DType::U64,
        other => {
            return Err(Error::unsupported(format!(
                "element type {other} is not supported"
            )));
        }
    })
}

pub(crate) fn tensor_type(t: &Type) -> Result<TensorType> {
    match t {
        Type::Tensor { dims, elem } => {
            let shape = dims
                .iter()
                .enumerate()
                .map(|(i, d)| match d {
                    Some(n) => Dim::Known(*n),
                    None => Dim::Symbol(format!("d{i}")),
                })
                .collect();
            Ok(TensorType::new(dtype_of(elem)?, shape))
        }
        Type::Other(s) => Err(Error::unsupported(format!(
            "type {s}: only ranked tensors are supported"
        ))),
    }
}

fn is_return(op: &Op) -> bool {
    matches!(
        op.name.as_str(),
        "return" | "func.return" | "stablehlo.return"
    )
}

/// Prefixes an error with the op and its line, once (the innermost op wins).
pub(crate) fn at_op(mut e: Error, op: &Op) -> Error {
    if !e.message.contains(" at line ") {
        e.message = format!("{} at line {}: {}", op.name, op.line, e.message);
        e.origin = None;
    }
    e
}

/// Every op without a rule, anywhere in the module, reported together.
fn unsupported_ops(module: &Module) -> Vec<String> {
    fn visit(ops: &[Op], seen: &mut Vec<String>, out: &mut Vec<String>) {
        for op in ops {
            let name = op.canonical_name();
            let id = format!("{name} {:?}", op.callee);
            if !is_return(op) && map::find(name).is_none() && !seen.contains(&id) {
                seen.push(id);
                let why = map::gap_reason(name).unwrap_or("no mapping onto the canonical ops");
                let target = match (&op.callee, op.attr("call_target_name")) {
                    (Some(t), _) => format!(" target \"{t}\""),
                    (None, Some(crate::parse::Attr::Str(t))) => format!(" target \"{t}\""),
                    _ => String::new(),
                };
                out.push(format!(
                    "{}{target} at line {}: not supported ({why})",
                    op.name, op.line
                ));
            }
            for r in &op.regions {
                visit(&r.ops, seen, out);
            }
        }
    }
    let (mut seen, mut out) = (Vec::new(), Vec::new());
    for f in &module.funcs {
        visit(&f.body.ops, &mut seen, &mut out);
    }
    out
}

pub(crate) fn import_module(module: &Module, func: Option<&str>) -> Result<Graph> {
    let chosen = match func {
        Some(name) => module.funcs.iter().find(|f| f.name == name),
        None => module
            .funcs
            .iter()
            .find(|f| f.name == "main" && f.public)
            .or_else(|| module.funcs.iter().find(|f| f.public))
            .or_else(|| module.funcs.first()),
    };
    let Some(f) = chosen else {
        return Err(Error::invalid(match func {
            Some(n) => format!("the module has no function @{n}"),
            None => "the module has no func.func".to_string(),
        }));
    };
    let missing = unsupported_ops(module);
    if !missing.is_empty() {
        return Err(Error::unsupported(missing.join("; ")));
    }
    let mut graph = Graph::new(f.name.clone());
    let mut args = Vec::with_capacity(f.args.len());
    for (k, (name, t)) in f.args.iter().enumerate() {
        let ty = tensor_type(t).map_err(|e| {
            Error::new(
                e.kind,
                format!(
                    "argument {name} of @{} (line {}): {}",
                    f.name, f.line, e.message
                ),
            )
        })?;
        let label = name.trim_start_matches('%');
        let label = if label.is_empty() {
            format!("arg{k}")
        } else {
            label.to_string()
        };
        args.push(graph.add_input(label, ty)?);
    }
    let scope = Scope {
        module,
        depth: 0,
        walker: &Importer,
    };
    let outs = call(&mut graph, f, &args, &scope)?;
    // An output that is an input or a constant is fine: the lowering copies it.
    graph.outputs = outs;
    graph.prune();
    Ok(graph)
}

/// The walker as rules call it (`map::ctx::Walker`).
struct Importer;

impl Walker for Importer {
    fn region(
        &self,
        graph: &mut Graph,
        outer: &Env,
        r: &Region,
        args: &[ValueId],
        scope: &Scope,
    ) -> Result<Vec<ValueId>> {
        region(graph, outer, r, args, scope)
    }

    fn call(
        &self,
        graph: &mut Graph,
        f: &Func,
        args: &[ValueId],
        scope: &Scope,
    ) -> Result<Vec<ValueId>> {
        call(graph, f, args, scope)
    }
}

/// Inlines `f` applied to `args` into `graph`.
fn call(graph: &mut Graph, f: &Func, args: &[ValueId], scope: &Scope) -> Result<Vec<ValueId>> {
    if f.body.args.len() != args.len() {
        return Err(Error::invalid(format!(
            "@{} takes {} arguments, it is given {}",
            f.name,
            f.body.args.len(),
            args.len()
        )));
    }
    let outs = region(graph, &Env::new(), &f.body, args, scope)?;
    if !f.results.is_empty() && outs.len() != f.results.len() {
        return Err(Error::invalid(format!(
            "@{} returns {} values, its type says {}",
            f.name,
            outs.len(),
            f.results.len()
        )));
    }
    Ok(outs)
}

/// Walks `r` with its block arguments bound to `args`, seeing the values of
/// `outer` (regions read values defined around them); returns what its
/// terminator yields.
fn region(
    graph: &mut Graph,
    outer: &Env,
    r: &Region,
    args: &[ValueId],
    scope: &Scope,
) -> Result<Vec<ValueId>> {
    if r.args.len() != args.len() {
        return Err(Error::invalid(format!(
            "a region takes {} arguments, it is given {}",
            r.args.len(),
            args.len()
        )));
    }
    let mut env = outer.clone();
    for ((name, t), &v) in r.args.iter().zip(args) {
        let want = tensor_type(t)?;
        let got = graph.ty(v);
        if got.dtype != want.dtype || got.rank() != want.rank() {
            return Err(Error::invalid(format!(
                "argument {name} is declared {want}, it is given {got}"
            )));
        }
        env.insert(format!("{name}#0"), v);
    }
    walk(graph, &mut env, &r.ops, scope)
}

fn lookup(env: &Env, key: &str) -> Result<ValueId> {
    env.get(key).copied().ok_or_else(|| {
        Error::invalid(format!(
            "value {} is not defined before its use",
            key.trim_end_matches("#0")
        ))
    })
}

/// Maps `ops` in order; returns the values of the terminator.
fn walk(graph: &mut Graph, env: &mut Env, ops: &[Op], scope: &Scope) -> Result<Vec<ValueId>> {
    for op in ops {
        if is_return(op) {
            return op
                .operands
                .iter()
                .map(|k| lookup(env, k))
                .collect::<Result<_>>()
                .map_err(|e| at_op(e, op));
        }
        let outs = map_op(graph, env, op, scope).map_err(|e| at_op(e, op))?;
        if outs.len() != op.results.len() {
            return Err(at_op(
                Error::invalid(format!(
                    "{} results are named, the op gives {}",
                    op.results.len(),
                    outs.len()
                )),
                op,
            ));
        }
        for (k, v) in op.results.iter().zip(outs) {
            if env.insert(k.clone(), v).is_some() {
                return Err(at_op(
                    Error::invalid(format!(
                        "value {} is defined twice",
                        k.trim_end_matches("#0")
                    )),
                    op,
                ));
            }
        }
    }
    Err(Error::invalid("a function or region without a return"))
}

fn map_op(graph: &mut Graph, env: &mut Env, op: &Op, scope: &Scope) -> Result<Vec<ValueId>> {
    let name = op.canonical_name();
    let rule = map::find(name).ok_or_else(|| {
        Error::unsupported(format!(
            "not supported ({})",
            map::gap_reason(name).unwrap_or("no mapping onto the canonical ops")
        ))
    })?;
    let inputs = op
        .operands
        .iter()
        .map(|k| lookup(env, k))
        .collect::<Result<Vec<_>>>()?;
    let result_types = op
        .result_types
        .iter()
        .map(tensor_type)
        .collect::<Result<Vec<_>>>()?;
    let short = name.strip_prefix("stablehlo.").unwrap_or(name);
    let origin = Origin {
        node: format!("{short}_l{}", op.line),
        op_type: name.to_string(),
        domain: "stablehlo".into(),
        opset: 0,
        version: 0,
    };
    let first_new_node = graph.nodes.len();
    let mut ctx = OpCtx::new(graph, &origin, op, inputs, result_types, env, scope);
    (rule.map)(&mut ctx)?;
    let results = ctx.into_results()?;
    rule.check_emitted(graph, first_new_node, &origin)?;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use crate::{import_bytes, import_text, looks_like_stablehlo};

    const WHILE: &str = include_str!("../../../tests/stablehlo/op_while/program.mlir");
    const ATTENTION: &str = include_str!("../../../tests/stablehlo/model_attention/program.mlir");
    const GATHER: &str = include_str!("../../../tests/stablehlo/op_gather_generic/program.mlir");
    /// torch-mlir: dense_resource blobs, CHLO, `index` shape constants, dynamic_* ops.
    const TORCH_CHLO: &str =
        include_str!("../../../tests/torch_mlir_stablehlo/nn_reductions_chlo/program.mlir");
    const TORCH_GENERIC: &str =
        include_str!("../../../tests/torch_mlir_stablehlo/nn_conv_pool_generic/program.mlir");

    #[test]
    fn imports_pretty_and_generic_programs() {
        for text in [WHILE, ATTENTION, GATHER, TORCH_CHLO, TORCH_GENERIC] {
            let g = import_text(text, None).unwrap();
            assert!(!g.nodes.is_empty());
            assert_eq!(g.name, "main");
        }
        assert!(looks_like_stablehlo(WHILE));
    }

    #[test]
    fn reports_every_unsupported_op_with_its_line() {
        let text = r#"module {
  func.func public @main(%arg0: tensor<2xui64>, %arg1: tensor<3xf32>) -> (tensor<3xui32>, tensor<3xf32>) {
    %s, %bits = stablehlo.rng_bit_generator %arg0, algorithm = DEFAULT : (tensor<2xui64>) -> (tensor<2xui64>, tensor<3xui32>)
    %0 = stablehlo.custom_call @my_kernel(%arg1) : (tensor<3xf32>) -> tensor<3xf32>
    return %bits, %0 : tensor<3xui32>, tensor<3xf32>
  }
}"#;
        let e = import_text(text, None).unwrap_err();
        assert_eq!(e.kind, o2l_canon::ErrorKind::Unsupported);
        assert!(
            e.message
                .contains("stablehlo.rng_bit_generator at line 3: not supported"),
            "{e}"
        );
        assert!(
            e.message
                .contains("stablehlo.custom_call target \"my_kernel\" at line 4"),
            "{e}"
        );
        assert!(import_bytes(b"ML\xefR\x00", None).is_err());
    }

    #[test]
    fn errors_name_the_op_and_line() {
        let text = "func.func @main(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {\n  %0 = stablehlo.transpose %a, dims = [0, 5] : (tensor<2x3xf32>) -> tensor<3x2xf32>\n  return %0 : tensor<3x2xf32>\n}\n";
        let e = import_text(text, None).unwrap_err();
        assert!(
            e.to_string().starts_with("stablehlo.transpose at line 2:"),
            "{e}"
        );
    }

    /// Mutated and truncated programs give errors, never panics.
    #[test]
    fn mutations_never_panic() {
        let mut state = 0x9e3779b97f4a7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"%@#^:=,()[]{}<>\"x0123456789-. \nabcf";
        for text in [WHILE, ATTENTION, GATHER, TORCH_CHLO, TORCH_GENERIC] {
            let bytes = text.as_bytes();
            for _ in 0..300 {
                let mut m = bytes.to_vec();
                for _ in 0..1 + next() % 3 {
                    let at = (next() % m.len() as u64) as usize;
                    m[at] = alphabet[(next() % alphabet.len() as u64) as usize];
                }
                let cut = (next() % (m.len() as u64 + 1)) as usize;
                if next() % 4 == 0 {
                    m.truncate(cut);
                }
                let _ = import_bytes(&m, None);
            }
        }
    }
}
