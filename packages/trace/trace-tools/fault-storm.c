/*
 * fault-storm: page faults faster than perf can write them with a tiny buffer
 * (perf record -m 1), to get real PERF_RECORD_LOST records for the parser's
 * tests. Touches 64 MiB page by page, 8 times.
 */
#include <string.h>
#include <sys/mman.h>

int main(void) {
  for (int r = 0; r < 8; r++) {
    char *p = mmap(0, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    memset(p, 1, 64 << 20);
    munmap(p, 64 << 20);
  }
  return 0;
}
