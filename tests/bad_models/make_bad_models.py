"""Writes tests/bad_models/corpus/: models that are broken on purpose, one
file (or one folder, for external data) per case, and manifest.tsv listing
each case's category and the words its one-line error must contain.
tests/suite/bad_models.rs runs every case through the CLI.

Deterministic (seeded); run from the repository root with the .venv python:
    .venv/bin/python tests/bad_models/make_bad_models.py
"""
import os
import pathlib
import random
import shutil

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

ROOT = pathlib.Path(__file__).resolve().parent
OUT = ROOT / "corpus"
cases = []  # (name, category, must-contain words separated by ';')


def vi(name, dtype=T.FLOAT, shape=(2, 3)):
    return h.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=17, **kw):
    g = h.make_graph(nodes, "g", inputs, outputs, list(inits))
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)], **kw)


def save(name, category, expect, m):
    path = OUT / f"{name}.onnx"
    data = m if isinstance(m, bytes) else m.SerializeToString()
    path.write_bytes(data)
    cases.append((path.name, category, expect))


def good_model():
    """A small valid model with weights: the base for truncation and flips."""
    rng = np.random.default_rng(7)
    w = nh.from_array(rng.standard_normal((3, 4)).astype(np.float32), "W")
    b = nh.from_array(rng.standard_normal((4,)).astype(np.float32), "B")
    nodes = [
        h.make_node("MatMul", ["x", "W"], ["m"], name="matmul"),
        h.make_node("Add", ["m", "B"], ["a"], name="add"),
        h.make_node("Relu", ["a"], ["y"], name="relu"),
    ]
    return model(nodes, [vi("x", shape=(2, 3))], [vi("y", shape=(2, 4))], [w, b])


# --- wire-level damage -------------------------------------------------------
def truncated():
    data = good_model().SerializeToString()
    offsets = sorted(set(int(len(data) * k / 130) for k in range(1, 130)))
    for off in offsets[:120]:
        save(f"truncated_at_{off:04d}", "truncated", "", data[:off])


# Flips the checker rejects that onnxruntime runs, and we convert with a
# warning: x's declared dim 2 made 0, so the declared output 2x4 disagrees
# with the computed 0x4.
CONVERTING_FLIPS = {(31, 180)}


def bit_flips():
    """Flips in the structural bytes (tags, lengths, names) that the onnx
    checker itself rejects; flips inside weight bytes give valid models."""
    base = good_model()
    data = base.SerializeToString()
    weights = set()
    for t in base.graph.initializer:
        raw = t.raw_data
        at = data.find(raw)
        weights.update(range(at, at + len(raw)))
    rng = random.Random(11)
    made, tries = 0, 0
    while made < 80 and tries < 20000:
        tries += 1
        pos = rng.randrange(len(data))
        if pos in weights:
            continue
        flipped = bytearray(data)
        flipped[pos] ^= 1 << rng.randrange(8)
        flipped = bytes(flipped)
        try:
            m = onnx.ModelProto()
            m.ParseFromString(flipped)
            onnx.checker.check_model(m, full_check=True)
            continue  # still a valid model: not a bad case
        except Exception:
            pass
        if (made, pos) not in CONVERTING_FLIPS:
            save(f"bitflip_{made:03d}_at_{pos:04d}", "bit flip", "", flipped)
        made += 1


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    return varint(num << 3 | wire) + payload


