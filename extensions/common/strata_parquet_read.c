/*-------------------------------------------------------------------------
 *
 * strata_parquet_read.c
 *	  The column-chunk reader: pages to levels and values.
 *
 * A column chunk is a run of pages, each a PageHeader followed by its
 * body:
 *
 *	[dictionary page]  PLAIN values, the chunk's dictionary
 *	data page v1       body compressed as a whole:
 *	                   [rep levels: 4-byte length + RLE][def levels: same][values]
 *	data page v2       [rep levels][def levels] uncompressed, their lengths in
 *	                   the header, then the values, compressed if is_compressed
 *	...
 *
 * The chunk is read in two passes.  The first walks the page headers only:
 * it checks that each page fits in the chunk, that the sizes are ones the
 * codec can produce, that the dictionary comes first and that the pages'
 * value counts add up to the chunk's num_values.  With those totals known,
 * the level and value arrays are allocated once, at their final size (the
 * byte-array data alone grows, since dictionary and delta encodings make
 * its size unknowable up front).  The second pass checks CRCs, decompresses
 * into one buffer as large as the largest page, and decodes.
 *
 * The chunk starts at dictionary_page_offset when that is set and comes
 * first, else at data_page_offset: some writers put 0 there, or leave it
 * out, while a dictionary page sits at data_page_offset; reading from
 * there finds it all the same.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_parquet_read.h"

#include "strata_compress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lz4.h>
#include <zlib.h>

/* dictionary indices and levels decoded at a time */
#define BATCH 1024

/* ---------------------------------------------------------------------
 * Schema
 * ---------------------------------------------------------------------
 */

