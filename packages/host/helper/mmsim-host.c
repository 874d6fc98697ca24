/*
 * mmsim-host: runs resolved workload operations in its own process on the real
 * kernel, so `mmsim host` / `mmsim check-host` can compare the kernel with the
 * simulator line by line. Part of @mmsim/host (packages/host): built on first
 * use by src/helper.ts (`cc -O2 -o mmsim-host mmsim-host.c`, cached in the
 * per-user cache directory); driven by src/run.ts.
 *
 * PROTOCOL (version 2; mirrored in src/protocol.ts)
 *
 * The helper first writes one line `hello mmsim-host 2`. It then reads requests
 * on stdin, one per line ('\n'-terminated, at most 1023 bytes, fields separated
 * by single spaces), executes each in order and writes exactly one response line
 * per request to stdout. It exits 0 at end of input.
 *
 * Numbers are unsigned decimal, except ADDR, which is hex with a 0x prefix.
 * NAME is a mapping name ([A-Za-z_][A-Za-z0-9_.-]*, at most 63 bytes).
 *
 *   mmap NAME SIZE PROT SHARED THP ADDR [noreserve]
 *       PROT rw|r|none, SHARED 0|1, THP hugepage|nohugepage|-, ADDR 0x...|-
 *       mmap(ADDR or NULL, SIZE, PROT, MAP_ANONYMOUS | (MAP_SHARED or MAP_PRIVATE)
 *            | (MAP_FIXED_NOREPLACE if ADDR given) | (MAP_NORESERVE if the
 *            optional last field is given), -1, 0). Never MAP_FIXED.
 *       On success NAME is bound to the result and, if THP is given,
 *       madvise(result, SIZE, MADV_HUGEPAGE or MADV_NOHUGEPAGE) follows.
 *       On failure NAME is bound to MAP_FAILED ((char *)-1), as a C program
 *       ignoring the error would.
 *       -> `ok` | `err ERRNO` (mmap failed) | `err-madvise ERRNO` (mmap done,
 *          the THP madvise failed)
 *   touch NAME OFFSET LENGTH W STRIDE
 *       One access every STRIDE bytes of [NAME+OFFSET, NAME+OFFSET+LENGTH):
 *       W=1 stores one byte (volatile), W=0 loads one byte (volatile). The
 *       touch stops at the first fault. A NAME bound to MAP_FAILED is not
 *       dereferenced: the response is `segv`, exactly as the simulator's
 *       runner (packages/core/src/workload/runner.ts) reports it.
 *       -> `ok` | `segv` | `sigbus`
 *   madvise NAME OFFSET LENGTH ADVICE     (ADVICE: numeric MADV_* value, 0 to
 *       INT_MAX: madvise(2)'s advice is an int; one the kernel does not know
 *       is its EINVAL, as in the simulator)
 *   munmap NAME OFFSET LENGTH
 *   mprotect NAME OFFSET LENGTH PROT      (PROT rw|r|none)
 *       The syscall on NAME+OFFSET, also when NAME is MAP_FAILED (the kernel
 *       then answers EINVAL: the address is not page aligned).
 *       -> `ok` | `err ERRNO`
 *   status LABEL
 *       VmSize, VmRSS, VmPTE and VmSwap from /proc/self/status, in kB
 *       (VmSwap 0 on a kernel without CONFIG_SWAP, which has no such line).
 *       -> `status VMSIZE VMRSS VMPTE VMSWAP`
 *   swapon SIZE
 *       A swap area of SIZE bytes: the helper creates a swap file in a new
 *       private directory under $TMPDIR (or /tmp), writes it (zeroes, then
 *       the mkswap header: version 1, last_page SIZE/4096 - 1, SWAPSPACE2)
 *       and swapon(2)s it; from then on it stays on one CPU (the MADV_PAGEOUT
 *       of a page still in another CPU's LRU batch would not reclaim it). At
 *       exit (end of input, SIGINT, SIGTERM, SIGHUP) it swapoff(2)s, unlinks
 *       and removes what it created. Needs root (CAP_SYS_ADMIN) and a file
 *       system that takes swap files (ext4, xfs, ...).
 *       -> `ok` | `bad swapon impossible: WHAT: STRERROR` (nothing is left)
 *   reclaim SIZE DIRECT                   (DIRECT 0|1; added to version 2:
 *                                           an older helper says `bad unknown operation`)
 *       Memory pressure of SIZE bytes on this process: its memory cgroup's
 *       limit (cgroup v1 memory.limit_in_bytes) is lowered to usage - SIZE,
 *       which reclaims in the writer's context (try_to_free_mem_cgroup_pages:
 *       direct reclaim, whatever DIRECT says), then set back to unlimited;
 *       EBUSY (not that much reclaimable) is not an error. Only when started
 *       with MMSIM_HOST_MEMCG=1 in the environment: then, before its hello,
 *       the helper creates a child cgroup of its own memory cgroup, moves
 *       itself there (so everything the script maps is charged to it), and
 *       stays on one CPU (the lazily freed folios of the last MADV_FREE sit
 *       in that CPU's LRU batch, which reclaim drains); at exit it moves back
 *       and removes the cgroup. Needs root and the v1 memory controller.
 *       -> `ok` | `bad reclaim impossible: WHAT`
 *
 * A request the helper cannot parse gets `bad REASON`; the driver treats it as
 * a fatal protocol error.
 *
 * The helper must not disturb the numbers it reports: no malloc and no stdio.
 * Input is read with read(2) into a static buffer, /proc/self/status with
 * open/read into a static buffer, responses are written with write(2) at once
 * (nothing is buffered across requests). Before saying hello it warms up every
 * code path it will use (each syscall wrapper, the /proc read, a fault caught by
 * the SIGSEGV handler on its pre-touched alternate signal stack, the stack depth
 * it needs), and locks its current pages (mlockall(MCL_CURRENT), best effort)
 * so that lazy binding, first-touch faults on its own text/data/stack do not
 * show up as RSS changes between two status lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif

#define PROTOCOL_VERSION "2"
#define LINE_MAX_BYTES 1024
#define MAX_NAMES 1024
#define NAME_MAX_BYTES 64

static char inbuf[1 << 16];
static size_t in_len, in_pos;
static char line[LINE_MAX_BYTES];
static char outbuf[256];
static char procbuf[1 << 14];
static unsigned char altstack[1 << 16];
/* One page of the swap file being written (the header page, then zeroes). */
static unsigned char swapbuf[1 << 12];
/* The swap file and its directory, empty when none; swap_on once swapon(2) succeeded. */
static char swapdir[256];
static char swapfile[300];
static volatile sig_atomic_t swap_on;
/* MMSIM_HOST_MEMCG=1: the cgroup v1 memory cgroup the helper made and runs in (empty when none). */
static char memcg_parent[512];
static char memcg_dir[600];
static char memcg_path[700];
static char memcg_buf[64];
static const char *memcg_error;

