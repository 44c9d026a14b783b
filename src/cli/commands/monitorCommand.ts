import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { driftReport, isStatTestName, parseDataFile, prepareReference, type CsvColumns, type DriftReport, type FeatureSpec, type FeatureType, type StatTestName } from '../../core/monitoring';
import { ModelRegistry } from '../../core/registry/modelRegistry';
import { TrackingStore } from '../../core/tracking/trackingStore';
import { CliError } from '../cliError';
import { formatTable } from '../table';
import { resolveWorkspace } from '../workspace';
import { driftHtml } from './driftHtml';

export const MONITOR_HELP = `Usage: mlops monitor report --reference REF.csv --current CUR.csv|CUR.jsonl [--model MODEL_URI | --features a,b,c:categorical]
                           [--stattest FEATURE=TEST]... [--threshold FEATURE=X]... [--drift-share 0.5]
                           [--json] [--html OUT.html] [--fail-on-drift] [--workspace DIR]

Data drift between a reference data set and current data, feature by feature, with
Evidently's defaults: a reference of at most 1000 rows is compared with the
two-sample Kolmogorov-Smirnov test (numerical features with more than 5 values),
chi-squared or a two-proportion Z-test (categorical, binary), drift when p < 0.05;
a larger one with the Wasserstein distance normed by the reference's std
(numerical) and the Jensen-Shannon distance (categorical), drift when >= 0.1. The
data set drifts when the share of drifted features is at least --drift-share.

  --model URI         take the features (names, numerical or categorical) from a
                      registered version's feature schema, e.g. models:/churn@champion
  --features LIST     the features to compare (default: every column of the reference)
  --stattest F=T      another test for a feature: ks, chisquare, z, wasserstein,
                      jensenshannon, psi, kl_div (repeatable)
  --threshold F=X     another threshold for a feature (repeatable)
  --json              the report as JSON
  --html FILE         also write a self-contained HTML report (table and histograms)
  --fail-on-drift     exit 4 when the data set drifts (for CI)`;

export async function monitorCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    console.log(MONITOR_HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'report') throw new CliError(`mlops monitor: unknown subcommand '${sub}'.\n\n${MONITOR_HELP}`, 2);
  const { values } = parseArgs({
    args: rest,
    options: {
      reference: { type: 'string' },
      current: { type: 'string' },
      model: { type: 'string' },
      features: { type: 'string' },
      stattest: { type: 'string', multiple: true },
      threshold: { type: 'string', multiple: true },
      'drift-share': { type: 'string' },
      json: { type: 'boolean' },
      html: { type: 'string' },
      'fail-on-drift': { type: 'boolean' },
      workspace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(MONITOR_HELP);
    return 0;
  }
  if (!values.reference || !values.current) throw new CliError(`mlops monitor report: give --reference and --current CSV files.\n\n${MONITOR_HELP}`, 2);
  if (values.model && values.features) throw new CliError('mlops monitor report: --model or --features, not both.', 2);
  const driftShare = values['drift-share'] === undefined ? undefined : Number(values['drift-share']);
  if (driftShare !== undefined && !(driftShare > 0 && driftShare <= 1)) throw new CliError(`mlops monitor report: --drift-share takes a share in (0, 1], e.g. 0.5 (got '${values['drift-share']}').`, 2);

  const declared = values.model ? featuresOfModel(values.model, values.workspace) : values.features ? parseFeatureList(values.features) : undefined;
  const types = declared ? Object.fromEntries(declared.map((f) => [f.name, f.type])) : undefined;
  const reference = readDataSet(values.reference, 'reference', types);
  // The current data is read with the reference's types, so a column means the same on both sides.
  const current = readDataSet(values.current, 'current', { ...reference.types, ...types });
  const specs = withOverrides(declared ?? reference.header.map((name) => ({ name, type: reference.types[name] })), values.stattest ?? [], values.threshold ?? []);
  for (const s of specs) {
    if (!(s.name in reference.columns)) throw new CliError(`mlops monitor report: the reference has no column '${s.name}' (its columns: ${reference.header.join(', ')}).`, 2);
  }
  const missing = specs.filter((s) => !(s.name in current.columns)).map((s) => s.name);
  if (missing.length) throw new CliError(missingColumnsMessage(missing, reference, current, values.model ?? (values.features ? '--features' : undefined)), 2);
  let report: DriftReport;
  try {
    report = driftReport(prepareReference(reference.columns, specs), current.columns, driftShare === undefined ? {} : { driftShare });
  } catch (err) {
    throw new CliError(`mlops monitor report: ${(err as Error).message}`, 2);
  }

  if (values.json) console.log(JSON.stringify({ reference: { file: values.reference, rows: reference.rows }, current: { file: values.current, rows: current.rows }, ...report }, null, 2));
  else printReport(report, reference.rows, current.rows, new Set(specs.filter((f) => f.stattest).map((f) => f.name)));
  if (values.html) {
    writeFileSync(values.html, driftHtml({ report, reference, current, referenceFile: values.reference, currentFile: values.current }));
    if (!values.json) console.log(`HTML report: ${values.html}`);
  }
  return values['fail-on-drift'] && report.datasetDrift ? 4 : 0;
}

/**
 * Columns compared but absent from the current data. Without --model or
 * --features every reference column is compared, so a target column (the label
 * requests never carry) lands here: say how to choose the columns, with the
 * ones both files have as a ready --features list. The comparison is not
 * narrowed silently: a feature the current data lost is a problem to see.
 */
function missingColumnsMessage(missing: string[], reference: CsvColumns, current: CsvColumns, chosenBy: string | undefined): string {
  const quoted = missing.map((m) => `'${m}'`).join(', ');
  const these = missing.length === 1 ? `column ${quoted}` : `columns ${quoted}`;
  const has = `(its columns: ${current.header.join(', ')})`;
  if (chosenBy) {
    const source = chosenBy === '--features' ? 'given with --features' : `a feature of ${chosenBy}`;
    return `mlops monitor report: the current data has no ${these}, ${source} ${has}.`;
  }
  const shared = reference.header.filter((name) => name in current.columns);
  const choose = [
    '--model models:/NAME@ALIAS (compare the model\'s features only)',
    ...(shared.length ? [`--features ${shared.map((name) => (reference.types[name] === 'categorical' ? `${name}:categorical` : name)).join(',')} (the columns both files have)`] : []),
  ];
  return (
    `mlops monitor report: the reference's ${these} ${missing.length === 1 ? 'is' : 'are'} not in the current data ${has}. ` +
    `Without --model or --features every reference column is compared (a target column such as a label is not in recorded requests); ` +
    `choose the columns with ${choose.join(' or ')}.`
  );
}

/** A CSV, or JSON Lines (.jsonl, e.g. a deployment's recorded requests). */
function readDataSet(file: string, what: string, types: Record<string, FeatureType> | undefined): CsvColumns {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError(`mlops monitor report: cannot read the ${what} file ${file}: ${(err as Error).message}`, 2);
  }
  try {
    return parseDataFile(bytes, file, types ? { types } : {});
  } catch (err) {
    throw new CliError(`mlops monitor report: ${file}: ${(err as Error).message}`, 2);
  }
}

