// The environment for programs the VS Code host installer starts. When the
// installer runs under `npm test` or `npm start`, the outer npm has put its
// settings in the environment (npm_config_*, npm_package_*, npm_lifecycle_*...).
// An inner `npm install -g code-server` would inherit them, and code-server's
// postinstall reads the Node major from npm_config_user_agent: it saw the outer
// npm's Node 20 and refused to install under Node 24. Children get none of them,
// but for the connection settings below: a registry mirror, proxy or CA given only
// in the environment must still reach the inner install (what the user's .npmrc
// says, the inner npm reads again itself).
const KEPT = new Set(['registry', 'cafile', 'ca', 'proxy', 'https_proxy', 'http_proxy', 'noproxy', 'strict_ssl', 'cache']);

export function childEnv(env = process.env, extra = {}) {
  const clean = {};
  for (const [key, value] of Object.entries(env)) {
    if (/^npm_/i.test(key)) {
      const setting = /^npm_config_(.+)$/i.exec(key)?.[1].toLowerCase();
      if (!setting || !KEPT.has(setting)) continue;
    }
    clean[key] = value;
  }
  return { ...clean, ...extra };
}
