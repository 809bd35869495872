import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

// The VS Code client starts this bundle (dist/server.js) over node IPC; the transport comes from
// the command line the client passes (--node-ipc), as vscode-languageserver reads it.
startServer(createConnection(ProposedFeatures.all));
