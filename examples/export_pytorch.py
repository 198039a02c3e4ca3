"""Export your own PyTorch models to ONNX and convert them with onnx2linalg.

Three kinds of model, the way a user has them:
  1. an nn.Module you wrote,
  2. a torchvision network,
  3. a Hugging Face transformers model (built from a small config here; with a
     hub checkpoint, use `from_pretrained` instead).
Each is exported with torch.onnx.export, converted to linalg MLIR, run by
`onnx2linalg run` on the same input, and compared with PyTorch's own output.

    python examples/export_pytorch.py target/debug/onnx2linalg OUT_DIR

Needs the packages of python/requirements-models.txt (torch, torchvision,
transformers, onnx); `bash scripts/setup.sh --with-torch` makes that venv in
build/venv-models. tests/suite/examples.rs runs this script.
"""
import pathlib
import subprocess
import sys

import numpy as np
import torch
import torchvision
import transformers


class TinyClassifier(torch.nn.Module):
    """A module of your own: convolution, norm, attention-style mixing, a head."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.norm = torch.nn.LayerNorm(8)
        self.mix = torch.nn.Linear(8, 8)
        self.head = torch.nn.Linear(8, 4)

    def forward(self, image):
        x = torch.relu(self.conv(image))            # (B, 8, H, W)
        tokens = x.flatten(2).transpose(1, 2)       # (B, HW, 8)
        tokens = self.norm(tokens)
        weights = torch.softmax(tokens @ tokens.transpose(1, 2) / 8 ** 0.5, dim=-1)
        tokens = tokens + self.mix(weights @ tokens)
        return self.head(tokens.mean(dim=1))


class LastHidden(torch.nn.Module):
    """A transformers model takes keyword inputs and returns a ModelOutput;
    export wants positional tensors in and tensors out."""

    def __init__(self, model, names):
        super().__init__()
        self.model, self.names = model, names

    def forward(self, *inputs):
        return self.model(**dict(zip(self.names, inputs))).last_hidden_state


def export(model, inputs, names, path):
    """torch.onnx.export with named inputs and one output called `output`."""
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, inputs, str(path), input_names=names,
                          output_names=["output"], opset_version=17, dynamo=False)
        expected = model(*inputs)
    return expected.numpy()


def convert_and_run(tool, onnx_path, feeds, out_dir):
    """onnx2linalg MODEL -o MODEL.mlir, then `run` on the feeds; returns the output."""
    mlir = onnx_path.with_suffix(".mlir")
    subprocess.run([tool, str(onnx_path), "-o", str(mlir)], check=True)
    args = [tool, "run", str(onnx_path), "--output-dir", str(out_dir)]
    for name, value in feeds.items():
        npy = out_dir / f"{name}.npy"
        np.save(npy, value)
        args += ["--input", f"{name}={npy}"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    print(f"{onnx_path.parent.name}: {mlir.stat().st_size} bytes of MLIR")
    return np.load(out_dir / "output.npy")


def main():
    tool, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    failures = []

    image = torch.randn(1, 3, 32, 32)
    tokens = torch.randint(0, 100, (1, 12))
    bert = transformers.BertModel(transformers.BertConfig(
        vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=32))
    cases = [
        ("my_module", TinyClassifier(), (image,), ["image"]),
        ("torchvision_mobilenet_v3_small",
         torchvision.models.mobilenet_v3_small(weights=None, num_classes=10), (image,), ["image"]),
        ("transformers_bert", LastHidden(bert, ["input_ids"]), (tokens,), ["input_ids"]),
    ]
    for name, model, inputs, names in cases:
        folder = out / name
        folder.mkdir(exist_ok=True)
        path = folder / "model.onnx"
        expected = export(model, inputs, names, path)
        feeds = {n: x.numpy() for n, x in zip(names, inputs)}
        got = convert_and_run(tool, path, feeds, folder)
        err = float(np.max(np.abs(got - expected)))
        ok = got.shape == expected.shape and err <= 1e-4 * (1 + float(np.max(np.abs(expected))))
        print(f"{name}: output {list(got.shape)}, max |onnx2linalg - PyTorch| = {err:.2e}"
              f" -> {'ok' if ok else 'MISMATCH'}")
        if not ok:
            failures.append(name)
    if failures:
        sys.exit(f"mismatch: {', '.join(failures)}")


if __name__ == "__main__":
    main()
