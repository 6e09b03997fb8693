/*-------------------------------------------------------------------------
 *
 * columnar_agg.c
 *	  ColumnarAgg: ungrouped count, sum, avg, min and max over a
 *	  strata_columnar table, computed a chunk group at a time.
 *
 * PostgreSQL's executor hands an aggregate one row at a time; at tens of
 * nanoseconds a row that, not decompression, bounds a columnar scan.  This
 * node replaces "Aggregate over a scan" for the plain case: one
 * strata_columnar table, no HAVING or grouping sets, GROUP BY (if any) on
 * plain columns whose equality is bytewise (integers, dates, timestamps,
 * booleans; text, varchar and bytea under deterministic collations),
 * aggregates among those
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
 * Grouped, each selected row finds its group in a hash table of its key
 * bytes; a single dictionary-encoded key looks each distinct value up once
 * per chunk group.  Groups come out in hash order; a Sort above puts them
 * in any order the query asks for.
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
#include "executor/nodeHash.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planner.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "utils/selfuncs.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "common/hashfn.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/array.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

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
	AGG_MAX,
	AGG_COUNT_DISTINCT			/* of an integer, date or timestamp column */
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
	ColumnarParallelPart parallel;	/* the partial variant's */
	ColumnarReadState *read;
	bool		partial;		/* emit transition states for a Finalize above */
	AggSpec    *aggs;
	int			naggs;
	ColumnarFilter *filters;
	ValueKind  *filter_kinds;	/* of each filter's value */
	bool	   *filter_holds;	/* for every row of the current group, by its bounds */
	bool		filters_hold;	/* all of them */
	int			nfilters;
	List	   *filter_values;
	ExprContext *filter_econtext;
	Bitmapset  *attrs;
	bool		done;
	uint64		groups_from_metadata;
	uint8	   *selection;
	uint32		selection_cap;

	/* GROUP BY: key columns, and the groups found so far */
	int			nkeys;
	bool		int_key;		/* one byval fixed-width key: find_group_int */
	int		   *key_cols;		/* 0-based */
	MemoryContext groups_cxt;
	uint32		ngroups;
	uint32		groups_cap;
	uint32	   *buckets;		/* 1 + group index, 0 empty; chained by next */
	uint32		nbuckets;
	uint32	   *group_hash;
	uint32	   *group_next;
	char	  **group_key;		/* serialized key bytes */
	uint32	   *group_keylen;
	Datum	   *group_values;	/* nkeys per group, for the output */
	bool	   *group_nulls;
	AggSpec    *group_aggs;		/* naggs per group */
	uint32		emit_next;
	StringInfoData keybuf;

	/*
	 * One integer key: an open-addressing table with the key inline, so a
	 * lookup over millions of groups is one cache miss, not a chain walk.
	 */
	struct KeySlot *int_slots;
	uint32		int_mask;
	int32		null_group;		/* the group of the NULL key, or -1 */
	/* a chunk group's rows' groups and hashes (the batch path) */
	uint32	   *gids;
	uint32	   *hashes;
	int64	   *keys;
	uint32		gids_cap;
	int			int_key_len;	/* the integer key's byte length */

	/* count(DISTINCT): every (group, aggregate, value) seen, in one set */
	bool		any_distinct;
	int			distinct_expected;	/* the planner's estimate of the values */
	MemoryContext distinct_cxt;
	struct KeySlot *dslots;
	uint32		dmask;
	uint64		dcount;
} ColumnarAggState;

/*
 * A slot of the open-addressing tables: the integer key of a group (tag: 1
 * + its index), or a value of count(DISTINCT) (tag: 1 + group * naggs +
 * aggregate).  Tag 0: empty.
 */
typedef struct KeySlot
{
	int64		key;
	uint32		hash;
	uint32		tag;
} KeySlot;

/* a group's bytes besides its aggregates and keys: hash, chains, slots */
#define GROUP_OVERHEAD (6 * sizeof(uint32) + 2 * sizeof(KeySlot) + sizeof(char *))

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

static Plan *agg_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
						   List *tlist, List *clauses, List *custom_plans);
static Node *agg_create_state(CustomScan *cscan);
static void agg_begin(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *agg_exec(CustomScanState *node);
static void agg_end(CustomScanState *node);
static void agg_rescan(CustomScanState *node);
static void agg_explain(CustomScanState *node, List *ancestors, ExplainState *es);
static Size agg_estimate_dsm(CustomScanState *node, ParallelContext *pcxt);
static void agg_initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate);
static void agg_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate);
static void agg_initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate);
static void agg_shutdown(CustomScanState *node);
static void reset_groups(ColumnarAggState *state);

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
	.EstimateDSMCustomScan = agg_estimate_dsm,
	.InitializeDSMCustomScan = agg_initialize_dsm,
	.ReInitializeDSMCustomScan = agg_reinitialize_dsm,
	.InitializeWorkerCustomScan = agg_initialize_worker,
	.ShutdownCustomScan = agg_shutdown,
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

	if (aggref->aggorder || aggref->aggfilter ||
		aggref->aggkind != AGGKIND_NORMAL || aggref->agglevelsup != 0)
		return false;
	if (aggref->aggdistinct != NIL)
	{
		/* count(DISTINCT column): the planner checks the column's type */
		if (aggref->aggfnoid != F_COUNT_ANY || list_length(aggref->args) != 1 ||
			list_length(aggref->aggdistinct) != 1)
			return false;
		var = (Var *) ((TargetEntry *) linitial(aggref->args))->expr;
		if (!IsA(var, Var) || (relid != 0 && var->varno != relid) || var->varattno <= 0 ||
			var->varlevelsup != 0)
			return false;
		*column = var->varattno - 1;
		*kind = AGG_COUNT_DISTINCT;
		return true;
	}
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
	Bitmapset  *keys;			/* attnos of GROUP BY columns, which may appear */
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
	if (IsA(node, Var) && ((Var *) node)->varno == ctx->relid &&
		bms_is_member(((Var *) node)->varattno, ctx->keys))
		return false;
	if (IsA(node, Var) || IsA(node, SubPlan) || IsA(node, SubLink) ||
		IsA(node, WindowFunc) || IsA(node, GroupingFunc))
	{
		ctx->ok = false;
		return false;
	}
	return expression_tree_walker(node, collect_aggrefs, ctx);
}

