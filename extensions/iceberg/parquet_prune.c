/*-------------------------------------------------------------------------
 *
 * parquet_prune.c
 *	  Skipping row groups whose statistics show that no row can pass a
 *	  WHERE clause.
 *
 * A condition "column op constant" (op one of < <= = >= > of the column
 * type's default B-tree family, the constant on either side), ANDed with
 * the others, is refuted by a row group when its column chunk's minimum
 * and maximum put every value on the wrong side of the constant, or when
 * the chunk holds only NULLs (the operators are strict).  Pruning only
 * skips what the WHERE clause would drop row by row anyway; every row that
 * is read is still tested by it.
 *
 * The bounds are converted to the column's type exactly as the values are
 * (parquet_types.c), so they compare as the loaded values will.  Only
 * types whose Parquet order is PostgreSQL's order are used:
 *	smallint, integer, bigint		from integers (a bound outside the column's
 *									range is not used)
 *	numeric							from integers and decimals, rounded to the
 *									column's scale as the values will be
 *	date, time, timestamp, timestamptz
 *	text, varchar					from strings, with a C collation only: Parquet
 *									orders strings by their bytes
 * not floating point (NaN is left out of Parquet statistics but is the
 * greatest value in PostgreSQL), enums (declaration order), char(n)
 * (trailing blanks do not count), nor lists.
 *
 *-------------------------------------------------------------------------
 */
#include "iceberg.h"

#include "access/nbtree.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "mb/pg_wchar.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"

typedef struct PruneQual
{
	const IcebergPruneColumn *column;
	int			strategy;		/* BTLessStrategyNumber .. BTGreaterStrategyNumber */
	Oid			collation;
	Datum		constant;
	FmgrInfo	cmp;			/* B-tree order: column type vs the constant's */
	FmgrInfo	input;			/* of the column's base type */
	Oid			ioparam;
	bool		round;			/* numeric(p,s): round bounds to s, as values are */
	int32		scale;
} PruneQual;

struct IcebergPrune
{
	int			num_quals;
	PruneQual  *quals;
};

static const IcebergPruneColumn *
find_column(const IcebergPruneColumn *columns, int num_columns, AttrNumber attnum)
{
	int			i;

	for (i = 0; i < num_columns; i++)
		if (columns[i].attnum == attnum)
			return &columns[i];
	return NULL;
}

/* Does this column's Parquet order agree with PostgreSQL's for the qual? */
static bool
prunable_column(const IcebergPruneColumn *col, Oid base, Oid collation)
{
	if (col->field->is_list)
		return false;
	switch (col->target)
	{
		case ICEBERG_T_INT2:
		case ICEBERG_T_INT4:
		case ICEBERG_T_INT8:
			return col->field->type.kind == ICEBERG_PQ_INT;
		case ICEBERG_T_NUMERIC:
			return col->field->type.kind == ICEBERG_PQ_INT ||
				col->field->type.kind == ICEBERG_PQ_DECIMAL;
		case ICEBERG_T_DATE:
		case ICEBERG_T_TIME:
		case ICEBERG_T_TIMESTAMP:
		case ICEBERG_T_TIMESTAMPTZ:
			return true;
		case ICEBERG_T_TEXT:
			return (base == TEXTOID || base == VARCHAROID) &&
				col->field->type.kind == ICEBERG_PQ_STRING &&
				OidIsValid(collation) && lc_collate_is_c(collation);
		default:
			return false;
	}
}

IcebergPrune *
iceberg_prune_plan(List *quals, const IcebergPruneColumn *columns, int num_columns)
{
	IcebergPrune *prune = palloc0(sizeof(IcebergPrune));
	ListCell   *lc;

	prune->quals = palloc0(sizeof(PruneQual) * Max(list_length(quals), 1));
	foreach(lc, quals)
	{
		Node	   *expr = (Node *) lfirst(lc);
		OpExpr	   *op;
		Node	   *left,
				   *right;
		Var		   *var;
		Const	   *cnst;
		Oid			opno;
		Oid			base;
		int32		typmod;
		Oid			opclass,
					opfamily,
					lefttype,
					righttype,
					cmp_proc,
					input;
		int			strategy;
		const IcebergPruneColumn *col;
		PruneQual  *q;

		if (!IsA(expr, OpExpr))
			continue;
		op = (OpExpr *) expr;
		if (list_length(op->args) != 2)
			continue;
		left = linitial(op->args);
		right = lsecond(op->args);
		/* varchar's operators are text's: the Var comes relabelled */
		if (IsA(left, RelabelType))
			left = (Node *) ((RelabelType *) left)->arg;
		if (IsA(right, RelabelType))
			right = (Node *) ((RelabelType *) right)->arg;
		opno = op->opno;
		if (IsA(left, Var) && IsA(right, Const))
		{
			var = (Var *) left;
			cnst = (Const *) right;
		}
		else if (IsA(right, Var) && IsA(left, Const))
		{
			var = (Var *) right;
			cnst = (Const *) left;
			opno = get_commutator(opno);
			if (!OidIsValid(opno))
				continue;
		}
		else
			continue;
		if (cnst->constisnull || var->varlevelsup != 0)
			continue;
		col = find_column(columns, num_columns, var->varattno);
		if (col == NULL)
			continue;
		typmod = col->typmod;
		base = getBaseTypeAndTypmod(col->typid, &typmod);
		if (!prunable_column(col, base, op->inputcollid))
			continue;

		opclass = GetDefaultOpClass(base, BTREE_AM_OID);
		if (!OidIsValid(opclass))
			continue;
		opfamily = get_opclass_family(opclass);
		if (!op_in_opfamily(opno, opfamily))
			continue;
		get_op_opfamily_properties(opno, opfamily, false, &strategy, &lefttype, &righttype);
		/* the bound is of the column's type, on the left */
		if (lefttype != base)
			continue;
		cmp_proc = get_opfamily_proc(opfamily, lefttype, righttype, BTORDER_PROC);
		if (!OidIsValid(cmp_proc))
			continue;

		q = &prune->quals[prune->num_quals++];
		q->column = col;
		q->strategy = strategy;
		q->collation = op->inputcollid;
		q->constant = cnst->constvalue;
		fmgr_info(cmp_proc, &q->cmp);
		getTypeInputInfo(base, &input, &q->ioparam);
		fmgr_info(input, &q->input);
		if (base == NUMERICOID)
		{
			int32		precision;

			q->round = iceberg_numeric_typmod(typmod, &precision, &q->scale);
		}
	}
	return prune;
}

