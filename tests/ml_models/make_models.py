"""Writes tests/ml_models/<case>/ (model.onnx + test_data_set_0): classic
`ai.onnx.ml` models as real producers export them (skl2onnx for
scikit-learn, onnxmltools for LightGBM and XGBoost), small and seeded;
expected outputs come from onnxruntime. Also writes logreg_zipmap.onnx, a
classifier that keeps its ZipMap (onnx2linalg gives the score tensor and a warning).

The venv (Python 3.12: xgboost 3.4 needs it), from the repository root:

    python3.12 -m venv build-venv-ml
    build-venv-ml/bin/pip install -r python/requirements-ml.txt
    build-venv-ml/bin/python tests/ml_models/make_models.py

The outputs are committed (a few KB each)."""
import pathlib
import shutil

import lightgbm
import numpy as np
import onnx
import onnxmltools
import onnxruntime as ort
import xgboost
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh
from onnxmltools.convert.common.data_types import FloatTensorType as MlFloat
from skl2onnx import to_onnx
from sklearn import cluster, ensemble, impute, linear_model, pipeline, preprocessing, svm, tree

ROOT = pathlib.Path(__file__).resolve().parent
ROWS, FEATURES = 8, 5
# TreeEnsembleClassifier/Regressor-3 (the `_as_tensor` forms are allowed).
OPSET = {"": 17, "ai.onnx.ml": 3}


def stable(model, name):
    """The converters list opset imports in set order (it changes from run
    to run with Python's string hashing) and onnxmltools names graphs by a
    uuid: sort the imports and name the graph after the case, so reruns
    write the same bytes."""
    model.graph.name = name
    imports = sorted(model.opset_import, key=lambda o: o.domain)
    del model.opset_import[:]
    model.opset_import.extend(imports)
    return model


def save(name, model, feeds):
    """model.onnx and one data set whose outputs onnxruntime computes."""
    stable(model, name)
    onnx.checker.check_model(model)
    folder = ROOT / name
    shutil.rmtree(folder, ignore_errors=True)
    data = folder / "test_data_set_0"
    data.mkdir(parents=True)
    onnx.save(model, folder / "model.onnx")
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    results = session.run(None, feeds)
    for i, vi in enumerate(model.graph.input):
        (data / f"input_{i}.pb").write_bytes(nh.from_array(feeds[vi.name], vi.name).SerializeToString())
    for i, (vi, y) in enumerate(zip(model.graph.output, results)):
        (data / f"output_{i}.pb").write_bytes(nh.from_array(np.asarray(y), vi.name).SerializeToString())


def sklearn_case(name, model, x, y=None, opset=OPSET, options=None, x_test=None):
    model.fit(x, y) if y is not None else model.fit(x)
    onx = to_onnx(model, x[:1], target_opset=opset, options=options)
    save(name, onx, {onx.graph.input[0].name: x if x_test is None else x_test})


def no_zipmap(model):
    return {id(model): {"zipmap": False}}