/* A GROUP BY column whose equality is equality of its bytes. */
static bool
bytewise_key(Form_pg_attribute att)
{
	switch (att->atttypid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case BOOLOID:
		case OIDOID:
			return true;
		case TEXTOID:
		case VARCHAROID:
		case BYTEAOID:
			return !OidIsValid(att->attcollation) ||
				get_collation_isdeterministic(att->attcollation);
	}
	return false;
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

/*
 * A ColumnarAgg path computing output_rel's target from input_rel, a
 * strata_columnar table, or NULL if it cannot.  Partial: the path each
 * parallel participant runs over the stripes it claims, emitting
 * transition states in PostgreSQL's own formats.  *read_fraction, the
 * share of chunk groups the quals leave (negative: not known yet), is
 * found from the stripes' metadata once for both paths.
 */
static CustomPath *
make_agg_path(PlannerInfo *root, RelOptInfo *input_rel, RelOptInfo *output_rel, bool partial,
			  double *read_fraction)
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
	List	   *group_exprs;
	List	   *keylist = NIL;
	Bitmapset  *keys = NULL;
	double		groups;
	List	   *distinct_exprs = NIL;
	double		distinct_pairs = 0;
	bool		from_metadata = true;
	int			row_loops = 0;
	ColumnarFilter *plan_filters;
	int			nplan_filters = 0;
	double		cost;

	if (!bms_get_singleton_member(input_rel->relids, &relid))
		return NULL;
	rte = planner_rt_fetch(relid, root);
	if (rte->rtekind != RTE_RELATION || rte->inh || rte->relkind != RELKIND_RELATION ||
		rte->tablesample != NULL)
		return NULL;

	/* GROUP BY: plain columns of this table only */
	foreach(lc, group_exprs = get_sortgrouplist_exprs(parse->groupClause, parse->targetList))
	{
		Var		   *var = lfirst(lc);

		if (!IsA(var, Var) || var->varno != relid || var->varattno <= 0 || var->varlevelsup != 0)
			return NULL;
		keys = bms_add_member(keys, var->varattno);
		keylist = lappend_int(keylist, var->varattno);
	}

	ctx.aggrefs = NIL;
	ctx.ok = true;
	ctx.relid = relid;
	ctx.keys = keys;
	foreach(lc, output_rel->reltarget->exprs)
		collect_aggrefs(lfirst(lc), &ctx);
	if (!ctx.ok || ctx.aggrefs == NIL)
		return NULL;

	rel = table_open(rte->relid, NoLock);
	x = -1;
	while ((x = bms_next_member(keys, x)) >= 0)
	{
		if (!bytewise_key(TupleDescAttr(RelationGetDescr(rel), x - 1)))
			ok = false;
		attrs = bms_add_member(attrs, x);
	}
	x = -1;
	if (rel->rd_tableam != columnar_tableam())
	{
		table_close(rel, NoLock);
		return NULL;
	}
	natts = Max(RelationGetDescr(rel)->natts, 1);
	row_loops += 3 * list_length(keylist);
	plan_filters = palloc0(sizeof(ColumnarFilter) * Max(list_length(input_rel->baserestrictinfo), 1));
	/* every qual must become an exact batch filter */
	foreach(lc, input_rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst(lc);
		ColumnarFilter *f = &plan_filters[nplan_filters];
		Expr	   *value = NULL;

		if (ri->pseudoconstant ||
			!make_columnar_filter(rel, (Node *) ri->clause, relid, f, &value) ||
			!exact_filter(rel, f, value))
		{
			ok = false;
			break;
		}
		quals = lappend(quals, ri->clause);
		attrs = bms_add_member(attrs, f->column + 1);
		from_metadata = false;
		row_loops += TupleDescAttr(RelationGetDescr(rel), f->column)->attlen == -1 ? 2 : 1;
		/* a filter whose value is known now tells which groups it skips */
		if (value != NULL)
		{
			Node	   *v = estimate_expression_value(root, (Node *) value);

			if (!IsA(v, Const))
				continue;
			f->value = ((Const *) v)->constvalue;
			f->value_isnull = ((Const *) v)->constisnull;
		}
		nplan_filters++;
	}
	/* and every aggregated column must have a type the loops know */
	foreach(lc, ctx.aggrefs)
	{
		AggKind		kind;
		int			column;
		ValueKind	vk;

		classify_aggref(lfirst(lc), relid, &kind, &column);
		if (kind != AGG_COUNT_STAR && kind != AGG_COUNT && kind != AGG_MIN && kind != AGG_MAX)
			from_metadata = false;
		/* avg(float) states carry a sum of squares these loops do not keep */
		if (partial && (kind == AGG_COUNT_DISTINCT || kind == AGG_AVG_FLOAT))
			ok = false;
		if (column < 0)
			continue;
		row_loops++;
		if (!value_kind(TupleDescAttr(RelationGetDescr(rel), column)->atttypid, &vk))
			ok = false;
		/* distinct by value: floats' -0 and NaNs are not bytewise */
		if (kind == AGG_COUNT_DISTINCT)
		{
			if (vk == VK_FLOAT4 || vk == VK_FLOAT8)
				ok = false;
			distinct_exprs = lappend(distinct_exprs,
									 ((TargetEntry *) linitial(((Aggref *) lfirst(lc))->args))->expr);
		}
		attrs = bms_add_member(attrs, column + 1);
	}
	if (ok && nplan_filters > 0 && *read_fraction < 0 && ActiveSnapshotSet())
		*read_fraction = columnar_groups_fraction(rel, GetActiveSnapshot(), plan_filters,
												  nplan_filters);
	table_close(rel, NoLock);
	if (!ok)
		return NULL;
	/* count, min and max of whole groups come from metadata: nothing to share */
	if (partial && from_metadata && keylist == NIL)
		return NULL;

	while ((x = bms_next_member(attrs, x)) >= 0)
		attlist = lappend_int(attlist, x);

	groups = keylist == NIL ? 1 :
		estimate_num_groups(root, group_exprs, input_rel->rows, NULL, NULL);

	/*
	 * The groups live in memory to the end, with nothing to spill to: more
	 * than hash_mem would take is left to PostgreSQL's HashAggregate, which
	 * spills.
	 */
	if (keylist != NIL &&
		groups * (sizeof(AggSpec) * Max(list_length(ctx.aggrefs), 1) + GROUP_OVERHEAD +
				  output_rel->reltarget->width) > (double) get_hash_memory_limit())
		return NULL;
	/* so do the distinct values: (group, value) pairs, slots half full */
	foreach(lc, distinct_exprs)
	{
		double		pairs = estimate_num_groups(root, lappend(list_copy(group_exprs), lfirst(lc)),
												input_rel->rows, NULL, NULL);

		if (pairs * 2 * sizeof(KeySlot) > (double) get_hash_memory_limit())
			return NULL;
		distinct_pairs += pairs;
	}

	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = output_rel;
	cpath->path.pathtarget = output_rel->reltarget;
	cpath->path.rows = groups;

	/*
	 * No per-row executor work: a tenth of a scan of the columns it reads,
	 * with a loop over the rows for each filter (twice for a varlena
	 * column's), aggregated column and (thrice: hash, probe, fold) GROUP BY
	 * key, over the
	 * chunk groups the filters' bounds leave.
	 */
	cost = 0.1 * (seq_page_cost * input_rel->pages * (double) Max(bms_num_members(attrs), 1) / natts +
				  cpu_operator_cost * input_rel->tuples * Max(row_loops, 1)) *
		(*read_fraction < 0 ? 1.0 : Max(*read_fraction, 0.001));
	if (partial)
	{
		int			workers = compute_parallel_worker(input_rel, input_rel->pages, -1,
													  max_parallel_workers_per_gather);
		double		divisor = workers + Max(1.0 - 0.3 * workers, 0);

		if (workers <= 0)
			return NULL;
		/* each participant claims whole stripes, as the parallel scan does */
		cpath->path.parallel_aware = true;
		cpath->path.parallel_safe = true;
		cpath->path.parallel_workers = workers;
		cpath->path.rows = keylist == NIL ? 1 :
			estimate_num_groups(root, group_exprs, input_rel->rows / divisor, NULL, NULL);

		/*
		 * A worker starts cold (catalogs, stripe metadata, memory) and
		 * joins late, while the leader has long been at work: measured,
		 * a job under about 75 ms alone gained nothing from two workers.
		 */
		cost = cost / divisor + 4 * parallel_setup_cost;
	}
	cpath->path.startup_cost = cpath->path.total_cost = cost;
	cpath->flags = 0;
	cpath->custom_paths = NIL;
	/* the relation, and how many distinct values to make room for */
	cpath->custom_private = list_make4(attlist, quals,
									   list_make2_int(relid, (int) Min(distinct_pairs, 1 << 26)),
									   group_exprs);
	cpath->methods = &agg_path_methods;
	return cpath;
}

/*
 * Plans ColumnarAgg as the whole aggregation, and as the partial one under
 * PostgreSQL's Gather and Finalize Aggregate, which combines the states
 * with the aggregates' own combine functions.  The partial plan is built
 * here whole: PostgreSQL 15 calls this hook for UPPERREL_GROUP_AGG only,
 * though it makes UPPERREL_PARTIAL_GROUP_AGG's target first.
 */
static void
columnar_create_upper_paths(PlannerInfo *root, UpperRelationKind stage,
							RelOptInfo *input_rel, RelOptInfo *output_rel, void *extra)
{
	Query	   *parse = root->parse;
	GroupPathExtraData *gextra = extra;
	CustomPath *cpath;
	RelOptInfo *partial_rel;
	Path	   *gather;
	double		groups;
	double		read_fraction = -1;

	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);
	if (stage != UPPERREL_GROUP_AGG || !columnar_enable_vectorized_agg ||
		!columnar_enable_custom_scan || !parse->hasAggs ||
		parse->groupingSets != NIL || parse->hasTargetSRFs ||
		input_rel->reloptkind != RELOPT_BASEREL)
		return;

	/* the whole aggregation (a HAVING would need a qual over its output) */
	if (parse->havingQual == NULL &&
		(cpath = make_agg_path(root, input_rel, output_rel, false, &read_fraction)) != NULL)
		add_path(output_rel, &cpath->path);

	/* in parallel, where PostgreSQL would aggregate partially itself */
	if (gextra == NULL || (gextra->flags & GROUPING_CAN_PARTIAL_AGG) == 0 ||
		!gextra->partial_costs_set || gextra->patype != PARTITIONWISE_AGGREGATE_NONE ||
		!output_rel->consider_parallel || input_rel->partial_pathlist == NIL ||
		max_parallel_workers_per_gather <= 0)
		return;
	partial_rel = fetch_upper_rel(root, UPPERREL_PARTIAL_GROUP_AGG, output_rel->relids);
	if (partial_rel->reltarget == NULL || partial_rel->reltarget->exprs == NIL ||
		(parse->groupClause != NIL && !grouping_is_hashable(parse->groupClause)))
		return;
	cpath = make_agg_path(root, input_rel, partial_rel, true, &read_fraction);
	if (cpath == NULL)
		return;
	groups = cpath->path.rows * cpath->path.parallel_workers;
	gather = (Path *) create_gather_path(root, partial_rel, &cpath->path, partial_rel->reltarget,
										 NULL, &groups);
	add_path(output_rel, (Path *)
			 create_agg_path(root, output_rel, gather, output_rel->reltarget,
							 parse->groupClause != NIL ? AGG_HASHED : AGG_PLAIN,
							 AGGSPLIT_FINAL_DESERIAL, parse->groupClause,
							 (List *) gextra->havingQual, &gextra->agg_final_costs,
							 parse->groupClause != NIL ?
							 estimate_num_groups(root, get_sortgrouplist_exprs(parse->groupClause,
																			   parse->targetList),
												 input_rel->rows, NULL, NULL) : 1));
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
	ctx.keys = NULL;
	foreach(lc, (List *) lfourth(best_path->custom_private))
		ctx.keys = bms_add_member(ctx.keys, ((Var *) lfirst(lc))->varattno);
	foreach(lc, tlist)
		collect_aggrefs((Node *) ((TargetEntry *) lfirst(lc))->expr, &ctx);
	/* the scan tuple: the GROUP BY columns, then the aggregates */
	foreach(lc, (List *) lfourth(best_path->custom_private))
		scan_tlist = lappend(scan_tlist, makeTargetEntry(copyObject(lfirst(lc)),
														 list_length(scan_tlist) + 1, NULL, false));
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
	cscan->custom_private = list_make3(linitial(best_path->custom_private),
									   copyObject(lsecond(best_path->custom_private)),
									   list_make2_int(list_length(lfourth(best_path->custom_private)),
													  lsecond_int(lthird(best_path->custom_private))));
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

