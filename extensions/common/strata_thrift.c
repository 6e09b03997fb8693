/*-------------------------------------------------------------------------
 *
 * strata_thrift.c
 *	  Reader and writer of the Thrift compact protocol, as Parquet uses it.
 *
 * The wire format, from the Thrift compact protocol specification:
 *
 *	integers	i16, i32 and i64 are zigzag-mapped (0, -1, 1, -2 -> 0, 1, 2,
 *				3), then written as an unsigned LEB128 varint: 7 bits a byte,
 *				least significant group first, high bit set on every byte
 *				but the last.  i8 is one raw byte; double is 8 bytes of
 *				IEEE 754, little-endian.
 *	binary		varint length, then the bytes (strings are UTF-8 binaries).
 *	struct		field*, then a stop byte 0x00.  A field is a header, then
 *				its value.  The header has a short and a long form:
 *
 *		short:	+--------+   dddd = id minus the previous field's id in
 *				|ddddtttt|          this struct (1..15; the first field
 *				+--------+          counts from 0)
 *							 tttt = field type (1..13, see strata_thrift.h)
 *		long:	+--------+--------...--+
 *				|0000tttt| zigzag id   |   when the delta is not 1..15
 *				+--------+--------...--+
 *
 *				A bool field has type 1 (true) or 2 (false) and no value.
 *				Each nested struct keeps its own "previous id", hence the
 *				stack of them in the reader and the writer.
 *	list, set	+--------+   ssss = element count 0..14, or 1111 and
 *				|sssstttt|...       the count follows as a varint;
 *				+--------+   tttt = element type.  Then the elements,
 *							 without headers; a bool element is one
 *							 byte, 1 or 0.
 *	map			varint count; if it is not 0, a byte kkkkvvvv with the key
 *				and value types; then the key, value pairs.
 *	union		a struct with one field set.
 *
 * Worked example: struct { 1: i32 = 2, 4: string = "id", 20: bool = true }
 *
 *	15			field 1 (delta 1), type 5 (i32)
 *	04			zigzag(2) = 4
 *	38			field 4 (delta 3), type 8 (binary)
 *	02 69 64	length 2, "id"
 *	01 28		delta 16 is too big: long form, type 1 (bool true),
 *				id zigzag(20) = 40 = 0x28
 *	00			stop
 *
 * The reader never trusts a length: it checks it against the bytes left
 * before using it, and every failure records its offset in the status.
 *
 *-------------------------------------------------------------------------
 */
#include "strata_thrift.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
	"stop", "bool", "bool", "i8", "i16", "i32", "i64", "double",
	"binary", "list", "set", "map", "struct", "uuid"
};

/* The smallest encoding of one element of each type, in bytes. */
static const uint8_t min_element_size[] = {
	0, 1, 1, 1, 1, 1, 1, 8, 1, 1, 1, 1, 1, 16
};

void
strata_thrift_status_fail(StrataThriftStatus *status, size_t offset,
						  const char *fmt,...)
{
	va_list		ap;

	if (status->failed)
		return;
	status->failed = true;
	status->error_offset = offset;
	va_start(ap, fmt);
	vsnprintf(status->error, sizeof(status->error), fmt, ap);
	va_end(ap);
}

const char *
strata_thrift_type_name(int type)
{
	if (type < 0 || type > STRATA_THRIFT_UUID)
		return "unknown";
	return type_names[type];
}

/* ---------------------------------------------------------------------
 * Reader
 * ---------------------------------------------------------------------
 */

void
strata_thrift_reader_init(StrataThriftReader *r, const uint8_t *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->pending_bool = -1;
}

void
strata_thrift_reader_fail(StrataThriftReader *r, const char *fmt,...)
{
	va_list		ap;

	if (r->status.failed)
		return;
	r->status.failed = true;
	r->status.error_offset = r->pos;
	va_start(ap, fmt);
	vsnprintf(r->status.error, sizeof(r->status.error), fmt, ap);
	va_end(ap);
}

static inline size_t
remaining(const StrataThriftReader *r)
{
	return r->len - r->pos;
}

/*
 * Read an unsigned varint of at most max_bytes bytes whose value must not
 * exceed max_value.  Overlong encodings (more bytes than the type can
 * need) and values out of range are corruption, not something to wrap.
 */
