"""The training history in NumPy columns: it behaves as the list of epoch
results (and of batch losses) it replaces, snapshots stay what they were, and
a long history is not a crowd of Python objects."""
import dataclasses
import gc
import math

import numpy as np
import pytest

from nnsim.core.history_log import EpochLog, StepLog, as_epoch_log
from nnsim.core.training import EpochResult


def results(n, start=1):
    return [EpochResult(k, 1.0 / k, None if k % 3 == 0 else 2.0 / k,
                        None if k % 2 else 0.5, math.nan if k == 4 else None)
            for k in range(start, start + n)]


def key(rows):
    """Rows comparable with NaN in them (NaN != NaN)."""
    return [tuple("NaN" if isinstance(v, float) and math.isnan(v) else v
                  for v in dataclasses.astuple(r)) for r in rows]


def test_an_epoch_log_reads_back_what_went_in_with_none_and_nan_kept_apart():
    rows = results(10)
    log = EpochLog(rows[:4])
    log.append(rows[4])
    log += rows[5:7]
    log.extend(rows[7:])
    assert len(log) == 10 and bool(log) and not EpochLog()
    assert key(log) == key(rows) and log[:3] == rows[:3]
    assert log[-1] == rows[-1] and log[3].test_accuracy is not None
    assert math.isnan(log[3].test_accuracy) and log[2].test_loss is None
    assert isinstance(log[0].epoch, int)
    with pytest.raises(IndexError):
        log[10]
    assert log.columns.shape == (10, EpochLog.NCOLS) and not log.columns.flags.writeable
    assert np.isnan(log.columns[2, 2])  # a missing value plots as a gap


def test_only_the_tail_can_go():
    log = EpochLog(results(6))
    assert log.pop() == results(6)[-1]
    del log[3:]
    assert log == results(3)
    with pytest.raises(TypeError):
        del log[0]
    with pytest.raises(TypeError):
        del log[0:1]
    log.clear()
    assert log == [] and len(log) == 0
    with pytest.raises(IndexError):
        log.pop()


def test_a_snapshot_keeps_its_entries_whatever_happens_to_the_log():
    log = EpochLog(results(5))
    snap = log.snapshot()
    log.extend(results(3, start=6))  # growth in place
    del log[2:]  # a step back...
    log.extend(results(2, start=100))  # ...then other epochs in the same rows
    assert key(snap) == key(results(5)) and len(snap) == 5
    assert log == results(2) + results(2, start=100)
    # a snapshot can be written to: it copies first, the log stays as it is
    del snap[3:]
    snap.append(results(1, start=50)[0])
    assert log == results(2) + results(2, start=100)
    assert key(snap) == key(results(3) + results(1, start=50))
    assert as_epoch_log(results(2)) == results(2)
    copy = as_epoch_log(log)
    assert copy == log and copy is not log


def test_a_step_log_holds_update_numbers_and_losses():
    log = StepLog([(1, 0.5), (2, 0.25)])
    log.extend_losses(3, np.array([0.125, math.inf]))
    log.extend_losses(5, [0.1])
    assert log == [(1, 0.5), (2, 0.25), (3, 0.125), (4, math.inf), (5, 0.1)]
    assert log[-1] == (5, 0.1) and isinstance(log[0][0], int)
    assert np.array_equal(log.columns[:, 0], [1, 2, 3, 4, 5])


def test_a_long_history_is_not_a_crowd_of_python_objects():
    gc.collect()
    before = len(gc.get_objects())
    log, steps = EpochLog(), StepLog()
    for r in results(20_000):
        log.append(r)
        steps.append((r.epoch, r.train_loss))
    gc.collect()
    # the collector has nothing new to walk (a list of results added 20,000+)
    assert len(gc.get_objects()) - before < 100
    assert log.columns.nbytes <= 2 * 20_000 * EpochLog.NCOLS * 8  # and memory is ~64 B each


def test_deleting_the_tail_of_a_shared_log_does_not_grow_its_buffer():
    """A step back on a log the document holds a snapshot of copies the
    buffer; it used to double it every time (32 GiB after ~30 step backs)."""
    log = StepLog([(i, 0.5) for i in range(100)])
    for _ in range(40):
        keep = log.snapshot()
        log.append((101, 0.25))
        del log[100:]
        assert len(keep) == 100
    assert len(log._a) <= 256
