/**
 * A capability's terminal side, as one value: the roles it provides and the
 * card applications it brings. Each capability's folder under
 * terminal/agent/roles/ (validity/, emoney/, …) exports one; roles/builtin.ts
 * lists them, one line each, and composes the build's registries from the
 * list. Center-initiated messages are registered by each role
 * (`Role.centerMessages`), card applications a role uses are declared by it
 * (`Role.apps`): nothing about a capability is a field or method of the agent.
 */
import { CardAppRegistry, type CardAppFactory, type CardAppKind } from './card-apps.js';
import type { RoleFactory } from './role.js';
import { RoleRegistry } from './role-registry.js';

export interface TerminalCapability {
  /** Its name, as its center module's (e.g. 'emoney'). */
  readonly name: string;
  /** The roles it provides, by the config's `role` name. */
  readonly roles: Readonly<Record<string, RoleFactory>>;
  /** The card applications it brings: kind → factory over the card's channel (card-apps.ts). */
  readonly cardApps?: { readonly [K in CardAppKind]?: CardAppFactory<K> };
}

export interface Composition {
  readonly roles: RoleRegistry;
  readonly cardApps: CardAppRegistry;
}

/**
 * The registries of a list of capabilities. A role name or card application
 * kind two of them register is TERM_ROLE_COMPOSITION; so is a role needing a
 * card application no capability registers (checked again when the agent is
 * created, for a registry passed in by hand).
 */
export function composeCapabilities(capabilities: readonly TerminalCapability[]): Composition {
  const roles = new RoleRegistry();
  const cardApps = new CardAppRegistry();
  for (const c of capabilities) {
    for (const [name, factory] of Object.entries(c.roles)) roles.register(name, factory);
    for (const [kind, factory] of Object.entries(c.cardApps ?? {})) {
      if (factory) cardApps.register(kind as CardAppKind, factory as CardAppFactory);
    }
  }
  return { roles, cardApps };
}