/*
 * A bound as a datum of the column's type; false when it has none to use.
 */
static bool
bound_datum(PruneQual *q, const StrataParquetStatistics *stats, bool is_max, Datum *out)
{
	const IcebergParquetType *type = &q->column->field->type;
	IcebergParquetValue value;
	IcebergFormatError error;
	StringInfoData text;

	if (!iceberg_stat_value(type, stats, is_max, &value))
		return false;

	if (type->kind == ICEBERG_PQ_INT && q->column->target != ICEBERG_T_NUMERIC)
	{
		int64		v;

		if (type->physical == STRATA_PARQUET_INT32)
			v = type->is_signed ? (int64) value.i32 : (int64) (uint32) value.i32;
		else if (!type->is_signed && value.i64 < 0)
			return false;		/* beyond bigint */
		else
			v = value.i64;
		switch (q->column->target)
		{
			case ICEBERG_T_INT2:
				if (v < PG_INT16_MIN || v > PG_INT16_MAX)
					return false;
				*out = Int16GetDatum((int16) v);
				return true;
			case ICEBERG_T_INT4:
				if (v < PG_INT32_MIN || v > PG_INT32_MAX)
					return false;
				*out = Int32GetDatum((int32) v);
				return true;
			default:
				*out = Int64GetDatum(v);
				return true;
		}
	}

	initStringInfo(&text);
	if (!iceberg_format_value(type, q->column->target, &value, &text, &error))
		return false;
	if (q->column->target == ICEBERG_T_TEXT)
	{
		char	   *s = pg_any_to_server(text.data, text.len, PG_UTF8);

		*out = PointerGetDatum(cstring_to_text(s));
		return true;
	}
	*out = InputFunctionCall(&q->input, text.data, q->ioparam, -1);
	if (q->round)
		*out = DirectFunctionCall2(numeric_round, *out, Int32GetDatum(q->scale));
	return true;
}

static int
compare(PruneQual *q, Datum bound)
{
	return DatumGetInt32(FunctionCall2Coll(&q->cmp, q->collation, bound, q->constant));
}

/*
 * Is every row of the row group refuted by some condition?  *why says
 * which column's statistics showed it.
 */
bool
iceberg_prune_refutes(IcebergPrune *prune, const StrataParquetRowGroup *rg, const char **why)
{
	int			i;

	for (i = 0; i < prune->num_quals; i++)
	{
		PruneQual  *q = &prune->quals[i];
		const StrataParquetColumnChunk *cc;
		const StrataParquetColumnMetaData *cmd;
		const StrataParquetStatistics *stats;
		Datum		min,
					max;
		bool		have_min,
					have_max;
		bool		refuted = false;

		if (q->column->field->leaf < 0 || q->column->field->leaf >= rg->num_columns)
			continue;
		cc = &rg->columns[q->column->field->leaf];
		cmd = cc->meta_data;
		if (cmd == NULL || !cmd->has_statistics)
			continue;
		stats = &cmd->statistics;
		*why = q->column->field->name;
		if (stats->has_null_count && cmd->num_values == rg->num_rows &&
			stats->null_count == rg->num_rows && rg->num_rows > 0)
			return true;		/* only NULLs: a strict operator passes none */

		have_min = bound_datum(q, stats, false, &min);
		have_max = bound_datum(q, stats, true, &max);
		switch (q->strategy)
		{
			case BTLessStrategyNumber:
				refuted = have_min && compare(q, min) >= 0;
				break;
			case BTLessEqualStrategyNumber:
				refuted = have_min && compare(q, min) > 0;
				break;
			case BTEqualStrategyNumber:
				refuted = (have_min && compare(q, min) > 0) ||
					(have_max && compare(q, max) < 0);
				break;
			case BTGreaterEqualStrategyNumber:
				refuted = have_max && compare(q, max) < 0;
				break;
			case BTGreaterStrategyNumber:
				refuted = have_max && compare(q, max) <= 0;
				break;
		}
		if (refuted)
			return true;
	}
	return false;
}
