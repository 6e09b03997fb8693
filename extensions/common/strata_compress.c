/*-------------------------------------------------------------------------
 *
 * strata_compress.c
 *	  zstd, lz4, snappy and gzip behind the one interface of strata_compress.h.
 *
 * Each codec's library already checks its input against the output buffer;
 * what this file adds is the exact-length contract (a stream that decodes
 * to a different size than recorded is corrupt, even if the library is
 * happy) and a guard on every size that crosses into a library taking int
 * or uint32 lengths.
 *
 * zstd contexts are kept for the life of the thread: creating one costs
 * more than compressing a small chunk.  Each thread has its own, one per
 * direction: strata_columnar compresses chunks on a helper thread too.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_compress.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <lz4.h>
#include <lz4hc.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* gzip's header and trailer are 12 bytes longer than zlib's */
#define GZIP_EXTRA_BOUND 18

static const char *const codec_names[STRATA_CODEC_COUNT] = {
	"none", "zstd", "lz4", "snappy", "gzip"
};

static _Thread_local ZSTD_CCtx *zstd_cctx;
static _Thread_local ZSTD_DCtx *zstd_dctx;

bool
strata_codec_from_name(const char *name, StrataCodec *codec)
{
	int			i;

	if (name == NULL)
		return false;
	for (i = 0; i < STRATA_CODEC_COUNT; i++)
	{
		if (strcasecmp(name, codec_names[i]) == 0)
		{
			*codec = (StrataCodec) i;
			return true;
		}
	}
	return false;
}

const char *
strata_codec_name(StrataCodec codec)
{
	if ((int) codec < 0 || codec >= STRATA_CODEC_COUNT)
		return "unknown";
	return codec_names[codec];
}

const char *
strata_codec_names(void)
{
	return "none, zstd, lz4, snappy, gzip";
}

void
strata_codec_level_range(StrataCodec codec, int *min, int *max, int *dflt)
{
	switch (codec)
	{
		case STRATA_CODEC_ZSTD:
			*min = 1;
			*max = ZSTD_maxCLevel();
			*dflt = 3;
			break;
		case STRATA_CODEC_LZ4:
			/* 1 is LZ4's fast path; 2..12 select LZ4HC at that level */
			*min = 1;
			*max = LZ4HC_CLEVEL_MAX;
			*dflt = 1;
			break;
		case STRATA_CODEC_GZIP:
			*min = 1;
			*max = 9;
			*dflt = 6;
			break;
		default:
			*min = *max = *dflt = 0;
			break;
	}
}

size_t
strata_compress_bound(StrataCodec codec, size_t srclen)
{
	size_t		bound;

	switch (codec)
	{
		case STRATA_CODEC_NONE:
			return srclen;
		case STRATA_CODEC_ZSTD:
			bound = ZSTD_compressBound(srclen);
			return ZSTD_isError(bound) ? 0 : bound;
		case STRATA_CODEC_LZ4:
			if (srclen > LZ4_MAX_INPUT_SIZE)
				return 0;
			return (size_t) LZ4_compressBound((int) srclen);
		case STRATA_CODEC_SNAPPY:
			if (srclen > UINT32_MAX)
				return 0;
			return snappy_max_compressed_length(srclen);
		case STRATA_CODEC_GZIP:
			if (srclen > UINT_MAX / 2)
				return 0;
			return compressBound((uLong) srclen) + GZIP_EXTRA_BOUND;
	}
	return 0;
}

static StrataCodecStatus
fail(const char **detail, const char *msg, StrataCodecStatus status)
{
	*detail = msg;
	return status;
}

static StrataCodecStatus
gzip_compress(int level, const void *src, size_t srclen,
			  void *dst, size_t dstcap, size_t *dstlen, const char **detail)
{
	z_stream	zs;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	/* windowBits 15 + 16 asks zlib for a gzip header and trailer */
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8,
					 Z_DEFAULT_STRATEGY) != Z_OK)
		return fail(detail, "zlib could not start a deflate stream",
					STRATA_CODEC_FAILED);
	zs.next_in = (Bytef *) src;
	zs.avail_in = (uInt) srclen;
	zs.next_out = (Bytef *) dst;
	zs.avail_out = (uInt) (dstcap > UINT_MAX ? UINT_MAX : dstcap);
	rc = deflate(&zs, Z_FINISH);
	*dstlen = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return fail(detail, "zlib deflate did not finish",
					STRATA_CODEC_FAILED);
	return STRATA_CODEC_OK;
}

