"""Training in the training process gives bit for bit what the same epochs
give in the app: the load carries the whole state, progress carries it back,
and both survive framing. Also the framing itself and the training process's
loop (run here on a thread, with pipes, on a clock the test sets)."""
import io
import itertools
import math
import os
import threading

import numpy as np
import pytest

from nnsim.core.datasets import DataSpec, make
from nnsim.core.network import Network
from nnsim.core.run_mode import framing, process
from nnsim.core.run_mode.protocol import (UNATTENDED, dataset_from_load, load_message,
                                          parse_progress, progress_message, stepper_from_load,
                                          want_message)
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig


def over_the_pipe(header, arrays):
    """What the other end reads."""
    buf = io.BytesIO(framing.pack(header, arrays))
    return framing.read(buf)


def build(optimizer="sgd", dtype="float64", mask=False, batch=7, loss="cross_entropy"):
    ds = make(DataSpec("three_class", n=60, seed=2))
    out = "softmax" if loss == "cross_entropy" else "sigmoid"
    net = Network.build(2, [5, 4, 3], ["tanh", "relu", out], loss=loss,
                        rng=np.random.default_rng(4))
    if mask:
        net.layers[0].mask = np.random.default_rng(1).random(net.layers[0].W.shape) > 0.3
    cfg = TrainingConfig(learning_rate=0.05, batch_size=batch, optimizer=optimizer, seed=9,
                         dtype=dtype)
    return Stepper(net, cfg, ds)


def same_state(a: Stepper, b: Stepper):
    for p, q in zip(a.network.parameters(), b.network.parameters()):
        assert np.array_equal(p, q)
    assert a.optimizer.t == b.optimizer.t
    for ka, kb in zip(a.optimizer.slots, b.optimizer.slots, strict=True):
        for p, q in zip(ka, kb, strict=True):
            assert np.array_equal(p, q)
    assert (a.epoch, a.position, a.updates) == (b.epoch, b.position, b.updates)
    assert np.array_equal(a.order, b.order)
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert a.step_losses == b.step_losses
    assert a.epoch_results == b.epoch_results


@pytest.mark.parametrize("optimizer,dtype,mask", [
    ("sgd", "float64", False), ("adam", "float64", True), ("momentum", "float32", False),
    ("adam", "float32", True)])
def test_epochs_trained_in_the_training_process_equal_epochs_trained_here(optimizer, dtype, mask):
    here, app = build(optimizer, dtype, mask), build(optimizer, dtype, mask)
    # some history first, ending mid-epoch, so the cursor and stream matter
    for st in (here, app):
        st.step_epochs(2)
        st.step_batch()
        st.step_batch()
    here.step_epochs(5)
    header, arrays = over_the_pipe(*load_message(app, session=7, epochs=5, stop_loss=None,
                                                 data_key=1, include_data=True))
    process_side = stepper_from_load(header, arrays, dataset_from_load(header, arrays))
    process_side.step_epochs(3)  # in two pieces, with a progress between them
    first = parse_progress(*over_the_pipe(*progress_message(process_side, 7, None)))
    process_side.step_losses.clear(), process_side.epoch_results.clear()
    process_side.step_epochs(2)
    second = parse_progress(*over_the_pipe(*progress_message(process_side, 7, "epochs")))
    assert first.session == 7 and first.final is None and second.final == "epochs"
    app.adopt(first)
    app.adopt(second)
    same_state(here, app)
    # one press goes back one epoch, also inside an adopted progress of two
    for epochs in (4, 3):
        app.step_back()
        replay = build(optimizer, dtype, mask)
        replay.step_epochs(2), replay.step_batch(), replay.step_batch()
        replay.step_epochs(epochs)
        same_state(replay, app)


def test_a_load_refuses_a_cycle_in_progress():
    st = build()
    st.micro_step()
    with pytest.raises(ValueError, match="cycle"):
        load_message(st, 1, 5, None, 1, True)


