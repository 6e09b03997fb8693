/*-------------------------------------------------------------------------
 *
 * columnar_chunk.c
 *	  Building a chunk's stored form: the value encoding, then compression.
 *
 * The choices, per chunk (the layouts are in columnar_format.c):
 *	- a varlena column with few distinct values is dictionary-encoded when
 *	  that takes fewer bytes than its plain values;
 *	- integers, dates and timestamps try frame of reference and delta, any
 *	  fixed-length column run-length; the shortest encoding is compressed,
 *	  and kept when its stored form is at least a tenth shorter than the
 *	  plain chunk's (an encoding costs decoding on every read: on the
 *	  benchmark's revenue column a 2% saving halved sum()'s speed).  A
 *	  packing a quarter of the plain bytes or less is kept without
 *	  compressing the plain chunk at all: compression does not make that up.
 *	  (Runs decode slower than zstd restores zeros: they always compete.)
 *	- the result is compressed with the table's codec unless that does not
 *	  pay (compress_chunk).
 *
 * Everything here is plain computation over memory the caller keeps alive
 * and memory this file mallocs: the writer's helper thread runs it.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar_chunk.h"

#include <stdlib.h>
#include <string.h>

#include "columnar_crc.h"

#define Min(a, b) ((a) < (b) ? (a) : (b))
#define Max(a, b) ((a) > (b) ? (a) : (b))

static void *
owned_alloc(ColumnarChunkOutput *out, size_t size, bool zero)
{
	void	   *p;

	if (out->nowned == (int) (sizeof(out->owned) / sizeof(out->owned[0])))
		abort();				/* a build keeps fewer buffers than that */
	p = zero ? calloc(1, size) : malloc(size);
	if (p == NULL)
		out->out_of_memory = true;
	else
		out->owned[out->nowned++] = p;
	return p;
}

void
columnar_chunk_output_free(ColumnarChunkOutput *out)
{
	int			i;

	for (i = 0; i < out->nowned; i++)
		free(out->owned[i]);
	out->nowned = 0;
}

/*
 * Compress raw into dst (of strata_compress_bound bytes); false when the
 * stored form is better left raw.  Compression that saves less than an
 * eighth (random keys, hashes) is not kept: every read would pay for
 * decompressing it.  A long chunk whose last 4 kB do not compress by a
 * sixteenth is not tried whole.
 */
static bool
compress_chunk(StrataCodec codec, int level, const char *raw, size_t raw_len,
						char *dst, size_t dst_cap, size_t *stored_len)
{
	const char *detail;

	if (raw_len >= 32 * 1024 &&
		(strata_compress(codec, level, raw + raw_len - 4096, 4096,
						 dst, dst_cap, stored_len, &detail) != STRATA_CODEC_OK ||
		 *stored_len >= 4096 - 4096 / 16))
		return false;
	return strata_compress(codec, level, raw, raw_len, dst, dst_cap, stored_len,
						   &detail) == STRATA_CODEC_OK &&
		*stored_len < raw_len - raw_len / 8;
}

/* The stored form of raw: compressed, or raw itself (codec none). */
static const uint8_t *
stored_form(const ColumnarChunkInput *in, ColumnarChunkOutput *out, const uint8_t *raw,
			size_t raw_len, StrataCodec *codec, size_t *stored_len)
{
	size_t		bound = in->codec == STRATA_CODEC_NONE ? 0 :
		strata_compress_bound(in->codec, raw_len);
	char	   *comp = bound == 0 ? NULL : owned_alloc(out, bound, false);

	if (comp == NULL ||
		!compress_chunk(in->codec, in->level, (const char *) raw, raw_len,
								 comp, bound, stored_len))
	{
		*codec = STRATA_CODEC_NONE;
		*stored_len = raw_len;
		return raw;
	}
	*codec = in->codec;
	return (const uint8_t *) comp;
}

/* A varlena's length with its header (never an external pointer here). */
static inline uint32_t
varlena_size(const uint8_t *p)
{
	uint32_t	hdr;

	if (p[0] & 1)
		return p[0] >> 1;
	memcpy(&hdr, p, 4);
	return hdr >> 2;
}

