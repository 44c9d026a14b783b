#!/usr/bin/python3
"""Step 3: the model's AUC and accuracy on the held-out `test` rows, with numpy only.

    /usr/bin/python3 evaluate.py --model model.onnx --data data/churn.csv --out metrics.json

Needs numpy and onnx (Debian: python3-numpy python3-onnx; see churn_common.py), but
no ONNX runtime: the graph is read with `onnx` and run by the small numpy
interpreter below (the operators train.py writes), from the initializers stored in
the file. So this checks the exported file itself, not the weights train.py had in
memory. Writes {"auc": ..., "accuracy": ...} to --out (what the pipeline's register
gate reads) and logs the same metrics with the bundled client. `--predictions FILE`
also writes the first rows' inputs and probabilities, to compare with another
runtime (the repository's test does, with onnxruntime).
"""

import argparse
import json
import os

import churn_common as cc
from churn_common import np

try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    raise SystemExit("evaluate.py needs onnx to read the model, which this interpreter cannot import.\n"
                     "On Debian/Ubuntu: apt install python3-onnx, then run it with /usr/bin/python3.")

OPERATORS = {
    "Sub": lambda a, b: a - b,
    "Div": lambda a, b: a / b,
    "Add": lambda a, b: a + b,
    "Mul": lambda a, b: a * b,
    "MatMul": lambda a, b: a @ b,
    "Relu": lambda a: np.maximum(a, np.float32(0)),
    "Sigmoid": lambda a: (1 / (1 + np.exp(-a))).astype(a.dtype),
}


def load(path):
    """A function float32 [N, F] -> the graph's first output, and the input's width."""
    model = onnx.load(path)
    graph = model.graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    unsupported = sorted({n.op_type for n in graph.node} - set(OPERATORS))
    if unsupported:
        raise SystemExit("%s uses operators this evaluator does not implement: %s" % (path, ", ".join(unsupported)))
    (inp,) = [i for i in graph.input if i.name not in weights]
    width = inp.type.tensor_type.shape.dim[1].dim_value

    def predict(X):
        values = dict(weights)
        values[inp.name] = np.asarray(X, dtype=np.float32)
        for node in graph.node:  # ONNX lists nodes in topological order
            values[node.output[0]] = OPERATORS[node.op_type](*(values[name] for name in node.input))
        return values[graph.output[0].name]

    return predict, width


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="model.onnx")
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--out", default="metrics.json")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--predictions", metavar="FILE", help="also write the first --rows test rows' inputs and probabilities as JSON")
    parser.add_argument("--rows", type=int, default=16)
    args = parser.parse_args()

    tracking = cc.Tracking()
    tracking.start("evaluate")
    tracking.log_params({"model_file": args.model, "data": args.data, "threshold": args.threshold})

    predict, width = load(args.model)
    X, y, split = cc.read_csv(args.data)
    if width != X.shape[1]:
        raise SystemExit("%s takes %d features, the data has %d (%s)" % (args.model, width, X.shape[1], ", ".join(cc.FEATURES)))
    test = split == "test"
    p = predict(X[test]).ravel()
    metrics = {"auc": cc.auc(y[test], p), "accuracy": cc.accuracy(y[test], p, args.threshold)}

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    tracking.log_metrics(dict(metrics, test_rows=int(test.sum())))
    tracking.log_artifact(args.out)
    if args.predictions:
        k = min(args.rows, int(test.sum()))
        with open(args.predictions, "w", encoding="utf-8") as f:
            json.dump({"features": cc.FEATURES, "inputs": X[test][:k].tolist(), "probabilities": p[:k].tolist()}, f)
            f.write("\n")
    print("test rows %d  auc %.4f  accuracy %.4f -> %s" % (int(test.sum()), metrics["auc"], metrics["accuracy"], args.out))


if __name__ == "__main__":
    main()
