import { basename } from 'node:path';
import { parseShebang } from './interpreterChoice';

/** What "Run/Debug Current File with Tracking" makes of a file. */
export type FileRunKind = 'python' | 'pipeline' | 'notebook' | 'other';

/**
 * A Python script (`.py`, `.pyw`, what a notebook exports, or a file with a
 * Python shebang or VS Code's Python language mode), a pipeline file, a
 * notebook, or something else. Type stubs (`.pyi`) are not programs.
 */
export function fileRunKind(fileName: string, languageId?: string, firstLine?: string): FileRunKind {
  const name = basename(fileName).toLowerCase();
  if (/\.pipeline\.ya?ml$/.test(name)) return 'pipeline';
  if (name.endsWith('.ipynb')) return 'notebook';
  if (name.endsWith('.pyi')) return 'other';
  if (/\.pyw?$/.test(name) || languageId === 'python') return 'python';
  return firstLine !== undefined && parseShebang(firstLine) ? 'python' : 'other';
}

/** A message for a file the command does not run, with the action that does what the user meant. */
export interface FileRunRefusal {
  message: string;
  /** The button's label and the command it runs (given the file's URI when `withFile`). */
  action?: { label: string; command: string; withFile: boolean };
}

export function fileRunRefusal(kind: Exclude<FileRunKind, 'python'>, fileName: string, verb: 'Run' | 'Debug'): FileRunRefusal {
  const name = basename(fileName);
  const command = `${verb} Current File with Tracking`;
  switch (kind) {
    case 'pipeline':
      return {
        message: `MLOps: ${name} is a pipeline file, and ${command} runs Python scripts. Run it with Run Pipeline: each step becomes a tracked run.`,
        action: { label: 'Run Pipeline', command: 'mlops.pipelines.runPipeline', withFile: true },
      };
    case 'notebook':
      return {
        message: `MLOps: ${command} runs Python scripts, and ${name} is a notebook. Export it as a Python script (Jupyter: Export to Python Script) and run that, or log from its cells with mlops_workbench or MLflow.`,
        action: { label: 'How to Log from a Notebook', command: 'mlops.openDocs', withFile: false },
      };
    case 'other':
      return {
        message: `MLOps: ${command} runs Python files (.py), and ${name} is not one. To track another program (a shell script, make, a binary), use Run Command with Tracking….`,
        action: { label: 'Run Command with Tracking…', command: 'mlops.runCommandWithTracking', withFile: false },
      };
  }
}
