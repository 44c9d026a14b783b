import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { TrackingStore } from '../../core/tracking/trackingStore';
import { ModelRegistry } from '../../core/registry/modelRegistry';
import { StoreError } from '../../core/store/storeErrors';
import { inspectOnnxModel } from '../../core/registry/onnxInspector';
import { encodeRegisteredModel } from '../../server/mlflow/encodeRegistry';
import { modelsOverview } from '../../server/native/modelsRoute';
import { openExistingStore, resolveWorkspace } from '../workspace';
import { formatTable } from '../table';
import { formatBytes, formatTime } from '../../protocol/displayFormat';
import { CliError } from '../cliError';

export const MODELS_HELP = `Usage: mlops models register PATH_OR_RUN_ARTIFACT --name NAME [--run RUN_ID] [--alias ALIAS]... [--features a,b,c:categorical] [--description TEXT]
       mlops models list [--json]
       mlops models show NAME [--json]
       mlops models alias NAME ALIAS VERSION
       mlops models alias NAME ALIAS --delete

  register  a new version of NAME (the model is created if needed) from a local
            file or folder, or a run's artifact (runs:/<run_id>/<path>). Its files
            are copied into the store, so later changes to the source cannot
            change the version. An ONNX model must load in onnxruntime (its
            signature is recorded); other files are kept but not servable.
            --features names the columns of the model's single input tensor
            (numeric unless marked :categorical); without it they come from the
            MLmodel or from a CSV data set logged with the run.
  list      registered models with their latest version and aliases
  show      one model: its versions, stages, aliases, formats, hashes, source runs
  alias     point ALIAS at VERSION (moving it), or --delete it

Models are addressed as models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest.`;

export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      run: { type: 'string' },
      alias: { type: 'string', multiple: true },
      features: { type: 'string' },
      description: { type: 'string' },
      delete: { type: 'boolean' },
      json: { type: 'boolean' },
      workspace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!sub || values.help || sub === 'help' || sub === '--help' || sub === '-h') {
    console.log(MODELS_HELP);
    return sub ? 0 : 2;
  }
  const workspace = resolveWorkspace(values.workspace);
  const tracking = sub === 'register' ? TrackingStore.open(workspace) : openExistingStore(workspace);
  const registry = new ModelRegistry(tracking, { inspectModel: inspectOnnxModel });
  try {
    switch (sub) {
      case 'register':
        return await register(registry, positionals[0], values);
      case 'list':
        return list(registry, values.json ?? false);
      case 'show': {
        if (!positionals[0]) throw new CliError('mlops models show: give a model name (see mlops models list).', 2);
        return show(registry, positionals[0], values.json ?? false);
      }
      case 'alias':
        return alias(registry, positionals, values.delete ?? false);
      default:
        throw new CliError(`mlops models: unknown subcommand '${sub}'.\n\n${MODELS_HELP}`, 2);
    }
  } finally {
    tracking.close();
  }
}

/** A syntax check of `a,b,c:categorical` before the store is touched; the registry ties the names to the model's input. */
export function parseFeatures(text: string): { name: string; categorical: boolean }[] {
  const features = text.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    const colon = item.lastIndexOf(':');
    const name = colon === -1 ? item : item.slice(0, colon).trim();
    const kind = colon === -1 ? 'numeric' : item.slice(colon + 1).trim();
    if (!name) throw new CliError(`--features: '${item}' names no feature.`, 2);
    if (!['numeric', 'num', 'categorical', 'cat'].includes(kind)) throw new CliError(`--features: '${item}': the type must be numeric or categorical.`, 2);
    return { name, categorical: kind === 'categorical' || kind === 'cat' };
  });
  const names = new Set<string>();
  for (const f of features) {
    if (names.has(f.name)) throw new CliError(`--features: '${f.name}' is listed twice.`, 2);
    names.add(f.name);
  }
  if (features.length === 0) throw new CliError('--features: give at least one feature name, e.g. --features age,income,plan:categorical', 2);
  return features;
}