def wire_types():
    good = good_model()
    graph = good.graph.SerializeToString()
    opset = good.opset_import[0].SerializeToString()
    ln = lambda b: varint(len(b)) + b  # noqa: E731
    variants = {
        # ModelProto.graph (7) as a varint instead of a message.
        "graph_as_varint": field(1, 0, varint(8)) + field(8, 2, ln(opset)) + field(7, 0, varint(5)),
        # ModelProto.ir_version (1) as a length-delimited field.
        "ir_version_as_bytes": field(1, 2, ln(b"\x08")) + field(8, 2, ln(opset)) + field(7, 2, ln(graph)),
        # opset_import (8) as fixed32.
        "opset_as_fixed32": field(1, 0, varint(8)) + field(8, 5, b"\x01\x02\x03\x04") + field(7, 2, ln(graph)),
        # a length prefix longer than the file.
        "graph_length_past_end": field(1, 0, varint(8)) + field(8, 2, ln(opset)) + field(7, 2, varint(1 << 30) + graph),
        # wire type 6 and 7 do not exist.
        "wire_type_6": field(1, 0, varint(8)) + field(8, 2, ln(opset)) + field(7, 6, ln(graph)),
        "wire_type_7": field(3, 7, b"\x00") + field(7, 2, ln(graph)),
        # field number 0 is invalid.
        "field_number_0": b"\x02\x00" + field(7, 2, ln(graph)),
        # a varint of 11 bytes.
        "varint_too_long": field(1, 0, b"\xff" * 10 + b"\x01") + field(7, 2, ln(graph)),
        # an end-group tag without a start.
        "end_group_alone": field(1, 4, b"") + field(7, 2, ln(graph)),
        # node.op_type (4) inside the graph as a varint.
        "op_type_as_varint": field(1, 0, varint(8)) + field(8, 2, ln(opset))
        + field(7, 2, ln(field(1, 2, ln(field(4, 0, varint(3)))))),
        # tensor dims (1) as fixed64 inside an initializer (graph field 5).
        "dims_as_fixed64": field(1, 0, varint(8)) + field(8, 2, ln(opset))
        + field(7, 2, ln(field(5, 2, ln(field(1, 1, b"\x00" * 8))))),
        "empty_file": b"",
        "text_not_protobuf": b"this is a text file, not an ONNX model\n",
        "json_not_protobuf": b'{"graph": {"node": []}}',
    }
    for name, data in variants.items():
        save(f"wire_{name}", "wire type", "", data)


# --- types and names ---------------------------------------------------------
def unknown_dtypes():
    x = vi("x")
    bad_init = T()
    bad_init.name, bad_init.data_type = "W", 99
    bad_init.dims.extend([2, 3])
    bad_init.raw_data = b"\x00" * 24
    save("dtype_99_initializer", "unknown dtype", "data type", model(
        [h.make_node("Add", ["x", "W"], ["y"])], [x], [vi("y")], [bad_init]))
    save("dtype_99_input", "unknown dtype", "data type", model(
        [h.make_node("Relu", ["x"], ["y"])], [vi("x", dtype=99)], [vi("y")]))
    save("dtype_99_output", "unknown dtype", "data type", model(
        [h.make_node("Relu", ["x"], ["y"])], [x], [vi("y", dtype=99)]))
    save("dtype_99_cast", "unknown dtype", "99", model(
        [h.make_node("Cast", ["x"], ["y"], to=99)], [x], [vi("y")]))
    save("dtype_undefined_input", "unknown dtype", "UNDEFINED", model(
        [h.make_node("Relu", ["x"], ["y"])], [vi("x", dtype=0)], [vi("y")]))
    save("dtype_negative_cast", "unknown dtype", "-3", model(
        [h.make_node("Cast", ["x"], ["y"], to=-3)], [x], [vi("y")]))
    const = T()
    const.name, const.data_type = "c", 99
    const.dims.append(2)
    const.raw_data = b"\x00" * 8
    save("dtype_99_constant", "unknown dtype", "data type", model(
        [h.make_node("Constant", [], ["c"], value=const), h.make_node("Add", ["x", "c"], ["y"])],
        [x], [vi("y")]))
    save("dtype_string_input", "unknown dtype", "string", model(
        [h.make_node("Identity", ["x"], ["y"])], [vi("x", dtype=T.STRING)], [vi("y", dtype=T.STRING)]))
    save("dtype_complex_initializer", "unknown dtype", "COMPLEX", model(
        [h.make_node("Identity", ["W"], ["y"])], [], [vi("y", dtype=T.COMPLEX64, shape=(2,))],
        [h.make_tensor("W", T.COMPLEX64, [2], [1 + 2j, 3 + 4j])]))


def names():
    x = vi("x")
    relu = lambda i, o, n="r": h.make_node("Relu", [i], [o], name=n)  # noqa: E731
    save("missing_initializer", "missing initializer", "W", model(
        [h.make_node("MatMul", ["x", "W"], ["y"], name="mm")], [x], [vi("y")]))
    save("missing_input_of_second_node", "missing initializer", "ghost", model(
        [relu("x", "a"), h.make_node("Add", ["a", "ghost"], ["y"], name="add")], [x], [vi("y")]))
    save("output_never_produced", "undefined name", "z", model(
        [relu("x", "y")], [x], [vi("z")]))
    save("node_out_of_order", "undefined name", "a", model(
        [relu("a", "y", "second"), relu("x", "a", "first")], [x], [vi("y")]))
    save("duplicate_node_output", "duplicated name", "a", model(
        [relu("x", "a", "one"), relu("x", "a", "two"), relu("a", "y", "three")], [x], [vi("y")]))
    save("duplicate_graph_input", "duplicated name", "x", model(
        [relu("x", "y")], [x, vi("x")], [vi("y")]))
    w = nh.from_array(np.ones((2, 3), np.float32), "W")
    save("duplicate_initializer", "duplicated name", "W", model(
        [h.make_node("Add", ["x", "W"], ["y"])], [x], [vi("y")], [w, w]))
    save("output_shadows_input", "duplicated name", "x", model(
        [relu("x", "x")], [x], [vi("x")]))
    save("empty_output_name", "undefined name", "output", model(
        [relu("x", "")], [x], [vi("")]))
    save("no_outputs", "undefined name", "output", model([relu("x", "y")], [x], []))


