#!/usr/bin/python3
"""Sends customers to the running churn deployment: first like the training data, then shifted.

    /usr/bin/python3 traffic.py                       # 1000 normal, then 2000 shifted requests, 50/s
    /usr/bin/python3 traffic.py --normal 0 --shifted 500 --rate 200 --batch 4 --feedback 0.5

Needs numpy (Debian: python3-numpy; see churn_common.py); HTTP is the standard
library's. The customers are drawn as prepare.py draws them: the first --normal
requests from the population the model was trained on, the next --shifted ones
from the new regime (prepare.py --shift, default 1), so the deployment's drift
monitoring sees its requests move away from the training data. Each request is
one customer (--batch N: N customers) sent with the Open Inference Protocol,
POST URL/v2/models/churn/infer; for a --feedback share of them the true outcome,
drawn from prepare.py's true model, is sent back (POST URL/v1/feedback with the
X-Request-Id of the answer), which gives the deployment a live accuracy.

The deployment's URL and token come from the workspace's backend: the nearest
.mlops/server.json above the current folder (or --workspace), then
GET /api/v1/deployments/churn. --url (and --token, or MLOPS_TOKEN) skip that.
Every --every seconds it prints what it sent, the errors, who answered (variant,
model version), the recent latency and the deployment's drift verdict.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import churn_common as cc
from churn_common import np
import prepare

START_HINT = ("start it with: mlops serve models:/churn@champion --on-drift retrain.pipeline.yaml --window 500 --min-rows 500 --detach\n"
              "(in the example's folder; see README.md, \"Serve and monitor\")")


class TrafficError(Exception):
    """A problem the user can act on: printed without a traceback."""


# -- finding the deployment ----------------------------------------------------------

def find_server_info(start):
    """The workspace backend's .mlops/server.json (url, token), searching up from `start`."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, ".mlops", "server.json")
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as f:
                return candidate, json.load(f)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None, None
        folder = parent


def backend_get(info, path):
    request = urllib.request.Request(info["url"].rstrip("/") + path, headers={"Authorization": "Bearer %s" % info["token"]})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            message = json.load(exc).get("message", "")
        except ValueError:
            message = ""
        raise urllib.error.HTTPError(exc.url, exc.code, message or exc.reason, exc.headers, None)


def locate(args):
    """(deployment URL, token, backend info or None) for the deployment to send to."""
    if args.url:
        return args.url.rstrip("/"), args.token or os.environ.get("MLOPS_TOKEN"), None
    where = args.workspace or os.getcwd()
    path, info = find_server_info(where)
    if info is None:
        raise TrafficError("No MLOps backend runs for the workspace at %s (no .mlops/server.json there or above), "
                           "so no deployment either; %s" % (os.path.abspath(where), START_HINT))
    try:
        deployment = backend_get(info, "/api/v1/deployments/%s" % args.deployment)["deployment"]
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise TrafficError("The backend at %s runs no deployment named '%s'; %s" % (info["url"], args.deployment, START_HINT))
        raise TrafficError("The backend at %s answered %d: %s" % (info["url"], exc.code, exc.reason))
    except (OSError, ValueError) as exc:
        raise TrafficError("The backend named in %s (%s) does not answer (%s): it has stopped. %s" % (path, info.get("url"), exc, START_HINT[0].upper() + START_HINT[1:]))
    if deployment["status"] != "running" or not deployment.get("url"):
        raise TrafficError("Deployment '%s' is %s%s; wait for it to run, or %s" % (
            args.deployment, deployment["status"], ": %s" % deployment["lastError"] if deployment.get("lastError") else "", START_HINT))
    token = info["token"] if deployment["spec"].get("auth", True) else None
    return deployment["url"].rstrip("/"), token, info


# -- the requests ---------------------------------------------------------------------

