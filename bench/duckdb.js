// bench/duckdb.js: run SQL in DuckDB and time it, for the benchmarks.
//
// usage: node duckdb.js DBFILE < steps.json
// steps.json is a list of {"name": ..., "sql": ..., "repeat": N}; each step
// runs N times (default 1) and prints "name<TAB>best milliseconds<TAB>first
// value of the last result" on stdout.  DuckDB runs with one thread unless a
// step says otherwise (SET threads = ...), matching the single-core figures
// of the PostgreSQL side.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');
const fs = require('fs');

async function main() {
    const [dbfile] = process.argv.slice(2);
    if (!dbfile) {
        console.error('usage: node duckdb.js DBFILE < steps.json');
        process.exit(2);
    }
    const steps = JSON.parse(fs.readFileSync(0, 'utf8'));
    const instance = await DuckDBInstance.create(dbfile, { threads: '1' });
    const conn = await instance.connect();
    for (const step of steps) {
        let best = Infinity;
        let value = '';
        for (let i = 0; i < (step.repeat || 1); i++) {
            const t0 = process.hrtime.bigint();
            const reader = await conn.runAndReadAll(step.sql);
            const ms = Number(process.hrtime.bigint() - t0) / 1e6;
            best = Math.min(best, ms);
            const rows = reader.getRows();
            value = rows.length && rows[0].length ? String(rows[0][0]) : '';
        }
        console.log(`${step.name}\t${best.toFixed(3)}\t${value}`);
    }
    conn.closeSync();
}

main().catch((err) => {
    console.error(`duckdb.js: ${err.message}`);
    process.exit(1);
});
