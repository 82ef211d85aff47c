"""The chain rule's paths on the canvas: selecting a weight glows every path
from it to the loss; pointing at one of the inspector's path rows glows that
one path and writes its product beside it."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnsim.core import naming
from nnsim.core.datasets import DataSpec
from nnsim.core.network import Network
from nnsim.core.project import Project
from nnsim.core.training import TrainingConfig
from nnsim.document import Document
from nnsim.qt.selection import EdgeRef, NeuronRef

from window_helpers import open_window

LECTURE = "resources/examples/lecture-xor.nnsim"


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "prefs.ini", (1400, 900))
    return w


def laid_out(window) -> None:
    """Let the new canvas take its place in the window, as the event loop
    does before a user can point at anything (the view then fits the network)."""
    QApplication.processEvents()
    assert window.view.viewport().width() > 500


def lecture(window):
    """The lecture's 2-2-2 network, through the backward pass of its first sample."""
    assert window.open_path(LECTURE)
    laid_out(window)
    for _ in range(5):  # forward 1, forward 2, loss, backward 2, backward 1
        window.act_next.trigger()
    return window.document.snapshot


def glowing(window) -> set:
    return set(window.scene.chain_paths.edges)


def product_label(window) -> list[str]:
    label = window.scene.chain_paths.label
    return [] if label is None else label.texts


def on_path(window, edges) -> bool:
    """The product's box sits on (or just beside) one of ``edges`` and covers
    no number the canvas shows."""
    scene = window.scene
    box = scene.chain_paths.label.sceneBoundingRect()
    labels = [n.label for row in scene.neurons for n in row] + [
        e.label for grid in scene.edges[1:] for row in grid for e in row]
    covers = [l.text for l in labels
              if l.isVisible() and l.lines and l.sceneBoundingRect().intersects(box)]
    assert covers == [], f"the product covers {covers}"
    c = box.center()

    def distance(edge):
        p, q = edge.line().p1(), edge.line().p2()
        dx, dy = q.x() - p.x(), q.y() - p.y()
        t = max(0.0, min(1.0, ((c.x() - p.x()) * dx + (c.y() - p.y()) * dy) / (dx * dx + dy * dy)))
        return ((c.x() - p.x() - t * dx) ** 2 + (c.y() - p.y() - t * dy) ** 2) ** 0.5
    return min(distance(scene.item_for(EdgeRef(*e))) for e in edges) <= box.height() * 1.6


