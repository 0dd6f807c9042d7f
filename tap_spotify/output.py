"""Singer output that a signal or a closed pipe can never cut in half.

The SDK's msgspec writer, plus three promises: a SIGTERM or SIGINT that arrives while
a line is being written waits for the line to end (then the run stops, with one last
STATE); a target that stops reading ends the run with one clear error; and a SCHEMA
identical to the last one sent for its stream (the SDK sends one per child sync) is
not sent again.
"""

from __future__ import annotations

import signal
import sys
import typing as t

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib.messages import SchemaMessage, StateMessage

from tap_spotify.errors import RunStopped, TargetStopped

if t.TYPE_CHECKING:
    from types import FrameType

    from singer_sdk.singerlib.encoding.simple import Message


class WholeLineWriter(MsgSpecWriter):
    """Writes each Singer message as one whole line, flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = False
        self.pending_signal: int | None = None
        self.last_schema: dict[str, bytes] = {}
        self.current_state: t.Callable[[], t.Mapping[str, t.Any]] | None = None

    def stop_on_signals(self, current_state: t.Callable[[], t.Mapping[str, t.Any]]) -> None:
        """Handle SIGTERM and SIGINT here, in place of the SDK's exit(0)."""
        self.current_state = current_state
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.on_signal)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.writing:
            self.pending_signal = signum  # the line ends first
        else:
            self.stop(signum)

    def stop(self, signum: int) -> t.NoReturn:
        """Write the state as it stands (it never covers a record not yet written), then
        end the run."""
        signal.signal(signum, signal.SIG_DFL)  # a second signal ends it at once
        if self.current_state is not None:
            self.write_line(self.format_message(StateMessage(value=dict(self.current_state()))))
        raise RunStopped(signal.Signals(signum).name, signum)

    def write_message(self, message: Message) -> None:
        line = self.format_message(message)
        if isinstance(message, SchemaMessage):
            if self.last_schema.get(message.stream) == line:
                return
            self.last_schema[message.stream] = bytes(line)
        self.write_line(line)
        if self.pending_signal is not None:
            self.stop(self.pending_signal)

    def write_line(self, line: bytes | bytearray) -> None:
        self.writing = True
        try:
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise TargetStopped(
                "the target stopped reading (its end of the pipe closed): see the "
                "target's own message above; what it read before is complete."
            ) from None
        finally:
            self.writing = False
