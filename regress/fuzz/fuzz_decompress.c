/*-------------------------------------------------------------------------
 *
 * fuzz_decompress.c
 *	  libFuzzer harness for strata_decompress.
 *
 * Input layout: byte 0 picks the codec, bytes 1-2 the recorded
 * uncompressed length (little-endian), the rest is the stream.  Whatever
 * the bytes, decompression must return a status without reading or
 * writing outside its buffers (ASan checks that).  A stream that does
 * decode is compressed again and must round-trip.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_compress.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	StrataCodec codec;
	size_t		dstlen;
	uint8_t    *dst;
	const char *detail;

	if (size < 3)
		return 0;
	codec = (StrataCodec) (data[0] % STRATA_CODEC_COUNT);
	dstlen = (size_t) data[1] | ((size_t) data[2] << 8);
	dst = malloc(dstlen + 1);
	if (strata_decompress(codec, data + 3, size - 3, dst, dstlen, &detail) == STRATA_CODEC_OK)
	{
		int			minl,
					maxl,
					dflt;
		size_t		bound = strata_compress_bound(codec, dstlen);
		uint8_t    *comp = malloc(bound + 1);
		uint8_t    *back = malloc(dstlen + 1);
		size_t		clen;

		strata_codec_level_range(codec, &minl, &maxl, &dflt);
		if (strata_compress(codec, dflt, dst, dstlen, comp, bound, &clen, &detail) != STRATA_CODEC_OK ||
			strata_decompress(codec, comp, clen, back, dstlen, &detail) != STRATA_CODEC_OK ||
			memcmp(back, dst, dstlen) != 0)
			abort();
		free(comp);
		free(back);
	}
	else if (detail == NULL)
		abort();
	free(dst);
	return 0;
}
