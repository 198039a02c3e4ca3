//! Protobuf decode of every message a model file or a test-data file holds:
//! any bytes must decode or fail, never panic, hang or over-allocate.
#![no_main]
use libfuzzer_sys::fuzz_target;
use o2l_proto::{Message, ModelProto, TensorProto};

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = ModelProto::decode(data) {
        // Re-encoding what decoded must decode to the same message.
        let again = ModelProto::decode(model.encode_to_vec().as_slice());
        assert_eq!(again.ok().as_ref(), Some(&model));
    }
    let _ = TensorProto::decode(data);
});
