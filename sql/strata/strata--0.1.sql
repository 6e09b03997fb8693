/* sql/strata/strata--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION strata CASCADE" to load this file. \quit

-- Created here, not named in the control file, so that it is a member of
-- the extension.  Every object below is schema-qualified: the extension's
-- own namespace is pg_catalog.
CREATE SCHEMA strata;
COMMENT ON SCHEMA strata IS 'Strata: the modern data stack inside PostgreSQL';

-- Every part of the bundle, the layer of the data stack it replaces, and
-- whether this server has it available and installed in this database.
CREATE VIEW strata.parts AS
SELECT p.part,
       p.layer,
       p.replaces,
       a.default_version AS available_version,
       a.installed_version,
       a.installed_version IS NOT NULL AS installed
FROM (VALUES
        ('strata_columnar', 'storage: real-time OLAP', 'ClickHouse MergeTree', 1),
        ('strata_cdc', 'ingestion: change data capture', 'Debezium + Kafka Connect', 2),
        ('strata_rollup', 'compute: streaming aggregation', 'Flink windows, ClickHouse materialized views', 3),
        ('strata_iceberg', 'storage: lakehouse', 'Apache Iceberg on S3', 4),
        ('strata_scheduler', 'orchestration', 'Airflow, pg_cron', 5)
     ) AS p(part, layer, replaces, ord)
LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = p.part
ORDER BY p.ord;

COMMENT ON VIEW strata.parts IS
    'The parts of the Strata bundle, and which of them this server and database have';

GRANT USAGE ON SCHEMA strata TO PUBLIC;
GRANT SELECT ON strata.parts TO PUBLIC;
