"""regress/cdc/read_avro.py: decode strata_cdc format 'avro' messages with
Apache Avro's own Python library, as an independent reader.

    /usr/bin/python3 read_avro.py SCHEMAS MESSAGES

SCHEMAS has one "<schema id>\t<Avro schema JSON>" per line (from
strata_cdc.avro_schemas()), MESSAGES one message per line in hex (from
pg_logical_slot_peek_binary_changes).  Each message is printed as one JSON
line {"topic", "key", "value"}, in the JSON encodings of the plugin's
format 'json' (bytes and decimals as base64, NaN and infinities as
strings), so that the test can compare the two formats event by event.
A message that is not framed as documented is an error.
"""
import base64
import decimal
import io
import json
import math
import struct
import sys

import avro.io
import avro.schema


def load_schemas(path):
    schemas = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                continue
            sid, text = line.split('\t', 1)
            schemas[int(sid)] = avro.schema.parse(text)
    return schemas


def unscaled_bytes(value, scale):
    n = int(value.scaleb(scale))
    length = 1
    while not -(1 << (8 * length - 1)) <= n < (1 << (8 * length - 1)):
        length += 1
    return n.to_bytes(length, 'big', signed=True)


def plain(value, schema):
    """An Avro datum as the plugin's JSON has it."""
    if isinstance(schema, avro.schema.UnionSchema):
        if value is None:
            return None
        for branch in schema.schemas:
            if branch.type != 'null':
                return plain(value, branch)
    if value is None:
        return None
    if isinstance(schema, avro.schema.RecordSchema):
        return {f.name: plain(value.get(f.name), f.type) for f in schema.fields}
    if isinstance(schema, avro.schema.ArraySchema):
        return [plain(v, schema.items) for v in value]
    if isinstance(value, decimal.Decimal):
        return base64.b64encode(unscaled_bytes(value, schema.get_prop('scale'))).decode()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, float):
        if math.isnan(value):
            return 'NaN'
        if math.isinf(value):
            return 'Infinity' if value > 0 else '-Infinity'
    return value


def decode_part(data, pos, schemas):
    (length,) = struct.unpack_from('>i', data, pos)
    pos += 4
    if length == -1:
        return None, pos
    part = data[pos:pos + length]
    pos += length
    if len(part) < 5 or part[0] != 0:
        raise ValueError('a key or value without the Confluent magic byte')
    (sid,) = struct.unpack_from('>I', part, 1)
    schema = schemas[sid]
    decoder = avro.io.BinaryDecoder(io.BytesIO(part[5:]))
    datum = avro.io.DatumReader(schema).read(decoder)
    return plain(datum, schema), pos


def main():
    schemas = load_schemas(sys.argv[1])
    out = sys.stdout
    with open(sys.argv[2], encoding='ascii') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            data = bytes.fromhex(line)
            (tlen,) = struct.unpack_from('>H', data, 0)
            topic = data[2:2 + tlen].decode('utf-8')
            key, pos = decode_part(data, 2 + tlen, schemas)
            value, pos = decode_part(data, pos, schemas)
            if pos != len(data):
                raise ValueError('bytes after the value')
            out.write(json.dumps({'topic': topic, 'key': key, 'value': value}, ensure_ascii=False) + '\n')


main()
