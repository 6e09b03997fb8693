/*-------------------------------------------------------------------------
 *
 * cdc_encode.c
 *	  Column values in the JSON encodings of Debezium's PostgreSQL
 *	  connector, with its default settings (decimal.handling.mode as asked,
 *	  time.precision.mode adaptive, binary.handling.mode bytes,
 *	  interval.handling.mode numeric).
 *
 *	boolean, bit(1)			true / false
 *	int2, int4, int8, oid	a number
 *	real, double			a number; NaN and infinities as the strings "NaN",
 *							"Infinity", "-Infinity" (Kafka's JsonConverter)
 *	numeric(p,s)			precise: base64 of the unscaled value, big-endian
 *							two's complement in the fewest bytes (Java's
 *							BigInteger.toByteArray); double: a number;
 *							string: its text.  NaN and infinities: null,
 *							"NaN" and "Infinity" as doubles, "NAN" ... as text
 *	numeric					precise: {"scale": s, "value": base64}, trailing
 *							fractional zeros stripped (VariableScaleDecimal)
 *	money					as numeric(p,2)
 *	bytea					base64
 *	bit(n>1), varbit		base64 of the bits as a little-endian number
 *	date					days since 1970-01-01; infinities as the int32
 *							extremes
 *	time(0..3), time(4..6)	milliseconds / microseconds past midnight
 *	timetz					"HH:MM:SS[.ffffff]Z", in UTC
 *	timestamp(0..3), (4..6)	milliseconds / microseconds since 1970-01-01,
 *							the wall clock read as UTC; infinities as
 *							9223372036825200000 and -9223372036832400000
 *	timestamptz				"YYYY-MM-DDTHH:MM:SS[.ffffff]Z", in UTC; "infinity"
 *	interval				microseconds, a month being 30.4375 days
 *	point					{"x": x, "y": y}
 *	arrays					JSON arrays of their elements' encodings
 *	domains					as their base type
 *	everything else			the type's text output as a string (text,
 *							varchar, json, jsonb, uuid, xml, enums, inet, ...)
 *
 * Values are computed from the datum: DateStyle, TimeZone, IntervalStyle
 * and extra_float_digits never enter.
 *
 *-------------------------------------------------------------------------
 */
#include "cdc.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/shortest_dec.h"
#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/cash.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/geo_decls.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/varbit.h"

/* what pgjdbc, and so Debezium, make of timestamp infinities */
#define CDC_TIMESTAMP_INFINITY INT64CONST(9223372036825200000)
#define CDC_TIMESTAMP_MINUS_INFINITY INT64CONST(-9223372036832400000)
/* 365.25 / 12 days in microseconds */
#define USECS_PER_AVERAGE_MONTH INT64CONST(2629800000000)