def cycles():
    x = vi("x")
    a = h.make_node("Add", ["x", "b"], ["a"], name="A")
    b = h.make_node("Relu", ["a"], ["b"], name="B")
    save("cycle_two_nodes", "cycle", "", model([a, b, h.make_node("Relu", ["b"], ["y"])], [x], [vi("y")]))
    s = h.make_node("Add", ["s", "x"], ["s"], name="self")
    save("cycle_self_loop", "cycle", "", model([s, h.make_node("Relu", ["s"], ["y"])], [x], [vi("y")]))
    n = [h.make_node("Relu", [f"v{(k + 1) % 5}"], [f"v{k}"], name=f"n{k}") for k in range(5)]
    save("cycle_five_nodes", "cycle", "", model(n + [h.make_node("Add", ["v0", "x"], ["y"])], [x], [vi("y")]))


# --- dims and shapes ---------------------------------------------------------
def dims():
    x = vi("x")
    def init(name, d, raw=b""):
        t = T()
        t.name, t.data_type = name, T.FLOAT
        t.dims.extend(d)
        t.raw_data = raw
        return t
    use = lambda: [h.make_node("Add", ["x", "W"], ["y"], name="add")]  # noqa: E731
    for tag, d in [("negative", [-2, 3]), ("2pow62", [1 << 62]), ("2pow62_x4", [1 << 62, 4]),
                   ("product_overflows", [1 << 32, 1 << 32, 16]), ("int64_max", [2**63 - 1]),
                   ("one_terabyte", [1 << 38]), ("zero_and_huge", [0, 1 << 62])]:
        save(f"initializer_dims_{tag}", "dims", "", model(use(), [x], [vi("y")], [init("W", d, b"\x00" * 24)]))
    # A -1 dim is "unknown" to exporters and onnxruntime alike: not a bad case.
    for tag, d in [("2pow62", [1 << 62, 3]), ("product_overflows", [1 << 40, 1 << 40])]:
        save(f"input_dims_{tag}", "dims", "", model(
            [h.make_node("Relu", ["x"], ["y"])], [vi("x", shape=d)], [vi("y", shape=d)]))
    shape = nh.from_array(np.array([1 << 40, 1 << 40], np.int64), "s")
    save("reshape_to_overflowing", "dims", "", model(
        [h.make_node("Reshape", ["x", "s"], ["y"], name="reshape")], [x], [vi("y")], [shape]))
    big = nh.from_array(np.array([1 << 31, 1 << 31, 1 << 31], np.int64), "s")
    save("constant_of_shape_overflowing", "dims", "", model(
        [h.make_node("ConstantOfShape", ["s"], ["y"], name="cos")], [], [vi("y")], [big]))
    tb = nh.from_array(np.array([1 << 38], np.int64), "s")
    save("constant_of_shape_terabyte", "dims", "", model(
        [h.make_node("ConstantOfShape", ["s"], ["y"], name="cos")], [], [vi("y")], [tb]))
    neg = nh.from_array(np.array([-5, 3], np.int64), "s")
    save("expand_negative", "dims", "", model(
        [h.make_node("Expand", ["x", "s"], ["y"], name="expand")], [x], [vi("y")], [neg]))
    rep = nh.from_array(np.array([1 << 40, 1 << 40], np.int64), "r")
    save("tile_overflowing", "dims", "", model(
        [h.make_node("Tile", ["x", "r"], ["y"], name="tile")], [x], [vi("y")], [rep]))
    start, limit, delta = (nh.from_array(np.array(v, np.int64), n) for v, n in
                           [(0, "a"), (1 << 62, "b"), (1, "c")])
    save("range_huge", "dims", "", model(
        [h.make_node("Range", ["a", "b", "c"], ["y"], name="range")], [], [vi("y", T.INT64, (None,))],
        [start, limit, delta]))


