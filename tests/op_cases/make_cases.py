"""Writes tests/op_cases/<case>/ (model.onnx + test_data_set_0) for op
variants the ONNX node suite does not cover; expected outputs come from the
pinned onnx package's reference evaluator. Run with the .venv python from the
repository root; the outputs are committed (a few KB each)."""
import pathlib
import shutil

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh
from onnx.reference import ReferenceEvaluator

ROOT = pathlib.Path(__file__).resolve().parent


def case(name, nodes, inputs, outputs, feeds, opset, more_feeds=()):
    graph = h.make_graph(
        nodes,
        name,
        [h.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [h.make_tensor_value_info(n, t, s) for n, t, s in outputs],
    )
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    folder = ROOT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    onnx.save(model, folder / "model.onnx")
    # A data set is feeds (expected from the reference evaluator) or a pair
    # (feeds, expected) where the evaluator cannot run it.
    for k, item in enumerate([feeds, *more_feeds]):
        data = folder / f"test_data_set_{k}"
        data.mkdir()
        f, results = item if isinstance(item, tuple) else (item, None)
        if results is None:
            results = ReferenceEvaluator(model).run(None, f)
        for i, (n, _, _) in enumerate(inputs):
            (data / f"input_{i}.pb").write_bytes(nh.from_array(f[n], n).SerializeToString())
        for i, ((n, _, _), y) in enumerate(zip(outputs, results)):
            (data / f"output_{i}.pb").write_bytes(nh.from_array(y, n).SerializeToString())


def roi_align(rng):
    x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
    # Regions inside, partly outside, larger than the image, and tiny.
    rois = np.array(
        [[0, 0, 20, 16], [3.3, 2.1, 9.7, 15.2], [-4, -3, 30, 25], [5, 5, 5.5, 5.2]],
        np.float32,
    )
    bi = np.array([0, 1, 1, 0], np.int64)
    for mode in ["avg", "max"]:
        case(
            f"roialign_adaptive_{mode}",
            [h.make_node("RoiAlign", ["x", "rois", "bi"], ["y"], mode=mode,
                         output_height=3, output_width=4, spatial_scale=0.5)],
            [("x", T.FLOAT, [2, 3, 9, 11]), ("rois", T.FLOAT, [4, 4]), ("bi", T.INT64, [4])],
            [("y", T.FLOAT, [4, 3, 3, 4])],
            {"x": x, "rois": rois, "bi": bi},
            22,
        )


def det(rng):
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    x[0, 1, :, 2] = 0  # singular
    x[1, 2] = np.triu(x[1, 2])
    x[1, 2][[0, 3]] = x[1, 2][[3, 0]]  # zero leading pivot
    case(
        "det_pivoting",
        [h.make_node("Det", ["x"], ["y"])],
        [("x", T.FLOAT, [2, 3, 6, 6])],
        [("y", T.FLOAT, [2, 3])],
        {"x": x},
        22,
    )


def nms(rng):
    centres = rng.uniform(0, 10, (2, 12, 2)).astype(np.float32)
    sizes = rng.uniform(1, 4, (2, 12, 2)).astype(np.float32)
    boxes = np.concatenate([centres, sizes], axis=2)
    scores = rng.uniform(0, 1, (2, 3, 12)).astype(np.float32)
    scores[0, 0, 5] = scores[0, 0, 7]  # a tie: the lower index first
    case(
        "nms_center_boxes",
        [h.make_node("NonMaxSuppression", ["b", "s", "m", "iou", "th"], ["sel"], center_point_box=1)],
        [("b", T.FLOAT, [2, 12, 4]), ("s", T.FLOAT, [2, 3, 12]), ("m", T.INT64, [1]),
         ("iou", T.FLOAT, [1]), ("th", T.FLOAT, [1])],
        [("sel", T.INT64, ["n", 3])],
        {"b": boxes, "s": scores, "m": np.array([4], np.int64),
         "iou": np.array([0.3], np.float32), "th": np.array([0.2], np.float32)},
        11,
    )


def maxpool_indices(rng):
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    case(
        "maxpool_indices_column_major",
        [h.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[3, 2], strides=[2, 2],
                     pads=[1, 0, 1, 1], storage_order=1)],
        [("x", T.FLOAT, [2, 3, 7, 6])],
        [("y", T.FLOAT, [2, 3, 4, 3]), ("i", T.INT64, [2, 3, 4, 3])],
        {"x": x},
        12,
    )


def unique(rng):
    # Slices along axis 0 with repeats, kept in order of first occurrence.
    # (The reference evaluator mishandles unsorted Unique along other axes.)
    base = rng.integers(0, 3, (4, 2, 3)).astype(np.float32)
    x = base[[2, 0, 2, 3, 1, 0]]
    case(
        "unique_axis0_unsorted",
        [h.make_node("Unique", ["x"], ["y", "first", "inverse", "counts"], axis=0, sorted=0)],
        [("x", T.FLOAT, [6, 2, 3])],
        [("y", T.FLOAT, ["u", 2, 3]), ("first", T.INT64, ["u"]),
         ("inverse", T.INT64, [6]), ("counts", T.INT64, ["u"])],
        {"x": x},
        11,
    )


