/*-------------------------------------------------------------------------
 *
 * columnar_customscan.c
 *	  ColumnarScan: a scan of a strata_columnar table that reads only the
 *	  columns a query uses and skips chunk groups its quals rule out.
 *
 * A table access method's sequential scan is not told which columns the
 * query needs, so it must decode them all.  This custom scan is offered
 * beside the plain one (set_rel_pathlist_hook) and costs less in
 * proportion to the columns it leaves alone.  At execution it hands the
 * reader the set of columns to decode and, from the scan's quals, the
 * "column op value" comparisons and NULL tests that a chunk group's
 * minimum, maximum and null count can refute.  Every qual is still
 * evaluated on every row returned: skipping only ever leaves out groups
 * in which no row could pass.
 *
 * ORDER BY plain columns with a small LIMIT, over this table alone, gets a
 * top-N variant that materializes late: it reads only the sort keys (and
 * the quals' columns), keeps the best rows in a bounded heap of row
 * numbers, and fetches the whole rows of those few at the end, in order.
 * A plain Sort would decode every column of every row to throw almost all
 * of them away.
 *
 * It has no backward scan, so the planner puts a Material node under a
 * scroll cursor, and no parameterized variant yet.  Its parallel variant
 * shares a stripe counter in dynamic shared memory: each participant
 * claims whole stripes.  A parallel worker cannot see this backend's
 * unflushed rows, so while there are some, nothing over the table is
 * parallel (and a cached parallel plan that meets them raises an error).
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include <math.h>

#include "access/relation.h"
#include "access/nbtree.h"
#include "access/stratnum.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_statistic.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "lib/binaryheap.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/typcache.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/sortsupport.h"

bool		columnar_enable_custom_scan = true;

/* top-N: the best rows so far, each its sort keys and row number */
typedef struct TopNEntry
{
	uint64		row;
	Datum	   *keys;
	bool	   *nulls;
} TopNEntry;

typedef struct ColumnarScanState
{
	CustomScanState css;

	/* top-N mode (custom_private has a third element) */
	bool		topn;
	int			topn_count;		/* rows to keep */
	int			nkeys;
	AttrNumber *key_attnos;
	SortSupportData *sortkeys;
	TopNEntry  *heap;			/* the kept rows (sorted once the scan is done) */
	int			heap_size;
	bool		topn_done;
	int			topn_next;		/* next entry to return, in order */
	MemoryContext topn_cxt;
	ColumnarReadState *fetch;
	bool		topn_bound;		/* filters[nfilters] bounds the first key */

	ColumnarReadState *read;
	ColumnarParallelPart parallel;	/* the parallel variant's */
	Bitmapset  *attrs;			/* 1-based attribute numbers to decode */
	List	   *filter_quals;	/* the quals filters come from */
	ColumnarFilter *filters;
	int			nfilters;
	ExprContext *filter_econtext;
	bool		filters_ready;	/* their values computed for this scan */
} ColumnarScanState;

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

static Plan *columnar_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
								List *tlist, List *clauses, List *custom_plans);
static Node *columnar_create_state(CustomScan *cscan);
static void columnar_begin_scan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *columnar_exec_scan(CustomScanState *node);
static void columnar_end_scan(CustomScanState *node);
static void columnar_rescan_scan(CustomScanState *node);
static void columnar_explain_scan(CustomScanState *node, List *ancestors, ExplainState *es);
static Size columnar_estimate_dsm(CustomScanState *node, ParallelContext *pcxt);
static void columnar_initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate);
static void columnar_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate);
static void columnar_initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate);
static void columnar_shutdown_scan(CustomScanState *node);

static const CustomPathMethods path_methods = {
	.CustomName = "ColumnarScan",
	.PlanCustomPath = columnar_plan_path,
};

static const CustomScanMethods scan_methods = {
	.CustomName = "ColumnarScan",
	.CreateCustomScanState = columnar_create_state,
};

static const CustomExecMethods exec_methods = {
	.CustomName = "ColumnarScan",
	.BeginCustomScan = columnar_begin_scan,
	.ExecCustomScan = columnar_exec_scan,
	.EndCustomScan = columnar_end_scan,
	.ReScanCustomScan = columnar_rescan_scan,
	.ExplainCustomScan = columnar_explain_scan,
	.EstimateDSMCustomScan = columnar_estimate_dsm,
	.InitializeDSMCustomScan = columnar_initialize_dsm,
	.ReInitializeDSMCustomScan = columnar_reinitialize_dsm,
	.InitializeWorkerCustomScan = columnar_initialize_worker,
	.ShutdownCustomScan = columnar_shutdown_scan,
};

