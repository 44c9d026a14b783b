"""Artifact uploads through the server's mlflow-artifacts proxy.

Files are streamed from disk (http.client reads the open file in 64 KiB blocks)
rather than read into memory: checkpoints are often larger than free RAM.
"""

import io
import json
import os
import posixpath
from urllib.parse import quote

from ._api import ARTIFACTS
from ._errors import MlopsError


def upload_path(run, artifact_path):
    if not artifact_path:
        raise MlopsError("INVALID_PARAMETER_VALUE", "an artifact needs a file name, e.g. 'notes/summary.txt'")
    # Same layout as MLflow's default artifact root: mlflow-artifacts:/<exp>/<run>/artifacts/...
    return ARTIFACTS + quote("%s/%s/artifacts/%s" % (run.experiment_id, run.run_id, artifact_path), safe="/")


def join(*parts):
    """An artifact path: '/'-separated, relative, never escaping the run's root."""
    pieces = [p.replace(os.sep, "/").strip("/") for p in parts if p]
    path = "/".join(p for p in pieces if p)
    if not path:
        return ""
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        raise MlopsError("INVALID_PARAMETER_VALUE", "artifact path %r leaves the run's artifact folder" % path)
    return "" if normal == "." else normal


def put_file(t, run, local_file, artifact_file):
    size = os.path.getsize(local_file)
    with open(local_file, "rb") as f:
        t.send("PUT", upload_path(run, artifact_file), f, "application/octet-stream", size=size)


def put_bytes(t, run, data, artifact_file):
    t.send("PUT", upload_path(run, join(artifact_file)), data, "application/octet-stream")


def log_artifact(t, run, local_path, artifact_path=None):
    """A file lands at artifact_path/<name>; a folder as artifact_path/<folder name>/..."""
    local_path = os.fspath(local_path)
    name = os.path.basename(os.path.normpath(local_path))
    if os.path.isdir(local_path):
        log_artifacts(t, run, local_path, join(artifact_path or "", name))
    elif os.path.isfile(local_path):
        put_file(t, run, local_path, join(artifact_path or "", name))
    else:
        raise MlopsError("RESOURCE_DOES_NOT_EXIST", "no file or folder at %s" % local_path)


def log_artifacts(t, run, local_dir, artifact_path=None):
    """The folder's contents land under artifact_path (MLflow's log_artifacts)."""
    local_dir = os.fspath(local_dir)
    if not os.path.isdir(local_dir):
        raise MlopsError("RESOURCE_DOES_NOT_EXIST", "no folder at %s" % local_dir)
    for root, dirs, files in os.walk(local_dir):
        dirs.sort()
        relative = os.path.relpath(root, local_dir)
        for name in sorted(files):
            put_file(t, run, os.path.join(root, name), join(artifact_path or "", "" if relative == "." else relative, name))


def dict_bytes(dictionary, artifact_file):
    if artifact_file.lower().endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            pass  # JSON is valid YAML: the file still reads back with any YAML loader
        else:
            return yaml.safe_dump(dictionary, default_flow_style=False, sort_keys=False).encode("utf-8")
    return json.dumps(dictionary, indent=2).encode("utf-8")


def figure_bytes(figure, artifact_file):
    """PNG (or the format the name asks for) of anything with matplotlib's savefig."""
    extension = posixpath.splitext(artifact_file)[1].lstrip(".").lower()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=extension or "png")
    return buffer.getvalue()
