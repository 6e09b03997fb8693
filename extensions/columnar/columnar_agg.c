/*-------------------------------------------------------------------------
 *
 * columnar_agg.c
 *	  ColumnarAgg: ungrouped count, sum, avg, min and max over a
 *	  strata_columnar table, computed a chunk group at a time.
 *
 * PostgreSQL's executor hands an aggregate one row at a time; at tens of
 * nanoseconds a row that, not decompression, bounds a columnar scan.  This
 * node replaces "Aggregate over a scan" for the plain case: one
 * strata_columnar table, no GROUP BY or HAVING, aggregates among those
 * below over columns of fixed-width types, and quals that are all
 * comparisons of integer, date or timestamp columns with constants or
 * parameters, comparisons of varlena columns (text, ...) with constants or
 * parameters, or NULL tests.  A varlena comparison runs the qual's own
 * operator, once per dictionary entry when the chunk has a dictionary.  It walks the chunk groups the quals do not
 * rule out by their bounds, builds a selection of the rows that pass every
 * qual from the raw column arrays, and folds the selected values into the
 * aggregates directly.  Where the quals select a whole group and nothing
 * needs the values (count(*), count(col), and min/max of types whose chunk
 * bounds are those of min and max), it reads only the metadata.
 *
 * Results are exactly PostgreSQL's: integer sums in 128 bits, numeric
 * results through numeric's own functions, float sums in scan order as
 * float8pl adds them, NaN above every other float in min and max.
 * Anything else keeps the ordinary plan.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planner.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"

/* small integers travel in Datums by value, sign-extended: a 64-bit Datum */
#if SIZEOF_DATUM != 8
#error "ColumnarAgg assumes 8-byte Datums"
#endif

bool		columnar_enable_vectorized_agg = true;

typedef enum AggKind
{
	AGG_COUNT_STAR,
	AGG_COUNT,
	AGG_SUM_INT,				/* int2/int4 -> int8 */
	AGG_SUM_INT8,				/* -> numeric */
	AGG_SUM_FLOAT4,
	AGG_SUM_FLOAT8,
	AGG_AVG_INT,				/* int2/int4/int8 -> numeric */
	AGG_AVG_FLOAT,				/* float4/float8 -> float8 */
	AGG_MIN,
	AGG_MAX
} AggKind;

/* the physical type of a column, as the loops see it */
typedef enum ValueKind
{
	VK_INT16,
	VK_INT32,
	VK_INT64,
	VK_FLOAT4,
	VK_FLOAT8
} ValueKind;

typedef struct AggSpec
{
	AggKind		kind;
	int			column;			/* 0-based; -1 for count(*) */
	ValueKind	vk;
	Oid			restype;

	/* running state */
	int64		count;
	int128		isum;
	double		fsum;
	float4		f4sum;
	bool		have;			/* min/max seen a value */
	int64		imm;			/* min/max of integer kinds */
	double		fmm;			/* min/max of float kinds */
} AggSpec;

typedef struct ColumnarAggState
{
	CustomScanState css;
	ColumnarReadState *read;
	AggSpec    *aggs;
	int			naggs;
	ColumnarFilter *filters;
	ValueKind  *filter_kinds;	/* of each filter's value */
	int			nfilters;
	List	   *filter_values;
	ExprContext *filter_econtext;
	Bitmapset  *attrs;
	bool		done;
	uint64		groups_from_metadata;
	uint8	   *selection;
	uint32		selection_cap;
} ColumnarAggState;

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

static Plan *agg_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
						   List *tlist, List *clauses, List *custom_plans);