def shapes():
    save("add_mismatch", "inconsistent shapes", "", model(
        [h.make_node("Add", ["x", "z"], ["y"], name="add")],
        [vi("x", shape=(2, 3)), vi("z", shape=(4, 5))], [vi("y")]))
    save("matmul_mismatch", "inconsistent shapes", "", model(
        [h.make_node("MatMul", ["x", "z"], ["y"], name="mm")],
        [vi("x", shape=(2, 3)), vi("z", shape=(4, 5))], [vi("y")]))
    save("concat_mismatch", "inconsistent shapes", "", model(
        [h.make_node("Concat", ["x", "z"], ["y"], axis=0, name="cat")],
        [vi("x", shape=(2, 3)), vi("z", shape=(2, 4))], [vi("y")]))
    w = nh.from_array(np.ones((4, 5, 3, 3), np.float32), "W")
    save("conv_channel_mismatch", "inconsistent shapes", "", model(
        [h.make_node("Conv", ["x", "W"], ["y"], name="conv")],
        [vi("x", shape=(1, 3, 8, 8))], [vi("y")], [w]))
    save("gemm_mismatch", "inconsistent shapes", "", model(
        [h.make_node("Gemm", ["x", "z"], ["y"], name="gemm")],
        [vi("x", shape=(2, 3)), vi("z", shape=(2, 3))], [vi("y")]))
    short = nh.from_array(np.ones((2, 3), np.float32), "W")
    short.raw_data = short.raw_data[:10]
    save("raw_data_too_short", "inconsistent shapes", "W", model(
        [h.make_node("Add", ["x", "W"], ["y"], name="add")], [vi("x")], [vi("y")], [short]))
    longer = nh.from_array(np.ones((2, 3), np.float32), "W")
    longer.raw_data = longer.raw_data + b"\x00" * 8
    save("raw_data_too_long", "inconsistent shapes", "W", model(
        [h.make_node("Add", ["x", "W"], ["y"], name="add")], [vi("x")], [vi("y")], [longer]))
    typed = h.make_tensor("W", T.FLOAT, [2], [1.0, 2.0])
    typed.dims[:] = [2, 3]
    save("float_data_count_wrong", "inconsistent shapes", "W", model(
        [h.make_node("Add", ["x", "W"], ["y"], name="add")], [vi("x")], [vi("y")], [typed]))
    save("reshape_count_mismatch", "inconsistent shapes", "", model(
        [h.make_node("Reshape", ["x", "s"], ["y"], name="reshape")], [vi("x")], [vi("y")],
        [nh.from_array(np.array([4, 4], np.int64), "s")]))
    save("transpose_perm_wrong_rank", "inconsistent shapes", "", model(
        [h.make_node("Transpose", ["x"], ["y"], perm=[0, 1, 2], name="t")], [vi("x")], [vi("y")]))
    save("axis_out_of_range", "inconsistent shapes", "", model(
        [h.make_node("Softmax", ["x"], ["y"], axis=7, name="sm")], [vi("x")], [vi("y")]))
    # A declared output shape the graph disagrees with is a warning (the
    # computed shape is used, as onnxruntime does): tests/suite/quirks.rs.


def attributes():
    x = vi("x")
    def bad(name, op, attr, inputs=("x",), **kw):
        n = h.make_node(op, list(inputs), ["y"], name=op.lower())
        n.attribute.append(attr)
        save(f"attr_{name}", "attribute kind", "", model([n], [x], [vi("y")], **kw))
    bad("perm_as_floats", "Transpose", h.make_attribute("perm", [1.0, 0.0]))
    bad("axis_as_string", "Softmax", h.make_attribute("axis", "one"))
    bad("axis_as_graph", "Softmax", h.make_attribute("axis", h.make_graph([], "g", [], [])))
    bad("to_as_floats", "Cast", h.make_attribute("to", [1.0]))
    bad("alpha_as_ints", "LeakyRelu", h.make_attribute("alpha", [1, 2]))
    bad("alpha_as_tensor", "LeakyRelu", h.make_attribute("alpha", nh.from_array(np.ones(2, np.float32))))
    bad("mode_as_int", "DepthToSpace", h.make_attribute("mode", 3))
    a = h.make_attribute("axis", 1)
    a.type = onnx.AttributeProto.FLOAT  # says float, holds an int
    bad("type_says_float_holds_int", "Softmax", a)
    e = h.make_attribute("axis", 1)
    e.type = onnx.AttributeProto.UNDEFINED
    bad("type_undefined", "Softmax", e)
    cond = vi("c", T.BOOL, ())
    n = h.make_node("If", ["c"], ["y"], name="if")
    n.attribute.append(h.make_attribute("then_branch", 3))
    n.attribute.append(h.make_attribute("else_branch", 4))
    save("attr_if_branches_as_ints", "attribute kind", "", model([n], [cond], [vi("y")]))
    r = h.make_node("Relu", ["x"], ["y"], name="relu")
    r.attribute.append(h.make_attribute("ref", 1))
    r.attribute[0].ref_attr_name = "outer"
    save("attr_ref_outside_function", "attribute kind", "", model([r], [x], [vi("y")]))