/* The user columns a relation's target list and quals refer to. */
static Bitmapset *
needed_attrs(RelOptInfo *rel, int natts)
{
	Bitmapset  *varattnos = NULL;
	Bitmapset  *attrs = NULL;
	ListCell   *lc;
	int			x = -1;

	pull_varattnos((Node *) rel->reltarget->exprs, rel->relid, &varattnos);
	foreach(lc, rel->baserestrictinfo)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, rel->relid, &varattnos);

	while ((x = bms_next_member(varattnos, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;

		if (attno == 0)
		{
			/* a whole-row reference needs every column */
			int			i;

			for (i = 1; i <= natts; i++)
				attrs = bms_add_member(attrs, i);
		}
		else if (attno > 0)
			attrs = bms_add_member(attrs, attno);
	}
	return attrs;
}

/*
 * The top-N path: when the query is ORDER BY columns of this table with a
 * LIMIT known at planning, over this table alone and nothing else (no
 * grouping, aggregates, windows, DISTINCT, row locks or set-returning
 * functions), a ColumnarScan that returns the LIMIT's rows already sorted.
 */
#define TOPN_MAX_ROWS 10000

/*
 * The share of chunk groups the first pass of a top-N scan reads.  Once it
 * holds k rows, a group whose bounds cannot beat the worst of them is
 * skipped.  Where the first key's values are in no order, the i-th group
 * can beat it with chance about k/i, so k(1 + ln(n/k)) of n groups are
 * read; rows stored in the key's order need the first few groups, rows in
 * the reverse order every one.  The statistics' correlation blends these.
 */
static double
topn_read_fraction(PlannerInfo *root, RelOptInfo *rel, Var *first_key, bool descending)
{
	VariableStatData vardata;
	double		correlation = 0;
	double		groups = Max(rel->tuples / columnar_chunk_group_row_limit, 1.0);
	double		selectivity = rel->tuples > 0 ? Min(rel->rows / rel->tuples, 1.0) : 1.0;
	double		k = root->limit_tuples;
	double		unordered;
	double		ordered;

	examine_variable(root, (Node *) first_key, rel->relid, &vardata);
	if (HeapTupleIsValid(vardata.statsTuple))
	{
		AttStatsSlot sslot;

		if (get_attstatsslot(&sslot, vardata.statsTuple, STATISTIC_KIND_CORRELATION,
							 InvalidOid, ATTSTATSSLOT_NUMBERS))
		{
			if (sslot.nnumbers == 1)
				correlation = sslot.numbers[0];
			free_attstatsslot(&sslot);
		}
	}
	ReleaseVariableStats(vardata);
	if (descending)
		correlation = -correlation;
	correlation = Max(Min(correlation, 1.0), -1.0);

	unordered = k >= groups ? 1.0 : Min(k * (1 + log(groups / k)) / groups, 1.0);
	/* in order: the groups holding the first k qualifying rows */
	ordered = Min((k / Max(selectivity, 1e-9) / columnar_chunk_group_row_limit + 1) / groups, 1.0);
	if (correlation >= 0)
		return correlation * ordered + (1 - correlation) * unordered;
	return unordered + (-correlation) * (1 - unordered);
}

static void
add_topn_path(PlannerInfo *root, RelOptInfo *rel, Bitmapset *attrs, int natts)
{
	Query	   *parse = root->parse;
	List	   *keys = NIL;
	Bitmapset  *scan_attrs = NULL;
	List	   *scan_attlist = NIL;
	List	   *attlist = NIL;
	ListCell   *lc;
	CustomPath *path;
	QualCost	qcost;
	double		fraction;
	double		read;
	Var		   *first_key = NULL;
	bool		descending = false;
	int			x = -1;

	if (root->query_pathkeys == NIL || root->limit_tuples <= 0 ||
		root->limit_tuples > TOPN_MAX_ROWS ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		rel->reloptkind != RELOPT_BASEREL ||
		parse->groupClause != NIL || parse->groupingSets != NIL || parse->hasAggs ||
		parse->hasWindowFuncs || parse->distinctClause != NIL || parse->rowMarks != NIL ||
		parse->hasTargetSRFs || parse->setOperations != NULL || root->hasHavingQual ||
		!pathkeys_contained_in(root->query_pathkeys, root->sort_pathkeys) ||
		!pathkeys_contained_in(root->sort_pathkeys, root->query_pathkeys))
		return;

	/* every sort key a plain column of this table, sorted by a btree operator */
	foreach(lc, root->query_pathkeys)
	{
		PathKey    *pk = lfirst(lc);
		EquivalenceClass *ec = pk->pk_eclass;
		Var		   *var = NULL;
		Oid			sortop = InvalidOid;
		ListCell   *mc;

		if (ec->ec_has_volatile)
			return;
		foreach(mc, ec->ec_members)
		{
			EquivalenceMember *em = lfirst(mc);
			Expr	   *e = em->em_expr;

			while (e && IsA(e, RelabelType))
				e = ((RelabelType *) e)->arg;
			if (e && IsA(e, Var) && ((Var *) e)->varno == rel->relid &&
				((Var *) e)->varattno > 0 && ((Var *) e)->varlevelsup == 0)
			{
				var = (Var *) e;
				sortop = get_opfamily_member(pk->pk_opfamily, em->em_datatype,
											 em->em_datatype, pk->pk_strategy);
				break;
			}
		}
		if (var == NULL || !OidIsValid(sortop))
			return;
		if (first_key == NULL)
		{
			first_key = var;
			descending = pk->pk_strategy == BTGreaterStrategyNumber;
		}
		keys = lappend(keys, list_make4_int(var->varattno, (int) sortop,
											(int) ec->ec_collation, pk->pk_nulls_first ? 1 : 0));
		scan_attrs = bms_add_member(scan_attrs, var->varattno);
	}

	/* the first pass reads the keys and what the quals need */
	foreach(lc, rel->baserestrictinfo)
	{
		Bitmapset  *varattnos = NULL;
		int			v = -1;

		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, rel->relid, &varattnos);
		while ((v = bms_next_member(varattnos, v)) >= 0)
		{
			AttrNumber	attno = v + FirstLowInvalidHeapAttributeNumber;

			if (attno == 0)
				return;			/* a whole-row reference: nothing to gain */
			if (attno > 0)
				scan_attrs = bms_add_member(scan_attrs, attno);
		}
	}
	while ((x = bms_next_member(scan_attrs, x)) >= 0)
		scan_attlist = lappend_int(scan_attlist, x);
	x = -1;
	while ((x = bms_next_member(attrs, x)) >= 0)
		attlist = lappend_int(attlist, x);

	fraction = natts > 0 ? (double) bms_num_members(scan_attrs) / natts : 1.0;
	cost_qual_eval(&qcost, rel->baserestrictinfo, root);
	path = makeNode(CustomPath);
	path->path.pathtype = T_CustomScan;
	path->path.parent = rel;
	path->path.pathtarget = rel->reltarget;
	path->path.param_info = NULL;
	path->path.rows = Min(rel->rows, root->limit_tuples);
	/*
	 * All the work is done before the first row comes out: reading the
	 * groups the bound does not skip, and a look at every group's bounds.
	 */
	read = topn_read_fraction(root, rel, first_key, descending);
	path->path.startup_cost = 0.9 * (qcost.startup +
									 (seq_page_cost * rel->pages * fraction +
									  (cpu_tuple_cost + qcost.per_tuple +
									   cpu_operator_cost * list_length(keys)) * rel->tuples) * read +
									 cpu_operator_cost * rel->tuples / columnar_chunk_group_row_limit);
	path->path.total_cost = path->path.startup_cost + random_page_cost * path->path.rows;
	path->path.parallel_safe = false;
	path->path.pathkeys = root->query_pathkeys;
	path->flags = 0;
	path->custom_private = list_make3(attlist, scan_attlist,
									  lcons(makeInteger((int) root->limit_tuples), keys));
	path->methods = &path_methods;
	add_path(rel, &path->path);
}

