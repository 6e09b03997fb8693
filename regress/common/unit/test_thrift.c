/*-------------------------------------------------------------------------
 *
 * test_thrift.c
 *	  Unit tests of strata_thrift: the compact protocol reader and writer.
 *
 * Three kinds of test: byte vectors worked out by hand from the Thrift
 * compact protocol specification (so reader and writer cannot agree on a
 * shared mistake), round trips of every type and form through the writer
 * and the reader, and bad input, each of which must come back as an error
 * status with a sensible offset (the tests run under ASan and UBSan).
 *
 *-------------------------------------------------------------------------
 */
#include "tap.h"
#include "strata_thrift.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The worked example at the top of strata_thrift.c. */
static const uint8_t worked_example[] = {
	0x15, 0x04, 0x38, 0x02, 0x69, 0x64, 0x01, 0x28, 0x00
};

static bool
bytes_equal(const StrataThriftWriter *w, const uint8_t *expect, size_t len)
{
	return !w->status.failed && w->len == len && memcmp(w->buf, expect, len) == 0;
}

static void
test_worked_example(void)
{
	StrataThriftReader r;
	StrataThriftWriter w;
	StrataThriftType type;
	int16_t		id;
	int32_t		v32 = 0;
	const uint8_t *data = NULL;
	size_t		len = 0;
	bool		b = false;
	bool		ok;

	strata_thrift_reader_init(&r, worked_example, sizeof(worked_example));
	ok = strata_thrift_read_struct_begin(&r) &&
		strata_thrift_read_field_header(&r, &type, &id) &&
		type == STRATA_THRIFT_I32 && id == 1 &&
		strata_thrift_read_i32(&r, &v32) && v32 == 2 &&
		strata_thrift_read_field_header(&r, &type, &id) &&
		type == STRATA_THRIFT_BINARY && id == 4 &&
		strata_thrift_read_binary(&r, &data, &len) && len == 2 &&
		memcmp(data, "id", 2) == 0 &&
		strata_thrift_read_field_header(&r, &type, &id) &&
		type == STRATA_THRIFT_BOOL_TRUE && id == 20 &&
		strata_thrift_read_bool(&r, &b) && b &&
		strata_thrift_read_field_header(&r, &type, &id) &&
		type == STRATA_THRIFT_STOP &&
		strata_thrift_read_struct_end(&r) && r.pos == sizeof(worked_example);
	tap_ok(ok, "worked example decodes: i32 2, string \"id\", bool field 20 (long form)");

	strata_thrift_writer_init(&w, NULL, NULL);
	strata_thrift_write_struct_begin(&w);
	strata_thrift_write_field_header(&w, STRATA_THRIFT_I32, 1);
	strata_thrift_write_i32(&w, 2);
	strata_thrift_write_field_header(&w, STRATA_THRIFT_BINARY, 4);
	strata_thrift_write_string(&w, "id");
	strata_thrift_write_field_bool(&w, 20, true);
	strata_thrift_write_struct_end(&w);
	tap_ok(bytes_equal(&w, worked_example, sizeof(worked_example)),
		   "worked example encodes to the same 9 bytes");
	strata_thrift_writer_free(&w);
}

/* Encode one value with fn and compare with the expected bytes. */
#define CHECK_SCALAR(call, name, ...) \
	do { \
		static const uint8_t expect_[] = {__VA_ARGS__}; \
		StrataThriftWriter w_; \
		strata_thrift_writer_init(&w_, NULL, NULL); \
		call; \
		tap_ok(bytes_equal(&w_, expect_, sizeof(expect_)), "encode %s", name); \
		strata_thrift_writer_free(&w_); \
	} while (0)

