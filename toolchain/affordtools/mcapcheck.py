"""Reads an MCAP file with the reference Python `mcap` library and prints, as one
JSON object, what a test needs to compare: header, schemas, channels, statistics,
metadata and, per topic, each message's log time and bytes (base64).

    python -m affordtools.mcapcheck FILE

Both the indexed reader (summary, chunk indexes, message indexes) and the
streaming reader with CRC validation (chunk and data-section CRCs) must agree.
For JSON channels the `data` field (or, without one, the whole decoded message) is listed too.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import sys

from mcap.reader import make_reader
from mcap.data_stream import ReadDataStream
from mcap.opcode import Opcode
from mcap.records import Chunk, DataEnd, Footer, Message, MessageIndex, SummaryOffset
from mcap.stream_reader import StreamReader, get_chunk_data_stream


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def check(path: str) -> dict:
    with open(path, "rb") as stream:
        reader = make_reader(stream, validate_crcs=True)
        header = reader.get_header()
        summary = reader.get_summary()
        topics: dict[str, dict] = {}
        for schema, channel, message in reader.iter_messages(log_time_order=False):
            topic = topics.setdefault(channel.topic, {"log_times": [], "data": [], "payload": [], "decoded": []})
            topic["log_times"].append(message.log_time)
            topic["data"].append(b64(message.data))
            if channel.message_encoding == "json":
                decoded = json.loads(message.data)
                if isinstance(decoded.get("data"), str):
                    topic["payload"].append(decoded["data"])
                else:
                    topic["decoded"].append(decoded)
        metadata = {m.name: m.metadata for m in reader.iter_metadata()}

    # The streaming pass checks chunk CRCs and the data-section CRC.
    streamed = 0
    data_end = None
    footer = None
    with open(path, "rb") as stream:
        for record in StreamReader(stream, validate_crcs=True).records:
            if isinstance(record, Message):
                streamed += 1
            elif isinstance(record, DataEnd):
                data_end = record.data_section_crc
            elif isinstance(record, Footer):
                footer = record

    stats = summary.statistics
    return {
        "indexes_ok": check_indexes(path, summary),
        "summary_offsets_ok": check_summary_offsets(path),
        "profile": header.profile,
        "library": header.library,
        "schemas": {str(s.id): {"name": s.name, "encoding": s.encoding, "json_valid": valid_json(s.data)
                                if s.encoding == "jsonschema" else None}
                    for s in summary.schemas.values()},
        "channels": {str(c.id): {"topic": c.topic, "schema_id": c.schema_id, "message_encoding": c.message_encoding,
                                 "metadata": dict(c.metadata)} for c in summary.channels.values()},
        "statistics": {"message_count": stats.message_count, "chunk_count": stats.chunk_count,
                       "channel_message_counts": {str(k): v for k, v in stats.channel_message_counts.items()},
                       "message_start_time": stats.message_start_time, "message_end_time": stats.message_end_time,
                       "metadata_count": stats.metadata_count},
        "chunk_indexes": len(summary.chunk_indexes),
        "metadata": metadata,
        "topics": topics,
        "streamed_messages": streamed,
        "data_section_crc": data_end,
        "summary_crc": footer.summary_crc if footer else None,
    }


def records_at(data: bytes, start: int, length: int) -> list:
    """The records in data[start:start+length], parsed with the reference record classes;
    a slice that does not split into whole records fails."""
    readers = {Opcode.CHUNK: Chunk.read, Opcode.MESSAGE_INDEX: MessageIndex.read}
    records, position, end = [], start, start + length
    while position < end:
        opcode, body_length = struct.unpack_from("<BQ", data, position)
        body = data[position + 9:position + 9 + body_length]
        stream = ReadDataStream(io.BytesIO(body))
        if opcode == Opcode.MESSAGE:
            records.append(Message.read(stream, body_length))
        elif opcode in readers:
            records.append(readers[opcode](stream))
        else:
            records.append(opcode)
        position += 9 + body_length
    assert position == end, f"records overrun the slice by {position - end} bytes"
    return records


def check_indexes(path: str, summary) -> bool:
    """Every ChunkIndex points at its Chunk, and every MessageIndex entry at a Message
    of that channel and log time inside the decompressed chunk."""
    data = open(path, "rb").read()
    for index in summary.chunk_indexes:
        (chunk,) = records_at(data, index.chunk_start_offset, index.chunk_length)
        assert isinstance(chunk, Chunk), chunk
        assert len(chunk.data) == index.compressed_size and chunk.uncompressed_size == index.uncompressed_size
        stream, length = get_chunk_data_stream(chunk, validate_crc=True)
        records = stream.read(length)
        entries = records_at(data, index.chunk_start_offset + index.chunk_length, index.message_index_length)
        assert all(isinstance(e, MessageIndex) for e in entries)
        position = index.chunk_start_offset + index.chunk_length
        for entry in entries:
            assert index.message_index_offsets[entry.channel_id] == position
            position += 9 + 2 + 4 + 16 * len(entry.records)
        assert {e.channel_id for e in entries} == set(index.message_index_offsets)
        for entry in entries:
            for log_time, offset in entry.records:
                (message,) = records_at(records, offset, 9 + int.from_bytes(records[offset + 1:offset + 9], "little"))
                assert isinstance(message, Message)
                assert (message.channel_id, message.log_time) == (entry.channel_id, log_time)
    return True


def check_summary_offsets(path: str) -> bool:
    """Each SummaryOffset spans exactly a run of records of its group's opcode."""
    data = open(path, "rb").read()
    offsets = [r for r in StreamReader(io.BytesIO(data)).records if isinstance(r, SummaryOffset)]
    for offset in offsets:
        group = records_at(data, offset.group_start, offset.group_length)
        assert all(opcode == offset.group_opcode for opcode in group), (offset, group)
    return bool(offsets)


def valid_json(data: bytes) -> bool:
    try:
        json.loads(data)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    print(json.dumps(check(sys.argv[1])))
