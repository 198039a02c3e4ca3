//! Runs a canonical graph in-process: lower to MLIR text, compile with the JIT,
//! call with host tensors. Inputs and outputs keep their graph names and types.
use crate::{Error, Graph, LowerOptions, Result, Tensor, TensorType, Weights};

/// A graph compiled for in-process calls.
pub struct Runner {
    compiled: o2l_jit::Compiled,
    inputs: Vec<(String, TensorType)>,
    outputs: Vec<(String, TensorType)>,
}

impl Runner {
    /// Lowers `graph` (text, `dense_resource` weights: the JIT pipeline turns them
    /// into LLVM globals directly) and compiles it.
    pub fn new(graph: &Graph) -> Result<Runner> {
        let options = LowerOptions {
            weights: Weights::Resource,
            ..Default::default()
        };
        Runner::with_lower_options(graph, &options)
    }

    /// `new` with the module in another form (`--linalg generic`,
    /// `--bufferize`): each form must compute the same results. The output
    /// form (`emit`) is ignored: the JIT reads text.
    pub fn with_lower_options(graph: &Graph, options: &LowerOptions) -> Result<Runner> {
        let options = LowerOptions {
            emit: crate::Emit::Text,
            ..options.clone()
        };
        let text = o2l_linalg::lower(graph, &options)?;
        let text = String::from_utf8(text)
            .map_err(|_| Error::internal("the lowering emitted text that is not UTF-8"))?;
        let compiled = o2l_jit::compile(&text, &o2l_linalg::function_name(graph))?;
        let named = |ids: &[o2l_canon::ValueId]| {
            ids.iter()
                .map(|&v| (graph.value(v).name.clone(), graph.ty(v).clone()))
                .collect::<Vec<_>>()
        };
        Ok(Runner {
            compiled,
            inputs: named(&graph.inputs),
            outputs: named(&graph.outputs),
        })
    }

    /// Graph inputs, in call order: name and type.
    pub fn inputs(&self) -> &[(String, TensorType)] {
        &self.inputs
    }

    /// Graph outputs, in result order: name and type.
    pub fn outputs(&self) -> &[(String, TensorType)] {
        &self.outputs
    }

    /// Calls the compiled graph. Inputs must match `inputs()` in order, dtype and
    /// known dims; symbolic output dims come from the run.
    pub fn run(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        if inputs.len() != self.inputs.len() {
            return Err(Error::invalid(format!(
                "expected {} inputs ({}), got {}",
                self.inputs.len(),
                self.describe_inputs(),
                inputs.len()
            )));
        }
        for ((name, ty), t) in self.inputs.iter().zip(inputs) {
            let fits = t.dtype == ty.dtype
                && t.dims.len() == ty.rank()
                && t.dims
                    .iter()
                    .zip(&ty.shape)
                    .all(|(&d, want)| want.known().is_none_or(|w| w == d));
            if !fits {
                return Err(Error::invalid(format!(
                    "input \"{name}\": expected {ty}, got {} {:?}",
                    t.dtype, t.dims
                )));
            }
        }
        let types: Vec<TensorType> = self.outputs.iter().map(|(_, t)| t.clone()).collect();
        self.compiled.run(inputs, &types)
    }

    /// `x: tensor<1x3xf32>, y: tensor<?xi64>`, for messages.
    pub fn describe_inputs(&self) -> String {
        self.inputs
            .iter()
            .map(|(n, t)| format!("{n}: {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