static Node *agg_create_state(CustomScan *cscan);
static void agg_begin(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *agg_exec(CustomScanState *node);
static void agg_end(CustomScanState *node);
static void agg_rescan(CustomScanState *node);
static void agg_explain(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomPathMethods agg_path_methods = {
	.CustomName = "ColumnarAgg",
	.PlanCustomPath = agg_plan_path,
};

static const CustomScanMethods agg_scan_methods = {
	.CustomName = "ColumnarAgg",
	.CreateCustomScanState = agg_create_state,
};

static const CustomExecMethods agg_exec_methods = {
	.CustomName = "ColumnarAgg",
	.BeginCustomScan = agg_begin,
	.ExecCustomScan = agg_exec,
	.EndCustomScan = agg_end,
	.ReScanCustomScan = agg_rescan,
	.ExplainCustomScan = agg_explain,
};

static bool
value_kind(Oid typid, ValueKind *vk)
{
	switch (typid)
	{
		case INT2OID:
			*vk = VK_INT16;
			return true;
		case INT4OID:
		case DATEOID:
			*vk = VK_INT32;
			return true;
		case INT8OID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			*vk = VK_INT64;
			return true;
		case FLOAT4OID:
			*vk = VK_FLOAT4;
			return true;
		case FLOAT8OID:
			*vk = VK_FLOAT8;
			return true;
	}
	return false;
}

/* The aggregate an Aggref computes, if this node computes it exactly. */
static bool
classify_aggref(Aggref *aggref, Index relid, AggKind *kind, int *column)
{
	Var		   *var = NULL;

	if (aggref->aggdistinct || aggref->aggorder || aggref->aggfilter ||
		aggref->aggkind != AGGKIND_NORMAL || aggref->agglevelsup != 0)
		return false;
	if (aggref->aggfnoid == F_COUNT_)
	{
		*kind = AGG_COUNT_STAR;
		*column = -1;
		return true;
	}
	if (list_length(aggref->args) != 1)
		return false;
	var = (Var *) ((TargetEntry *) linitial(aggref->args))->expr;
	if (!IsA(var, Var) || (relid != 0 && var->varno != relid) || var->varattno <= 0 ||
		var->varlevelsup != 0)
		return false;
	*column = var->varattno - 1;
	switch (aggref->aggfnoid)
	{
		case F_COUNT_ANY:
			*kind = AGG_COUNT;
			return true;
		case F_SUM_INT2:
		case F_SUM_INT4:
			*kind = AGG_SUM_INT;
			return true;
		case F_SUM_INT8:
			*kind = AGG_SUM_INT8;
			return true;
		case F_SUM_FLOAT4:
			*kind = AGG_SUM_FLOAT4;
			return true;
		case F_SUM_FLOAT8:
			*kind = AGG_SUM_FLOAT8;
			return true;
		case F_AVG_INT2:
		case F_AVG_INT4:
		case F_AVG_INT8:
			*kind = AGG_AVG_INT;
			return true;
		case F_AVG_FLOAT4:
		case F_AVG_FLOAT8:
			*kind = AGG_AVG_FLOAT;
			return true;
		case F_MIN_INT2:
		case F_MIN_INT4:
		case F_MIN_INT8:
		case F_MIN_FLOAT4:
		case F_MIN_FLOAT8:
		case F_MIN_DATE:
		case F_MIN_TIMESTAMP:
		case F_MIN_TIMESTAMPTZ:
			*kind = AGG_MIN;
			return true;
		case F_MAX_INT2:
		case F_MAX_INT4:
		case F_MAX_INT8:
		case F_MAX_FLOAT4:
		case F_MAX_FLOAT8:
		case F_MAX_DATE:
		case F_MAX_TIMESTAMP:
		case F_MAX_TIMESTAMPTZ:
			*kind = AGG_MAX;
			return true;
	}
	return false;
}

typedef struct CollectContext
{
	List	   *aggrefs;
	bool		ok;
	Index		relid;
} CollectContext;

/* Gather the Aggrefs of the target; any Var outside an Aggref disqualifies. */
static bool
collect_aggrefs(Node *node, CollectContext *ctx)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref))
	{
		AggKind		kind;
		int			column;

		if (!classify_aggref((Aggref *) node, ctx->relid, &kind, &column))
			ctx->ok = false;
		else if (!list_member(ctx->aggrefs, node))
			ctx->aggrefs = lappend(ctx->aggrefs, node);
		return false;
	}
	if (IsA(node, Var) || IsA(node, SubPlan) || IsA(node, SubLink) ||
		IsA(node, WindowFunc) || IsA(node, GroupingFunc))
	{
		ctx->ok = false;
		return false;
	}
	return expression_tree_walker(node, collect_aggrefs, ctx);
}

/*
 * A filter the batch loops evaluate exactly: a NULL test on a fixed-width
 * column, or a comparison of an integer, date or timestamp column with a
 * value of its own kind.
 */
static bool
exact_filter(Relation rel, const ColumnarFilter *f, Expr *value)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), f->column);
	Oid			vt;

	/* varlena columns: the qual's own operator runs on each distinct value */
	if (att->attlen == -1)
		return true;
	if (att->attlen <= 0 || !att->attbyval)
		return false;
	if (f->kind != COLUMNAR_FILTER_COMPARE)
		return true;
	vt = exprType((Node *) value);
	switch (att->atttypid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return vt == INT2OID || vt == INT4OID || vt == INT8OID;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return vt == att->atttypid;
	}
	return false;
}

