// regress/iceberg/make_parquet.js
//     Writes the Parquet files t/001_copy_from_parquet.pl loads with
//     COPY ... (FORMAT parquet), and, for each, what DuckDB itself reads
//     from it, as CSV the test loads into a table to compare with.
//
// Usage: NODE_PATH=$STRATA_ROOT/scripts/node/node_modules node make_parquet.js OUTDIR
//
// Files written in OUTDIR:
//     types.parquet               120000 rows of every type of the mapping
//                                 (parquet_types.c), ZSTD, row groups of
//                                 30000 rows
//     types_<codec>_<v1|v2>.parquet   the first 5000 of those rows, for every
//                                 codec DuckDB writes and both PARQUET_VERSIONs
//     <name>.csv                  what DuckDB reads from <name>.parquet: one
//                                 header line, then the rows in file order,
//                                 each value rendered as PostgreSQL's input
//                                 functions read it (bytea as \x..., BC dates
//                                 as "... BC", lists as JSON arrays)
//     types_metadata.csv          DuckDB's parquet_metadata() of types.parquet
//     known.parquet, known_metadata.csv   3 rows with a known schema
//     nested.parquet              a MAP, a STRUCT and a list of lists beside
//                                 an integer and a double column
//     brotli.parquet              a codec strata_iceberg refuses
//     legacy.parquet, legacy.csv  what DuckDB does not write, written with
//                                 hyparquet-writer and an explicit schema:
//                                 INT96 timestamps, DECIMAL on BYTE_ARRAY,
//                                 converted TIME_MILLIS and TIMESTAMP_MILLIS,
//                                 TIMESTAMP(NANOS, utc), TIME(MICROS), UINT_8,
//                                 UINT_64, BYTE_ARRAY without
//                                 annotation, an UNKNOWN (always null) column
//                                 (hyparquet-writer writes no repeated leaf,
//                                 so no 2-level LIST here)
//     bad_utf8.parquet            a BYTE_ARRAY that is not UTF-8
//     float16.parquet             a type strata_iceberg refuses
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

// ES modules ignore NODE_PATH: find the package the way require does.
function importFromNodePath(name) {
    const url = require('url');
    return import(url.pathToFileURL(require.resolve(name)).href);
}

const outdir = process.argv[2];
if (!outdir) {
    console.error('usage: node make_parquet.js OUTDIR');
    process.exit(2);
}
fs.mkdirSync(outdir, { recursive: true });

// Nanoseconds whose last three digits are never 500, so rounding them to
// microseconds has one answer (PostgreSQL rounds parsed fractions with rint).
const frac9 = `(((i * 1000003) % 1000000) * 1000 + CASE WHEN i % 2 = 0 THEN i % 499 ELSE 501 + i % 499 END)`;

