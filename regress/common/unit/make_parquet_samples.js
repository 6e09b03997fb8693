// make_parquet_samples.js
//     Writes Parquet files with DuckDB and hyparquet-writer for the
//     real-file checks of test_parquet_meta.c and test_parquet_read.c,
//     each with the values an independent reader (DuckDB; hyparquet for
//     the one file DuckDB cannot read) reads back from it.
//
// Usage: NODE_PATH=<dir holding @duckdb/node-api, hyparquet, hyparquet-writer> \
//            node make_parquet_samples.js OUTDIR
//        STRATA_PARQUET_SAMPLES=OUTDIR build/common/test_parquet_meta
//        STRATA_PARQUET_SAMPLES=OUTDIR build/common/test_parquet_read
//
// The packages are resolved through NODE_PATH (plain require, and import()
// for the two ES modules), so the test scripts decide where npm installed
// them.  Every file is named after what it exercises; test_parquet_meta.c
// knows the row counts and codecs of the first files below, and checks any
// other *.parquet in OUTDIR generically.
//
// The files hyparquet-writer writes go into OUTDIR/hyparquet-writer/, since
// test_parquet_meta.c expects every *.parquet directly in OUTDIR to come
// from DuckDB; test_parquet_read.c reads both folders.
//
// Expected values.  For every NAME.parquet written, NAME.expected holds
// what DuckDB (an independent reader) reads from it, in a canonical text
// form that test_parquet_read.c renders too, from its own decoding:
//
//     #strata-parquet-expected 1
//     #columns<TAB>leaf path<TAB>leaf path ...      (dotted, in column order)
//     one line per row, in file order: one field per leaf column, tab-separated
// or, for a file the reader must refuse,
//     #error<TAB>text the error message contains
//
// A field renders its leaf column's value in that row:
//     \N            null (the value, or anything above it, is null)
//     [a,b,...]     a list (LIST, or the key or value list of a MAP), items
//                   rendered the same way, nested for lists of lists; [] is empty
//     true false    BOOLEAN
//     123 -4        integers, signed or (UINT / INTEGER unsigned) unsigned;
//                   DATE in days, TIME and TIMESTAMP in their stored unit
//     -12.340       DECIMAL: the unscaled integer with the point placed by scale
//     0x3f800000    FLOAT and DOUBLE: their IEEE-754 bits in hex; NaN is "nan"
//     text          STRING, ENUM and JSON byte arrays as UTF-8, except that a
//                   backslash, tab, newline or carriage return byte is written
//                   as the two characters \\, \t, \n or \r
//     x00ff         other byte arrays and fixed-length ones (UUID, INTERVAL,
//                   binary): "x" and the bytes in lower-case hex
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

// --- Samples for test_parquet_read.c ---------------------------------------

