"""The worked-solution handout as Markdown (with LaTeX math), self-contained
HTML (no script, no font or style fetched from anywhere) or LaTeX.

The content is ``nnsim.core.worked_solution``'s; this module only typesets it.
Each equation is written on three lines, as on a blackboard: the symbols, the
symbols with the numbers filled in, and the value.
"""
from __future__ import annotations

import html
import re

from ..core.naming import fmt_worked
from ..core.worked_solution import Equation, WorkedSolution

FORMATS = ("md", "html", "tex")

# -- the chain rule's notation, in LaTeX --------------------------------------------

_GREEK = {"δ": r"\delta", "η": r"\eta", "σ": r"\sigma", "Σ": r"\sum"}


def _sym_tex(letter: str, sub: str) -> str:
    letter = _GREEK.get(letter, letter)
    sub = sub.replace(" → ", r" \to ").replace("→", r"\to ")
    sub = re.sub(r"_(\d+)", r",\1", sub)  # h1_2 reads "h1,2" in a subscript
    return f"{letter}_{{{sub}}}"


_TEX_PARTIAL = re.compile(r"∂([^\s/·]+)/∂([a-zδ](?:\([^()]*\))?)")
_TEX_SYMBOL = re.compile(r"(?<![A-Za-z\\])([abzwyLδ])\(([^()]*)\)")
_TEX_EXP = re.compile(r"e\^(−?\([^()]*\)|−?[^\s)+·]+)")


def tex(text: str) -> str:
    """Chain-rule notation to LaTeX math: ∂L/∂a(out1) -> \\frac{\\partial L}{\\partial a_{out1}}."""
    def partial(m):
        return rf"\frac{{\partial {tex(m.group(1))}}}{{\partial {tex(m.group(2))}}}"
    s = _TEX_PARTIAL.sub(partial, text)
    s = _TEX_EXP.sub(lambda m: "e^{" + m.group(1) + "}", s)
    s = _TEX_SYMBOL.sub(lambda m: _sym_tex(m.group(1), m.group(2)), s)
    s = re.sub(r"(?<![A-Za-z_{\\])x(\d+)", r"x_{\1}", s)
    s = re.sub(r"\b(tanh|max|log|exp)\b", r"\\\1", s)
    for a, b in (("·", r" \cdot "), ("−", "-"), ("²", "^2"), ("⁺", "^{+}"), (":=", r"\mathrel{:=}")):
        s = s.replace(a, b)
    for a, b in _GREEK.items():
        s = s.replace(a, b + " ")
    return re.sub(r" +", " ", s).strip()


_PROSE_MATH = re.compile(r"∂[^\s/·]+/∂[a-zδ](?:\([^()]*\))?|[abzwyLδ]\([^()]*\)⁺?|[δηΣσ²⁺→·−∂]")


def _tex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text).replace("^", r"\^{}").replace("~", r"\~{}")


def _tex_text(text: str) -> str:
    """A sentence for LaTeX: its symbols in math mode, the rest escaped."""
    out, pos = [], 0
    for m in _PROSE_MATH.finditer(text):
        out += [_tex_escape(text[pos:m.start()]), f"${tex(m.group(0))}$"]
        pos = m.end()
    return "".join(out) + _tex_escape(text[pos:])


def _md_text(text: str) -> str:
    """A sentence for Markdown: no accidental emphasis."""
    return re.sub(r"([_*])", r"\\\1", text)


# -- the chain rule's notation, in HTML ---------------------------------------------

_HTML_SYMBOL = re.compile(r"(?<![A-Za-z])([abzwyLδ])\(([^()]*)\)")
# an exponent: a symbol with its neuron (e^−z(h1)), a bracket, or a plain token
_HTML_EXP = re.compile(r"e\^(−?[A-Za-zδ]\([^()]*\)|−?\([^()]*\)|−?[^\s)+·]+)")


def rich(text: str) -> str:
    """Chain-rule notation to HTML: a(out1) -> a<sub>out1</sub>."""
    s = html.escape(text, quote=False)
    s = _HTML_EXP.sub(lambda m: f"e<sup>{m.group(1)}</sup>", s)
    s = _HTML_SYMBOL.sub(lambda m: f"{m.group(1)}<sub>{m.group(2)}</sub>", s)
    s = re.sub(r"(?<![A-Za-z>])x(\d+)", r"x<sub>\1</sub>", s)
    return s


def _html_number(value: float) -> str:
    return fmt_worked(value).replace("-", "−")


