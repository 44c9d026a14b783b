// Which commands `mlops run` treats as Python (it records their interpreter's
// version and pip freeze): the CLI decides by it, and the run panel explains by
// the same rule why a run has no pip freeze. (Here because both may import it.)

/** The interpreter a command runs, when it is Python (`python3 x.py`, `python -m m`, `.venv/bin/python`). */
export function pythonInterpreterOf(command: readonly string[]): string | undefined {
  const first = command[0];
  if (!first) return undefined;
  const name = first.slice(Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1);
  return /^python(\d+(\.\d+)*)?(\.exe)?$/i.test(name) ? first : undefined;
}
