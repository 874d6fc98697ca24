/*
 * madvise-lock: which lock does the running kernel's madvise() take for each
 * advice? (@mmsim/host's probeMadviseLocks(); compared with the model's
 * madvise_lock_mode() by madvise_lock.test.ts.)
 *
 *   madvise-lock write|read ADVICE...
 *
 * A second thread holds this process's mmap_lock over a 1 GiB populated
 * mapping of its own: for writing (mprotect() of it: the mmap write lock while
 * it changes 262,144 PTEs, ~10-30 ms) or for reading (MADV_COLD of it:
 * mmap_read_lock in every kernel). Meanwhile the main thread calls
 * madvise(ADVICE) on two pages of a separate, touched 4 MiB mapping (an
 * anon_vma, far from the first, so no VMA merges with it) and times it. A try
 * counts when, by both threads' CLOCK_MONOTONIC readings, madvise() began at
 * least 1 ms into the holder's call and in its first half, and the holder's
 * call took at least 4 ms. madvise() is fast (under 1 ms) when it did not wait
 * for the holder's lock (it took the per-VMA lock beside a writer, or a read
 * lock beside a reader), slow when it waited, or was descheduled: a timing
 * probe, so TRIALS tries per ADVICE and the caller weighs the counts.
 *
 * Per ADVICE, one line: "ADVICE FAST SLOW RET ERRNO" (tries counted fast and
 * slow; RET and ERRNO of the last try's madvise()). Each try maps the target
 * afresh (flag advice changes the VMA; MADV_GUARD_INSTALL leaves markers).
 *
 * Exit 0; 2 on bad arguments; 1 if the setup fails (a message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BIG_ADDR ((void *)0x200000000000UL)
#define BIG_SIZE (1UL << 30)
#define TARGET_ADDR ((void *)0x300000000000UL)
#define TARGET_SIZE (4UL << 20)
#define TRIALS 9
#define MS 1000000L

static char *big;
static int hold_write;
static volatile int started;
static volatile long hold_start, hold_end;

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void *holder(void *unused)
{
	(void)unused;
	hold_start = now_ns();
	started = 1;
	if (hold_write)
		mprotect(big, BIG_SIZE, PROT_READ);
	else
		madvise(big, BIG_SIZE, MADV_COLD);
	hold_end = now_ns();
	if (hold_write)
		mprotect(big, BIG_SIZE, PROT_READ | PROT_WRITE);
	return NULL;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static char *map_target(void)
{
	char *t;

	munmap(TARGET_ADDR, TARGET_SIZE);
	t = mmap(TARGET_ADDR, TARGET_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (t == MAP_FAILED)
		return NULL;
	t[0] = 1; /* the VMA gets its anon_vma */
	return t;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 3 || (strcmp(argv[1], "write") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: madvise-lock write|read ADVICE...\n");
		return 2;
	}
	hold_write = !strcmp(argv[1], "write");
	for (i = 2; i < argc; i++) {
		char *end;

		errno = 0;
		strtol(argv[i], &end, 10);
		if (errno || end == argv[i] || *end) {
			fprintf(stderr, "madvise-lock: ADVICE %s is not a number\n", argv[i]);
			return 2;
		}
	}
	big = mmap(BIG_ADDR, BIG_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_FIXED_NOREPLACE, -1, 0);
	if (big == MAP_FAILED) {
		fprintf(stderr, "madvise-lock: mmap of 1 GiB: %s\n", strerror(errno));
		return 1;
	}
	for (i = 2; i < argc; i++) {
		int advice = atoi(argv[i]);
		int fast = 0, slow = 0, ret = 0, err = 0, trial;

		for (trial = 0; trial < TRIALS; trial++) {
			pthread_t th;
			char *t = map_target();
			long m_start, m_end, held;

			if (t == NULL) {
				fprintf(stderr, "madvise-lock: mmap of the target: %s\n", strerror(errno));
				return 1;
			}
			started = 0;
			if (pthread_create(&th, NULL, holder, NULL)) {
				fprintf(stderr, "madvise-lock: pthread_create failed\n");
				return 1;
			}
			while (!started)
				;
			sleep_us(2000); /* the holder is in its call, with the lock */
			errno = 0;
			m_start = now_ns();
			ret = madvise(t, 8192, advice);
			m_end = now_ns();
			err = ret ? errno : 0;
			pthread_join(th, NULL);
			held = hold_end - hold_start;
			if (held < 4 * MS || m_start < hold_start + MS || m_start > hold_start + held / 2)
				continue;
			if (m_end - m_start < MS)
				fast++;
			else
				slow++;
		}
		printf("%d %d %d %d %d\n", advice, fast, slow, ret, err);
		fflush(stdout);
	}
	return 0;
}
