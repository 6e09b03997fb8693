-- Every kind of column type round-trips exactly: fixed-length by value and
-- by reference, varlena short and long (TOAST-sized), cstring-like, arrays,
-- composites, domains, enums and ranges; compared with a heap copy of the
-- same rows through their text form (some types have no equality).
SET client_min_messages = warning;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (x int, label text);
CREATE DOMAIN positive AS int CHECK (VALUE > 0);

CREATE TABLE typed (
    id int4, i2 int2, i8 int8, n numeric, n2 numeric(20,4), f4 float4, f8 float8,
    b bool, t text, vc varchar(20), c char(5), by bytea, nm name,
    d date, tm time, tz timetz, ts timestamp, tstz timestamptz, iv interval,
    u uuid, j json, jb jsonb, ai int[], at text[], p pair, dom positive, e mood,
    ip inet, cid cidr, mac macaddr, mny money, pt point, box box, tsv tsvector,
    r int4range, bits bit varying(16), x xml, o oid, ch "char"
) USING strata_columnar;

INSERT INTO typed
SELECT g, g::int2, g * 1000000007::int8, g * 3.14159, g / 7.0,
       g / 3.0, g / 7.0, g % 2 = 0, repeat('é', g % 50), 'v' || g, 'c' || g % 10,
       decode(md5(g::text), 'hex'), 'name' || g,
       '2026-01-01'::date + g, time '00:00' + g * interval '1 second',
       timetz '12:00+02' + g * interval '1 second',
       timestamp '2026-01-01' + g * interval '1 hour',
       timestamptz '2026-01-01 00:00+00' + g * interval '1 hour',
       g * interval '1 day 1 second',
       md5(g::text)::uuid, json_build_object('g', g), jsonb_build_object('g', g, 'a', ARRAY[g, g]),
       ARRAY[g, g + 1, NULL], ARRAY['a' || g, NULL, ''], ROW(g, 'p' || g)::pair, g, (ARRAY['sad','ok','happy'])[g % 3 + 1]::mood,
       ('10.0.' || g % 256 || '.1')::inet, '192.168.0.0/16', ('08:00:2b:01:02:' || lpad(to_hex(g % 256), 2, '0'))::macaddr,
       g::money, point(g, -g), box(point(0, 0), point(g, g)), to_tsvector('simple', 'word' || g || ' other'),
       int4range(g, g + 10), (g % 65536)::bit(16)::varbit, ('<g>' || g || '</g>')::xml, g::oid, 'x'
FROM generate_series(1, 3000) g;

-- edge values and NULLs in every column
INSERT INTO typed (id, i2, i8, n, f4, f8, t, by, d, ts, ai)
VALUES (3001, 32767, 9223372036854775807, 'NaN', 'NaN', 'Infinity', '', '\x', 'infinity', '-infinity', '{}'),
       (3002, -32768, -9223372036854775808, '-1e-100', '-Infinity', '-0', E'\u00e9\u4e2d\U0001F600', '\x00ff', '-infinity', 'infinity', NULL),
       (3003, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- values too large for a heap page, stored detoasted in the chunks
INSERT INTO typed (id, t, by, jb)
SELECT 4000 + g, repeat(md5(g::text), 20000 * g), decode(repeat(md5(g::text), 5000), 'hex'),
       jsonb_build_object('big', repeat('z', 100000))
FROM generate_series(1, 3) g;

CREATE TABLE typed_heap AS SELECT * FROM typed;
SELECT count(*) AS rows, count(*) FILTER (WHERE length(t) > 100000) AS toast_sized FROM typed;
SELECT count(*) AS differ FROM (
    (SELECT tt::text FROM typed tt EXCEPT ALL SELECT hh::text FROM typed_heap hh)
    UNION ALL
    (SELECT hh::text FROM typed_heap hh EXCEPT ALL SELECT tt::text FROM typed tt)) d;

-- each column compared on its own, so a mismatch names the column
SELECT a.attname
FROM pg_attribute a
WHERE a.attrelid = 'typed'::regclass AND a.attnum > 0
  AND EXISTS (SELECT 1 FROM typed tc JOIN typed_heap th USING (id)
              WHERE (to_jsonb(tc) -> a.attname::text) IS DISTINCT FROM (to_jsonb(th) -> a.attname::text));

SELECT strata_columnar.verify('typed') LIKE 'ok: %' AS verified;
SELECT id, length(t), length(by), pg_column_size(jb) > 100000 AS big FROM typed WHERE id > 4000 ORDER BY id;
SELECT id, i2, i8, n, f4, f8, t, d, ts FROM typed WHERE id > 3000 AND id < 4000 ORDER BY id;

DROP TABLE typed, typed_heap;
DROP TYPE pair;
DROP TYPE mood;
DROP DOMAIN positive;
