/*-------------------------------------------------------------------------
 *
 * iceberg.h
 *	  strata_iceberg: what its files share.
 *
 * Glossary.  A "field" is a top-level element of a Parquet schema: what a
 * table column is matched with, by name.  A "leaf" is a column chunk's
 * column (strata_parquet_read.h); a field supported here has exactly one
 * leaf, itself for a plain value, its element for a list.  A "target" is
 * the class of Postgres type a field's values are rendered for.
 *
 * Files:
 *	iceberg.c			module start, settings, the ProcessUtility hook, the
 *						preload check
 *	parquet_file.c		opening a Parquet file on the server: privileges, the
 *						footer, row groups read within a memory limit
 *	parquet_types.c		Parquet types, what they load into, rendering values
 *	parquet_copy.c		COPY ... FROM ... WITH (FORMAT parquet)
 *	parquet_copy_to.c	COPY ... TO ... WITH (FORMAT parquet)
 *	parquet_prune.c		skipping row groups a WHERE clause refutes by their
 *						statistics
 *	parquet_inspect.c	parquet_schema(), parquet_metadata(),
 *						parquet_file_metadata()
 *
 *-------------------------------------------------------------------------
 */
#ifndef ICEBERG_H
#define ICEBERG_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parse_node.h"

#include "strata_parquet_read.h"

/* from PostgreSQL's epoch (2000-01-01) to Unix's, which Parquet counts from */
#define ICEBERG_EPOCH_SHIFT_DAYS (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)
#define ICEBERG_EPOCH_SHIFT_USECS ((int64) ICEBERG_EPOCH_SHIFT_DAYS * USECS_PER_DAY)

/* settings */
extern int	iceberg_max_row_group_memory;	/* kB */

/* ---------------------------------------------------------------------
 * parquet_types.c
 * ---------------------------------------------------------------------
 */

/* What a leaf's values are, from its physical and logical types. */
typedef enum IcebergParquetKind
{
	ICEBERG_PQ_UNSUPPORTED = 0,
	ICEBERG_PQ_NULL,			/* logical type UNKNOWN: always null */
	ICEBERG_PQ_BOOLEAN,
	ICEBERG_PQ_INT,				/* INT32 or INT64, maybe INTEGER / INT_n / UINT_n */
	ICEBERG_PQ_FLOAT,
	ICEBERG_PQ_DOUBLE,
	ICEBERG_PQ_DECIMAL,			/* on INT32, INT64, FLBA or BYTE_ARRAY */
	ICEBERG_PQ_STRING,			/* STRING, ENUM */
	ICEBERG_PQ_JSON,
	ICEBERG_PQ_BYTES,			/* BYTE_ARRAY or FLBA without annotation */
	ICEBERG_PQ_UUID,
	ICEBERG_PQ_DATE,
	ICEBERG_PQ_TIME,
	ICEBERG_PQ_TIMESTAMP,
	ICEBERG_PQ_INT96			/* legacy Impala/Spark timestamps */
} IcebergParquetKind;

typedef struct IcebergParquetType
{
	IcebergParquetKind kind;
	int32		physical;		/* StrataParquetType */
	int32		type_length;	/* FIXED_LEN_BYTE_ARRAY */
	int			bit_width;		/* INT: 8, 16, 32 or 64 */
	bool		is_signed;		/* INT */
	int32		precision;		/* DECIMAL */
	int32		scale;
	int32		unit;			/* TIME, TIMESTAMP: StrataParquetTimeUnit */
	bool		utc;			/* TIME, TIMESTAMP: isAdjustedToUTC */
	char	   *label;			/* "INT64 (TIMESTAMP(unit=MICROS, utc=true))" */
	char	   *unsupported;	/* why, for ICEBERG_PQ_UNSUPPORTED */
} IcebergParquetType;

/* A top-level field of the schema, as COPY reads it. */
typedef struct IcebergParquetField
{
	const char *name;
	int32		schema_index;	/* of the field's element */
	int32		leaf;			/* its one leaf column; -1 if it has not one */
	bool		is_list;		/* LIST (3- or 2-level) or a repeated leaf */
	int16		list_def;		/* lists: def level from which it is not null */
	int16		elem_def;		/* lists: def level from which an element is */
	int16		max_def;		/* def level of a present value */
	IcebergParquetType type;	/* of the value, or of a list's element */
} IcebergParquetField;

/* The Postgres types a field can load into, by class. */
typedef enum IcebergTarget
{
	ICEBERG_T_NONE = 0,
	ICEBERG_T_BOOL,
	ICEBERG_T_INT2,
	ICEBERG_T_INT4,
	ICEBERG_T_INT8,
	ICEBERG_T_NUMERIC,
	ICEBERG_T_FLOAT4,
	ICEBERG_T_FLOAT8,
	ICEBERG_T_TEXT,				/* text, varchar, char(n), enum types */
	ICEBERG_T_JSON,
	ICEBERG_T_JSONB,
	ICEBERG_T_BYTEA,
	ICEBERG_T_UUID,
	ICEBERG_T_DATE,
	ICEBERG_T_TIME,
	ICEBERG_T_TIMESTAMP,
	ICEBERG_T_TIMESTAMPTZ
} IcebergTarget;

