"""A control that applies its value while the user changes it.

TensorFlow Playground regenerates its data while a slider moves. Doing that
on every ``valueChanged`` would regenerate (and push an undo step) twenty
times for one drag of a spin box's arrow, and once per digit typed. A
``LiveGesture`` applies at most once per ``interval_ms`` while changes keep
coming (the first change at once, the last one always), and calls all the
applies of one *gesture* (changes of one control with pauses shorter than
``gesture_ms``) with the same key, so the document merges them into one undo
step. Only timers decide, never the clock: tests fire the timers themselves.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer


class LiveGesture(QObject):
    def __init__(self, apply: Callable[[tuple], None], parent: QObject | None = None,
                 interval_ms: int = 150, gesture_ms: int = 700):
        super().__init__(parent)
        self._apply = apply  # apply(key): key = (control, gesture number)
        self._gestures = 0
        self._control: str | None = None
        self._pending = False
        self.throttle = QTimer(self)
        self.throttle.setSingleShot(True)
        self.throttle.setInterval(interval_ms)
        self.throttle.timeout.connect(self._on_throttle)
        self.gesture_end = QTimer(self)
        self.gesture_end.setSingleShot(True)
        self.gesture_end.setInterval(gesture_ms)
        self.gesture_end.timeout.connect(self.finish)

    @property
    def active(self) -> bool:
        return self._control is not None

    def changed(self, control: str) -> None:
        """The user changed ``control``'s value (call on every valueChanged)."""
        if control != self._control:
            self.finish()  # another control: another gesture
            self._control = control
            self._gestures += 1
        self.gesture_end.start()
        if self.throttle.isActive():
            self._pending = True
        else:
            self._fire()

    def finish(self) -> None:
        """End the gesture now, applying its last value if still pending."""
        self.gesture_end.stop()
        self.throttle.stop()
        if self._pending:
            self._pending = False
            self._apply((self._control, self._gestures))
        self._control = None

    def _fire(self) -> None:
        self._pending = False
        self.throttle.start()
        self._apply((self._control, self._gestures))

    def _on_throttle(self) -> None:
        if self._pending:
            self._fire()
