/**
 * Starts and stops virtual ccTalk bill validators on socat pty pairs for the
 * serial tests. Each call gets its own temp directory, so test files never
 * share a port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualValidator, type VirtualValidatorOptions } from '../../sim/validator/virtual-validator.js';

export interface TestValidator {
  readonly validator: VirtualValidator;
  stop(): Promise<void>;
}

export async function startTestValidator(options: VirtualValidatorOptions, name = 'validator'): Promise<TestValidator> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pty-'));
  const validator = new VirtualValidator(dir, name, options);
  await validator.plug();
  return {
    validator,
    stop: async () => {
      await validator.unplug();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
