import { describe, expect, it } from 'vitest';
import { VALIDITY_MODES } from '../../../center/validity/types.js';
import type { Admission } from '../../../center/validity/engine.js';
import {
  EXPIRING_MEDIUM,
  GOOD_MEDIUM,
  GOOD_TERMINAL,
  LOST_MEDIUM,
  makeRig,
  INACTIVE_TERMINAL,
} from './fixtures.js';

const good = { mediumId: GOOD_MEDIUM, terminalId: GOOD_TERMINAL };

describe.each(VALIDITY_MODES)('ValidityEngine %s', (mode) => {
  const early = mode === 'cached-medium' || mode === 'cached-terminal';

  it(`acknowledges a valid pair (${early ? 'EARLY_ACK' : 'ACK'}) and confirms it`, async () => {
    const rig = await makeRig(mode, { latencySteps: 2 });
    const res = await rig.driver.until(rig.engine.admit(good));
    expect(res.kind).toBe(early ? 'early-ack' : 'ack');
    expect(await rig.driver.until((res as Admission).confirm())).toEqual({ ok: true });
  });

  it('refuses a lost card with the capture instruction and marks it captured in the database', async () => {
    const rig = await makeRig(mode);
    const res = await rig.driver.until(rig.engine.admit({ mediumId: LOST_MEDIUM, terminalId: GOOD_TERMINAL }));
    if (res.kind === 'nak') {
      expect(res).toEqual({ kind: 'nak', reason: 'MEDIUM_LOST', capture: true });
    } else {
      // configuration 3 checks the medium in the database behind the early ACK
      expect(mode).toBe('cached-terminal');
      expect(await rig.driver.until(res.confirm())).toEqual({ ok: false, reason: 'MEDIUM_LOST', capture: true });
    }
    expect(rig.source.media.get(LOST_MEDIUM)?.status).toBe('captured');
  });

  it('refuses an inactive terminal without capturing the card', async () => {
    const rig = await makeRig(mode);
    const res = await rig.driver.until(rig.engine.admit({ mediumId: GOOD_MEDIUM, terminalId: INACTIVE_TERMINAL }));
    const final = res.kind === 'nak' ? res : await rig.driver.until(res.confirm());
    expect(final).toMatchObject({ reason: 'TERMINAL_INACTIVE', capture: false });
    expect(res.kind === 'nak').toBe(mode !== 'cached-medium');
    expect(rig.source.media.get(GOOD_MEDIUM)?.status).toBe('active');
  });

  it('refuses unknown ids and malformed ids', async () => {
    const rig = await makeRig(mode);
    const unknown = await rig.driver.until(rig.engine.admit({ mediumId: 'ffffffffffffffff', terminalId: 'T-NOPE' }));
    const final = unknown.kind === 'nak' ? unknown : await rig.driver.until(unknown.confirm());
    expect(final).toMatchObject({ capture: false });
    expect(['MEDIUM_UNKNOWN', 'TERMINAL_UNKNOWN']).toContain((final as { reason: string }).reason);
    const bad = await rig.driver.until(rig.engine.admit({ mediumId: 'XYZ', terminalId: GOOD_TERMINAL }));
    expect(bad).toEqual({ kind: 'nak', reason: 'BAD_REQUEST', capture: false });
  });

  it('refuses (capture) a card whose expiry passes between the ACK and the transaction', async () => {
    const rig = await makeRig(mode);
    const res = await rig.driver.until(rig.engine.admit({ mediumId: EXPIRING_MEDIUM, terminalId: GOOD_TERMINAL }));
    expect(res.kind).not.toBe('nak');
    rig.clock.advance(1_000);
    expect(await rig.driver.until((res as Admission).confirm())).toEqual({
      ok: false,
      reason: 'MEDIUM_EXPIRED',
      capture: true,
    });
  });

  it('answers UNAVAILABLE (no capture) when the database read it needs fails', async () => {
    const rig = await makeRig(mode);
    rig.source.failReads = true;
    const res = await rig.driver.until(rig.engine.admit(good));
    if (mode === 'cached') {
      // configuration 1 needs no database read at all
      expect(await rig.driver.until((res as Admission).confirm())).toEqual({ ok: true });
      return;
    }
    const final = res.kind === 'nak' ? res : await rig.driver.until(res.confirm());
    expect(final).toMatchObject({ reason: 'UNAVAILABLE', capture: false });
  });

  it('refuses a card blocked after the ACK once the change has reached memory (or the DB read)', async () => {
    const rig = await makeRig(mode, { pushSteps: 1 });
    const res = await rig.driver.until(rig.engine.admit(good));
    expect(res.kind).not.toBe('nak');
    rig.source.putMedium({ id: GOOD_MEDIUM, status: 'stolen', expiresAtMs: null });
    for (let i = 0; i < 3; i++) await rig.driver.step();
    const final = await rig.driver.until((res as Admission).confirm());
    const readBeforeBlock = mode === 'direct' || mode === 'cached-terminal';
    // direct / cached-terminal read the medium from the database at admit time, before the block
    if (readBeforeBlock) expect(final).toEqual({ ok: true });
    else expect(final).toEqual({ ok: false, reason: 'MEDIUM_STOLEN', capture: true });
    const again = await rig.driver.until(rig.engine.admit(good));
    const after = again.kind === 'nak' ? again : await rig.driver.until(again.confirm());
    // the first refusal captured the card, so the second sees it captured
    expect(after).toMatchObject({ reason: readBeforeBlock ? 'MEDIUM_STOLEN' : 'MEDIUM_CAPTURED', capture: true });
    expect(rig.source.media.get(GOOD_MEDIUM)?.status).toBe('captured');
  });
});

describe('ValidityEngine timing', () => {
  it('cached-medium sends EARLY_ACK before the terminal read answers, and waits for it on confirm', async () => {
    const rig = await makeRig('cached-medium', { latencySteps: 0 });
    let confirmed = false;
    const res = await rig.engine.admit(good);
    expect(res.kind).toBe('early-ack');
    // the terminal read was issued with the EARLY_ACK; confirm issues no other read
    const before = rig.source.reads;
    const p = (res as Admission).confirm().then((j) => {
      confirmed = true;
      return j;
    });
    expect(rig.source.reads).toBe(before);
    expect(confirmed).toBe(false);
    expect(await rig.driver.until(p)).toEqual({ ok: true });
  });

  it('direct mode issues both database reads before either answers', async () => {
    const rig = await makeRig('direct', { latencySteps: 0 });
    const before = rig.source.reads;
    const p = rig.engine.admit(good);
    expect(rig.source.reads - before).toBe(2);
    expect((await rig.driver.until(p)).kind).toBe('ack');
  });
});
