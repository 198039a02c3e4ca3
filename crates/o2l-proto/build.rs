//! Generates the ONNX protobuf types of this crate from `proto/onnx.proto` (in the
//! crate, so the published package carries its schema). protox compiles the schema
//! in pure Rust, so no system `protoc` is needed.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_dir = manifest.join("proto");
    let schema = proto_dir.join("onnx.proto");
    println!("cargo:rerun-if-changed={}", schema.display());
    let descriptors = protox::compile([&schema], [&proto_dir])?;
    prost_build::Config::new()
        // Bytes fields slice the decode buffer (the memory map) instead of copying weights.
        .bytes(["."])
        .compile_fds(descriptors)?;
    Ok(())
}
