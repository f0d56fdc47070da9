/**
 * The card holder's keypad / voice-menu line (seed 003: "card holders may
 * order by keypad, voice or a dedicated machine"): a menu spoken as prompts,
 * answered with digits and `#`, one answer a line. `tessera credit order
 * --keypad` runs it over stdin/stdout against the credit company's HTTP API.
 *
 *   customer number #  →  amount #  →  PIN #  →  1 confirm / 2 cancel
 *
 * The PIN is never echoed, printed or kept; a bad entry is asked again (at
 * most three times), then the call ends.
 */
export interface KeypadOrder {
  readonly customer: string;
  readonly amountMinor: number;
  readonly pin: string;
}

export interface KeypadLine {
  /** Speaks a prompt (the voice menu; a line on stdout). */
  say(text: string): void;
  /** The next keyed answer, without the trailing `#`; null when the caller hung up. */
  next(): Promise<string | null>;
}

const TRIES = 3;

async function ask(line: KeypadLine, prompt: string, valid: (s: string) => boolean): Promise<string | null> {
  for (let i = 0; i < TRIES; i++) {
    line.say(prompt);
    const raw = await line.next();
    if (raw === null) return null;
    const keyed = raw.trim().replace(/#$/, '');
    if (valid(keyed)) return keyed;
    line.say('That entry is not valid.');
  }
  return null;
}

/** The dialogue: the order to place, or null (hung up, cancelled, too many bad entries). */
export async function keypadDialogue(line: KeypadLine, currency: string): Promise<KeypadOrder | null> {
  line.say('Settlement passwords. Key your customer number, then the hash key.');
  const customer = await ask(line, 'Customer number:', (s) => /^[0-9]{1,16}$/.test(s));
  if (customer === null) return null;
  const amount = await ask(line, `Amount in ${currency}, then hash:`, (s) => /^[1-9][0-9]{0,8}$/.test(s));
  if (amount === null) return null;
  const pin = await ask(line, 'Your bank PIN, then hash:', (s) => /^[0-9]{4,12}$/.test(s));
  if (pin === null) return null;
  const confirm = await ask(line, `A password of ${amount} ${currency} from your bank account. Press 1 to confirm, 2 to cancel.`, (s) => s === '1' || s === '2');
  if (confirm !== '1') {
    line.say('Cancelled. Nothing was taken.');
    return null;
  }
  return { customer, amountMinor: Number(amount), pin };
}

/** A KeypadLine over a stream of lines (stdin) and a writer (stdout). */
export function streamLine(lines: AsyncIterator<string>, write: (s: string) => void): KeypadLine {
  return {
    say: (text) => write(`${text}\n`),
    next: async () => {
      const r = await lines.next();
      return r.done ? null : r.value;
    },
  };
}
