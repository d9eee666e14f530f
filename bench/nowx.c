/*
 * nowx.c - the seccomp filter of MemoryDenyWriteExecute=yes (nowx.h), and a
 * wrapper that runs a command under it:
 *
 *   nowx COMMAND [ARG...]
 *
 * bench/run uses it where systemd cannot start transient units (no systemd as
 * PID 1), so that the daemon runs as the shipped unit makes it run: PCRE2's
 * JIT cannot get executable memory and matches interpreted.
 */
#include "config.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nowx.h"

#if defined(__x86_64__)
#define NOWX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NOWX_ARCH AUDIT_ARCH_AARCH64
#else
#error "nowx: add this architecture's AUDIT_ARCH_ value"
#endif

#ifndef __NR_pkey_mprotect
#define __NR_pkey_mprotect -1
#endif

int
nowx_install(void)
{
	/* the offsets count instructions skipped: see the labels on the right */
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)), /* 0 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOWX_ARCH, 0, 11),                  /* 1 -> 13 */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),   /* 2 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),                   /* 3 -> 7 */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])), /* 4 */
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),               /* 5 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_WRITE | PROT_EXEC, 7, 6),         /* 6 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mprotect, 2, 0),                  /* 7 -> 10 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)__NR_pkey_mprotect, 1, 0),   /* 8 -> 10 */
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                             /* 9 */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])), /* 10 */
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_EXEC),                            /* 11 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_EXEC, 1, 0),                      /* 12 -> 14 */
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                             /* 13 */
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)), /* 14 */
	};
	struct sock_fprog prog = {(unsigned short)(sizeof(f) / sizeof(f[0])), f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -errno;
	return 0;
}

#ifndef NOWX_NO_MAIN
int
main(int argc, char **argv)
{
	int r;

	if (argc < 2) {
		fprintf(stderr, "Usage: nowx COMMAND [ARG...]\n");
		return 2;
	}
	r = nowx_install();
	if (r < 0) {
		fprintf(stderr, "nowx: cannot install the seccomp filter: %s\n", strerror(-r));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nowx: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
#endif
