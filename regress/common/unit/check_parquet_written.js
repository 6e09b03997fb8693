// check_parquet_written.js
//     Reads the Parquet files test_parquet_write.c wrote with two
//     independent readers, DuckDB and hyparquet, and compares what each
//     reads with what the writer was given.
//
// Usage: mkdir -p DIR && STRATA_PARQUET_WRITE_DIR=DIR build/common/test_parquet_write
//        NODE_PATH=<node_modules with @duckdb/node-api, hyparquet,
//                   hyparquet-compressors> node check_parquet_written.js DIR
//
// For every NAME.parquet in DIR there must be a NAME.expected, in the
// canonical text form documented at the top of test_parquet_write.c (the
// form make_parquet_samples.js uses): header lines #codec, #row_groups,
// #field_ids and #columns, then one line per row, one tab-separated field
// per column.  For each file this checks:
//   - DuckDB (read_parquet, in file_row_number order) reads every row as
//     expected, each value rendered in the canonical form;
//   - hyparquet reads every row as expected.  Its decimal annotations are
//     taken off the schema it reads with, so decimals arrive as the stored
//     integers (hyparquet turns them into JavaScript numbers, which would
//     round), and its parsers hand back dates, timestamps, strings, JSON
//     and UUIDs as stored; the rendering applies the logical types;
//   - DuckDB's parquet_metadata: the codec of every chunk and the row
//     counts of the row groups; its parquet_schema: every field id;
//   - statistics as DuckDB reads them from the footer: null_count of every
//     chunk, and min and max of the integer and STRING columns, against
//     the values of that row group's rows worked out here (strings in
//     unsigned byte order, integers signed or unsigned by their type);
//   - hyparquet's footer: row counts and codecs.
// It prints TAP (ok / not ok lines and a 1..N plan), with the first
// mismatch of a failed check as a comment, and exits non-zero on any
// failure.  For the files written with ZSTD it also has DuckDB write the
// same rows with ZSTD (in its own row groups) and prints both sizes as a
// comment.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = process.argv[2];
if (!dir) {
    console.error('usage: node check_parquet_written.js DIR');
    process.exit(2);
}

let duckdb;
try {
    duckdb = require('@duckdb/node-api');
} catch (e) {
    console.error('cannot load @duckdb/node-api; set NODE_PATH to the node_modules folder holding it');
    process.exit(2);
}

// ES modules ignore NODE_PATH: import them where require would find them.
function importFromNodePath(name) {
    const url = require('url');
    return import(url.pathToFileURL(require.resolve(name)).href);
}

// --- TAP ------------------------------------------------------------------

let count = 0;
let failed = 0;

function ok(cond, name, detail) {
    count++;
    if (!cond) failed++;
    console.log(`${cond ? '' : 'not '}ok ${count} - ${name}`);
    if (!cond && detail) console.log(`# ${String(detail).split('\n').join('\n# ')}`);
}

// --- The canonical form ---------------------------------------------------

// Text values: UTF-8 bytes with \, tab, newline and carriage return
// escaped, as a latin1 string (one character per byte, like the file).
function escapeBytes(bytes) {
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

function unescapeField(text) {
    const bytes = Buffer.from(text, 'latin1');
    const out = [];
    for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] === 0x5c && i + 1 < bytes.length) {
            const n = bytes[++i];
            out.push(n === 0x74 ? 0x09 : n === 0x6e ? 0x0a : n === 0x72 ? 0x0d : n);
        } else out.push(bytes[i]);
    }
    return Buffer.from(out);
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

// big-endian two's complement bytes as a BigInt
function beSigned(bytes) {
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    if (bytes.length > 0 && (bytes[0] & 0x80)) v -= 1n << BigInt(8 * bytes.length);
    return v;
}

// What a leaf element is, for rendering.
function leafKind(el) {
    const lt = el.logical_type?.type;
    const ct = el.converted_type;
    if (lt === 'DECIMAL' || ct === 'DECIMAL')
        return { kind: 'decimal', scale: el.logical_type?.scale ?? el.scale ?? 0 };
    if (el.type === 'BOOLEAN') return { kind: 'bool' };
    if (el.type === 'FLOAT') return { kind: 'float' };
    if (el.type === 'DOUBLE') return { kind: 'double' };
    if (el.type === 'INT32' || el.type === 'INT64') {
        if (lt === 'DATE' || ct === 'DATE') return { kind: 'date' };
        if (lt === 'TIME') return { kind: 'time' };
        if (lt === 'TIMESTAMP') return { kind: 'timestamp' };
        return { kind: 'int', plain: lt === undefined || lt === 'INTEGER' };
    }
    if (lt === 'STRING' || lt === 'JSON' || ct === 'UTF8' || ct === 'JSON')
        return { kind: 'text', string: lt === 'STRING' || ct === 'UTF8' };
    if (lt === 'UUID') return { kind: 'uuid' };
    return { kind: 'hex' };
}