def sequences(rng):
    """A sequence made, mapped, edited and joined inside one graph."""
    body = h.make_graph(
        [h.make_node("Mul", ["e", "w"], ["m"]), h.make_node("ReduceSum", ["m"], ["r"], keepdims=1)],
        "body",
        [h.make_tensor_value_info("e", T.FLOAT, ["r", "c"]), h.make_tensor_value_info("w", T.FLOAT, [3, 1])],
        [h.make_tensor_value_info("r", T.FLOAT, [1, 1])],
    )
    const = lambda name, v: h.make_node(  # noqa: E731
        "Constant", [], [name], value=nh.from_array(np.array(v, np.int64), name))
    nodes = [
        const("chunk", 2), const("pos", 1), const("neg", -1),
        h.make_node("SplitToSequence", ["x", "chunk"], ["parts"], axis=1),
        h.make_node("SequenceMap", ["parts", "w"], ["sums"], body=body),
        h.make_node("SequenceConstruct", ["x", "x"], ["pair"]),
        h.make_node("SequenceAt", ["pair", "neg"], ["again"]),
        h.make_node("SequenceInsert", ["sums", "bias", "pos"], ["with_bias"]),
        h.make_node("SequenceErase", ["with_bias", "neg"], ["trimmed"]),
        h.make_node("ConcatFromSequence", ["trimmed"], ["stacked"], axis=0, new_axis=1),
        h.make_node("SequenceLength", ["trimmed"], ["n"]),
        h.make_node("SplitToSequence", ["again"], ["rows"], axis=0, keepdims=0),
        h.make_node("ConcatFromSequence", ["rows"], ["flat"], axis=0),
    ]
    x = rng.standard_normal((3, 5)).astype(np.float32)
    w = rng.standard_normal((3, 1)).astype(np.float32)
    bias = rng.standard_normal((1, 1)).astype(np.float32)
    case(
        "sequences_in_graph",
        nodes,
        [("x", T.FLOAT, [3, 5]), ("w", T.FLOAT, [3, 1]), ("bias", T.FLOAT, [1, 1])],
        [("stacked", T.FLOAT, [3, 1, 1]), ("n", T.INT64, []), ("flat", T.FLOAT, [15])],
        {"x": x, "w": w, "bias": bias},
        17,
    )


def loop_runtime(rng):
    """A Loop whose trip count and condition come at run time: it stops when
    the running sum passes a limit; carried values, captured outer tensors
    and a scan output (1-D elements: the reference evaluator's vstack only
    stacks those as the spec says)."""
    body = h.make_graph(
        [
            h.make_node("Mul", ["w", "y_in"], ["scaled"]),
            h.make_node("Add", ["scaled", "step"], ["y_out"]),
            h.make_node("ReduceSum", ["y_out"], ["total"], keepdims=0),
            h.make_node("Less", ["total", "limit"], ["cond_out"]),
            h.make_node("Cast", ["i"], ["i_f"], to=T.FLOAT),
            h.make_node("Constant", [], ["row"], value=nh.from_array(np.array(1, np.int64), "row")),
            h.make_node("Gather", ["y_out", "row"], ["picked"], axis=0),
            h.make_node("Mul", ["picked", "i_f"], ["scan"]),
        ],
        "body",
        [h.make_tensor_value_info("i", T.INT64, []), h.make_tensor_value_info("c", T.BOOL, []),
         h.make_tensor_value_info("y_in", T.FLOAT, [2, 3])],
        [h.make_tensor_value_info("cond_out", T.BOOL, []), h.make_tensor_value_info("y_out", T.FLOAT, [2, 3]),
         h.make_tensor_value_info("scan", T.FLOAT, [3])],
    )
    feeds = {
        "m": np.array(7, np.int64),
        "c": np.array(True),
        "y": rng.uniform(0, 1, (2, 3)).astype(np.float32),
        "w": np.full((2, 3), 1.5, np.float32),
        "step": rng.uniform(0, 1, (2, 3)).astype(np.float32),
        "limit": np.array(60.0, np.float32),
    }
    case(
        "loop_runtime_trip_count",
        [h.make_node("Loop", ["m", "c", "y"], ["y_final", "scans"], body=body)],
        [("m", T.INT64, []), ("c", T.BOOL, []), ("y", T.FLOAT, [2, 3]), ("w", T.FLOAT, [2, 3]),
         ("step", T.FLOAT, [2, 3]), ("limit", T.FLOAT, [])],
        [("y_final", T.FLOAT, [2, 3]), ("scans", T.FLOAT, ["n", 3])],
        feeds,
        13,
        # The trip count ends it first; then a false initial condition.
        # (The evaluator cannot stack zero scan elements: that result is
        # written out here.)
        more_feeds=[
            {**feeds, "m": np.array(3, np.int64)},
            ({**feeds, "c": np.array(False)}, [feeds["y"], np.zeros((0, 3), np.float32)]),
        ],
    )


