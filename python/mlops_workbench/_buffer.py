"""Metric points waiting to be sent, and the thread that sends them.

`log_metric` sits in training loops, so adding a point must cost well under a
microsecond or two: it is one deque.append of a tuple (atomic under the GIL, so no
lock) and a length check. Everything else - JSON, HTTP, retries, spooling - happens
on the flusher thread, in batches of at most 1000 points (MLflow's log-batch limit).
"""

import logging
import math
import sys
import threading
from collections import deque

from ._http import encode_json

log = logging.getLogger("mlops_workbench")

BATCH = 1000  # MLflow's MAX_METRICS_PER_BATCH
INTERVAL_S = 1.0  # a notebook kernel never exits: points must not wait for atexit

_isfinite = math.isfinite


class MetricBuffer:
    def __init__(self, send, spool):
        self._send = send  # send(body_bytes): POST runs/log-batch, raises MlopsError
        self._spool = spool
        self.queue = deque()  # (run_id, key, value, timestamp_ms, step)
        # The hot path calls wake() once len(queue) reaches this. It starts at 0 so
        # the first point ever logged (in this process) starts the flusher thread.
        self.threshold = 0
        self._wake = threading.Event()
        self._flush_lock = threading.Lock()  # one drain at a time: flush() waits for the thread's
        self._start_lock = threading.Lock()
        self._thread = None
        self._forked_child = False
        self._warned = False
        self._warned_refusals = set()

    def wake(self):
        if self._thread is None:
            with self._start_lock:  # two threads crossing the threshold at once: one flusher
                if self._thread is None:
                    self._start()
        # Until the thread has drained, further points must not signal again on
        # every call; it puts the threshold back to BATCH when done.
        self.threshold = len(self.queue) + BATCH
        self._wake.set()

    def flush(self):
        """Send every point logged so far (spooling what cannot be delivered)."""
        with self._flush_lock:
            self._drain()

    def pending(self):
        return len(self.queue)

    def after_fork_in_child(self):
        # The parent still owns (and will send) what was queued before the fork; the
        # child starts empty, with fresh locks (the parent's flusher may have held one
        # at the moment of the fork) and no thread until it logs something.
        self.queue.clear()
        self.threshold = 0
        self._wake = threading.Event()
        self._flush_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._thread = None
        self._forked_child = True

    # -- flusher thread ------------------------------------------------------------

    def _start(self):
        thread = threading.Thread(target=self._loop, name="mlops-metric-flusher", daemon=True)
        self._thread = thread
        thread.start()
        if self._forked_child:
            self._flush_when_worker_exits()

    def _flush_when_worker_exits(self):
        # multiprocessing workers (PyTorch DataLoader) leave through os._exit, which
        # skips atexit, but they do run multiprocessing's own finalizers first.
        mp_util = sys.modules.get("multiprocessing.util")
        if mp_util is not None:
            mp_util.Finalize(None, self.flush_quietly, exitpriority=100)

    def flush_quietly(self):
        try:
            self.flush()
        except Exception as exc:  # noqa: BLE001 - at exit, a warning is all we can do
            log.warning("could not flush metrics: %s", exc)

    def _loop(self):
        wake = self._wake
        while True:
            wake.wait(INTERVAL_S)
            wake.clear()
            self.flush_quietly()

    # -- sending -----------------------------------------------------------------

    def _drain(self):
        # Replay the spool first: those points are older than anything queued.
        delivering = self._spool.replay(self._send)
        queue = self.queue
        # Only what is queued now: a producer on another thread must not keep a
        # flush() caller here for ever.
        left = len(queue)
        while left > 0:
            n = min(left, BATCH)
            left -= n
            by_run = {}
            for _ in range(n):
                point = queue.popleft()
                by_run.setdefault(point[0], []).append(point)
            for run_id, points in by_run.items():
                if delivering:
                    delivering = self._deliver(run_id, points)
                else:
                    self._spool_batch(run_id, encode_batch(run_id, points))  # server known to be away
        # Back to signalling at BATCH points, unless no thread runs yet: then the next
        # point must still start it (a flush() before any metric must not leave the
        # 1 s timer unstarted).
        self.threshold = BATCH if self._thread is not None else 0

    def _deliver(self, run_id, points):
        body = encode_batch(run_id, points)
        try:
            self._send(body)
        except Exception as exc:  # noqa: BLE001
            if getattr(exc, "retryable", False):
                if not self._warned:
                    self._warned = True
                    log.warning("metrics are kept on disk until the MLOps server answers again: %s", exc)
                self._spool_batch(run_id, body)
                return False
            if getattr(exc, "error_code", None) == "INVALID_PARAMETER_VALUE":
                self._deliver_by_key(run_id, points, exc)
            else:
                self._refused(run_id, None, len(points), exc)
            return True
        if self._warned:
            self._warned = False
            log.warning("MLOps server reachable again; sending the metrics kept on disk")
        return True

    def _deliver_by_key(self, run_id, points, exc):
        # The server refuses a whole batch for one bad key (a name with '@', say);
        # the other keys' points must not go down with it.
        by_key = {}
        for point in points:
            by_key.setdefault(point[1], []).append(point)
        if len(by_key) == 1:
            self._refused(run_id, points[0][1], len(points), exc)
            return
        for key_points in by_key.values():
            try:
                self._send(encode_batch(run_id, key_points))
            except Exception as again:  # noqa: BLE001
                if getattr(again, "retryable", False):
                    self._spool_batch(run_id, encode_batch(run_id, key_points))
                else:
                    self._refused(run_id, key_points[0][1], len(key_points), again)

    def _refused(self, run_id, key, count, exc):
        # Once per run and key: a loop logging a bad name would otherwise warn every second.
        if (run_id, key) not in self._warned_refusals:
            self._warned_refusals.add((run_id, key))
            what = "metric %r" % key if key is not None else "metrics"
            log.warning("the server refused %d points of %s of run %s: %s", count, what, run_id, exc)

    def _spool_batch(self, run_id, body):
        try:
            self._spool.append(run_id, body)
        except OSError as exc:
            log.error("lost %s metric points of run %s: cannot write the spool (%s)", body.count(b'"key"'), run_id, exc)


def encode_batch(run_id, points):
    metrics = [
        {"key": key, "value": value, "timestamp": ts, "step": step}
        if _isfinite(value)
        else {"key": key, "value": nonfinite(value), "timestamp": ts, "step": step}
        for _, key, value, ts, step in points
    ]
    try:
        return encode_json({"run_id": run_id, "metrics": metrics})
    except (TypeError, ValueError):
        # A key that is not a string (the hot path does not check): send its str()
        # rather than lose the batch; the server judges whether the name is valid.
        for metric in metrics:
            metric["key"] = str(metric["key"])
        return encode_json({"run_id": run_id, "metrics": metrics})


def nonfinite(value):
    # What MLflow's protobuf JSON uses for doubles JSON cannot spell.
    if value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
