/**
 * A center node as a child process (the node registry tests kill it):
 * argv[2] JSON { url, masterKeyFile, nodeId, heartbeatIntervalMs }. A real
 * createCenter on the PostgreSQL database at url; prints `READY <port>`.
 */
import { startCenter } from '../../../center/server/start-center.js';
import { CENTER_MODULES, centerModules } from '../../../center/modules.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { openStorage } from '../../../center/storage/open.js';
import { configOf } from '../server/support.js';

const o = JSON.parse(process.argv[2]!) as { url: string; masterKeyFile: string; nodeId: string; heartbeatIntervalMs: number };
const storage = await openStorage({ engine: 'postgres', url: o.url });
const center = await startCenter(configOf(o.masterKeyFile), CENTER_MODULES, { storage, fleet: { nodeId: o.nodeId, heartbeatIntervalMs: o.heartbeatIntervalMs } });
process.stdout.write(`READY ${center.address.port}\n`);