def deform_conv(rng):
    """Groups, offset groups, strides, dilations, pads, a mask and a bias;
    offsets large enough to move taps outside the image."""
    x = rng.standard_normal((1, 4, 6, 7)).astype(np.float32)
    w = rng.standard_normal((6, 2, 2, 3)).astype(np.float32)
    offsets = (rng.standard_normal((1, 2 * 2 * 3 * 2, 3, 3)) * 1.5).astype(np.float32)
    mask = rng.uniform(0, 1, (1, 2 * 2 * 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    case(
        "deform_conv_groups",
        [h.make_node("DeformConv", ["x", "w", "off", "b", "mask"], ["y"], group=2, offset_group=2,
                     strides=[2, 2], dilations=[2, 1], pads=[1, 0, 1, 1])],
        [("x", T.FLOAT, [1, 4, 6, 7]), ("w", T.FLOAT, [6, 2, 2, 3]), ("off", T.FLOAT, [1, 24, 3, 3]),
         ("b", T.FLOAT, [6]), ("mask", T.FLOAT, [1, 12, 3, 3])],
        [("y", T.FLOAT, [1, 6, 3, 3])],
        {"x": x, "w": w, "off": offsets, "b": b, "mask": mask},
        22,
    )


def tree_ensemble(rng):
    """Two trees of several split modes, NaN inputs with missing values
    tracking true, set membership; averaged and maxed over the trees."""
    x = rng.uniform(0, 10, (6, 3)).astype(np.float32)
    x[1, 0] = np.nan
    x[4, 2] = np.nan
    x[2, 1] = 7.0  # a set member
    # Tree 0: node 0 (x0 <= 5) -> node 1 (x1 member {7, 2}) / node 2 (x2 > 4).
    # Tree 1: node 3 (x2 != 3.5) -> node 4 (x1 < 6) / leaf; root 3.
    attrs = dict(
        nodes_featureids=[0, 1, 2, 2, 1],
        nodes_splits=nh.from_array(np.array([5, 0, 4, 3.5, 6], np.float32)),
        nodes_modes=nh.from_array(np.array([0, 6, 3, 5, 1], np.uint8)),
        nodes_truenodeids=[1, 0, 2, 4, 5],
        nodes_trueleafs=[0, 1, 1, 0, 1],
        nodes_falsenodeids=[2, 1, 3, 6, 7],
        nodes_falseleafs=[0, 1, 1, 1, 1],
        nodes_missing_value_tracks_true=[1, 0, 0, 1, 0],
        membership_values=nh.from_array(np.array([7, 2, np.nan], np.float32)),
        tree_roots=[0, 3],
        leaf_targetids=[0, 1, 0, 1, 0, 1, 0, 1],
        leaf_weights=nh.from_array(np.array([1, 2, 3, 4, 5, 6, 7, 8], np.float32)),
        n_targets=2,
    )
    for name, agg in [("average", 0), ("max", 3)]:
        node = h.make_node("TreeEnsemble", ["x"], ["y"], domain="ai.onnx.ml",
                           aggregate_function=agg, **attrs)
        graph = h.make_graph([node], name, [h.make_tensor_value_info("x", T.FLOAT, [6, 3])],
                             [h.make_tensor_value_info("y", T.FLOAT, [6, 2])])
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", 22),
                                                   h.make_opsetid("ai.onnx.ml", 5)])
        save_model_case(f"tree_ensemble_{name}", model, {"x": x})


