"""The serving benchmark's model: sklearn's LogisticRegression fitted on the
synthetic data bench/serving.ts wrote, saved twice with the same weights:
- model.joblib, the sklearn estimator the Flask contender loads;
- model.onnx, the same function written by hand with onnx.helper (skl2onnx is
  not available here): float_input float32 [N, 20] -> label int64 [N] and
  probabilities float32 [N, 2], as MatMul + Add + Sigmoid, 1 - p, Concat, and
  the label as (decision > 0), which is what predict() does for two classes.

Arguments: the folder holding train.csv (header f0..f19,y) and check.json
(rows to compare on); writes model.joblib, model.onnx and expected.json
(sklearn's predict_proba and predict for the check rows) there.
"""
import json
import os
import sys

import joblib
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression


def onnx_model(coef, intercept, features):
    weights = numpy_helper.from_array(coef.reshape(features, 1).astype(np.float32), "coef")
    bias = numpy_helper.from_array(intercept.reshape(1).astype(np.float32), "intercept")
    one = numpy_helper.from_array(np.array([1.0], dtype=np.float32), "one")
    zero = numpy_helper.from_array(np.array([0.0], dtype=np.float32), "zero")
    flat = numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat")
    nodes = [
        helper.make_node("MatMul", ["float_input", "coef"], ["product"]),
        helper.make_node("Add", ["product", "intercept"], ["decision"]),
        helper.make_node("Sigmoid", ["decision"], ["p1"]),
        helper.make_node("Sub", ["one", "p1"], ["p0"]),
        helper.make_node("Concat", ["p0", "p1"], ["probabilities"], axis=1),
        helper.make_node("Greater", ["decision", "zero"], ["positive"]),
        helper.make_node("Cast", ["positive"], ["label_column"], to=TensorProto.INT64),
        helper.make_node("Reshape", ["label_column", "flat"], ["label"]),
    ]
    graph = helper.make_graph(
        nodes,
        "logistic_regression",
        [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, ["N", features])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2]),
        ],
        initializer=[weights, bias, one, zero, flat],
    )
    model = helper.make_model(graph, producer_name="mlops-bench", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    folder = sys.argv[1]
    data = np.loadtxt(os.path.join(folder, "train.csv"), delimiter=",", skiprows=1)
    x, y = data[:, :-1], data[:, -1].astype(np.int64)
    features = x.shape[1]
    clf = LogisticRegression(max_iter=1000).fit(x, y)
    joblib.dump(clf, os.path.join(folder, "model.joblib"))
    onnx.save(onnx_model(clf.coef_, clf.intercept_, features), os.path.join(folder, "model.onnx"))
    check = np.array(json.load(open(os.path.join(folder, "check.json"))), dtype=np.float64)
    json.dump(
        {
            "probabilities": clf.predict_proba(check).tolist(),
            "labels": clf.predict(check).tolist(),
            "trainAccuracy": float(clf.score(x, y)),
            "features": features,
        },
        open(os.path.join(folder, "expected.json"), "w"),
    )


if __name__ == "__main__":
    main()
