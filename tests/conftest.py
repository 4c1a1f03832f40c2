"""Shared test helpers: the numpy/torch backend fixture and result conversion.

Test modules import the plain helpers with ``from conftest import npy, HYP`` (pytest puts
``tests/`` on ``sys.path``); the ``xp`` fixture is found by pytest itself.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from hypothesis import settings
from hypothesis import strategies as st

# CI runs hypothesis derandomized (a fixed sequence of examples per test) so that a
# green main stays green; local runs draw new examples each time and keep searching.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

#: hypothesis profile of the property tests: enough examples, no per-example deadline
#: (the first torch call of a run is slow).
HYP = settings(max_examples=30, deadline=None)


#: The library's test modules (the others have their own conventions).
LIBRARY_TESTS = {
    f"test_{m}"
    for m in (
        "backend diffusion duality estimators f_divergences flows gaussian generative "
        "hostile hostile_score information models policy score "
        "sinkhorn toy transport validation vi"
    ).split()
}


@pytest.fixture(autouse=True)
def _torch_default_float32(request):
    """The library's tests run with torch's default dtype float32, whatever code run
    earlier in the process set (an assignment's solutions set float64); the previous
    default is put back afterwards, so other modules see what they would have seen."""
    if request.module.__name__ not in LIBRARY_TESTS:
        yield
        return
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    yield
    torch.set_default_dtype(before)


@pytest.fixture(params=["numpy", "torch"])
def xp(request):
    """Convert a numpy array to the backend under test (torch in float64)."""
    if request.param == "numpy":
        return lambda a: np.asarray(a, dtype=np.float64)
    return lambda a: torch.tensor(np.asarray(a, dtype=np.float64))


def simplex(rng, n, zeros=0):
    """A random probability vector of length ``n`` with ``zeros`` entries set to 0."""
    w = rng.random(n) + 0.05
    if zeros:
        w[rng.choice(n, zeros, replace=False)] = 0.0
    return w / w.sum()


def sqdist(x, y):
    """Squared Euclidean cost matrix between the rows of ``x`` and ``y``."""
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)


#: hypothesis seeds for numpy generators
seeds = st.integers(0, 2**32 - 1)


def npy(v):
    """Any result, numpy or torch, as a float64 ndarray."""
    if isinstance(v, torch.Tensor):
        return v.detach().cpu().numpy()
    return np.asarray(v, dtype=np.float64)


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module of tiny tensors (faster, and immune to a busy
    second core); use with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