static void
columnar_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	Relation	relation;
	CustomPath *cpath;
	Bitmapset  *attrs;
	int			natts;
	double		fraction;
	QualCost	qcost;
	List	   *attlist = NIL;
	int			x = -1;
	bool		columnar;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);
	if (rte->rtekind != RTE_RELATION || rte->relkind != RELKIND_RELATION ||
		(rel->reloptkind != RELOPT_BASEREL && rel->reloptkind != RELOPT_OTHER_MEMBER_REL))
		return;
	relation = table_open(rte->relid, NoLock);
	columnar = relation->rd_tableam == columnar_tableam();
	natts = RelationGetDescr(relation)->natts;
	table_close(relation, NoLock);
	if (!columnar)
		return;

	/*
	 * A parallel worker cannot see this backend's unflushed rows: while
	 * there are some, no path over the table may run in one, not even the
	 * plain scan (as the inner side of a parallel join).
	 */
	if (columnar_has_pending(rte->relid))
	{
		ListCell   *plc;

		rel->consider_parallel = false;
		rel->partial_pathlist = NIL;
		foreach(plc, rel->pathlist)
			((Path *) lfirst(plc))->parallel_safe = false;
	}

	/* a TABLESAMPLE scan must stay the SampleScan the planner made */
	if (!columnar_enable_custom_scan || rte->inh || rte->tablesample != NULL)
		return;

	attrs = needed_attrs(rel, natts);
	while ((x = bms_next_member(attrs, x)) >= 0)
		attlist = lappend_int(attlist, x);

	/*
	 * Reading fewer columns reads proportionally fewer pages; and even when
	 * it reads them all it does no more than the plain scan, so it is
	 * priced 10% lower, beyond add_path's fuzz factor, to win the tie.
	 */
	fraction = natts > 0 ? Max((double) bms_num_members(attrs), 0.5) / natts : 1.0;
	cost_qual_eval(&qcost, rel->baserestrictinfo, root);

	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = rel;
	cpath->path.pathtarget = rel->reltarget;
	cpath->path.param_info = NULL;
	cpath->path.rows = rel->rows;
	cpath->path.startup_cost = qcost.startup;
	cpath->path.total_cost = 0.9 * (qcost.startup + seq_page_cost * rel->pages * fraction +
									 (cpu_tuple_cost + qcost.per_tuple) * rel->tuples);
	cpath->path.parallel_safe = rel->consider_parallel;
	cpath->flags = 0;
	cpath->custom_private = list_make1(attlist);
	cpath->methods = &path_methods;

	/*
	 * The parallel variant, in which the workers and the leader each take
	 * stripes.  Made from cpath before add_path(), which frees a path it
	 * finds dominated.
	 */
	if (rel->consider_parallel && max_parallel_workers_per_gather > 0)
	{
		int			workers = compute_parallel_worker(rel, rel->pages, -1,
													  max_parallel_workers_per_gather);

		if (workers > 0)
		{
			CustomPath *ppath = makeNode(CustomPath);
			double		divisor = workers + Max(1.0 - 0.3 * workers, 0);

			memcpy(ppath, cpath, sizeof(CustomPath));
			ppath->path.parallel_aware = true;
			ppath->path.parallel_safe = true;
			ppath->path.parallel_workers = workers;
			ppath->path.rows = clamp_row_est(rel->rows / divisor);
			ppath->path.total_cost = cpath->path.startup_cost +
				(cpath->path.total_cost - cpath->path.startup_cost) / divisor;
			add_partial_path(rel, &ppath->path);
		}
	}
	add_path(rel, &cpath->path);
	add_topn_path(root, rel, attrs, natts);
}

