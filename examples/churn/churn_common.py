"""What prepare.py, train.py and evaluate.py share: the data set's columns, the
feature matrix, the metrics, and optional tracking.

These scripts need numpy (and train.py/evaluate.py need onnx): on Debian/Ubuntu,
`apt install python3-numpy python3-onnx` and run them with /usr/bin/python3, or use
any interpreter where `import numpy, onnx` works. Nothing else is needed.
"""

import csv
import json
import os
import sys

try:
    import numpy as np
except ImportError:  # say which interpreter has it rather than a bare traceback
    sys.exit(
        "%s: this example needs numpy, which %s cannot import.\n"
        "On Debian/Ubuntu: apt install python3-numpy python3-onnx, then run it with /usr/bin/python3."
        % (os.path.basename(sys.argv[0]), sys.executable)
    )

# The CSV's columns. `contract` is an index into CONTRACTS; `split` is train or test.
NUMERIC = ["tenure", "monthly_charges", "support_calls"]
CONTRACTS = ["month_to_month", "one_year", "two_year"]
COLUMNS = NUMERIC + ["contract", "split", "churn"]

# The model's input columns, in order: the numeric columns, then contract one-hot.
FEATURES = NUMERIC + ["contract_" + c for c in CONTRACTS]


def read_csv(path):
    """The data set as (X float32 [N, F] in FEATURES order, y float64 [N], split [N])."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit("%s has no column %s; write it with prepare.py" % (path, ", ".join(missing)))
        rows = list(reader)
    numeric = np.array([[float(r[c]) for c in NUMERIC] for r in rows], dtype=np.float64).reshape(len(rows), len(NUMERIC))
    contract = np.array([int(r["contract"]) for r in rows], dtype=np.int64)
    onehot = np.eye(len(CONTRACTS))[contract]
    X = np.hstack([numeric, onehot]).astype(np.float32)
    y = np.array([float(r["churn"]) for r in rows])
    split = np.array([r["split"] for r in rows])
    return X, y, split


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def log_loss(y, p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def auc(y, score):
    """ROC AUC by ranks (Mann-Whitney U), ties sharing their average rank."""
    y = np.asarray(y).ravel()
    score = np.asarray(score, dtype=np.float64).ravel()
    positives = int(np.sum(y == 1))
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    _, first, counts = np.unique(score[order], return_index=True, return_counts=True)
    ranks = np.empty(len(score))
    ranks[order] = np.repeat(first + (counts - 1) / 2.0 + 1, counts)  # 1-based, ties averaged
    return float((np.sum(ranks[y == 1]) - positives * (positives + 1) / 2.0) / (positives * negatives))


def accuracy(y, p, threshold=0.5):
    return float(np.mean((np.asarray(p).ravel() >= threshold) == (np.asarray(y).ravel() == 1)))


class Tracking:
    """The bundled client when there is a server to log to, otherwise a no-op.

    Under `mlops run` (or a pipeline step) the client is configured by the
    environment, and a failure to log is an error. Started by hand, the script still
    runs when the client is not importable or no server is found; it says so once.
    """

    def __init__(self):
        self.mw = None
        try:
            import mlops_workbench as mw
        except ImportError:
            self._off("the mlops_workbench client is not importable (run under `mlops run`, or add the repository's python/ folder to PYTHONPATH)")
            return
        if not os.environ.get("MLOPS_RUN_ID"):
            try:
                mw.get_tracking_uri()
            except mw.MlopsError as exc:
                self._off(exc.message)
                return
        self.mw = mw

    def start(self, name):
        """Started by hand with a server: a run of its own in experiment `churn`.
        Under `mlops run` the process already is a run (its experiment chosen there)."""
        if self.mw is not None and not os.environ.get("MLOPS_RUN_ID"):
            self.mw.start_run(name=name, experiment="churn")

    @staticmethod
    def _off(why):
        print("not tracked: %s" % why, file=sys.stderr, flush=True)

    @staticmethod
    def given_params():
        """Params `mlops run --param k=v` recorded already (JSON in MLOPS_PARAMS)."""
        return json.loads(os.environ.get("MLOPS_PARAMS") or "{}")

    def log_params(self, params):
        """Logs the params `mlops run` has not recorded already."""
        if self.mw is None:
            return
        given = self.given_params()
        fresh = {k: v for k, v in params.items() if k not in given}
        if fresh:
            self.mw.log_params(fresh)

    def __getattr__(self, name):
        # log_metric, log_metrics, log_artifact, log_model, set_tag, ...: no-ops when off.
        if self.__dict__.get("mw") is None:
            return lambda *args, **kwargs: None
        return getattr(self.mw, name)
