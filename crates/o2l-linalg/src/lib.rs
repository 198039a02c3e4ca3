//! Lowers a canonical graph to linalg-on-tensors MLIR with melior: one
//! `func.func` named after the graph, tensor arguments and results in graph
//! order. The module is verified before it is returned. It knows nothing of ONNX.
#![deny(unsafe_code)]

// Calls the C API / the OS: SAFETY comments at each use.
#[allow(unsafe_code)]
mod emit;
mod lower;
// Calls the C API / the OS: SAFETY comments at each use.
#[allow(unsafe_code)]
mod weights;

#[cfg(test)]
mod testing;

use melior::Context;
use melior::dialect::{DialectRegistry, func};
use melior::ir::attribute::{StringAttribute, TypeAttribute};
use melior::ir::block::BlockLike;
use melior::ir::operation::OperationLike;
use melior::ir::r#type::FunctionType;
use melior::ir::{Attribute, Block, Identifier, Location, Module, Region, RegionLike, Type};
use melior::pass::PassManager;
use melior::utility::{parse_pass_pipeline, register_all_dialects, register_all_passes};
use o2l_canon::{Error, Graph, Result};
use std::cell::RefCell;
use std::rc::Rc;

/// The dialects a lowered module is written in.
pub const EMITTED_DIALECTS: [&str; 7] = [
    "builtin", "func", "arith", "math", "tensor", "linalg", "scf",
];

/// How weights appear in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weights {
    /// `dense_resource` blobs (hex in the text form's resource section).
    #[default]
    Resource,
    /// Inline `dense<...>` literals.
    Inline,
    /// Replaced by zero-filled placeholders of the right type, to inspect structure.
    Elide,
}

/// Output form of the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Emit {
    #[default]
    Text,
    Bytecode,
}

/// Which linalg ops the module is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinalgForm {
    /// Contractions, convolutions, pooling and fills as named ops (what
    /// pattern matchers look for); the rest as `linalg.generic`.
    #[default]
    Named,
    /// Every linalg op generalized to `linalg.generic` (upstream's
    /// `linalg-generalize-named-ops`): bodies hold the arith ops in the order
    /// of the op's formula, e.g. a quantized contraction's `extsi`, `subi`,
    /// `extsi`, `subi`, `muli`, `addi`.
    Generic,
}

#[derive(Debug, Clone, Default)]
pub struct LowerOptions {
    pub weights: Weights,
    pub emit: Emit,
    pub linalg: LinalgForm,
    /// Bufferize the module (One-Shot Bufferize across function boundaries,
    /// identity layouts): memref arguments and results, weights as
    /// `memref.global` constants. See `BUFFERIZE_PIPELINE`.
    pub bufferize: bool,
}

/// `LinalgForm::Generic`'s passes.
pub const GENERALIZE_PIPELINE: &str = "builtin.module(func.func(linalg-generalize-named-ops))";

/// The passes of `LowerOptions::bufferize`. `tensor.pad` becomes a fill and
/// an insert first (One-Shot Bufferize has no rule for a pad with a body);
/// functions take and return plain row-major memrefs; results are fresh
/// buffers the caller owns (no deallocation is inserted: the consumer's
/// own pipeline decides).
pub const BUFFERIZE_PIPELINE: &str = "builtin.module(convert-tensor-to-linalg,\
one-shot-bufferize{bufferize-function-boundaries allow-return-allocs-from-loops \
function-boundary-type-conversion=identity-layout-map},canonicalize,cse)";

/// Lowers and verifies `graph`; returns the module as MLIR text or bytecode.
pub fn lower(graph: &Graph, options: &LowerOptions) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    lower_impl(graph, options, Printing::default(), &mut bytes)?;
    Ok(bytes)
}

/// Weights' bytes by resource key, shared with the graph they come from.
pub type DetachedWeights = Vec<(String, bytes::Bytes)>;

