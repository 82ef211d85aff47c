import pytest
from fake_clock import FakeClock


@pytest.fixture
def clock():
    """10 ms per reading: a chunk of training in the window (a 40 ms budget)
    is a few epochs."""
    return FakeClock(step=0.01)