def same_pads_symbolic(_rng):
    """auto_pad SAME with stride 2 over symbolic H and W: the padding depends
    on each length's parity, so the data sets take odd and even lengths."""
    rng = np.random.default_rng(11)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    nodes = [
        h.make_node("Constant", [], ["w"], value=nh.from_array(w, "w")),
        h.make_node("MaxPool", ["x"], ["max"], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
        h.make_node("Conv", ["x", "w"], ["conv"], strides=[2, 2], auto_pad="SAME_LOWER"),
        h.make_node("LpPool", ["x"], ["lp"], kernel_shape=[2, 3], strides=[2, 3], auto_pad="SAME_UPPER", p=2),
    ]
    sets = [{"x": rng.standard_normal((1, 2, hh, ww)).astype(np.float32)}
            for hh, ww in [(7, 8), (8, 9), (5, 5), (6, 11)]]
    case("same_pads_symbolic_stride2", nodes, [("x", T.FLOAT, [1, 2, "H", "W"])],
         [("max", T.FLOAT, [1, 2, "A", "B"]), ("conv", T.FLOAT, [1, 3, "C", "D"]), ("lp", T.FLOAT, [1, 2, "E", "F"])],
         sets[0], 18, more_feeds=sets[1:])


def topk_symbolic_axis(_rng):
    """TopK (k constant) along a dim whose length is known only at run time,
    smallest and largest, with ties (stable: the earlier index first)."""
    rng = np.random.default_rng(12)
    nodes = [
        h.make_node("Constant", [], ["k"], value=nh.from_array(np.array([3], np.int64), "k")),
        h.make_node("TopK", ["x", "k"], ["v", "i"], axis=1, largest=1),
        h.make_node("TopK", ["x", "k"], ["vs", "is"], axis=1, largest=0),
    ]
    sets = [{"x": rng.integers(-4, 5, (2, n)).astype(np.float32)} for n in [7, 3, 12]]
    case("topk_symbolic_axis", nodes, [("x", T.FLOAT, [2, "N"])],
         [("v", T.FLOAT, [2, 3]), ("i", T.INT64, [2, 3]), ("vs", T.FLOAT, [2, 3]), ("is", T.INT64, [2, 3])],
         sets[0], 18, more_feeds=sets[1:])


def rank_by_run_time_dim(_rng):
    """What the conversion must assume about a run-time dim, checked at run
    time: Squeeze without axes over a dim of run-time length (kept: assumed
    not 1), and PyTorch's `if x.shape[-1] == 1: x = x.squeeze(-1)` before a
    layer that takes only the squeezed rank (the If's branches differ in
    rank; the one the rest of the graph converts with is kept)."""
    rng = np.random.default_rng(14)
    const = lambda name, v: h.make_node("Constant", [], [name], value=nh.from_array(v, name))
    nodes = [h.make_node("Squeeze", ["x"], ["sq"]), const("two", np.array(2.0, np.float32)),
             h.make_node("Mul", ["sq", "two"], ["y"])]
    sets = [{"x": rng.standard_normal((n, 1, 3)).astype(np.float32)} for n in [2, 5]]
    case("squeeze_no_axes_run_time_dim", nodes, [("x", T.FLOAT, ["N", 1, 3])], [("y", T.FLOAT, ["N", 3])],
         sets[0], 18, more_feeds=sets[1:])

    w = rng.standard_normal((3, 4)).astype(np.float32)
    then_g = h.make_graph([const("last", np.array([2], np.int64)), h.make_node("Squeeze", ["x", "last"], ["t"])],
                          "then", [], [h.make_tensor_value_info("t", T.FLOAT, None)])
    else_g = h.make_graph([h.make_node("Identity", ["x"], ["e"])], "else", [],
                          [h.make_tensor_value_info("e", T.FLOAT, None)])
    nodes = [
        h.make_node("Shape", ["x"], ["shape"]),
        const("at", np.array(2, np.int64)),
        h.make_node("Gather", ["shape", "at"], ["len"]),
        const("one", np.array(1, np.int64)),
        h.make_node("Equal", ["len", "one"], ["is_one"]),
        h.make_node("If", ["is_one"], ["picked"], then_branch=then_g, else_branch=else_g),
        const("w", w),
        h.make_node("Gemm", ["picked", "w"], ["y"]),
    ]
    sets = [{"x": rng.standard_normal((b, 3, 1)).astype(np.float32)} for b in [1, 4]]
    case("if_rank_by_run_time_dim", nodes, [("x", T.FLOAT, ["B", 3, "L"])], [("y", T.FLOAT, ["B", 4])],
         sets[0], 18, more_feeds=sets[1:])
def resize_antialias_run_time(_rng):
    """Antialiased Resize with sizes and scales given at run time (linear by
    sizes, cubic by scales with exclude_outside, downsampling and upsampling
    axes), over symbolic H and W: one module, data sets of different sizes."""
    rng = np.random.default_rng(14)
    nodes = [
        h.make_node("Resize", ["x", "", "", "sizes"], ["lin"], mode="linear", antialias=1),
        h.make_node("Resize", ["x", "", "scales"], ["cub"], mode="cubic", antialias=1,
                    exclude_outside=1, cubic_coeff_a=-0.5),
    ]
    sets = [
        {"x": rng.standard_normal((1, 2, hh, ww)).astype(np.float32),
         "sizes": np.array(sizes, np.int64), "scales": np.array(scales, np.float32)}
        for (hh, ww), sizes, scales in [
            ((9, 7), [1, 2, 4, 5], [1, 1, 0.5, 1.6]),
            ((6, 11), [1, 2, 5, 3], [1, 1, 0.7, 0.35]),
        ]
    ]
    case("resize_antialias_run_time_sizes", nodes,
         [("x", T.FLOAT, [1, 2, "H", "W"]), ("sizes", T.INT64, [4]), ("scales", T.FLOAT, [4])],
         [("lin", T.FLOAT, [1, 2, "A", "B"]), ("cub", T.FLOAT, [1, 2, "C", "D"])],
         sets[0], 19, more_feeds=sets[1:])


def maxunpool_run_time_output_shape(_rng):
    """MaxUnpool with output_shape given at run time: the values land in the
    inferred 4x4 and zeros extend it to each data set's shape."""
    rng = np.random.default_rng(15)
    nodes = [h.make_node("MaxUnpool", ["x", "i", "shape"], ["y"], kernel_shape=[2, 2], strides=[2, 2])]
    sets = []
    for shape in [[1, 2, 5, 5], [1, 2, 4, 7]]:
        picks = np.array([[r * 2 + rng.integers(0, 2), c * 2 + rng.integers(0, 2)]
                          for r in range(2) for c in range(2)])
        flat = (picks[:, 0] * 4 + picks[:, 1]).reshape(1, 1, 2, 2)
        sets.append({"x": rng.standard_normal((1, 2, 2, 2)).astype(np.float32),
                     "i": np.concatenate([flat, flat + 16], axis=1).astype(np.int64),
                     "shape": np.array(shape, np.int64)})
    case("maxunpool_run_time_output_shape", nodes,
         [("x", T.FLOAT, [1, 2, 2, 2]), ("i", T.INT64, [1, 2, 2, 2]), ("shape", T.INT64, [4])],
         [("y", T.FLOAT, [1, 2, "H", "W"])],
         sets[0], 22, more_feeds=sets[1:])


def per_sequence_reference(nodes, inputs, outs, attrs, feeds, hid):
    """The outputs with sequence_lens, which the reference evaluator ignores:
    each batch element run alone over its own length (layout 0, one
    direction), its outputs past the end zero, as the spec says."""
    x, lens = feeds["x"], feeds["lens"]
    steps, batch = x.shape[0], x.shape[1]
    node = nodes[-1]
    plain = h.make_node(node.op_type, [i if i != "lens" else "" for i in inputs], outs, **attrs)
    graph = h.make_graph(nodes[:-1] + [plain], "one", [h.make_tensor_value_info("x", T.FLOAT, None)],
                         [h.make_tensor_value_info(o, T.FLOAT, None) for o in outs])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 14)])
    y = np.zeros((steps, 1, batch, hid), np.float32)
    states = [np.zeros((1, batch, hid), np.float32) for _ in outs[1:]]
    for b in range(batch):
        got = ReferenceEvaluator(model).run(None, {"x": x[: lens[b], b : b + 1]})
        y[: lens[b], :, b] = got[0][:, :, 0]
        for k, st in enumerate(states):
            st[:, b] = got[1 + k][:, 0]
    return [y, *states]


