/**
 * Starts support/delivery-child.ts (the TTP's delivery service as its own
 * process) and keeps its stdout lines, for the kill -9 and two-node tests.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeCommand } from '../../../../../sim/world/node-command.js';

const CHILD = join(import.meta.dirname, 'delivery-child.ts');

export interface DeliveryChild {
  readonly lines: Array<Record<string, unknown>>;
  output: string;
  send(o: object): void;
  kill(sig: NodeJS.Signals): void;
  readonly exited: Promise<void>;
}

export function startDeliveryChild(spec: { db: string; smscPort: number; passwordFile: string; claimHoldMs: number; node?: string }): DeliveryChild {
  const { command, args } = nodeCommand(CHILD, [JSON.stringify(spec)]);
  const p = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TESSERA_LOG_LEVEL: 'info' } });
  const c: DeliveryChild = {
    lines: [],
    output: '',
    send: (o) => p.stdin.write(`${JSON.stringify(o)}\n`),
    kill: (sig) => void p.kill(sig),
    exited: new Promise((resolve) => p.once('close', () => resolve())),
  };
  p.stderr.on('data', (d: Buffer) => (c.output += d.toString()));
  createInterface({ input: p.stdout }).on('line', (l) => {
    c.output += `${l}\n`;
    try {
      c.lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
  });
  return c;
}
