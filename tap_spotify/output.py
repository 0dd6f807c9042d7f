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
- a target that stops reading, a full disk or a closed stdout ends the run with one
  clear line, and never with half a line written;
- a SCHEMA identical to the last one sent for its stream (the SDK sends one per child
  sync) is not sent again, nor encoded again when it is the same schema object.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import stat
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter, serialize_jsonl
from singer_sdk.singerlib.messages import RecordMessage, SchemaMessage, StateMessage
from typing_extensions import override

from tap_spotify.errors import OutputFailed, RunStopped, TargetStopped

if t.TYPE_CHECKING:
    from types import FrameType

    from singer_sdk.singerlib.encoding.simple import Message

#: Write out buffered records once they reach this size.
FLUSH_BYTES = 1 << 16
#: Singer messages go to standard output.
STDOUT = 1


def check_stdout() -> None:
    """OutputFailed at once when there is no stdout to write to."""
    try:
        os.fstat(STDOUT)
    except OSError:
        raise OutputFailed("stdout is closed: tap-spotify writes its Singer messages there; "
                           "pipe it into a target (tap-spotify ... | target-jsonl) or "
                           "redirect it to a file.") from None


def write_whole_lines(fd: int, data: bytes | bytearray) -> None:
    """Write `data` (whole lines) to `fd`, all of it or, when the write fails part-way
    (a full disk), nothing past the last whole line: a file is cut back to it.

    A write that a signal interrupts returns what it wrote so far, the rest untold
    (blocked on a full pipe, for instance): so write until all is out.
    """
    start = None
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.fstat(fd).st_mode):
            start = os.lseek(fd, 0, os.SEEK_CUR)
    written = 0
    with memoryview(data) as view:
        try:
            while written < len(view):
                written += os.write(fd, view[written:])
        except BrokenPipeError:
            raise TargetStopped(
                "the target stopped reading (its end of the pipe closed): see the "
                "target's own message above; what it read before is complete."
            ) from None
        except OSError as exc:
            whole = bytes(view[:written]).rfind(b"\n") + 1
            if start is not None and whole < written:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start + whole)
                    os.lseek(fd, start + whole, os.SEEK_SET)
            raise OutputFailed(
                f"could not write to stdout ({exc.strerror or exc}): the output ends with "
                "the last whole message, and the last STATE in it covers what came before; "
                "fix that and run again from that state.") from None


class WholeLineWriter(MsgSpecWriter):
    """Writes Singer messages as whole lines."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = bytearray()
        self.busy = False  # encoding a message or writing lines
        self.pending_signal: int | None = None
        #: The last SCHEMA sent per stream: the schema object it came from, and its line.
        self.last_schema: dict[str, tuple[t.Any, bytes]] = {}
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

    @override
    def serialize_message(self, message: Message) -> bytearray:
        if isinstance(message, StateMessage):  # its `to_dict` deep-copies the whole state
            return serialize_jsonl({"type": "STATE", "value": message.value})
        return super().serialize_message(message)

    @override
    def write_message(self, message: Message) -> None:
        self.busy = True
        try:
            if isinstance(message, SchemaMessage) and self.sent_already(message):
                return
            line = self.format_message(message)
            if isinstance(message, SchemaMessage):
                if self.last_schema.get(message.stream, (None, b""))[1] == line:
                    return
                self.last_schema[message.stream] = (message, bytes(line))
            self.buffer += line
            if not isinstance(message, RecordMessage) or len(self.buffer) >= FLUSH_BYTES:
                self.write_out()
        finally:
            self.busy = False
        if self.pending_signal is not None:
            self.stop(self.pending_signal)

    def sent_already(self, message: SchemaMessage) -> bool:
        """Whether this stream's last SCHEMA came from the very same schema object (a
        child stream sends it at each sync): then its line is not even encoded again."""
        last = self.last_schema.get(message.stream)
        return last is not None and last[0].schema is message.schema and (
            last[0].key_properties == message.key_properties
            and last[0].bookmark_properties == message.bookmark_properties)

    def write_out(self) -> None:
        """The buffer to stdout (straight to its file, or through `sys.stdout` where that
        is no file, as when a test captures it); the caller keeps signals waiting."""
        try:
            out = sys.stdout
            try:
                fd = out.fileno()
            except (AttributeError, OSError, ValueError):
                out.write(self.buffer.decode())
                out.flush()
                return
            out.flush()
            write_whole_lines(fd, self.buffer)
        finally:
            self.buffer.clear()

    def flush_at_exit(self) -> None:
        """Records written after the last STATE (a run that failed): out they go."""
        if self.buffer and not self.busy:
            with contextlib.suppress(OutputFailed, OSError, ValueError):
                self.write_out()
