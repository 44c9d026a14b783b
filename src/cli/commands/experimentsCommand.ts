import { parseArgs } from 'node:util';
import { TrackingStore } from '../../core/tracking/trackingStore';
import { openExistingStore, resolveWorkspace } from '../workspace';
import { formatTable } from '../table';
import { formatTime } from '../../protocol/displayFormat';
import { CliError } from '../cliError';

export const EXPERIMENTS_HELP = `Usage: mlops experiments list [--all] [--json] [--workspace DIR]
       mlops experiments create NAME
       mlops experiments delete|restore NAME_OR_ID

  list      experiments with their run counts (--all includes deleted ones)`;

export async function experimentsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, all: { type: 'boolean' }, workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (!sub || values.help || sub === 'help' || sub === '--help' || sub === '-h') {
    console.log(EXPERIMENTS_HELP);
    return sub ? 0 : 2;
  }
  const workspace = resolveWorkspace(values.workspace);
  const tracking = sub === 'create' ? TrackingStore.open(workspace) : openExistingStore(workspace);
  try {
    switch (sub) {
      case 'list': {
        const { experiments } = tracking.searchExperiments({ viewType: values.all ? 'ALL' : 'ACTIVE_ONLY', maxResults: 50_000, offset: 0, orderBy: ['experiment_id ASC'] });
        const counts = new Map(
          (tracking.store.db.prepare(`SELECT experiment_id AS id, COUNT(*) AS n FROM runs WHERE lifecycle_stage = 'active' GROUP BY experiment_id`).all() as { id: number; n: number }[]).map((r) => [String(r.id), r.n]),
        );
        if (values.json) {
          console.log(JSON.stringify(experiments.map((e) => ({ ...e, runCount: counts.get(e.experimentId) ?? 0 })), null, 2));
        } else {
          console.log(formatTable(['ID', 'NAME', 'RUNS', 'CREATED', 'STATE'], experiments.map((e) => [e.experimentId, e.name, String(counts.get(e.experimentId) ?? 0), formatTime(e.creationTime), e.lifecycleStage])));
        }
        return 0;
      }
      case 'create': {
        const name = positionals[0];
        if (!name) throw new CliError('mlops experiments create: give the experiment name.', 2);
        const id = tracking.experiments.create(name);
        console.log(values.json ? JSON.stringify({ experimentId: id }) : `Created experiment '${name}' (id ${id}).`);
        return 0;
      }
      case 'delete':
      case 'restore': {
        const ref = positionals[0];
        if (!ref) throw new CliError(`mlops experiments ${sub}: give the experiment name or id.`, 2);
        const experiment = /^\d+$/.test(ref) ? tracking.experiments.get(ref) : tracking.experiments.getByName(ref);
        tracking.experiments.setLifecycle(experiment.experimentId, sub === 'delete' ? 'deleted' : 'active');
        console.log(`${sub === 'delete' ? 'Deleted' : 'Restored'} experiment '${experiment.name}' (id ${experiment.experimentId}) and its runs.`);
        return 0;
      }
      default:
        throw new CliError(`mlops experiments: unknown subcommand '${sub}'.\n\n${EXPERIMENTS_HELP}`, 2);
    }
  } finally {
    tracking.close();
  }
}
