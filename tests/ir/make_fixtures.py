#!/usr/bin/env python3
"""Writes the small ONNX models the lit tests in tests/ir/ convert.

Pinned: onnx==1.23.2, numpy (seeded generator). Deterministic: running it again
rewrites byte-identical files. Usage: python tests/ir/make_fixtures.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

assert onnx.__version__ == "1.23.2", f"pinned to onnx 1.23.2, found {onnx.__version__}"

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
RNG = np.random.default_rng(20261123)

F = TensorProto.FLOAT
I32 = TensorProto.INT32
I64 = TensorProto.INT64


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def weight(name, shape, dtype=np.float32):
    return numpy_helper.from_array(RNG.standard_normal(shape).astype(dtype), name)


def const(name, values, dtype):
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def save(name, nodes, inputs, outputs, inits=(), opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="onnx2linalg-fixtures",
    )
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    with open(os.path.join(OUT, f"{name}.onnx"), "wb") as f:
        f.write(model.SerializeToString(deterministic=True))


def node(op, ins, outs, name=None, **attrs):
    return helper.make_node(op, ins, outs, name=name or outs[0], **attrs)


def elementwise():
    save("relu", [node("Relu", ["x"], ["y"])], [vi("x", F, [2, 3])], [vi("y", F, [2, 3])])
    save(
        "relu_dynamic",
        [node("Relu", ["x"], ["y"])],
        [vi("x", F, ["N", 3])],
        [vi("y", F, ["N", 3])],
    )
    save(
        "add_broadcast",
        [node("Add", ["a", "b"], ["y"])],
        [vi("a", F, [2, 1, 4]), vi("b", F, [3, 1])],
        [vi("y", F, [2, 3, 4])],
    )
    save(
        "leaky_relu",
        [node("LeakyRelu", ["x"], ["y"], alpha=0.2)],
        [vi("x", F, [4])],
        [vi("y", F, [4])],
    )
    save(
        "clip",
        [node("Clip", ["x", "lo", "hi"], ["y"])],
        [vi("x", F, [4])],
        [vi("y", F, [4])],
        [const("lo", 0.0, np.float32), const("hi", 6.0, np.float32)],
    )
    chain = ["Neg", "Abs", "Exp", "Log", "Sqrt", "Sigmoid", "Tanh"]
    nodes, prev = [], "x"
    for i, op in enumerate(chain):
        out = "y" if i == len(chain) - 1 else f"t{i}"
        nodes.append(node(op, [prev], [out], name=op.lower()))
        prev = out
    save("unary_chain", nodes, [vi("x", F, [3])], [vi("y", F, [3])])
    save(
        "div_int",
        [node("Div", ["a", "b"], ["y"])],
        [vi("a", I32, [4]), vi("b", I32, [4])],
        [vi("y", I32, [4])],
    )
    save(
        "binary_float",
        [
            node("Sub", ["a", "b"], ["s"]),
            node("Mul", ["s", "b"], ["m"]),
            node("Pow", ["m", "b"], ["p"]),
            node("Max", ["p", "a"], ["mx"]),
            node("Min", ["mx", "b"], ["y"]),
        ],
        [vi("a", F, [2, 2]), vi("b", F, [2, 2])],
        [vi("y", F, [2, 2])],
    )


def linear():
    save(
        "det_batched",
        [node("Det", ["x"], ["y"])],
        [vi("x", F, [2, 2, 3, 3])],
        [vi("y", F, [2, 2])],
        opset=22,
    )
    save(
        "matmul",
        [node("MatMul", ["a", "b"], ["y"])],
        [vi("a", F, [2, 3]), vi("b", F, [3, 4])],
        [vi("y", F, [2, 4])],
    )
    save(
        "matmul_vec",
        [node("MatMul", ["a", "b"], ["y"])],
        [vi("a", F, [3]), vi("b", F, [3, 4])],
        [vi("y", F, [4])],
    )
    save(
        "matmul_batch",
        [node("MatMul", ["a", "b"], ["y"])],
        [vi("a", F, [5, 2, 3]), vi("b", F, [5, 3, 4])],
        [vi("y", F, [5, 2, 4])],
    )
    save(
        "matmul_broadcast",
        [node("MatMul", ["a", "b"], ["y"])],
        [vi("a", F, [2, 1, 2, 3]), vi("b", F, [5, 3, 4])],
        [vi("y", F, [2, 5, 2, 4])],
    )
    save(
        "matmul_dynamic",
        [node("MatMul", ["a", "w"], ["y"])],
        [vi("a", F, ["N", 8])],
        [vi("y", F, ["N", 4])],
        [weight("w", [8, 4])],
    )
    save(
        "gemm",
        [node("Gemm", ["a", "w", "c"], ["y"])],
        [vi("a", F, [2, 8])],
        [vi("y", F, [2, 4])],
        [weight("w", [8, 4]), weight("c", [4])],
    )
    save(
        "gemm_trans_alpha",
        [node("Gemm", ["a", "w", "c"], ["y"], transB=1, alpha=0.5, beta=2.0)],
        [vi("a", F, [2, 8])],
        [vi("y", F, [2, 4])],
        [weight("w", [4, 8]), weight("c", [4])],
    )


def conv():
    x = [vi("x", F, [1, 3, 8, 8])]
    save(
        "conv",
        [node("Conv", ["x", "w", "b"], ["y"], pads=[1, 1, 1, 1], strides=[2, 2])],
        x,
        [vi("y", F, [1, 4, 4, 4])],
        [weight("w", [4, 3, 3, 3]), weight("b", [4])],
    )
    save(
        "conv_nobias",
        [node("Conv", ["x", "w"], ["y"])],
        x,
        [vi("y", F, [1, 4, 6, 6])],
        [weight("w", [4, 3, 3, 3])],
    )
    save(
        "conv_dilated",
        [node("Conv", ["x", "w"], ["y"], dilations=[2, 2])],
        x,
        [vi("y", F, [1, 4, 4, 4])],
        [weight("w", [4, 3, 3, 3])],
    )
    save(
        "conv_autopad",
        [node("Conv", ["x", "w"], ["y"], auto_pad="SAME_UPPER", strides=[2, 2])],
        x,
        [vi("y", F, [1, 4, 4, 4])],
        [weight("w", [4, 3, 3, 3])],
    )
    save(
        "conv_group",
        [node("Conv", ["x", "w"], ["y"], group=2)],
        [vi("x", F, [1, 4, 6, 6])],
        [vi("y", F, [1, 6, 4, 4])],
        [weight("w", [6, 2, 3, 3])],
    )
    save(
        "conv_depthwise",
        [node("Conv", ["x", "w", "b"], ["y"], group=4, pads=[1, 1, 1, 1])],
        [vi("x", F, [1, 4, 6, 6])],
        [vi("y", F, [1, 4, 6, 6])],
        [weight("w", [4, 1, 3, 3]), weight("b", [4])],
    )
    save(
        "conv1d",
        [node("Conv", ["x", "w"], ["y"], strides=[2])],
        [vi("x", F, [1, 2, 9])],
        [vi("y", F, [1, 3, 4])],
        [weight("w", [3, 2, 3])],
    )
    save(
        "conv3d",
        [node("Conv", ["x", "w"], ["y"])],
        [vi("x", F, [1, 2, 4, 4, 4])],
        [vi("y", F, [1, 3, 3, 3, 3])],
        [weight("w", [3, 2, 2, 2, 2])],
    )


def conv_grouped():
    """Grouped and depthwise 1-D and 3-D convs (written last: the seeded weights of
    the fixtures above stay as they were)."""
    save(
        "conv1d_group",
        [node("Conv", ["x", "w", "b"], ["y"], group=2, pads=[1, 1], dilations=[2])],
        [vi("x", F, [1, 4, 10])],
        [vi("y", F, [1, 6, 8])],
        [weight("w", [6, 2, 3]), weight("b", [6])],
    )
    save(
        "conv1d_depthwise",
        [node("Conv", ["x", "w"], ["y"], group=4, strides=[2])],
        [vi("x", F, [1, 4, 9])],
        [vi("y", F, [1, 4, 4])],
        [weight("w", [4, 1, 3])],
    )
    save(
        "conv3d_group",
        [node("Conv", ["x", "w"], ["y"], group=2)],
        [vi("x", F, [1, 4, 3, 3, 3])],
        [vi("y", F, [1, 4, 2, 2, 2])],
        [weight("w", [4, 2, 2, 2, 2])],
    )
    save(
        "conv3d_depthwise",
        [node("Conv", ["x", "w", "b"], ["y"], group=3, pads=[1, 0, 0, 1, 0, 0])],
        [vi("x", F, [1, 3, 3, 3, 3])],
        [vi("y", F, [1, 3, 3, 2, 2])],
        [weight("w", [3, 1, 3, 2, 2]), weight("b", [3])],
    )


def pool():
    x = [vi("x", F, [1, 2, 5, 5])]
    save(
        "maxpool",
        [node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
        x,
        [vi("y", F, [1, 2, 2, 2])],
    )
    save(
        "maxpool_ceil_pads",
        [
            node(
                "MaxPool",
                ["x"],
                ["y"],
                kernel_shape=[3, 3],
                strides=[2, 2],
                pads=[1, 1, 1, 1],
                ceil_mode=1,
            )
        ],
        x,
        [vi("y", F, [1, 2, 3, 3])],
    )
    save(
        "maxpool_indices_colmajor",
        [node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 2], strides=[2, 2], pads=[1, 1, 0, 0], storage_order=1)],
        x,
        [vi("y", F, [1, 2, 3, 3]), vi("i", I64, [1, 2, 3, 3])],
    )
    save(
        "maxunpool_output_shape",
        [node("MaxUnpool", ["x", "i", "shape"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
        [vi("x", F, [1, 1, 2, 2]), vi("i", I64, [1, 1, 2, 2])],
        [vi("y", F, [1, 1, 5, 5])],
        [const("shape", [1, 1, 5, 5], np.int64)],
        opset=11,
    )
    save(
        "maxpool1d",
        [node("MaxPool", ["x"], ["y"], kernel_shape=[3], strides=[2])],
        [vi("x", F, [1, 2, 7])],
        [vi("y", F, [1, 2, 3])],
    )
    save(
        "avgpool",
        [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
        x,
        [vi("y", F, [1, 2, 5, 5])],
    )
    save(
        "avgpool_include_pad",
        [
            node(
                "AveragePool",
                ["x"],
                ["y"],
                kernel_shape=[3, 3],
                pads=[1, 1, 1, 1],
                count_include_pad=1,
            )
        ],
        x,
        [vi("y", F, [1, 2, 5, 5])],
    )
    save(
        "global_avgpool",
        [node("GlobalAveragePool", ["x"], ["y"])],
        x,
        [vi("y", F, [1, 2, 1, 1])],
    )


def norm():
    x = [vi("x", F, [2, 3, 4])]
    y = [vi("y", F, [2, 3, 4])]
    save("softmax13", [node("Softmax", ["x"], ["y"])], x, y, opset=13)
    save("softmax11", [node("Softmax", ["x"], ["y"])], x, y, opset=11)
    save("logsoftmax_axis1", [node("LogSoftmax", ["x"], ["y"], axis=1)], x, y, opset=13)
    save(
        "batchnorm",
        [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], epsilon=1e-3)],
        [vi("x", F, [1, 3, 4, 4])],
        [vi("y", F, [1, 3, 4, 4])],
        [
            weight("s", [3]),
            weight("b", [3]),
            weight("m", [3]),
            numpy_helper.from_array(RNG.uniform(0.5, 2.0, [3]).astype(np.float32), "v"),
        ],
        opset=15,
    )
    # Constant scale and bias (not drawn from RNG: the fixtures after this one keep their bytes).
    save(
        "layernorm",
        [node("LayerNormalization", ["x", "s", "b"], ["y"], axis=-1, epsilon=1e-5)],
        [vi("x", F, [2, 3, 4])],
        [vi("y", F, [2, 3, 4])],
        [const("s", [0.5, 1.0, 1.5, 2.0], np.float32), const("b", [0.0, 0.1, 0.2, 0.3], np.float32)],
    )


def reduce():
    x = [vi("x", F, [2, 3, 4])]
    save(
        "reduce_mean_keepdims",
        [node("ReduceMean", ["x"], ["y"], axes=[1])],
        x,
        [vi("y", F, [2, 1, 4])],
        opset=13,
    )
    save(
        "reduce_sum_axes_input",
        [node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)],
        x,
        [vi("y", F, [2])],
        [const("axes", [1, 2], np.int64)],
        opset=13,
    )
    save(
        "reduce_max",
        [node("ReduceMax", ["x"], ["y"], axes=[-1], keepdims=0)],
        x,
        [vi("y", F, [2, 3])],
        opset=13,
    )


def movement():
    x = [vi("x", F, [2, 3, 4])]
    save("flatten", [node("Flatten", ["x"], ["y"])], x, [vi("y", F, [2, 12])])
    save("flatten_axis2", [node("Flatten", ["x"], ["y"], axis=2)], x, [vi("y", F, [6, 4])])
    save(
        "reshape",
        [node("Reshape", ["x", "shape"], ["y"])],
        x,
        [vi("y", F, [4, 6])],
        [const("shape", [-1, 6], np.int64)],
    )
    save(
        "reshape_dynamic",
        [node("Reshape", ["x", "shape"], ["y"])],
        [vi("x", F, ["N", 3, 4])],
        [vi("y", F, ["N", 12])],
        [const("shape", [0, -1], np.int64)],
    )
    save("transpose", [node("Transpose", ["x"], ["y"])], x, [vi("y", F, [4, 3, 2])])
    save(
        "transpose_perm",
        [node("Transpose", ["x"], ["y"], perm=[0, 2, 1])],
        x,
        [vi("y", F, [2, 4, 3])],
    )
    save(
        "concat",
        [node("Concat", ["a", "b"], ["y"], axis=1)],
        [vi("a", F, [2, 3]), vi("b", F, [2, 5])],
        [vi("y", F, [2, 8])],
    )
    save(
        "squeeze",
        [node("Squeeze", ["x", "axes"], ["y"])],
        [vi("x", F, [2, 1, 4])],
        [vi("y", F, [2, 4])],
        [const("axes", [1], np.int64)],
    )
    save(
        "unsqueeze",
        [node("Unsqueeze", ["x", "axes"], ["y"])],
        x,
        [vi("y", F, [2, 1, 3, 4, 1])],
        [const("axes", [1, -1], np.int64)],
    )
    save(
        "identity_dropout",
        [node("Identity", ["x"], ["t"]), node("Dropout", ["t"], ["y"])],
        x,
        [vi("y", F, [2, 3, 4])],
    )
    save(
        "constant",
        [
            node(
                "Constant",
                [],
                ["c"],
                value=numpy_helper.from_array(np.arange(4, dtype=np.float32), "c"),
            ),
            node("Add", ["x", "c"], ["y"]),
        ],
        x,
        [vi("y", F, [2, 3, 4])],
    )
    save(
        "shape_dynamic",
        [node("Shape", ["x"], ["y"])],
        [vi("x", F, ["N", 3])],
        [vi("y", I64, [2])],
    )
    save(
        "gather",
        [node("Gather", ["x", "i"], ["y"])],
        [vi("x", F, [5, 3])],
        [vi("y", F, [2, 2, 3])],
        [const("i", [[0, -1], [2, 4]], np.int64)],
    )
    save(
        "gather_axis1",
        [node("Gather", ["x", "i"], ["y"], axis=1)],
        [vi("x", F, [2, 5]), vi("i", I32, [3])],
        [vi("y", F, [2, 3])],
    )
    # Evenly spaced constant positions (a static Slice, a Gather of one
    # scalar index): tensor.extract_slice, here across a symbolic dim.
    save(
        "slice_static_step",
        [node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"])],
        [vi("x", F, [4, None, 8])],
        [vi("y", F, [4, None, 3])],
        [
            const("starts", [-6], np.int64),
            const("ends", [7], np.int64),
            const("axes", [2], np.int64),
            const("steps", [2], np.int64),
        ],
        opset=13,
    )
    save(
        "gather_scalar",
        [node("Gather", ["x", "i"], ["y"], axis=1)],
        [vi("x", F, [2, 5, 3])],
        [vi("y", F, [2, 3])],
        [const("i", -2, np.int64)],
    )
    save(
        "cast",
        [node("Cast", ["x"], ["i"], to=I32), node("Cast", ["i"], ["y"], to=TensorProto.DOUBLE)],
        [vi("x", F, [4])],
        [vi("y", TensorProto.DOUBLE, [4])],
    )
    save(
        "bitcast_f32_to_i32",
        [node("BitCast", ["x"], ["y"], to=I32)],
        [vi("x", F, [4])],
        [vi("y", I32, [4])],
        opset=26,
    )
    save(
        "cast_float8_no_saturate",
        [
            node("Cast", ["x"], ["q"], to=TensorProto.FLOAT8E4M3FN, saturate=0),
            node("Cast", ["q"], ["y"], to=F),
        ],
        [vi("x", F, [4])],
        [vi("y", F, [4])],
        opset=21,
    )


def arg_index():
    """ArgMax/ArgMin, gather/scatter and other indexing ops (no random weights)."""
    x = [vi("x", F, [2, 3, 4])]
    save(
        "argmax_keepdims",
        [node("ArgMax", ["x"], ["y"], axis=1)],
        x,
        [vi("y", I64, [2, 1, 4])],
        opset=13,
    )
    save(
        "argmin_last_no_keepdims",
        [node("ArgMin", ["x"], ["y"], axis=-1, keepdims=0, select_last_index=1)],
        x,
        [vi("y", I64, [2, 3])],
        opset=13,
    )
    save(
        "gather_elements_axis1",
        [node("GatherElements", ["x", "i"], ["y"], axis=1)],
        [vi("x", F, [2, 3]), vi("i", I64, [2, 2])],
        [vi("y", F, [2, 2])],
        opset=13,
    )
    save(
        "gathernd_batch1",
        [node("GatherND", ["x", "i"], ["y"], batch_dims=1)],
        [vi("x", F, [2, 3, 4]), vi("i", I64, [2, 1])],
        [vi("y", F, [2, 4])],
        opset=13,
    )
    save(
        "trilu_lower_k1",
        [node("Trilu", ["x", "k"], ["y"], upper=0)],
        [vi("x", F, [3, 4])],
        [vi("y", F, [3, 4])],
        [const("k", 1, np.int64)],
        opset=14,
    )
    save(
        "onehot_axis0",
        [node("OneHot", ["i", "depth", "values"], ["y"], axis=0)],
        [vi("i", I64, [3])],
        [vi("y", F, [5, 3])],
        [const("depth", 5, np.int64), const("values", [0.0, 2.0], np.float32)],
        opset=11,
    )
    save(
        "hardmax_axis1",
        [node("Hardmax", ["x"], ["y"], axis=1)],
        x,
        [vi("y", F, [2, 3, 4])],
        opset=13,
    )
    save(
        "cumsum_reverse_exclusive",
        [node("CumSum", ["x", "axis"], ["y"], exclusive=1, reverse=1)],
        [vi("x", F, [2, 3])],
        [vi("y", F, [2, 3])],
        [const("axis", 1, np.int64)],
        opset=14,
    )
    save(
        "gridsample_border",
        [node("GridSample", ["x", "g"], ["y"], mode="linear", padding_mode="border", align_corners=1)],
        [vi("x", F, [1, 2, 4, 4]), vi("g", F, [1, 3, 5, 2])],
        [vi("y", F, [1, 2, 3, 5])],
        opset=20,
    )
    save(
        "roialign_max_adaptive",
        [node("RoiAlign", ["x", "rois", "bi"], ["y"], mode="max", output_height=2, output_width=3, spatial_scale=0.5)],
        [vi("x", F, [1, 2, 8, 8]), vi("rois", F, [3, 4]), vi("bi", I64, [3])],
        [vi("y", F, [3, 2, 2, 3])],
        opset=16,
    )
    save(
        "deform_conv_offset_groups",
        [node("DeformConv", ["x", "w", "off"], ["y"], offset_group=2, pads=[1, 1, 1, 1])],
        [vi("x", F, [1, 4, 5, 5]), vi("off", F, [1, 36, 5, 5])],
        [vi("y", F, [1, 3, 5, 5])],
        [weight("w", [3, 4, 3, 3])],
        opset=22,
    )
    save(
        "nonzero_dynamic",
        [node("NonZero", ["x"], ["y"])],
        [vi("x", F, [3, 4])],
        [vi("y", I64, [2, "n"])],
        opset=13,
    )
    save(
        "unique_rows",
        [node("Unique", ["x"], ["y", "first", "inverse", "counts"], axis=0, sorted=1)],
        [vi("x", F, [4, 2])],
        [vi("y", F, ["u", 2]), vi("first", I64, ["u"]), vi("inverse", I64, [4]), vi("counts", I64, ["u"])],
        opset=11,
    )
    save(
        "nms_center_box",
        [node("NonMaxSuppression", ["boxes", "scores", "max", "iou", "score"], ["selected"], center_point_box=1)],
        [vi("boxes", F, [1, 6, 4]), vi("scores", F, [1, 2, 6]), vi("max", I64, [1]), vi("iou", F, [1]), vi("score", F, [1])],
        [vi("selected", I64, ["k", 3])],
        opset=11,
    )
    save(
        "topk_smallest",
        [node("TopK", ["x", "k"], ["v", "i"], axis=1, largest=0)],
        [vi("x", F, [2, 5])],
        [vi("v", F, [2, 3]), vi("i", I64, [2, 3])],
        [const("k", [3], np.int64)],
        opset=11,
    )
    save(
        "cumprod_exclusive",
        [node("CumProd", ["x", "axis"], ["y"], exclusive=1)],
        [vi("x", F, [2, 3])],
        [vi("y", F, [2, 3])],
        [const("axis", 0, np.int64)],
        opset=26,
    )
    save(
        "scatter_elements_add",
        [node("ScatterElements", ["x", "i", "u"], ["y"], axis=1, reduction="add")],
        [vi("x", F, [2, 3]), vi("i", I64, [2, 2]), vi("u", F, [2, 2])],
        [vi("y", F, [2, 3])],
        opset=18,
    )
    save(
        "scatternd_max",
        [node("ScatterND", ["x", "i", "u"], ["y"], reduction="max")],
        [vi("x", F, [4, 3]), vi("i", I64, [2, 1]), vi("u", F, [2, 3])],
        [vi("y", F, [4, 3])],
        opset=18,
    )
    save(
        "reduce_sum_empty_axes_input",
        [node("ReduceSum", ["x", "axes"], ["y"], keepdims=1)],
        [vi("x", F, [2, 3, 4]), vi("axes", I64, [0])],
        [vi("y", F, [1, 1, 1])],
        opset=13,
    )
    save(
        "einsum_batch_matmul",
        [node("Einsum", ["a", "b"], ["y"], equation="bij,bjk->bik")],
        [vi("a", F, [2, 3, 4]), vi("b", F, [2, 4, 5])],
        [vi("y", F, [2, 3, 5])],
        opset=12,
    )
    save(
        "einsum_diagonal",
        [node("Einsum", ["a"], ["y"], equation="ii->i")],
        [vi("a", F, [3, 3])],
        [vi("y", F, [3])],
        opset=12,
    )
    save(
        "cumsum_runtime_axis",
        [node("CumSum", ["x", "axis"], ["y"])],
        [vi("x", F, [2, 3]), vi("axis", I32, [])],
        [vi("y", F, [2, 3])],
        opset=14,
    )
    save(
        "tensorscatter_circular",
        [node("TensorScatter", ["c", "u", "w"], ["y"], mode="circular")],
        [vi("c", F, [2, 4, 5]), vi("u", F, [2, 2, 5]), vi("w", I64, [2])],
        [vi("y", F, [2, 4, 5])],
        opset=24,
    )


def elementwise_logic():
    """Comparisons, Where, logic, Mod, shifts and the math unaries (no RNG use)."""
    save(
        "compare_where",
        [node("Less", ["a", "b"], ["c"]), node("Where", ["c", "a", "b"], ["y"])],
        [vi("a", F, [2, 3]), vi("b", F, [3])],
        [vi("y", F, [2, 3])],
    )
    save(
        "logic_mod_int",
        [
            node("Equal", ["x", "y"], ["e"]),
            node("Not", ["e"], ["ne"]),
            node("Mod", ["x", "y"], ["m"]),
        ],
        [vi("x", I32, [4]), vi("y", I32, [4])],
        [vi("ne", TensorProto.BOOL, [4]), vi("m", I32, [4])],
    )
    save(
        "bitshift_right",
        [node("BitShift", ["x", "s"], ["y"], direction="RIGHT")],
        [vi("x", TensorProto.UINT8, [4]), vi("s", TensorProto.UINT8, [4])],
        [vi("y", TensorProto.UINT8, [4])],
    )
    save(
        "isinf_negative",
        [node("IsInf", ["x"], ["y"], detect_positive=0)],
        [vi("x", F, [4])],
        [vi("y", TensorProto.BOOL, [4])],
    )
    save(
        "unary_math",
        [
            node("Floor", ["x"], ["a"]),
            node("Round", ["a"], ["b"]),
            node("Erf", ["b"], ["c"]),
            node("Sin", ["c"], ["d"]),
            node("Sign", ["d"], ["y"]),
        ],
        [vi("x", F, [3])],
        [vi("y", F, [3])],
    )
    save(
        "gelu_exact",
        [node("Gelu", ["x"], ["y"])],
        [vi("x", F, [3])],
        [vi("y", F, [3])],
        opset=20,
    )


def control():
    body = helper.make_graph(
        [
            node("Add", ["y_in", "step"], ["y_out"]),
            node("ReduceSum", ["y_out"], ["total"], keepdims=0),
            node("Less", ["total", "limit"], ["cond_out"]),
        ],
        "body",
        [vi("i", I64, []), vi("c", TensorProto.BOOL, []), vi("y_in", F, [3])],
        # The scan output is the carried value itself.
        [vi("cond_out", TensorProto.BOOL, []), vi("y_out", F, [3]), vi("y_out", F, [3])],
    )
    save(
        "loop_runtime",
        [node("Loop", ["m", "c", "y"], ["y_final", "ys"], body=body)],
        [vi("m", I64, []), vi("c", TensorProto.BOOL, []), vi("y", F, [3]),
         vi("step", F, [3]), vi("limit", F, [])],
        [vi("y_final", F, [3]), vi("ys", F, ["n", 3])],
        opset=13,
    )
    unrolled = helper.make_graph(
        [node("Mul", ["y_in", "y_in"], ["y_out"]), node("Identity", ["c"], ["cond_out"])],
        "unrolled",
        [vi("i", I64, []), vi("c", TensorProto.BOOL, []), vi("y_in", F, [2])],
        [vi("cond_out", TensorProto.BOOL, []), vi("y_out", F, [2])],
    )
    save(
        "loop_unrolled",
        [node("Loop", ["m", "", "y"], ["y_final"], body=unrolled)],
        [vi("y", F, [2])],
        [vi("y_final", F, [2])],
        [const("m", 3, np.int64)],
        opset=13,
    )
    branch = lambda name, op: helper.make_graph(  # noqa: E731
        [node(op, ["x", "x"], [f"{name}_out"])], name, [], [vi(f"{name}_out", F, [2])]
    )
    save(
        "if_runtime",
        [node("If", ["c"], ["y"], then_branch=branch("then", "Add"), else_branch=branch("else", "Mul"))],
        [vi("c", TensorProto.BOOL, []), vi("x", F, [2])],
        [vi("y", F, [2])],
        opset=13,
    )
    # ReduceSum with run-time axes (one of them): a Switch over the three
    # possible axes of a rank-3 input.
    save(
        "reduce_runtime_axes",
        [node("ReduceSum", ["x", "axes"], ["y"], keepdims=1)],
        [vi("x", F, [2, 3, 4]), vi("axes", I64, [1])],
        [vi("y", F, [None, None, None])],
        opset=13,
    )
    # Slice whose ends are a graph input (run-time extents), and Range whose
    # limit is one (run-time length).
    save(
        "slice_runtime_ends",
        [node("Slice", ["x", "starts", "ends", "axes"], ["y"])],
        [vi("x", F, [4, 6]), vi("ends", I64, [1])],
        [vi("y", F, [4, None])],
        [const("starts", [1], np.int64), const("axes", [1], np.int64)],
        opset=13,
    )
    save(
        "range_runtime_limit",
        [node("Range", ["start", "limit", "delta"], ["y"])],
        [vi("limit", F, [])],
        [vi("y", F, [None])],
        [const("start", np.float32(0.5), np.float32), const("delta", np.float32(2), np.float32)],
        opset=11,
    )
    # Expand, Reshape and Pad to shapes and amounts given at run time.
    save(
        "expand_runtime_shape",
        [node("Expand", ["x", "shape"], ["y"])],
        [vi("x", F, [3, 1]), vi("shape", I64, [2])],
        [vi("y", F, [3, None])],
        opset=13,
    )
    save(
        "reshape_runtime_shape",
        [node("Reshape", ["x", "shape"], ["y"])],
        [vi("x", F, [2, 3, 4]), vi("shape", I64, [2])],
        [vi("y", F, [None, None])],
        opset=14,
    )
    save(
        "pad_runtime_pads",
        [node("Pad", ["x", "pads"], ["y"], mode="reflect")],
        [vi("x", F, [3, 4]), vi("pads", I64, [4])],
        [vi("y", F, [None, None])],
        opset=13,
    )
    # Conv and MaxPool over symbolic spatial dims: their output extents are
    # computed at run time.
    save(
        "conv_symbolic_spatial",
        [node("Conv", ["x", "w"], ["c"], strides=[2, 2], pads=[1, 1, 1, 1]),
         node("MaxPool", ["c"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
        [vi("x", F, ["N", 3, "H", "W"])],
        [vi("y", F, ["N", 4, None, None])],
        [const("w", np.full((4, 3, 3, 3), 0.5), np.float32)],
        opset=17,
    )


def coverage():
    """Canonical ops no other fixture reaches (tests/suite/ir_coverage.rs asks
    for every op in a FileCheck test); no RNG use."""
    trig = ["Ceil", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh"]
    save(
        "unary_trig",
        [node(op, ["x"], [op.lower()]) for op in trig] + [node("IsNaN", ["x"], ["isnan"])],
        [vi("x", F, [3])],
        [vi(op.lower(), F, [3]) for op in trig] + [vi("isnan", TensorProto.BOOL, [3])],
    )
    B = TensorProto.BOOL
    save(
        "logic_bool",
        [node("And", ["a", "b"], ["and"]), node("Or", ["a", "b"], ["or"]), node("Xor", ["a", "b"], ["xor"])],
        [vi("a", B, [4]), vi("b", B, [4])],
        [vi("and", B, [4]), vi("or", B, [4]), vi("xor", B, [4])],
    )
    save(
        "bitshift_left",
        [node("BitShift", ["x", "s"], ["y"], direction="LEFT")],
        [vi("x", TensorProto.UINT8, [4]), vi("s", TensorProto.UINT8, [4])],
        [vi("y", TensorProto.UINT8, [4])],
    )
    save(
        "compare_more",
        [
            node("LessOrEqual", ["a", "b"], ["le"]),
            node("Greater", ["a", "b"], ["gt"]),
            node("GreaterOrEqual", ["a", "b"], ["ge"]),
        ],
        [vi("a", F, [4]), vi("b", F, [4])],
        [vi("le", B, [4]), vi("gt", B, [4]), vi("ge", B, [4])],
    )
    save(
        "lppool",
        [node("LpPool", ["x"], ["y"], kernel_shape=[2, 2], p=2)],
        [vi("x", F, [1, 2, 4, 4])],
        [vi("y", F, [1, 2, 3, 3])],
    )
    save(
        "reduce_min_prod",
        [
            node("ReduceMin", ["x"], ["mn"], axes=[1], keepdims=0),
            node("ReduceProd", ["x"], ["pr"], axes=[0], keepdims=1),
        ],
        [vi("x", F, [2, 3])],
        [vi("mn", F, [2]), vi("pr", F, [1, 3])],
        opset=13,
    )


def bool_constants():
    """A causal mask of 16x16 bools: MLIR 22 prints a non-splat constant of more
    than 100 elements in hex, and its i1 hex is not what newer MLIR (IREE) reads,
    so the lowering stores it as i8 and truncates; no RNG use."""
    mask = np.tril(np.ones((16, 16), dtype=bool))
    save(
        "causal_mask",
        [node("Where", ["mask", "x", "y"], ["out"])],
        [vi("x", F, [16, 16]), vi("y", F, [16, 16])],
        [vi("out", F, [16, 16])],
        inits=[numpy_helper.from_array(mask, "mask")],
    )


def big_fill():
    """A ConstantOfShape of 25088x4096 f32 (the size of VGG-19's fc6 weight in
    the onnx package's light zoo): 411 MB, past --max-fold-bytes, so it is a run-time
    fill rather than a constant; no RNG use."""
    save(
        "big_fill",
        [
            node(
                "ConstantOfShape",
                ["shape"],
                ["w"],
                value=helper.make_tensor("value", F, [1], [0.5]),
            ),
            node("MatMul", ["x", "w"], ["y"]),
        ],
        [vi("x", F, [1, 25088])],
        [vi("y", F, [1, 4096])],
        inits=[const("shape", [25088, 4096], np.int64)],
        opset=9,
    )


def quantized():
    """Integer kernels: 8-bit operands with per-tensor zero points. Its own
    generator, so the fixtures above keep their bytes."""
    rng = np.random.default_rng(20261206)

    def q8(name, shape, dtype):
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, size=shape, endpoint=True)
        return numpy_helper.from_array(values.astype(dtype), name)

    def scalars(names_values):
        return [numpy_helper.from_array(np.array(v), n) for n, v in names_values]

    I8, U8 = TensorProto.INT8, TensorProto.UINT8
    params = scalars(
        [
            ("a_s", np.float32(0.02)),
            ("a_z", np.int8(3)),
            ("b_s", np.float32(0.01)),
            ("b_z", np.int8(-2)),
            ("y_s", np.float32(0.1)),
            ("y_z", np.int8(1)),
        ]
    )
    save(
        "qlinear_matmul_i8",
        [node("QLinearMatMul", ["a", "a_s", "a_z", "b", "b_s", "b_z", "y_s", "y_z"], ["y"])],
        [vi("a", I8, [2, 4])],
        [vi("y", I8, [2, 3])],
        [q8("b", [4, 3], np.int8)] + params,
    )
    save(
        "matmul_integer_u8_i8",
        [node("MatMulInteger", ["a", "b", "a_z", "b_z"], ["y"])],
        [vi("a", U8, [2, 3, 4])],
        [vi("y", I32, [2, 3, 5])],
        [q8("b", [4, 5], np.int8)]
        + scalars([("a_z", np.uint8(128)), ("b_z", np.int8(0))]),
    )
    save(
        "qlinear_conv_i8",
        [
            node(
                "QLinearConv",
                ["x", "a_s", "a_z", "w", "b_s", "b_z", "y_s", "y_z", "bias"],
                ["y"],
                pads=[1, 1, 1, 1],
                strides=[2, 2],
            )
        ],
        [vi("x", I8, [1, 3, 8, 8])],
        [vi("y", I8, [1, 4, 4, 4])],
        [
            q8("w", [4, 3, 3, 3], np.int8),
            numpy_helper.from_array(rng.integers(-100, 100, size=[4]).astype(np.int32), "bias"),
        ]
        + params,
    )
    save(
        "conv_integer_u8",
        [node("ConvInteger", ["x", "w", "x_z"], ["y"], pads=[1, 1, 1, 1])],
        [vi("x", U8, [1, 2, 5, 5])],
        [vi("y", I32, [1, 3, 5, 5])],
        [q8("w", [3, 2, 3, 3], np.uint8)] + scalars([("x_z", np.uint8(7))]),
    )


def run_time_operands():
    """Operands computed at run time: Tile's repeats, a random op's shape, Dropout's mode."""
    save(
        "tile_run_time_repeats",
        [node("Tile", ["x", "repeats"], ["y"])],
        [vi("x", F, [2, 3, 4, 5]), vi("repeats", I64, [4])],
        [vi("y", F, ["a", "b", "c", "d"])],
        opset=13,
    )
    # Random draws over a run-time shape (the counter-based generator in integer
    # ops), and Dropout whose training flag and ratio are graph inputs.
    save(
        "random_uniform_like_run_time",
        [node("RandomUniformLike", ["x"], ["y"], seed=1.0, low=-2.0, high=2.0)],
        [vi("x", F, ["n", 3])],
        [vi("y", F, ["n", 3])],
        opset=22,
    )
    save(
        "dropout_run_time_training",
        [node("Dropout", ["x", "ratio", "training"], ["y", "mask"], seed=3)],
        [vi("x", F, [2, 4]), vi("ratio", F, []), vi("training", TensorProto.BOOL, [])],
        [vi("y", F, [2, 4]), vi("mask", TensorProto.BOOL, [2, 4])],
        opset=22,
    )


def pow_forms():
    # Constant integer exponents |n| <= 4 are multiplications; any other
    # exponent is pow of |x| with the sign of x put back for odd integers.
    save(
        "pow_forms",
        [
            node("Pow", ["x", "three"], ["cube"]),
            node("Pow", ["x", "minus_two"], ["inv_sq"]),
            node("Pow", ["x", "y"], ["p"]),
        ],
        [vi("x", F, [2, 3]), vi("y", F, [2, 3])],
        [vi("cube", F, [2, 3]), vi("inv_sq", F, [2, 3]), vi("p", F, [2, 3])],
        [const("three", 3.0, np.float32), const("minus_two", [-2.0, -2.0, -2.0], np.float32)],
    )


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    control()
    for family in (elementwise, linear, conv, pool, norm, reduce, movement):
        family()
    arg_index()
    elementwise_logic()
    coverage()
    bool_constants()
    big_fill()
    quantized()
    conv_grouped()
    run_time_operands()
    pow_forms()
    print(f"wrote {len(os.listdir(OUT))} fixtures to {OUT}")