StrataCodecStatus
strata_compress(StrataCodec codec, int level,
				const void *src, size_t srclen,
				void *dst, size_t dstcap, size_t *dstlen,
				const char **detail)
{
	int			minlevel;
	int			maxlevel;
	int			dflt;
	size_t		bound = strata_compress_bound(codec, srclen);

	*detail = NULL;
	*dstlen = 0;
	if ((int) codec < 0 || codec >= STRATA_CODEC_COUNT)
		return fail(detail, "unknown codec", STRATA_CODEC_FAILED);
	strata_codec_level_range(codec, &minlevel, &maxlevel, &dflt);
	if (level < minlevel || level > maxlevel)
		return fail(detail, "compression level out of range",
					STRATA_CODEC_BAD_LEVEL);
	if (bound == 0 && srclen > 0)
		return fail(detail, "input too large for this codec",
					STRATA_CODEC_FAILED);
	if (dstcap < bound)
		return fail(detail, "output buffer smaller than the codec's bound",
					STRATA_CODEC_DST_TOO_SMALL);

	switch (codec)
	{
		case STRATA_CODEC_NONE:
			if (srclen > 0)
				memcpy(dst, src, srclen);
			*dstlen = srclen;
			return STRATA_CODEC_OK;

		case STRATA_CODEC_ZSTD:
			{
				size_t		n;

				if (zstd_cctx == NULL && (zstd_cctx = ZSTD_createCCtx()) == NULL)
					return fail(detail, "zstd could not allocate a context",
								STRATA_CODEC_FAILED);
				n = ZSTD_compressCCtx(zstd_cctx, dst, dstcap, src, srclen, level);
				if (ZSTD_isError(n))
					return fail(detail, ZSTD_getErrorName(n), STRATA_CODEC_FAILED);
				*dstlen = n;
				return STRATA_CODEC_OK;
			}

		case STRATA_CODEC_LZ4:
			{
				int			cap = dstcap > INT_MAX ? INT_MAX : (int) dstcap;
				int			n;

				if (level == 1)
					n = LZ4_compress_default(src, dst, (int) srclen, cap);
				else
					n = LZ4_compress_HC(src, dst, (int) srclen, cap, level);
				if (n <= 0 && srclen > 0)
					return fail(detail, "lz4 compression failed",
								STRATA_CODEC_FAILED);
				*dstlen = (size_t) n;
				return STRATA_CODEC_OK;
			}

		case STRATA_CODEC_SNAPPY:
			{
				size_t		n = dstcap;

				if (snappy_compress(src, srclen, dst, &n) != SNAPPY_OK)
					return fail(detail, "snappy compression failed",
								STRATA_CODEC_FAILED);
				*dstlen = n;
				return STRATA_CODEC_OK;
			}

		case STRATA_CODEC_GZIP:
			return gzip_compress(level, src, srclen, dst, dstcap, dstlen, detail);
	}
	return fail(detail, "unknown codec", STRATA_CODEC_FAILED);
}

/*
 * Inflate a gzip (or zlib) stream into exactly dstlen bytes.  Several gzip
 * members in a row are one valid stream (RFC 1952, 2.2), so a member that
 * ends with input left over is followed by the next one.
 */
