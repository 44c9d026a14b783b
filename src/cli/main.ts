import { StoreError } from '../core/store/storeErrors';
import { CliError } from './cliError';
import { runCommand, RUN_HELP } from './commands/runCommand';
import { serverCommand } from './commands/serverCommand';
import { experimentsCommand } from './commands/experimentsCommand';
import { runsCommand } from './commands/runsCommand';
import { gcCommand } from './commands/gcCommand';
import { modelsCommand } from './commands/modelsCommand';
import { pipelineCommand } from './commands/pipelineCommand';
import { serveCommand } from './commands/serveCommand';
import { monitorCommand } from './commands/monitorCommand';
import { deploymentsCommand } from './commands/deploymentsCommand';
import { version } from '../../package.json';

const HELP = `mlops ${version}: experiment tracking and a model registry for a workspace, MLflow-compatible.

Usage: mlops <command> [options]

Commands:
  run [opts] -- CMD...     run a command as a tracked run
  server                   serve the workspace's store (MLflow REST API) on 127.0.0.1
  experiments list         list experiments (also: create, delete, restore)
  runs list | show ID      list runs (MLflow filter syntax) or show one
  models register | list | show | alias
                           the model registry: register a file, folder or runs:/ artifact
  pipeline run | check | status | schema
                           run a *.pipeline.yaml (tracked steps, caching, gated registration)
  serve MODEL_URI          serve a registered ONNX model (Open Inference Protocol, MLflow
                           /invocations, KServe v1, /metrics), with A/B splits or shadowing
  deployments list | show | stop | restart
                           the deployments the workspace's backend runs
  monitor report           data drift between a reference CSV and current data (Evidently's
                           tests and thresholds); --json, --html, --fail-on-drift for CI
  gc                       remove artifact files no run references
  --version, --help

"mlops <command> --help" explains a command. The store is .mlops/ in the workspace.

${RUN_HELP.split('\n').slice(-2).join('\n')}`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  server: serverCommand,
  experiments: experimentsCommand,
  runs: runsCommand,
  gc: gcCommand,
  models: modelsCommand,
  pipeline: pipelineCommand,
  serve: serveCommand,
  monitor: monitorCommand,
  deployments: deploymentsCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(version);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`mlops: unknown command '${name}'. Run "mlops --help" for the list.`, 2);
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // `mlops run` may leave handles (a piped terminal) open; exit once output is flushed.
    if (process.argv[2] === 'run' || process.argv[2] === 'pipeline') process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (err: unknown) => {
    const { message, exitCode } = describeError(err);
    process.stderr.write(`${message}\n`);
    process.exitCode = exitCode;
  },
);

/** What to print for an error: a message a person can act on, never a stack trace unless MLOPS_DEBUG is set. */
function describeError(err: unknown): { message: string; exitCode: number } {
  const text = (err as Error)?.message ?? String(err);
  const prefixed = (m: string) => (m.startsWith('mlops') ? m : `mlops: ${m}`);
  if (err instanceof CliError) return { message: prefixed(text), exitCode: err.exitCode };
  if (err instanceof StoreError || isUserInputError(err)) return { message: prefixed(text), exitCode: 1 };
  const code = (err as { code?: string })?.code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return { message: prefixed(`${text.replace(/\.+$/, '')}. See "mlops ${process.argv[2]} --help".`), exitCode: 2 };
  }
  if (process.env.MLOPS_DEBUG) return { message: prefixed((err as Error)?.stack ?? text), exitCode: 1 };
  return { message: prefixed(`${text}\n(set MLOPS_DEBUG=1 to see where it happened)`), exitCode: 1 };
}

/** Errors about what a person typed (a search filter, a page token): no stack trace. */
function isUserInputError(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'SearchFilterError' || name === 'PageTokenError';
}