// Every type DuckDB writes for a flat table, with nulls, extremes, special
// floats, empty and non-ASCII text, text that needs escaping, and long
// unique text that defeats the dictionary.  Row groups of 2048 (DuckDB
// rounds smaller sizes up to that).
const flatTypes = `
    SELECT i::INTEGER AS id,
           CASE WHEN i % 7 = 3 THEN NULL ELSE i % 2 = 0 END AS flag,
           (i % 256 - 128)::TINYINT AS i8,
           ((i * 37) % 65536 - 32768)::SMALLINT AS i16,
           ((hash(i) % 4294967296)::BIGINT - 2147483648)::INTEGER AS i32,
           CASE WHEN i % 13 = 5 THEN NULL
                WHEN i % 13 = 6 THEN 9223372036854775807
                WHEN i % 13 = 7 THEN -9223372036854775808
                ELSE (hash(i) >> 1)::BIGINT - 4611686018427387904 END AS i64,
           (i % 256)::UTINYINT AS u8,
           ((i * 7) % 65536)::USMALLINT AS u16,
           (hash(i) % 4294967296)::UINTEGER AS u32,
           hash(i * 3) AS u64,
           CASE i % 50 WHEN 1 THEN 'inf'::FLOAT WHEN 2 THEN '-inf'::FLOAT
                WHEN 3 THEN '-0.0'::FLOAT WHEN 4 THEN 'nan'::FLOAT WHEN 5 THEN NULL
                ELSE i::FLOAT / 3 END AS f32,
           CASE i % 40 WHEN 1 THEN 'inf'::DOUBLE WHEN 3 THEN '-0.0'::DOUBLE
                WHEN 4 THEN 'nan'::DOUBLE WHEN 5 THEN NULL
                ELSE (i - 1000)::DOUBLE / 7 END AS f64,
           ((i % 19999 - 9999) / 10)::DECIMAL(4, 1) AS dec4,
           (((hash(i) % 199999999)::BIGINT - 99999999) / 100)::DECIMAL(9, 2) AS dec9,
           CASE WHEN i % 11 = 0 THEN NULL
                ELSE (((hash(i) % 1999999999999999)::BIGINT - 999999999999999) / 10000)::DECIMAL(18, 4) END AS dec18,
           ((CASE WHEN i % 2 = 0 THEN '-' ELSE '' END) || (hash(i) % 100000000000000000000)::VARCHAR
                || '.' || lpad((i * 7919 % 10000000000)::VARCHAR, 10, '0'))::DECIMAL(38, 10) AS dec38,
           DATE '1970-01-01' + ((i * 37) % 40000 - 20000)::INTEGER AS day,
           TIME '00:00:00' + to_microseconds((i * 1234567891) % 86400000000) AS tod,
           TIMESTAMP '1900-01-01' + to_microseconds(i * 987654321987) AS ts,
           TIMESTAMPTZ '2000-01-01 00:00:00+00' + to_microseconds(i * 1000003) AS tstz,
           (TIMESTAMP '2020-01-01' + to_milliseconds(i * 1001))::TIMESTAMP_MS AS ts_ms,
           (TIMESTAMP '2020-01-01' + to_microseconds(i * 1001))::TIMESTAMP_NS AS ts_ns,
           CASE WHEN i % 9 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS uid,
           CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN ''::BLOB
                ELSE unhex(md5(i::VARCHAR)) END AS bin,
           CASE i % 6 WHEN 0 THEN '' WHEN 1 THEN NULL
                WHEN 2 THEN 'héllo wörld ✓ 日本語 😀 ' || i
                WHEN 3 THEN 'tab' || chr(9) || 'nl' || chr(10) || 'cr' || chr(13) || 'bs' || chr(92) || 'N'
                ELSE 'v' || (i % 10) END AS str,
           repeat(md5(i::VARCHAR), 1 + i % 8) AS long_str,
           (['sad', 'ok', 'happy'])[i % 3 + 1]::mood AS mood,
           INTERVAL (i % 13) MONTH + INTERVAL (i % 29) DAY + to_milliseconds(i * 1001) AS iv,
           ('{"n": ' || i || ', "s": "q"}')::JSON AS doc
    FROM range(5000) t(i)`;

// Lists of ints and of strings (null lists, empty lists, null elements),
// lists of lists, structs, lists of structs, maps.
const nested = `
    SELECT i::INTEGER AS id,
           CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN []::INTEGER[] WHEN 2 THEN [NULL]::INTEGER[]
                ELSE [i, NULL, -i, i * 1000]::INTEGER[] END AS ints,
           CASE i % 4 WHEN 0 THEN ['a', NULL, ''] WHEN 1 THEN NULL WHEN 2 THEN []::VARCHAR[]
                ELSE ['x' || i, 'ü' || i, repeat('long', i % 20)] END AS strs,
           CASE i % 3 WHEN 0 THEN [[i, i + 1], [], NULL, [NULL]]::BIGINT[][] WHEN 1 THEN NULL
                ELSE [[i]]::BIGINT[][] END AS nested,
           CASE WHEN i % 4 = 0 THEN NULL
                ELSE {'a': CASE WHEN i % 3 = 0 THEN NULL ELSE i END, 'b': 'x' || i} END AS rec,
           CASE i % 3 WHEN 0 THEN [{'k': i, 'v': 'v' || i}, NULL, {'k': NULL, 'v': NULL}]
                WHEN 1 THEN NULL ELSE [] END AS recs,
           CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN MAP {}::MAP(VARCHAR, INTEGER)
                ELSE MAP {'k' || i: i, 'z': NULL} END AS m
    FROM range(3000) t(i)`;

