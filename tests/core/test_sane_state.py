"""The sane state to step back to: before the loss ran away, weights bounded."""
import math

import numpy as np

from nnsim.core.sane_state import WEIGHT_LIMIT, last_sane_epoch, weights_are_sane


def test_the_last_epoch_before_the_loss_ran_away():
    # the losses of plane-regression at learning rate 1.05, then an overflow
    assert last_sane_epoch([0.563, 0.648, 0.952, 6.01, 138, 5.89e3, math.inf]) == 3
    assert last_sane_epoch([0.5, 0.4, math.nan]) == 2
    assert last_sane_epoch([math.inf]) == 0
    assert last_sane_epoch([0.5, 0.4, 0.3]) == 3
    assert last_sane_epoch([]) == 0


def test_a_loss_that_came_back_after_a_spike_is_sane_again():
    assert last_sane_epoch([1.0, 0.1, 5.0, 0.2, 1e9, math.inf]) == 4


def test_weights_beyond_the_limit_or_not_finite_are_not_sane():
    assert weights_are_sane([np.ones((2, 2)), np.zeros(2)])
    assert not weights_are_sane([np.full((2, 2), 1e125), np.zeros(2)])
    assert not weights_are_sane([np.ones((2, 2)), np.array([np.nan, 0.0])])
    assert weights_are_sane([np.full((1, 1), WEIGHT_LIMIT)])