// A value as DuckDB's node API returns it.
function renderDuck(v, k) {
    switch (k.kind) {
        case 'decimal':
            if (v.scale !== k.scale) throw new Error(`decimal scale ${v.scale}, not ${k.scale}`);
            return decimalText(v.value, k.scale);
        case 'bool': return v ? 'true' : 'false';
        case 'float': return floatBits(v, false);
        case 'double': return floatBits(v, true);
        case 'date': return String(v.days);
        case 'time':
            if (v.offset !== undefined && v.offset !== 0) throw new Error(`TIME with offset ${v.offset}`);
            return String(v.micros);
        case 'timestamp': return String(v.micros);
        case 'int': return String(v);
        case 'text': return escapeBytes(Buffer.from(v, 'utf8'));
        case 'uuid': return 'x' + v.toString().replace(/-/g, '');
        case 'hex': return hex(v.bytes);
    }
    throw new Error('unknown kind ' + k.kind);
}

// A value as hyparquet returns it, with the parsers and schema set below.
function renderHyparquet(v, k) {
    switch (k.kind) {
        case 'decimal':
            if (v instanceof Uint8Array) return decimalText(beSigned(v), k.scale);
            return decimalText(BigInt(v), k.scale);
        case 'bool': return v ? 'true' : 'false';
        case 'float': return floatBits(v, false);
        case 'double': return floatBits(v, true);
        case 'date':
        case 'time':
        case 'timestamp':
        case 'int': return String(v);
        case 'text': return escapeBytes(v);
        case 'uuid':
        case 'hex': return hex(v);
    }
    throw new Error('unknown kind ' + k.kind);
}

function renderField(v, col, render) {
    if (v === null || v === undefined) return '\\N';
    if (!col.list) return render(v, col.k);
    const items = Array.isArray(v) ? v : v.items;
    return '[' + items.map((x) => (x === null || x === undefined ? '\\N' : render(x, col.k))).join(',') + ']';
}

// --- The expected file ----------------------------------------------------

function parseExpected(file) {
    const text = fs.readFileSync(file, 'latin1');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines[0] !== '#strata-parquet-expected 1') throw new Error(`${file}: not an expected file`);
    const exp = { rows: [] };
    for (const line of lines.slice(1)) {
        if (line.startsWith('#')) {
            const [key, ...rest] = line.slice(1).split('\t');
            exp[key] = rest;
        } else exp.rows.push(line);
    }
    for (const key of ['codec', 'row_groups', 'field_ids', 'columns'])
        if (!exp[key]) throw new Error(`${file}: no #${key} line`);
    exp.codec = exp.codec[0];
    exp.row_groups = exp.row_groups.map(Number);
    return exp;
}

// The top-level columns of a file's schema (hyparquet's decoded footer).
function topColumns(md) {
    const cols = [];
    let i = 1;
    for (let c = 0; c < md.schema[0].num_children; c++) {
        const el = md.schema[i];
        const isList = el.converted_type === 'LIST' || el.logical_type?.type === 'LIST';
        const leafIndex = isList ? i + 2 : i;
        cols.push({ name: el.name, list: isList, leafIndex, leaf: md.schema[leafIndex], k: leafKind(md.schema[leafIndex]) });
        i += isList ? 3 : 1;
    }
    return cols;
}

function firstMismatch(got, want) {
    const n = Math.max(got.length, want.length);
    for (let i = 0; i < n; i++) {
        if (got[i] !== want[i]) {
            const g = got[i] === undefined ? '(none)' : got[i];
            const w = want[i] === undefined ? '(none)' : want[i];
            const gf = g.split('\t'), wf = w.split('\t');
            for (let f = 0; f < Math.max(gf.length, wf.length); f++)
                if (gf[f] !== wf[f])
                    return `row ${i}, field ${f}: read ${JSON.stringify(gf[f])}, expected ${JSON.stringify(wf[f])}`;
            return `row ${i} differs`;
        }
    }
    return null;
}