const readSamples = [];
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4', 'lz4_raw']) {
    readSamples.push([`read_types_${codec}.parquet`,
        `COPY (${flatTypes}) TO '%F' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2048)`]);
}
for (const codec of ['uncompressed', 'snappy', 'zstd']) {
    readSamples.push([`read_types_v2_${codec}.parquet`,
        `COPY (${flatTypes}) TO '%F' (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION V2)`]);
}
readSamples.push(
    ['read_nested_snappy.parquet',
        `COPY (${nested}) TO '%F' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 2048)`],
    ['read_nested_v2_gzip.parquet',
        `COPY (${nested}) TO '%F' (FORMAT parquet, COMPRESSION gzip, PARQUET_VERSION V2)`],
    ['read_large_rowgroup.parquet',
        `COPY (SELECT i, md5(i::VARCHAR) AS s, i % 5 AS small FROM range(130000) t(i))
         TO '%F' (FORMAT parquet, COMPRESSION zstd)`],
    ['read_refuse_brotli.parquet',
        `COPY (SELECT i FROM range(10) t(i)) TO '%F' (FORMAT parquet, COMPRESSION brotli)`]);

// What test_parquet_read.c must refuse, and a phrase of its message.
const refusals = {
    'read_refuse_brotli.parquet': 'not supported',
    'read_refuse_hyparquet_brotli.parquet': 'not supported',
};

// Files DuckDB cannot read, whose expected values hyparquet gives instead.
const readByHyparquet = ['read_hyparquet_split_ints.parquet'];

