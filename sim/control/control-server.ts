import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { errorCode } from '../../core/errors.js';
import { SIM_LIMITS } from '../limits.js';
import type { Simulator } from '../simulator.js';
import { parseControlLine, runControlCommand, type ControlReply } from './control-commands.js';

/**
 * The control socket of `tessera sim serve`: a Unix socket taking one JSON
 * command per line and answering one JSON reply per line. Commands run one
 * at a time (a card insert finishes before the next command starts).
 */
export class ControlServer {
  private chain: Promise<void> = Promise.resolve();
  private readonly server: Server;
  private readonly clients = new Set<Socket>();

  constructor(
    private readonly sim: Simulator,
    private readonly onStop: () => void,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.maxConnections = SIM_LIMITS.controlClientsMax;
  }

  listen(path: string): Promise<void> {
    rmSync(path, { force: true });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      if (pending.length > SIM_LIMITS.controlLineBytesMax && !pending.includes('\n')) {
        this.reply(socket, { ok: false, code: 'SIM_BAD_COMMAND', message: 'control line too long' });
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) this.enqueue(socket, line);
      }
    });
  }

  private enqueue(socket: Socket, line: string): void {
    this.chain = this.chain.then(() => this.handle(socket, line));
  }

  private async handle(socket: Socket, line: string): Promise<void> {
    try {
      const command = parseControlLine(line);
      const result = await runControlCommand(this.sim, command);
      this.reply(socket, { ok: true, result });
      if (command.cmd === 'stop') this.onStop();
    } catch (e) {
      this.reply(socket, { ok: false, code: errorCode(e), message: e instanceof Error ? e.message : String(e) });
    }
  }

  private reply(socket: Socket, reply: ControlReply): void {
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  }
}