# -- the three formats ----------------------------------------------------------------

def _lines(eq: Equation) -> list[str]:
    """The right-hand sides before the value: formula and numbers, each only
    when it says something new."""
    rhs = [eq.formula, eq.numbers]
    return [r for i, r in enumerate(rhs) if r and r not in rhs[:i] and r != fmt_worked(eq.value)]


def to_markdown(ws: WorkedSolution) -> str:
    out = [f"# {_md_text(ws.title)}", "", *[f"{_md_text(s)}  " for s in ws.setup], ""]
    for section in ws.sections:
        out += [f"## {_md_text(section.title)}", "", _md_text(section.intro), ""]
        for item in section.items:
            if isinstance(item, str):
                out += [_md_text(item), ""]
                continue
            rows = [tex(r) for r in _lines(item)] + [fmt_worked(item.value)]
            body = " \\\\\n  &= ".join(rows)
            out += ["$$", r"\begin{aligned}", f"  {tex(item.lhs)} &= {body}",
                    r"\end{aligned}", "$$", ""]
            if item.note:
                out += [f"*{_md_text(item.note)}*", ""]
    return "\n".join(out).rstrip() + "\n"


def to_latex(ws: WorkedSolution) -> str:
    out = [r"\documentclass[11pt]{article}", r"\usepackage[margin=2cm]{geometry}",
           r"\usepackage{amsmath}", r"\usepackage[utf8]{inputenc}",
           r"\allowdisplaybreaks", r"\begin{document}",
           rf"\section*{{{_tex_text(ws.title)}}}", ""]
    out += [_tex_text(s) + r"\\" for s in ws.setup] + [""]
    for section in ws.sections:
        out += [rf"\subsection*{{{_tex_text(section.title)}}}", _tex_text(section.intro), ""]
        for item in section.items:
            if isinstance(item, str):
                out += [_tex_text(item), ""]
                continue
            rows = [tex(r) for r in _lines(item)] + [fmt_worked(item.value)]
            body = " \\\\\n  &= ".join(rows)
            out += [r"\begin{align*}", f"  {tex(item.lhs)} &= {body}", r"\end{align*}"]
            if item.note:
                out += [rf"\emph{{{_tex_text(item.note)}}}", ""]
    out += [r"\end{document}"]
    return "\n".join(out) + "\n"


_CSS = """
body { font-family: Georgia, 'DejaVu Serif', serif; max-width: 56em; margin: 2em auto;
       padding: 0 1em; line-height: 1.45; color: #1b1b1b; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em;
     border-bottom: 1px solid #ccc; }
table.eq { border-collapse: collapse; margin: 0.4em 0 0.8em 1em; }
table.eq td { padding: 0.05em 0.4em; vertical-align: top; }
td.lhs { text-align: right; white-space: nowrap; }
td.val { font-weight: bold; }
p.note { margin: -0.5em 0 0.8em 2em; color: #555; font-style: italic; }
sub, sup { font-size: 75%; }
"""


def to_html(ws: WorkedSolution) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(ws.title)}</title>", f"<style>{_CSS}</style>", "</head>",
           "<body>", f"<h1>{html.escape(ws.title)}</h1>"]
    out += [f"<p>{rich(s)}</p>" for s in ws.setup]
    for section in ws.sections:
        out += [f"<h2>{rich(section.title)}</h2>", f"<p>{rich(section.intro)}</p>"]
        for item in section.items:
            if isinstance(item, str):
                out.append(f"<p>{rich(item)}</p>")
                continue
            rows = [rich(r) for r in _lines(item)]
            cells = [f'<tr><td class="lhs">{rich(item.lhs)}</td><td>=</td><td>{rows[0]}</td></tr>'
                     if rows else ""]
            cells += [f'<tr><td></td><td>=</td><td>{r}</td></tr>' for r in rows[1:]]
            value = f'<td class="val">{_html_number(item.value)}</td>'
            cells.append(f'<tr><td></td><td>=</td>{value}</tr>' if rows else
                         f'<tr><td class="lhs">{rich(item.lhs)}</td><td>=</td>{value}</tr>')
            out.append('<table class="eq">' + "".join(cells) + "</table>")
            if item.note:
                out.append(f'<p class="note">{rich(item.note)}</p>')
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def render(ws: WorkedSolution, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown handout format {fmt!r} (choose from {', '.join(FORMATS)})")
    return {"md": to_markdown, "html": to_html, "tex": to_latex}[fmt](ws)
