"""Run objects and the stack of active runs.

The stack is per process, not per thread: DataLoader threads and callbacks log to the
run the main thread started, as they do with MLflow's fluent API in practice.
"""

import logging
import os
import threading
import time

from . import _api, _client

log = logging.getLogger("mlops_workbench")


class RunInfo:
    """The server's RunInfo (run_id, experiment_id, status, artifact_uri, ...).

    Attribute access like MLflow's `run.info.run_id`; `to_dict()` for the raw fields.
    """

    def __init__(self, fields):
        self._fields = dict(fields)

    def __getattr__(self, name):
        try:
            return self.__dict__["_fields"][name]
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self):
        return dict(self._fields)

    def __repr__(self):
        return "RunInfo(%r)" % (self._fields,)


class Run:
    """A run this process logs to; a context manager that ends it on exit.

    `owned` is False for the run `mlops run` created (MLOPS_RUN_ID): the CLI ends it
    and heartbeats it, so leaving the with-block only flushes.
    """

    def __init__(self, info, owned, implicit=False):
        self.info = RunInfo(info)
        self.run_id = info.get("run_id") or info.get("run_uuid")
        self.experiment_id = str(info["experiment_id"])
        self.owned = owned
        # Started by a log_* call rather than start_run(): ended at exit (if owned),
        # and an attached one gives way to an explicit start_run().
        self.implicit = implicit
        # A forked child inherits the stack and logs to the same run, but the run
        # belongs to the parent: the child must never end it.
        self._pid = os.getpid()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        end(self, exit_status(exc))
        return False

    def _finish(self, status):
        _client.buffer.flush_quietly()
        if not self.owned or self._pid != os.getpid():
            return
        _client.heartbeat.remove(self.run_id)
        end_time = int(time.time() * 1000)
        try:
            _api.update_run(_client.transport(), self.run_id, status, end_time)
        except Exception as exc:  # noqa: BLE001 - see below
            # Raising here would hide the with-block's own exception, or crash a script
            # whose work is done; the server marks the run FAILED when beats stop.
            log.warning("could not mark run %s %s: %s", self.run_id, status, exc)
            return
        self.info._fields.update(status=status, end_time=end_time)

    def __repr__(self):
        return "<Run %s experiment=%s%s>" % (self.run_id, self.experiment_id, "" if self.owned else " attached")


def exit_status(exc):
    if exc is None:
        return "FINISHED"
    if isinstance(exc, KeyboardInterrupt):
        return "KILLED"
    if isinstance(exc, SystemExit) and exc.code in (None, 0):
        return "FINISHED"  # sys.exit() inside the block is a normal end
    return "FAILED"


_stack = []
_stack_lock = threading.RLock()


def _after_fork_in_child():
    global _stack_lock
    _stack_lock = threading.RLock()  # the child keeps the stack (it logs to the same run), not the lock


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def top():
    try:
        return _stack[-1]
    except IndexError:
        return None


def push(run):
    with _stack_lock:
        _stack.append(run)


def remove(run):
    """Take `run` off the stack without ending it."""
    with _stack_lock:
        if run in _stack:
            _stack.remove(run)


def end(run, status):
    """End `run` and any run still active above it (children first)."""
    with _stack_lock:
        if run not in _stack:
            return  # ended already (end_run() inside its own with-block)
        index = _stack.index(run)
        ending = _stack[index:]
        del _stack[index:]
    for r in reversed(ending):
        r._finish(status)


def end_all(status):
    with _stack_lock:
        ending = list(_stack)
        del _stack[:]
    for r in reversed(ending):
        r._finish(status)
