"""The module-level API: start_run, log_*, end_run, flush.

Like MLflow's fluent API, every log_* call goes to the active run and starts one
when there is none. Inside `mlops run` (MLOPS_RUN_ID set) the process already is a
tracked run, owned by the CLI: we attach to it instead of creating another.
"""

import atexit
import getpass
import logging
import os
import sys
import threading
import time

from . import _api, _artifacts, _client, _datasets, _models, _run
from ._errors import MlopsError

log = logging.getLogger("mlops_workbench")

_lock = threading.RLock()  # start_run and the implicit start: one run per race


def start_run(name=None, experiment=None, tags=None, nested=False, experiment_id=None):
    """Start (or, inside `mlops run`, attach to) a run; use as `with start_run() as run:`.

    `experiment` is a name (created if missing) or an int id; `experiment_id` an id.
    With `nested=True` while a run is active, the new run is its child.
    """
    with _lock:
        active = _run.top()
        if active is not None and active.implicit and not active.owned and not nested:
            _run.remove(active)  # the implicit attach gives way to an explicit start_run
            active = None
        if active is not None and not nested:
            raise MlopsError(
                "INVALID_STATE",
                "run %s is already active: end it with mlops_workbench.end_run(), or pass "
                "nested=True to start a child run" % active.run_id,
            )
        t = _client.transport()
        wanted = _requested_experiment(t, experiment, experiment_id)
        env_run = os.environ.get("MLOPS_RUN_ID")
        if active is None and env_run:
            # The process itself is the CLI's run: attach to it, or make a child of it
            # (nested=True, or another experiment).
            attached = _attach(t, env_run)
            if not nested and (wanted is None or wanted == attached.experiment_id):
                extra = dict(tags or {})
                if name is not None:
                    extra["mlflow.runName"] = name
                if extra:
                    _api.log_batch(t, attached.run_id, tags=extra)
                _run.push(attached)
                return attached
            parent, parent_experiment = attached.run_id, attached.experiment_id
        elif active is not None:
            parent, parent_experiment = active.run_id, active.experiment_id
        else:
            parent, parent_experiment = None, None
        experiment_id = wanted or parent_experiment or _default_experiment(t)
        run = _create(t, experiment_id, name, tags, parent)
        _run.push(run)
        return run


def _requested_experiment(t, experiment, experiment_id):
    if experiment_id is not None:
        return str(experiment_id)
    if experiment is None:
        return None
    if isinstance(experiment, int):
        return str(experiment)
    if experiment == os.environ.get("MLOPS_EXPERIMENT_ID"):
        return experiment  # the id `mlops run` gave us, passed back
    return _api.experiment_id_for_name(t, experiment)


def _default_experiment(t):
    env = os.environ
    for variable in ("MLOPS_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_ID"):
        if env.get(variable):
            return env[variable]
    # MLflow's default experiment (id 0) is named "Default".
    return _api.experiment_id_for_name(t, env.get("MLFLOW_EXPERIMENT_NAME") or "Default")


def _attach(t, run_id, implicit=False):
    try:
        info = _api.get_run(t, run_id)["info"]
    except MlopsError as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            raise MlopsError(
                exc.error_code,
                "MLOPS_RUN_ID=%s names no run on the server at %s; was this process started by "
                "`mlops run` against another workspace?" % (run_id, t.location.url),
                exc.status,
            ) from None
        raise
    return _run.Run(info, owned=False, implicit=implicit)


def _create(t, experiment_id, name, tags, parent):
    system = {"mlflow.source.name": sys.argv[0] if sys.argv else "", "mlflow.source.type": "LOCAL"}
    user = _user()
    if user is not None:
        system["mlflow.user"] = user
    if parent is not None:
        system["mlflow.parentRunId"] = parent
    if name is not None:
        system["mlflow.runName"] = name
    system.update({str(k): str(v) for k, v in (tags or {}).items()})
    info = _api.create_run(t, experiment_id, int(time.time() * 1000), name, system, user)["info"]
    run = _run.Run(info, owned=True)
    # The server only watches runs that have beaten once: beat before returning, so a
    # script killed right after start_run still ends up FAILED rather than RUNNING.
    try:
        _api.heartbeat(t, run.run_id)
    except Exception as exc:  # noqa: BLE001 - tracking works without it; log why
        log.debug("first heartbeat for run %s failed: %s", run.run_id, exc)
    _client.heartbeat.add(run.run_id)
    return run


def _user():
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no USER and no passwd entry (some containers)
        return None


def _implicit_run():
    with _lock:
        run = _run.top()
        if run is not None:
            return run
        env_run = os.environ.get("MLOPS_RUN_ID")
        if env_run:
            run = _attach(_client.transport(), env_run, implicit=True)
            _run.push(run)
        else:
            run = start_run()
            run.implicit = True
        return run


def active_run():
    """The run log_* calls go to; inside `mlops run`, the run the CLI created."""
    run = _run.top()
    if run is None and os.environ.get("MLOPS_RUN_ID"):
        run = _implicit_run()
    return run


def end_run(status="FINISHED"):
    """End the active run (inside `mlops run`, only flush: the CLI ends that run)."""
    run = _run.top()
    if run is not None:
        _run.end(run, status)