static inline uint32_t
value_hash(const uint8_t *p, size_t len)
{
	uint64_t	h = 0x9E3779B97F4A7C15ULL ^ len;
	uint64_t	w;

	for (; len >= 8; p += 8, len -= 8)
	{
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 29;
	return (uint32_t) h;
}

/*
 * Dictionary-encode a varlena chunk whose present values start at offsets,
 * if few are distinct and the encoding is shorter than the plain values.
 * Returns the raw chunk (bitmap included) or NULL.
 */
static uint8_t *
dictionary_encode(const ColumnarChunkInput *in, ColumnarChunkOutput *out, size_t bitmap_len)
{
	uint32_t	nvalues = in->rows - in->null_count;
	uint32_t	limit = Min(nvalues / 2, 65536);
	uint32_t	nslots;
	uint32_t   *slots;			/* open addressing: 1 + dict index, 0 empty */
	uint32_t   *codes;
	uint32_t   *dict;			/* value index of each distinct value */
	uint32_t	ndict = 0;
	uint32_t	width;
	size_t		dict_bytes;
	size_t		raw_len;
	size_t		pos;
	uint32_t	v;
	uint8_t    *raw;

	if (nvalues < 16)
		return NULL;
	for (nslots = 64; nslots < limit * 2; nslots *= 2)
		;
	slots = owned_alloc(out, sizeof(uint32_t) * nslots, true);
	dict = owned_alloc(out, sizeof(uint32_t) * (limit + 1), false);
	codes = owned_alloc(out, sizeof(uint32_t) * nvalues, false);
	if (out->out_of_memory)
		return NULL;
	for (v = 0; v < nvalues; v++)
	{
		const uint8_t *p = in->values + out->offsets[v];
		uint32_t	len = varlena_size(p);
		uint32_t	h = value_hash(p, len) & (nslots - 1);

		for (;;)
		{
			uint32_t	e = slots[h];

			if (e == 0)
			{
				if (ndict >= limit)
					return NULL;	/* too many distinct values to pay */
				dict[ndict] = v;
				slots[h] = ++ndict;
				codes[v] = ndict - 1;
				break;
			}
			if (varlena_size(in->values + out->offsets[dict[e - 1]]) == len &&
				memcmp(in->values + out->offsets[dict[e - 1]], p, len) == 0)
			{
				codes[v] = e - 1;
				break;
			}
			h = (h + 1) & (nslots - 1);
		}
	}

	/* the distinct values, laid out as a plain chunk of their own */
	dict_bytes = 0;
	for (v = 0; v < ndict; v++)
	{
		const uint8_t *p = in->values + out->offsets[dict[v]];

		if (!(p[0] & 1))
			dict_bytes = (dict_bytes + 3) & ~(size_t) 3;
		dict_bytes += varlena_size(p);
	}
	width = ndict <= 256 ? 1 : 2;
	raw_len = bitmap_len + COLUMNAR_DICT_HEADER + ((dict_bytes + 1) & ~(size_t) 1) +
		(size_t) nvalues * width;
	if (raw_len - bitmap_len >= in->values_len)
		return NULL;

	raw = owned_alloc(out, raw_len + 1, true);
	if (raw == NULL)
		return NULL;
	if (bitmap_len > 0)
		memcpy(raw, in->bitmap, (in->rows + 7) / 8);
	pos = bitmap_len;
	memcpy(raw + pos, &ndict, 4);
	memcpy(raw + pos + 4, &(uint32_t) {(uint32_t) dict_bytes}, 4);
	memcpy(raw + pos + 8, &width, 4);
	pos += COLUMNAR_DICT_HEADER;
	{
		size_t		d = 0;

		for (v = 0; v < ndict; v++)
		{
			const uint8_t *p = in->values + out->offsets[dict[v]];

			if (!(p[0] & 1))
				d = (d + 3) & ~(size_t) 3;
			memcpy(raw + pos + d, p, varlena_size(p));
			d += varlena_size(p);
		}
	}
	pos = (pos + dict_bytes + 1) & ~(size_t) 1;
	for (v = 0; v < nvalues; v++)
	{
		raw[pos + (size_t) v * width] = (uint8_t) (codes[v] & 0xff);
		if (width == 2)
			raw[pos + (size_t) v * width + 1] = (uint8_t) (codes[v] >> 8);
	}
	out->raw_len = raw_len;
	out->dict = dict;
	out->ndict = ndict;
	return raw;
}

/*
 * A fixed-length column's best encoding, or NULL (plain wins): fills the
 * stored form in out when it returns one.  plain is the plain raw chunk,
 * whose stored form this may have computed (*plain_stored, else NULL).
 */
static bool
try_fixed_encodings(const ColumnarChunkInput *in, ColumnarChunkOutput *out, size_t bitmap_len,
					const uint8_t *plain, size_t plain_len,
					const uint8_t **plain_stored, size_t *plain_stored_len, StrataCodec *plain_codec)
{
	uint32_t	present = in->rows - in->null_count;
	size_t		lens[3];
	uint8_t		kinds[3] = {COLUMNAR_ENCODING_FOR, COLUMNAR_ENCODING_DELTA, COLUMNAR_ENCODING_RLE};
	uint8_t		kind = COLUMNAR_ENCODING_PLAIN;
	size_t		enc_len = 0;
	bool		plain_too;
	int			k;

	*plain_stored = NULL;
	lens[0] = in->byval ? columnar_for_encode(in->values, present, &in->shape, NULL) : 0;
	lens[1] = in->byval ? columnar_delta_encode(in->values, present, &in->shape, NULL) : 0;
	lens[2] = columnar_rle_encode(in->values, present, &in->shape, NULL);
	/* the shortest; on a tie the earlier, which decodes faster */
	for (k = 0; k < 3; k++)
		if (lens[k] > 0 && (enc_len == 0 || lens[k] < enc_len))
		{
			enc_len = lens[k];
			kind = kinds[k];
		}

	plain_too = enc_len == 0 || enc_len * 4 > in->values_len || kind == COLUMNAR_ENCODING_RLE;
	if (plain_too)
		*plain_stored = stored_form(in, out, plain, plain_len, plain_codec, plain_stored_len);
	if (enc_len > 0 && enc_len < in->values_len)
	{
		size_t		cand_len = bitmap_len + enc_len;
		uint8_t    *cand = owned_alloc(out, cand_len + 1, true);
		const uint8_t *stored;
		size_t		stored_len;
		StrataCodec codec;

		if (cand == NULL)
			return false;
		if (bitmap_len > 0)
			memcpy(cand, in->bitmap, (in->rows + 7) / 8);
		if (kind == COLUMNAR_ENCODING_FOR)
			columnar_for_encode(in->values, present, &in->shape, cand + bitmap_len);
		else if (kind == COLUMNAR_ENCODING_DELTA)
			columnar_delta_encode(in->values, present, &in->shape, cand + bitmap_len);
		else
			columnar_rle_encode(in->values, present, &in->shape, cand + bitmap_len);
		stored = stored_form(in, out, cand, cand_len, &codec, &stored_len);
		if (!plain_too || stored_len <= *plain_stored_len - *plain_stored_len / 10)
		{
			out->encoding = kind;
			out->raw_len = cand_len;
			out->stored = stored;
			out->stored_len = stored_len;
			out->codec = codec;
			return true;
		}
	}
	return false;
}

bool
columnar_chunk_build(const ColumnarChunkInput *in, ColumnarChunkOutput *out)
{
	size_t		bitmap_len = in->null_count > 0 ? columnar_bitmap_size(in->rows) : 0;
	uint32_t	present = in->rows - in->null_count;
	const uint8_t *raw = NULL;
	const uint8_t *stored = NULL;
	size_t		stored_len = 0;
	StrataCodec codec = STRATA_CODEC_NONE;

	memset(out, 0, sizeof(*out));
	out->encoding = COLUMNAR_ENCODING_PLAIN;
	out->raw_len = bitmap_len + in->values_len;

	if (in->shape.typlen == -1 && in->encode)
	{
		out->offsets = owned_alloc(out, sizeof(uint32_t) * Max(present, 1), false);
		if (out->offsets == NULL)
			return false;
		if (!columnar_chunk_index(in->values, in->values_len, present, 0, &in->shape,
								  out->offsets, &out->err))
		{
			out->invalid = true;
			return false;
		}
		raw = dictionary_encode(in, out, bitmap_len);
		if (out->out_of_memory)
			return false;
		if (raw != NULL)
			out->encoding = COLUMNAR_ENCODING_DICT;
	}
	if (raw == NULL)
	{
		if (bitmap_len == 0)
			raw = in->values;	/* the plain chunk is the values */
		else
		{
			uint8_t    *r = owned_alloc(out, out->raw_len + 1, false);

			if (r == NULL)
				return false;
			memset(r, 0, bitmap_len);
			memcpy(r, in->bitmap, (in->rows + 7) / 8);
			memcpy(r + bitmap_len, in->values, in->values_len);
			raw = r;
		}
		if (in->shape.typlen > 0 && in->encode && in->values_len > 0)
		{
			if (try_fixed_encodings(in, out, bitmap_len, raw, out->raw_len,
									&stored, &stored_len, &codec))
				goto done;
			if (out->out_of_memory)
				return false;
		}
	}
	if (stored == NULL)
		stored = stored_form(in, out, raw, out->raw_len, &codec, &stored_len);
	out->stored = stored;
	out->stored_len = stored_len;
	out->codec = codec;
done:
	if (out->out_of_memory)
		return false;
	out->crc = columnar_crc32c(out->stored, out->stored_len);
	return true;
}
