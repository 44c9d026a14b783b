"""Which discovered server.json files and spool folders the client trusts.

Real files with real modes and owners, a real HTTP server on loopback standing in
for a server's health route, and (when the suite runs under
test/pythonClient.test.ts) the real backend, whose health answer names its own
workspace. Nothing here needs MLOPS_TRACKING_URI except the last discovery test.
"""

import http.server
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from unittest import mock

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PYTHON_DIR)

from mlops_workbench import _config  # noqa: E402
from mlops_workbench._errors import MlopsError  # noqa: E402
from mlops_workbench._spool import Spool  # noqa: E402
from mlops_workbench._trust import check_private  # noqa: E402

NO_ENV = {"MLOPS_TRACKING_URI": "", "MLFLOW_TRACKING_URI": "", "MLOPS_WORKSPACE": ""}
OTHER_UID = 65534  # nobody
# Read before any test clears the environment for discovery.
REAL_URL = os.environ.get("MLOPS_TRACKING_URI")
REAL_TOKEN = os.environ.get("MLOPS_TRACKING_TOKEN")


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def free_port_url():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port


class HealthStandIn:
    """A loopback HTTP server answering GET /api/v1/health as `answer(token)` says."""

    def __init__(self, answer):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                token = (self.headers.get("Authorization") or "")[len("Bearer "):]
                status, body = answer(token) if self.path == "/api/v1/health" else (404, {})
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class TempWorkspace(unittest.TestCase):
    def setUp(self):
        self.workspace = os.path.realpath(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.workspace, True)
        self.mlops = os.path.join(self.workspace, ".mlops")
        os.mkdir(self.mlops, 0o700)
        self.server_file = os.path.join(self.mlops, "server.json")
        env = mock.patch.dict(os.environ, NO_ENV)
        env.start()
        self.addCleanup(env.stop)
        here = os.getcwd()
        self.addCleanup(os.chdir, here)
        sub = os.path.join(self.workspace, "src")
        os.mkdir(sub)
        os.chdir(sub)

    def write_server_file(self, url, token="t" * 32, pid=None, mode=0o600):
        with open(self.server_file, "w") as f:
            json.dump({"url": url, "token": token, "pid": os.getpid() if pid is None else pid}, f)
        os.chmod(self.server_file, mode)

    def assert_refused(self, *needles):
        with self.assertRaises(MlopsError) as caught:
            _config.discover()
        message = str(caught.exception)
        self.assertIn("UNTRUSTED_SERVER_FILE", message)
        self.assertIn(self.server_file, message)
        self.assertIn("MLOPS_TRACKING_URI", message)
        for needle in needles:
            self.assertIn(needle, message)
        return message

    def stand_in(self, answer):
        server = HealthStandIn(answer)
        self.addCleanup(server.close)
        return server


class DiscoveryTrustTest(TempWorkspace):
    def test_a_loopback_file_of_a_live_server_is_used(self):
        self.write_server_file("http://127.0.0.1:9")  # nothing answers, but its pid (ours) is alive
        loc = _config.discover()
        self.assertEqual((loc.url, loc.server_file), ("http://127.0.0.1:9", self.server_file))
        for host in ("localhost", "[::1]", "127.0.0.2"):
            self.write_server_file("http://%s:9" % host)
            self.assertEqual(_config.discover().host, host.strip("[]"))

    def test_a_file_naming_another_host_is_refused(self):
        for url in ("http://example.com:5000", "http://10.0.0.5:5000", "https://attacker.invalid"):
            self.write_server_file(url)
            self.assert_refused("not a loopback address", url)

    def test_a_file_or_folder_others_may_write_is_refused(self):
        self.write_server_file("http://127.0.0.1:9", mode=0o620)
        self.assert_refused("writable by group or others (mode 620)", "chmod go-w")
        os.chmod(self.server_file, 0o600)
        os.chmod(self.mlops, 0o777)
        self.assert_refused("its .mlops folder is writable by group or others (mode 777)")
        os.chmod(self.mlops, 0o755)
        self.assertEqual(_config.discover().url, "http://127.0.0.1:9")

    def test_a_file_of_another_user_is_refused(self):
        if os.getuid() == 0:
            self.write_server_file("http://127.0.0.1:9")
            os.chown(self.server_file, OTHER_UID, OTHER_UID)
            self.assert_refused("belongs to uid %d, not to you (uid 0)" % OTHER_UID)
            os.chown(self.server_file, 0, 0)
            os.chown(self.mlops, OTHER_UID, OTHER_UID)
            self.assert_refused("its .mlops folder belongs to uid %d" % OTHER_UID)
        else:
            # Without root no file of another user can be made here: the root folder is one.
            with self.assertRaises(MlopsError) as caught:
                check_private("/", "the folder")
            self.assertIn("belongs to uid 0", str(caught.exception))

    def test_a_stale_file_is_refused(self):
        self.write_server_file(free_port_url(), pid=dead_pid())
        self.assert_refused("is not running: the file is stale")

    def test_a_server_that_answers_for_this_workspace_is_used_whatever_its_pid(self):
        # Another container's pid means nothing here: the health answer is the proof.
        server = self.stand_in(lambda token: (200, {"ok": True, "workspace": self.workspace}) if token == "t" * 32 else (401, {}))
        self.write_server_file(server.url, pid=dead_pid())
        self.assertEqual(_config.discover().url, server.url)
        # A workspace path that does not exist here is that container's view of this folder.
        other_view = self.stand_in(lambda token: (200, {"ok": True, "workspace": "/nonexistent/mount/of/ws"}))
        self.write_server_file(other_view.url, pid=dead_pid())
        self.assertEqual(_config.discover().url, other_view.url)

    def test_a_server_of_another_workspace_or_without_the_token_is_refused(self):
        elsewhere = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, elsewhere)
        server = self.stand_in(lambda token: (200, {"ok": True, "workspace": elsewhere}))
        self.write_server_file(server.url)
        self.assert_refused("serves the workspace %s, not %s" % (elsewhere, self.workspace))
        locked = self.stand_in(lambda token: (401, {"error_code": "UNAUTHENTICATED"}))
        self.write_server_file(locked.url)
        self.assert_refused("does not accept the token the file holds (HTTP 401)")
        stranger = self.stand_in(lambda token: (200, {"hello": "world"}))
        self.write_server_file(stranger.url)
        self.assert_refused("does not answer as an MLOps server")

    def test_the_environment_still_names_any_server(self):
        self.write_server_file("http://example.com:5000")
        with mock.patch.dict(os.environ, {"MLOPS_TRACKING_URI": "http://tracking.example.com:5000"}):
            self.assertEqual(_config.discover().url, "http://tracking.example.com:5000")
        with mock.patch.dict(os.environ, {"MLFLOW_TRACKING_URI": "https://mlflow.example.com"}):
            self.assertEqual(_config.discover().url, "https://mlflow.example.com")

    def test_reload_applies_the_same_checks(self):
        self.write_server_file("http://127.0.0.1:9")
        loc = _config.discover()
        self.write_server_file("http://example.com:5000")
        with self.assertLogs("mlops_workbench", logging.WARNING) as logs:
            self.assertFalse(loc.reload())
        self.assertEqual(loc.url, "http://127.0.0.1:9")
        self.assertIn("not a loopback address", logs.output[0])
        self.write_server_file("http://127.0.0.1:10", mode=0o666)
        self.assertFalse(loc.reload())
        self.write_server_file("http://127.0.0.1:10")
        self.assertTrue(loc.reload())
        self.assertEqual(loc.url, "http://127.0.0.1:10")

    @unittest.skipUnless(REAL_URL, "needs the real server (test/pythonClient.test.ts)")
    def test_the_real_server_tells_its_own_workspace_from_this_one(self):
        self.write_server_file(REAL_URL, token=REAL_TOKEN, pid=dead_pid())
        self.assert_refused("serves the workspace")


