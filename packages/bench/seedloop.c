/*
 * The seed threads' loop on the real kernel, for `npm run bench`: map 50G of
 * anonymous private memory, then 25,600 times write one byte every 4K over a
 * 2M chunk and MADV_DONTNEED that chunk. Prints machine-readable lines:
 *
 *   thp <the enabled mode of /sys/kernel/mm/transparent_hugepage/enabled>
 *   status before VmSize=<kB> VmRSS=<kB> VmPTE=<kB>
 *   status after VmSize=<kB> VmRSS=<kB> VmPTE=<kB>
 *   loop seconds=<the loop's CLOCK_MONOTONIC wall time> chunks=25600 faults=<minor faults>
 *
 * The heap is 2M-aligned (as the simulator's mmap places it), mapped with
 * MAP_NORESERVE so hosts with less than 50G of RAM + swap accept it, and
 * advised MADV_NOHUGEPAGE so a host in THP "always" mode still builds PTE
 * tables, as the simulated machines (THP "madvise") do.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#define HEAP_SIZE (50UL << 30)
#define CHUNK (2UL << 20)
#define PAGE 4096UL

static long status_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	long kb = -1;

	if (p)
		sscanf(p + strlen(name), ": %ld kB", &kb);
	return kb;
}

static void print_status(const char *label)
{
	char text[8192];
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = '\0';
	printf("status %s VmSize=%ld VmRSS=%ld VmPTE=%ld\n", label, status_field(text, "\nVmSize"),
	       status_field(text, "\nVmRSS"), status_field(text, "\nVmPTE"));
}

static void print_thp(void)
{
	char mode[128] = "unknown";
	char line[128];
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f && fgets(line, sizeof(line), f)) {
		char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
		if (open && close) {
			*close = '\0';
			snprintf(mode, sizeof(mode), "%s", open + 1);
		}
	}
	if (f)
		fclose(f);
	printf("thp %s\n", mode);
}

/* A 2M-aligned HEAP_SIZE mapping: over-map by one chunk, unmap the slack. */
static char *map_heap(void)
{
	size_t len = HEAP_SIZE + CHUNK;
	char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *heap;
	size_t head;

	if (raw == MAP_FAILED)
		return NULL;
	heap = (char *)(((unsigned long)raw + CHUNK - 1) & ~(CHUNK - 1));
	head = heap - raw;
	if (head)
		munmap(raw, head);
	munmap(heap + HEAP_SIZE, CHUNK - head);
	return heap;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int main(void)
{
	struct timespec t0, t1;
	char *heap = map_heap();
	long faults;

	if (!heap) {
		perror("mmap");
		return 1;
	}
	if (madvise(heap, HEAP_SIZE, MADV_NOHUGEPAGE))
		perror("madvise(MADV_NOHUGEPAGE)");
	print_thp();
	print_status("before");
	fflush(stdout);

	faults = minor_faults();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < HEAP_SIZE / CHUNK; i++) {
		volatile char *chunk = heap + i * CHUNK;

		for (unsigned long off = 0; off < CHUNK; off += PAGE)
			chunk[off] = 1;
		if (madvise((char *)chunk, CHUNK, MADV_DONTNEED)) {
			perror("madvise(MADV_DONTNEED)");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	faults = minor_faults() - faults;

	print_status("after");
	printf("loop seconds=%.9f chunks=%lu faults=%ld\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, HEAP_SIZE / CHUNK, faults);
	return 0;
}