async function register(registry: ModelRegistry, source: string | undefined, values: { name?: string; run?: string; alias?: string[]; features?: string; description?: string; json?: boolean }): Promise<number> {
  if (!source) throw new CliError('mlops models register: give a model file or folder, or a run artifact (runs:/<run_id>/<path>).', 2);
  if (!values.name) throw new CliError('mlops models register: --name NAME is required.', 2);
  if (values.features) parseFeatures(values.features);
  const isUri = /^(runs|mlflow-artifacts|models):/.test(source);
  let created = false;
  try {
    registry.createModel(values.name);
    created = true;
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'RESOURCE_ALREADY_EXISTS')) throw err;
  }
  let version;
  try {
    version = await registry.createVersion({
      name: values.name,
      source: isUri ? source : resolve(source),
      allowLocal: !isUri,
      runId: values.run,
      // Blank items (a trailing comma) are dropped here, as the syntax check does.
      featuresSpec: values.features?.split(',').map((f) => f.trim()).filter(Boolean).join(','),
      description: values.description,
      userId: process.env.USER ?? '',
    });
  } catch (err) {
    // A refused model leaves nothing behind, not even the empty model made for it.
    if (created) registry.deleteModel(values.name);
    throw err;
  }
  for (const a of values.alias ?? []) registry.setAlias(values.name, a, version.version);
  const current = registry.getVersion(values.name, version.version);
  if (values.json) {
    console.log(JSON.stringify(modelsOverview(registry, values.name).models[0].versions.find((v) => v.version === String(current.version)), null, 2));
    return 0;
  }
  const aliases = current.aliases.length ? `, aliases ${current.aliases.join(', ')}` : '';
  console.log(`Registered ${current.name} version ${current.version} (models:/${current.name}/${current.version}${aliases})`);
  console.log(`  format ${current.format}${current.servable ? ' (servable)' : ''}, ${current.primaryPath} ${formatBytes(current.size ?? 0)}, sha256 ${current.sha256}`);
  const tensors = (list: { name: string; elementType: string; shape: unknown[] }[]) => list.map((t) => `${t.name} ${t.elementType} [${t.shape.map((d) => d ?? '?').join(', ')}]`).join(', ');
  if (current.signature) console.log(`  inputs ${tensors(current.signature.inputs)}; outputs ${tensors(current.signature.outputs)}`);
  if (current.features) console.log(`  features ${current.features.features.map((f) => (f.categorical ? `${f.name}:categorical` : f.name)).join(', ')}`);
  return 0;
}

function list(registry: ModelRegistry, json: boolean): number {
  const overview = modelsOverview(registry);
  if (json) {
    console.log(JSON.stringify(overview.models, null, 2));
    return 0;
  }
  if (overview.models.length === 0) {
    console.log('No registered models yet. Register one with: mlops models register model.onnx --name my-model');
    return 0;
  }
  const rows = overview.models.map((m) => [
    m.name,
    String(m.versions.length),
    m.versions[0]?.version ?? '',
    Object.entries(m.aliases).map(([a, v]) => `${a}=v${v}`).join(' '),
    formatTime(m.lastUpdatedTimestamp),
  ]);
  console.log(formatTable(['NAME', 'VERSIONS', 'LATEST', 'ALIASES', 'UPDATED'], rows));
  return 0;
}

function show(registry: ModelRegistry, name: string, json: boolean): number {
  const [model] = modelsOverview(registry, name).models;
  if (json) {
    console.log(JSON.stringify({ registered_model: encodeRegisteredModel(registry.getModel(name)), model }, null, 2));
    return 0;
  }
  const lines = [`Model ${model.name}`];
  if (model.description) lines.push(`  ${model.description}`);
  lines.push(`  created ${formatTime(model.creationTimestamp)}   updated ${formatTime(model.lastUpdatedTimestamp)}`);
  const tags = Object.entries(model.tags);
  if (tags.length) lines.push(`  tags    ${tags.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const aliases = Object.entries(model.aliases);
  if (aliases.length) lines.push(`  aliases ${aliases.map(([a, v]) => `${a} -> ${v}`).join(', ')}`);
  lines.push('');
  if (model.versions.length === 0) lines.push('No versions yet.');
  else {
    const rows = model.versions.map((v) => [
      v.version,
      v.stage,
      v.aliases.join(' '),
      v.format,
      formatBytes(v.size ?? 0),
      (v.sha256 ?? '').slice(0, 12),
      v.run ? `${v.run.runName} (${v.run.runId.slice(0, 8)})` : v.runId ? `${v.runId.slice(0, 8)} (gone)` : '',
      formatTime(v.creationTimestamp),
    ]);
    lines.push(formatTable(['VERSION', 'STAGE', 'ALIASES', 'FORMAT', 'SIZE', 'SHA256', 'RUN', 'CREATED'], rows));
  }
  console.log(lines.join('\n'));
  return 0;
}

function alias(registry: ModelRegistry, positionals: string[], remove: boolean): number {
  const [name, aliasName, version] = positionals;
  if (!name || !aliasName || (!remove && !version)) {
    throw new CliError('mlops models alias: give NAME ALIAS VERSION (or NAME ALIAS --delete).', 2);
  }
  if (remove) {
    registry.deleteAlias(name, aliasName);
    console.log(`Deleted alias ${aliasName} of ${name}.`);
    return 0;
  }
  registry.setAlias(name, aliasName, version);
  console.log(`${name}@${aliasName} -> version ${version} (models:/${name}@${aliasName})`);
  return 0;
}