class Connection:
    """One keep-alive HTTP connection per sending thread, reopened after an error."""

    def __init__(self, url, token):
        parts = urlsplit(url)
        self.host, self.port, self.prefix = parts.hostname, parts.port or 80, parts.path.rstrip("/")
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = "Bearer %s" % token
        self.conn = None

    def call(self, method, path, body=None):
        """(status, headers, parsed JSON body or None); raises OSError when the server cannot be reached."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, self.prefix + path, body=data, headers=self.headers)
                response = self.conn.getresponse()
                raw = response.read()
            except (http.client.HTTPException, OSError) as exc:
                self.conn.close()
                self.conn = None
                if attempt:
                    raise OSError(str(exc) or type(exc).__name__) from exc
                continue  # a keep-alive connection the server closed: once more on a new one
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return response.status, response.headers, parsed


def features(tenure, monthly, calls, contract):
    """The model's input rows, in cc.FEATURES order (contract one-hot)."""
    onehot = np.eye(len(cc.CONTRACTS))[contract]
    return np.column_stack([tenure, monthly, calls, onehot]).astype(np.float32)


def draw(rng, rows, shift):
    """Customers and their true outcomes, as prepare.py draws them."""
    tenure, monthly, calls, contract = prepare.draw_customers(rng, rows, shift)
    churn = prepare.draw_churn(rng, tenure, monthly, calls, contract)
    return features(tenure, monthly, calls, contract), churn


class Progress:
    """What was sent and what came back, shared by the sending threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {"normal": 0, "shifted": 0}
        self.errors = 0
        self.last_error = None
        self.answered_by = {}
        self.latencies = []
        self.labelled = 0
        self.correct = 0
        self.feedback_errors = 0

    def record(self, phase, ms, who, error=None):
        with self.lock:
            self.sent[phase] += 1
            self.latencies.append(ms)
            if error:
                self.errors += 1
                self.last_error = error
            else:
                self.answered_by[who] = self.answered_by.get(who, 0) + 1

    def take_latencies(self):
        with self.lock:
            taken, self.latencies = self.latencies, []
        return taken


def send_all(args, url, token, input_name, model, plan, progress, stop):
    """Workers pace requests i at start + i/rate, together, until the plan is done."""
    lock = threading.Lock()
    state = {"next": 0}
    feedback_rng = np.random.default_rng(args.seed + 1)
    feedback_draws = feedback_rng.random(len(plan))
    start = time.monotonic()

    def worker():
        conn = Connection(url, token)
        while not stop.is_set():
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= len(plan):
                return
            phase, X, y = plan[i]
            delay = start + i / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            body = {"inputs": [{"name": input_name, "shape": list(X.shape), "datatype": "FP32", "data": [float(v) for v in X.ravel()]}]}
            began = time.monotonic()
            try:
                status, headers, answer = conn.call("POST", "/v2/models/%s/infer" % model, body)
            except OSError as exc:
                progress.record(phase, (time.monotonic() - began) * 1000, None, "cannot reach %s (%s)" % (url, exc))
                continue
            ms = (time.monotonic() - began) * 1000
            if status != 200:
                message = (answer or {}).get("error") or (answer or {}).get("message") or "HTTP %d" % status
                progress.record(phase, ms, None, "HTTP %d: %s" % (status, message))
                continue
            who = "%s %s v%s" % (headers.get("X-MLOps-Variant", "?"), answer.get("model_name", model), answer.get("model_version", "?"))
            progress.record(phase, ms, who)
            if feedback_draws[i] < args.feedback:
                label = [int(v) for v in y] if len(y) > 1 else int(y[0])
                try:
                    fb_status, _, _ = conn.call("POST", "/v1/feedback", {"request_id": headers.get("X-Request-Id"), "label": label})
                except OSError:
                    fb_status = 0
                # Right when P(churn) >= 0.5 matches the outcome, row by row (the deployment's rule too).
                outputs = answer.get("outputs") or [{}]
                probabilities = outputs[0].get("data") or []
                right = sum(1 for p, truth in zip(probabilities, y) if (p >= 0.5) == (truth == 1))
                with progress.lock:
                    if fb_status == 200:
                        progress.labelled += len(y)
                        progress.correct += right
                    else:
                        progress.feedback_errors += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, args.concurrency))]
    for t in threads:
        t.start()
    return threads


def model_input(url, token, model):
    """The model's input tensor name and width, from its OIP metadata (GET /v2/models/NAME)."""
    conn = Connection(url, token)
    try:
        status, _, meta = conn.call("GET", "/v2/models/%s" % model)
    except OSError as exc:
        raise TrafficError("The deployment at %s does not answer (%s); %s" % (url, exc, START_HINT))
    if status == 401:
        raise TrafficError("The deployment at %s wants the workspace token: give --token (from .mlops/server.json) or leave out --url" % url)
    if status != 200 or not meta or not meta.get("inputs"):
        raise TrafficError("The deployment at %s has no model '%s' (GET /v2/models/%s answered %d); give --model" % (url, model, model, status))
    (tensor,) = meta["inputs"][:1]
    width = tensor["shape"][-1] if tensor.get("shape") else len(cc.FEATURES)
    if width not in (-1, len(cc.FEATURES)):
        raise TrafficError("Model '%s' takes %s columns, not the %d churn features (%s)" % (model, width, len(cc.FEATURES), ", ".join(cc.FEATURES)))
    return tensor["name"]