static Plan *
columnar_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				   List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	List	   *quals = extract_actual_clauses(clauses, false);

	cscan->flags = best_path->flags;
	cscan->methods = &scan_methods;
	cscan->scan.scanrelid = rel->relid;
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = quals;
	/* a copy the executor turns into filters; setrefs fixes its Vars too */
	cscan->custom_exprs = copyObject(quals);
	cscan->custom_private = best_path->custom_private;
	return &cscan->scan.plan;
}

static Node *
columnar_create_state(CustomScan *cscan)
{
	ColumnarScanState *state = palloc0(sizeof(ColumnarScanState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &exec_methods;
	return (Node *) state;
}

/*
 * Turn "Var op expr" (or "expr op Var") into a filter when op is a btree
 * comparison of the column type's default operator family, the other side
 * does not reference the table, and the collations agree with the bounds.
 */
static bool
make_compare_filter(Relation rel, OpExpr *op, Index scanrelid, ColumnarFilter *f,
					Expr **value_expr)
{
	Node	   *left,
			   *right;
	Var		   *var;
	Expr	   *other;
	bool		var_left;
	Form_pg_attribute att;
	Oid			opclass;
	Oid			opfamily;
	Oid			cmpproc;
	int			strategy;

	if (list_length(op->args) != 2)
		return false;
	left = strip_implicit_coercions(linitial(op->args));
	right = strip_implicit_coercions(lsecond(op->args));
	/* scanrelid 0: the qual is known to be on this table, under any varno */
	if (IsA(left, Var) && (scanrelid == 0 || ((Var *) left)->varno == scanrelid) &&
		!contain_var_clause(right))
	{
		var = (Var *) left;
		other = lsecond(op->args);
		var_left = true;
	}
	else if (IsA(right, Var) && (scanrelid == 0 || ((Var *) right)->varno == scanrelid) &&
			 !contain_var_clause(left))
	{
		var = (Var *) right;
		other = linitial(op->args);
		var_left = false;
	}
	else
		return false;
	/* the bounds are in the column's type: no coercion may stand between */
	if (exprType(var_left ? linitial(op->args) : lsecond(op->args)) != var->vartype)
		return false;
	if (var->varattno <= 0 || var->varattno > RelationGetDescr(rel)->natts ||
		contain_volatile_functions((Node *) other))
		return false;
	att = TupleDescAttr(RelationGetDescr(rel), var->varattno - 1);
	if (att->attisdropped || att->atttypid != var->vartype ||
		(OidIsValid(att->attcollation) && op->inputcollid != att->attcollation))
		return false;

	opclass = GetDefaultOpClass(att->atttypid, BTREE_AM_OID);
	if (!OidIsValid(opclass))
		return false;
	opfamily = get_opclass_family(opclass);
	strategy = get_op_opfamily_strategy(op->opno, opfamily);
	if (strategy == 0)
		return false;
	if (!var_left)
		strategy = BTCommuteStrategyNumber(strategy);
	cmpproc = get_opfamily_proc(opfamily, att->atttypid, exprType((Node *) other), BTORDER_PROC);
	if (!OidIsValid(cmpproc))
		return false;

	f->kind = COLUMNAR_FILTER_COMPARE;
	f->column = var->varattno - 1;
	f->strategy = strategy;
	f->collation = att->attcollation;
	fmgr_info(cmpproc, &f->cmp);
	fmgr_info(get_opcode(op->opno), &f->opfn);
	f->inputcollid = op->inputcollid;
	f->var_left = var_left;
	*value_expr = other;
	return true;
}

static bool
make_null_filter(Relation rel, NullTest *nt, Index scanrelid, ColumnarFilter *f)
{
	Var		   *var = (Var *) nt->arg;

	if (!IsA(var, Var) || (scanrelid != 0 && var->varno != scanrelid) || var->varattno <= 0 ||
		nt->argisrow || var->varattno > RelationGetDescr(rel)->natts)
		return false;
	f->kind = nt->nulltesttype == IS_NULL ? COLUMNAR_FILTER_IS_NULL : COLUMNAR_FILTER_IS_NOT_NULL;
	f->column = var->varattno - 1;
	return true;
}

/* A filter from a qual, if the qual is one of the two shapes above. */
bool
make_columnar_filter(Relation rel, Node *qual, Index scanrelid, ColumnarFilter *f,
					 Expr **value_expr)
{
	*value_expr = NULL;
	memset(f, 0, sizeof(*f));
	if (IsA(qual, OpExpr))
		return make_compare_filter(rel, (OpExpr *) qual, scanrelid, f, value_expr);
	if (IsA(qual, NullTest))
		return make_null_filter(rel, (NullTest *) qual, scanrelid, f);
	return false;
}

/*
 * (Re)compute the filters' values, one ExprState per filter (NULL for a
 * NULL test) in values: parameters may change on a rescan.  Shared with
 * ColumnarAgg.
 */
void
columnar_evaluate_filters(List *values, ColumnarFilter *filters, ExprContext *econtext)
{
	ListCell   *lc;
	int			i = 0;

	ResetExprContext(econtext);
	foreach(lc, values)
	{
		ExprState  *value = lfirst(lc);
		ColumnarFilter *f = &filters[i++];

		if (value != NULL)
			f->value = ExecEvalExprSwitchContext(value, econtext, &f->value_isnull);
	}
}

/*
 * Top-N skips a chunk group once the kept rows are all better than its
 * best first key: a filter "key <= worst kept" (">=" descending), whose
 * value follows the worst kept row.  Only where the chunk bounds speak
 * of the sort order (the column's default btree order and collation).
 * When NULLs sort first, a group's NULLs (which are not in its bounds)
 * keep it from being skipped.
 */
static void
topn_prepare_bound(ColumnarScanState *state, Relation rel, Oid sortop)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), state->key_attnos[0] - 1);
	SortSupport ssup = &state->sortkeys[0];
	ColumnarFilter *f = &state->filters[state->nfilters];
	Oid			opclass = GetDefaultOpClass(att->atttypid, BTREE_AM_OID);
	Oid			opfamily;
	Oid			opcintype;
	Oid			cmpproc;
	int16		strategy;

	if (!OidIsValid(opclass) ||
		!get_ordering_op_properties(sortop, &opfamily, &opcintype, &strategy) ||
		opfamily != get_opclass_family(opclass) ||
		(OidIsValid(att->attcollation) && ssup->ssup_collation != att->attcollation))
		return;
	cmpproc = get_opfamily_proc(opfamily, att->atttypid, att->atttypid, BTORDER_PROC);
	if (!OidIsValid(cmpproc))
		return;
	memset(f, 0, sizeof(ColumnarFilter));
	f->kind = COLUMNAR_FILTER_COMPARE;
	f->column = state->key_attnos[0] - 1;
	f->strategy = strategy == BTLessStrategyNumber ? BTLessEqualStrategyNumber :
		BTGreaterEqualStrategyNumber;
	f->collation = att->attcollation;
	f->keep_nulls = ssup->ssup_nulls_first;
	fmgr_info(cmpproc, &f->cmp);
	state->topn_bound = true;
	columnar_order_stripes(state->read, f);
}

