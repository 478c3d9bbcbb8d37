#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# WAL frames per webhook group commit (25 events: stripe_events + tasks rows, as the intake
# writes them), with and without the tasks_reference index that migration 0023 drops.
# usage: python3 bench/webhooks/walframes.py   (from the repository root)
import os, random, sqlite3, string, tempfile, time
def run(drop):
    path = os.path.join(tempfile.gettempdir(), 'mouse-walframes.sqlite')
    for s in ('','-wal','-shm'):
        try: os.remove(path+s)
        except FileNotFoundError: pass
    db=sqlite3.connect(path, isolation_level=None)
    db.execute('PRAGMA journal_mode=WAL'); db.execute('PRAGMA wal_autocheckpoint=0')
    sql=open(os.path.join(os.path.dirname(__file__), '../../core/billing/migrations/0020_queue.sql')).read()
    db.executescript(sql)
    if drop: db.execute('DROP INDEX tasks_reference')
    db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    payload='x'*1400
    seq=0; frames=0
    for b in range(400):
        db.execute('BEGIN')
        for i in range(25):
            eid='evt_'+''.join(random.choices(string.ascii_letters+string.digits,k=24))
            tid='tsk_%012x%020x'%(int(time.time()*1000), random.getrandbits(80))
            seq+=1
            db.execute("INSERT INTO stripe_events (event_id,type,payload,received_at,status,ordering_key,livemode,created,task_id) VALUES (?,?,?,?, 'received',?,?,?,?)",(eid,'checkout.session.completed',payload,seq,'cus_%d'%(seq%100),0,seq,tid))
            db.execute("INSERT INTO tasks (id,seq,type,priority,ordering_key,reference,status,run_at,created_at) VALUES (?,?,?,?,?,?, 'pending',?,?)",(tid,seq,'stripe.event',0,'cus_%d'%(seq%100),eid,seq,seq))
        db.execute('COMMIT')
    r=db.execute('PRAGMA wal_checkpoint(PASSIVE)').fetchone()
    return r[1]
for drop in (False, True, False, True):
    f=run(drop); print('drop index' if drop else 'with index', f, 'frames,', round(f/400,1), 'per commit')