# --- external data -----------------------------------------------------------
def external():
    for name, location, offset, length, make in [
        ("dotdot", "../secret.bin", None, None, None),
        ("dotdot_deep", "a/../../secret.bin", None, None, None),
        ("absolute", "/etc/passwd", None, None, None),
        ("missing_file", "weights.bin", None, None, "none"),
        ("offset_past_end", "weights.bin", 4096, None, "small"),
        ("length_past_end", "weights.bin", 0, 4096, "small"),
        ("negative_offset", "weights.bin", -8, None, "small"),
        ("huge_length", "weights.bin", 0, 1 << 40, "small"),
        ("symlink_out", "link.bin", None, None, "symlink"),
        ("symlink_dir_out", "sub/hostname", None, None, "symlink_dir"),
        ("directory", "folder", None, None, "dir"),
        ("empty_location", "", None, None, "small"),
        ("length_not_a_number", "weights.bin", None, "twelve", "small"),
    ]:
        folder = OUT / f"external_{name}"
        folder.mkdir(parents=True)
        t = T()
        t.name, t.data_type = "W", T.FLOAT
        t.dims.extend([2, 3])
        t.data_location = T.EXTERNAL
        for k, v in [("location", location), ("offset", offset), ("length", length)]:
            if v is not None:
                e = t.external_data.add()
                e.key, e.value = k, str(v)
        if make == "small":
            (folder / "weights.bin").write_bytes(b"\x00" * 24)
        elif make == "symlink":
            os.symlink("/etc/hostname", folder / "link.bin")
        elif make == "symlink_dir":
            os.symlink("/etc", folder / "sub")
        elif make == "dir":
            (folder / "folder").mkdir()
            (folder / "folder" / "keep").write_bytes(b"")  # git keeps no empty folder
        m = model([h.make_node("Add", ["x", "W"], ["y"], name="add")], [vi("x")], [vi("y")], [t])
        (folder / "model.onnx").write_bytes(m.SerializeToString())
        cases.append((folder.name, "external data", "W"))


# --- opsets and nesting ------------------------------------------------------
def opsets():
    relu = [h.make_node("Relu", ["x"], ["y"], name="relu")]
    def with_opsets(name, imports, expect):
        g = h.make_graph(relu, "g", [vi("x")], [vi("y")])
        m = h.make_model(g, opset_imports=imports)
        save(f"opset_{name}", "opset", expect, m)
    with_opsets("missing", [], "opset")
    with_opsets("zero", [h.make_opsetid("", 0)], "opset")
    with_opsets("negative", [h.make_opsetid("", -4)], "opset")
    with_opsets("ten_thousand", [h.make_opsetid("", 10000)], "")
    with_opsets("int64_max", [h.make_opsetid("", 2**63 - 1)], "")
    with_opsets("only_other_domain", [h.make_opsetid("ai.onnx.ml", 3)], "domain")
    with_opsets("imported_twice", [h.make_opsetid("", 13), h.make_opsetid("", 17)], "twice")
    # An op used at an opset before its first version (Gelu is new in 20).
    gelu = [h.make_node("Gelu", ["x"], ["y"], name="gelu")]
    g = h.make_graph(gelu, "g", [vi("x")], [vi("y")])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 5)])
    save("opset_before_the_op", "opset", "does not exist at opset 5", m)


