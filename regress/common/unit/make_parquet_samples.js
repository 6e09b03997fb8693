// make_parquet_samples.js
//     Writes small Parquet files with DuckDB for the real-file check of
//     test_parquet_meta.c.
//
// Usage: NODE_PATH=<dir holding @duckdb/node-api> node make_parquet_samples.js OUTDIR
//        STRATA_PARQUET_SAMPLES=OUTDIR build/common/test_parquet_meta
//
// @duckdb/node-api is resolved through NODE_PATH (plain require), so the
// test scripts decide where npm installed it.  Every file is named after
// what it exercises; test_parquet_meta.c knows the row counts and codecs
// of the files below, and checks any other *.parquet in OUTDIR generically.
'use strict';

const fs = require('fs');
const path = require('path');

let duckdb;
try {
    duckdb = require('@duckdb/node-api');
} catch (e) {
    console.error('cannot load @duckdb/node-api; set NODE_PATH to the node_modules folder holding it');
    process.exit(2);
}

const outdir = process.argv[2];
if (!outdir) {
    console.error('usage: node make_parquet_samples.js OUTDIR');
    process.exit(2);
}
fs.mkdirSync(outdir, { recursive: true });

// Most logical types Parquet has, nulls in every other row, nested types.
const allTypes = `
    SELECT i::INTEGER AS id,
           i::BIGINT * 1000003 AS big,
           (i % 100)::TINYINT AS tiny,
           (i % 1000)::SMALLINT AS small,
           (i % 200)::UTINYINT AS utiny,
           i % 2 = 0 AS flag,
           'name ' || i AS name,
           CASE WHEN i % 2 = 0 THEN 'even' END AS maybe,
           (i / 7.0)::DECIMAL(10, 3) AS dec,
           (i / 3.0)::DECIMAL(20, 2) AS bigdec,
           i / 3.0::DOUBLE AS dbl,
           DATE '2024-01-01' + (i % 365)::INTEGER AS day,
           TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS ts,
           TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS tstz,
           TIME '00:00:00' + to_seconds(i % 86400) AS tod,
           uuid() AS uid,
           [i, i + 1, i + 2] AS ints,
           {'a': i, 'b': 'x' || i} AS rec,
           MAP {'k': i} AS kv,
           ('{"n": ' || i || '}')::JSON AS doc,
           encode('blob' || i) AS raw
    FROM range(5000) t(i)`;

const samples = [
    ['types_zstd.parquet',
        `COPY (${allTypes}) TO '%F' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048, FIELD_IDS 'auto', KV_METADATA {strata: 'sample'})`],
    ['types_v2_snappy.parquet',
        `COPY (${allTypes}) TO '%F' (FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION V2)`],
    ['ints_gzip.parquet',
        `COPY (SELECT i AS a, i * 2 AS b FROM range(3000) t(i)) TO '%F' (FORMAT parquet, COMPRESSION gzip)`],
    ['ints_lz4.parquet',
        `COPY (SELECT i AS a, -i AS b FROM range(3000) t(i)) TO '%F' (FORMAT parquet, COMPRESSION lz4)`],
    ['strings_uncompressed.parquet',
        `COPY (SELECT 'row ' || i AS s, i % 5 AS g FROM range(1000) t(i)) TO '%F' (FORMAT parquet, COMPRESSION uncompressed)`],
    ['empty.parquet',
        `COPY (SELECT 1::INTEGER AS a, 'x' AS b WHERE false) TO '%F' (FORMAT parquet)`],
    ['wide_rowgroups.parquet',
        `COPY (SELECT i, i % 7 AS m, 'v' || (i % 13) AS s FROM range(100000) t(i)) TO '%F' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 10000)`],
];

async function main() {
    const instance = await duckdb.DuckDBInstance.create(':memory:');
    const conn = await instance.connect();

    for (const [name, sql] of samples) {
        const file = path.join(outdir, name);
        await conn.run(sql.replace('%F', file.replace(/'/g, "''")));
        console.log(`wrote ${file}`);
    }
}

main().catch((e) => {
    console.error(e.message || e);
    process.exit(1);
});
