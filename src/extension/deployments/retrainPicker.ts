import * as vscode from 'vscode';
import type { PipelineCheckResponse } from '../../protocol/pipelineApi';
import type { WorkspaceBackend } from '../backend/workspaceBackend';

/** The Retrain picker as shown (tests read it: the API cannot see a quick pick). */
export interface RetrainPickerView {
  items: Array<{ label: string; description: string; deploys: boolean }>;
  /** The item Enter takes. */
  active: string | undefined;
}

interface Choice extends vscode.QuickPickItem {
  file: vscode.Uri;
  deploys: boolean;
}

/**
 * Which pipeline retrains a deployment that names none (no onDrift): the
 * workspace's pipeline files, those with a deploy step first and the first of
 * them preselected. Retraining without a deploy step registers a model the
 * drifting deployment never serves, so such files say so rather than be what
 * Enter takes.
 */
export async function pickRetrainPipeline(
  backend: WorkspaceBackend,
  deployment: string,
  files: readonly vscode.Uri[],
  onShow: (view: (() => RetrainPickerView) | undefined) => void,
): Promise<vscode.Uri | undefined> {
  const choices = await Promise.all(
    files.map(async (file): Promise<Choice> => {
      const deploys = await hasDeployStep(backend, file);
      return {
        label: vscode.workspace.asRelativePath(file, false),
        description: deploys === undefined ? 'could not be read' : deploys ? 'deploys (has a deploy step)' : `no deploy step: ${deployment} would keep serving its model`,
        file,
        deploys: deploys === true,
      };
    }),
  );
  choices.sort((a, b) => Number(b.deploys) - Number(a.deploys) || a.label.localeCompare(b.label));
  const pick = vscode.window.createQuickPick<Choice>();
  pick.title = `Retrain ${deployment} with which pipeline?`;
  pick.placeholder = choices.some((c) => c.deploys) ? 'A pipeline with a deploy step retrains, gates, registers and redeploys' : 'None of these has a deploy step: add one (deploy: { model, alias, deployment }) to redeploy';
  pick.items = choices;
  const preselected = choices.find((c) => c.deploys);
  if (preselected) pick.activeItems = [preselected];
  // Read from the quick pick itself when asked: what Enter would take now.
  onShow(() => ({ items: pick.items.map((c) => ({ label: c.label, description: c.description ?? '', deploys: c.deploys })), active: pick.activeItems[0]?.label }));
  return new Promise((resolve) => {
    let chosen: vscode.Uri | undefined;
    pick.onDidAccept(() => {
      chosen = pick.selectedItems[0]?.file ?? pick.activeItems[0]?.file;
      pick.hide();
    });
    pick.onDidHide(() => {
      onShow(undefined);
      pick.dispose();
      resolve(chosen);
    });
    pick.show();
  });
}

/** Whether the file has a deploy step, as the backend's check outlines it; undefined when it cannot say. */
async function hasDeployStep(backend: WorkspaceBackend, file: vscode.Uri): Promise<boolean | undefined> {
  try {
    const answer = await backend.request<PipelineCheckResponse>('POST', '/api/v1/pipelines/check', { file: file.fsPath });
    return answer.outline ? answer.outline.steps.some((s) => s.kind === 'deploy') : undefined;
  } catch {
    return undefined;
  }
}