static struct {
	char name[NAME_MAX_BYTES];
	char *base;
} names[MAX_NAMES];
static int nr_names;

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
	if (!fault_armed) {
		/* A fault outside a touch: a helper bug. Die with the signal. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_sig = sig;
	fault_armed = 0;
	siglongjmp(fault_jmp, 1);
}

/* To stderr, best effort (from a signal handler too). */
static void put2(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void put(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			_exit(3);
		}
		s += w;
		n -= (size_t)w;
	}
}

static size_t fmt_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static void respond(const char *s)
{
	size_t n = strlen(s);
	memcpy(outbuf, s, n);
	outbuf[n++] = '\n';
	put(outbuf, n);
}

static void respond_num(const char *word, uint64_t v)
{
	size_t n = strlen(word);
	memcpy(outbuf, word, n);
	outbuf[n++] = ' ';
	n += fmt_u64(outbuf + n, v);
	outbuf[n++] = '\n';
	put(outbuf, n);
}

/* One input line into `line` (without '\n'); 0 at end of input, -1 if too long. */
static int read_line(void)
{
	size_t n = 0;
	int too_long = 0;
	for (;;) {
		if (in_pos == in_len) {
			ssize_t r = read(0, inbuf, sizeof inbuf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (n == 0 && !too_long)
					return 0;
				break; /* last line without '\n' */
			}
			in_len = (size_t)r;
			in_pos = 0;
		}
		char c = inbuf[in_pos++];
		if (c == '\n')
			break;
		if (n < LINE_MAX_BYTES - 1)
			line[n++] = c;
		else
			too_long = 1;
	}
	line[n] = 0;
	return too_long ? -1 : 1;
}

