"""Your own PyTorch module to linalg MLIR, in one process, with the onnx2linalg
Python package (no MLIR or LLVM install needed):

    pip install onnx2linalg torch
    python examples/nn_module.py OUT_DIR

Exports the module with torch.onnx.export, converts it with
onnx2linalg.convert, runs the MLIR with onnx2linalg.run and checks it against
PyTorch (max |difference| <= 1e-4).
"""
import io
import pathlib
import sys

import numpy as np
import onnx2linalg
import torch


class TinyClassifier(torch.nn.Module):
    """Convolution, layer norm, attention-style mixing, a linear head."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.norm = torch.nn.LayerNorm(8)
        self.mix = torch.nn.Linear(8, 8)
        self.head = torch.nn.Linear(8, 4)

    def forward(self, image):
        x = torch.relu(self.conv(image))
        tokens = self.norm(x.flatten(2).transpose(1, 2))
        weights = torch.softmax(tokens @ tokens.transpose(1, 2) / 8 ** 0.5, dim=-1)
        tokens = tokens + self.mix(weights @ tokens)
        return self.head(tokens.mean(dim=1))


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = TinyClassifier().eval()
    image = torch.randn(1, 3, 16, 16)

    onnx_bytes = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, (image,), onnx_bytes, input_names=["image"],
                          output_names=["logits"], opset_version=17, dynamo=False)
        expected = model(image).numpy()

    mlir = onnx2linalg.convert(onnx_bytes.getvalue())
    (out / "nn_module.mlir").write_text(mlir)
    got = onnx2linalg.run(onnx_bytes.getvalue(), {"image": image.numpy()})["logits"]

    err = float(np.max(np.abs(got - expected)))
    print(f"nn_module: {len(mlir)} characters of MLIR, max |onnx2linalg - PyTorch| = {err:.2e}")
    if got.shape != expected.shape or err > 1e-4:
        sys.exit("nn_module: MISMATCH")


if __name__ == "__main__":
    main()
