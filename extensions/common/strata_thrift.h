/*-------------------------------------------------------------------------
 *
 * strata_thrift.h
 *	  Thrift compact protocol: a bounds-checked reader and a growable writer.
 *
 * Parquet stores its footer (FileMetaData) and every page header as Thrift
 * structs in the compact protocol; strata_parquet_meta.c maps those structs
 * onto C.  This file only knows the wire format.  It is portable C: no
 * postgres.h, no ereport, no palloc, so it runs in a backend, in the unit
 * tests and under libFuzzer.
 *
 * Errors.  Every reader and writer carries a StrataThriftStatus.  The first
 * failure sets "failed", a message and the byte offset where the offending
 * item starts; after that every call returns false (or does nothing) and
 * the first message is kept, so a caller may check once at the end of a
 * sequence of calls, or after each one.  Nothing aborts or asserts on input
 * bytes.  A backend caller turns a failed status into
 * ereport(ERROR, ERRCODE_DATA_CORRUPTED) naming the file and the offset.
 *
 * Bounds.  Every length and count read from the input is checked against
 * the bytes that remain before anything is done with it: a binary may not
 * be longer than what is left, and a list or map may not claim more
 * elements than the remaining bytes could hold (each element takes at
 * least one byte).  Nesting of structs, lists and maps is limited to
 * STRATA_THRIFT_MAX_DEPTH, which also bounds the recursion of skipping.
 *
 *-------------------------------------------------------------------------
 */
#ifndef STRATA_THRIFT_H
#define STRATA_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Type codes of the compact protocol.  As a field type, a boolean's value
 * is the type itself (1 true, 2 false) and no payload follows.  As a list,
 * set or map element type, 2 means "bool" and each element is one byte;
 * the reader also accepts 1 there (some writers send it) and reports both
 * as STRATA_THRIFT_BOOL.
 */
typedef enum StrataThriftType
{
	STRATA_THRIFT_STOP = 0,
	STRATA_THRIFT_BOOL_TRUE = 1,
	STRATA_THRIFT_BOOL_FALSE = 2,
	STRATA_THRIFT_I8 = 3,
	STRATA_THRIFT_I16 = 4,
	STRATA_THRIFT_I32 = 5,
	STRATA_THRIFT_I64 = 6,
	STRATA_THRIFT_DOUBLE = 7,
	STRATA_THRIFT_BINARY = 8,	/* also strings */
	STRATA_THRIFT_LIST = 9,
	STRATA_THRIFT_SET = 10,
	STRATA_THRIFT_MAP = 11,
	STRATA_THRIFT_STRUCT = 12,	/* also unions */
	STRATA_THRIFT_UUID = 13		/* 16 raw bytes */
} StrataThriftType;

/* the element type of a list<bool> */
#define STRATA_THRIFT_BOOL STRATA_THRIFT_BOOL_FALSE

/* Structs, lists and maps nested deeper than this are refused. */
#define STRATA_THRIFT_MAX_DEPTH 32

#define STRATA_THRIFT_ERROR_LEN 160

/*
 * The outcome of a sequence of reads or writes.  error_offset is the byte
 * position (from the start of the reader's buffer, or of the writer's
 * output) of the item that failed; error is a NUL-terminated message in
 * lower case without a period, fit for an errdetail.
 */
typedef struct StrataThriftStatus
{
	bool		failed;
	size_t		error_offset;
	char		error[STRATA_THRIFT_ERROR_LEN];
} StrataThriftStatus;