static void
columnar_create_upper_paths(PlannerInfo *root, UpperRelationKind stage,
							RelOptInfo *input_rel, RelOptInfo *output_rel, void *extra)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	Relation	rel;
	CollectContext ctx;
	CustomPath *cpath;
	List	   *quals = NIL;
	List	   *attlist = NIL;
	ListCell   *lc;
	Bitmapset  *attrs = NULL;
	int			relid;
	int			natts;
	int			x = -1;
	bool		ok = true;

	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);
	if (stage != UPPERREL_GROUP_AGG || !columnar_enable_vectorized_agg ||
		!columnar_enable_custom_scan || !parse->hasAggs || parse->groupClause != NIL ||
		parse->groupingSets != NIL || parse->havingQual != NULL || parse->hasTargetSRFs ||
		input_rel->reloptkind != RELOPT_BASEREL ||
		!bms_get_singleton_member(input_rel->relids, &relid))
		return;
	rte = planner_rt_fetch(relid, root);
	if (rte->rtekind != RTE_RELATION || rte->inh || rte->relkind != RELKIND_RELATION ||
		rte->tablesample != NULL)
		return;

	ctx.aggrefs = NIL;
	ctx.ok = true;
	ctx.relid = relid;
	foreach(lc, output_rel->reltarget->exprs)
		collect_aggrefs(lfirst(lc), &ctx);
	if (!ctx.ok || ctx.aggrefs == NIL)
		return;

	rel = table_open(rte->relid, NoLock);
	if (rel->rd_tableam != columnar_tableam())
	{
		table_close(rel, NoLock);
		return;
	}
	natts = Max(RelationGetDescr(rel)->natts, 1);
	/* every qual must become an exact batch filter */
	foreach(lc, input_rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst(lc);
		ColumnarFilter f;
		Expr	   *value = NULL;

		if (ri->pseudoconstant ||
			!make_columnar_filter(rel, (Node *) ri->clause, relid, &f, &value) ||
			!exact_filter(rel, &f, value))
		{
			ok = false;
			break;
		}
		quals = lappend(quals, ri->clause);
		attrs = bms_add_member(attrs, f.column + 1);
	}
	/* and every aggregated column must have a type the loops know */
	foreach(lc, ctx.aggrefs)
	{
		AggKind		kind;
		int			column;
		ValueKind	vk;

		classify_aggref(lfirst(lc), relid, &kind, &column);
		if (column < 0)
			continue;
		if (!value_kind(TupleDescAttr(RelationGetDescr(rel), column)->atttypid, &vk))
			ok = false;
		attrs = bms_add_member(attrs, column + 1);
	}
	table_close(rel, NoLock);
	if (!ok)
		return;

	while ((x = bms_next_member(attrs, x)) >= 0)
		attlist = lappend_int(attlist, x);

	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = output_rel;
	cpath->path.pathtarget = output_rel->reltarget;
	cpath->path.rows = 1;
	/* no per-row executor work: a tenth of a scan of the columns it reads */
	cpath->path.startup_cost = cpath->path.total_cost =
		0.1 * (seq_page_cost * input_rel->pages * (double) Max(bms_num_members(attrs), 1) / natts +
			   cpu_operator_cost * input_rel->tuples);
	cpath->flags = 0;
	cpath->custom_paths = NIL;
	cpath->custom_private = list_make3(attlist, quals, list_make1_int(relid));
	cpath->methods = &agg_path_methods;
	add_path(output_rel, &cpath->path);
}

