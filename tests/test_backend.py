"""divlib._backend: the public get_backend, the dtype policy, sqrt0 and the one-pass KL kernel."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sps
import torch

import divlib
from divlib._backend import float_dtype, get_backend, to_tensors


def test_get_backend_is_public_and_dispatches():
    assert "get_backend" in divlib.__all__
    assert divlib.get_backend(np.zeros(2)).name == "numpy"
    assert divlib.get_backend([1.0], torch.zeros(1)).name == "torch"
    assert divlib.get_backend().name == "numpy"


F32, F64 = torch.float32, torch.float64


@pytest.mark.parametrize(
    "inputs,want",
    [
        ((torch.zeros(2, dtype=F32), [0.5, 0.5]), F32),  # a list does not force float64
        ((torch.zeros(2, dtype=F32), 0.5), F32),  # nor a Python number
        ((torch.zeros(2, dtype=F32), np.zeros(2)), F64),  # a float64 ndarray does
        ((torch.zeros(2, dtype=F32), np.zeros(2, dtype=np.float32)), F32),
        ((torch.zeros(2, dtype=F32), torch.zeros(2, dtype=F64)), F64),
        ((torch.tensor([0, 1]), [0.5, 1.5]), None),  # integers + a list: the default float
        ((torch.tensor([0, 1]), np.array([1, 2])), None),
        ((torch.tensor([0, 1]), np.array([0.5, 1.5])), F64),
        ((torch.tensor([0, 1]), np.array([0.5, 1.5], dtype=np.float32)), F32),
    ],
)
def test_torch_promotion_policy(inputs, want):
    nx = get_backend(*inputs)
    want = torch.get_default_dtype() if want is None else want
    assert nx.result_dtype(*inputs) == want
    out = nx.asarrays(*inputs)
    assert all(o.dtype == want for o in out)
    # the torch-only functions (score, duality, models, OT) follow the same rule
    assert float_dtype(*inputs) == want
    assert all(o.dtype == want for o in to_tensors(*inputs))
    np.testing.assert_array_equal(
        out[1].numpy(), np.asarray(inputs[1], dtype=np.float64).astype(out[1].numpy().dtype)
    )


def test_float_list_next_to_integer_tensor_is_not_truncated():
    # class 2: asarray(list, like=int tensor) used to give an integer tensor (0.5 -> 0)
    nx = get_backend(torch.tensor([0, 1]))
    assert nx.asarray([0.5, 1.5], like=torch.tensor([0, 1])).tolist() == [0.5, 1.5]
    (a, b) = nx.asarrays([0.5, 1.5], torch.tensor([0, 1]))
    assert a.tolist() == [0.5, 1.5] and b.tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    "inputs,want",
    [
        ((np.zeros(2, dtype=np.float32), [0.5]), np.float32),
        (([1, 2], [0.5]), np.float64),
        ((np.zeros(2, dtype=np.float32), np.zeros(2)), np.float64),
        ((np.array([1, 2]),), np.float64),
    ],
)
def test_numpy_promotion_policy(inputs, want):
    nx = get_backend(*inputs)
    assert nx.result_dtype(*inputs) == want
    assert all(o.dtype == want for o in nx.asarrays(*inputs))


def test_sqrt0_gradient_is_zero_at_zero():
    nx = get_backend(torch.zeros(1))
    x = torch.tensor([0.0, 4.0], dtype=F64, requires_grad=True)
    y = nx.sqrt0(x)
    y.sum().backward()
    assert y.tolist() == [0.0, 2.0]
    assert x.grad.tolist() == [0.0, 0.25]
    np.testing.assert_array_equal(get_backend(np.zeros(1)).sqrt0(np.array([0.0, 4.0])), [0.0, 2.0])


def test_rel_entr_sum_1d_agrees_with_scipy_and_flags_bad_input():
    rng = np.random.default_rng(0)
    n = 100_003  # several blocks and a ragged last one
    x = rng.random(n)
    x[rng.random(n) < 0.1] = 0.0
    x /= x.sum()
    y = rng.random(n) + 1e-3
    y /= y.sum()
    nx = get_backend(x)
    kl, sx, mx, sy, my = nx.rel_entr_sum_1d(x, y)
    np.testing.assert_allclose(kl, sps.rel_entr(x, y).sum(), rtol=1e-12)
    np.testing.assert_allclose([sx, sy], [x.sum(), y.sum()], rtol=1e-13)
    assert (mx, my) == (x.min(), y.min())
    y0 = y.copy()
    y0[x == 0] = 0.0  # 0 / 0 = NaN: the caller must take the general path
    assert np.isnan(nx.rel_entr_sum_1d(x, y0)[0])
    assert nx.rel_entr_sum_1d(x[None], y[None]) is None  # not 1-D
    tx = torch.from_numpy(x)
    assert get_backend(tx).rel_entr_sum_1d(tx, torch.from_numpy(y))[0] == kl
    assert get_backend(tx).rel_entr_sum_1d(tx.requires_grad_(), torch.from_numpy(y)) is None


@pytest.mark.parametrize(
    "inputs,want",
    [
        (([0.5, 1.5],), None),
        ((np.array([1, 2]),), None),
        ((3,), None),
        ((np.zeros(2),), F64),
        ((np.zeros(2, dtype=np.float32), [0.5]), F32),
        (([0.5], np.zeros(2)), F64),
    ],
)
def test_to_tensors_without_a_tensor_follows_result_dtype(inputs, want):
    """No tensor among the inputs (a torch-only function given numpy): lists, numbers and
    integer arrays give torch's default float, a float64 ndarray float64 (one rule)."""
    want = torch.get_default_dtype() if want is None else want
    assert float_dtype(*inputs) == want
    out = to_tensors(*inputs)
    assert all(o.dtype == want for o in out)
    np.testing.assert_allclose(out[0].double().numpy(), np.asarray(inputs[0], dtype=np.float64))


