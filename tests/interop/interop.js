// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Signs events with stripe.webhooks.generateTestHeaderString (the official `stripe` package) and
// sends them to a running mouse-gateway: signed ones must be accepted (202, then 200 duplicate),
// tampered ones rejected with the right reason.
// usage: node interop.js <base-url> <whsec_secret> [<second whsec_secret>]
'use strict';
const Stripe = require('stripe');

const [base, secret, otherSecret] = process.argv.slice(2);
if (!base || !secret) {
  console.error('usage: node interop.js <base-url> <secret> [<other-secret>]');
  process.exit(2);
}
const stripe = new Stripe('sk_test_dummy_not_used'); // no network call is made
let failures = 0;

function event(n) {
  return JSON.stringify({
    id: `evt_interop_${process.pid}_${n}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: {
      object: {
        id: `cs_test_interop_${n}`, object: 'checkout.session', mode: 'payment',
        status: 'complete', payment_status: 'paid', amount_total: 1900, currency: 'usd',
        metadata: {},
      },
    },
  }, null, n % 2 ? 2 : 0); // pretty-printed and compact: the raw bytes are what is signed
}

async function send(payload, header) {
  const headers = { 'Content-Type': 'application/json' };
  if (header !== undefined) headers['Stripe-Signature'] = header;
  const response = await fetch(`${base}/webhooks/stripe`, { method: 'POST', headers, body: payload });
  const text = await response.text();
  let json = {};
  try { json = JSON.parse(text); } catch (e) { /* checked below */ }
  return { status: response.status, json, text };
}

function expect(name, got, status, check) {
  const ok = got.status === status && (!check || check(got.json));
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${got.status} ${got.text.slice(0, 160)}`);
}

const reason = (code) => (json) => json.error && json.error.code === code;

async function main() {
  for (let n = 0; n < 4; n++) {
    const payload = event(n);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    stripe.webhooks.constructEvent(payload, header, secret); // the library accepts it too
    expect(`signed event ${n}`, await send(payload, header), 202,
      (j) => j.received === true && typeof j.task_id === 'string');
    expect(`redelivery ${n}`, await send(payload,
      stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(Date.now() / 1000) + 1 })),
      200, (j) => j.duplicate === true);

    const tampered = payload.replace('"amount_total":1900', '"amount_total":1')
      .replace('"amount_total": 1900', '"amount_total": 1');
    expect(`tampered body ${n}`, await send(tampered, header), 400, reason('bad_signature'));
    const wrong = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours' });
    expect(`wrong secret ${n}`, await send(payload, wrong), 400, reason('bad_signature'));
    const stale = stripe.webhooks.generateTestHeaderString({
      payload, secret, timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(`stale timestamp ${n}`, await send(payload, stale), 400, reason('stale_timestamp'));
  }

  // Rotation: Stripe signs with both secrets while the old one is still active.
  if (otherSecret) {
    const payload = event(100);
    const t = Math.floor(Date.now() / 1000);
    const a = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    const b = stripe.webhooks.generateTestHeaderString({ payload, secret: otherSecret, timestamp: t });
    const both = `${a},v1=${b.split('v1=')[1]}`;
    expect('rotation, two v1', await send(payload, both), 202);
    const payload2 = event(101);
    expect('second secret alone', await send(payload2,
      stripe.webhooks.generateTestHeaderString({ payload: payload2, secret: otherSecret })), 202);
  }

  const payload = event(200);
  expect('missing header', await send(payload, undefined), 400, reason('missing_signature'));
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  expect('space after comma', await send(payload, header.replace(',', ', ')), 400,
    reason('bad_signature'));
  expect('uppercase hex', await send(payload, header.replace(/v1=([0-9a-f]+)/, (m, h) => `v1=${h.toUpperCase()}`)),
    400, reason('bad_signature'));
  const notJson = 'not json';
  expect('not JSON', await send(notJson, stripe.webhooks.generateTestHeaderString({ payload: notJson, secret })),
    400, reason('invalid_json'));
  const notEvent = '{"id":"ch_1","object":"charge"}';
  expect('not an event', await send(notEvent, stripe.webhooks.generateTestHeaderString({ payload: notEvent, secret })),
    400, reason('not_an_event'));

  console.log(failures ? `${failures} check(s) failed` : 'all interop checks passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
