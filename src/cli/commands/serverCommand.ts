import { parseArgs } from 'node:util';
import { runServer } from '../../server/serverProcess';
import { resolveWorkspace } from '../workspace';
import { CliError } from '../cliError';

export const SERVER_HELP = `Usage: mlops server [--workspace DIR] [--port N]

Serves the workspace's store on 127.0.0.1: MLflow's REST API 2.0 (tracking and
artifacts) and the editor's API. Writes DIR/.mlops/server.json (url, token, pid)
and removes it on Ctrl-C / SIGTERM. If a server already runs for DIR, says so
and exits. MLflow clients: MLFLOW_TRACKING_URI=<url> MLFLOW_TRACKING_TOKEN=<token>.

Options:
  --workspace DIR   workspace folder (default: nearest folder with .mlops/, else the current one)
  --port N          port (default: the one used last time if free, else any free port)`;

export async function serverCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { workspace: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(SERVER_HELP);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CliError(`--port must be a number from 0 to 65535, got '${values.port}'.`, 2);
  const log = (line: string) => process.stderr.write(`[mlops] ${line}\n`);
  const result = await runServer({ workspace: resolveWorkspace(values.workspace), port, log, exitOnSignals: true });
  if (result.kind === 'reused') {
    console.log(`A server already runs for this workspace: ${result.info.url} (pid ${result.info.pid}).`);
    return 0;
  }
  return new Promise<number>(() => {}); // serves until a signal
}
