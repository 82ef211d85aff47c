"""Training in slices smaller than an epoch (run mode at any data size), and
the per-update losses in bounded memory.

What a user relies on: a run paused inside an epoch and resumed ends with
the very numbers an uninterrupted run (the CLI) gives; the training process
answers inside a long epoch and says how far it is; the epoch's order (as
many numbers as rows) is not sent again with every progress; and the window
does not grow with every epoch trained, while the loss curve keeps each
stretch's lowest and highest batch loss and the first divergence."""
import numpy as np
import pytest

from nnsim.core import history_log
from nnsim.core.datasets import Dataset
from nnsim.core.history_log import StepLog
from nnsim.core.network import Network
from nnsim.core.run_mode.protocol import (load_message, parse_progress, progress_message,
                                          want_message)
from nnsim.core.run_mode.slicing import MOST_SAMPLES, SliceSizer
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig
from test_run_mode_protocol import Pipes, build, over_the_pipe, same_state


def blobs(n=203, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    return Dataset(X, Y, X[:20], Y[:20], "binary", "blobs", ["x1", "x2"], ["y"])


def make(data, batch=7, optimizer="adam", dtype="float64"):
    net = Network.build(2, [6, 1], ["tanh", "sigmoid"], loss="bce",
                        rng=np.random.default_rng(5))
    cfg = TrainingConfig(learning_rate=0.05, batch_size=batch, optimizer=optimizer, seed=2,
                         dtype=dtype)
    return Stepper(net, cfg, data)


@pytest.mark.parametrize("batch,optimizer,dtype,slice_samples", [
    (7, "adam", "float64", 5), (7, "sgd", "float64", 50), (1, "momentum", "float64", 33),
    (10, "adam", "float32", 21), (203, "sgd", "float64", 1), (300, "adam", "float64", 9)])
def test_slices_give_the_numbers_of_whole_epochs_bit_for_bit(batch, optimizer, dtype,
                                                            slice_samples):
    data = blobs()
    whole, sliced = make(data, batch, optimizer, dtype), make(data, batch, optimizer, dtype)
    whole.step_epochs(6)
    stops = []
    while len(sliced.epoch_results) < 6:  # paused after every third slice, then resumed
        count = [0]

        def third():
            count[0] += 1
            return count[0] % 3 == 0

        sliced.step_epochs(6 - len(sliced.epoch_results), slice_samples=slice_samples,
                           on_slice=third)
        stops.append(sliced.position)
    assert any(0 < p < len(data.X_train) for p in stops) or batch >= len(data.X_train)
    same_state(whole, sliced)


def test_a_run_paused_inside_an_epoch_resumes_where_it_stopped():
    data = blobs(n=500)
    whole, paused = make(data, batch=5), make(data, batch=5)
    whole.step_epochs(3)
    # stop after the first slice: 40 samples of 500 (8 batches)
    assert paused.step_epochs(3, slice_samples=40, on_slice=lambda: True) == []
    assert (paused.epoch, paused.position, paused.updates) == (1, 40, 8)
    assert paused.epoch_fraction == pytest.approx(40 / 500)
    paused.step_batch(1)  # a step by hand in between continues the same epoch
    paused.step_back()
    paused.step_epochs(3)
    same_state(whole, paused)


def test_an_engine_kept_between_calls_sees_weights_set_in_between():
    data = blobs()
    a, b = make(data), make(data)
    a.step_epochs(2)
    b.step_epochs(2)
    for st in (a, b):  # the same new weights in both; a keeps its engine, b is fresh
        st.network.set_parameters([p * 0.5 for p in st.network.parameters()])
    b._kept_engine = None
    a.step_epochs(2, slice_samples=17, on_slice=lambda: False)
    b.step_epochs(2)
    same_state(a, b)


def test_the_training_process_answers_inside_an_epoch_without_resending_the_order():
    rows = 10_000  # batch 1: an epoch of 10,000 updates, many slices
    app, here = make(blobs(n=rows), batch=1), make(blobs(n=rows), batch=1)
    loop = Pipes()
    loop.send(*load_message(app, 7, 2, None, 1, True))
    loop.send(want_message(7))
    header, arrays = loop.receive()
    p = parse_progress(header, arrays)
    assert p.final is None and len(p.epoch_results) == 0
    assert 0 < p.position < rows and p.epoch == 1  # how far inside the epoch it is
    assert "order" not in arrays and p.order is None  # the app has this epoch's order
    order = app.order
    app.adopt(p)
    assert app.order is order and app.position == p.position
    while p.final is None:  # the rest: into epoch 2 (its order comes once) and to the end
        loop.send(want_message(7))
        header, arrays = loop.receive()
        p = parse_progress(header, arrays)
        app.adopt(p)
    loop.close()
    here.step_epochs(2)
    same_state(here, app)


def test_progress_into_a_new_epoch_must_carry_its_order():
    st = build()
    other = build()
    other.step_epochs(1)
    header, arrays = over_the_pipe(*progress_message(other, 1, None, with_order=False))
    with pytest.raises(ValueError, match="order"):
        st.adopt(parse_progress(header, arrays))
    assert st.epoch == 1 and not st.can_step_back  # nothing was taken


def test_slice_sizes_follow_the_time_slices_take():
    now = [0.0]
    sizer = SliceSizer(lambda: now[0], target_s=0.01)
    first = sizer()
    now[0] += 0.04  # four times too long: a quarter the samples next
    sizer.sliced()
    assert sizer() == first // 4
    now[0] += 0.0025  # now four times too short
    sizer.sliced()
    assert sizer() == first
    for _ in range(30):  # no time at all: grows, but never past the cap
        sizer.sliced()
        sizer()
    assert sizer.samples == MOST_SAMPLES
    sizer.reset()  # a new session (another network, another data set): from the start
    assert sizer() == first


def test_a_new_session_of_a_pooled_process_starts_with_small_slices():
    """A pooled training process that served a small, fast network learned big
    slices; the next session, a big data set, must still be answered inside
    its first epoch (it trained whole epochs before it looked, and a Pause
    waited for them)."""
    small = make(blobs(n=40), batch=40)
    rows = 10_000
    big = make(blobs(n=rows), batch=1)
    loop = Pipes()
    loop.send(*load_message(small, 1, 3000, None, 1, True))  # fast epochs: slices grow
    loop.send(want_message(1))
    while parse_progress(*loop.receive()).final is None:
        loop.send(want_message(1))
    loop.send(*load_message(big, 2, 2, None, 2, True))
    loop.send(want_message(2))
    p = parse_progress(*loop.receive())
    loop.close()
    assert p.final is None and p.epoch == 1 and 0 < p.position < rows


# -- per-update losses in bounded memory --------------------------------------------------
def test_the_step_log_holds_bounded_bytes_however_long_the_run(monkeypatch):
    monkeypatch.setattr(history_log, "STEP_LOG_ROWS", 4096)
    monkeypatch.setattr(history_log, "RECENT_ROWS", 1024)
    st = make(blobs(n=40), batch=1, optimizer="sgd")
    held = []
    for _ in range(10):
        st.step_epochs(100)  # 4,000 updates a call
        held.append(st.step_losses.nbytes)
    assert st.updates == 40_000
    assert max(held) <= 2 * 4096 * 16  # at most the cap's buffer, after 10x the cap


def test_a_compacted_log_keeps_real_rows_the_envelope_and_the_first_divergence():
    rng = np.random.default_rng(1)
    losses = rng.random(50_000)
    losses[31_337] = np.inf
    losses[31_338:31_400] = np.nan
    log = StepLog()
    log.extend_losses(1, losses)
    small = log.compacted(most=8192, recent=1000)
    assert len(small) <= 4096 and len(log) == 50_000  # the old log is untouched
    u, v = small.columns[:, 0].astype(int), small.columns[:, 1]
    assert np.all(np.diff(u) > 0)
    assert np.array_equal(v, losses[u - 1], equal_nan=True)  # each row a real update
    assert np.array_equal(u[-1000:], np.arange(49_001, 50_001))  # the latest exact
    head = u < 49_001
    bucket = small.bucket
    for g in np.unique(u[head] // bucket)[::25]:  # each bucket's lowest and highest loss
        every = losses[(np.arange(1, 50_001) // bucket == g)]
        every = every[np.isfinite(every)]
        kept = v[head][(u[head] // bucket == g) & np.isfinite(v[head])]
        if len(every):
            assert kept.min() == every.min() and kept.max() == every.max()
    assert u[np.flatnonzero(~np.isfinite(v))[0]] == 31_338  # the first non-finite update


def test_step_back_after_a_compaction_removes_the_updates_after_the_mark(monkeypatch):
    monkeypatch.setattr(history_log, "STEP_LOG_ROWS", 512)
    monkeypatch.setattr(history_log, "RECENT_ROWS", 128)
    st = make(blobs(n=40), batch=1, optimizer="sgd")
    st.step_epochs(5)  # 200 updates
    updates, params = st.updates, [p.copy() for p in st.network.parameters()]
    st.step_epochs(20)  # 800 more: compacted on the way
    assert len(st.step_losses) < 1000
    st.step_back()  # one visible unit: one epoch (tests/core/test_step_back_units.py)
    assert st.updates == updates + 19 * 40
    for _ in range(19):
        st.step_back()
    assert st.updates == updates
    assert all(np.array_equal(p, q) for p, q in zip(st.network.parameters(), params))
    # the updates up to the mark, in the buckets they were compacted into
    u = st.step_losses.columns[:, 0]
    assert np.all(u <= updates) and u[-1] > updates - 2 * st.step_losses.bucket
