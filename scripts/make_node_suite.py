#!/usr/bin/env python3
"""Writes the ONNX backend *node* test suite from the installed (pinned) onnx
package, which ships the case generators rather than the data files.

    python scripts/make_node_suite.py [OUT] [--seed N]

OUT defaults to build/onnx-node. The seed (default 0, or env ONNX_NODE_SEED)
is numpy's, drawn by the cases that make random inputs; setup.sh writes a
second suite with seed 2 to build/onnx-node-seed2, so a pass that holds only
for one draw of the data shows up as a difference between the two.

Layout, as in onnx's own backend-test data:

    OUT/node/<test name>/model.onnx
    OUT/node/<test name>/test_data_set_<k>/input_<n>.pb, output_<n>.pb

Tensors are serialized TensorProtos; sequence, optional and map values are
SequenceProto, OptionalProto and MapProto under the same file names. Many cases
draw random inputs while the generators are collected; onnx reseeds numpy with 0
before each generator (and a few generators reseed it themselves). With seed 0
that is left alone; any other seed S turns each of those reseedings to s into
one to (S, s), so every generator draws other data, the same on every run with
the same onnx, numpy and seed.
"""

import argparse
import os
import shutil
import sys
import tempfile


def value_proto(value, type_proto, name):
    """Serializes one input or output value according to its declared ONNX type."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    # Some generators (e.g. casts to float8/float4) hand over ready-made protos.
    if isinstance(value, (onnx.TensorProto, onnx.SequenceProto, onnx.OptionalProto, onnx.MapProto)):
        return value
    kind = type_proto.WhichOneof("value") if type_proto is not None else None
    if kind == "sequence_type":
        return numpy_helper.from_list(value, name)
    if kind == "optional_type":
        return numpy_helper.from_optional(value, name)
    if kind == "map_type":
        return numpy_helper.from_dict(value, name)
    return numpy_helper.from_array(np.asarray(value), name)


def write_case(case, root):
    folder = os.path.join(root, case.name)
    os.makedirs(folder)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for k, (inputs, outputs) in enumerate(case.data_sets or []):
        data_dir = os.path.join(folder, f"test_data_set_{k}")
        os.makedirs(data_dir)
        for role, values, declared in (
            ("input", inputs, graph.input),
            ("output", outputs, graph.output),
        ):
            for n, value in enumerate(values):
                info = declared[n] if n < len(declared) else None
                name = info.name if info is not None else f"{role}_{n}"
                proto = value_proto(value, info.type if info else None, name)
                with open(os.path.join(data_dir, f"{role}_{n}.pb"), "wb") as f:
                    f.write(proto.SerializeToString())


DEFAULT_SEED = 0


def main(argv):
    parser = argparse.ArgumentParser(description="Writes the ONNX backend node test suite.")
    parser.add_argument("out", nargs="?", default=os.path.join("build", "onnx-node"))
    parser.add_argument(
        "--seed",
        type=int,
        default=int(os.environ.get("ONNX_NODE_SEED", DEFAULT_SEED)),
        help="numpy seed for the randomly drawn inputs (default: env ONNX_NODE_SEED, else 0)",
    )
    args = parser.parse_args(argv[1:])
    out = args.out
    import numpy as np

    import warnings

    np.random.seed(args.seed)
    # Generators of edge cases (overflowing casts, log(0)) warn; the values are intended.
    warnings.simplefilter("ignore")
    reseed = np.random.seed
    if args.seed != DEFAULT_SEED:
        np.random.seed = lambda seed=None: reseed(None if seed is None else [args.seed, int(seed)])
    try:
        from onnx.backend.test.case import node

        cases = sorted(node.collect_testcases(), key=lambda c: c.name)
    finally:
        np.random.seed = reseed

    # Write next to the destination, then swap, so a failed run leaves the old suite.
    os.makedirs(out, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".node-", dir=out)
    try:
        root = os.path.join(staging, "node")
        os.makedirs(root)
        seen = set()
        for case in cases:
            if case.kind != "node" or case.model is None or case.name in seen:
                continue
            seen.add(case.name)
            write_case(case, root)
        final = os.path.join(out, "node")
        if os.path.exists(final):
            shutil.rmtree(final)
        os.rename(root, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"wrote {len(seen)} node tests to {final} (seed {args.seed})")


if __name__ == "__main__":
    main(sys.argv)