static bool
read_varint(StrataThriftReader *r, int max_bytes, uint64_t max_value,
			const char *what, uint64_t *value)
{
	size_t		start = r->pos;
	uint64_t	result = 0;
	int			shift = 0;
	int			i;

	if (r->status.failed)
		return false;
	for (i = 0; i < max_bytes; i++)
	{
		uint8_t		b;

		if (r->pos >= r->len)
		{
			strata_thrift_status_fail(&r->status, start,
									  "truncated %s varint", what);
			return false;
		}
		b = r->buf[r->pos++];
		/* the last group of a 64-bit varint may only use its low bit */
		if (shift == 63 && (b & 0x7E) != 0)
			break;
		result |= (uint64_t) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
		{
			if (result > max_value)
			{
				strata_thrift_status_fail(&r->status, start,
										  "%s varint value out of range", what);
				return false;
			}
			*value = result;
			return true;
		}
		shift += 7;
	}
	strata_thrift_status_fail(&r->status, start, "%s varint too long", what);
	return false;
}

static inline int64_t
unzigzag(uint64_t u)
{
	return (int64_t) (u >> 1) ^ -(int64_t) (u & 1);
}

/* the 4-bit type code of a list, set or map element */
static bool
check_element_type(StrataThriftReader *r, int code, size_t at,
				   StrataThriftType *type)
{
	if (code == STRATA_THRIFT_BOOL_TRUE)
		code = STRATA_THRIFT_BOOL;
	if (code < STRATA_THRIFT_BOOL_FALSE || code > STRATA_THRIFT_UUID)
	{
		strata_thrift_status_fail(&r->status, at,
								  "invalid container element type %d", code);
		return false;
	}
	*type = (StrataThriftType) code;
	return true;
}

bool
strata_thrift_read_struct_begin(StrataThriftReader *r)
{
	if (r->status.failed)
		return false;
	if (r->depth >= STRATA_THRIFT_MAX_DEPTH)
	{
		strata_thrift_reader_fail(r, "nesting deeper than %d levels",
								  STRATA_THRIFT_MAX_DEPTH);
		return false;
	}
	r->depth++;
	r->last_id[r->depth] = 0;
	r->pending_bool = -1;
	return true;
}

bool
strata_thrift_read_struct_end(StrataThriftReader *r)
{
	if (r->status.failed)
		return false;
	if (r->depth <= 0)
	{
		/* a caller's mistake, but reported rather than asserted */
		strata_thrift_reader_fail(r, "struct end without struct begin");
		return false;
	}
	r->depth--;
	return true;
}

bool
strata_thrift_read_field_header(StrataThriftReader *r, StrataThriftType *type,
								int16_t *id)
{
	size_t		start = r->pos;
	uint8_t		b;
	int			code;
	int			delta;
	int32_t		field_id;

	r->pending_bool = -1;
	if (r->status.failed)
		return false;
	if (r->depth <= 0)
	{
		strata_thrift_reader_fail(r, "field header outside a struct");
		return false;
	}
	if (r->pos >= r->len)
	{
		strata_thrift_reader_fail(r, "truncated struct: missing field header or stop");
		return false;
	}
	b = r->buf[r->pos++];
	if (b == 0)
	{
		*type = STRATA_THRIFT_STOP;
		*id = 0;
		return true;
	}
	code = b & 0x0F;
	delta = b >> 4;
	if (code == STRATA_THRIFT_STOP || code > STRATA_THRIFT_UUID)
	{
		strata_thrift_status_fail(&r->status, start,
								  "invalid field type %d", code);
		return false;
	}
	if (delta != 0)
		field_id = (int32_t) r->last_id[r->depth] + delta;
	else
	{
		uint64_t	u;

		/* zigzag of an i16 is at most 0xFFFF: three varint bytes */
		if (!read_varint(r, 3, 0xFFFF, "field id", &u))
			return false;
		field_id = (int32_t) unzigzag(u);
	}
	if (field_id > INT16_MAX)
	{
		strata_thrift_status_fail(&r->status, start,
								  "field id %d out of range", (int) field_id);
		return false;
	}
	r->last_id[r->depth] = (int16_t) field_id;
	*type = (StrataThriftType) code;
	*id = (int16_t) field_id;
	if (strata_thrift_type_is_bool(code))
		r->pending_bool = (code == STRATA_THRIFT_BOOL_TRUE);
	return true;
}

