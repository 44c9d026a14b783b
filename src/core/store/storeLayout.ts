import { join } from 'node:path';

// Where everything lives inside a workspace's `.mlops/` folder.
export interface StoreLayout {
  workspace: string;
  root: string; // <workspace>/.mlops
  database: string;
  blobs: string; // content-addressed artifact blobs
  uploads: string; // partial uploads, renamed into blobs once hashed
  logs: string;
  serverInfo: string; // server.json: url, token, pid of the running server
  serverState: string; // token and last port, kept across restarts
  serverLock: string;
  spool: string; // client-side spool of undelivered metric batches
}

export function storeLayout(workspace: string): StoreLayout {
  const root = join(workspace, '.mlops');
  return {
    workspace,
    root,
    database: join(root, 'mlops.db'),
    blobs: join(root, 'artifacts', 'blobs'),
    uploads: join(root, 'artifacts', 'uploads'),
    logs: join(root, 'logs'),
    serverInfo: join(root, 'server.json'),
    serverState: join(root, 'server-state.json'),
    serverLock: join(root, 'server.lock'),
    spool: join(root, 'spool'),
  };
}
