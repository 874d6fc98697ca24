/*
 * fork-remap: a small program exercising what the replay approximates: fork
 * (the child's copy of the mm), mremap (grow in place and move), brk grow and
 * shrink, mprotect, MADV_DONTNEED, shared anonymous memory, and a failing
 * munmap. Parent and child each print their own final /proc/self/status
 * figures as one JSON line: {"who": "child"|"parent", "VmSize": .., "VmRSS": .., "VmPTE": ..}.
 *
 *   cc -O2 -o fork-remap fork-remap.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char st[8192];

static long field(const char *name) {
  char *s = strstr(st, name);
  if (!s) return -1;
  s += strlen(name);
  long v = 0;
  while (*s == ' ' || *s == '\t') s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

/* Reads /proc/self/status and writes the JSON line with one write(2) (no malloc, no stdio buffer). */
static void status(const char *who) {
  int fd = open("/proc/self/status", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, st, sizeof st - 1);
  if (n <= 0) _exit(2);
  st[n] = 0;
  close(fd);
  char out[160];
  int m = snprintf(out, sizeof out, "{\"who\": \"%s\", \"VmSize\": %ld, \"VmRSS\": %ld, \"VmPTE\": %ld}\n", who, field("VmSize:"), field("VmRSS:"),
                   field("VmPTE:"));
  if (write(1, out, (size_t)m) < 0) _exit(3);
}

#define MB (1L << 20)

int main(void) {
  char *p = mmap(0, 64 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (long i = 0; i < 64 * MB; i += MB) p[i] = 1;
  char *q = mmap(0, 16 * MB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  for (long i = 0; i < 16 * MB; i += MB) q[i] = 1;
  char *r = mmap(0, 8 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (long i = 0; i < 8 * MB; i += 256 << 10) r[i] = 1;
  r = mremap(r, 8 * MB, 32 * MB, MREMAP_MAYMOVE); /* moves: the pages go with it */
  for (long i = 8 * MB; i < 32 * MB; i += MB) r[i] = 1;
  mprotect(r, 4 * MB, PROT_READ);
  void *b = sbrk(0);
  brk((char *)b + 4 * MB);
  memset(b, 2, 4 * MB);
  brk((char *)b + 1 * MB);
  munmap((void *)0x1001, 10); /* EINVAL: not replayed */
  pid_t c = fork();
  if (c == 0) {
    madvise(p, 32 * MB, MADV_DONTNEED);
    for (long i = 0; i < 16 * MB; i += MB) q[i] = 2;
    status("child");
    _exit(0);
  }
  waitpid(c, 0, 0);
  munmap(p, 16 * MB);
  madvise(p + 16 * MB, 8 * MB, MADV_DONTNEED);
  status("parent");
  _exit(0);
}
