#!/usr/bin/env python3
"""Writes the benchmark models (never committed; seeded random weights):

    resnet50.onnx            ResNet-50 topology (BN folded into conv bias), 102 MB, one file
    mlp_1g/mlp_1g.onnx       16 MatMul+Relu layers of 4096x4096 f32: 1 GiB in one external file
    llama_1b/llama_1b.onnx   a LLaMA-style decoder (hidden 2048, 16 layers, SwiGLU 5632,
                             vocab 32000; ~0.95 B parameters, 3.8 GB) with its weights in
                             one external file per layer

    python benches/make_models.py OUT_DIR [NAME...]

Only numpy and onnx are needed (see benches/requirements.txt).
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    """Collects nodes and initializers; weights are seeded, scaled by fan-in."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.count = 0

    def name(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def weight(self, base, shape, fan_in):
        w = self.rng.standard_normal(shape, dtype=np.float32)
        w *= np.float32(1.0 / np.sqrt(fan_in))
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(w, n))
        return n

    def const(self, base, array):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out


def resnet50():
    b = Builder(50)

    def conv(x, cin, cout, k, stride=1):
        w = b.weight("w", (cout, cin, k, k), cin * k * k)
        bias = b.const("b", (b.rng.standard_normal(cout) * 0.01).astype(np.float32))
        return b.op("Conv", [x, w, bias], kernel_shape=[k, k], strides=[stride, stride],
                    pads=[k // 2] * 4)

    x = b.op("Relu", [conv("image", 3, 64, 7, 2)])
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, (blocks, width) in enumerate(zip([3, 4, 6, 3], [64, 128, 256, 512])):
        for i in range(blocks):
            stride = 2 if i == 0 and stage > 0 else 1
            y = b.op("Relu", [conv(x, cin, width, 1)])
            y = b.op("Relu", [conv(y, width, width, 3, stride)])
            y = conv(y, width, width * 4, 1)
            short = conv(x, cin, width * 4, 1, stride) if i == 0 else x
            x = b.op("Relu", [b.op("Add", [y, short])])
            cin = width * 4
    x = b.op("GlobalAveragePool", [x])
    x = b.op("Flatten", [x])
    w = b.weight("fc", (1000, 2048), 2048)
    bias = b.const("fcb", np.zeros(1000, np.float32))
    b.nodes.append(helper.make_node("Gemm", [x, w, bias], ["logits"], transB=1))
    graph = helper.make_graph(
        b.nodes, "resnet50",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])], b.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), None


def mlp_1g():
    b = Builder(1)
    x = "x"
    for _ in range(16):
        x = b.op("Relu", [b.op("MatMul", [x, b.weight("w", (4096, 4096), 4096)])])
    b.nodes.append(helper.make_node("Identity", [x], ["y"]))
    graph = helper.make_graph(
        b.nodes, "mlp_1g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4096])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4096])], b.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), "one"


def llama_1b():
    hidden, layers, heads, inter, vocab, seq = 2048, 16, 16, 5632, 32000, 16
    hd = hidden // heads
    b = Builder(7)

    def rmsnorm(x):
        sq = b.op("Mul", [x, x])
        mean = b.op("ReduceMean", [sq, b.const("axes", np.array([-1], np.int64))], keepdims=1)
        eps = b.const("eps", np.array(1e-5, np.float32))
        inv = b.op("Reciprocal", [b.op("Sqrt", [b.op("Add", [mean, eps])])])
        scale = b.const("g", np.ones(hidden, np.float32))
        return b.op("Mul", [b.op("Mul", [x, inv]), scale])

    def heads_of(x):
        r = b.op("Reshape", [x, b.const("shape", np.array([1, seq, heads, hd], np.int64))])
        return b.op("Transpose", [r], perm=[0, 2, 1, 3])

    mask = np.triu(np.full((seq, seq), -1e9, np.float32), 1)
    causal = b.const("causal", mask)
    embed = b.weight("embed", (vocab, hidden), 1)
    x = b.op("Gather", [embed, "ids"])
    for _ in range(layers):
        h = rmsnorm(x)
        q = heads_of(b.op("MatMul", [h, b.weight("wq", (hidden, hidden), hidden)]))
        k = heads_of(b.op("MatMul", [h, b.weight("wk", (hidden, hidden), hidden)]))
        v = heads_of(b.op("MatMul", [h, b.weight("wv", (hidden, hidden), hidden)]))
        kt = b.op("Transpose", [k], perm=[0, 1, 3, 2])
        s = b.op("Mul", [b.op("MatMul", [q, kt]), b.const("scale", np.array(hd**-0.5, np.float32))])
        p = b.op("Softmax", [b.op("Add", [s, causal])], axis=-1)
        o = b.op("Transpose", [b.op("MatMul", [p, v])], perm=[0, 2, 1, 3])
        o = b.op("Reshape", [o, b.const("shape", np.array([1, seq, hidden], np.int64))])
        x = b.op("Add", [x, b.op("MatMul", [o, b.weight("wo", (hidden, hidden), hidden)])])
        h = rmsnorm(x)
        gate = b.op("MatMul", [h, b.weight("wg", (hidden, inter), hidden)])
        up = b.op("MatMul", [h, b.weight("wu", (hidden, inter), hidden)])
        act = b.op("Mul", [gate, b.op("Sigmoid", [gate])])
        x = b.op("Add", [x, b.op("MatMul", [b.op("Mul", [act, up]), b.weight("wd", (inter, hidden), inter)])])
    logits = b.op("MatMul", [rmsnorm(x), b.weight("head", (hidden, vocab), hidden)])
    b.nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    graph = helper.make_graph(
        b.nodes, "llama_1b", [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, seq])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, seq, vocab])], b.inits)
    # 18: ReduceMean takes its axes as an input from opset 18 on.
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), "per-layer"


MODELS = {"resnet50": resnet50, "mlp_1g": mlp_1g, "llama_1b": llama_1b}


def save(model, path, external):
    if external is None:
        onnx.save(model, path)
        return
    folder = os.path.dirname(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    for i, init in enumerate(model.graph.initializer):
        if init.raw_data and len(init.raw_data) >= 1024:
            # One file, or one file per 9 weights (a layer) for "per-layer".
            location = f"{stem}.data" if external == "one" else f"{stem}.{i // 9:03d}.data"
            onnx.external_data_helper.set_external_data(init, location)
    # Appends each tensor's bytes to its file and clears raw_data in the proto.
    for name in os.listdir(folder):
        if name.endswith(".data"):
            os.remove(os.path.join(folder, name))
    onnx.external_data_helper.write_external_data_tensors(model, folder)
    onnx.save(model, path)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    for name in names:
        model, external = MODELS[name]()
        folder = out if external is None else os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{name}.onnx")
        save(model, path, external)
        size = os.path.getsize(path) + sum(
            os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".data"))
        print(f"{path}: {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