/* Splits `line` at spaces in place. */
static int split(char **argv, int max)
{
	int argc = 0;
	char *p = line;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (argc == max)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
	}
	return argc;
}

static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return 0;
}

static int parse_prot(const char *s, int *prot)
{
	if (!strcmp(s, "rw"))
		*prot = PROT_READ | PROT_WRITE;
	else if (!strcmp(s, "r"))
		*prot = PROT_READ;
	else if (!strcmp(s, "none"))
		*prot = PROT_NONE;
	else
		return -1;
	return 0;
}

static int lookup(const char *name)
{
	int i;
	for (i = 0; i < nr_names; i++)
		if (!strcmp(names[i].name, name))
			return i;
	return -1;
}

static int bind(const char *name, char *base)
{
	int i = lookup(name);
	if (i < 0) {
		if (nr_names == MAX_NAMES || strlen(name) >= NAME_MAX_BYTES)
			return -1;
		i = nr_names++;
		strcpy(names[i].name, name);
	}
	names[i].base = base;
	return 0;
}

/* The kB value of "Key:" in procbuf, or -1. */
static long long proc_field(const char *key)
{
	size_t klen = strlen(key);
	char *p = procbuf;
	while (*p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			long long v = 0;
			int any = 0;
			p += klen + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			while (*p >= '0' && *p <= '9') {
				v = v * 10 + (*p++ - '0');
				any = 1;
			}
			return any ? v : -1;
		}
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return -1;
}

static int read_status(long long *size, long long *rss, long long *pte, long long *swap)
{
	size_t n = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t r = read(fd, procbuf + n, sizeof procbuf - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == sizeof procbuf - 1)
			break;
	}
	close(fd);
	procbuf[n] = 0;
	*size = proc_field("VmSize");
	*rss = proc_field("VmRSS");
	*pte = proc_field("VmPTE");
	*swap = proc_field("VmSwap");
	if (*swap < 0)
		*swap = 0; /* CONFIG_SWAP=n: no VmSwap line (and swapon fails with ENOSYS) */
	return (*size < 0 || *rss < 0 || *pte < 0) ? -1 : 0;
}

/* 0, or the signal (SIGSEGV/SIGBUS) the first faulting access raised. */
static int do_touch(char *base, uint64_t off, uint64_t len, int write, uint64_t stride)
{
	volatile char *p;
	uint64_t i;
	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 1))
		return fault_sig;
	fault_armed = 1;
	for (i = 0; i < len; i += stride) {
		p = (volatile char *)(base + off + i);
		if (write)
			*p = 1;
		else
			(void)*p;
		if (stride > len - i)
			break; /* i + stride would be >= len (and might wrap) */
	}
	fault_armed = 0;
	return 0;
}

static void respond_touch(int sig)
{
	if (sig == 0)
		respond("ok");
	else if (sig == SIGBUS)
		respond("sigbus");
	else
		respond("segv");
}

static void respond_rc(int rc)
{
	if (rc == 0)
		respond("ok");
	else
		respond_num("err", (uint64_t)errno);
}