static Plan *
agg_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
			  List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	CollectContext ctx;
	List	   *scan_tlist = NIL;
	ListCell   *lc;
	int			relid = linitial_int(lthird(best_path->custom_private));

	ctx.aggrefs = NIL;
	ctx.ok = true;
	ctx.relid = relid;
	foreach(lc, tlist)
		collect_aggrefs((Node *) ((TargetEntry *) lfirst(lc))->expr, &ctx);
	foreach(lc, ctx.aggrefs)
		scan_tlist = lappend(scan_tlist, makeTargetEntry(lfirst(lc), list_length(scan_tlist) + 1,
														 NULL, false));

	/*
	 * The quals go in custom_private, where setrefs leaves their Vars alone
	 * (custom_exprs would be matched against custom_scan_tlist, which holds
	 * only the aggregates); their value sides, which hold no Vars, go in
	 * custom_exprs, so that the parameters they use reach extParam and a
	 * change of parameter rescans this node.
	 */
	foreach(lc, (List *) lsecond(best_path->custom_private))
	{
		Node	   *qual = lfirst(lc);
		ColumnarFilter f;
		Expr	   *value = NULL;
		Relation	rel = table_open(planner_rt_fetch(relid, root)->relid, NoLock);

		if (!make_columnar_filter(rel, qual, relid, &f, &value))
			elog(ERROR, "ColumnarAgg lost one of its quals");
		table_close(rel, NoLock);
		cscan->custom_exprs = lappend(cscan->custom_exprs,
									  value ? copyObject(value) :
									  (Expr *) makeBoolConst(true, false));
	}
	cscan->flags = best_path->flags;
	cscan->methods = &agg_scan_methods;
	cscan->scan.scanrelid = relid;
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = NIL;
	cscan->custom_scan_tlist = scan_tlist;
	cscan->custom_private = list_make2(linitial(best_path->custom_private),
									   copyObject(lsecond(best_path->custom_private)));
	return &cscan->scan.plan;
}

