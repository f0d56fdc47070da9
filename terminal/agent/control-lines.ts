import { errorCode, isTesseraError } from '../../core/errors.js';
import type { Agent } from './agent.js';
import { ScriptedKeypad, type KeypadPrompt } from './keypad.js';

const PROMPTS: ReadonlySet<string> = new Set<KeypadPrompt>(['amount', 'pin', 'confirm', 'account', 'menu', 'code']);

/**
 * One control line of `tessera terminal` (stdin), for the simulator and for
 * scripting a terminal without hardware:
 *   keypad <prompt> <value>     → the scripted keypad (PINs are never echoed)
 *   command <name> [json-args]  → agent.command(...)
 *   status                      → the devices' states (scanner: online/offline, DEV_PORT_GONE)
 * Returns a short coded answer for the caller to print (never the value);
 * never rejects: a refusal (TERM_KEYPAD_FULL, …) is an `error` answer.
 */
export async function applyControlLine(line: string, agent: Agent, keypad: ScriptedKeypad): Promise<Record<string, unknown>> {
  try {
    return await apply(line, agent, keypad);
  } catch (e) {
    const code = isTesseraError(e) ? errorCode(e) : 'TERM_ROLE_FAILED';
    const prompt = isTesseraError(e) ? e.details?.['prompt'] : undefined;
    return { error: code, line: e instanceof Error ? e.message : 'control line failed', ...(typeof prompt === 'string' && { prompt }) };
  }
}

async function apply(line: string, agent: Agent, keypad: ScriptedKeypad): Promise<Record<string, unknown>> {
  const [verb, first, ...rest] = line.trim().split(/\s+/);
  if (verb === 'keypad' && first && PROMPTS.has(first) && rest.length === 1) {
    keypad.push(first as KeypadPrompt, rest[0]!);
    return { keypad: first };
  }
  if (verb === 'command' && first) {
    let args: Record<string, unknown> | undefined;
    try {
      args = rest.length > 0 ? (JSON.parse(rest.join(' ')) as Record<string, unknown>) : undefined;
    } catch {
      return { error: 'TERM_CONFIG_INVALID', line: 'command arguments must be JSON' };
    }
    const report = await agent.command({ name: first, ...(args && { args }) });
    return { command: first, result: report.result, code: report.code };
  }
  if (verb === 'status' && first === undefined) {
    const scanner = agent.context.devices.scanner;
    return { status: { scanner: scanner ? await scanner.status() : null } };
  }
  return { error: 'TERM_NOT_SUPPORTED', line: 'expected: keypad <prompt> <value> | command <name> [json] | status' };
}
