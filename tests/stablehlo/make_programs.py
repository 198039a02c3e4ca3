"""Writes the StableHLO test programs of tests/suite/stablehlo.rs.

Each case is a folder tests/stablehlo/<case>/ holding program.mlir (what
`jax.jit(f).lower(...).as_text()` prints, the pretty form; cases named
*_generic hold the generic form instead), input_<k>.npy (seeded) and
expected_<k>.npy (JAX's outputs on the CPU). Single-op cases are named
op_<stablehlo op>[_<variant>], models model_<name>; a case whose conversion
must fail holds expect_error.txt (a substring of the error) instead of outputs.

Pinned: jax==0.10.2, jaxlib==0.10.2 (python/requirements.txt). Run from the
repository root: .venv/bin/python tests/stablehlo/make_programs.py
"""
import os
import shutil

import jax
import jax.numpy as jnp
import numpy as np
from jax import export, lax

jax.config.update("jax_platforms", "cpu")
ROOT = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)


def f32(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def i32(*shape, lo=-5, hi=5):
    return rng.integers(lo, hi, size=shape).astype(np.int32)


def boolean(*shape):
    return rng.integers(0, 2, size=shape).astype(np.bool_)


CASES = []


def case(name, fn, *inputs, generic=False, error=None):
    CASES.append((name, fn, inputs, generic, error))


def write(name, fn, inputs, generic, error):
    d = os.path.join(ROOT, name)
    os.makedirs(d)
    lowered = jax.jit(fn).lower(*inputs)
    if generic == "export":
        # jax.export's serialized module, printed: locations, jax.* attributes.
        text = export.export(jax.jit(fn))(*inputs).mlir_module()
    elif generic:
        text = lowered.compiler_ir("stablehlo").operation.get_asm(
            print_generic_op_form=True
        )
    else:
        text = lowered.as_text()
    with open(os.path.join(d, "program.mlir"), "w") as f:
        f.write(text)
    for k, x in enumerate(inputs):
        np.save(os.path.join(d, f"input_{k}.npy"), np.asarray(x))
    if error is not None:
        with open(os.path.join(d, "expect_error.txt"), "w") as f:
            f.write(error + "\n")
        return
    outs = jax.jit(fn)(*inputs)
    if not isinstance(outs, (tuple, list)):
        outs = [outs]
    for k, y in enumerate(outs):
        np.save(os.path.join(d, f"expected_{k}.npy"), np.asarray(y))


# --- elementwise -------------------------------------------------------------
x23 = f32(2, 3)
pos23 = f32(2, 3, lo=0.1, hi=3.0)
unary = {
    "abs": (lax.abs, x23),
    "negate": (lax.neg, x23),
    "exponential": (lax.exp, x23),
    "exponential_minus_one": (lax.expm1, x23),
    "log": (lax.log, pos23),
    "log_plus_one": (lax.log1p, pos23),
    "sqrt": (lax.sqrt, pos23),
    "rsqrt": (lax.rsqrt, pos23),
    "cbrt": (lax.cbrt, x23),
    "tanh": (lax.tanh, x23),
    "logistic": (lax.logistic, x23),
    "sine": (lax.sin, x23),
    "cosine": (lax.cos, x23),
    "tan": (lax.tan, f32(2, 3, lo=-1.0, hi=1.0)),
    "floor": (lax.floor, x23),
    "ceil": (lax.ceil, x23),
    "round_nearest_even": (
        lambda v: lax.round(v, lax.RoundingMethod.TO_NEAREST_EVEN),
        np.array([[0.5, 1.5, -2.5], [2.4, -0.6, 3.5]], np.float32),
    ),
    "round_nearest_afz": (
        lax.round,
        np.array([[0.5, 1.5, -2.5], [2.4, -0.6, 3.5]], np.float32),
    ),
    "sign": (lax.sign, np.array([[0.0, -1.5, 2.0], [3.0, -0.0, -7.0]], np.float32)),
    "is_finite": (
        lax.is_finite,
        np.array([[0.0, np.inf, -np.inf], [np.nan, 1.0, -2.0]], np.float32),
    ),
    "not": (lax.bitwise_not, i32(2, 3)),
    "not_bool": (lax.bitwise_not, boolean(2, 3)),
    "popcnt": (lax.population_count, i32(2, 3, lo=0, hi=1000)),
    "count_leading_zeros": (lax.clz, i32(2, 3, lo=1, hi=1000)),
    "erf": (lax.erf, x23),
}
for op, (fn, x) in unary.items():
    case(f"op_{op}", fn, x)

y23 = f32(2, 3)
binary = {
    "add": (lax.add, x23, y23),
    "add_i32": (lax.add, i32(2, 3), i32(2, 3)),
    "subtract": (lax.sub, x23, y23),
    "multiply": (lax.mul, x23, y23),
    "divide": (lax.div, x23, f32(2, 3, lo=0.5, hi=2.0)),
    "divide_i32": (lax.div, i32(2, 3), i32(2, 3, lo=1, hi=4)),
    "remainder": (lax.rem, x23, f32(2, 3, lo=0.5, hi=2.0)),
    "remainder_i32": (lax.rem, i32(2, 3, lo=-9, hi=9), i32(2, 3, lo=1, hi=4)),
    "maximum": (lax.max, x23, y23),
    "minimum": (lax.min, x23, y23),
    "power": (lax.pow, pos23, y23),
    "and": (lax.bitwise_and, i32(2, 3), i32(2, 3)),
    "or": (lax.bitwise_or, boolean(2, 3), boolean(2, 3)),
    "xor": (lax.bitwise_xor, i32(2, 3), i32(2, 3)),
    "shift_left": (lax.shift_left, i32(2, 3), i32(2, 3, lo=0, hi=5)),
    "shift_right_logical": (lax.shift_right_logical, i32(2, 3), i32(2, 3, lo=0, hi=5)),
    "shift_right_arithmetic": (
        lax.shift_right_arithmetic,
        i32(2, 3),
        i32(2, 3, lo=0, hi=5),
    ),
    "atan2": (lax.atan2, x23, y23),
}
for op, (fn, a, b) in binary.items():
    case(f"op_{op}", fn, a, b)

cmp_x = np.array([[1.0, 2.0, np.nan], [3.0, -1.0, 0.0]], np.float32)
cmp_y = np.array([[1.0, 3.0, 1.0], [2.0, -1.0, np.nan]], np.float32)
for d, fn in [("eq", lax.eq), ("ne", lax.ne), ("lt", lax.lt), ("le", lax.le),
              ("gt", lax.gt), ("ge", lax.ge)]:
    case(f"op_compare_{d}", fn, cmp_x, cmp_y)
case("op_compare_lt_signed", lax.lt, i32(2, 3), i32(2, 3))
case(
    "op_compare_lt_unsigned",
    lax.lt,
    np.array([[1, 4000000000, 7]], np.uint32),
    np.array([[2, 3, 4000000001]], np.uint32),
)
case("op_select", lax.select, boolean(2, 3), x23, y23)
case("op_clamp", lambda v: lax.clamp(np.float32(-0.5), v, np.float32(0.7)), x23)
case("op_clamp_tensor", lambda lo, v, hi: lax.clamp(lo, v, hi), f32(2, 3, lo=-1, hi=0),
     x23, f32(2, 3, lo=0, hi=1))
case("op_convert", lambda v: v.astype(jnp.int32), f32(2, 3, lo=-9, hi=9))
case("op_convert_to_f32", lambda v: v.astype(jnp.float32), i32(2, 3))
case("op_convert_to_f16", lambda v: v.astype(jnp.float16), x23)
case("op_convert_to_bool", lambda v: v.astype(jnp.bool_), np.array([[0.0, 1.0, -2.0]], np.float32))
case("op_bitcast_convert", lambda v: lax.bitcast_convert_type(v, jnp.int32), x23)
case(
    "op_constant",
    lambda v: (
        v + jnp.array([[1.5, -2.0, 3.25], [0.0, 7.0, -1.0]], jnp.float32),
        jnp.array([1, -2, 3], jnp.int32) * 2 + v.astype(jnp.int32)[0],
        jnp.array([True, False, True]) & (v[0] > 0),
        v + np.arange(6, dtype=np.float32).reshape(2, 3),
    ),
    x23,
)
case("op_iota", lambda v: v + lax.broadcasted_iota(jnp.float32, (2, 3), 1), x23)
case("op_broadcast_in_dim", lambda v: lax.broadcast_in_dim(v, (4, 3, 2), (2, 0)), f32(2, 4))
case("op_reshape", lambda v: v.reshape(3, 2, 1), x23)
case("op_transpose", lambda v: jnp.transpose(v, (2, 0, 1)), f32(2, 3, 4))
case("op_slice", lambda v: lax.slice(v, (0, 1, 0), (2, 4, 4), (1, 2, 3)), f32(3, 5, 4))
case("op_concatenate", lambda a, b: lax.concatenate([a, b, a], 1), x23, f32(2, 1))
case("op_pad", lambda v: lax.pad(v, np.float32(-1.0), ((1, 2, 0), (0, 1, 1))), x23)
case("op_pad_negative", lambda v: lax.pad(v, np.float32(0.5), ((-1, 1, 0), (2, -1, 2))), f32(3, 4))
case("op_dot_general", lambda a, b: a @ b, f32(3, 4), f32(4, 5))
case("op_dot_general_batched", lambda a, b: jnp.einsum("bij,bjk->bik", a, b), f32(2, 3, 4), f32(2, 4, 5))
case(
    "op_dot_general_multi",
    lambda a, b: lax.dot_general(a, b, (((1, 3), (2, 0)), ((0,), (1,)))),
    f32(2, 3, 4, 5), f32(5, 2, 3, 6),
)
case("op_dot_general_vector", lambda a, b: jnp.dot(a, b), f32(4), f32(4))
case("op_reduce_add", lambda v: jnp.sum(v, axis=(0, 2)), f32(2, 3, 4))
case("op_reduce_max", lambda v: jnp.max(v, axis=1), f32(2, 3, 4))
case("op_reduce_min", lambda v: jnp.min(v, axis=0), f32(2, 3))
case("op_reduce_multiply", lambda v: jnp.prod(v, axis=1), x23)
case("op_reduce_and", lambda v: jnp.all(v, axis=1), boolean(3, 4))
case("op_reduce_or", lambda v: jnp.any(v, axis=0), boolean(3, 4))
case("op_reduce_argmax", lambda v: jnp.argmax(v, axis=1), f32(3, 5))
case("op_reduce_argmin", lambda v: jnp.argmin(v, axis=0), f32(3, 5))
case("op_reduce_window_max",
     lambda v: lax.reduce_window(v, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID"),
     f32(1, 6, 6, 2))
case("op_reduce_window_add",
     lambda v: lax.reduce_window(v, 0.0, lax.add, (1, 1, 3, 3), (1, 1, 1, 1), ((0, 0), (0, 0), (1, 1), (1, 1))),
     f32(2, 2, 5, 5))
case("op_reduce_window_min",
     lambda v: lax.reduce_window(v, jnp.inf, lax.min, (2, 2), (1, 1), "VALID"),
     f32(4, 5))
conv_dn = ("NHWC", "HWIO", "NHWC")
case("op_convolution",
     lambda v, w: lax.conv_general_dilated(v, w, (1, 1), "SAME", dimension_numbers=conv_dn),
     f32(1, 5, 5, 2), f32(3, 3, 2, 4))
case("op_convolution_nchw_strided",
     lambda v, w: lax.conv_general_dilated(v, w, (2, 1), ((1, 0), (2, 1)), rhs_dilation=(1, 2)),
     f32(2, 3, 7, 6), f32(4, 3, 3, 2))
case("op_convolution_grouped",
     lambda v, w: lax.conv_general_dilated(v, w, (1, 1), "VALID", dimension_numbers=conv_dn,
                                           feature_group_count=2),
     f32(1, 4, 4, 4), f32(2, 2, 2, 6))
case("op_convolution_transposed",
     lambda v, w: lax.conv_transpose(v, w, (2, 2), "SAME", dimension_numbers=conv_dn),
     f32(1, 3, 3, 2), f32(3, 3, 2, 3))
case("op_convolution_1d",
     lambda v, w: lax.conv_general_dilated(v, w, (1,), "VALID", dimension_numbers=("NWC", "WIO", "NWC")),
     f32(2, 8, 3), f32(3, 3, 4))
case("op_dynamic_slice", lambda v, i, j: lax.dynamic_slice(v, (i, j), (2, 3)), f32(4, 5),
     np.int32(1), np.int32(4))
case("op_dynamic_update_slice", lambda v, u, i: lax.dynamic_update_slice(v, u, (i, np.int32(1))),
     f32(4, 5), f32(2, 3), np.int32(3))
case("op_gather", lambda v, i: v[i], f32(4, 3), np.array([3, 0, 1, 3], np.int32))
case("op_gather_take_along", lambda v, i: jnp.take_along_axis(v, i, axis=1), f32(3, 4),
     np.array([[0, 3], [1, 1], [2, 0]], np.int32))
case("op_gather_2d", lambda v, i, j: v[i, :, j], f32(4, 3, 5), np.array([1, 3], np.int32),
     np.array([4, 0], np.int32))
case("op_scatter", lambda v, i, u: v.at[i].set(u), f32(4, 3), np.array([2, 0], np.int32), f32(2, 3))
case("op_scatter_add", lambda v, i, u: v.at[i].add(u), f32(5), np.array([1, 3, 1], np.int32), f32(3))
case("op_sort", lambda v: jnp.sort(v, axis=1), f32(3, 5))
case("op_sort_descending", lambda v: -jnp.sort(-v, axis=0), f32(4, 3))
case("op_sort_argsort", lambda v: jnp.argsort(v, axis=1), f32(3, 5))
case("op_while", lambda v: lax.fori_loop(0, 4, lambda i, c: c * 1.5 + i, v), x23)
case("op_while_dynamic", lambda v: lax.while_loop(lambda c: jnp.sum(c) < 100.0, lambda c: c * 2.0 + 1.0, v),
     f32(2, 3, lo=0.1, hi=1.0))
case("op_case", lambda i, v: lax.switch(i, [lambda a: a + 1, lambda a: a * 2, jnp.sin], v),
     np.int32(2), x23)
case("op_if", lambda p, v: lax.cond(p, lambda a: a - 1.0, lambda a: a * a, v), np.bool_(False), x23)
case("op_rng_bit_generator", lambda k: lax.rng_bit_generator(k, (3,), dtype=jnp.uint32)[1],
     np.array([0, 42, 7, 1], np.uint32), error="stablehlo.rng_bit_generator at line")
case("op_custom_call", lambda v: jnp.linalg.qr(v)[0], f32(3, 3), error="stablehlo.custom_call target")


@jax.jit
def _decomposed(a, b):
    return a * 2.0 + b


if hasattr(lax, "composite"):
    my_op = lax.composite(lambda a, b: a * 2.0 + b, name="o2l.scaled_add")
    case("op_composite", my_op, x23, y23)

# --- generic form --------------------------------------------------------------
case("op_reduce_add_generic", lambda v: jnp.sum(v, axis=1), f32(3, 4), generic=True)
case("op_while_generic", lambda v: lax.fori_loop(0, 3, lambda i, c: c + i, v), x23, generic=True)
case("op_convolution_generic",
     lambda v, w: lax.conv_general_dilated(v, w, (1, 1), "SAME", dimension_numbers=conv_dn),
     f32(1, 4, 4, 2), f32(3, 3, 2, 2), generic=True)
case("op_gather_generic", lambda v, i: v[i], f32(4, 3), np.array([1, 2], np.int32), generic=True)

# --- models ------------------------------------------------------------------
def dense_init(n_in, n_out):
    return f32(n_in, n_out, lo=-1.0, hi=1.0) / np.sqrt(n_in), f32(n_out, lo=-0.1, hi=0.1)


W1, B1 = dense_init(8, 16)
W2, B2 = dense_init(16, 10)


def mlp(v):
    h = jax.nn.relu(v @ W1 + B1)
    return jax.nn.softmax(h @ W2 + B2, axis=-1)


case("model_mlp", mlp, f32(4, 8))
case("model_mlp_generic", mlp, f32(4, 8), generic=True)

CW1 = f32(3, 3, 3, 8, lo=-0.5, hi=0.5)
CW2 = f32(3, 3, 8, 8, lo=-0.3, hi=0.3)
CD, CB = dense_init(8, 5)


def convnet(v):
    h = lax.conv_general_dilated(v, CW1, (1, 1), "SAME", dimension_numbers=conv_dn)
    h = jax.nn.relu(h)
    h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    h = jax.nn.relu(lax.conv_general_dilated(h, CW2, (1, 1), "SAME", dimension_numbers=conv_dn))
    h = jnp.mean(h, axis=(1, 2))
    return h @ CD + CB


case("model_convnet", convnet, f32(2, 8, 8, 3))

D, H = 16, 2
AQ, AK, AV, AO = (f32(D, D, lo=-0.5, hi=0.5) for _ in range(4))


def attention(v):
    b, t, _ = v.shape
    def heads(m):
        return (v @ m).reshape(b, t, H, D // H).transpose(0, 2, 1, 3)
    q, k, w = heads(AQ), heads(AK), heads(AV)
    s = jnp.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(D // H)
    mask = jnp.tril(jnp.ones((t, t), bool))
    s = jnp.where(mask, s, -1e9)
    o = jnp.einsum("bhqk,bhkd->bhqd", jax.nn.softmax(s, axis=-1), w)
    return v + o.transpose(0, 2, 1, 3).reshape(b, t, D) @ AO


case("model_attention", attention, f32(2, 5, D))

LG, LB = f32(16, lo=0.5, hi=1.5), f32(16, lo=-0.2, hi=0.2)


def layer_norm(v):
    mu = jnp.mean(v, axis=-1, keepdims=True)
    var = jnp.mean((v - mu) ** 2, axis=-1, keepdims=True)
    return (v - mu) * lax.rsqrt(var + 1e-5) * LG + LB


case("model_layer_norm", layer_norm, f32(3, 4, 16))

RW, RU = f32(4, 6, lo=-0.5, hi=0.5), f32(6, 6, lo=-0.5, hi=0.5)


def rnn_scan(xs):
    def step(h, x):
        h = jnp.tanh(x @ RW + h @ RU)
        return h, h
    h, hs = lax.scan(step, jnp.zeros((6,), jnp.float32), xs)
    return h, hs


case("model_rnn_scan", rnn_scan, f32(7, 4))


def fori_newton(v):
    # Newton's iteration for sqrt, a fixed trip count.
    return lax.fori_loop(0, 6, lambda i, y: 0.5 * (y + v / y), jnp.ones_like(v))


case("model_fori_newton", fori_newton, f32(5, lo=0.5, hi=4.0))


def pool_net(v):
    a = lax.reduce_window(v, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID") / 4.0
    m = lax.reduce_window(v, -jnp.inf, lax.max, (1, 3, 3, 1), (1, 1, 1, 1), "SAME")
    return jnp.tanh(a) + m[:, ::2, ::2, :]


case("model_pool_net", pool_net, f32(2, 6, 6, 3))

# chlo.top_k (JAX prints lax.top_k as the CHLO op); ties: lower index first.
case("op_top_k", lambda v: lax.top_k(v, 3), f32(4, 6))
case("op_top_k_ties", lambda v: lax.top_k(jnp.floor(v), 2), f32(3, 7))

# jax.export(...).mlir_module() text besides jit(...).lower().as_text().
case("model_mlp_export", mlp, f32(4, 8), generic="export")
case("model_attention_export", attention, f32(2, 5, D), generic="export")

# stablehlo.power of negative bases: integral exponents give real values (odd
# ones negative), other exponents NaN; a constant exponent too.
neg_x = np.array([[-2.0, -1.5, -0.5, -3.0], [-0.0, 2.0, -1.0, -4.0]], np.float32)
neg_y = np.array([[3.0, 2.0, -1.0, 0.5], [3.0, 2.5, 7.0, -3.0]], np.float32)
case("op_power_negative_base", lax.pow, neg_x, neg_y)
case("op_power_constant_cube", lambda v: lax.pow(v, np.float32(3.0)), neg_x)


def main():
    for entry in os.listdir(ROOT):
        p = os.path.join(ROOT, entry)
        if os.path.isdir(p) and (entry.startswith("op_") or entry.startswith("model_")):
            shutil.rmtree(p)
    for name, fn, inputs, generic, error in CASES:
        write(name, fn, inputs, generic, error)
    print(f"wrote {len(CASES)} cases to {ROOT}")


if __name__ == "__main__":
    main()
