-- The umbrella extension installs with CASCADE and lists the bundle's parts.
CREATE EXTENSION strata CASCADE;
SELECT extname, extversion, extnamespace::regnamespace
FROM pg_extension WHERE extname = 'strata';

-- Every part of the bundle is listed, in the order of the data flow; a part
-- is marked installed exactly when its extension is.
SELECT part, layer, replaces FROM strata.parts;
SELECT part, available_version, installed FROM strata.parts
WHERE installed;
SELECT count(*) FILTER (WHERE installed) =
       (SELECT count(*) FROM pg_extension WHERE extname LIKE 'strata\_%') AS installed_matches
FROM strata.parts;

-- Non-superusers can read the catalog of parts.
CREATE ROLE strata_reader;
SET ROLE strata_reader;
SELECT count(*) AS parts FROM strata.parts;
RESET ROLE;
DROP ROLE strata_reader;

-- The schema is the extension's: it cannot be moved, and goes with DROP.
ALTER EXTENSION strata SET SCHEMA public;
DROP EXTENSION strata CASCADE;
SELECT count(*) AS left_behind FROM pg_namespace WHERE nspname = 'strata';
-- the parts it installed stay until dropped themselves
SELECT extname FROM pg_extension WHERE extname LIKE 'strata%' ORDER BY 1;
DROP EXTENSION strata_columnar, strata_iceberg;
