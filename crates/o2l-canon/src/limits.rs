//! Caps that keep a hostile model from exhausting the machine while it is
//! converted. Every frontend's import carries them in its graph.

/// Resource caps for one conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest result one constant fold may produce; a larger op is left
    /// to run at run time instead of being folded.
    pub max_fold_bytes: u64,
    /// The total bytes of constants the converter itself creates (folds,
    /// index tables); past it the conversion fails with a limit error.
    /// The model's own weights are memory-mapped and not counted.
    pub max_alloc_bytes: u64,
    /// How deep subgraphs, regions and function calls may nest.
    pub max_depth: usize,
    /// Recurrences (LSTM, GRU, RNN) over a known number of steps up to this
    /// are unrolled, one copy of the step per step; longer ones, and
    /// run-time lengths, are one loop over the step, so the module's size
    /// does not grow with the sequence. Both compute the same ops per step.
    /// Compilers fuse across unrolled steps (IREE ran a bidirectional 8-step
    /// LSTM 10x faster unrolled than looped); our JIT compiles a loop faster
    /// (`JIT_MAX_UNROLLED_STEPS` in the root crate).
    pub max_unrolled_steps: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_fold_bytes: 256 << 20,
            max_alloc_bytes: 4 << 30,
            max_depth: 64,
            max_unrolled_steps: 16,
        }
    }
}