/* Point the bound at the worst kept row's first key (the heap is full). */
static void
topn_tighten(ColumnarScanState *state, const TopNEntry *worst)
{
	ColumnarFilter *f = &state->filters[state->nfilters];

	if (!state->topn_bound || worst->nulls[0])
		return;
	f->value = worst->keys[0];
	f->value_isnull = false;
	columnar_set_filters(state->read, state->filters, state->nfilters + 1);
}

static void
columnar_begin_scan(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	List	   *attlist = linitial(cscan->custom_private);
	ListCell   *lc;
	Oid			first_sortop = InvalidOid;

	if (list_length(cscan->custom_private) == 3)
	{
		/* top-N: the first pass reads the keys and the quals' columns */
		List	   *topn = lthird(cscan->custom_private);
		int			k = 0;

		state->topn = true;
		attlist = lsecond(cscan->custom_private);
		state->topn_count = intVal(linitial(topn));
		state->nkeys = list_length(topn) - 1;
		state->key_attnos = palloc(sizeof(AttrNumber) * state->nkeys);
		state->sortkeys = palloc0(sizeof(SortSupportData) * state->nkeys);
		for_each_from(lc, topn, 1)
		{
			List	   *key = lfirst(lc);
			SortSupport ssup = &state->sortkeys[k];

			state->key_attnos[k] = (AttrNumber) linitial_int(key);
			ssup->ssup_cxt = CurrentMemoryContext;
			/* (attno, sort operator, collation, nulls first) */
			ssup->ssup_collation = (Oid) lthird_int(key);
			ssup->ssup_nulls_first = lfourth_int(key) != 0;
			ssup->abbreviate = false;
			PrepareSortSupportFromOrderingOp((Oid) lsecond_int(key), ssup);
			if (k == 0)
				first_sortop = (Oid) lsecond_int(key);
			k++;
		}
		state->heap = palloc0(sizeof(TopNEntry) * Max(state->topn_count, 1));
		state->topn_cxt = AllocSetContextCreate(CurrentMemoryContext, "ColumnarScan top-N",
												ALLOCSET_DEFAULT_SIZES);
	}
	foreach(lc, attlist)
		state->attrs = bms_add_member(state->attrs, lfirst_int(lc));
	/* an empty set would mean "all columns" to the reader: read the first */
	if (state->attrs == NULL && RelationGetDescr(rel)->natts > 0)
		state->attrs = bms_make_singleton(1);

	/* one more for top-N's bound on its first key */
	state->filters = palloc0(sizeof(ColumnarFilter) * (list_length(cscan->custom_exprs) + 1));
	state->filter_econtext = CreateExprContext(estate);
	foreach(lc, cscan->custom_exprs)
	{
		Node	   *qual = lfirst(lc);
		ColumnarFilter *f = &state->filters[state->nfilters];
		Expr	   *value = NULL;

		if (make_columnar_filter(rel, qual, cscan->scan.scanrelid, f, &value))
		{
			state->filter_quals = lappend(state->filter_quals,
										  value ? ExecInitExpr(value, &node->ss.ps) : NULL);
			state->nfilters++;
		}
	}

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	/* a node a worker may run: workers would not see our unflushed rows */
	if (node->ss.ps.plan->parallel_safe && estate->es_plannedstmt->parallelModeNeeded)
		columnar_check_parallel(rel);
	/*
	 * The filters' values wait for the first row: a parameter set by an
	 * initPlan has no value yet (initPlans are set up after this node).
	 */
	state->read = columnar_begin_read(rel, estate->es_snapshot, state->attrs);
	columnar_set_filters(state->read, state->filters, state->nfilters);
	if (state->topn)
		topn_prepare_bound(state, rel, first_sortop);
}

