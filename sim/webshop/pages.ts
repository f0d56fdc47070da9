/**
 * The web shop's HTML pages (server-rendered; one small script adds card
 * fields). Elements a test drives carry `data-testid`. A PIN is never
 * written into a page: a form shown again has empty card fields.
 */
import type { BalanceAnswer } from '../../center/voucher/api.js';
import { CATALOG, type Good } from './catalog.js';
import { WEBSHOP_LIMITS } from './limits.js';
import type { Order } from './orders.js';
import { buyerWords } from './words.js';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function money(minor: number, currency: string): string {
  const exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  return `${new Intl.NumberFormat('en', { minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(minor / 10 ** exponent)} ${currency}`;
}

function layout(shop: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} - ${esc(shop)}</title>
<style>body{font-family:sans-serif;max-width:44em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
.ok{color:#075e00}.refused{color:#a00}.code{color:#666;font-size:.8em}input.pin{font-family:monospace;width:16em}</style>
</head><body><header><a href="/">${esc(shop)}</a> · <a href="/balance">card balance</a></header><main>
${body}
</main><script src="/app.js"></script></body></html>`;
}

export function homePage(shop: string, currency: string): string {
  const rows = CATALOG.map(
    (g) => `<tr><td>${esc(g.name)}</td><td>${money(g.priceMinor, currency)}</td><td>${g.kind === 'shipped' ? 'charged when shipped' : 'paid at once'}</td>
<td><a data-testid="buy-${esc(g.sku)}" href="/checkout?sku=${encodeURIComponent(g.sku)}">buy</a></td></tr>`,
  ).join('\n');
  return layout(shop, 'Goods', `<h1>Goods</h1><p>Pay with prepaid cards bought at the convenience store: enter the PIN under the scratch-off panel.</p><table>${rows}</table>`);
}

export interface CheckoutView {
  readonly item: Good;
  readonly quantity: number;
  readonly currency: string;
  readonly attemptKey: string;
  readonly cards: number;
  readonly orderId?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

function cardFields(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `<p class="card"><label>Card ${i + 1} PIN <input class="pin" name="pin" data-testid="pin-${i}" inputmode="numeric" autocomplete="off" maxlength="19"></label></p>`,
  ).join('\n');
}

export function checkoutForm(v: CheckoutView, heading = 'Pay with prepaid cards'): string {
  const total = v.item.priceMinor * v.quantity;
  return `<form method="post" action="/pay" data-testid="checkout">
<h2>${esc(heading)}</h2>
<input type="hidden" name="attempt" value="${esc(v.attemptKey)}">
<input type="hidden" name="sku" value="${esc(v.item.sku)}">
${v.orderId !== undefined ? `<input type="hidden" name="orderId" value="${esc(v.orderId)}">` : ''}
<p><label>Quantity <input name="quantity" data-testid="quantity" type="number" min="1" max="${WEBSHOP_LIMITS.quantityMax}" value="${v.quantity}"${v.orderId !== undefined ? ' readonly' : ''}></label></p>
<p>Total: <strong data-testid="total">${money(total, v.currency)}</strong>${v.item.kind === 'shipped' ? ' (held now, charged when your parcel ships)' : ''}</p>
${v.error ? `<p class="refused" data-testid="form-error">${esc(v.error.message)} <span class="code">${esc(v.error.code)}</span></p>` : ''}
<div id="cards" data-max="${WEBSHOP_LIMITS.cardsPerOrderMax}">${cardFields(v.cards)}</div>
<p><button type="button" id="add-card" data-testid="add-card">Add another card</button>
<noscript><a href="?sku=${encodeURIComponent(v.item.sku)}&amp;cards=${Math.min(v.cards + 1, WEBSHOP_LIMITS.cardsPerOrderMax)}">add another card</a></noscript></p>
<p><button type="submit" data-testid="pay">Pay</button></p>
</form>`;
}

export function checkoutPage(shop: string, v: CheckoutView): string {
  return layout(shop, 'Checkout', `<h1>${esc(v.item.name)}</h1><p>${money(v.item.priceMinor, v.currency)} each</p>${checkoutForm(v)}`);
}

function cardsTable(o: Order): string {
  const rows = o.cards
    .map(
      (c) =>
        `<tr data-testid="card-${esc(c.serialLast4)}"><td>card ending ${esc(c.serialLast4)}</td><td>${o.state === 'authorized' ? 'held' : 'paid'} ${money(c.taken, o.currency)}</td><td>remaining <span data-testid="remaining-${esc(c.serialLast4)}">${money(c.remaining, o.currency)}</span></td></tr>`,
    )
    .join('\n');
  return `<table data-testid="cards">${rows}</table>`;
}

const HEADLINE: Readonly<Record<string, string>> = {
  paid: 'Payment approved',
  authorized: 'Payment authorised: your cards are charged when the parcel ships',
  shipped: 'Shipped and paid',
  cancelled: 'Order cancelled: the value is back on your cards',
  refunded: 'Refunded to your cards',
  'partly-refunded': 'Partly refunded to your cards',
};

/** The order's page: approval and each card's remaining balance, or the refusal in plain words (and a form to try again). */
export function orderPage(shop: string, o: Order, item: Good, retry: { attemptKey: string } | null): string {
  const head = `<h1>Order ${esc(o.orderId)}</h1><p>${esc(item.name)} × ${o.quantity}: ${money(o.amountMinor, o.currency)}</p>`;
  const headline = HEADLINE[o.state];
  if (headline !== undefined) {
    const refunded = o.refundedMinor > 0 ? `<p>Refunded: ${money(o.refundedMinor, o.currency)}</p>` : '';
    return layout(shop, headline, `${head}<p class="ok" data-testid="approved" data-state="${esc(o.state)}">${esc(headline)}</p>${refunded}${cardsTable(o)}`);
  }
  if (o.state === 'refused' || o.state === 'in-doubt') {
    const inDoubt = o.state === 'in-doubt';
    const words = buyerWords(o.lastCode ?? '', inDoubt, o.lastDetails);
    const form = retry
      ? checkoutForm(
          { item, quantity: o.quantity, currency: o.currency, attemptKey: retry.attemptKey, cards: Math.max(1, o.cards.length, 1), orderId: o.orderId },
          inDoubt ? 'Send the payment again (same cards)' : 'Try other cards',
        )
      : '';
    return layout(
      shop,
      inDoubt ? 'Payment not confirmed' : 'Payment refused',
      `${head}<p class="refused" data-testid="refused" data-code="${esc(o.lastCode ?? '')}">${esc(words)} <span class="code">${esc(o.lastCode ?? '')}</span></p>${form}`,
    );
  }
  return layout(shop, 'Payment in progress', `${head}<p data-testid="pending">Your payment is being processed. Reload this page in a moment.</p>`);
}

export function balancePage(shop: string, r: { answer?: BalanceAnswer; error?: { code: string; message: string } }): string {
  const answer = r.answer
    ? `<p data-testid="balance">Card ending ${esc(r.answer.serialLast4)}: ${money(r.answer.balance, r.answer.currency)} (${esc(r.answer.state)}, valid until ${new Date(r.answer.expiresAtMs).toISOString().slice(0, 10)})</p>`
    : '';
  const error = r.error ? `<p class="refused" data-testid="refused">${esc(r.error.message)} <span class="code">${esc(r.error.code)}</span></p>` : '';
  return layout(
    shop,
    'Card balance',
    `<h1>Card balance</h1>${answer}${error}<form method="post" action="/balance"><label>PIN <input class="pin" name="pin" data-testid="balance-pin" inputmode="numeric" autocomplete="off" maxlength="19"></label> <button data-testid="check">Check</button></form>`,
  );
}

export function adminPage(shop: string, orders: readonly Order[], notice?: string): string {
  const actions = (o: Order): string => {
    const f = (step: string, label: string, amount = false): string =>
      `<form method="post" action="/admin/orders/${encodeURIComponent(o.orderId)}/${step}" style="display:inline">${amount ? `<input name="amount" size="6" placeholder="all">` : ''}<button data-testid="${step}-${esc(o.orderId)}">${label}</button></form>`;
    if (o.state === 'authorized') return `${f('capture', 'Ship (capture)')} ${f('cancel', 'Cancel')}`;
    if (o.state === 'paid' || o.state === 'shipped' || o.state === 'partly-refunded') return f('refund', 'Refund', true);
    return '';
  };
  const rows = orders
    .map((o) => `<tr data-testid="order-${esc(o.orderId)}"><td>${esc(o.orderId)}</td><td>${esc(o.sku)} × ${o.quantity}</td><td>${money(o.amountMinor, o.currency)}</td><td>${esc(o.state)}${o.lastCode ? ` <span class="code">${esc(o.lastCode)}</span>` : ''}</td><td>${money(o.capturedMinor, o.currency)} / ${money(o.refundedMinor, o.currency)}</td><td>${actions(o)}</td></tr>`)
    .join('\n');
  return layout(
    shop,
    'Admin',
    `<h1>Orders</h1>${notice ? `<p data-testid="notice">${esc(notice)}</p>` : ''}<table><tr><th>order</th><th>item</th><th>amount</th><th>state</th><th>captured / refunded</th><th></th></tr>${rows}</table>`,
  );
}

/** The one script: "Add another card" adds an empty PIN field (up to the limit). */
export const APP_JS = `document.getElementById('add-card')?.addEventListener('click', () => {
  const cards = document.getElementById('cards');
  const n = cards.querySelectorAll('input.pin').length;
  if (n >= Number(cards.dataset.max)) return;
  const p = document.createElement('p');
  p.className = 'card';
  p.innerHTML = '<label>Card ' + (n + 1) + ' PIN <input class="pin" name="pin" data-testid="pin-' + n + '" inputmode="numeric" autocomplete="off" maxlength="19"></label>';
  cards.appendChild(p);
  p.querySelector('input').focus();
});
`;