// Row i of the data: NULLs, extremes, special floats, empty and non-ASCII
// text, text that needs escaping in COPY's format and in array literals.
const rows = (n) => `
    SELECT i::BIGINT AS id,
           CASE WHEN i % 7 = 3 THEN NULL ELSE i % 2 = 0 END AS b,
           (CASE i % 11 WHEN 1 THEN NULL WHEN 2 THEN 127 WHEN 3 THEN -128
                 ELSE i % 256 - 128 END)::TINYINT AS i8,
           (CASE i % 11 WHEN 4 THEN 32767 WHEN 5 THEN -32768
                 ELSE (i * 37) % 65536 - 32768 END)::SMALLINT AS i16,
           (CASE i % 13 WHEN 1 THEN 2147483647 WHEN 2 THEN -2147483648 WHEN 3 THEN NULL
                 ELSE (hash(i) % 4294967296)::BIGINT - 2147483648 END)::INTEGER AS i32,
           CASE i % 13 WHEN 5 THEN NULL WHEN 6 THEN 9223372036854775807
                WHEN 7 THEN -9223372036854775808
                ELSE (hash(i) >> 1)::BIGINT - 4611686018427387904 END AS i64,
           (i % 256)::UTINYINT AS u8,
           (CASE WHEN i % 5 = 0 THEN 65535 ELSE (i * 7) % 65536 END)::USMALLINT AS u16,
           (CASE WHEN i % 17 = 0 THEN 4294967295 ELSE hash(i) % 4294967296 END)::UINTEGER AS u32,
           CASE WHEN i % 19 = 0 THEN 18446744073709551615::UBIGINT WHEN i % 19 = 1 THEN NULL
                ELSE hash(i * 3) END AS u64,
           CASE i % 50 WHEN 1 THEN 'inf'::FLOAT WHEN 2 THEN '-inf'::FLOAT WHEN 3 THEN '-0.0'::FLOAT
                WHEN 4 THEN 'nan'::FLOAT WHEN 5 THEN NULL WHEN 6 THEN 3.4028235e38::FLOAT
                WHEN 7 THEN 1e-45::FLOAT ELSE i::FLOAT / 3 END AS f32,
           CASE i % 40 WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN '-0.0'::DOUBLE
                WHEN 4 THEN 'nan'::DOUBLE WHEN 5 THEN NULL WHEN 6 THEN 1.7976931348623157e308
                WHEN 7 THEN 5e-324 ELSE (i - 1000)::DOUBLE / 7 END AS f64,
           (CASE WHEN i % 9 = 0 THEN NULL WHEN i % 9 = 1 THEN 99.99 WHEN i % 9 = 2 THEN -99.99
                 ELSE ((i % 19999) - 9999) / 100 END)::DECIMAL(4, 2) AS d4,
           CASE WHEN i % 11 = 0 THEN NULL WHEN i % 11 = 1 THEN '999999999999.999999'::DECIMAL(18, 6)
                WHEN i % 11 = 2 THEN '-999999999999.999999'::DECIMAL(18, 6)
                ELSE ((hash(i) % 1999999999999)::BIGINT / 1000.0 - 999999999.5)::DECIMAL(18, 6) END AS d18,
           CASE WHEN i % 13 = 0 THEN NULL
                WHEN i % 13 = 1 THEN '9999999999999999999999999999.9999999999'::DECIMAL(38, 10)
                WHEN i % 13 = 2 THEN '-9999999999999999999999999999.9999999999'::DECIMAL(38, 10)
                ELSE (CASE WHEN i % 2 = 0 THEN -1 ELSE 1 END)
                     * (((hash(i) % 1000000000000000000)::HUGEINT * 10000000000 + (i * 7919) % 10000000000)
                        ::DECIMAL(38, 0) * 0.0000000001::DECIMAL(11, 10)) END AS d38,
           CASE i % 9 WHEN 0 THEN '' WHEN 1 THEN NULL
                WHEN 2 THEN 'héllo wörld ✓ 日本語 😀 ' || i
                WHEN 3 THEN 'tab' || chr(9) || 'nl' || chr(10) || 'cr' || chr(13) || 'bs' || chr(92) || 'N'
                WHEN 4 THEN '\\N' WHEN 5 THEN 'quote"comma,brace{}'
                WHEN 6 THEN repeat('long', 300) || i
                ELSE 'v' || (i % 100) END AS s,
           (['sad', 'ok', 'happy'])[i % 3 + 1]::mood AS e,
           CASE WHEN i % 8 = 0 THEN NULL
                ELSE ('{"n": ' || i || ', "s": "é\\"q", "a": [1, 2.5, null]}')::JSON END AS j,
           CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN ''::BLOB
                ELSE unhex(md5(i::VARCHAR)) END AS bl,
           CASE WHEN i % 9 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS u,
           CASE i % 23 WHEN 0 THEN NULL WHEN 1 THEN 'infinity'::DATE WHEN 2 THEN '-infinity'::DATE
                WHEN 3 THEN DATE '0044-03-15 (BC)' WHEN 4 THEN DATE '4713-11-24 (BC)'
                WHEN 5 THEN DATE '9999-12-31'
                ELSE DATE '1970-01-01' + ((i * 37) % 40000 - 20000)::INTEGER END AS dt,
           CASE i % 17 WHEN 0 THEN NULL WHEN 1 THEN TIME '23:59:59.999999' WHEN 2 THEN TIME '00:00:00'
                ELSE TIME '00:00:00' + to_microseconds((i * 1234567891) % 86400000000) END AS t,
           CAST(printf('%02d:%02d:%02d.%09d', (i * 7) % 24, (i * 11) % 60, (i * 13) % 60, ${frac9})
                AS TIME_NS) AS t_ns,
           CASE i % 19 WHEN 0 THEN NULL WHEN 1 THEN 'infinity'::TIMESTAMP
                WHEN 2 THEN '-infinity'::TIMESTAMP
                WHEN 3 THEN TIMESTAMP '0100-01-01 (BC) 10:00:00'
                WHEN 4 THEN TIMESTAMP '9999-12-31 23:59:59.999999'
                WHEN 5 THEN TIMESTAMP '0001-01-01 00:00:00'
                ELSE TIMESTAMP '1900-01-01' + to_microseconds(i * 987654321987) END AS ts,
           (TIMESTAMP '2020-01-01' + to_milliseconds(i * 1001 - 60000000))::TIMESTAMP_MS AS ts_ms,
           CAST(printf('%04d-%02d-%02d %02d:%02d:%02d.%09d', 1700 + i % 500, 1 + i % 12, 1 + i % 28,
                       i % 24, (i * 7) % 60, (i * 13) % 60, ${frac9}) AS TIMESTAMP_NS) AS ts_ns,
           (TIMESTAMP '1999-12-31' + to_seconds(i * 3))::TIMESTAMP_S AS ts_s,
           CASE WHEN i % 10 = 0 THEN NULL
                ELSE TIMESTAMPTZ '2000-01-01 00:00:00+00' + to_microseconds(i * 1000003 * 7919) END AS tstz,
           CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN []::INTEGER[] WHEN 2 THEN [NULL]::INTEGER[]
                ELSE [i::INTEGER, NULL, -i::INTEGER, 2147483647] END AS li,
           CASE i % 5 WHEN 0 THEN ['a', NULL, ''] WHEN 1 THEN NULL WHEN 2 THEN []::VARCHAR[]
                WHEN 3 THEN ['x' || i, 'ü{,}"\\' || chr(9) || chr(10), 'NULL'] ELSE ['plain'] END AS ls,
           CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN [1.5, -0.25, 1e300]::DOUBLE[]
                ELSE [i / 7.0, NULL]::DOUBLE[] END AS ld
    FROM range(${n}) t(i)`;

