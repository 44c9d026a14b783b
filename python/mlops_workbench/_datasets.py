"""log_dataset: a data file logged with the run as MLflow records data sets.

The file is uploaded as a run artifact (datasets/<file name>) and recorded with
MLflow's log-inputs: name, digest, a source pointing at that artifact, the
columns as MLflow's colspec schema, the row count as profile, and the context
tag (mlflow.data.context). The registry reads a version's feature names from its
run's training data set, and a deployment can use it as its drift reference.
"""

import csv
import hashlib
import json
import os

from . import _artifacts
from ._api import MLFLOW
from ._errors import MlopsError

CONTEXT_TAG = "mlflow.data.context"


def _digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:8]  # MLflow's digests are short hex strings


def _csv_summary(path):
    """Column names and types (long/double/string, as MLflow's colspec) and the row count of a CSV with a header."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise MlopsError("INVALID_PARAMETER_VALUE", "%s has no header row: a data set CSV starts with its column names" % path)
        kinds = ["long"] * len(header)
        rows = 0
        for row in reader:
            rows += 1
            for i, value in enumerate(row[: len(header)]):
                if kinds[i] == "string" or value == "":
                    continue
                try:
                    int(value)
                except ValueError:
                    try:
                        float(value)
                        kinds[i] = "double"
                    except ValueError:
                        kinds[i] = "string"
    schema = {"mlflow_colspec": [{"type": k, "name": n, "required": True} for n, k in zip(header, kinds)]}
    return schema, {"num_rows": rows}


def log_dataset(t, run, path, name=None, context="training", artifact_path="datasets"):
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise MlopsError("RESOURCE_DOES_NOT_EXIST", "no file at %s" % path)
    file_name = os.path.basename(path)
    name = name or os.path.splitext(file_name)[0]
    artifact_file = _artifacts.join(artifact_path or "", file_name)
    _artifacts.put_file(t, run, path, artifact_file)
    dataset = {
        "name": name,
        "digest": _digest(path),
        "source_type": "local",
        "source": json.dumps({"uri": "mlflow-artifacts:/%s/%s/artifacts/%s" % (run.experiment_id, run.run_id, artifact_file)}),
    }
    if file_name.lower().endswith(".csv"):
        schema, profile = _csv_summary(path)
        dataset["schema"] = json.dumps(schema)
        dataset["profile"] = json.dumps(profile)
    tags = [{"key": CONTEXT_TAG, "value": context}] if context else []
    t.call("POST", MLFLOW + "/runs/log-inputs", {"run_id": run.run_id, "datasets": [{"tags": tags, "dataset": dataset}]})
    return "runs:/%s/%s" % (run.run_id, artifact_file)
