/*
 * nowx.h - what MemoryDenyWriteExecute=yes does to a process, without systemd.
 */
#ifndef COMPLAINTSD_BENCH_NOWX_H
#define COMPLAINTSD_BENCH_NOWX_H

/*
 * Install the seccomp filter systemd installs for MemoryDenyWriteExecute=yes
 * (mmap() of memory both writable and executable, and mprotect() or
 * pkey_mprotect() adding execute permission, fail with EPERM) in this process
 * and all it starts.  Returns 0 or a negative errno.
 */
int nowx_install(void);

#endif