static StrataCodecStatus
gzip_decompress(const void *src, size_t srclen, void *dst, size_t dstlen,
				const char **detail)
{
	z_stream	zs;
	int			rc;
	StrataCodecStatus status = STRATA_CODEC_OK;

	if (srclen > UINT_MAX || dstlen > UINT_MAX)
		return fail(detail, "gzip buffer larger than 4 GB",
					STRATA_CODEC_CORRUPT);
	memset(&zs, 0, sizeof(zs));
	/* 15 + 32: accept a gzip or a zlib header, detected from the bytes */
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return fail(detail, "zlib could not start an inflate stream",
					STRATA_CODEC_FAILED);
	zs.next_in = (Bytef *) src;
	zs.avail_in = (uInt) srclen;
	zs.next_out = (Bytef *) dst;
	zs.avail_out = (uInt) dstlen;
	for (;;)
	{
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
		{
			if (zs.avail_in == 0)
				break;
			if (inflateReset(&zs) != Z_OK)
			{
				status = fail(detail, "zlib could not reset its stream",
							  STRATA_CODEC_FAILED);
				break;
			}
			continue;
		}
		if (rc == Z_OK)
			continue;
		if (rc == Z_MEM_ERROR)
			status = fail(detail, "zlib ran out of memory", STRATA_CODEC_FAILED);
		else if (rc == Z_BUF_ERROR && zs.avail_out == 0)
			status = fail(detail, "stream decodes to more bytes than recorded",
						  STRATA_CODEC_CORRUPT);
		else if (rc == Z_BUF_ERROR)
			status = fail(detail, "stream is truncated", STRATA_CODEC_CORRUPT);
		else
			status = fail(detail, zs.msg ? zs.msg : "invalid deflate stream",
						  STRATA_CODEC_CORRUPT);
		break;
	}
	inflateEnd(&zs);
	if (status == STRATA_CODEC_OK && zs.avail_out != 0)
		status = fail(detail, "stream decodes to fewer bytes than recorded",
					  STRATA_CODEC_CORRUPT);
	return status;
}

StrataCodecStatus
strata_decompress(StrataCodec codec, const void *src, size_t srclen,
				  void *dst, size_t dstlen, const char **detail)
{
	*detail = NULL;
	switch (codec)
	{
		case STRATA_CODEC_NONE:
			if (srclen != dstlen)
				return fail(detail, "stored length differs from recorded length",
							STRATA_CODEC_CORRUPT);
			if (srclen > 0)
				memcpy(dst, src, srclen);
			return STRATA_CODEC_OK;

		case STRATA_CODEC_ZSTD:
			{
				size_t		n;

				if (zstd_dctx == NULL && (zstd_dctx = ZSTD_createDCtx()) == NULL)
					return fail(detail, "zstd could not allocate a context",
								STRATA_CODEC_FAILED);
				n = ZSTD_decompressDCtx(zstd_dctx, dst, dstlen, src, srclen);
				if (ZSTD_isError(n))
				{
					if (ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation)
						return fail(detail, ZSTD_getErrorName(n),
									STRATA_CODEC_FAILED);
					return fail(detail, ZSTD_getErrorName(n), STRATA_CODEC_CORRUPT);
				}
				if (n != dstlen)
					return fail(detail, "stream decodes to fewer bytes than recorded",
								STRATA_CODEC_CORRUPT);
				return STRATA_CODEC_OK;
			}

		case STRATA_CODEC_LZ4:
			{
				int			n;

				if (srclen > INT_MAX || dstlen > INT_MAX)
					return fail(detail, "lz4 block larger than 2 GB",
								STRATA_CODEC_CORRUPT);
				n = LZ4_decompress_safe(src, dst, (int) srclen, (int) dstlen);
				if (n < 0)
					return fail(detail, "malformed lz4 block", STRATA_CODEC_CORRUPT);
				if ((size_t) n != dstlen)
					return fail(detail, "stream decodes to fewer bytes than recorded",
								STRATA_CODEC_CORRUPT);
				return STRATA_CODEC_OK;
			}

		case STRATA_CODEC_SNAPPY:
			{
				size_t		n;

				if (snappy_uncompressed_length(src, srclen, &n) != SNAPPY_OK)
					return fail(detail, "malformed snappy length preamble",
								STRATA_CODEC_CORRUPT);
				if (n != dstlen)
					return fail(detail, "snappy preamble differs from recorded length",
								STRATA_CODEC_CORRUPT);
				if (snappy_uncompress(src, srclen, dst, &n) != SNAPPY_OK ||
					n != dstlen)
					return fail(detail, "malformed snappy stream",
								STRATA_CODEC_CORRUPT);
				return STRATA_CODEC_OK;
			}

		case STRATA_CODEC_GZIP:
			return gzip_decompress(src, srclen, dst, dstlen, detail);
	}
	return fail(detail, "unknown codec", STRATA_CODEC_FAILED);
}
