import { defineErrors, TesseraError } from '../../core/errors.js';

/** The node registry and terminal status of the core center (center/fleet/README.md). */
export const FLEET_ERRORS = defineErrors('fleet', 'FLEET_', {
  FLEET_NODE_ID_TAKEN: {
    meaning: 'A center node started with a node id that a live node (heartbeat within the down threshold, not stopped) already holds.',
    action: 'Give each center node its own id (or leave it unset: a fresh id is drawn at start); if the other node was killed, start again after it shows as down.',
  },
  FLEET_BAD_ARGUMENT: {
    meaning: 'A node id, heartbeat interval or list limit is out of range.',
    action: 'Node ids are 1-64 chars [A-Za-z0-9._:-]; the heartbeat interval and the list limits are in center/fleet/limits.ts.',
  },
});
export type FleetCode = keyof typeof FLEET_ERRORS;

export function fleetError(code: FleetCode, message: string, details?: Record<string, unknown>): TesseraError<FleetCode> {
  return new TesseraError(code, message, details);
}
