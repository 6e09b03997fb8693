/* sql/strata_iceberg/strata_iceberg--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION strata_iceberg" to load this file. \quit

-- Created here so that it belongs to the extension; every object below is
-- schema-qualified (the extension's own namespace is pg_catalog).
CREATE SCHEMA strata_iceberg;
GRANT USAGE ON SCHEMA strata_iceberg TO PUBLIC;

-- First of all: refuse to install unless the library was loaded at server
-- start, since COPY ... (FORMAT parquet) works through its hook.
CREATE FUNCTION strata_iceberg.require_preload()
RETURNS void
AS 'MODULE_PATHNAME', 'iceberg_require_preload'
LANGUAGE C STRICT;
SELECT strata_iceberg.require_preload();

-- The footer of a Parquet file on the server.  Like COPY FROM a file, these
-- need superuser or the privileges of pg_read_server_files (checked inside).

-- One row per schema element, depth-first; pg_type is the type COPY loads a
-- top-level column into by default (NULL where it cannot load it).
CREATE FUNCTION strata_iceberg.parquet_schema(path text)
RETURNS TABLE (
    "position" int,
    name text,
    path text,
    depth int,
    physical_type text,
    logical_type text,
    converted_type text,
    repetition text,
    type_length int,
    "precision" int,
    scale int,
    field_id int,
    num_children int,
    max_definition_level int,
    max_repetition_level int,
    pg_type text
)
AS 'MODULE_PATHNAME', 'iceberg_parquet_schema'
LANGUAGE C STRICT VOLATILE;

-- One row per column chunk; min and max rendered in the column's type.
CREATE FUNCTION strata_iceberg.parquet_metadata(path text)
RETURNS TABLE (
    row_group int,
    num_rows bigint,
    column_index int,
    path text,
    physical_type text,
    codec text,
    encodings text[],
    num_values bigint,
    total_compressed_size bigint,
    total_uncompressed_size bigint,
    dictionary_page_offset bigint,
    data_page_offset bigint,
    null_count bigint,
    min text,
    max text
)
AS 'MODULE_PATHNAME', 'iceberg_parquet_metadata'
LANGUAGE C STRICT VOLATILE;

-- One row: the file's row count and shape.
CREATE FUNCTION strata_iceberg.parquet_file_metadata(path text)
RETURNS TABLE (
    num_rows bigint,
    num_row_groups int,
    num_columns int,
    format_version int,
    created_by text
)
AS 'MODULE_PATHNAME', 'iceberg_parquet_file_metadata'
LANGUAGE C STRICT VOLATILE;
