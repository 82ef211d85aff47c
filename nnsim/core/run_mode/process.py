"""The training process: ``python -m nnsim.core.run_mode.process``.

It reads commands on stdin and writes progress (or an error) on stdout, in
the messages of ``protocol.py``. It trains in slices of a few milliseconds
(``slicing.py``) and reads its commands between them, so a pause or a want
is answered within a slice however long an epoch is. Progress only comes when asked (and when a
session ends by itself), so the app takes it at the rate it can show it and
the training process never waits for the app.

NumPy only: nothing here imports Qt, so it starts in a fraction of a second.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
import time
import traceback
from typing import Callable

from . import framing
from .protocol import (EPOCHS, NOT_FINITE, STOP_LOSS, UNATTENDED, dataset_from_load,
                       error_message, progress_message, stepper_from_load)
from .slicing import SliceSizer

# A running app asks for progress about 30 times a second; a session nobody
# has asked about for this long is abandoned (its window was closed, say).
UNATTENDED_S = 10.0


class _Session:
    def __init__(self, header: dict, arrays: dict, data, now: float):
        self.id = int(header["session"])
        self.stepper = stepper_from_load(header, arrays, data)
        self.remaining = int(header["epochs"])
        self.stop_loss = header["stop_loss"]
        self.want = False
        self.asked = now
        self.app_epoch = self.stepper.epoch  # the epoch whose order the app holds


def _reader(stream, commands: queue.Queue) -> None:
    try:
        while True:
            message = framing.read(stream)
            commands.put(message)
            if message is None:
                return
    except (framing.FramingError, OSError, ValueError):
        commands.put(None)  # a broken pipe from the app: treat as its end


def serve(inp, out, clock: Callable[[], float] = time.monotonic,
          slice_clock: Callable[[], float] = time.perf_counter) -> None:
    """Take commands from ``inp`` and answer on ``out`` until ``quit`` or the
    end of ``inp``. ``clock`` (seconds) tells when a session is unattended,
    ``slice_clock`` how long slices take (``slicing.py``)."""
    commands: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(inp, commands), daemon=True).start()
    data_key, data = None, None
    session: _Session | None = None
    sizer = SliceSizer(slice_clock)

    def on_slice() -> bool:
        # a slice ends early in the epoch when a command is waiting or nobody is asking
        sizer.sliced()
        return not commands.empty() or unattended()

    def send(header, arrays=None):
        framing.write(out, header, arrays)

    def send_progress(final=None):
        st = session.stepper
        new_epoch = st.epoch != session.app_epoch
        send(*progress_message(st, session.id, final, with_order=new_epoch))
        session.app_epoch = st.epoch
        st.step_losses.clear()
        st.epoch_results.clear()

    def unattended() -> bool:
        return clock() - session.asked > UNATTENDED_S

    while True:
        try:
            message = commands.get(block=session is None)
        except queue.Empty:
            message = False
        if message is None:
            return
        if message is not False:
            header, arrays = message
            kind = header.get("type")
            if kind == "quit":
                return
            if kind == "halt":
                session = None
            elif kind == "want":
                if session is not None and header.get("session") == session.id:
                    session.want, session.asked = True, clock()
            elif kind == "load":
                session = None
                try:
                    d = header["data"]
                    if d["included"]:
                        data_key, data = d["key"], dataset_from_load(header, arrays)
                    elif d["key"] != data_key:
                        raise ValueError("the data set was not sent")
                    session = _Session(header, arrays, data, clock())
                    # what a slice of the last session's network cost says
                    # nothing about this one's (a pooled process serves many)
                    sizer.reset()
                except Exception:  # noqa: BLE001 - reported to the app, which falls back
                    send(error_message(header.get("session"), traceback.format_exc()))
                    continue
        if session is None:
            continue
        try:
            if session.want:
                session.want = False
                send_progress()
            st = session.stepper
            # slices of an epoch, until a command is waiting or nobody is asking
            results = st.step_epochs(session.remaining, stop_loss=session.stop_loss,
                                     slice_samples=sizer, on_slice=on_slice)
            sizer.pause()
            st.forget_history()  # no step back here: the app keeps the marks
            session.remaining -= len(results)
            last = results[-1] if results else None
            final = None
            # weights that stopped being finite inside an epoch are reported at
            # its end, as a run without slices would (the epoch is named right)
            if last is not None and (not last.finite or (
                    st.position == 0 and not st.network.all_finite())):
                final = NOT_FINITE
            elif (last is not None and session.stop_loss is not None
                  and last.train_loss < session.stop_loss):
                final = STOP_LOSS
            elif session.remaining <= 0:
                final = EPOCHS
            elif unattended():
                final = UNATTENDED
            if final is not None:
                send_progress(final)
                session = None
        except (BrokenPipeError, OSError):
            return
        except Exception:  # noqa: BLE001 - reported to the app, which falls back
            send(error_message(session.id, traceback.format_exc()))
            session = None


def main() -> int:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the progress stream
    try:
        serve(sys.stdin.buffer, out)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    return 0


if __name__ == "__main__":
    status = main()
    # Leave at once: a normal interpreter shutdown would wait on the reader
    # thread, which may sit inside a read of stdin (and then aborts).
    sys.stderr.flush()
    os._exit(status)
