-- strata_cdc: the value encodings of Debezium's defaults, computed from
-- the data whatever the session's settings.
SET synchronous_commit = on;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE types (
    id int PRIMARY KEY,
    b bool, i2 int2, i4 int4, i8 int8, o oid,
    f4 float4, f8 float8,
    n72 numeric(7,2), n382 numeric(38,2), nneg numeric(5,-2), nvar numeric,
    m money,
    t text, vc varchar(10), c char(3), j json, jb jsonb, x xml, u uuid, e mood, dom posint,
    by bytea, bit1 bit(1), bits bit(5), vb varbit,
    d date, t0 time(0), t3 time(3), t6 time, ttz timetz,
    ts0 timestamp(0), ts3 timestamp(3), ts6 timestamp, tstz timestamptz,
    iv interval, p point, ip inet,
    ai int[], at text[], an numeric(5,1)[], a2 int[][], ats timestamptz[]);
SELECT 'init' FROM pg_create_logical_replication_slot('ty', 'strata_cdc');

INSERT INTO types VALUES (1,
    true, -32768, 2147483647, -9223372036854775808, 4294967295,
    1.5, 45.678,
    987.65, 123456789012345678901234567890123456.78, 12300, 10987.65401000,
    52093.89,
    'QWERTY "quoted" \ back', 'vc', 'ab', '{"baz": 4321, "foo": "bar"}', '{"foo": "bar", "baz": 4321}',
    '<a>x</a>', 'e7082e96-45a3-4ef6-9d43-c56a1be6fd2d', 'ok', 7,
    'abc klm *', B'1', B'10101', B'1',
    '2020-01-02', '12:34:56.789', '12:34:56.789', '12:34:56.789012', '10:34:17.746572+02',
    '2001-02-16 20:38:40.4', '2001-02-16 20:38:40.123', '2001-02-16 20:38:40.123456', '2001-02-16 20:38:40+07',
    '1 year 2 months 3 days 04:05:06.78', '(12.34,56.78)', '192.168.1.0/24',
    '{0,2,4,6}', '{"a",NULL,"b,c"}', '{1.5,-2.25}', '{{1,2},{3,4}}', '{"2020-01-01 00:00+00"}');
-- edge values
INSERT INTO types (id, i2, f4, f8, n72, nvar, m, d, ts6, tstz, iv, t, by, ai, bits, vb)
VALUES (2, 0, '-Infinity', 'Infinity', -0.01, 'NaN', -0.01, 'infinity', 'infinity', 'infinity',
        '-1 day -00:00:01', '', '', '{}', B'00000', B''),
       (3, 128, 'NaN', '-0', 128, -128, 0, '-infinity', '-infinity', '-infinity',
        '0', 'émoji 😀 tab	nl
', '\x80'::bytea, '{NULL}', B'10000', B'0000000011'),
       (4, -129, 3.4028235e38, 5e-324, -1.29, 1200, 1, '0044-03-15 BC', '0044-03-15 10:00:00 BC',
        '0044-03-15 10:00:00+00 BC', '100 years', NULL, NULL, NULL, NULL, NULL),
       (5, NULL, 1e-45, 1e300, NULL, 0.000001, NULL, '1970-01-01', '1969-12-31 23:59:59.999', '12345-06-07 00:00:00+00',
        '-3 mons', NULL, NULL, NULL, NULL, NULL);
SELECT * FROM cdc_rows('ty');

-- other sessions settings change nothing
INSERT INTO types (id, f8, d, t6, ts6, tstz, ttz, iv, m)
VALUES (6, 0.1, '2020-01-02', '12:00', '2001-02-16 20:38:40.5', '2001-02-16 20:38:40.5+07', '23:00:00-03',
        '1 mon 2 days', 1.23);
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -15;
SET lc_monetary = 'C';
SELECT * FROM cdc_rows('ty');
RESET ALL;
SET synchronous_commit = on;

-- decimal.handling.mode
INSERT INTO types (id, n72, nvar, m) VALUES (7, 987.65, 10987.65401000, 52093.89), (8, NULL, 'NaN', -1.5);
SELECT e->'id' AS id, e->'n72' AS n72, e->'nvar' AS nvar, e->'m' AS m
FROM cdc_rows('ty', 'decimal.handling.mode', 'string') e;
INSERT INTO types (id, n72, nvar, m) VALUES (9, 987.65, 10987.65401000, 52093.89), (10, NULL, 'NaN', -1.5);
SELECT e->'id' AS id, e->'n72' AS n72, e->'nvar' AS nvar, e->'m' AS m
FROM cdc_rows('ty', 'decimal.handling.mode', 'double') e;
INSERT INTO types (id, n72, nvar, m) VALUES (11, 987.65, 10987.65401000, 52093.89), (12, NULL, 'NaN', -1.5);
SELECT e->'id' AS id, e->'n72' AS n72, e->'nvar' AS nvar, e->'m' AS m
FROM cdc_rows('ty', 'decimal.handling.mode', 'precise') e;

-- the base64 decimals decode to the unscaled values, big-endian two's complement
CREATE FUNCTION twos(b bytea) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT sum(get_byte(b, i)::numeric * 256::numeric ^ (length(b) - 1 - i))
         - CASE WHEN get_byte(b, 0) >= 128 THEN 256::numeric ^ length(b) ELSE 0 END
  FROM generate_series(0, length(b) - 1) i
$$;
INSERT INTO types (id, nvar)
SELECT 100 + g, v FROM unnest(ARRAY[0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769,
    12345678901234567890123456789, -98765432109876543210.123456789]::numeric[]) WITH ORDINALITY AS x(v, g);
SELECT (e->>'id')::int - 100 AS n, e->'nvar'->'value' AS base64,
       twos(decode(e->'nvar'->>'value', 'base64')) / 10::numeric ^ (e->'nvar'->>'scale')::int AS decoded
FROM cdc_rows('ty') e;

SELECT 'dropped' FROM pg_drop_replication_slot('ty');
