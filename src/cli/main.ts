import { StoreError } from '../core/store/storeErrors';
import { CliError } from './cliError';
import { runCommand, RUN_HELP } from './commands/runCommand';
import { serverCommand } from './commands/serverCommand';
import { experimentsCommand } from './commands/experimentsCommand';
import { runsCommand } from './commands/runsCommand';
import { gcCommand } from './commands/gcCommand';
import { version } from '../../package.json';

const HELP = `mlops ${version}: experiment tracking for a workspace, MLflow-compatible.

Usage: mlops <command> [options]

Commands:
  run [opts] -- CMD...     run a command as a tracked run
  server                   serve the workspace's store (MLflow REST API) on 127.0.0.1
  experiments list         list experiments (also: create, delete, restore)
  runs list | show ID      list runs (MLflow filter syntax) or show one
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
    if (process.argv[2] === 'run') process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = err.exitCode;
    } else if (err instanceof StoreError || isUserInputError(err)) {
      process.stderr.write(`mlops: ${(err as Error).message}\n`);
      process.exitCode = 1;
    } else if ((err as { code?: string })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string })?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`mlops: ${(err as Error).message}. See "mlops ${process.argv[2]} --help".\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`mlops: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);

/** Errors about what a person typed (a search filter, a page token): no stack trace. */
function isUserInputError(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'SearchFilterError' || name === 'PageTokenError';
}
