import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import type { Workbench } from '../workbench';
import { fileTaskDefinition, prepareFileRun, type FileRunOptions, type FileRunRefused } from './runCurrentFile';
import { trackedTask } from './trackedTask';

const DEBUGGER_EXTENSION = 'ms-python.debugpy';

/** What Debug Current File did; tests read it, users see the session and the task. */
export type DebugOutcome =
  | { started: true; session: vscode.DebugSession; execution: vscode.TaskExecution }
  | { started: false; reason: 'no-debugger' | 'debugger-failed' }
  | FileRunRefused;

/**
 * "Debug Current File with Tracking": the same tracked task as Run Current
 * File (`mlops run` records command, params, code, environment, output and
 * outcome), with the script started under debugpy. VS Code's Python debugger
 * listens first (an "attach" configuration with `listen`); `mlops run
 * --debug-connect` then starts the script with debugpy connecting to it, so
 * there is no race on a port. Stopping the debugger stops the task, and the
 * run ends KILLED; a script that finishes ends the session by itself.
 */
export async function debugCurrentFile(
  context: vscode.ExtensionContext,
  workbench: Workbench,
  uri?: vscode.Uri,
  options: FileRunOptions = {},
): Promise<DebugOutcome> {
  const debuggerExtension = vscode.extensions.getExtension(DEBUGGER_EXTENSION);
  if (!debuggerExtension) {
    void vscode.window
      .showErrorMessage('MLOps: Debug Current File with Tracking needs the Python Debugger extension (ms-python.debugpy).', 'Show Extension', 'Run Without Debugger')
      .then((pick) => {
        if (pick === 'Show Extension') void vscode.commands.executeCommand('workbench.extensions.search', `@id:${DEBUGGER_EXTENSION}`);
        if (pick === 'Run Without Debugger') void vscode.commands.executeCommand('mlops.runCurrentFile', uri);
      });
    return { started: false, reason: 'no-debugger' };
  }
  const prepared = await prepareFileRun(context, workbench, 'Debug', uri, options);
  if ('started' in prepared) return prepared;
  const { target, folder, runtime } = prepared;

  const port = await freeLoopbackPort();
  const name = `Debug ${basename(target.fsPath)} with tracking`;
  // The adapter answers "attach" only once the script has connected, so the
  // task starts when the adapter says it is listening, not when startDebugging resolves.
  const listening = adapterListening(name);
  const starting = vscode.debug.startDebugging(folder, {
    type: 'debugpy',
    request: 'attach',
    name,
    listen: { host: '127.0.0.1', port },
    justMyCode: true,
  });
  const gaveUp = new Promise<undefined>((resolve) => setTimeout(resolve, 30_000, undefined));
  const ready = await Promise.race([listening.session, starting.then((ok) => (ok ? listening.session : undefined)), gaveUp]);
  listening.dispose();
  if (!ready) {
    void vscode.window.showErrorMessage('MLOps: the Python debugger did not start; see the Debug Console.');
    return { started: false, reason: 'debugger-failed' };
  }
  const session = ready;

  const task = trackedTask(
    { ...fileTaskDefinition(prepared), debugConnect: `127.0.0.1:${port}` },
    folder,
    runtime,
    context.extensionPath,
    name,
    debugpyEnvironment(debuggerExtension.extensionPath),
  );
  const execution = await vscode.tasks.executeTask(task);
  const stopTaskWithSession = vscode.debug.onDidTerminateDebugSession((ended) => {
    if (ended.id !== session.id) return;
    stopTaskWithSession.dispose();
    if (vscode.tasks.taskExecutions.includes(execution)) execution.terminate();
  });
  context.subscriptions.push(stopTaskWithSession);
  return { started: true, session, execution };
}

/** The debugpy the Python Debugger extension bundles, for interpreters without their own. */
function debugpyEnvironment(extensionPath: string): Record<string, string> {
  const libs = join(extensionPath, 'bundled', 'libs');
  const env: Record<string, string> = { PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  if (existsSync(join(libs, 'debugpy'))) env.PYTHONPATH = process.env.PYTHONPATH ? `${libs}${delimiter}${process.env.PYTHONPATH}` : libs;
  return env;
}

/**
 * Resolves with the session once debugpy's adapter reports it is waiting for
 * the script to connect (its `debugpyWaitingForServer` event), seen through a
 * debug adapter tracker.
 */
function adapterListening(name: string): { session: Promise<vscode.DebugSession>; dispose(): void } {
  let registration: vscode.Disposable | undefined;
  const session = new Promise<vscode.DebugSession>((resolve) => {
    registration = vscode.debug.registerDebugAdapterTrackerFactory('debugpy', {
      createDebugAdapterTracker: (s) =>
        s.name !== name
          ? undefined
          : {
              onDidSendMessage: (message: { type?: string; event?: string }) => {
                if (message.type === 'event' && message.event === 'debugpyWaitingForServer') resolve(s);
              },
            },
    });
  });
  return { session, dispose: () => registration?.dispose() };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