/* Forget every distinct value (a new scan). */
static void
reset_distinct(ColumnarAggState *state)
{
	if (!state->any_distinct)
		return;
	MemoryContextReset(state->distinct_cxt);
	/* room for the values the planner expects, half full: no rehashing */
	state->dmask = 1023;
	while ((uint64) state->dmask + 1 < (uint64) state->distinct_expected * 2)
		state->dmask = state->dmask * 2 + 1;
	state->dslots = MemoryContextAllocExtended(state->distinct_cxt,
											   sizeof(KeySlot) * (state->dmask + 1),
											   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	state->dcount = 0;
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
	reset_distinct(state);
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

	state->nkeys = linitial_int(lthird(cscan->custom_private));
	state->distinct_expected = lsecond_int(lthird(cscan->custom_private));
	state->key_cols = palloc0(sizeof(int) * Max(state->nkeys, 1));
	state->naggs = list_length(cscan->custom_scan_tlist) - state->nkeys;
	state->aggs = palloc0(sizeof(AggSpec) * Max(state->naggs, 1));
	foreach(lc, cscan->custom_scan_tlist)
	{
		Aggref	   *aggref = (Aggref *) ((TargetEntry *) lfirst(lc))->expr;
		AggSpec    *a;

		if (foreach_current_index(lc) < state->nkeys)
		{
			/* a GROUP BY column: setrefs left its Var's varattno alone */
			state->key_cols[foreach_current_index(lc)] = ((Var *) aggref)->varattno - 1;
			continue;
		}
		a = &state->aggs[i++];

		if (!classify_aggref(aggref, 0, &a->kind, &a->column))
			elog(ERROR, "ColumnarAgg cannot compute aggregate %u", aggref->aggfnoid);
		/* a partial Aggref's type is its (serialized) transition type */
		if (DO_AGGSPLIT_SKIPFINAL(aggref->aggsplit))
		{
			if (!DO_AGGSPLIT_SERIALIZE(aggref->aggsplit) ||
				a->kind == AGG_COUNT_DISTINCT || a->kind == AGG_AVG_FLOAT)
				elog(ERROR, "ColumnarAgg cannot compute partial aggregate %u", aggref->aggfnoid);
			state->partial = true;
		}
		a->restype = aggref->aggtype;
		if (a->column >= 0 &&
			!value_kind(TupleDescAttr(RelationGetDescr(rel), a->column)->atttypid, &a->vk))
			elog(ERROR, "ColumnarAgg cannot aggregate column %d", a->column + 1);
		if (a->kind == AGG_COUNT_DISTINCT)
			state->any_distinct = true;
	}
	if (state->any_distinct)
	{
		state->distinct_cxt = AllocSetContextCreate(estate->es_query_cxt, "ColumnarAgg distinct",
													ALLOCSET_DEFAULT_SIZES);
		reset_distinct(state);
	}

	{
		List	   *quals = lsecond(cscan->custom_private);
		ListCell   *vc;

		state->filters = palloc0(sizeof(ColumnarFilter) * Max(list_length(quals), 1));
		state->filter_kinds = palloc0(sizeof(ValueKind) * Max(list_length(quals), 1));
		state->filter_holds = palloc0(sizeof(bool) * Max(list_length(quals), 1));
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
	if (state->nkeys > 0)
	{
		state->groups_cxt = AllocSetContextCreate(estate->es_query_cxt, "ColumnarAgg groups",
												  ALLOCSET_DEFAULT_SIZES);
		initStringInfo(&state->keybuf);
		state->int_key = state->nkeys == 1 &&
			TupleDescAttr(RelationGetDescr(rel), state->key_cols[0])->attbyval &&
			TupleDescAttr(RelationGetDescr(rel), state->key_cols[0])->attlen > 0;
		state->int_key_len = TupleDescAttr(RelationGetDescr(rel), state->key_cols[0])->attlen;
		reset_groups(state);
	}
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	/* a node a worker may run: workers would not see our unflushed rows */
	if (node->ss.ps.plan->parallel_safe && estate->es_plannedstmt->parallelModeNeeded)
		columnar_check_parallel(rel);
	/*
	 * The filters' values are computed when the first group is read: a
	 * parameter set by an initPlan has no value yet (initPlans are set up
	 * after this node), and the reader looks at them only then.
	 */
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

/* Fold one integer-kind value into an aggregate. */
static inline void
fold_int(AggSpec *a, int64 x)
{
	a->count++;
	a->isum += x;
	if ((a->kind == AGG_MIN || a->kind == AGG_MAX) &&
		(!a->have || (a->kind == AGG_MIN ? x < a->imm : x > a->imm)))
		a->imm = x;
	a->have = true;
}

/* Fold one float value into an aggregate, as float4pl/float8pl would. */
static inline void
fold_float(AggSpec *a, double f)
{
	a->count++;
	if (a->kind == AGG_SUM_FLOAT4)
		a->f4sum = add_float4(a->f4sum, (float4) f);
	else if (a->kind == AGG_SUM_FLOAT8 || a->kind == AGG_AVG_FLOAT)
		a->fsum = add_float8(a->fsum, f);
	else if ((a->kind == AGG_MIN || a->kind == AGG_MAX) &&
			 (!a->have || (a->kind == AGG_MIN ? float_less(f, a->fmm) : float_less(a->fmm, f))))
		a->fmm = f;
	a->have = true;
}

static inline bool
is_float(const AggSpec *a)
{
	return a->vk == VK_FLOAT4 || a->vk == VK_FLOAT8;
}

/*
 * sel[r] &= (vals[r] op c) over a chunk, compared in the column's own
 * width so that the loop vectorizes; built for AVX2 as well, chosen at load.
 */
#define DEFINE_INT_FILTER(T, NAME) \
__attribute__((target_clones("default", "avx2"))) \
static void \
NAME(const T *restrict vals, uint8 *restrict sel, uint32 rows, T c, int strategy) \
{ \
	uint32		r; \
	switch (strategy) \
	{ \
		case BTLessStrategyNumber: \
			for (r = 0; r < rows; r++) \
				sel[r] &= vals[r] < c; \
			break; \
		case BTLessEqualStrategyNumber: \
			for (r = 0; r < rows; r++) \
				sel[r] &= vals[r] <= c; \
			break; \
		case BTEqualStrategyNumber: \
			for (r = 0; r < rows; r++) \
				sel[r] &= vals[r] == c; \
			break; \
		case BTGreaterEqualStrategyNumber: \
			for (r = 0; r < rows; r++) \
				sel[r] &= vals[r] >= c; \
			break; \
		default: \
			for (r = 0; r < rows; r++) \
				sel[r] &= vals[r] > c; \
			break; \
	} \
}

DEFINE_INT_FILTER(int16, filter_int16)
DEFINE_INT_FILTER(int32, filter_int32)
DEFINE_INT_FILTER(int64, filter_int64)
#undef DEFINE_INT_FILTER

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

	/* a comparison over a chunk with no NULLs: one tight loop per shape */
	if (f->kind == COLUMNAR_FILTER_COMPARE && !f->value_isnull && !col->missing &&
		col->bitmap == NULL && vk != VK_FLOAT4 && vk != VK_FLOAT8)
	{
		int64		lo = vk == VK_INT16 ? PG_INT16_MIN : vk == VK_INT32 ? PG_INT32_MIN : PG_INT64_MIN;
		int64		hi = vk == VK_INT16 ? PG_INT16_MAX : vk == VK_INT32 ? PG_INT32_MAX : PG_INT64_MAX;
		bool		below = c < lo;

		/* a value outside the column type's range: every row alike */
		if (c < lo || c > hi)
		{
			bool		less = f->strategy == BTLessStrategyNumber ||
				f->strategy == BTLessEqualStrategyNumber;
			bool		greater = f->strategy == BTGreaterStrategyNumber ||
				f->strategy == BTGreaterEqualStrategyNumber;

			if (!(below ? greater : less))
				memset(sel, 0, col->rows);
			return;
		}
		if (vk == VK_INT16)
			filter_int16((const int16 *) col->values, sel, col->rows, (int16) c, f->strategy);
		else if (vk == VK_INT32)
			filter_int32((const int32 *) col->values, sel, col->rows, (int32) c, f->strategy);
		else
			filter_int64((const int64 *) col->values, sel, col->rows, c, f->strategy);
		return;
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

/*
 * sel[r] &= pass[code of row r] over a dictionary chunk without NULLs.
 * Where a single code passes (an equality) it is a comparison of codes,
 * which the vectorizer takes; cloned for AVX2.
 */
__attribute__((target_clones("default", "avx2")))
static void
dict_filter(const uint8 *restrict codes, uint32 width, const bool *pass, uint32 ndict,
			uint8 *restrict sel, uint32 rows)
{
	uint32		npass = 0;
	uint32		only = 0;
	uint32		d;
	uint32		r;

	for (d = 0; d < ndict; d++)
	{
		if (pass[d])
		{
			npass++;
			only = d;
		}
	}
	if (npass == ndict)
		return;
	if (npass == 0)
	{
		memset(sel, 0, rows);
		return;
	}
	if (width == 1)
	{
		uint8		c = (uint8) only;

		if (npass == 1)
			for (r = 0; r < rows; r++)
				sel[r] &= codes[r] == c;
		else
			for (r = 0; r < rows; r++)
				sel[r] &= pass[codes[r]];
	}
	else
	{
		uint16		c = (uint16) only;

		if (npass == 1)
			for (r = 0; r < rows; r++)
				sel[r] &= (uint16) (codes[2 * r] | (codes[2 * r + 1] << 8)) == c;
		else
			for (r = 0; r < rows; r++)
				sel[r] &= pass[codes[2 * r] | (codes[2 * r + 1] << 8)];
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
		/* no NULLs: one pass over the codes */
		if (!col->missing && col->bitmap == NULL)
		{
			dict_filter(col->codes, col->code_width, pass_code, col->ndict, sel, col->rows);
			pfree(pass_code);
			return;
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

/*
 * Smallest and largest of the selected values of a chunk (all when sel is
 * NULL), and how many: branch-free, vectorized, cloned for AVX2.
 */
#define DEFINE_MINMAX(T, TMIN, TMAX) \
__attribute__((target_clones("default", "avx2"))) \
static void \
minmax_##T(const T *restrict vals, const uint8 *restrict sel, uint32 rows, \
		   int64 *lo_out, int64 *hi_out, int64 *count_out) \
{ \
	T			lo = TMAX; \
	T			hi = TMIN; \
	int64		count = 0; \
	uint32		r; \
	if (sel == NULL) \
	{ \
		for (r = 0; r < rows; r++) \
		{ \
			lo = vals[r] < lo ? vals[r] : lo; \
			hi = vals[r] > hi ? vals[r] : hi; \
		} \
		count = rows; \
	} \
	else \
	{ \
		for (r = 0; r < rows; r++) \
		{ \
			T			x = vals[r]; \
			T			m = (T) -(T) sel[r];	/* all ones when selected */ \
			T			l = (T) ((x & m) | (TMAX & ~m)); \
			T			h = (T) ((x & m) | (TMIN & ~m)); \
			lo = l < lo ? l : lo; \
			hi = h > hi ? h : hi; \
			count += sel[r]; \
		} \
	} \
	*lo_out = lo; \
	*hi_out = hi; \
	*count_out = count; \
}

DEFINE_MINMAX(int16, PG_INT16_MIN, PG_INT16_MAX)
DEFINE_MINMAX(int32, PG_INT32_MIN, PG_INT32_MAX)
DEFINE_MINMAX(int64, PG_INT64_MIN, PG_INT64_MAX)
#undef DEFINE_MINMAX

/*
 * Sum and count of the selected values of a chunk (all when sel is NULL),
 * exactly, in loops the vectorizer takes: 64-bit values are split into
 * their signed high and unsigned low 32 bits, whose sums over a chunk
 * group (100,000 rows at most) cannot overflow 64 bits; narrower values
 * are summed in 64 bits.  Cloned for AVX2.
 */
__attribute__((target_clones("default", "avx2")))
static int128
sum_int64(const int64 *restrict vals, const uint8 *restrict sel, uint32 rows, int64 *count_out)
{
	int64		hi = 0;
	uint64		lo = 0;
	int64		count = 0;
	uint32		r;

	if (sel == NULL)
	{
		for (r = 0; r < rows; r++)
		{
			hi += vals[r] >> 32;
			lo += (uint32) vals[r];
		}
		count = rows;
	}
	else
	{
		for (r = 0; r < rows; r++)
		{
			int64		v = vals[r] & -(int64) sel[r];	/* a row not selected adds zero */

			hi += v >> 32;
			lo += (uint32) v;
			count += sel[r];
		}
	}
	*count_out = count;
	return (int128) hi * ((int128) 1 << 32) + (int128) lo;
}

#define DEFINE_SUM_NARROW(T) \
__attribute__((target_clones("default", "avx2"))) \
static int128 \
sum_##T(const T *restrict vals, const uint8 *restrict sel, uint32 rows, int64 *count_out) \
{ \
	int64		sum = 0; \
	int64		count = 0; \
	uint32		r; \
	if (sel == NULL) \
	{ \
		for (r = 0; r < rows; r++) \
			sum += vals[r]; \
		count = rows; \
	} \
	else \
	{ \
		for (r = 0; r < rows; r++) \
		{ \
			sum += (int64) vals[r] & -(int64) sel[r]; \
			count += sel[r]; \
		} \
	} \
	*count_out = count; \
	return sum; \
}

DEFINE_SUM_NARROW(int16)
DEFINE_SUM_NARROW(int32)
#undef DEFINE_SUM_NARROW

/* Fold the selected rows of one column into one aggregate. */
static void
accumulate(AggSpec *a, const ColumnarRawChunk *col, const uint8 *sel, uint32 rows, bool all)
{
	uint32		r;
	uint32		v = 0;

	if (col->missing)
	{
		/* a column added later: every row holds its missing value */
		if (col->missing_isnull)
			return;
		for (r = 0; r < rows; r++)
		{
			if (!all && !sel[r])
				continue;
			if (is_float(a))
				fold_float(a, a->vk == VK_FLOAT4 ? DatumGetFloat4(col->missing_value) :
						   DatumGetFloat8(col->missing_value));
			else
				fold_int(a, datum_to_int64(col->missing_value, a->vk));
		}
		return;
	}

	/* integers with no NULLs: one tight loop per shape, filtered or not */
	if (col->bitmap == NULL && !is_float(a))
	{
		bool		minmax = a->kind == AGG_MIN || a->kind == AGG_MAX;
		int128		sum = 0;
		int64		count = 0;
		int64		lo = PG_INT64_MAX;
		int64		hi = PG_INT64_MIN;

#define ACCUMULATE_LOOP(T) \
		do { \
			const T    *vals = (const T *) col->values; \
			if (minmax) \
				minmax_##T(vals, all ? NULL : sel, rows, &lo, &hi, &count); \
			else \
				sum = sum_##T(vals, all ? NULL : sel, rows, &count); \
		} while (0)

		switch (a->vk)
		{
			case VK_INT16:
				ACCUMULATE_LOOP(int16);
				break;
			case VK_INT32:
				ACCUMULATE_LOOP(int32);
				break;
			default:
				ACCUMULATE_LOOP(int64);
				break;
		}
#undef ACCUMULATE_LOOP
		a->count += count;
		a->isum += sum;
		if (minmax && count > 0)
		{
			int64		x = a->kind == AGG_MIN ? lo : hi;

			if (!a->have || (a->kind == AGG_MIN ? x < a->imm : x > a->imm))
				a->imm = x;
			a->have = true;
		}
		return;
	}
	for (r = 0; r < rows; r++)
	{
		if (col->bitmap != NULL && !columnar_bitmap_present(col->bitmap, r))
			continue;
		if (all || sel[r])
		{
			if (is_float(a))
				fold_float(a, float_at(col->values, a->vk, v));
			else
				fold_int(a, int_at(col->values, a->vk, v));
		}
		v++;
	}
}

/* A chunk's bound for a min (its least value) or a max, as an int64. */
static int64
bound_int64(const AggSpec *a, const ColumnarChunkMeta *m, Form_pg_attribute att)
{
	Datum		d = 0;

	memcpy(&d, a->kind == AGG_MIN ? m->min : m->max, att->attlen);
	return datum_to_int64(fetch_att(&d, true, att->attlen), a->vk);
}

/* Min and max of a chunk from its bounds, for types whose bounds are those. */
static void
accumulate_bounds(AggSpec *a, const ColumnarChunkMeta *m, Form_pg_attribute att)
{
	int64		x = bound_int64(a, m, att);

	if (!a->have || (a->kind == AGG_MIN ? x < a->imm : x > a->imm))
		a->imm = x;
	a->have = true;
}

/*
 * Can chunk group g hold nothing that would change a min or max found so
 * far?  Its bounds are over all its rows (deleted ones too), so the rows
 * a filter selects lie within them as well.  A running min of random keys
 * soon falls below most groups' least value: those are not even read.
 */
static bool
bounds_cannot_improve(const AggSpec *a, const ColumnarStripe *stripe, uint32 g,
					  Form_pg_attribute att)
{
	const ColumnarSkipList *sl = &stripe->skiplist;
	const ColumnarChunkMeta *m;
	int64		x;

	if (!a->have || is_float(a) || !att->attbyval || (uint32) a->column >= sl->column_count)
		return false;
	m = &sl->chunks[a->column * sl->group_count + g];
	if (!m->has_bounds)
		return m->null_count == sl->group_rows[g];	/* only NULLs */
	x = bound_int64(a, m, att);
	return a->kind == AGG_MIN ? x >= a->imm : x <= a->imm;
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

static void
check_int64(int128 v)
{
	if (v > PG_INT64_MAX || v < PG_INT64_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("bigint out of range")));
}

static Datum
final_value(AggSpec *a, bool *isnull)
{
	*isnull = false;
	switch (a->kind)
	{
		case AGG_COUNT_STAR:
		case AGG_COUNT:
		case AGG_COUNT_DISTINCT:
			return Int64GetDatum(a->count);
		case AGG_SUM_INT:
			if (a->count == 0)
				break;
			check_int64(a->isum);
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

/* sign words of a NumericVar, as numeric.c writes them */
#define SERIAL_NUMERIC_POS 0x0000
#define SERIAL_NUMERIC_NEG 0x4000

/*
 * The state of sum(int8) and avg(int8) as int8_avg_serialize writes it
 * (PostgreSQL 15): the count, then the sum as a NumericVar of base-10000
 * digits, most significant first, with 32-bit length, weight, sign and
 * scale words.  int8_avg_deserialize reads it back in the Finalize.
 */
static Datum
serialized_int128_state(int64 count, int128 sum)
{
	StringInfoData buf;
	uint16		digits[12];		/* 39 decimal digits at most: 10 of base 10000 */
	int			ndigits = 0;
	int			low = 0;
	int			i;
	uint128		u = sum < 0 ? -(uint128) sum : (uint128) sum;

	while (u != 0)
	{
		digits[ndigits++] = (uint16) (u % 10000);
		u /= 10000;
	}
	/* trailing zero digits are implied by the weight */
	while (low < ndigits && digits[low] == 0)
		low++;
	pq_begintypsend(&buf);
	pq_sendint64(&buf, count);
	pq_sendint32(&buf, ndigits - low);
	pq_sendint32(&buf, ndigits > 0 ? ndigits - 1 : 0);
	pq_sendint32(&buf, sum < 0 ? SERIAL_NUMERIC_NEG : SERIAL_NUMERIC_POS);
	pq_sendint32(&buf, 0);
	for (i = ndigits - 1; i >= low; i--)
		pq_sendint16(&buf, digits[i]);
	return PointerGetDatum(pq_endtypsend(&buf));
}

/*
 * An aggregate's transition state, as PostgreSQL's own transition
 * function would have left it and its serialization function written it.
 */
static Datum
partial_value(AggSpec *a, bool *isnull)
{
	*isnull = false;
	switch (a->kind)
	{
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			return Int64GetDatum(a->count);
		case AGG_SUM_INT:
			/* int2_sum and int4_sum: NULL until a value, then an int8 */
			if (a->count == 0)
				break;
			check_int64(a->isum);
			return Int64GetDatum((int64) a->isum);
		case AGG_SUM_INT8:
			/* int8_avg_accum's state: NULL until a row */
			if (a->count == 0)
				break;
			return serialized_int128_state(a->count, a->isum);
		case AGG_AVG_INT:
			if (a->vk == VK_INT64)
			{
				if (a->count == 0)
					break;
				return serialized_int128_state(a->count, a->isum);
			}
			else
			{
				/* int2/int4_avg_accum's int8[2] of count and sum, from {0,0} */
				Datum		elems[2];

				check_int64(a->isum);
				elems[0] = Int64GetDatum(a->count);
				elems[1] = Int64GetDatum((int64) a->isum);
				return PointerGetDatum(construct_array(elems, 2, INT8OID, sizeof(int64),
													   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
			}
		case AGG_SUM_FLOAT4:
		case AGG_SUM_FLOAT8:
		case AGG_MIN:
		case AGG_MAX:
			/* strict transition functions: the first value, then the running one */
			return final_value(a, isnull);
		case AGG_AVG_FLOAT:
		case AGG_COUNT_DISTINCT:
			elog(ERROR, "ColumnarAgg has no partial state for aggregate kind %d", (int) a->kind);
	}
	*isnull = true;
	return (Datum) 0;
}

/*
 * Which filters chunk group g's bounds show every row to pass: those are
 * neither decoded nor evaluated (a time range's inner groups).
 */
static void
settle_filters(ColumnarAggState *state, const ColumnarStripe *stripe, uint32 g)
{
	int			i;

	state->filters_hold = true;
	for (i = 0; i < state->nfilters; i++)
	{
		state->filter_holds[i] = columnar_filter_holds(state->read, stripe, g, &state->filters[i]);
		state->filters_hold &= state->filter_holds[i];
	}
}

/* Can this group's contribution to every aggregate come from metadata? */
static bool
metadata_only(ColumnarAggState *state, const ColumnarStripe *stripe, uint32 g)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	int			i;

	if (!state->filters_hold || columnar_group_deleted(state->read) != NULL)
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

/* Decode a column of the current chunk group once. */
static void
need_column(ColumnarAggState *state, ColumnarRawChunk *cols, bool *decoded, int column)
{
	if (!decoded[column])
	{
		columnar_group_raw(state->read, column, &cols[column]);
		decoded[column] = true;
	}
}

/*
 * Apply every filter to the current chunk group: state->selection marks the
 * rows that pass, and are not deleted.  Returns true when there are no
 * filters and no deleted rows (all rows pass).
 */
static bool
select_rows(ColumnarAggState *state, ColumnarRawChunk *cols, bool *decoded, uint32 rows)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	const bool *deleted = columnar_group_deleted(state->read);
	int			i;
	uint32		r;

	if (state->filters_hold && deleted == NULL)
		return true;
	if (rows > state->selection_cap)
	{
		state->selection = state->selection ? repalloc(state->selection, rows) :
			MemoryContextAlloc(state->css.ss.ps.state->es_query_cxt, rows);
		state->selection_cap = rows;
	}
	if (deleted == NULL)
		memset(state->selection, 1, rows);
	else
		for (r = 0; r < rows; r++)
			state->selection[r] = !deleted[r];
	for (i = 0; i < state->nfilters; i++)
	{
		ColumnarFilter *f = &state->filters[i];

		if (state->filter_holds[i])
			continue;
		need_column(state, cols, decoded, f->column);
		if (TupleDescAttr(desc, f->column)->attlen == -1)
			apply_varlena_filter(f, &cols[f->column], state->selection);
		else
			apply_filter(f, state->filter_kinds[i], &cols[f->column],
						 TupleDescAttr(desc, f->column)->atttypid, state->selection);
	}
	return false;
}

/* ---- GROUP BY ---- */

/* Is row r of a raw column present, and where is its value? */
static inline bool
row_present(const ColumnarRawChunk *col, uint32 r)
{
	return col->missing ? !col->missing_isnull :
		(col->bitmap == NULL || columnar_bitmap_present(col->bitmap, r));
}

static inline const char *
varlena_at(const ColumnarRawChunk *col, uint32 v)
{
	if (col->missing)
		return DatumGetPointer(col->missing_value);
	if (col->ndict > 0)
		return col->base + col->dict_offsets[columnar_dict_code(col->codes, col->code_width, v)];
	return col->base + col->value_offsets[v];
}

/*
 * The group of the current row: its key serialized as, per key column, a
 * null flag and then the value's bytes (length-prefixed for varlenas), in
 * a hash table of such keys.  A new group gets its key values copied out
 * for the output, and fresh aggregates.
 */
static uint32 new_group(ColumnarAggState *state, ColumnarRawChunk *cols, const uint32 *vpos,
						uint32 r, uint32 hash);

/* 64-bit finalizer (MurmurHash3's): every input bit reaches every output bit */
static inline uint32
hash_int64(uint64 x)
{
	x ^= x >> 33;
	x *= UINT64CONST(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64CONST(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return (uint32) x;
}

static void keyslot_add(MemoryContext cxt, struct KeySlot **slots, uint32 *mask, uint64 count,
						int64 x, uint32 hash, uint32 tag);

/* The value of row r's key (vpos: its position among present values). */
static inline int64
int_key_at(ColumnarAggState *state, const ColumnarRawChunk *col, uint32 v)
{
	if (col->missing)
		return (int64) col->missing_value;
	switch (state->int_key_len)
	{
		case 1:
			return (int64) ((const uint8 *) col->values)[v];
		case 2:
			return ((const int16 *) col->values)[v];
		case 4:
			return ((const int32 *) col->values)[v];
		default:
			return ((const int64 *) col->values)[v];
	}
}

/* The group of integer key x with this hash, found or made. */
static inline uint32
int_group(ColumnarAggState *state, ColumnarRawChunk *cols, const uint32 *vpos, uint32 r,
		  int64 x, uint32 hash)
{
	uint32		i = hash & state->int_mask;
	uint32		g;

	for (;;)
	{
		KeySlot    *slot = &state->int_slots[i];

		if (slot->tag == 0)
			break;
		if (slot->hash == hash && slot->key == x)
			return slot->tag - 1;
		i = (i + 1) & state->int_mask;
	}
	g = new_group(state, cols, vpos, r, hash);
	keyslot_add(state->groups_cxt, &state->int_slots, &state->int_mask, g, x, hash, g + 1);
	return g;
}

/*
 * Put (x, hash, tag) into a table of *mask + 1 slots that holds count
 * others; past half full the table doubles first, its slots put back.
 */
static void
keyslot_add(MemoryContext cxt, KeySlot **slots, uint32 *mask, uint64 count,
			int64 x, uint32 hash, uint32 tag)
{
	uint32		i;

	if ((count + 1) * 2 > (uint64) *mask + 1)
	{
		uint32		size = (*mask + 1) * 2;
		KeySlot    *old = *slots;
		uint32		oldsize = *mask + 1;
		uint32		j;

		*slots = MemoryContextAllocExtended(cxt, sizeof(KeySlot) * size,
											MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		*mask = size - 1;
		for (j = 0; j < oldsize; j++)
			if (old[j].tag != 0)
			{
				i = old[j].hash & *mask;
				while ((*slots)[i].tag != 0)
					i = (i + 1) & *mask;
				(*slots)[i] = old[j];
			}
		pfree(old);
	}
	i = hash & *mask;
	while ((*slots)[i].tag != 0)
		i = (i + 1) & *mask;
	(*slots)[i].key = x;
	(*slots)[i].hash = hash;
	(*slots)[i].tag = tag;
}

/*
 * The common case of one fixed-width key: hash and compare the value as an
 * integer, with no key bytes to build.  Its groups keep the value (or NULL)
 * in group_values and group_nulls for the output.
 */
static inline uint32
find_group_int(ColumnarAggState *state, ColumnarRawChunk *cols, const uint32 *vpos, uint32 r)
{
	const ColumnarRawChunk *col = &cols[state->key_cols[0]];
	int64		x;

	if (!row_present(col, r))
	{
		if (state->null_group < 0)
			state->null_group = (int32) new_group(state, cols, vpos, r, 0x9e3779b9);
		return (uint32) state->null_group;
	}
	x = int_key_at(state, col, vpos[state->key_cols[0]]);
	return int_group(state, cols, vpos, r, x, hash_int64((uint64) x));
}

static uint32
find_group(ColumnarAggState *state, ColumnarRawChunk *cols, const uint32 *vpos, uint32 r)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	StringInfo	key = &state->keybuf;
	uint32		hash;
	uint32		e;
	uint32		g;
	int			k;

	if (state->int_key)
		return find_group_int(state, cols, vpos, r);
	resetStringInfo(key);
	for (k = 0; k < state->nkeys; k++)
	{
		int			c = state->key_cols[k];
		Form_pg_attribute att = TupleDescAttr(desc, c);
		const ColumnarRawChunk *col = &cols[c];
		bool		present = row_present(col, r);

		appendStringInfoChar(key, present ? 1 : 0);
		if (!present)
			continue;
		if (att->attlen == -1)
		{
			const char *p = varlena_at(col, vpos[c]);
			uint32		len = VARSIZE_ANY_EXHDR(p);

			appendBinaryStringInfo(key, (char *) &len, sizeof(len));
			appendBinaryStringInfo(key, VARDATA_ANY(p), len);
		}
		else if (col->missing)
		{
			Datum		d = col->missing_value;

			appendBinaryStringInfo(key, (char *) &d, sizeof(d));
		}
		else
		{
			ColumnarTypeShape shape = {att->attlen, att->attalign};

			appendBinaryStringInfo(key, col->values + (size_t) vpos[c] * columnar_fixed_stride(&shape),
								   att->attlen);
		}
	}

	hash = hash_bytes((const unsigned char *) key->data, key->len);
	for (e = state->buckets[hash & (state->nbuckets - 1)]; e != 0; e = state->group_next[e - 1])
	{
		g = e - 1;
		if (state->group_hash[g] == hash && state->group_keylen[g] == (uint32) key->len &&
			memcmp(state->group_key[g], key->data, key->len) == 0)
			return g;
	}
	return new_group(state, cols, vpos, r, hash);
}

/* A new group for row r with this hash (and key bytes in keybuf, if any). */
static uint32
new_group(ColumnarAggState *state, ColumnarRawChunk *cols, const uint32 *vpos,
		  uint32 r, uint32 hash)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	StringInfo	key = &state->keybuf;
	MemoryContext old;
	uint32		g;
	int			k;

	old = MemoryContextSwitchTo(state->groups_cxt);
	if (state->ngroups == state->groups_cap)
	{
		uint32		cap = state->groups_cap * 2;

		state->group_hash = repalloc_huge(state->group_hash, sizeof(uint32) * cap);
		state->group_next = repalloc_huge(state->group_next, sizeof(uint32) * cap);
		state->group_key = repalloc_huge(state->group_key, sizeof(char *) * cap);
		state->group_keylen = repalloc_huge(state->group_keylen, sizeof(uint32) * cap);
		state->group_values = repalloc_huge(state->group_values, sizeof(Datum) * cap * Max(state->nkeys, 1));
		state->group_nulls = repalloc_huge(state->group_nulls, sizeof(bool) * cap * Max(state->nkeys, 1));
		state->group_aggs = repalloc_huge(state->group_aggs, sizeof(AggSpec) * cap * Max(state->naggs, 1));
		state->groups_cap = cap;
	}
	if (state->ngroups >= state->nbuckets)
	{
		/* keep the chains short: double the buckets and rehash */
		uint32		i;

		state->nbuckets *= 2;
		state->buckets = repalloc_huge(state->buckets, sizeof(uint32) * state->nbuckets);
		memset(state->buckets, 0, sizeof(uint32) * state->nbuckets);
		for (i = 0; i < state->ngroups; i++)
		{
			uint32		b = state->group_hash[i] & (state->nbuckets - 1);

			state->group_next[i] = state->buckets[b];
			state->buckets[b] = i + 1;
		}
	}
	g = state->ngroups++;
	state->group_hash[g] = hash;
	state->group_keylen[g] = key->len;
	state->group_key[g] = state->int_key ? NULL : memcpy(palloc(key->len + 1), key->data, key->len);
	state->group_next[g] = state->buckets[hash & (state->nbuckets - 1)];
	state->buckets[hash & (state->nbuckets - 1)] = g + 1;
	for (k = 0; k < state->nkeys; k++)
	{
		int			c = state->key_cols[k];
		Form_pg_attribute att = TupleDescAttr(desc, c);
		const ColumnarRawChunk *col = &cols[c];
		Datum	   *value = &state->group_values[g * state->nkeys + k];

		state->group_nulls[g * state->nkeys + k] = !row_present(col, r);
		if (!row_present(col, r))
			*value = (Datum) 0;
		else if (att->attlen == -1)
		{
			/* a copy: the chunk's memory goes with the next chunk group */
			const char *p = varlena_at(col, vpos[c]);
			Size		len = VARSIZE_ANY_EXHDR(p);
			struct varlena *copy = palloc(VARHDRSZ + len);

			SET_VARSIZE(copy, VARHDRSZ + len);
			memcpy(VARDATA(copy), VARDATA_ANY(p), len);
			*value = PointerGetDatum(copy);
		}
		else if (col->missing)
			*value = col->missing_value;
		else
		{
			ColumnarTypeShape shape = {att->attlen, att->attalign};

			*value = fetch_att(col->values + (size_t) vpos[c] * columnar_fixed_stride(&shape),
							   true, att->attlen);
		}
	}
	for (k = 0; k < state->naggs; k++)
	{
		AggSpec    *a = &state->group_aggs[g * state->naggs + k];

		*a = state->aggs[k];
		a->count = 0;
		a->isum = 0;
		a->fsum = 0;
		a->f4sum = 0;
		a->have = false;
	}
	MemoryContextSwitchTo(old);
	return g;
}

static void
reset_groups(ColumnarAggState *state)
{
	MemoryContext old;

	if (state->nkeys == 0)
		return;
	MemoryContextReset(state->groups_cxt);
	old = MemoryContextSwitchTo(state->groups_cxt);
	state->ngroups = 0;
	state->groups_cap = 64;
	state->nbuckets = 64;
	state->buckets = palloc0(sizeof(uint32) * state->nbuckets);
	state->group_hash = palloc(sizeof(uint32) * state->groups_cap);
	state->group_next = palloc(sizeof(uint32) * state->groups_cap);
	state->group_key = palloc(sizeof(char *) * state->groups_cap);
	state->group_keylen = palloc(sizeof(uint32) * state->groups_cap);
	state->group_values = palloc(sizeof(Datum) * state->groups_cap * state->nkeys);
	state->group_nulls = palloc(sizeof(bool) * state->groups_cap * state->nkeys);
	state->group_aggs = palloc(sizeof(AggSpec) * state->groups_cap * Max(state->naggs, 1));
	state->int_mask = 127;
	state->int_slots = palloc0(sizeof(KeySlot) * (state->int_mask + 1));
	state->null_group = -1;
	MemoryContextSwitchTo(old);
	state->emit_next = 0;
}

/*
 * count(DISTINCT): value x of aggregate a (of group tag's aggregate):
 * counted the first time it comes.
 */
static void
distinct_add(ColumnarAggState *state, AggSpec *a, uint32 tag, int64 x)
{
	uint32		hash = hash_int64((uint64) x ^ ((uint64) tag << 32));
	uint32		i = hash & state->dmask;

	for (;;)
	{
		KeySlot    *slot = &state->dslots[i];

		if (slot->tag == 0)
			break;
		if (slot->hash == hash && slot->tag == tag && slot->key == x)
			return;
		i = (i + 1) & state->dmask;
	}
	keyslot_add(state->distinct_cxt, &state->dslots, &state->dmask, state->dcount, x, hash, tag);
	state->dcount++;
	a->count++;
}

/* The present, selected values of one chunk into a count(DISTINCT). */
static void
distinct_chunk(ColumnarAggState *state, AggSpec *a, uint32 tag, const ColumnarRawChunk *col,
			   const uint8 *sel, uint32 rows, bool all)
{
	uint32		r;
	uint32		v = 0;

	for (r = 0; r < rows; r++)
	{
		bool		present = col->missing ? !col->missing_isnull :
			(col->bitmap == NULL || columnar_bitmap_present(col->bitmap, r));

		if (present && (all || sel[r]))
			distinct_add(state, a, tag, col->missing ? datum_to_int64(col->missing_value, a->vk) :
						 int_at(col->values, a->vk, v));
		if (present && !col->missing)
			v++;
	}
}

/*
 * Counts and integer sums over few groups whose rows are mixed (country,
 * event type): each row adds to a local array by its group, in four lanes
 * so that rows of one group in a row do not wait on each other's add, and
 * the groups are touched once a chunk.
 */
#define FEW_GROUPS 256

static void
few_groups_sums(AggSpec *ga, int n, int i, const uint32 *gids, const uint8 *sel,
				uint32 rows, uint32 ngroups, const char *vals, ValueKind vk, bool count_only,
				const int64 *group_rows)
{
	int64		sums[4][FEW_GROUPS];	/* narrow values; int8's high halves */
	uint64		lows[4][FEW_GROUPS];	/* int8's low halves */
	bool		split = false;
	uint32		r;
	uint32		g;
	int			lane;

	/* every aggregate's count is its group's selected rows (no NULLs here) */
	for (g = 0; g < ngroups; g++)
		ga[(size_t) g * n + i].count += group_rows[g];
	if (count_only)
		return;

	/*
	 * Sums in 64 bits: narrow values cannot overflow them over a chunk
	 * group, nor can int8 values that all fit in 32 bits; other int8s are
	 * added as their signed high and unsigned low 32 bits (see sum_int64).
	 */
	if (vk == VK_INT64)
	{
		int64		lo,
					hi,
					seen;

		minmax_int64((const int64 *) vals, NULL, rows, &lo, &hi, &seen);
		split = lo < PG_INT32_MIN || hi > PG_INT32_MAX;
	}
	for (lane = 0; lane < 4; lane++)
	{
		memset(sums[lane], 0, sizeof(int64) * ngroups);
		if (split)
			memset(lows[lane], 0, sizeof(uint64) * ngroups);
	}

	/* four rows a step, each to its own lane, where every row counts */
#define FEW_LOOP(ADD) \
	do { \
		r = 0; \
		if (sel == NULL) \
			for (; r + 4 <= rows; r += 4) \
			{ \
				uint32		r0 = r; \
				for (lane = 0; lane < 4; lane++) \
				{ \
					r = r0 + lane; \
					ADD; \
				} \
				r = r0; \
			} \
		for (; r < rows; r++) \
			if (sel == NULL || sel[r]) \
				ADD; \
	} while (0)

	if (vk == VK_INT16)
		FEW_LOOP(sums[r & 3][gids[r]] += ((const int16 *) vals)[r]);
	else if (vk == VK_INT32)
		FEW_LOOP(sums[r & 3][gids[r]] += ((const int32 *) vals)[r]);
	else if (!split)
		FEW_LOOP(sums[r & 3][gids[r]] += ((const int64 *) vals)[r]);
	else
		FEW_LOOP((sums[r & 3][gids[r]] += ((const int64 *) vals)[r] >> 32,
				  lows[r & 3][gids[r]] += (uint32) ((const int64 *) vals)[r]));
#undef FEW_LOOP

	for (g = 0; g < ngroups; g++)
	{
		int128		sum = (int128) sums[0][g] + sums[1][g] + sums[2][g] + sums[3][g];

		if (split)
			sum = sum * ((int128) 1 << 32) + (int128) lows[0][g] + lows[1][g] + lows[2][g] + lows[3][g];
		ga[(size_t) g * n + i].isum += sum;
	}
}

/*
 * A chunk group whose decoded columns have no NULLs (nor missing values):
 * every value's position is its row's.  First each selected row's group,
 * then each aggregate over its column in one tight loop; lookups and
 * updates of far-apart groups are prefetched a few rows ahead.
 */
#define GROUP_PREFETCH 32

/* The end of the run of equal keys starting at row r (width: the key's). */
static uint32
int_run_end(const char *values, int width, uint32 r, uint32 rows)
{
	uint32		end = r + 1;

#define RUN_END(T) \
	do { \
		const T    *v = (const T *) values; \
		while (end < rows && v[end] == v[r]) \
			end++; \
	} while (0)
	switch (width)
	{
		case 1:
			RUN_END(uint8);
			break;
		case 2:
			RUN_END(int16);
			break;
		case 4:
			RUN_END(int32);
			break;
		default:
			RUN_END(int64);
			break;
	}
#undef RUN_END
	return end;
}

/* Do the first rows of a chunk hold runs of four equal keys or longer? */
static bool
int_keys_in_runs(const ColumnarRawChunk *col, int width, uint32 rows)
{
	uint32		sample = Min(rows, 256);
	uint32		runs = 0;
	uint32		r = 0;

	if (col->missing || col->bitmap != NULL)
		return false;
	while (r < sample)
	{
		r = int_run_end(col->values, width, r, sample);
		runs++;
	}
	return runs * 4 <= sample;
}

static void
grouped_batch(ColumnarAggState *state, ColumnarRawChunk *cols, uint32 *vpos, uint32 rows,
			  bool all, const ColumnarRawChunk *dict_key, int32 *code_group)
{
	const uint8 *sel = all ? NULL : state->selection;
	int			kc = state->key_cols[0];
	uint32	   *gids;
	uint32		r;
	uint32		last = PG_UINT32_MAX;
	uint32		changes = 0;	/* selected rows whose group is not the last's */
	int64		group_rows[FEW_GROUPS];
	bool		few;
	int			i;
	int			k;

	if (rows > state->gids_cap)
	{
		MemoryContext cxt = state->css.ss.ps.state->es_query_cxt;

		if (state->gids != NULL)
		{
			pfree(state->gids);
			pfree(state->hashes);
			pfree(state->keys);
		}
		state->gids = MemoryContextAlloc(cxt, sizeof(uint32) * rows);
		state->hashes = MemoryContextAlloc(cxt, sizeof(uint32) * rows);
		state->keys = MemoryContextAlloc(cxt, sizeof(int64) * rows);
		state->gids_cap = rows;
	}
	gids = state->gids;

	if (dict_key != NULL)
	{
		for (r = 0; r < rows; r++)
		{
			uint32		code;

			if (sel != NULL && !sel[r])
				continue;
			code = columnar_dict_code(dict_key->codes, dict_key->code_width, r);
			if (unlikely(code_group[code] < 0))
			{
				vpos[kc] = r;
				code_group[code] = (int32) find_group(state, cols, vpos, r);
			}
			gids[r] = (uint32) code_group[code];
			changes += gids[r] != last;
			last = gids[r];
		}
	}
	else if (state->int_key && sel == NULL && int_keys_in_runs(&cols[kc], state->int_key_len, rows))
	{
		/*
		 * Every row, keys in runs (a sorted or clustered key): one lookup a
		 * run, found by comparing neighbours in the key's own width.
		 */
		const ColumnarRawChunk *col = &cols[kc];

		r = 0;
		while (r < rows)
		{
			int64		x = int_key_at(state, col, r);
			uint32		end = int_run_end(col->values, state->int_key_len, r, rows);
			uint32		g;
			uint32		j;

			vpos[kc] = r;
			g = int_group(state, cols, vpos, r, x, hash_int64((uint64) x));
			for (j = r; j < end; j++)
				gids[j] = g;
			changes++;
			r = end;
		}
	}
	else if (state->int_key)
	{
		const ColumnarRawChunk *col = &cols[kc];
		uint32	   *hashes = state->hashes;
		int64	   *keys = state->keys;
		uint32		prev_group = 0;
		int64		prev_key = 0;
		bool		have_prev = false;

		switch (state->int_key_len)
		{
			case 1:
				for (r = 0; r < rows; r++)
					keys[r] = ((const uint8 *) col->values)[r];
				break;
			case 2:
				for (r = 0; r < rows; r++)
					keys[r] = ((const int16 *) col->values)[r];
				break;
			case 4:
				for (r = 0; r < rows; r++)
					keys[r] = ((const int32 *) col->values)[r];
				break;
			default:
				memcpy(keys, col->values, sizeof(int64) * rows);
				break;
		}
		/*
		 * Every row's hash, to look up and to prefetch by; a run of one key
		 * is hashed once (its rows are looked up only where a filter skipped
		 * the rows before).
		 */
		for (r = 0; r < rows; r++)
			if (r == 0 || keys[r] != keys[r - 1])
				hashes[r] = hash_int64((uint64) keys[r]);
			else
				hashes[r] = hashes[r - 1];
		for (r = 0; r < rows; r++)
		{
			int64		x;

			if (sel != NULL && !sel[r])
				continue;
			x = keys[r];
			/* sorted or clustered keys come in runs */
			if (have_prev && x == prev_key)
			{
				gids[r] = prev_group;
				continue;
			}
			if (r + GROUP_PREFETCH < rows)
				__builtin_prefetch(&state->int_slots[hashes[r + GROUP_PREFETCH] & state->int_mask]);
			vpos[kc] = r;
			prev_group = gids[r] = int_group(state, cols, vpos, r, x, hashes[r]);
			prev_key = x;
			have_prev = true;
			changes++;
		}
	}
	else
	{
		for (r = 0; r < rows; r++)
		{
			if (sel != NULL && !sel[r])
				continue;
			for (k = 0; k < state->nkeys; k++)
				vpos[state->key_cols[k]] = r;
			gids[r] = find_group(state, cols, vpos, r);
			changes += gids[r] != last;
			last = gids[r];
		}
	}

	/*
	 * Over few groups whose rows are mixed, each group's selected rows are
	 * counted once: every aggregate's count is that (no NULLs here).
	 */
	few = changes * 4 > rows && state->ngroups <= FEW_GROUPS;
	if (few)
	{
		int64		lanes[4][FEW_GROUPS];
		uint32		g;

		memset(lanes, 0, sizeof(int64) * 4 * FEW_GROUPS);
		r = 0;
		if (sel == NULL)
			for (; r + 4 <= rows; r += 4)
			{
				lanes[0][gids[r]]++;
				lanes[1][gids[r + 1]]++;
				lanes[2][gids[r + 2]]++;
				lanes[3][gids[r + 3]]++;
			}
		for (; r < rows; r++)
			if (sel == NULL || sel[r])
				lanes[r & 3][gids[r]]++;
		for (g = 0; g < state->ngroups; g++)
			group_rows[g] = lanes[0][g] + lanes[1][g] + lanes[2][g] + lanes[3][g];
	}

	for (i = 0; i < state->naggs; i++)
	{
		const AggSpec *tmpl = &state->aggs[i];
		AggSpec    *ga = state->group_aggs;
		int			n = state->naggs;
		const char *vals = tmpl->column >= 0 ? cols[tmpl->column].values : NULL;

#define GROUP_LOOP(UPDATE) \
		for (r = 0; r < rows; r++) \
		{ \
			AggSpec    *a; \
			if (sel != NULL && !sel[r]) \
				continue; \
			if (r + GROUP_PREFETCH < rows) \
				__builtin_prefetch(&ga[(size_t) gids[r + GROUP_PREFETCH] * n + i]); \
			a = &ga[(size_t) gids[r] * n + i]; \
			UPDATE; \
		}

		/*
		 * Counts and integer sums add up a run of rows of one group in
		 * registers, and touch the group once a run, where rows come in
		 * runs (of four or more, on average).
		 */
#define GROUP_SUM_LOOP(VALUE) \
		{ \
			uint32		cur = PG_UINT32_MAX; \
			int64		count = 0; \
			int128		sum = 0; \
			for (r = 0; r < rows; r++) \
			{ \
				if (sel != NULL && !sel[r]) \
					continue; \
				if (gids[r] != cur) \
				{ \
					if (cur != PG_UINT32_MAX) \
					{ \
						ga[(size_t) cur * n + i].count += count; \
						ga[(size_t) cur * n + i].isum += sum; \
					} \
					cur = gids[r]; \
					count = 0; \
					sum = 0; \
					if (r + GROUP_PREFETCH < rows) \
						__builtin_prefetch(&ga[(size_t) gids[r + GROUP_PREFETCH] * n + i]); \
				} \
				count++; \
				sum += (VALUE); \
			} \
			if (cur != PG_UINT32_MAX) \
			{ \
				ga[(size_t) cur * n + i].count += count; \
				ga[(size_t) cur * n + i].isum += sum; \
			} \
		}

		bool		runs = changes * 4 <= rows;

		if (tmpl->kind == AGG_COUNT_DISTINCT)
		{
			for (r = 0; r < rows; r++)
				if (sel == NULL || sel[r])
					distinct_add(state, &state->group_aggs[(size_t) gids[r] * n + i],
								 gids[r] * n + i + 1, int_at(vals, tmpl->vk, r));
		}
		else if ((tmpl->kind == AGG_COUNT_STAR || tmpl->kind == AGG_COUNT) && runs)
			GROUP_SUM_LOOP(0)
		else if (few &&
				 (tmpl->kind == AGG_COUNT_STAR || tmpl->kind == AGG_COUNT ||
				  (!is_float(tmpl) && tmpl->kind != AGG_MIN && tmpl->kind != AGG_MAX)))
			few_groups_sums(ga, n, i, gids, sel, rows, (uint32) state->ngroups, vals, tmpl->vk,
							tmpl->kind == AGG_COUNT_STAR || tmpl->kind == AGG_COUNT, group_rows);
		else if (tmpl->kind == AGG_COUNT_STAR || tmpl->kind == AGG_COUNT)
			GROUP_LOOP(a->count++)
		else if (is_float(tmpl))
			GROUP_LOOP(fold_float(a, float_at(vals, tmpl->vk, r)))
		else if (tmpl->kind != AGG_MIN && tmpl->kind != AGG_MAX && runs && sel == NULL)
		{
			/*
			 * Every row, in runs of one group: each run's sum in the
			 * vectorized loop of the ungrouped path.
			 */
			uint32		start = 0;

			while (start < rows)
			{
				uint32		end = start + 1;
				AggSpec    *a = &ga[(size_t) gids[start] * n + i];
				int64		count;

				while (end < rows && gids[end] == gids[start])
					end++;
				if (tmpl->vk == VK_INT16)
					a->isum += sum_int16((const int16 *) vals + start, NULL, end - start, &count);
				else if (tmpl->vk == VK_INT32)
					a->isum += sum_int32((const int32 *) vals + start, NULL, end - start, &count);
				else
					a->isum += sum_int64((const int64 *) vals + start, NULL, end - start, &count);
				a->count += count;
				start = end;
			}
		}
		else if (tmpl->kind != AGG_MIN && tmpl->kind != AGG_MAX && runs)
		{
			/* sum and avg: fold_int's work without the min/max test */
			if (tmpl->vk == VK_INT16)
				GROUP_SUM_LOOP(((const int16 *) vals)[r])
			else if (tmpl->vk == VK_INT32)
				GROUP_SUM_LOOP(((const int32 *) vals)[r])
			else
				GROUP_SUM_LOOP(((const int64 *) vals)[r])
		}
		else if (tmpl->vk == VK_INT16)
			GROUP_LOOP(fold_int(a, ((const int16 *) vals)[r]))
		else if (tmpl->vk == VK_INT32)
			GROUP_LOOP(fold_int(a, ((const int32 *) vals)[r]))
		else
			GROUP_LOOP(fold_int(a, ((const int64 *) vals)[r]))
#undef GROUP_SUM_LOOP
#undef GROUP_LOOP
	}
}

/* GROUP BY: every selected row folds into its group's aggregates. */
static void
run_grouped(ColumnarAggState *state)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	const ColumnarStripe *stripe;
	uint32		g;
	uint32		rows;
	ColumnarRawChunk *cols = palloc0(sizeof(ColumnarRawChunk) * Max(desc->natts, 1));
	bool	   *decoded = palloc0(sizeof(bool) * Max(desc->natts, 1));
	uint32	   *vpos = palloc0(sizeof(uint32) * Max(desc->natts, 1));
	int		   *used = palloc(sizeof(int) * (desc->natts + 1));

	while (columnar_next_group(state->read, &stripe, &g, &rows))
	{
		bool		all;
		int			nused = 0;
		int			i;
		uint32		r;
		int32	   *code_group = NULL;
		const ColumnarRawChunk *dict_key = NULL;

		memset(decoded, 0, sizeof(bool) * desc->natts);
		settle_filters(state, stripe, g);
		all = select_rows(state, cols, decoded, rows);
		for (i = 0; i < state->nkeys; i++)
			need_column(state, cols, decoded, state->key_cols[i]);
		for (i = 0; i < state->naggs; i++)
			if (state->aggs[i].column >= 0)
				need_column(state, cols, decoded, state->aggs[i].column);
		for (i = 0; i < desc->natts; i++)
			if (decoded[i])
			{
				used[nused++] = i;
				vpos[i] = 0;
			}

		/* one dictionary-encoded key: look each distinct value up once */
		if (state->nkeys == 1 && cols[state->key_cols[0]].ndict > 0 &&
			!cols[state->key_cols[0]].missing)
		{
			dict_key = &cols[state->key_cols[0]];
			code_group = palloc(sizeof(int32) * dict_key->ndict);
			memset(code_group, 0xff, sizeof(int32) * dict_key->ndict);
		}

		/* no NULLs anywhere: the batch path */
		for (i = 0; i < nused; i++)
			if (cols[used[i]].missing || cols[used[i]].bitmap != NULL)
				break;
		if (i == nused)
		{
			grouped_batch(state, cols, vpos, rows, all, dict_key, code_group);
			if (code_group != NULL)
				pfree(code_group);
			continue;
		}

		for (r = 0; r < rows; r++)
		{
			if (all || state->selection[r])
			{
				uint32		grp;
				AggSpec    *aggs;

				if (dict_key != NULL && row_present(dict_key, r))
				{
					uint32		code = columnar_dict_code(dict_key->codes, dict_key->code_width,
														  vpos[state->key_cols[0]]);

					if (code_group[code] < 0)
						code_group[code] = (int32) find_group(state, cols, vpos, r);
					grp = (uint32) code_group[code];
				}
				else
					grp = find_group(state, cols, vpos, r);

				aggs = &state->group_aggs[grp * state->naggs];
				for (i = 0; i < state->naggs; i++)
				{
					AggSpec    *a = &aggs[i];
					const ColumnarRawChunk *col;

					if (a->kind == AGG_COUNT_STAR)
					{
						a->count++;
						continue;
					}
					col = &cols[a->column];
					if (!row_present(col, r))
						continue;
					if (a->kind == AGG_COUNT_DISTINCT)
						distinct_add(state, a, grp * state->naggs + i + 1,
									 col->missing ? datum_to_int64(col->missing_value, a->vk) :
									 int_at(col->values, a->vk, vpos[a->column]));
					else if (is_float(a))
						fold_float(a, col->missing ?
								   (a->vk == VK_FLOAT4 ? DatumGetFloat4(col->missing_value) : DatumGetFloat8(col->missing_value)) :
								   float_at(col->values, a->vk, vpos[a->column]));
					else if (a->kind == AGG_COUNT)
						a->count++;
					else
						fold_int(a, col->missing ? datum_to_int64(col->missing_value, a->vk) :
								 int_at(col->values, a->vk, vpos[a->column]));
				}
			}
			/* step every decoded column past this row */
			for (i = 0; i < nused; i++)
				if (!cols[used[i]].missing &&
					(cols[used[i]].bitmap == NULL || columnar_bitmap_present(cols[used[i]].bitmap, r)))
					vpos[used[i]]++;
		}
		if (code_group != NULL)
			pfree(code_group);
	}
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

		settle_filters(state, stripe, g);
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
		all = select_rows(state, cols, decoded, rows);
		for (i = 0; i < state->naggs; i++)
		{
			AggSpec    *a = &state->aggs[i];

			if (a->kind == AGG_COUNT_STAR)
			{
				uint32		r;

				if (all)
					a->count += rows;
				else
				{
					const uint8 *sel = state->selection;
					uint64		count = 0;

					for (r = 0; r < rows; r++)
						count += sel[r];
					a->count += count;
				}
				continue;
			}
			if ((a->kind == AGG_MIN || a->kind == AGG_MAX) &&
				bounds_cannot_improve(a, stripe, g, TupleDescAttr(desc, a->column)))
				continue;
			if (!decoded[a->column])
			{
				columnar_group_raw(state->read, a->column, &cols[a->column]);
				decoded[a->column] = true;
			}
			if (a->kind == AGG_COUNT_DISTINCT)
				distinct_chunk(state, a, (uint32) i + 1, &cols[a->column], state->selection, rows, all);
			else
				accumulate(a, &cols[a->column], state->selection, rows, all);
		}
	}
}

/*
 * The aggregates' values (their transition states, in the partial
 * variant) into the slot from column first on, in per-tuple memory; the
 * slot is stored.
 */
static void
emit_values(ColumnarAggState *state, AggSpec *aggs, TupleTableSlot *slot, int first)
{
	MemoryContext old = MemoryContextSwitchTo(state->css.ss.ps.ps_ExprContext->ecxt_per_tuple_memory);
	int			i;

	for (i = 0; i < state->naggs; i++)
		slot->tts_values[first + i] = state->partial ?
			partial_value(&aggs[i], &slot->tts_isnull[first + i]) :
			final_value(&aggs[i], &slot->tts_isnull[first + i]);
	MemoryContextSwitchTo(old);
	ExecStoreVirtualTuple(slot);
}

static TupleTableSlot *
agg_exec(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	int			i;

	/* the last row's numerics and states: its consumer is done with them */
	ResetExprContext(econtext);
	if (state->nkeys > 0)
	{
		uint32		g;

		if (!state->done)
		{
			state->done = true;
			columnar_evaluate_filters(state->filter_values, state->filters, state->filter_econtext);
			run_grouped(state);
			columnar_parallel_report(&state->parallel, state->read, state->groups_from_metadata);
		}
		if (state->emit_next >= state->ngroups)
			return NULL;
		g = state->emit_next++;
		ExecClearTuple(slot);
		for (i = 0; i < state->nkeys; i++)
		{
			slot->tts_values[i] = state->group_values[g * state->nkeys + i];
			slot->tts_isnull[i] = state->group_nulls[g * state->nkeys + i];
		}
		emit_values(state, &state->group_aggs[g * state->naggs], slot, state->nkeys);
	}
	else
	{
		if (state->done)
			return NULL;
		state->done = true;
		columnar_evaluate_filters(state->filter_values, state->filters, state->filter_econtext);
		run_aggregates(state);
		columnar_parallel_report(&state->parallel, state->read, state->groups_from_metadata);
		ExecClearTuple(slot);
		emit_values(state, state->aggs, slot, 0);
	}

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
	reset_groups(state);
	columnar_rescan(state->read);
}

/* ---- the partial variant's stripe counter in dynamic shared memory ---- */

static Size
agg_estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return sizeof(ColumnarParallelShared);
}

static void
agg_initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	columnar_parallel_initialize(&((ColumnarAggState *) node)->parallel,
								 ((ColumnarAggState *) node)->read, coordinate);
}

static void
agg_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	columnar_parallel_reinitialize(&((ColumnarAggState *) node)->parallel, coordinate);
}

static void
agg_initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	columnar_parallel_attach(&((ColumnarAggState *) node)->parallel,
							 ((ColumnarAggState *) node)->read, coordinate);
}

static void
agg_shutdown(CustomScanState *node)
{
	columnar_parallel_shutdown(&((ColumnarAggState *) node)->parallel);
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
	if (state->nkeys > 0)
	{
		StringInfoData keys;
		int			k;

		initStringInfo(&keys);
		for (k = 0; k < state->nkeys; k++)
			appendStringInfo(&keys, "%s%s", k > 0 ? ", " : "",
							 quote_identifier(NameStr(TupleDescAttr(desc, state->key_cols[k])->attname)));
		ExplainPropertyText("Group keys", keys.data, es);
	}
	ExplainPropertyInteger("Batch filters", NULL, state->nfilters, es);
	if (es->analyze && state->read != NULL)
	{
		/* with the workers' (a parallel plan's participants split them) */
		ExplainPropertyInteger("Chunk groups read", NULL,
							   (int64) (columnar_groups_read(state->read) + state->parallel.worker_groups[0]), es);
		ExplainPropertyInteger("Chunk groups skipped", NULL,
							   (int64) (columnar_groups_skipped(state->read) + state->parallel.worker_groups[1]), es);
		ExplainPropertyInteger("Chunk groups from metadata", NULL,
							   (int64) (state->groups_from_metadata + state->parallel.worker_groups[2]), es);
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
