// regress/iceberg/read_parquet.js
//     Reads a Parquet file strata_iceberg wrote (COPY ... TO ... (FORMAT
//     parquet)) with two independent readers, for t/002_copy_to_parquet.pl.
//
// Usage: NODE_PATH=$STRATA_ROOT/scripts/node/node_modules \
//            node read_parquet.js FILE.parquet OUT.csv
//
// Writes OUT.csv: what DuckDB reads, one header line, then the rows in file
// order, each value rendered as PostgreSQL's input functions read it (bytea
// as \x..., BC dates and timestamps with a trailing " BC", lists as JSON
// arrays of their elements' text, floats as DuckDB prints them, which
// float8in reads back exactly).
// Prints one line of JSON on stdout:
//     rows            DuckDB's row count
//     row_groups      the rows of each row group (parquet_metadata)
//     codecs          the distinct codecs of the column chunks
//     types           column name -> DuckDB's type
//     hyparquet_rows  hyparquet's row count
//     mismatches      values where hyparquet and DuckDB disagree, over the
//                     columns both hand back in the same form (integers,
//                     booleans, strings); with the first few as examples
'use strict';

const fs = require('fs');

const [file, outCsv] = process.argv.slice(2);
if (!file || !outCsv) {
    console.error('usage: node read_parquet.js FILE.parquet OUT.csv');
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

const q = (name) => '"' + name.replace(/"/g, '""') + '"';
const lit = (s) => "'" + s.replace(/'/g, "''") + "'";

// DuckDB prints a BC date as "0044-03-15 (BC)"; PostgreSQL wants "... BC".
function render(name, type) {
    const c = q(name);
    if (type === 'BLOB')
        return `CASE WHEN ${c} IS NULL THEN NULL ELSE '\\x' || lower(hex(${c})) END AS ${c}`;
    if (type.endsWith('[]'))
        return `to_json(list_transform(${c}, x -> CAST(x AS VARCHAR))) AS ${c}`;
    if (/^(DATE|TIMESTAMP)/.test(type))
        return `CASE WHEN contains(CAST(${c} AS VARCHAR), ' (BC)')
                THEN replace(CAST(${c} AS VARCHAR), ' (BC)', '') || ' BC'
                ELSE CAST(${c} AS VARCHAR) END AS ${c}`;
    return `CAST(${c} AS VARCHAR) AS ${c}`;
}

(async () => {
    const inst = await duckdb.DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    await con.run(`SET TimeZone = 'UTC'`);
    const src = `read_parquet(${lit(file)})`;

    const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRows();
    const types = {};
    for (const [name, type] of described)
        types[name] = type;
    const select = described.map(([name, type]) => render(name, type)).join(', ');
    await con.run(`COPY (SELECT ${select} FROM ${src}) TO ${lit(outCsv)} (HEADER)`);

    const rows = Number((await con.runAndReadAll(`SELECT count(*) FROM ${src}`)).getRows()[0][0]);
    const groups = (await con.runAndReadAll(
        `SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata(${lit(file)})
         GROUP BY row_group_id ORDER BY row_group_id`)).getRows().map((r) => Number(r[1]));
    const codecs = (await con.runAndReadAll(
        `SELECT DISTINCT compression FROM parquet_metadata(${lit(file)}) ORDER BY 1`))
        .getRows().map((r) => r[0]);

    // hyparquet, compared with DuckDB on the columns both render alike
    const { parquetReadObjects } = await importFromNodePath('hyparquet');
    const { compressors } = await importFromNodePath('hyparquet-compressors');
    const buf = fs.readFileSync(file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const hyRows = await parquetReadObjects({ file: ab, compressors });
    const comparable = described
        .filter(([, type]) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|BOOLEAN|VARCHAR)$/.test(type))
        .map(([name]) => name);
    let mismatches = 0;
    const examples = [];
    if (comparable.length > 0) {
        const cols = comparable.map((n) => `CAST(${q(n)} AS VARCHAR)`).join(', ');
        const duckRows = (await con.runAndReadAll(`SELECT ${cols} FROM ${src}`)).getRows();
        for (let i = 0; i < Math.min(duckRows.length, hyRows.length); i++) {
            comparable.forEach((name, j) => {
                const h = hyRows[i][name];
                const hs = h === null || h === undefined ? null : String(h);
                const d = duckRows[i][j] === null ? null : String(duckRows[i][j]);
                if (hs !== d) {
                    mismatches++;
                    if (examples.length < 3)
                        examples.push({ row: i, column: name, duckdb: d, hyparquet: hs });
                }
            });
        }
    }
    console.log(JSON.stringify({
        rows, row_groups: groups, codecs, types, hyparquet_rows: hyRows.length,
        mismatches, examples,
    }));
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
