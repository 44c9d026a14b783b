"""Where the MLOps server is: environment first, then ``.mlops/server.json``.

`mlops run` exports MLOPS_TRACKING_URI/TOKEN to the script it starts; an unmodified
MLflow setup exports MLFLOW_TRACKING_URI; a notebook kernel or a script started by
hand has neither, so we walk up from the working directory to the workspace whose
backend wrote ``.mlops/server.json`` (the same file the extension reads). A file
found that way is used only if it passes the checks in _trust (this user's, a
loopback address, a server that is there), on discovery and on every reload.
"""

import json
import logging
import os
from urllib.parse import urlsplit

from ._errors import MlopsError
from ._trust import check_discovered, check_private

log = logging.getLogger("mlops_workbench")

SERVER_FILE = os.path.join(".mlops", "server.json")

NOT_FOUND_HINT = (
    "No MLOps server found: MLOPS_TRACKING_URI and MLFLOW_TRACKING_URI are not set and no "
    ".mlops/server.json exists in %s or any folder above it. Run `mlops server` in the "
    "workspace (or open it in VS Code with MLOps Workbench), or start the script with "
    "`mlops run -- python script.py`."
)


class Location:
    """A server URL and token, and the server.json they came from (if any).

    Mutable on purpose: when the server restarts on another port, `reload` updates
    the one object every part of the client already holds.
    """

    def __init__(self, url, token=None, server_file=None):
        self.server_file = server_file
        self._last_refusal = None
        self._set(url, token)

    def _set(self, url, token):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise MlopsError(
                "INVALID_PARAMETER_VALUE",
                "tracking URI %r is not an http(s) URL such as http://127.0.0.1:5000" % url,
            )
        self.url = url.rstrip("/")
        self.token = token or None
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        # MLflow servers may sit under a path prefix (http://host/mlflow).
        self.base_path = parts.path.rstrip("/")

    def reload(self):
        """Re-read server.json; True if it now names another URL or token."""
        if not self.server_file:
            return False
        try:
            url, token = read_discovered(self.server_file)
        except MlopsError as exc:
            # Once per reason: reload is asked on every failed attempt.
            if exc.error_code == "UNTRUSTED_SERVER_FILE" and exc.message != self._last_refusal:
                self._last_refusal = exc.message
                log.warning("%s", exc.message)
            return False
        except (OSError, ValueError):
            return False  # mid-rewrite or gone while the server restarts: keep what we have
        if (url.rstrip("/"), token or None) == (self.url, self.token):
            return False
        try:
            self._set(url, token)  # validates before it changes anything
        except MlopsError:
            return False
        return True

    @property
    def workspace(self):
        return find_workspace(self.server_file)

    def __repr__(self):
        return "Location(%r%s)" % (self.url, ", from " + self.server_file if self.server_file else "")


def read_server_file(path):
    """(url, token, pid) from a server.json."""
    with open(path, "r", encoding="utf-8") as f:
        data = json.load(f)
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str):
        raise MlopsError("INVALID_STATE", "%s has no \"url\"" % path)
    return url, data.get("token"), data.get("pid")


def read_discovered(path):
    """(url, token) from a server.json found by discovery, once it passed every check."""
    check_private(os.path.dirname(path), "its .mlops folder", path)
    check_private(path, "the file", path)
    url, token, pid = read_server_file(path)
    check_discovered(path, url, token, pid)
    return url, token


def find_upwards(start, relative):
    """The first `start/relative`, `start/../relative`, ... that exists, or None."""
    here = os.path.abspath(start)
    while True:
        candidate = os.path.join(here, relative)
        if os.path.exists(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def discover():
    env = os.environ
    if env.get("MLOPS_TRACKING_URI"):
        return Location(env["MLOPS_TRACKING_URI"], env.get("MLOPS_TRACKING_TOKEN"))
    uri = env.get("MLFLOW_TRACKING_URI", "")
    # A file: or databricks URI belongs to some other MLflow setup, not to us.
    if uri.startswith(("http://", "https://")):
        return Location(uri, env.get("MLFLOW_TRACKING_TOKEN"))
    cwd = os.getcwd()
    path = find_upwards(cwd, SERVER_FILE)
    if path is None:
        raise MlopsError("SERVER_NOT_FOUND", NOT_FOUND_HINT % cwd)
    url, token = read_discovered(path)
    return Location(url, token, server_file=path)


def find_workspace(server_file=None):
    """The folder holding .mlops (where spool files go), or None."""
    env = os.environ.get("MLOPS_WORKSPACE")
    if env:
        return env
    if server_file:
        return os.path.dirname(os.path.dirname(server_file))
    found = find_upwards(os.getcwd(), ".mlops")
    return os.path.dirname(found) if found else None


def spool_dir(location):
    workspace = location.workspace if location is not None else find_workspace()
    if workspace:
        return os.path.join(workspace, ".mlops", "spool")
    # Logging to a server with no local workspace (a remote MLflow): still keep
    # undelivered points where this user's later runs will look for them, and
    # only they (never a shared temporary folder others could drop files into).
    return user_spool_dir()


def user_spool_dir():
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return os.path.join(os.environ["LOCALAPPDATA"], "mlops-workbench", "spool")
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "mlops-workbench", "spool")


def float_env(name, default):
    try:
        return float(os.environ.get(name, ""))
    except ValueError:
        return default
