-- SPDX-FileCopyrightText: 2026 Mouse Gateway developers
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Customers, their API keys and their AI employees (each with its Orgo computer).
-- Portable SQL: SQLite and PostgreSQL both accept every statement. Times are ms since the epoch.
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    company_name TEXT NOT NULL,
    email TEXT NOT NULL,
    plan_tier TEXT NOT NULL DEFAULT 'token_based',
    status TEXT NOT NULL DEFAULT 'active',
    stripe_customer_id TEXT,
    subscription_id TEXT,
    subscription_status TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX customers_email ON customers (email);
CREATE UNIQUE INDEX customers_stripe ON customers (stripe_customer_id);

-- Only a SHA-256 of each key is stored; prefix is the first characters, shown to operators.
CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    prefix TEXT NOT NULL,
    label TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_customer ON api_keys (customer_id);

-- status: deploying, starting, active, stopped, failed, deleted.
CREATE TABLE employees (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'idle',
    current_task TEXT,
    vm_id TEXT,
    vm_url TEXT,
    workspace_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX employees_customer ON employees (customer_id);
CREATE UNIQUE INDEX employees_vm ON employees (vm_id);
