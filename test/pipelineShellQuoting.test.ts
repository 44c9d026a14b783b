import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpolate, shellQuote } from '../src/core/pipeline/params';
import { cacheKey } from '../src/core/pipeline/stepCache';
import { PipelineError } from '../src/core/pipeline/pipelineTypes';
import { makeWorkspace, runCli, stopBackgroundServer } from './helpers/testServer';

// Values that try every way out of every kind of quoting; each creates a file named pwned* if it escapes.
const hostile = [
  '$(touch pwned1)',
  '`touch pwned2`',
  "'; touch pwned3; '",
  '"; touch pwned4; "',
  '\\"; touch pwned5; #',
  "'\\''; touch pwned6; '\\''",
  'a\nb\n touch pwned7',
  '\\',
  '\\\\$(touch pwned8)',
  '$HOME ${HOME} $$ !!',
  "it's \"quoted\" \\ `x` $y",
  "\n'\n\"\n",
  'EOF',
  '',
];

const shells = ['/bin/sh', ...(existsSync('/bin/bash') ? ['/bin/bash'] : [])];

/** Runs the resolved command in a real shell in an empty folder; the printed value, and that no file appeared. */
function runIn(shell: string, command: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-quote-'));
  const out = execFileSync(shell, ['-c', command], { cwd: dir, encoding: 'utf8' });
  assert.deepEqual(readdirSync(dir), [], `${shell} created files running ${JSON.stringify(command)}`);
  return out;
}

// Each template prints the value between [ and ] with printf, so any change to it shows.
const contexts: Record<string, string> = {
  unquoted: 'printf "[%s]" ${params.v}',
  'double quotes': 'printf "[%s]" "${params.v}"',
  'double quotes, mid-word': 'printf "%s" "[${params.v}]"',
  'single quotes': "printf '[%s]' '${params.v}'",
  'single quotes, mid-word': "printf %s '[${params.v}]'",
  '$(…) inside double quotes': 'printf "[%s]" "$(printf %s ${params.v})"',
  'double quotes inside $(…) inside double quotes': 'printf "[%s]" "$(printf %s "${params.v}")"',
  'after an escaped quote': 'printf "[%s]" "\\"${params.v}"',
  'quoted here-document': "cat <<'EOF'\n[${params.v}]\nEOF",
  'unquoted here-document': 'cat <<EOF\n[${params.v}]\nEOF',
  'here-document with <<-': 'cat <<-"END"\n\t[${params.v}]\n\tEND',
};
// $(…) drops trailing newlines, as command substitution does.
const expected: Record<string, (v: string) => string> = {
  '$(…) inside double quotes': (v) => `[${v.replace(/\n+$/, '')}]`,
  'double quotes inside $(…) inside double quotes': (v) => `[${v.replace(/\n+$/, '')}]`,
  'after an escaped quote': (v) => `["${v}]`,
  'quoted here-document': (v) => `[${v}]\n`,
  'unquoted here-document': (v) => `[${v}]\n`,
  'here-document with <<-': (v) => `[${v}]\n`,
};

for (const [where, template] of Object.entries(contexts)) {
  test(`a param ${where}: the shell receives exactly the value and runs none of it`, () => {
    for (const value of hostile) {
      if (where.includes('here-document') && value.split('\n').some((l) => l.trim() === 'EOF' || l.trim() === 'END')) continue;
      const command = interpolate(template, { v: value }, {});
      for (const shell of shells) assert.equal(runIn(shell, command), (expected[where] ?? ((v: string) => `[${v}]`))(value), `${shell}: ${JSON.stringify(value)} became ${JSON.stringify(command)}`);
    }
  });
}

test('${env.X} is quoted by the same rules', () => {
  for (const value of hostile) {
    const command = interpolate('printf "[%s]" "${env.MSG}"; printf \'[%s]\' \'${env.MSG}\'', {}, { MSG: value });
    for (const shell of shells) assert.equal(runIn(shell, command), `[${value}][${value}]`);
  }
});

test('resolved commands stay readable', () => {
  const p = { msg: "it's $5", n: 3 };
  assert.equal(interpolate('echo "msg=${params.msg}" n=${params.n}', p, {}), 'echo "msg=it\'s \\$5" n=3');
  assert.equal(interpolate("echo 'msg=${params.msg}'", p, {}), "echo 'msg=it'\\''s $5'");
  assert.equal(interpolate('echo ${params.msg}', p, {}), "echo 'it'\\''s $5'");
  assert.equal(interpolate('echo "$(cat ${params.msg})"', p, {}), "echo \"$(cat 'it'\\''s $5')\"");
});

