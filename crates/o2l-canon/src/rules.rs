//! The row type of the TOSA and StableHLO rule tables: an op name, the
//! canonical ops its mapping can produce, the mapping function (`F`, the
//! frontend's fn type over its own context) and a note for the docs.
//! (ONNX rows also carry a domain and schema versions: see o2l-onnx.)

pub struct Rule<F> {
    pub op: &'static str,
    pub produces: &'static [&'static str],
    pub map: F,
    pub note: &'static str,
}

/// A row, written in the tables as `rule("tosa.add", &["Add"], add, "")`.
pub const fn rule<F>(
    op: &'static str,
    produces: &'static [&'static str],
    map: F,
    note: &'static str,
) -> Rule<F> {
    Rule {
        op,
        produces,
        map,
        note,
    }
}