/* ---- the parallel variant: a stripe counter in dynamic shared memory ---- */

static Size
columnar_estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return sizeof(ColumnarParallelShared);
}

static void
columnar_initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	columnar_parallel_initialize(&((ColumnarScanState *) node)->parallel,
								 ((ColumnarScanState *) node)->read, coordinate);
}

static void
columnar_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	columnar_parallel_reinitialize(&((ColumnarScanState *) node)->parallel, coordinate);
}

static void
columnar_initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	columnar_parallel_attach(&((ColumnarScanState *) node)->parallel,
							 ((ColumnarScanState *) node)->read, coordinate);
}

static void
columnar_shutdown_scan(CustomScanState *node)
{
	columnar_parallel_shutdown(&((ColumnarScanState *) node)->parallel);
}

static TupleTableSlot *
columnar_next(ScanState *ss)
{
	ColumnarScanState *state = (ColumnarScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;

	if (!columnar_read_next(state->read, slot))
		return ExecClearTuple(slot);
	return slot;
}

static bool
columnar_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

/* <0 when a sorts before b */
static int
topn_compare(ColumnarScanState *state, const TopNEntry *a, const TopNEntry *b)
{
	int			i;

	for (i = 0; i < state->nkeys; i++)
	{
		int			c = ApplySortComparator(a->keys[i], a->nulls[i], b->keys[i], b->nulls[i],
											&state->sortkeys[i]);

		if (c != 0)
			return c;
	}
	/* ties in row order, so that the result does not depend on the heap */
	return a->row < b->row ? -1 : (a->row > b->row ? 1 : 0);
}

/* binaryheap's order: the worst entry (the one that sorts last) first */
static int
topn_heap_cmp(Datum a, Datum b, void *arg)
{
	return topn_compare((ColumnarScanState *) arg, (const TopNEntry *) DatumGetPointer(a),
						(const TopNEntry *) DatumGetPointer(b));
}

static void
topn_set(ColumnarScanState *state, TopNEntry *e, TupleTableSlot *slot)
{
	TupleDesc	desc = slot->tts_tupleDescriptor;
	MemoryContext old = MemoryContextSwitchTo(state->topn_cxt);
	int			i;

	if (e->keys == NULL)
	{
		e->keys = palloc0(sizeof(Datum) * state->nkeys);
		e->nulls = palloc0(sizeof(bool) * state->nkeys);
	}
	for (i = 0; i < state->nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, state->key_attnos[i] - 1);

		if (!att->attbyval && !e->nulls[i] && e->keys[i] != (Datum) 0)
			pfree(DatumGetPointer(e->keys[i]));
		e->nulls[i] = slot->tts_isnull[state->key_attnos[i] - 1];
		e->keys[i] = e->nulls[i] ? (Datum) 0 :
			datumCopy(slot->tts_values[state->key_attnos[i] - 1], att->attbyval, att->attlen);
	}
	e->row = columnar_tid_to_row(&slot->tts_tid);
	MemoryContextSwitchTo(old);
}