static void op_mmap(char **argv, int argc)
{
	uint64_t size, addr = 0;
	int prot, flags, thp = 0;
	char *p;
	if ((argc != 7 && argc != 8) || parse_u64(argv[2], &size) || parse_prot(argv[3], &prot) ||
	    (strcmp(argv[4], "0") && strcmp(argv[4], "1")) || (argc == 8 && strcmp(argv[7], "noreserve"))) {
		respond("bad mmap operands");
		return;
	}
	if (!strcmp(argv[5], "hugepage"))
		thp = MADV_HUGEPAGE;
	else if (!strcmp(argv[5], "nohugepage"))
		thp = MADV_NOHUGEPAGE;
	else if (strcmp(argv[5], "-")) {
		respond("bad mmap THP");
		return;
	}
	if (strcmp(argv[6], "-") && (strncmp(argv[6], "0x", 2) || parse_u64(argv[6], &addr))) {
		respond("bad mmap ADDR");
		return;
	}
	if (lookup(argv[1]) < 0 && (nr_names == MAX_NAMES || strlen(argv[1]) >= NAME_MAX_BYTES)) {
		respond("bad mmap NAME (too long or too many names)");
		return;
	}
	flags = MAP_ANONYMOUS | (argv[4][0] == '1' ? MAP_SHARED : MAP_PRIVATE);
	if (strcmp(argv[6], "-"))
		flags |= MAP_FIXED_NOREPLACE;
	if (argc == 8)
		flags |= MAP_NORESERVE;
	p = mmap((void *)(uintptr_t)addr, (size_t)size, prot, flags, -1, 0);
	if (p != MAP_FAILED && (flags & MAP_FIXED_NOREPLACE) && (uintptr_t)p != addr) {
		/* A kernel older than 4.17 takes the flag as a hint: treat as a collision. */
		munmap(p, (size_t)size);
		p = MAP_FAILED;
		errno = EEXIST;
	}
	if (p == MAP_FAILED) {
		int e = errno;
		bind(argv[1], MAP_FAILED);
		respond_num("err", (uint64_t)e);
		return;
	}
	bind(argv[1], p);
	if (thp && madvise(p, (size_t)size, thp)) {
		respond_num("err-madvise", (uint64_t)errno);
		return;
	}
	respond("ok");
}

/* Removes the swap file and its directory (swapoff first if it is on). Async-signal-safe. */
static void swap_cleanup(void)
{
	if (swap_on) {
		if (swapoff(swapfile) == 0)
			swap_on = 0;
		else {
			static const char msg[] = "mmsim-host: swapoff failed; the swap file is still active: ";
			put2(msg, sizeof msg - 1);
			put2(swapfile, strlen(swapfile));
			put2("\n", 1);
			return;
		}
	}
	if (swapfile[0]) {
		unlink(swapfile);
		swapfile[0] = 0;
	}
	if (swapdir[0]) {
		rmdir(swapdir);
		swapdir[0] = 0;
	}
}

/* `dir` + "/" + `file` into memcg_path. */
static const char *memcg_file(const char *dir, const char *file)
{
	size_t a = strlen(dir), b = strlen(file);
	if (a + 1 + b >= sizeof memcg_path)
		return NULL;
	memcpy(memcg_path, dir, a);
	memcg_path[a] = '/';
	memcpy(memcg_path + a + 1, file, b + 1);
	return memcg_path;
}

/* Writes `s` to `dir`/`file`; 0 or errno. */
static int memcg_write(const char *dir, const char *file, const char *s)
{
	const char *path = memcg_file(dir, file);
	int fd, e = 0;
	if (!path)
		return ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		e = errno;
	close(fd);
	return e;
}

/* Reads a decimal number from `dir`/`file`; -1 on error. */
static long long memcg_read(const char *dir, const char *file)
{
	const char *path = memcg_file(dir, file);
	long long v = 0;
	ssize_t n, i;
	int fd;
	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, memcg_buf, sizeof memcg_buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	for (i = 0; i < n && memcg_buf[i] >= '0' && memcg_buf[i] <= '9'; i++)
		v = v * 10 + (memcg_buf[i] - '0');
	return i ? v : -1;
}

/*
 * MMSIM_HOST_MEMCG=1: a child of our v1 memory cgroup, the helper moved into it
 * and pinned to its CPU. On failure memcg_error says why and nothing is left.
 */
