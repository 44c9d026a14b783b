import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from '../cliError';
import { ensureServer } from '../ensureServer';
import { parseKeyValues } from '../keyValueArgs';
import { resolveWorkspace } from '../workspace';
import { runTracked } from '../tracked/trackedRun';
import { debugpyCommand, debugpyMissing } from '../tracked/debugpyCommand';

export const RUN_HELP = `Usage: mlops run [options] -- COMMAND [ARGS...]

Runs COMMAND as a tracked run: records the command, params, git commit/branch
(and the diff of a dirty tree), the Python environment, system metrics and the
output, and ends the run FINISHED, FAILED or KILLED. Exits with COMMAND's code.
Inside, MLflow scripts and "import mlops_workbench" log to this workspace.

Options:
  --experiment NAME   experiment to record the run in (created if missing; default "Default")
  --name NAME         run name (default: a generated one)
  --param k=v         a parameter (repeatable)
  --tag k=v           a tag (repeatable)
  --workspace DIR     workspace folder (default: nearest folder with .mlops/, else the current one)
  --debug-connect HOST:PORT
                      run a Python COMMAND under debugpy, connecting to a debugger listening
                      there (what "Debug Current File with Tracking" uses); the run records
                      COMMAND as written
  --note TEXT         a line to print before the run starts (repeatable; the editor says
                      which interpreter and experiment it chose, and why)
  -h, --help          this help

Example:
  mlops run --experiment churn --param lr=0.1 -- python3 train.py --lr 0.1`;

export async function runCommand(argv: string[]): Promise<number> {
  const { own, command } = splitCommand(argv);
  const { values } = parseArgs({
    args: own,
    options: {
      experiment: { type: 'string' },
      name: { type: 'string' },
      param: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
      workspace: { type: 'string' },
      'debug-connect': { type: 'string' },
      note: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  for (const note of values.note ?? []) process.stderr.write(`[mlops] ${note}\n`);
  const fullCommand = command;
  if (fullCommand.length === 0) throw new CliError(`mlops run: no command given.\n\n${RUN_HELP}`, 2);
  if (!commandExists(fullCommand[0])) throw new CliError(`mlops run: command not found: ${fullCommand[0]}`, 127);
  const spawnCommand = values['debug-connect'] === undefined ? undefined : debugpyCommand(fullCommand, values['debug-connect']);
  if (typeof spawnCommand === 'string') throw new CliError(`mlops run: ${spawnCommand}`, 2);
  if (spawnCommand) {
    const missing = await debugpyMissing(spawnCommand[0], process.env);
    if (missing) throw new CliError(`mlops run: ${missing}`, 2);
  }
  const workspace = resolveWorkspace(values.workspace);
  const log = (line: string) => process.stderr.write(`[mlops] ${line}\n`);
  const { info: server, started } = await ensureServer(workspace);
  if (started) log(`started this workspace's server at ${server.url} in the background (it stops after 30 idle minutes; log in .mlops/logs/server.log)`);
  const result = await runTracked({
    workspace,
    server,
    command: fullCommand,
    spawnCommand,
    experiment: values.experiment,
    runName: values.name,
    params: parseKeyValues(values.param, '--param'),
    tags: parseKeyValues(values.tag, '--tag'),
    heartbeatMs: positiveNumber(process.env.MLOPS_HEARTBEAT_INTERVAL_MS),
    systemMetricsMs: positiveNumber(process.env.MLOPS_SYSTEM_METRICS_INTERVAL_MS),
    log,
  });
  return result.exitCode;
}

const VALUE_FLAGS = new Set(['--experiment', '--name', '--param', '--tag', '--workspace', '--debug-connect', '--note']);

/**
 * Our options come first; the command starts after `--` or at the first word
 * that is not one of our options, so `mlops run python3 x.py --lr 1` works too.
 */
export function splitCommand(argv: string[]): { own: string[]; command: string[] } {
  const own: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return { own, command: argv.slice(i + 1) };
    if (!arg.startsWith('-')) return { own, command: argv.slice(i) };
    own.push(arg);
    if (VALUE_FLAGS.has(arg) && i + 1 < argv.length) own.push(argv[++i]);
  }
  return { own, command: [] };
}

function positiveNumber(value: string | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Whether `name` can be run: a path to an executable file, or found on PATH. */
function commandExists(name: string): boolean {
  const isFile = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return isFile(name);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && isFile(join(dir, name)));
}
