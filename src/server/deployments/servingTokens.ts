// Each deployment's serving token: what its consumers (clients, Prometheus) send,
// and all it opens is that deployment's serving routes, never the registry, the
// store or the pipelines behind the workspace token. Kept per deployment name in
// .mlops/deployments/NAME/serving-token (mode 0600, the token alone, so that
// Prometheus's credentials_file can read it), so a redeploy, a restart of the
// backend or a new deployment under the same name keeps it: scrape configs and
// clients hold it.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEPLOYMENT_NAME } from '../../protocol/deployments';
import { HttpError } from '../http/httpError';

const FILE_NAME = 'serving-token';
const MIN_LENGTH = 32;

export class ServingTokens {
  constructor(private readonly workspace: string) {}

  /** Where a deployment's token is kept, relative to the workspace (for messages and examples). */
  static relativeFile(name: string): string {
    return `.mlops/deployments/${name}/${FILE_NAME}`;
  }

  /** The deployment's token, made on first use. */
  ensure(name: string): string {
    const existing = this.read(name);
    if (existing) return existing;
    const token = newToken();
    mkdirSync(dirname(this.file(name)), { recursive: true });
    try {
      // wx: two first uses at once must agree on one token.
      writeFileSync(this.file(name), token, { mode: 0o600, flag: 'wx' });
      return token;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return this.read(name) ?? this.replace(name, token);
    }
  }

  /** The deployment's token if one was ever made. */
  read(name: string): string | undefined {
    const file = this.file(name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
    if (text.length < MIN_LENGTH || /\s/.test(text)) return undefined;
    // A copy or an editor may have widened it: the token opens the deployment.
    if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
    return text;
  }

  /** A new token in place of the old one, which stops being the deployment's. */
  rotate(name: string): string {
    return this.replace(name, newToken());
  }

  private replace(name: string, token: string): string {
    const file = this.file(name);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, token, { mode: 0o600 });
    renameSync(tmp, file);
    return token;
  }

  private file(name: string): string {
    // The name comes from a URL: it must not walk out of .mlops/deployments/.
    if (!DEPLOYMENT_NAME.test(name)) throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `'${name}' is not a deployment name: letters, digits, ".", "_" and "-", at most 64 characters.`);
    return join(this.workspace, '.mlops', 'deployments', name, FILE_NAME);
  }
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}
