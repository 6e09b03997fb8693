/*-------------------------------------------------------------------------
 *
 * columnar_chunk.h
 *	  Building a chunk's stored form from one chunk group's raw values of a
 *	  column: the value encoding, then general-purpose compression.
 *
 * Portable C (no postgres.h) that allocates with malloc only and touches no
 * global state, so the writer runs it on its helper thread as well as in
 * line (columnar_compressor.c), and the unit tests run it alone.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_CHUNK_H
#define COLUMNAR_CHUNK_H

#include "columnar_format.h"
#include "strata_compress.h"

/* One column's values of one chunk group, as the writer laid them out. */
typedef struct ColumnarChunkInput
{
	ColumnarTypeShape shape;
	bool		byval;			/* fixed length, passed by value */
	bool		encode;			/* false (a dropped column): plain */
	StrataCodec codec;
	int			level;
	uint32_t	rows;
	uint32_t	null_count;
	const uint8_t *bitmap;		/* presence bits of rows; 0 past them */
	const uint8_t *values;		/* the present values, plain chunk layout */
	size_t		values_len;
} ColumnarChunkInput;

/* What a build gives back; its memory is the build's until freed. */
typedef struct ColumnarChunkOutput
{
	bool		out_of_memory;
	bool		invalid;		/* the values do not form a chunk: err says */
	ColumnarFormatError err;

	uint8_t		encoding;		/* COLUMNAR_ENCODING_* */
	size_t		raw_len;		/* bytes after decompression */
	const uint8_t *stored;		/* may point at the input's values */
	size_t		stored_len;
	StrataCodec codec;
	uint32_t	crc;			/* CRC-32C of stored */

	/* a varlena column's: where each present value starts in values */
	uint32_t   *offsets;
	/* a dictionary chunk's distinct values, as indexes into offsets */
	uint32_t   *dict;
	uint32_t	ndict;

	void	   *owned[8];
	int			nowned;
} ColumnarChunkOutput;

/*
 * Build the stored form of a chunk.  False when memory ran out or the
 * values are malformed (flags in out); out's memory is to be freed with
 * columnar_chunk_output_free() either way.
 */
extern bool columnar_chunk_build(const ColumnarChunkInput *in, ColumnarChunkOutput *out);
extern void columnar_chunk_output_free(ColumnarChunkOutput *out);

#endif							/* COLUMNAR_CHUNK_H */