void
cdc_encoder_init(CdcEncoder *enc, Oid typid, int32 typmod, MemoryContext cxt)
{
	int32		base_typmod = typmod;
	Oid			base = getBaseTypeAndTypmod(typid, &base_typmod);
	Oid			elem;
	Oid			out;
	bool		varlena;
	int			precision;

	memset(enc, 0, sizeof(*enc));
	enc->typid = base;
	enc->typmod = base_typmod;
	switch (base)
	{
		case BOOLOID:
			enc->kind = CDC_BOOL;
			return;
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
			enc->kind = CDC_INT;
			return;
		case FLOAT4OID:
			enc->kind = CDC_FLOAT4;
			return;
		case FLOAT8OID:
			enc->kind = CDC_FLOAT8;
			return;
		case NUMERICOID:
			if (base_typmod >= (int32) VARHDRSZ)
			{
				enc->kind = CDC_NUMERIC;
				enc->scale = ((((base_typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);
			}
			else
				enc->kind = CDC_NUMERIC_VARIABLE;
			return;
		case CASHOID:
			enc->kind = CDC_MONEY;
			return;
		case BYTEAOID:
			enc->kind = CDC_BYTEA;
			return;
		case BITOID:
			enc->kind = base_typmod == 1 ? CDC_BIT1 : CDC_BITS;
			return;
		case VARBITOID:
			enc->kind = CDC_BITS;
			return;
		case DATEOID:
			enc->kind = CDC_DATE;
			return;
		case TIMEOID:
			precision = base_typmod < 0 ? 6 : base_typmod;
			enc->kind = precision <= 3 ? CDC_TIME_MS : CDC_TIME_US;
			return;
		case TIMETZOID:
			enc->kind = CDC_TIMETZ;
			return;
		case TIMESTAMPOID:
			precision = base_typmod < 0 ? 6 : base_typmod;
			enc->kind = precision <= 3 ? CDC_TIMESTAMP_MS : CDC_TIMESTAMP_US;
			return;
		case TIMESTAMPTZOID:
			enc->kind = CDC_TIMESTAMPTZ;
			return;
		case INTERVALOID:
			enc->kind = CDC_INTERVAL;
			return;
		case POINTOID:
			enc->kind = CDC_POINT;
			return;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case JSONOID:
			enc->kind = CDC_TEXT;
			return;
	}
	elem = get_element_type(base);
	if (OidIsValid(elem) && get_typlen(base) == -1)
	{
		enc->kind = CDC_ARRAY;
		enc->element = MemoryContextAllocZero(cxt, sizeof(CdcEncoder));
		/* an array's typmod is its elements' */
		cdc_encoder_init(enc->element, elem, base_typmod, cxt);
		get_typlenbyvalalign(elem, &enc->elem_len, &enc->elem_byval, &enc->elem_align);
		return;
	}
	enc->kind = CDC_STRING;
	getTypeOutputInfo(base, &out, &varlena);
	fmgr_info_cxt(out, &enc->out, cxt);
}

/*
 * value.encoding text: every value is its type's text output, a JSON
 * string that the type's input function reads back (the table sink does).
 */
void
cdc_encoder_init_text(CdcEncoder *enc, Oid typid, MemoryContext cxt)
{
	Oid			out;
	bool		varlena;

	memset(enc, 0, sizeof(*enc));
	enc->kind = CDC_STRING;
	enc->typid = typid;
	enc->typmod = -1;
	/* JSON stays JSON, so that a jsonb column reads it back as a document */
	enc->raw_json = getBaseType(typid) == JSONOID || getBaseType(typid) == JSONBOID;
	getTypeOutputInfo(typid, &out, &varlena);
	fmgr_info_cxt(out, &enc->out, cxt);
}

/*
 * A JSON string, exactly as escape_json() writes it, but copying the runs
 * that need no escape at once: events are mostly such runs.
 */
void
cdc_append_json(StringInfo out, const char *s, int len)
{
	int			start = 0;
	int			i;

	appendStringInfoCharMacro(out, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		const char *esc;
		char		ubuf[8];

		if (c >= ' ' && c != '"' && c != '\\')
			continue;
		switch (c)
		{
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			default:
				snprintf(ubuf, sizeof(ubuf), "\\u%04x", (int) c);
				esc = ubuf;
				break;
		}
		if (i > start)
			appendBinaryStringInfo(out, s + start, i - start);
		appendStringInfoString(out, esc);
		start = i + 1;
	}
	if (len > start)
		appendBinaryStringInfo(out, s + start, len - start);
	appendStringInfoCharMacro(out, '"');
}

/* s as a JSON string, quotes included, in a new string */
char *
cdc_json_string(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	cdc_append_json(&buf, s, strlen(s));
	return buf.data;
}

void
cdc_append_int64(StringInfo out, int64 v)
{
	char		buf[MAXINT8LEN + 1];
	int			n = pg_lltoa(v, buf);

	appendBinaryStringInfo(out, buf, n);
}

void
cdc_append_base64(StringInfo out, const char *data, int len)
{
	int			need = pg_b64_enc_len(len);
	int			n;

	appendStringInfoChar(out, '"');
	enlargeStringInfo(out, need + 1);
	n = pg_b64_encode(data, len, out->data + out->len, need);
	if (n < 0)
		elog(ERROR, "could not encode %d bytes as base64", len);
	out->len += n;
	out->data[out->len] = '\0';
	appendStringInfoChar(out, '"');
}

static void
append_double(StringInfo out, double v)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (isnan(v))
		appendStringInfoString(out, "\"NaN\"");
	else if (isinf(v))
		appendStringInfoString(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
	{
		double_to_shortest_decimal_buf(v, buf);
		appendStringInfoString(out, buf);
	}
}

static void
append_float(StringInfo out, float v)
{
	char		buf[FLOAT_SHORTEST_DECIMAL_LEN];

	if (isnan(v))
		appendStringInfoString(out, "\"NaN\"");
	else if (isinf(v))
		appendStringInfoString(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
	{
		float_to_shortest_decimal_buf(v, buf);
		appendStringInfoString(out, buf);
	}
}

/*
 * A decimal integer (ASCII digits, maybe with leading zeros) as Java's
 * BigInteger.toByteArray() has it: big-endian two's complement, in the
 * fewest bytes that keep the sign; then base64.
 */
static void
append_unscaled(StringInfo out, bool negative, const char *digits, int ndigits)
{
	int			cap = ndigits / 2 + 2;
	uint8	   *le = palloc0(cap);	/* magnitude, little-endian */
	uint8	   *be;
	int			len = 0;
	int			i,
				n,
				start;

	for (i = 0; i < ndigits; i++)
	{
		unsigned	carry = digits[i] - '0';
		int			j;

		for (j = 0; j < len; j++)
		{
			unsigned	v = le[j] * 10u + carry;

			le[j] = (uint8) v;
			carry = v >> 8;
		}
		while (carry)
		{
			le[len++] = (uint8) carry;
			carry >>= 8;
		}
	}
	if (len == 0)
		negative = false;		/* -0 is 0 */
	/* one more byte than the magnitude holds room for the sign */
	n = len + 1;
	be = palloc0(n);
	for (i = 0; i < len; i++)
		be[n - 1 - i] = le[i];
	if (negative)
	{
		unsigned	carry = 1;

		for (i = n - 1; i >= 0; i--)
		{
			unsigned	v = (uint8) ~be[i] + carry;

			be[i] = (uint8) v;
			carry = v >> 8;
		}
	}
	/* drop sign bytes the next byte's top bit repeats */
	start = 0;
	while (start < n - 1 &&
		   ((be[start] == 0x00 && (be[start + 1] & 0x80) == 0) ||
			(be[start] == 0xff && (be[start + 1] & 0x80) != 0)))
		start++;
	cdc_append_base64(out, (char *) be + start, n - start);
}

/* A numeric's text split into sign, all its digits and the count after the point. */
typedef struct NumericText
{
	bool		special;		/* NaN or an infinity: text holds it */
	bool		negative;
	char	   *digits;
	int			ndigits;
	int			nfrac;
	char	   *text;
} NumericText;

static void
numeric_text(Datum value, NumericText *nt)
{
	char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, value));
	char	   *p = s;
	int			i = 0;
	bool		point = false;

	memset(nt, 0, sizeof(*nt));
	nt->text = s;
	if (strcmp(s, "NaN") == 0 || strstr(s, "Infinity") != NULL)
	{
		nt->special = true;
		return;
	}
	if (*p == '-')
	{
		nt->negative = true;
		p++;
	}
	nt->digits = palloc(strlen(p) + 1);
	for (; *p; p++)
	{
		if (*p == '.')
		{
			point = true;
			continue;
		}
		nt->digits[i++] = *p;
		if (point)
			nt->nfrac++;
	}
	nt->digits[i] = '\0';
	nt->ndigits = i;
}

static void
append_numeric(StringInfo out, const CdcEncoder *enc, Datum value, CdcDecimalMode mode)
{
	NumericText nt;

	numeric_text(value, &nt);
	if (mode == CDC_DECIMAL_DOUBLE)
	{
		append_double(out, DatumGetFloat8(DirectFunctionCall1(numeric_float8, value)));
		return;
	}
	if (mode == CDC_DECIMAL_STRING)
	{
		if (strcmp(nt.text, "NaN") == 0)
			appendStringInfoString(out, "\"NAN\"");
		else
			cdc_append_json(out, nt.text, strlen(nt.text));
		return;
	}
	if (nt.special)
	{
		appendStringInfoString(out, "null");
		return;
	}
	if (enc->kind == CDC_NUMERIC)
	{
		/* the unscaled value at the column's scale */
		StringInfoData d;
		int			i;

		initStringInfo(&d);
		if (enc->scale >= nt.nfrac)
		{
			appendBinaryStringInfo(&d, nt.digits, nt.ndigits);
			for (i = nt.nfrac; i < enc->scale; i++)
				appendStringInfoChar(&d, '0');
		}
		else
			appendBinaryStringInfo(&d, nt.digits, nt.ndigits - (nt.nfrac - enc->scale));
		append_unscaled(out, nt.negative, d.data, d.len);
		return;
	}
	/* VariableScaleDecimal: trailing zeros of the fraction stripped */
	while (nt.nfrac > 0 && nt.digits[nt.ndigits - 1] == '0')
	{
		nt.ndigits--;
		nt.nfrac--;
	}
	appendStringInfo(out, "{\"scale\":%d,\"value\":", nt.nfrac);
	append_unscaled(out, nt.negative, nt.digits, nt.ndigits);
	appendStringInfoChar(out, '}');
}

static void
append_money(StringInfo out, Cash cash, CdcDecimalMode mode)
{
	char		digits[32];
	uint64		mag = cash < 0 ? (uint64) 0 - (uint64) cash : (uint64) cash;

	switch (mode)
	{
		case CDC_DECIMAL_DOUBLE:
			append_double(out, (double) cash / 100.0);
			break;
		case CDC_DECIMAL_STRING:
			appendStringInfo(out, "\"%s" UINT64_FORMAT ".%02d\"", cash < 0 ? "-" : "",
							 mag / 100, (int) (mag % 100));
			break;
		default:
			snprintf(digits, sizeof(digits), UINT64_FORMAT, mag);
			append_unscaled(out, cash < 0, digits, strlen(digits));
			break;
	}
}

/* B'10101' is the number 21, as little-endian bytes (Java's BitSet). */
static void
append_bits(StringInfo out, VarBit *bits)
{
	int			nbits = VARBITLEN(bits);
	int			nbytes = (nbits + 7) / 8;
	uint8	   *le = palloc0(nbytes + 1);
	int			used = 0;
	int			i;

	for (i = 0; i < nbits; i++)
	{
		/* character i from the right is bit i */
		int			pos = nbits - 1 - i;

		if (VARBITS(bits)[pos / 8] & (0x80 >> (pos % 8)))
		{
			le[i / 8] |= (uint8) (1 << (i % 8));
			used = i / 8 + 1;
		}
	}
	cdc_append_base64(out, (char *) le, used);
}

/* seconds and microseconds, the fraction trimmed of trailing zeros */
static void
append_clock(StringInfo out, int hour, int min, int sec, int usec)
{
	appendStringInfo(out, "%02d:%02d:%02d", hour, min, sec);
	if (usec > 0)
	{
		char		frac[8];
		int			n;

		snprintf(frac, sizeof(frac), "%06d", usec);
		for (n = 6; frac[n - 1] == '0'; n--)
			;
		frac[n] = '\0';
		appendStringInfo(out, ".%s", frac);
	}
}

/* ISO-8601 in UTC, as Java's ISO_OFFSET_DATE_TIME prints it. */
void
cdc_append_iso_timestamp(StringInfo out, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_IS_NOBEGIN(ts) || TIMESTAMP_IS_NOEND(ts))
	{
		appendStringInfoString(out, TIMESTAMP_IS_NOEND(ts) ? "\"infinity\"" : "\"-infinity\"");
		return;
	}
	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	appendStringInfoChar(out, '"');
	/* years past 9999 get a sign; 1 BC is year 0, as in ISO-8601 */
	if (tm.tm_year > 9999)
		appendStringInfo(out, "+%d", tm.tm_year);
	else if (tm.tm_year < 0)
		appendStringInfo(out, "-%04d", -tm.tm_year);
	else
		appendStringInfo(out, "%04d", tm.tm_year);
	appendStringInfo(out, "-%02d-%02dT", tm.tm_mon, tm.tm_mday);
	append_clock(out, tm.tm_hour, tm.tm_min, tm.tm_sec, fsec);
	appendStringInfoString(out, "Z\"");
}

static int64
floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static void
append_timestamp(StringInfo out, Timestamp ts, bool millis)
{
	int64		us;

	if (TIMESTAMP_IS_NOEND(ts))
		cdc_append_int64(out, CDC_TIMESTAMP_INFINITY);
	else if (TIMESTAMP_IS_NOBEGIN(ts))
		cdc_append_int64(out, CDC_TIMESTAMP_MINUS_INFINITY);
	else
	{
		/* valid timestamps are far from overflowing here */
		us = ts + CDC_EPOCH_SHIFT_USECS;
		cdc_append_int64(out, millis ? floor_div(us, 1000) : us);
	}
}

static void
append_interval(StringInfo out, Interval *iv)
{
	int128		total = (int128) iv->time + (int128) iv->day * USECS_PER_DAY +
		(int128) iv->month * USECS_PER_AVERAGE_MONTH;
	uint128		m;
	char		buf[48];
	int			n = 0;

	if (total < 0)
	{
		appendStringInfoChar(out, '-');
		m = (uint128) (-(total + 1)) + 1;
	}
	else
		m = (uint128) total;
	do
	{
		buf[n++] = '0' + (int) (m % 10);
		m /= 10;
	} while (m > 0);
	while (n > 0)
		appendStringInfoChar(out, buf[--n]);
}

/* One dimension of an array, from element pos on; returns the next pos. */
static int
append_dimension(StringInfo out, CdcEncoder *enc, int ndim, const int *dims, int d,
				 Datum *elems, bool *nulls, int pos, CdcDecimalMode mode)
{
	int			i;

	appendStringInfoChar(out, '[');
	for (i = 0; i < dims[d]; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		if (d < ndim - 1)
			pos = append_dimension(out, enc, ndim, dims, d + 1, elems, nulls, pos, mode);
		else
		{
			if (nulls[pos])
				appendStringInfoString(out, "null");
			else
				cdc_encode_value(out, enc->element, elems[pos], mode);
			pos++;
		}
	}
	appendStringInfoChar(out, ']');
	return pos;
}

static void
append_array(StringInfo out, CdcEncoder *enc, ArrayType *arr, CdcDecimalMode mode)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	deconstruct_array(arr, ARR_ELEMTYPE(arr), enc->elem_len, enc->elem_byval,
					  enc->elem_align, &elems, &nulls, &n);
	if (ARR_NDIM(arr) == 0)
		appendStringInfoString(out, "[]");
	else
		(void) append_dimension(out, enc, ARR_NDIM(arr), ARR_DIMS(arr), 0, elems, nulls, 0, mode);
}

