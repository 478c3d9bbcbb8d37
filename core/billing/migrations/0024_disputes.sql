-- SPDX-FileCopyrightText: 2026 Mouse Gateway developers
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Stripe disputes (chargebacks) per dispute id. Stripe does not order deliveries, so the money
-- state is two sticky flags: funds_withdrawn and funds_reinstated are only ever set, and the
-- tokens are held back while withdrawn and not reinstated, whatever order the events came in.
-- tokens_revoked is what this dispute took from the customer now (0 or its share of the order);
-- the conditional UPDATE on it makes each revocation and each re-credit happen once.
CREATE TABLE IF NOT EXISTS stripe_disputes (
    dispute_id TEXT PRIMARY KEY,
    payment_intent_id TEXT,
    charge_id TEXT,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    currency TEXT,
    status TEXT,
    reason TEXT,
    funds_withdrawn INTEGER NOT NULL DEFAULT 0,
    funds_reinstated INTEGER NOT NULL DEFAULT 0,
    tokens_revoked BIGINT NOT NULL DEFAULT 0 CHECK (tokens_revoked >= 0),
    status_created BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS stripe_disputes_payment_intent ON stripe_disputes (payment_intent_id);

-- What a purchase under a client's Idempotency-Key asked for (SHA-256 of the package, its price
-- and the URLs), claimed before Stripe is asked: the first request under a key wins, and the
-- same key with another request is refused (409) instead of reaching Stripe. A table, not a
-- column of token_orders, so that the claim comes before the order exists and this migration
-- can run again (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS purchase_keys (
    order_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
