"""The data panel's input options (qt/input_options.py), used as a user does:
feature buttons add input neurons named on the canvas, "Standardise inputs"
shows the training rows' means and deviations, a prompt suggests it for
badly scaled data, and the points table keeps the data's own values."""
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox

from nnsim.core.datasets import DataSpec
from nnsim.document import Document
from nnsim.io.csv_import import read_csv, sniff, to_imported
from nnsim.qt.selection import NeuronRef
from window_helpers import open_window

IRIS = Path(__file__).parent.parent / "fixtures" / "iris.csv"


def click(qtbot, widget):
    """A click where the user aims: a check box's box, a button's middle."""
    x = 8 if isinstance(widget, QCheckBox) else widget.width() // 2
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(x, widget.height() // 2))


def show_data_panel(qtbot, w):
    w.data_dock.raise_()  # the Data tab in front of Training
    qtbot.waitUntil(lambda: w.data_panel.input_options.isVisible())


def circle_window(qtbot, tmp_path):
    doc = Document()
    doc.set_data(DataSpec("circle", n=100, seed=1))
    w = open_window(qtbot, tmp_path / "prefs.ini", document=doc)
    show_data_panel(qtbot, w)
    return w, w.data_panel.input_options


def test_a_feature_button_adds_a_named_input_neuron_and_undo_takes_it_away(qtbot, tmp_path):
    w, options = circle_window(qtbot, tmp_path)
    doc = w.document
    assert [b.text() for b in options.feature_buttons.values()] == \
        ["x1\u00b2", "x2\u00b2", "x1\u00b7x2", "sin x1", "sin x2"]
    click(qtbot, options.feature_buttons["x1*x2"])
    assert doc.network.sizes[0] == 3 and doc.input_options.features == ("x1*x2",)
    assert options.feature_buttons["x1*x2"].isChecked()
    assert w.scene.neurons[0][2].name == "x1\u00b7x2"  # the canvas names it
    assert "x1\u00b7x2: feature input 3" in w.scene.tooltip_text(NeuronRef(0, 2))
    doc.undo_stack.undo()
    assert doc.network.sizes[0] == 2 and not options.feature_buttons["x1*x2"].isChecked()
    assert len(w.scene.neurons[0]) == 2


def test_standardising_shows_the_statistics_and_the_table_keeps_raw_values(qtbot, tmp_path):
    w, options = circle_window(qtbot, tmp_path)
    doc = w.document
    assert not options.stats_label.isVisible()
    click(qtbot, options.standardize_box)
    assert doc.input_options.standardize and options.standardize_box.isChecked()
    assert options.stats_label.isVisible()
    X = doc.dataset.X_train
    lines = options.stats_label.text().split("<br>")
    assert len(lines) == 2 and lines[0].startswith("x1: mean ")
    assert f"{X[:, 0].std():.4g}" in lines[0]
    model = w.data_panel.points_model
    assert abs(float(model.data(model.index(0, 0))) - X[0, 0]) < 1e-6  # the table: raw
    doc.micro_step()  # forward layer 1: the canvas shows what the network sees
    snap = doc.snapshot
    i = snap.sample_indices[0]
    tip = w.scene.tooltip_text(NeuronRef(0, 0))
    z = (X[i, 0] - X[:, 0].mean()) / X[:, 0].std()
    assert np.isclose(snap.X[0, 0], z)
    assert "the data's value:" in tip and "standardised" in tip


def test_badly_scaled_data_gets_a_prompt_that_goes_once_standardised(qtbot, tmp_path):
    csv = read_csv(IRIS, sniff(IRIS), [0, 1, 2, 3], [4], encode_classes=True)
    doc = Document()
    doc.set_data(to_imported(csv))
    w = open_window(qtbot, tmp_path / "prefs.ini", document=doc)
    show_data_panel(qtbot, w)
    options = w.data_panel.input_options
    assert not options.features_box.isVisible()  # four inputs: no feature inputs
    assert options.advice_label.isVisible()
    assert options.advice_label.text().startswith("sepal_length lies far from 0")
    click(qtbot, options.standardize_box)
    assert not options.advice_label.isVisible()
    assert len(options.stats_label.text().split("<br>")) == 4


def test_a_feature_input_has_its_name_in_menus_tooltips_and_the_inspector(qtbot, tmp_path):
    from nnsim.qt.selection import EdgeRef
    w, options = circle_window(qtbot, tmp_path)
    click(qtbot, options.feature_buttons["sin(x1)"])
    edge = EdgeRef(1, 2, 0)  # from the third input (sin x1) into h1
    assert w.scene.tooltip_text(edge).startswith("w(sin x1 \u2192 h1): from sin x1 into h1")
    assert w.scene.context_menu(edge).title() == "sin x1 \u2192 h1"
    assert w.scene.context_menu(NeuronRef(0, 2)).title() == "sin x1"
    w.scene.select(edge)
    assert "sin\u2009x1\u2192h1" in w.inspector.value_label.text()  # as on the canvas
    w.scene.select(EdgeRef(1, 0, 0))
    assert "sin" not in w.inspector.value_label.text()
