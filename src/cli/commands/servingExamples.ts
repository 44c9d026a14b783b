// Ready-to-paste requests for a deployment `mlops serve` just started, built from
// the champion version's signature (and its feature names, for MLflow's
// DataFrame format), so nobody has to guess an input's name, datatype or shape.
import type { ModelVersionSummary } from '../../protocol/native';
import { oipExampleRequest } from '../../protocol/oipExample';

/** Bodies longer than this are not printed: an image model's zeros help nobody. */
const MAX_EXAMPLE_ELEMENTS = 64;

export interface ExampleTarget {
  url: string;
  model: string;
  /** The shell line that sets $TOKEN (the deployment's serving token), or undefined without auth. */
  tokenLine: string | undefined;
}

/** The lines of "Try it:" (curl commands), or none when the signature gives no small example. */
export function servingExamples(version: Pick<ModelVersionSummary, 'signature' | 'features'>, target: ExampleTarget): string[] {
  const signature = version.signature;
  if (!signature || signature.inputs.length === 0) return [];
  const oip = oipExampleRequest(signature);
  if (oip.inputs.reduce((n, i) => n + i.data.length, 0) > MAX_EXAMPLE_ELEMENTS) return [];
  const auth = target.tokenLine ? ' -H "Authorization: Bearer $TOKEN"' : '';
  const curl = (path: string, body: unknown) => [
    `curl -s ${target.url}${path}${auth} -H 'Content-Type: application/json' \\`,
    `  -d '${JSON.stringify(body)}'`,
  ];
  const lines = [...(target.tokenLine ? [target.tokenLine] : []), ...curl(`/v2/models/${encodeURIComponent(target.model)}/infer`, oip)];
  const features = version.features;
  if (features) {
    const names = [...features.features].sort((a, b) => a.index - b.index).map((f) => f.name);
    lines.push(...curl('/invocations', { dataframe_split: { columns: names, data: [names.map(() => 0)] } }));
  }
  return lines;
}
