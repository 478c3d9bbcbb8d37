-- SPDX-FileCopyrightText: 2026 Mouse Gateway developers
-- SPDX-License-Identifier: GPL-3.0-or-later
-- The durable task queue and the Stripe event store (webhook intake).
-- Portable SQL: SQLite and PostgreSQL both accept every statement. Times are ms since the epoch.

-- status: pending (ready or waiting for run_at), running (claimed), done, dead, discarded.
-- seq orders arrival (FIFO within a priority, arrival order within an ordering key).
-- payload is UTF-8 text. attempt counts every run; retry_from is the attempt count when an
-- operator last retried it from the dead-letter list (the retry budget starts again there).
CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 1,
    ordering_key TEXT,
    reference TEXT,
    payload TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempt INTEGER NOT NULL DEFAULT 0,
    retry_from INTEGER NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    finished_at BIGINT,
    last_error TEXT
);
CREATE INDEX tasks_status ON tasks (status, seq);
CREATE INDEX tasks_reference ON tasks (reference);
CREATE INDEX tasks_finished ON tasks (finished_at);

-- One row per attempt. outcome: done, retry, failed, interrupted.
CREATE TABLE task_attempts (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (task_id, attempt)
);

-- Every verified Stripe event, raw body as received. status: received, processed, ignored,
-- failed. event_id is the deduplication truth. ordering_key: the customer the event belongs
-- to (Stripe customer id, or metadata customer_id), empty when none. created: Stripe's
-- created (s). task_id: the task that processes it (the latest on a replay).
CREATE TABLE stripe_events (
    event_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'received',
    processed_at BIGINT,
    ordering_key TEXT,
    livemode INTEGER NOT NULL DEFAULT 0,
    created BIGINT,
    task_id TEXT
);
CREATE INDEX stripe_events_status ON stripe_events (status, received_at);
