import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, startServer } from './helpers/testServer';

// What MLflow's Python client does to register a model and serve it by alias
// (MlflowClient.create_registered_model, create_model_version, the wait for
// READY, set_registered_model_alias, get_model_version_by_alias, then
// download_artifacts("models:/name@alias") via get-download-uri and the
// artifact proxy), spoken with urllib as plain HTTP, so no mlflow install is needed.
const SCRIPT = String.raw`
import json, os, sys, time, urllib.request, urllib.parse, urllib.error

BASE = os.environ["MLFLOW_TRACKING_URI"]
TOKEN = os.environ["MLFLOW_TRACKING_TOKEN"]

def call(method, path, body=None, query=None, raw=None):
    url = BASE + path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as res:
            text = res.read()
            return res.status, (json.loads(text) if text and res.headers.get("Content-Type", "").startswith("application/json") else text)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

M = "/api/2.0/mlflow"
# A run logs a model folder through the artifact proxy, as mlflow.<flavor>.log_model does.
status, run = call("POST", M + "/runs/create", {"experiment_id": "0", "run_name": "train"})
assert status == 200, run
run = run["run"]["info"]
art = run["artifact_uri"]  # mlflow-artifacts:/0/<run>/artifacts
proxy = "/api/2.0/mlflow-artifacts/artifacts/" + art[len("mlflow-artifacts:/"):]
for name, content in [("MLmodel", b"flavors:\n  onnx: {}\n"), ("model.onnx", b"\x08\x07onnx")]:
    status, _ = call("PUT", proxy + "/model/" + name, raw=content)
    assert status == 200

# mlflow.register_model: create the registered model, tolerating RESOURCE_ALREADY_EXISTS.
for attempt in range(2):
    status, body = call("POST", M + "/registered-models/create", {"name": "py-model"})
    assert status == 200 or body["error_code"] == "RESOURCE_ALREADY_EXISTS", body
status, body = call("POST", M + "/model-versions/create", {"name": "py-model", "source": art + "/model", "run_id": run["run_id"]})
assert status == 200, body
version = body["model_version"]["version"]
assert version == "1", body

# The client polls get until the version is READY (here it already is).
for _ in range(10):
    status, body = call("GET", M + "/model-versions/get", query={"name": "py-model", "version": version})
    if body["model_version"]["status"] == "READY":
        break
    time.sleep(0.2)
assert body["model_version"]["status"] == "READY", body

status, body = call("POST", M + "/registered-models/alias", {"name": "py-model", "alias": "champion", "version": version})
assert status == 200, body
status, body = call("GET", M + "/registered-models/alias", query={"name": "py-model", "alias": "champion"})
assert status == 200 and body["model_version"]["version"] == "1" and body["model_version"]["aliases"] == ["champion"], body

# download_artifacts("models:/py-model@champion"): get-download-uri, then list and fetch through the proxy.
status, body = call("GET", M + "/model-versions/get-download-uri", query={"name": "py-model", "version": version})
uri = body["artifact_uri"]
assert uri.startswith("mlflow-artifacts:/"), body
root = uri[len("mlflow-artifacts:/"):]
status, listing = call("GET", "/api/2.0/mlflow-artifacts/artifacts", query={"path": root})
names = sorted(f["path"] for f in listing["files"])
assert names == ["MLmodel", "model.onnx"], listing
status, data = call("GET", "/api/2.0/mlflow-artifacts/artifacts/" + root + "/model.onnx")
assert status == 200 and data == b"\x08\x07onnx", data

# Errors come back as MLflow's JSON with the codes the client maps to exceptions.
status, body = call("GET", M + "/registered-models/get", query={"name": "nope"})
assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST", body
status, body = call("POST", M + "/registered-models/alias", {"name": "py-model", "alias": "latest", "version": "1"})
assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE", body
status, body = call("DELETE", M + "/registered-models/alias", {"name": "py-model", "alias": "champion"})
assert status == 200, body
print("ok")
`;

test('an MLflow-client-style Python script registers, waits for READY, sets and resolves an alias, downloads the version', { timeout: 120_000 }, async () => {
  const workspace = makeWorkspace('mlops-py-registry-');
  const server = await startServer(workspace);
  try {
    const script = join(workspace, 'client.py');
    writeFileSync(script, SCRIPT);
    const result = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const proc = spawn(process.env.PYTHON ?? 'python3', [script], {
        env: { ...process.env, MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: server.token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      proc.stdout.on('data', (d) => (output += d));
      proc.stderr.on('data', (d) => (output += d));
      proc.on('error', reject);
      proc.on('close', (code) => resolve({ code, output }));
    });
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /^ok$/m);
  } finally {
    await server.stop();
  }
});
