/**
 * The messaging parties of a delivery test, each its own `tessera` process:
 * the SMSC, the mail server, phones. Configs and secret files (0600) go into
 * the test's directory; every process's output is kept for secret scans.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, type JsonLine } from '../../../../../sim/world/cli-process.js';
import { writeConfigFile, writeSecretFile } from '../../../../../sim/world/cli-parts.js';

export const SMPP_SYSTEM_ID = 'tessera';
export const SMPP_PASSWORD = 'sm9Pw!x2';
export const SMTP_USER = 'ttp';
export const SMTP_PASSWORD = 'smtp-secret-0b7e4c';

/** A `tessera` process takes 20 s to start on this loaded machine (load 19 on 2 cores measured). */
const READY_MS = 120_000;

export function testDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `tessera-${name}-`));
}

export interface Party {
  readonly process: CliProcess;
  readonly port: number;
  /** Sends a control line and waits for its answer. */
  control(cmd: Record<string, unknown>): Promise<JsonLine>;
}

async function party(name: string, args: string[]): Promise<Party> {
  const p = new CliProcess(name, args);
  const ready = await p.ready(READY_MS);
  return {
    process: p,
    port: Number(ready['port']),
    control: async (cmd) => {
      const answer = p.next((o) => typeof o['ok'] === 'boolean' && o['cmd'] === cmd['cmd'], 10_000, `answer to ${String(cmd['cmd'])}`);
      p.send(JSON.stringify(cmd));
      const a = await answer;
      if (a['ok'] !== true) throw new Error(`${name}: ${String(cmd['cmd'])} refused: ${JSON.stringify(a)}`);
      return a;
    },
  };
}

export async function startSmscProcess(dir: string, phones: string[], extra: Record<string, unknown> = {}): Promise<Party & { passwordFile: string }> {
  const passwordFile = writeSecretFile(dir, 'smsc-account.pw', `${SMPP_PASSWORD}\n`);
  const config = writeConfigFile(dir, 'smsc.json', { listen: { host: '127.0.0.1', port: 0 }, accounts: [{ systemId: SMPP_SYSTEM_ID, passwordFile }], phones, ...extra });
  return { ...(await party('smsc', ['smsc', 'serve', '--config', config])), passwordFile };
}

export async function startMailboxProcess(dir: string, mailboxes: string[]): Promise<Party & { dir: string }> {
  const passwordFile = writeSecretFile(dir, 'mailbox-auth.pw', `${SMTP_PASSWORD}\n`);
  const mailDir = join(dir, 'mail');
  const config = writeConfigFile(dir, 'mailbox.json', { listen: { host: '127.0.0.1', port: 0 }, dir: mailDir, mailboxes, auth: { user: SMTP_USER, passwordFile } });
  return { ...(await party('mailbox', ['mailbox', 'serve', '--config', config])), dir: mailDir };
}

export interface PhoneProcess {
  readonly process: CliProcess;
  readonly config: string;
  readonly dir: string;
  readonly devicePublicKey: string;
}

export async function startPhoneProcess(dir: string, name: string, c: { msisdn: string; smscPort?: number; maildir?: string }): Promise<PhoneProcess> {
  const phoneDir = join(dir, `phone-${name}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(phoneDir, { recursive: true, mode: 0o700 });
  const config = writeConfigFile(dir, `phone-${name}.json`, {
    msisdn: c.msisdn,
    dir: phoneDir,
    ...(c.smscPort !== undefined && { smsc: { host: '127.0.0.1', port: c.smscPort } }),
    ...(c.maildir !== undefined && { maildir: c.maildir }),
    pollMs: 100,
    reattachMsMax: 500,
  });
  const p = new CliProcess(`phone ${name}`, ['phone', 'serve', '--config', config]);
  const attached = c.smscPort !== undefined ? p.next((o) => o['event'] === 'attached', READY_MS, 'attached') : null;
  attached?.catch(() => undefined); // awaited below; a failed ready must not leave it unhandled
  const ready = await p.ready(READY_MS);
  await attached;
  return { process: p, config, dir: phoneDir, devicePublicKey: String(ready['devicePublicKey']) };
}

/** Polls until pred returns a value (not undefined/false), or fails after timeoutMs with what it last saw. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    last = v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
