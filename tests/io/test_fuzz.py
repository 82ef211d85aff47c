"""Whatever the bytes, loading gives a Project or one FileFormatError, never another
exception; and whatever loads can be saved again unchanged."""
import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iohelpers import EXAMPLES, FIXTURES, MINIMAL
from nnsim.core.project import Project
from nnsim.io import FileFormatError, dumps, loads

SEEDS = [MINIMAL] + [(FIXTURES / n).read_text(encoding="utf-8")
                     for n in ("v1_full.nnsim", "v1_builtin.nnsim")]
FAST = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

json_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10)
                | st.sampled_from([0, -1, 1, 2, 3, 10**400, 2**64, 1e308, 0.5, "NaN", "Infinity",
                                   "sgd", "adam", "momentum", "tanh", "softmax", "xor", [], {},
                                   [[0.0]], [True], 100_001, 1e-320]))
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=4)
                           | st.dictionaries(st.text(max_size=8), c, max_size=4), max_leaves=8)


def check(text_or_bytes):
    try:
        p = loads(text_or_bytes, "fuzz.nnsim")
    except FileFormatError as e:
        msg = str(e)
        assert msg.startswith("fuzz.nnsim: ") and "\n" not in msg
        return None
    assert isinstance(p, Project)
    text = dumps(p)  # whatever loads must save ...
    assert dumps(loads(text)) == text  # ... and round-trip
    return p


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


@FAST
@given(st.sampled_from(SEEDS), st.data())
def test_garbled_text(seed, data):
    text = seed
    for _ in range(data.draw(st.integers(1, 3))):
        op = data.draw(st.sampled_from(["delete", "insert", "truncate", "swap"]))
        i = data.draw(st.integers(0, len(text)))
        if op == "delete":
            text = text[:i] + text[i + data.draw(st.integers(1, 20)):]
        elif op == "insert":
            text = text[:i] + data.draw(st.sampled_from(
                ["{", "}", "[", "]", ",", ":", '"', "-", "0", "1e999", "NaN", "null", "\\", " ",
                 "\n", "\x00", "\ud800", "é", "true"])) + text[i:]
        elif op == "truncate":
            text = text[:i]
        else:
            j = data.draw(st.integers(0, len(text)))
            i, j = min(i, j), max(i, j)
            text = text[:i] + text[j:j + (j - i)] + text[i:j]
    check(text)


def _fresh(data):
    """A random JSON value of its own: sampled_from hands out the same [] and
    {} objects again, and editing one in place made cycles (and changed the
    strategy itself)."""
    return copy.deepcopy(data.draw(json_values))


@FAST
@given(st.sampled_from(SEEDS), st.data())
def test_values_replaced_with_random_json(seed, data):
    obj = json.loads(seed)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_paths(obj))
        path = data.draw(st.sampled_from(paths))
        op = data.draw(st.sampled_from(["replace", "replace", "delete", "add_key"]))
        if not path:
            if op == "replace":
                obj = _fresh(data)
            continue
        parent = obj
        for step in path[:-1]:
            parent = parent[step]
        if op == "replace":
            parent[path[-1]] = _fresh(data)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=8))] = _fresh(data)
    check(json.dumps(obj))


@FAST
@given(st.binary(max_size=200))
def test_random_bytes(data):
    check(data)


@FAST
@given(st.sampled_from(SEEDS), st.data())
def test_random_bytes_in_a_valid_file(seed, data):
    raw = bytearray(seed.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    check(bytes(raw))
