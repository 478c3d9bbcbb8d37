# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's own batch method, reproduced for the fleet benchmark.

As the original gateway's orgo_client.py did it (see original-gateway.md, section 2): one shared
httpx.AsyncClient (timeout 30 s, max_connections=50, max_keepalive_connections=20), misses fetched
concurrently under an asyncio.Semaphore(10) via GET /computers/{id}, no retries; an exception or a
non-2xx answer becomes an error item.

Run with Debian's interpreter (python3-httpx): /usr/bin/python3 seed_method.py --base URL --key K
--ids FILE [--sequential]. Prints one JSON line: wall_s, items, errors, cpu_us_per_vm.
"""

import argparse
import asyncio
import json
import resource
import sys
import time

import httpx


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def get_computer(client, computer_id):
    response = await client.get(f"/computers/{computer_id}")
    response.raise_for_status()
    return response.json()


async def batch(client, ids, limit):
    semaphore = asyncio.Semaphore(limit)

    async def one(computer_id):
        async with semaphore:
            try:
                data = await get_computer(client, computer_id)
                return {"id": computer_id, **data}
            except Exception as error:  # the seed's catch-all
                return {"id": computer_id, "error": str(error), "status": "error"}

    return await asyncio.gather(*(one(i) for i in ids))


async def sequential(client, ids):
    items = []
    for computer_id in ids:
        try:
            items.append(await get_computer(client, computer_id))
        except Exception as error:
            items.append({"id": computer_id, "error": str(error), "status": "error"})
    return items


async def main(arguments):
    with open(arguments.ids, encoding="utf-8") as handle:
        ids = [line.strip() for line in handle if line.strip()]
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
    headers = {"Authorization": f"Bearer {arguments.key}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=arguments.base, headers=headers,
                                 timeout=arguments.timeout, limits=limits) as client:
        cpu_before = cpu_seconds()
        started = time.monotonic()
        if arguments.sequential:
            items = await sequential(client, ids)
        else:
            items = await batch(client, ids, arguments.limit)
        wall = time.monotonic() - started
        cpu = cpu_seconds() - cpu_before
    errors = sum(1 for item in items if "error" in item)
    print(json.dumps({"wall_s": wall, "items": len(items), "errors": errors,
                      "cpu_us_per_vm": cpu * 1e6 / max(len(ids), 1)}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="Orgo base URL, e.g. http://127.0.0.1:P/api")
    parser.add_argument("--key", required=True)
    parser.add_argument("--ids", required=True, help="file with one computer id per line")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--sequential", action="store_true")
    sys.exit(asyncio.run(main(parser.parse_args())))