def test_framing_keeps_arrays_and_floats_exactly():
    arrays = {"a": np.random.default_rng(0).normal(size=(3, 4)),
              "f": np.arange(5, dtype=np.float32) / 3, "i": np.arange(4, dtype=np.int64),
              "m": np.array([[True, False]]), "empty": np.zeros((0, 3))}
    header = {"x": 0.1 + 0.2, "nan": math.nan, "inf": -math.inf, "none": None, "big": 2**80}
    h, got = over_the_pipe(header, arrays)
    assert h["x"] == 0.1 + 0.2 and math.isnan(h["nan"]) and h["inf"] == -math.inf
    assert h["none"] is None and h["big"] == 2**80
    for name, a in arrays.items():
        assert got[name].dtype == a.dtype and np.array_equal(got[name], a)
        assert got[name].flags.writeable


def test_framing_refuses_broken_messages():
    good = framing.pack({"k": 1}, {"a": np.ones(3)})
    assert framing.read(io.BytesIO(b"")) is None  # the end of the stream
    for broken in (good[:-1], good[:6], good[:12] + b"}" + good[13:]):
        with pytest.raises(framing.FramingError):
            framing.read(io.BytesIO(broken))
    with pytest.raises(TypeError):
        framing.pack({}, {"o": np.array(["text"], dtype=object)})


class Pipes:
    """The training process's loop on a thread, talking over two OS pipes.
    ``clock``: what it reads the time from (a clock that stands still by
    default: no session is ever unattended)."""

    def __init__(self, clock=lambda: 0.0):
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        self.to_loop, self.from_loop = os.fdopen(w1, "wb"), os.fdopen(r2, "rb")
        inp, out = os.fdopen(r1, "rb"), os.fdopen(w2, "wb")
        self.thread = threading.Thread(target=process.serve, args=(inp, out, clock),
                                       daemon=True)
        self.thread.start()

    def send(self, header, arrays=None):
        framing.write(self.to_loop, header, arrays)

    def receive(self):
        return framing.read(self.from_loop)

    def close(self):
        self.to_loop.close()
        self.thread.join(5)
        assert not self.thread.is_alive()  # the end of its input ends the loop


def test_the_loop_trains_on_request_and_stops_at_the_target():
    here, app = build(), build()
    here.step_epochs(40)
    loop = Pipes()
    loop.send(*load_message(app, 3, 40, None, 1, True))
    loop.send(want_message(3))
    while True:
        p = parse_progress(*loop.receive())
        app.adopt(p)
        if p.final:
            break
    assert p.final == "epochs"
    same_state(here, app)
    loop.close()


def test_the_loop_reports_an_error_and_stops_at_a_stop_loss():
    loop = Pipes()
    st = build()
    header, arrays = load_message(st, 4, 5, None, 1, True)
    header["training"]["learning_rate"] = -1.0
    loop.send(header, arrays)
    h, _ = loop.receive()
    assert h["type"] == "error" and h["session"] == 4 and "learning_rate" in h["message"]
    # the data set stays with the loop: a later load need not send it again
    losses = [r.train_loss for r in build().step_epochs(30)]
    loop.send(*load_message(st, 5, 1000, losses[20], 1, False))
    p = parse_progress(*loop.receive())
    assert p.final == "stop loss" and p.epoch_results[-1].train_loss < losses[20]
    assert len(p.epoch_results) <= 22
    loop.close()


def test_a_session_nobody_asks_about_ends():
    # a second passes at each reading of the clock: at the load, then after
    # each epoch; the epoch read past UNATTENDED_S is the last
    ticks = itertools.count()
    loop = Pipes(clock=lambda: float(next(ticks)))
    loop.send(*load_message(build(), 6, 10**9, None, 1, True))
    p = parse_progress(*loop.receive())  # no want was ever sent
    assert p.final == UNATTENDED
    assert len(p.epoch_results) == process.UNATTENDED_S + 1
    loop.close()