// hyparquet-writer: DATA_PAGE_V2 pages, every encoding it has, required
// columns, small pages (several per chunk) and uneven row groups.
function hyparquetColumns(n) {
    const ids = [], big = [], i32 = [], f32bss = [], f64bss = [],
        f32 = [], f64 = [], flag = [], flagPlain = [], str = [], dlba = [], dba = [], bin = [],
        uuid = [], ts = [], json = [], d9 = [], d18 = [], d38 = [], dba38 = [], day = [],
        tod = [], u32 = [];
    for (let i = 0; i < n; i++) {
        ids.push(i * 3 - 4000);
        big.push(i % 10 === 0 ? null : i % 7 === 1 ? 9223372036854775807n
            : i % 7 === 2 ? -9223372036854775808n : BigInt(i) * 1234567890123n);
        i32.push(i % 4 === 0 ? null : Math.imul(i, 2654435761 | 0));
        f32bss.push(Math.fround(i / 7));
        f64bss.push(i % 5 === 0 ? null : i / 3);
        f32.push([Infinity, -Infinity, -0, NaN][i % 50] ?? Math.fround((i - 100) * 1.25));
        f64.push(i % 3 === 0 ? null : (i % 17) * 0.5);
        flag.push(i % 9 === 0 ? null : i % 3 !== 0);
        flagPlain.push(i % 2 === 0);
        str.push(i % 8 === 0 ? null : ['alpha', 'beta', '', 'δέλτα', 'tab\there'][i % 5]);
        dlba.push(i % 7 === 0 ? null : 'x'.repeat(i % 23) + i);
        dba.push(i % 11 === 0 ? null : 'prefix/common/' + String(Math.floor(i / 3)).padStart(6, '0') + (i % 3 ? '/tail' : ''));
        bin.push(i % 6 === 0 ? null : Uint8Array.from([i & 255, 0, 255, (i >> 8) & 255].slice(0, i % 5)));
        uuid.push(i % 4 === 0 ? null : `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`);
        ts.push(i % 5 === 0 ? null : new Date(Date.UTC(2021, 0, 1) + i * 3600007));
        json.push(i % 3 === 0 ? null : { n: i, list: [i, 'x'] });
        d9.push(i % 4 === 0 ? null : (i - 1500) * 1.25);
        d18.push(BigInt(i) * 123456789012n - 99999999999999n);
        d38.push(i % 2 ? BigInt(i) * 10n ** 30n + 12345n : -(BigInt(i) * 7n ** 40n));
        dba38.push(i % 3 === 0 ? null : BigInt(i - 1500) * 1000003n);
        day.push(i % 7 === 0 ? null : i * 11 - 20000);
        tod.push(i * 28800 % 86400000);
        u32.push(i % 2 ? 4294967295 - i : i);
    }
    return [
        { name: 'id', data: ids, type: 'INT32', nullable: false, encoding: 'DELTA_BINARY_PACKED' },
        { name: 'big', data: big, type: 'INT64', encoding: 'DELTA_BINARY_PACKED' },
        { name: 'i32', data: i32, type: 'INT32', encoding: 'PLAIN' },
        { name: 'f32_bss', data: f32bss, type: 'FLOAT', encoding: 'BYTE_STREAM_SPLIT' },
        { name: 'f64_bss', data: f64bss, type: 'DOUBLE', encoding: 'BYTE_STREAM_SPLIT' },
        { name: 'f32', data: f32, type: 'FLOAT', nullable: false, encoding: 'PLAIN' },
        { name: 'f64', data: f64, type: 'DOUBLE' },
        { name: 'flag', data: flag, type: 'BOOLEAN' },
        { name: 'flag_plain', data: flagPlain, type: 'BOOLEAN', nullable: false, encoding: 'PLAIN' },
        { name: 'str', data: str, type: 'STRING' },
        { name: 'str_dlba', data: dlba, type: 'STRING', encoding: 'DELTA_LENGTH_BYTE_ARRAY' },
        { name: 'str_dba', data: dba, type: 'STRING', encoding: 'DELTA_BYTE_ARRAY' },
        { name: 'bin', data: bin, type: 'BYTE_ARRAY', encoding: 'PLAIN' },
        { name: 'uuid', data: uuid, type: 'UUID' },
        { name: 'ts', data: ts, type: 'TIMESTAMP' },
        { name: 'doc', data: json, type: 'JSON' },
        { name: 'dec9', data: d9 },
        { name: 'dec18', data: d18 },
        { name: 'dec38', data: d38 },
        { name: 'dec_bytes', data: dba38 },
        { name: 'day', data: day },
        { name: 'tod', data: tod },
        { name: 'u32', data: u32 },
    ];
}

