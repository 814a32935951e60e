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
import json
import sys

from mcap.reader import make_reader
from mcap.records import DataEnd, Footer, Message
from mcap.stream_reader import StreamReader


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


def valid_json(data: bytes) -> bool:
    try:
        json.loads(data)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    print(json.dumps(check(sys.argv[1])))
