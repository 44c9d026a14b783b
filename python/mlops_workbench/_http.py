"""HTTP transport: keep-alive connections, bearer auth, MLflow errors, retries.

http.client rather than urllib: it never consults *_PROXY variables, so requests to
the loopback backend cannot be routed through a corporate proxy, and it lets us keep
connections open (a training loop flushes every second; a new TCP handshake each
time would cost more than the batch).
"""

import http.client
import json
import logging
import threading
import time
from urllib.parse import urlencode

from ._config import float_env
from ._errors import MlopsError

log = logging.getLogger("mlops_workbench")

USER_AGENT = "mlops-workbench-python/0.1"
# One socket operation; a busy SQLite writer answers well within this.
SOCKET_TIMEOUT_S = 30.0
# Spent on connection errors and 5xx before giving up, so a server restart (a second
# or two) is ridden out but a dead server never holds a caller for long.
DEFAULT_RETRY_S = 5.0


class Transport:
    def __init__(self, location, retry_s=None):
        self.location = location
        self.retry_s = float_env("MLOPS_HTTP_RETRY_S", DEFAULT_RETRY_S) if retry_s is None else retry_s
        self._idle = []  # open connections not in use, reused LIFO
        self._lock = threading.Lock()
        self._closed = False

    # -- public calls ------------------------------------------------------------

    def call(self, method, path, body=None, query=None, retry=True):
        """JSON request to an MLflow-style route; returns the decoded JSON answer."""
        if query:
            path = path + "?" + urlencode(query)
        data = None if body is None else encode_json(body)
        return self.send(method, path, data, "application/json", retry)

    def send(self, method, path, data, content_type="application/json", retry=True, size=None):
        """Send bytes (or a seekable binary file of `size` bytes); returns decoded JSON."""
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if data is not None:
            headers["Content-Type"] = content_type
            headers["Content-Length"] = str(len(data) if size is None else size)
        status, raw = self._exchange(method, path, data, headers, retry)
        answer = decode_answer(raw)
        if status >= 400:
            raise error_from(status, answer, raw)
        return answer if isinstance(answer, dict) else {}

    def reset_after_fork(self):
        # The child must never write to a socket the parent is using. Closing the
        # child's copies of the descriptors is safe (no shutdown(): the parent's
        # descriptors keep the connections open); the lock may have been held by a
        # parent thread at the moment of the fork, so take a new one.
        idle, self._idle = self._idle, []
        self._lock = threading.Lock()
        for conn in idle:
            conn.close()

    def close(self):
        with self._lock:
            self._closed = True  # connections in flight now are closed when they come back
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- internals ---------------------------------------------------------------

    def _exchange(self, method, path, data, headers, retry):
        start = data.tell() if hasattr(data, "read") else None
        deadline = time.monotonic() + self.retry_s
        delay = 0.1
        while True:
            loc = self.location
            headers.pop("Authorization", None)
            if loc.token:
                headers["Authorization"] = "Bearer " + loc.token
            conn, reused = self._acquire(loc)
            try:
                if start is not None:
                    data.seek(start)
                try:
                    conn.request(method, loc.base_path + path, body=data, headers=headers)
                except (BrokenPipeError, ConnectionResetError):
                    # The server may refuse an upload before reading it (a wrong token, a
                    # deleted run) and close: its answer is still there to read. If there
                    # is none, getresponse fails and the request is retried below.
                    pass
                resp = conn.getresponse()
                raw = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                if reused:
                    # The server closed an idle keep-alive connection (Node does after
                    # 5 s): nothing was processed, so try again at once on a fresh one.
                    continue
                failure = MlopsError(
                    "SERVER_UNAVAILABLE",
                    "cannot reach the MLOps server at %s (%s: %s)%s"
                    % (loc.url, type(exc).__name__, exc, self._hint(loc)),
                )
            else:
                if resp.will_close:
                    conn.close()
                else:
                    self._release(conn)
                if resp.status < 500:
                    return resp.status, raw
                failure = error_from(resp.status, decode_answer(raw), raw)
            if not retry or time.monotonic() + delay > deadline:
                raise failure
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
            if loc.reload():
                # _acquire drops pooled connections to the old address.
                log.info("MLOps server moved to %s; retrying there", loc.url)

    def _acquire(self, loc):
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if (conn.host, conn.port) == (loc.host, loc.port):
                    return conn, True
                conn.close()  # left over from before a server move
        cls = http.client.HTTPSConnection if loc.scheme == "https" else http.client.HTTPConnection
        return cls(loc.host, loc.port, timeout=SOCKET_TIMEOUT_S, blocksize=1 << 16), False

    def _release(self, conn):
        with self._lock:
            if not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    @staticmethod
    def _hint(loc):
        if loc.server_file:
            return ". %s names this address; is `mlops server` still running for that workspace?" % loc.server_file
        return ""


def encode_json(body):
    # allow_nan=False: a NaN that slipped through would otherwise become the bare
    # token NaN, which is not JSON and makes the server reject the whole request.
    return json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")


def decode_answer(raw):
    if not raw:
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return None


def error_from(status, answer, raw):
    if isinstance(answer, dict) and "error_code" in answer:
        return MlopsError(answer["error_code"], answer.get("message", ""), status)
    text = raw[:300].decode("utf-8", "replace") if raw else http.client.responses.get(status, "")
    return MlopsError("HTTP_%d" % status, text, status)

