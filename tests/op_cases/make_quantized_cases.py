"""Writes tests/op_cases/qdq_*/ (model.onnx + test_data_set_0): tiny torch
models (seeded weights) quantized by onnxruntime's quantize_static in QDQ
form, per tensor and per channel, with a seeded calibration reader. The
expected outputs are onnxruntime's own.

Run from the repository root with build/venv-models/bin/python (onnxruntime
1.31.1, torch, onnx). Writes the same bytes on every run for the same
packages. With --compare, writes nothing: runs each case with
target/debug/onnx2linalg and counts the output values that differ from
onnxruntime's, in steps of the output's quantization scale. With --fixtures,
writes nothing in the repository: quantizes CNN fixtures of fixtures/models
(per tensor u8, per channel s8; calibrated on the fixture's input with seeded
noise) into a temporary folder, and prints, per model, how many output values
differ from onnxruntime's and what `--explain-quant` says of its groups."""
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


FIXTURES = [
    "resnet_small_op17",
    "tv_squeezenet_op17",
    "tv_mobilenet_v2_op17",
    "tv_shufflenet_v2_op17",
    "tv_regnet_op17",
    "tv_mobilenet_v3_small_op17",
    "tv_efficientnet_op17",
]


def compare_fixtures():
    """Quantized fixture models against onnxruntime, with the explain lines."""
    models = ROOT.parent.parent / "fixtures" / "models"
    ort.set_default_logger_severity(3)
    for name in FIXTURES:
        fp32 = models / f"{name}.onnx"
        graph = onnx.load(str(fp32)).graph
        inits = {i.name for i in graph.initializer}
        feed = [i.name for i in graph.input if i.name not in inits][0]
        x = np.load(next((models / name).glob("input*.npy"))).astype(np.float32)
        for per_channel, act in [(False, QuantType.QUInt8), (True, QuantType.QInt8)]:

            class Noisy(CalibrationDataReader):
                def __init__(self):
                    rng = np.random.default_rng(7)
                    self.batches = iter(
                        [{feed: (x + 0.1 * rng.standard_normal(x.shape)).astype(np.float32)} for _ in range(4)]
                    )

                def get_next(self):
                    return next(self.batches, None)

            with tempfile.TemporaryDirectory() as tmp:
                model = f"{tmp}/model.onnx"
                quantize_static(
                    str(fp32),
                    model,
                    Noisy(),
                    quant_format=QuantFormat.QDQ,
                    per_channel=per_channel,
                    activation_type=act,
                    weight_type=QuantType.QInt8,
                )
                session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
                (want,) = session.run(None, {feed: x})[:1]
                np.save(f"{tmp}/x.npy", x)
                subprocess.run(
                    stdout=subprocess.DEVNULL,
                    args=["target/debug/onnx2linalg", "run", model,
                     "--input", f"{feed}={tmp}/x.npy", "--output-dir", f"{tmp}/out"],
                    check=True,
                )
                got = np.load(next(pathlib.Path(f"{tmp}/out").glob("*.npy")))
                explained = subprocess.run(
                    ["target/debug/onnx2linalg", model, "-o", "/dev/null", "--weights", "elide", "--explain-quant"],
                    capture_output=True, text=True, check=True,
                ).stderr
            kinds = {}
            for line in explained.splitlines():
                kind = line.split("): ", 1)[-1].split(" (")[0].split(":")[0]
                kinds[kind] = kinds.get(kind, 0) + 1
            diff = np.abs(got.astype(np.float64) - want)
            config = "per channel s8" if per_channel else "per tensor u8"
            print(f"{name} ({config}): {want.size} values, {int((diff > 0).sum())} differ, "
                  f"max |diff| {diff.max():.3g}; groups: {kinds}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--compare"]:
        compare()
        sys.exit(0)
    if sys.argv[1:] == ["--fixtures"]:
        compare_fixtures()
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
