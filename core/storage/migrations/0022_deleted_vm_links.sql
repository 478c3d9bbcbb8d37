-- SPDX-FileCopyrightText: 2026 Mouse Gateway developers
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Employees whose VM was deleted before 2026-12-05 kept the VM's address (vm_url) though
-- vm_id was cleared; a deleted VM now leaves neither behind. Numbered after billing's 0021:
-- the storage layer applies only versions above the highest applied.
UPDATE employees SET vm_url = NULL WHERE vm_id IS NULL;
