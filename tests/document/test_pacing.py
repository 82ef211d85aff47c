"""Run mode's timing (nnsim.document.run_mode.pacing) on times given by hand."""
import pytest

from nnsim.document.run_mode.pacing import (INITIAL_FRAME_S, MAX_FRAME_S, MIN_FRAME_S,
                                            TRAIN_SHARE, FramePacer, RateMeter, SpeedPacer)


def test_the_first_chunk_of_a_run_is_a_frame_then_they_come_frame_s_apart():
    p = FramePacer()
    assert p.is_frame(100.0, budget_s=0.04, paced=False)
    p.frame(100.0, adapt=True)
    assert not p.is_frame(100.1, budget_s=0.04, paced=False)
    # the frame falls on the chunk that starts nearest its time: half a budget early
    assert p.is_frame(100.0 + INITIAL_FRAME_S - 0.02, budget_s=0.04, paced=False)
    assert p.is_frame(100.1, budget_s=0.04, paced=True)  # at a set speed, every chunk
    p.restart()
    assert p.is_frame(100.01, budget_s=0.04, paced=False)


def test_frames_keep_the_views_cost_to_a_share_of_the_time():
    p = FramePacer()
    p.frame(0.0, adapt=True)
    p.trained(0.15)
    p.frame(0.2, adapt=True)  # 0.05 s of the period outside training
    assert p.frame_s == pytest.approx(0.05 / (1 - TRAIN_SHARE))
    p.frame(0.3, adapt=True)  # 0.1 s outside: the cost is averaged with the last
    assert p.frame_s == pytest.approx(0.075 / (1 - TRAIN_SHARE))
    p.frame(10.3, adapt=True)  # very slow views: still a frame a second
    assert p.frame_s == MAX_FRAME_S
    for t in range(1, 20):  # views that cost nothing: as often as allowed
        p.trained(0.1)
        p.frame(10.3 + 0.1 * t, adapt=True)
    assert p.frame_s == MIN_FRAME_S
    p.frame(20.0, adapt=False)  # at a set speed the interval is kept
    assert p.frame_s == MIN_FRAME_S


def test_epochs_come_due_at_the_set_speed():
    s = SpeedPacer()
    s.anchor(10.0)
    assert s.due(10.0, speed=4) == 1  # the first at once
    s.trained(1)
    assert s.due(10.2, speed=4) == 0
    assert s.due(10.5, speed=4) == 2
    s.trained(2)
    assert s.due(10.5, speed=4) == 0
    s.anchor(11.0)  # a new anchor forgets what was due
    assert s.due(11.0, speed=4) == 1


def test_the_rate_is_epochs_per_second_over_the_last_two_seconds():
    m = RateMeter()
    m.restart(0.0, 100)
    assert m.rate is None
    m.record(1.0, 150)
    assert m.rate == 50
    m.record(2.0, 200)
    m.record(4.0, 500)  # the samples older than two seconds are dropped
    assert m.rate == pytest.approx((500 - 200) / 2.0)
