"""Writes tests/ml_models/<case>/ (model.onnx + test_data_set_0): classic
`ai.onnx.ml` models as real producers export them (skl2onnx for
scikit-learn, onnxmltools for LightGBM and XGBoost), small and seeded;
expected outputs come from onnxruntime. Also writes logreg_zipmap.onnx, a
classifier that keeps its ZipMap, which onnx2linalg must refuse clearly.

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
from onnx import numpy_helper as nh
from onnxmltools.convert.common.data_types import FloatTensorType as MlFloat
from skl2onnx import to_onnx
from sklearn import cluster, ensemble, impute, linear_model, pipeline, preprocessing, svm, tree

ROOT = pathlib.Path(__file__).resolve().parent
ROWS, FEATURES = 8, 5
# TreeEnsembleClassifier/Regressor-3 (the `_as_tensor` forms are allowed).
OPSET = {"": 17, "ai.onnx.ml": 3}


def save(name, model, feeds):
    """model.onnx and one data set whose outputs onnxruntime computes."""
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

    # Kept with its ZipMap (a sequence of maps): the refusal's test model.
    m = linear_model.LogisticRegression().fit(x, y_multi)
    onnx.save(to_onnx(m, x[:1], target_opset=OPSET), ROOT / "logreg_zipmap.onnx")


if __name__ == "__main__":
    main()
    print("wrote", sorted(p.name for p in ROOT.iterdir() if p.is_dir()))
