"""Writes tests/op_cases/qdq_*/ (model.onnx + test_data_set_0): tiny torch
models (seeded weights) quantized by onnxruntime's quantize_static in QDQ
form, per tensor and per channel, with a seeded calibration reader. The
expected outputs are onnxruntime's own.

Run from the repository root with build/venv-models/bin/python (onnxruntime
1.31.1, torch, onnx). Writes the same bytes on every run for the same
packages; with case names as arguments, writes only those cases (qop_*: the
QOperator format, QLinearConv / QLinearSigmoid / QLinearLeakyRelu). With
--compare, writes nothing: runs each case with
target/debug/onnx2linalg and counts the output values that differ from
onnxruntime's, in steps of the output's quantization scale. With --fixtures,
writes nothing in the repository: quantizes CNN fixtures of fixtures/models
(per tensor u8, per channel s8; calibrated on the fixture's input with seeded
noise) into a temporary folder, and prints, per model, how many output values
and how many values of the 8-bit tensors after its groups (every
QuantizeLinear output) differ from onnxruntime's, and what `--explain-quant`
says of its groups. With --intermediates, writes nothing: the depthwise and
mix cases with every 8-bit tensor after a group made a graph output, over
seeded inputs, against onnxruntime. With --tables [OP ...], writes nothing:
runs QLinearSigmoid / QLinearLeakyRelu and the QDQ groups of the table ops
(TABLE_OPS, or the ops named: FLOAT_OPS measures the groups that stay
float) over all 256 codes for seeded random scales, zero points and
attributes, and counts the codes whose result differs from onnxruntime's."""
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


class TinyDepthwise(torch.nn.Module):
    """Depthwise (multiplier 1 and 2) and grouped convolutions between
    Sigmoid and LeakyRelu."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.dw = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.dw2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=8)
        self.grouped = torch.nn.Conv2d(16, 8, 3, padding=1, groups=4)
        self.fc = torch.nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        a = torch.relu(self.conv(x))
        b = torch.sigmoid(self.dw(a))
        c = torch.nn.functional.leaky_relu(self.dw2(b), 0.1)
        d = torch.sigmoid(self.grouped(c))
        return self.fc(torch.flatten(d, 1))


class TinyAct(torch.nn.Module):
    """HardSwish, HardSigmoid (a squeeze-excite gate) and Abs between
    convolutions: the QDQ groups of the elementwise tables (the quantizer
    folds a ReLU6 after a convolution into the convolution's range)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.dw = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.conv2 = torch.nn.Conv2d(8, 8, 1)
        self.fc = torch.nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        a = torch.nn.functional.hardswish(self.conv(x))
        b = self.dw(a)
        gate = torch.nn.functional.hardsigmoid(b)
        c = torch.nn.functional.relu6(self.conv2(b * gate))
        d = torch.abs(torch.flatten(self.conv2(c), 1))
        return self.fc(d)


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


def make(name, module, shape, per_channel, activation_type=QuantType.QUInt8, quant_format=QuantFormat.QDQ):
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
            quant_format=quant_format,
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
    for folder in sorted([*ROOT.glob("qdq_*"), *ROOT.glob("qop_*")]):
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
                out_name = session.get_outputs()[0].name.replace("/", "_")
                got = np.load(f"{tmp}/out/{out_name}.npy")
                # The 8-bit tensor after every group: each QuantizeLinear's
                # output made a graph output too.
                inner = onnx.load(model)
                known = {o.name for o in inner.graph.output}
                for n in inner.graph.node:
                    if n.op_type == "QuantizeLinear" and n.output[0] not in known:
                        inner.graph.output.append(onnx.ValueInfoProto(name=n.output[0]))
                onnx.save(inner, f"{tmp}/inner.onnx")
                session = ort.InferenceSession(f"{tmp}/inner.onnx", providers=["CPUExecutionProvider"])
                names = [o.name for o in session.get_outputs()]
                wants = session.run(None, {feed: x})
                subprocess.run(
                    stdout=subprocess.DEVNULL,
                    args=["target/debug/onnx2linalg", "run", f"{tmp}/inner.onnx",
                     "--input", f"{feed}={tmp}/x.npy", "--output-dir", f"{tmp}/inner"],
                    check=True,
                )
                inner_total = sum(w.size for w in wants)
                inner_differ = sum(
                    int((np.load(f"{tmp}/inner/{n.replace('/', '_')}.npy") != w).sum())
                    for n, w in zip(names, wants)
                )
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
                  f"max |diff| {diff.max():.3g}; 8-bit tensors after the groups: {inner_total} values, "
                  f"{inner_differ} differ; groups: {kinds}")


