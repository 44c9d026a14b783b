import * as vscode from 'vscode';

interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } };
}

/** The Python extension's selected interpreter, else the `mlops.python.interpreter` setting, else python3. */
export async function pythonInterpreter(resource: vscode.Uri): Promise<string> {
  const python = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (python) {
    try {
      const api = python.isActive ? python.exports : await python.activate();
      const path = api?.environments?.getActiveEnvironmentPath(resource)?.path;
      if (path) return path;
    } catch {
      /* fall through to the setting */
    }
  }
  return vscode.workspace.getConfiguration('mlops', resource).get<string>('python.interpreter') || (process.platform === 'win32' ? 'python' : 'python3');
}
