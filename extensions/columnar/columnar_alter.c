/*-------------------------------------------------------------------------
 *
 * columnar_alter.c
 *	  A table's strata_columnar settings in PostgreSQL's own syntax:
 *
 *		CREATE TABLE t (...) USING strata_columnar
 *			WITH (strata_columnar.compression = 'lz4', ...);
 *		ALTER TABLE t SET (strata_columnar.chunk_group_row_limit = 20000);
 *		ALTER TABLE t RESET (strata_columnar.compression);
 *
 * PostgreSQL has no reloptions namespace for a table access method, and
 * refuses "strata_columnar." options itself; so a utility hook takes them
 * out of the statement before PostgreSQL sees it, runs the rest, and
 * applies them as strata_columnar.set_options() does, in the same
 * transaction.  RESET goes back to the default the GUC gives.
 *
 * A sort key is kept by column names (a dump restores it by them): the
 * hook renames a key column with the column, and drops it with it.
 *
 *-------------------------------------------------------------------------
 */
#include "columnar.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "commands/defrem.h"
#include "catalog/pg_class.h"

#define OPTION_NAMESPACE "strata_columnar"

static ProcessUtility_hook_type prev_utility_hook = NULL;

/*
 * Move the options of our namespace out of *options into the result, as
 * (name, value) DefElems; reset: no values (RESET lists names only).
 */
static List *
take_our_options(List **options, bool reset)
{
	List	   *ours = NIL;
	List	   *rest = NIL;
	ListCell   *lc;

	foreach(lc, *options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (def->defnamespace != NULL && strcmp(def->defnamespace, OPTION_NAMESPACE) == 0)
			ours = lappend(ours, makeDefElem(def->defname, reset ? NULL : def->arg, def->location));
		else
			rest = lappend(rest, def);
	}
	*options = rest;
	return ours;
}

/* the table our options are for: ours, and the caller owns it */
static Relation
options_target(RangeVar *rv, bool missing_ok)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, missing_ok);
	Relation	rel;

	if (!OidIsValid(relid))
		return NULL;
	rel = relation_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_tableam != columnar_tableam())
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a strata_columnar table", RelationGetRelationName(rel)),
				 errhint("strata_columnar.* options apply to tables USING strata_columnar.")));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, RelationGetRelationName(rel));
	return rel;
}

/*
 * The table whose sort key the statement may rename or drop a column of,
 * or InvalidOid; *options gets its options as they are before.
 */
static Oid
sort_key_target(Node *parsetree, ColumnarOptions *options)
{
	RangeVar   *rv = NULL;
	Oid			relid;
	Oid			relam;
	HeapTuple	tup;

	if (IsA(parsetree, RenameStmt) && ((RenameStmt *) parsetree)->renameType == OBJECT_COLUMN &&
		((RenameStmt *) parsetree)->relation != NULL)
		rv = ((RenameStmt *) parsetree)->relation;
	else if (IsA(parsetree, AlterTableStmt))
	{
		ListCell   *lc;

		foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
			if (lfirst_node(AlterTableCmd, lc)->subtype == AT_DropColumn)
				rv = ((AlterTableStmt *) parsetree)->relation;
	}
	if (rv == NULL)
		return InvalidOid;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_RELATION)
		return InvalidOid;
	/* only our tables have options (and the extension may not be here) */
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	relam = ((Form_pg_class) GETSTRUCT(tup))->relam;
	ReleaseSysCache(tup);
	if (relam != get_table_am_oid("strata_columnar", true) ||
		!columnar_read_options(relid, options) || options->sort_nkeys == 0)
		return InvalidOid;
	return relid;
}

static void
columnar_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				 ProcessUtilityContext context, ParamListInfo params,
				 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	List	   *alter_options = NIL;
	List	   *create_options = NIL;
	RangeVar   *target = NULL;
	bool		run_rest = true;
	ColumnarOptions keyed;
	Oid			keyed_relid = sort_key_target(parsetree, &keyed);

	if (IsA(parsetree, AlterTableStmt) &&
		((AlterTableStmt *) parsetree)->objtype == OBJECT_TABLE)
	{
		AlterTableStmt *stmt;
		List	   *cmds = NIL;
		ListCell   *lc;
		bool		any = false;

		/* look first, copy only when there is something to take out */
		foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
			ListCell   *o;

			if (cmd->subtype != AT_SetRelOptions && cmd->subtype != AT_ResetRelOptions)
				continue;
			foreach(o, (List *) cmd->def)
			{
				DefElem    *def = lfirst_node(DefElem, o);

				if (def->defnamespace && strcmp(def->defnamespace, OPTION_NAMESPACE) == 0)
					any = true;
			}
		}
		if (any)
		{
			pstmt = copyObject(pstmt);
			stmt = (AlterTableStmt *) pstmt->utilityStmt;
			foreach(lc, stmt->cmds)
			{
				AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

				if (cmd->subtype == AT_SetRelOptions || cmd->subtype == AT_ResetRelOptions)
				{
					List	   *options = (List *) cmd->def;

					alter_options = list_concat(alter_options,
												take_our_options(&options, cmd->subtype == AT_ResetRelOptions));
					cmd->def = (Node *) options;
					if (options == NIL)
						continue;	/* nothing left for PostgreSQL */
				}
				cmds = lappend(cmds, cmd);
			}
			stmt->cmds = cmds;
			target = stmt->relation;
			run_rest = cmds != NIL;
			/* check before anything runs: the table is ours, and the caller's */
			{
				Relation	rel = options_target(target, stmt->missing_ok);

				if (rel == NULL)
				{
					alter_options = NIL;
					run_rest = true;	/* PostgreSQL reports the missing table */
				}
				else
					relation_close(rel, AccessShareLock);
			}
		}
	}
	else if (IsA(parsetree, CreateStmt))
	{
		CreateStmt *cs = (CreateStmt *) parsetree;
		ListCell   *lc;
		bool		any = false;

		foreach(lc, cs->options)
		{
			DefElem    *def = lfirst_node(DefElem, lc);

			if (def->defnamespace && strcmp(def->defnamespace, OPTION_NAMESPACE) == 0)
				any = true;
		}
		if (any)
		{
			pstmt = copyObject(pstmt);
			cs = (CreateStmt *) pstmt->utilityStmt;
			create_options = take_our_options(&cs->options, false);
			target = cs->relation;
			/* IF NOT EXISTS that finds the table leaves it as it is */
			if (cs->if_not_exists && OidIsValid(RangeVarGetRelid(target, NoLock, true)))
				create_options = NIL;
		}
	}

	if (run_rest)
	{
		if (prev_utility_hook)
			prev_utility_hook(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	}
	else if (qc)
		SetQueryCompletion(qc, CMDTAG_ALTER_TABLE, 0);

	if (OidIsValid(keyed_relid))
	{
		ColumnarOptions now;

		CommandCounterIncrement();
		if (IsA(parsetree, RenameStmt))
			columnar_store_options(keyed_relid, &keyed);	/* same columns, new names */
		else if (columnar_read_options(keyed_relid, &now) && now.sort_nkeys != keyed.sort_nkeys)
			columnar_store_options(keyed_relid, &now);	/* without the dropped ones */
	}

	if (alter_options != NIL || create_options != NIL)
	{
		Relation	rel;

		CommandCounterIncrement();
		rel = options_target(target, false);
		if (rel != NULL)
		{
			columnar_apply_options(rel, alter_options != NIL ? alter_options : create_options);
			relation_close(rel, AccessShareLock);
		}
	}
}

void
columnar_alter_init(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = columnar_utility;
}
