//! `docs/ops.md` is generated from the op tables. When it is stale this test
//! rewrites it and fails, so the fresh file gets committed with the change.
#![allow(clippy::panic, clippy::unwrap_used)]

#[test]
fn ops_md_is_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ops.md");
    let want = onnx2linalg::ops_table::render_markdown();
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        std::fs::write(&path, &want).unwrap();
        panic!("docs/ops.md was stale and has been regenerated; commit it");
    }
}
