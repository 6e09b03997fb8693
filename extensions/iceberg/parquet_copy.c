/*-------------------------------------------------------------------------
 *
 * parquet_copy.c
 *	  COPY table [(columns)] FROM '/path/file.parquet' | STDIN WITH (FORMAT parquet)
 *
 * Where rows go.  Loading rows correctly into any relation is what
 * PostgreSQL's COPY FROM already does: multi-insert buffers through the
 * table access method (heap, strata_columnar, ...) with a BulkInsertState
 * and table_finish_bulk_insert, defaults for the columns not loaded,
 * constraints, BEFORE/AFTER row and statement triggers, transition tables,
 * partition routing, foreign tables, indexes, FREEZE, WHERE.  So this file
 * does not insert anything itself: it hands COPY a data source callback
 * (BeginCopyFrom's data_source_cb) that renders the Parquet rows, row group
 * by row group, in COPY's binary format: the signature and header, then per
 * row the number of fields and each field as a length (-1 for NULL) and
 * the bytes of the column type's send/receive representation (a list as
 * a one-dimensional array of its element type), then the trailer.  The
 * column's receive function applies the typmod and any domain constraint,
 * so errors read like COPY's, and COPY's "line N" is the row's number in
 * the file.  parquet_types.c converts each value, exactly and without
 * session settings; the binary format spares COPY the parsing of text and
 * the input functions, most of the time a text COPY spends.
 *
 * Text values travel as they are, UTF-8 checked (or converted to the
 * database encoding).  The receive functions of text types convert from
 * the client encoding, which has nothing to do with a file, so the client
 * encoding is set to the database's for the duration of the COPY (a
 * NOTICE a trigger raises meanwhile is sent in the database encoding).
 *
 * What is checked before any row: the privileges COPY FROM a file needs
 * (pg_read_server_files, INSERT on the columns loaded; row-level security
 * refused as COPY refuses it), that every column to load has a field of
 * the same name (case-sensitive) and that the field's type loads into the
 * column's type.  Without a column list, the table's columns found in the
 * file are loaded and the others get their defaults; fields absent from
 * the table are never read.
 *
 * With a WHERE clause, row groups whose statistics refute it are not read
 * at all (parquet_prune.c); COPY still tests every row that is.
 *
 * Memory: the callback renders a batch of about 64 kB of rows at a time
 * in a per-batch context; the row group being rendered is held by
 * parquet_file.c within strata_iceberg.max_row_group_memory.
 *
 *-------------------------------------------------------------------------
 */
#include "iceberg.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "commands/copy.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "libpq/libpq.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "port/pg_bswap.h"
#include "storage/fd.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/wait_event.h"

/* rows are rendered until the buffer holds this much */
#define RENDER_BATCH_BYTES 65536

/* One column loaded from one field. */
typedef struct CopyColumn
{
	char	   *name;
	const IcebergParquetField *field;
	IcebergTarget target;
	IcebergBinaryTarget binary; /* of the value, or of a list's element */
	Oid			element_type;	/* lists: the array column's element type */
	StrataParquetColumnData *data;	/* of the current row group */
	int64		entry;			/* next level entry */
	int64		value;			/* next present value */
} CopyColumn;

typedef struct ParquetCopyState
{
	IcebergParquetFile *file;
	const char *path;
	const char *relname;
	int			num_columns;
	CopyColumn *columns;
	int32	   *leaves;			/* the leaf of each column */
	StrataParquetColumnData *data;	/* one per column */
	int32		row_group;		/* being rendered; -1 before the first */
	int64		rows_in_group;
	int64		row_in_group;	/* next row to render */
	int64		row;			/* rows rendered before, in the file */
	int			current_column; /* for the error context; -1 between rows */
	StringInfoData buf;			/* rendered, not yet handed to COPY */
	int			buf_pos;
	bool		header_sent;
	bool		trailer_sent;
	MemoryContext batch_cxt;	/* reset for each batch of rows */
	IcebergPrune *prune;		/* row groups the WHERE clause refutes */
	int32		skipped;		/* row groups skipped so far */
} ParquetCopyState;