/* Record a failure, unless one is already recorded (the first one wins). */
extern void strata_thrift_status_fail(StrataThriftStatus *status,
									  size_t offset, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* The name of a type code for messages ("i32", "list"); "unknown" if invalid */
extern const char *strata_thrift_type_name(int type);

/* ---------------------------------------------------------------------
 * Reader
 *
 * Reads from a caller-owned buffer; binaries are returned as pointers into
 * it, so the buffer must outlive their use.  The reader allocates nothing.
 * ---------------------------------------------------------------------
 */
typedef struct StrataThriftReader
{
	const uint8_t *buf;
	size_t		len;
	size_t		pos;			/* next byte to read */
	int			depth;			/* open structs (and containers being skipped) */
	int16_t		last_id[STRATA_THRIFT_MAX_DEPTH + 1];	/* per open struct */
	int			pending_bool;	/* -1, or the value of the bool field just read */
	StrataThriftStatus status;
} StrataThriftReader;

extern void strata_thrift_reader_init(StrataThriftReader *r,
									  const uint8_t *buf, size_t len);

/* Fail at the reader's current position; for checks made by callers. */
extern void strata_thrift_reader_fail(StrataThriftReader *r, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

/*
 * Structs: begin pushes a fresh "previous field id" (0) for the delta form
 * of field headers, end pops it.  Begin fails past the depth limit.  End
 * does not read anything: the stop field is returned by read_field_header.
 */
extern bool strata_thrift_read_struct_begin(StrataThriftReader *r);
extern bool strata_thrift_read_struct_end(StrataThriftReader *r);

/*
 * Read a field header of the innermost open struct.  On the stop field,
 * *type is STRATA_THRIFT_STOP and *id 0.  For a bool field, *type is
 * BOOL_TRUE or BOOL_FALSE and the value can be had from read_bool (or
 * skip) without consuming input.  Unknown type codes are an error.
 */
extern bool strata_thrift_read_field_header(StrataThriftReader *r,
											StrataThriftType *type, int16_t *id);

/* True for the two field types that carry a bool. */
static inline bool
strata_thrift_type_is_bool(int type)
{
	return type == STRATA_THRIFT_BOOL_TRUE || type == STRATA_THRIFT_BOOL_FALSE;
}

/*
 * Scalars.  read_bool returns the value of the bool field header just read
 * if there is one, and otherwise reads a one-byte list element (1 true,
 * 0 or 2 false).  Varints longer than their type allows, or whose value
 * does not fit it, are errors.
 */
extern bool strata_thrift_read_bool(StrataThriftReader *r, bool *value);
extern bool strata_thrift_read_i8(StrataThriftReader *r, int8_t *value);
extern bool strata_thrift_read_i16(StrataThriftReader *r, int16_t *value);
extern bool strata_thrift_read_i32(StrataThriftReader *r, int32_t *value);
extern bool strata_thrift_read_i64(StrataThriftReader *r, int64_t *value);
extern bool strata_thrift_read_double(StrataThriftReader *r, double *value);
extern bool strata_thrift_read_uuid(StrataThriftReader *r, uint8_t value[16]);

/* A binary or string: *data points into the reader's buffer. */
extern bool strata_thrift_read_binary(StrataThriftReader *r,
									  const uint8_t **data, size_t *len);

/*
 * Container headers.  The count is checked against the remaining bytes
 * (each element takes at least one byte; a map entry at least two) before
 * it is returned, so a caller may allocate count elements.  The elements
 * follow and are read with the scalar functions, struct_begin, etc.
 * A set has the same header as a list.
 */
extern bool strata_thrift_read_list_begin(StrataThriftReader *r,
										  StrataThriftType *elem_type,
										  uint32_t *count);
extern bool strata_thrift_read_set_begin(StrataThriftReader *r,
										 StrataThriftType *elem_type,
										 uint32_t *count);
extern bool strata_thrift_read_map_begin(StrataThriftReader *r,
										 StrataThriftType *key_type,
										 StrataThriftType *value_type,
										 uint32_t *count);

/*
 * Skip one value of the given type: a field's value right after its header,
 * or one list element.  Nested values are skipped under the depth limit.
 */
extern bool strata_thrift_skip(StrataThriftReader *r, StrataThriftType type);

/* ---------------------------------------------------------------------
 * Writer
 *
 * Output goes into a buffer the writer grows through a realloc-style
 * callback: fn(ctx, ptr, old_size, new_size) returns the new block (NULL
 * on failure, which fails the writer), and new_size 0 frees ptr.  With
 * fn NULL, the C library's realloc/free are used (unit tests, fuzzing).
 * A backend passes a callback over repalloc in a memory context of its
 * choosing, so the bytes live as long as that context and the code here
 * never needs to know about palloc.  old_size is given so a callback over
 * an allocator without realloc can copy.
 * ---------------------------------------------------------------------
 */
typedef void *(*StrataThriftReallocFn) (void *ctx, void *ptr,
										size_t old_size, size_t new_size);

/*
 * The C library's realloc and free behind that contract: what every Strata
 * buffer uses when its caller passes no callback.
 */
extern void *strata_default_realloc(void *ctx, void *ptr, size_t old_size,
									size_t new_size);

/*
 * Grow the buffer *buf of capacity *cap, whose first len bytes are used, so
 * that extra more bytes fit (capacities double from 256).  Returns false,
 * the buffer unchanged, when the size overflows or the allocation fails.
 * The Thrift writer, the Parquet encoding sink and the writer share it.
 */
extern bool strata_buffer_grow(uint8_t **buf, size_t *cap, size_t len, size_t extra,
							   StrataThriftReallocFn fn, void *ctx);

typedef struct StrataThriftWriter
{
	uint8_t    *buf;			/* the output so far: buf[0 .. len) */
	size_t		len;
	size_t		cap;
	StrataThriftReallocFn realloc_fn;
	void	   *alloc_ctx;
	int			depth;			/* open structs */
	int16_t		last_id[STRATA_THRIFT_MAX_DEPTH + 1];
	StrataThriftStatus status;
} StrataThriftWriter;

extern void strata_thrift_writer_init(StrataThriftWriter *w,
									  StrataThriftReallocFn fn, void *ctx);
/* Release the buffer (through the callback) and reset len to 0. */
extern void strata_thrift_writer_free(StrataThriftWriter *w);

/*
 * Field headers: the short (delta) form when the id is 1 to 15 above the
 * previous field of this struct, the long form otherwise.  Bool fields
 * carry their value in the header: use write_field_bool.
 */
extern void strata_thrift_write_field_header(StrataThriftWriter *w,
											 StrataThriftType type, int16_t id);
extern void strata_thrift_write_field_bool(StrataThriftWriter *w, int16_t id,
										   bool value);
/* The stop byte; write_struct_end writes it, so this is rarely needed. */
extern void strata_thrift_write_field_stop(StrataThriftWriter *w);

/* begin pushes a fresh previous-field-id; end writes the stop field and pops */
extern void strata_thrift_write_struct_begin(StrataThriftWriter *w);
extern void strata_thrift_write_struct_end(StrataThriftWriter *w);

/* Scalars.  write_bool is for list elements (one byte, 1 or 0). */
extern void strata_thrift_write_bool(StrataThriftWriter *w, bool value);
extern void strata_thrift_write_i8(StrataThriftWriter *w, int8_t value);
extern void strata_thrift_write_i16(StrataThriftWriter *w, int16_t value);
extern void strata_thrift_write_i32(StrataThriftWriter *w, int32_t value);
extern void strata_thrift_write_i64(StrataThriftWriter *w, int64_t value);
extern void strata_thrift_write_double(StrataThriftWriter *w, double value);
extern void strata_thrift_write_uuid(StrataThriftWriter *w, const uint8_t value[16]);
extern void strata_thrift_write_binary(StrataThriftWriter *w,
									   const void *data, size_t len);
/* a NUL-terminated string; NULL is written as the empty string */
extern void strata_thrift_write_string(StrataThriftWriter *w, const char *str);

/* Container headers; use STRATA_THRIFT_BOOL as the element type of bools. */
extern void strata_thrift_write_list_begin(StrataThriftWriter *w,
										   StrataThriftType elem_type,
										   uint32_t count);
extern void strata_thrift_write_set_begin(StrataThriftWriter *w,
										  StrataThriftType elem_type,
										  uint32_t count);
extern void strata_thrift_write_map_begin(StrataThriftWriter *w,
										  StrataThriftType key_type,
										  StrataThriftType value_type,
										  uint32_t count);

#endif							/* STRATA_THRIFT_H */