static bool
schema_fail(StrataParquetStatus *status, int32_t index, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
schema_fail(StrataParquetStatus *status, int32_t index, const char *fmt,...)
{
	char		msg[STRATA_THRIFT_ERROR_LEN];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the schema has no byte offsets left once decoded: name the element */
	strata_thrift_status_fail(status, 0, "schema element %d: %s", index, msg);
	return false;
}

typedef struct SchemaFrame
{
	int32_t		remaining;		/* children still to visit */
	int16_t		def;			/* levels of the group itself */
	int16_t		rep;
} SchemaFrame;

bool
strata_parquet_schema_leaves(const StrataParquetFileMetaData *md, StrataArena *arena,
							 StrataParquetLeaf **leaves, int32_t *num_leaves,
							 StrataParquetStatus *status)
{
	const StrataParquetSchemaElement *schema = md->schema;
	int32_t		n = md->num_schema;
	SchemaFrame *stack;
	int32_t    *path;			/* schema indices of the open path */
	StrataParquetLeaf *out;
	int32_t		count = 0;
	int32_t		top = 0;
	int32_t		i = 1;
	int32_t		k;

	if (n < 1 || schema == NULL)
		return schema_fail(status, 0, "the schema is empty");
	if (schema[0].has_type || !schema[0].has_num_children)
		return schema_fail(status, 0, "the root \"%s\" is not a group", schema[0].name);
	stack = strata_arena_alloc(arena, (size_t) n * sizeof(SchemaFrame));
	path = strata_arena_alloc(arena, (size_t) n * sizeof(int32_t));
	out = strata_arena_alloc(arena, (size_t) n * sizeof(StrataParquetLeaf));
	if (stack == NULL || path == NULL || out == NULL)
		return schema_fail(status, 0, "out of memory for %d schema elements", n);
	stack[0].remaining = schema[0].num_children;
	stack[0].def = 0;
	stack[0].rep = 0;

	/*
	 * Depth-first, with an explicit stack: every element is visited once,
	 * and a num_children that lies runs into the end of the list.
	 */
	while (top >= 0)
	{
		const StrataParquetSchemaElement *se;
		int32_t		repetition;
		int			def,
					rep;

		if (stack[top].remaining == 0)
		{
			top--;
			continue;
		}
		stack[top].remaining--;
		if (i >= n)
			return schema_fail(status, i, "the schema ends inside a group");
		se = &schema[i];
		repetition = se->has_repetition_type ? se->repetition_type : STRATA_PARQUET_REQUIRED;
		if (repetition < STRATA_PARQUET_REQUIRED || repetition > STRATA_PARQUET_REPEATED)
			return schema_fail(status, i, "\"%s\" has unknown repetition %d",
							   se->name, repetition);
		def = stack[top].def + (repetition != STRATA_PARQUET_REQUIRED);
		rep = stack[top].rep + (repetition == STRATA_PARQUET_REPEATED);
		if (def > STRATA_PARQUET_MAX_LEVEL || rep > STRATA_PARQUET_MAX_LEVEL)
			return schema_fail(status, i, "\"%s\" is nested too deeply", se->name);
		path[top] = i;

		if (se->has_num_children && se->num_children > 0)
		{
			top++;
			stack[top].remaining = se->num_children;
			stack[top].def = (int16_t) def;
			stack[top].rep = (int16_t) rep;
		}
		else
		{
			StrataParquetLeaf *leaf = &out[count];
			size_t		dotted_len = 0;
			char	   *p;

			if (!se->has_type)
				return schema_fail(status, i, "\"%s\" is neither a group with children nor a typed leaf",
								   se->name);
			if (se->type < STRATA_PARQUET_BOOLEAN ||
				se->type > STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY)
				return schema_fail(status, i, "\"%s\" has unknown physical type %d",
								   se->name, se->type);
			if (se->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY &&
				(!se->has_type_length || se->type_length <= 0))
				return schema_fail(status, i, "FIXED_LEN_BYTE_ARRAY \"%s\" has no positive type_length",
								   se->name);
			leaf->column = count;
			leaf->schema_index = i;
			leaf->element = se;
			leaf->depth = top + 1;
			leaf->path_index = strata_arena_alloc(arena, (size_t) (top + 1) * sizeof(int32_t));
			leaf->path = strata_arena_alloc(arena, (size_t) (top + 1) * sizeof(char *));
			if (leaf->path_index == NULL || leaf->path == NULL)
				return schema_fail(status, i, "out of memory");
			for (k = 0; k <= top; k++)
			{
				leaf->path_index[k] = path[k];
				leaf->path[k] = schema[path[k]].name;
				dotted_len += strlen(schema[path[k]].name) + 1;
			}
			leaf->dotted_path = p = strata_arena_alloc(arena, dotted_len);
			if (p == NULL)
				return schema_fail(status, i, "out of memory");
			for (k = 0; k <= top; k++)
			{
				size_t		l = strlen(leaf->path[k]);

				memcpy(p, leaf->path[k], l);
				p += l;
				*p++ = k < top ? '.' : '\0';
			}
			leaf->max_def = (int16_t) def;
			leaf->max_rep = (int16_t) rep;
			leaf->repetition = repetition;
			leaf->type = se->type;
			leaf->type_length = se->type == STRATA_PARQUET_FIXED_LEN_BYTE_ARRAY ? se->type_length : 0;
			leaf->has_converted_type = se->has_converted_type;
			leaf->converted_type = se->converted_type;
			leaf->logical_type = se->logical_type;
			leaf->has_field_id = se->has_field_id;
			leaf->field_id = se->field_id;
			count++;
		}
		i++;
	}
	if (i != n)
		return schema_fail(status, i, "%d elements follow the end of the schema tree", n - i);
	*leaves = out;
	*num_leaves = count;
	return true;
}

/* ---------------------------------------------------------------------
 * The chunk reader
 * ---------------------------------------------------------------------
 */

typedef struct ChunkReader
{
	const uint8_t *file;
	size_t		file_len;
	const StrataParquetLeaf *leaf;
	const StrataParquetColumnMetaData *cmd;
	StrataArena *arena;
	StrataParquetStatus *status;
	StrataParquetColumnData *out;

	size_t		start;			/* the chunk: file[start .. end) */
	size_t		end;
	int32_t		codec;
	size_t		value_size;
	int			def_width;
	int			rep_width;

	/* totals of the first pass */
	int64_t		total_values;
	size_t		max_page;		/* largest decompressed data page */

	/* the dictionary */
	bool		has_dict;
	int32_t		dict_count;
	void	   *dict_values;
	const uint8_t *dict_base;	/* BYTE_ARRAY spans point here */

	uint8_t    *scratch;		/* max_page bytes */

	/* where the next page's output goes */
	int64_t		level_pos;
	int64_t		value_pos;
	size_t		bytes_cap;
	uint8_t    *bytes;
} ChunkReader;

static bool
fail(ChunkReader *r, size_t offset, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
fail(ChunkReader *r, size_t offset, const char *fmt,...)
{
	char		msg[STRATA_THRIFT_ERROR_LEN];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strata_thrift_status_fail(r->status, offset, "%s", msg);
	return false;
}

/*
 * A decoder failed inside a page section.  When the section lies in the
 * file as stored, the decoder's offset maps to a file offset; inside a
 * decompressed body only the page can be named.
 */
static bool
fail_decode(ChunkReader *r, const StrataParquetStatus *ds, const char *section,
			size_t page_offset, const uint8_t *section_start)
{
	uintptr_t	s = (uintptr_t) section_start;
	uintptr_t	f = (uintptr_t) r->file;

	if (s >= f && s - f < r->file_len)
		return fail(r, (size_t) (s - f) + ds->error_offset,
					"%s (%s of the page at offset %zu)", ds->error, section,
					page_offset);
	return fail(r, page_offset, "%s (%s of the page at offset %zu, byte %zu uncompressed)",
				ds->error, section, page_offset, ds->error_offset);
}

static void *
alloc(ChunkReader *r, size_t size, const char *what)
{
	void	   *p = strata_arena_alloc(r->arena, size > 0 ? size : 1);

	if (p == NULL)
		fail(r, r->start, "out of memory for %zu bytes of %s", size, what);
	return p;
}

static const char *
codec_label(int32_t codec)
{
	static const char *const names[] = {
		"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"
	};

	if (codec < 0 || codec > STRATA_PARQUET_LZ4_RAW)
		return "unknown";
	return names[codec];
}

/*
 * Whether usize bytes can come out of csize bytes of the codec: the most
 * each format can expand (snappy 64 bytes from a 3-byte copy, LZ4 255 per
 * extension byte, deflate 258 per 2 bits, zstd a 128 KB block from 4
 * bytes), so a lying header cannot make us allocate far beyond the file.
 */
static bool
plausible_size(int32_t codec, size_t csize, size_t usize)
{
	uint64_t	c = csize;
	uint64_t	u = usize;

	switch (codec)
	{
		case STRATA_PARQUET_UNCOMPRESSED:
			return u == c;
		case STRATA_PARQUET_SNAPPY:
			return u <= 22 * c + 16;
		case STRATA_PARQUET_LZ4:
		case STRATA_PARQUET_LZ4_RAW:
			return u <= 256 * c + 64;
		case STRATA_PARQUET_GZIP:
			return u <= 1040 * c + 1024;
		case STRATA_PARQUET_ZSTD:
			return u <= 32768 * c + 1024;
		default:
			return false;
	}
}

static inline uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/*
 * The deprecated LZ4 codec as Hadoop frames it: blocks of
 *	[uncompressed length: 4 bytes BE] ([compressed length: 4 bytes BE] [LZ4 block])+
 * the chunks of a block adding up to its uncompressed length.  Returns
 * false when the bytes are not framed that way (writers such as old
 * parquet-cpp wrote a bare block under this codec).
 */
static bool
hadoop_lz4_decompress(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstlen)
{
	size_t		in = 0;
	size_t		outpos = 0;

	while (srclen - in >= 8)
	{
		uint32_t	block_len = load_be32(src + in);
		size_t		block_end;

		in += 4;
		if (block_len > dstlen - outpos)
			return false;
		block_end = outpos + block_len;
		while (outpos < block_end)
		{
			uint32_t	clen;
			int			got;

			if (srclen - in < 4)
				return false;
			clen = load_be32(src + in);
			in += 4;
			if (clen > srclen - in || clen > INT32_MAX)
				return false;
			got = LZ4_decompress_safe((const char *) src + in, (char *) dst + outpos,
									  (int) clen, (int) (block_end - outpos));
			if (got <= 0)
				return false;
			in += clen;
			outpos += (size_t) got;
		}
	}
	return in == srclen && outpos == dstlen;
}

/* Decompress a page body (or a v2 page's values) of the chunk's codec. */
static bool
decompress(ChunkReader *r, size_t page_offset, const uint8_t *src, size_t srclen,
		   uint8_t *dst, size_t dstlen)
{
	StrataCodec codec;
	StrataCodecStatus rc;
	const char *detail = NULL;

	switch (r->codec)
	{
		case STRATA_PARQUET_SNAPPY:
			codec = STRATA_CODEC_SNAPPY;
			break;
		case STRATA_PARQUET_GZIP:
			codec = STRATA_CODEC_GZIP;
			break;
		case STRATA_PARQUET_ZSTD:
			codec = STRATA_CODEC_ZSTD;
			break;
		case STRATA_PARQUET_LZ4_RAW:
			codec = STRATA_CODEC_LZ4;
			break;
		case STRATA_PARQUET_LZ4:
			if (dstlen <= INT32_MAX && hadoop_lz4_decompress(src, srclen, dst, dstlen))
				return true;
			codec = STRATA_CODEC_LZ4;
			break;
		default:
			codec = STRATA_CODEC_NONE;
			break;
	}
	rc = strata_decompress(codec, src, srclen, dst, dstlen, &detail);
	if (rc != STRATA_CODEC_OK)
		return fail(r, page_offset, "%s page at offset %zu does not decompress to %zu bytes: %s",
					codec_label(r->codec), page_offset, dstlen,
					detail ? detail : "unknown error");
	return true;
}

/*
 * The bytes of a page section, csize stored and usize decompressed: in
 * the file itself when stored uncompressed, else decompressed into dst
 * (the scratch buffer, or a buffer of its own for the dictionary).
 */
static bool
page_bytes(ChunkReader *r, size_t page_offset, const uint8_t *src, size_t csize,
		   size_t usize, bool compressed, uint8_t *dst, const uint8_t **data)
{
	if (usize == 0)
	{
		/* empty: nothing to decompress, whatever the codec left there */
		*data = src;
		return true;
	}
	if (!compressed || r->codec == STRATA_PARQUET_UNCOMPRESSED)
	{
		if (csize != usize)
			return fail(r, page_offset,
						"uncompressed page at offset %zu stores %zu bytes but says %zu",
						page_offset, csize, usize);
		*data = src;
		return true;
	}
	if (!decompress(r, page_offset, src, csize, dst, usize))
		return false;
	*data = dst;
	return true;
}

/* ---------------------------------------------------------------------
 * Pass 1: page headers
 * ---------------------------------------------------------------------
 */

typedef struct PageInfo
{
	StrataParquetPageHeader ph;
	size_t		offset;			/* of the header in the file */
	size_t		body;			/* of the body */
	size_t		csize;
	size_t		usize;
} PageInfo;

/* Decode and check the header of the page at pos. */
static bool
read_page_header(ChunkReader *r, size_t pos, PageInfo *pi)
{
	StrataParquetStatus hs;
	size_t		hlen;

	memset(&hs, 0, sizeof(hs));
	if (!strata_parquet_page_header_decode(r->file + pos, r->end - pos, r->arena,
										   &pi->ph, &hlen, &hs))
		return fail(r, pos + hs.error_offset, "page header at offset %zu: %s", pos, hs.error);
	pi->offset = pos;
	pi->body = pos + hlen;
	pi->csize = (size_t) pi->ph.compressed_page_size;
	pi->usize = (size_t) pi->ph.uncompressed_page_size;
	if (pi->csize > r->end - pi->body)
		return fail(r, pos,
					"page at offset %zu (%zu bytes after a %zu-byte header) runs past the column chunk's end at %zu",
					pos, pi->csize, hlen, r->end);
	return true;
}

/* Check one page in pass 1: its kind, place and sizes. */
static bool
scan_page(ChunkReader *r, PageInfo *pi, bool *seen_data, int32_t *num_values)
{
	const StrataParquetPageHeader *ph = &pi->ph;
	size_t		levels,
				vc,
				vu;
	bool		compressed;

	*num_values = 0;
	switch (ph->type)
	{
		case STRATA_PARQUET_DICTIONARY_PAGE:
			if (!ph->has_dictionary_page_header)
				return fail(r, pi->offset, "dictionary page at offset %zu has no dictionary_page_header",
							pi->offset);
			if (*seen_data || r->has_dict)
				return fail(r, pi->offset, "dictionary page at offset %zu is not the chunk's first page",
							pi->offset);
			r->has_dict = true;
			if (!plausible_size(r->codec, pi->csize, pi->usize))
				return fail(r, pi->offset,
							"dictionary page at offset %zu claims %zu bytes from %zu %s bytes",
							pi->offset, pi->usize, pi->csize, codec_label(r->codec));
			return true;

		case STRATA_PARQUET_DATA_PAGE:
			if (!ph->has_data_page_header)
				return fail(r, pi->offset, "data page at offset %zu has no data_page_header",
							pi->offset);
			*seen_data = true;
			*num_values = ph->data_page_header.num_values;
			if (!plausible_size(r->codec, pi->csize, pi->usize))
				return fail(r, pi->offset, "data page at offset %zu claims %zu bytes from %zu %s bytes",
							pi->offset, pi->usize, pi->csize, codec_label(r->codec));
			if (pi->usize > r->max_page)
				r->max_page = pi->usize;
			return true;

		case STRATA_PARQUET_DATA_PAGE_V2:
			if (!ph->has_data_page_header_v2)
				return fail(r, pi->offset, "data page v2 at offset %zu has no data_page_header_v2",
							pi->offset);
			*seen_data = true;
			*num_values = ph->data_page_header_v2.num_values;
			levels = (size_t) ph->data_page_header_v2.repetition_levels_byte_length +
				(size_t) ph->data_page_header_v2.definition_levels_byte_length;
			if (levels > pi->csize || levels > pi->usize)
				return fail(r, pi->offset,
							"data page v2 at offset %zu has %zu bytes of levels in a page of %zu (%zu uncompressed)",
							pi->offset, levels, pi->csize, pi->usize);
			vc = pi->csize - levels;
			vu = pi->usize - levels;
			compressed = ph->data_page_header_v2.is_compressed &&
				r->codec != STRATA_PARQUET_UNCOMPRESSED;
			if (vu > 0 && !plausible_size(compressed ? r->codec : STRATA_PARQUET_UNCOMPRESSED,
										  vc, vu))
				return fail(r, pi->offset,
							"data page v2 at offset %zu claims %zu bytes of values from %zu stored",
							pi->offset, vu, vc);
			if (vu > r->max_page)
				r->max_page = vu;
			return true;

		case STRATA_PARQUET_INDEX_PAGE:
			return true;

		default:
			return fail(r, pi->offset, "page at offset %zu has unknown type %d",
						pi->offset, ph->type);
	}
}

static bool
scan_chunk(ChunkReader *r)
{
	PageInfo	pi;
	size_t		pos = r->start;
	bool		seen_data = false;
	int32_t		nv;

	r->total_values = 0;
	while (pos < r->end && r->total_values < r->cmd->num_values)
	{
		if (!read_page_header(r, pos, &pi) || !scan_page(r, &pi, &seen_data, &nv))
			return false;
		r->total_values += nv;
		pos = pi.body + pi.csize;
	}
	if (r->total_values != r->cmd->num_values)
		return fail(r, r->start,
					"the pages of the column chunk at offset %zu hold %lld values, its metadata says %lld",
					r->start, (long long) r->total_values, (long long) r->cmd->num_values);
	return true;
}

/* ---------------------------------------------------------------------
 * Pass 2: decoding
 * ---------------------------------------------------------------------
 */

/* Room for extra more bytes of byte-array data. */
static bool
reserve_bytes(ChunkReader *r, uint64_t extra)
{
	StrataParquetColumnData *out = r->out;
	uint64_t	need = (uint64_t) out->bytes_len + extra;
	uint64_t	cap;
	uint8_t    *p;

	if (need <= r->bytes_cap)
		return true;
	if (need > UINT32_MAX)
		return fail(r, r->start, "byte-array data of the column chunk at offset %zu exceeds 4 GB",
					r->start);
	cap = r->bytes_cap > 0 ? (uint64_t) r->bytes_cap * 2 : 4096;
	if (cap < need)
		cap = need;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	p = alloc(r, (size_t) cap, "byte-array data");
	if (p == NULL)
		return false;
	if (out->bytes_len > 0)
		memcpy(p, r->bytes, out->bytes_len);
	r->bytes = p;
	r->bytes_cap = (size_t) cap;
	out->bytes = p;
	return true;
}

/*
 * Copy the n values at spans (offsets into base) to the end of the chunk's
 * byte-array data, pointing the spans at their copies.
 */
static bool
append_byte_arrays(ChunkReader *r, StrataParquetSpan *spans, size_t n, const uint8_t *base)
{
	uint64_t	total = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		total += spans[i].length;
	if (!reserve_bytes(r, total))
		return false;
	for (i = 0; i < n; i++)
	{
		if (spans[i].length > 0)
			memcpy(r->bytes + r->out->bytes_len, base + spans[i].offset, spans[i].length);
		spans[i].offset = (uint32_t) r->out->bytes_len;
		r->out->bytes_len += spans[i].length;
	}
	return true;
}

/*
 * Levels of one page into out[0 .. count): check each against max.  The
 * decoder is set up by the caller (v1 with a length prefix, v2 without).
 */
static bool
decode_levels(ChunkReader *r, StrataParquetRleDecoder *dec, int16_t *out, size_t count,
			  int max, const char *what, size_t page_offset, const uint8_t *section)
{
	uint32_t	batch[BATCH];
	StrataParquetStatus ds;
	size_t		done = 0;
	size_t		n,
				i;

	memset(&ds, 0, sizeof(ds));
	while (done < count)
	{
		n = count - done < BATCH ? count - done : BATCH;
		if (!strata_parquet_rle_decode(dec, batch, n, &ds))
			return fail_decode(r, &ds, what, page_offset, section);
		for (i = 0; i < n; i++)
		{
			if (batch[i] > (uint32_t) max)
				return fail(r, page_offset,
							"%s %u exceeds the column's maximum %d (page at offset %zu)",
							what, batch[i], max, page_offset);
			out[done + i] = (int16_t) batch[i];
		}
		done += n;
	}
	return true;
}

/* v1 levels: RLE with a 4-byte length, or the old BIT_PACKED. */
static bool
decode_v1_levels(ChunkReader *r, int32_t encoding, const uint8_t *buf, size_t len,
				 int16_t *out, size_t count, int max, const char *what,
				 size_t page_offset, size_t *consumed)
{
	StrataParquetRleDecoder dec;
	StrataParquetStatus ds;
	int			width = strata_parquet_bit_width((uint64_t) max);

	memset(&ds, 0, sizeof(ds));
	if (encoding == STRATA_PARQUET_ENC_RLE)
	{
		if (!strata_parquet_rle_decoder_init_prefixed(&dec, buf, len, width, consumed, &ds))
			return fail_decode(r, &ds, what, page_offset, buf);
		return decode_levels(r, &dec, out, count, max, what, page_offset, buf);
	}
	if (encoding == STRATA_PARQUET_ENC_BIT_PACKED)
	{
		uint32_t   *tmp = alloc(r, count * sizeof(uint32_t), "BIT_PACKED levels");
		size_t		i;

		if (tmp == NULL)
			return false;
		if (!strata_parquet_bit_packed_decode(buf, len, width, tmp, count, consumed, &ds))
			return fail_decode(r, &ds, what, page_offset, buf);
		for (i = 0; i < count; i++)
		{
			if (tmp[i] > (uint32_t) max)
				return fail(r, page_offset, "%s %u exceeds the column's maximum %d (page at offset %zu)",
							what, tmp[i], max, page_offset);
			out[i] = (int16_t) tmp[i];
		}
		return true;
	}
	return fail(r, page_offset, "%s encoding %s (%d) of the page at offset %zu is not supported",
				what, strata_parquet_encoding_name(encoding), encoding, page_offset);
}

/* Dictionary indices, checked and turned into values. */
static bool
decode_dictionary_values(ChunkReader *r, const uint8_t *buf, size_t len, size_t count,
						 size_t page_offset)
{
	StrataParquetRleDecoder dec;
	StrataParquetStatus ds;
	uint32_t	batch[BATCH];
	size_t		done = 0;
	size_t		n,
				i;
	size_t		size = r->value_size;
	uint8_t    *values = (uint8_t *) r->out->values + (size_t) r->value_pos * size;

	memset(&ds, 0, sizeof(ds));
	if (!r->has_dict)
		return fail(r, page_offset,
					"data page at offset %zu is dictionary-encoded but no dictionary page precedes it",
					page_offset);
	if (len < 1)
		return fail(r, page_offset, "dictionary indices of the page at offset %zu lack their bit width",
					page_offset);
	if (buf[0] > STRATA_PARQUET_MAX_RLE_BIT_WIDTH)
		return fail(r, page_offset, "dictionary index bit width %d exceeds 32 (page at offset %zu)",
					buf[0], page_offset);
	if (!strata_parquet_rle_decoder_init(&dec, buf + 1, len - 1, buf[0], &ds))
		return fail_decode(r, &ds, "dictionary indices", page_offset, buf);
	dec.base = 1;
	while (done < count)
	{
		n = count - done < BATCH ? count - done : BATCH;
		if (!strata_parquet_rle_decode(&dec, batch, n, &ds))
			return fail_decode(r, &ds, "dictionary indices", page_offset, buf);
		for (i = 0; i < n; i++)
		{
			if (batch[i] >= (uint32_t) r->dict_count)
				return fail(r, page_offset,
							"dictionary index %u out of range: the dictionary has %d entries (page at offset %zu)",
							batch[i], r->dict_count, page_offset);
			memcpy(values + (done + i) * size,
				   (const uint8_t *) r->dict_values + (size_t) batch[i] * size, size);
		}
		if (r->leaf->type == STRATA_PARQUET_BYTE_ARRAY &&
			!append_byte_arrays(r, (StrataParquetSpan *) values + done, n, r->dict_base))
			return false;
		done += n;
	}
	return true;
}

/* The value section of a data page: count non-null values. */
static bool
decode_page_values(ChunkReader *r, int32_t encoding, const uint8_t *buf, size_t len,
				   size_t count, size_t page_offset)
{
	StrataParquetStatus ds;
	const uint8_t *base;
	void	   *dst = (uint8_t *) r->out->values + (size_t) r->value_pos * r->value_size;

	if (encoding >= 0 && encoding < 32)
		r->out->encodings |= (uint32_t) 1 << encoding;
	if (count == 0)
		return true;
	if (encoding == STRATA_PARQUET_ENC_PLAIN_DICTIONARY ||
		encoding == STRATA_PARQUET_ENC_RLE_DICTIONARY)
		return decode_dictionary_values(r, buf, len, count, page_offset);

	memset(&ds, 0, sizeof(ds));
	if (!strata_parquet_decode_values(encoding, r->leaf->type, r->leaf->type_length, buf,
									  len, count, r->arena, dst, &base, &ds))
		return fail_decode(r, &ds, "values", page_offset, buf);
	if (r->leaf->type == STRATA_PARQUET_BYTE_ARRAY)
		return append_byte_arrays(r, dst, count, base);
	return true;
}

static bool
read_dictionary_page(ChunkReader *r, const PageInfo *pi)
{
	const StrataParquetDictionaryPageHeader *dh = &pi->ph.dictionary_page_header;
	const uint8_t *data;
	uint8_t    *dst = NULL;
	StrataParquetStatus ds;
	size_t		consumed;
	size_t		count = (size_t) dh->num_values;
	size_t		max_count;

	if (dh->encoding != STRATA_PARQUET_ENC_PLAIN &&
		dh->encoding != STRATA_PARQUET_ENC_PLAIN_DICTIONARY)
		return fail(r, pi->offset, "dictionary page at offset %zu has encoding %s (%d), not PLAIN",
					pi->offset, strata_parquet_encoding_name(dh->encoding), dh->encoding);

	/* PLAIN needs a bit per boolean, 4 bytes per byte array, else the width */
	if (r->leaf->type == STRATA_PARQUET_BOOLEAN)
		max_count = pi->usize * 8;
	else if (r->leaf->type == STRATA_PARQUET_BYTE_ARRAY)
		max_count = pi->usize / 4;
	else
		max_count = pi->usize / r->value_size;
	if (count > max_count)
		return fail(r, pi->offset, "dictionary page at offset %zu claims %zu values in %zu bytes",
					pi->offset, count, pi->usize);

	if (r->codec != STRATA_PARQUET_UNCOMPRESSED &&
		(dst = alloc(r, pi->usize, "the dictionary page")) == NULL)
		return false;
	if (!page_bytes(r, pi->offset, r->file + pi->body, pi->csize, pi->usize, true, dst, &data))
		return false;
	r->dict_values = alloc(r, count * r->value_size, "dictionary values");
	if (r->dict_values == NULL)
		return false;
	memset(&ds, 0, sizeof(ds));
	if (!strata_parquet_plain_decode(data, pi->usize, r->leaf->type, r->leaf->type_length,
									 r->dict_values, count, &consumed, &ds))
		return fail_decode(r, &ds, "dictionary", pi->offset, data);
	r->dict_base = data;
	r->dict_count = (int32_t) count;
	r->out->has_dictionary = true;
	r->out->dictionary_size = (int32_t) count;
	return true;
}

/*
 * After a page's levels: how many values it stores, and the rows it adds
 * (a row starts at each repetition level 0).
 */
static bool
count_page_levels(ChunkReader *r, size_t n, size_t page_offset, size_t *present)
{
	StrataParquetColumnData *out = r->out;
	const int16_t *def = out->def_levels ? out->def_levels + r->level_pos : NULL;
	const int16_t *rep = out->rep_levels ? out->rep_levels + r->level_pos : NULL;
	size_t		i;

	if (def == NULL)
		*present = n;
	else
	{
		*present = 0;
		for (i = 0; i < n; i++)
			*present += def[i] == r->leaf->max_def;
	}
	if (rep == NULL)
		out->num_rows += (int64_t) n;
	else
	{
		if (r->level_pos == 0 && n > 0 && rep[0] != 0)
			return fail(r, page_offset,
						"the column chunk's first repetition level is %d, not 0 (page at offset %zu)",
						rep[0], page_offset);
		for (i = 0; i < n; i++)
			out->num_rows += rep[i] == 0;
	}
	return true;
}

static bool
read_data_page_v1(ChunkReader *r, const PageInfo *pi)
{
	const StrataParquetDataPageHeader *h = &pi->ph.data_page_header;
	StrataParquetColumnData *out = r->out;
	const uint8_t *data;
	size_t		n = (size_t) h->num_values;
	size_t		pos = 0;
	size_t		used;
	size_t		present;

	if (!page_bytes(r, pi->offset, r->file + pi->body, pi->csize, pi->usize, true,
					r->scratch, &data))
		return false;
	if (r->leaf->max_rep > 0)
	{
		if (!decode_v1_levels(r, h->repetition_level_encoding, data, pi->usize,
							  out->rep_levels + r->level_pos, n, r->leaf->max_rep,
							  "repetition level", pi->offset, &used))
			return false;
		pos += used;
	}
	if (r->leaf->max_def > 0)
	{
		if (!decode_v1_levels(r, h->definition_level_encoding, data + pos, pi->usize - pos,
							  out->def_levels + r->level_pos, n, r->leaf->max_def,
							  "definition level", pi->offset, &used))
			return false;
		pos += used;
	}
	if (!count_page_levels(r, n, pi->offset, &present) ||
		!decode_page_values(r, h->encoding, data + pos, pi->usize - pos, present, pi->offset))
		return false;
	r->level_pos += (int64_t) n;
	r->value_pos += (int64_t) present;
	out->num_data_pages_v1++;
	return true;
}

static bool
read_data_page_v2(ChunkReader *r, const PageInfo *pi)
{
	const StrataParquetDataPageHeaderV2 *h = &pi->ph.data_page_header_v2;
	StrataParquetColumnData *out = r->out;
	const uint8_t *levels = r->file + pi->body;
	size_t		rep_len = (size_t) h->repetition_levels_byte_length;
	size_t		def_len = (size_t) h->definition_levels_byte_length;
	size_t		n = (size_t) h->num_values;
	const uint8_t *data;
	size_t		present;
	StrataParquetRleDecoder dec;
	StrataParquetStatus ds;

	memset(&ds, 0, sizeof(ds));

	/* levels without a length prefix; bytes there for a level-less column are ignored */
	if (r->leaf->max_rep > 0)
	{
		if (!strata_parquet_rle_decoder_init(&dec, levels, rep_len, r->rep_width, &ds))
			return fail_decode(r, &ds, "repetition levels", pi->offset, levels);
		if (!decode_levels(r, &dec, out->rep_levels + r->level_pos, n, r->leaf->max_rep,
						   "repetition level", pi->offset, levels))
			return false;
	}
	if (r->leaf->max_def > 0)
	{
		if (!strata_parquet_rle_decoder_init(&dec, levels + rep_len, def_len, r->def_width, &ds))
			return fail_decode(r, &ds, "definition levels", pi->offset, levels + rep_len);
		if (!decode_levels(r, &dec, out->def_levels + r->level_pos, n, r->leaf->max_def,
						   "definition level", pi->offset, levels + rep_len))
			return false;
	}
	if (!count_page_levels(r, n, pi->offset, &present))
		return false;
	if (!page_bytes(r, pi->offset, levels + rep_len + def_len, pi->csize - rep_len - def_len,
					pi->usize - rep_len - def_len, h->is_compressed, r->scratch, &data))
		return false;
	if (!decode_page_values(r, h->encoding, data, pi->usize - rep_len - def_len, present,
							pi->offset))
		return false;
	r->level_pos += (int64_t) n;
	r->value_pos += (int64_t) present;
	out->num_data_pages_v2++;
	return true;
}

static bool
check_crc(ChunkReader *r, const PageInfo *pi)
{
	uLong		crc;

	if (!pi->ph.has_crc)
		return true;
	/* zlib takes uInt lengths; page sizes are int32, so one call does */
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, r->file + pi->body, (uInt) pi->csize);
	if ((uint32_t) crc != pi->ph.crc)
		return fail(r, pi->offset, "page at offset %zu fails its CRC check: stored %08x, computed %08x",
					pi->offset, pi->ph.crc, (unsigned int) (uint32_t) crc);
	r->out->num_crc_checked++;
	return true;
}

static bool
decode_chunk(ChunkReader *r)
{
	StrataParquetColumnData *out = r->out;
	PageInfo	pi;
	size_t		pos = r->start;
	size_t		n = (size_t) r->total_values;

	/* sizes: the first pass bounded every page, the arena bounds the rest */
	if (n > SIZE_MAX / 16 || n > SIZE_MAX / r->value_size)
		return fail(r, r->start, "column chunk at offset %zu has too many values", r->start);
	if (r->leaf->max_def > 0 &&
		(out->def_levels = alloc(r, n * sizeof(int16_t), "definition levels")) == NULL)
		return false;
	if (r->leaf->max_rep > 0 &&
		(out->rep_levels = alloc(r, n * sizeof(int16_t), "repetition levels")) == NULL)
		return false;
	if ((out->values = alloc(r, n * r->value_size, "values")) == NULL)
		return false;
	if (r->codec != STRATA_PARQUET_UNCOMPRESSED &&
		(r->scratch = alloc(r, r->max_page, "the page buffer")) == NULL)
		return false;
	r->has_dict = false;

	while (r->level_pos < r->total_values)
	{
		if (!read_page_header(r, pos, &pi) || !check_crc(r, &pi))
			return false;
		switch (pi.ph.type)
		{
			case STRATA_PARQUET_DICTIONARY_PAGE:
				if (!read_dictionary_page(r, &pi))
					return false;
				r->has_dict = true;
				break;
			case STRATA_PARQUET_DATA_PAGE:
				if (!read_data_page_v1(r, &pi))
					return false;
				break;
			case STRATA_PARQUET_DATA_PAGE_V2:
				if (!read_data_page_v2(r, &pi))
					return false;
				break;
			default:
				break;			/* index pages; pass 1 refused the rest */
		}
		pos = pi.body + pi.csize;
	}
	out->num_values = r->total_values;
	out->num_present = r->value_pos;
	out->bytes = r->bytes;
	return true;
}

bool
strata_parquet_read_column(const uint8_t *file, size_t file_len,
						   const StrataParquetFileMetaData *md,
						   const StrataParquetLeaf *leaves, int32_t num_leaves,
						   int32_t row_group, int32_t column, StrataArena *arena,
						   StrataParquetColumnData *out, StrataParquetStatus *status)
{
	ChunkReader r;
	const StrataParquetRowGroup *rg;
	const StrataParquetColumnChunk *cc;
	const StrataParquetColumnMetaData *cmd;
	const StrataParquetLeaf *leaf;
	int64_t		start,
				size;
	StrataParquetLeaf *computed;
	int32_t		i;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.file = file;
	r.file_len = file_len;
	r.arena = arena;
	r.status = status;
	r.out = out;

	if (md->has_encryption_algorithm)
		return fail(&r, 0, "the file is encrypted");
	if (row_group < 0 || row_group >= md->num_row_groups)
		return fail(&r, 0, "row group %d does not exist: the file has %d", row_group,
					md->num_row_groups);
	if (leaves == NULL)
	{
		if (!strata_parquet_schema_leaves(md, arena, &computed, &num_leaves, status))
			return false;
		leaves = computed;
	}
	rg = &md->row_groups[row_group];
	if (rg->num_columns != num_leaves)
		return fail(&r, 0, "row group %d has %d column chunks for %d leaf columns",
					row_group, rg->num_columns, num_leaves);
	if (column < 0 || column >= num_leaves)
		return fail(&r, 0, "column %d does not exist: the schema has %d leaf columns",
					column, num_leaves);
	leaf = &leaves[column];
	cc = &rg->columns[column];
	cmd = cc->meta_data;
	if (cc->file_path != NULL)
		return fail(&r, 0, "column \"%s\" of row group %d is in another file (\"%s\")",
					leaf->dotted_path, row_group, cc->file_path);
	if (cmd == NULL)
		return fail(&r, 0, "column \"%s\" of row group %d has no metadata (an encrypted column?)",
					leaf->dotted_path, row_group);
	if (cmd->type != leaf->type)
		return fail(&r, 0, "column \"%s\" of row group %d is %s in its metadata but %s in the schema",
					leaf->dotted_path, row_group, strata_parquet_type_name(cmd->type),
					strata_parquet_type_name(leaf->type));
	if (cmd->num_path != leaf->depth)
		return fail(&r, 0, "column chunk path of \"%s\" in row group %d does not match the schema",
					leaf->dotted_path, row_group);
	for (i = 0; i < cmd->num_path; i++)
		if (strcmp(cmd->path_in_schema[i], leaf->path[i]) != 0)
			return fail(&r, 0, "column chunk path of \"%s\" in row group %d does not match the schema",
						leaf->dotted_path, row_group);
	switch (cmd->codec)
	{
		case STRATA_PARQUET_UNCOMPRESSED:
		case STRATA_PARQUET_SNAPPY:
		case STRATA_PARQUET_GZIP:
		case STRATA_PARQUET_ZSTD:
		case STRATA_PARQUET_LZ4:
		case STRATA_PARQUET_LZ4_RAW:
			break;
		case STRATA_PARQUET_LZO:
		case STRATA_PARQUET_BROTLI:
			return fail(&r, 0, "column \"%s\": compression codec %s is not supported",
						leaf->dotted_path, codec_label(cmd->codec));
		default:
			return fail(&r, 0, "column \"%s\": unknown compression codec %d",
						leaf->dotted_path, cmd->codec);
	}

	/* where the chunk is */
	start = cmd->data_page_offset;
	if (cmd->has_dictionary_page_offset && cmd->dictionary_page_offset > 0 &&
		cmd->dictionary_page_offset < start)
		start = cmd->dictionary_page_offset;
	size = cmd->total_compressed_size;
	if (start < 4 || (uint64_t) start > file_len || (uint64_t) size > file_len - (uint64_t) start)
		return fail(&r, (uint64_t) start <= file_len ? (size_t) start : 0,
					"column \"%s\" of row group %d: chunk of %lld bytes at offset %lld lies outside the file of %zu bytes",
					leaf->dotted_path, row_group, (long long) size, (long long) start, file_len);

	r.leaf = leaf;
	r.cmd = cmd;
	r.start = (size_t) start;
	r.end = (size_t) (start + size);
	r.codec = cmd->codec;
	r.value_size = strata_parquet_value_size(leaf->type, leaf->type_length);
	r.def_width = strata_parquet_bit_width((uint64_t) leaf->max_def);
	r.rep_width = strata_parquet_bit_width((uint64_t) leaf->max_rep);
	out->value_size = r.value_size;

	if (!scan_chunk(&r) || !decode_chunk(&r))
		return false;
	if (out->num_rows != rg->num_rows)
		return fail(&r, r.start, "column \"%s\" of row group %d holds %lld rows, the row group %lld",
					leaf->dotted_path, row_group, (long long) out->num_rows,
					(long long) rg->num_rows);
	return true;
}