/// A module for a consumer in this process (the JIT): MLIR text whose
/// `dense_resource` weights have no bytes in it (no resource section), and
/// those weights' bytes by resource key, shared with the graph. Writing a
/// weight as hex and reading it back cost a weight-heavy model's first run
/// a third of its time. `options.emit` is ignored.
pub fn lower_detached(graph: &Graph, options: &LowerOptions) -> Result<(Vec<u8>, DetachedWeights)> {
    let options = LowerOptions {
        emit: Emit::Text,
        ..options.clone()
    };
    let mut text = Vec::new();
    let printing = Printing {
        detached: true,
        ..Printing::default()
    };
    let weights = lower_impl(graph, &options, printing, &mut text)?;
    Ok((text, weights))
}

/// Lowers and verifies `graph`, then streams the module to `out` as MLIR
/// prints it (no second copy of the weights in memory). Nothing is written
/// when lowering or verification fails.
pub fn lower_into(
    graph: &Graph,
    options: &LowerOptions,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    lower_impl(graph, options, Printing::default(), out).map(|_| ())
}

/// How the text form is printed.
#[derive(Clone, Copy, Default)]
struct Printing {
    /// Print locations (tests check them).
    locations: bool,
    /// Leave the resource section out (`lower_detached`).
    detached: bool,
}

/// `lower_into`, printed as `printing` says; with `printing.detached`, the
/// weights left out of the text.
fn lower_impl(
    graph: &Graph,
    options: &LowerOptions,
    printing: Printing,
    out: &mut dyn std::io::Write,
) -> Result<DetachedWeights> {
    // Declared before the context, so it outlives the blobs pointing into it.
    let deferred = Rc::new(RefCell::new(weights::Deferred::new(
        graph.file_maps.clone(),
    )));
    let registry = DialectRegistry::new();
    register_all_dialects(&registry);
    let context = Context::new_with_registry(&registry, false);
    // Only the dialects the output uses: loading all ~60 costs ~20 MiB and time.
    for dialect in EMITTED_DIALECTS {
        context.get_or_load_dialect(dialect);
    }
    let diagnostics: Rc<RefCell<Vec<String>>> = Rc::default();
    let sink = Rc::clone(&diagnostics);
    let handler = context.attach_diagnostic_handler(move |d| {
        sink.borrow_mut().push(format!("{}: {d}", d.location()));
        true
    });
    let target = Target {
        out,
        printing,
        deferred: &deferred,
    };
    let result = build_and_emit(&context, graph, options, &diagnostics, target);
    context.detach_diagnostic_handler(handler);
    result?;
    Ok(match printing.detached {
        true => deferred.borrow().weights(),
        false => Vec::new(),
    })
}

/// Turns collected diagnostics into a verification error, naming the node
/// whose location a diagnostic carries.
fn diagnostic_error(graph: &Graph, what: &str, diagnostics: &RefCell<Vec<String>>) -> Error {
    let messages = diagnostics.borrow().join("; ");
    let mut err = Error::verification(format!("{what}: {messages}"));
    for (i, node) in graph.nodes.iter().enumerate() {
        let name = lower::lowerer::node_name(node, i);
        if messages.contains(&format!("loc(\"{name}\")")) {
            err = err.at(&node.origin);
            break;
        }
    }
    err
}

/// Where and how the module goes.
struct Target<'o> {
    out: &'o mut dyn std::io::Write,
    printing: Printing,
    /// The resource weights, written by the writer from their sources.
    deferred: &'o Rc<RefCell<weights::Deferred>>,
}