/*
 * The COPY running in this backend: data_source_cb takes no argument.  A
 * trigger may run another COPY inside ours, so each one saves and restores
 * the one outside it.
 */
static ParquetCopyState *current_copy = NULL;

/* Does COPY's option list ask for FORMAT parquet? */
bool
iceberg_is_parquet_copy(const CopyStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "format") == 0 && def->arg != NULL &&
			IsA(def->arg, String) && pg_strcasecmp(strVal(def->arg), "parquet") == 0)
			return true;
	}
	return false;
}

/* COPY's own options for the binary rows we feed it, plus the user's FREEZE. */
static List *
copy_options(ParseState *pstate, const CopyStmt *stmt)
{
	List	   *options = NIL;
	bool		format_seen = false;
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, "format") == 0)
		{
			if (format_seen)
				errorConflictingDefElem(def, pstate);
			format_seen = true;
		}
		else if (strcmp(def->defname, "freeze") == 0)
			options = lappend(options, def);
		else
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("COPY option \"%s\" is not valid with FORMAT parquet",
							def->defname),
					 errhint("Valid options are FORMAT and FREEZE."),
					 parser_errposition(pstate, def->location)));
	}
	options = lappend(options, makeDefElem("format", (Node *) makeString("binary"), -1));
	return options;
}

/* ---------------------------------------------------------------------
 * Rendering rows
 * ---------------------------------------------------------------------
 */

static void
parquet_copy_error_context(void *arg)
{
	ParquetCopyState *st = (ParquetCopyState *) arg;

	if (st->current_column >= 0)
		errcontext("COPY %s, line " INT64_FORMAT ", column %s: Parquet file \"%s\", row group %d",
				   st->relname, st->row + 1, st->columns[st->current_column].name,
				   st->path, st->row_group);
	else if (st->row_group >= 0)
		errcontext("COPY %s: Parquet file \"%s\", row group %d",
				   st->relname, st->path, st->row_group);
	else
		errcontext("COPY %s: Parquet file \"%s\"", st->relname, st->path);
}

/* The levels of a column chunk do not describe the rows they should. */
static void
levels_corrupted(ParquetCopyState *st, CopyColumn *col, const char *what)
{
	const StrataParquetFileMetaData *md = iceberg_parquet_footer(st->file);
	const StrataParquetColumnMetaData *cmd =
		md->row_groups[st->row_group].columns[st->leaves[col - st->columns]].meta_data;

	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid Parquet file \"%s\" at byte offset " INT64_FORMAT,
					st->path, cmd != NULL ? cmd->data_page_offset : (int64) 0),
			 errdetail_internal("Column chunk of \"%s\" in row group %d: %s.",
								col->field->name, st->row_group, what)));
}

/* big-endian integers, as COPY's binary format has them */
static void
put_int16(StringInfo buf, int16 v)
{
	uint16		n = pg_hton16((uint16) v);

	appendBinaryStringInfo(buf, (char *) &n, 2);
}

static void
put_int32(StringInfo buf, int32 v)
{
	uint32		n = pg_hton32((uint32) v);

	appendBinaryStringInfo(buf, (char *) &n, 4);
}

static void
patch_int32(StringInfo buf, int at, int32 v)
{
	uint32		n = pg_hton32((uint32) v);

	memcpy(buf->data + at, &n, 4);
}

/* A field's length goes before its bytes: reserve it, then patch it. */
static int
begin_field(StringInfo buf)
{
	int			at = buf->len;

	put_int32(buf, 0);
	return at;
}

