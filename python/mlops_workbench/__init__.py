"""MLOps Workbench Python client: log runs, params, metrics and artifacts to the
workspace's MLOps backend (MLflow REST API 2.0) with the standard library only.

    import mlops_workbench as mw

    with mw.start_run(name="baseline", experiment="mnist"):
        mw.log_params({"lr": 0.01, "epochs": 3})
        for step in range(1000):
            mw.log_metric("loss", loss, step=step)   # buffered: ~1 µs
        mw.log_dict(config, "config.json")
        mw.log_model("model.onnx", name="mnist", alias="champion")  # models:/mnist/1

The server is found through MLOPS_TRACKING_URI (set by `mlops run`), then an http(s)
MLFLOW_TRACKING_URI, then the nearest .mlops/server.json above the working directory.
"""

from ._client import get_tracking_uri, set_tracking_uri
from ._errors import MlopsError
from ._fluent import (
    active_run,
    end_run,
    flush,
    log_artifact,
    log_artifacts,
    log_dataset,
    log_dict,
    log_figure,
    log_metric,
    log_metrics,
    log_model,
    log_param,
    log_params,
    log_text,
    set_tag,
    set_tags,
    start_run,
)
from ._models import ModelVersion
from ._run import Run, RunInfo

__version__ = "0.1.0"

__all__ = [
    "MlopsError",
    "ModelVersion",
    "Run",
    "RunInfo",
    "active_run",
    "end_run",
    "flush",
    "get_tracking_uri",
    "log_artifact",
    "log_artifacts",
    "log_dataset",
    "log_dict",
    "log_figure",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "log_text",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
]
