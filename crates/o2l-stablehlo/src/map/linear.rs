//! stub
use super::Rule;
pub(crate) static RULES: &[Rule] = &[];
