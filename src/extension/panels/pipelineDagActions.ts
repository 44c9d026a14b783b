import type { PipelineDagToHost } from '../../protocol/pipelineDagMessages';

// What each action of the DAG panel asks VS Code to do: a command and its
// arguments. The pipeline commands are registered by the Pipelines feature and
// take `{ file, step? }` (the file's fsPath); a step's run opens in the run
// panel, whose command takes a run id. No vscode import: unit-tested as is.

/** The argument of the mlops.pipelines.* commands. */
export interface PipelineCommandArgs {
  file: string;
  step?: string;
  runId?: string;
}

export interface DagCommand {
  command: string;
  args: unknown[];
  /** What the user asked for, for a message when the command fails. */
  title: string;
}

export function dagCommandFor(message: PipelineDagToHost, file: string): DagCommand | undefined {
  const arg = (extra: Omit<PipelineCommandArgs, 'file'> = {}): PipelineCommandArgs => ({ file, ...extra });
  switch (message.type) {
    case 'openStepRun':
      return { command: 'mlops.openRun', args: [message.runId], title: 'Open Run' };
    case 'runStep':
      return { command: 'mlops.pipelines.runStep', args: [arg({ step: message.step })], title: `Run Step ${message.step}` };
    case 'runFromStep':
      return { command: 'mlops.pipelines.runFromStep', args: [arg({ step: message.step })], title: `Run From Step ${message.step}` };
    case 'revealStep':
      return { command: 'mlops.pipelines.revealStep', args: [arg({ step: message.step })], title: `Go to ${message.step}` };
    case 'runPipeline':
      return { command: 'mlops.pipelines.runPipeline', args: [arg()], title: 'Run Pipeline' };
    default:
      return undefined;
  }
}
