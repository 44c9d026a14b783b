import { parseArgs } from 'node:util';
import { runServer } from './serverProcess';

// Entry of dist/server.js: the backend the editor and `mlops run` start in the
// background. `mlops server` runs the same thing in the foreground.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      port: { type: 'string' },
      'idle-exit-minutes': { type: 'string' },
    },
  });
  const log = (line: string) => process.stderr.write(`[mlops-server] ${new Date().toISOString()} ${line}\n`);
  const idleMinutes = values['idle-exit-minutes'] ? Number(values['idle-exit-minutes']) : undefined;
  const result = await runServer({
    workspace: values.workspace ?? process.cwd(),
    port: values.port ? Number(values.port) : undefined,
    idleExitMs: idleMinutes ? idleMinutes * 60_000 : undefined,
    exitOnSignals: true,
    log,
  });
  if (result.kind === 'reused') {
    log(`a server already runs for this workspace at ${result.info.url} (pid ${result.info.pid}); reusing it`);
  }
}

main().catch((err) => {
  process.stderr.write(`mlops server: ${(err as Error).message}\n`);
  process.exit(1);
});