fn build_and_emit(
    context: &Context,
    graph: &Graph,
    options: &LowerOptions,
    diagnostics: &RefCell<Vec<String>>,
    target: Target,
) -> Result<()> {
    let unknown = Location::unknown(context);
    let mut module = Module::new(unknown);
    let name = function_name(graph);
    let text_type = |t: &o2l_canon::TensorType| -> Result<Type<'_>> {
        Type::parse(context, &lower::ir::tensor_str(&t.shape, t.dtype))
            .ok_or_else(|| Error::internal(format!("MLIR cannot parse type {t}")))
    };
    let arg_types = graph
        .inputs
        .iter()
        .map(|&id| text_type(graph.ty(id)))
        .collect::<Result<Vec<_>>>()?;
    let result_types = graph
        .outputs
        .iter()
        .map(|&id| text_type(graph.ty(id)))
        .collect::<Result<Vec<_>>>()?;
    let arg_locs: Vec<(Type, Location)> = graph
        .inputs
        .iter()
        .zip(&arg_types)
        .map(|(&id, &t)| (t, Location::name(context, &graph.value(id).name, unknown)))
        .collect();
    let region = Region::new();
    region.append_block(Block::new(&arg_locs));
    let function_type = FunctionType::new(context, &arg_types, &result_types);
    let func_op = func::func(
        context,
        StringAttribute::new(context, &name),
        TypeAttribute::new(function_type.into()),
        region,
        &[(
            Identifier::new(context, "llvm.emit_c_interface"),
            Attribute::unit(context),
        )],
        Location::name(context, &graph.name, unknown),
    );
    let body = module.body();
    let func_ref = body.append_operation(func_op);
    let block = func_ref
        .region(0)
        .ok()
        .and_then(|r| r.first_block())
        .ok_or_else(|| Error::internal("func.func has no body block"))?;
    {
        let ctx = lower::ir::Ctx {
            cx: context,
            block: &block,
            loc: unknown,
        };
        let mut lowerer = lower::lowerer::Lowerer {
            ctx,
            graph,
            values: Default::default(),
            weights: options.weights,
            resources: weights::Resources::new(Rc::clone(target.deferred)),
        };
        for (i, &id) in graph.inputs.iter().enumerate() {
            let arg = block
                .argument(i)
                .map_err(|_| Error::internal("missing function argument"))?;
            lowerer.values.insert(id, arg.into());
        }
        lowerer.lower_nodes().map_err(|e| {
            if diagnostics.borrow().is_empty() {
                e
            } else {
                let mut d = diagnostic_error(graph, &e.message, diagnostics);
                d.origin = e.origin.or(d.origin);
                d
            }
        })?;
        let ret_loc = Location::name(context, "return", unknown);
        let mut results = Vec::with_capacity(graph.outputs.len());
        for &id in &graph.outputs {
            results.push(lowerer.get(id, ret_loc)?);
        }
        block.append_operation(func::r#return(&results, ret_loc));
    }
    if !module.as_operation().verify() {
        return Err(diagnostic_error(
            graph,
            "the emitted module does not verify",
            diagnostics,
        ));
    }
    apply_output_passes(context, &mut module, options)
        .map_err(|what| diagnostic_error(graph, &what, diagnostics))?;
    let form = match options.emit {
        Emit::Text => emit::Form::Text {
            locations: target.printing.locations,
            resources: !target.printing.detached,
        },
        Emit::Bytecode => emit::Form::Bytecode,
    };
    let deferred = target.deferred.borrow();
    emit::write_module(&module.as_operation(), form, &deferred, target.out)
}

/// Runs the passes `options` ask for (`--linalg generic`, `--bufferize`) on
/// the verified module; the pass manager verifies after each pass.
fn apply_output_passes(
    context: &Context,
    module: &mut Module,
    options: &LowerOptions,
) -> std::result::Result<(), String> {
    let mut pipelines = Vec::new();
    if options.linalg == LinalgForm::Generic {
        pipelines.push(GENERALIZE_PIPELINE);
    }
    if options.bufferize {
        pipelines.push(BUFFERIZE_PIPELINE);
    }
    if pipelines.is_empty() {
        return Ok(());
    }
    o2l_canon::register_mlir_passes_once(register_all_passes);
    for pipeline in pipelines {
        let pm = PassManager::new(context);
        parse_pass_pipeline(pm.as_operation_pass_manager(), pipeline)
            .map_err(|e| format!("the pass pipeline {pipeline} does not parse: {e}"))?;
        pm.run(module)
            .map_err(|_| format!("the passes {pipeline} failed"))?;
    }
    Ok(())
}

