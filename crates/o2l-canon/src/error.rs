//! The one error type of the library. Every crate returns it; the driver that
//! walks nodes attaches the origin once, so messages read
//! `model.onnx: node "conv_3" (Conv, ai.onnx, opset 11 -> Conv-11): ...`.
use std::fmt;

/// What kind of failure this is; the batch report counts these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An op, op version, dtype or attribute value we do not convert (yet).
    Unsupported,
    /// The model breaks the ONNX spec (bad shapes, missing values, bad protobuf).
    InvalidModel,
    /// A configured cap (size, depth, allocation) was hit.
    Limit,
    /// MLIR refused the emitted IR, or a pass failed.
    Verification,
    /// Reading or writing a file failed.
    Io,
    /// A bug in onnx2linalg.
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::InvalidModel => "invalid model",
            ErrorKind::Limit => "limit",
            ErrorKind::Verification => "verification",
            ErrorKind::Io => "i/o",
            ErrorKind::Internal => "internal",
        }
    }
}

/// Where in a source model an op or value came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Origin {
    /// Node name as written in the source (may be empty in the source model).
    pub node: String,
    /// Source op type, e.g. `Conv`.
    pub op_type: String,
    /// Source domain, e.g. `ai.onnx`.
    pub domain: String,
    /// The opset the model imports for that domain.
    pub opset: i64,
    /// The schema version that applies (greatest `since` version not above `opset`).
    pub version: i64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Op sets without versioned schemas (TOSA, StableHLO) have opset 0.
        if self.opset == 0 && self.version == 0 {
            return write!(
                f,
                "op \"{}\" ({}, {})",
                self.node, self.op_type, self.domain
            );
        }
        write!(
            f,
            "node \"{}\" ({}, {}, opset {} -> {}-{})",
            self.node, self.op_type, self.domain, self.opset, self.op_type, self.version
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// The model file, when the driver knows it.
    pub file: Option<String>,
    /// The source node, when the error belongs to one (boxed: keeps `Result`s small).
    pub origin: Option<Box<Origin>>,
    pub message: String,
    /// The graph value that would have to be a constant for the conversion to
    /// go on (a shape, axes or pads operand computed at run time). Drivers
    /// may offer to bind it to a known value (`ImportOptions::bind_inputs`).
    pub runtime_value: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            file: None,
            origin: None,
            message: message.into(),
            runtime_value: None,
        }
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidModel, message)
    }
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Limit, message)
    }
    pub fn verification(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Verification, message)
    }
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    /// Attaches the source node unless one is already attached (the innermost wins).
    pub fn at(mut self, origin: &Origin) -> Self {
        if self.origin.is_none() {
            self.origin = Some(Box::new(origin.clone()));
        }
        self
    }
    /// Names the runtime value that would have to be constant.
    pub fn needing_constant(mut self, value: impl Into<String>) -> Self {
        self.runtime_value = Some(value.into());
        self
    }
    /// Attaches the model file unless one is already attached.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.into());
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

/// `bail!(Unsupported, "...")`-style early return used across the crates.
#[macro_export]
macro_rules! bail {
    ($kind:ident, $($arg:tt)*) => {
        return Err($crate::Error::new($crate::ErrorKind::$kind, format!($($arg)*)))
    };
}
