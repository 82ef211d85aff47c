"""`nnsim explain`: the worked-solution handout, read back and checked number
by number against `nnsim trace --json` and against Mazur's published figures."""
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from nnsim.core.naming import neuron_name

# Matt Mazur's "A Step by Step Backpropagation Example": his weights, his sample.
MAZUR = {
    "format": "nnsim", "version": 1, "title": "Mazur's network",
    "network": {"inputs": 2, "loss": "mse", "layers": [
        {"units": 2, "activation": "sigmoid", "weights": [[0.15, 0.25], [0.20, 0.30]],
         "bias": [0.35, 0.35]},
        {"units": 2, "activation": "sigmoid", "weights": [[0.40, 0.50], [0.45, 0.55]],
         "bias": [0.60, 0.60]}]},
    "training": {"learning_rate": 0.5, "batch_size": 1, "shuffle": False},
    "data": {"points": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]}},
}


def nnsim(*args):
    return subprocess.run([sys.executable, "-m", "nnsim", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def mazur(tmp_path):
    path = tmp_path / "mazur.nnsim"
    path.write_text(json.dumps(MAZUR))
    return path


def equations(markdown: str) -> dict[str, float]:
    """Each displayed equation's left-hand side (LaTeX) and final value."""
    out = {}
    for block in re.findall(r"\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}", markdown, re.S):
        lhs = block.split("&=")[0].strip()
        assert lhs not in out, f"{lhs} is written twice"
        out[lhs] = float(block.split("&=")[-1].strip())
    return out


def expected_from_trace(trace: dict, sizes: list[int]) -> dict[str, float]:
    """What the handout must say, named the way the handout names it."""
    def name(k, j):
        return neuron_name(sizes, k, j).replace("_", ",")
    want = {"L": trace["loss"]}
    for k, layer in enumerate(trace["layers"], start=1):
        for j in range(sizes[k]):
            n = name(k, j)
            want[f"z_{{{n}}}"] = layer["z"][j]
            want[f"a_{{{n}}}"] = layer["a"][j]
            want[f"\\delta_{{{n}}}"] = layer["delta"][j]
            want[f"\\frac{{\\partial L}}{{\\partial b_{{{n}}}}}"] = layer["grad_bias"][j]
            want[f"b_{{{n}}}^{{+}}"] = layer["new_bias"][j]
            for i in range(sizes[k - 1]):
                edge = f"{name(k - 1, i)} \\to {n}"
                want[f"\\frac{{\\partial L}}{{\\partial w_{{{edge}}}}}"] = layer["grad_weights"][i][j]
                want[f"w_{{{edge}}}^{{+}}"] = layer["new_weights"][i][j]
    return want


@pytest.mark.parametrize("example", ["mazur", "lecture"])
def test_every_number_of_the_markdown_handout_equals_the_trace(example, mazur, tmp_path):
    from nnsim.examples import example_path
    path = mazur if example == "mazur" else example_path("lecture-xor")
    out = tmp_path / "step.md"
    run = nnsim("explain", path, "--sample", 0, "--out", out)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    trace = nnsim("trace", path, "--sample", 0, "--json")
    from nnsim.io import load_project
    sizes = load_project(path).network.sizes
    want = expected_from_trace(json.loads(trace.stdout), sizes)
    got = equations(out.read_text(encoding="utf-8"))
    missing = set(want) - set(got)
    assert not missing, f"the handout lacks {sorted(missing)}"
    for lhs, value in want.items():
        assert got[lhs] == pytest.approx(value, rel=1e-8, abs=1e-12), lhs


def test_mazur_handout_shows_his_published_figures(mazur):
    run = nnsim("explain", mazur, "--sample", 0)
    got = equations(run.stdout)
    assert got["L"] == pytest.approx(0.298371109, abs=5e-10)
    assert got[r"\frac{\partial L}{\partial w_{h1 \to out1}}"] == pytest.approx(0.082167041, abs=5e-10)
    assert got[r"w_{h1 \to out1}^{+}"] == pytest.approx(0.35891648, abs=5e-9)
    assert got[r"w_{x1 \to h1}^{+}"] == pytest.approx(0.149780716, abs=5e-10)
    # t = 2: the lecture's mean over the outputs is his 1/2 sum, and the handout says so
    assert "1/2·Σ (target − out)²" in run.stdout


def test_a_hidden_weight_is_written_as_the_sum_over_its_two_paths(mazur):
    run = nnsim("explain", mazur, "--sample", 0)
    block = next(b for b in re.findall(r"\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}",
                                       run.stdout, re.S)
                 if b.startswith(r"  \frac{\partial L}{\partial w_{x1 \to h1}}"))
    symbols, numbers, value = [row.strip(" \\\n") for row in block.split("&=")[1:]]
    assert symbols.count(" + ") == 1 and r"\partial a_{out1}" in symbols \
        and r"\partial a_{out2}" in symbols
    products = [eval_product(term) for term in numbers.split(" + ")]
    assert len(products) == 2 and sum(products) == pytest.approx(float(value), rel=1e-7)


def eval_product(term: str) -> float:
    """Multiply the numbers of one path, written 'a \\cdot b \\cdot (−c)'."""
    out = 1.0
    for factor in term.split(r"\cdot"):
        out *= float(factor.strip().strip("()"))
    return out


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.values = [], [], []
        self._in_value = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k in ("src", "href") and v]
        self._in_value = ("class", "val") in attrs

    def handle_data(self, data):
        if self._in_value:
            self.values.append(float(data.replace("\u2212", "-")))
            self._in_value = False


def test_html_handout_is_self_contained_and_carries_the_same_numbers(mazur, tmp_path):
    nnsim("explain", mazur, "--sample", 0, "--out", tmp_path / "step.md")
    run = nnsim("explain", mazur, "--sample", 0, "--out", tmp_path / "step.html")
    assert run.returncode == 0, run.stderr
    page = _Tags()
    page.feed((tmp_path / "step.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags and "link" not in page.tags and page.links == []
    md = equations((tmp_path / "step.md").read_text(encoding="utf-8"))
    assert page.values == pytest.approx(list(md.values()), rel=1e-8)


def test_latex_handout_is_a_whole_document_with_every_number(mazur, tmp_path):
    run = nnsim("explain", mazur, "--sample", 0, "--format", "tex")
    tex = run.stdout
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") > 20
    assert tex.count("{") == tex.count("}")
    values = re.findall(r"&= (-?[0-9.e+-]+)\n\\end\{align\*\}", tex)
    md = equations(nnsim("explain", mazur, "--sample", 0).stdout)
    assert [float(v) for v in values] == pytest.approx(list(md.values()), rel=1e-8)


def test_explain_with_a_typed_sample_and_clear_errors(mazur, tmp_path):
    run = nnsim("explain", mazur, "--input", "0.05,0.1", "--target", "0.01,0.99")
    assert equations(run.stdout)["L"] == pytest.approx(0.298371109, abs=5e-10)
    bad = nnsim("explain", mazur, "--sample", 7)
    assert bad.returncode == 2 and "--sample 7 does not exist" in bad.stderr
    bad = nnsim("explain", mazur, "--out", tmp_path / "step.docx")
    assert bad.returncode == 2 and "format" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "step.docx").exists()