static void
end_field(StringInfo buf, int at)
{
	if ((Size) buf->len - at - 4 > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a value is too large to load")));
	patch_int32(buf, at, buf->len - at - 4);
}

/* Render the column's next present value into out. */
static void
render_value(ParquetCopyState *st, CopyColumn *col, StringInfo out)
{
	const StrataParquetColumnData *d = col->data;
	const IcebergParquetType *type = &col->field->type;
	IcebergParquetValue v;
	IcebergFormatError error;
	int64		i = col->value++;
	const uint8 *p;

	if (i >= d->num_present)
		levels_corrupted(st, col, "more values are defined than the chunk holds");
	memset(&v, 0, sizeof(v));
	p = (const uint8 *) d->values + i * d->value_size;
	switch (type->physical)
	{
		case STRATA_PARQUET_BOOLEAN:
			v.b = *p != 0;
			break;
		case STRATA_PARQUET_INT32:
			memcpy(&v.i32, p, sizeof(int32));
			break;
		case STRATA_PARQUET_INT64:
			memcpy(&v.i64, p, sizeof(int64));
			break;
		case STRATA_PARQUET_FLOAT:
			memcpy(&v.f4, p, sizeof(float));
			break;
		case STRATA_PARQUET_DOUBLE:
			memcpy(&v.f8, p, sizeof(double));
			break;
		case STRATA_PARQUET_BYTE_ARRAY:
			{
				StrataParquetSpan span;

				memcpy(&span, p, sizeof(span));
				if ((size_t) span.offset > d->bytes_len ||
					(size_t) span.length > d->bytes_len - span.offset)
					levels_corrupted(st, col, "a value lies outside the chunk's data");
				/* an empty value may come with no data buffer at all */
				v.bytes = span.length > 0 ? d->bytes + span.offset : (const uint8 *) "";
				v.len = span.length;
			}
			break;
		default:				/* INT96, FIXED_LEN_BYTE_ARRAY */
			v.bytes = p;
			v.len = d->value_size;
			break;
	}
	if (!iceberg_binary_value(type, &col->binary, &v, out, &error))
		ereport(ERROR,
				(errcode(error.sqlstate),
				 error.whole ? errmsg_internal("%s", error.message) :
				 errmsg("cannot load a value of Parquet column \"%s\": %s",
						col->field->name, error.message)));
}

static void
render_scalar(ParquetCopyState *st, CopyColumn *col)
{
	const StrataParquetColumnData *d = col->data;
	int64		e = col->entry++;
	int			at;

	if (e >= d->num_values)
		levels_corrupted(st, col, "fewer values than rows");
	if ((d->def_levels != NULL && d->def_levels[e] < col->field->max_def) ||
		col->field->type.kind == ICEBERG_PQ_NULL)
	{
		put_int32(&st->buf, -1);
		return;
	}
	at = begin_field(&st->buf);
	render_value(st, col, &st->buf);
	end_field(&st->buf, at);
}

/*
 * A list: the entries of one row, as a binary array: dimensions (0 when
 * empty, else 1), a has-nulls flag the receive function recomputes, the
 * element type, the length and lower bound of the dimension, then each
 * element as a field.
 */
static void
render_list(ParquetCopyState *st, CopyColumn *col)
{
	const StrataParquetColumnData *d = col->data;
	const IcebergParquetField *f = col->field;
	StringInfo	buf = &st->buf;
	int64		e = col->entry;
	int16		def;
	int			at,
				ndim_at;
	int32		count = 0;

	if (e >= d->num_values)
		levels_corrupted(st, col, "fewer lists than rows");
	if (d->rep_levels == NULL || d->rep_levels[e] != 0)
		levels_corrupted(st, col, "a list does not start a row");
	def = d->def_levels != NULL ? d->def_levels[e] : f->max_def;
	if (def < f->list_def)
	{
		put_int32(buf, -1);
		col->entry = e + 1;
		return;
	}

	at = begin_field(buf);
	ndim_at = buf->len;
	put_int32(buf, 0);			/* ndim, patched */
	put_int32(buf, 0);			/* has nulls */
	put_int32(buf, (int32) col->element_type);
	if (def < f->elem_def)
		e++;					/* empty */
	else
	{
		int			dim_at = buf->len;

		put_int32(buf, 0);		/* the length, patched */
		put_int32(buf, 1);		/* the lower bound */
		do
		{
			def = d->def_levels != NULL ? d->def_levels[e] : f->max_def;
			if (def < f->elem_def)
				levels_corrupted(st, col, "an empty list inside a list");
			if (def < f->max_def || f->type.kind == ICEBERG_PQ_NULL)
				put_int32(buf, -1);
			else
			{
				int			elem_at = begin_field(buf);

				render_value(st, col, buf);
				end_field(buf, elem_at);
			}
			if (++count > (int32) MaxArraySize)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("a Parquet list of column \"%s\" has more elements than an array can hold",
								col->field->name)));
			e++;
		} while (e < d->num_values && d->rep_levels[e] != 0);
		patch_int32(buf, ndim_at, 1);
		patch_int32(buf, dim_at, count);
	}
	if (e < d->num_values && d->rep_levels[e] != 0)
		levels_corrupted(st, col, "an empty list has elements");
	col->entry = e;
	end_field(buf, at);
}