static void memcg_setup(void)
{
	static const char root[] = "/sys/fs/cgroup/memory";
	char pid[24];
	size_t n, k;
	const char *p, *end;
	int fd;
	cpu_set_t cpus;
	fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		memcg_error = "cannot read /proc/self/cgroup";
		return;
	}
	n = 0;
	for (;;) {
		ssize_t r = read(fd, procbuf + n, sizeof procbuf - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	procbuf[n] = 0;
	/* The line "N:memory:/path" (cgroup v1 memory controller). */
	p = strstr(procbuf, ":memory:/");
	if (!p) {
		memcg_error = "no cgroup v1 memory controller (no ':memory:' line in /proc/self/cgroup)";
		return;
	}
	p += 8;
	end = strchr(p, '\n');
	k = end ? (size_t)(end - p) : strlen(p);
	if (sizeof root - 1 + k + 1 >= sizeof memcg_parent) {
		memcg_error = "cgroup path too long";
		return;
	}
	memcpy(memcg_parent, root, sizeof root - 1);
	memcpy(memcg_parent + sizeof root - 1, p, k);
	memcg_parent[sizeof root - 1 + k] = 0;
	n = strlen(memcg_parent);
	if (n && memcg_parent[n - 1] == '/')
		memcg_parent[--n] = 0;
	pid[fmt_u64(pid, (uint64_t)getpid())] = 0;
	memcpy(memcg_dir, memcg_parent, n);
	memcpy(memcg_dir + n, "/mmsim-host-", 12);
	memcpy(memcg_dir + n + 12, pid, strlen(pid) + 1);
	if (mkdir(memcg_dir, 0755)) {
		memcg_error = errno == EACCES || errno == EPERM ? "cannot create a memory cgroup (needs root)" : "cannot create a memory cgroup";
		memcg_dir[0] = 0;
		return;
	}
	if (memcg_write(memcg_dir, "cgroup.procs", pid)) {
		rmdir(memcg_dir);
		memcg_dir[0] = 0;
		memcg_error = "cannot move into the memory cgroup";
		return;
	}
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof cpus, &cpus);
}

/* Back to the parent cgroup, and the child removed (its charges go to the parent). */
static void memcg_cleanup(void)
{
	char pid[24];
	if (!memcg_dir[0])
		return;
	pid[fmt_u64(pid, (uint64_t)getpid())] = 0;
	memcg_write(memcg_parent, "cgroup.procs", pid);
	rmdir(memcg_dir);
	memcg_dir[0] = 0;
}

/* reclaim SIZE DIRECT: lower the cgroup's limit by SIZE below its usage, then lift it. */
static void op_reclaim(char **argv, int argc)
{
	uint64_t size;
	long long usage, target;
	char lim[24];
	if (argc != 3 || parse_u64(argv[1], &size) || (strcmp(argv[2], "0") && strcmp(argv[2], "1"))) {
		respond("bad reclaim operands");
		return;
	}
	if (!memcg_dir[0]) {
		if (memcg_error) {
			static char msg[200];
			size_t a = strlen("bad reclaim impossible: "), b = strlen(memcg_error);
			memcpy(msg, "bad reclaim impossible: ", a);
			if (b > sizeof msg - a - 1)
				b = sizeof msg - a - 1;
			memcpy(msg + a, memcg_error, b);
			msg[a + b] = 0;
			respond(msg);
		} else
			respond("bad reclaim impossible: the helper was not started with MMSIM_HOST_MEMCG=1");
		return;
	}
	usage = memcg_read(memcg_dir, "memory.usage_in_bytes");
	if (usage < 0) {
		respond("bad reclaim impossible: cannot read memory.usage_in_bytes");
		return;
	}
	target = usage - (long long)size;
	target = target < 4096 ? 4096 : target & ~4095LL;
	lim[fmt_u64(lim, (uint64_t)target)] = 0;
	memcg_write(memcg_dir, "memory.limit_in_bytes", lim); /* EBUSY: not that much was reclaimable */
	if (memcg_write(memcg_dir, "memory.limit_in_bytes", "-1")) {
		respond("bad reclaim impossible: cannot lift memory.limit_in_bytes again");
		return;
	}
	respond("ok");
}