// --- Statistics worked out from the expected rows -------------------------

// Split a list field into its items (no value here contains a comma).
function listItems(field) {
    if (field === '\\N') return null;
    const inner = field.slice(1, -1);
    return inner === '' ? [] : inner.split(',');
}

function expectedStats(rows, colIndex, col) {
    let nulls = 0;
    let min = null, max = null;
    const statKind = col.k.kind === 'int' ? 'int' : col.k.kind === 'text' && col.k.string ? 'string' : null;
    const less = (a, b) => (statKind === 'int' ? a < b : Buffer.compare(a, b) < 0);
    for (const row of rows) {
        const field = row.split('\t')[colIndex];
        let values;
        if (col.list) {
            const items = listItems(field);
            if (items === null || items.length === 0) { nulls++; continue; }
            values = items;
        } else values = [field];
        for (const v of values) {
            if (v === '\\N') { nulls++; continue; }
            if (!statKind) continue;
            const x = statKind === 'int' ? BigInt(v) : unescapeField(v);
            if (min === null || less(x, min)) min = x;
            if (max === null || less(max, x)) max = x;
        }
    }
    if (statKind === 'string' && min !== null && min.length + max.length >= 4096) min = max = null;
    return { nulls, statKind, min, max };
}

// --- Checks -----------------------------------------------------------------

async function checkDuckDB(conn, file, name, exp, cols) {
    const q = file.replace(/'/g, "''");
    const result = await conn.runAndReadAll(
        `SELECT * EXCLUDE (file_row_number) FROM read_parquet('${q}', file_row_number = true) ORDER BY file_row_number`);
    const names = result.columnNames();
    ok(names.join('\t') === cols.map((c) => c.name).join('\t'), `${name}: DuckDB sees the columns`,
        names.join(','));
    const lines = result.getRows().map((row) => cols.map((c, i) => renderField(row[i], c, renderDuck)).join('\t'));
    const mismatch = firstMismatch(lines, exp.rows);
    ok(mismatch === null, `${name}: DuckDB reads the ${exp.rows.length} rows as written`, mismatch);

    const meta = (await conn.runAndReadAll(
        `SELECT row_group_id, row_group_num_rows, column_id, compression, stats_null_count,
                stats_min_value, stats_max_value
         FROM parquet_metadata('${q}') ORDER BY row_group_id, column_id`)).getRowObjects();
    const codecs = [...new Set(meta.map((m) => m.compression))];
    ok(meta.length === 0 ? exp.row_groups.length === 0 : codecs.length === 1 && codecs[0] === exp.codec,
        `${name}: DuckDB sees codec ${exp.codec} on every chunk`, codecs.join(','));
    const groupRows = [];
    for (const m of meta) groupRows[Number(m.row_group_id)] = Number(m.row_group_num_rows);
    ok(groupRows.join(',') === exp.row_groups.join(','),
        exp.row_groups.length === 0 ? `${name}: DuckDB sees no row groups` :
            `${name}: DuckDB sees row groups of ${exp.row_groups.join(', ')} rows`,
        groupRows.join(','));

    const schema = (await conn.runAndReadAll(`SELECT name, field_id FROM parquet_schema('${q}')`)).getRowObjects();
    const ids = schema.slice(1).map((s) => `${s.name}:${s.field_id === null ? '-' : s.field_id}`);
    ok(ids.join('\t') === exp.field_ids.join('\t'), `${name}: DuckDB sees every field id`,
        firstMismatch(ids, exp.field_ids));

    // statistics, row group by row group
    let start = 0;
    let statProblems = [];
    let minmaxChecked = 0;
    for (let g = 0; g < exp.row_groups.length; g++) {
        const rows = exp.rows.slice(start, start + exp.row_groups[g]);
        start += exp.row_groups[g];
        cols.forEach((col, c) => {
            const m = meta.find((x) => Number(x.row_group_id) === g && Number(x.column_id) === c);
            const want = expectedStats(rows, c, col);
            if (!m) { statProblems.push(`group ${g} column ${col.name}: no chunk`); return; }
            if (Number(m.stats_null_count) !== want.nulls)
                statProblems.push(`group ${g} column ${col.name}: null_count ${m.stats_null_count}, expected ${want.nulls}`);
            if (!want.statKind || col.list) return;
            minmaxChecked++;
            const got = [m.stats_min_value, m.stats_max_value];
            const exps = want.min === null ? [null, null] :
                want.statKind === 'int' ? [String(want.min), String(want.max)] :
                    [want.min.toString('utf8'), want.max.toString('utf8')];
            if (got[0] !== exps[0] || got[1] !== exps[1])
                statProblems.push(`group ${g} column ${col.name}: min/max ${JSON.stringify(got)}, expected ${JSON.stringify(exps)}`);
        });
    }
    ok(statProblems.length === 0,
        `${name}: DuckDB reads the statistics expected (null counts of every chunk, min/max of ${minmaxChecked} integer and string chunks)`,
        statProblems.slice(0, 5).join('\n'));
}

async function checkHyparquet(hyparquet, compressors, file, name, exp) {
    const bytes = fs.readFileSync(file);
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const md = hyparquet.parquetMetadata(ab);
    const cols = topColumns(md);

    ok(Number(md.num_rows) === exp.rows.length &&
        md.row_groups.map((g) => Number(g.num_rows)).join(',') === exp.row_groups.join(','),
    `${name}: hyparquet's footer has ${exp.rows.length} rows in ${exp.row_groups.length} row groups`);
    const codecs = [...new Set(md.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data.codec)))];
    ok(md.row_groups.length === 0 || (codecs.length === 1 && codecs[0] === exp.codec),
        `${name}: hyparquet's footer names codec ${exp.codec}`, codecs.join(','));

    // read decimals as their stored integers (see the top of the file)
    const readMd = structuredClone(md);
    for (const el of readMd.schema) {
        if (el.converted_type === 'DECIMAL' || el.logical_type?.type === 'DECIMAL') {
            delete el.converted_type;
            delete el.logical_type;
        }
    }
    const asStored = (x) => x;
    const rows = await hyparquet.parquetReadObjects({
        file: ab,
        metadata: readMd,
        compressors,
        utf8: false,
        parsers: {
            timestampFromMilliseconds: asStored,
            timestampFromMicroseconds: asStored,
            timestampFromNanoseconds: asStored,
            dateFromDays: asStored,
            stringFromBytes: asStored,
            jsonFromBytes: asStored,
            uuidFromBytes: asStored,
        },
    });
    const lines = rows.map((row) => cols.map((c) => renderField(row[c.name], c, renderHyparquet)).join('\t'));
    const mismatch = firstMismatch(lines, exp.rows);
    ok(mismatch === null, `${name}: hyparquet reads the ${exp.rows.length} rows as written`, mismatch);
    return { md, cols };
}

