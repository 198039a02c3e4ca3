"""Writes tests/op_cases/qdq_*/ (model.onnx + test_data_set_0): tiny torch
models (seeded weights) quantized by onnxruntime's quantize_static in QDQ
form, per tensor and per channel, with a seeded calibration reader. The
expected outputs are onnxruntime's own.

Run from the repository root with build/venv-models/bin/python (onnxruntime
1.31.1, torch, onnx). Writes the same bytes on every run for the same
packages. With --compare, writes nothing: runs each case with
target/debug/onnx2linalg and counts the output values that differ from
onnxruntime's, in steps of the output's quantization scale."""
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper as nh
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_static,
)

ROOT = pathlib.Path(__file__).resolve().parent


class TinyCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


class TinyMlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(16, 32)
        self.fc2 = torch.nn.Linear(32, 8)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class TinySeq(torch.nn.Module):
    """A linear layer over (batch, seq, features): exported as MatMul + Add."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(16, 8)

    def forward(self, x):
        return self.fc(x)


class TinyMix(torch.nn.Module):
    """The QDQ groups around pooling, Add, Mul and Concat."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        a = torch.relu(self.conv(x))
        b = torch.nn.functional.max_pool2d(a, 2)
        c = torch.nn.functional.avg_pool2d(a, 3, stride=2, padding=1)
        d = b + c
        e = d * b
        f = torch.cat([d, e], dim=1)
        g = torch.nn.functional.adaptive_avg_pool2d(f, 1)
        return self.fc(torch.flatten(g, 1))


class Reader(CalibrationDataReader):
    """Seeded calibration batches."""

    def __init__(self, name, shape, count=8):
        rng = np.random.default_rng(7)
        self.batches = iter(
            [{name: rng.standard_normal(shape).astype(np.float32)} for _ in range(count)]
        )

    def get_next(self):
        return next(self.batches, None)


def export(module, shape, path):
    torch.manual_seed(0)
    model = module()
    model.eval()
    torch.onnx.export(
        model,
        torch.zeros(shape),
        path,
        input_names=["x"],
        output_names=["y"],
        opset_version=17,
        dynamo=False,
    )


def make(name, module, shape, per_channel, activation_type=QuantType.QUInt8):
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = pathlib.Path(tmp) / "fp32.onnx"
        export(module, shape, str(fp32))
        folder = ROOT / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        quantize_static(
            str(fp32),
            str(folder / "model.onnx"),
            Reader("x", shape),
            quant_format=QuantFormat.QDQ,
            per_channel=per_channel,
            activation_type=activation_type,
            weight_type=QuantType.QInt8,
        )
    x = np.random.default_rng(11).standard_normal(shape).astype(np.float32)
    session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"x": x})
    data = folder / "test_data_set_0"
    data.mkdir()
    (data / "input_0.pb").write_bytes(nh.from_array(x, "x").SerializeToString())
    (data / "output_0.pb").write_bytes(nh.from_array(y, "y").SerializeToString())
    ops = [n.op_type for n in onnx.load(str(folder / "model.onnx")).graph.node]
    print(name, ops)


def compare():
    """Counts differing outputs per case, in quantization steps of the output."""
    for folder in sorted(ROOT.glob("qdq_*")):
        model = onnx.load(str(folder / "model.onnx"))
        inits = {i.name: nh.to_array(i) for i in model.graph.initializer}
        last = [n for n in model.graph.node if n.output[0] == "y"][0]
        step = float(inits[last.input[1]])
        data = folder / "test_data_set_0"
        x = nh.to_array(onnx.load_tensor(str(data / "input_0.pb")))
        want = nh.to_array(onnx.load_tensor(str(data / "output_0.pb")))
        with tempfile.TemporaryDirectory() as tmp:
            np.save(f"{tmp}/x.npy", x)
            subprocess.run(
                stdout=subprocess.DEVNULL,
                args=["target/debug/onnx2linalg", "run", str(folder / "model.onnx"),
                 "--input", f"x={tmp}/x.npy", "--output-dir", tmp],
                check=True,
            )
            got = np.load(f"{tmp}/y.npy")
        steps = np.rint(np.abs(got.astype(np.float64) - want) / step).astype(np.int64)
        counts = {int(k): int(v) for k, v in zip(*np.unique(steps, return_counts=True))}
        worst = float(np.max(np.abs(got.astype(np.float64) - want)))
        print(f"{folder.name}: {want.size} values, by steps of {step:.6g}: {counts}, max |diff| {worst:.3g}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--compare"]:
        compare()
        sys.exit(0)
    make("qdq_cnn_per_tensor", TinyCnn, [8, 3, 8, 8], per_channel=False)
    make("qdq_cnn_per_channel", TinyCnn, [8, 3, 8, 8], per_channel=True)
    make("qdq_mlp_per_tensor", TinyMlp, [32, 16], per_channel=False)
    make("qdq_mlp_per_channel", TinyMlp, [32, 16], per_channel=True)
    make("qdq_matmul_per_tensor", TinySeq, [4, 8, 16], per_channel=False)
    make("qdq_matmul_per_channel", TinySeq, [4, 8, 16], per_channel=True)
    make("qdq_cnn_s8_per_channel", TinyCnn, [8, 3, 8, 8], per_channel=True, activation_type=QuantType.QInt8)
    make("qdq_matmul_s8_per_channel", TinySeq, [4, 8, 16], per_channel=True, activation_type=QuantType.QInt8)
    make("qdq_mlp_s8_per_channel", TinyMlp, [32, 16], per_channel=True, activation_type=QuantType.QInt8)
    make("qdq_mix_per_tensor", TinyMix, [8, 3, 8, 8], per_channel=False)
    make("qdq_mix_s8_per_tensor", TinyMix, [8, 3, 8, 8], per_channel=False, activation_type=QuantType.QInt8)