function parseFeatureList(list: string): FeatureSpec[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [name, kind] = item.split(':');
      return { name, type: kind === 'categorical' || kind === 'cat' ? 'categorical' : 'numerical' };
    });
}

function featuresOfModel(uri: string, workspaceArg: string | undefined): FeatureSpec[] {
  const tracking = TrackingStore.open(resolveWorkspace(workspaceArg));
  try {
    const version = new ModelRegistry(tracking).resolveModelUri(uri);
    if (!version.features) throw new CliError(`mlops monitor report: ${uri} (version ${version.version}) has no feature schema; give --features, or register it with --features.`, 2);
    return version.features.features.map((f) => ({ name: f.name, type: f.categorical ? 'categorical' : 'numerical' }));
  } finally {
    tracking.close();
  }
}

function withOverrides(specs: FeatureSpec[], tests: string[], thresholds: string[]): FeatureSpec[] {
  const byName = new Map(specs.map((s) => [s.name, { ...s }]));
  const pair = (raw: string, flag: string): [FeatureSpec, string] => {
    const eq = raw.lastIndexOf('=');
    const spec = byName.get(raw.slice(0, eq));
    if (eq < 1 || !spec) throw new CliError(`mlops monitor report: ${flag} takes FEATURE=VALUE with a feature being compared (got '${raw}'; features: ${[...byName.keys()].join(', ')}).`, 2);
    return [spec, raw.slice(eq + 1)];
  };
  for (const raw of tests) {
    const [spec, test] = pair(raw, '--stattest');
    if (!isStatTestName(test)) throw new CliError(`mlops monitor report: unknown test '${test}' (ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div).`, 2);
    spec.stattest = test as StatTestName;
  }
  for (const raw of thresholds) {
    const [spec, value] = pair(raw, '--threshold');
    const x = Number(value);
    if (!Number.isFinite(x) || x < 0) throw new CliError(`mlops monitor report: --threshold ${raw}: give a number.`, 2);
    spec.threshold = x;
  }
  return [...byName.values()];
}

/** Tests Evidently's defaults give a numerical feature only when it has 5 or fewer distinct values. */
const FEW_VALUES_TESTS = new Set(['chisquare', 'z', 'jensenshannon']);

function printReport(report: DriftReport, referenceRows: number, currentRows: number, chosenTests: ReadonlySet<string>): void {
  // A numerical feature with few values is tested as a category by default: the type column says so.
  const fewValues = (f: DriftReport['features'][number]) => f.type === 'numerical' && !chosenTests.has(f.feature) && FEW_VALUES_TESTS.has(f.test);
  const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-4 ? x.toExponential(2) : x.toPrecision(4).replace(/\.?0+$/, ''));
  console.log(`Reference: ${referenceRows} rows; current: ${currentRows} rows.`);
  console.log('');
  console.log(
    formatTable(
      ['FEATURE', 'TYPE', 'TEST', 'SCORE', 'THRESHOLD', 'DRIFT'],
      report.features.map((f) => [
        f.feature,
        fewValues(f) ? 'numerical*' : f.type,
        f.test,
        f.error ? f.error : `${f.scoreKind === 'p_value' ? 'p = ' : ''}${fmt(f.score)}`,
        `${f.scoreKind === 'p_value' ? 'p < ' : '≥ '}${fmt(f.threshold)}`,
        f.error ? '—' : f.drifted ? 'DRIFT' : 'no',
      ]),
      60,
    ),
  );
  if (report.features.some(fewValues)) console.log('* 5 or fewer distinct values in the reference: tested as categorical, as Evidently does.');
  console.log('');
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  console.log(
    `Dataset: ${report.driftedCount} of ${report.featureCount} features drifted (${pct(report.driftedShare)}; threshold ${pct(report.driftShare)}): ${report.datasetDrift ? 'DATA SET DRIFT' : 'no data set drift'}.`,
  );
}
