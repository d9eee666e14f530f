/*
 * utf8.h - strict UTF-8 (RFC 3629): validation, decoding, encoding, repair.
 */
#ifndef COMPLAINTSD_UTF8_H
#define COMPLAINTSD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the valid sequence at s, or -k: its first k bytes are a maximal invalid
 * subpart (len > 0). */
int utf8_seq(const char *s, size_t len);
/* Decode the sequence at s: its length with *ret the code point, or 0 when invalid. */
size_t utf8_decode(const char *s, size_t len, uint32_t *ret);
bool utf8_valid(const char *s, size_t len);
/* Copy s, replacing each maximal invalid subsequence with U+FFFD and dropping NUL. */
char *utf8_repair(const char *s, size_t len);
/* The UTF-8 encoding of code point cp (invalid ones as U+FFFD) in out; returns bytes written
 * (<= 4). */
size_t utf8_encode(unsigned long cp, char out[static 4]);

#endif
