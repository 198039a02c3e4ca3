//! Protobuf decode of every message a model file or a test-data file holds:
//! any bytes must decode or fail, never panic, hang or over-allocate.
#![no_main]
use libfuzzer_sys::fuzz_target;
use o2l_proto::{Message, ModelProto, TensorProto};

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = ModelProto::decode(data) {
        // What decoded re-encodes to bytes that decode and re-encode the
        // same (bytes, not messages: NaN floats are unequal to themselves).
        let bytes = model.encode_to_vec();
        let again = ModelProto::decode(bytes.as_slice()).map(|m| m.encode_to_vec());
        assert_eq!(again.ok(), Some(bytes));
    }
    let _ = TensorProto::decode(data);
});
