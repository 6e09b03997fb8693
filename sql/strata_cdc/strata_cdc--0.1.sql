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

-- ---------------------------------------------------------------------
-- Streams: a slot, the tables it captures and the sink its events go to,
-- delivered by a background worker of this database (strata_cdc must be in
-- shared_preload_libraries).
-- ---------------------------------------------------------------------

-- One row per stream.  Only the functions below write it; the view
-- strata_cdc.streams shows it.
CREATE TABLE strata_cdc.stream_config (
    name name PRIMARY KEY,
    slot_name name NOT NULL UNIQUE,
    tables regclass[] NOT NULL,
    sink text NOT NULL,
    -- plugin options, and the sink's and the stream's own, as name, value pairs
    plugin_options text[] NOT NULL,
    sink_options text[] NOT NULL,
    owner oid NOT NULL,
    -- starting: the worker is to create the slot (and read the tables);
    -- streaming; failed: stopped by an error the sink will not get over
    -- by retrying (last_error), until resume_stream()
    state text NOT NULL CHECK (state IN ('starting', 'streaming', 'failed')),
    paused boolean NOT NULL DEFAULT false,
    -- table sink: changes are applied through here, in the same
    -- transaction that applied them; the slot is advanced to it afterwards
    applied_lsn pg_lsn,
    events_delivered bigint NOT NULL DEFAULT 0,
    last_delivery timestamptz,
    last_error text,
    last_error_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON strata_cdc.stream_config FROM PUBLIC;

-- The initial snapshot of an HTTP stream, read at the slot's start and
-- delivered before the slot's changes: the tables are locked only while
-- it is written here, not while a sink is slow.
CREATE TABLE strata_cdc.snapshot_spool (
    stream name NOT NULL REFERENCES strata_cdc.stream_config ON DELETE CASCADE,
    seq bigint NOT NULL,
    lsn pg_lsn NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (stream, seq)
);
REVOKE ALL ON strata_cdc.snapshot_spool FROM PUBLIC;

-- A stream: its worker creates the slot, delivers the tables' rows as "r"
-- events (options: snapshot 'initial' or 'never'), then every committed
-- change, in commit order, at least once.
CREATE FUNCTION strata_cdc.create_stream(
    name name,
    tables regclass[],
    sink text,
    options text[] DEFAULT '{}')
RETURNS void
AS 'MODULE_PATHNAME', 'cdc_create_stream'
LANGUAGE C STRICT VOLATILE;

-- Removes the stream and drops its slot (at once: not in a transaction block).
CREATE FUNCTION strata_cdc.drop_stream(name name)
RETURNS void
AS 'MODULE_PATHNAME', 'cdc_drop_stream'
LANGUAGE C STRICT VOLATILE;

-- Stops delivery; the slot keeps the changes (and their WAL) meanwhile.
CREATE FUNCTION strata_cdc.pause_stream(name name)
RETURNS void
AS 'MODULE_PATHNAME', 'cdc_pause_stream'
LANGUAGE C STRICT VOLATILE;

-- Delivery again, also of a failed stream: from the last delivered commit.
CREATE FUNCTION strata_cdc.resume_stream(name name)
RETURNS void
AS 'MODULE_PATHNAME', 'cdc_resume_stream'
LANGUAGE C STRICT VOLATILE;

-- What the workers of this database report about their streams now.
CREATE FUNCTION strata_cdc.stream_activity(
    OUT name name,
    OUT worker_pid integer,
    OUT caught_up_at timestamptz,
    OUT retries integer,
    OUT next_attempt timestamptz,
    OUT last_error text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cdc_stream_activity'
LANGUAGE C STRICT VOLATILE;

-- Streams the current user owns (or belongs to the owner role of).
-- delivered_lsn is the slot's confirmed position: every change committed
-- before it was acknowledged by the sink.  lag_seconds counts from the
-- last moment the worker had delivered everything there was.
CREATE VIEW strata_cdc.streams AS
SELECT c.name,
       c.tables,
       c.sink,
       CASE WHEN c.paused THEN 'paused' ELSE c.state END AS state,
       c.slot_name,
       s.confirmed_flush_lsn AS delivered_lsn,
       pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint AS lag_bytes,
       CASE WHEN s.confirmed_flush_lsn >= pg_catalog.pg_current_wal_flush_lsn() THEN 0
            ELSE extract(epoch FROM pg_catalog.clock_timestamp() - coalesce(a.caught_up_at, c.created_at))
       END::double precision AS lag_seconds,
       c.events_delivered,
       c.last_delivery,
       coalesce(a.last_error, c.last_error) AS last_error,
       a.retries,
       a.next_attempt,
       a.worker_pid,
       c.options,
       c.owner::regrole AS owner,
       c.created_at
FROM (SELECT *, plugin_options || sink_options AS options FROM strata_cdc.stream_config) c
LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = c.slot_name
LEFT JOIN strata_cdc.stream_activity() a ON a.name = c.name
WHERE pg_catalog.pg_has_role(c.owner, 'USAGE');
GRANT SELECT ON strata_cdc.streams TO PUBLIC;

-- The Avro schemas of format 'avro' events of the tables (and of the
-- transaction and message topics), one per subject (<topic>-key,
-- <topic>-value), with the id their Confluent framing carries.
CREATE FUNCTION strata_cdc.avro_schemas(
    tables regclass[],
    options text[] DEFAULT '{}',
    OUT topic text,
    OUT subject text,
    OUT schema_id integer,
    OUT schema text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'cdc_avro_schemas'
LANGUAGE C STRICT STABLE;