def main():
    rng = np.random.default_rng(2026)
    x = rng.normal(size=(ROWS, FEATURES)).astype(np.float32)
    y_reg = (x @ rng.normal(size=FEATURES) + 0.1 * rng.normal(size=ROWS)).astype(np.float32)
    y_bin = np.array([0, 1] * (ROWS // 2), np.int64)
    y_multi = np.array([0, 1, 2] * 3, np.int64)[:ROWS]

    logreg = linear_model.LogisticRegression()
    scaled = pipeline.make_pipeline(preprocessing.StandardScaler(), logreg)
    sklearn_case("scaler_logreg_binary", scaled, x, y_bin, options=no_zipmap(logreg))
    m = linear_model.LogisticRegression()
    sklearn_case("logreg_multiclass", m, x, y_multi, options=no_zipmap(m))
    sklearn_case("linear_regression", linear_model.LinearRegression(), x, y_reg)
    sklearn_case("ridge", linear_model.Ridge(alpha=0.5), x, y_reg)
    m = ensemble.RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0)
    sklearn_case("random_forest_classifier", m, x, y_multi, options=no_zipmap(m))
    m = ensemble.RandomForestRegressor(n_estimators=4, max_depth=3, random_state=0)
    sklearn_case("random_forest_regressor", m, x, y_reg)
    m = ensemble.GradientBoostingClassifier(n_estimators=5, max_depth=3, random_state=0)
    sklearn_case("gradient_boosting_binary", m, x, y_bin, options=no_zipmap(m))
    m = ensemble.GradientBoostingClassifier(n_estimators=3, max_depth=3, random_state=0)
    sklearn_case("gradient_boosting_multiclass", m, x, y_multi, options=no_zipmap(m))
    # ml opset 1: TreeEnsembleRegressor-1 (no `_as_tensor` attributes).
    sklearn_case("decision_tree_regressor_ml1", tree.DecisionTreeRegressor(max_depth=4, random_state=0),
                 x, y_reg, opset={"": 17, "ai.onnx.ml": 1})
    m = svm.SVC(kernel="rbf", probability=False)
    sklearn_case("svc_rbf", m, x, y_multi, options=no_zipmap(m))
    m = svm.SVC(kernel="poly", degree=2, probability=False)
    sklearn_case("svc_poly_binary", m, x, y_bin, options=no_zipmap(m))
    sklearn_case("svr_rbf", svm.SVR(kernel="rbf"), x, y_reg)
    sklearn_case("svr_linear", svm.SVR(kernel="linear"), x, y_reg)
    sklearn_case("linear_svc", svm.LinearSVC(), x, y_multi)
    sklearn_case("normalizer_l2", preprocessing.Normalizer(norm="l2"), x)
    sklearn_case("normalizer_l1", preprocessing.Normalizer(norm="l1"), x)
    sklearn_case("normalizer_max", preprocessing.Normalizer(norm="max"), x)
    sklearn_case("minmax_scaler", preprocessing.MinMaxScaler(), x)
    x_cat = rng.integers(0, 3, size=(ROWS, 3)).astype(np.int64)
    onehot = pipeline.make_pipeline(preprocessing.OneHotEncoder(handle_unknown="ignore"),
                                    linear_model.LinearRegression())
    sklearn_case("onehot_linear_regression", onehot, x_cat, y_reg)
    x_gaps = x.copy()
    x_gaps[rng.random(x.shape) < 0.2] = np.nan
    sklearn_case("simple_imputer", impute.SimpleImputer(strategy="mean"), x_gaps)
    # Tested on unseen rows: a training row at its own centre gives a squared
    # distance that rounds below zero, whose square root is NaN.
    x_unseen = rng.normal(size=(ROWS, FEATURES)).astype(np.float32)
    sklearn_case("kmeans", cluster.KMeans(n_clusters=3, n_init=2, random_state=0), x, x_test=x_unseen)

    more_cases(x, y_reg, y_bin, y_multi)

    ml_input = [("input", MlFloat([None, FEATURES]))]
    m = lightgbm.LGBMClassifier(n_estimators=4, max_depth=3, num_leaves=6, min_child_samples=1,
                                verbose=-1).fit(x, y_multi)
    save("lightgbm_classifier", onnxmltools.convert_lightgbm(m, initial_types=ml_input,
                                                             target_opset=15, zipmap=False), {"input": x})
    m = lightgbm.LGBMClassifier(n_estimators=4, max_depth=3, num_leaves=6, min_child_samples=1,
                                verbose=-1).fit(x, y_bin)
    save("lightgbm_binary", onnxmltools.convert_lightgbm(m, initial_types=ml_input,
                                                         target_opset=15, zipmap=False), {"input": x})
    m = lightgbm.LGBMRegressor(n_estimators=4, max_depth=3, num_leaves=6, min_child_samples=1,
                               verbose=-1).fit(x, y_reg)
    save("lightgbm_regressor", onnxmltools.convert_lightgbm(m, initial_types=ml_input, target_opset=15),
         {"input": x})
    m = xgboost.XGBClassifier(n_estimators=4, max_depth=3).fit(x, y_multi)
    save("xgboost_classifier", onnxmltools.convert_xgboost(m, initial_types=ml_input, target_opset=15),
         {"input": x})
    m = xgboost.XGBRegressor(n_estimators=4, max_depth=3).fit(x, y_reg)
    save("xgboost_regressor", onnxmltools.convert_xgboost(m, initial_types=ml_input, target_opset=15),
         {"input": x})

    # Kept with its ZipMap (a sequence of maps): logreg_multiclass with its maps.
    m = linear_model.LogisticRegression().fit(x, y_multi)
    onnx.save(stable(to_onnx(m, x[:1], target_opset=OPSET), "logreg_zipmap"), ROOT / "logreg_zipmap.onnx")


def more_cases(x, y_reg, y_bin, y_multi):
    """More scikit-learn trees: a boosting regressor, extra trees, a
    two-column binary tree. (skl2onnx 1.20 writes TreeEnsembleRegressor-1
    even when asked for ml opset 5, and cannot export
    HistGradientBoosting* from scikit-learn 1.9: it writes booleans into an
    ints attribute.)"""
    sklearn_case("gradient_boosting_regressor",
                 ensemble.GradientBoostingRegressor(n_estimators=4, max_depth=3, random_state=0), x, y_reg)
    m = ensemble.ExtraTreesClassifier(n_estimators=3, max_depth=3, random_state=0)
    sklearn_case("extra_trees_classifier", m, x, y_multi, options=no_zipmap(m))
    m = tree.DecisionTreeClassifier(max_depth=3, random_state=0)
    sklearn_case("decision_tree_classifier_binary", m, x, y_bin, options=no_zipmap(m))


def node_case(name, node, feeds, outputs, ml_opset):
    """One hand-built ml node (attribute forms producers rarely write);
    outputs are (name, element type, shape)."""
    inputs = [h.make_tensor_value_info(n, nh.helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
              for n, a in feeds.items()]
    graph = h.make_graph([node], name, inputs,
                         [h.make_tensor_value_info(n, t, s) for n, t, s in outputs])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17),
                                               h.make_opsetid("ai.onnx.ml", ml_opset)])
    model.ir_version = 9
    save(f"hand_{name}", model, feeds)