// DuckDB writes the same rows with ZSTD: how big is its file?
async function compareSize(conn, file, name) {
    const out = path.join(os.tmpdir(), `strata_pqw_${process.pid}_${name}.parquet`);
    const q = file.replace(/'/g, "''");
    await conn.run(`COPY (SELECT * FROM read_parquet('${q}')) TO '${out.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`);
    const theirs = fs.statSync(out).size;
    fs.unlinkSync(out);
    console.log(`# ${name}: strata writes ${fs.statSync(file).size} bytes, DuckDB ${theirs} bytes for the same rows (ZSTD)`);
}

async function main() {
    const hyparquet = await importFromNodePath('hyparquet');
    const { compressors } = await importFromNodePath('hyparquet-compressors');
    const instance = await duckdb.DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'");

    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort();
    ok(files.length > 0, `${dir} holds Parquet files to check`);
    for (const f of files) {
        const name = f.replace(/\.parquet$/, '');
        const file = path.join(dir, f);
        const expFile = path.join(dir, name + '.expected');
        try {
            if (!fs.existsSync(expFile)) {
                ok(false, `${name}: has its .expected`);
                continue;
            }
            const exp = parseExpected(expFile);
            const { cols } = await checkHyparquet(hyparquet, compressors, file, name, exp);
            ok(cols.map((c) => c.name + (c.list ? '.list.element' : '')).join('\t') === exp.columns.join('\t'),
                `${name}: the schema has the expected columns`);
            await checkDuckDB(conn, file, name, exp, cols);
            if (exp.codec === 'ZSTD' && exp.rows.length > 0)
                await compareSize(conn, file, name);
        } catch (e) {
            ok(false, `${name}: checked without an error`, e.stack || e.message || e);
        }
    }
    console.log(`1..${count}`);
    process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
    console.error(e.stack || e.message || e);
    process.exit(1);
});