bool
strata_thrift_read_bool(StrataThriftReader *r, bool *value)
{
	uint8_t		b;

	if (r->status.failed)
		return false;
	if (r->pending_bool >= 0)
	{
		*value = r->pending_bool == 1;
		r->pending_bool = -1;
		return true;
	}
	if (r->pos >= r->len)
	{
		strata_thrift_reader_fail(r, "truncated bool");
		return false;
	}
	b = r->buf[r->pos];
	/* 1 and 0 per the spec; 2 is what the Java library writes for false */
	if (b > 2)
	{
		strata_thrift_reader_fail(r, "invalid bool element %u", (unsigned) b);
		return false;
	}
	r->pos++;
	*value = (b == 1);
	return true;
}

bool
strata_thrift_read_i8(StrataThriftReader *r, int8_t *value)
{
	if (r->status.failed)
		return false;
	if (r->pos >= r->len)
	{
		strata_thrift_reader_fail(r, "truncated i8");
		return false;
	}
	*value = (int8_t) r->buf[r->pos++];
	return true;
}

bool
strata_thrift_read_i16(StrataThriftReader *r, int16_t *value)
{
	uint64_t	u;

	if (!read_varint(r, 3, 0xFFFF, "i16", &u))
		return false;
	*value = (int16_t) unzigzag(u);
	return true;
}

bool
strata_thrift_read_i32(StrataThriftReader *r, int32_t *value)
{
	uint64_t	u;

	if (!read_varint(r, 5, 0xFFFFFFFF, "i32", &u))
		return false;
	*value = (int32_t) unzigzag(u);
	return true;
}

bool
strata_thrift_read_i64(StrataThriftReader *r, int64_t *value)
{
	uint64_t	u;

	if (!read_varint(r, 10, UINT64_MAX, "i64", &u))
		return false;
	*value = unzigzag(u);
	return true;
}

bool
strata_thrift_read_double(StrataThriftReader *r, double *value)
{
	uint64_t	bits = 0;
	int			i;

	if (r->status.failed)
		return false;
	if (remaining(r) < 8)
	{
		strata_thrift_reader_fail(r, "truncated double");
		return false;
	}
	/* assembled byte by byte: little-endian whatever the host order */
	for (i = 7; i >= 0; i--)
		bits = (bits << 8) | r->buf[r->pos + i];
	memcpy(value, &bits, sizeof(*value));
	r->pos += 8;
	return true;
}

bool
strata_thrift_read_uuid(StrataThriftReader *r, uint8_t value[16])
{
	if (r->status.failed)
		return false;
	if (remaining(r) < 16)
	{
		strata_thrift_reader_fail(r, "truncated uuid");
		return false;
	}
	memcpy(value, r->buf + r->pos, 16);
	r->pos += 16;
	return true;
}

bool
strata_thrift_read_binary(StrataThriftReader *r, const uint8_t **data,
						  size_t *len)
{
	size_t		start = r->pos;
	uint64_t	n;

	if (!read_varint(r, 5, INT32_MAX, "binary length", &n))
		return false;
	if (n > remaining(r))
	{
		strata_thrift_status_fail(&r->status, start,
								  "binary length %llu exceeds the %zu bytes left",
								  (unsigned long long) n, remaining(r));
		return false;
	}
	*data = r->buf + r->pos;
	*len = (size_t) n;
	r->pos += (size_t) n;
	return true;
}

bool
strata_thrift_read_list_begin(StrataThriftReader *r,
							  StrataThriftType *elem_type, uint32_t *count)
{
	size_t		start = r->pos;
	uint8_t		b;
	uint64_t	n;

	r->pending_bool = -1;
	if (r->status.failed)
		return false;
	if (r->pos >= r->len)
	{
		strata_thrift_reader_fail(r, "truncated list header");
		return false;
	}
	b = r->buf[r->pos++];
	if (!check_element_type(r, b & 0x0F, start, elem_type))
		return false;
	n = b >> 4;
	if (n == 15)
	{
		if (!read_varint(r, 5, INT32_MAX, "list size", &n))
			return false;
	}
	if (n > remaining(r) / min_element_size[*elem_type])
	{
		strata_thrift_status_fail(&r->status, start,
								  "list of %llu elements cannot fit in the %zu bytes left",
								  (unsigned long long) n, remaining(r));
		return false;
	}
	*count = (uint32_t) n;
	return true;
}

