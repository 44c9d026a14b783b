// Small process and port helpers shared by the VS Code host runners
// (runHost.mjs for the development path, runInstalled.mjs for the VSIX).
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port on loopback that was free a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Kills the processes whose command line names `dir`: a run's temporary folder, so they were started for that run. */
export function killProcessesMentioning(dir) {
  if (!dir || process.platform !== 'linux') return;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile, or not readable
    }
  }
}
