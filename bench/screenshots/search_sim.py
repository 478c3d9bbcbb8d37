#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The JPEG quality search and its stride-1 check, replayed offline on probe_curves' tables.

    build/bin/probe_curves --preset medium bench/data/*.png > curves-medium.txt
    python3 bench/screenshots/search_sim.py [--probe FILE] [--cold Q] [--raise R] \
        medium curves-medium.txt

imagecodec.cpp's searchJpegQuality, settleOnModel and searchJpeg's chroma-mode logic restated
(same constants, same rounding), so that another search can be tried on the whole corpus in
seconds and its answers compared with today's, quality for quality. With --probe (probe_search's
output, --runs 1, same preset) it checks that the replay gives that binary's trial counts and
rounded qualities. Prints, per file, the qualities each chroma mode settles on, the work (model
decodes, stride-2 measures, first all-window checks, check steps), and where today's answer is
not a stride-1 boundary (the quarter step below it passes too). --cold (another cold start) and
--raise (the stride-2 target raised by R) replay a variant beside today's search and say where
its answers differ.
"""
import math, sys, collections

LOW, HIGH, STEP = 2.0, 95.0, 0.25
COLD, MAXT = 17.0, 6
SPS = 0.0025
VM = 0.00002
FLOORS = {'low': 0.92, 'medium': 0.95, 'high': 0.97}

def load(path):
    curves = collections.defaultdict(dict)
    for line in open(path):
        f, mode, q, s2, s1 = line.split()
        curves[(f, mode)][float(q)] = (float(s2), float(s1))
    return curves

def half(q):  # std::round: half away from zero
    return math.floor(q * 2 + 0.5) / 2

def search(c, target, start, log):
    q = min(max(start if start > 0 else COLD, LOW), HIGH)
    pas = fail = None
    trials = 0
    n = 0
    while trials < MAXT:
        s = c[q][0]; n += 1; log.append(('s2', q))
        if s >= target: pas = (q, s)
        else: fail = (q, s)
        if pas and (pas[0] <= LOW or (fail and pas[0] - fail[0] <= STEP)): break
        if not pas and fail[0] >= HIGH: break
        if pas and fail:
            t = (target - fail[1]) / max(1e-9, pas[1] - fail[1])
            guess = fail[0] + math.ceil(t * (pas[0] - fail[0]) / STEP) * STEP
            if guess >= pas[0]: break
            q = max(guess, fail[0] + STEP)
        elif pas:
            step = max(2.0, half((pas[1] - target) / SPS))
            q = max(LOW, pas[0] - step)
        else:
            step = max(3.0, math.ceil(1.2 * (target - fail[1]) / SPS))
            q = min(HIGH, fail[0] + step)
        trials += 1
    found = pas if pas else fail
    return found[0], found[1], n

def settle(c, floor, q, step, misses, double_from, log):
    n = 0
    first = True
    while True:
        s1 = c[q][1]; log.append(('s1' if first else 's1i', q)); first = False
        if s1 >= floor + VM or q >= HIGH: return q, s1, step, misses, n
        q = min(HIGH, q + step); n += 1; log.append(('dec', q))
        misses += 1
        if misses >= double_from: step *= 2

def answer(curves, f, preset, hint=0, searchf=search, raise_=0.0):
    """Returns dict mode -> final quality (the candidates compress() compares)."""
    floor = FLOORS[preset]; target = min(0.999, floor) + raise_
    log = []
    if (f, 'grey') in curves:
        c = curves[(f, 'grey')]
        q, s, n = searchf(c, target, hint, log)
        Q, *_ = settle(c, floor, q, STEP, 0, 12, log)
        return {'grey': Q}, log
    c = curves[(f, '420')]; c4 = curves[(f, '444')]
    q, s, n = searchf(c, target, hint, log)
    out = {}
    full_searched = False
    if s < target and q >= 30:
        Q4, _ = search_and_verify_f(searchf, c4, floor, target, q - 12, 7, log)
        out['444'] = Q4; full_searched = True
        if c4[Q4][1] >= floor + VM:
            return out, log
    Q, *_ = settle(c, floor, q, STEP, 0, 12, log)
    out['420'] = Q
    if full_searched or Q >= 30:
        if not full_searched:
            Q4, _ = search_and_verify_f(searchf, c4, floor, target, Q - 12, 12, log)
            out['444'] = Q4
    return out, log

def search_and_verify_f(searchf, c, floor, target, start, double_from, log):
    q, s, n = searchf(c, target, start, log)
    Q, *_ = settle(c, floor, q, STEP, 0, double_from, log)
    return Q, 0


def probe_table(path):
    table = {}
    for line in open(path):
        w = line.split()
        if w and w[0].endswith('.png'):
            table[w[0]] = (int(w[5]), int(w[7]))  # trials, rounded quality (0: passed through)
    return table


def work(log):
    count = collections.Counter(k for k, q in log)
    return (count['s2'] + count['dec'], count['s2'], count['s1'], count['s1i'])


def main():
    global COLD
    args = sys.argv[1:]
    probe, cold, raise_ = {}, COLD, 0.0
    while args and args[0].startswith('--'):
        option, value = args[0], args[1]
        args = args[2:]
        if option == '--probe':
            probe = probe_table(value)
        elif option == '--cold':
            cold = float(value)
        elif option == '--raise':
            raise_ = float(value)
    preset, curves_path = args
    curves = load(curves_path)
    floor = FLOORS[preset]
    variant = cold != COLD or raise_ != 0
    mismatches = changed = 0
    for f in sorted({f for f, m in curves}):
        out, log = answer(curves, f, preset)
        decodes = work(log)
        notes = ['decodes %d, s2 %d, s1 %d + %d steps' % decodes]
        for mode, q in out.items():
            below = curves[(f, mode)].get(q - STEP)
            if below is not None and below[1] >= floor + VM:
                notes.append(f'{mode}: q-0.25 passes too')
        if f in probe:
            t, q = probe[f]
            ok = t == decodes[0] and (q == 0 or q in [math.floor(x + 0.5) for x in out.values()])
            mismatches += not ok
            notes.append('matches probe_search' if ok else f'MISMATCH probe_search {probe[f]}')
        if variant:
            today = COLD
            COLD = cold
            other, other_log = answer(curves, f, preset, raise_=raise_)
            COLD = today
            changed += other != out
            notes.append('variant: ' + ('same' if other == out else f'CHANGED {other}')
                         + ', decodes %d, s2 %d, s1 %d + %d steps' % work(other_log))
        print(f, out, '; '.join(notes))
    if probe:
        print('mismatches with probe_search:', mismatches)
    if variant:
        print('answers the variant changes:', changed)


if __name__ == '__main__':
    main()