static void
test_spec_vectors(void)
{
	static uint8_t big[50399];
	StrataThriftReader r;
	int32_t		v32;
	int64_t		v64;
	int16_t		v16;
	double		d;
	const uint8_t *data;
	size_t		len;

	/* zigzag: 0, -1, 1, -2, 2 -> 0, 1, 2, 3, 4 */
	CHECK_SCALAR(strata_thrift_write_i32(&w_, 0), "i32 0", 0x00);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, -1), "i32 -1", 0x01);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, 1), "i32 1", 0x02);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, -2), "i32 -2", 0x03);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, 2), "i32 2", 0x04);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, -64), "i32 -64", 0x7F);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, 64), "i32 64", 0x80, 0x01);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, INT32_MAX), "i32 max",
				 0xFE, 0xFF, 0xFF, 0xFF, 0x0F);
	CHECK_SCALAR(strata_thrift_write_i32(&w_, INT32_MIN), "i32 min",
				 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
	CHECK_SCALAR(strata_thrift_write_i16(&w_, INT16_MIN), "i16 min", 0xFF, 0xFF, 0x03);
	CHECK_SCALAR(strata_thrift_write_i64(&w_, INT64_MIN), "i64 min",
				 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
	CHECK_SCALAR(strata_thrift_write_i64(&w_, INT64_MAX), "i64 max",
				 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
	CHECK_SCALAR(strata_thrift_write_i8(&w_, -2), "i8 -2", 0xFE);
	/* double: little-endian IEEE 754 */
	CHECK_SCALAR(strata_thrift_write_double(&w_, 1.0), "double 1.0",
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F);
	CHECK_SCALAR(strata_thrift_write_double(&w_, -2.5), "double -2.5",
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xC0);
	CHECK_SCALAR(strata_thrift_write_binary(&w_, "", 0), "empty binary", 0x00);
	CHECK_SCALAR(strata_thrift_write_bool(&w_, true), "bool element true", 0x01);
	CHECK_SCALAR(strata_thrift_write_bool(&w_, false), "bool element false", 0x00);
	/* list headers: short form below 15, long form from 15 */
	CHECK_SCALAR(strata_thrift_write_list_begin(&w_, STRATA_THRIFT_I32, 0),
				 "list<i32> of 0", 0x05);
	CHECK_SCALAR(strata_thrift_write_list_begin(&w_, STRATA_THRIFT_STRUCT, 14),
				 "list<struct> of 14 (short form)", 0xEC);
	CHECK_SCALAR(strata_thrift_write_list_begin(&w_, STRATA_THRIFT_BINARY, 15),
				 "list<binary> of 15 (long form)", 0xF8, 0x0F);
	CHECK_SCALAR(strata_thrift_write_list_begin(&w_, STRATA_THRIFT_BOOL, 300),
				 "list<bool> of 300", 0xF2, 0xAC, 0x02);
	CHECK_SCALAR(strata_thrift_write_set_begin(&w_, STRATA_THRIFT_I64, 3),
				 "set<i64> of 3", 0x36);
	CHECK_SCALAR(strata_thrift_write_map_begin(&w_, STRATA_THRIFT_BINARY, STRATA_THRIFT_I32, 0),
				 "empty map", 0x00);
	CHECK_SCALAR(strata_thrift_write_map_begin(&w_, STRATA_THRIFT_BINARY, STRATA_THRIFT_I32, 2),
				 "map<binary,i32> of 2", 0x02, 0x85);
	/* field headers: long form for a delta of 0, a negative one, or > 15 */
	CHECK_SCALAR((strata_thrift_write_struct_begin(&w_),
				  strata_thrift_write_field_header(&w_, STRATA_THRIFT_I64, 15),
				  strata_thrift_write_field_header(&w_, STRATA_THRIFT_I64, 16),
				  strata_thrift_write_field_header(&w_, STRATA_THRIFT_I64, 3),
				  strata_thrift_write_field_header(&w_, STRATA_THRIFT_I64, 300),
				  strata_thrift_write_field_header(&w_, STRATA_THRIFT_I64, -1),
				  strata_thrift_write_struct_end(&w_)),
				 "field headers 15, 16, 3, 300, -1",
				 0xF6, 0x16, 0x06, 0x06, 0x06, 0xD8, 0x04, 0x06, 0x01, 0x00);

	/* the spec's varint example: 50399 = DF 89 03, here as a binary length */
	{
		StrataThriftWriter w;

		strata_thrift_writer_init(&w, NULL, NULL);
		memset(big, 'x', sizeof(big));
		strata_thrift_write_binary(&w, big, sizeof(big));
		tap_ok(!w.status.failed && w.len == 3 + sizeof(big) &&
			   w.buf[0] == 0xDF && w.buf[1] == 0x89 && w.buf[2] == 0x03,
			   "binary of 50399 bytes has length prefix DF 89 03");
		strata_thrift_reader_init(&r, w.buf, w.len);
		tap_ok(strata_thrift_read_binary(&r, &data, &len) && len == sizeof(big) &&
			   data == w.buf + 3 && r.pos == w.len,
			   "and reads back without a copy");
		strata_thrift_writer_free(&w);
	}

	/* decoding hand-written scalars */
	{
		static const uint8_t in[] = {
			0xFF, 0xFF, 0xFF, 0xFF, 0x0F,	/* i32 min */
			0xFF, 0xFF, 0x03,	/* i16 min */
			0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, /* i64 min */
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xC0 /* -2.5 */
		};

		strata_thrift_reader_init(&r, in, sizeof(in));
		tap_ok(strata_thrift_read_i32(&r, &v32) && v32 == INT32_MIN &&
			   strata_thrift_read_i16(&r, &v16) && v16 == INT16_MIN &&
			   strata_thrift_read_i64(&r, &v64) && v64 == INT64_MIN &&
			   strata_thrift_read_double(&r, &d) && d == -2.5 &&
			   r.pos == sizeof(in),
			   "decode hand-written i32 min, i16 min, i64 min, double -2.5");
	}
}

/*
 * One struct with a field of every type, nested structs (so the per-struct
 * field id stack matters), short and long field headers, long lists and
 * bool list elements.
 */
static const uint8_t uuid_bytes[16] = {
	0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
	0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00
};

static void
write_everything(StrataThriftWriter *w)
{
	int			i;

	strata_thrift_write_struct_begin(w);
	strata_thrift_write_field_bool(w, 1, true);
	strata_thrift_write_field_bool(w, 2, false);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I8, 3);
	strata_thrift_write_i8(w, -128);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I16, 4);
	strata_thrift_write_i16(w, -12345);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I32, 5);
	strata_thrift_write_i32(w, -7);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I64, 6);
	strata_thrift_write_i64(w, -1234567890123LL);
	strata_thrift_write_field_header(w, STRATA_THRIFT_DOUBLE, 7);
	strata_thrift_write_double(w, -0.1);
	strata_thrift_write_field_header(w, STRATA_THRIFT_BINARY, 8);
	strata_thrift_write_binary(w, "a\0b", 3);
	/* nested struct: its fields restart at delta 1 */
	strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 9);
	strata_thrift_write_struct_begin(w);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I32, 1);
	strata_thrift_write_i32(w, 11);
	strata_thrift_write_field_header(w, STRATA_THRIFT_STRUCT, 2);
	strata_thrift_write_struct_begin(w);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I32, 100);
	strata_thrift_write_i32(w, 12);
	strata_thrift_write_struct_end(w);
	strata_thrift_write_field_bool(w, 3, true);
	strata_thrift_write_struct_end(w);
	/* back in the outer struct: delta from 9, not from the inner 3 */
	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 10);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_I64, 1000);
	for (i = 0; i < 1000; i++)
		strata_thrift_write_i64(w, (int64_t) i * -1000003);
	strata_thrift_write_field_header(w, STRATA_THRIFT_LIST, 11);
	strata_thrift_write_list_begin(w, STRATA_THRIFT_BOOL, 20);
	for (i = 0; i < 20; i++)
		strata_thrift_write_bool(w, i % 3 == 0);
	strata_thrift_write_field_header(w, STRATA_THRIFT_SET, 12);
	strata_thrift_write_set_begin(w, STRATA_THRIFT_BINARY, 2);
	strata_thrift_write_string(w, "x");
	strata_thrift_write_string(w, "yz");
	strata_thrift_write_field_header(w, STRATA_THRIFT_MAP, 13);
	strata_thrift_write_map_begin(w, STRATA_THRIFT_I32, STRATA_THRIFT_STRUCT, 2);
	for (i = 0; i < 2; i++)
	{
		strata_thrift_write_i32(w, i);
		strata_thrift_write_struct_begin(w);
		strata_thrift_write_field_header(w, STRATA_THRIFT_BINARY, 1);
		strata_thrift_write_string(w, "v");
		strata_thrift_write_struct_end(w);
	}
	strata_thrift_write_field_header(w, STRATA_THRIFT_UUID, 14);
	strata_thrift_write_uuid(w, uuid_bytes);
	strata_thrift_write_field_header(w, STRATA_THRIFT_MAP, 15);
	strata_thrift_write_map_begin(w, STRATA_THRIFT_I32, STRATA_THRIFT_I32, 0);
	/* long-form ids: a big jump, then a negative id, then back */
	strata_thrift_write_field_header(w, STRATA_THRIFT_I32, 1000);
	strata_thrift_write_i32(w, INT32_MAX);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I32, -5);
	strata_thrift_write_i32(w, INT32_MIN);
	strata_thrift_write_field_header(w, STRATA_THRIFT_I32, 16);
	strata_thrift_write_i32(w, 16);
	strata_thrift_write_struct_end(w);
}

