import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
/**
 * The C source beside this module (sim/native, run from source with tsx), or,
 * compiled into dist/sim/pcscd by tsc (which copies no .c files), the
 * checkout's sim/native three levels up.
 */
const SOURCES = [join(here, '..', 'native', 'vpcd_nodelay.c'), join(here, '..', '..', '..', 'sim', 'native', 'vpcd_nodelay.c')];

/**
 * Builds (once, cached by source hash) the LD_PRELOAD shim that turns off
 * Nagle on the vpcd driver's sockets, and returns its path; null when no C
 * compiler is available, the source is not found, or TESSERA_VPCD_NODELAY=0
 * (pcscd then runs unpatched, ~44 ms per APDU).
 */
export async function buildNodelayShim(cacheDir: string = tmpdir()): Promise<string | null> {
  if (process.env['TESSERA_VPCD_NODELAY'] === '0') return null; // run pcscd unpatched (to test that path)
  const source = SOURCES.find((p) => existsSync(p));
  if (!source) return null;
  const text = readFileSync(source);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const target = join(cacheDir, `tessera-vpcd-nodelay-${hash}.so`);
  if (existsSync(target)) return target;
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await run('cc', ['-shared', '-fPIC', '-O2', '-o', temp, source, '-ldl']);
    renameSync(temp, target);
    return target;
  } catch {
    return null;
  }
}