const hyparquetOverrides = {
    dec9: { name: 'dec9', type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', scale: 2, precision: 9 },
    dec18: { name: 'dec18', type: 'INT64', repetition_type: 'REQUIRED', converted_type: 'DECIMAL', scale: 3, precision: 18 },
    dec38: { name: 'dec38', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, repetition_type: 'REQUIRED', converted_type: 'DECIMAL', scale: 5, precision: 38 },
    dec_bytes: { name: 'dec_bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', scale: 4, precision: 20 },
    day: { name: 'day', type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'DATE' },
    tod: { name: 'tod', type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'TIME_MILLIS' },
    u32: { name: 'u32', type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'UINT_32' },
};

// BYTE_STREAM_SPLIT of INT32, INT64 and FIXED_LEN_BYTE_ARRAY, which DuckDB
// does not read: hyparquet reads this file back instead (plain values only).
function hyparquetSplitInts(n) {
    const i32 = [], i64 = [], flba = [];
    for (let i = 0; i < n; i++) {
        i32.push(Math.imul(i, 7919) ^ (i << 20));
        i64.push(i % 6 === 0 ? null : BigInt(i) * -987654321987n);
        flba.push(i % 4 === 0 ? null : Uint8Array.from([i & 255, (i * 7) & 255, 0, 255, i >> 8]));
    }
    return {
        columnData: [
            { name: 'i32_bss', data: i32, encoding: 'BYTE_STREAM_SPLIT' },
            { name: 'i64_bss', data: i64, encoding: 'BYTE_STREAM_SPLIT' },
            { name: 'flba_bss', data: flba, encoding: 'BYTE_STREAM_SPLIT' },
        ],
        schema: [
            { name: 'root', num_children: 3 },
            { name: 'i32_bss', type: 'INT32', repetition_type: 'REQUIRED' },
            { name: 'i64_bss', type: 'INT64', repetition_type: 'OPTIONAL' },
            { name: 'flba_bss', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 5, repetition_type: 'OPTIONAL' },
        ],
    };
}

// Three-level lists, written from nested JS arrays.
function hyparquetNested(n) {
    const ids = [], ints = [], strs = [];
    for (let i = 0; i < n; i++) {
        ids.push(i);
        ints.push([null, [], [null], [i, null, -i], [i, i + 1, i + 2, i + 3, i + 4]][i % 5]);
        strs.push(i % 4 === 1 ? null : i % 4 === 2 ? [] : ['s' + i, i % 3 ? null : '', 'ω'.repeat(i % 4)]);
    }
    const columnData = [
        { name: 'id', data: ids },
        { name: 'ints', data: ints },
        { name: 'strs', data: strs },
    ];
    const schema = [
        { name: 'root', num_children: 3 },
        { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
        { name: 'ints', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'INT32', repetition_type: 'OPTIONAL' },
        { name: 'strs', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ];
    return { columnData: columnData.map((c) => ({ ...c, data: c.name === 'id' ? c.data.map(BigInt) : c.data })), schema };
}

async function writeHyparquetSamples() {
    const { parquetWriteBuffer, schemaFromColumnData } = await importFromNodePath('hyparquet-writer');
    const zlib = require('zlib');
    const compressors = {
        GZIP: (b) => zlib.gzipSync(b),
        BROTLI: (b) => zlib.brotliCompressSync(b),
    };
    const dir = 'hyparquet-writer';
    const written = [];
    fs.mkdirSync(path.join(outdir, dir), { recursive: true });
    const flat = [
        ['read_hyparquet_snappy.parquet', 'SNAPPY'],
        ['read_hyparquet_uncompressed.parquet', 'UNCOMPRESSED'],
        ['read_hyparquet_gzip.parquet', 'GZIP'],
        ['read_refuse_hyparquet_brotli.parquet', 'BROTLI'],
    ];
    for (const [name, codec] of flat) {
        const columnData = hyparquetColumns(name.includes('brotli') ? 50 : 3000);
        const schema = schemaFromColumnData({ columnData, schemaOverrides: hyparquetOverrides });
        const buf = parquetWriteBuffer({
            // with an explicit schema, the columns may not carry types
            columnData: columnData.map(({ type, nullable, ...rest }) => rest),
            schema, codec, compressors,
            pageSize: 2000, rowGroupSize: [700, 1500],
        });
        written.push(path.join(dir, name));
        fs.writeFileSync(path.join(outdir, dir, name), Buffer.from(buf));
    }
    const { columnData, schema } = hyparquetNested(2500);
    fs.writeFileSync(path.join(outdir, dir, 'read_hyparquet_nested.parquet'),
        Buffer.from(parquetWriteBuffer({ columnData, schema, compressors, pageSize: 1500, rowGroupSize: 1000 })));
    written.push(path.join(dir, 'read_hyparquet_nested.parquet'));
    const split = hyparquetSplitInts(3000);
    fs.writeFileSync(path.join(outdir, dir, 'read_hyparquet_split_ints.parquet'),
        Buffer.from(parquetWriteBuffer({ ...split, codec: 'UNCOMPRESSED', pageSize: 3000, rowGroupSize: 2000 })));
    written.push(path.join(dir, 'read_hyparquet_split_ints.parquet'));
    return written;
}

// --- Expected values, as DuckDB reads them -------------------------------

function escapeText(bytes) {
    const out = [];
    for (const b of bytes) {
        if (b === 0x5c) out.push(0x5c, 0x5c);
        else if (b === 0x09) out.push(0x5c, 0x74);
        else if (b === 0x0a) out.push(0x5c, 0x6e);
        else if (b === 0x0d) out.push(0x5c, 0x72);
        else out.push(b);
    }
    return Buffer.from(out).toString('latin1');
}

function hex(bytes) {
    return 'x' + Buffer.from(bytes).toString('hex');
}

function decimalText(unscaled, scale) {
    const neg = unscaled < 0n;
    let digits = (neg ? -unscaled : unscaled).toString();
    if (scale > 0) {
        digits = digits.padStart(scale + 1, '0');
        digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
    }
    return (neg ? '-' : '') + digits;
}

function floatBits(v, double) {
    if (Number.isNaN(v)) return 'nan';
    const dv = new DataView(new ArrayBuffer(8));
    if (double) {
        dv.setFloat64(0, v);
        return '0x' + dv.getBigUint64(0).toString(16).padStart(16, '0');
    }
    dv.setFloat32(0, v);
    return '0x' + dv.getUint32(0).toString(16).padStart(8, '0');
}

function timeUnitNanos(el) {
    const unit = el.logical_type?.unit ||
        ({ TIME_MILLIS: 'MILLIS', TIMESTAMP_MILLIS: 'MILLIS' })[el.converted_type] || 'MICROS';
    return { MILLIS: 1000000n, MICROS: 1000n, NANOS: 1n }[unit];
}

function asNanos(v) {
    if (v.nanos !== undefined) return BigInt(v.nanos);
    if (v.micros !== undefined) return BigInt(v.micros) * 1000n;
    if (v.millis !== undefined) return BigInt(v.millis) * 1000000n;
    if (v.seconds !== undefined) return BigInt(v.seconds) * 1000000000n;
    throw new Error('not a time value: ' + v);
}

// A leaf value (the Parquet element el) as DuckDB returns it, rendered.
function renderScalar(v, el) {
    const lt = el.logical_type?.type;
    const ct = el.converted_type;
    if (ct === 'DECIMAL' || lt === 'DECIMAL') {
        if (v.scale !== (el.scale ?? el.logical_type?.scale ?? 0)) throw new Error('decimal scale differs');
        return decimalText(v.value, v.scale);
    }
    switch (el.type) {
        case 'BOOLEAN':
            return v ? 'true' : 'false';
        case 'INT32':
        case 'INT64':
            if (ct === 'DATE' || lt === 'DATE') return String(v.days);
            if (ct?.startsWith('TIME') || lt === 'TIME' || lt === 'TIMESTAMP')
                return String(asNanos(v) / timeUnitNanos(el));
            return String(v);
        case 'FLOAT':
            return floatBits(v, false);
        case 'DOUBLE':
            return floatBits(v, true);
        case 'BYTE_ARRAY':
        case 'FIXED_LEN_BYTE_ARRAY':
            if (typeof v === 'string') {
                if (ct === 'UTF8' || ct === 'JSON' || ct === 'ENUM' || ['STRING', 'JSON', 'ENUM'].includes(lt))
                    return escapeText(Buffer.from(v, 'utf8'));
                throw new Error(`text from a binary column ${el.name}`);
            }
            if (v.bytes) return hex(v.bytes);
            if (v.hugeint !== undefined) return 'x' + v.toString().replace(/-/g, '');
            if (v.months !== undefined) {
                const b = Buffer.alloc(12);
                b.writeUInt32LE(v.months, 0);
                b.writeUInt32LE(v.days, 4);
                b.writeUInt32LE(Number(BigInt(v.micros) / 1000n), 8);
                return hex(b);
            }
            throw new Error(`cannot render ${v} of ${el.name}`);
        default:
            throw new Error(`cannot render type ${el.type} of ${el.name}`);
    }
}

// Render the value of nodes[k] (a schema node on the path to a leaf).
function renderPath(v, nodes, k) {
    if (v === null || v === undefined) return '\\N';
    const node = nodes[k];
    const el = node.el;
    if (k === nodes.length - 1) return renderScalar(v, el);
    const kind = el.logical_type?.type || el.converted_type;
    if (kind === 'LIST')
        return '[' + v.items.map((item) => renderPath(item, nodes, k + 2)).join(',') + ']';
    if (kind === 'MAP' || kind === 'MAP_KEY_VALUE') {
        const isKey = nodes[k + 1].children[0] === nodes[k + 2];
        return '[' + v.entries.map((e) => renderPath(isKey ? e.key : e.value, nodes, k + 2)).join(',') + ']';
    }
    return renderPath(v.entries[nodes[k + 1].el.name], nodes, k + 1);
}

async function writeExpected(conn, parquetMetadata, file) {
    const name = path.basename(file);
    const out = file.replace(/\.parquet$/, '.expected');
    const header = '#strata-parquet-expected 1\n';
    if (refusals[name]) {
        fs.writeFileSync(out, header + '#error\t' + refusals[name] + '\n');
        return;
    }
    const bytes = fs.readFileSync(file);
    const md = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

    // the schema tree, and the path of nodes to each leaf
    const leaves = [];
    const tops = [];
    let next = 1;
    const walk = (above) => {
        const node = { el: md.schema[next++], children: [] };
        const nodes = above.concat([node]);
        if (node.el.num_children)
            for (let c = 0; c < node.el.num_children; c++) node.children.push(walk(nodes));
        else
            leaves.push(nodes);
        return node;
    };
    for (let c = 0; c < md.schema[0].num_children; c++) tops.push(walk([]));

    if (readByHyparquet.includes(name)) {
        const { parquetReadObjects } = await importFromNodePath('hyparquet');
        const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
        const render = (v) => v === null || v === undefined ? '\\N'
            : v instanceof Uint8Array ? hex(v) : String(v);
        const out2 = [header, '#columns\t' + leaves.map((l) => l[0].el.name).join('\t') + '\n'];
        for (const row of rows)
            out2.push(leaves.map((l) => render(row[l[0].el.name])).join('\t') + '\n');
        fs.writeFileSync(out, out2.join(''));
        return;
    }
    const result = await conn.runAndReadAll(
        `SELECT * FROM read_parquet('${file.replace(/'/g, "''")}', file_row_number = true) ORDER BY file_row_number`);
    const lines = [header, '#columns\t' + leaves.map((l) => l.map((n) => n.el.name).join('.')).join('\t') + '\n'];
    for (const row of result.getRows()) {
        const fields = leaves.map((l) => renderPath(row[tops.indexOf(l[0])], l, 0));
        lines.push(fields.join('\t') + '\n');
    }
    fs.writeFileSync(out, Buffer.from(lines.join(''), 'latin1'));
}

async function main() {
    const instance = await duckdb.DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const written = [];

    await conn.run("SET TimeZone = 'UTC'");
    await conn.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    for (const [name, sql] of samples.concat(readSamples)) {
        const file = path.join(outdir, name);
        await conn.run(sql.replace('%F', file.replace(/'/g, "''")));
        written.push(name);
    }
    written.push(...await writeHyparquetSamples());

    const { parquetMetadata } = await importFromNodePath('hyparquet');
    for (const name of written) {
        await writeExpected(conn, parquetMetadata, path.join(outdir, name));
        console.log(`wrote ${path.join(outdir, name)} and its .expected`);
    }
}

main().catch((e) => {
    console.error(e.stack || e.message || e);
    process.exit(1);
});
