import { parseArgs } from 'node:util';
import { servingTokenResponse, type DeploymentState } from '../../protocol/deployments';
import type { MonitoringState } from '../../protocol/monitoring';
import type { ServerInfo } from '../../protocol/native';
import { BackendError, backendApi } from '../backendApi';
import { CliError } from '../cliError';
import { runningServer } from '../ensureServer';
import { resolveWorkspace } from '../workspace';
import { deploymentDetails, deploymentsTable } from './deploymentText';

export const DEPLOYMENTS_HELP = `Usage: mlops deployments list [--json] [--workspace DIR]
       mlops deployments show NAME [--json] [--workspace DIR]
       mlops deployments stop NAME [--workspace DIR]
       mlops deployments restart NAME [--workspace DIR]
       mlops deployments token NAME [--rotate] [--workspace DIR]

The deployments the workspace's backend runs (started with mlops serve, a
pipeline's deploy step or the editor).

  list     name, status, URL, variants and split, requests, latency, drift
  show     one deployment: its spec, what each variant serves, request counts,
           monitoring (verdict, reference, window, the latest tests, alerts),
           restarts and the last error
  stop     stop it (its recorded requests stay on disk)
  restart  redeploy it in place with its spec, resolving its aliases again
           (models:/NAME@champion picks up a new champion) without dropping a
           request, as the editor's Restart does; a stopped one is started again
  token    print the deployment's serving token: what its clients and Prometheus
           send (Authorization: Bearer TOKEN); it opens this deployment's
           inference, feedback, metrics and health routes, nothing of the
           workspace. Kept in .mlops/deployments/NAME/serving-token across
           redeploys and restarts.
  --rotate token: replace it; the running deployment refuses the old one at once

  --json   list: the deployments as GET /api/v1/deployments answers them; show:
           {deployment, monitoring} (the drift and traffic series are left out:
           GET /api/v1/deployments/NAME/monitoring has them)

Deployments live in the backend: when none runs, none does, and these commands
say so rather than start one (mlops serve starts both).`;

export async function deploymentsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, rotate: { type: 'boolean' }, workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (!sub || values.help || sub === 'help' || sub === '--help' || sub === '-h') {
    console.log(DEPLOYMENTS_HELP);
    return sub ? 0 : 2;
  }
  if (!['list', 'show', 'stop', 'restart', 'token'].includes(sub)) throw new CliError(`mlops deployments: unknown subcommand '${sub}'.\n\n${DEPLOYMENTS_HELP}`, 2);
  const [name, ...extra] = positionals;
  if (sub === 'list' && positionals.length) throw new CliError(`mlops deployments list takes no names (got ${positionals.join(' ')}); see one with mlops deployments show NAME.`, 2);
  if (sub !== 'list' && !name) throw new CliError(`mlops deployments ${sub}: give a deployment's name (see mlops deployments list).`, 2);
  if (extra.length) throw new CliError(`mlops deployments ${sub}: one name at a time (got also ${extra.join(' ')}).`, 2);
  if (values.rotate && sub !== 'token') throw new CliError(`mlops deployments ${sub}: --rotate goes with mlops deployments token NAME.`, 2);

  const workspace = resolveWorkspace(values.workspace);
  const server = await runningServer(workspace);
  if (!server) {
    const none = `no backend runs for ${workspace}, so no deployment does (mlops serve models:/NAME@ALIAS starts both)`;
    if (sub !== 'list') throw new CliError(`mlops deployments ${sub}: no deployment named '${name}': ${none}.`);
    if (values.json) console.log('[]');
    else console.log(`No deployments: ${none}.`);
    return 0;
  }
  const api = (method: string, path: string, body?: unknown) => ask(server, sub, method, path, body);
  const path = `/api/v1/deployments/${encodeURIComponent(name ?? '')}`;
  switch (sub) {
    case 'list': {
      const { deployments } = (await api('GET', '/api/v1/deployments')) as { deployments: DeploymentState[] };
      if (values.json) console.log(JSON.stringify(deployments, null, 2));
      else if (deployments.length === 0) console.log(`No deployments run in this workspace's backend (${server.url}). Start one with: mlops serve models:/NAME@champion`);
      else console.log(deploymentsTable(deployments));
      return 0;
    }
    case 'show': {
      const { deployment } = (await api('GET', path)) as { deployment: DeploymentState };
      // Without the series (up to thousands of points): the summary, the latest tests, the alerts.
      const monitoring = (await api('GET', `${path}/monitoring?history=0&traffic=0`)) as unknown as MonitoringState;
      const { cursor: _cursor, appended: _appended, history: _history, traffic: _traffic, ...rest } = monitoring;
      if (values.json) console.log(JSON.stringify({ deployment, monitoring: rest }, null, 2));
      else console.log(deploymentDetails(deployment, monitoring));
      return 0;
    }
    case 'stop': {
      const { deployment } = (await api('DELETE', path)) as { deployment: DeploymentState };
      console.log(`Stopped deployment ${deployment.name}${deployment.url ? ` (it served ${deployment.url})` : ''}. Its recorded requests stay in .mlops/deployments/${deployment.name}/.`);
      return 0;
    }
    case 'restart':
      return restart(server, name!, api);
    case 'token': {
      const answer = servingTokenResponse.parse(await api(values.rotate ? 'POST' : 'GET', `${path}/token`));
      // Alone on stdout, so that TOKEN=$(mlops deployments token NAME) works.
      console.log(answer.token);
      if (values.rotate) process.stderr.write(`Rotated the serving token of ${answer.name}: the old one no longer works. ${answer.file} holds the new one (a Prometheus credentials_file pointing there picks it up).\n`);
      return 0;
    }
  }
  return 2;
}

/** The editor's Restart: the same spec redeployed in place (aliases resolved again); a stopped or failed one started again. */
async function restart(server: ServerInfo, name: string, api: (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>): Promise<number> {
  const path = `/api/v1/deployments/${encodeURIComponent(name)}`;
  const { deployment: current } = (await api('GET', path)) as { deployment: DeploymentState };
  const down = current.status === 'stopped' || current.status === 'failed';
  const { deployment } = (down ? await api('POST', '/api/v1/deployments', current.spec) : await api('POST', `${path}/redeploy`, current.spec)) as { deployment: DeploymentState };
  const before = new Map(current.variants.map((v) => [v.name, v.version]));
  const served = deployment.variants
    .map((v) => {
      const was = before.get(v.name);
      return `${v.name} ${v.model} v${v.version}${was && was !== v.version ? ` (was v${was})` : ''}`;
    })
    .join(', ');
  console.log(`${down ? 'Started' : 'Redeployed'} ${deployment.name} at ${deployment.url ?? server.url}: ${served}.`);
  return 0;
}

/** A backend request; its refusals (unknown name, a deployment not running) as the CLI's errors. */
async function ask(server: ServerInfo, sub: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  try {
    return await backendApi(server, method, path, body);
  } catch (err) {
    if (err instanceof BackendError) throw new CliError(`mlops deployments ${sub}: ${err.message}`, 1);
    throw err;
  }
}
