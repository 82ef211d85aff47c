"""A clock for run-mode tests: time passes only as the test says."""


class FakeClock:
    """Seconds that pass only when a test says so: by hand (``advance``) and
    by ``step`` at every reading, so that each epoch trained "takes" time."""

    def __init__(self, step: float = 0.0):
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