static void
test_round_trip(void)
{
	StrataThriftWriter w;
	StrataThriftReader r;
	StrataThriftType type,
				et,
				kt,
				vt;
	int16_t		id;
	bool		b1 = false,
				b2 = true,
				ok;
	int8_t		i8 = 0;
	int16_t		i16 = 0;
	int32_t		i32 = 0;
	int64_t		i64 = 0;
	double		d = 0;
	const uint8_t *data;
	size_t		len;
	uint32_t	count;
	uint8_t		uuid[16];
	int			i;

	strata_thrift_writer_init(&w, NULL, NULL);
	write_everything(&w);
	tap_ok(!w.status.failed && w.depth == 0, "writer: struct of every type written");

	strata_thrift_reader_init(&r, w.buf, w.len);
	ok = strata_thrift_read_struct_begin(&r) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 1 &&
		strata_thrift_type_is_bool(type) && strata_thrift_read_bool(&r, &b1) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 2 &&
		strata_thrift_type_is_bool(type) && strata_thrift_read_bool(&r, &b2);
	tap_ok(ok && b1 && !b2, "bool fields: value in the header");
	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 3 &&
		type == STRATA_THRIFT_I8 && strata_thrift_read_i8(&r, &i8) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 4 &&
		type == STRATA_THRIFT_I16 && strata_thrift_read_i16(&r, &i16) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 5 &&
		type == STRATA_THRIFT_I32 && strata_thrift_read_i32(&r, &i32) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 6 &&
		type == STRATA_THRIFT_I64 && strata_thrift_read_i64(&r, &i64) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 7 &&
		type == STRATA_THRIFT_DOUBLE && strata_thrift_read_double(&r, &d);
	tap_ok(ok && i8 == -128 && i16 == -12345 && i32 == -7 &&
		   i64 == -1234567890123LL && d == -0.1,
		   "negative i8, i16, i32, i64 and double round-trip");
	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 8 &&
		type == STRATA_THRIFT_BINARY && strata_thrift_read_binary(&r, &data, &len);
	tap_ok(ok && len == 3 && memcmp(data, "a\0b", 3) == 0, "binary with a NUL inside");

	/* nested structs */
	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 9 &&
		type == STRATA_THRIFT_STRUCT && strata_thrift_read_struct_begin(&r) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 1 &&
		strata_thrift_read_i32(&r, &i32) && i32 == 11 &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 2 &&
		type == STRATA_THRIFT_STRUCT && strata_thrift_read_struct_begin(&r) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 100 &&
		strata_thrift_read_i32(&r, &i32) && i32 == 12 &&
		strata_thrift_read_field_header(&r, &type, &id) && type == STRATA_THRIFT_STOP &&
		strata_thrift_read_struct_end(&r) &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 3 &&
		strata_thrift_read_bool(&r, &b1) && b1 &&
		strata_thrift_read_field_header(&r, &type, &id) && type == STRATA_THRIFT_STOP &&
		strata_thrift_read_struct_end(&r);
	tap_ok(ok, "nested structs keep their own field id deltas");

	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 10 &&
		type == STRATA_THRIFT_LIST &&
		strata_thrift_read_list_begin(&r, &et, &count) &&
		et == STRATA_THRIFT_I64 && count == 1000;
	for (i = 0; ok && i < 1000; i++)
		ok = strata_thrift_read_i64(&r, &i64) && i64 == (int64_t) i * -1000003;
	tap_ok(ok, "long list<i64> of 1000 negative values (outer delta resumes at 9)");

	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 11 &&
		strata_thrift_read_list_begin(&r, &et, &count) &&
		et == STRATA_THRIFT_BOOL && count == 20;
	for (i = 0; ok && i < 20; i++)
		ok = strata_thrift_read_bool(&r, &b1) && b1 == (i % 3 == 0);
	tap_ok(ok, "list<bool> elements, one byte each, long form size");

	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 12 &&
		type == STRATA_THRIFT_SET &&
		strata_thrift_read_set_begin(&r, &et, &count) &&
		et == STRATA_THRIFT_BINARY && count == 2 &&
		strata_thrift_read_binary(&r, &data, &len) && len == 1 &&
		strata_thrift_read_binary(&r, &data, &len) && len == 2 &&
		memcmp(data, "yz", 2) == 0;
	tap_ok(ok, "set<binary>");

	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 13 &&
		type == STRATA_THRIFT_MAP &&
		strata_thrift_read_map_begin(&r, &kt, &vt, &count) &&
		kt == STRATA_THRIFT_I32 && vt == STRATA_THRIFT_STRUCT && count == 2;
	for (i = 0; ok && i < 2; i++)
		ok = strata_thrift_read_i32(&r, &i32) && i32 == i &&
			strata_thrift_skip(&r, STRATA_THRIFT_STRUCT);
	tap_ok(ok, "map<i32,struct>, values skipped");

	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 14 &&
		type == STRATA_THRIFT_UUID && strata_thrift_read_uuid(&r, uuid) &&
		memcmp(uuid, uuid_bytes, 16) == 0;
	tap_ok(ok, "uuid");

	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 15 &&
		strata_thrift_read_map_begin(&r, &kt, &vt, &count) && count == 0;
	tap_ok(ok, "empty map");

	ok = strata_thrift_read_field_header(&r, &type, &id) && id == 1000 &&
		strata_thrift_read_i32(&r, &i32) && i32 == INT32_MAX &&
		strata_thrift_read_field_header(&r, &type, &id) && id == -5 &&
		strata_thrift_read_i32(&r, &i32) && i32 == INT32_MIN &&
		strata_thrift_read_field_header(&r, &type, &id) && id == 16 &&
		strata_thrift_read_i32(&r, &i32) && i32 == 16 &&
		strata_thrift_read_field_header(&r, &type, &id) && type == STRATA_THRIFT_STOP &&
		strata_thrift_read_struct_end(&r);
	tap_ok(ok && r.pos == w.len && !r.status.failed,
		   "long-form field ids 1000, -5, 16 and the final stop");

	/* skipping the whole thing lands on the same end */
	strata_thrift_reader_init(&r, w.buf, w.len);
	ok = strata_thrift_skip(&r, STRATA_THRIFT_STRUCT);
	tap_ok(ok && r.pos == w.len && r.depth == 0, "skip of the whole struct consumes it exactly");

	/* skip field by field */
	strata_thrift_reader_init(&r, w.buf, w.len);
	ok = strata_thrift_read_struct_begin(&r);
	for (i = 0; ok; i++)
	{
		ok = strata_thrift_read_field_header(&r, &type, &id);
		if (!ok || type == STRATA_THRIFT_STOP)
			break;
		ok = strata_thrift_skip(&r, type);
	}
	tap_ok(ok && i == 18 && strata_thrift_read_struct_end(&r) && r.pos == w.len,
		   "skip of each of the 18 fields by its type");

	strata_thrift_writer_free(&w);
}

