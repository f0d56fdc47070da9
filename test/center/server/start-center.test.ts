/** startCenter composes modules (center/server/module.ts): order by `requires`, checks before anything opens, close in reverse. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cashModule } from '../../../center/cash/module.js';
import { emoneyModule } from '../../../center/emoney/module.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import type { AnyCenterModule, CenterModule } from '../../../center/server/module.js';
import { startCenter } from '../../../center/server/start-center.js';
import { validityModule, type ValidityApi } from '../../../center/validity/module.js';
import { keyDir } from './support.js';

const k = keyDir();
afterAll(() => k.remove());
const configIn = (db: string, modules: readonly AnyCenterModule[]) =>
  parseCenterConfig({ listen: { host: '127.0.0.1', port: 0 }, db, terminalKeys: { masterKeyFile: k.masterKeyFile } }, modules);

describe('startCenter', () => {
  it('refuses a module whose required module is not in the list, before the database is created (CENTER_MODULE_MISSING)', async () => {
    const db = join(k.dir, 'missing.db');
    const modules = [cashModule, emoneyModule({ secrets: { issuerMasterKey: Buffer.alloc(32, 1), currency: 'JPY', providerAccounts: [] } })];
    await expect(startCenter(configIn(db, modules), modules)).rejects.toMatchObject({ code: 'CENTER_MODULE_MISSING' });
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a composition where no module provides the terminal list (CENTER_NO_TERMINAL_DIRECTORY)', async () => {
    const modules = [cashModule];
    await expect(startCenter(configIn(join(k.dir, 'nodir.db'), modules), modules)).rejects.toMatchObject({ code: 'CENTER_NO_TERMINAL_DIRECTORY' });
  });

  it('opens a module after those it requires whatever the list order; close stops timers, drains idle(), then closes newest first', async () => {
    const events: string[] = [];
    const probe: CenterModule<undefined, { gateSeen: boolean }> = {
      name: 'probe',
      requires: ['validity'],
      async open(ctx) {
        const gateSeen = ctx.module<ValidityApi>('validity').gate !== undefined;
        expect(() => ctx.module('cash')).toThrow(expect.objectContaining({ code: 'CENTER_MODULE_MISSING' }));
        events.push('open');
        return {
          api: { gateSeen },
          timers: [{ stop: async () => void events.push('timer stopped') }],
          idle: async () => void events.push('idle'),
          close: async () => void events.push('closed'),
        };
      },
    };
    const modules = [probe, cashModule, validityModule()];
    const center = await startCenter(configIn(join(k.dir, 'order.db'), modules), modules);
    expect(center.modules).toEqual(['validity', 'probe', 'cash']);
    expect(center.module<{ gateSeen: boolean }>('probe').gateSeen).toBe(true);
    expect(() => center.module('emoney')).toThrow(expect.objectContaining({ code: 'CENTER_MODULE_MISSING' }));
    await center.close();
    expect(events).toEqual(['open', 'timer stopped', 'idle', 'closed']);
  });

  it('a module that uses another gets its api when it runs (opened first, whatever the list order) and undefined when not; start() runs once every module opened', async () => {
    const events: string[] = [];
    const host: CenterModule<undefined, { add(x: string): void }> = {
      name: 'host',
      async open() {
        const added: string[] = [];
        events.push('host open');
        return { api: { add: (x) => void added.push(x) }, start: async () => void events.push(`host start with ${added.join(',')}`) };
      },
    };
    const user: CenterModule<undefined, { hostSeen: boolean; absentSeen: unknown }> = {
      name: 'user',
      requires: ['validity'],
      uses: ['host', 'absent'],
      async open(ctx) {
        events.push('user open');
        ctx.optionalModule<{ add(x: string): void }>('host')?.add('routes of user');
        expect(() => ctx.optionalModule('cash')).toThrow(expect.objectContaining({ code: 'CENTER_MODULE_MISSING' }));
        return { api: { hostSeen: ctx.optionalModule('host') !== undefined, absentSeen: ctx.optionalModule('absent') }, start: async () => void events.push('user start') };
      },
    };
    const modules = [user, validityModule(), host];
    const center = await startCenter(configIn(join(k.dir, 'uses.db'), modules), modules);
    expect(center.modules).toEqual(['validity', 'host', 'user']);
    expect(center.module<{ hostSeen: boolean; absentSeen: unknown }>('user')).toEqual({ hostSeen: true, absentSeen: undefined });
    expect(events).toEqual(['host open', 'user open', 'host start with routes of user', 'user start']);
    await center.close();
    const alone = [user, validityModule()];
    const c2 = await startCenter(configIn(join(k.dir, 'uses2.db'), alone), alone);
    expect(c2.module<{ hostSeen: boolean }>('user').hostSeen).toBe(false);
    await c2.close();
  });
});
