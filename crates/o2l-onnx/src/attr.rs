//! A typed view of a node's attributes. Getters say what kind was expected
//! and what was found, and name the attribute.
use o2l_canon::{Error, Result};
use o2l_proto::attribute_proto::AttributeType;
use o2l_proto::{AttributeProto, GraphProto, TensorProto};

/// One decoded attribute value. (Graph-valued and list-of-string/tensor/graph
/// attributes are decoded for every op, though no mapped op reads them yet.)
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum AttrValue<'a> {
    Float(f32),
    Int(i64),
    String(&'a [u8]),
    Tensor(&'a TensorProto),
    Graph(&'a GraphProto),
    Floats(&'a [f32]),
    Ints(&'a [i64]),
    Strings(&'a [o2l_proto::Bytes]),
    Tensors(&'a [TensorProto]),
    Graphs(&'a [GraphProto]),
}

impl AttrValue<'_> {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            AttrValue::Float(_) => "float",
            AttrValue::Int(_) => "int",
            AttrValue::String(_) => "string",
            AttrValue::Tensor(_) => "tensor",
            AttrValue::Graph(_) => "graph",
            AttrValue::Floats(_) => "floats",
            AttrValue::Ints(_) => "ints",
            AttrValue::Strings(_) => "strings",
            AttrValue::Tensors(_) => "tensors",
            AttrValue::Graphs(_) => "graphs",
        }
    }
}

/// Decodes one attribute, using its `type` field, or (in old models that leave
/// it unset) the field that holds a value.
pub(crate) fn decode(a: &AttributeProto) -> Result<AttrValue<'_>> {
    let name = a.name();
    let missing = |kind: &str| {
        Error::invalid(format!(
            "attribute \"{name}\" is declared {kind} but holds no {kind} value"
        ))
    };
    let ty = match a.r#type {
        Some(code) => AttributeType::try_from(code).map_err(|_| {
            Error::invalid(format!("attribute \"{name}\" has unknown type code {code}"))
        })?,
        None => infer_type(a),
    };
    Ok(match ty {
        AttributeType::Float => AttrValue::Float(a.f.ok_or_else(|| missing("float"))?),
        AttributeType::Int => AttrValue::Int(a.i.ok_or_else(|| missing("int"))?),
        AttributeType::String => {
            AttrValue::String(a.s.as_deref().ok_or_else(|| missing("string"))?)
        }
        AttributeType::Tensor => AttrValue::Tensor(a.t.as_ref().ok_or_else(|| missing("tensor"))?),
        AttributeType::Graph => AttrValue::Graph(a.g.as_ref().ok_or_else(|| missing("graph"))?),
        AttributeType::Floats => AttrValue::Floats(&a.floats),
        AttributeType::Ints => AttrValue::Ints(&a.ints),
        AttributeType::Strings => AttrValue::Strings(&a.strings),
        AttributeType::Tensors => AttrValue::Tensors(&a.tensors),
        AttributeType::Graphs => AttrValue::Graphs(&a.graphs),
        AttributeType::Undefined => {
            return Err(Error::invalid(format!(
                "attribute \"{name}\" has no type and no value"
            )));
        }
        other => {
            return Err(Error::unsupported(format!(
                "attribute \"{name}\" of kind {} is not supported",
                other.as_str_name()
            )));
        }
    })
}

fn infer_type(a: &AttributeProto) -> AttributeType {
    if a.f.is_some() {
        AttributeType::Float
    } else if a.i.is_some() {
        AttributeType::Int
    } else if a.s.is_some() {
        AttributeType::String
    } else if a.t.is_some() {
        AttributeType::Tensor
    } else if a.g.is_some() {
        AttributeType::Graph
    } else if !a.floats.is_empty() {
        AttributeType::Floats
    } else if !a.ints.is_empty() {
        AttributeType::Ints
    } else if !a.strings.is_empty() {
        AttributeType::Strings
    } else if !a.tensors.is_empty() {
        AttributeType::Tensors
    } else if !a.graphs.is_empty() {
        AttributeType::Graphs
    } else {
        AttributeType::Undefined
    }
}

/// The attributes of one node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attrs<'a> {
    list: &'a [AttributeProto],
}

impl<'a> Attrs<'a> {
    pub(crate) fn new(list: &'a [AttributeProto]) -> Self {
        Attrs { list }
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &'a str> {
        self.list.iter().map(|a| a.name())
    }

    /// The attribute's value, or None when the node does not set it.
    pub(crate) fn get(&self, name: &str) -> Result<Option<AttrValue<'a>>> {
        match self.list.iter().find(|a| a.name() == name) {
            Some(a) => decode(a).map(Some),
            None => Ok(None),
        }
    }

    fn wrong(name: &str, want: &str, got: &AttrValue) -> Error {
        Error::invalid(format!(
            "attribute \"{name}\": expected {want}, got {}",
            got.kind()
        ))
    }

    fn required<T>(name: &str, v: Option<T>) -> Result<T> {
        v.ok_or_else(|| Error::invalid(format!("required attribute \"{name}\" is missing")))
    }

    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Int(i)) => Ok(Some(i)),
            Some(v) => Err(Self::wrong(name, "int", &v)),
        }
    }
    pub(crate) fn int_or(&self, name: &str, default: i64) -> Result<i64> {
        Ok(self.int(name)?.unwrap_or(default))
    }
    pub(crate) fn req_int(&self, name: &str) -> Result<i64> {
        Self::required(name, self.int(name)?)
    }
    pub(crate) fn float(&self, name: &str) -> Result<Option<f32>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Float(f)) => Ok(Some(f)),
            Some(v) => Err(Self::wrong(name, "float", &v)),
        }
    }
    pub(crate) fn float_or(&self, name: &str, default: f32) -> Result<f32> {
        Ok(self.float(name)?.unwrap_or(default))
    }
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::String(s)) => String::from_utf8(s.to_vec())
                .map(Some)
                .map_err(|_| Error::invalid(format!("attribute \"{name}\" is not UTF-8"))),
            Some(v) => Err(Self::wrong(name, "string", &v)),
        }
    }
    pub(crate) fn string_or(&self, name: &str, default: &str) -> Result<String> {
        Ok(self.string(name)?.unwrap_or_else(|| default.to_string()))
    }
    pub(crate) fn tensor(&self, name: &str) -> Result<Option<&'a TensorProto>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Tensor(t)) => Ok(Some(t)),
            Some(v) => Err(Self::wrong(name, "tensor", &v)),
        }
    }
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn graph(&self, name: &str) -> Result<Option<&'a GraphProto>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Graph(g)) => Ok(Some(g)),
            Some(v) => Err(Self::wrong(name, "graph", &v)),
        }
    }
    pub(crate) fn ints(&self, name: &str) -> Result<Option<Vec<i64>>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Ints(v)) => Ok(Some(v.to_vec())),
            Some(v) => Err(Self::wrong(name, "ints", &v)),
        }
    }
    pub(crate) fn req_ints(&self, name: &str) -> Result<Vec<i64>> {
        Self::required(name, self.ints(name)?)
    }
    pub(crate) fn floats(&self, name: &str) -> Result<Option<Vec<f32>>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Floats(v)) => Ok(Some(v.to_vec())),
            Some(v) => Err(Self::wrong(name, "floats", &v)),
        }
    }
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn strings(&self, name: &str) -> Result<Option<Vec<String>>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Strings(v)) => Ok(Some(
                v.iter()
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect(),
            )),
            Some(v) => Err(Self::wrong(name, "strings", &v)),
        }
    }
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn tensors(&self, name: &str) -> Result<Option<&'a [TensorProto]>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Tensors(v)) => Ok(Some(v)),
            Some(v) => Err(Self::wrong(name, "tensors", &v)),
        }
    }
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn graphs(&self, name: &str) -> Result<Option<&'a [GraphProto]>> {
        match self.get(name)? {
            None => Ok(None),
            Some(AttrValue::Graphs(v)) => Ok(Some(v)),
            Some(v) => Err(Self::wrong(name, "graphs", &v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_models::*;

    #[test]
    fn attribute_getters_decode_every_kind_and_name_mismatches() {
        use crate::attr::Attrs;
        let list = vec![
            a_int("i", 3),
            a_float("f", 0.5),
            a_str("s", "SAME_UPPER"),
            a_ints("is", &[1, 2]),
            AttributeProto {
                name: Some("fs".into()),
                floats: vec![1.0, 2.0],
                ..Default::default()
            },
            AttributeProto {
                name: Some("ss".into()),
                r#type: Some(AttributeType::Strings as i32),
                strings: vec![Bytes::from_static(b"a")],
                ..Default::default()
            },
            AttributeProto {
                name: Some("t".into()),
                r#type: Some(AttributeType::Tensor as i32),
                t: Some(t_i64("k", &[4])),
                ..Default::default()
            },
            AttributeProto {
                name: Some("ts".into()),
                r#type: Some(AttributeType::Tensors as i32),
                tensors: vec![t_i64("k", &[4])],
                ..Default::default()
            },
            AttributeProto {
                name: Some("g".into()),
                r#type: Some(AttributeType::Graph as i32),
                g: Some(GraphProto::default()),
                ..Default::default()
            },
            AttributeProto {
                name: Some("gs".into()),
                r#type: Some(AttributeType::Graphs as i32),
                graphs: vec![GraphProto::default()],
                ..Default::default()
            },
        ];
        let a = Attrs::new(&list);
        assert_eq!(a.req_int("i").unwrap(), 3);
        assert_eq!(a.float_or("f", 1.0).unwrap(), 0.5);
        assert_eq!(a.string("s").unwrap().unwrap(), "SAME_UPPER");
        assert_eq!(a.ints("is").unwrap().unwrap(), vec![1, 2]);
        // No `type` field (old models): the kind comes from the field that holds a value.
        assert_eq!(a.floats("fs").unwrap().unwrap(), vec![1.0, 2.0]);
        assert_eq!(a.strings("ss").unwrap().unwrap(), vec!["a".to_string()]);
        assert_eq!(a.tensor("t").unwrap().unwrap().name(), "k");
        assert_eq!(a.tensors("ts").unwrap().unwrap().len(), 1);
        assert!(a.graph("g").unwrap().is_some());
        assert_eq!(a.graphs("gs").unwrap().unwrap().len(), 1);
        assert_eq!(a.int_or("absent", 7).unwrap(), 7);
        let e = a.req_int("absent").unwrap_err();
        assert!(e.message.contains("required attribute \"absent\""), "{e}");
        let e = a.ints("i").unwrap_err();
        assert_eq!(e.message, "attribute \"i\": expected ints, got int");
    }
}
