import * as vscode from 'vscode';

interface PickOrTypeOptions {
  title: string;
  placeholder: string;
  items: { label: string; description?: string }[];
  /** The label of the extra item for a typed value that is not in the list. */
  newItem: (value: string) => string;
  initialValue?: string;
  /** Why a typed value cannot be used (shown while typing), or undefined. */
  validate: (value: string) => string | undefined;
}

/** A quick pick of existing names that also takes a new one typed in; undefined when dismissed. */
export function pickOrType(options: PickOrTypeOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value?: string }>();
    qp.title = options.title;
    qp.placeholder = options.placeholder;
    const existing = options.items.map((i) => ({ ...i, value: i.label }));
    const update = () => {
      const typed = qp.value.trim();
      const known = existing.some((i) => i.label === typed);
      if (!typed || known) {
        qp.items = existing;
        return;
      }
      const problem = options.validate(typed);
      // A typed value that cannot be used shows why, as an item that cannot be accepted.
      qp.items = [problem ? { label: `$(error) ${problem}`, alwaysShow: true } : { label: options.newItem(typed), value: typed, alwaysShow: true }, ...existing];
    };
    qp.onDidChangeValue(update);
    let done = false;
    qp.onDidAccept(() => {
      const picked = qp.selectedItems[0]?.value;
      if (!picked) return;
      done = true;
      resolve(picked);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    if (options.initialValue) qp.value = options.initialValue;
    update();
    qp.show();
  });
}
