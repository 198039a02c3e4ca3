"""A Hugging Face transformers model to linalg MLIR with the onnx2linalg Python
package, with dynamic batch and sequence dims:

    pip install onnx2linalg torch transformers
    python examples/transformers_model.py OUT_DIR

A small BERT built from a config with seeded weights (no download; use
`from_pretrained` for a hub checkpoint) is exported with dynamic axes, converted
once to MLIR with `?` dims, and that one module is run by onnx2linalg.run at
two shapes and checked against PyTorch (max |difference| <= 1e-4).
"""
import pathlib
import sys

import numpy as np
import onnx2linalg
import torch
import transformers


class LastHidden(torch.nn.Module):
    """transformers models take keyword inputs and return a ModelOutput;
    export wants positional tensors in and tensors out."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64,
                                     max_position_embeddings=64)
    model = LastHidden(transformers.BertModel(config)).eval()

    def inputs(batch, seq):
        ids = torch.randint(0, 100, (batch, seq))
        return ids, torch.ones(batch, seq, dtype=torch.int64)

    path = out / "bert.onnx"
    axes = {0: "batch", 1: "seq"}
    with torch.no_grad():
        torch.onnx.export(model, inputs(1, 8), str(path),
                          input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
                          opset_version=17, dynamo=False)

    mlir = onnx2linalg.convert(path)
    path.with_suffix(".mlir").write_text(mlir)
    signature = next(line for line in mlir.splitlines() if "func.func" in line)
    print(f"transformers bert: {signature.strip()[:120]}")

    failed = False
    for batch, seq in [(1, 8), (2, 13)]:
        ids, mask = inputs(batch, seq)
        with torch.no_grad():
            expected = model(ids, mask).numpy()
        got = onnx2linalg.run(path, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()},
                              dynamic=True)["hidden"]
        err = float(np.max(np.abs(got - expected)))
        print(f"transformers bert at batch {batch}, seq {seq}: max |onnx2linalg - PyTorch| = {err:.2e}")
        failed |= got.shape != expected.shape or err > 1e-4
    if failed:
        sys.exit("transformers_model: MISMATCH")


if __name__ == "__main__":
    main()
