-- SPDX-FileCopyrightText: 2026 Mouse Gateway developers
-- SPDX-License-Identifier: GPL-3.0-or-later
-- No query looks tasks up by reference (a task's reference is read by its id), and a Stripe
-- event id is random, so the index dirtied one random page per event in every webhook group
-- commit: more WAL to write and sync before the acknowledgements.
DROP INDEX IF EXISTS tasks_reference;
