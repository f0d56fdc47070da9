/**
 * Protocol versions agreed in the handshake (PROTOCOL.md §4.6), over real
 * sockets: the real center listener against the real link client and a raw
 * peer. A version-1 terminal gets a version-1 AUTH_OK byte for byte; a
 * version-2 pair runs at 2; no common version is a MAC'd
 * PROTO_VERSION_UNSUPPORTED that only an authenticated terminal sees.
 */
import { describe, expect, it, vi } from 'vitest';
import { MSG, TAG } from '../../../protocol/codes.js';
import { PROTO_WIRE_CODES } from '../../../protocol/errors.js';
import type { ProtocolError } from '../../../protocol/errors.js';
import { decodeBody } from '../../../protocol/messages/catalog.js';
import { TlvFields } from '../../../protocol/tlv/fields.js';
import { agreeVersion, PROTOCOL_VERSION_CURRENT, SPOKEN } from '../../../protocol/versions.js';
import { AgentLink } from '../../../terminal/agent/agent-link.js';
import { LinkClient, type LinkSession } from '../../../terminal/link/link-client.js';
import { KEY, netFixtures, TID } from '../../center/net/support.js';
import { h } from '../support/vector-types.js';

const fx = netFixtures();

function link(port: number, versions?: { min: number; max: number }): LinkClient {
  const c = new LinkClient({ terminalId: TID, terminalKey: KEY, centers: [{ host: '127.0.0.1', port }], ...(versions && { protocolVersions: versions }) });
  fx.cleanups.push(() => c.close());
  return c;
}

function firstEvent(c: LinkClient): Promise<{ up: LinkSession } | { fail: ProtocolError }> {
  return new Promise((resolve) => {
    c.on('up', (s) => resolve({ up: s }));
    c.on('fail', (e) => resolve({ fail: e }));
    c.start();
  });
}

describe('agreeVersion', () => {
  it('takes the highest version both ranges hold, none when they do not overlap', () => {
    expect(agreeVersion({ min: 1, max: 2 }, { min: 1, max: 2 })).toBe(2);
    expect(agreeVersion({ min: 1, max: 1 }, { min: 1, max: 2 })).toBe(1);
    expect(agreeVersion({ min: 1, max: 3 }, { min: 1, max: 2 })).toBe(2);
    expect(agreeVersion({ min: 3, max: 4 }, { min: 1, max: 2 })).toBeUndefined();
    expect(agreeVersion({ min: 1, max: 1 }, { min: 2, max: 2 })).toBeUndefined();
    expect(SPOKEN).toEqual({ min: PROTOCOL_VERSION_CURRENT - 1, max: PROTOCOL_VERSION_CURRENT });
  });

  it('a version-1 receiver (no private tags kept) skips the version TLVs of a version-2 AUTH', () => {
    const body = h('8220' + '8f'.repeat(32) + 'df01020002 df02020001');
    const old = TlvFields.parse(body);
    expect(old.one(TAG.PROOF)).toEqual(Buffer.alloc(32, 0x8f));
    expect(() => old.done()).not.toThrow();
    expect(decodeBody(MSG.AUTH, body)).toEqual({ type: 'auth', proof: Buffer.alloc(32, 0x8f), protocolVersion: 2, protocolVersionMin: 1 });
  });
});

describe('handshake versions (center listener, link client)', () => {
  it('a version-2 terminal and center run the session at version 2, and both sides know it', async () => {
    const { port, flows } = await fx.center();
    const ev = await firstEvent(link(port));
    expect('up' in ev && ev.up.protocolVersion).toBe(2);
    await vi.waitFor(() => expect(flows).toHaveLength(1));
    expect(flows[0]!.info.protocolVersion).toBe(2);
  });

  it('a version-1 terminal (no version TLVs) gets a version-1 AUTH_OK, byte for byte, and a version-1 session', async () => {
    const { port, flows } = await fx.center();
    const p = await fx.peer(port);
    expect(await p.handshake(TID, KEY)).toBe('authOk');
    // AUTH_OK carries the proof only: 34 bytes of body, no HANDSHAKE_VERSION.
    expect(p.authOk!.frame.body.length).toBe(34);
    expect(p.authOk!.message).toEqual({ type: 'authOk', proof: expect.any(Buffer) });
    await vi.waitFor(() => expect(flows).toHaveLength(1));
    expect(flows[0]!.info.protocolVersion).toBe(1);
  });

  it('a terminal that names versions 1-2 is answered with the chosen version in AUTH_OK', async () => {
    const { port } = await fx.center();
    const p = await fx.peer(port);
    expect(await p.handshake(TID, KEY, { protocolVersion: 2, protocolVersionMin: 1 })).toBe('authOk');
    expect(p.authOk!.message).toMatchObject({ type: 'authOk', protocolVersion: 2 });
  });

  it('a version-1 terminal against a center that dropped version 1 is refused with PROTO_VERSION_UNSUPPORTED, and no session opens', async () => {
    const { port, flows } = await fx.center({ protocolVersions: { min: 2, max: 2 } });
    const ev = await firstEvent(link(port, { min: 1, max: 1 }));
    expect('fail' in ev && ev.fail.code).toBe('PROTO_VERSION_UNSUPPORTED');
    expect(flows).toHaveLength(0);
  });

  it('a terminal newer than the center (3 only) is refused with a MAC\'d PROTO_VERSION_UNSUPPORTED', async () => {
    const { port, flows } = await fx.center();
    const p = await fx.peer(port);
    expect(await p.handshake(TID, KEY, { protocolVersion: 3, protocolVersionMin: 3 })).toBe('PROTO_VERSION_UNSUPPORTED');
    expect(flows).toHaveLength(0);
    // The link client sees the same refusal.
    const ev = await firstEvent(link(port, { min: 3, max: 3 }));
    expect('fail' in ev && ev.fail.code).toBe('PROTO_VERSION_UNSUPPORTED');
  });

  it('an unauthenticated terminal learns nothing about versions: a wrong key is PROTO_AUTH_FAILED whatever it names', async () => {
    const { port } = await fx.center();
    const p = await fx.peer(port);
    expect(await p.handshake(TID, Buffer.alloc(32, 0x01), { protocolVersion: 3, protocolVersionMin: 3 })).toBe('PROTO_AUTH_FAILED');
    expect(PROTO_WIRE_CODES.PROTO_VERSION_UNSUPPORTED).toBe(0x0041);
  });

  it('a terminal that dropped version 1 against a center still at version 1 only: refused, not run at 1', async () => {
    const { port } = await fx.center({ protocolVersions: { min: 1, max: 1 } });
    const ev = await firstEvent(link(port, { min: 2, max: 2 }));
    expect('fail' in ev && ev.fail.code).toBe('PROTO_VERSION_UNSUPPORTED');
  });

  it('the agent reports a version refusal as TERM_CENTER_REFUSED, not as an unreachable center', async () => {
    const { port } = await fx.center({ protocolVersions: { min: 2, max: 2 } });
    const c = link(port, { min: 1, max: 1 });
    const agentLink = new AgentLink(c, { timeoutMs: 300, attempts: 1 });
    const ev = await firstEvent(c);
    expect('fail' in ev && ev.fail.code).toBe('PROTO_VERSION_UNSUPPORTED');
    await expect(agentLink.request({ type: 'ping' })).rejects.toMatchObject({ code: 'TERM_CENTER_REFUSED', details: { protocolCode: 'PROTO_VERSION_UNSUPPORTED' } });
  });
});