static Node *
agg_create_state(CustomScan *cscan)
{
	ColumnarAggState *state = palloc0(sizeof(ColumnarAggState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &agg_exec_methods;
	return (Node *) state;
}

static void
evaluate_filter_values(ColumnarAggState *state)
{
	ListCell   *lc;
	int			i = 0;

	ResetExprContext(state->filter_econtext);
	foreach(lc, state->filter_values)
	{
		ExprState  *value = lfirst(lc);
		ColumnarFilter *f = &state->filters[i++];

		if (value != NULL)
			f->value = ExecEvalExprSwitchContext(value, state->filter_econtext, &f->value_isnull);
	}
}

static void
reset_aggs(ColumnarAggState *state)
{
	int			i;

	for (i = 0; i < state->naggs; i++)
	{
		AggSpec    *a = &state->aggs[i];

		a->count = 0;
		a->isum = 0;
		a->fsum = 0;
		a->f4sum = 0;
		a->have = false;
	}
	state->done = false;
}

static void
agg_begin(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	ListCell   *lc;
	int			i = 0;

	foreach(lc, (List *) linitial(cscan->custom_private))
		state->attrs = bms_add_member(state->attrs, lfirst_int(lc));
	/* aggregate arguments, too, are Vars setrefs left alone: any varno */

	state->naggs = list_length(cscan->custom_scan_tlist);
	state->aggs = palloc0(sizeof(AggSpec) * Max(state->naggs, 1));
	foreach(lc, cscan->custom_scan_tlist)
	{
		Aggref	   *aggref = (Aggref *) ((TargetEntry *) lfirst(lc))->expr;
		AggSpec    *a = &state->aggs[i++];

		if (!classify_aggref(aggref, 0, &a->kind, &a->column))
			elog(ERROR, "ColumnarAgg cannot compute aggregate %u", aggref->aggfnoid);
		a->restype = aggref->aggtype;
		if (a->column >= 0 &&
			!value_kind(TupleDescAttr(RelationGetDescr(rel), a->column)->atttypid, &a->vk))
			elog(ERROR, "ColumnarAgg cannot aggregate column %d", a->column + 1);
	}

	{
		List	   *quals = lsecond(cscan->custom_private);
		ListCell   *vc;

		state->filters = palloc0(sizeof(ColumnarFilter) * Max(list_length(quals), 1));
		state->filter_kinds = palloc0(sizeof(ValueKind) * Max(list_length(quals), 1));
		state->filter_econtext = CreateExprContext(estate);
		forboth(lc, quals, vc, cscan->custom_exprs)
		{
			ColumnarFilter *f = &state->filters[state->nfilters];
			Expr	   *value = NULL;

			/* Vars of custom_private kept their planner numbering: any varno */
			if (!make_columnar_filter(rel, lfirst(lc), 0, f, &value) ||
				!exact_filter(rel, f, value))
				elog(ERROR, "ColumnarAgg cannot evaluate one of its quals");
			if (value != NULL)
				value_kind(exprType((Node *) value), &state->filter_kinds[state->nfilters]);
			/* the value as setrefs fixed it, from custom_exprs */
			state->filter_values = lappend(state->filter_values,
										   value ? ExecInitExpr(lfirst(vc), &node->ss.ps) : NULL);
			state->nfilters++;
		}
	}
	reset_aggs(state);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	evaluate_filter_values(state);
	state->read = columnar_begin_read(rel, estate->es_snapshot,
									  state->attrs != NULL ? state->attrs : bms_make_singleton(1));
	columnar_set_filters(state->read, state->filters, state->nfilters);
}

static inline int64
int_at(const char *values, ValueKind vk, uint32 i)
{
	switch (vk)
	{
		case VK_INT16:
			return ((const int16 *) values)[i];
		case VK_INT32:
			return ((const int32 *) values)[i];
		default:
			return ((const int64 *) values)[i];
	}
}

static inline double
float_at(const char *values, ValueKind vk, uint32 i)
{
	return vk == VK_FLOAT4 ? (double) ((const float4 *) values)[i] : ((const float8 *) values)[i];
}

static int64
datum_to_int64(Datum d, ValueKind vk)
{
	switch (vk)
	{
		case VK_INT16:
			return DatumGetInt16(d);
		case VK_INT32:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/* float8pl's and float4pl's rule: finite inputs must not sum to infinity */
static inline double
add_float8(double sum, double x)
{
	double		r = sum + x;

	if (unlikely(isinf(r)) && !isinf(sum) && !isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: overflow")));
	return r;
}

static inline float4
add_float4(float4 sum, float4 x)
{
	float4		r = sum + x;

	if (unlikely(isinf(r)) && !isinf(sum) && !isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: overflow")));
	return r;
}

/* float order of min() and max(): NaN above everything */
static inline bool
float_less(double a, double b)
{
	if (isnan(a))
		return false;
	return isnan(b) || a < b;
}

/*
 * Narrow sel[] (1 = row still selected) by one filter over the raw column.
 * A row whose value is NULL fails any comparison.
 */
static void
apply_filter(const ColumnarFilter *f, ValueKind value_vk, const ColumnarRawChunk *col,
			 Oid typid, uint8 *sel)
{
	ValueKind	vk;
	int64		c = 0;
	uint32		r;
	uint32		v = 0;

	/* both sides as int64: exact for every integer, date and timestamp */
	value_kind(typid, &vk);
	if (f->kind == COLUMNAR_FILTER_COMPARE && !f->value_isnull)
		c = datum_to_int64(f->value, value_vk);
	for (r = 0; r < col->rows; r++)
	{
		bool		present = col->missing ? !col->missing_isnull :
			(col->bitmap == NULL || columnar_bitmap_present(col->bitmap, r));
		bool		pass;

		if (f->kind == COLUMNAR_FILTER_IS_NULL)
			pass = !present;
		else if (f->kind == COLUMNAR_FILTER_IS_NOT_NULL)
			pass = present;
		else if (!present || f->value_isnull)
			pass = false;
		else
		{
			int64		x = col->missing ? datum_to_int64(col->missing_value, vk) : int_at(col->values, vk, v);

			switch (f->strategy)
			{
				case BTLessStrategyNumber:
					pass = x < c;
					break;
				case BTLessEqualStrategyNumber:
					pass = x <= c;
					break;
				case BTEqualStrategyNumber:
					pass = x == c;
					break;
				case BTGreaterEqualStrategyNumber:
					pass = x >= c;
					break;
				default:
					pass = x > c;
					break;
			}
		}
		if (present && !col->missing)
			v++;
		sel[r] &= pass;
	}
}

/* Narrow sel[] by a comparison on a varlena column, with the qual's operator. */
static void
apply_varlena_filter(const ColumnarFilter *f, const ColumnarRawChunk *col, uint8 *sel)
{
	uint32		r;
	uint32		v = 0;
	bool	   *pass_code = NULL;

	if (f->kind == COLUMNAR_FILTER_COMPARE && !f->value_isnull && col->ndict > 0)
	{
		uint32		d;

		pass_code = palloc(sizeof(bool) * col->ndict);
		for (d = 0; d < col->ndict; d++)
		{
			Datum		entry = PointerGetDatum(col->base + col->dict_offsets[d]);

			pass_code[d] = DatumGetBool(f->var_left ?
										FunctionCall2Coll((FmgrInfo *) &f->opfn, f->inputcollid, entry, f->value) :
										FunctionCall2Coll((FmgrInfo *) &f->opfn, f->inputcollid, f->value, entry));
		}
	}
	for (r = 0; r < col->rows; r++)
	{
		bool		present = col->missing ? !col->missing_isnull :
			(col->bitmap == NULL || columnar_bitmap_present(col->bitmap, r));
		bool		pass;

		if (f->kind == COLUMNAR_FILTER_IS_NULL)
			pass = !present;
		else if (f->kind == COLUMNAR_FILTER_IS_NOT_NULL)
			pass = present;
		else if (!present || f->value_isnull || !sel[r])
			pass = false;
		else if (pass_code != NULL)
			pass = pass_code[columnar_dict_code(col->codes, col->code_width, v)];
		else
		{
			Datum		x = col->missing ? col->missing_value :
				PointerGetDatum(col->base + col->value_offsets[v]);

			pass = DatumGetBool(f->var_left ?
								FunctionCall2Coll((FmgrInfo *) &f->opfn, f->inputcollid, x, f->value) :
								FunctionCall2Coll((FmgrInfo *) &f->opfn, f->inputcollid, f->value, x));
		}
		if (present && !col->missing)
			v++;
		sel[r] &= pass;
	}
	if (pass_code != NULL)
		pfree(pass_code);
}

/* Fold the selected rows of one column into one aggregate. */
static void
accumulate(AggSpec *a, const ColumnarRawChunk *col, const uint8 *sel, uint32 rows, bool all)
{
	uint32		r;
	uint32		v = 0;

	if (col->missing)
	{
		/* a column added later: every row holds its missing value */
		uint32		n = 0;
		bool		is_float = a->vk == VK_FLOAT4 || a->vk == VK_FLOAT8;
		double		f = 0;
		int64		x = 0;

		if (col->missing_isnull)
			return;
		if (is_float)
			f = a->vk == VK_FLOAT4 ? DatumGetFloat4(col->missing_value) : DatumGetFloat8(col->missing_value);
		else
			x = datum_to_int64(col->missing_value, a->vk);
		for (r = 0; r < rows; r++)
			n += all ? 1 : sel[r];
		for (r = 0; r < n; r++)
		{
			a->count++;
			if (is_float)
			{
				a->fsum = add_float8(a->fsum, f);
				a->f4sum = add_float4(a->f4sum, (float4) f);
			}
			else
				a->isum += x;
		}
		if (n > 0)
		{
			if (is_float && (!a->have || (a->kind == AGG_MIN ? float_less(f, a->fmm) : float_less(a->fmm, f))))
				a->fmm = f;
			if (!is_float && (!a->have || (a->kind == AGG_MIN ? x < a->imm : x > a->imm)))
				a->imm = x;
			a->have = true;
		}
		return;
	}

	if (a->vk == VK_FLOAT4 || a->vk == VK_FLOAT8)
	{
		for (r = 0; r < rows; r++)
		{
			double		f;

			if (col->bitmap != NULL && !columnar_bitmap_present(col->bitmap, r))
				continue;
			f = float_at(col->values, a->vk, v++);
			if (!all && !sel[r])
				continue;
			a->count++;
			if (a->kind == AGG_SUM_FLOAT4)
				a->f4sum = add_float4(a->f4sum, (float4) f);
			else if (a->kind == AGG_SUM_FLOAT8 || a->kind == AGG_AVG_FLOAT)
				a->fsum = add_float8(a->fsum, f);
			if (a->kind == AGG_MIN || a->kind == AGG_MAX)
			{
				if (!a->have || (a->kind == AGG_MIN ? float_less(f, a->fmm) : float_less(a->fmm, f)))
					a->fmm = f;
				a->have = true;
			}
		}
		return;
	}

	/* integers: the common case of no NULLs and no filter is one tight loop */
	if (col->bitmap == NULL && all)
	{
		uint32		n = rows;

		a->count += n;
		if (a->kind == AGG_MIN || a->kind == AGG_MAX)
		{
			for (r = 0; r < n; r++)
			{
				int64		x = int_at(col->values, a->vk, r);

				if (!a->have || (a->kind == AGG_MIN ? x < a->imm : x > a->imm))
					a->imm = x;
				a->have = true;
			}
		}
		else if (a->kind != AGG_COUNT)
		{
			int128		s = 0;

			switch (a->vk)
			{
				case VK_INT16:
					for (r = 0; r < n; r++)
						s += ((const int16 *) col->values)[r];
					break;
				case VK_INT32:
					for (r = 0; r < n; r++)
						s += ((const int32 *) col->values)[r];
					break;
				default:
					for (r = 0; r < n; r++)
						s += ((const int64 *) col->values)[r];
					break;
			}
			a->isum += s;
		}
		return;
	}
	for (r = 0; r < rows; r++)
	{
		int64		x;

		if (col->bitmap != NULL && !columnar_bitmap_present(col->bitmap, r))
			continue;
		x = int_at(col->values, a->vk, v++);
		if (!all && !sel[r])
			continue;
		a->count++;
		a->isum += x;
		if (a->kind == AGG_MIN || a->kind == AGG_MAX)
		{
			if (!a->have || (a->kind == AGG_MIN ? x < a->imm : x > a->imm))
				a->imm = x;
			a->have = true;
		}
	}
}

/* Min and max of a chunk from its bounds, for types whose bounds are those. */
static void
accumulate_bounds(AggSpec *a, const ColumnarChunkMeta *m, Form_pg_attribute att)
{
	Datum		d = 0;
	int64		x;

	memcpy(&d, a->kind == AGG_MIN ? m->min : m->max, att->attlen);
	x = datum_to_int64(fetch_att(&d, true, att->attlen), a->vk);
	if (!a->have || (a->kind == AGG_MIN ? x < a->imm : x > a->imm))
		a->imm = x;
	a->have = true;
}

static Datum
int128_to_numeric(int128 v)
{
	char		buf[64];
	char	   *p = buf + sizeof(buf) - 1;
	bool		neg = v < 0;
	uint128		u = neg ? -(uint128) v : (uint128) v;

	*p = '\0';
	do
	{
		*--p = '0' + (int) (u % 10);
		u /= 10;
	} while (u != 0);
	if (neg)
		*--p = '-';
	return DirectFunctionCall3(numeric_in, CStringGetDatum(p), ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(-1));
}

static Datum
int64_datum(int64 x, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return Int16GetDatum((int16) x);
		case INT4OID:
		case DATEOID:
			return Int32GetDatum((int32) x);
		default:
			return Int64GetDatum(x);
	}
}

static Datum
final_value(AggSpec *a, bool *isnull)
{
	*isnull = false;
	switch (a->kind)
	{
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			return Int64GetDatum(a->count);
		case AGG_SUM_INT:
			if (a->count == 0)
				break;
			if (a->isum > PG_INT64_MAX || a->isum < PG_INT64_MIN)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("bigint out of range")));
			return Int64GetDatum((int64) a->isum);
		case AGG_SUM_INT8:
			if (a->count == 0)
				break;
			return int128_to_numeric(a->isum);
		case AGG_SUM_FLOAT4:
			if (a->count == 0)
				break;
			return Float4GetDatum(a->f4sum);
		case AGG_SUM_FLOAT8:
			if (a->count == 0)
				break;
			return Float8GetDatum(a->fsum);
		case AGG_AVG_INT:
			if (a->count == 0)
				break;
			return DirectFunctionCall2(numeric_div, int128_to_numeric(a->isum),
									   int128_to_numeric(a->count));
		case AGG_AVG_FLOAT:
			if (a->count == 0)
				break;
			return Float8GetDatum(a->fsum / (double) a->count);
		case AGG_MIN:
		case AGG_MAX:
			if (!a->have)
				break;
			if (a->vk == VK_FLOAT4)
				return Float4GetDatum((float4) a->fmm);
			if (a->vk == VK_FLOAT8)
				return Float8GetDatum(a->fmm);
			return int64_datum(a->imm, a->restype);
	}
	*isnull = true;
	return (Datum) 0;
}

/* Can this group's contribution to every aggregate come from metadata? */
static bool
metadata_only(ColumnarAggState *state, const ColumnarStripe *stripe, uint32 g)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	int			i;

	if (state->nfilters > 0)
		return false;
	for (i = 0; i < state->naggs; i++)
	{
		AggSpec    *a = &state->aggs[i];
		const ColumnarChunkMeta *m;

		if (a->kind == AGG_COUNT_STAR)
			continue;
		if ((uint32) a->column >= stripe->skiplist.column_count)
			return false;
		m = &stripe->skiplist.chunks[a->column * stripe->skiplist.group_count + g];
		if (a->kind == AGG_COUNT)
			continue;
		if ((a->kind == AGG_MIN || a->kind == AGG_MAX) && a->vk != VK_FLOAT4 &&
			a->vk != VK_FLOAT8 && (m->has_bounds || m->null_count == stripe->skiplist.group_rows[g]) &&
			TupleDescAttr(desc, a->column)->attbyval)
			continue;
		return false;
	}
	return true;
}

static void
run_aggregates(ColumnarAggState *state)
{
	Relation	rel = state->css.ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);
	const ColumnarStripe *stripe;
	uint32		g;
	uint32		rows;
	ColumnarRawChunk *cols = palloc0(sizeof(ColumnarRawChunk) * Max(desc->natts, 1));
	bool	   *decoded = palloc0(sizeof(bool) * Max(desc->natts, 1));

	while (columnar_next_group(state->read, &stripe, &g, &rows))
	{
		bool		all = true;
		int			i;

		if (metadata_only(state, stripe, g))
		{
			state->groups_from_metadata++;
			for (i = 0; i < state->naggs; i++)
			{
				AggSpec    *a = &state->aggs[i];
				const ColumnarChunkMeta *m;

				if (a->kind == AGG_COUNT_STAR)
				{
					a->count += rows;
					continue;
				}
				m = &stripe->skiplist.chunks[a->column * stripe->skiplist.group_count + g];
				if (a->kind == AGG_COUNT)
					a->count += rows - m->null_count;
				else if (m->has_bounds)
					accumulate_bounds(a, m, TupleDescAttr(desc, a->column));
			}
			continue;
		}

		memset(decoded, 0, sizeof(bool) * desc->natts);
		if (state->nfilters > 0)
		{
			if (rows > state->selection_cap)
			{
				state->selection = state->selection ? repalloc(state->selection, rows) :
					MemoryContextAlloc(state->css.ss.ps.state->es_query_cxt, rows);
				state->selection_cap = rows;
			}
			memset(state->selection, 1, rows);
			for (i = 0; i < state->nfilters; i++)
			{
				ColumnarFilter *f = &state->filters[i];

				if (!decoded[f->column])
				{
					columnar_group_raw(state->read, f->column, &cols[f->column]);
					decoded[f->column] = true;
				}
				if (TupleDescAttr(desc, f->column)->attlen == -1)
					apply_varlena_filter(f, &cols[f->column], state->selection);
				else
					apply_filter(f, state->filter_kinds[i], &cols[f->column],
								 TupleDescAttr(desc, f->column)->atttypid, state->selection);
			}
			all = false;
		}
		for (i = 0; i < state->naggs; i++)
		{
			AggSpec    *a = &state->aggs[i];

			if (a->kind == AGG_COUNT_STAR)
			{
				uint32		r;

				if (all)
					a->count += rows;
				else
					for (r = 0; r < rows; r++)
						a->count += state->selection[r];
				continue;
			}
			if (!decoded[a->column])
			{
				columnar_group_raw(state->read, a->column, &cols[a->column]);
				decoded[a->column] = true;
			}
			accumulate(a, &cols[a->column], state->selection, rows, all);
		}
	}
}

static TupleTableSlot *
agg_exec(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	int			i;

	if (state->done)
		return NULL;
	state->done = true;
	run_aggregates(state);

	ExecClearTuple(slot);
	for (i = 0; i < state->naggs; i++)
		slot->tts_values[i] = final_value(&state->aggs[i], &slot->tts_isnull[i]);
	ExecStoreVirtualTuple(slot);

	/* the target list computes any expression over the aggregates */
	econtext->ecxt_scantuple = slot;
	if (node->ss.ps.ps_ProjInfo)
		return ExecProject(node->ss.ps.ps_ProjInfo);
	return slot;
}

static void
agg_end(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;

	if (state->read != NULL)
		columnar_end_read(state->read);
}

static void
agg_rescan(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;

	reset_aggs(state);
	evaluate_filter_values(state);
	columnar_rescan(state->read);
}

static void
agg_explain(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);
	StringInfoData cols;
	int			x = -1;

	initStringInfo(&cols);
	while ((x = bms_next_member(state->attrs, x)) >= 0)
		appendStringInfo(&cols, "%s%s", cols.len > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, x - 1)->attname)));
	ExplainPropertyText("Columns read", cols.len > 0 ? cols.data : "none", es);
	ExplainPropertyInteger("Batch filters", NULL, state->nfilters, es);
	if (es->analyze && state->read != NULL)
	{
		ExplainPropertyInteger("Chunk groups read", NULL, (int64) columnar_groups_read(state->read), es);
		ExplainPropertyInteger("Chunk groups skipped", NULL, (int64) columnar_groups_skipped(state->read), es);
		ExplainPropertyInteger("Chunk groups from metadata", NULL, (int64) state->groups_from_metadata, es);
	}
}

void
columnar_agg_init(void)
{
	DefineCustomBoolVariable("strata_columnar.enable_vectorized_agg",
							 "Plans ColumnarAgg, which computes simple aggregates a chunk group at a time.",
							 NULL, &columnar_enable_vectorized_agg, true, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	RegisterCustomScanMethods(&agg_scan_methods);
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = columnar_create_upper_paths;
}
