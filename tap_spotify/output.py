"""Singer output that a signal or a closed pipe can never cut in half.

The SDK's msgspec writer, plus four promises:
- lines are buffered and written whole: the buffer goes out before every message
  other than a RECORD (so a STATE never reaches the target ahead of the records it
  covers), when it grows past FLUSH_BYTES, and at exit; one write per record cost
  more than the record itself;
- a SIGTERM or SIGINT that arrives while a message is being encoded or lines are
  being written waits for them (encoding again from the handler would reuse the
  encoder's buffer mid-message), then the run stops with the buffer flushed and one
  last STATE;
- a target that stops reading ends the run with one clear error;
- a SCHEMA identical to the last one sent for its stream (the SDK sends one per child
  sync) is not sent again.
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter, serialize_jsonl
from singer_sdk.singerlib.messages import RecordMessage, SchemaMessage, StateMessage

from tap_spotify.errors import RunStopped, TargetStopped

if t.TYPE_CHECKING:
    from types import FrameType

    from singer_sdk.singerlib.encoding.simple import Message

#: Write out buffered records once they reach this size.
FLUSH_BYTES = 1 << 16


class WholeLineWriter(MsgSpecWriter):
    """Writes Singer messages as whole lines."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = bytearray()
        self.busy = False  # encoding a message or writing lines
        self.pending_signal: int | None = None
        self.last_schema: dict[str, bytes] = {}
        self.current_state: t.Callable[[], t.Mapping[str, t.Any]] | None = None
        atexit.register(self.flush_at_exit)

    def stop_on_signals(self, current_state: t.Callable[[], t.Mapping[str, t.Any]]) -> None:
        """Handle SIGTERM and SIGINT here, in place of the SDK's exit(0)."""
        self.current_state = current_state
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.on_signal)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.busy:
            self.pending_signal = signum  # the message or lines under way end first
        else:
            self.stop(signum)

    def stop(self, signum: int) -> t.NoReturn:
        """Flush, write the state as it stands (it never covers a record not yet
        written), then end the run."""
        signal.signal(signum, signal.SIG_DFL)  # a second signal ends it at once
        self.pending_signal = None
        self.busy = True
        if self.current_state is not None:
            self.buffer += self.format_message(StateMessage(value=dict(self.current_state())))
        self.write_out()
        raise RunStopped(signal.Signals(signum).name, signum)

    def serialize_message(self, message: Message) -> bytearray:
        if isinstance(message, StateMessage):  # its `to_dict` deep-copies the whole state
            return serialize_jsonl({"type": "STATE", "value": message.value})
        return super().serialize_message(message)

    def write_message(self, message: Message) -> None:
        self.busy = True
        try:
            line = self.format_message(message)
            if isinstance(message, SchemaMessage):
                if self.last_schema.get(message.stream) == line:
                    return
                self.last_schema[message.stream] = bytes(line)
            self.buffer += line
            if not isinstance(message, RecordMessage) or len(self.buffer) >= FLUSH_BYTES:
                self.write_out()
        finally:
            self.busy = False
        if self.pending_signal is not None:
            self.stop(self.pending_signal)

    def write_out(self) -> None:
        """The buffer to stdout; the caller keeps signals waiting (`busy`)."""
        out = sys.stdout.buffer
        try:
            # A write that a signal interrupts returns what it wrote so far, the rest
            # untold (blocked on a full pipe, for instance): so write until all is out.
            with memoryview(self.buffer) as view:
                written = 0
                while written < len(view):
                    written += out.write(view[written:]) or 0
            out.flush()
        except BrokenPipeError:
            raise TargetStopped(
                "the target stopped reading (its end of the pipe closed): see the "
                "target's own message above; what it read before is complete."
            ) from None
        finally:
            self.buffer.clear()

    def flush_at_exit(self) -> None:
        """Records written after the last STATE (a run that failed): out they go."""
        if self.buffer and not self.busy:
            with contextlib.suppress(TargetStopped, OSError, ValueError):
                self.write_out()
