//! What every family file shares: the family names, the row type of the
//! canonical op table and the operand checks of the shape rules. It lives
//! beside `ops/mod.rs` rather than in it, so the family files `mod.rs` lists
//! do not import the file that lists them.
use crate::{Result, TensorType};

/// The families, named as in docs and file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Elementwise,
    Linear,
    Conv,
    Pool,
    Reduce,
    Norm,
    Movement,
    Sort,
    Sample,
    Detect,
    Control,
}

/// One row of the declarative table: what a canonical op is, for docs and checks.
#[derive(Debug, Clone, Copy)]
pub struct OpSpec {
    /// Canonical name, as `Op::name` returns it.
    pub name: &'static str,
    pub family: Family,
    /// One line: what the op computes.
    pub doc: &'static str,
    /// Operand names, in order; a trailing `?` marks an optional operand.
    pub operands: &'static [&'static str],
    /// Attributes as `name: type = default` (no default: required).
    pub attributes: &'static [&'static str],
}

/// The rows of `parts`, one after another, as one array of exactly `N` rows
/// (evaluated at compile time, so a wrong `N` does not build).
pub(crate) const fn concat<const N: usize>(parts: &[&[OpSpec]]) -> [OpSpec; N] {
    const BLANK: OpSpec = OpSpec {
        name: "",
        family: Family::Elementwise,
        doc: "",
        operands: &[],
        attributes: &[],
    };
    let mut out = [BLANK; N];
    let mut filled = 0;
    let mut part = 0;
    while part < parts.len() {
        let mut row = 0;
        while row < parts[part].len() {
            out[filled] = parts[part][row];
            filled += 1;
            row += 1;
        }
        part += 1;
    }
    assert!(filled == N, "concat: fewer rows than the length asked for");
    out
}

/// Checks the operand count of an op; shared by every rule.
pub(crate) fn expect_operands(
    name: &str,
    inputs: &[&TensorType],
    min: usize,
    max: usize,
) -> Result<()> {
    if inputs.len() < min || inputs.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(crate::Error::invalid(format!(
            "{name} takes {want} operands, got {}",
            inputs.len()
        )));
    }
    Ok(())
}

/// Checks that two operands share an element type.
pub(crate) fn expect_same_dtype(name: &str, a: &TensorType, b: &TensorType) -> Result<()> {
    if a.dtype != b.dtype {
        return Err(crate::Error::invalid(format!(
            "{name}: operand types differ: {a} and {b}"
        )));
    }
    Ok(())
}
