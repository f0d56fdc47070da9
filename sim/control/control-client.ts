import { connect } from 'node:net';
import { TesseraError } from '../../core/errors.js';
import type { ControlCommand, ControlReply } from './control-commands.js';

/** Sends one command to a running `tessera sim serve` and resolves with its reply. */
export function sendControlCommand(socketPath: string, command: ControlCommand | Record<string, unknown>, timeoutMs = 15_000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TesseraError('SIM_BAD_COMMAND', 'no reply from the simulator'));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      socket.end();
      resolve(JSON.parse(buffer.slice(0, nl)) as ControlReply);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(new TesseraError('SIM_BAD_COMMAND', `cannot reach the simulator at ${socketPath}; is \`tessera sim serve\` running?`, {}, { cause: e }));
    });
  });
}
