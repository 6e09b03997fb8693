/*-------------------------------------------------------------------------
 *
 * strata_compress.h
 *	  One interface over the general-purpose codecs Strata stores data with.
 *
 * Columnar chunks use none, zstd and lz4; Parquet pages add snappy and gzip.
 * This code is portable C: it does not include postgres.h, never calls
 * ereport and never allocates, so the same object runs inside a backend, in
 * the unit tests and under libFuzzer.  Callers in a backend turn a status
 * other than STRATA_CODEC_OK into an ereport that names the object.
 *
 * Contract shared by every function here:
 *	- Decompression is told the exact uncompressed length (columnar metadata
 *	  and Parquet page headers both record it).  Any stream that would write
 *	  more or fewer bytes is reported as STRATA_CODEC_CORRUPT; nothing is
 *	  ever written past dst + dstlen, whatever the input bytes are.
 *	- "detail" receives a static string describing the failure (or the
 *	  library's own message); it is never NULL after a failure.
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_COMPRESS_H
#define STRATA_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum StrataCodec
{
	STRATA_CODEC_NONE = 0,
	STRATA_CODEC_ZSTD,
	STRATA_CODEC_LZ4,			/* LZ4 block format (Parquet's LZ4_RAW) */
	STRATA_CODEC_SNAPPY,
	STRATA_CODEC_GZIP,			/* RFC 1952 gzip; zlib streams accepted on read */
} StrataCodec;

#define STRATA_CODEC_COUNT (STRATA_CODEC_GZIP + 1)

typedef enum StrataCodecStatus
{
	STRATA_CODEC_OK = 0,
	STRATA_CODEC_CORRUPT,		/* input does not decode to exactly dstlen bytes */
	STRATA_CODEC_DST_TOO_SMALL, /* compress: dstcap below the codec's bound */
	STRATA_CODEC_BAD_LEVEL,		/* level outside strata_codec_level_range() */
	STRATA_CODEC_FAILED			/* the library failed (out of memory, ...) */
} StrataCodecStatus;

/* Name lookup is case-insensitive; returns false for an unknown name. */
extern bool strata_codec_from_name(const char *name, StrataCodec *codec);
extern const char *strata_codec_name(StrataCodec codec);

/* "none, zstd, lz4, snappy, gzip": for hints that list the valid names. */
extern const char *strata_codec_names(void);

/*
 * Valid compression levels of a codec and the one used by default.  Codecs
 * without levels (none, snappy) have min = max = default = 0.
 */
extern void strata_codec_level_range(StrataCodec codec, int *min, int *max,
									 int *dflt);

/*
 * Largest possible compressed size of srclen bytes, or 0 when srclen is too
 * large for the codec (each library caps its input below 2 GB or so).
 */
extern size_t strata_compress_bound(StrataCodec codec, size_t srclen);

/*
 * Compress src into dst, which must hold strata_compress_bound() bytes.
 * On success *dstlen is the compressed size.
 */
extern StrataCodecStatus strata_compress(StrataCodec codec, int level,
										 const void *src, size_t srclen,
										 void *dst, size_t dstcap,
										 size_t *dstlen, const char **detail);

/* Decompress src into exactly dstlen bytes at dst (see the contract above). */
extern StrataCodecStatus strata_decompress(StrataCodec codec,
										   const void *src, size_t srclen,
										   void *dst, size_t dstlen,
										   const char **detail);

#endif							/* STRATA_COMPRESS_H */