bool
strata_thrift_read_set_begin(StrataThriftReader *r,
							 StrataThriftType *elem_type, uint32_t *count)
{
	return strata_thrift_read_list_begin(r, elem_type, count);
}

bool
strata_thrift_read_map_begin(StrataThriftReader *r, StrataThriftType *key_type,
							 StrataThriftType *value_type, uint32_t *count)
{
	size_t		start = r->pos;
	uint64_t	n;
	uint8_t		b;
	size_t		entry_size;

	r->pending_bool = -1;
	if (!read_varint(r, 5, INT32_MAX, "map size", &n))
		return false;
	if (n == 0)
	{
		/* no type byte: report the types as stop, there is nothing to read */
		*key_type = STRATA_THRIFT_STOP;
		*value_type = STRATA_THRIFT_STOP;
		*count = 0;
		return true;
	}
	if (r->pos >= r->len)
	{
		strata_thrift_reader_fail(r, "truncated map header");
		return false;
	}
	b = r->buf[r->pos++];
	if (!check_element_type(r, b >> 4, start, key_type) ||
		!check_element_type(r, b & 0x0F, start, value_type))
		return false;
	entry_size = (size_t) min_element_size[*key_type] + min_element_size[*value_type];
	if (n > remaining(r) / entry_size)
	{
		strata_thrift_status_fail(&r->status, start,
								  "map of %llu entries cannot fit in the %zu bytes left",
								  (unsigned long long) n, remaining(r));
		return false;
	}
	*count = (uint32_t) n;
	return true;
}

/*
 * Skipping recurses once per level of nesting, and every level counts
 * against the same depth limit as struct_begin, so the C stack used is
 * bounded whatever the input.
 */
static bool
enter(StrataThriftReader *r)
{
	if (r->depth >= STRATA_THRIFT_MAX_DEPTH)
	{
		strata_thrift_reader_fail(r, "nesting deeper than %d levels",
								  STRATA_THRIFT_MAX_DEPTH);
		return false;
	}
	r->depth++;
	r->last_id[r->depth] = 0;
	return true;
}

bool
strata_thrift_skip(StrataThriftReader *r, StrataThriftType type)
{
	bool		b;
	int8_t		i8;
	uint64_t	u;
	double		d;
	uint8_t		uuid[16];
	const uint8_t *data;
	size_t		len;
	StrataThriftType t1,
				t2;
	int16_t		id;
	uint32_t	count,
				i;

	if (r->status.failed)
		return false;
	switch (type)
	{
		case STRATA_THRIFT_BOOL_TRUE:
		case STRATA_THRIFT_BOOL_FALSE:
			return strata_thrift_read_bool(r, &b);
		case STRATA_THRIFT_I8:
			return strata_thrift_read_i8(r, &i8);
		case STRATA_THRIFT_I16:
		case STRATA_THRIFT_I32:
		case STRATA_THRIFT_I64:
			/* the value is not needed, only the varint's extent */
			return read_varint(r, 10, UINT64_MAX, strata_thrift_type_name(type),
							   &u);
		case STRATA_THRIFT_DOUBLE:
			return strata_thrift_read_double(r, &d);
		case STRATA_THRIFT_BINARY:
			return strata_thrift_read_binary(r, &data, &len);
		case STRATA_THRIFT_UUID:
			return strata_thrift_read_uuid(r, uuid);
		case STRATA_THRIFT_LIST:
		case STRATA_THRIFT_SET:
			if (!strata_thrift_read_list_begin(r, &t1, &count) || !enter(r))
				return false;
			for (i = 0; i < count; i++)
				if (!strata_thrift_skip(r, t1))
					return false;
			r->depth--;
			return true;
		case STRATA_THRIFT_MAP:
			if (!strata_thrift_read_map_begin(r, &t1, &t2, &count) || !enter(r))
				return false;
			for (i = 0; i < count; i++)
				if (!strata_thrift_skip(r, t1) || !strata_thrift_skip(r, t2))
					return false;
			r->depth--;
			return true;
		case STRATA_THRIFT_STRUCT:
			if (!strata_thrift_read_struct_begin(r))
				return false;
			for (;;)
			{
				if (!strata_thrift_read_field_header(r, &t1, &id))
					return false;
				if (t1 == STRATA_THRIFT_STOP)
					break;
				if (!strata_thrift_skip(r, t1))
					return false;
			}
			return strata_thrift_read_struct_end(r);
		case STRATA_THRIFT_STOP:
			break;
	}
	strata_thrift_reader_fail(r, "cannot skip a value of type %d", (int) type);
	return false;
}

