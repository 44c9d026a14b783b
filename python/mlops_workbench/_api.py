"""The MLflow REST 2.0 calls the client makes, one function each.

Kept apart from the run logic so the wire format (field names, limits) is in one
place and reads like the protocol reference (mlflow/protos/service.proto).
"""

from ._errors import MlopsError

MLFLOW = "/api/2.0/mlflow"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/"
HEARTBEAT = "/api/v1/runs/heartbeat"
MAX_PARAMS_TAGS_PER_BATCH = 100  # MLflow's log-batch limit for params and for tags


def experiment_id_for_name(t, name):
    """Id of experiment `name`, created if missing (another process may race us)."""
    found = _experiment_by_name(t, name)
    if found is not None:
        return found
    try:
        return t.call("POST", MLFLOW + "/experiments/create", {"name": name})["experiment_id"]
    except MlopsError as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    found = _experiment_by_name(t, name)
    if found is None:
        raise MlopsError("RESOURCE_DOES_NOT_EXIST", "experiment %r vanished while it was being created" % name)
    return found


def _experiment_by_name(t, name):
    try:
        experiment = t.call("GET", MLFLOW + "/experiments/get-by-name", query={"experiment_name": name})["experiment"]
    except MlopsError as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise
    if experiment.get("lifecycle_stage") == "deleted":
        raise MlopsError(
            "INVALID_STATE",
            "experiment %r is deleted: restore it or log to another experiment name" % name,
        )
    return str(experiment["experiment_id"])


def create_run(t, experiment_id, start_time, run_name, tags, user):
    body = {"experiment_id": experiment_id, "start_time": start_time, "tags": _kv(tags)}
    if run_name is not None:
        body["run_name"] = run_name
    if user is not None:
        body["user_id"] = user
    return t.call("POST", MLFLOW + "/runs/create", body)["run"]


def get_run(t, run_id):
    return t.call("GET", MLFLOW + "/runs/get", query={"run_id": run_id})["run"]


def update_run(t, run_id, status, end_time):
    return t.call("POST", MLFLOW + "/runs/update", {"run_id": run_id, "status": status, "end_time": end_time})


def log_param(t, run_id, key, value):
    t.call("POST", MLFLOW + "/runs/log-parameter", {"run_id": run_id, "key": key, "value": value})


def set_tag(t, run_id, key, value):
    t.call("POST", MLFLOW + "/runs/set-tag", {"run_id": run_id, "key": key, "value": value})


def log_batch(t, run_id, params=None, tags=None):
    """Params and tags (dicts of str -> str), in as many requests as MLflow's limits need."""
    params, tags = _kv(params or {}), _kv(tags or {})
    n = MAX_PARAMS_TAGS_PER_BATCH
    for i in range(0, max(len(params), len(tags)), n):
        t.call("POST", MLFLOW + "/runs/log-batch", {"run_id": run_id, "params": params[i:i + n], "tags": tags[i:i + n]})


def heartbeat(t, run_id):
    t.call("POST", HEARTBEAT, {"run_id": run_id}, retry=False)


def _kv(mapping):
    return [{"key": str(k), "value": str(v)} for k, v in mapping.items()]


# -- model registry (mlflow/protos/model_registry.proto) --------------------------------

def create_registered_model(t, name):
    """True when this call created the model, False when it already existed."""
    try:
        t.call("POST", MLFLOW + "/registered-models/create", {"name": name})
        return True
    except MlopsError as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
        return False


def delete_registered_model(t, name):
    t.call("DELETE", MLFLOW + "/registered-models/delete", {"name": name})


def create_model_version(t, name, source, run_id, tags=None):
    body = {"name": name, "source": source, "run_id": run_id, "tags": _kv(tags or {})}
    # Not retried: a second create after a lost answer would make a second version.
    return t.call("POST", MLFLOW + "/model-versions/create", body, retry=False)["model_version"]


def set_registered_model_alias(t, name, alias, version):
    t.call("POST", MLFLOW + "/registered-models/alias", {"name": name, "alias": alias, "version": str(version)})
