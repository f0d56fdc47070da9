/**
 * A world's center as the operator runs it: `tessera center --config` in a
 * child process, its config file written by the world beside the master key
 * file (0600) and its database (SQLite file or postgres:// URL). The rows the
 * world registers (terminals, media) go into the database before the first
 * process starts. A test kills the process (SIGSTOP, SIGKILL: `process`) and
 * starts another on the same config, port and database (`start`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStorage } from '../../center/storage/open.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import type { ValidityMode } from '../../center/validity/types.js';
import { CliProcess, type JsonLine } from './cli-process.js';
import { freeLoopbackPort } from './terminals.js';

export interface CliCenterSpec {
  /** The world's directory (center.json goes there). */
  readonly dir: string;
  /** SQLite path or postgres:// URL. */
  readonly db: string;
  readonly masterKeyFile: string;
  readonly validity?: { readonly mode: ValidityMode };
  /** More config sections as they are written in center.json (a module's section, admin). */
  readonly sections?: Readonly<Record<string, unknown>>;
  /** Rows to have before the first process starts. */
  readonly register?: (validity: ValidityRepository) => Promise<void>;
  /** How long a start may take until the ready line (default 20 s). */
  readonly readyMs?: number;
  /** More environment for every process (a crash test's fault file: core/fault-points.ts). */
  readonly env?: Readonly<Record<string, string>>;
}

export class CliCenter {
  /** Every process started, the current one last. */
  readonly processes: CliProcess[] = [];
  /** The current process's ready line (`listening`, `admin`, `engine`, the modules). */
  readyLine: JsonLine = {};

  private constructor(
    private readonly spec: CliCenterSpec,
    readonly configPath: string,
    readonly port: number,
  ) {}

  static async open(spec: CliCenterSpec): Promise<CliCenter> {
    if (spec.register) {
      const storage = await openStorage(spec.db);
      try {
        await spec.register(await ValidityRepository.open(storage));
      } finally {
        await storage.close();
      }
    }
    const port = await freeLoopbackPort();
    const configPath = join(spec.dir, 'center.json');
    const config = {
      listen: { host: '127.0.0.1', port },
      db: spec.db,
      terminalKeys: { masterKeyFile: spec.masterKeyFile },
      ...(spec.validity && { validity: spec.validity }),
      ...spec.sections,
    };
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
    const c = new CliCenter(spec, configPath, port);
    await c.start();
    return c;
  }

  /** The current process. */
  get process(): CliProcess {
    return this.processes[this.processes.length - 1]!;
  }

  get running(): boolean {
    return this.processes.length > 0 && this.process.running;
  }

  /** Starts a process on the same config (port, database) unless one runs; resolves on its ready line. `env`: more environment (a test's fault file, core/fault-points.ts). */
  async start(env: Record<string, string> = {}): Promise<CliProcess> {
    if (this.running) return this.process;
    const p = new CliProcess('center', ['center', '--config', this.configPath], { ...this.spec.env, ...env });
    this.processes.push(p);
    this.readyLine = await p.ready(this.spec.readyMs ?? 20_000);
    return p;
  }

  /** Stops every process it started (SIGTERM, then SIGKILL). */
  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}
