/*
 * bytescan.h - how many leading bytes of a text belong to a class, sixteen
 * at a time where the machine has SSE2 (every x86-64), byte by byte
 * elsewhere.  For the composer's passes over bodies and attached messages,
 * which are otherwise one loop iteration per byte.  Pure, header only.
 */
#ifndef COMPLAINTSD_BYTESCAN_H
#define COMPLAINTSD_BYTESCAN_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define BYTESCAN_SSE2 1
#endif

/* Leading bytes of s below 0x80 and not CR. */
static inline size_t
bytescan_ascii_no_cr(const unsigned char *s, size_t len)
{
	size_t i = 0;

#ifdef BYTESCAN_SSE2
	const __m128i cr = _mm_set1_epi8('\r');

	for (; i + 16 <= len; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		int m = _mm_movemask_epi8(_mm_or_si128(x, _mm_cmpeq_epi8(x, cr)));

		if (m != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#endif
	while (i < len && s[i] < 0x80 && s[i] != '\r')
		i++;
	return i;
}

/* Leading bytes of s that quoted-printable keeps as they are: tab, space, '!'..'~' but '='. */
static inline size_t
bytescan_qp_direct(const unsigned char *s, size_t len)
{
	size_t i = 0;

#ifdef BYTESCAN_SSE2
	const __m128i lo = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
	const __m128i eq = _mm_set1_epi8('='), tab = _mm_set1_epi8('\t');

	for (; i + 16 <= len; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* signed: bytes from 0x80 up are below 0x20 too */
		__m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, lo),
					   _mm_or_si128(_mm_cmpeq_epi8(x, del), _mm_cmpeq_epi8(x, eq)));
		int m = _mm_movemask_epi8(_mm_andnot_si128(_mm_cmpeq_epi8(x, tab), bad));

		if (m != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#endif
	while (i < len && (s[i] == '\t' || (s[i] >= 0x20 && s[i] <= 0x7e && s[i] != '=')))
		i++;
	return i;
}

/* Has s a byte from 0x80 up? */
static inline bool
bytescan_has_8bit(const unsigned char *s, size_t len)
{
	size_t i = 0;

#ifdef BYTESCAN_SSE2
	for (; i + 64 <= len; i += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 32));
		__m128i d = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 48));

		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) != 0)
			return true;
	}
#endif
	for (; i < len; i++)
		if (s[i] >= 0x80)
			return true;
	return false;
}

#endif
