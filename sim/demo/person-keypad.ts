/**
 * The person standing at a demo terminal, as its keypad sees them: before
 * they insert a card the script tells them what they will type at each
 * prompt (amount, PIN, menu choice); the terminal asks and they answer.
 * Answering by prompt rather than from one queue keeps the script correct
 * whatever order a role asks in, and a prompt they have no answer for ends
 * at once as the keypad timeout it would become (they walked away).
 * Values are never logged or reported; only the prompts asked are kept.
 */
import type { Keypad, KeypadPrompt } from '../../terminal/agent/keypad.js';
import { termError } from '../../terminal/agent/errors.js';

export type Answers = Partial<Record<KeypadPrompt, string>>;

export class PersonKeypad implements Keypad {
  private answers: Answers = {};
  private asked: KeypadPrompt[] = [];

  /** A new person steps up with these answers (whatever the previous one left is forgotten). */
  approach(answers: Answers): void {
    this.answers = { ...answers };
    this.asked = [];
  }

  /** The person leaves; returns the prompts they were asked, in order. */
  leave(): KeypadPrompt[] {
    const asked = this.asked;
    this.answers = {};
    this.asked = [];
    return asked;
  }

  read(prompt: KeypadPrompt): Promise<string> {
    this.asked.push(prompt);
    const value = this.answers[prompt];
    if (value === undefined) return Promise.reject(termError('TERM_INPUT_TIMEOUT', `the person at the terminal has nothing to enter for ${prompt}`, { prompt }));
    return Promise.resolve(value);
  }
}
