export { FLEET_ERRORS, type FleetCode } from './errors.js';
export { startFleet, type Fleet, type FleetOptions, type TerminalPresence } from './fleet.js';
export { FLEET_LIMITS } from './limits.js';
export { NodeRegistry, nodeStateOf, type FleetNode, type NodeState } from './node-registry.js';
export type { Page } from './rows.js';
export { fleetMigrations } from './schema.js';
export { TerminalStatusBook, type DeviceKindName, type DeviceStateName, type TerminalDevice, type TerminalStatusView } from './terminal-status.js';
