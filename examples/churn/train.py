#!/usr/bin/python3
"""Step 2: logistic regression trained with numpy, exported as model.onnx.

    /usr/bin/python3 train.py --lr 0.5 --epochs 150 --l2 0.001 --data data/churn.csv --out model.onnx \
        --training-data data/training_features.csv

Needs numpy and onnx (Debian: python3-numpy python3-onnx; see churn_common.py).
Trains on the `train` rows of the CSV (every fifth of them held back for
validation), full-batch gradient descent on the L2-regularised log loss. Logs the
params and, per epoch, train/val loss and AUC with the bundled client.

The exported model takes raw features, `float_input` [N, F] float32 in the order
of features.json (written next to it), and outputs `probabilities` [N, 1] float32,
P(churn). The standardisation is inside the graph:

    probabilities = Sigmoid(((float_input - mean) / std) · W + B)      (opset 13)

The rows it is fit on are written to --training-data as the model sees them (the
six feature columns of features.json, then churn) and logged with the run as its
training data set (mw.log_dataset, context "training"): a deployment of a version
registered from this run compares its requests with them (`mlops serve`'s
default reference, "training").

The model is logged with the run (artifacts model/model.onnx and
model/features.json) but not registered: registering is the pipeline's gated
register step. `--register NAME` registers it here anyway (with its features).
"""

import argparse
import csv
import json
import os

import churn_common as cc
from churn_common import np

try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:
    raise SystemExit("train.py needs onnx to write the model, which this interpreter cannot import.\n"
                     "On Debian/Ubuntu: apt install python3-onnx, then run it with /usr/bin/python3.")

OPSET = 13


def standardiser(X):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std[std < 1e-6] = 1.0  # a constant column (a contract no training row has) passes through
    return mean.astype(np.float32), std.astype(np.float32)


def train(Xs, y, Xv, yv, lr, epochs, l2, on_epoch):
    w = np.zeros(Xs.shape[1])
    b = float(np.log(y.mean() / (1 - y.mean())))  # start at the base rate
    for epoch in range(epochs):
        p = cc.sigmoid(Xs @ w + b)
        grad_w = Xs.T @ (p - y) / len(y) + l2 * w
        grad_b = float(np.mean(p - y))
        w -= lr * grad_w
        b -= lr * grad_b
        on_epoch(epoch, w, b)
    return w, b


def to_onnx(mean, std, w, b, features):
    F = len(features)
    graph = helper.make_graph(
        [
            helper.make_node("Sub", ["float_input", "mean"], ["centered"]),
            helper.make_node("Div", ["centered", "std"], ["standardised"]),
            helper.make_node("MatMul", ["standardised", "W"], ["logit_raw"]),
            helper.make_node("Add", ["logit_raw", "B"], ["logit"]),
            helper.make_node("Sigmoid", ["logit"], ["probabilities"]),
        ],
        "churn_logistic_regression",
        [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, ["N", F])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 1])],
        initializer=[
            numpy_helper.from_array(mean.reshape(1, F).astype(np.float32), "mean"),
            numpy_helper.from_array(std.reshape(1, F).astype(np.float32), "std"),
            numpy_helper.from_array(w.reshape(F, 1).astype(np.float32), "W"),
            numpy_helper.from_array(np.array([b], dtype=np.float32), "B"),
        ],
    )
    graph.doc_string = "P(churn) from: " + ", ".join(features)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="mlops-workbench-churn-example", producer_version="1.0")
    model.ir_version = 8  # what onnxruntime and onnx 1.12 both read
    helper.set_model_props(model, {"features": json.dumps(features)})
    onnx.checker.check_model(model, full_check=True)
    return model


def write_training_data(path, X, y):
    """The feature matrix as a CSV with the model's column names (and the label last)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(cc.FEATURES + ["churn"])
        for row, label in zip(X, y):
            writer.writerow(["%.6g" % v for v in row] + [int(label)])  # float32 values, as sent to the model


def main():
    given = cc.Tracking.given_params()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lr", type=float, default=float(given.get("lr", 0.5)))
    parser.add_argument("--epochs", type=int, default=int(given.get("epochs", 150)))
    parser.add_argument("--l2", type=float, default=float(given.get("l2", 0.001)))
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--out", default="model.onnx")
    parser.add_argument("--training-data", default="data/training_features.csv", metavar="CSV",
                        help="where to write the training rows' features (logged as the run's training data set)")
    parser.add_argument("--register", metavar="NAME", help="also register the model under NAME (the pipeline's register step does this instead)")
    args = parser.parse_args()

    tracking = cc.Tracking()
    tracking.start("train")
    tracking.log_params({"lr": args.lr, "epochs": args.epochs, "l2": args.l2, "data": args.data, "model": "logistic_regression"})

    X, y, split = cc.read_csv(args.data)
    train_rows = np.flatnonzero(split == "train")
    val_rows = train_rows[::5]
    fit_rows = np.setdiff1d(train_rows, val_rows)
    mean, std = standardiser(X[fit_rows])
    Xs = (X[fit_rows] - mean) / std
    Xv = (X[val_rows] - mean) / std
    ys, yv = y[fit_rows], y[val_rows]
    print("training on %d rows, validating on %d, %d features" % (len(fit_rows), len(val_rows), X.shape[1]))

    def on_epoch(epoch, w, b):
        p_train = cc.sigmoid(Xs @ w + b)
        p_val = cc.sigmoid(Xv @ w + b)
        m = {
            "train_loss": cc.log_loss(ys, p_train), "val_loss": cc.log_loss(yv, p_val),
            "train_auc": cc.auc(ys, p_train), "val_auc": cc.auc(yv, p_val),
        }
        tracking.log_metrics(m, step=epoch)
        if epoch % 25 == 0 or epoch == args.epochs - 1:
            print("epoch %4d  train_loss %.4f  val_loss %.4f  val_auc %.4f" % (epoch, m["train_loss"], m["val_loss"], m["val_auc"]), flush=True)

    w, b = train(Xs, ys, Xv, yv, args.lr, args.epochs, args.l2, on_epoch)

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    onnx.save(to_onnx(mean, std, w, b, cc.FEATURES), args.out)
    features_file = os.path.join(out_dir, "features.json")
    with open(features_file, "w", encoding="utf-8") as f:
        json.dump(cc.FEATURES, f)
        f.write("\n")
    print("wrote %s and %s (weights per standardised feature: %s, bias %.3f)" % (
        args.out, os.path.relpath(features_file), ", ".join("%s %.3f" % fw for fw in zip(cc.FEATURES, w)), b))

    write_training_data(args.training_data, X[fit_rows], ys)
    tracking.log_dataset(args.training_data, context="training")
    print("wrote %s: the %d training rows' features, logged as the training data set" % (args.training_data, len(fit_rows)))

    tracking.set_tag("model", "logistic-regression")
    tracking.log_model(args.out)  # runs:/<run>/model: model/model.onnx ...
    tracking.log_artifact(features_file, "model")  # ... and model/features.json
    if args.register:
        if tracking.mw is None:
            raise SystemExit("--register needs a server to register with (see the message above)")
        version = tracking.log_model(args.out, name=args.register, features=cc.FEATURES)
        print("registered %s" % version.uri)


if __name__ == "__main__":
    main()
