/*
 * rules_cache.c - the compiled rules kept in a file (rules_cache.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "rules_cache.h"
#include "util.h"

/* A cache larger than this is not read (the shipped rules make about 1 MB). */
#define CACHE_MAX (64 * 1024 * 1024)
#define CACHE_PREFIX "rules-"
#define CACHE_SUFFIX ".cache"

static char *
cache_key(const char *text)
{
	_cleanup_buf_ struct buf in = BUF_INIT, hex = BUF_INIT;
	unsigned char md[32];

	(void)buf_puts(&in, text);
	(void)buf_putc(&in, '\0');
	(void)buf_puts(&in, rules_engine_version());
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, in.data, in.len, md) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(md); i++)
		(void)buf_printf(&hex, "%02x", md[i]);
	return buf_steal(&hex);
}

/* The whole file, or NULL (missing, unreadable, too large: all mean "compile"). */
static char *
read_cache(const char *path, size_t *ret_len)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf_init(&b, CACHE_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(&b, chunk, (size_t)n) < 0) {
			n = -1;
			break;
		}
	close(fd);
	if (n < 0 || b.len == 0)
		return NULL;
	*ret_len = b.len;
	return buf_steal(&b);
}

/* Older caches of this directory (other rules, other library versions). */
static void
remove_stale(const char *dir, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (strncmp(e->d_name, CACHE_PREFIX, strlen(CACHE_PREFIX)) == 0 &&
		    n > strlen(CACHE_SUFFIX) &&
		    streq(e->d_name + n - strlen(CACHE_SUFFIX), CACHE_SUFFIX) &&
		    !streq(e->d_name, keep))
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static void
write_cache(const struct rules *r, const char *dir, const char *name)
{
	_cleanup_free_ char *bytes = NULL, *tmp = xasprintf("%s/%s.XXXXXX", dir, name);
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	size_t len = 0, off = 0;
	int fd;

	if (rules_serialize(r, &bytes, &len) < 0)
		return;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return;
	/* Not secret: the same patterns as the rules file. */
	(void)fchmod(fd, 0644);
	while (off < len) {
		ssize_t n = write(fd, bytes + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off != len || fsync(fd) < 0) {
		close(fd);
		(void)unlink(tmp);
		return;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		(void)unlink(tmp);
		return;
	}
	remove_stale(dir, name);
}

int
rules_load_cached(const char *path, const char *cache_dir, struct rules **ret,
                  struct errlist *errs)
{
	_cleanup_free_ char *text = NULL, *key = NULL, *name = NULL, *file = NULL, *blob = NULL;
	size_t len = 0;
	int r;

	*ret = NULL;
	r = rules_read_file(path, &text, errs);
	if (r < 0)
		return r;
	if (isempty(cache_dir) || (key = cache_key(text)) == NULL)
		return rules_load_string(text, path, ret, errs);
	name = xasprintf(CACHE_PREFIX "%s" CACHE_SUFFIX, key);
	file = xasprintf("%s/%s", cache_dir, name);
	blob = read_cache(file, &len);
	r = rules_load_string_cached(text, path, blob, len, ret, errs);
	if (r == 0 && !rules_from_cache(*ret))
		write_cache(*ret, cache_dir, name);
	return r;
}
