//! `onnx2linalg [convert] MODEL [-o FILE] [--emit text|bytecode] [--weights ...]`
use clap::{Args, ValueEnum};
use onnx2linalg::{ConvertOptions, Emit, LinalgForm, Result, Tensor, Weights};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ConvertArgs {
    /// The model to convert: ONNX, or a TOSA program (MLIR text or bytecode).
    #[arg(required = true)]
    pub model: Option<PathBuf>,
    /// The source op set (default: detected from the file).
    #[arg(long, value_enum)]
    pub from: Option<FromArg>,
    /// Write the MLIR here (atomically) instead of stdout (`-`: stdout).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Output form: text (default: every consumer reads it, IREE 3.13 among
    /// them, which cannot read MLIR 22 bytecode), bytecode, or auto (bytecode
    /// when writing a file for a model with at least 64 MiB of weights).
    #[arg(long, value_enum, default_value_t = EmitArg::Text)]
    pub emit: EmitArg,
    /// How weights are written.
    #[arg(long, value_enum, default_value_t = WeightsArg::Resource)]
    pub weights: WeightsArg,
    /// Pin a symbolic input shape: NAME=1x3x224x224 (repeatable).
    #[arg(long = "input-shape", value_parser = parse_input_shape)]
    pub input_shapes: Vec<(String, Vec<u64>)>,
    /// Fix every symbolic input dim named NAME (an ONNX dim_param) to N >= 1:
    /// NAME=N (repeatable); --input-shape wins for the dims it fixes.
    #[arg(long = "dim", value_name = "NAME=N", value_parser = parse_dim)]
    pub dims: Vec<(String, u64)>,
    /// Bind a runtime input to a fixed value, NAME=FILE (.npy or a serialized
    /// TensorProto .pb): it becomes a constant, e.g. axes or a shape that the
    /// exporter left as an input (repeatable).
    #[arg(long = "bind", value_parser = parse_binding)]
    pub bind: Vec<(String, PathBuf)>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub form: IrFormArgs,
    /// List every QDQ group (a node reading a DequantizeLinear output) on
    /// stderr: the integer kernel it became, or why it stays float.
    #[arg(long)]
    pub explain_quant: bool,
}

