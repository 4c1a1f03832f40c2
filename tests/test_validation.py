"""divlib._validation: the shared checks, on their own (the functions' tables are in test_hostile)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from divlib._backend import get_backend
from divlib._validation import (
    align_to_axis,
    as_arrays,
    as_finite_arrays,
    check_distribution,
    check_gaussian,
    check_histograms,
    check_order,
    check_param_dtype,
    check_point_cloud,
    check_positive_mass,
    check_real_dtype,
    check_reg,
    check_sample_values,
    check_tol,
    check_weights,
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
    with pytest.raises(
        ValueError, match=r"p sums to 0\.9999985 along axis -1, not 1 \(tolerance 1e-06\)"
    ):
        check_distribution(np.array([0.5, 0.4999985]), "p", NP)
    with pytest.raises(ValueError, match=r"w has 2 negative entries \(smallest -0\.2\)"):
        check_distribution(np.array([-0.1, 1.3, -0.2]), "w", NP)


@pytest.mark.parametrize(
    "value,dtype",
    [
        (np.array([1 + 1j]), "complex128"),
        (np.array([True]), "bool"),
        (np.array(["a"]), "<U1"),
        (np.array([None]), "object"),
        (torch.tensor([1j]), "complex64"),
        (torch.tensor([True]), "bool"),
        (torch.tensor([1.0], dtype=torch.bfloat16), "bfloat16"),
    ],
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


# -- the checks moved here from the OT, Sinkhorn, GAN, policy and model modules ------------


def test_check_positive_mass_is_the_general_rule_of_weights():
    w = np.array([2.0, 3.0])  # any positive mass
    assert check_positive_mass(w, "a", NP) is w
    with pytest.raises(
        ValueError, match=r"a must be a 1-D histogram of weights, got shape \(1, 2\)"
    ):
        check_positive_mass(w[None], "a", NP)
    with pytest.raises(ValueError, match=r"a has shape \(2,\) but there are 3 points"):
        check_positive_mass(w, "a", NP, n=3)
    with pytest.raises(ValueError, match="a is empty"):
        check_positive_mass(w[:0], "a", NP)
    with pytest.raises(ValueError, match="a has 1 NaN entry"):
        check_positive_mass(np.array([np.nan, 1.0]), "a", NP)
    with pytest.raises(
        ValueError, match=r"a has 1 negative entry \(smallest -1\); weights must be >= 0"
    ):
        check_positive_mass(np.array([-1.0, 2.0]), "a", NP)
    with pytest.raises(ValueError, match="a sums to 0; give at least one positive weight"):
        check_positive_mass(np.zeros(2), "a", NP)


def test_check_weights_adds_the_unit_rule_with_the_dtype_tolerance():
    w = np.array([2.0, 3.0])
    assert check_weights(w, "u_weights", 2, NP, unit=False) is w
    with pytest.raises(
        ValueError,
        match=r"u_weights sums to 5\.0, not 1 \(tolerance 1e-06\); "
        "it must be a probability vector: divide u_weights by its sum",
    ):
        check_weights(w, "u_weights", 2, NP)
    # the digits that show why a near-1 sum is not 1
    with pytest.raises(ValueError, match=r"sums to 1\.00001, not 1"):
        check_weights(np.array([0.5, 0.50001]), "b", 2, NP)
    # float32: the tolerance of check_distribution (100 ulps), not float64's
    w32 = np.array([0.5, 0.5 + 4e-6], dtype=np.float32)
    assert check_weights(w32, "b", 2, NP) is w32
    with pytest.raises(ValueError, match="not 1"):
        check_weights(w32.astype(np.float64), "b", 2, NP)


def test_check_histograms_shapes_and_relative_mass():
    a, M = np.array([0.5, 0.5]), np.zeros((2, 3))
    b = np.full(3, 1 / 3)
    assert check_histograms(a, b, M, NP)[2] is M
    with pytest.raises(ValueError, match=r"M has shape \(2, 2\) but a has n = 2 and b has m = 3"):
        check_histograms(a, b, np.zeros((2, 2)), NP)
    with pytest.raises(ValueError, match="M has 1 infinite entry"):
        check_histograms(a, b, np.array([[0, 1, np.inf], [0, 1, 2.0]]), NP)
    with pytest.raises(ValueError, match="a sums to 1e-07 but b sums to 2e-07"):
        check_histograms(np.full(2, 5e-8), np.full(3, 2e-7 / 3), M, NP)


def test_as_arrays_allow_none_keeps_optional_arguments_out_of_the_dtype():
    _, x, w = as_arrays(("x", "w"), torch.zeros(2, dtype=torch.float32), None, allow_none=True)
    assert w is None and x.dtype == torch.float32
    with pytest.raises(TypeError, match="w has dtype object"):
        as_arrays(("x", "w"), np.zeros(2), None)


def test_as_finite_arrays_converts_with_the_one_policy_then_checks():
    _, x = as_finite_arrays(("logits",), [1, 2])
    assert x.dtype == np.float64 and x.tolist() == [1.0, 2.0]
    # a float64 ndarray next to a float32 tensor: float64 (was cast to the tensor's float32)
    _, a, b = as_finite_arrays(("a", "b"), torch.zeros(1, dtype=torch.float32), np.array([0.1]))
    assert a.dtype == b.dtype == torch.float64 and float(b) == 0.1
    _, a, b = as_finite_arrays(("a", "b"), torch.tensor([1]), [0.5])
    assert a.dtype == b.dtype == torch.get_default_dtype() and float(b) == 0.5
    for bad, err, msg in [
        ([1 + 1j], TypeError, "logits has dtype complex128"),
        ([], ValueError, "logits is empty"),
        ([np.inf], ValueError, "logits has 1 infinite entry"),
    ]:
        with pytest.raises(err, match=msg):
            as_finite_arrays(("logits",), bad)


def test_point_cloud_scalar_and_sample_values():
    assert check_point_cloud(
        np.float64(2.0) * np.ones(()), "x", NP, allow_1d=True, allow_scalar=True
    ).shape == (1, 1)
    with pytest.raises(ValueError, match=r"x must have shape \(n, d\)"):
        check_point_cloud(np.ones(()), "x", NP, allow_1d=True)
    assert check_sample_values(np.ones(()), "u_values", NP).shape == (1,)
    with pytest.raises(ValueError, match="u_values must be a 1-D array of sample values"):
        check_sample_values(np.ones((2, 2)), "u_values", NP)


def test_scalar_checks_of_ot_and_models():
    assert check_order(1) == 1.0 and check_reg(0.1) == 0.1
    for f, bad in [
        (check_order, 0.5),
        (check_order, np.inf),
        (check_reg, 0.0),
        (check_reg, np.inf),
    ]:
        with pytest.raises(ValueError, match="must be a number"):
            f(bad)
    assert check_tol(None, np.float64, 1e-9) == 1e-9
    assert check_tol(None, np.float32, 1e-9) == pytest.approx(1e3 * np.finfo(np.float32).eps)
    with pytest.raises(ValueError, match="tol must be a number > 0"):
        check_tol(0.0, np.float64, 1e-9)
    with pytest.raises(ValueError, match="tol must be a number, got NaN"):
        check_tol(np.nan, np.float64, 1e-9)
    assert check_param_dtype(None) is None and check_param_dtype(torch.float64) is torch.float64
    for bad in (torch.int64, torch.bfloat16, np.float32, "float32"):
        with pytest.raises(TypeError, match="dtype must be None or a floating torch dtype"):
            check_param_dtype(bad)


# -- issue 17: the rules added for the silent wrong answers, each tested once here ------


def test_check_scalar_finite_refuses_infinity():
    from divlib._validation import check_scalar

    assert check_scalar(2.0, "beta", low=0.0, finite=True) == 2.0
    with pytest.raises(ValueError, match="beta must be a finite number, got inf"):
        check_scalar(np.inf, "beta", low=0.0, finite=True)
    assert check_scalar(np.inf, "kl", low=0.0) == np.inf  # not asked: inf stays legal


def test_check_equal_shapes_never_broadcasts():
    from divlib._validation import check_equal_shapes

    check_equal_shapes((np.zeros(3), np.ones(3)), ("a", "b"))
    with pytest.raises(ValueError, match=r"a has shape \(2, 1\) and b has shape \(2,\)"):
        check_equal_shapes((np.zeros((2, 1)), np.zeros(2)), ("a", "b"))


@pytest.mark.parametrize("seed", [0, 2**53 + 1, 2**64 - 1, np.uint64(2**64 - 1), 7.0])
def test_check_seed_keeps_integers_exact(seed):
    from divlib._validation import check_seed

    got = check_seed(seed)
    assert got == int(seed) and isinstance(got, int)


@pytest.mark.parametrize(
    "seed,err", [(-1, ValueError), (2**64, ValueError), (1.5, ValueError), (True, TypeError)]
)
def test_check_seed_refuses(seed, err):
    from divlib._validation import check_seed

    with pytest.raises(err, match="seed"):
        check_seed(seed)


def test_check_seed_takes_none_and_generators():
    from divlib._runtime import int_seed
    from divlib._validation import check_seed

    rng = np.random.default_rng(0)
    assert check_seed(None) is None and check_seed(rng) is rng
    assert int_seed(np.random.default_rng(3)) == int_seed(np.random.default_rng(3))


def test_constant_values_refuses_a_differentiated_tensor():
    from divlib._validation import constant_values

    assert constant_values(torch.tensor([0.5, 1.0]), "sigma").tolist() == [0.5, 1.0]
    with pytest.raises(TypeError, match="sigma is a tensor being differentiated"):
        constant_values(torch.tensor(0.5, requires_grad=True), "sigma")


def test_check_output_refuses_the_other_backend():
    from divlib._validation import check_output

    check_output(np.zeros(2), "f", [(2,)], NP)
    with pytest.raises(TypeError, match="f returned a torch.Tensor for a numpy array"):
        check_output(torch.zeros(2), "f", [(2,)], NP)
    with pytest.raises(TypeError, match="f returned a ndarray for a torch.Tensor"):
        check_output(np.zeros(2), "f", [(2,)], get_backend(torch.zeros(1)))


@pytest.mark.parametrize("flag", ["no", 1, None])
def test_chain_flags_are_bool(flag):
    from divlib._runtime import check_chain_flags

    assert check_chain_flags(True, False) == (True, False)
    with pytest.raises(TypeError, match="progress"):
        check_chain_flags(flag, False)
    with pytest.raises(TypeError, match="return_path"):
        check_chain_flags(False, flag)


def test_run_chain_reports_the_first_non_finite_state():
    from divlib._runtime import run_chain

    seen = []

    def diverged(k):
        seen.append(k)
        raise ValueError(f"diverged at step {k}")

    with pytest.raises(ValueError, match="diverged at step 3"):
        run_chain(
            NP,
            np.ones(2),
            range(10),
            lambda x, _i, _k: x * 1e100,
            progress=False,
            desc="test",
            return_path=False,
            diverged=diverged,
        )
    path = run_chain(
        NP,
        np.ones(2),
        range(3),
        lambda x, _i, _k: x + 1.0,
        progress=False,
        desc="test",
        return_path=True,
        diverged=diverged,
    )
    assert path.shape == (4, 2) and path[-1].tolist() == [4.0, 4.0]


def test_pow2_scale_is_a_power_of_two_near_the_largest_entry():
    from divlib._numerics import pow2_scale

    for v in (1e-300, 3.0, 1e300):
        s = pow2_scale(NP, np.array([v, -v / 2]))
        assert np.frexp(s)[0] == 0.5 and 0.5 <= v / s < 2.0
    assert pow2_scale(NP, np.zeros(3)) == 1.0


# -- every rule once, directly (the hostile table in test_hostile.py only shows that each
#    public argument is routed through one, by an error that names it) -------------------


@pytest.mark.parametrize(
    "value,kwargs,err,msg",
    [
        (None, {}, TypeError, r"n must be a number, got None"),
        ("3", {}, TypeError, r"n must be a number, got '3' \(str\)"),
        (True, {}, TypeError, r"n must be a real number, got True \(bool\)"),
        (np.bool_(False), {}, TypeError, r"n must be a real number"),
        (2j, {}, TypeError, r"n must be a real number, got 2j \(complex\)"),
        (np.ones(2), {}, TypeError, r"n must be a single number, got an array of shape \(2,\)"),
        (np.nan, {}, ValueError, r"n must be a number, got NaN"),
        (2.5, {"integer": True}, ValueError, r"n must be a whole number, got 2\.5"),
        (np.inf, {"integer": True}, ValueError, r"n must be a whole number, got inf"),
        (0, {"low": 1, "integer": True}, ValueError, r"n must be an integer >= 1, got 0"),
        (0.0, {"low": 0, "low_inclusive": False}, ValueError, r"n must be a number > 0, got 0\.0"),
        (3.0, {"high": 2}, ValueError, r"n must be a number <= 2, got 3\.0"),
        (2.0, {"high": 2, "high_inclusive": False}, ValueError, r"n must be a number < 2"),
    ],
)
def test_check_scalar_refuses(value, kwargs, err, msg):
    from divlib._validation import check_scalar

    with pytest.raises(err, match=msg):
        check_scalar(value, "n", **kwargs)


def test_check_scalar_accepts_and_converts():
    from divlib._validation import check_scalar

    assert check_scalar(None, "n", allow_none=True) is None
    assert check_scalar(3.0, "n", integer=True) == 3 and isinstance(check_scalar(3.0, "n"), float)
    assert check_scalar(np.array([[2.5]]), "n") == 2.5  # one entry, any shape
    assert check_scalar(torch.tensor(4), "n", integer=True, low=1) == 4
    assert check_scalar(np.float32(0.5), "n", low=0, high=1) == 0.5
    assert check_scalar(1.0, "n", low=1.0, high=1.0) == 1.0  # bounds inclusive by default


def test_check_base_nats_or_a_positive_number_other_than_1():
    from divlib._validation import check_base

    assert check_base(None) is None and check_base(2) == 2.0
    with pytest.raises(ValueError, match="base must be a positive number other than 1, got 1"):
        check_base(1.0)
    for bad in (0.0, np.inf):
        with pytest.raises(ValueError, match="base must be a number"):
            check_base(bad)


def test_check_axis_returns_a_negative_index_or_names_the_range():
    from divlib._validation import check_axis

    assert check_axis(0, 3) == -3 and check_axis(-1, 3) == -1 and check_axis(2.0, 3) == -1
    with pytest.raises(ValueError, match=r"axis = 3 is out of range .* 3 dimensions; .*\[-3, 2\]"):
        check_axis(3, 3)
    with pytest.raises(ValueError, match=r"1 dimension;"):
        check_axis(-2, 1)
    with pytest.raises(TypeError, match="axis must be a number, got None"):
        check_axis(None, 1)


def test_check_flag_takes_python_and_numpy_bools_only():
    from divlib._validation import check_flag

    assert check_flag(np.bool_(True), "log") is True and check_flag(False, "log") is False
    for bad in (1, "yes", None, np.array([True])):
        with pytest.raises(TypeError, match="log must be True or False"):
            check_flag(bad, "log")


def test_check_choice_lists_the_choices():
    from divlib._validation import check_choice

    assert check_choice("k3", "estimator", ("k1", "k3")) == "k3"
    for bad in ("k4", 3, None):
        with pytest.raises(ValueError, match=r"estimator must be one of \('k1', 'k3'\)"):
            check_choice(bad, "estimator", ("k1", "k3"))


def test_check_not_empty_finite_and_nonnegative_count_the_bad_entries():
    from divlib._validation import (
        check_finite,
        check_nonempty_finite,
        check_nonnegative,
        check_not_empty,
    )

    check_not_empty(np.zeros(()), "x")  # a scalar is not empty
    with pytest.raises(ValueError, match=r"x is empty \(shape \(2, 0\)\)"):
        check_not_empty(np.zeros((2, 0)), "x")
    with pytest.raises(ValueError, match="x has 2 NaN entries"):
        check_finite(np.array([np.nan, 1.0, np.nan]), "x", NP)
    with pytest.raises(ValueError, match="x has 1 infinite entry; all entries must be finite"):
        check_finite(np.array([-np.inf, 1.0]), "x", NP)
    with pytest.raises(ValueError, match="x is empty"):
        check_nonempty_finite(np.zeros(0), "x", NP)
    with pytest.raises(ValueError, match=r"w has 1 negative entry \(smallest -1\); weights"):
        check_nonnegative(np.array([-1.0, 2.0]), "w", NP, what="weights")


def test_as_distribution_routes_through_the_distribution_rules():
    from divlib._validation import as_distribution, as_distribution_pair

    with pytest.raises(ValueError, match=r"p has 1 negative entry \(smallest -0\.1\)"):
        as_distribution(np.array([-0.1, 0.6, 0.5]), axis=-1, normalize=False)
    with pytest.raises(ValueError, match="p is a scalar; a distribution needs an axis"):
        as_distribution(np.float64(1.0), axis=-1, normalize=False)
    with pytest.raises(TypeError, match="normalize must be True or False"):
        as_distribution(np.array([0.5, 0.5]), axis=-1, normalize=1)
    _, p = as_distribution(np.array([1.0, 3.0]), axis=0, normalize=True)[:2]
    np.testing.assert_allclose(p, [0.25, 0.75])
    with pytest.raises(ValueError, match="q has 1 NaN entry"):
        as_distribution_pair(
            np.array([0.5, 0.5]), np.array([np.nan, 1.0]), axis=-1, normalize=False
        )


def test_distribution_stats_ok_and_check_same_shape():
    from divlib._validation import check_same_shape, distribution_stats_ok

    assert distribution_stats_ok(1.0 + 5e-7, 0.0, np.float64)
    assert not distribution_stats_ok(1.0 + 5e-6, 0.0, np.float64)
    assert distribution_stats_ok(1.0 + 5e-6, 0.0, np.float32)
    assert not distribution_stats_ok(1.0, -1e-300, np.float64)
    check_same_shape(np.zeros((2, 1)), np.zeros(3))  # broadcasts
    with pytest.raises(
        ValueError, match=r"p has shape \(2,\) and q has shape \(3,\), which do not"
    ):
        check_same_shape(np.zeros(2), np.zeros(3))


def test_check_covariance_finite_symmetric_positive_definite():
    from divlib._validation import check_covariance

    check_covariance(1e-200 * np.eye(2), "C")  # the symmetry test is relative
    with pytest.raises(ValueError, match="C has 1 infinite entry"):
        check_covariance(np.array([[np.inf, 0.0], [0.0, 1.0]]), "C")
    with pytest.raises(ValueError, match=r"C is not symmetric \(max \|C - C\^T\| = 0\.5\)"):
        check_covariance(np.array([[1.0, 0.5], [0.0, 1.0]]), "C")
    with pytest.raises(ValueError, match=r"C is not positive definite \(smallest eigenvalue -1\)"):
        check_covariance(-np.eye(2), "C")


def test_check_mean_and_matrix_shapes():
    from divlib._validation import check_mean_and_matrix

    check_mean_and_matrix(np.zeros(2), np.eye(2), ("m", "C"), "a covariance")
    with pytest.raises(ValueError, match=r"m must be a vector of shape \(d,\), got shape \(2, 2\)"):
        check_mean_and_matrix(np.zeros((2, 2)), np.eye(2), ("m", "C"), "a covariance")
    with pytest.raises(
        ValueError, match=r"C has shape \(3, 3\) but m has d = 2; .*\(2, 2\) matrix"
    ):
        check_mean_and_matrix(np.zeros(2), np.eye(3), ("m", "C"), "a covariance")


def test_as_gaussian_factor_lower_triangular_positive_diagonal():
    from divlib._validation import as_gaussian_factor

    nx, m, L = as_gaussian_factor(np.zeros(2), np.array([[1.0, 0.0], [0.5, 2.0]]))
    assert L.shape == (2, 2)
    with pytest.raises(ValueError, match="scale_tril has 1 nonzero entries above the diagonal"):
        as_gaussian_factor(np.zeros(2), np.array([[1.0, 0.1], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"scale_tril has 1 diagonal entries <= 0 \(smallest 0\)"):
        as_gaussian_factor(np.zeros(2), np.diag([1.0, 0.0]))


def test_check_log_density_nan_plus_inf_minus_inf():
    from divlib._validation import check_log_density

    check_log_density(np.array([-np.inf, 0.0]), "log_q", NP, allow_minus_inf=True)
    with pytest.raises(ValueError, match="log_p has 1 NaN entry"):
        check_log_density(np.array([np.nan, 0.0]), "log_p", NP, allow_minus_inf=True)
    with pytest.raises(ValueError, match=r"log_p has \+inf entries"):
        check_log_density(np.array([np.inf, 0.0]), "log_p", NP, allow_minus_inf=True)
    with pytest.raises(ValueError, match=r"log_p has -inf entries; the samples must come from p"):
        check_log_density(np.array([-np.inf, 0.0]), "log_p", NP, allow_minus_inf=False)


def test_check_neighbour_rank_needs_k_plus_one_and_k_samples():
    from divlib._validation import check_neighbour_rank

    assert check_neighbour_rank(2.0, 3, 2) == 2
    with pytest.raises(ValueError, match=r"x has n = 2 samples but k = 2 needs n >= k \+ 1 = 3"):
        check_neighbour_rank(2, 2, 5)
    with pytest.raises(ValueError, match="y has m = 1 samples but k = 2 needs m >= k"):
        check_neighbour_rank(2, 5, 1)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        check_neighbour_rank(0, 5, 5)


def test_check_same_dimension_and_points_in():
    from divlib._validation import check_points_in, check_same_dimension

    check_same_dimension(np.zeros((3, 2)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="x lives in d = 2 dimensions but y in d = 3"):
        check_same_dimension(np.zeros((3, 2)), np.zeros((5, 3)))
    check_points_in(np.zeros((4, 2)), 2)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\) for a map in d = 2"):
        check_points_in(np.zeros((4, 3)), 2)


def test_check_callable_and_output_form():
    from divlib._validation import check_callable, check_output_form

    check_callable(len, "f")
    with pytest.raises(TypeError, match="score_fn must be callable .* got int 3"):
        check_callable(3, "score_fn")
    check_output_form(np.zeros((2, 1)) * np.nan, "score_fn", [(2, 1)], NP)  # NaN not checked
    with pytest.raises(TypeError, match=r"score_fn returned list, not an array; .*\(2, 1\)"):
        check_output_form([[0.0], [0.0]], "score_fn", [(2, 1)], NP)
    with pytest.raises(TypeError, match=r"score_fn\(x\) has dtype complex128"):
        check_output_form(np.zeros((2, 1)) + 1j, "score_fn", [(2, 1)], NP)
    with pytest.raises(
        ValueError, match=r"critic returned shape \(2, 2\) .* shape \(2,\) or \(2, 1\)"
    ):
        check_output_form(np.zeros((2, 2)), "critic", [(2,), (2, 1)], NP)


def test_check_elementwise_output_same_kind_real_same_shape():
    from divlib._validation import check_elementwise_output

    t = np.ones(3)
    check_elementwise_output(np.full(3, np.inf), t, "f", NP)  # inf allowed: -log 0
    with pytest.raises(TypeError, match="f returned float for a numpy array input"):
        check_elementwise_output(1.0, t, "f", NP)
    with pytest.raises(TypeError, match="f returned Tensor for a numpy array input"):
        check_elementwise_output(torch.ones(3), t, "f", NP)
    with pytest.raises(ValueError, match=r"f returned shape \(1,\) for an input of shape \(3,\)"):
        check_elementwise_output(np.ones(1), t, "f", NP)


def test_check_positive_values_names_the_first_bad_entry():
    from divlib._validation import check_positive_values

    assert check_positive_values(0.5, "sigmas").tolist() == [0.5]
    assert check_positive_values(torch.tensor([1, 2]), "sigmas").tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"sigmas must be finite and > 0, got sigmas\[1\] = 0"):
        check_positive_values([1.0, 0.0, -1.0], "sigmas")
    with pytest.raises(ValueError, match=r"sigmas\[0\] = inf"):
        check_positive_values([np.inf], "sigmas")
    with pytest.raises(ValueError, match=r"non-empty 1-D sequence of numbers, got shape \(0,\)"):
        check_positive_values([], "sigmas")
    with pytest.raises(TypeError, match="sigmas has dtype bool"):
        check_positive_values([True], "sigmas")


def test_check_same_mass_is_relative_and_check_in_range_counts():
    from divlib._validation import check_in_range, check_same_mass

    assert check_same_mass(np.array([0.5, 0.5]), np.array([1.0]), NP) == 1.0
    check_in_range(np.array([0.0, 1.0]), "t", NP, low=0, high=1)
    with pytest.raises(ValueError, match=r"t has 2 out-of-range entries \(e\.g\. -2\); .* >= 0"):
        check_in_range(np.array([-1.0, -2.0, 0.5]), "t", NP, low=0, high=1)
    with pytest.raises(ValueError, match=r"t has 1 out-of-range entry \(e\.g\. 3\); .* <= 1"):
        check_in_range(np.array([3.0, 0.5]), "t", NP, low=0, high=1)


def test_check_count_length_instance():
    from divlib._validation import check_count, check_instance, check_length

    assert check_count(3.0) == 3 and check_length(0, "noise") == 0.0
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        check_count(0)
    with pytest.raises(ValueError, match="std must be a number > 0"):
        check_length(0.0, "std", positive=True)
    with pytest.raises(ValueError, match="radius must be a number < inf"):
        check_length(np.inf, "radius")
    with pytest.raises(TypeError, match=r"schedule must be a divlib\.int, got str; build one"):
        check_instance("vp", int, "schedule", "build one")


def test_point_cloud_conversions():
    from divlib._validation import as_point_cloud, as_tensor_cloud, as_tensor_cloud_pair

    nx, x = as_point_cloud([[1, 2], [3, 4]], "x")
    assert nx.name == "numpy" and x.dtype == np.float64
    with pytest.raises(ValueError, match=r"x must have shape \(n, d\)"):
        as_point_cloud(np.zeros(3), "x")
    assert as_tensor_cloud(np.zeros((2, 2), dtype=np.float32)).dtype == torch.float32
    x, y = as_tensor_cloud_pair(np.zeros(3), torch.zeros(2, 1, dtype=torch.float64))
    assert x.shape == (3, 1) and x.dtype == y.dtype == torch.float64
    with pytest.raises(ValueError, match="x lives in d = 1 dimensions but y in d = 2"):
        as_tensor_cloud_pair(np.zeros(3), np.zeros((2, 2)))


def test_as_model_input_promotes_integers_refuses_other_floats():
    from divlib._validation import as_model_input

    x = as_model_input(torch.tensor([[1, 2]]), torch.float64, 2, "ScoreMLP")
    assert x.dtype == torch.float64
    with pytest.raises(TypeError, match="ScoreMLP takes a torch.Tensor x, got ndarray"):
        as_model_input(np.zeros((1, 2)), torch.float64, 2, "ScoreMLP")
    with pytest.raises(TypeError, match="x has dtype torch.float32 but the parameters"):
        as_model_input(torch.zeros(1, 2), torch.float64, 2, "ScoreMLP")
    with pytest.raises(
        ValueError, match=r"ScoreMLP expects x of shape \(n, 2\), got shape \(1, 3\)"
    ):
        as_model_input(torch.zeros(1, 3, dtype=torch.float64), torch.float64, 2, "ScoreMLP")