static void on_exit_signal(int sig)
{
	swap_cleanup();
	memcg_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* `bad swapon impossible: WHAT: strerror(e)`, after removing whatever was made. */
static void swapon_failed(const char *what, int e)
{
	size_t n = 0, l;
	const char *pre = "bad swapon impossible: ", *err = strerror(e);
	swap_cleanup();
	l = strlen(pre);
	memcpy(outbuf + n, pre, l);
	n += l;
	l = strlen(what);
	if (l > 120)
		l = 120;
	memcpy(outbuf + n, what, l);
	n += l;
	outbuf[n++] = ':';
	outbuf[n++] = ' ';
	l = strlen(err);
	if (l > 100)
		l = 100;
	memcpy(outbuf + n, err, l);
	n += l;
	outbuf[n++] = '\n';
	put(outbuf, n);
}

/* Writes all of buf[0..n) to fd at its offset; 0 or -1 (errno set). */
static int write_all(int fd, const unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static void op_swapon(char **argv, int argc)
{
	uint64_t size, pages, i;
	const char *tmp = getenv("TMPDIR");
	size_t l;
	int fd;
	uint32_t v;
	cpu_set_t cpus;

	if (argc != 2 || parse_u64(argv[1], &size) || size % 4096 || size < 10 * 4096) {
		respond("bad swapon operands (SIZE: a multiple of 4096, at least 40960)");
		return;
	}
	if (swapdir[0]) {
		respond("bad swapon given twice (one swap area per run)");
		return;
	}
	pages = size / 4096;
	if (pages - 1 > 0xffffffffULL) {
		respond("bad swapon SIZE too large for a version-1 swap header");
		return;
	}
	if (!tmp || tmp[0] != '/' || strlen(tmp) > 200)
		tmp = "/tmp";
	l = strlen(tmp);
	memcpy(swapdir, tmp, l);
	memcpy(swapdir + l, "/mmsim-swap-XXXXXX", sizeof "/mmsim-swap-XXXXXX");
	if (!mkdtemp(swapdir)) {
		int e = errno;
		swapdir[0] = 0;
		swapon_failed("cannot create a private directory in $TMPDIR or /tmp", e);
		return;
	}
	l = strlen(swapdir);
	memcpy(swapfile, swapdir, l);
	memcpy(swapfile + l, "/swapfile", sizeof "/swapfile");
	fd = open(swapfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		swapfile[0] = 0;
		swapon_failed("cannot create the swap file", e);
		return;
	}
	/* mkswap: page 0 is the header (union swap_header, version 1, no bad pages). */
	memset(swapbuf, 0, sizeof swapbuf);
	v = 1;
	memcpy(swapbuf + 1024, &v, 4); /* info.version */
	v = (uint32_t)(pages - 1);
	memcpy(swapbuf + 1028, &v, 4); /* info.last_page */
	memcpy(swapbuf + sizeof swapbuf - 10, "SWAPSPACE2", 10);
	if (write_all(fd, swapbuf, sizeof swapbuf)) {
		int e = errno;
		close(fd);
		swapon_failed("cannot write the swap file", e);
		return;
	}
	memset(swapbuf, 0, sizeof swapbuf);
	for (i = 1; i < pages; i++) {
		if (write_all(fd, swapbuf, sizeof swapbuf)) {
			int e = errno;
			close(fd);
			swapon_failed("cannot write the swap file (disk full?)", e);
			return;
		}
	}
	if (fsync(fd)) {
		int e = errno;
		close(fd);
		swapon_failed("cannot fsync the swap file", e);
		return;
	}
	close(fd);
	if (swapon(swapfile, 0)) {
		int e = errno;
		swapon_failed(e == EPERM ? "swapon(2) needs root (CAP_SYS_ADMIN)" : "swapon(2) of the swap file", e);
		return;
	}
	swap_on = 1;
	/* Stay on this CPU: MADV_PAGEOUT drains only the local CPU's LRU batches. */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof cpus, &cpus);
	respond("ok");
}

static void execute(char **argv, int argc)
{
	const char *cmd = argv[0];
	uint64_t off, len, x;
	int i, prot;
	char *base;

	if (!strcmp(cmd, "mmap")) {
		op_mmap(argv, argc);
		return;
	}
	if (!strcmp(cmd, "status")) {
		long long size, rss, pte, swap;
		size_t n;
		if (argc != 2) {
			respond("bad status operands");
			return;
		}
		if (read_status(&size, &rss, &pte, &swap)) {
			respond("bad cannot read VmSize/VmRSS/VmPTE from /proc/self/status");
			return;
		}
		memcpy(outbuf, "status ", 7);
		n = 7;
		n += fmt_u64(outbuf + n, (uint64_t)size);
		outbuf[n++] = ' ';
		n += fmt_u64(outbuf + n, (uint64_t)rss);
		outbuf[n++] = ' ';
		n += fmt_u64(outbuf + n, (uint64_t)pte);
		outbuf[n++] = ' ';
		n += fmt_u64(outbuf + n, (uint64_t)swap);
		outbuf[n++] = '\n';
		put(outbuf, n);
		return;
	}
	if (!strcmp(cmd, "swapon")) {
		op_swapon(argv, argc);
		return;
	}
	if (!strcmp(cmd, "reclaim")) {
		op_reclaim(argv, argc);
		return;
	}
	if (strcmp(cmd, "touch") && strcmp(cmd, "madvise") && strcmp(cmd, "munmap") && strcmp(cmd, "mprotect")) {
		respond("bad unknown operation");
		return;
	}
	if (argc < 4 || parse_u64(argv[2], &off) || parse_u64(argv[3], &len)) {
		respond("bad operands");
		return;
	}
	i = lookup(argv[1]);
	if (i < 0) {
		respond("bad unknown mapping name");
		return;
	}
	base = names[i].base;
	if (!strcmp(cmd, "touch")) {
		if (argc != 6 || (strcmp(argv[4], "0") && strcmp(argv[4], "1")) || parse_u64(argv[5], &x) || x == 0) {
			respond("bad touch operands");
			return;
		}
		if (base == MAP_FAILED) {
			respond("segv");
			return;
		}
		respond_touch(do_touch(base, off, len, argv[4][0] == '1', x));
	} else if (!strcmp(cmd, "madvise")) {
		if (argc != 5 || parse_u64(argv[4], &x) || x > INT_MAX) {
			respond("bad madvise operands");
			return;
		}
		respond_rc(madvise(base + off, (size_t)len, (int)x));
	} else if (!strcmp(cmd, "munmap")) {
		if (argc != 4) {
			respond("bad munmap operands");
			return;
		}
		respond_rc(munmap(base + off, (size_t)len));
	} else if (!strcmp(cmd, "mprotect")) {
		if (argc != 5 || parse_prot(argv[4], &prot)) {
			respond("bad mprotect operands");
			return;
		}
		respond_rc(mprotect(base + off, (size_t)len, prot));
	} else {
		respond("bad unknown operation");
	}
}

/* Touches `depth` bytes of stack so later calls never grow it. */
static __attribute__((noinline)) void prefault_stack(size_t depth)
{
	volatile char buf[1 << 12];
	buf[0] = 0;
	buf[sizeof buf - 1] = 0;
	if (depth > sizeof buf)
		prefault_stack(depth - sizeof buf);
}

/* Runs every path the op loop uses once, so none of them first-faults later. */
static void warm_up(void)
{
	long long a, b, c, d;
	char *p;
	size_t i;
	for (i = 0; i < sizeof inbuf; i += 4096)
		((volatile char *)inbuf)[i] = 0;
	for (i = 0; i < sizeof procbuf; i += 4096)
		((volatile char *)procbuf)[i] = 0;
	for (i = 0; i < sizeof altstack; i += 4096)
		((volatile unsigned char *)altstack)[i] = 0;
	((volatile char *)names)[0] = 0;
	for (i = 0; i < sizeof names; i += 4096)
		((volatile char *)names)[i] = 0;
	prefault_stack(128 * 1024);
	read_status(&a, &b, &c, &d);
	p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		do_touch(p, 0, 1, 0, 4096); /* SIGSEGV through the handler and siglongjmp */
		mprotect(p, 4096, PROT_READ);
		madvise(p, 4096, MADV_DONTNEED);
		munmap(p, 4096);
	}
	madvise(NULL, 0, MADV_HUGEPAGE);
	munmap((void *)1, 0);
	mprotect((void *)1, 0, PROT_NONE);
	mlockall(MCL_CURRENT); /* best effort: our own pages stay resident */
}

int main(void)
{
	char *argv[8];
	int argc, r;
	struct sigaction sa;
	stack_t ss;

	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_exit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (getenv("MMSIM_HOST_MEMCG") && !strcmp(getenv("MMSIM_HOST_MEMCG"), "1"))
		memcg_setup();
	warm_up();
	respond("hello mmsim-host " PROTOCOL_VERSION);

	while ((r = read_line()) != 0) {
		if (r < 0) {
			respond("bad line too long");
			continue;
		}
		argc = split(argv, 8);
		if (argc <= 0) {
			respond(argc < 0 ? "bad too many fields" : "bad empty line");
			continue;
		}
		execute(argv, argc);
	}
	swap_cleanup();
	memcg_cleanup();
	return 0;
}