def recurrent_run_time_sequence(_rng):
    """RNN, GRU and LSTM over a sequence whose length is known only at run
    time (a loop): each direction, a bidirectional LSTM with peepholes,
    sequence lengths, batch-first layout; data sets of three lengths."""
    rng = np.random.default_rng(13)
    inp, hid, batch = 3, 4, 2

    def weights(gates, dirs):
        w = rng.standard_normal((dirs, gates * hid, inp)).astype(np.float32) * 0.5
        r = rng.standard_normal((dirs, gates * hid, hid)).astype(np.float32) * 0.5
        b = rng.standard_normal((dirs, 2 * gates * hid)).astype(np.float32) * 0.5
        return w, r, b

    const = lambda name, v: h.make_node("Constant", [], [name], value=nh.from_array(v, name))
    for kind, gates, direction, extra in [
        ("RNN", 1, "reverse", {}),
        ("GRU", 3, "bidirectional", {"linear_before_reset": 1}),
        ("GRU", 3, "forward", {}),
        ("LSTM", 4, "bidirectional", {}),
        ("LSTM", 4, "forward", {"peephole": True, "lens": True}),
        ("LSTM", 4, "reverse", {"layout": 1}),
    ]:
        dirs = 2 if direction == "bidirectional" else 1
        w, r, b = weights(gates, dirs)
        nodes = [const("w", w), const("r", r), const("b", b)]
        inputs = ["x", "w", "r", "b"]
        layout = extra.get("layout", 0)
        feeds_in = [("x", T.FLOAT, ["T", batch, inp] if layout == 0 else [batch, "T", inp])]
        if extra.get("lens"):
            feeds_in.append(("lens", T.INT32, [batch]))
            inputs.append("lens")
        if extra.get("peephole"):
            inputs += ["", ""]
            nodes.append(const("p", rng.standard_normal((dirs, 3 * hid)).astype(np.float32)))
            inputs.append("p")
        attrs = {"hidden_size": hid, "direction": direction}
        if "linear_before_reset" in extra:
            attrs["linear_before_reset"] = extra["linear_before_reset"]
        if layout:
            attrs["layout"] = layout
        outs = ["y", "yh"] + (["yc"] if kind == "LSTM" else [])
        nodes.append(h.make_node(kind, inputs, outs, **attrs))
        y_shape = ["T", dirs, batch, hid] if layout == 0 else [batch, "T", dirs, hid]
        s_shape = [dirs, batch, hid] if layout == 0 else [batch, dirs, hid]
        outputs = [("y", T.FLOAT, y_shape), ("yh", T.FLOAT, s_shape)]
        if kind == "LSTM":
            outputs.append(("yc", T.FLOAT, s_shape))
        sets = []
        for steps in [5, 1, 3]:
            shape = (steps, batch, inp) if layout == 0 else (batch, steps, inp)
            f = {"x": rng.standard_normal(shape).astype(np.float32)}
            if extra.get("lens"):
                f["lens"] = np.array([steps, max(1, steps - 2)], np.int32)
                f = (f, per_sequence_reference(nodes, inputs, outs, attrs, f, hid))
            sets.append(f)
        name = f"{kind.lower()}_{direction}_run_time_sequence" + ("_layout1" if layout else "") + (
            "_peephole_lens" if extra.get("lens") else "") + ("_lbr" if "linear_before_reset" in extra else "")
        case(name, nodes, feeds_in, outputs, sets[0], 14, more_feeds=sets[1:])


