/**
 * Fault points: a TEST HOOK for crash tests of processes (test/crash/).
 * A process passes a named point (`prepaid.use.committed`,
 * `provider.relayed.use`, `client.written`, …) by calling faultPoint(name);
 * when the point is armed the process kills itself there with SIGKILL
 * (exactly a kill -9 at that step: no handler, no flush), or, for a point
 * armed `<name>:drop`, faultPoint returns 'drop' and the caller throws the
 * answer it just received away (a reply lost on the wire).
 *
 * Armed by the environment only, so an operator never meets one:
 *
 *   TESSERA_FAULT=<point>[:drop][,<point>…]   armed for the process's life (one-shot commands)
 *   TESSERA_FAULT_FILE=<path>                 a file of such points, one a line, read at each
 *                                             point; a point hit is removed from the file first,
 *                                             so a long-lived process is armed again by writing
 *                                             the file, and the restart after the kill is not
 *
 * With neither set (production) faultPoint is one property read and returns
 * 'pass'. The points of each process are listed in docs/PREPAID.md ("Fault
 * points") where they are used.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export const FAULT_ENV = 'TESSERA_FAULT';
export const FAULT_FILE_ENV = 'TESSERA_FAULT_FILE';

export type FaultOutcome = 'pass' | 'drop';

function armed(spec: string): Array<{ point: string; drop: boolean; raw: string }> {
  return spec
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((raw) => ({ point: raw.replace(/:drop$/, ''), drop: raw.endsWith(':drop'), raw }));
}

/** Passes the named point: SIGKILLs this process, or answers 'drop', when the point is armed (see the file comment). */
export function faultPoint(name: string): FaultOutcome {
  const env = process.env[FAULT_ENV];
  const file = process.env[FAULT_FILE_ENV];
  if (env === undefined && file === undefined) return 'pass';
  let hit = env !== undefined ? armed(env).find((a) => a.point === name) : undefined;
  if (!hit && file !== undefined) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return 'pass';
    }
    const points = armed(text);
    hit = points.find((a) => a.point === name);
    if (hit) writeFileSync(file, points.filter((a) => a !== hit).map((a) => `${a.raw}\n`).join(''));
  }
  if (!hit) return 'pass';
  if (hit.drop) return 'drop';
  process.kill(process.pid, 'SIGKILL');
  return 'pass'; // not reached: SIGKILL cannot be handled
}