/* Read the next row group that has rows; false after the last. */
static bool
next_row_group(ParquetCopyState *st)
{
	const StrataParquetFileMetaData *md = iceberg_parquet_footer(st->file);
	int			i;

	st->current_column = -1;
	for (;;)
	{
		const char *why;

		if (st->row_group + 1 >= md->num_row_groups)
			return false;
		st->row_group++;
		if (md->row_groups[st->row_group].num_rows == 0)
			continue;
		if (st->prune == NULL ||
			!iceberg_prune_refutes(st->prune, &md->row_groups[st->row_group], &why))
			break;
		st->row += md->row_groups[st->row_group].num_rows;
		st->skipped++;
		elog(DEBUG1, "Parquet file \"%s\": row group %d skipped: the statistics of column \"%s\" refute the WHERE clause",
			 st->path, st->row_group, why);
	}

	iceberg_parquet_read_row_group(st->file, st->row_group, st->leaves,
								   st->num_columns, st->data);
	for (i = 0; i < st->num_columns; i++)
	{
		st->columns[i].entry = 0;
		st->columns[i].value = 0;
	}
	st->rows_in_group = md->row_groups[st->row_group].num_rows;
	st->row_in_group = 0;
	return true;
}

/* Render rows into st->buf until it holds a batch; false at the end. */
static bool
fill_buffer(ParquetCopyState *st)
{
	MemoryContext old;
	int			c;

	MemoryContextReset(st->batch_cxt);
	old = MemoryContextSwitchTo(st->batch_cxt);
	resetStringInfo(&st->buf);
	st->buf_pos = 0;
	if (!st->header_sent)
	{
		/* the signature, flags (none) and the length of the extension area */
		appendBinaryStringInfo(&st->buf, "PGCOPY\n\377\r\n\0", 11);
		put_int32(&st->buf, 0);
		put_int32(&st->buf, 0);
		st->header_sent = true;
	}
	while (st->buf.len < RENDER_BATCH_BYTES)
	{
		if (st->row_in_group >= st->rows_in_group)
		{
			if (!next_row_group(st))
			{
				if (!st->trailer_sent)
				{
					put_int16(&st->buf, -1);
					st->trailer_sent = true;
				}
				break;
			}
			continue;
		}
		put_int16(&st->buf, (int16) st->num_columns);
		for (c = 0; c < st->num_columns; c++)
		{
			CopyColumn *col = &st->columns[c];

			st->current_column = c;
			if (col->field->is_list)
				render_list(st, col);
			else
				render_scalar(st, col);
		}
		st->current_column = -1;
		st->row_in_group++;
		st->row++;
	}
	MemoryContextSwitchTo(old);
	return st->buf.len > 0;
}

/*
 * COPY's data source: up to maxread bytes of rendered rows, 0 at the end.
 * COPY's own error context would name the line it is parsing, which lags
 * behind the rows rendered here, so ours replaces it while this runs.
 */
static int
parquet_copy_read(void *outbuf, int minread, int maxread)
{
	ParquetCopyState *st = current_copy;
	ErrorContextCallback errcallback;
	ErrorContextCallback *saved = error_context_stack;
	int			n = 0;

	Assert(st != NULL);
	errcallback.callback = parquet_copy_error_context;
	errcallback.arg = st;
	errcallback.previous = saved;
	if (saved != NULL && saved->callback == CopyFromErrorCallback)
		errcallback.previous = saved->previous;
	error_context_stack = &errcallback;

	while (n < maxread)
	{
		int			avail = st->buf.len - st->buf_pos;
		int			take;

		if (avail == 0)
		{
			if (n >= minread || !fill_buffer(st))
				break;
			continue;
		}
		take = Min(avail, maxread - n);
		memcpy((char *) outbuf + n, st->buf.data + st->buf_pos, take);
		st->buf_pos += take;
		n += take;
	}

	error_context_stack = saved;
	return n;
}