def compare_intermediates():
    """The depthwise and mix cases with every QuantizeLinear output (and, in
    the QOperator cases, every QLinear op's output) made a graph output too
    (the 8-bit tensor after each group), over three seeded
    inputs at two scales (x 1 and x 4, which saturates the input's
    quantization): counts the 8-bit and output values that differ from
    onnxruntime's."""
    ort.set_default_logger_severity(3)
    cases = [*ROOT.glob("qdq_depthwise_*"), *ROOT.glob("qdq_mix_*"), *ROOT.glob("qop_depthwise_*"),
             *ROOT.glob("qdq_act_*")]
    for folder in sorted(cases):
        model = onnx.load(str(folder / "model.onnx"))
        known = {o.name for o in model.graph.output}
        for n in model.graph.node:
            eight_bit = n.op_type in ["QuantizeLinear", "QGemm"] or n.op_type.startswith("QLinear")
            if eight_bit and n.output[0] not in known:
                model.graph.output.append(onnx.ValueInfoProto(name=n.output[0]))
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        total = differ = 0
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/model.onnx"
            onnx.save(model, path)
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            names = [o.name for o in session.get_outputs()]
            for seed in range(3):
                for scale in [1.0, 4.0]:
                    x = (scale * np.random.default_rng(seed).standard_normal(shape)).astype(np.float32)
                    want = session.run(None, {"x": x})
                    np.save(f"{tmp}/x.npy", x)
                    out = f"{tmp}/out_{seed}_{scale}"
                    subprocess.run(
                        stdout=subprocess.DEVNULL,
                        args=["target/debug/onnx2linalg", "run", path,
                              "--input", f"x={tmp}/x.npy", "--output-dir", out],
                        check=True,
                    )
                    for name, w in zip(names, want):
                        got = np.load(f"{out}/{name.replace('/', '_')}.npy")
                        total += w.size
                        differ += int((got != w).sum())
        print(f"{folder.name}: {len(names)} outputs, {total} values, {differ} differ")


TABLE_OPS = ["Sigmoid", "LeakyRelu", "HardSigmoid", "HardSwish", "Relu", "Clip", "Abs", "Neg"]
# Ops whose QDQ group keeps the float path (transcendental: onnxruntime's
# approximations are not reproduced at conversion time); `--tables Tanh ...`
# measures how our float path compares.
FLOAT_OPS = ["Tanh", "Exp", "Log", "Sqrt", "Erf", "Softplus", "Elu", "Selu", "Gelu", "Mish"]


def compare_tables(ops=None, sets=128):
    """The lookup-table ops (QLinearSigmoid / QLinearLeakyRelu and the QDQ
    groups of the elementwise unary ops) over every 8-bit code, for seeded
    random scales, zero points and attributes: one model per (op, type,
    form) with `sets` nodes side by side, run by onnxruntime (optimizations
    on, and for the QDQ form also off) and onnx2linalg."""
    from onnx import TensorProto, helper

    ort.set_default_logger_severity(3)
    for op in ops or TABLE_OPS:
        rng = np.random.default_rng(5)
        for signed in [False, True]:
            dt = TensorProto.INT8 if signed else TensorProto.UINT8
            lo, hi = (-128, 127) if signed else (0, 255)
            codes = np.arange(lo, hi + 1).astype(np.int8 if signed else np.uint8)
            params = [
                (np.float32(10 ** rng.uniform(-3, -0.5)), int(rng.integers(lo, hi + 1)),
                 np.float32(10 ** rng.uniform(-3.5, -1)), int(rng.integers(lo, hi + 1)),
                 float(np.float32(rng.uniform(0.01, 0.5))), float(np.float32(rng.uniform(-1, 1))),
                 sorted(np.float32(rng.uniform(-3, 3, 2)).tolist()))
                for _ in range(sets)
            ]
            forms = ["contrib", "qdq"] if op in ["Sigmoid", "LeakyRelu"] else ["qdq"]
            for form in forms:
                nodes, inits, outs = [], [], []
                for i, (sx, zx, sy, zy, alpha, beta, bounds) in enumerate(params):
                    inits += [
                        helper.make_tensor(f"sx{i}", TensorProto.FLOAT, [], [sx]),
                        helper.make_tensor(f"zx{i}", dt, [], [zx]),
                        helper.make_tensor(f"sy{i}", TensorProto.FLOAT, [], [sy]),
                        helper.make_tensor(f"zy{i}", dt, [], [zy]),
                    ]
                    attrs = {
                        "LeakyRelu": {"alpha": alpha},
                        "HardSigmoid": {"alpha": alpha, "beta": beta},
                        "Elu": {"alpha": alpha},
                    }.get(op, {})
                    args = [f"d{i}"]
                    if op == "Clip":
                        inits += [helper.make_tensor(f"lo{i}", TensorProto.FLOAT, [], [bounds[0]]),
                                  helper.make_tensor(f"hi{i}", TensorProto.FLOAT, [], [bounds[1]])]
                        args += [f"lo{i}", f"hi{i}"]
                    if form == "contrib":
                        nodes.append(helper.make_node(
                            f"QLinear{op}", ["x", f"sx{i}", f"zx{i}", f"sy{i}", f"zy{i}"], [f"y{i}"],
                            domain="com.microsoft", **attrs))
                    else:
                        nodes += [
                            helper.make_node("DequantizeLinear", ["x", f"sx{i}", f"zx{i}"], [f"d{i}"]),
                            helper.make_node(op, args, [f"f{i}"], **attrs),
                            helper.make_node("QuantizeLinear", [f"f{i}", f"sy{i}", f"zy{i}"], [f"y{i}"]),
                        ]
                    outs.append(helper.make_tensor_value_info(f"y{i}", dt, [256]))
                graph = helper.make_graph(
                    nodes, "tables", [helper.make_tensor_value_info("x", dt, [256])], outs, inits)
                model = helper.make_model(
                    graph, ir_version=8,
                    opset_imports=[helper.make_opsetid("", 20 if op == "Gelu" else 17),
                                   helper.make_opsetid("com.microsoft", 1)])
                with tempfile.TemporaryDirectory() as tmp:
                    path = f"{tmp}/model.onnx"
                    onnx.save(model, path)
                    np.save(f"{tmp}/x.npy", codes)
                    subprocess.run(
                        stdout=subprocess.DEVNULL,
                        args=["target/debug/onnx2linalg", "run", path,
                              "--input", f"x={tmp}/x.npy", "--output-dir", f"{tmp}/out"],
                        check=True,
                    )
                    explained = subprocess.run(
                        ["target/debug/onnx2linalg", path, "-o", "/dev/null", "--explain-quant"],
                        capture_output=True, text=True, check=True,
                    ).stderr
                    tabled = sum("): integer (" in line and "table" in line for line in explained.splitlines())
                    got = [np.load(f"{tmp}/out/y{i}.npy").astype(int) for i in range(sets)]
                    levels = {"on": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}
                    if form == "qdq":
                        levels["off"] = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
                    for level, value in levels.items():
                        options = ort.SessionOptions()
                        options.graph_optimization_level = value
                        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
                        want = session.run(None, {"x": codes})
                        differ = sum(int((g != w.astype(int)).sum()) for g, w in zip(got, want))
                        steps = max(int(np.abs(g - w.astype(int)).max()) for g, w in zip(got, want))
                        kind = "s8" if signed else "u8"
                        note = f"; {tabled} of {sets} groups tabled" if form == "qdq" else ""
                        print(f"{op} {kind} {form} (onnxruntime optimizations {level}{note}): "
                              f"{sets * 256} codes, {differ} differ, at most {steps} steps")