/// The form of the emitted linalg, for compilers that match IR patterns.
#[derive(Args, Clone, Copy)]
pub struct IrFormArgs {
    /// named: contractions, convolutions and pooling as named linalg ops;
    /// generic: every linalg op generalized to linalg.generic.
    #[arg(long, value_enum, default_value_t = LinalgArg::Named)]
    pub linalg: LinalgArg,
    /// Emit memrefs instead of tensors (One-Shot Bufferize across function
    /// boundaries, identity layouts).
    #[arg(long)]
    pub bufferize: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LinalgArg {
    /// named ops where linalg has them
    Named,
    /// every op a linalg.generic
    Generic,
}

/// Caps that keep a hostile model from exhausting the machine.
#[derive(Args, Clone, Copy)]
pub struct LimitArgs {
    /// The largest constant one fold may produce (bytes); larger results are
    /// computed at run time instead.
    #[arg(long, default_value_t = onnx2linalg::Limits::default().max_fold_bytes)]
    pub max_fold_bytes: u64,
    /// The total bytes of constants the converter may create (folds, index
    /// tables; the model's own weights are mapped, not counted).
    #[arg(long, default_value_t = onnx2linalg::Limits::default().max_alloc_bytes)]
    pub max_alloc_bytes: u64,
    /// How deep ONNX subgraphs and function calls may nest.
    #[arg(long, default_value_t = onnx2linalg::Limits::default().max_depth)]
    pub max_depth: usize,
    /// LSTM, GRU and RNN over a known number of steps up to this are
    /// unrolled (what compilers fuse across); longer ones are one loop.
    #[arg(long, default_value_t = onnx2linalg::Limits::default().max_unrolled_steps)]
    pub max_unrolled_steps: u64,
}

impl LimitArgs {
    pub fn limits(&self) -> onnx2linalg::Limits {
        onnx2linalg::Limits {
            max_fold_bytes: self.max_fold_bytes,
            max_alloc_bytes: self.max_alloc_bytes,
            max_depth: self.max_depth,
            max_unrolled_steps: self.max_unrolled_steps,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FromArg {
    Onnx,
    Tosa,
    Stablehlo,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EmitArg {
    Auto,
    Text,
    Bytecode,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum WeightsArg {
    /// dense_resource blobs
    Resource,
    /// inline dense<...> literals
    Inline,
    /// zero placeholders, for looking at structure
    Elide,
}

pub fn parse_input_shape(s: &str) -> std::result::Result<(String, Vec<u64>), String> {
    let (name, dims) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=DxDx..., got \"{s}\""))?;
    let dims = dims
        .split('x')
        .map(|d| {
            d.parse::<u64>()
                .map_err(|_| format!("bad dim \"{d}\" in \"{s}\""))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((name.to_string(), dims))
}

/// Parses `--dim NAME=N` (N >= 1).
pub fn parse_dim(s: &str) -> std::result::Result<(String, u64), String> {
    let Some((name, n)) = s.split_once('=').filter(|(name, _)| !name.is_empty()) else {
        return Err(format!(
            "expected NAME=N (a dim_param and its size), got \"{s}\""
        ));
    };
    match n.parse::<u64>() {
        Ok(0) => Err(format!(
            "dim \"{name}\" pinned to 0 in \"{s}\" (a pinned dim is at least 1)"
        )),
        Ok(v) => Ok((name.to_string(), v)),
        Err(_) => Err(format!(
            "bad size \"{n}\" in \"{s}\" (expected an integer >= 1)"
        )),
    }
}

pub fn parse_binding(s: &str) -> std::result::Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() => {
            Ok((name.to_string(), PathBuf::from(file)))
        }
        _ => Err(format!("expected NAME=FILE, got \"{s}\"")),
    }
}

/// Reads `--bind` values: `.npy` files as arrays, anything else as a TensorProto.
pub fn read_bindings(bind: &[(String, PathBuf)]) -> Result<Vec<(String, Tensor)>> {
    bind.iter()
        .map(|(name, path)| {
            let npy = path.extension().is_some_and(|e| e == "npy");
            let t = if npy {
                onnx2linalg::npy::read_file(path)?
            } else {
                onnx2linalg::read_tensor_file(path)?
            };
            Ok((name.clone(), t))
        })
        .collect()
}

/// Weights from which `--emit auto` writes bytecode: text spells each weight
/// byte as two hex digits, which nobody reads at this size.
const BIG_MODEL_BYTES: u64 = 64 << 20;

impl ConvertArgs {
    pub fn options(&self) -> ConvertOptions {
        let mut options = ConvertOptions {
            from: self.from.map(|f| match f {
                FromArg::Onnx => onnx2linalg::Frontend::Onnx,
                FromArg::Tosa => onnx2linalg::Frontend::Tosa,
                FromArg::Stablehlo => onnx2linalg::Frontend::StableHlo,
            }),
            ..ConvertOptions::default()
        };
        options.import.input_shapes = self.input_shapes.clone();
        options.import.dims = self.dims.clone();
        options.import.limits = self.limits.limits();
        options.lower.emit = match self.emit {
            EmitArg::Auto | EmitArg::Text => Emit::Text,
            EmitArg::Bytecode => Emit::Bytecode,
        };
        options.lower.weights = match self.weights {
            WeightsArg::Resource => Weights::Resource,
            WeightsArg::Inline => Weights::Inline,
            WeightsArg::Elide => Weights::Elide,
        };
        options.lower.linalg = match self.form.linalg {
            LinalgArg::Named => LinalgForm::Named,
            LinalgArg::Generic => LinalgForm::Generic,
        };
        options.lower.bufferize = self.form.bufferize;
        options
    }
}

/// Warns on stderr about each `--dim` name that no input of the model uses
/// (a model that cannot be read is left for the import to report).
fn warn_unmatched_dims(model: &std::path::Path, options: &ConvertOptions) {
    if options.import.dims.is_empty() {
        return;
    }
    let onnx = match options.from {
        Some(f) => f == onnx2linalg::Frontend::Onnx,
        None => onnx2linalg::detect_frontend(model).is_ok_and(|f| f == onnx2linalg::Frontend::Onnx),
    };
    let Some(inputs) = onnx.then(|| onnx2linalg::onnx_inputs(model).ok()).flatten() else {
        return;
    };
    let used = onnx2linalg::dim_params(&inputs);
    for (name, _) in &options.import.dims {
        if !used.contains(name) {
            let known = if used.is_empty() {
                "the inputs have no named dims".to_string()
            } else {
                format!("named dims: {}", used.join(", "))
            };
            eprintln!(
                "warning: {}: --dim {name:?} matches no dim of the model's inputs ({known})",
                model.display()
            );
        }
    }
}

pub fn run(args: ConvertArgs) -> Result<ExitCode> {
    let Some(model) = &args.model else {
        return Err(onnx2linalg::Error::invalid("no model given (see --help)"));
    };
    let mut options = args.options();
    options.import.bind_inputs = read_bindings(&args.bind)?;
    warn_unmatched_dims(model, &options);
    let imported = onnx2linalg::import_model_with_warnings(model, options.from, &options.import)?;
    warn(&imported.warnings);
    explain_quantization(&imported.quantization, args.explain_quant);
    let graph = imported.graph;
    let in_model = |e: onnx2linalg::Error| e.in_file(model.display().to_string());
    let to_file = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    match to_file {
        Some(path) => {
            if matches!(args.emit, EmitArg::Auto) && options.lower.weights != Weights::Elide {
                let weights = onnx2linalg::output::weight_bytes(&graph);
                if weights >= BIG_MODEL_BYTES {
                    eprintln!(
                        "note: {} MiB of weights: writing MLIR bytecode (--emit text for text)",
                        weights >> 20
                    );
                    options.lower.emit = Emit::Bytecode;
                }
            }
            onnx2linalg::output::lower_to_file(&graph, &options.lower, path).map_err(in_model)?;
        }
        None => {
            // Lowered and verified in full before the first byte is printed.
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            onnx2linalg::lower_into(&graph, &options.lower, &mut out).map_err(in_model)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// With `--explain-quant`, one `quant: ` line per QDQ group on stderr;
/// without it, one note when some group stays float.
fn explain_quantization(lines: &[String], explain: bool) {
    if explain {
        for line in lines {
            eprintln!("quant: {}", escape_controls(line));
        }
        return;
    }
    let float = lines
        .iter()
        .filter(|l| l.contains(": stays float: "))
        .count();
    if float > 0 {
        eprintln!(
            "note: {float} of {} QDQ groups stay float (--explain-quant lists them and why)",
            lines.len()
        );
    }
}

/// Names read from a model may hold control characters: shown escaped, as
/// in error lines.
fn escape_controls(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Prints the import's warnings on stderr, one `warning: ` line each (names
/// read from the model may hold control characters: shown escaped, as in
/// error lines).
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}", escape_controls(w));
    }
}