def flush():
    """Send every metric point logged so far; what cannot be delivered is spooled."""
    _client.buffer.flush()


# -- metrics: the hot path -----------------------------------------------------------

_buffer = _client.buffer
_queue = _buffer.queue  # never replaced (a fork clears it), so these stay bound
_append = _queue.append
_stack = _run._stack
_time = time.time


def log_metric(key, value, step=None, timestamp=None):
    # Inline on purpose: this runs per batch in training loops. No validation and no
    # I/O here; the flusher thread sends (or spools) the points.
    try:
        run_id = _stack[-1].run_id
    except IndexError:
        run_id = _implicit_run().run_id
    _append((run_id, key, float(value),
             int(_time() * 1000) if timestamp is None else int(timestamp),
             0 if step is None else int(step)))
    if len(_queue) >= _buffer.threshold:
        _buffer.wake()


def log_metrics(metrics, step=None, timestamp=None):
    timestamp = int(_time() * 1000) if timestamp is None else int(timestamp)
    for key, value in metrics.items():
        log_metric(key, value, step, timestamp)


# -- params and tags: sent at once ------------------------------------------------

def log_param(key, value):
    _api.log_param(_client.transport(), _current().run_id, str(key), str(value))
    return value


def log_params(params):
    _api.log_batch(_client.transport(), _current().run_id, params=params)


def set_tag(key, value):
    _api.set_tag(_client.transport(), _current().run_id, str(key), str(value))


def set_tags(tags):
    _api.log_batch(_client.transport(), _current().run_id, tags=tags)


def _current():
    return _run.top() or _implicit_run()


# -- artifacts ---------------------------------------------------------------------

def log_artifact(local_path, artifact_path=None):
    """Upload a file, or a folder (as a folder of that name), under artifact_path."""
    _artifacts.log_artifact(_client.transport(), _current(), local_path, artifact_path)


def log_artifacts(local_dir, artifact_path=None):
    """Upload a folder's contents under artifact_path."""
    _artifacts.log_artifacts(_client.transport(), _current(), local_dir, artifact_path)


def log_text(text, artifact_file):
    _artifacts.put_bytes(_client.transport(), _current(), text.encode("utf-8"), artifact_file)


def log_dict(dictionary, artifact_file):
    """JSON, or YAML when the name ends in .yaml/.yml and PyYAML is importable."""
    data = _artifacts.dict_bytes(dictionary, artifact_file)
    _artifacts.put_bytes(_client.transport(), _current(), data, artifact_file)


def log_figure(figure, artifact_file):
    """A matplotlib Figure (anything with savefig), or the path of an image file."""
    if hasattr(figure, "savefig"):
        data = _artifacts.figure_bytes(figure, artifact_file)
        _artifacts.put_bytes(_client.transport(), _current(), data, artifact_file)
    elif isinstance(figure, (str, bytes, os.PathLike)):
        run = _current()
        _artifacts.put_file(_client.transport(), run, os.fsdecode(figure), _artifacts.join(artifact_file))
    else:
        raise TypeError("log_figure takes a matplotlib Figure or an image path, not %s" % type(figure).__name__)


# -- models ------------------------------------------------------------------------

def log_model(path, name=None, artifact_path="model", alias=None, features=None):
    """Log a model file or folder with the active run; with `name`, register it too.

    The model lands under `artifact_path` in the run (a file as model/<file name>).
    With `name`, it becomes a new version of that registered model (created if
    missing) from runs:/<run_id>/<artifact_path>, `alias` is pointed at it, and
    `features` ('age,income,plan:categorical' or a list of names) name the columns
    of its input. Returns a ModelVersion (name, version, uri 'models:/name/N'), or
    without `name` the runs:/ URI of the logged model. A model the server refuses
    (an .onnx onnxruntime cannot load, features that do not fit) raises MlopsError.
    """
    return _models.log_model(_client.transport(), _current(), path, name, artifact_path, alias, features)


def log_dataset(path, name=None, context="training", artifact_path="datasets"):
    """Log a data file (CSV, JSONL, ...) with the active run, as MLflow records data sets.

    The file is uploaded under `artifact_path` and recorded as a run input named
    `name` (default: the file name without extension) with the context tag
    (`training`, `validation`, `test`, ...), its digest and, for a CSV, its columns
    and row count. A model registered from this run takes its feature names from
    the training data set, and a deployment can use it as its drift reference.
    Returns the runs:/ URI of the file.
    """
    return _datasets.log_dataset(_client.transport(), _current(), path, name, context, artifact_path)


# -- process exit ------------------------------------------------------------------

def _at_exit():
    # The interpreter is going away: end the runs we own (MLflow does the same) and
    # deliver or spool the last points. An uncaught exception left sys.last_value.
    failure = None
    if "IPython" not in sys.modules:  # in a kernel, last_value is any earlier cell's error
        failure = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    _run.end_all(_run.exit_status(failure))
    _client.buffer.flush_quietly()


atexit.register(_at_exit)


def _after_fork_in_child():
    global _lock
    _lock = threading.RLock()  # a parent thread may have held it in start_run


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