@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_weighted_lse_inplace_agrees_with_scipy(lib):
    """log sum_k w_k exp(K + h) along each axis, against scipy's logsumexp(b=w), with a
    zero weight and a -inf entry; the numpy buffer is reused across calls."""
    rng = np.random.default_rng(0)
    K = rng.normal(size=(3, 4)) * 30
    K[0, 1] = -np.inf
    h1, w1 = rng.normal(size=4), np.array([0.2, 0.0, 0.5, 0.3])
    h0, w0 = rng.normal(size=3), np.array([0.0, 0.4, 0.6])
    ref1 = sps.logsumexp(K + h1[None, :], b=w1[None, :], axis=1)
    ref0 = sps.logsumexp(K + h0[:, None], b=w0[:, None], axis=0)
    conv = (lambda a: torch.tensor(a)) if lib == "torch" else (lambda a: a)
    nx = get_backend(conv(K))
    lse = nx.weighted_lse_inplace(conv(K))
    for _ in range(2):  # the second call reuses the buffer
        np.testing.assert_allclose(
            np.asarray(lse(conv(K), conv(h1), conv(w1), 1)), ref1, rtol=1e-12
        )
        np.testing.assert_allclose(
            np.asarray(lse(conv(K), conv(h0), conv(w0), 0)), ref0, rtol=1e-12
        )
    if lib == "torch":  # differentiable in the weights, finite at a zero weight
        w = torch.tensor(w1, requires_grad=True)
        lse(torch.tensor(K), torch.tensor(h1), w, 1).sum().backward()
        assert torch.isfinite(w.grad).all()


# -- issue 17: the shape of the library ---------------------------------------------


def _divlib_imports():
    """Private module -> the divlib modules it imports (anywhere in the file)."""
    import ast
    from pathlib import Path

    import divlib

    root = Path(divlib.__file__).resolve().parent  # the divlib under test
    graph = {}
    for f in sorted(root.glob("_*.py")):
        deps = set()
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                deps.add(node.module)
        graph[f.stem] = deps
    return graph, root


def test_import_graph_has_no_cycle():
    graph, _ = _divlib_imports()
    assert graph["_backend"] == set()  # dispatch only
    done, visiting = set(), []

    def visit(m):
        assert m not in visiting, f"import cycle: {' -> '.join([*visiting, m])}"
        if m in done:
            return
        visiting.append(m)
        for d in graph.get(m, ()):
            visit(d)
        visiting.pop()
        done.add(m)

    for m in graph:
        visit(m)


def test_only_the_backend_detects_torch_by_duck_typing():
    _, root = _divlib_imports()
    offenders = [
        f.name
        for f in root.glob("*.py")
        if f.name != "_backend.py" and "hasattr(" in f.read_text() and '"detach"' in f.read_text()
    ]
    assert offenders == []


def test_every_private_helper_of_validation_has_a_caller():
    # issue 17: check_positive_scalar had none; a dead check is a rule nobody follows
    import ast

    graph, root = _divlib_imports()
    tree = ast.parse((root / "_validation.py").read_text())
    helpers = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    text = "".join(f.read_text() for f in root.glob("*.py") if f.name != "_validation.py") + (
        root / "_validation.py"
    ).read_text().replace("def ", "")
    unused = [h for h in helpers if text.count(h + "(") + text.count(h + ",") < 2]
    assert unused == []
