import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The backend loads better-sqlite3, a native module built for one Node ABI
// (dist/build-info.json). It therefore runs as its own process, under a Node
// whose ABI matches: the `mlops.backend.runtime` setting, else `node` on PATH,
// else VS Code's own runtime (run as plain Node) when its ABI happens to match.

export interface RuntimeCandidate {
  source: 'setting' | 'PATH' | 'VS Code';
  command: string;
  env?: Record<string, string>;
  abi?: string;
  version?: string;
  problem?: string;
}

export type RuntimeChoice = { ok: true; runtime: RuntimeCandidate; tried: RuntimeCandidate[] } | { ok: false; neededAbi: string; tried: RuntimeCandidate[] };

export async function builtAbi(extensionPath: string): Promise<string> {
  try {
    const info = JSON.parse(await readFile(join(extensionPath, 'dist', 'build-info.json'), 'utf8')) as { nodeAbi?: string };
    return String(info.nodeAbi ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

async function probe(candidate: RuntimeCandidate): Promise<RuntimeCandidate> {
  try {
    const { stdout } = await run(candidate.command, ['-p', 'process.versions.modules + " " + process.version'], {
      timeout: 10_000,
      env: { ...process.env, ...candidate.env },
    });
    const [abi, version] = stdout.trim().split(' ');
    return { ...candidate, abi, version };
  } catch (err) {
    return { ...candidate, problem: (err as Error).message.split('\n')[0] };
  }
}

/** The first runtime whose ABI matches the build's native modules, and everything tried. */
export async function chooseRuntime(extensionPath: string, setting: string | undefined): Promise<RuntimeChoice> {
  const neededAbi = await builtAbi(extensionPath);
  const candidates: RuntimeCandidate[] = [];
  if (setting) candidates.push({ source: 'setting', command: setting });
  candidates.push({ source: 'PATH', command: process.platform === 'win32' ? 'node.exe' : 'node' });
  candidates.push({ source: 'VS Code', command: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } });
  const tried: RuntimeCandidate[] = [];
  for (const candidate of candidates) {
    const probed = await probe(candidate);
    tried.push(probed);
    if (!probed.problem && (probed.abi === neededAbi || neededAbi === 'unknown')) return { ok: true, runtime: probed, tried };
    // A runtime the user chose explicitly is not silently replaced by another.
    if (candidate.source === 'setting') break;
  }
  return { ok: false, neededAbi, tried };
}

/** One sentence per runtime tried, for the notification and the log. */
export function describeTried(choice: Extract<RuntimeChoice, { ok: false }>): string {
  const lines = choice.tried.map((c) =>
    c.problem ? `${c.source} (${c.command}): could not run it (${c.problem})` : `${c.source} (${c.command}): Node ${c.version}, ABI ${c.abi}`,
  );
  return `The MLOps backend needs a Node.js runtime with ABI ${choice.neededAbi} (the one its native modules were built for). Tried: ${lines.join('; ')}.`;
}