/* ---------------------------------------------------------------------
 * Writer
 * ---------------------------------------------------------------------
 */

void *
strata_default_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
	(void) ctx;
	(void) old_size;
	if (new_size == 0)
	{
		free(ptr);
		return NULL;
	}
	return realloc(ptr, new_size);
}

bool
strata_buffer_grow(uint8_t **buf, size_t *cap, size_t len, size_t extra,
				   StrataThriftReallocFn fn, void *ctx)
{
	size_t		need;
	size_t		newcap;
	void	   *p;

	/* a grown buffer always exists, so buf + len is a valid pointer */
	if (extra <= *cap - len && *buf != NULL)
		return true;
	if (extra > SIZE_MAX - len)
		return false;
	need = len + extra;
	newcap = *cap > 0 ? *cap : 256;
	while (newcap < need)
	{
		if (newcap > SIZE_MAX / 2)
		{
			newcap = need;
			break;
		}
		newcap *= 2;
	}
	p = fn(ctx, *buf, *cap, newcap);
	if (p == NULL)
		return false;
	*buf = p;
	*cap = newcap;
	return true;
}

void
strata_thrift_writer_init(StrataThriftWriter *w, StrataThriftReallocFn fn,
						  void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->realloc_fn = fn ? fn : strata_default_realloc;
	w->alloc_ctx = ctx;
}

void
strata_thrift_writer_free(StrataThriftWriter *w)
{
	if (w->buf != NULL)
		w->realloc_fn(w->alloc_ctx, w->buf, w->cap, 0);
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
}

/* Make room for n more bytes; false (and a failed status) if impossible. */
static bool
reserve(StrataThriftWriter *w, size_t n)
{
	if (w->status.failed)
		return false;
	if (!strata_buffer_grow(&w->buf, &w->cap, w->len, n, w->realloc_fn, w->alloc_ctx))
	{
		strata_thrift_status_fail(&w->status, w->len,
								  "out of memory growing the output by %zu bytes", n);
		return false;
	}
	return true;
}

static void
put_byte(StrataThriftWriter *w, uint8_t b)
{
	if (reserve(w, 1))
		w->buf[w->len++] = b;
}