/* One value in the representation of strata_parquet_encoding.h. */
typedef struct IcebergParquetValue
{
	bool		b;
	int32		i32;
	int64		i64;
	float		f4;
	double		f8;
	const uint8 *bytes;			/* INT96, FLBA, BYTE_ARRAY */
	size_t		len;
} IcebergParquetValue;

extern void iceberg_parquet_classify(const StrataParquetSchemaElement *el,
									 IcebergParquetType *type);
extern IcebergParquetField *iceberg_parquet_fields(const StrataParquetFileMetaData *md,
												   const StrataParquetLeaf *leaves,
												   int32 num_leaves, int *num_fields);
extern char *iceberg_parquet_logical_name(const StrataParquetSchemaElement *el);
extern const char *iceberg_parquet_converted_name(int32 converted_type);
extern const char *iceberg_parquet_codec_name(int32 codec);

extern IcebergTarget iceberg_target_of(Oid typid, bool *is_array);
extern bool iceberg_numeric_typmod(int32 typmod, int32 *precision, int32 *scale);
extern bool iceberg_target_accepts(IcebergTarget target, const IcebergParquetType *type);
extern const char *iceberg_targets_for(const IcebergParquetType *type);
extern IcebergTarget iceberg_natural_target(const IcebergParquetType *type);
extern char *iceberg_natural_pg_type(const IcebergParquetField *field);

/* Why a value could not be rendered: an errcode and a message. */
typedef struct IcebergFormatError
{
	int			sqlstate;
	char	   *message;
	bool		whole;			/* the message is the input function's own,
								 * not a detail of the Parquet column */
} IcebergFormatError;

/* A column's type as binary COPY takes it, with the text fallback's functions. */
typedef struct IcebergBinaryTarget
{
	IcebergTarget target;
	Oid			typid;			/* base type; an array's element base type */
	bool		fallback_ready;
	FmgrInfo	in_fn;
	Oid			in_ioparam;
	FmgrInfo	send_fn;
} IcebergBinaryTarget;

extern void iceberg_binary_target_init(IcebergBinaryTarget *bt, Oid typid,
									   IcebergTarget target);
extern bool iceberg_binary_value(const IcebergParquetType *type, IcebergBinaryTarget *bt,
								 const IcebergParquetValue *v, StringInfo out,
								 IcebergFormatError *error);
extern bool iceberg_stat_value(const IcebergParquetType *type,
							   const StrataParquetStatistics *stats, bool is_max,
							   IcebergParquetValue *value);
extern bool iceberg_value_from_stats(const IcebergParquetType *type,
									 const StrataParquetBytes *stat,
									 IcebergParquetValue *value);
extern bool iceberg_format_value(const IcebergParquetType *type, IcebergTarget target,
								 const IcebergParquetValue *value, StringInfo out,
								 IcebergFormatError *error);

/* ---------------------------------------------------------------------
 * parquet_file.c
 * ---------------------------------------------------------------------
 */

typedef struct IcebergParquetFile IcebergParquetFile;

extern void iceberg_check_read_privilege(const char *what);
extern IcebergParquetFile *iceberg_parquet_open(const char *path);
extern IcebergParquetFile *iceberg_parquet_open_named(const char *path, const char *name);
extern void iceberg_parquet_close(IcebergParquetFile *file);
extern const StrataParquetFileMetaData *iceberg_parquet_footer(IcebergParquetFile *file);
extern const StrataParquetLeaf *iceberg_parquet_leaves(IcebergParquetFile *file,
													   int32 *num_leaves);
extern void iceberg_parquet_read_row_group(IcebergParquetFile *file, int32 row_group,
										   const int32 *columns, int num_columns,
										   StrataParquetColumnData *out);

/* ---------------------------------------------------------------------
 * parquet_prune.c
 * ---------------------------------------------------------------------
 */

/* A column a WHERE clause may name, and the field it is loaded from. */
typedef struct IcebergPruneColumn
{
	AttrNumber	attnum;			/* what the quals' Vars say */
	const IcebergParquetField *field;
	IcebergTarget target;
	Oid			typid;
	int32		typmod;
} IcebergPruneColumn;

typedef struct IcebergPrune IcebergPrune;

extern IcebergPrune *iceberg_prune_plan(List *quals, const IcebergPruneColumn *columns,
										int num_columns);
extern bool iceberg_prune_refutes(IcebergPrune *prune, const StrataParquetRowGroup *rg,
								  const char **why);

/* ---------------------------------------------------------------------
 * parquet_copy.c
 * ---------------------------------------------------------------------
 */
extern bool iceberg_is_parquet_copy(const CopyStmt *stmt);
extern uint64 iceberg_parquet_copy(ParseState *pstate, const CopyStmt *stmt);

/* ---------------------------------------------------------------------
 * parquet_copy_to.c
 * ---------------------------------------------------------------------
 */
extern uint64 iceberg_parquet_copy_to(ParseState *pstate, CopyStmt *stmt,
									  int stmt_location, int stmt_len);

#endif							/* ICEBERG_H */
