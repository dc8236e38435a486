import type { FromStation } from '../../shared/station-protocol';
import { runStationEntry, type ParentChannel } from './station-entry';

/**
 * The module a parent starts as the station's own process (bundled as out/main/station-process.js):
 * Electron's `utilityProcess.fork` in the desktop app, Node's `child_process.fork` in the tests.
 * Both hand it the same messages; only the way they arrive differs.
 */

/** Electron's `process.parentPort` in a utility process (src/server never imports electron). */
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

function utilityChannel(port: ParentPortLike): ParentChannel {
  return {
    // postMessage queues the message; one turn of the event loop lets it leave before an exit
    send: (message: FromStation) => {
      port.postMessage(message);
      return new Promise((resolve) => setImmediate(resolve));
    },
    onMessage: (listener) => void port.on('message', (event) => listener(event.data)),
  };
}

function forkChannel(proc: NodeJS.Process & { send: NonNullable<NodeJS.Process['send']> }): ParentChannel {
  return {
    send: (message: FromStation) =>
      new Promise((resolve) => {
        // a parent that already went away cannot be told; the exit still happens
        if (!proc.connected) return resolve();
        proc.send(message, undefined, {}, () => resolve());
      }),
    onMessage: (listener) => void proc.on('message', listener),
    onDisconnect: (listener) => void proc.once('disconnect', listener),
  };
}

const parentPort = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
const channel = parentPort ? utilityChannel(parentPort) : process.send ? forkChannel(process as Parameters<typeof forkChannel>[0]) : undefined;

if (!channel) {
  process.stderr.write(
    'station-process runs as a child process (Electron utilityProcess.fork or child_process.fork); use `cli serve` to run the station directly\n',
  );
  process.exit(2);
} else {
  runStationEntry(channel, { env: process.env, exit: (code) => process.exit(code) });
}
