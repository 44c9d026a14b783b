// `npm install`'s last word (the project's postinstall): loads the two native
// modules the backend needs, so that a build that did not work shows here, with
// what to do about it, instead of at the first run in the editor.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const runtime = `Node ${process.version} (ABI ${process.versions.modules})`;

/** The package's version once its native part has loaded and answered; exits with the fix otherwise. */
function load(name, use, fix) {
  try {
    use(require(name));
    return require(`${name}/package.json`).version;
  } catch (err) {
    // Node's ABI mismatch message spans lines, and its last ones say which versions.
    const reason = String(err?.message ?? err).replace(/\s+/g, ' ').trim().slice(0, 500);
    console.error(`[mlops-workbench] ${name} does not load in ${runtime}: ${reason}`);
    console.error(`[mlops-workbench] ${fix}`);
    process.exit(1);
  }
}

const sqlite = load(
  'better-sqlite3',
  (Database) => {
    const db = new Database(':memory:');
    db.prepare('select 1').get();
    db.close();
  },
  // Compiled from source when no prebuilt binary can be downloaded: node-gyp then
  // needs a compiler, Python and this Node's headers (offline, a local copy of them).
  'It is compiled for the Node that installs it. Install python3, make and g++, then run: ' +
    'npm_config_nodedir=<the folder holding include/node/node.h, e.g. /usr> npm rebuild better-sqlite3. ' +
    'A Node other than the one that ran npm install needs the same rebuild.',
);
const onnx = load(
  'onnxruntime-node',
  (ort) => {
    if (typeof ort.InferenceSession?.create !== 'function') throw new Error('its InferenceSession API is missing');
  },
  'Its CPU binaries ship in the package for Linux x64/arm64, macOS and Windows; reinstall it with: npm ci. ' +
    'Another platform needs onnxruntime built for it.',
);
console.log(`[mlops-workbench] native modules ready for ${runtime}: better-sqlite3 ${sqlite}, onnxruntime-node ${onnx}`);
