"""Writes tests/contrib_cases/<case>/ (model.onnx + test_data_set_0) for
onnxruntime's com.microsoft contrib ops, with expected outputs from
onnxruntime itself (the oracle: the ops are defined by its kernels), and a
tiny BERT optimized by onnxruntime's transformer optimizer. Run from the
repository root with build/venv-models/bin/python (onnx 1.23.2,
onnxruntime 1.31.1, torch, transformers); the outputs are committed.
Usage: python tests/contrib_cases/make_cases.py [case-name-prefix ...]"""
import pathlib
import shutil
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

ROOT = pathlib.Path(__file__).resolve().parent
MS = "com.microsoft"
ONLY = sys.argv[1:]


def wanted(name):
    return not ONLY or any(name.startswith(p) for p in ONLY)


def run_ort(model, feeds, threads=0):
    opts = ort.SessionOptions()
    # 0: onnxruntime's default. DynamicQuantizeLSTM runs with 1: with more, its
    # kernel splits the batch across threads and quantizes h per part.
    opts.intra_op_num_threads = threads
    # The model as written, not onnxruntime's own rewrite of it.
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def write(name, model, feeds, threads=0):
    """Saves the model and one data set whose outputs onnxruntime computes."""
    results = run_ort(model, feeds, threads)
    folder = ROOT / name
    shutil.rmtree(folder, ignore_errors=True)
    data = folder / "test_data_set_0"
    data.mkdir(parents=True)
    onnx.save(model, folder / "model.onnx")
    for i, vi in enumerate(model.graph.input):
        (data / f"input_{i}.pb").write_bytes(nh.from_array(feeds[vi.name], vi.name).SerializeToString())
    for i, (vi, y) in enumerate(zip(model.graph.output, results)):
        (data / f"output_{i}.pb").write_bytes(nh.from_array(y, vi.name).SerializeToString())


def case(name, op, inputs, outputs, feeds, inits=(), domain=MS, **attrs):
    """One com.microsoft node (or of `domain`); `inputs` are (name, elem type,
    shape), "" for an absent optional input; `inits` are constant initializers."""
    if not wanted(name):
        return
    node = h.make_node(op, [n for n, _, _ in inputs], [n for n, _, _ in outputs], domain=domain, **attrs)
    init_names = {t.name for t in inits}
    graph = h.make_graph(
        [node],
        name,
        [h.make_tensor_value_info(n, t, s) for n, t, s in inputs if n and n not in init_names],
        [h.make_tensor_value_info(n, t, s) for n, t, s in outputs if n],
        initializer=list(inits),
    )
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17), h.make_opsetid(MS, 1)])
    model.ir_version = 8
    write(name, model, feeds)


F = T.FLOAT