def nested():
    """If nodes nested 10,000 deep (and a Loop chain), written as protobuf bytes
    directly: the onnx helpers recurse too deep for that."""
    ln = lambda b: varint(len(b)) + b  # noqa: E731
    def value_info(name):
        return field(1, 2, ln(name.encode()))
    def if_node(then_graph, else_graph):
        attr = lambda n, g: field(5, 2, ln(field(1, 2, ln(n)) + field(6, 2, ln(g)) + field(20, 0, varint(5))))  # noqa: E731
        return (field(1, 2, ln(b"c")) + field(2, 2, ln(b"y")) + field(3, 2, ln(b"if"))
                + field(4, 2, ln(b"If")) + attr(b"then_branch", then_graph) + attr(b"else_branch", else_graph))
    leaf = field(1, 2, ln(field(1, 2, ln(b"x")) + field(2, 2, ln(b"y")) + field(4, 2, ln(b"Identity")))) \
        + field(2, 2, ln(b"leaf")) + field(12, 2, ln(value_info("y")))
    for depth in (100, 10000):
        g = leaf
        for _ in range(depth):
            g = field(1, 2, ln(if_node(g, leaf))) + field(2, 2, ln(b"b")) + field(12, 2, ln(value_info("y")))
        cond = h.make_tensor_value_info("c", T.BOOL, ())
        top = field(1, 2, ln(if_node(g, leaf))) + field(2, 2, ln(b"top")) \
            + field(11, 2, ln(cond.SerializeToString())) + field(11, 2, ln(vi("x").SerializeToString())) \
            + field(12, 2, ln(vi("y").SerializeToString()))
        data = field(1, 0, varint(8)) + field(8, 2, ln(h.make_opsetid("", 17).SerializeToString())) \
            + field(7, 2, ln(top))
        save(f"if_nested_{depth}", "nesting", "nested", data)


def misc():
    x = vi("x")
    call = lambda f: h.make_node(f, ["x"], ["y"], domain="local", name=f"call_{f}")  # noqa: E731
    def fn(name, body_calls):
        return h.make_function("local", name, ["x"], ["y"], [call(body_calls)],
                               [h.make_opsetid("", 17), h.make_opsetid("local", 1)])
    imports = [h.make_opsetid("", 17), h.make_opsetid("local", 1)]
    g = h.make_graph([call("f")], "g", [x], [vi("y")])
    save("function_calls_itself", "nesting", "", h.make_model(
        g, opset_imports=imports, functions=[fn("f", "f")]))
    save("functions_call_each_other", "nesting", "", h.make_model(
        g, opset_imports=imports, functions=[fn("f", "g"), fn("g", "f")]))
    save("domain_not_imported", "opset", "domain", model(
        [h.make_node("Relu", ["x"], ["y"], domain="com.example", name="relu")], [x], [vi("y")]))
    seq = h.make_tensor_sequence_value_info("x", T.FLOAT, (2, 3))
    save("sequence_graph_input", "unknown dtype", "sequence", model(
        [h.make_node("SequenceLength", ["x"], ["y"], name="len")], [seq], [vi("y", T.INT64, ())]))
    then_g = h.make_graph([h.make_node("Relu", ["x"], ["a"])], "t", [], [vi("a"), vi("x")])
    else_g = h.make_graph([h.make_node("Relu", ["x"], ["b"])], "e", [], [vi("b")])
    save("if_branches_disagree", "inconsistent shapes", "", model(
        [h.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g, name="if")],
        [vi("c", T.BOOL, ()), x], [vi("y")]))
    sp = onnx.SparseTensorProto()
    sp.dims.extend([2, 3])
    sp.values.CopyFrom(nh.from_array(np.ones(2, np.float32), "W"))
    sp.indices.CopyFrom(nh.from_array(np.array([1, 99], np.int64), "W_idx"))
    m = model([h.make_node("Add", ["x", "W"], ["y"], name="add")], [x], [vi("y")])
    m.graph.sparse_initializer.append(sp)
    save("sparse_index_out_of_range", "inconsistent shapes", "", m)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    for make in [truncated, bit_flips, wire_types, unknown_dtypes, names, cycles, dims, shapes,
                 attributes, external, opsets, nested, misc]:
        make()
    lines = ["# case\tcategory\tthe error line must contain (;-separated, case-insensitive)"]
    lines += [f"{n}\t{c}\t{e}" for n, c, e in sorted(cases)]
    (ROOT / "manifest.tsv").write_text("\n".join(lines) + "\n")
    by = {}
    for _, c, _ in cases:
        by[c] = by.get(c, 0) + 1
    print(f"wrote {len(cases)} cases: " + ", ".join(f"{c} {n}" for c, n in sorted(by.items())))


if __name__ == "__main__":
    main()
