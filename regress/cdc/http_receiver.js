// regress/cdc/http_receiver.js: an HTTP receiver on loopback for the
// stream tests, which fails on purpose.
//
//   node http_receiver.js PORT OUTFILE [mode] [seed]
//
// Every acknowledged request appends one line to OUTFILE:
//   {"path": "/...", "body": <the JSON body>}
// so the test sees exactly what was acknowledged (a request that failed
// is not written).  Modes:
//   ok        every request gets 200
//   flaky     seeded random: 15% HTTP 500, 10% 429, 10% no answer (the
//             sender times out), 10% connection closed, the rest 200
//   reject    HTTP 400 to everything
//   kafka     REST Proxy v2: 200 with an offsets array
//   garbage   200 with a body that is not JSON
// The port is written to OUTFILE.port once listening.
'use strict';
const http = require('http');
const fs = require('fs');

const [port, out, mode = 'ok', seedArg = '1'] = process.argv.slice(2);
let seed = Number(seedArg) >>> 0 || 1;
function random() {
  // xorshift32: the same failures for the same seed
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
}

const fd = fs.openSync(out, 'a');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      res.writeHead(400);
      res.end('body is not JSON');
      return;
    }
    if (mode === 'reject') {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end('{"error":"rejected on purpose"}');
      return;
    }
    if (mode === 'flaky') {
      const r = random();
      if (r < 0.15) { res.writeHead(500); res.end('failing on purpose'); return; }
      if (r < 0.25) { res.writeHead(429); res.end('slow down'); return; }
      if (r < 0.35) { return; } // no answer: the sender's timeout
      if (r < 0.45) { req.socket.destroy(); return; }
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('<html>not json</html>');
      return;
    }
    fs.writeSync(fd, JSON.stringify({ path: req.url, body }) + '\n');
    fs.fsyncSync(fd);
    if (mode === 'kafka') {
      const n = (body.records || []).length;
      const offsets = [];
      for (let i = 0; i < n; i++) offsets.push({ partition: 0, offset: i, error_code: null, error: null });
      res.writeHead(200, { 'Content-Type': 'application/vnd.kafka.v2+json' });
      res.end(JSON.stringify({ key_schema_id: null, value_schema_id: null, offsets }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.listen(Number(port), '127.0.0.1', () => {
  fs.writeFileSync(out + '.port', String(server.address().port));
});
process.on('SIGTERM', () => process.exit(0));
