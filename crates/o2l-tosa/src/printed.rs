//! Values of attributes as MLIR prints them: integer lists and numbers.
use o2l_canon::{Error, Result};

/// Integers of a printed `array<i32: 1, 0>`, `dense<[3, 2]> : tensor<2xindex>`
/// or `1 : i32`.
pub(crate) fn ints_of(text: &str) -> Result<Vec<i64>> {
    let body = if let Some(r) = text.strip_prefix("array<") {
        let r = r.strip_suffix('>').unwrap_or(r);
        r.split_once(':').map(|(_, v)| v).unwrap_or("")
    } else if let Some(r) = text.strip_prefix("dense<") {
        let end = r.find('>').unwrap_or(r.len());
        r[..end].trim_start_matches('[').trim_end_matches(']')
    } else {
        text.split(':').next().unwrap_or("")
    };
    body.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .or(match s {
                    "true" => Ok(1),
                    "false" => Ok(0),
                    _ => Err(()),
                })
                .map_err(|_| Error::invalid(format!("expected integers, got {text}")))
        })
        .collect()
}

/// The number of a printed `6.000000e+00 : f32` or `3 : i32`.
pub(crate) fn number_of(text: &str) -> Result<f64> {
    let v = text.split(':').next().unwrap_or("").trim();
    v.parse::<f64>()
        .or_else(|_| {
            // Hex float bit patterns (`0x7F800000 : f32`) for inf and NaN.
            let hex = v.strip_prefix("0x").ok_or(())?;
            let bits = u64::from_str_radix(hex, 16).map_err(|_| ())?;
            Ok(if hex.len() <= 8 {
                f64::from(f32::from_bits(bits as u32))
            } else {
                f64::from_bits(bits)
            })
        })
        .map_err(|_: ()| Error::invalid(format!("expected a number, got {text}")))
}
