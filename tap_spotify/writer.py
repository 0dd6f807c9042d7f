"""Singer output: msgspec encoding into one buffer, flushed at every STATE message.

The SDK's writers flush stdout after every message, a system call per record. Here
records collect in a buffer that goes out whenever a STATE message is written (so a
target never sees a state ahead of the records it covers), when the buffer grows
large, and at exit.

Child streams are synced once per batch of albums, and the SDK sends their SCHEMA
each time; a SCHEMA identical to the one last sent for that stream is dropped.
"""

from __future__ import annotations

import atexit
import datetime as dt
import sys
import time
import typing as t

import msgspec
from singer_sdk.singerlib.encoding.base import GenericSingerWriter
from singer_sdk.singerlib.messages import RecordMessage, SchemaMessage, StateMessage

if t.TYPE_CHECKING:
    from singer_sdk.singerlib.encoding.simple import Message

#: Flush before the buffer outgrows this, so memory stays flat and targets keep busy.
FLUSH_BYTES = 1 << 18


def _encode_other(obj: t.Any) -> t.Any:
    if isinstance(obj, (dt.datetime, dt.date)):
        return obj.isoformat()
    return str(obj)


class BufferedSingerWriter(GenericSingerWriter[bytes, "Message"]):
    """Writes Singer messages as JSON lines to stdout, buffered between STATE messages."""

    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder(enc_hook=_encode_other, decimal_format="number")
        self._buffer = bytearray()
        self._record_prefix: dict[str, bytes] = {}
        self._schema_sent: dict[str, tuple[t.Any, ...]] = {}
        self._second = -1
        self._suffix = b""
        atexit.register(self.flush)

    def serialize_message(self, message: Message) -> bytes:
        return self._encoder.encode(message.to_dict())

    def write_record(self, stream: str, record: t.Any) -> None:
        """The hot path: a RECORD message without building a message object. `record`
        may hold raw JSON (msgspec.Raw), which is copied as it is."""
        buffer = self._buffer
        prefix = self._record_prefix.get(stream)
        if prefix is None:
            prefix = b'{"type":"RECORD","stream":' + self._encoder.encode(stream) + b',"record":'
            self._record_prefix[stream] = prefix
        buffer += prefix
        self._encoder.encode_into(record, buffer, -1)
        buffer += self._time_extracted()
        if len(buffer) >= FLUSH_BYTES:
            self.flush()

    def _time_extracted(self) -> bytes:
        """`,"time_extracted":"..."}` + newline, to the second (formatted once a second)."""
        second = int(time.time())
        if second != self._second:
            stamp = dt.datetime.fromtimestamp(second, dt.timezone.utc).isoformat()
            self._second, self._suffix = second, f',"time_extracted":"{stamp}"}}\n'.encode()
        return self._suffix

    def write_message(self, message: Message) -> None:
        buffer = self._buffer
        if type(message) is RecordMessage:
            self._encoder.encode_into(message.to_dict(), buffer, -1)
            buffer += b"\n"
        elif type(message) is SchemaMessage:
            # The SDK passes the same schema object each time: compare without encoding.
            sent = (message.schema, message.key_properties, message.bookmark_properties)
            previous = self._schema_sent.get(message.stream)
            if previous is not None and previous[0] is sent[0] and previous[1:] == sent[1:]:
                return
            self._schema_sent[message.stream] = sent
            self._encoder.encode_into(message.to_dict(), buffer, -1)
            buffer += b"\n"
        elif type(message) is StateMessage:
            # `to_dict` deep-copies the whole state first; encode it as it stands.
            buffer += b'{"type":"STATE","value":'
            self._encoder.encode_into(message.value, buffer, -1)
            buffer += b"}\n"
        else:
            self._encoder.encode_into(message.to_dict(), buffer, -1)
            buffer += b"\n"
        if isinstance(message, StateMessage) or len(buffer) >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        out = sys.stdout
        if self._buffer:
            binary = getattr(out, "buffer", None)  # absent when stdout is redirected in tests
            if binary is not None:
                binary.write(self._buffer)
            else:
                out.write(self._buffer.decode())
            self._buffer.clear()
        out.flush()
