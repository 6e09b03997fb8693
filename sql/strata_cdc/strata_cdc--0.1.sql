/* sql/strata_cdc/strata_cdc--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION strata_cdc" to load this file. \quit

-- Created here so that it belongs to the extension; every object below is
-- schema-qualified (the extension's own namespace is pg_catalog).
CREATE SCHEMA strata_cdc;
GRANT USAGE ON SCHEMA strata_cdc TO PUBLIC;

-- The options of the strata_cdc output plugin, as given to
-- pg_logical_slot_get_changes(slot, NULL, NULL, name, value, ...).
CREATE FUNCTION strata_cdc.options(
    OUT name text,
    OUT default_value text,
    OUT allowed text,
    OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cdc_options'
LANGUAGE C STRICT STABLE;

-- A new strata_cdc slot, and the read ("r") events of the tables as they
-- are at exactly its start: snapshot plus stream hold every row once.  The
-- tables are locked IN SHARE MODE until the calling transaction ends.
CREATE FUNCTION strata_cdc.snapshot(
    slot_name name,
    tables regclass[],
    options text[] DEFAULT '{}',
    OUT lsn pg_lsn,
    OUT data text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cdc_snapshot'
LANGUAGE C STRICT VOLATILE;