def recurrent_run_time_sequence_and_batch(_rng):
    """GRU and LSTM whose sequence length and batch are both known only at
    run time (a loop whose stacked outputs have a run-time dim past the
    first): one module, data sets of three (length, batch) pairs."""
    rng = np.random.default_rng(17)
    inp, hid = 3, 4
    const = lambda name, v: h.make_node("Constant", [], [name], value=nh.from_array(v, name))
    for kind, gates, direction in [("GRU", 3, "bidirectional"), ("LSTM", 4, "forward")]:
        dirs = 2 if direction == "bidirectional" else 1
        w = rng.standard_normal((dirs, gates * hid, inp)).astype(np.float32) * 0.5
        r = rng.standard_normal((dirs, gates * hid, hid)).astype(np.float32) * 0.5
        b = rng.standard_normal((dirs, 2 * gates * hid)).astype(np.float32) * 0.5
        outs = ["y", "yh"] + (["yc"] if kind == "LSTM" else [])
        nodes = [const("w", w), const("r", r), const("b", b),
                 h.make_node(kind, ["x", "w", "r", "b"], outs, hidden_size=hid, direction=direction)]
        outputs = [("y", T.FLOAT, ["T", dirs, "N", hid])] + [(o, T.FLOAT, [dirs, "N", hid]) for o in outs[1:]]
        sets = [{"x": rng.standard_normal((steps, batch, inp)).astype(np.float32)}
                for steps, batch in [(5, 2), (1, 3), (4, 1)]]
        case(f"{kind.lower()}_{direction}_run_time_sequence_and_batch", nodes,
             [("x", T.FLOAT, ["T", "N", inp])], outputs, sets[0], 14, more_feeds=sets[1:])


def col2im_run_time(_rng):
    """Col2Im with image_shape and block_shape given at run time: one module,
    data sets of different image sizes, block sizes and channel counts (the
    columns keep their shape), with and without pads, strides and dilations."""
    rng = np.random.default_rng(13)

    def blocks(image, block, pads, strides, dilations):
        n = len(image)
        return [(image[i] + pads[i] + pads[n + i] - dilations[i] * (block[i] - 1) - 1) // strides[i] + 1
                for i in range(n)]

    def sets(ck, l, shapes, attrs):
        out = []
        for image, block in shapes:
            k = int(np.prod(block))
            assert ck % k == 0 and int(np.prod(blocks(image, block, **attrs))) == l, (image, block)
            out.append({"x": rng.standard_normal((1, ck, l)).astype(np.float32),
                        "image_shape": np.array(image, np.int64), "block_shape": np.array(block, np.int64)})
        return out

    plain = dict(pads=[0, 0, 0, 0], strides=[1, 1], dilations=[1, 1])
    data = sets(4, 6, [((3, 4), (2, 2)), ((4, 3), (2, 2)), ((7, 2), (2, 2)), ((2, 3), (1, 1))], plain)
    inputs = [("x", T.FLOAT, [1, 4, 6]), ("image_shape", T.INT64, [2]), ("block_shape", T.INT64, [2])]
    nodes = [h.make_node("Col2Im", ["x", "image_shape", "block_shape"], ["y"])]
    case("col2im_run_time_shapes", nodes, inputs, [("y", T.FLOAT, [1, "C", "H", "W"])], data[0], 18, more_feeds=data[1:])
    attrs = dict(pads=[1, 0, 0, 1], strides=[2, 1], dilations=[1, 2])
    data = sets(4, 6, [((4, 4), (2, 2)), ((6, 3), (2, 2)), ((4, 3), (1, 2)), ((2, 2), (1, 1))], attrs)
    nodes = [h.make_node("Col2Im", ["x", "image_shape", "block_shape"], ["y"], **attrs)]
    case("col2im_run_time_shapes_padded", nodes, inputs, [("y", T.FLOAT, [1, "C", "H", "W"])], data[0], 18,
         more_feeds=data[1:])


def signal_run_time(_rng):
    """STFT of a complex signal with frame_step and frame_length given at run
    time (frame count and bins known only then), and MelWeightMatrix of
    run-time parameters: one module each, several data sets."""
    rng = np.random.default_rng(14)
    i64 = lambda v: np.array(v, np.int64)
    data = [{"signal": rng.standard_normal((2, 48, 2)).astype(np.float32),
             "frame_step": i64(step), "frame_length": i64(frame)}
            for step, frame in [(8, 16), (5, 12), (16, 16), (3, 7)]]
    nodes = [h.make_node("STFT", ["signal", "frame_step", "", "frame_length"], ["y"], onesided=0)]
    case("stft_run_time_step_complex", nodes,
         [("signal", T.FLOAT, [2, 48, 2]), ("frame_step", T.INT64, []), ("frame_length", T.INT64, [])],
         [("y", T.FLOAT, [2, "F", "K", 2])], data[0], 17, more_feeds=data[1:])
    data = [{"signal": rng.standard_normal((1, 40, 1)).astype(np.float32),
             "frame_step": i64(step), "frame_length": i64(frame)}
            for step, frame in [(4, 10), (7, 9), (10, 16)]]
    nodes = [h.make_node("STFT", ["signal", "frame_step", "", "frame_length"], ["y"])]
    case("stft_run_time_step_onesided", nodes,
         [("signal", T.FLOAT, [1, 40, 1]), ("frame_step", T.INT64, []), ("frame_length", T.INT64, [])],
         [("y", T.FLOAT, [1, "F", "K", 2])], data[0], 17, more_feeds=data[1:])
    data = [{"num_mel_bins": i64(m), "dft_length": i64(d), "sample_rate": i64(r),
             "lower_edge_hertz": np.array(lo, np.float32), "upper_edge_hertz": np.array(hi, np.float32)}
            for m, d, r, lo, hi in [(8, 16, 8192, 0.0, 4096.0), (5, 32, 16000, 100.0, 7000.0),
                                    (10, 64, 8000, 20.0, 3900.0)]]
    names = ["num_mel_bins", "dft_length", "sample_rate", "lower_edge_hertz", "upper_edge_hertz"]
    nodes = [h.make_node("MelWeightMatrix", names, ["w"])]
    case("melweightmatrix_run_time", nodes,
         [(n, T.INT64, []) for n in names[:3]] + [(n, T.FLOAT, []) for n in names[3:]],
         [("w", T.FLOAT, ["B", "M"])], data[0], 17, more_feeds=data[1:])


