"""Whether a ``.mlops/server.json`` found by walking up from the working folder may be used.

A file found that way may come from a cloned repository or from another user's
folder above ours; adopting it would send every param, metric, artifact and the
token to whatever it names. So a discovered file must be this user's and writable
by no one else (its ``.mlops`` folder too), name a loopback address, and describe
a server that is there: it answers its health route with the file's token for
this workspace, or (while it is not answering yet, e.g. restarting) its recorded
pid is alive. The environment (MLOPS_TRACKING_URI) is never checked: naming a
server there is an explicit choice.
"""

import http.client
import ipaddress
import json
import os
from urllib.parse import urlsplit

from ._errors import MlopsError

HEALTH_PATH = "/api/v1/health"
HEALTH_TIMEOUT_S = 1.5

FIX_HINT = (
    "To use a server anyway, name it explicitly with MLOPS_TRACKING_URI (and MLOPS_TRACKING_TOKEN), "
    "or start this workspace's own server with `mlops server`."
)


def refused(path, why):
    return MlopsError("UNTRUSTED_SERVER_FILE", "not using %s: %s. %s" % (path, why, FIX_HINT))


def check_private(path, what, server_file=None):
    """Refuses a file or folder that is another user's, or that group or others may write."""
    if not hasattr(os, "getuid"):
        return  # Windows: access is by ACL, which modes do not describe
    st = os.stat(path)
    if st.st_uid != os.getuid():
        raise refused(server_file or path, "%s belongs to uid %d, not to you (uid %d)" % (what, st.st_uid, os.getuid()))
    if st.st_mode & 0o022:
        raise refused(
            server_file or path,
            "%s is writable by group or others (mode %03o): run `chmod go-w %s`" % (what, st.st_mode & 0o777, path),
        )


def is_loopback_host(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_loopback(path, url):
    host = urlsplit(url).hostname or ""
    if not is_loopback_host(host):
        raise refused(path, "it names %s, which is not a loopback address (127.0.0.1, ::1, localhost)" % url)


def pid_alive(pid):
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False  # 0 and negatives would signal process groups
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists but is not ours to signal
    return True


def health(url, token):
    """(status, JSON answer) of the server's health route, or (None, error) when it does not answer."""
    parts = urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, parts.port, timeout=HEALTH_TIMEOUT_S)
    try:
        conn.request("GET", parts.path.rstrip("/") + HEALTH_PATH, headers={"Authorization": "Bearer %s" % (token or "")})
        resp = conn.getresponse()
        raw = resp.read()
    except (OSError, http.client.HTTPException) as exc:
        return None, exc
    finally:
        conn.close()
    try:
        return resp.status, json.loads(raw.decode("utf-8"))
    except ValueError:
        return resp.status, None


def same_folder(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_live(path, url, token, pid):
    """The server must answer as this workspace's, or be starting (its pid alive, its port not answering yet)."""
    workspace = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    status, answer = health(url, token)
    if status is None:
        if pid_alive(pid):
            return
        raise refused(path, "no server answers at %s (%s) and its pid %r is not running: the file is stale" % (url, answer, pid))
    if status in (401, 403):
        raise refused(path, "the server at %s does not accept the token the file holds (HTTP %d)" % (url, status))
    if status != 200 or not isinstance(answer, dict) or answer.get("ok") is not True:
        raise refused(path, "%s does not answer as an MLOps server (HTTP %d from %s)" % (url, status, HEALTH_PATH))
    served = answer.get("workspace")
    # A workspace path that does not exist here is another container's view of this folder: the token proves it.
    if isinstance(served, str) and os.path.exists(served) and not same_folder(served, workspace):
        raise refused(path, "the server at %s serves the workspace %s, not %s" % (url, served, workspace))


def check_discovered(path, url, token, pid):
    """Raises MlopsError saying why, unless the discovered server.json at `path` may be used."""
    check_loopback(path, url)
    check_live(path, url, token, pid)