class MonitoringWatch:
    """The deployment's drift verdict and its new alerts, from the backend (GET .../monitoring)."""

    def __init__(self, info, deployment):
        self.info, self.deployment = info, deployment
        self.seen = None  # alerts raised before we started are not news

    def poll(self):
        """(a suffix for the progress line, lines for the alerts raised since the last poll)."""
        if self.info is None:
            return "", []
        try:
            m = backend_get(self.info, "/api/v1/deployments/%s/monitoring" % self.deployment)
        except (OSError, ValueError):
            return "  | monitoring: the backend does not answer", []
        if m["status"] == "waiting":
            return "  | monitoring: waiting (%d rows in the window)" % m["windowRows"], []
        keys = [(a["at"], a["kind"]) for a in m["alerts"]]
        fresh = [] if self.seen is None else [a for a, k in zip(m["alerts"], keys) if k not in self.seen]
        self.seen = set(keys)
        latest = m.get("latest")
        if m["status"] == "drift" and latest:
            text = "  | monitoring: DATA DRIFT in %s" % ", ".join(f["feature"] for f in latest["features"] if f["drifted"])
        elif m["status"] == "ok":
            text = "  | monitoring: no drift"
        else:
            text = "  | monitoring: %s%s" % (m["status"], ": %s" % m["message"] if m.get("message") else "")
        return text, [describe_alert(a) for a in fresh]


