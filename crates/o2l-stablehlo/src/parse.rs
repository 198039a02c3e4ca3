//! A small reader for the MLIR text JAX prints for StableHLO programs, in the
//! pretty (custom) form and in the generic form. It needs no MLIR: StableHLO
//! is not an upstream dialect, and its pretty syntax cannot be parsed without
//! the dialect. The reader is a scannerless recursive descent over bytes: it
//! keeps line numbers for errors, skips `loc(...)` and attribute aliases, and
//! bounds its nesting depth, so no input makes it panic or overflow the stack.
//!
//! What it produces is deliberately plain: ops with their operand names,
//! named attributes, positional words (`GT`, `FLOAT`, a `dense<...>` literal),
//! types and regions. Each op's meaning is read later by the rule that maps it.
use o2l_canon::{Error, Result};

/// How deeply regions, lists and dictionaries may nest.
pub const MAX_DEPTH: usize = 64;

/// A type as written: a ranked tensor, or anything else (kept as text so the
/// op that uses it can name it in its error).
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `tensor<2x?x3xf32>`: dims (`None` is `?`) and the element type's name.
    Tensor {
        dims: Vec<Option<u64>>,
        elem: String,
    },
    Other(String),
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Type::Tensor { dims, elem } => {
                write!(f, "tensor<")?;
                for d in dims {
                    match d {
                        Some(n) => write!(f, "{n}x")?,
                        None => write!(f, "?x")?,
                    }
                }
                write!(f, "{elem}>")
            }
            Type::Other(s) => write!(f, "{s}"),
        }
    }
}

/// One element of a `dense<...>` literal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Elem {
    Int(i128),
    Float(f64),
    Bool(bool),
    /// `0x7FC00000`: the element's bits (floats) or value (integers).
    Hex(u64),
}

/// The contents of a `dense<...>` literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Dense {
    /// Elements in row-major order (nested lists flattened); one element is a splat.
    Elems(Vec<Elem>),
    /// `dense<"0x...">`: the raw little-endian bytes of every element (or of one: a splat).
    Bytes(Vec<u8>),
    /// `dense_resource<name>`: a blob of the file's `{-# dialect_resources #-}` section.
    /// `parse_module` replaces it by its `Bytes`; one left means the blob is missing.
    Resource(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    /// A bare word: `GT`, `DEFAULT`, `b`, `f`, `stablehlo.add`.
    Ident(String),
    Sym(String),
    List(Vec<Attr>),
    /// `[1] x [0]` and `[b, 0, f]x[0, i, o]->[b, 0, f]`: lists joined by `x` or `->`.
    Product(Vec<Attr>),
    Dense(Dense, Option<Type>),
    Dict(Vec<(String, Attr)>),
    /// `#stablehlo.gather<offset_dims = [1], ...>` or `#stablehlo<comparison_direction GT>`:
    /// the attribute's name and its items (`key = value`, or bare values).
    Hash(String, Vec<(Option<String>, Attr)>),
    Type(Type),
    FnType(Vec<Type>, Vec<Type>),
}

