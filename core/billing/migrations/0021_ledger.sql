-- SPDX-FileCopyrightText: 2026 Mouse Gateway developers
-- SPDX-License-Identifier: GPL-3.0-or-later
-- The token ledger: balances, an append-only journal, token orders (one per Checkout Session),
-- Stripe payment records and subscription state. Every idempotency rule of the money path is
-- backed by a unique constraint here, so a redelivered or replayed event cannot count twice.
-- Portable SQL: SQLite and PostgreSQL both accept every statement. Times are ms since the epoch.

-- No foreign key to customers on purpose: the ledger is a financial record and must survive
-- the deletion of a customer. The application checks that the customer exists.
CREATE TABLE token_balances (
    customer_id TEXT PRIMARY KEY,
    balance BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
    debt BIGINT NOT NULL DEFAULT 0 CHECK (debt >= 0),
    lifetime_earned BIGINT NOT NULL DEFAULT 0,
    lifetime_spent BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- seq orders the journal (stable pagination); it comes from ledger_counters, incremented inside
-- the writing transaction, which also serializes writers on both databases.
CREATE TABLE token_transactions (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    customer_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('purchase', 'usage', 'refund', 'adjustment', 'bonus')),
    amount BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    debt_after BIGINT NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    reference_type TEXT,
    reference_id TEXT,
    metadata TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX token_transactions_seq ON token_transactions (seq);
CREATE UNIQUE INDEX token_transactions_reference ON token_transactions (reference_type, reference_id);
CREATE INDEX token_transactions_customer ON token_transactions (customer_id, seq);

CREATE TABLE ledger_counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO ledger_counters (name, value) VALUES ('token_transactions', 0);

-- One order per Checkout Session. tokens_credited / tokens_revoked make crediting and the
-- cumulative refund revocation idempotent; amount_refunded_cents is the largest cumulative
-- refund seen (charge.amount_refunded).
CREATE TABLE token_orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    package_slug TEXT NOT NULL,
    token_amount BIGINT NOT NULL CHECK (token_amount > 0),
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'usd',
    stripe_checkout_session_id TEXT,
    stripe_payment_intent_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'completed', 'expired', 'failed', 'refunded')),
    tokens_credited BIGINT NOT NULL DEFAULT 0 CHECK (tokens_credited >= 0),
    tokens_revoked BIGINT NOT NULL DEFAULT 0 CHECK (tokens_revoked >= 0),
    amount_paid_cents BIGINT,
    amount_refunded_cents BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE UNIQUE INDEX token_orders_session ON token_orders (stripe_checkout_session_id);
CREATE INDEX token_orders_payment_intent ON token_orders (stripe_payment_intent_id);
CREATE INDEX token_orders_customer ON token_orders (customer_id, created_at);

-- Refund state per PaymentIntent, kept even when the charge.refunded event arrives before the
-- checkout completed (Stripe does not order deliveries); applied when the order completes.
-- A completion also creates the row (amounts 0) and both paths lock it first, which serializes
-- a completion and a refund of the same payment on PostgreSQL too.
CREATE TABLE stripe_refunds (
    payment_intent_id TEXT PRIMARY KEY,
    charge_id TEXT,
    amount_cents BIGINT NOT NULL,
    amount_refunded_cents BIGINT NOT NULL,
    currency TEXT,
    updated_at BIGINT NOT NULL
);

-- What each payment, invoice and subscription event said, one row per Stripe event.
CREATE TABLE payment_records (
    id TEXT PRIMARY KEY,
    stripe_event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    object_id TEXT,
    customer_id TEXT,
    stripe_customer_id TEXT,
    subscription_id TEXT,
    amount_cents BIGINT,
    currency TEXT,
    status TEXT,
    failure_message TEXT,
    event_created BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX payment_records_event ON payment_records (stripe_event_id);
CREATE INDEX payment_records_customer ON payment_records (customer_id, created_at);

-- The newest known state of each subscription. version_created (the event's created, in s) and
-- version_source keep an older event from overwriting a newer state; customers.subscription_*
-- mirror the state of the customer's subscription.
CREATE TABLE subscription_states (
    subscription_id TEXT PRIMARY KEY,
    customer_id TEXT,
    stripe_customer_id TEXT,
    status TEXT NOT NULL,
    version_created BIGINT NOT NULL,
    version_source TEXT NOT NULL,
    version_event_id TEXT NOT NULL,
    current_period_end BIGINT,
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX subscription_states_customer ON subscription_states (customer_id);