def ml_node(op, inputs, outputs, **attrs):
    return h.make_node(op, inputs, outputs, domain="ai.onnx.ml", **attrs)


# Two small trees over 3 features: tree 0 splits x0 then x1, tree 1 is
# x2 alone; the leaves (ids 2, 3, 4 of tree 0, 1 and 2 of tree 1) vote.
TREE_NODES = dict(
    nodes_treeids=[0, 0, 0, 0, 0, 1, 1, 1],
    nodes_nodeids=[0, 1, 2, 3, 4, 0, 1, 2],
    nodes_featureids=[0, 1, 0, 0, 0, 2, 0, 0],
    nodes_truenodeids=[1, 3, 0, 0, 0, 1, 0, 0],
    nodes_falsenodeids=[2, 4, 0, 0, 0, 2, 0, 0],
    nodes_missing_value_tracks_true=[1, 0, 0, 0, 0, 0, 0, 0],
)
TREE_LEAVES = ([0, 0, 0, 1, 1], [2, 3, 4, 1, 2])


def tree_modes(first, second, third):
    return [first, second, "LEAF", "LEAF", "LEAF", third, "LEAF", "LEAF"]


def hand_cases(rng):
    x = rng.normal(size=(ROWS, 3)).astype(np.float32)
    x[2, 0] = np.nan
    x[5, 1] = 0.25  # on a split, for the EQ/NEQ modes
    values = [0.1, 0.25, 0, 0, 0, -0.2, 0, 0]
    trees, leaves = TREE_LEAVES
    for post, weights, name in [
        ("NONE", [0.2, 0.3, 0.1, 0.05, 0.4], "binary_probability"),
        ("LOGISTIC", [0.2, 0.3, 0.1, 0.05, 0.4], "binary_probability_logistic"),
        ("LOGISTIC", [0.2, -0.3, 0.1, -0.05, 0.4], "binary_margin_logistic"),
        ("NONE", [0.2, -0.3, 0.1, -0.05, 0.4], "binary_margin"),
        ("SOFTMAX", [0.2, -0.3, 0.1, -0.05, 0.4], "binary_margin_softmax"),
        ("SOFTMAX", [0.2, 0.3, 0.1, 0.05, 0.4], "binary_probability_softmax"),
    ]:
        node = ml_node("TreeEnsembleClassifier", ["x"], ["label", "scores"],
                       nodes_modes=tree_modes("BRANCH_LEQ", "BRANCH_LT", "BRANCH_GT"),
                       nodes_values=values, class_treeids=trees, class_nodeids=leaves,
                       class_ids=[0] * 5, class_weights=weights, classlabels_int64s=[3, 7],
                       post_transform=post, **TREE_NODES)
        node_case(f"tree_classifier_{name}", node, {"x": x},
                  [("label", T.INT64, [ROWS]), ("scores", T.FLOAT, [ROWS, 2])], 3)
    for post in ["SOFTMAX_ZERO", "PROBIT", "LOGISTIC"]:
        node = ml_node("TreeEnsembleClassifier", ["x"], ["label", "scores"],
                       nodes_modes=tree_modes("BRANCH_GTE", "BRANCH_EQ", "BRANCH_NEQ"),
                       nodes_values=values, class_treeids=trees + [0], class_nodeids=leaves + [3],
                       class_ids=[0, 1, 2, 1, 0, 2], class_weights=[0.1, 0.3, 0.2, 0.15, 0.05, 0.1],
                       classlabels_int64s=[10, 20, 30], base_values=[0.05, 0.0, 0.1],
                       post_transform=post, **TREE_NODES)
        node_case(f"tree_classifier_3_{post.lower()}", node, {"x": x},
                  [("label", T.INT64, [ROWS]), ("scores", T.FLOAT, [ROWS, 3])], 1)
    x64 = x.astype(np.float64)
    for agg, post in [("AVERAGE", "NONE"), ("MIN", "NONE"), ("MAX", "LOGISTIC"), ("SUM", "SOFTMAX")]:
        node = ml_node("TreeEnsembleRegressor", ["x"], ["y"],
                       nodes_modes=tree_modes("BRANCH_LEQ", "BRANCH_GTE", "BRANCH_LT"),
                       nodes_values_as_tensor=nh.from_array(np.array(values, np.float64)),
                       target_treeids=trees + [1], target_nodeids=leaves + [1],
                       target_ids=[0, 1, 0, 1, 0, 1],
                       target_weights_as_tensor=nh.from_array(
                           np.array([0.5, -1.5, 2.0, 0.25, -0.75, 1.0], np.float64)),
                       base_values=[0.125, -0.5],
                       n_targets=2, aggregate_function=agg, post_transform=post, **TREE_NODES)
        node_case(f"tree_regressor_f64_{agg.lower()}", node, {"x": x64},
                  [("y", T.FLOAT, [ROWS, 2])], 3)
    node = ml_node("TreeEnsembleClassifier", ["x"], ["label", "scores"],
                   nodes_modes=tree_modes("BRANCH_LEQ", "BRANCH_GT", "BRANCH_LEQ"),
                   nodes_values_as_tensor=nh.from_array(np.array(values, np.float64)),
                   class_treeids=trees + [0], class_nodeids=leaves + [3],
                   class_ids=[0, 1, 2, 1, 0, 2],
                   class_weights_as_tensor=nh.from_array(
                       np.array([0.1, 0.3, 0.2, 0.15, 0.05, 0.1], np.float64)),
                   base_values_as_tensor=nh.from_array(np.array([0.05, 0.0, 0.1], np.float64)),
                   classlabels_int64s=[0, 1, 2], post_transform="SOFTMAX", **TREE_NODES)
    node_case("tree_classifier_f64_as_tensor", node, {"x": x64},
              [("label", T.INT64, [ROWS]), ("scores", T.FLOAT, [ROWS, 3])], 3)
    xf = rng.normal(size=(ROWS, 4)).astype(np.float32)
    w = rng.normal(size=4).tolist()
    for post in ["NONE", "LOGISTIC"]:
        node = ml_node("LinearClassifier", ["x"], ["label", "scores"], coefficients=w,
                       intercepts=[0.1], classlabels_ints=[0, 1], post_transform=post)
        node_case(f"linear_classifier_one_row_{post.lower()}", node, {"x": xf},
                  [("label", T.INT64, [ROWS]), ("scores", T.FLOAT, [ROWS, 2])], 1)
    node = ml_node("LinearClassifier", ["x"], ["label", "scores"],
                   coefficients=rng.normal(size=12).tolist(), intercepts=[0.1, -0.2, 0.3],
                   classlabels_ints=[4, 5, 6], post_transform="SOFTMAX_ZERO")
    node_case("linear_classifier_softmax_zero", node, {"x": xf},
              [("label", T.INT64, [ROWS]), ("scores", T.FLOAT, [ROWS, 3])], 1)
    node = ml_node("LinearRegressor", ["x"], ["y"], coefficients=rng.normal(size=8).tolist(),
                   intercepts=[0.5, -0.5], targets=2)
    node_case("linear_regressor_two_targets", node, {"x": xf}, [("y", T.FLOAT, [ROWS, 2])], 1)
    sv = rng.normal(size=(3, 4)).astype(np.float32)
    for kernel, params, one_class in [("POLY", [0.5, 1.0, 3.0], 0), ("SIGMOID", [0.3, 0.2, 0.0], 0),
                                      ("RBF", [0.4, 0.0, 0.0], 1), ("LINEAR", [0.0, 0.0, 0.0], 0)]:
        node = ml_node("SVMRegressor", ["x"], ["y"], kernel_type=kernel, kernel_params=params,
                       support_vectors=sv.ravel().tolist(), coefficients=[0.7, -0.4, 0.9],
                       rho=[0.15], n_supports=3, one_class=one_class)
        node_case(f"svm_regressor_{kernel.lower()}", node, {"x": xf}, [("y", T.FLOAT, [ROWS, 1])], 1)
    node = ml_node("SVMClassifier", ["x"], ["label", "scores"], kernel_type="SIGMOID",
                   kernel_params=[0.3, 0.1, 0.0], support_vectors=sv.ravel().tolist(),
                   vectors_per_class=[2, 1], coefficients=[0.5, 0.8, -1.3], rho=[0.05],
                   classlabels_ints=[1, 2])
    node_case("svm_classifier_binary_sigmoid", node, {"x": xf},
              [("label", T.INT64, [ROWS]), ("scores", T.FLOAT, [ROWS, 2])], 1)
    x_int = rng.integers(0, 6, size=(ROWS, 2)).astype(np.int64)
    node = ml_node("LabelEncoder", ["x"], ["y"], keys_int64s=[1, 2, 5], values_floats=[0.5, -1.0, 7.0],
                   default_float=42.0)
    node_case("label_encoder_int_to_float", node, {"x": x_int}, [("y", T.FLOAT, [ROWS, 2])], 2)
    node = ml_node("LabelEncoder", ["x"], ["y"],
                   keys_tensor=nh.from_array(np.array([0.5, 1.5, -2.0], np.float32)),
                   values_tensor=nh.from_array(np.array([10, 20, 30], np.int64)),
                   default_tensor=nh.from_array(np.array([-7], np.int64)))
    x_keys = np.array([0.5, 1.5, 3.0, -2.0, 0.0, 1.5, 0.5, 9.0], np.float32)
    node_case("label_encoder_v4_tensors", node, {"x": x_keys}, [("y", T.INT64, [ROWS])], 4)
    node = ml_node("FeatureVectorizer", ["a", "b"], ["y"], inputdimensions=[2, 3])
    feeds = {"a": rng.integers(-5, 5, size=(ROWS, 2)).astype(np.int64),
             "b": rng.integers(0, 9, size=(ROWS, 3)).astype(np.int64)}
    node_case("feature_vectorizer", node, feeds, [("y", T.FLOAT, [ROWS, 5])], 1)
    node = ml_node("Scaler", ["x"], ["y"], offset=[0.5, 0.0, -0.25], scale=[2.0, -1.0, 0.5])
    node_case("scaler_f64", node, {"x": x64}, [("y", T.FLOAT, [ROWS, 3])], 1)
    node = ml_node("Imputer", ["x"], ["y"], imputed_value_floats=[9.0], replaced_value_float=0.25)
    node_case("imputer_value", node, {"x": x}, [("y", T.FLOAT, [ROWS, 3])], 1)
    node = ml_node("Imputer", ["x"], ["y"], imputed_value_int64s=[7, 8], replaced_value_int64=2)
    node_case("imputer_int64", node, {"x": x_int}, [("y", T.INT64, [ROWS, 2])], 1)
    node = ml_node("FeatureVectorizer", ["a", "b"], ["y"], inputdimensions=[1, 5])
    node_case("feature_vectorizer_cut_and_pad", node, feeds, [("y", T.FLOAT, [ROWS, 6])], 1)
    # A one-leaf tree beside a split (onnxruntime has no integer-input kernel).
    node = ml_node("TreeEnsembleRegressor", ["x"], ["y"],
                   nodes_treeids=[0, 0, 0, 1], nodes_nodeids=[0, 1, 2, 0],
                   nodes_featureids=[1, 0, 0, 0], nodes_modes=["BRANCH_LT", "LEAF", "LEAF", "LEAF"],
                   nodes_values=[2.5, 0, 0, 0], nodes_truenodeids=[1, 0, 0, 0],
                   nodes_falsenodeids=[2, 0, 0, 0], target_treeids=[0, 0, 1],
                   target_nodeids=[1, 2, 0], target_ids=[0, 0, 0], target_weights=[1.5, -2.0, 0.25],
                   n_targets=1)
    node_case("tree_regressor_one_leaf_tree", node, {"x": x_int.astype(np.float32)}, [("y", T.FLOAT, [ROWS, 1])], 1)
    # TreeEnsemble-5 with a post transform: SOFTMAX_ZERO (3) only, since
    # onnxruntime 1.31 reads 1 as LOGISTIC and 2 as SOFTMAX, the spec's
    # numbers the other way round (onnx2linalg follows the spec).
    for post in [3]:
        node = ml_node("TreeEnsemble", ["x"], ["y"],
                       nodes_featureids=[0, 1, 2],
                       nodes_splits=nh.from_array(np.array([0.1, 0.25, -0.2], np.float32)),
                       nodes_modes=nh.from_array(np.array([0, 2, 1], np.uint8)),
                       nodes_truenodeids=[1, 0, 2], nodes_trueleafs=[0, 1, 1],
                       nodes_falsenodeids=[0, 1, 3], nodes_falseleafs=[1, 1, 1],
                       tree_roots=[0, 2], leaf_targetids=[0, 1, 2, 1],
                       leaf_weights=nh.from_array(np.array([0.5, -1.0, 2.0, 0.75], np.float32)),
                       n_targets=3, post_transform=post)
        node_case(f"tree_ensemble_5_post_{post}", node, {"x": x}, [("y", T.FLOAT, [ROWS, 3])], 5)


if __name__ == "__main__":
    main()
    hand_cases(np.random.default_rng(7))
    print("wrote", sorted(p.name for p in ROOT.iterdir() if p.is_dir()))
