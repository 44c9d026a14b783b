"""End-to-end tests of the Python client against a real MLOps server.

The server comes from the environment (MLOPS_TRACKING_URI, MLOPS_TRACKING_TOKEN,
MLOPS_WORKSPACE), as test/pythonClient.test.ts sets it up. Everything the client
logs is read back through the MLflow REST API, with a reader that shares no code
with the client, so a test passes only if the server really holds the data.
"""

import http.client
import json
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
import uuid
from urllib.parse import quote, urlencode, urlsplit

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PYTHON_DIR)

# This process plays a script started by hand; the attach tests set these for children.
for _name in ("MLOPS_RUN_ID", "MLOPS_EXPERIMENT_ID", "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID"):
    os.environ.pop(_name, None)

import mlops_workbench as mw  # noqa: E402
from mlops_workbench import _client  # noqa: E402

URL = os.environ.get("MLOPS_TRACKING_URI")
TOKEN = os.environ.get("MLOPS_TRACKING_TOKEN")
WORKSPACE = os.environ.get("MLOPS_WORKSPACE")


def setUpModule():
    if not (URL and WORKSPACE):
        raise unittest.SkipTest("needs a running server: set MLOPS_TRACKING_URI, MLOPS_TRACKING_TOKEN, MLOPS_WORKSPACE")


# -- an independent reader of the server ----------------------------------------------

def request(method, path, query=None, body=None, token=TOKEN, url=None):
    parts = urlsplit(url or URL)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {"Authorization": "Bearer %s" % token} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, parts.path.rstrip("/") + path + ("?" + urlencode(query) if query else ""), data, headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, raw
    finally:
        conn.close()


def api(method, path, query=None, body=None):
    status, raw = request(method, "/api/2.0/mlflow" + path, query, body)
    if status != 200:
        raise AssertionError("%s %s -> HTTP %d: %s" % (method, path, status, raw[:500]))
    return json.loads(raw) if raw else {}


def get_run(run_id):
    return api("GET", "/runs/get", {"run_id": run_id})["run"]


def tags_of(run):
    return {t["key"]: t["value"] for t in run.get("data", {}).get("tags", [])}


def params_of(run):
    return {p["key"]: p["value"] for p in run.get("data", {}).get("params", [])}


def history(run_id, key):
    points, token = [], None
    while True:
        query = {"run_id": run_id, "metric_key": key, "max_results": 25000}
        if token:
            query["page_token"] = token
        page = api("GET", "/metrics/get-history", query)
        points.extend(page.get("metrics", []))
        token = page.get("next_page_token")
        if not token:
            return points


def as_float(value):
    # MLflow spells non-finite doubles as the strings "NaN", "Infinity", "-Infinity".
    return float(value)


def list_artifacts(run_id, path=None):
    query = {"run_id": run_id}
    if path:
        query["path"] = path
    files = api("GET", "/artifacts/list", query).get("files", [])
    return {f["path"]: f for f in files}


def download(run, path):
    status, raw = request(
        "GET", "/api/2.0/mlflow-artifacts/artifacts/" + quote("%s/%s/artifacts/%s" % (run.experiment_id, run.run_id, path))
    )
    if status != 200:
        raise AssertionError("download %s -> HTTP %d: %s" % (path, status, raw[:300]))
    return raw


