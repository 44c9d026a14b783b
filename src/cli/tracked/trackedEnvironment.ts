import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { ServerInfo } from '../../protocol/native';

/** The bundled Python client: python/ beside dist/ in the repo and in a VSIX. */
export function bundledPythonPath(): string | undefined {
  const candidates = [join(__dirname, '..', 'python'), join(__dirname, '..', '..', 'python'), join(__dirname, '..', '..', '..', 'python')];
  return candidates.find((c) => existsSync(join(c, 'mlops_workbench', '__init__.py')));
}

/**
 * What a tracked command's process gets: MLflow's variables (so an unchanged
 * MLflow script logs here), ours for the bundled client, and the client on
 * PYTHONPATH. MLFLOW_RUN_ID is deliberately not set: MLflow's fluent
 * start_run refuses a run id from another experiment, which breaks scripts
 * that call mlflow.set_experiment(). Instead MLFLOW_RUN_CONTEXT tags every run
 * MLflow creates as a child of the tracked run. MLOPS_PARAMS carries the run's
 * params as a JSON object.
 */
export function trackedEnvironment(
  base: NodeJS.ProcessEnv,
  server: ServerInfo,
  run: { runId: string; experimentId: string },
  workspace: string,
  params: { key: string; value: string }[] = [],
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  env.MLFLOW_TRACKING_URI = server.url;
  env.MLFLOW_TRACKING_TOKEN = server.token;
  env.MLFLOW_EXPERIMENT_ID = run.experimentId;
  delete env.MLFLOW_EXPERIMENT_NAME;
  delete env.MLFLOW_RUN_ID;
  env.MLFLOW_RUN_CONTEXT = JSON.stringify({ 'mlflow.parentRunId': run.runId });
  env.MLOPS_TRACKING_URI = server.url;
  env.MLOPS_TRACKING_TOKEN = server.token;
  env.MLOPS_RUN_ID = run.runId;
  env.MLOPS_EXPERIMENT_ID = run.experimentId;
  env.MLOPS_WORKSPACE = workspace;
  // The run's params (`--param`, or what the editor asked for), so a script can
  // read them without parsing arguments: json.loads(os.environ["MLOPS_PARAMS"]).
  env.MLOPS_PARAMS = JSON.stringify(Object.fromEntries(params.map((p) => [p.key, p.value])));
  env.PYTHONUNBUFFERED = '1';
  const python = bundledPythonPath();
  if (python) env.PYTHONPATH = base.PYTHONPATH ? `${python}${delimiter}${base.PYTHONPATH}` : python;
  // Loopback must never go through a proxy.
  const noProxy = ['127.0.0.1', 'localhost', '::1'];
  const existing = (base.NO_PROXY ?? base.no_proxy ?? '').split(',').filter(Boolean);
  env.NO_PROXY = env.no_proxy = [...new Set([...existing, ...noProxy])].join(',');
  return env;
}
