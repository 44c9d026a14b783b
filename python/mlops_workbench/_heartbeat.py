"""Liveness signal for runs this process created.

The server marks a RUNNING run FAILED once its heartbeats stop, which is how a run
of a script killed with SIGKILL (or a crashed kernel) stops looking alive. The run
that `mlops run` created is heartbeated by the CLI, not here.
"""

import logging
import threading
import time

from ._config import float_env

log = logging.getLogger("mlops_workbench")

DEFAULT_INTERVAL_S = 5.0


class Heartbeat:
    def __init__(self, send):
        self._send = send  # send(run_id); failures are ignored
        self._runs = set()
        self._lock = threading.Lock()
        self._thread = None

    def add(self, run_id):
        with self._lock:
            self._runs.add(run_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="mlops-heartbeat", daemon=True)
                self._thread.start()

    def remove(self, run_id):
        with self._lock:
            self._runs.discard(run_id)

    def after_fork_in_child(self):
        # The parent keeps beating for its runs; a forked worker does not own them.
        self._runs = set()
        self._lock = threading.Lock()
        self._thread = None

    def _loop(self):
        while True:
            # start_run sent each run's first beat itself.
            time.sleep(float_env("MLOPS_HEARTBEAT_INTERVAL_S", DEFAULT_INTERVAL_S))
            with self._lock:
                runs = list(self._runs)
            for run_id in runs:
                try:
                    self._send(run_id)
                except Exception as exc:  # noqa: BLE001 - a missed beat is not the user's problem
                    log.debug("heartbeat for run %s failed: %s", run_id, exc)
