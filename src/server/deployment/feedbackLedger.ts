// Ground truth for live accuracy: recent predictions by request id, so a label
// that arrives later (POST /v1/feedback) can be held against what each variant
// said. Bounded: the oldest ids are forgotten first.
import type { VariantName } from './deploymentMetrics';
import type { Prediction } from './predictionRows';

export type Label = number | boolean | string;

export const LEDGER_SIZE = 10_000;

interface VariantScore {
  labelled: number;
  /** Classifications scored right/wrong. */
  judged: number;
  correct: number;
  /** Regressions: sum of absolute errors over `regressions`. */
  regressions: number;
  absoluteError: number;
}

export type FeedbackResult =
  | { ok: true; variants: VariantName[]; correct: Partial<Record<VariantName, boolean | null>> }
  | { ok: false; status: 404 | 400; message: string };

export class FeedbackLedger {
  private readonly pending = new Map<string, { answered: VariantName; predictions: Partial<Record<VariantName, Prediction[]>> }>();
  readonly scores: Record<VariantName, VariantScore> = { champion: emptyScore(), challenger: emptyScore() };

  constructor(private readonly size = LEDGER_SIZE) {}

  /** What a variant predicted for a request (the answer, or a shadow copy's result). */
  remember(requestId: string, variant: VariantName, predictions: Prediction[], answered: boolean): void {
    let entry = this.pending.get(requestId);
    if (!entry) {
      if (!answered) return; // a shadow result for a request already labelled or forgotten
      entry = { answered: variant, predictions: {} };
      this.pending.set(requestId, entry);
      if (this.pending.size > this.size) this.pending.delete(this.pending.keys().next().value as string);
    }
    entry.predictions[variant] = predictions;
  }

  /** Scores the label against each variant's prediction for the request; each request is labelled once. */
  label(requestId: string, label: Label | Label[]): FeedbackResult {
    const entry = this.pending.get(requestId);
    if (!entry) return { ok: false, status: 404, message: `No prediction with request id '${requestId}' is waiting for a label: it is unknown, already labelled, older than the last ${this.size} requests, or its model has several outputs.` };
    const labels = Array.isArray(label) ? label : [label];
    const answered = entry.predictions[entry.answered] ?? [];
    if (labels.length !== answered.length) {
      return { ok: false, status: 400, message: `Request '${requestId}' predicted ${answered.length} row(s); give one label per row (${labels.length} given).` };
    }
    this.pending.delete(requestId);
    const correct: Partial<Record<VariantName, boolean | null>> = {};
    const variants = Object.keys(entry.predictions) as VariantName[];
    for (const variant of variants) {
      const score = this.scores[variant];
      let allRight: boolean | null = true;
      entry.predictions[variant]!.forEach((p, i) => {
        score.labelled++;
        const judged = judge(p, labels[i]);
        if (judged.kind === 'class') {
          score.judged++;
          if (judged.correct) score.correct++;
          else if (allRight) allRight = false;
        } else {
          score.regressions++;
          score.absoluteError += judged.error;
          allRight = null;
        }
      });
      correct[variant] = allRight;
    }
    return { ok: true, variants, correct };
  }
}

function emptyScore(): VariantScore {
  return { labelled: 0, judged: 0, correct: 0, regressions: 0, absoluteError: 0 };
}

const truthy = (label: Label) => label === true || label === 1 || label === '1' || label === 'true';
const isBinaryLabel = (label: Label) => label === true || label === false || label === 0 || label === 1 || label === '0' || label === '1' || label === 'true' || label === 'false';

/**
 * A probability (0-1) with a binary label: right when (p >= 0.5) matches it; a
 * score vector: right when its argmax is the label's class index; an integer,
 * string or boolean: right when equal; any other number: a regression's error.
 */
export function judge(prediction: Prediction, label: Label): { kind: 'class'; correct: boolean } | { kind: 'regression'; error: number } {
  if (Array.isArray(prediction)) {
    const best = prediction.reduce((bi, x, i) => (x > prediction[bi] ? i : bi), 0);
    return { kind: 'class', correct: String(best) === String(label) };
  }
  if (typeof prediction === 'number' && !Number.isInteger(prediction)) {
    if (prediction >= 0 && prediction <= 1 && isBinaryLabel(label)) return { kind: 'class', correct: prediction >= 0.5 === truthy(label) };
    return { kind: 'regression', error: Math.abs(prediction - Number(label)) };
  }
  if (typeof prediction === 'boolean') return { kind: 'class', correct: prediction === truthy(label) };
  return { kind: 'class', correct: String(prediction) === String(label) };
}