def f32(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def activations(rng):
    x = f32(rng, 2, 3, 8)
    b = f32(rng, 8)
    case("gelu", "Gelu", [("x", F, [2, 3, 8])], [("y", F, [2, 3, 8])], {"x": x})
    case("bias_gelu", "BiasGelu", [("x", F, [2, 3, 8]), ("b", F, [8])], [("y", F, [2, 3, 8])], {"x": x, "b": b})
    case("fast_gelu", "FastGelu", [("x", F, [2, 3, 8])], [("y", F, [2, 3, 8])], {"x": x})
    case("fast_gelu_bias", "FastGelu", [("x", F, [2, 3, 8]), ("b", F, [8])], [("y", F, [2, 3, 8])],
         {"x": x, "b": b})
    case("quick_gelu", "QuickGelu", [("x", F, [2, 3, 8])], [("y", F, [2, 3, 8])], {"x": x})
    case("quick_gelu_alpha", "QuickGelu", [("x", F, [2, 3, 8])], [("y", F, [2, 3, 8])], {"x": x}, alpha=1.0)
    # BiasAdd has no CPU kernel in onnxruntime: no oracle, so no case.


def skip_norms(rng):
    shape = [2, 3, 16]
    x, s = f32(rng, *shape), f32(rng, *shape)
    gamma, beta, bias = f32(rng, 16), f32(rng, 16), f32(rng, 16)
    full = {"x": x, "s": s, "gamma": gamma, "beta": beta, "bias": bias}
    ins = [("x", F, shape), ("s", F, shape), ("gamma", F, [16])]
    case("skip_layer_norm", "SkipLayerNormalization", ins, [("y", F, shape)],
         {"x": x, "s": s, "gamma": gamma})
    case("skip_layer_norm_beta_bias_sum", "SkipLayerNormalization",
         ins + [("beta", F, [16]), ("bias", F, [16])],
         [("y", F, shape), ("", F, None), ("", F, None), ("sum", F, shape)], full, epsilon=1e-5)
    case("skip_layer_norm_bias_only", "SkipLayerNormalization",
         ins + [("", F, None), ("bias", F, [16])], [("y", F, shape)],
         {"x": x, "s": s, "gamma": gamma, "bias": bias})
    case("skip_simplified_layer_norm", "SkipSimplifiedLayerNormalization", ins, [("y", F, shape)],
         {"x": x, "s": s, "gamma": gamma})
    case("skip_simplified_layer_norm_bias_sum", "SkipSimplifiedLayerNormalization",
         ins + [("bias", F, [16])],
         [("y", F, shape), ("", F, None), ("", F, None), ("sum", F, shape)],
         {"x": x, "s": s, "gamma": gamma, "bias": bias}, epsilon=1e-6)
    # onnxruntime registers SimplifiedLayerNormalization in the default domain.
    case("simplified_layer_norm", "SimplifiedLayerNormalization", [("x", F, shape), ("gamma", F, [16])],
         [("y", F, shape)], {"x": x, "gamma": gamma}, domain="", epsilon=1e-6)
    case("simplified_layer_norm_axis", "SimplifiedLayerNormalization", [("x", F, shape), ("gamma", F, shape[1:])],
         [("y", F, shape)], {"x": x, "gamma": f32(rng, *shape[1:])}, domain="", axis=1)


def fused_linear(rng):
    a, b = f32(rng, 2, 4, 3), f32(rng, 2, 5, 4)
    case("fused_matmul_trans_alpha", "FusedMatMul", [("a", F, [2, 4, 3]), ("b", F, [2, 5, 4])],
         [("y", F, [2, 3, 5])], {"a": a, "b": b}, transA=1, transB=1, alpha=0.5)
    a2, b2 = f32(rng, 2, 3, 4), f32(rng, 4, 5)
    case("fused_matmul_broadcast", "FusedMatMul", [("a", F, [2, 3, 4]), ("b", F, [4, 5])],
         [("y", F, [2, 3, 5])], {"a": a2, "b": b2})
    ga, gb, gc = f32(rng, 3, 4), f32(rng, 5, 4), f32(rng, 5)
    gins = [("a", F, [3, 4]), ("b", F, [5, 4]), ("c", F, [5])]
    for act, extra in [("Relu", {}), ("LeakyRelu", {"activation_alpha": 0.2}), ("HardSigmoid", {"activation_alpha": 0.3, "activation_beta": 0.4}),
                       ("Tanh", {}), ("Sigmoid", {})]:
        case(f"fused_gemm_{act.lower()}", "FusedGemm", gins, [("y", F, [3, 5])],
             {"a": ga, "b": gb, "c": gc}, transB=1, alpha=0.7, beta=1.5, activation=act, **extra)
    case("fused_gemm_no_c", "FusedGemm", gins[:2], [("y", F, [3, 5])], {"a": ga, "b": gb},
         transB=1, activation="Relu")
    x, w, bias = f32(rng, 1, 3, 6, 6), f32(rng, 4, 3, 3, 3), f32(rng, 4)
    cins = [("x", F, [1, 3, 6, 6]), ("w", F, [4, 3, 3, 3]), ("bias", F, [4])]
    case("fused_conv_relu", "FusedConv", cins, [("y", F, [1, 4, 6, 6])],
         {"x": x, "w": w, "bias": bias}, pads=[1, 1, 1, 1], activation="Relu")
    case("fused_conv_clip", "FusedConv", cins[:2], [("y", F, [1, 4, 4, 4])], {"x": x, "w": w},
         activation="Clip", activation_params=[-0.5, 0.5])
    case("fused_conv_leaky_z", "FusedConv", cins + [("z", F, [1, 4, 3, 3])], [("y", F, [1, 4, 3, 3])],
         {"x": x, "w": w, "bias": bias, "z": f32(rng, 1, 4, 3, 3)}, strides=[2, 2], pads=[1, 1, 1, 1],
         activation="LeakyRelu", activation_params=[0.3])


def attention(rng):
    B, S, D, H = 2, 4, 8, 2
    x, w, b = f32(rng, B, S, D), f32(rng, D, 3 * D) * 0.5, f32(rng, 3 * D)
    ins = [("x", F, [B, S, D]), ("w", F, [D, 3 * D]), ("b", F, [3 * D])]
    out = [("y", F, [B, S, D])]
    feeds = {"x": x, "w": w, "b": b}
    case("attention", "Attention", ins, out, feeds, num_heads=H)
    # Without a bias onnxruntime 1.31's CPU kernel crashes: every case has one.
    case("attention_unidirectional", "Attention", ins, out, feeds, num_heads=H, unidirectional=1)
    lengths = np.array([3, 4], np.int32)
    case("attention_mask_lengths", "Attention", ins + [("m", T.INT32, [B])], out,
         {**feeds, "m": lengths}, num_heads=H)
    raw = np.array([[1, 1, 0, 1], [1, 1, 1, 0]], np.int32)
    case("attention_mask_2d_scale", "Attention", ins + [("m", T.INT32, [B, S])], out,
         {**feeds, "m": raw}, num_heads=H, scale=0.3)
    raw3 = (rng.random((B, S, S)) > 0.3).astype(np.int32)
    raw3[:, :, 0] = 1
    case("attention_mask_3d", "Attention", ins + [("m", T.INT32, [B, S, S])], out,
         {**feeds, "m": raw3}, num_heads=H)
    case("attention_bias", "Attention", ins + [("", F, None), ("", F, None), ("ab", F, [B, H, S, S])], out,
         {**feeds, "ab": f32(rng, B, H, S, S)}, num_heads=H)


def multi_head_attention(rng):
    B, S, L, D, H = 2, 3, 5, 8, 2
    q, k, v = f32(rng, B, S, D), f32(rng, B, L, D), f32(rng, B, L, D)
    ins = [("q", F, [B, S, D]), ("k", F, [B, L, D]), ("v", F, [B, L, D])]
    out = [("y", F, [B, S, D])]
    feeds = {"q": q, "k": k, "v": v}
    case("mha", "MultiHeadAttention", ins, out, feeds, num_heads=H)
    bias = f32(rng, 3 * D)
    pad = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], np.int32)
    case("mha_bias_padding_mask", "MultiHeadAttention",
         ins + [("bias", F, [3 * D]), ("m", T.INT32, [B, L])], out, {**feeds, "bias": bias, "m": pad},
         num_heads=H, scale=0.25)
    case("mha_key_lengths_attention_bias", "MultiHeadAttention",
         ins + [("", F, None), ("m", T.INT32, [B]), ("ab", F, [1, H, S, L])], out,
         {**feeds, "m": np.array([4, 2], np.int32), "ab": f32(rng, 1, H, S, L)}, num_heads=H)


