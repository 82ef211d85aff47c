"""File > Examples: the shipped examples by their title, in the lecture's order
(``nnsim.examples.shipped_examples``).

The list is read from the example files each time the menu opens, so a new
example file shows up without a code change.
"""
from __future__ import annotations

from ..examples import shipped_examples


def fill_examples_menu(menu, open_example) -> None:
    """(Re)fill ``menu`` with one action an example; ``open_example(Example)``."""
    menu.clear()
    examples = shipped_examples()
    if not examples:
        menu.addAction("(no examples found)").setEnabled(False)
    for e in examples:
        action = menu.addAction(e.title.replace("&", "&&"), lambda e=e: open_example(e))
        action.setStatusTip(e.description)