class SpoolTrustTest(TempWorkspace):
    def spool_with_a_planted_file(self, folder, mode):
        os.makedirs(folder, exist_ok=True)
        os.chmod(folder, mode)
        planted = os.path.join(folder, "victimrun-999999.jsonl")
        with open(planted, "wb") as f:
            f.write(b'{"run_id": "victimrun", "metrics": [{"key": "planted", "value": 1, "timestamp": 1, "step": 0}]}\n')
        return planted

    def replay(self, folder):
        sent = []
        spool = Spool(lambda: folder)
        return spool.replay(sent.append), sent

    def test_without_a_workspace_the_spool_is_per_user_not_a_shared_temporary_folder(self):
        state = os.path.join(self.workspace, "state")
        with mock.patch.dict(os.environ, {"XDG_STATE_HOME": state}):
            shutil.rmtree(self.mlops)
            folder = _config.spool_dir(None)
            self.assertEqual(folder, os.path.join(state, "mlops-workbench", "spool"))
            self.assertNotEqual(folder, os.path.join(tempfile.gettempdir(), "mlops-workbench-spool"))
            Spool(lambda: folder).append("run1", b"{}")
            self.assertEqual(os.stat(folder).st_mode & 0o777, 0o700)
        self.assertTrue(_config.spool_dir(None).endswith(os.path.join(".local", "state", "mlops-workbench", "spool")))

    def test_a_spool_others_may_write_in_is_not_replayed(self):
        for folder in (os.path.join(self.workspace, "user-spool"), os.path.join(self.mlops, "spool")):
            planted = self.spool_with_a_planted_file(folder, 0o777)
            with self.assertLogs("mlops_workbench", logging.WARNING) as logs:
                done, sent = self.replay(folder)
            self.assertEqual(sent, [])
            self.assertTrue(done)
            self.assertTrue(os.path.exists(planted), "the refused spool is left as it is")
            self.assertIn("group or others may write in it (mode 777)", logs.output[0])
            self.assertIn("chmod 700", logs.output[0])
            # Nor is anything added to it.
            with self.assertRaises(OSError):
                Spool(lambda: folder).append("run1", b"{}")

    def test_a_spool_of_another_user_is_not_replayed(self):
        folder = os.path.join(self.mlops, "spool")
        self.spool_with_a_planted_file(folder, 0o700)
        if os.getuid() == 0:
            os.chown(folder, OTHER_UID, OTHER_UID)
        else:
            folder = "/"
        with self.assertLogs("mlops_workbench", logging.WARNING) as logs:
            _, sent = self.replay(folder)
        self.assertEqual(sent, [])
        self.assertIn("belongs to uid", logs.output[0])

    def test_a_private_spool_is_replayed_and_one_others_could_only_read_is_closed(self):
        folder = os.path.join(self.mlops, "spool")
        self.spool_with_a_planted_file(folder, 0o755)
        done, sent = self.replay(folder)
        self.assertTrue(done)
        self.assertEqual(len(sent), 1)
        self.assertEqual(os.stat(folder).st_mode & 0o777, 0o700)

    def test_links_inside_a_spool_are_not_followed(self):
        folder = os.path.join(self.mlops, "spool")
        os.makedirs(folder, 0o700)
        secret = os.path.join(self.workspace, "secret.jsonl")
        with open(secret, "wb") as f:
            f.write(b'{"not": "metrics"}\n')
        os.symlink(secret, os.path.join(folder, "run-999999.jsonl"))
        _, sent = self.replay(folder)
        self.assertEqual(sent, [])


if __name__ == "__main__":
    unittest.main()
