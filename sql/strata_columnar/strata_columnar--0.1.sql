/* sql/strata_columnar/strata_columnar--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION strata_columnar" to load this file. \quit

-- Created here so that it belongs to the extension; every object below is
-- schema-qualified (the extension's own namespace is pg_catalog).
CREATE SCHEMA strata_columnar;
GRANT USAGE ON SCHEMA strata_columnar TO PUBLIC;

CREATE FUNCTION strata_columnar.columnar_handler(internal)
RETURNS table_am_handler
AS 'MODULE_PATHNAME', 'columnar_handler'
LANGUAGE C STRICT;

CREATE ACCESS METHOD strata_columnar TYPE TABLE HANDLER strata_columnar.columnar_handler;
COMMENT ON ACCESS METHOD strata_columnar IS 'Strata columnar table access method';

-- Names the data of one relfilenode.  relfilenode ties it to pg_class,
-- which is how storage of dropped or rewritten tables is found and removed.
CREATE SEQUENCE strata_columnar.storage_id_seq;
CREATE TABLE strata_columnar.storage (
    storage_id  bigint PRIMARY KEY,
    relfilenode oid NOT NULL,
    relid       oid NOT NULL
);

-- One row per flushed stripe.  sorted: its rows are in the order of the
-- table's sort key (or of a CLUSTER); VACUUM sorts full stripes that are not.
CREATE TABLE strata_columnar.stripe (
    storage_id  bigint NOT NULL,
    first_row   bigint NOT NULL,
    row_count   bigint NOT NULL,
    first_block bigint NOT NULL,
    data_bytes  bigint NOT NULL,
    skiplist    bytea NOT NULL,
    sorted      boolean NOT NULL,
    PRIMARY KEY (storage_id, first_row)
);

-- Row numbers a transaction reserved for rows it has not flushed yet: a
-- concurrent unique check that meets one of them in an index finds the
-- writer here and waits for it.
CREATE TABLE strata_columnar.reservation (
    storage_id  bigint NOT NULL,
    first_row   bigint NOT NULL,
    row_count   bigint NOT NULL,
    PRIMARY KEY (storage_id, first_row)
);
ALTER TABLE strata_columnar.stripe ALTER COLUMN skiplist SET STORAGE EXTERNAL;

-- Deleted rows, and the old versions of updated ones: what one transaction
-- deleted in one span of 8192 row numbers (first_row is the span's), as a
-- list or a bitmap, and for an update the row number of each row's new
-- version.  The row's visibility is the deletion's; command_id is the
-- deleting statement's.  VACUUM merges them.
CREATE TABLE strata_columnar.row_mask (
    storage_id  bigint NOT NULL,
    first_row   bigint NOT NULL,
    command_id  bigint NOT NULL,
    deleted     bytea NOT NULL,
    moved_to    bytea
);
CREATE INDEX row_mask_span ON strata_columnar.row_mask (storage_id, first_row);

-- Rows a running transaction keeps locked (SELECT ... FOR UPDATE, foreign
-- key checks) beyond the few it holds in the lock manager: those it locked
-- in one span of 8192 row numbers, as row_mask lists them, and the lock's
-- strength (0 key share, 1 share, 2 no key update, 3 update).  A row here
-- means nothing once its inserting transaction has ended; VACUUM deletes it.
CREATE TABLE strata_columnar.row_lock (
    storage_id  bigint NOT NULL,
    first_row   bigint NOT NULL,
    lock_mode   smallint NOT NULL,
    locked      bytea NOT NULL
);
CREATE INDEX row_lock_span ON strata_columnar.row_lock (storage_id, first_row);

-- Row numbers VACUUM took out of every stripe (it rewrote their live rows
-- under new numbers).  Index entries still point at them for snapshots
-- older than that VACUUM; a later VACUUM removes those entries, and the
-- range, once no snapshot is that old.
CREATE TABLE strata_columnar.removed_range (
    storage_id  bigint NOT NULL,
    first_row   bigint NOT NULL,
    row_count   bigint NOT NULL,
    PRIMARY KEY (storage_id, first_row)
);

-- Runs of a storage's pages no stripe uses, for new stripes to reuse.  While
-- stripe_first_row is set, the run holds a stripe VACUUM dropped and waits
-- until no snapshot anywhere, on standbys too, can read that stripe: a later
-- VACUUM frees it once the stripe's row here has been pruned away.
CREATE TABLE strata_columnar.free_extent (
    storage_id       bigint NOT NULL,
    first_block      bigint NOT NULL,
    block_count      bigint NOT NULL,
    stripe_first_row bigint
);
CREATE INDEX free_extent_storage ON strata_columnar.free_extent (storage_id);

-- Per-table settings; a table without a row uses the strata_columnar.* GUCs.
-- relid is a regclass so that pg_dump writes the table's name, and a restore
-- into another database finds the table again by it.
CREATE TABLE strata_columnar.options (
    relid                 regclass PRIMARY KEY,
    stripe_row_limit      integer NOT NULL,
    chunk_group_row_limit integer NOT NULL,
    compression           text NOT NULL,
    compression_level     integer NOT NULL,
    stripe_byte_limit     integer NOT NULL,
    chunk_group_byte_limit integer NOT NULL,
    sort_key              text[]
);

SELECT pg_catalog.pg_extension_config_dump('strata_columnar.options', '');

-- Metadata holds each chunk's minimum and maximum: it is for the table
-- owner's eyes, through the functions below, not for everyone's.
REVOKE ALL ON strata_columnar.storage, strata_columnar.stripe,
    strata_columnar.reservation, strata_columnar.row_mask,
    strata_columnar.row_lock, strata_columnar.removed_range, strata_columnar.free_extent,
    strata_columnar.options FROM PUBLIC;

-- Removes the metadata of storage that no table uses any more: dropped
-- tables, and the transient tables of rewrites (ALTER TABLE ... SET ACCESS
-- METHOD, VACUUM FULL) whose drop fires no event.
CREATE FUNCTION strata_columnar.drop_orphaned_storage()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
AS $$
BEGIN
    DELETE FROM strata_columnar.stripe s
    WHERE NOT EXISTS (SELECT 1 FROM strata_columnar.storage st
                      JOIN pg_class c ON c.relfilenode = st.relfilenode
                      WHERE st.storage_id = s.storage_id);
    DELETE FROM strata_columnar.reservation r
    WHERE NOT EXISTS (SELECT 1 FROM strata_columnar.storage st
                      JOIN pg_class c ON c.relfilenode = st.relfilenode
                      WHERE st.storage_id = r.storage_id);
    DELETE FROM strata_columnar.row_mask m
    WHERE NOT EXISTS (SELECT 1 FROM strata_columnar.storage st
                      JOIN pg_class c ON c.relfilenode = st.relfilenode
                      WHERE st.storage_id = m.storage_id);
    DELETE FROM strata_columnar.row_lock l
    WHERE NOT EXISTS (SELECT 1 FROM strata_columnar.storage st
                      JOIN pg_class c ON c.relfilenode = st.relfilenode
                      WHERE st.storage_id = l.storage_id);
    DELETE FROM strata_columnar.removed_range r
    WHERE NOT EXISTS (SELECT 1 FROM strata_columnar.storage st
                      JOIN pg_class c ON c.relfilenode = st.relfilenode
                      WHERE st.storage_id = r.storage_id);
    DELETE FROM strata_columnar.free_extent f
    WHERE NOT EXISTS (SELECT 1 FROM strata_columnar.storage st
                      JOIN pg_class c ON c.relfilenode = st.relfilenode
                      WHERE st.storage_id = f.storage_id);
    DELETE FROM strata_columnar.storage st
    WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relfilenode = st.relfilenode);
    DELETE FROM strata_columnar.options o
    WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = o.relid);
END
$$;
CREATE EVENT TRIGGER strata_columnar_drop ON sql_drop
    EXECUTE FUNCTION strata_columnar.drop_orphaned_storage();

CREATE FUNCTION strata_columnar.set_options(
    rel regclass,
    stripe_row_limit integer DEFAULT NULL,
    chunk_group_row_limit integer DEFAULT NULL,
    compression text DEFAULT NULL,
    compression_level integer DEFAULT NULL,
    stripe_byte_limit integer DEFAULT NULL,
    chunk_group_byte_limit integer DEFAULT NULL,
    sort_key text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'columnar_set_options'
LANGUAGE C;
COMMENT ON FUNCTION strata_columnar.set_options(regclass, integer, integer, text, integer, integer, integer, text) IS
    'Set a strata_columnar table''s stripe and chunk group sizes (rows and bytes), its compression and its sort key (columns, comma-separated; '''' for none); NULL keeps a setting';

CREATE FUNCTION strata_columnar.get_options(
    rel regclass,
    OUT stripe_row_limit integer,
    OUT chunk_group_row_limit integer,
    OUT compression text,
    OUT compression_level integer,
    OUT stripe_byte_limit integer,
    OUT chunk_group_byte_limit integer,
    OUT sort_key text)
RETURNS record
AS 'MODULE_PATHNAME', 'columnar_get_options_sql'
LANGUAGE C STRICT;

CREATE FUNCTION strata_columnar.stats(
    rel regclass,
    OUT stripes bigint,
    OUT chunk_groups bigint,
    OUT row_count bigint,
    OUT data_bytes bigint,
    OUT raw_bytes bigint,
    OUT metadata_bytes bigint,
    OUT deleted_rows bigint,
    OUT free_pages bigint,
    OUT pending_pages bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'columnar_stats'
LANGUAGE C STRICT;
COMMENT ON FUNCTION strata_columnar.stats(regclass) IS
    'Stripes, chunk groups, stored rows, bytes (stored and uncompressed) and deleted rows of a strata_columnar table; live rows are row_count - deleted_rows; free_pages new stripes can reuse, and pending_pages of dropped stripes that VACUUM frees once no snapshot can read them';

CREATE FUNCTION strata_columnar.column_stats(
    rel regclass,
    OUT attname name,
    OUT chunks bigint,
    OUT null_count bigint,
    OUT stored_bytes bigint,
    OUT raw_bytes bigint,
    OUT codecs text[],
    OUT encodings text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'columnar_column_stats'
LANGUAGE C STRICT;
COMMENT ON FUNCTION strata_columnar.column_stats(regclass) IS
    'Per column: chunks, nulls, bytes before and after compression, the codecs and encodings used';

CREATE FUNCTION strata_columnar.verify(rel regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'columnar_verify'
LANGUAGE C STRICT;
COMMENT ON FUNCTION strata_columnar.verify(regclass) IS
    'Read and check every stripe of a strata_columnar table; raises an error naming the first inconsistency';