// A date or timestamp as PostgreSQL reads it: DuckDB writes "0044-03-15 (BC)"
// and "0100-01-01 (BC) 10:00:00", PostgreSQL wants "... BC" at the end.
const bc = (c) => `CASE WHEN contains(CAST(${c} AS VARCHAR), ' (BC)')
    THEN replace(CAST(${c} AS VARCHAR), ' (BC)', '') || ' BC' ELSE CAST(${c} AS VARCHAR) END AS ${c}`;

// What DuckDB reads from a file, rendered for the CSV.
const expected = (file) => `
    SELECT id, b, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, d4, d18, d38, s, e,
           CAST(j AS VARCHAR) AS j,
           CASE WHEN bl IS NULL THEN NULL ELSE '\\x' || lower(hex(bl)) END AS bl,
           u, ${bc('dt')}, t, t_ns, ${bc('ts')}, ${bc('ts_ms')}, ${bc('ts_ns')}, ${bc('ts_s')}, tstz,
           to_json(li) AS li, to_json(ls) AS ls, to_json(ld) AS ld
    FROM read_parquet('${file}')`;

(async () => {
    const inst = await duckdb.DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const run = (sql) => con.run(sql);
    const out = (name) => path.join(outdir, name);

    await run(`SET TimeZone = 'UTC'`).catch(() => {});
    await run(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);

    await run(`COPY (${rows(120000)}) TO '${out('types.parquet')}'
               (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 30000)`);
    await run(`COPY (${expected(out('types.parquet'))}) TO '${out('types.csv')}' (HEADER)`);
    await run(`COPY (SELECT row_group_id, path_in_schema, type, compression, num_values,
                            total_compressed_size, total_uncompressed_size, data_page_offset,
                            dictionary_page_offset, stats_null_count
                     FROM parquet_metadata('${out('types.parquet')}'))
               TO '${out('types_metadata.csv')}' (HEADER)`);

    for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4', 'lz4_raw']) {
        for (const version of ['v1', 'v2']) {
            const name = `types_${codec}_${version}`;
            await run(`COPY (${rows(5000)}) TO '${out(name + '.parquet')}'
                       (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${version.toUpperCase()},
                        ROW_GROUP_SIZE 2048)`);
            await run(`COPY (${expected(out(name + '.parquet'))}) TO '${out(name + '.csv')}' (HEADER)`);
        }
    }

    await run(`COPY (SELECT * FROM (VALUES
                        (1::INTEGER, 'alpha'::VARCHAR, 1.50::DECIMAL(10, 2), DATE '2024-01-01', ['x', NULL]),
                        (2, NULL, -2.25, NULL, []),
                        (3, 'gamma', NULL, DATE '2024-12-31', NULL)) t(id, name, amount, day, tags))
               TO '${out('known.parquet')}' (FORMAT parquet, COMPRESSION snappy)`);
    await run(`COPY (SELECT row_group_id, path_in_schema, num_values, total_compressed_size,
                            total_uncompressed_size, data_page_offset, dictionary_page_offset
                     FROM parquet_metadata('${out('known.parquet')}'))
               TO '${out('known_metadata.csv')}' (HEADER)`);

    await run(`COPY (SELECT i::INTEGER AS id, MAP {'k': i} AS m, {'a': i, 'b': 'x'} AS st,
                            [[i], []]::INTEGER[][] AS ll, i / 3.0::DOUBLE AS d
                     FROM range(10) t(i))
               TO '${out('nested.parquet')}' (FORMAT parquet)`);
    await run(`COPY (SELECT i::INTEGER AS id FROM range(10) t(i))
               TO '${out('brotli.parquet')}' (FORMAT parquet, COMPRESSION brotli)`);

    await writeLegacy(out);
    await run(`COPY (SELECT id, dba, tm_ms, ${bc('ts_ms_utc')}, tsn_utc, t_us_utc, u8c, u64l,
                            decode(raw) AS raw, ${bc('ts96')}, nul
                     FROM read_parquet('${out('legacy.parquet')}'))
               TO '${out('legacy.csv')}' (HEADER)`);
})().catch((e) => {
    console.error(e);
    process.exit(1);
});

