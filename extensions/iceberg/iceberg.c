/*-------------------------------------------------------------------------
 *
 * iceberg.c
 *	  strata_iceberg: module start, settings, the ProcessUtility hook and
 *	  the preload check.
 *
 * COPY ... WITH (FORMAT parquet) reaches this module through the
 * ProcessUtility hook, which only a library loaded at server start can
 * install for every session.  A library loaded later (by CREATE EXTENSION
 * or a function call in one session) installs nothing, and the install
 * script's first statement, strata_iceberg.require_preload(), refuses to
 * create the extension with a hint to fix shared_preload_libraries.  The
 * hook acts only in databases where the extension exists: elsewhere COPY
 * rejects the format as it always has.
 *
 *-------------------------------------------------------------------------
 */
#include "iceberg.h"

#include <limits.h>

#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

int			iceberg_max_row_group_memory = 1024 * 1024; /* kB: 1 GB */

/* was this library loaded by shared_preload_libraries? */
static bool iceberg_preloaded = false;

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

void		_PG_init(void);

static void
iceberg_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					   ProcessUtilityContext context, ParamListInfo params,
					   QueryEnvironment *queryEnv, DestReceiver *dest,
					   QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;

	if (IsA(parsetree, CopyStmt) &&
		iceberg_is_parquet_copy((CopyStmt *) parsetree) &&
		OidIsValid(get_extension_oid("strata_iceberg", true)))
	{
		CopyStmt   *stmt = (CopyStmt *) parsetree;
		ParseState *pstate;
		uint64		processed;

		/* parse analysis may scribble on the statement */
		if (readOnlyTree)
			stmt = copyObject(stmt);
		pstate = make_parsestate(NULL);
		pstate->p_sourcetext = queryString;
		pstate->p_queryEnv = queryEnv;
		if (stmt->is_from)
		{
			/* what standard_ProcessUtility checks for COPY FROM */
			PreventCommandIfParallelMode("COPY FROM");
			PreventCommandDuringRecovery("COPY FROM");
			processed = iceberg_parquet_copy(pstate, stmt);
		}
		else
			processed = iceberg_parquet_copy_to(pstate, stmt, pstmt->stmt_location,
												pstmt->stmt_len);
		free_parsestate(pstate);
		if (qc)
			SetQueryCompletion(qc, CMDTAG_COPY, processed);
		return;
	}

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
}

void
_PG_init(void)
{
	DefineCustomIntVariable("strata_iceberg.max_row_group_memory",
							"Memory that reading one row group of a Parquet file may take.",
							"Its column chunks as stored plus their decoded values; "
							"a file that needs more is refused.",
							&iceberg_max_row_group_memory, 1024 * 1024, 1024, MAX_KILOBYTES,
							PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);
	MarkGUCPrefixReserved("strata_iceberg");

	if (!process_shared_preload_libraries_in_progress)
		return;
	iceberg_preloaded = true;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = iceberg_ProcessUtility;
}

/*
 * strata_iceberg.require_preload(): fails unless the library was loaded at
 * server start.  The install script calls it first.
 */
PG_FUNCTION_INFO_V1(iceberg_require_preload);
Datum
iceberg_require_preload(PG_FUNCTION_ARGS)
{
	if (!iceberg_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("strata_iceberg must be loaded at server start"),
				 errdetail("COPY with FORMAT parquet needs a hook that only shared_preload_libraries installs in every session."),
				 errhint("Add strata_iceberg to shared_preload_libraries in postgresql.conf and restart the server.")));
	PG_RETURN_VOID();
}
