-- scripts/demo.sql: a walk through every layer of Strata that exists so far.
-- Run by scripts/demo with psql --echo-queries; :events_gen is the path of
-- the benchmark data generator, which it builds.
\pset footer off

-- One command installs the whole bundle.
CREATE EXTENSION strata CASCADE;

-- The parts of the bundle, and which of them this server has.
SELECT part, layer, replaces, available_version, installed FROM strata.parts;

-- An OLTP-style table of clickstream events: 100,000 rows from the
-- benchmark generator (the same rows DuckDB gets in bench/run).
\ir ../bench/events.sql
\set gen_command :events_gen ' --rows 100000 --seed 42'
COPY events FROM PROGRAM :'gen_command' (FORMAT csv);
SELECT count(*) AS events, min(event_time), max(event_time) FROM events;

-- The seed's ClickHouse dashboard query, on plain PostgreSQL for now:
-- purchase revenue per country on one day.
SELECT country, round(sum(revenue_cents) / 100.0, 2) AS revenue_usd
FROM events
WHERE event_date = '2026-02-14' AND event_type = 'purchase'
GROUP BY country ORDER BY revenue_usd DESC LIMIT 5;