def anchor_point(browser, href: str) -> QPoint:
    """Where the inspector shows the link ``href`` (a path's row), in its viewport."""
    doc = browser.document()
    cursor = QTextCursor(doc)
    inside = []
    for pos in range(1, doc.characterCount()):
        cursor.setPosition(pos)
        if cursor.charFormat().anchorHref() == href:
            inside.append(pos)
    assert inside, f"no link {href} in the inspector"
    cursor.setPosition(inside[len(inside) // 4])  # within the route's text
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    point = browser.cursorRect(cursor).center()
    assert browser.anchorAt(point) == href
    return point


def hover_row(window, n: int) -> None:
    browser = window.inspector.browser
    QTest.mouseMove(browser.viewport(), anchor_point(browser, f"path:{n}"))


def leave_rows(window) -> None:
    QTest.mouseMove(window.inspector.browser.viewport(), QPoint(2, 2))


def shown_number(text: str) -> float:
    return float(text.rsplit(" ", 1)[-1])


def test_a_hidden_weight_glows_its_two_paths_and_a_hovered_row_its_one(window):
    snap = lecture(window)
    ref = EdgeRef(1, 0, 0)  # w(x1 → h1)
    window.scene.select(ref)
    # x1→h1 with h1→out1 and h1→out2: one path through each output
    assert glowing(window) == {(1, 0, 0), (2, 0, 0), (2, 0, 1)}
    assert product_label(window) == []
    paths = window.inspector.explanation.samples[0].paths

    hover_row(window, 0)
    assert glowing(window) == {(1, 0, 0), (2, 0, 0)}
    (first,) = product_label(window)
    assert first == f"path product = {naming.fmt(paths[0].product)}"
    assert on_path(window, [(1, 0, 0), (2, 0, 0)])
    hover_row(window, 1)
    assert glowing(window) == {(1, 0, 0), (2, 0, 1)}
    (second,) = product_label(window)
    assert second == f"path product = {naming.fmt(paths[1].product)}"
    assert on_path(window, [(1, 0, 0), (2, 0, 1)])
    # the two products shown add up to the number on the edge (4 digits each)
    edge_text = window.scene.item_for(ref).label.text
    assert edge_text == f"\u2202L/\u2202w = {naming.fmt(snap.dW[0][0, 0])}"
    assert shown_number(first) + shown_number(second) == pytest.approx(
        shown_number(edge_text), abs=1e-4)
    # and, in full, the paths' products are the snapshot's dW
    assert paths[0].product + paths[1].product == pytest.approx(snap.dW[0][0, 0], abs=1e-12)

    leave_rows(window)
    assert glowing(window) == {(1, 0, 0), (2, 0, 0), (2, 0, 1)}
    assert product_label(window) == []


def test_an_output_weight_shows_its_one_path_and_deselecting_clears(window):
    lecture(window)
    window.scene.select(EdgeRef(2, 1, 0))  # w(h2 → out1)
    assert glowing(window) == {(2, 1, 0)}
    window.scene.select(None)
    assert glowing(window) == set()
    assert window.scene.chain_paths.glows == []


def test_no_paths_before_the_backward_pass_reaches_the_weight(window):
    assert window.open_path(LECTURE)
    laid_out(window)
    for _ in range(4):  # the backward pass has reached the output layer only
        window.act_next.trigger()
    window.scene.select(EdgeRef(1, 0, 0))
    assert glowing(window) == set()
    window.act_next.trigger()  # backward 1
    assert glowing(window) == {(1, 0, 0), (2, 0, 0), (2, 0, 1)}


def open_network(window, net: Network, data: str) -> None:
    window.set_document(Document(Project(net, TrainingConfig(learning_rate=0.5, batch_size=1),
                                         DataSpec(data))))
    laid_out(window)
    for _ in range(2 * len(net.layers) + 1):  # every forward, the loss, every backward
        window.act_next.trigger()


def routes(sizes, k, i, j):
    """Every chain of connections from W[i, j] of layer k to an output, by brute force."""
    found = []

    def walk(layer, neuron, edges):
        if layer == len(sizes) - 1:
            found.append(edges)
            return
        for q in range(sizes[layer + 1]):
            walk(layer + 1, q, edges + ((layer + 1, neuron, q),))
    walk(k, j, ((k, i, j),))
    return found


def test_two_hidden_layers_paths_run_through_both(window):
    net = Network.build(2, [2, 2, 3], ["tanh", "sigmoid", "softmax"], loss="cross_entropy",
                        rng=np.random.default_rng(3))
    open_network(window, net, "three_class")
    snap = window.document.snapshot
    window.scene.select(EdgeRef(1, 1, 0))  # w(x2 → first neuron of hidden layer 1)
    expected = routes(net.sizes, 1, 1, 0)  # 2 · 3 = 6 paths of three edges
    paths = window.inspector.explanation.samples[0].paths
    assert sorted(p.edges for p in paths) == sorted(expected)
    assert glowing(window) == {e for r in expected for e in r}
    assert sum(p.product for p in paths) == pytest.approx(snap.dW[0][1, 0], abs=1e-12)

    hover_row(window, 4)
    assert glowing(window) == set(paths[4].edges)
    assert product_label(window) == [f"path product = {naming.fmt(paths[4].product)}"]


def test_grouped_paths_glow_the_way_to_the_next_layer(window):
    # 5 · 5 = 25 paths from each first-layer neuron: grouped by the next neuron
    net = Network.build(2, [3, 5, 5, 1], ["tanh", "tanh", "tanh", "sigmoid"], loss="mse",
                        rng=np.random.default_rng(5))
    open_network(window, net, "xor")
    window.scene.select(EdgeRef(1, 0, 2))
    e = window.inspector.explanation
    assert e.grouped
    assert glowing(window) == {(1, 0, 2)} | {(2, 2, m) for m in range(5)}
    hover_row(window, 3)
    assert glowing(window) == {(1, 0, 2), (2, 2, 3)}
    assert product_label(window) == [
        f"path product = {naming.fmt(e.samples[0].paths[3].product)}"]


def test_a_hidden_bias_glows_one_path_per_next_neuron(window):
    snap = lecture(window)
    h1 = NeuronRef(1, 0)
    window.scene.select(h1)
    assert glowing(window) == {(2, 0, 0), (2, 0, 1)}  # h1→out1 and h1→out2
    assert "Its 2 paths to the loss, one per next neuron" in window.inspector.browser.toPlainText()
    shown = []
    for n, edge in enumerate([(2, 0, 0), (2, 0, 1)]):
        hover_row(window, n)
        assert glowing(window) == {edge}
        assert on_path(window, [edge])
        (text,) = product_label(window)
        shown.append(shown_number(text))
    # the neuron's label shows dL/db: the two products add up to it
    db_line = [t for t in window.scene.item_for(h1).label.texts if t.startswith("\u2202L/\u2202b")]
    assert db_line == [f"\u2202L/\u2202b = {naming.fmt(snap.db[0][0])}"]
    assert sum(shown) == pytest.approx(shown_number(db_line[0]), abs=1e-4)
    leave_rows(window)
    assert glowing(window) == {(2, 0, 0), (2, 0, 1)}
    window.scene.select(NeuronRef(2, 1))  # an output's bias: its one path has no connection
    assert glowing(window) == set()
