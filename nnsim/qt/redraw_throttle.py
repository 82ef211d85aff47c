"""Redrawing a view at most every so often, and only while it can be seen.

The analysis views (loss plot, decision map, loss landscape, computational
graph) follow the document, which changes up to thousands of times a second
in run mode. Each marks itself stale on a change and redraws when its timer
comes due, if it is on screen; a view brought back to the front (shown, or its
dock's tab raised) catches up. This is that mechanism, once.
"""
from __future__ import annotations

import weakref
from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    """Shown and not behind another tab (Qt moves a dock's hidden tab off the
    window rather than hiding it)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class RedrawThrottle(QObject):
    """Calls ``redraw()`` at most every ``interval_ms`` after ``mark()``, when
    the view is on screen (``behind_tabs``: whenever it is visible, even
    behind another tab); ``exposed()`` catches up a view that comes back to
    the front. ``redraw`` calls ``done()`` first."""

    def __init__(self, widget: QWidget, redraw: Callable[[], None], interval_ms: int,
                 behind_tabs: bool = False):
        super().__init__(widget)
        # weak: the view owns this object; a strong reference back would make
        # a cycle that Python frees late, after Qt has deleted the view
        self._redraw = weakref.WeakMethod(redraw)
        self._behind_tabs = behind_tabs
        self._widget = weakref.ref(widget)
        self.dirty = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._on_timeout)

    def mark(self) -> None:
        """What the view shows is stale: redraw when the timer comes due."""
        self.dirty = True
        if not self.timer.isActive():
            self.timer.start()

    def exposed(self, shown: bool = True) -> None:
        """The view came to the front (shown, its dock tab raised): catch up."""
        if shown and self.dirty:
            self.timer.start()

    def done(self) -> None:
        """The view is redrawing now: nothing is pending."""
        self.timer.stop()
        self.dirty = False

    def pace(self, cost_ms: float, share: float, least_ms: int,
             most_ms: float = float("inf")) -> None:
        """Space redraws so that drawing takes at most ``share`` of the time."""
        self.timer.setInterval(int(min(most_ms, max(least_ms, round(cost_ms / share)))))

    def _on_timeout(self) -> None:
        widget, redraw = self._widget(), self._redraw()
        if widget is None or redraw is None:
            return
        if widget.isVisible() if self._behind_tabs else on_screen(widget):
            redraw()