def save_model_case(name, model, feeds):
    """Like case(), for a model built by hand (other domains)."""
    onnx.checker.check_model(model)
    folder = ROOT / name
    shutil.rmtree(folder, ignore_errors=True)
    data = folder / "test_data_set_0"
    data.mkdir(parents=True)
    onnx.save(model, folder / "model.onnx")
    results = ReferenceEvaluator(model).run(None, feeds)
    for i, vi in enumerate(model.graph.input):
        (data / f"input_{i}.pb").write_bytes(nh.from_array(feeds[vi.name], vi.name).SerializeToString())
    for i, (vi, y) in enumerate(zip(model.graph.output, results)):
        (data / f"output_{i}.pb").write_bytes(nh.from_array(y, vi.name).SerializeToString())


def gradient_mlp(_rng):
    """Gradient (ai.onnx.preview.training) of a small layer with respect to
    its weight and bias (x held constant as zs): MatMul, a broadcast Add and
    unary ops, fan-out. Expected: central differences of sum(y) in float64
    (the reference evaluator has no Gradient). Its own generator, so the
    case does not change when cases before it draw more numbers."""
    rng = np.random.default_rng(15)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    w = rng.standard_normal((3, 2)).astype(np.float32)
    b = rng.standard_normal((2,)).astype(np.float32)

    def forward(w, b):
        z = x.astype(np.float64) @ w + b
        s = 1 / (1 + np.exp(-z))
        return s * np.exp(-np.maximum(z, 0)) + np.tanh(z) / (s + 1) - np.log(s)

    def numeric(f, a, eps=1e-6):
        g = np.zeros_like(a, np.float64)
        for i in np.ndindex(a.shape):
            up, down = a.astype(np.float64), a.astype(np.float64)
            up[i] += eps
            down[i] -= eps
            g[i] = (f(up).sum() - f(down).sum()) / (2 * eps)
        return g

    nodes = [
        h.make_node("MatMul", ["x", "w"], ["xw"]),
        h.make_node("Add", ["xw", "b"], ["z"]),
        h.make_node("Relu", ["z"], ["r"]),
        h.make_node("Sigmoid", ["z"], ["s"]),
        h.make_node("Tanh", ["z"], ["t"]),
        h.make_node("Neg", ["r"], ["nr"]),
        h.make_node("Exp", ["nr"], ["e"]),
        h.make_node("Mul", ["s", "e"], ["u"]),
        h.make_node("Add", ["s", "one"], ["s1"]),
        h.make_node("Div", ["t", "s1"], ["v"]),
        h.make_node("Log", ["s"], ["ls"]),
        h.make_node("Identity", ["ls"], ["li"]),
        h.make_node("Add", ["u", "v"], ["uv"]),
        h.make_node("Sub", ["uv", "li"], ["y"]),
        h.make_node("Gradient", ["w", "b", "x"], ["dw", "db"], domain="ai.onnx.preview.training",
                    xs=["w", "b"], zs=["x"], y="y"),
    ]
    graph = h.make_graph(
        nodes,
        "gradient_mlp",
        [h.make_tensor_value_info("x", T.FLOAT, [4, 3]), h.make_tensor_value_info("w", T.FLOAT, [3, 2]),
         h.make_tensor_value_info("b", T.FLOAT, [2])],
        [h.make_tensor_value_info("y", T.FLOAT, [4, 2]), h.make_tensor_value_info("dw", T.FLOAT, [3, 2]),
         h.make_tensor_value_info("db", T.FLOAT, [2])],
        [nh.from_array(np.array(1, np.float32), "one")],
    )
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17),
                                               h.make_opsetid("ai.onnx.preview.training", 1)])
    folder = ROOT / "gradient_mlp"
    shutil.rmtree(folder, ignore_errors=True)
    data = folder / "test_data_set_0"
    data.mkdir(parents=True)
    onnx.save(model, folder / "model.onnx")
    feeds = {"x": x, "w": w, "b": b}
    results = [forward(w, b), numeric(lambda v: forward(v, b), w), numeric(lambda v: forward(w, v), b)]
    for i, vi in enumerate(model.graph.input):
        (data / f"input_{i}.pb").write_bytes(nh.from_array(feeds[vi.name], vi.name).SerializeToString())
    for i, (vi, y) in enumerate(zip(model.graph.output, results)):
        (data / f"output_{i}.pb").write_bytes(nh.from_array(y.astype(np.float32), vi.name).SerializeToString())