static int
topn_qsort_cmp(const void *a, const void *b, void *arg)
{
	return topn_compare((ColumnarScanState *) arg, (const TopNEntry *) a, (const TopNEntry *) b);
}

/* The first pass: rank every row that passes the quals by its keys alone. */
static void
topn_collect(ColumnarScanState *state)
{
	ScanState  *ss = &state->css.ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	ExprContext *econtext = ss->ps.ps_ExprContext;
	TopNEntry	candidate;
	binaryheap *worst = binaryheap_allocate(Max(state->topn_count, 1), topn_heap_cmp, state);

	memset(&candidate, 0, sizeof(candidate));
	while (columnar_read_next(state->read, slot))
	{
		TopNEntry  *top;

		CHECK_FOR_INTERRUPTS();
		ResetExprContext(econtext);
		econtext->ecxt_scantuple = slot;
		if (ss->ps.qual != NULL && !ExecQual(ss->ps.qual, econtext))
			continue;
		slot_getallattrs(slot);
		if (state->heap_size < state->topn_count)
		{
			topn_set(state, &state->heap[state->heap_size], slot);
			binaryheap_add(worst, PointerGetDatum(&state->heap[state->heap_size]));
			state->heap_size++;
			if (state->heap_size == state->topn_count)
				topn_tighten(state, (TopNEntry *) DatumGetPointer(binaryheap_first(worst)));
			continue;
		}
		if (state->topn_count == 0)
			break;
		/* better than the worst kept?  Then it takes the worst's place */
		topn_set(state, &candidate, slot);
		top = (TopNEntry *) DatumGetPointer(binaryheap_first(worst));
		if (topn_compare(state, &candidate, top) < 0)
		{
			TopNEntry	tmp = *top;

			*top = candidate;
			candidate = tmp;
			binaryheap_replace_first(worst, PointerGetDatum(top));
			topn_tighten(state, (TopNEntry *) DatumGetPointer(binaryheap_first(worst)));
		}
	}
	binaryheap_free(worst);
	qsort_arg(state->heap, state->heap_size, sizeof(TopNEntry), topn_qsort_cmp, state);
	state->topn_done = true;
	state->topn_next = 0;
}