def run_script(code, env=None, cwd=None, check=True):
    """Run `code` in a fresh interpreter that imports the client from this checkout."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = PYTHON_DIR + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    for key, value in list(full_env.items()):
        if value is None:
            del full_env[key]
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    if check and proc.returncode != 0:
        raise AssertionError("script failed (%d):\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    return proc


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


class ClientTest(unittest.TestCase):
    def tearDown(self):
        # Leave no active run behind for the next test.
        while mw.active_run() is not None:
            mw.end_run()


# -- runs -------------------------------------------------------------------------

class RunLifecycleTest(ClientTest):
    def test_with_block_creates_experiment_and_finishes_the_run(self):
        name = unique("lifecycle")
        with mw.start_run(name="first", experiment=name, tags={"team": "vision"}) as run:
            self.assertEqual(get_run(run.run_id)["info"]["status"], "RUNNING")
            self.assertIs(mw.active_run(), run)
        experiment = api("GET", "/experiments/get-by-name", {"experiment_name": name})["experiment"]
        self.assertEqual(run.experiment_id, str(experiment["experiment_id"]))
        server = get_run(run.run_id)
        self.assertEqual(server["info"]["status"], "FINISHED")
        self.assertTrue(server["info"].get("end_time"))
        tags = tags_of(server)
        self.assertEqual(tags.get("mlflow.runName"), "first")
        self.assertEqual(tags.get("mlflow.source.type"), "LOCAL")
        self.assertEqual(tags.get("mlflow.source.name"), sys.argv[0])
        self.assertIn("mlflow.user", tags)
        self.assertEqual(tags.get("team"), "vision")
        self.assertIsNone(mw.active_run())
        self.assertEqual(run.info.status, "FINISHED")

    def test_second_run_reuses_the_experiment(self):
        name = unique("reuse")
        with mw.start_run(experiment=name) as a:
            pass
        with mw.start_run(experiment=name) as b:
            pass
        self.assertEqual(a.experiment_id, b.experiment_id)
        self.assertNotEqual(a.run_id, b.run_id)

    def test_concurrent_creation_of_one_experiment_yields_one_id(self):
        from mlops_workbench import _api

        name = unique("race")
        ids, errors = [], []

        def resolve():
            try:
                ids.append(_api.experiment_id_for_name(_client.transport(), name))
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=resolve) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(set(ids)), 1, ids)

    def test_exception_marks_the_run_failed_and_propagates(self):
        with self.assertRaises(ZeroDivisionError):
            with mw.start_run(experiment=unique("fail")) as run:
                1 / 0
        self.assertEqual(get_run(run.run_id)["info"]["status"], "FAILED")

    def test_keyboard_interrupt_marks_the_run_killed(self):
        with self.assertRaises(KeyboardInterrupt):
            with mw.start_run(experiment=unique("killed")) as run:
                raise KeyboardInterrupt
        self.assertEqual(get_run(run.run_id)["info"]["status"], "KILLED")

    def test_start_and_end_without_with(self):
        run = mw.start_run(experiment=unique("plain"))
        mw.log_metric("m", 1.0)
        mw.end_run()
        self.assertEqual(get_run(run.run_id)["info"]["status"], "FINISHED")
        self.assertEqual(len(history(run.run_id, "m")), 1)

    def test_end_run_with_a_status(self):
        run = mw.start_run(experiment=unique("status"))
        mw.end_run("KILLED")
        self.assertEqual(get_run(run.run_id)["info"]["status"], "KILLED")

    def test_nested_run_is_a_child_in_the_same_experiment(self):
        with mw.start_run(experiment=unique("nested")) as parent:
            with mw.start_run(name="child", nested=True) as child:
                mw.log_metric("child_metric", 1)
            self.assertIs(mw.active_run(), parent)
        child_server = get_run(child.run_id)
        self.assertEqual(child.experiment_id, parent.experiment_id)
        self.assertEqual(tags_of(child_server).get("mlflow.parentRunId"), parent.run_id)
        self.assertEqual(child_server["info"]["status"], "FINISHED")
        self.assertEqual(len(history(child.run_id, "child_metric")), 1)
        self.assertEqual(history(parent.run_id, "child_metric"), [])

    def test_second_start_run_without_nested_is_refused(self):
        with mw.start_run(experiment=unique("twice")):
            with self.assertRaises(mw.MlopsError) as caught:
                mw.start_run()
            self.assertIn("nested=True", str(caught.exception))

    def test_log_call_without_a_run_starts_one_that_finishes_at_exit(self):
        name = unique("implicit")
        proc = run_script(
            """
            import mlops_workbench as mw
            mw.log_metric("x", 3.0)
            print(mw.active_run().run_id)
            """,
            env={"MLFLOW_EXPERIMENT_NAME": name},
        )
        run_id = proc.stdout.strip()
        run = get_run(run_id)
        self.assertEqual(run["info"]["status"], "FINISHED")
        self.assertEqual([as_float(p["value"]) for p in history(run_id, "x")], [3.0])
        experiment = api("GET", "/experiments/get-by-name", {"experiment_name": name})["experiment"]
        self.assertEqual(run["info"]["experiment_id"], experiment["experiment_id"])

    def test_uncaught_exception_at_exit_marks_the_implicit_run_failed(self):
        proc = run_script(
            """
            import mlops_workbench as mw
            mw.log_param("p", 1)
            print(mw.active_run().run_id, flush=True)
            raise RuntimeError("training diverged")
            """,
            check=False,
        )
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(get_run(proc.stdout.strip())["info"]["status"], "FAILED")


# -- inside `mlops run` -------------------------------------------------------------

class AttachTest(ClientTest):
    def cli_run(self):
        """A run as `mlops run` would create it, and the environment it exports."""
        experiment_id = api("POST", "/experiments/create", body={"name": unique("cli")})["experiment_id"]
        run = api("POST", "/runs/create", body={"experiment_id": experiment_id, "start_time": int(time.time() * 1000)})["run"]
        run_id = run["info"]["run_id"]
        return run_id, experiment_id, {"MLOPS_RUN_ID": run_id, "MLOPS_EXPERIMENT_ID": str(experiment_id)}

    def test_start_run_attaches_and_leaves_ending_to_the_cli(self):
        run_id, experiment_id, env = self.cli_run()
        other = unique("elsewhere")
        proc = run_script(
            """
            import json, os, mlops_workbench as mw
            out = {}
            with mw.start_run(name="fold-0", nested=True) as fold:  # nothing active yet
                out["fold"] = fold.run_id
                out["fold_experiment"] = fold.experiment_id
            with mw.start_run(name="renamed", tags={"stage": "train"}) as run:
                out["attached"] = run.run_id
                mw.log_param("lr", 0.5)
                mw.log_metric("loss", 0.25, step=3)
                with mw.start_run(name="fold-1", nested=True) as child:
                    out["child"] = child.run_id
                    out["child_experiment"] = child.experiment_id
            with mw.start_run(experiment=os.environ["MLOPS_EXPERIMENT_ID"]) as again:
                out["again"] = again.run_id
            with mw.start_run(experiment=%r) as other:
                out["other"] = other.run_id
                out["other_experiment"] = other.experiment_id
            print(json.dumps(out))
            """
            % other,
            env=env,
        )
        out = json.loads(proc.stdout)
        self.assertEqual(out["attached"], run_id)
        self.assertEqual(out["again"], run_id)
        cli = get_run(run_id)
        self.assertEqual(cli["info"]["status"], "RUNNING", "the CLI, not the client, ends its run")
        self.assertEqual(tags_of(cli).get("mlflow.runName"), "renamed")
        self.assertEqual(tags_of(cli).get("stage"), "train")
        self.assertEqual(params_of(cli).get("lr"), "0.5")
        self.assertEqual([(as_float(p["value"]), int(p["step"])) for p in history(run_id, "loss")], [(0.25, 3)])

        fold = get_run(out["fold"])
        self.assertNotEqual(out["fold"], run_id)
        self.assertEqual(out["fold_experiment"], str(experiment_id))
        self.assertEqual(tags_of(fold).get("mlflow.parentRunId"), run_id)
        self.assertEqual(fold["info"]["status"], "FINISHED")

        child = get_run(out["child"])
        self.assertEqual(out["child_experiment"], str(experiment_id))
        self.assertEqual(tags_of(child).get("mlflow.parentRunId"), run_id)
        self.assertEqual(child["info"]["status"], "FINISHED")

        elsewhere = get_run(out["other"])
        self.assertNotEqual(out["other_experiment"], str(experiment_id))
        self.assertEqual(tags_of(elsewhere).get("mlflow.parentRunId"), run_id)
        self.assertEqual(elsewhere["info"]["status"], "FINISHED")

    def test_log_calls_attach_without_start_run(self):
        run_id, _, env = self.cli_run()
        run_script(
            """
            import mlops_workbench as mw
            mw.log_metric("acc", 0.9)
            mw.set_tag("note", "implicit")
            assert mw.active_run().run_id == %r
            """
            % run_id,
            env=env,
        )
        cli = get_run(run_id)
        self.assertEqual(cli["info"]["status"], "RUNNING")
        self.assertEqual(tags_of(cli).get("note"), "implicit")
        self.assertEqual(len(history(run_id, "acc")), 1)


# -- params and tags ----------------------------------------------------------------

class ParamsAndTagsTest(ClientTest):
    def test_params_and_tags_are_stored_as_strings(self):
        params = {"p%03d" % i: i for i in range(150)}  # more than one log-batch holds
        with mw.start_run(experiment=unique("params")) as run:
            self.assertEqual(mw.log_param("lr", 0.001), 0.001)
            mw.log_param("layers", [64, 32])
            mw.log_params(params)
            mw.set_tag("owner", "alice")
            mw.set_tags({"t%03d" % i: "v%d" % i for i in range(120)})
            # Sent at once, not buffered: visible before the run ends.
            self.assertEqual(params_of(get_run(run.run_id)).get("lr"), "0.001")
        server = get_run(run.run_id)
        stored = params_of(server)
        self.assertEqual(stored["layers"], "[64, 32]")
        for key, value in params.items():
            self.assertEqual(stored.get(key), str(value))
        tags = tags_of(server)
        self.assertEqual(tags["owner"], "alice")
        self.assertEqual(tags["t119"], "v119")

    def test_a_refused_request_raises_mlops_error(self):
        with mw.start_run(experiment=unique("refused")):
            with self.assertRaises(mw.MlopsError) as caught:
                mw.log_param("bad@name", 1)
        self.assertEqual(caught.exception.error_code, "INVALID_PARAMETER_VALUE")
        self.assertEqual(caught.exception.status, 400)


# -- metrics ------------------------------------------------------------------------

class MetricsTest(ClientTest):
    def test_every_point_of_a_long_loop_arrives(self):
        n = 5000
        with mw.start_run(experiment=unique("many")) as run:
            for step in range(n):
                mw.log_metric("loss", 1.0 / (step + 1), step=step)
                mw.log_metric("acc", step / n, step=step)
        loss = history(run.run_id, "loss")
        self.assertEqual(len(loss), n)
        self.assertEqual(sorted(int(p["step"]) for p in loss), list(range(n)))
        by_step = {int(p["step"]): as_float(p["value"]) for p in loss}
        self.assertAlmostEqual(by_step[0], 1.0)
        self.assertAlmostEqual(by_step[4999], 1.0 / 5000)
        self.assertEqual(len(history(run.run_id, "acc")), n)

    def test_points_arrive_within_seconds_without_flush(self):
        # A notebook kernel never exits: the timer thread must send on its own.
        with mw.start_run(experiment=unique("timer")) as run:
            mw.log_metric("live", 1.0)
            deadline = time.time() + 5
            while time.time() < deadline and not history(run.run_id, "live"):
                time.sleep(0.1)
            self.assertEqual(len(history(run.run_id, "live")), 1)

    def test_timer_sends_even_after_an_early_flush(self):
        # A flush (or end_run) before the first metric must not keep the 1 s timer from
        # starting; os._exit skips atexit, so only the timer can have sent the point.
        proc = run_script(
            """
            import os, time, mlops_workbench as mw
            with mw.start_run(experiment="early-flush"):
                pass
            run = mw.start_run(experiment="early-flush")
            mw.log_metric("late", 1.0)
            print(run.run_id, flush=True)
            time.sleep(3)
            os._exit(0)
            """
        )
        self.assertEqual(len(history(proc.stdout.strip(), "late")), 1)

    def test_non_finite_values_round_trip(self):
        with mw.start_run(experiment=unique("nan")) as run:
            mw.log_metric("weird", float("nan"), step=0)
            mw.log_metric("weird", float("inf"), step=1)
            mw.log_metric("weird", float("-inf"), step=2)
            mw.log_metric("weird", 1.5, step=3)
        values = {int(p["step"]): as_float(p["value"]) for p in history(run.run_id, "weird")}
        self.assertTrue(math.isnan(values[0]))
        self.assertEqual(values[1], math.inf)
        self.assertEqual(values[2], -math.inf)
        self.assertEqual(values[3], 1.5)

    def test_defaults_and_explicit_timestamps(self):
        before = int(time.time() * 1000)
        with mw.start_run(experiment=unique("ts")) as run:
            mw.log_metric("a", 1)
            mw.log_metric("b", 2, step=7, timestamp=1234567)
            mw.log_metrics({"c": 3, "d": 4}, step=2)
        (a,) = history(run.run_id, "a")
        self.assertEqual(int(a["step"]), 0)
        self.assertGreaterEqual(int(a["timestamp"]), before)
        (b,) = history(run.run_id, "b")
        self.assertEqual((int(b["step"]), int(b["timestamp"])), (7, 1234567))
        (c,) = history(run.run_id, "c")
        (d,) = history(run.run_id, "d")
        self.assertEqual((int(c["step"]), as_float(c["value"])), (2, 3.0))
        self.assertEqual(c["timestamp"], d["timestamp"])

    def test_a_bad_key_does_not_lose_the_other_keys(self):
        with mw.start_run(experiment=unique("badkey")) as run:
            for step in range(10):
                mw.log_metric("good", step, step=step)
                mw.log_metric("bad@key", step, step=step)
        self.assertEqual(len(history(run.run_id, "good")), 10)

    def test_keep_alive_connection_survives_server_idle_timeout(self):
        # Node closes idle keep-alive sockets after 5 s; the next request must not fail.
        with mw.start_run(experiment=unique("idle")):
            mw.log_param("before", 1)
            time.sleep(6)
            mw.log_param("after", 2)


# -- artifacts --------------------------------------------------------------------

class ArtifactsTest(ClientTest):
    def test_text_dict_file_folder_and_figure(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        model = os.path.join(tmp, "model.bin")
        blob = os.urandom(300_000)
        with open(model, "wb") as f:
            f.write(blob)
        folder = os.path.join(tmp, "plots")
        os.makedirs(os.path.join(folder, "deep"))
        with open(os.path.join(folder, "a.txt"), "w") as f:
            f.write("A")
        with open(os.path.join(folder, "deep", "b c.txt"), "w") as f:
            f.write("B")
        png = os.path.join(tmp, "curve.png")
        with open(png, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\nfake")

        class Figure:  # what log_figure needs of a matplotlib Figure
            def savefig(self, out, format):
                out.write(b"figure as " + format.encode())

        with mw.start_run(experiment=unique("artifacts")) as run:
            mw.log_text("héllo", "notes/readme.txt")
            mw.log_dict({"lr": 0.1, "layers": [1, 2]}, "config.json")
            mw.log_dict({"lr": 0.1}, "config.yaml")
            mw.log_artifact(model)
            mw.log_artifact(model, "checkpoints")
            mw.log_artifact(folder)
            mw.log_artifacts(folder, "flat")
            mw.log_figure(png, "figures/curve.png")
            mw.log_figure(Figure(), "figures/live.png")

        root = list_artifacts(run.run_id)
        for path in ("notes", "config.json", "config.yaml", "model.bin", "checkpoints", "plots", "flat", "figures"):
            self.assertIn(path, root)
        self.assertTrue(root["notes"]["is_dir"])
        self.assertFalse(root["model.bin"]["is_dir"])
        self.assertEqual(int(root["model.bin"]["file_size"]), len(blob))
        self.assertIn("plots/deep", list_artifacts(run.run_id, "plots"))
        self.assertIn("plots/deep/b c.txt", list_artifacts(run.run_id, "plots/deep"))

        self.assertEqual(download(run, "notes/readme.txt").decode("utf-8"), "héllo")
        self.assertEqual(json.loads(download(run, "config.json")), {"lr": 0.1, "layers": [1, 2]})
        self.assertIn(b"lr: 0.1", download(run, "config.yaml").replace(b'"lr": ', b"lr: "))
        self.assertEqual(download(run, "model.bin"), blob)
        self.assertEqual(download(run, "checkpoints/model.bin"), blob)
        self.assertEqual(download(run, "plots/deep/b c.txt"), b"B")
        self.assertEqual(download(run, "flat/a.txt"), b"A")
        self.assertEqual(download(run, "figures/curve.png"), b"\x89PNG\r\n\x1a\nfake")
        self.assertEqual(download(run, "figures/live.png"), b"figure as png")

    def test_missing_local_file_is_a_clear_error(self):
        with mw.start_run(experiment=unique("nofile")):
            with self.assertRaises(mw.MlopsError) as caught:
                mw.log_artifact("/definitely/not/here.bin")
        self.assertIn("/definitely/not/here.bin", str(caught.exception))


# -- models -------------------------------------------------------------------------

# Real ONNX models written by test/pythonClient.test.ts (this interpreter has no onnx).
ONNX_DIR = os.environ.get("MLOPS_TEST_ONNX_DIR")


def model_view(name):
    """The native registry view of one model: versions with signature, features, servable."""
    status, raw = request("GET", "/api/v1/models", {"name": name})
    if status != 200:
        raise AssertionError("GET /api/v1/models?name=%s -> HTTP %d: %s" % (name, status, raw[:300]))
    return json.loads(raw)["models"][0]


class ModelsTest(ClientTest):
    def setUp(self):
        if not ONNX_DIR:
            raise AssertionError("set MLOPS_TEST_ONNX_DIR to a folder with linear.onnx and corrupt.onnx (test/pythonClient.test.ts does)")
        self.linear = os.path.join(ONNX_DIR, "linear.onnx")
        self.corrupt = os.path.join(ONNX_DIR, "corrupt.onnx")

    def test_log_model_registers_a_file_linked_to_the_run_with_alias_and_features(self):
        name = unique("py-linear")
        with mw.start_run(experiment=unique("models")) as run:
            version = mw.log_model(self.linear, name=name, alias="champion", features=["age", "income", "plan:categorical", "tenure"])
        self.assertEqual((version.name, version.version, version.uri), (name, "1", "models:/%s/1" % name))
        self.assertEqual(version.to_dict()["uri"], "models:/%s/1" % name)
        self.assertIn("model/linear.onnx", list_artifacts(run.run_id, "model"))

        got = api("GET", "/model-versions/get", {"name": name, "version": "1"})["model_version"]
        self.assertEqual(got["run_id"], run.run_id)
        self.assertEqual(got["source"], "runs:/%s/model" % run.run_id)
        self.assertEqual(got["status"], "READY")
        by_alias = api("GET", "/registered-models/alias", {"name": name, "alias": "champion"})["model_version"]
        self.assertEqual(by_alias["version"], "1")

        v = model_view(name)["versions"][0]
        self.assertEqual((v["format"], v["servable"]), ("onnx", True))
        self.assertEqual(v["signature"]["inputs"], [{"name": "float_input", "elementType": "float32", "shape": ["N", 4]}])
        self.assertEqual([(f["name"], f["categorical"]) for f in v["features"]["features"]],
                         [("age", False), ("income", False), ("plan", True), ("tenure", False)])
        self.assertEqual(v["run"]["runId"], run.run_id)
        # The generated MLmodel sits beside the model file, for MLflow clients.
        status, raw = request("GET", "/api/2.0/mlflow-artifacts/artifacts/models/%s/1/MLmodel" % name)
        self.assertEqual(status, 200)
        self.assertIn(b"loader_module: mlflow.onnx", raw)

        with mw.start_run(experiment=unique("models")):
            again = mw.log_model(self.linear, name=name, artifact_path="retrained")
        self.assertEqual(again.version, "2")

    def test_log_dataset_records_the_file_as_a_run_input_and_names_the_models_features(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        csv_path = os.path.join(tmp, "train.csv")
        with open(csv_path, "w") as f:
            f.write("age,income,plan,tenure,churned\n34,52000.5,basic,12,0\n51,71000,pro,40,1\n")
        name = unique("py-with-data")
        with mw.start_run(experiment=unique("datasets")) as run:
            uri = mw.log_dataset(csv_path)
            version = mw.log_model(self.linear, name=name)
        self.assertEqual(uri, "runs:/%s/datasets/train.csv" % run.run_id)
        self.assertIn("datasets/train.csv", list_artifacts(run.run_id, "datasets"))
        inputs = get_run(run.run_id)["inputs"]["dataset_inputs"]
        self.assertEqual(len(inputs), 1)
        dataset = inputs[0]["dataset"]
        self.assertEqual(dataset["name"], "train")
        self.assertEqual(json.loads(dataset["profile"]), {"num_rows": 2})
        columns = json.loads(dataset["schema"])["mlflow_colspec"]
        self.assertEqual([(c["name"], c["type"]) for c in columns],
                         [("age", "long"), ("income", "double"), ("plan", "string"), ("tenure", "long"), ("churned", "long")])
        self.assertEqual(inputs[0]["tags"], [{"key": "mlflow.data.context", "value": "training"}])
        # The registry names the model's inputs from the training data set's columns.
        features = model_view(name)["versions"][0]["features"]
        self.assertIsNotNone(features)
        self.assertEqual([f["name"] for f in features["features"]][:4], ["age", "income", "plan", "tenure"])
        self.assertEqual(version.version, "1")

        with self.assertRaises(mw.MlopsError):
            with mw.start_run(experiment=unique("datasets")):
                mw.log_dataset(os.path.join(tmp, "missing.csv"))

    def test_log_model_logs_a_folder_and_without_a_name_only_logs(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        folder = os.path.join(tmp, "exported")
        os.makedirs(folder)
        shutil.copy(self.linear, os.path.join(folder, "model.onnx"))
        with open(os.path.join(folder, "MLmodel"), "w") as f:
            f.write("flavors:\n  onnx:\n    data: model.onnx\n    onnx_version: 1.16.0\n")
        with mw.start_run(experiment=unique("models")) as run:
            uri = mw.log_model(folder, artifact_path="onnx_model")
            name = unique("py-folder")
            version = mw.log_model(folder, name=name)
        self.assertEqual(uri, "runs:/%s/onnx_model" % run.run_id)
        self.assertEqual(set(list_artifacts(run.run_id, "onnx_model")), {"onnx_model/MLmodel", "onnx_model/model.onnx"})
        self.assertEqual(version.version, "1")
        v = model_view(name)["versions"][0]
        self.assertEqual((v["format"], v["servable"], v["fileCount"]), ("mlflow-model", True, 2))
        self.assertEqual(v["signature"]["outputs"][0]["name"], "probabilities")

    def test_a_model_the_server_refuses_raises_and_registers_nothing(self):
        name = unique("py-corrupt")
        with mw.start_run(experiment=unique("models")):
            with self.assertRaises(mw.MlopsError) as caught:
                mw.log_model(self.corrupt, name=name)
            with self.assertRaises(mw.MlopsError) as wrong:
                mw.log_model(self.linear, name=name, features="a,b,c")
        self.assertEqual(caught.exception.error_code, "INVALID_PARAMETER_VALUE")
        self.assertIn("corrupt.onnx is not a loadable ONNX model: ", caught.exception.message)
        self.assertIn("names 3 features but float_input has 4 columns", wrong.exception.message)
        status, _ = request("GET", "/api/2.0/mlflow/registered-models/get", {"name": name})
        self.assertEqual(status, 404)
        with self.assertRaises(mw.MlopsError):
            mw.log_model(self.linear, alias="champion")


# -- fork safety --------------------------------------------------------------------

def _worker_logs(n):
    # Runs in a multiprocessing child (DataLoader-style): no explicit flush, leaves via os._exit.
    for i in range(n):
        mw.log_metric("worker", i, step=i)


@unittest.skipUnless(hasattr(os, "fork"), "needs fork")
class ForkTest(ClientTest):
    def test_child_logs_its_points_and_parent_points_are_not_duplicated(self):
        with mw.start_run(experiment=unique("fork")) as run:
            for i in range(100):
                mw.log_metric("parent", i, step=i)
            self.assertGreater(_client.buffer.pending(), 0, "points must still be queued at fork time")
            pid = os.fork()
            if pid == 0:  # child
                code = 0
                try:
                    for i in range(50):
                        mw.log_metric("child", i, step=i)
                    mw.flush()
                except BaseException:  # noqa: BLE001
                    code = 1
                os._exit(code)
            _, status = os.waitpid(pid, 0)
            self.assertEqual(status, 0)
            for i in range(100, 120):
                mw.log_metric("parent", i, step=i)
        parent = history(run.run_id, "parent")
        self.assertEqual(sorted(int(p["step"]) for p in parent), list(range(120)))
        self.assertEqual(sorted(int(p["step"]) for p in history(run.run_id, "child")), list(range(50)))
        self.assertEqual(get_run(run.run_id)["info"]["status"], "FINISHED")

    def test_multiprocessing_worker_points_arrive_without_flush(self):
        ctx = multiprocessing.get_context("fork")
        with mw.start_run(experiment=unique("workers")) as run:
            mw.log_metric("main", 1)
            workers = [ctx.Process(target=_worker_logs, args=(30,)) for _ in range(2)]
            for w in workers:
                w.start()
            for w in workers:
                w.join(60)
                self.assertEqual(w.exitcode, 0)
            self.assertEqual(get_run(run.run_id)["info"]["status"], "RUNNING", "a worker must not end the run")
        self.assertEqual(len(history(run.run_id, "worker")), 60)
        self.assertEqual(len(history(run.run_id, "main")), 1)


# -- spool ------------------------------------------------------------------------

def dead_url():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return "http://127.0.0.1:%d" % port


class SpoolTest(ClientTest):
    def setUp(self):
        os.environ["MLOPS_HTTP_RETRY_S"] = "0.5"
        self.addCleanup(os.environ.pop, "MLOPS_HTTP_RETRY_S", None)
        self.addCleanup(mw.set_tracking_uri, URL, TOKEN)

    def spool_files(self, run_id):
        folder = os.path.join(WORKSPACE, ".mlops", "spool")
        return [n for n in os.listdir(folder) if n.startswith(run_id)] if os.path.isdir(folder) else []

    def test_points_logged_while_the_server_is_away_arrive_later(self):
        with mw.start_run(experiment=unique("spool")) as run:
            mw.log_metric("m", -1, step=0)
            mw.flush()
            mw.set_tracking_uri(dead_url(), TOKEN)
            for i in range(1, 2501):
                mw.log_metric("m", i, step=i)
            started = time.time()
            mw.flush()  # cannot deliver: spools instead of raising or hanging
            self.assertLess(time.time() - started, 10)
            # (the flusher thread may be replaying it at this moment: any name of ours)
            self.assertTrue(self.spool_files(run.run_id))
            self.assertEqual(len(history(run.run_id, "m")), 1)
            mw.set_tracking_uri(URL, TOKEN)
            mw.log_metric("m", 2501, step=2501)
            mw.flush()
            self.assertEqual(self.spool_files(run.run_id), [])
        steps = sorted(int(p["step"]) for p in history(run.run_id, "m"))
        self.assertEqual(steps, list(range(0, 2502)))

    def test_a_later_process_delivers_what_an_earlier_one_spooled(self):
        proc = run_script(
            """
            import mlops_workbench as mw
            run = mw.start_run(experiment=%r)
            print(run.run_id, flush=True)
            mw.set_tracking_uri(%r, %r)  # the server goes away mid-run
            for i in range(300):
                mw.log_metric("orphan", i, step=i)
            """
            % (unique("crash"), dead_url(), TOKEN),
            env={"MLOPS_HTTP_RETRY_S": "0.3"},
        )
        run_id = proc.stdout.strip()
        self.assertEqual(history(run_id, "orphan"), [])
        self.assertEqual(len(self.spool_files(run_id)), 1)
        run_script("import mlops_workbench as mw; mw.flush()")
        self.assertEqual(sorted(int(p["step"]) for p in history(run_id, "orphan")), list(range(300)))
        self.assertEqual(self.spool_files(run_id), [])


# -- heartbeat --------------------------------------------------------------------

HEARTBEAT_TIMEOUT_MS = os.environ.get("MLOPS_HEARTBEAT_TIMEOUT_MS")


@unittest.skipUnless(HEARTBEAT_TIMEOUT_MS, "set MLOPS_HEARTBEAT_TIMEOUT_MS to the server's (short) heartbeat timeout")
class HeartbeatTest(ClientTest):
    SCRIPT = """
        import sys, mlops_workbench as mw
        with mw.start_run(experiment="heartbeats") as run:
            print(run.run_id, flush=True)
            sys.stdin.readline()  # alive until the test says stop
        """

    def start(self):
        full_env = dict(os.environ, PYTHONPATH=PYTHON_DIR, MLOPS_HEARTBEAT_INTERVAL_S="0.3")
        proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(self.SCRIPT)], env=full_env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        def stop():
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

        self.addCleanup(stop)
        return proc, proc.stdout.readline().strip()

    def test_a_killed_process_run_fails_and_a_live_one_keeps_running(self):
        alive, alive_run = self.start()
        killed, killed_run = self.start()
        killed.kill()  # SIGKILL: no atexit, no end_run; only the missing heartbeats tell
        deadline = time.time() + float(HEARTBEAT_TIMEOUT_MS) / 1000 + 15
        while time.time() < deadline and get_run(killed_run)["info"]["status"] == "RUNNING":
            time.sleep(0.2)
        self.assertEqual(get_run(killed_run)["info"]["status"], "FAILED")
        self.assertEqual(get_run(alive_run)["info"]["status"], "RUNNING", "heartbeats keep a live run RUNNING")
        alive.communicate("stop\n", timeout=30)
        self.assertEqual(alive.returncode, 0)
        self.assertEqual(get_run(alive_run)["info"]["status"], "FINISHED")


# -- discovery ----------------------------------------------------------------------

class DiscoveryTest(ClientTest):
    NO_ENV = {"MLOPS_TRACKING_URI": None, "MLOPS_TRACKING_TOKEN": None, "MLOPS_WORKSPACE": None, "MLFLOW_TRACKING_URI": None}

    def test_server_json_is_found_from_a_subfolder(self):
        sub = os.path.join(WORKSPACE, unique("src"), "deep", "er")
        os.makedirs(sub)
        self.addCleanup(shutil.rmtree, os.path.dirname(os.path.dirname(sub)))
        proc = run_script(
            """
            import mlops_workbench as mw
            with mw.start_run(experiment="discovered") as run:
                mw.log_metric("found", 1)
            print(run.run_id)
            print(mw.get_tracking_uri())
            """,
            env=self.NO_ENV,
            cwd=sub,
        )
        run_id, uri = proc.stdout.split()
        with open(os.path.join(WORKSPACE, ".mlops", "server.json")) as f:
            self.assertEqual(uri.rstrip("/"), json.load(f)["url"].rstrip("/"))
        self.assertEqual(get_run(run_id)["info"]["status"], "FINISHED")
        self.assertEqual(len(history(run_id, "found")), 1)

    @unittest.skipUnless(os.environ.get("MLOPS_TEST_CLI"), "set MLOPS_TEST_NODE and MLOPS_TEST_CLI to start a second backend")
    def test_a_server_back_on_another_port_is_found_again(self):
        # server.json first names a port nothing answers on, its pid alive (as while the
        # server restarts); then the workspace's own server starts and rewrites it.
        workspace = os.path.realpath(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, workspace, True)
        os.makedirs(os.path.join(workspace, ".mlops"), 0o700)
        server_file = os.path.join(workspace, ".mlops", "server.json")
        with open(server_file, "w") as f:
            json.dump({"url": dead_url(), "token": "stale-" + "x" * 32, "pid": os.getpid()}, f)
        os.chmod(server_file, 0o600)
        servers = []

        def restarted():
            servers.append(subprocess.Popen(
                [os.environ["MLOPS_TEST_NODE"], os.environ["MLOPS_TEST_CLI"], "server", "--workspace", workspace, "--port", "0"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))

        def stop():
            for server in servers:
                server.terminate()
                server.wait(30)

        self.addCleanup(stop)
        timer = threading.Timer(0.5, restarted)
        timer.start()
        proc = run_script(
            """
            import mlops_workbench as mw
            with mw.start_run(experiment="moved") as run:
                mw.log_metric("after_move", 1)
            print(run.run_id)
            """,
            env=dict(self.NO_ENV, MLOPS_HTTP_RETRY_S="30"),
            cwd=workspace,
        )
        timer.join()
        run_id = proc.stdout.strip()
        with open(server_file) as f:
            live = json.load(f)
        self.assertEqual(live["pid"], servers[0].pid)
        status, raw = request("GET", "/api/2.0/mlflow/runs/get", {"run_id": run_id}, token=live["token"], url=live["url"])
        self.assertEqual(status, 200, raw)
        self.assertEqual(json.loads(raw)["run"]["info"]["status"], "FINISHED")
        status, raw = request(
            "GET", "/api/2.0/mlflow/metrics/get-history", {"run_id": run_id, "metric_key": "after_move"}, token=live["token"], url=live["url"]
        )
        self.assertEqual(len(json.loads(raw)["metrics"]), 1)

    def test_no_server_anywhere_says_what_to_do(self):
        empty = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, empty)
        proc = run_script("import mlops_workbench as mw; mw.start_run()", env=self.NO_ENV, cwd=empty, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("MlopsError", proc.stderr)
        self.assertIn("mlops server", proc.stderr)
        self.assertIn("mlops run -- python", proc.stderr)

    def test_wrong_token_is_a_clear_error(self):
        proc = run_script(
            "import mlops_workbench as mw; mw.start_run()", env={"MLOPS_TRACKING_TOKEN": "not-the-token"}, check=False
        )
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("HTTP 401", proc.stderr)


if __name__ == "__main__":
    unittest.main()