def describe_alert(alert):
    retrain = alert.get("retrain")
    then = time.strftime("%H:%M:%S", time.localtime(alert["at"] / 1000))
    if alert["kind"] == "started":
        text = "DATA DRIFT started at %s: %d%% of the features drifted (%s)" % (then, round(alert["driftedShare"] * 100), ", ".join(alert["features"]))
    elif alert["kind"] == "ended":
        text = "data drift ended at %s" % then
    else:
        text = "retraining at %s" % then
    return text + ("; %s" % retrain["message"] if retrain else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--normal", type=int, default=1000, metavar="N", help="requests drawn like the training data, first (default 1000)")
    parser.add_argument("--shifted", type=int, default=2000, metavar="M", help="requests drawn with --shift, after them (default 2000)")
    parser.add_argument("--shift", type=float, default=1.0, help="how far the shifted customers moved (prepare.py --shift; default 1)")
    parser.add_argument("--rate", type=float, default=50.0, metavar="R", help="requests per second (default 50)")
    parser.add_argument("--batch", type=int, default=1, metavar="B", help="customers per request (default 1)")
    parser.add_argument("--feedback", type=float, default=0.2, metavar="F", help="share of requests whose true outcome is sent back (default 0.2)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight at most (default 4)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--deployment", default="churn", help="the deployment's name (default churn)")
    parser.add_argument("--model", default=None, help="the model name in /v2/models/NAME/infer (default: the deployment's)")
    parser.add_argument("--url", help="the deployment's URL (default: asked of the workspace's backend)")
    parser.add_argument("--token", help="with --url: the workspace token (default: $MLOPS_TOKEN)")
    parser.add_argument("--workspace", help="the workspace folder (default: the nearest above the current one with .mlops/)")
    parser.add_argument("--every", type=float, default=2.0, metavar="SECONDS", help="progress every SECONDS (default 2)")
    args = parser.parse_args()
    if args.normal < 0 or args.shifted < 0 or args.normal + args.shifted == 0:
        parser.error("--normal and --shifted are counts of requests; together at least 1")
    if args.rate <= 0 or args.batch < 1 or not 0 <= args.feedback <= 1:
        parser.error("--rate must be positive, --batch at least 1 and --feedback between 0 and 1")
    if not -2 <= args.shift <= 3:
        parser.error("--shift must be between -2 and 3 (as prepare.py's)")

    try:
        url, token, info = locate(args)
        model = args.model or args.deployment
        if info is not None and not args.model:
            served = backend_get(info, "/api/v1/deployments/%s" % args.deployment)["deployment"]["variants"]
            model = next((v["model"] for v in served if v["name"] == "champion"), model)
        input_name = model_input(url, token, model)
    except TrafficError as exc:
        print("traffic.py: %s" % exc, file=sys.stderr)
        return 2

    rng = np.random.default_rng(args.seed)
    plan = []
    for phase, count, shift in (("normal", args.normal, 0.0), ("shifted", args.shifted, args.shift)):
        X, y = draw(rng, count * args.batch, shift)
        plan += [(phase, X[i * args.batch:(i + 1) * args.batch], y[i * args.batch:(i + 1) * args.batch]) for i in range(count)]
    phases = (["%d like the training data" % args.normal] if args.normal else []) + (["%d shifted by %g" % (args.shifted, args.shift)] if args.shifted else [])
    print("sending %d requests of %d customer%s to %s/v2/models/%s/infer at %g/s: %s; feedback for %d%%" % (
        len(plan), args.batch, "" if args.batch == 1 else "s", url, model, args.rate, ", then ".join(phases), round(args.feedback * 100)), flush=True)

    progress = Progress()
    stop = threading.Event()
    threads = send_all(args, url, token, input_name, model, plan, progress, stop)
    seen_answerers = set()
    last_print = time.monotonic()

    watch = MonitoringWatch(info, args.deployment)
    watch.poll()

    def report():
        drift, alerts = watch.poll()
        latencies = sorted(progress.take_latencies())
        with progress.lock:
            sent = dict(progress.sent)
            errors, last_error, progress.last_error = progress.errors, progress.last_error, None
            answered = dict(progress.answered_by)
            labelled, correct = progress.labelled, progress.correct
        for line in alerts:
            print(line, flush=True)
        for who in sorted(set(answered) - seen_answerers):
            print("now answered by %s" % who, flush=True)
            seen_answerers.add(who)
        print("sent %d/%d (normal %d, shifted %d)  errors %d  %s  latency p50 %s p99 %s%s%s" % (
            sent["normal"] + sent["shifted"], len(plan), sent["normal"], sent["shifted"], errors,
            ", ".join("%s: %d" % kv for kv in sorted(answered.items())) or "no answers",
            "%.1f ms" % latencies[len(latencies) // 2] if latencies else "-",
            "%.1f ms" % latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else "-",
            "  labelled %d, %.0f%% right" % (labelled, 100.0 * correct / labelled) if labelled else "",
            drift), flush=True)
        if last_error:
            print("  last error: %s" % last_error, flush=True)

    try:
        while any(t.is_alive() for t in threads):
            time.sleep(min(0.1, args.every))
            if time.monotonic() - last_print >= args.every:
                last_print = time.monotonic()
                report()
        if time.monotonic() - last_print > 0.2:  # what the last interval sent, unless just printed
            report()
    except KeyboardInterrupt:
        stop.set()
        print("stopped", file=sys.stderr)
        return 130
    total = progress.sent["normal"] + progress.sent["shifted"]
    print("done: %d requests, %d errors%s" % (total, progress.errors, ", %d feedback labels not taken" % progress.feedback_errors if progress.feedback_errors else ""), flush=True)
    return 1 if progress.errors else 0


if __name__ == "__main__":
    sys.exit(main())