/* The second pass: the whole rows of the winners, in order. */
static TupleTableSlot *
topn_next(ColumnarScanState *state)
{
	ScanState  *ss = &state->css.ss;
	EState	   *estate = ss->ps.state;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	ExprContext *econtext = ss->ps.ps_ExprContext;

	if (!state->topn_done)
		topn_collect(state);
	if (state->fetch == NULL)
		state->fetch = columnar_begin_fetch(ss->ss_currentRelation, estate->es_snapshot);
	while (state->topn_next < state->heap_size)
	{
		uint64		row = state->heap[state->topn_next++].row;

		/* the same snapshot saw it in the first pass */
		if (!columnar_fetch_row(state->fetch, row, slot))
			elog(ERROR, "strata_columnar could not fetch row %llu it ranked",
				 (unsigned long long) row);
		if (ss->ps.ps_ProjInfo == NULL)
			return slot;
		ResetExprContext(econtext);
		econtext->ecxt_scantuple = slot;
		return ExecProject(ss->ps.ps_ProjInfo);
	}
	return NULL;
}

static TupleTableSlot *
columnar_exec_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (!state->filters_ready)
	{
		columnar_evaluate_filters(state->filter_quals, state->filters, state->filter_econtext);
		state->filters_ready = true;
	}
	if (state->topn)
		return topn_next(state);
	return ExecScan(&node->ss, columnar_next, columnar_recheck);
}

static void
columnar_end_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	/* a worker's scan ends before its queue closes, so the leader sees this */
	columnar_parallel_report(&state->parallel, state->read, 0);
	if (state->read != NULL)
		columnar_end_read(state->read);
	if (state->fetch != NULL)
		columnar_end_read(state->fetch);
}

static void
columnar_rescan_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	state->filters_ready = false;
	columnar_rescan(state->read);
	if (state->topn)
	{
		MemoryContextReset(state->topn_cxt);
		memset(state->heap, 0, sizeof(TopNEntry) * Max(state->topn_count, 1));
		state->heap_size = 0;
		state->topn_done = false;
		/* the bound pointed into the kept rows */
		columnar_set_filters(state->read, state->filters, state->nfilters);
	}
	ExecScanReScan(&node->ss);
}

static void
columnar_explain_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);
	StringInfoData cols;
	int			x = -1;

	initStringInfo(&cols);
	while ((x = bms_next_member(state->attrs, x)) >= 0)
		appendStringInfo(&cols, "%s%s", cols.len > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, x - 1)->attname)));
	ExplainPropertyText(state->topn ? "Columns ranked" : "Columns read", cols.data, es);
	if (state->topn)
	{
		StringInfoData keys;
		int			i;

		initStringInfo(&keys);
		for (i = 0; i < state->nkeys; i++)
			appendStringInfo(&keys, "%s%s", i > 0 ? ", " : "",
							 quote_identifier(NameStr(TupleDescAttr(desc, state->key_attnos[i] - 1)->attname)));
		ExplainPropertyText("Top-N keys", keys.data, es);
		ExplainPropertyInteger("Top-N rows", NULL, state->topn_count, es);
	}
	ExplainPropertyInteger("Chunk group filters", NULL, state->nfilters, es);
	if (es->analyze && state->read != NULL)
	{
		/* with the workers' (a parallel scan's participants split them) */
		ExplainPropertyInteger("Chunk groups read", NULL,
							   (int64) (columnar_groups_read(state->read) + state->parallel.worker_groups[0]), es);
		ExplainPropertyInteger("Chunk groups skipped", NULL,
							   (int64) (columnar_groups_skipped(state->read) + state->parallel.worker_groups[1]), es);
	}
}

void
columnar_customscan_init(void)
{
	DefineCustomBoolVariable("strata_columnar.enable_custom_scan",
							 "Plans ColumnarScan, which reads only the columns a query uses.",
							 NULL, &columnar_enable_custom_scan, true, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	RegisterCustomScanMethods(&scan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = columnar_set_rel_pathlist;
}
