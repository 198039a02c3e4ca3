//! onnxruntime's com.microsoft contrib ops: each folder under
//! tests/contrib_cases (made by tests/contrib_cases/make_cases.py, expected
//! outputs from onnxruntime, the ops' defining implementation) must pass
//! `onnx2linalg check`; among them a BERT and a GPT-2 fused by
//! onnxruntime's transformer optimizer, and ten tiny decoder LLMs (Llama,
//! multi-query Llama, Qwen2, Mistral with a sliding window, Phi-3; int4 and
//! fp32) written by
//! onnxruntime-genai's model builder (tests/contrib_cases/make_genai_cases.py),
//! converted with their symbolic batch, sequence and past lengths and run on
//! a prompt without a past and two decode steps.
use std::path::Path;

#[test]
fn every_contrib_case_passes_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contrib_cases");
    super::op_cases::check_every_case(&root, 109, "contrib");
}
