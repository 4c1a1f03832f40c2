"""divlib._validation: the shared checks, on their own (the functions' tables are in test_hostile)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from divlib._backend import get_backend
from divlib._validation import (
    align_to_axis,
    as_arrays,
    check_distribution,
    check_gaussian,
    check_real_dtype,
    sum_tolerance,
)

NP = get_backend()


def test_align_to_axis_lays_a_1d_argument_along_axis():
    P = np.zeros((2, 3, 4))
    for axis, shape in [(0, (2, 1, 1)), (1, (3, 1)), (-1, (4,)), (2, (4,)), (-3, (2, 1, 1))]:
        n = P.shape[axis]
        p, q, ax = align_to_axis(P, np.zeros(n), axis, NP)
        assert q.shape == shape and ax == axis - 3 if axis >= 0 else ax == axis
    with pytest.raises(ValueError, match=r"p has 2 outcomes and q has 3 along axis 0"):
        align_to_axis(P, np.zeros(3), 0, NP)
    with pytest.raises(ValueError, match=r"axis 0 of p has no counterpart in q"):
        align_to_axis(P, np.zeros((3, 4)), 0, NP)
    _, q, ax = align_to_axis(P, np.zeros((3, 4)), 1, NP)  # axis -2 exists in both
    assert ax == -2 and q.shape == (3, 4)


def test_sum_tolerance_follows_the_dtype():
    assert sum_tolerance(np.float64) == 1e-6
    assert 1e-5 < sum_tolerance(np.float32) < 2e-5
    assert sum_tolerance(np.float16) > 0.05


def test_check_distribution_normalize_by_the_max_first():
    out = check_distribution(np.array([1e308, 1e308, 0.0]), "p", NP, normalize=True)
    np.testing.assert_array_equal(out, [0.5, 0.5, 0.0])
    t = torch.tensor([1e308, 3e307], dtype=torch.float64, requires_grad=True)
    out = check_distribution(t, "p", get_backend(t), normalize=True)
    np.testing.assert_allclose(out.detach().numpy(), [1 / 1.3, 0.3 / 1.3], rtol=1e-15)


def test_check_distribution_messages():
    with pytest.raises(ValueError, match=r"p sums to 0\.9999985 along axis -1, not 1 \(tolerance 1e-06\)"):
        check_distribution(np.array([0.5, 0.4999985]), "p", NP)
    with pytest.raises(ValueError, match=r"w has 2 negative entries \(smallest -0\.2\)"):
        check_distribution(np.array([-0.1, 1.3, -0.2]), "w", NP)


@pytest.mark.parametrize(
    "value,dtype",
    [(np.array([1 + 1j]), "complex128"), (np.array([True]), "bool"), (np.array(["a"]), "<U1"),
     (np.array([None]), "object"), (torch.tensor([1j]), "complex64"), (torch.tensor([True]), "bool"),
     (torch.tensor([1.0], dtype=torch.bfloat16), "bfloat16")],
)
def test_check_real_dtype_names_the_argument_and_the_dtype(value, dtype):
    with pytest.raises(TypeError, match=rf"weights has dtype {dtype}"):
        check_real_dtype(value, "weights")


def test_as_arrays_uses_the_raw_inputs_for_the_dtype():
    nx, a, b = as_arrays(("a", "b"), torch.zeros(2, dtype=torch.float32), [0.1, 0.2])
    assert a.dtype == b.dtype == torch.float32
    _, a, b = as_arrays(("a", "b"), np.zeros(2, dtype=np.float32), [0.1, 0.2])
    assert a.dtype == b.dtype == np.float32


def test_check_gaussian_shapes_and_scalars():
    m, C = check_gaussian(np.asarray(1.0), np.asarray(4.0), NP)
    assert m.shape == (1,) and C.shape == (1, 1)
    with pytest.raises(ValueError, match="m is empty"):
        check_gaussian(np.zeros(0), np.zeros((0, 0)), NP)
    with pytest.raises(ValueError, match=r"C is not positive definite \(smallest eigenvalue -1\)"):
        check_gaussian(np.zeros(2), np.diag([1.0, -1.0]), NP)


def test_sum_tolerance_accepts_torch_dtypes():
    assert sum_tolerance(torch.float32) == sum_tolerance(np.float32)
    assert sum_tolerance(torch.float64) == sum_tolerance(np.float64) == 1e-6