static void
put_varint(StrataThriftWriter *w, uint64_t v)
{
	if (!reserve(w, 10))
		return;
	while (v >= 0x80)
	{
		w->buf[w->len++] = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	w->buf[w->len++] = (uint8_t) v;
}

/* zigzag through unsigned arithmetic: shifting a negative value is UB */
static inline uint64_t
zigzag64(int64_t v)
{
	return ((uint64_t) v << 1) ^ (uint64_t) (v >> 63);
}

static inline uint32_t
zigzag32(int32_t v)
{
	return ((uint32_t) v << 1) ^ (uint32_t) (v >> 31);
}

void
strata_thrift_write_field_header(StrataThriftWriter *w, StrataThriftType type,
								 int16_t id)
{
	int32_t		delta;

	if (w->status.failed)
		return;
	if (w->depth <= 0)
	{
		strata_thrift_status_fail(&w->status, w->len, "field header outside a struct");
		return;
	}
	delta = (int32_t) id - w->last_id[w->depth];
	if (delta > 0 && delta <= 15)
		put_byte(w, (uint8_t) ((delta << 4) | type));
	else
	{
		put_byte(w, (uint8_t) type);
		put_varint(w, zigzag32(id));
	}
	w->last_id[w->depth] = id;
}

void
strata_thrift_write_field_bool(StrataThriftWriter *w, int16_t id, bool value)
{
	strata_thrift_write_field_header(w, value ? STRATA_THRIFT_BOOL_TRUE :
									 STRATA_THRIFT_BOOL_FALSE, id);
}

void
strata_thrift_write_field_stop(StrataThriftWriter *w)
{
	put_byte(w, 0);
}

void
strata_thrift_write_struct_begin(StrataThriftWriter *w)
{
	if (w->status.failed)
		return;
	if (w->depth >= STRATA_THRIFT_MAX_DEPTH)
	{
		strata_thrift_status_fail(&w->status, w->len, "nesting deeper than %d levels",
								  STRATA_THRIFT_MAX_DEPTH);
		return;
	}
	w->depth++;
	w->last_id[w->depth] = 0;
}

void
strata_thrift_write_struct_end(StrataThriftWriter *w)
{
	if (w->status.failed)
		return;
	if (w->depth <= 0)
	{
		strata_thrift_status_fail(&w->status, w->len, "struct end without struct begin");
		return;
	}
	put_byte(w, 0);
	w->depth--;
}

void
strata_thrift_write_bool(StrataThriftWriter *w, bool value)
{
	put_byte(w, value ? 1 : 0);
}

void
strata_thrift_write_i8(StrataThriftWriter *w, int8_t value)
{
	put_byte(w, (uint8_t) value);
}

void
strata_thrift_write_i16(StrataThriftWriter *w, int16_t value)
{
	put_varint(w, zigzag32(value));
}

void
strata_thrift_write_i32(StrataThriftWriter *w, int32_t value)
{
	put_varint(w, zigzag32(value));
}

void
strata_thrift_write_i64(StrataThriftWriter *w, int64_t value)
{
	put_varint(w, zigzag64(value));
}

void
strata_thrift_write_double(StrataThriftWriter *w, double value)
{
	uint64_t	bits;
	int			i;

	memcpy(&bits, &value, sizeof(bits));
	if (!reserve(w, 8))
		return;
	for (i = 0; i < 8; i++)
		w->buf[w->len++] = (uint8_t) (bits >> (8 * i));
}

void
strata_thrift_write_uuid(StrataThriftWriter *w, const uint8_t value[16])
{
	if (!reserve(w, 16))
		return;
	memcpy(w->buf + w->len, value, 16);
	w->len += 16;
}

void
strata_thrift_write_binary(StrataThriftWriter *w, const void *data, size_t len)
{
	if (w->status.failed)
		return;
	if (len > INT32_MAX)
	{
		/* readers, ours included, refuse longer binaries */
		strata_thrift_status_fail(&w->status, w->len,
								  "binary of %zu bytes is too long", len);
		return;
	}
	/* room for all of it first, so a failure leaves no half-written value */
	if (!reserve(w, 10 + len))
		return;
	put_varint(w, len);
	if (len > 0)
		memcpy(w->buf + w->len, data, len);
	w->len += len;
}

void
strata_thrift_write_string(StrataThriftWriter *w, const char *str)
{
	strata_thrift_write_binary(w, str ? str : "", str ? strlen(str) : 0);
}

void
strata_thrift_write_list_begin(StrataThriftWriter *w,
							   StrataThriftType elem_type, uint32_t count)
{
	if (w->status.failed)
		return;
	if (count > INT32_MAX)
	{
		strata_thrift_status_fail(&w->status, w->len,
								  "list of %u elements is too long", count);
		return;
	}
	if (count < 15)
		put_byte(w, (uint8_t) ((count << 4) | elem_type));
	else
	{
		put_byte(w, (uint8_t) (0xF0 | elem_type));
		put_varint(w, count);
	}
}

void
strata_thrift_write_set_begin(StrataThriftWriter *w,
							  StrataThriftType elem_type, uint32_t count)
{
	strata_thrift_write_list_begin(w, elem_type, count);
}

void
strata_thrift_write_map_begin(StrataThriftWriter *w, StrataThriftType key_type,
							  StrataThriftType value_type, uint32_t count)
{
	if (w->status.failed)
		return;
	if (count > INT32_MAX)
	{
		strata_thrift_status_fail(&w->status, w->len,
								  "map of %u entries is too long", count);
		return;
	}
	put_varint(w, count);
	if (count > 0)
		put_byte(w, (uint8_t) ((key_type << 4) | value_type));
}
