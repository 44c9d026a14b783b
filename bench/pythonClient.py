"""Cost of mlops_workbench.log_metric in a training loop, and flush throughput.

    python3 bench/pythonClient.py [--calls 1000000] [--no-verify]

Server: the one the environment or the nearest .mlops/server.json names; else one
started here from dist/cli.js in a temporary workspace (run `npm run build` first);
else, with no server at all, only the per-call cost is measured (the flusher then
spools to a temporary folder, which is what a dead server costs the loop).

Writes {bench, measures} to BENCH_RESULT_FILE when set, like the TypeScript benches.
"""

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode, urlsplit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "python"))

import mlops_workbench as mw  # noqa: E402
from mlops_workbench import _config  # noqa: E402

TARGET_US = 5.0


def start_local_server():
    """A server from this checkout's build in a temp workspace, or None."""
    cli = os.path.join(REPO, "dist", "cli.js")
    node = shutil.which("node")
    if not (node and os.path.exists(cli)):
        return None
    workspace = tempfile.mkdtemp(prefix="mlops-bench-py-")
    proc = subprocess.Popen([node, cli, "server", "--workspace", workspace, "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    info_file = os.path.join(workspace, ".mlops", "server.json")
    deadline = time.time() + 20
    while time.time() < deadline and proc.poll() is None:
        try:
            with open(info_file) as f:
                info = json.load(f)
            if info.get("pid") == proc.pid:
                return proc, workspace, info
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    proc.terminate()
    proc.wait()
    shutil.rmtree(workspace, ignore_errors=True)
    return None


def count_points(location, run_id, key):
    """Points of `key` the server holds, read back page by page."""
    parts = urlsplit(location.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    total, token = 0, None
    while True:
        query = {"run_id": run_id, "metric_key": key, "max_results": 25000}
        if token:
            query["page_token"] = token
        conn.request("GET", parts.path.rstrip("/") + "/api/2.0/mlflow/metrics/get-history?" + urlencode(query),
                     headers={"Authorization": "Bearer %s" % location.token} if location.token else {})
        page = json.loads(conn.getresponse().read())
        total += len(page.get("metrics", []))
        token = page.get("next_page_token")
        if not token:
            conn.close()
            return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--no-verify", action="store_true", help="skip reading every point back")
    args = parser.parse_args()
    n = args.calls

    started = spool_workspace = None
    try:
        location = _config.discover()
        where = "server at %s" % location.url
    except mw.MlopsError:
        started = start_local_server()
        if started:
            _, workspace, info = started
            mw.set_tracking_uri(info["url"], info["token"])
            location = _config.Location(info["url"], info["token"])
            where = "server started from dist/cli.js at %s" % info["url"]
        else:
            location = None
            where = "no server (points spooled to a temp folder)"
            spool_workspace = tempfile.mkdtemp(prefix="mlops-bench-py-spool-")
            os.environ["MLOPS_WORKSPACE"] = spool_workspace
            os.environ["MLOPS_HTTP_RETRY_S"] = "0"
            mw.set_tracking_uri("http://127.0.0.1:9")  # discard port: nothing listens

    measures = []
    try:
        if location is not None:
            run = mw.start_run(name="bench-log-metric", experiment="bench-python-client")
            run_id = run.run_id
        else:
            # No server to create a run on: fake an active run so the hot path is the same.
            from mlops_workbench import _run
            run = _run.Run({"run_id": "bench", "experiment_id": "0"}, owned=False)
            _run.push(run)
            run_id = run.run_id

        log_metric = mw.log_metric
        for i in range(10_000):  # warm up: flusher thread started, connection open
            log_metric("warmup", i, step=i)
        mw.flush()

        t0 = time.perf_counter()
        for i in range(n):
            log_metric("loss", i * 1e-6, step=i)
        loop_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        mw.flush()
        tail_s = time.perf_counter() - t1

        per_call_us = loop_s / n * 1e6
        print("python log_metric: %.2f µs/call (target < %g µs)  [%d calls, %s, Python %s]"
              % (per_call_us, TARGET_US, n, where, sys.version.split()[0]))
        measures.append({"measure": "python log_metric per call", "value": round(per_call_us, 3), "unit": "µs",
                         "target": TARGET_US, "better": "lower"})
        if location is not None:
            throughput = n / (loop_s + tail_s)
            print("python flush: %.2f s after the loop to deliver the rest; %.0f points/s end to end"
                  % (tail_s, throughput))
            measures.append({"measure": "python flush tail", "value": round(tail_s, 3), "unit": "s", "better": "lower"})
            measures.append({"measure": "python points delivered per second", "value": round(throughput), "unit": "points/s",
                             "better": "higher"})
            if not args.no_verify:
                held = count_points(location, run_id, "loss")
                print("python verify: server holds %d of %d points" % (held, n))
                if held != n:
                    raise SystemExit("points lost: %d of %d arrived" % (held, n))
            mw.end_run()
    finally:
        if started:
            proc, workspace, _ = started
            proc.terminate()
            proc.wait()
            shutil.rmtree(workspace, ignore_errors=True)

    result_file = os.environ.get("BENCH_RESULT_FILE")
    if result_file:
        with open(result_file, "w") as f:
            json.dump({"bench": "pythonClient", "measures": measures}, f, indent=2)

    if spool_workspace:
        # The flusher thread keeps spooling to this folder until the process ends;
        # under its flush lock no drain runs, and os._exit leaves before one can.
        from mlops_workbench import _client
        _client.buffer._flush_lock.acquire()
        shutil.rmtree(spool_workspace, ignore_errors=True)
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