/* ---------------------------------------------------------------------
 * The command
 * ---------------------------------------------------------------------
 */

static const IcebergParquetField *
find_field(ParquetCopyState *st, const IcebergParquetField *fields, int num_fields,
		   const char *name)
{
	const IcebergParquetField *found = NULL;
	int			i;

	for (i = 0; i < num_fields; i++)
	{
		if (strcmp(fields[i].name, name) != 0)
			continue;
		if (found != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("Parquet file \"%s\" has more than one column named \"%s\"",
							st->path, name)));
		found = &fields[i];
	}
	return found;
}

/*
 * The columns to load: the user's list, each of which must be in the file,
 * or else every column of the table (not dropped, not generated) that is.
 */
static List *
columns_to_load(ParquetCopyState *st, Relation rel, const CopyStmt *stmt,
				const IcebergParquetField *fields, int num_fields)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	List	   *names = NIL;
	ListCell   *lc;
	int			i;

	if (stmt->attlist != NIL)
	{
		foreach(lc, stmt->attlist)
		{
			char	   *name = strVal(lfirst(lc));

			if (find_field(st, fields, num_fields, name) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" does not exist in Parquet file \"%s\"",
								name, st->path),
						 errhint("Parquet columns are matched by name, case-sensitively.")));
			names = lappend(names, makeString(name));
		}
		return names;
	}
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);

		if (attr->attisdropped || attr->attgenerated)
			continue;
		if (find_field(st, fields, num_fields, NameStr(attr->attname)) != NULL)
			names = lappend(names, makeString(pstrdup(NameStr(attr->attname))));
	}
	if (names == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("no column of relation \"%s\" is in Parquet file \"%s\"",
						RelationGetRelationName(rel), st->path),
				 errhint("Parquet columns are matched by name, case-sensitively; strata_iceberg.parquet_schema() lists them.")));
	return names;
}

/* Check that the field loads into the column, and set up its rendering. */
static void
bind_column(CopyColumn *col, Form_pg_attribute attr, const IcebergParquetField *field)
{
	bool		is_array;

	col->name = pstrdup(NameStr(attr->attname));
	col->field = field;
	if (field->type.kind == ICEBERG_PQ_UNSUPPORTED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("Parquet column \"%s\" of type %s is not supported",
						field->name, field->type.label),
				 errdetail("It is a %s.", field->type.unsupported),
				 errhint("Leave the column out of the table or of the COPY column list.")));
	col->target = iceberg_target_of(attr->atttypid, &is_array);
	if (is_array != field->is_list || !iceberg_target_accepts(col->target, &field->type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot load Parquet column \"%s\" of type %s into column \"%s\" of type %s",
						field->name, field->type.label, col->name,
						format_type_be(attr->atttypid)),
				 is_array != field->is_list ?
				 errhint(field->is_list ? "A Parquet LIST loads into an array column." :
						 "An array column loads from a Parquet LIST.") :
				 errhint("Parquet %s loads into %s.", field->type.label,
						 iceberg_targets_for(&field->type))));
	if (is_array)
	{
		col->element_type = get_element_type(getBaseType(attr->atttypid));
		iceberg_binary_target_init(&col->binary, col->element_type, col->target);
	}
	else
		iceberg_binary_target_init(&col->binary, attr->atttypid, col->target);
}

/*
 * COPY ... FROM STDIN (psql's \copy): a Parquet file is read from its
 * footer, at the end, so the client's bytes are spooled into a temporary
 * file first (within temp_file_limit; removed at transaction end).  The
 * COPY sub-protocol is COPY's own: CopyInResponse in binary, CopyData until
 * CopyDone, CopyFail as an error.
 */
