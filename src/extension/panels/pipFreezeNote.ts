import { pythonInterpreterOf } from '../../protocol/pythonCommand';
import type { RunDetail } from '../../protocol/runDetailMessages';

/**
 * Why a run shows no pip freeze, from what the run recorded: only `mlops run`
 * records one, and only for a command that starts with a Python interpreter.
 * Null when the run has one, or when there is nothing true to say.
 */
export function pipFreezeNote(run: Pick<RunDetail, 'status' | 'tags'>, hasPipFreeze: boolean): string | null {
  if (hasPipFreeze) return null;
  const tags = run.tags;
  if (tags['mlops.pipeline.step']) return 'No pip freeze: pipeline steps do not record one (mlops run does).';
  if (tags['mlops.pipeline']) return 'No pip freeze: a pipeline run; its steps ran the commands.';
  const command = recordedCommand(tags['mlops.command']);
  // Not started by mlops run (an MLflow client, the REST API): nothing was meant to be recorded.
  if (!command) return null;
  if (!pythonInterpreterOf(command)) {
    return `No pip freeze: mlops run records one when the command starts with a Python interpreter (python3 train.py); this one starts with ${command[0] || 'nothing'}.`;
  }
  if (run.status === 'RUNNING') return 'The pip freeze is being recorded…';
  if (tags['mlops.python.version']) return 'No pip freeze: it was not saved with the run (environment/requirements.txt is missing).';
  return `No pip freeze: ${command[0]} could not be run to read its environment.`;
}

/** The command `mlops run` recorded (tag mlops.command, a JSON array), or undefined. */
function recordedCommand(tag: string | undefined): string[] | undefined {
  if (!tag) return undefined;
  try {
    const parsed = JSON.parse(tag) as unknown;
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}
