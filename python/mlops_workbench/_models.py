"""log_model: a model file or folder logged with the run and, when named, registered.

The model is uploaded as run artifacts under `artifact_path` (a file as
<artifact_path>/<file name>, a folder's contents under <artifact_path>, as
mlflow.<flavor>.log_model lays them out), then registered from
runs:/<run_id>/<artifact_path>, so the version is linked to the run. The server
inspects it: an ONNX model is refused if onnxruntime cannot load it, and gets its
signature and a generated MLmodel.
"""

import os

from . import _api, _artifacts
from ._errors import MlopsError

# The version tag the server reads the features from (MLflow's create has no field for them).
FEATURES_TAG = "mlops.features"


class ModelVersion:
    """A registered model version: `name`, `version` (a string, as MLflow's), `uri` (models:/name/N)."""

    def __init__(self, fields):
        self.name = fields["name"]
        self.version = str(fields["version"])
        self.uri = "models:/%s/%s" % (self.name, self.version)
        self.source = fields.get("source")
        self.run_id = fields.get("run_id")
        self.status = fields.get("status")
        self.aliases = list(fields.get("aliases") or [])

    def to_dict(self):
        return {
            "name": self.name,
            "version": self.version,
            "uri": self.uri,
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "aliases": list(self.aliases),
        }

    def __repr__(self):
        return "ModelVersion(name=%r, version=%r, uri=%r)" % (self.name, self.version, self.uri)


def features_spec(features):
    """'a,b,c:categorical' from a string, or a list of names (each may end in ':categorical')."""
    if features is None:
        return None
    if isinstance(features, str):
        items = features.split(",")
    else:
        items = [str(f) for f in features]
    items = [i.strip() for i in items if i.strip()]
    if not items:
        raise MlopsError("INVALID_PARAMETER_VALUE", "features: give at least one feature name, e.g. ['age', 'income', 'plan:categorical']")
    return ",".join(items)


def log_model(t, run, path, name=None, artifact_path="model", alias=None, features=None):
    path = os.fspath(path)
    artifact_path = _artifacts.join(artifact_path or "")
    if not artifact_path:
        raise MlopsError("INVALID_PARAMETER_VALUE", "artifact_path names the model's folder in the run, e.g. 'model'")
    if alias is not None and name is None:
        raise MlopsError("INVALID_PARAMETER_VALUE", "an alias needs a registered model: pass name= as well")
    spec = features_spec(features)
    if spec is not None and name is None:
        raise MlopsError("INVALID_PARAMETER_VALUE", "features are recorded on a registered version: pass name= as well")
    if os.path.isdir(path):
        _artifacts.log_artifacts(t, run, path, artifact_path)
    elif os.path.isfile(path):
        _artifacts.put_file(t, run, path, _artifacts.join(artifact_path, os.path.basename(path)))
    else:
        raise MlopsError("RESOURCE_DOES_NOT_EXIST", "no model file or folder at %s" % path)
    source = "runs:/%s/%s" % (run.run_id, artifact_path)
    if name is None:
        return source
    created = _api.create_registered_model(t, name)
    try:
        fields = _api.create_model_version(t, name, source, run.run_id, {FEATURES_TAG: spec} if spec else None)
    except MlopsError:
        # A refused model leaves no empty registered model behind.
        if created:
            try:
                _api.delete_registered_model(t, name)
            except MlopsError:
                pass
        raise
    version = ModelVersion(fields)
    if alias is not None:
        _api.set_registered_model_alias(t, name, alias, version.version)
        version.aliases.append(alias)
    return version
