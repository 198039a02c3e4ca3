"""A torchvision network to linalg MLIR with the onnx2linalg Python package:

    pip install onnx2linalg torch torchvision
    python examples/torchvision_model.py OUT_DIR

ResNet-18 with seeded random weights (no download): exported with torch.onnx.export to a
file, converted with onnx2linalg.convert, run with onnx2linalg.run and checked
against PyTorch (max |difference| <= 1e-4).
"""
import pathlib
import sys

import numpy as np
import onnx2linalg
import torch
import torchvision


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None, num_classes=10)
    # Real batch-norm statistics from a few training-mode batches (fresh ones,
    # mean 0 and variance 1, are a degenerate case).
    with torch.no_grad():
        model.train()
        for _ in range(3):
            model(torch.randn(8, 3, 64, 64))
    model.eval()
    image = torch.randn(1, 3, 64, 64)

    path = out / "resnet18.onnx"
    with torch.no_grad():
        torch.onnx.export(model, (image,), str(path), input_names=["image"],
                          output_names=["logits"], opset_version=17, dynamo=False)
        expected = model(image).numpy()

    mlir = onnx2linalg.convert(path)
    path.with_suffix(".mlir").write_text(mlir)
    got = onnx2linalg.run(path, {"image": image.numpy()})["logits"]

    err = float(np.max(np.abs(got - expected)))
    print(f"torchvision resnet18: {len(mlir)} characters of MLIR, logits up to "
          f"{float(np.max(np.abs(expected))):.3g}, max |onnx2linalg - PyTorch| = {err:.2e}")
    if got.shape != expected.shape or err > 1e-4 * max(1.0, float(np.max(np.abs(expected)))):
        sys.exit("torchvision_model: MISMATCH")


if __name__ == "__main__":
    main()
