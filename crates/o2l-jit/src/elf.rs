//! Symbol names from ELF64 little-endian object files and shared libraries:
//! enough to list what compiled code needs from its host (undefined symbols)
//! and what a system library offers (its dynamic symbol table). Only the
//! section and symbol tables are read; every offset is bounds-checked, so a
//! truncated or foreign file is an error, never a panic.
use o2l_canon::{Error, Result};

const SHT_SYMTAB: u32 = 2;
const SHT_DYNSYM: u32 = 11;
const SHN_UNDEF: u16 = 0;
/// Symbol binding in the high nibble of `st_info`: local symbols are private.
const STB_LOCAL: u8 = 0;

fn bytes(data: &[u8], at: usize, len: usize) -> Result<&[u8]> {
    at.checked_add(len)
        .and_then(|end| data.get(at..end))
        .ok_or_else(|| Error::invalid(format!("ELF file truncated at byte {at}")))
}

fn u16_at(data: &[u8], at: usize) -> Result<u16> {
    let b = bytes(data, at, 2)?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> Result<u32> {
    let b = bytes(data, at, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(data: &[u8], at: usize) -> Result<usize> {
    let b = bytes(data, at, 8)?;
    let mut w = [0u8; 8];
    w.copy_from_slice(b);
    usize::try_from(u64::from_le_bytes(w)).map_err(|_| Error::invalid("ELF offset too large"))
}

/// A symbol: its name, whether it is defined here, and whether it is local.
struct Symbol {
    name: String,
    defined: bool,
    local: bool,
}

/// Every symbol of the tables of section type `kind`.
fn symbols(data: &[u8], kind: u32) -> Result<Vec<Symbol>> {
    if bytes(data, 0, 4)? != b"\x7fELF" || bytes(data, 4, 2)? != [2, 1] {
        return Err(Error::invalid("not a 64-bit little-endian ELF file"));
    }
    let shoff = u64_at(data, 0x28)?;
    let shentsize = u16_at(data, 0x3a)? as usize;
    let shnum = u16_at(data, 0x3c)? as usize;
    let section = |k: usize| -> Result<(u32, usize, usize, usize, usize)> {
        let at = shoff + k * shentsize;
        Ok((
            u32_at(data, at + 4)?,             // sh_type
            u64_at(data, at + 0x18)?,          // sh_offset
            u64_at(data, at + 0x20)?,          // sh_size
            u32_at(data, at + 0x28)? as usize, // sh_link
            u64_at(data, at + 0x38)?,          // sh_entsize
        ))
    };
    let mut out = Vec::new();
    for k in 0..shnum {
        let (ty, offset, size, link, entsize) = section(k)?;
        if ty != kind || entsize == 0 {
            continue;
        }
        let (_, str_offset, str_size, _, _) = section(link)?;
        let strings = bytes(data, str_offset, str_size)?;
        for s in 0..size / entsize {
            let at = offset + s * entsize;
            let name_at = u32_at(data, at)? as usize;
            let info = bytes(data, at + 4, 1)?[0];
            let shndx = u16_at(data, at + 6)?;
            let name = strings
                .get(name_at..)
                .and_then(|rest| rest.split(|&b| b == 0).next())
                .ok_or_else(|| Error::invalid("ELF symbol name out of range"))?;
            if name.is_empty() {
                continue;
            }
            out.push(Symbol {
                name: String::from_utf8_lossy(name).into_owned(),
                defined: shndx != SHN_UNDEF,
                local: info >> 4 == STB_LOCAL,
            });
        }
    }
    Ok(out)
}

/// The symbols an object file needs from elsewhere, sorted, without repeats.
pub fn undefined_symbols(object: &[u8]) -> Result<Vec<String>> {
    let mut names: Vec<String> = symbols(object, SHT_SYMTAB)?
        .into_iter()
        .filter(|s| !s.defined)
        .map(|s| s.name)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The symbols a shared library exports (defined, not local), with any
/// `@VERSION` suffix removed, sorted, without repeats.
pub fn exported_symbols(library: &[u8]) -> Result<Vec<String>> {
    let mut names: Vec<String> = symbols(library, SHT_DYNSYM)?
        .into_iter()
        .filter(|s| s.defined && !s.local)
        .map(|s| s.name.split('@').next().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_elf_without_panicking() {
        assert!(undefined_symbols(b"").is_err());
        assert!(undefined_symbols(b"\x7fELF\x02\x01").is_err());
        assert!(exported_symbols(&[0u8; 64]).is_err());
        let mut header = vec![0u8; 64];
        header[..6].copy_from_slice(b"\x7fELF\x02\x01");
        header[0x28] = 0xff; // section headers past the end
        header[0x3c] = 1;
        header[0x3a] = 64;
        assert!(undefined_symbols(&header).is_err());
    }

    #[test]
    fn reads_the_c_library_exports() {
        let libc = std::fs::read("/lib/x86_64-linux-gnu/libc.so.6").unwrap();
        let names = exported_symbols(&libc).unwrap();
        for want in ["malloc", "free", "memcpy", "memset"] {
            assert!(
                names.iter().any(|n| n == want),
                "{want} not in libc's exports"
            );
        }
        assert!(!names.iter().any(|n| n == "__truncsfbf2"));
    }
}