void
cdc_encode_value(StringInfo out, CdcEncoder *enc, Datum value, CdcDecimalMode mode)
{
	switch (enc->kind)
	{
		case CDC_BOOL:
			appendStringInfoString(out, DatumGetBool(value) ? "true" : "false");
			break;
		case CDC_INT:
			if (enc->typid == INT2OID)
				cdc_append_int64(out, DatumGetInt16(value));
			else if (enc->typid == INT4OID)
				cdc_append_int64(out, DatumGetInt32(value));
			else if (enc->typid == OIDOID)
				cdc_append_int64(out, DatumGetObjectId(value));
			else
				cdc_append_int64(out, DatumGetInt64(value));
			break;
		case CDC_FLOAT4:
			append_float(out, DatumGetFloat4(value));
			break;
		case CDC_FLOAT8:
			append_double(out, DatumGetFloat8(value));
			break;
		case CDC_NUMERIC:
		case CDC_NUMERIC_VARIABLE:
			append_numeric(out, enc, value, mode);
			break;
		case CDC_MONEY:
			append_money(out, DatumGetCash(value), mode);
			break;
		case CDC_BYTEA:
			{
				bytea	   *b = DatumGetByteaPP(value);

				cdc_append_base64(out, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
			}
			break;
		case CDC_BIT1:
			{
				VarBit	   *bits = DatumGetVarBitP(value);

				appendStringInfoString(out, VARBITLEN(bits) > 0 && (VARBITS(bits)[0] & 0x80) ?
									   "true" : "false");
			}
			break;
		case CDC_BITS:
			append_bits(out, DatumGetVarBitP(value));
			break;
		case CDC_DATE:
			{
				DateADT		d = DatumGetDateADT(value);

				if (DATE_IS_NOBEGIN(d))
					appendStringInfo(out, "%d", PG_INT32_MIN);
				else if (DATE_IS_NOEND(d))
					appendStringInfo(out, "%d", PG_INT32_MAX);
				else
					cdc_append_int64(out, d + CDC_EPOCH_SHIFT_DAYS);
			}
			break;
		case CDC_TIME_MS:
			cdc_append_int64(out, DatumGetTimeADT(value) / 1000);
			break;
		case CDC_TIME_US:
			cdc_append_int64(out, DatumGetTimeADT(value));
			break;
		case CDC_TIMETZ:
			{
				TimeTzADT  *t = DatumGetTimeTzADTP(value);
				int64		us = t->time + (int64) t->zone * USECS_PER_SEC;

				/* to UTC, within the day */
				us = ((us % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
				appendStringInfoChar(out, '"');
				append_clock(out, (int) (us / USECS_PER_HOUR), (int) (us / USECS_PER_MINUTE % 60),
							 (int) (us / USECS_PER_SEC % 60), (int) (us % USECS_PER_SEC));
				appendStringInfoString(out, "Z\"");
			}
			break;
		case CDC_TIMESTAMP_MS:
		case CDC_TIMESTAMP_US:
			append_timestamp(out, DatumGetTimestamp(value), enc->kind == CDC_TIMESTAMP_MS);
			break;
		case CDC_TIMESTAMPTZ:
			cdc_append_iso_timestamp(out, DatumGetTimestampTz(value));
			break;
		case CDC_INTERVAL:
			append_interval(out, DatumGetIntervalP(value));
			break;
		case CDC_POINT:
			{
				Point	   *p = DatumGetPointP(value);

				appendStringInfoString(out, "{\"x\":");
				append_double(out, p->x);
				appendStringInfoString(out, ",\"y\":");
				append_double(out, p->y);
				appendStringInfoChar(out, '}');
			}
			break;
		case CDC_ARRAY:
			append_array(out, enc, DatumGetArrayTypeP(value), mode);
			break;
		case CDC_TEXT:
			{
				/* text, varchar, char(n), json: the stored text is the output */
				text	   *t = DatumGetTextPP(value);

				cdc_append_json(out, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			}
			break;
		case CDC_STRING:
			{
				char	   *str = OutputFunctionCall(&enc->out, value);

				if (enc->raw_json)
					appendStringInfoString(out, str);
				else
					cdc_append_json(out, str, strlen(str));
			}
			break;
	}
}

/*
 * What Debezium puts in a NOT NULL column a key-only old tuple lacks: the
 * type's zero.
 */
void
cdc_encode_fallback(StringInfo out, const CdcEncoder *enc, CdcDecimalMode mode)
{
	switch (enc->kind)
	{
		case CDC_BOOL:
		case CDC_BIT1:
			appendStringInfoString(out, "false");
			break;
		case CDC_INT:
		case CDC_DATE:
		case CDC_TIME_MS:
		case CDC_TIME_US:
		case CDC_TIMESTAMP_MS:
		case CDC_TIMESTAMP_US:
		case CDC_INTERVAL:
			appendStringInfoChar(out, '0');
			break;
		case CDC_FLOAT4:
		case CDC_FLOAT8:
			appendStringInfoString(out, "0.0");
			break;
		case CDC_NUMERIC:
		case CDC_MONEY:
			if (mode == CDC_DECIMAL_PRECISE)
				appendStringInfoString(out, "\"AA==\"");
			else if (mode == CDC_DECIMAL_DOUBLE)
				appendStringInfoString(out, "0.0");
			else
				appendStringInfoString(out, "\"0\"");
			break;
		case CDC_NUMERIC_VARIABLE:
			if (mode == CDC_DECIMAL_PRECISE)
				appendStringInfoString(out, "{\"scale\":0,\"value\":\"AA==\"}");
			else if (mode == CDC_DECIMAL_DOUBLE)
				appendStringInfoString(out, "0.0");
			else
				appendStringInfoString(out, "\"0\"");
			break;
		case CDC_BYTEA:
		case CDC_BITS:
		case CDC_TEXT:
		case CDC_STRING:
			appendStringInfoString(out, "\"\"");
			break;
		case CDC_TIMETZ:
			appendStringInfoString(out, "\"00:00:00Z\"");
			break;
		case CDC_TIMESTAMPTZ:
			appendStringInfoString(out, "\"1970-01-01T00:00:00Z\"");
			break;
		case CDC_POINT:
			appendStringInfoString(out, "{\"x\":0.0,\"y\":0.0}");
			break;
		case CDC_ARRAY:
			appendStringInfoString(out, "[]");
			break;
	}
}

/* Debezium's placeholder for an unchanged TOASTed value, shaped by type. */
void
cdc_encode_unavailable(StringInfo out, const CdcEncoder *enc)
{
	static const char placeholder[] = CDC_UNAVAILABLE;
	int			len = (int) strlen(placeholder);
	int			i;

	if (enc->kind == CDC_BYTEA)
		cdc_append_base64(out, placeholder, len);
	else if (enc->kind == CDC_ARRAY && enc->element->kind == CDC_INT)
	{
		/* the bytes of the placeholder, as numbers */
		appendStringInfoChar(out, '[');
		for (i = 0; i < len; i++)
			appendStringInfo(out, "%s%d", i > 0 ? "," : "", (int) placeholder[i]);
		appendStringInfoChar(out, ']');
	}
	else if (enc->kind == CDC_ARRAY && enc->element->kind == CDC_BYTEA)
	{
		appendStringInfoChar(out, '[');
		cdc_append_base64(out, placeholder, len);
		appendStringInfoChar(out, ']');
	}
	else if (enc->kind == CDC_ARRAY)
		appendStringInfoString(out, "[\"" CDC_UNAVAILABLE "\"]");
	else
		appendStringInfoString(out, "\"" CDC_UNAVAILABLE "\"");
}
