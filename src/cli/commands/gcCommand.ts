import { parseArgs } from 'node:util';
import { formatBytes } from '../../protocol/displayFormat';
import { openExistingStore, resolveWorkspace } from '../workspace';

export const GC_HELP = `Usage: mlops gc [--purge-deleted-runs] [--json] [--workspace DIR]

Removes artifact files that no run references any more. Safe while runs are
uploading. --purge-deleted-runs first removes deleted runs for good (their
params, metrics and artifacts), as "mlflow gc" does.`;

export async function gcCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'purge-deleted-runs': { type: 'boolean' }, json: { type: 'boolean' }, workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(GC_HELP);
    return 0;
  }
  const tracking = openExistingStore(resolveWorkspace(values.workspace));
  try {
    const report = tracking.artifacts.gc({ purgeDeletedRuns: values['purge-deleted-runs'] });
    if (values.json) console.log(JSON.stringify(report));
    else {
      const purged = values['purge-deleted-runs'] ? `; purged ${report.runsPurged} deleted run(s)` : '';
      console.log(`Removed ${report.blobsRemoved} unreferenced artifact file(s), ${formatBytes(report.bytesFreed)} freed${purged}.`);
    }
    return 0;
  } finally {
    tracking.close();
  }
}
