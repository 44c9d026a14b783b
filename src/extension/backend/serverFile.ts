import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerInfo } from '../../protocol/native';
import { nativeSchemas } from '../lazySchemas';

/** `.mlops/server.json` of a workspace folder, if present and well-formed. */
export async function readServerFile(folder: string): Promise<ServerInfo | undefined> {
  try {
    // Read first: in `schema.safeParse(await …)` the schema would load before the
    // await, inside activate(), which must not pay for zod.
    const text = await readFile(join(folder, '.mlops', 'server.json'), 'utf8');
    const parsed = nativeSchemas().serverInfo.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True when the server answers with this token: a stale file is never trusted. */
export async function isServerAlive(info: ServerInfo): Promise<boolean> {
  try {
    const url = new URL(info.url);
    if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return false;
    const res = await fetch(`${info.url}/api/v1/health`, { headers: { Authorization: `Bearer ${info.token}` }, signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}