// The files hyparquet-writer writes (see the header).
async function writeLegacy(out) {
    const { parquetWriteBuffer } = await importFromNodePath('hyparquet-writer');
    const n = 3000;
    const ids = [], dba = [], tmMs = [], tsMsUtc = [], tsnUtc = [], tUsUtc = [], u8c = [],
        u64l = [], raw = [], ts96 = [], nul = [];
    for (let i = 0; i < n; i++) {
        const I = BigInt(i);
        ids.push(I);
        dba.push(i % 7 === 0 ? null
            : (i % 2 ? -1n : 1n) * (I * 99999999999999999999999999999n + I * I * 1234567n + 1n));
        tmMs.push(i % 11 === 0 ? null : (i * 28799) % 86400000);
        tsMsUtc.push(i % 13 === 0 ? null : BigInt(i - 1500) * 86400123n * 1000n + I);
        // whole microseconds: DuckDB truncates nanoseconds where PostgreSQL rounds
        tsnUtc.push(BigInt(i - 1500) * 1000000007n * 864000n);
        tUsUtc.push(BigInt((i * 28799123) % 86400000000));
        u8c.push(i % 256);
        u64l.push(18446744073709551615n - I * 1000000000000003n);
        raw.push(i % 5 === 0 ? null : new TextEncoder().encode(i % 5 === 1 ? '' : 'bytes ü ' + i));
        // INT96: nanoseconds in the day (8 bytes) and Julian day (4 bytes), little-endian
        if (i % 9 === 0) {
            ts96.push(null);
        } else {
            const b = new Uint8Array(12);
            const v = new DataView(b.buffer);
            v.setBigInt64(0, BigInt((i * 1234567891) % 86400000000) * 1000n + I % 499n, true);
            v.setInt32(8, 2440588 + (i * 37) % 30000 - 15000, true);
            ts96.push(b);
        }
        nul.push(null);
    }
    const columnData = [
        { name: 'id', data: ids }, { name: 'dba', data: dba }, { name: 'tm_ms', data: tmMs },
        { name: 'ts_ms_utc', data: tsMsUtc }, { name: 'tsn_utc', data: tsnUtc },
        { name: 'raw', data: raw }, { name: 't_us_utc', data: tUsUtc }, { name: 'u8c', data: u8c },
        { name: 'u64l', data: u64l }, { name: 'ts96', data: ts96 }, { name: 'nul', data: nul },
    ];
    const schema = [
        { name: 'root', num_children: 11 },
        { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
        { name: 'dba', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'DECIMAL',
            precision: 38, scale: 5, logical_type: { type: 'DECIMAL', precision: 38, scale: 5 } },
        { name: 'tm_ms', type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'TIME_MILLIS' },
        { name: 'ts_ms_utc', type: 'INT64', repetition_type: 'OPTIONAL', converted_type: 'TIMESTAMP_MILLIS' },
        { name: 'tsn_utc', type: 'INT64', repetition_type: 'REQUIRED',
            logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } },
        { name: 'raw', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 't_us_utc', type: 'INT64', repetition_type: 'REQUIRED',
            logical_type: { type: 'TIME', isAdjustedToUTC: true, unit: 'MICROS' } },
        { name: 'u8c', type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'UINT_8' },
        { name: 'u64l', type: 'INT64', repetition_type: 'REQUIRED', converted_type: 'UINT_64' },
        { name: 'ts96', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12, repetition_type: 'OPTIONAL' },
        { name: 'nul', type: 'INT32', repetition_type: 'OPTIONAL', logical_type: { type: 'NULL' } },
    ];
    const buf = new Uint8Array(parquetWriteBuffer({ columnData, schema, rowGroupSize: 1000 }));
    fs.writeFileSync(out('legacy.parquet'), patchInt96(buf));

    fs.writeFileSync(out('bad_utf8.parquet'), new Uint8Array(parquetWriteBuffer({
        columnData: [{ name: 'raw', data: [new Uint8Array([0x61, 0xff, 0x62])] }],
        schema: [{ name: 'root', num_children: 1 },
            { name: 'raw', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' }],
    })));
    fs.writeFileSync(out('float16.parquet'), new Uint8Array(parquetWriteBuffer({
        columnData: [{ name: 'h', data: [1.5, null], type: 'FLOAT16' }],
    })));
}

// hyparquet-writer has no INT96: the column is written as
// FIXED_LEN_BYTE_ARRAY(12), whose values are INT96's bytes, and its
// physical type is changed in the footer.  In Thrift compact bytes a
// struct's first field "i32 type = 7" is 0x15 0x0e: in the schema element
// it is followed by type_length = 12 (0x15 0x18), in each chunk's
// ColumnMetaData by the encodings list (0x19).  INT96 is 3 (0x06).
function patchInt96(buf) {
    const len = buf.length;
    const footerLength = new DataView(buf.buffer, buf.byteOffset).getUint32(len - 8, true);
    const start = len - 8 - footerLength;
    let schema = 0, chunks = 0;
    for (let p = start; p + 3 < len - 8; p++) {
        if (buf[p] === 0x15 && buf[p + 1] === 0x0e && buf[p + 2] === 0x15 && buf[p + 3] === 0x18) {
            buf[p + 1] = 0x06;
            schema++;
        } else if (buf[p] === 0x15 && buf[p + 1] === 0x0e && buf[p + 2] === 0x19) {
            buf[p + 1] = 0x06;
            chunks++;
        }
    }
    if (schema !== 1 || chunks !== 3)
        throw new Error(`INT96 patch found ${schema} schema elements and ${chunks} chunks`);
    return buf;
}
