// chokidar as a bundle of its own (dist/extensionWatcher.js): the dep watcher
// imports it when it first watches, so activation does not parse it.
export * from 'chokidar';