if __name__ == "__main__":
    if sys.argv[1:] == ["--intermediates"]:
        compare_intermediates()
        sys.exit(0)
    if sys.argv[1:2] == ["--tables"]:
        compare_tables(sys.argv[2:])
        sys.exit(0)
    if sys.argv[1:] == ["--compare"]:
        compare()
        sys.exit(0)
    if sys.argv[1:] == ["--fixtures"]:
        compare_fixtures()
        sys.exit(0)
    cases = {
        "qdq_cnn_per_tensor": (TinyCnn, [8, 3, 8, 8], False, QuantType.QUInt8),
        "qdq_cnn_per_channel": (TinyCnn, [8, 3, 8, 8], True, QuantType.QUInt8),
        "qdq_mlp_per_tensor": (TinyMlp, [32, 16], False, QuantType.QUInt8),
        "qdq_mlp_per_channel": (TinyMlp, [32, 16], True, QuantType.QUInt8),
        "qdq_matmul_per_tensor": (TinySeq, [4, 8, 16], False, QuantType.QUInt8),
        "qdq_matmul_per_channel": (TinySeq, [4, 8, 16], True, QuantType.QUInt8),
        "qdq_cnn_s8_per_channel": (TinyCnn, [8, 3, 8, 8], True, QuantType.QInt8),
        "qdq_matmul_s8_per_channel": (TinySeq, [4, 8, 16], True, QuantType.QInt8),
        "qdq_mlp_s8_per_channel": (TinyMlp, [32, 16], True, QuantType.QInt8),
        "qdq_mix_per_tensor": (TinyMix, [8, 3, 8, 8], False, QuantType.QUInt8),
        "qdq_mix_s8_per_tensor": (TinyMix, [8, 3, 8, 8], False, QuantType.QInt8),
        "qdq_depthwise_per_tensor": (TinyDepthwise, [4, 3, 8, 8], False, QuantType.QUInt8),
        "qdq_depthwise_s8_per_channel": (TinyDepthwise, [4, 3, 8, 8], True, QuantType.QInt8),
        "qdq_act_per_tensor": (TinyAct, [4, 3, 8, 8], False, QuantType.QUInt8),
        "qdq_act_s8_per_channel": (TinyAct, [4, 3, 8, 8], True, QuantType.QInt8),
        "qop_depthwise_per_tensor": (TinyDepthwise, [4, 3, 8, 8], False, QuantType.QUInt8),
        "qop_depthwise_s8_per_channel": (TinyDepthwise, [4, 3, 8, 8], True, QuantType.QInt8),
    }
    # Case names as arguments write only those cases; none writes all.
    for name in sys.argv[1:] or cases:
        module, shape, per_channel, act = cases[name]
        fmt = QuantFormat.QOperator if name.startswith("qop_") else QuantFormat.QDQ
        make(name, module, shape, per_channel, activation_type=act, quant_format=fmt)
