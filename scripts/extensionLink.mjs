// This checkout as an installed extension of a VS Code server: a link named as
// VS Code names an installed extension's folder (`<publisher>.<name>-<version>`)
// in the server's extensions folder. VS Code then loads it as a user would get
// it, without the development-path payload (which a built VS Code honours only
// with its smoke-test driver on, and that driver hides every notification toast);
// and since the link points at the checkout, a rebuild and "Developer: Reload
// Window" run the new code.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Links `repo` into `extensionsDir`; returns the link's path. */
export function linkCheckout(extensionsDir, repo) {
  const { publisher, name, version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const id = `${publisher}.${name}`.toLowerCase();
  const folder = `${id}-${version}`;
  const link = join(extensionsDir, folder);
  mkdirSync(extensionsDir, { recursive: true });
  // Another version's link (the manifest's version changed) would load a second copy.
  for (const entry of readdirSync(extensionsDir)) {
    if (entry !== folder && entry.toLowerCase().startsWith(`${id}-`) && lstatSync(join(extensionsDir, entry)).isSymbolicLink()) rmSync(join(extensionsDir, entry));
  }
  if (!pointsAt(link, repo)) {
    rmSync(link, { recursive: true, force: true });
    symlinkSync(repo, link, 'dir');
  }
  // VS Code lists the folder's extensions in extensions.json, and builds that
  // list from the folder's contents only when the file is missing: without the
  // link in it, the file goes, and the next start lists the folder again.
  const manifest = join(extensionsDir, 'extensions.json');
  if (existsSync(manifest) && !listsLink(manifest, id, link)) rmSync(manifest);
  return link;
}

function pointsAt(link, target) {
  try {
    return lstatSync(link).isSymbolicLink() && resolve(readlinkSync(link)) === resolve(target);
  } catch {
    return false;
  }
}

function listsLink(manifest, id, link) {
  try {
    const entries = JSON.parse(readFileSync(manifest, 'utf8'));
    return entries.some((e) => e?.identifier?.id?.toLowerCase() === id && resolve(e?.location?.path ?? e?.location ?? '') === resolve(link));
  } catch {
    return false;
  }
}