/* Reader over a byte vector: expect failure, optionally at a given offset. */
static bool
expect_skip_fails(const uint8_t *in, size_t len, StrataThriftType type,
				  long offset, const char *needle)
{
	StrataThriftReader r;
	bool		ok;

	strata_thrift_reader_init(&r, in, len);
	ok = strata_thrift_skip(&r, type);
	if (ok || !r.status.failed)
		return false;
	if (offset >= 0 && r.status.error_offset != (size_t) offset)
	{
		printf("# offset %zu, expected %ld: %s\n", r.status.error_offset,
			   offset, r.status.error);
		return false;
	}
	if (needle != NULL && strstr(r.status.error, needle) == NULL)
	{
		printf("# message \"%s\" lacks \"%s\"\n", r.status.error, needle);
		return false;
	}
	return true;
}

#define BAD(type, offset, needle, name, ...) \
	do { \
		static const uint8_t in_[] = {__VA_ARGS__}; \
		tap_ok(expect_skip_fails(in_, sizeof(in_), type, offset, needle), "bad: %s", name); \
	} while (0)

static void
test_bad_input(void)
{
	StrataThriftReader r;
	StrataThriftWriter w;
	uint8_t		deep[200];
	size_t		i;
	int32_t		v32;
	int16_t		v16;
	int64_t		v64;
	bool		b;
	bool		all;
	StrataThriftType type;
	int16_t		id;
	uint32_t	count;

	BAD(STRATA_THRIFT_I32, 0, "truncated", "truncated varint", 0x80, 0x80);
	BAD(STRATA_THRIFT_I64, 0, "too long", "11-byte varint",
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
	BAD(STRATA_THRIFT_I64, 0, "too long", "64-bit varint with bits past 64",
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03);
	BAD(STRATA_THRIFT_BINARY, 0, "exceeds", "binary longer than the input", 0x05, 'a', 'b');
	BAD(STRATA_THRIFT_BINARY, 0, "out of range", "binary length above INT32_MAX",
		0xFF, 0xFF, 0xFF, 0xFF, 0x0F);
	BAD(STRATA_THRIFT_DOUBLE, 0, "truncated", "truncated double", 0, 0, 0, 0, 0, 0, 0);
	BAD(STRATA_THRIFT_UUID, 0, "truncated", "truncated uuid", 1, 2, 3);
	BAD(STRATA_THRIFT_LIST, 0, "cannot fit", "list count of 2^31-1",
		0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00);
	BAD(STRATA_THRIFT_LIST, 0, "cannot fit", "list<double> of 2 with 9 bytes left",
		0x27, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	BAD(STRATA_THRIFT_LIST, 0, "cannot fit", "short-form list of 14 with 3 bytes",
		0xE5, 0x00, 0x00, 0x00);
	BAD(STRATA_THRIFT_MAP, 0, "cannot fit", "map count of 2^31-1",
		0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x55, 0x00, 0x00);
	BAD(STRATA_THRIFT_MAP, 0, "out of range", "map count above INT32_MAX",
		0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x55);
	BAD(STRATA_THRIFT_LIST, 0, "element type", "list element type 0", 0x10, 0x00);
	BAD(STRATA_THRIFT_LIST, 0, "element type", "list element type 14", 0x1E, 0x00);
	BAD(STRATA_THRIFT_MAP, 0, "element type", "map key type 15", 0x01, 0xF5, 0x00, 0x00);
	BAD(STRATA_THRIFT_LIST, 1, "invalid bool", "bool element 3", 0x12, 0x03);
	BAD(STRATA_THRIFT_STRUCT, 0, "invalid field type", "field type 14", 0x1E, 0x00);
	BAD(STRATA_THRIFT_STRUCT, 0, "invalid field type", "field type 15", 0x0F, 0x02, 0x00);
	BAD(STRATA_THRIFT_STRUCT, 0, "invalid field type", "field byte 0x10 (delta, type stop)", 0x10);
	BAD(STRATA_THRIFT_STRUCT, 5, "out of range", "field id past 32767 by delta",
		0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00, 0x00);
	BAD(STRATA_THRIFT_STRUCT, 1, "out of range", "long field id above i16",
		0x05, 0x80, 0x80, 0x04, 0x00);
	BAD(STRATA_THRIFT_STRUCT, 2, "truncated struct", "struct without its stop",
		0x15, 0x02);
	tap_ok(expect_skip_fails(worked_example, 0, STRATA_THRIFT_STRUCT, 0, "truncated"),
		   "bad: empty input as struct");
	BAD(STRATA_THRIFT_STOP, 0, "cannot skip", "skip of type stop", 0x00);
	BAD(STRATA_THRIFT_I16, 0, "too long", "skip of an endless varint",
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);

	/* i32 and i16 range checks on otherwise valid varints */
	{
		static const uint8_t i32_6bytes[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
		static const uint8_t i32_big[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
		static const uint8_t i16_big[] = {0x80, 0x80, 0x04};
		static const uint8_t bool_2[] = {0x02, 0x01, 0x00};

		strata_thrift_reader_init(&r, i32_6bytes, sizeof(i32_6bytes));
		tap_ok(!strata_thrift_read_i32(&r, &v32) && r.status.failed &&
			   strstr(r.status.error, "too long") != NULL,
			   "bad: i32 varint of 6 bytes");
		strata_thrift_reader_init(&r, i32_big, sizeof(i32_big));
		tap_ok(!strata_thrift_read_i32(&r, &v32) && strstr(r.status.error, "out of range") != NULL,
			   "bad: i32 varint above 32 bits");
		strata_thrift_reader_init(&r, i16_big, sizeof(i16_big));
		tap_ok(!strata_thrift_read_i16(&r, &v16) && strstr(r.status.error, "out of range") != NULL,
			   "bad: i16 varint above 16 bits");
		/* 2 as a bool element means false (the Java library writes it) */
		strata_thrift_reader_init(&r, bool_2, sizeof(bool_2));
		all = strata_thrift_read_bool(&r, &b) && !b &&
			strata_thrift_read_bool(&r, &b) && b &&
			strata_thrift_read_bool(&r, &b) && !b;
		tap_ok(all, "bool elements 2, 1, 0 read as false, true, false");
	}

	/* element type 1 is accepted as bool in a list header */
	{
		static const uint8_t in[] = {0x21, 0x01, 0x00};
		StrataThriftType et;

		strata_thrift_reader_init(&r, in, sizeof(in));
		tap_ok(strata_thrift_read_list_begin(&r, &et, &count) &&
			   et == STRATA_THRIFT_BOOL && count == 2,
			   "list header with element type 1 reads as list<bool>");
	}

	/* nesting: 33 structs, each the value of field 1 of the one outside */
	memset(deep, 0x1C, sizeof(deep));
	tap_ok(expect_skip_fails(deep, 40, STRATA_THRIFT_STRUCT, 32, "nesting deeper"),
		   "bad: structs nested 33 deep");
	/* 31 levels below the outer struct are fine */
	for (i = 0; i < 31; i++)
		deep[i] = 0x1C;
	for (i = 31; i < 31 + 32; i++)
		deep[i] = 0x00;
	strata_thrift_reader_init(&r, deep, 63);
	tap_ok(strata_thrift_skip(&r, STRATA_THRIFT_STRUCT) && r.pos == 63 && r.depth == 0,
		   "structs nested 32 deep are skipped");
	/* lists of lists: each header 0x19 is "one element of type list" */
	memset(deep, 0x19, sizeof(deep));
	tap_ok(expect_skip_fails(deep, sizeof(deep), STRATA_THRIFT_LIST, -1, "nesting deeper"),
		   "bad: lists nested 200 deep");
	/* maps of maps: 01 BB is "one entry, map -> map" */
	for (i = 0; i + 1 < sizeof(deep); i += 2)
	{
		deep[i] = 0x01;
		deep[i + 1] = 0xBB;
	}
	tap_ok(expect_skip_fails(deep, sizeof(deep), STRATA_THRIFT_MAP, -1, "nesting deeper"),
		   "bad: maps nested 100 deep");
	/* struct_begin itself refuses the 33rd level */
	strata_thrift_reader_init(&r, deep, sizeof(deep));
	for (i = 0; i < STRATA_THRIFT_MAX_DEPTH; i++)
		strata_thrift_read_struct_begin(&r);
	tap_ok(!r.status.failed && !strata_thrift_read_struct_begin(&r) && r.status.failed,
		   "bad: struct_begin past the depth limit");

	/* misuse is reported, not asserted */
	strata_thrift_reader_init(&r, worked_example, sizeof(worked_example));
	tap_ok(!strata_thrift_read_field_header(&r, &type, &id) && r.status.failed,
		   "bad: field header outside a struct");
	strata_thrift_reader_init(&r, worked_example, sizeof(worked_example));
	tap_ok(!strata_thrift_read_struct_end(&r) && r.status.failed,
		   "bad: struct end without begin");

	/* the first error wins; later calls fail without changing it */
	{
		static const uint8_t in[] = {0x80};
		char		first[STRATA_THRIFT_ERROR_LEN];

		strata_thrift_reader_init(&r, in, sizeof(in));
		strata_thrift_read_i64(&r, &v64);
		strcpy(first, r.status.error);
		tap_ok(!strata_thrift_read_i32(&r, &v32) && !strata_thrift_read_bool(&r, &b) &&
			   strcmp(first, r.status.error) == 0 && r.status.error_offset == 0,
			   "after a failure every call fails and the first message stays");
	}

	/* every prefix of a valid encoding fails to skip, and never crashes */
	strata_thrift_writer_init(&w, NULL, NULL);
	write_everything(&w);
	all = true;
	for (i = 0; i < w.len; i++)
	{
		uint8_t    *copy = malloc(i ? i : 1);

		/* a copy of exactly i bytes, so ASan sees any read past the end */
		memcpy(copy, w.buf, i);
		strata_thrift_reader_init(&r, copy, i);
		if (strata_thrift_skip(&r, STRATA_THRIFT_STRUCT) || !r.status.failed ||
			r.status.error_offset > i)
			all = false;
		free(copy);
	}
	tap_ok(all, "every one of the %zu truncations of a valid struct fails", w.len);

	/* random byte flips: must not crash; whatever the outcome */
	{
		uint64_t	seed = 0x243F6A8885A308D3ULL;
		int			n,
					failed = 0;

		for (n = 0; n < 20000; n++)
		{
			uint8_t    *copy = malloc(w.len);
			int			k;

			memcpy(copy, w.buf, w.len);
			for (k = 0; k < 3; k++)
			{
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				copy[(seed >> 33) % w.len] ^= (uint8_t) (seed >> 20);
			}
			strata_thrift_reader_init(&r, copy, w.len);
			if (!strata_thrift_skip(&r, STRATA_THRIFT_STRUCT))
				failed++;
			free(copy);
		}
		tap_ok(failed > 0, "20000 corrupted copies skipped without a crash (%d failed)",
			   failed);
	}
	strata_thrift_writer_free(&w);
}

/* An allocator that refuses to grow past a cap, to test writer failure. */
typedef struct CappedAlloc
{
	size_t		cap;
	int			calls;
	int			frees;
} CappedAlloc;

static void *
capped_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
	CappedAlloc *c = ctx;

	(void) old_size;
	if (new_size == 0)
	{
		c->frees++;
		free(ptr);
		return NULL;
	}
	c->calls++;
	if (new_size > c->cap)
		return NULL;
	return realloc(ptr, new_size);
}

static void
test_writer(void)
{
	StrataThriftWriter w;
	CappedAlloc ca = {100000, 0, 0};
	static uint8_t blob[5000];
	int			i;

	/* a custom allocator is used for growth and for the final free */
	strata_thrift_writer_init(&w, capped_realloc, &ca);
	strata_thrift_write_i32(&w, 1);
	strata_thrift_write_binary(&w, blob, sizeof(blob));
	tap_ok(!w.status.failed && w.len == 5003 && ca.calls == 2,
		   "writer grows through the caller's allocator (%d calls)", ca.calls);
	strata_thrift_writer_free(&w);
	tap_ok(ca.frees == 1 && w.buf == NULL && w.len == 0, "writer_free releases through it");

	/* allocation failure fails the writer and later writes do nothing */
	ca.cap = 1000;
	strata_thrift_writer_init(&w, capped_realloc, &ca);
	strata_thrift_write_i32(&w, 5);
	strata_thrift_write_binary(&w, blob, sizeof(blob));
	strata_thrift_write_i32(&w, 6);
	tap_ok(w.status.failed && strstr(w.status.error, "out of memory") != NULL &&
		   w.len == 1 && w.status.error_offset == 1,
		   "writer: allocation failure is a status with the offset");
	strata_thrift_writer_free(&w);

	/* depth limit and misuse */
	strata_thrift_writer_init(&w, NULL, NULL);
	for (i = 0; i <= STRATA_THRIFT_MAX_DEPTH; i++)
		strata_thrift_write_struct_begin(&w);
	tap_ok(w.status.failed && strstr(w.status.error, "nesting") != NULL,
		   "writer: struct nesting past the limit fails");
	strata_thrift_writer_free(&w);
	strata_thrift_writer_init(&w, NULL, NULL);
	strata_thrift_write_struct_end(&w);
	tap_ok(w.status.failed, "writer: struct end without begin fails");
	strata_thrift_writer_free(&w);
	strata_thrift_writer_init(&w, NULL, NULL);
	strata_thrift_write_field_header(&w, STRATA_THRIFT_I32, 1);
	tap_ok(w.status.failed, "writer: field header outside a struct fails");
	strata_thrift_writer_free(&w);

	/* the stop field on its own, and the empty struct */
	strata_thrift_writer_init(&w, NULL, NULL);
	strata_thrift_write_field_stop(&w);
	strata_thrift_write_struct_begin(&w);
	strata_thrift_write_struct_end(&w);
	tap_ok(!w.status.failed && w.len == 2 && w.buf[0] == 0 && w.buf[1] == 0,
		   "stop byte and empty struct");
	strata_thrift_writer_free(&w);

	/* NaN and infinities survive the double round trip bit for bit */
	{
		StrataThriftReader r;
		double		in[3] = {NAN, INFINITY, -0.0};
		double		out;
		bool		ok = true;

		strata_thrift_writer_init(&w, NULL, NULL);
		for (i = 0; i < 3; i++)
			strata_thrift_write_double(&w, in[i]);
		strata_thrift_reader_init(&r, w.buf, w.len);
		for (i = 0; i < 3; i++)
			ok = ok && strata_thrift_read_double(&r, &out) &&
				memcmp(&out, &in[i], sizeof(out)) == 0;
		tap_ok(ok, "NaN, infinity and -0.0 round-trip bit for bit");
		strata_thrift_writer_free(&w);
	}
}

int
main(void)
{
	test_worked_example();
	test_spec_vectors();
	test_round_trip();
	test_bad_input();
	test_writer();
	return tap_done();
}
