// SPDX-FileCopyrightText: 2026 Mouse Gateway developers
// SPDX-License-Identifier: GPL-3.0-or-later
// Do two fdatasyncs on two different preallocated files, from two threads, complete
// independently on this disk? Each thread overwrites 16 KiB blocks of its own 64 MiB file
// (written and synced first, like the intake's reserved WAL) and fdatasyncs after each write.
// For every slow sync of one thread (> 2 ms) it counts the other thread's syncs that completed
// meanwhile: if the file system serialised them, that count would be 0.
// Build and run (docs/benchmarks/webhooks.md, session 4):
//   gcc -O2 -pthread -o /tmp/syncprobe bench/webhooks/syncprobe.c
//   /tmp/syncprobe build/bench/syncprobe 2 10     # directory, threads (1 or 2), seconds
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { kBlock = 16384, kFileBytes = 64 << 20, kMaxSyncs = 400000 };

struct Sync
{
    double start, end; // ms since the probe started
};

struct Worker
{
    int fd;
    double seconds;
    struct Sync *syncs;
    int count;
};

static struct timespec t0;

static double nowMs(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6;
}

static void *run(void *arg)
{
    struct Worker *w = arg;
    char block[kBlock];
    memset(block, 'x', sizeof block);
    off_t offset = 0;
    while (nowMs() < w->seconds * 1e3 && w->count < kMaxSyncs) {
        if (pwrite(w->fd, block, kBlock, offset) != kBlock)
            abort();
        offset = (offset + kBlock) % kFileBytes;
        struct Sync *s = &w->syncs[w->count++];
        s->start = nowMs();
        fdatasync(w->fd);
        s->end = nowMs();
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, const struct Worker *w)
{
    double *d = malloc(sizeof(double) * (w->count + 1));
    int slow = 0;
    for (int i = 0; i < w->count; ++i) {
        d[i] = w->syncs[i].end - w->syncs[i].start;
        slow += d[i] > 2.0;
    }
    qsort(d, w->count, sizeof(double), cmp);
    printf("%s: %d syncs, p50 %.3f ms, p99 %.3f ms, max %.3f ms, > 2 ms: %d\n",
           name,
           w->count,
           d[w->count / 2],
           d[w->count * 99 / 100],
           d[w->count - 1],
           slow);
    free(d);
}

// For each slow sync of a, how many syncs of b both started and ended inside it.
static void overlap(const char *name, const struct Worker *a, const struct Worker *b)
{
    int slow = 0, withOther = 0, others = 0;
    for (int i = 0; i < a->count; ++i) {
        const struct Sync *s = &a->syncs[i];
        if (s->end - s->start <= 2.0)
            continue;
        ++slow;
        int n = 0;
        for (int j = 0; j < b->count; ++j)
            n += b->syncs[j].start >= s->start && b->syncs[j].end <= s->end;
        withOther += n > 0;
        others += n;
    }
    printf("%s: %d slow syncs; %d of them saw the other thread complete a whole sync meanwhile "
           "(%d syncs in all)\n",
           name,
           slow,
           withOther,
           others);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s DIR THREADS SECONDS\n", argv[0]);
        return 2;
    }
    const int threads = atoi(argv[2]) == 1 ? 1 : 2;
    struct Worker w[2];
    char *zeros = calloc(1, 1 << 20);
    for (int i = 0; i < threads; ++i) {
        char path[4096];
        snprintf(path, sizeof path, "%s.%d", argv[1], i);
        w[i].fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (w[i].fd < 0) {
            perror(path);
            return 1;
        }
        for (int mb = 0; mb < kFileBytes >> 20; ++mb)
            if (write(w[i].fd, zeros, 1 << 20) != 1 << 20)
                return 1;
        fsync(w[i].fd);
        w[i].seconds = atof(argv[3]);
        w[i].syncs = calloc(kMaxSyncs, sizeof(struct Sync));
        w[i].count = 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t tid[2];
    for (int i = 0; i < threads; ++i)
        pthread_create(&tid[i], NULL, run, &w[i]);
    for (int i = 0; i < threads; ++i)
        pthread_join(tid[i], NULL);
    for (int i = 0; i < threads; ++i) {
        char name[16];
        snprintf(name, sizeof name, "file %d", i);
        report(name, &w[i]);
    }
    if (threads == 2) {
        overlap("file 0", &w[0], &w[1]);
        overlap("file 1", &w[1], &w[0]);
    }
    for (int i = 0; i < threads; ++i) {
        char path[4096];
        snprintf(path, sizeof path, "%s.%d", argv[1], i);
        unlink(path);
    }
    return 0;
}
