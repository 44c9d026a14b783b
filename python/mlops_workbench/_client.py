"""The per-process state every part of the client shares.

One transport (so one set of keep-alive connections), one metric buffer and flusher
thread, one heartbeat thread. A fork must not inherit any of it live: a PyTorch
DataLoader worker writing on the parent's socket, or re-sending the parent's queued
points, would corrupt or duplicate data. `os.register_at_fork` resets it all in the
child.
"""

import os
import threading

from . import _api
from ._buffer import MetricBuffer
from ._config import Location, discover, spool_dir
from ._heartbeat import Heartbeat
from ._http import Transport
from ._spool import Spool

_transport = None
_lock = threading.Lock()


def transport():
    """The transport, discovering the server on first use."""
    global _transport
    t = _transport
    if t is None:
        with _lock:
            if _transport is None:
                _transport = Transport(discover())
            t = _transport
    return t


def set_tracking_uri(uri, token=None):
    """Send everything from now on to `uri` (token defaults to the environment's)."""
    global _transport
    if token is None:
        token = os.environ.get("MLOPS_TRACKING_TOKEN") or os.environ.get("MLFLOW_TRACKING_TOKEN")
    new = Transport(Location(uri, token))
    with _lock:
        old, _transport = _transport, new
    if old is not None:
        old.close()


def get_tracking_uri():
    return transport().location.url


def _location_or_none():
    t = _transport
    return t.location if t is not None else None


def _send_batch(body):
    transport().send("POST", _api.MLFLOW + "/runs/log-batch", body)


spool = Spool(lambda: spool_dir(_location_or_none()))
buffer = MetricBuffer(_send_batch, spool)
heartbeat = Heartbeat(lambda run_id: _api.heartbeat(transport(), run_id))


def _after_fork_in_child():
    global _lock
    _lock = threading.Lock()
    if _transport is not None:
        _transport.reset_after_fork()
    buffer.after_fork_in_child()
    heartbeat.after_fork_in_child()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