static File
spool_stdin(int natts)
{
	StringInfoData buf;
	File		file;
	off_t		offset = 0;
	int			i;

	if (whereToSendOutput != DestRemote)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM STDIN with FORMAT parquet needs a client connection")));
	file = OpenTemporaryFile(false);

	pq_beginmessage(&buf, 'G');
	pq_sendbyte(&buf, 1);		/* binary */
	pq_sendint16(&buf, natts);
	for (i = 0; i < natts; i++)
		pq_sendint16(&buf, 1);
	pq_endmessage(&buf);
	pq_flush();

	initStringInfo(&buf);
	for (;;)
	{
		int			mtype;
		int			maxmsglen;

		CHECK_FOR_INTERRUPTS();
		HOLD_CANCEL_INTERRUPTS();
		pq_startmsgread();
		mtype = pq_getbyte();
		if (mtype == EOF)
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("unexpected EOF on client connection with an open transaction")));
		switch (mtype)
		{
			case 'd':
				maxmsglen = PQ_LARGE_MESSAGE_LIMIT;
				break;
			case 'c':
			case 'f':
			case 'H':
			case 'S':
				maxmsglen = PQ_SMALL_MESSAGE_LIMIT;
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_PROTOCOL_VIOLATION),
						 errmsg("unexpected message type 0x%02X during COPY from stdin", mtype)));
				maxmsglen = 0;	/* keep the compiler quiet */
		}
		resetStringInfo(&buf);
		if (pq_getmessage(&buf, maxmsglen))
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("unexpected EOF on client connection with an open transaction")));
		RESUME_CANCEL_INTERRUPTS();

		if (mtype == 'c')
			break;
		if (mtype == 'f')
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("COPY from stdin failed: %s", pq_getmsgstring(&buf))));
		if (mtype == 'd' && buf.len > 0)
		{
			int			n = FileWrite(file, buf.data, buf.len, offset, WAIT_EVENT_COPY_FILE_WRITE);

			if (n != buf.len)
			{
				if (n >= 0)
					errno = ENOSPC;
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not write temporary file \"%s\": %m", FilePathName(file))));
			}
			offset += n;
		}
		/* Flush and Sync are ignored, as COPY ignores them */
	}
	return file;
}

/*
 * COPY's own machinery, fed by parquet_copy_read with st.  On the way out,
 * error or not, the COPY this one runs inside (if any) is current again.
 */
static pg_noinline uint64
run_copy(ParquetCopyState *st, ParseState *pstate, Relation rel, Node *where,
		 List *names, List *options)
{
	ParquetCopyState *outer = current_copy;
	int			client_encoding = pg_get_client_encoding();
	CopyFromState cstate;
	volatile uint64 processed = 0;

	current_copy = st;
	PG_TRY();
	{
		/* the receive functions of text types take the client encoding */
		if (SetClientEncoding(GetDatabaseEncoding()) < 0)
			elog(ERROR, "could not set the client encoding to the database's");
		cstate = BeginCopyFrom(pstate, rel, where, NULL, false, parquet_copy_read,
							   names, options);
		processed = CopyFrom(cstate);
		EndCopyFrom(cstate);
	}
	PG_FINALLY();
	{
		current_copy = outer;
		SetClientEncoding(client_encoding);
	}
	PG_END_TRY();
	return processed;
}

/*
 * Run COPY FROM a Parquet file; returns the rows loaded.  The caller has
 * checked that the statement is one (iceberg_is_parquet_copy).
 */