def grouped_integer_conv(x, w, xz, wz, group, stride, pad):
    """Exact integer grouped convolution (NCHW, FCHW/g), in i64."""
    xs = np.pad(x.astype(np.int64) - xz, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ws = w.astype(np.int64) - wz
    n, c, hp, wp = xs.shape
    f, cg, kh, kw = ws.shape
    fg = f // group
    oh, ow = (hp - kh) // stride + 1, (wp - kw) // stride + 1
    y = np.zeros((n, f, oh, ow), np.int64)
    for o in range(f):
        g = o // fg
        for i in range(oh):
            for j in range(ow):
                win = xs[:, g * cg:(g + 1) * cg, i * stride:i * stride + kh, j * stride:j * stride + kw]
                y[:, o, i, j] = (win * ws[o]).sum(axis=(1, 2, 3))
    return y


def grouped_quantized_conv(rng):
    """ConvInteger and QLinearConv with groups (depthwise, channel multiplier
    2, and 2 groups of 2 channels), expected from an exact integer
    reference (numpy, i64) and, for ConvInteger, equal to the onnx
    reference evaluator's."""
    rng = np.random.default_rng(16)
    for name, xt, wt, group, f, stride in [
        ("conv_integer_depthwise_u8", np.uint8, np.uint8, 4, 8, 1),
        ("conv_integer_grouped_i8_u8", np.int8, np.uint8, 2, 6, 2),
    ]:
        lo = lambda t: np.iinfo(t).min  # noqa: E731
        hi = lambda t: np.iinfo(t).max  # noqa: E731
        x = rng.integers(lo(xt), hi(xt) + 1, (2, 4, 6, 6)).astype(xt)
        w = rng.integers(lo(wt), hi(wt) + 1, (f, 4 // group, 3, 3)).astype(wt)
        xz = np.array(rng.integers(lo(xt), hi(xt) + 1), xt)
        wz = np.array(rng.integers(lo(wt), hi(wt) + 1), wt)
        y = grouped_integer_conv(x, w, int(xz), int(wz), group, stride, 1)
        oh = y.shape[2]
        nodes = [h.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], group=group,
                             strides=[stride, stride], pads=[1, 1, 1, 1])]
        inputs = [("x", np.dtype(xt), [2, 4, 6, 6]), ("w", np.dtype(wt), [f, 4 // group, 3, 3]),
                  ("xz", np.dtype(xt), []), ("wz", np.dtype(wt), [])]
        inputs = [(n, h.np_dtype_to_tensor_dtype(t), s) for n, t, s in inputs]
        feeds = {"x": x, "w": w, "xz": xz, "wz": wz}
        want = y.astype(np.int32)
        graph = h.make_graph(nodes, name, [h.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                             [h.make_tensor_value_info("y", T.INT32, [2, f, oh, oh])])
        reference = ReferenceEvaluator(h.make_model(graph, opset_imports=[h.make_opsetid("", 10)]))
        assert np.array_equal(reference.run(None, feeds)[0], want), name
        case(name, nodes, inputs, [("y", T.INT32, [2, f, oh, oh])], (feeds, [want]), 10)
    # QLinearConv, i8, depthwise with channel multiplier 2, i32 bias:
    # requantized with round half to even from the exact sums.
    x = rng.integers(-128, 128, (2, 4, 6, 6)).astype(np.int8)
    w = rng.integers(-128, 128, (8, 1, 3, 3)).astype(np.int8)
    b = rng.integers(-2000, 2000, (8,)).astype(np.int32)
    xs, xz, ws, wz, ys, yz = np.float32(0.02), np.int8(-3), np.float32(0.01), np.int8(0), np.float32(0.5), np.int8(5)
    acc = grouped_integer_conv(x, w, int(xz), int(wz), 4, 1, 1) + b.reshape(1, 8, 1, 1)
    v = acc.astype(np.float64) * (np.float64(xs) * np.float64(ws) / np.float64(ys))
    want = np.clip(np.rint(v) + int(yz), -128, 127).astype(np.int8)
    names = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"]
    nodes = [h.make_node("QLinearConv", names, ["y"], group=4, pads=[1, 1, 1, 1])]
    feeds = dict(zip(names, [x, np.array(xs), np.array(xz), w, np.array(ws), np.array(wz), np.array(ys),
                             np.array(yz), b]))
    inputs = [(n, h.np_dtype_to_tensor_dtype(v.dtype), list(v.shape)) for n, v in feeds.items()]
    case("qlinear_conv_depthwise_i8", nodes, inputs, [("y", T.INT8, [2, 8, 6, 6])], (feeds, [want]), 10)


if __name__ == "__main__":
    rng = np.random.default_rng(2026)
    for make in [roi_align, det, nms, maxpool_indices, unique, sequences, loop_runtime, deform_conv, tree_ensemble,
                 same_pads_symbolic, topk_symbolic_axis, recurrent_run_time_sequence, rank_by_run_time_dim,
                 resize_antialias_run_time, maxunpool_run_time_output_shape, gradient_mlp, col2im_run_time,
                 signal_run_time, grouped_quantized_conv, recurrent_run_time_sequence_and_batch]:
        make(rng)
    print("wrote", sorted(p.name for p in ROOT.iterdir() if p.is_dir()))