def embed_layer_norm(rng):
    B, S, D, V = 2, 5, 8, 20
    ids = rng.integers(0, V, (B, S)).astype(np.int32)
    seg = rng.integers(0, 2, (B, S)).astype(np.int32)
    mask = np.array([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], np.int32)
    tables = {"word": f32(rng, V, D), "pos": f32(rng, 16, D), "segment": f32(rng, 2, D),
              "gamma": f32(rng, D), "beta": f32(rng, D)}
    inits = [nh.from_array(t, n) for n, t in tables.items()]
    ins = [("ids", T.INT32, [B, S]), ("seg", T.INT32, [B, S]), ("word", F, [V, D]), ("pos", F, [16, D]),
           ("segment", F, [2, D]), ("gamma", F, [D]), ("beta", F, [D]), ("mask", T.INT32, [B, S])]
    case("embed_layer_norm", "EmbedLayerNormalization", ins,
         [("y", F, [B, S, D]), ("mask_index", T.INT32, [B]), ("sum", F, [B, S, D])],
         {"ids": ids, "seg": seg, "mask": mask}, inits, epsilon=1e-5)
    no_segment = [ins[0], ("", T.INT32, None)] + ins[2:4] + [("", F, None)] + ins[5:7]
    case("embed_layer_norm_no_segment_no_mask", "EmbedLayerNormalization", no_segment,
         [("y", F, [B, S, D]), ("mask_index", T.INT32, [B])], {"ids": ids}, [i for i in inits if i.name != "segment"])