uint64
iceberg_parquet_copy(ParseState *pstate, const CopyStmt *stmt)
{
	ParquetCopyState *st;
	Relation	rel;
	ParseNamespaceItem *nsitem;
	RangeTblEntry *rte;
	Node	   *where = NULL;
	List	   *options;
	List	   *names;
	List	   *attnums;
	ListCell   *lc;
	IcebergParquetField *fields;
	IcebergPruneColumn *prune_columns;
	int			num_fields;
	int			i;
	uint64		processed;

	if (stmt->is_program)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM PROGRAM with FORMAT parquet is not supported"),
				 errhint("Parquet is read from a file on the database server.")));
	/* COPY's own check and message for reading a server file */
	if (stmt->filename != NULL && !has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or have privileges of the pg_read_server_files role to COPY from a file"),
				 errhint("Anyone can COPY to stdout or from stdin. "
						 "psql's \\copy command also works for anyone.")));
	options = copy_options(pstate, stmt);

	rel = table_openrv(stmt->relation, RowExclusiveLock);
	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
	rte = nsitem->p_rte;
	rte->requiredPerms = ACL_INSERT;
	if (stmt->whereClause)
	{
		/* as DoCopy does */
		addNSItemToQuery(pstate, nsitem, false, true, true);
		where = transformExpr(pstate, stmt->whereClause, EXPR_KIND_COPY_WHERE);
		where = coerce_to_boolean(pstate, where, "WHERE");
		assign_expr_collations(pstate, where);
		where = eval_const_expressions(NULL, where);
		where = (Node *) canonicalize_qual((Expr *) where, false);
		where = (Node *) make_ands_implicit((Expr *) where);
	}

	/*
	 * The privileges COPY checks before it opens the file: the listed
	 * columns, or (no list) INSERT on the table or on some column.  The
	 * columns actually loaded are checked again once the file says which.
	 */
	if (stmt->attlist != NIL)
	{
		foreach(lc, CopyGetAttnums(RelationGetDescr(rel), rel, stmt->attlist))
			rte->insertedCols = bms_add_member(rte->insertedCols,
											   lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	}
	ExecCheckRTPerms(pstate->p_rtable, true);
	if (check_enable_rls(rte->relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM not supported with row-level security"),
				 errhint("Use INSERT statements instead.")));
	if (XactReadOnly && !rel->rd_islocaltemp)
		PreventCommandIfReadOnly("COPY FROM");

	st = palloc0(sizeof(ParquetCopyState));
	st->relname = RelationGetRelationName(rel);
	st->row_group = -1;
	st->current_column = -1;
	if (stmt->filename != NULL)
	{
		st->path = stmt->filename;
		st->file = iceberg_parquet_open(stmt->filename);
	}
	else
	{
		File		spool = spool_stdin(stmt->attlist != NIL ? list_length(stmt->attlist) :
										RelationGetDescr(rel)->natts);

		st->path = "STDIN";
		st->file = iceberg_parquet_open_named(FilePathName(spool), st->path);
	}
	{
		int32		num_leaves;
		const StrataParquetLeaf *leaves = iceberg_parquet_leaves(st->file, &num_leaves);

		fields = iceberg_parquet_fields(iceberg_parquet_footer(st->file), leaves,
										num_leaves, &num_fields);
	}

	names = columns_to_load(st, rel, stmt, fields, num_fields);
	attnums = CopyGetAttnums(RelationGetDescr(rel), rel, names);
	st->num_columns = list_length(names);
	st->columns = palloc0(sizeof(CopyColumn) * st->num_columns);
	st->leaves = palloc0(sizeof(int32) * st->num_columns);
	st->data = palloc0(sizeof(StrataParquetColumnData) * st->num_columns);
	rte->insertedCols = NULL;
	prune_columns = palloc0(sizeof(IcebergPruneColumn) * st->num_columns);
	i = 0;
	foreach(lc, attnums)
	{
		AttrNumber	attnum = lfirst_int(lc);
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);

		bind_column(&st->columns[i], attr,
					find_field(st, fields, num_fields, NameStr(attr->attname)));
		prune_columns[i].attnum = attnum;
		prune_columns[i].field = st->columns[i].field;
		prune_columns[i].target = st->columns[i].target;
		prune_columns[i].typid = attr->atttypid;
		prune_columns[i].typmod = attr->atttypmod;
		st->columns[i].data = &st->data[i];
		st->leaves[i] = st->columns[i].field->leaf;
		rte->insertedCols = bms_add_member(rte->insertedCols,
										   attnum - FirstLowInvalidHeapAttributeNumber);
		i++;
	}
	ExecCheckRTPerms(pstate->p_rtable, true);
	if (where != NULL)
		st->prune = iceberg_prune_plan((List *) where, prune_columns, st->num_columns);

	initStringInfo(&st->buf);
	st->batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "Parquet COPY batch",
										  ALLOCSET_DEFAULT_SIZES);

	processed = run_copy(st, pstate, rel, where, names, options);

	iceberg_parquet_close(st->file);
	MemoryContextDelete(st->batch_cxt);
	table_close(rel, NoLock);
	return processed;
}