// The step cache keys steps by the resolved command: one whose placeholders sit outside
// quotes must resolve exactly as when every value was single-quoted, or every cached
// step would run again after an upgrade.
test('placeholders outside quotes resolve as before, so step-cache keys stay valid', () => {
  const template = 'python3 train.py --lr ${params.lr} --name ${params.name} --data ${env.DATA} # ${params.name}\necho "${HOME}" $${x} $(echo ${params.name})';
  const resolved = interpolate(template, { lr: 0.1, name: "run 'one'" }, { DATA: 'data/x y.csv' });
  assert.equal(resolved, "python3 train.py --lr 0.1 --name 'run '\\''one'\\''' --data 'data/x y.csv' # 'run '\\''one'\\'''\necho \"${HOME}\" ${x} $(echo 'run '\\''one'\\''')");
  const key = cacheKey({ command: resolved, params: { lr: '0.1', name: "run 'one'" }, env: { DATA: 'data/x y.csv' }, deps: { 'train.py': 'ab'.repeat(32) } });
  assert.equal(key, 'e7f71cfdb50caf2a52335b80c541e1e745690cc00a5267a5866eda1c18a093a9');
  for (const value of hostile) {
    for (const t of ['x ${params.v}', 'a=${params.v} b', 'x ${params.v}${params.v} | y ${params.v};z', 'f() { g ${params.v}; }']) {
      assert.equal(interpolate(t, { v: value }, {}), t.replaceAll('${params.v}', () => shellQuote(value)));
    }
  }
});

function refused(command: string, value: string, message: RegExp): void {
  assert.throws(() => interpolate(command, { v: value }, {}), (e: unknown) => e instanceof PipelineError && message.test(e.message), `${command} with ${JSON.stringify(value)}`);
}

test('where no quoting keeps a value literal, only plain values are taken; the rest is refused saying what to do', () => {
  assert.equal(interpolate('echo `basename ${params.v}`', { v: 'data/x.csv' }, {}), 'echo `basename data/x.csv`');
  refused('echo `echo ${params.v}`', '$(touch x)', /inside backticks.*use \$\(…\) instead of backticks/);
  refused('echo "`echo ${params.v}`"', 'a b', /inside backticks/);
  assert.equal(interpolate('echo $((${params.v} + 1))', { v: 12 as unknown as string }, {}), 'echo $((12 + 1))');
  refused('echo $((${params.v} + 1))', 'a[$(touch x)]', /inside \$\(\(…\)\)/);
  refused('(( n = ${params.v} ))', '1; touch x', /inside \$\(\(…\)\)/);
  refused("echo $'${params.v}'", "'; touch x", /inside \$'…'/);
  refused('echo \\${params.v}', 'x', /follows a backslash.*remove the backslash/);
  refused('echo "\\${params.v}"', 'x', /follows a backslash/);
  refused('echo a # ${params.v}', 'x\ntouch pwned', /# comment.*newline/);
  refused('cat <<EOF\n${params.v}\nEOF', 'EOF', /would make a line "EOF" and end it early/);
  refused('cat <<EOF\nx ${params.v}\nEOF', 'a\nEOF\ntouch x', /end it early/);
  refused('echo "$(case x in x) echo ${params.v};; esac)"', 'a', /case statement inside \$\(…\)/);
  refused("echo $'\\'' ${params.v}", 'a', /escaped quote inside \$'…'/);
});

test('what sits around a placeholder is read as the shell reads it', () => {
  const v = { v: 'a b' };
  // A # inside a word, quotes in a comment, `<<<` and the shell's own ${…} do not change the context.
  assert.equal(interpolate('echo a#b ${params.v}', v, {}), "echo a#b 'a b'");
  assert.equal(interpolate("echo 1 # it's\necho ${params.v}", v, {}), "echo 1 # it's\necho 'a b'");
  assert.equal(interpolate('cat <<< x; echo "${params.v}"', v, {}), 'cat <<< x; echo "a b"');
  assert.equal(interpolate('echo "${HOME:-x}" ${params.v} "${params.v}"', v, {}), 'echo "${HOME:-x}" \'a b\' "a b"');
  // $( … ) nesting with parentheses inside, then back in the double quotes.
  assert.equal(interpolate('echo "$( (echo ${params.v}) ) ${params.v}"', v, {}), 'echo "$( (echo \'a b\') ) a b"');
  // A here-document's body ends at its delimiter; the command goes on after it.
  assert.equal(interpolate("cat <<'X' && echo ${params.v}\n'${params.v}\nX\necho \"${params.v}\"", v, {}), "cat <<'X' && echo 'a b'\n'a b\nX\necho \"a b\"");
  for (const shell of shells) assert.equal(runIn(shell, interpolate("cat <<'X' && printf '[%s]' ${params.v}\n'${params.v}\nX\nprintf '[%s]' \"${params.v}\"", { v: "$(touch p) 'x'" }, {})), "'$(touch p) 'x'\n[$(touch p) 'x'][$(touch p) 'x']");
});

test('mlops pipeline run --set: a hostile value inside double quotes reaches the step as text and creates no file', async () => {
  const ws = makeWorkspace('mlops-pipeline-quote-');
  writeFileSync(
    join(ws, 'p.pipeline.yaml'),
    `name: quoting
params: { msg: hello }
steps:
  say:
    params: [msg]
    run: printf '%s' "msg=\${params.msg}" > said.txt; printf '%s' 'single=\${params.msg}' >> said.txt
`,
  );
  try {
    const value = `$(touch pwned) \`touch pwned2\` "'`;
    const r = await runCli(['pipeline', 'run', 'p.pipeline.yaml', '--set', `msg=${value}`], { cwd: ws, env: { MLOPS_WORKSPACE: ws } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(!existsSync(join(ws, 'pwned')) && !existsSync(join(ws, 'pwned2')), 'the value ran as a command');
    assert.equal(execFileSync('cat', [join(ws, 'said.txt')], { encoding: 'utf8' }), `msg=${value}single=${value}`);
  } finally {
    stopBackgroundServer(ws);
  }
});
