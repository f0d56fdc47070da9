import type { TerminalConfig } from '../config/schema.js';
import { termError } from './errors.js';
import type { Role, RoleFactory } from './role.js';

/** Role name → factory. The agent looks the configured role up here at start. */
export class RoleRegistry {
  private readonly factories = new Map<string, RoleFactory>();

  register(name: string, factory: RoleFactory): this {
    if (this.factories.has(name)) throw termError('TERM_ROLE_COMPOSITION', `role '${name}' registered twice`, { role: name });
    this.factories.set(name, factory);
    return this;
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  get names(): string[] {
    return [...this.factories.keys()].sort();
  }

  /** TERM_UNKNOWN_ROLE when the configured role is not in this build. */
  create(config: TerminalConfig): Role {
    const factory = this.factories.get(config.role);
    if (!factory) throw termError('TERM_UNKNOWN_ROLE', `no implementation of role '${config.role}'`, { role: config.role, known: this.names });
    return factory(config);
  }
}