/// The function name `lower` gives a graph (graph name made a valid symbol).
pub fn function_name(graph: &Graph) -> String {
    let cleaned: String = graph
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() || cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        format!("main_{cleaned}")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Case, binary, check, conv, f32t, lower_text, origin, t, unary};
    use o2l_canon::ops::{Binary, Unary};
    use o2l_canon::{DType, ValueId};

    #[test]
    fn function_signature_and_passthrough_outputs() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 3]));
        let w = c.weight("w", &[2, 3], 1.0);
        let mut g = c.g;
        g.outputs = vec![x, w];
        check(
            &g,
            &[
                "func.func @test_graph(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) attributes {llvm.emit_c_interface}",
                "arith.constant dense<",
                "return %arg0,",
            ],
        );
    }

    #[test]
    fn unsupported_is_an_error_not_a_panic() {
        let mut c = Case::new();
        let x = c.input("x", t(DType::U32, &[3]));
        let y = c.input("y", t(DType::U32, &[3]));
        let z = c.node(binary(Binary::Pow), &[x, y], "pow");
        let e = lower(&c.output(z), &LowerOptions::default()).unwrap_err();
        assert_eq!(e.kind, o2l_canon::ErrorKind::Unsupported);
        assert_eq!(e.origin.unwrap().node, "pow");
    }

    #[test]
    fn every_op_carries_its_node_location() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[2, 3]));
        let y = c.node(unary(Unary::Relu), &[x], "relu_1");
        let g = c.output(y);
        let mut bytes = Vec::new();
        let printing = Printing {
            locations: true,
            ..Printing::default()
        };
        lower_impl(&g, &LowerOptions::default(), printing, &mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let relu_loc = text
            .lines()
            .find_map(|l| l.strip_suffix(" = loc(\"relu_1\")"))
            .unwrap_or_else(|| panic!("no relu_1 location alias:\n{text}"));
        let tagged = format!("loc({relu_loc})");
        for line in text.lines().filter(|l| {
            l.contains("tensor.empty") || l.contains("} -> tensor") || l.contains("linalg.yield")
        }) {
            assert!(line.contains(&tagged), "{line}\n{text}");
        }
        assert!(
            text.contains("#loc1 = loc(\"relu_1\")") || text.contains("loc(\"relu_1\")"),
            "{text}"
        );
    }

    #[test]
    fn verifier_diagnostics_become_verification_errors_with_origin() {
        // A node whose recorded result type contradicts its operand: built by hand,
        // past `add_node`'s inference, so only MLIR's verifier can notice.
        let mut g = Graph::new("bad");
        let x = g.add_input("x", f32t(&[2, 3])).unwrap();
        g.values.push(o2l_canon::Value {
            name: "y".into(),
            ty: f32t(&[3, 2]),
            constant: None,
        });
        let y = ValueId(g.values.len() as u32 - 1);
        g.nodes.push(o2l_canon::Node {
            op: unary(Unary::Relu),
            inputs: vec![x],
            outputs: vec![y],
            origin: origin("broken_relu"),
        });
        g.outputs.push(y);
        let e = lower(&g, &LowerOptions::default()).unwrap_err();
        assert_eq!(e.kind, o2l_canon::ErrorKind::Verification, "{e}");
        assert_eq!(
            e.origin.as_ref().map(|o| o.node.as_str()),
            Some("broken_relu")
        );
        assert!(e.message.contains("linalg.generic"), "{e}");
    }

    #[test]
    fn output_is_deterministic() {
        let mut c = Case::new();
        let x = c.input("x", f32t(&[1, 3, 8, 8]));
        let w = c.weight("w", &[4, 3, 3, 3], 1.0);
        let y = c.node(
            conv(&[1, 1], &[1, 1], &[(1, 1), (1, 1)], 1),
            &[x, w],
            "conv",
        );
        let g = c.output(y);
        assert_eq!(
            lower_text(&g, Weights::Resource),
            lower_text(&g, Weights::Resource)
        );
    }
}
