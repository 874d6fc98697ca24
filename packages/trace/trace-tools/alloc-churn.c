/*
 * alloc-churn: allocate and free many medium and large blocks over a large
 * address range, so that the allocator (glibc, or jemalloc / tcmalloc via
 * LD_PRELOAD) hands memory back with madvise/munmap, then print this
 * process's own final /proc/self/status figures as one JSON line on stdout.
 *
 * Deterministic (fixed PRNG seed). Each block is touched sparsely (one byte
 * every TOUCH_STRIDE bytes, plus its last byte) to keep the number of page
 * faults, and so the perf trace, small while still spreading page tables over
 * the whole range.
 *
 * Nothing allocates after the status is read: a static buffer, raw
 * open/read/write, then _exit() (no atexit handlers, no stdio flush).
 *
 *   cc -O2 -o alloc-churn alloc-churn.c
 *   ./alloc-churn [ROUNDS] [SLOTS]          (defaults 600 64)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOUCH_STRIDE (128 * 1024)

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* A size: mostly medium (32K..512K), sometimes large (1M..12M). */
static size_t pick_size(void) {
  uint64_t r = next();
  if (r % 4 == 0) return (1u << 20) + (size_t)(next() % (11u << 20));
  return (32u << 10) + (size_t)(next() % (480u << 10));
}

static void touch(char *p, size_t n) {
  for (size_t off = 0; off < n; off += TOUCH_STRIDE) p[off] = (char)off;
  p[n - 1] = 1;
}

static char status[8192];

/* Appends `"Name": value` for one `Name:   value kB` line of /proc/self/status. */
static char *field(char *out, const char *name, int first) {
  char *s = strstr(status, name);
  if (!first) *out++ = ',', *out++ = ' ';
  *out++ = '"';
  for (const char *n = name; *n && *n != ':'; n++) *out++ = *n;
  *out++ = '"', *out++ = ':', *out++ = ' ';
  if (!s) return memcpy(out, "null", 4), out + 4;
  s += strlen(name);
  while (*s == ' ' || *s == '\t') s++;
  while (*s >= '0' && *s <= '9') *out++ = *s++;
  return out;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 600;
  int slots = argc > 2 ? atoi(argv[2]) : 64;
  char *blk[1024] = {0};
  size_t len[1024] = {0};
  if (slots > 1024) slots = 1024;
  for (int i = 0; i < rounds; i++) {
    int s = (int)(next() % (uint64_t)slots);
    if (blk[s]) {
      free(blk[s]);
      blk[s] = NULL;
    }
    /* Now and then free a run of slots, so whole regions become free. */
    if (next() % 16 == 0)
      for (int j = 0; j < slots / 4; j++) {
        int t = (s + j) % slots;
        free(blk[t]);
        blk[t] = NULL;
      }
    len[s] = pick_size();
    blk[s] = malloc(len[s]);
    if (!blk[s]) return 1;
    touch(blk[s], len[s]);
  }
  /* Free half of what is left: the final state keeps live blocks and freed holes. */
  for (int s = 0; s < slots; s += 2) {
    free(blk[s]);
    blk[s] = NULL;
  }

  int fd = open("/proc/self/status", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, status, sizeof status - 1);
  if (n <= 0) return 2;
  status[n] = 0;
  close(fd);
  static char out[256];
  char *o = out;
  *o++ = '{';
  o = field(o, "VmSize:", 1);
  o = field(o, "VmRSS:", 0);
  o = field(o, "VmPTE:", 0);
  *o++ = '}', *o++ = '\n';
  if (write(1, out, (size_t)(o - out)) < 0) _exit(3);
  _exit(0);
}