impl Attr {
    /// Integers of a list, an `array<i64: ...>`, a dense literal or one integer.
    pub fn ints(&self) -> Option<Vec<i64>> {
        match self {
            Attr::Int(v) => i64::try_from(*v).ok().map(|v| vec![v]),
            Attr::Bool(b) => Some(vec![i64::from(*b)]),
            Attr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for a in items {
                    match a {
                        Attr::Int(v) => out.push(i64::try_from(*v).ok()?),
                        Attr::Bool(b) => out.push(i64::from(*b)),
                        Attr::List(_) => out.extend(a.ints()?),
                        _ => return None,
                    }
                }
                Some(out)
            }
            Attr::Dense(Dense::Elems(e), _) => e
                .iter()
                .map(|x| match x {
                    Elem::Int(v) => i64::try_from(*v).ok(),
                    Elem::Bool(b) => Some(i64::from(*b)),
                    Elem::Hex(h) => i64::try_from(*h).ok(),
                    Elem::Float(_) => None,
                })
                .collect(),
            _ => None,
        }
    }

    /// The value of item `key` of a `#name<...>` attribute.
    pub fn item(&self, key: &str) -> Option<&Attr> {
        match self {
            Attr::Hash(_, items) => items
                .iter()
                .find(|(k, _)| k.as_deref() == Some(key))
                .map(|(_, v)| v),
            Attr::Dict(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A bare word, or the last word of a `#stablehlo<comparison_direction GT>`.
    pub fn word(&self) -> Option<&str> {
        match self {
            Attr::Ident(s) => Some(s),
            Attr::Hash(_, items) => items.iter().rev().find_map(|(k, v)| match (k, v) {
                (None, Attr::Ident(s)) => Some(s.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Region {
    /// Block arguments: name (`%arg0`) and type.
    pub args: Vec<(String, Type)>,
    pub ops: Vec<Op>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Op {
    /// `stablehlo.add`, `func.call`, `return` (as written; see `canonical_name`).
    pub name: String,
    pub line: usize,
    /// Result keys, `%0#1` style.
    pub results: Vec<String>,
    /// Operand keys, `%0#1` style.
    pub operands: Vec<String>,
    pub attrs: Vec<(String, Attr)>,
    /// Positional items of the pretty form: `GT`, `FLOAT`, a `dense<...>`, a string.
    pub words: Vec<Attr>,
    /// `stablehlo.slice %x [0:2, 1:3:1]`: (start, limit, stride) per dim.
    pub slices: Vec<(i64, i64, i64)>,
    pub callee: Option<String>,
    pub result_types: Vec<Type>,
    pub regions: Vec<Region>,
}

impl Op {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The op's name with the `func.` prefix and the generic quotes normalised:
    /// `call`/`func.call` -> `func.call`, `return`/`func.return` -> `func.return`.
    pub fn canonical_name(&self) -> &str {
        match self.name.as_str() {
            "call" => "func.call",
            "return" => "func.return",
            n => n,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Func {
    pub name: String,
    pub public: bool,
    pub args: Vec<(String, Type)>,
    pub results: Vec<Type>,
    pub body: Region,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Module {
    pub funcs: Vec<Func>,
    /// The `builtin` blobs of the `{-# dialect_resources #-}` section, by key, without
    /// their leading alignment word.
    pub resources: Vec<(String, Vec<u8>)>,
}

/// Reads a module (or bare functions) from MLIR text.
pub fn parse_module(source: &str) -> Result<Module> {
    let mut p = Parser {
        src: source.as_bytes(),
        pos: 0,
        line: 1,
        depth: 0,
        steps: 0,
        max_steps: 8 * source.len() + 10_000,
    };
    let mut m = p.module()?;
    resolve_resources(&mut m)?;
    Ok(m)
}

/// Replaces every `dense_resource<key>` of the module by the blob's bytes.
fn resolve_resources(m: &mut Module) -> Result<()> {
    let resources = std::mem::take(&mut m.resources);
    for func in &mut m.funcs {
        resolve_region(&mut func.body, &resources)?;
    }
    m.resources = resources;
    Ok(())
}

type Blobs = [(String, Vec<u8>)];

fn resolve_region(r: &mut Region, blobs: &Blobs) -> Result<()> {
    for op in &mut r.ops {
        let (line, name) = (op.line, op.name.as_str());
        for a in op.attrs.iter_mut().map(|(_, a)| a).chain(&mut op.words) {
            resolve_attr(a, blobs).map_err(|key| {
                Error::invalid(format!(
                    "{name} at line {line}: dense_resource<{key}> has no blob in the file's dialect_resources section"
                ))
            })?;
        }
        for inner in &mut op.regions {
            resolve_region(inner, blobs)?;
        }
    }
    Ok(())
}

/// Err(key) when a key has no blob.
fn resolve_attr(a: &mut Attr, blobs: &Blobs) -> std::result::Result<(), String> {
    match a {
        Attr::Dense(d, _) => {
            if let Dense::Resource(key) = d {
                let blob = blobs
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, b)| b.clone())
                    .ok_or_else(|| key.clone())?;
                *d = Dense::Bytes(blob);
            }
        }
        Attr::List(v) | Attr::Product(v) => {
            for x in v {
                resolve_attr(x, blobs)?;
            }
        }
        Attr::Dict(v) => {
            for (_, x) in v {
                resolve_attr(x, blobs)?;
            }
        }
        Attr::Hash(_, v) => {
            for (_, x) in v {
                resolve_attr(x, blobs)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The bytes of a resource blob `"0x<alignment word><data>"`: the data, little-endian.
fn resource_blob(key: &str, hex: &str) -> Result<Vec<u8>> {
    let bad = |why: &str| Error::invalid(format!("dialect_resources blob {key}: {why}"));
    let hex = hex
        .strip_prefix("0x")
        .or_else(|| hex.strip_prefix("0X"))
        .ok_or_else(|| bad("not a \"0x...\" hex string"))?;
    if hex.len() % 2 != 0 {
        return Err(bad("a hex string of odd length"));
    }
    if hex.len() < 8 {
        return Err(bad("shorter than its 4-byte alignment word"));
    }
    let digits = hex.as_bytes();
    let mut out = Vec::with_capacity(hex.len() / 2 - 4);
    for pair in digits[8..].chunks_exact(2) {
        let hi = (pair[0] as char).to_digit(16);
        let lo = (pair[1] as char).to_digit(16);
        match (hi, lo) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => return Err(bad("not hex")),
        }
    }
    Ok(out)
}

struct Parser<'s> {
    src: &'s [u8],
    pos: usize,
    line: usize,
    depth: usize,
    /// Nested reads so far; retries after a failed attribute make some
    /// inputs costly, so the work is capped in proportion to the input.
    steps: usize,
    max_steps: usize,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'$')
}

fn is_suffix_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'$' | b'-')
}

impl<'s> Parser<'s> {
    fn err<T>(&self, msg: impl std::fmt::Display) -> Result<T> {
        Err(Error::invalid(format!("line {}: {msg}", self.line)))
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.src.get(self.pos + k).copied()
    }

    fn rest(&self) -> &'s [u8] {
        self.src.get(self.pos..).unwrap_or(&[])
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn enter(&mut self) -> Result<()> {
        self.steps += 1;
        if self.steps > self.max_steps {
            // A limit, not a syntax error: no retry catches it.
            return Err(Error::limit(format!(
                "line {}: reading the program takes more than {} steps for {} bytes (a pathological input)",
                self.line,
                self.max_steps,
                self.src.len()
            )));
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!("nesting deeper than {MAX_DEPTH}"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips whitespace, `//` comments and `loc(...)` locations.
    fn ws(&mut self) -> Result<()> {
        loop {
            match self.peek() {
                Some(c) if c.is_ascii_whitespace() => {
                    self.bump();
                }
                Some(b'/') if self.peek_at(1) == Some(b'/') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                Some(b'l') if self.rest().starts_with(b"loc(") => {
                    self.pos += 3;
                    self.skip_balanced()?;
                }
                _ => return Ok(()),
            }
        }
    }

    /// Skips a balanced `(...)`, `<...>`, `[...]` or `{...}` group (strings respected).
    fn skip_balanced(&mut self) -> Result<()> {
        let mut stack: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.bump() else {
                return self.err("unterminated group");
            };
            match c {
                b'(' => stack.push(b')'),
                b'[' => stack.push(b']'),
                b'{' => stack.push(b'}'),
                b'<' => stack.push(b'>'),
                b'"' => {
                    self.pos -= 1;
                    self.string()?;
                }
                b')' | b']' | b'}' | b'>' => {
                    if stack.pop() != Some(c) {
                        return self.err(format!("unbalanced '{}'", c as char));
                    }
                    if stack.is_empty() {
                        return Ok(());
                    }
                }
                b'-' if self.peek() == Some(b'>') => {
                    self.bump();
                }
                _ => {}
            }
            if stack.len() > MAX_DEPTH {
                return self.err(format!("nesting deeper than {MAX_DEPTH}"));
            }
        }
    }

    fn at(&mut self, s: &str) -> Result<bool> {
        self.ws()?;
        Ok(self.rest().starts_with(s.as_bytes()))
    }

    fn eat(&mut self, s: &str) -> Result<bool> {
        if self.at(s)? {
            for _ in 0..s.len() {
                self.bump();
            }
            return Ok(true);
        }
        Ok(false)
    }

    fn expect(&mut self, s: &str) -> Result<()> {
        if !self.eat(s)? {
            let found = self.found();
            return self.err(format!("expected '{s}', found {found}"));
        }
        Ok(())
    }

    fn found(&self) -> String {
        let r = self.rest();
        if r.is_empty() {
            return "the end of the text".into();
        }
        let n = r
            .iter()
            .position(|&c| c == b'\n')
            .unwrap_or(r.len())
            .min(24);
        format!("\"{}\"", String::from_utf8_lossy(&r[..n]))
    }

    /// A word (`stablehlo.add`, `GT`); does not consume a prefix of a longer word.
    fn eat_word(&mut self, w: &str) -> Result<bool> {
        if self.at(w)? && !self.peek_at(w.len()).is_some_and(is_ident_char) {
            self.pos += w.len();
            return Ok(true);
        }
        Ok(false)
    }

    fn ident(&mut self) -> Result<Option<String>> {
        self.ws()?;
        if !self.peek().is_some_and(is_ident_start) {
            return Ok(None);
        }
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Ok(Some(
            String::from_utf8_lossy(&self.src[start..self.pos]).into_owned(),
        ))
    }

    fn string(&mut self) -> Result<String> {
        self.ws()?;
        if self.peek() != Some(b'"') {
            return self.err("expected a string");
        }
        self.bump();
        let mut out = Vec::new();
        loop {
            match self.bump() {
                None => return self.err("unterminated string"),
                Some(b'"') => break,
                Some(b'\\') => match self.bump() {
                    Some(b'n') => out.push(b'\n'),
                    Some(b't') => out.push(b'\t'),
                    Some(b'"') => out.push(b'"'),
                    Some(b'\\') => out.push(b'\\'),
                    Some(h) if h.is_ascii_hexdigit() => {
                        let Some(l) = self.bump().filter(u8::is_ascii_hexdigit) else {
                            return self.err("bad escape in string");
                        };
                        let v = u8::from_str_radix(&format!("{}{}", h as char, l as char), 16)
                            .map_err(|_| Error::invalid("bad escape"))?;
                        out.push(v);
                    }
                    _ => return self.err("bad escape in string"),
                },
                Some(c) => out.push(c),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// `%name`, `%0` (with `#k` when `with_index`), as a key `%name#k`.
    fn value_ref(&mut self) -> Result<String> {
        let name = self.value_name()?;
        let mut index = 0u64;
        if self.peek() == Some(b'#') {
            self.bump();
            index = self.digits()?;
        }
        Ok(format!("{name}#{index}"))
    }

    fn value_name(&mut self) -> Result<String> {
        self.ws()?;
        if self.peek() != Some(b'%') {
            let found = self.found();
            return self.err(format!("expected a value, found {found}"));
        }
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(is_suffix_char) {
            self.pos += 1;
        }
        if self.pos == start + 1 {
            return self.err("an empty value name");
        }
        Ok(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
    }

    fn digits(&mut self) -> Result<u64> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        std::str::from_utf8(&self.src[start..self.pos])
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or_else(|| self.err("expected a number"), Ok)
    }

    fn symbol(&mut self) -> Result<String> {
        self.expect("@")?;
        if self.peek() == Some(b'"') {
            return self.string();
        }
        let start = self.pos;
        while self.peek().is_some_and(is_suffix_char) {
            self.pos += 1;
        }
        if start == self.pos {
            return self.err("an empty symbol name");
        }
        Ok(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
    }

    /// A number: integer, float, or `0x` hex (as `Elem`).
    fn number(&mut self) -> Result<Elem> {
        self.ws()?;
        let start = self.pos;
        if self.rest().starts_with(b"0x") || self.rest().starts_with(b"0X") {
            self.pos += 2;
            let hs = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.pos += 1;
            }
            let s = String::from_utf8_lossy(&self.src[hs..self.pos]).into_owned();
            return u64::from_str_radix(&s, 16)
                .map(Elem::Hex)
                .or_else(|_| self.err(format!("bad hex number 0x{s}")));
        }
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        let mut float = false;
        while let Some(c) = self.peek() {
            match c {
                b'0'..=b'9' => {}
                b'.' => float = true,
                b'e' | b'E' => {
                    float = true;
                    if matches!(self.peek_at(1), Some(b'-' | b'+')) {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
            self.pos += 1;
        }
        let s = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
        if s.is_empty() || s == "-" || s == "+" {
            let found = self.found();
            return self.err(format!("expected a number, found {found}"));
        }
        if float {
            s.parse::<f64>()
                .map(Elem::Float)
                .or_else(|_| self.err(format!("bad number {s}")))
        } else {
            s.parse::<i128>()
                .map(Elem::Int)
                .or_else(|_| self.err(format!("bad number {s}")))
        }
    }

    fn starts_number(&mut self) -> Result<bool> {
        self.ws()?;
        Ok(match self.peek() {
            Some(c) if c.is_ascii_digit() => true,
            Some(b'-' | b'+') => self.peek_at(1).is_some_and(|c| c.is_ascii_digit()),
            _ => false,
        })
    }

    // --- types -----------------------------------------------------------------

    fn ty(&mut self) -> Result<Type> {
        self.ws()?;
        self.enter()?;
        let t = self.ty_inner();
        self.leave();
        t
    }

    fn ty_inner(&mut self) -> Result<Type> {
        if self.rest().starts_with(b"tensor<") {
            self.pos += 7;
            let mut dims = Vec::new();
            loop {
                match self.peek() {
                    Some(b'?') => {
                        self.pos += 1;
                        dims.push(None);
                    }
                    Some(c) if c.is_ascii_digit() => dims.push(Some(self.digits()?)),
                    Some(b'*') => {
                        self.pos -= 7;
                        let start = self.pos;
                        self.pos += 6;
                        self.skip_balanced()?;
                        return Ok(Type::Other(
                            String::from_utf8_lossy(&self.src[start..self.pos]).into_owned(),
                        ));
                    }
                    _ => break,
                }
                if self.peek() != Some(b'x') {
                    return self.err("expected 'x' in a tensor type");
                }
                self.pos += 1;
            }
            let start = self.pos;
            // The element type, possibly with its own <...> (complex<f32>).
            while self.peek().is_some_and(is_ident_char) {
                self.pos += 1;
            }
            if self.peek() == Some(b'<') {
                self.skip_balanced()?;
            }
            let elem = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
            if elem.is_empty() {
                return self.err("a tensor type without an element type");
            }
            if self.eat(">")? {
                return Ok(Type::Tensor { dims, elem });
            }
            if self.eat(",")? {
                // An encoding (`#stablehlo.bounds<...>`): kept as text.
                let enc = self.pos;
                let mut level = 0usize;
                while let Some(c) = self.peek() {
                    match c {
                        b'<' => level += 1,
                        b'>' if level == 0 => break,
                        b'>' => level -= 1,
                        _ => {}
                    }
                    self.bump();
                }
                let e = String::from_utf8_lossy(&self.src[enc..self.pos]).into_owned();
                self.expect(">")?;
                return Ok(Type::Other(format!("tensor<..x{elem}, {}>", e.trim())));
            }
            return self.err("expected '>' closing a tensor type");
        }
        let start = self.pos;
        if self.peek() == Some(b'!') {
            self.pos += 1;
        }
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        if self.pos == start {
            let found = self.found();
            return self.err(format!("expected a type, found {found}"));
        }
        if self.peek() == Some(b'<') {
            self.skip_balanced()?;
        }
        Ok(Type::Other(
            String::from_utf8_lossy(&self.src[start..self.pos]).into_owned(),
        ))
    }

    fn type_list_in_parens(&mut self) -> Result<Vec<Type>> {
        self.expect("(")?;
        let mut out = Vec::new();
        if self.eat(")")? {
            return Ok(out);
        }
        loop {
            out.push(self.ty()?);
            if self.at("{")? {
                self.dict()?;
            }
            if self.eat(")")? {
                return Ok(out);
            }
            self.expect(",")?;
        }
    }

    /// After `:`: `(T, T) -> T`, `(T) -> (T, T)`, `T -> T`, or `T, T`.
    /// Returns (types, result types of a functional type).
    fn signature(&mut self) -> Result<(Vec<Type>, Option<Vec<Type>>)> {
        let ins = if self.at("(")? {
            self.type_list_in_parens()?
        } else {
            let mut v = vec![self.ty()?];
            while self.at(",")? {
                // A comma then a type continues the list.
                let save = (self.pos, self.line);
                self.expect(",")?;
                if self.at("tensor")? || self.at("!")? || self.ident_follows_type()? {
                    v.push(self.ty()?);
                } else {
                    (self.pos, self.line) = save;
                    break;
                }
            }
            v
        };
        if self.eat("->")? {
            let outs = if self.at("(")? {
                self.type_list_in_parens()?
            } else {
                vec![self.ty()?]
            };
            return Ok((ins, Some(outs)));
        }
        Ok((ins, None))
    }

    fn ident_follows_type(&mut self) -> Result<bool> {
        self.ws()?;
        Ok(self.peek().is_some_and(is_ident_start))
    }

    // --- attributes ------------------------------------------------------------

    fn dict(&mut self) -> Result<Vec<(String, Attr)>> {
        self.expect("{")?;
        self.enter()?;
        let mut out = Vec::new();
        if self.eat("}")? {
            self.leave();
            return Ok(out);
        }
        loop {
            let key = if self.at("\"")? {
                self.string()?
            } else {
                match self.ident()? {
                    Some(k) => k,
                    None => {
                        let found = self.found();
                        return self.err(format!("expected an attribute name, found {found}"));
                    }
                }
            };
            let value = if self.eat("=")? {
                self.attr()?
            } else {
                Attr::Bool(true)
            };
            out.push((key, value));
            if self.eat("}")? {
                self.leave();
                return Ok(out);
            }
            self.expect(",")?;
        }
    }

    fn attr(&mut self) -> Result<Attr> {
        self.enter()?;
        let a = self.attr_inner();
        self.leave();
        let a = a?;
        // `[1] x [0]`, `[b, 0, f]x[0, i, o]->[b, 0, f]`.
        if matches!(a, Attr::List(_)) {
            let mut parts = vec![a];
            loop {
                let save = (self.pos, self.line);
                let joined = self.eat_word("x")? || self.eat("->")?;
                if joined && self.at("[")? {
                    self.enter()?;
                    let next = self.attr_inner();
                    self.leave();
                    parts.push(next?);
                } else {
                    (self.pos, self.line) = save;
                    break;
                }
            }
            if parts.len() > 1 {
                return Ok(Attr::Product(parts));
            }
            return Ok(parts.into_iter().next().unwrap_or(Attr::List(vec![])));
        }
        Ok(a)
    }

    fn attr_inner(&mut self) -> Result<Attr> {
        self.ws()?;
        match self.peek() {
            Some(b'[') => {
                self.bump();
                let mut items = Vec::new();
                if self.eat("]")? {
                    return Ok(Attr::List(items));
                }
                loop {
                    items.push(self.attr()?);
                    if self.eat("]")? {
                        return Ok(Attr::List(items));
                    }
                    self.expect(",")?;
                }
            }
            Some(b'{') => Ok(Attr::Dict(self.dict()?)),
            Some(b'"') => Ok(Attr::Str(self.string()?)),
            Some(b'@') => Ok(Attr::Sym(self.symbol()?)),
            Some(b'(') => {
                let ins = self.type_list_in_parens()?;
                self.expect("->")?;
                let outs = if self.at("(")? {
                    self.type_list_in_parens()?
                } else {
                    vec![self.ty()?]
                };
                Ok(Attr::FnType(ins, outs))
            }
            Some(b'#') => self.hash_attr(),
            _ if self.starts_number()? => {
                let n = self.number()?;
                self.typed_suffix()?;
                Ok(match n {
                    Elem::Int(v) => Attr::Int(v),
                    Elem::Float(v) => Attr::Float(v),
                    Elem::Hex(v) => Attr::Int(i128::from(v)),
                    Elem::Bool(b) => Attr::Bool(b),
                })
            }
            _ => {
                if self.rest().starts_with(b"dense<") {
                    self.pos += 6;
                    let d = self.dense_body()?;
                    let ty = if self.eat(":")? {
                        Some(self.ty()?)
                    } else {
                        None
                    };
                    return Ok(Attr::Dense(d, ty));
                }
                if self.rest().starts_with(b"dense_resource<") {
                    self.pos += 15;
                    let d = self.resource_ref()?;
                    let ty = if self.eat(":")? {
                        Some(self.ty()?)
                    } else {
                        None
                    };
                    return Ok(Attr::Dense(d, ty));
                }
                if self.rest().starts_with(b"array<") {
                    self.pos += 6;
                    let _elem = self.ty()?;
                    let mut items = Vec::new();
                    if self.eat(":")? {
                        loop {
                            if self.eat_word("true")? {
                                items.push(Attr::Bool(true));
                            } else if self.eat_word("false")? {
                                items.push(Attr::Bool(false));
                            } else {
                                items.push(match self.number()? {
                                    Elem::Int(v) => Attr::Int(v),
                                    Elem::Float(v) => Attr::Float(v),
                                    Elem::Hex(v) => Attr::Int(i128::from(v)),
                                    Elem::Bool(b) => Attr::Bool(b),
                                });
                            }
                            if !self.eat(",")? {
                                break;
                            }
                        }
                    }
                    self.expect(">")?;
                    return Ok(Attr::List(items));
                }
                if self.rest().starts_with(b"tensor<") || self.rest().starts_with(b"!") {
                    return Ok(Attr::Type(self.ty()?));
                }
                match self.ident()? {
                    Some(w) if w == "true" => Ok(Attr::Bool(true)),
                    Some(w) if w == "false" => Ok(Attr::Bool(false)),
                    Some(w) if w == "unit" => Ok(Attr::Bool(true)),
                    Some(w) => Ok(Attr::Ident(w)),
                    None => {
                        let found = self.found();
                        self.err(format!("expected an attribute value, found {found}"))
                    }
                }
            }
        }
    }

    /// `: i64` after a number.
    fn typed_suffix(&mut self) -> Result<()> {
        let save = (self.pos, self.line);
        if self.eat(":")? && self.ident_follows_type()? {
            let _ = self.ty()?;
            return Ok(());
        }
        (self.pos, self.line) = save;
        Ok(())
    }

    fn hash_attr(&mut self) -> Result<Attr> {
        self.expect("#")?;
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        let name = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
        if self.peek() != Some(b'<') {
            return Ok(Attr::Hash(name, vec![]));
        }
        let save = (self.pos, self.line, self.depth);
        match self.hash_items() {
            Ok(items) => Ok(Attr::Hash(name, items)),
            Err(e) if e.kind == o2l_canon::ErrorKind::InvalidModel => {
                // A dialect attribute of another syntax (`#sdy.sharding_rule<..>`): skipped.
                (self.pos, self.line, self.depth) = save;
                self.skip_balanced()?;
                Ok(Attr::Hash(name, vec![]))
            }
            Err(e) => Err(e),
        }
    }

    fn hash_items(&mut self) -> Result<Vec<(Option<String>, Attr)>> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(">")? {
                return Ok(items);
            }
            if self.eat(",")? {
                continue;
            }
            let save = (self.pos, self.line);
            if let Some(k) = self.ident()? {
                if self.eat("=")? {
                    items.push((Some(k), self.attr()?));
                    continue;
                }
                (self.pos, self.line) = save;
            }
            if self.peek().is_none() {
                return self.err("unterminated attribute");
            }
            items.push((None, self.attr()?));
        }
    }

    /// The inside of `dense<...>` up to and including `>`.
    fn dense_body(&mut self) -> Result<Dense> {
        if self.eat(">")? {
            return Ok(Dense::Elems(vec![]));
        }
        if self.at("\"")? {
            let s = self.string()?;
            self.expect(">")?;
            let hex = s
                .strip_prefix("0x")
                .or_else(|| s.strip_prefix("0X"))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "line {}: a dense string that is not hex",
                        self.line
                    ))
                })?;
            if hex.len() % 2 != 0 {
                return self.err("a hex blob of odd length");
            }
            let bytes = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("zz"), 16))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .map_err(|_| Error::invalid(format!("line {}: a bad hex blob", self.line)))?;
            return Ok(Dense::Bytes(bytes));
        }
        let mut out = Vec::new();
        self.dense_elems(&mut out)?;
        self.expect(">")?;
        Ok(Dense::Elems(out))
    }

    fn dense_elems(&mut self, out: &mut Vec<Elem>) -> Result<()> {
        self.ws()?;
        if self.eat("[")? {
            self.enter()?;
            if !self.eat("]")? {
                loop {
                    self.dense_elems(out)?;
                    if self.eat("]")? {
                        break;
                    }
                    self.expect(",")?;
                }
            }
            self.leave();
            return Ok(());
        }
        if self.at("(")? {
            return Err(Error::unsupported(format!(
                "line {}: complex constants are not supported",
                self.line
            )));
        }
        if self.eat_word("true")? {
            out.push(Elem::Bool(true));
        } else if self.eat_word("false")? {
            out.push(Elem::Bool(false));
        } else if self.eat_word("inf")? {
            out.push(Elem::Float(f64::INFINITY));
        } else if self.eat_word("nan")? {
            out.push(Elem::Float(f64::NAN));
        } else {
            out.push(self.number()?);
        }
        Ok(())
    }

    // --- ops, regions, functions --------------------------------------------------

    fn module(&mut self) -> Result<Module> {
        let mut m = Module::default();
        loop {
            self.ws()?;
            if self.peek().is_none() {
                return Ok(m);
            }
            if self.peek() == Some(b'#') || self.peek() == Some(b'!') {
                // An alias definition: `#loc1 = loc(...)`, `#map = ...`.
                self.skip_line();
                continue;
            }
            if self.eat_word("module")? {
                self.module_body(&mut m)?;
                continue;
            }
            if self.eat("{-#")? {
                self.resource_section(&mut m)?;
                continue;
            }
            self.top_item(&mut m)?;
        }
    }

    /// `{-# dialect_resources: { builtin: { key: "0x..", .. } }, external_resources: {..} #-}`
    /// after its `{-#`: the `builtin` blobs are kept, the rest skipped.
    fn resource_section(&mut self, m: &mut Module) -> Result<()> {
        self.entries("#-}", "a resource section", Self::ident, |p, kind| {
            if kind != "dialect_resources" {
                return p.skip_value();
            }
            p.expect("{")?;
            p.entries("}", "a dialect name", Self::ident, |p, dialect| {
                if dialect != "builtin" {
                    return p.skip_value();
                }
                p.expect("{")?;
                p.entries("}", "a resource key", Self::blob_key, |p, key| {
                    let blob = p.string()?;
                    m.resources.push((key.clone(), resource_blob(&key, &blob)?));
                    Ok(())
                })
            })
        })
    }

    /// `name: value, ..` up to `close`: each name read by `name`, then the
    /// `:`, then the value read by `value`.
    fn entries(
        &mut self,
        close: &str,
        what: &str,
        name: fn(&mut Self) -> Result<Option<String>>,
        mut value: impl FnMut(&mut Self, String) -> Result<()>,
    ) -> Result<()> {
        loop {
            if self.eat(close)? {
                return Ok(());
            }
            if self.eat(",")? {
                continue;
            }
            let Some(n) = name(self)? else {
                let found = self.found();
                return self.err(format!("expected {what}, found {found}"));
            };
            self.expect(":")?;
            value(self, n)?;
        }
    }

    /// A blob's key in the resource section: quoted, or as printed bare.
    fn blob_key(&mut self) -> Result<Option<String>> {
        if self.at("\"")? {
            self.string().map(Some)
        } else {
            self.resource_key().map(Some)
        }
    }

    /// A value skipped whole (a section or dialect that is not read).
    fn skip_value(&mut self) -> Result<()> {
        self.ws()?;
        self.skip_balanced()
    }

    /// A resource key as printed bare: `torch_tensor_10_torch.float32`, `__elided__`.
    fn resource_key(&mut self) -> Result<String> {
        self.ws()?;
        let start = self.pos;
        while self.peek().is_some_and(is_suffix_char) {
            self.pos += 1;
        }
        if start == self.pos {
            let found = self.found();
            return self.err(format!("expected a resource key, found {found}"));
        }
        Ok(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
    }

    /// After `dense_resource<`: the key up to and including `>`.
    fn resource_ref(&mut self) -> Result<Dense> {
        let key = if self.at("\"")? {
            self.string()?
        } else {
            self.resource_key()?
        };
        self.expect(">")?;
        Ok(Dense::Resource(key))
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == b'\n' {
                break;
            }
        }
    }

    fn module_body(&mut self, m: &mut Module) -> Result<()> {
        if self.at("@")? {
            self.symbol()?;
        }
        if self.eat_word("attributes")? {
            self.dict()?;
        }
        self.expect("{")?;
        self.enter()?;
        loop {
            if self.eat("}")? {
                self.leave();
                return Ok(());
            }
            if self.peek().is_none() {
                return self.err("unterminated module");
            }
            if self.eat_word("module")? {
                self.module_body(m)?;
                continue;
            }
            self.top_item(m)?;
        }
    }

    /// A function, or a generic `"builtin.module"` / `"func.func"` op.
    fn top_item(&mut self, m: &mut Module) -> Result<()> {
        if self.eat_word("func.func")? {
            let f = self.pretty_func()?;
            m.funcs.push(f);
            return Ok(());
        }
        if self.at("\"")? || self.at("%")? {
            let op = self.op()?;
            return self.collect_generic(op, m);
        }
        let found = self.found();
        self.err(format!("expected a func.func, found {found}"))
    }

    fn collect_generic(&mut self, op: Op, m: &mut Module) -> Result<()> {
        match op.name.as_str() {
            "builtin.module" => {
                for r in op.regions {
                    for inner in r.ops {
                        self.collect_generic(inner, m)?;
                    }
                }
                Ok(())
            }
            "func.func" => {
                let name = match op.attr("sym_name") {
                    Some(Attr::Str(s)) => s.clone(),
                    _ => return self.err("a func.func without sym_name"),
                };
                let results = match op.attr("function_type") {
                    Some(Attr::FnType(_, outs)) => outs.clone(),
                    _ => return self.err(format!("func.func @{name} without function_type")),
                };
                let public =
                    !matches!(op.attr("sym_visibility"), Some(Attr::Str(s)) if s == "private");
                let body = op.regions.into_iter().next().unwrap_or_default();
                m.funcs.push(Func {
                    name,
                    public,
                    args: body.args.clone(),
                    results,
                    body,
                    line: op.line,
                });
                Ok(())
            }
            other => Err(Error::unsupported(format!(
                "{other} at line {}: not supported at the top level of a module",
                op.line
            ))),
        }
    }

    fn pretty_func(&mut self) -> Result<Func> {
        let line = self.line;
        let mut public = true;
        for vis in ["public", "private", "nested"] {
            if self.eat_word(vis)? {
                public = vis == "public";
            }
        }
        let name = self.symbol()?;
        self.expect("(")?;
        let mut args = Vec::new();
        if !self.eat(")")? {
            loop {
                let n = self.value_name()?;
                self.expect(":")?;
                let t = self.ty()?;
                if self.at("{")? {
                    self.dict()?;
                }
                args.push((n, t));
                if self.eat(")")? {
                    break;
                }
                self.expect(",")?;
            }
        }
        let mut results = Vec::new();
        if self.eat("->")? {
            if self.at("(")? {
                results = self.type_list_in_parens()?;
            } else {
                results.push(self.ty()?);
            }
        }
        if self.eat_word("attributes")? {
            self.dict()?;
        }
        if !self.at("{")? {
            return Err(Error::unsupported(format!(
                "func.func @{name} at line {line}: a declaration without a body"
            )));
        }
        let mut body = self.region()?;
        body.args = args.clone();
        Ok(Func {
            name,
            public,
            args,
            results,
            body,
            line,
        })
    }

    /// `{ [^bb0(%a: T, ...):] ops }`.
    fn region(&mut self) -> Result<Region> {
        self.expect("{")?;
        self.enter()?;
        let mut r = Region::default();
        if self.eat("^")? {
            let _label = self.ident()?;
            while self.peek().is_some_and(is_suffix_char) {
                self.pos += 1;
            }
            if self.eat("(")? && !self.eat(")")? {
                loop {
                    let n = self.value_name()?;
                    self.expect(":")?;
                    let t = self.ty()?;
                    r.args.push((n, t));
                    if self.eat(")")? {
                        break;
                    }
                    self.expect(",")?;
                }
            }
            self.expect(":")?;
        }
        loop {
            if self.eat("}")? {
                self.leave();
                return Ok(r);
            }
            if self.at("^")? {
                return Err(Error::unsupported(format!(
                    "line {}: regions with more than one block are not supported",
                    self.line
                )));
            }
            if self.peek().is_none() {
                return self.err("unterminated region");
            }
            r.ops.push(self.op()?);
        }
    }

    fn op(&mut self) -> Result<Op> {
        self.ws()?;
        let mut op = Op {
            line: self.line,
            ..Default::default()
        };
        // Results: `%0 = `, `%0:2 = `, `%a, %b = `.
        if self.at("%")? {
            loop {
                let n = self.value_name()?;
                let mut count = 1;
                if self.peek() == Some(b':') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit())
                {
                    self.pos += 1;
                    count = self.digits()?;
                }
                if count > 1 << 16 {
                    return self.err("too many results");
                }
                for k in 0..count {
                    op.results.push(format!("{n}#{k}"));
                }
                if !self.eat(",")? {
                    break;
                }
            }
            self.expect("=")?;
        }
        op.line = self.line;
        if self.at("\"")? {
            op.name = self.string()?;
            self.generic_rest(&mut op)?;
        } else {
            op.name = match self.ident()? {
                Some(n) => n,
                None => {
                    let found = self.found();
                    return self.err(format!("expected an op, found {found}"));
                }
            };
            self.pretty_rest(&mut op)?;
        }
        Ok(op)
    }

    fn generic_rest(&mut self, op: &mut Op) -> Result<()> {
        self.expect("(")?;
        if !self.eat(")")? {
            loop {
                op.operands.push(self.value_ref()?);
                if self.eat(")")? {
                    break;
                }
                self.expect(",")?;
            }
        }
        if self.at("[")? {
            return Err(Error::unsupported(format!(
                "{} at line {}: successors (unstructured control flow) are not supported",
                op.name, op.line
            )));
        }
        if self.eat("<")? {
            let props = self.dict()?;
            op.attrs.extend(props);
            self.expect(">")?;
        }
        if self.eat("(")? {
            loop {
                op.regions.push(self.region()?);
                if self.eat(")")? {
                    break;
                }
                self.expect(",")?;
            }
        }
        if self.at("{")? {
            let attrs = self.dict()?;
            op.attrs.extend(attrs);
        }
        self.expect(":")?;
        let (ins, outs) = self.signature()?;
        op.result_types = outs.unwrap_or(ins);
        Ok(())
    }

    fn pretty_rest(&mut self, op: &mut Op) -> Result<()> {
        let is_return = matches!(
            op.name.as_str(),
            "return" | "func.return" | "stablehlo.return"
        );
        if is_return && self.at("}")? {
            return Ok(());
        }
        let mut inits = Vec::new();
        let mut iter_args = Vec::new();
        loop {
            self.ws()?;
            match self.peek() {
                None => return self.err(format!("{} is not terminated", op.name)),
                Some(b':') => break,
                Some(b',') => {
                    self.bump();
                }
                Some(b'%') => op.operands.push(self.value_ref()?),
                Some(b'(') => {
                    self.bump();
                    if self.eat(")")? {
                        continue;
                    }
                    loop {
                        // `chlo.top_k(%x, k = 2)`: an attribute among the operands.
                        if !self.at("%")? {
                            let Some(k) = self.ident()? else {
                                let found = self.found();
                                return self.err(format!("expected a value, found {found}"));
                            };
                            self.expect("=")?;
                            let a = self.attr()?;
                            op.attrs.push((k, a));
                            if self.eat(")")? {
                                break;
                            }
                            self.expect(",")?;
                            continue;
                        }
                        let v = self.value_ref()?;
                        if self.eat_word("init")? {
                            self.expect(":")?;
                            op.operands.push(v);
                            inits.push(self.value_ref()?);
                        } else if self.eat("=")? {
                            iter_args.push(v);
                            op.operands.push(self.value_ref()?);
                        } else {
                            op.operands.push(v);
                        }
                        if self.eat(")")? {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Some(b'@') => {
                    op.callee = Some(self.symbol()?);
                }
                Some(b'[') => {
                    self.bump();
                    if !self.eat("]")? {
                        loop {
                            let a = self.slice_bound()?;
                            self.expect(":")?;
                            let b = self.slice_bound()?;
                            let c = if self.eat(":")? {
                                self.slice_bound()?
                            } else {
                                1
                            };
                            op.slices.push((a, b, c));
                            if self.eat("]")? {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                }
                Some(b'{') => {
                    let d = self.dict()?;
                    op.attrs.extend(d);
                }
                Some(c) if is_ident_start(c) => {
                    if self.rest().starts_with(b"dense_resource<") {
                        self.pos += 15;
                        let d = self.resource_ref()?;
                        op.words.push(Attr::Dense(d, None));
                        continue;
                    }
                    if self.rest().starts_with(b"dense<") {
                        // The pretty constant: its type is the op's, after ':'.
                        self.pos += 6;
                        let d = self.dense_body()?;
                        op.words.push(Attr::Dense(d, None));
                        continue;
                    }
                    if self.rest().starts_with(b"array<") {
                        op.words.push(self.attr()?);
                        continue;
                    }
                    let save = (self.pos, self.line);
                    let w = self.ident()?.unwrap_or_default();
                    if self.at("=")? && !self.at("==")? {
                        self.expect("=")?;
                        // `dim = 0 : tensor<..>`: the type after a number is the op's.
                        let v = if self.starts_number()? {
                            match self.number()? {
                                Elem::Int(v) => Attr::Int(v),
                                Elem::Float(v) => Attr::Float(v),
                                Elem::Hex(v) => Attr::Int(i128::from(v)),
                                Elem::Bool(b) => Attr::Bool(b),
                            }
                        } else {
                            self.attr()?
                        };
                        op.attrs.push((w, v));
                    } else if w == "dense" || w == "array" {
                        (self.pos, self.line) = save;
                        op.words.push(self.attr()?);
                    } else {
                        op.words.push(Attr::Ident(w));
                    }
                }
                Some(b'"' | b'#') => op.words.push(self.attr()?),
                Some(c) if c.is_ascii_digit() || c == b'-' => op.words.push(self.attr()?),
                Some(_) => {
                    let found = self.found();
                    return self.err(format!("{}: unexpected {found}", op.name));
                }
            }
        }
        op.operands.extend(inits);
        self.expect(":")?;
        let (ins, outs) = self.signature()?;
        op.result_types = match outs {
            Some(o) => o,
            None => {
                let n = op.results.len();
                if ins.len() < n {
                    return self.err(format!(
                        "{} defines {n} results but gives {} types",
                        op.name,
                        ins.len()
                    ));
                }
                ins[ins.len() - n..].to_vec()
            }
        };
        // Regions of the pretty forms: `cond {..} do {..}`, `reducer(..) {..}`.
        loop {
            if self.eat_word("cond")? || self.eat_word("do")? {
                let mut r = self.region()?;
                r.args = iter_args
                    .iter()
                    .zip(&op.result_types)
                    .map(|(n, t)| (n.trim_end_matches("#0").to_string(), t.clone()))
                    .collect();
                op.regions.push(r);
            } else if self.eat_word("reducer")? {
                let mut pairs = Vec::new();
                while self.eat("(")? {
                    let mut group = Vec::new();
                    loop {
                        let n = self.value_name()?;
                        self.expect(":")?;
                        let t = self.ty()?;
                        group.push((n, t));
                        if self.eat(")")? {
                            break;
                        }
                        self.expect(",")?;
                    }
                    pairs.push(group);
                }
                let mut r = self.region()?;
                let mut args = Vec::new();
                for slot in 0..2 {
                    for g in &pairs {
                        if let Some(a) = g.get(slot) {
                            args.push(a.clone());
                        }
                    }
                }
                r.args = args;
                op.regions.push(r);
            } else {
                break;
            }
        }
        Ok(())
    }

    fn slice_bound(&mut self) -> Result<i64> {
        match self.number()? {
            Elem::Int(v) => i64::try_from(v).or_else(|_| self.err("a slice bound out of range")),
            _ => self.err("a slice bound must be an integer"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pretty_and_generic_ops() {
        let m = parse_module(
            r#"module @jit_f attributes {mhlo.num_partitions = 1 : i32} {
  func.func public @main(%arg0: tensor<2x3xf32>, %arg1: tensor<3x4xf32>) -> (tensor<2xf32> {jax.result_info = "result[0]"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0], precision = [DEFAULT, DEFAULT] : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %2 = stablehlo.reduce(%0 init: %cst) applies stablehlo.add across dimensions = [1] : (tensor<2x4xf32>, tensor<f32>) -> tensor<2xf32>
    %3 = "stablehlo.compare"(%2, %2) <{comparison_direction = #stablehlo<comparison_direction GT>}> : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
    %4 = stablehlo.select %3, %2, %2 : tensor<2xi1>, tensor<2xf32> loc(#loc3)
    return %4 : tensor<2xf32>
  }
}
#loc3 = loc("x")
"#,
        )
        .unwrap();
        let f = &m.funcs[0];
        assert_eq!(f.args.len(), 2);
        let ops = &f.body.ops;
        assert_eq!(ops.len(), 6);
        assert_eq!(
            ops[0].attr("contracting_dims"),
            Some(&Attr::Product(vec![
                Attr::List(vec![Attr::Int(1)]),
                Attr::List(vec![Attr::Int(0)])
            ]))
        );
        assert_eq!(ops[2].operands, vec!["%0#0", "%cst#0"]);
        assert_eq!(
            ops[3].attr("comparison_direction").and_then(Attr::word),
            Some("GT")
        );
        assert_eq!(ops[4].result_types.len(), 1);
        assert_eq!(ops[5].result_types.len(), 0);
        assert_eq!(ops[5].line, 8);
    }

    #[test]
    fn reads_dense_resource_blobs_from_the_resource_section() {
        let text = r#"module {
  func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    %0 = stablehlo.constant dense_resource<torch_tensor_2_torch.float32> : tensor<2xf32>
    %1 = "stablehlo.constant"() <{value = dense_resource<"quoted key"> : tensor<1xi8>}> : () -> tensor<1xi8>
    return %0 : tensor<2xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_2_torch.float32: "0x040000000000803F00000040",
      "quoted key": "0x0100000007"
    }
  }
#-}
"#;
        let m = parse_module(text).unwrap();
        let ops = &m.funcs[0].body.ops;
        assert_eq!(
            ops[0].words,
            vec![Attr::Dense(
                Dense::Bytes(vec![0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]),
                None
            )]
        );
        assert!(matches!(
            ops[1].attr("value"),
            Some(Attr::Dense(Dense::Bytes(b), _)) if b == &vec![7u8]
        ));
        // A blob the section does not hold is an error naming the key and the op.
        let missing = text.replace(r#""quoted key": "0x0100000007""#, r#"other: "0x01000000""#);
        let e = parse_module(&missing).unwrap_err().to_string();
        assert!(
            e.contains("dense_resource<quoted key>") && e.contains("line 4"),
            "{e}"
        );
        // Every truncation of the section is an error or a parse, never a panic.
        for n in text.len() - 140..text.len() {
            let _ = parse_module(&text[..n]);
        }
    }

    #[test]
    fn never_panics_on_truncations() {
        let text = r#"module { func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> { %0 = "stablehlo.reduce"(%a, %a) <{dimensions = array<i64: 0>}> ({ ^bb0(%x: tensor<f32>, %y: tensor<f32>): %1 = stablehlo.add %x, %y : tensor<f32> stablehlo.return %1 : tensor<f32> }) : (tensor<2xf32>, tensor<f32>) -> tensor<f32> return %0 : tensor<f32> } }"#;
        for n in 0..text.len() {
            let _ = parse_module(&text[..n]);
        }
        if let Err(e) = parse_module(text) {
            panic!("{e}");
        }
        let deep = "[".repeat(10_000);
        assert!(parse_module(&format!("module {{ func.func @f() {{ %0 = stablehlo.constant dense<{deep}> : tensor<f32> }} }}")).is_err());
    }
}