def rotary_embedding(rng):
    B, S, N, H, max_seq = 2, 4, 2, 8, 12
    angles = np.outer(np.arange(max_seq), 1.0 / 10000 ** (np.arange(0, H, 2) / H))
    cos, sin = np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)
    caches = [nh.from_array(cos, "cos"), nh.from_array(sin, "sin")]
    cache_ins = [("cos", F, [max_seq, H // 2]), ("sin", F, [max_seq, H // 2])]
    x3 = f32(rng, B, S, N * H)
    pos = rng.integers(0, max_seq, (B, S)).astype(np.int64)
    case("rotary_embedding_3d", "RotaryEmbedding", [("x", F, [B, S, N * H]), ("p", T.INT64, [B, S])] + cache_ins,
         [("y", F, [B, S, N * H])], {"x": x3, "p": pos}, caches, num_heads=N)
    case("rotary_embedding_3d_interleaved_offset", "RotaryEmbedding",
         [("x", F, [B, S, N * H]), ("p", T.INT64, [1])] + cache_ins, [("y", F, [B, S, N * H])],
         {"x": x3, "p": np.array([5], np.int64)}, caches, num_heads=N, interleaved=1)
    x4 = f32(rng, B, N, S, H)
    case("rotary_embedding_4d", "RotaryEmbedding", [("x", F, [B, N, S, H]), ("p", T.INT64, [B, S])] + cache_ins,
         [("y", F, [B, N, S, H])], {"x": x4, "p": pos}, caches)
    half_caches = [nh.from_array(cos[:, :2].copy(), "cos"), nh.from_array(sin[:, :2].copy(), "sin")]
    case("rotary_embedding_partial", "RotaryEmbedding",
         [("x", F, [B, S, N * H]), ("p", T.INT64, [B, S]), ("cos", F, [max_seq, 2]), ("sin", F, [max_seq, 2])],
         [("y", F, [B, S, N * H])], {"x": x3, "p": pos}, half_caches, num_heads=N, rotary_embedding_dim=4)


U8, I8 = T.UINT8, T.INT8


def scalar(name, value, dtype):
    return nh.from_array(np.array(value, dtype), name)


def qlinear(rng):
    shape = [2, 3, 8]
    for kind, np_t, onnx_t in [("u8", np.uint8, U8), ("i8", np.int8, I8)]:
        info = np.iinfo(np_t)
        a = rng.integers(info.min, info.max + 1, shape).astype(np_t)
        b = rng.integers(info.min, info.max + 1, shape[1:]).astype(np_t)
        zero = 128 if kind == "u8" else 0
        inits = [scalar("sa", 0.05, np.float32), scalar("za", zero + 3, np_t),
                 scalar("sb", 0.11, np.float32), scalar("zb", zero - 7, np_t),
                 scalar("sc", 0.09, np.float32), scalar("zc", zero + 1, np_t)]
        names = [("a", onnx_t, shape), ("sa", F, []), ("za", onnx_t, []), ("b", onnx_t, shape[1:]),
                 ("sb", F, []), ("zb", onnx_t, []), ("sc", F, []), ("zc", onnx_t, [])]
        for op in ["QLinearAdd", "QLinearMul"]:
            case(f"{op.lower()}_{kind}", op, names, [("y", onnx_t, shape)], {"a": a, "b": b}, inits)
        unary_inits = [inits[0], inits[1], inits[4], inits[5]]
        unary_names = [names[0], names[1], names[2], names[6], names[7]]
        case(f"qlinear_sigmoid_{kind}", "QLinearSigmoid", unary_names, [("y", onnx_t, shape)], {"a": a},
             unary_inits)
        case(f"qlinear_leaky_relu_{kind}", "QLinearLeakyRelu", unary_names, [("y", onnx_t, shape)],
             {"a": a}, unary_inits, alpha=0.2)


def qlinear_more(rng):
    a = rng.integers(0, 256, (2, 3, 4)).astype(np.uint8)
    b = rng.integers(0, 256, (2, 2, 4)).astype(np.uint8)
    inits = [scalar("sy", 0.07, np.float32), scalar("zy", 120, np.uint8),
             scalar("sa", 0.05, np.float32), scalar("za", 128, np.uint8),
             scalar("sb", 0.07, np.float32), scalar("zb", 120, np.uint8)]
    names = [("sy", F, []), ("zy", U8, []), ("a", U8, [2, 3, 4]), ("sa", F, []), ("za", U8, []),
             ("b", U8, [2, 2, 4]), ("sb", F, []), ("zb", U8, [])]
    case("qlinear_concat", "QLinearConcat", names, [("y", U8, [2, 5, 4])], {"a": a, "b": b}, inits, axis=1)
    for kind, np_t, onnx_t in [("u8", np.uint8, U8), ("i8", np.int8, I8)]:
        info = np.iinfo(np_t)
        x = rng.integers(info.min, info.max + 1, (2, 3, 5, 7)).astype(np_t)
        zero = 128 if kind == "u8" else 0
        inits = [scalar("sx", 0.04, np.float32), scalar("zx", zero + 5, np_t),
                 scalar("sy", 0.03, np.float32), scalar("zy", zero - 3, np_t)]
        names = [("x", onnx_t, [2, 3, 5, 7]), ("sx", F, []), ("zx", onnx_t, []), ("sy", F, []), ("zy", onnx_t, [])]
        case(f"qlinear_global_average_pool_{kind}", "QLinearGlobalAveragePool", names,
             [("y", onnx_t, [2, 3, 1, 1])], {"x": x}, inits)
    names[0] = ("x", onnx_t, [2, 5, 7, 3])
    x = rng.integers(-128, 128, (2, 5, 7, 3)).astype(np.int8)
    case("qlinear_global_average_pool_channels_last", "QLinearGlobalAveragePool", names,
         [("y", onnx_t, [2, 1, 1, 3])], {"x": x}, inits, channels_last=1)


def qgemm_and_gather(rng):
    a = rng.integers(0, 256, (3, 8)).astype(np.uint8)
    b = rng.integers(-128, 128, (5, 8)).astype(np.int8)
    c = rng.integers(-500, 500, (5,)).astype(np.int32)
    inits = [scalar("sa", 0.04, np.float32), scalar("za", 130, np.uint8), nh.from_array(b, "b"),
             nh.from_array((rng.random(5) * 0.05 + 0.01).astype(np.float32), "sb"),
             nh.from_array(rng.integers(-4, 4, 5).astype(np.int8), "zb"), nh.from_array(c, "c"),
             scalar("sy", 0.3, np.float32), scalar("zy", 125, np.uint8)]
    names = [("a", U8, [3, 8]), ("sa", F, []), ("za", U8, []), ("b", I8, [5, 8]), ("sb", F, [5]),
             ("zb", I8, [5]), ("c", T.INT32, [5]), ("sy", F, []), ("zy", U8, [])]
    case("qgemm_requantized", "QGemm", names, [("y", U8, [3, 5])], {"a": a}, inits, transB=1, alpha=0.8)
    case("qgemm_float", "QGemm", names[:7], [("y", F, [3, 5])], {"a": a}, inits[:6], transB=1)
    V, K, block = 10, 64, 16
    data = rng.integers(0, 256, (V, K // 2)).astype(np.uint8)
    scales = (rng.random((V, K // block)) * 0.1 + 0.01).astype(np.float32)
    zp = rng.integers(0, 256, (V, K // block // 2)).astype(np.uint8)
    idx = np.array([[3, 0, 9], [3, 7, 1]], np.int64)
    gins = [("d", U8, [V, K // 2]), ("i", T.INT64, [2, 3]), ("s", F, [V, K // block])]
    ginits = [nh.from_array(data, "d"), nh.from_array(scales, "s")]
    case("gather_block_quantized", "GatherBlockQuantized", gins, [("y", F, [2, 3, K])], {"i": idx}, ginits,
         block_size=block)
    case("gather_block_quantized_zero_points", "GatherBlockQuantized", gins + [("z", U8, [V, K // block // 2])],
         [("y", F, [2, 3, K])], {"i": idx}, ginits + [nh.from_array(zp, "z")], block_size=block)


def qlinear_pool_where(rng):
    x = rng.integers(0, 256, (1, 2, 6, 7)).astype(np.uint8)
    inits = [scalar("sx", 0.05, np.float32), scalar("zx", 128, np.uint8),
             scalar("sy", 0.04, np.float32), scalar("zy", 120, np.uint8)]
    names = [("x", U8, [1, 2, 6, 7]), ("sx", F, []), ("zx", U8, []), ("sy", F, []), ("zy", U8, [])]
    case("qlinear_average_pool", "QLinearAveragePool", names, [("y", U8, [1, 2, 3, 4])], {"x": x}, inits,
         kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    case("qlinear_average_pool_count_pad", "QLinearAveragePool", names, [("y", U8, [1, 2, 3, 4])], {"x": x},
         inits, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
    xl = rng.integers(0, 256, (1, 6, 7, 2)).astype(np.uint8)
    names[0] = ("x", U8, [1, 6, 7, 2])
    case("qlinear_average_pool_channels_last", "QLinearAveragePool", names, [("y", U8, [1, 5, 6, 2])],
         {"x": xl}, inits, kernel_shape=[2, 2], channels_last=1)
    cond = rng.random((2, 3, 4)) > 0.5
    a = rng.integers(-128, 128, (2, 3, 4)).astype(np.int8)
    b = rng.integers(-128, 128, (3, 4)).astype(np.int8)
    winits = [scalar("sa", 0.05, np.float32), scalar("za", 3, np.int8), scalar("sb", 0.11, np.float32),
              scalar("zb", -7, np.int8), scalar("sc", 0.09, np.float32), scalar("zc", 1, np.int8)]
    wnames = [("c", T.BOOL, [2, 3, 4]), ("a", I8, [2, 3, 4]), ("sa", F, []), ("za", I8, []), ("b", I8, [3, 4]),
              ("sb", F, []), ("zb", I8, []), ("sc", F, []), ("zc", I8, [])]
    case("qlinear_where", "QLinearWhere", wnames, [("y", I8, [2, 3, 4])], {"c": cond, "a": a, "b": b}, winits)


def group_query_attention(rng):
    B, S, N, KV, H = 2, 4, 4, 2, 8
    q, k, v = f32(rng, B, S, N * H), f32(rng, B, S, KV * H), f32(rng, B, S, KV * H)
    ins = [("q", F, [B, S, N * H]), ("k", F, [B, S, KV * H]), ("v", F, [B, S, KV * H]), ("", F, None),
           ("", F, None), ("seqlens_k", T.INT32, [B]), ("total", T.INT32, [])]
    inits = [nh.from_array(np.array([S - 1] * B, np.int32), "seqlens_k"), scalar("total", S, np.int32)]
    outs = [("y", F, [B, S, N * H]), ("present_key", F, [B, KV, S, H]), ("present_value", F, [B, KV, S, H])]
    case("group_query_attention", "GroupQueryAttention", ins, outs, {"q": q, "k": k, "v": v}, inits,
         num_heads=N, kv_num_heads=KV)
    case("group_query_attention_scale", "GroupQueryAttention", ins, outs, {"q": q, "k": k, "v": v}, inits,
         num_heads=N, kv_num_heads=KV, scale=0.2)
    # The second sequence is 2 tokens long, right-padded.
    padded = [nh.from_array(np.array([S - 1, 1], np.int32), "seqlens_k"), inits[1]]
    case("group_query_attention_padded", "GroupQueryAttention", ins, outs, {"q": q, "k": k, "v": v}, padded,
         num_heads=N, kv_num_heads=KV)


def qdq(rng):
    """com.microsoft QuantizeLinear/DequantizeLinear, as the quantizer writes
    them for 16-bit types; per tensor and per axis."""
    x = f32(rng, 2, 3, 4) * 3
    for kind, np_t, onnx_t in [("u16", np.uint16, T.UINT16), ("i16", np.int16, T.INT16),
                               ("i8", np.int8, I8)]:
        info = np.iinfo(np_t)
        zero = (info.max + 1) // 2 if info.min == 0 else 0
        inits = [scalar("s", 0.001 if kind != "i8" else 0.02, np.float32), scalar("z", zero + 7, np_t)]
        case(f"quantize_linear_{kind}", "QuantizeLinear", [("x", F, [2, 3, 4]), ("s", F, []), ("z", onnx_t, [])],
             [("y", onnx_t, [2, 3, 4])], {"x": x}, inits)
        q = rng.integers(info.min, info.max + 1, (2, 3, 4)).astype(np_t)
        case(f"dequantize_linear_{kind}", "DequantizeLinear", [("q", onnx_t, [2, 3, 4]), ("s", F, []), ("z", onnx_t, [])],
             [("y", F, [2, 3, 4])], {"q": q}, inits)
    scales = np.array([0.01, 0.03, 0.02], np.float32)
    zeros = np.array([-3, 0, 5], np.int8)
    axis_inits = [nh.from_array(scales, "s"), nh.from_array(zeros, "z")]
    case("quantize_linear_axis", "QuantizeLinear", [("x", F, [2, 3, 4]), ("s", F, [3]), ("z", I8, [3])],
         [("y", I8, [2, 3, 4])], {"x": x}, axis_inits, axis=1)
    q = rng.integers(-128, 128, (2, 3, 4)).astype(np.int8)
    case("dequantize_linear_axis", "DequantizeLinear", [("q", I8, [2, 3, 4]), ("s", F, [3]), ("z", I8, [3])],
         [("y", F, [2, 3, 4])], {"q": q}, axis_inits, axis=1)


def skip_layer_norm_statistics(rng):
    shape = [2, 3, 16]
    x, s, gamma, beta = f32(rng, *shape), f32(rng, *shape), f32(rng, 16), f32(rng, 16)
    case("skip_layer_norm_statistics", "SkipLayerNormalization",
         [("x", F, shape), ("s", F, shape), ("gamma", F, [16]), ("beta", F, [16])],
         [("y", F, shape), ("mean", F, [2, 3, 1]), ("inv_std_var", F, [2, 3, 1]), ("sum", F, shape)],
         {"x": x, "s": s, "gamma": gamma, "beta": beta}, epsilon=1e-5)


def qattention(rng):
    B, S, D, H = 2, 4, 8, 2
    x = rng.integers(0, 256, (B, S, D)).astype(np.uint8)
    w = rng.integers(-128, 128, (D, 3 * D)).astype(np.int8)
    inits = [nh.from_array(w, "w"), nh.from_array(f32(rng, 3 * D), "b"), scalar("xs", 0.02, np.float32),
             scalar("ws", 0.01, np.float32), scalar("xz", 120, np.uint8), scalar("wz", 2, np.int8)]
    ins = [("x", U8, [B, S, D]), ("w", I8, [D, 3 * D]), ("b", F, [3 * D]), ("xs", F, []), ("ws", F, []),
           ("m", T.INT32, [B]), ("xz", U8, []), ("wz", I8, [])]
    case("qattention", "QAttention", ins, [("y", F, [B, S, D])], {"x": x, "m": np.array([4, 3], np.int32)},
         inits, num_heads=H)
    case("qattention_no_zero_points_unidirectional", "QAttention", ins[:5], [("y", F, [B, S, D])], {"x": x},
         inits[:4], num_heads=H, unidirectional=1)


def attention_with_past(rng):
    """GPT-2's decoding step: Attention reading a past and writing a present."""
    B, S, P, D, H = 2, 2, 3, 8, 2
    x, w, b = f32(rng, B, S, D), f32(rng, D, 3 * D) * 0.5, f32(rng, 3 * D)
    past = f32(rng, 2, B, H, P, D // H)
    ins = [("x", F, [B, S, D]), ("w", F, [D, 3 * D]), ("b", F, [3 * D]), ("m", T.INT32, [B, P + S]),
           ("past", F, [2, B, H, P, D // H])]
    outs = [("y", F, [B, S, D]), ("present", F, [2, B, H, P + S, D // H])]
    mask = np.array([[1] * (P + S), [0] + [1] * (P + S - 1)], np.int32)
    case("attention_past_present_unidirectional", "Attention", ins, outs,
         {"x": x, "w": w, "b": b, "m": mask, "past": past}, num_heads=H, unidirectional=1)


def matmul_nbits(rng):
    K, N, block = 40, 6, 16
    blocks = (K + block - 1) // block
    a = f32(rng, 3, K)
    b = rng.integers(0, 256, (N, blocks, block // 2)).astype(np.uint8)
    scales = (rng.random(N * blocks) * 0.1 + 0.01).astype(np.float32)
    zp_packed = rng.integers(0, 256, (N, (blocks + 1) // 2)).astype(np.uint8)
    zp_float = (rng.random(N * blocks) * 15).astype(np.float32)
    bias = f32(rng, N)
    attrs = dict(K=K, N=N, bits=4, block_size=block)
    base = [("a", F, [3, K]), ("b", U8, [N, blocks, block // 2]), ("s", F, [N * blocks])]
    inits = [nh.from_array(b, "b"), nh.from_array(scales, "s")]
    out = [("y", F, [3, N])]
    case("matmul_nbits", "MatMulNBits", base, out, {"a": a}, inits, **attrs)
    case("matmul_nbits_zero_points_u8", "MatMulNBits", base + [("z", U8, [N, (blocks + 1) // 2])], out,
         {"a": a}, inits + [nh.from_array(zp_packed, "z")], **attrs)
    case("matmul_nbits_zero_points_f32_bias", "MatMulNBits",
         base + [("z", F, [N * blocks]), ("", F, None), ("bias", F, [N])], out, {"a": a},
         inits + [nh.from_array(zp_float, "z"), nh.from_array(bias, "bias")], **attrs)
    # The weight as a run-time input: unpacked by the converted code, not folded.
    case("matmul_nbits_runtime_weight", "MatMulNBits", base, out, {"a": a, "b": b, "s": scales}, **attrs)
    # accuracy_level 4: the CPU kernel quantizes A to int8 per block (K = 40
    # leaves a partial last block) and multiplies integers; 3-D A.
    a3 = f32(rng, 2, 3, K)
    out3 = [("y", F, [2, 3, N])]
    base3 = [("a", F, [2, 3, K])] + base[1:]
    case("matmul_nbits_accuracy_int8", "MatMulNBits", base3, out3, {"a": a3}, inits, accuracy_level=4, **attrs)
    case("matmul_nbits_accuracy_int8_zero_points_u8", "MatMulNBits", base3 + [("z", U8, [N, (blocks + 1) // 2])],
         out3, {"a": a3}, inits + [nh.from_array(zp_packed, "z")], accuracy_level=4, **attrs)


def integer_matmuls(rng):
    a = f32(rng, 2, 3, 8)
    b = rng.integers(-128, 128, (8, 5)).astype(np.int8)
    b_scale = (rng.random(5) * 0.05 + 0.01).astype(np.float32)
    b_zero = rng.integers(-5, 5, 5).astype(np.int8)
    bias = f32(rng, 5)
    ins = [("a", F, [2, 3, 8]), ("b", I8, [8, 5]), ("bs", F, [5])]
    inits = [nh.from_array(b, "b"), nh.from_array(b_scale, "bs")]
    out = [("y", F, [2, 3, 5])]
    case("dynamic_quantize_matmul", "DynamicQuantizeMatMul", ins, out, {"a": a}, inits)
    case("dynamic_quantize_matmul_zero_bias", "DynamicQuantizeMatMul",
         ins + [("bz", I8, [5]), ("bias", F, [5])], out, {"a": a},
         inits + [nh.from_array(b_zero, "bz"), nh.from_array(bias, "bias")])
    qa = rng.integers(0, 256, (2, 3, 8)).astype(np.uint8)
    ins = [("a", U8, [2, 3, 8]), ("b", I8, [8, 5]), ("as", F, []), ("bs", F, [5]), ("az", U8, []),
           ("bz", I8, [5]), ("bias", F, [5])]
    inits = [nh.from_array(b, "b"), scalar("as", 0.03, np.float32), nh.from_array(b_scale, "bs"),
             scalar("az", 120, np.uint8), nh.from_array(b_zero, "bz"), nh.from_array(bias, "bias")]
    case("matmul_integer_to_float", "MatMulIntegerToFloat", ins, out, {"a": qa}, inits)
    case("matmul_integer_to_float_no_zero_points", "MatMulIntegerToFloat", ins[:4], out, {"a": qa},
         inits[:3])


def bert(rng):
    """A 2-layer BERT (hidden 32, 2 heads) exported by torch at opset 17 with
    static shapes, then fused by onnxruntime's transformer optimizer."""
    name = "bert_optimized"
    # Drawn first, so a filtered run leaves the later cases' draws as they are.
    batch, seq = 2, 8
    ids = rng.integers(0, 64, (batch, seq)).astype(np.int64)
    if not wanted(name):
        return
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    cfg = BertConfig(attn_implementation="eager", vocab_size=64, hidden_size=32, num_hidden_layers=2,
                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=16)
    bert_model = BertModel(cfg).eval()
    with torch.no_grad():
        # Distinct layer-norm parameters, so no two share an initializer.
        for p in bert_model.parameters():
            p.add_(torch.randn_like(p) * 0.1)

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, ids, mask, types):
            o = self.m(input_ids=ids, attention_mask=mask, token_type_ids=types)
            return o.last_hidden_state, o.pooler_output

    mask = np.ones((batch, seq), np.int64)
    mask[1, 6:] = 0
    types = np.zeros((batch, seq), np.int64)
    types[:, 4:] = 1
    with tempfile.TemporaryDirectory() as tmp:
        raw, fused = pathlib.Path(tmp) / "bert.onnx", pathlib.Path(tmp) / "bert_opt.onnx"
        torch.onnx.export(Wrapper(bert_model), tuple(torch.from_numpy(a) for a in (ids, mask, types)),
                          str(raw), input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state", "pooler_output"], opset_version=17,
                          dynamo=False)
        optimized = optimize_model(str(raw), model_type="bert", num_heads=2, hidden_size=32)
        optimized.save_model_to_file(str(fused))
        model = onnx.load(str(fused))
        # And the fused model dynamically quantized by onnxruntime's quantizer.
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = pathlib.Path(tmp) / "bert_quantized.onnx"
        quantize_dynamic(str(fused), str(quantized), weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": T.FLOAT})
        quantized_model = onnx.load(str(quantized))
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    write(name, model, feeds)
    write("bert_optimized_quantized", quantized_model, feeds)


def gpt2(rng):
    """A 2-layer GPT-2 (n_embd 32, 2 heads, no cache) exported by torch at
    opset 17 with static shapes, then fused by onnxruntime's optimizer."""
    name = "gpt2_optimized"
    ids = rng.integers(0, 64, (2, 8)).astype(np.int64)
    if not wanted(name):
        return
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import GPT2Config, GPT2Model

    torch.manual_seed(1)
    cfg = GPT2Config(attn_implementation="eager", vocab_size=64, n_positions=16, n_embd=32, n_layer=2,
                     n_head=2, use_cache=False)
    gpt = GPT2Model(cfg).eval()
    with torch.no_grad():
        for p in gpt.parameters():
            p.add_(torch.randn_like(p) * 0.1)

    class Wrapper(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, ids):
            # An explicit all-ones mask: without one transformers looks for
            # packed sequences with aten::diff, which has no ONNX export.
            mask = torch.ones_like(ids)
            return self.m(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state

    with tempfile.TemporaryDirectory() as tmp:
        raw, fused = pathlib.Path(tmp) / "gpt2.onnx", pathlib.Path(tmp) / "gpt2_opt.onnx"
        torch.onnx.export(Wrapper(gpt), (torch.from_numpy(ids),), str(raw), input_names=["input_ids"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False)
        optimized = optimize_model(str(raw), model_type="gpt2", num_heads=2, hidden_size=32)
        optimized.save_model_to_file(str(fused))
        model = onnx.load(str(fused))
    write(name, model, {"input_ids": ids})


def qlinear_softmax():
    """Own generator, so the cases above keep their data."""
    rng = np.random.default_rng(7)
    U8, I8 = T.UINT8, T.INT8
    for name, onnx_t, np_t, shape, zx, zy, attrs in [
        ("qlinear_softmax_u8", U8, np.uint8, [2, 3, 10], 128, 0, {"opset": 13}),
        ("qlinear_softmax_i8_axis1", I8, np.int8, [2, 5, 4], 0, -128, {"opset": 13, "axis": 1}),
        ("qlinear_softmax_u8_opset12", U8, np.uint8, [2, 3, 4], 100, 0, {"opset": 12, "axis": 1}),
        ("qlinear_softmax_i8_wide", I8, np.int8, [3, 40], 5, -100, {"opset": 13}),
    ]:
        info = np.iinfo(np_t)
        x = rng.integers(info.min, info.max + 1, shape).astype(np_t)
        inits = [scalar("sx", 0.08, np.float32), scalar("zx", zx, np_t),
                 scalar("sy", 1 / 256, np.float32), scalar("zy", zy, np_t)]
        names = [("x", onnx_t, shape), ("sx", F, []), ("zx", onnx_t, []), ("sy", F, []), ("zy", onnx_t, [])]
        case(name, "QLinearSoftmax", names, [("y", onnx_t, shape)], {"x": x}, inits, **attrs)
    # Scales given at run time: the kernel builds its table per call.
    x = rng.integers(0, 256, [2, 6]).astype(np.uint8)
    names = [("x", U8, [2, 6]), ("sx", F, []), ("zx", U8, []), ("sy", F, []), ("zy", U8, [])]
    feeds = {"x": x, "sx": np.array(0.3, np.float32), "zx": np.array(7, np.uint8),
             "sy": np.array(1 / 200, np.float32), "zy": np.array(3, np.uint8)}
    case("qlinear_softmax_runtime_scales", "QLinearSoftmax", names, [("y", U8, [2, 6])], feeds, opset=13)


def dynamic_quantize_lstm():
    """DynamicQuantizeLSTM single-node cases (own generator, so the cases above
    keep their data) and a float LSTM quantized by onnxruntime's quantize_dynamic."""
    rng = np.random.default_rng(11)
    seq, batch, inp, hid = 5, 3, 4, 3
    gw = 4 * hid

    def lstm_case(name, direction, np_t, per_channel, extras=(), lens=None, want_y=True):
        dirs = 2 if direction == "bidirectional" else 1
        info = np.iinfo(np_t)
        x = f32(rng, seq, batch, inp)
        w = rng.integers(info.min, info.max + 1, (dirs, inp, gw)).astype(np_t)
        r = rng.integers(info.min, info.max + 1, (dirs, hid, gw)).astype(np_t)
        pshape = (dirs, gw) if per_channel else (dirs,)
        ws = (rng.random(pshape) * 0.01 + 0.005).astype(np.float32)
        rs = (rng.random(pshape) * 0.01 + 0.005).astype(np.float32)
        # onnxruntime takes the first zero point of each direction: int8
        # weights must have 0, uint8 one value per direction.
        zero = np.zeros(pshape, np_t)
        if np_t == np.uint8:
            zero += np.array([128, 120][:dirs], np_t).reshape((dirs,) + (1,) * (len(pshape) - 1))
        wt = I8 if np_t == np.int8 else U8
        feeds = {"x": x}
        optional = {"b": ("", F, []), "lens": ("", T.INT32, []), "h0": ("", F, []), "c0": ("", F, []),
                    "p": ("", F, [])}
        inits = [nh.from_array(w, "w"), nh.from_array(r, "r"), nh.from_array(ws, "ws"),
                 nh.from_array(zero, "wz"), nh.from_array(rs, "rs"), nh.from_array(zero.copy(), "rz")]
        for e in extras:
            if e == "b":
                optional["b"] = ("b", F, [dirs, 2 * gw])
                inits.append(nh.from_array(f32(rng, dirs, 2 * gw) * 0.5, "b"))
            elif e == "p":
                optional["p"] = ("p", F, [dirs, 3 * hid])
                inits.append(nh.from_array(f32(rng, dirs, 3 * hid) * 0.5, "p"))
            else:
                optional[e] = (e, F, [dirs, batch, hid])
                feeds[e] = f32(rng, dirs, batch, hid) * 0.5
        if lens is not None:
            optional["lens"] = ("lens", T.INT32, [batch])
            feeds["lens"] = np.array(lens, np.int32)
        inputs = [("x", F, [seq, batch, inp]), ("w", wt, [dirs, inp, gw]), ("r", wt, [dirs, hid, gw]),
                  optional["b"], optional["lens"], optional["h0"], optional["c0"], optional["p"],
                  ("ws", F, list(pshape)), ("wz", wt, list(pshape)), ("rs", F, list(pshape)),
                  ("rz", wt, list(pshape))]
        outputs = [("y", F, [seq, dirs, batch, hid]) if want_y else ("", F, []),
                   ("y_h", F, [dirs, batch, hid]), ("y_c", F, [dirs, batch, hid])]
        if not wanted(name):
            return
        node = h.make_node("DynamicQuantizeLSTM", [n for n, _, _ in inputs], [n for n, _, _ in outputs],
                           domain=MS, hidden_size=hid, direction=direction)
        init_names = {t.name for t in inits}
        graph = h.make_graph(
            [node], name,
            [h.make_tensor_value_info(n, t, s) for n, t, s in inputs if n and n not in init_names],
            [h.make_tensor_value_info(n, t, s) for n, t, s in outputs if n],
            initializer=inits)
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17), h.make_opsetid(MS, 1)])
        model.ir_version = 8
        write(name, model, feeds, threads=1)

    lstm_case("dynamic_quantize_lstm_i8", "forward", np.int8, False, ["b"])
    lstm_case("dynamic_quantize_lstm_u8_per_channel_reverse", "reverse", np.uint8, True, ["b", "h0", "c0"])
    lstm_case("dynamic_quantize_lstm_i8_per_channel_bidirectional", "bidirectional", np.int8, True,
              ["b", "h0", "c0", "p"])
    lstm_case("dynamic_quantize_lstm_u8_bidirectional", "bidirectional", np.uint8, False, ["h0"])
    lstm_case("dynamic_quantize_lstm_sequence_lens", "forward", np.uint8, True, ["b", "h0", "c0"],
              lens=[5, 2, 4])
    lstm_case("dynamic_quantize_lstm_sequence_lens_no_y", "forward", np.int8, False, ["b", "h0"],
              lens=[3, 1, 2], want_y=False)
    quantized_lstm_model(rng)


def quantized_lstm_model(rng):
    """A float bidirectional LSTM written with onnx.helper, then quantized by
    onnxruntime's quantize_dynamic (which writes DynamicQuantizeLSTM)."""
    name = "dynamic_quantize_lstm_quantize_dynamic"
    seq, batch, inp, hid = 6, 2, 5, 4
    x = f32(rng, seq, batch, inp)
    w = f32(rng, 2, 4 * hid, inp) * 0.5
    r = f32(rng, 2, 4 * hid, hid) * 0.5
    b = f32(rng, 2, 8 * hid) * 0.2
    if not wanted(name):
        return
    from onnxruntime.quantization import QuantType, quantize_dynamic

    node = h.make_node("LSTM", ["x", "w", "r", "b"], ["y", "y_h", "y_c"], hidden_size=hid,
                       direction="bidirectional")
    graph = h.make_graph(
        [node], "lstm", [h.make_tensor_value_info("x", F, [seq, batch, inp])],
        [h.make_tensor_value_info("y", F, [seq, 2, batch, hid]),
         h.make_tensor_value_info("y_h", F, [2, batch, hid]),
         h.make_tensor_value_info("y_c", F, [2, batch, hid])],
        initializer=[nh.from_array(w, "w"), nh.from_array(r, "r"), nh.from_array(b, "b")])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    model.ir_version = 8
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = pathlib.Path(tmp) / "lstm.onnx", pathlib.Path(tmp) / "lstm_quantized.onnx"
        onnx.save(model, src)
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
        quantized = onnx.load(str(dst))
    ops = [n.op_type for n in quantized.graph.node]
    assert "DynamicQuantizeLSTM" in ops, ops
    write(name, quantized, {"x": x}, threads=1)


def main():
    rng = np.random.default_rng(0)
    activations(rng)
    skip_norms(rng)
    fused_linear(rng)
    attention(rng)
    multi_head_attention(rng)
    embed_layer_norm(rng)
    rotary_embedding(rng)
    qlinear(rng)
    qlinear_more(rng)
    qgemm_and_gather(rng)
    matmul_nbits(rng)
    integer_matmuls(rng)
    bert(rng)
    gpt2(rng)
    qlinear_pool_where(rng)
    group_query_attention(rng)
    qdq(rng)
    skip_layer_norm_statistics(rng)
    qattention(rng)
    attention_with_past(rng)
    qlinear_softmax()
    dynamic_quantize_lstm()


if __name__ == "__main__":
    main()
