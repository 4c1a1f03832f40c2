"""Shared run-time helpers of divlib's iterative and random functions (not dispatch).

The one randomness rule. Every function that draws noise takes ``seed=None``:
None (fresh entropy for numpy draws, torch's global generator for torch draws),
an integer in [0, 2**64) (kept exact), or a ``numpy.random.Generator`` (used as
is by numpy draws; torch draws take one integer from it). Functions that draw
with torch also take ``generator=`` (a ``torch.Generator``, to share one stream
over calls), never together with ``seed``. Also here: the one chain runner of the
samplers, the optional progress bar, and the warning every iterative solver
gives when it stops before its tolerance.
"""

from __future__ import annotations

import numpy as np

from ._backend import import_torch
from ._validation import check_flag, check_seed


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at ``max_iter`` before reaching its tolerance."""


def torch_generator(generator=None, seed=None, device=None):
    """The ``torch.Generator`` a torch-only function draws from.

    ``generator`` as given, or a new one seeded with ``seed`` (:func:`int_seed`),
    or None (torch's global generator). Both at once is an error.
    """
    torch = import_torch()
    if generator is not None:
        if seed is not None:
            raise ValueError(
                f"pass either generator or seed, not both (got seed={seed!r}); "
                "a generator already fixes the random stream."
            )
        if not isinstance(generator, torch.Generator):
            raise TypeError(
                f"generator must be a torch.Generator, got {type(generator).__name__}; "
                "pass seed=<int> for a fresh one."
            )
        return generator
    seed = int_seed(seed)
    if seed is None:
        return None
    return torch.Generator(device=device).manual_seed(seed)


def int_seed(seed, name="seed"):
    """``seed`` checked (:func:`check_seed`) as None or an integer: a numpy Generator
    gives one draw of it, so a torch function can be seeded from the caller's stream."""
    seed = check_seed(seed, name)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    return seed


def progress_bar(iterable, enabled, desc):
    """``iterable`` wrapped in a ``tqdm.auto`` bar when ``enabled`` (tqdm imported only then)."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, leave=False)


# -- the one chain runner of the samplers (Langevin, SVGD, reverse SDE, probability flow) --


def check_chain_flags(progress, return_path):
    """The flags every sampler takes: both ``True`` or ``False`` (anything else refused)."""
    return check_flag(progress, "progress"), check_flag(return_path, "return_path")


def run_chain(nx, x, items, step, *, progress, desc, return_path, diverged):
    """Iterate ``x <- step(x, item, k)`` over ``items``; the one loop of every sampler.

    Each new state must be finite, else ``diverged(k)`` is called (it raises a
    ``ValueError`` that names the setting to change). Returns the final state,
    or with ``return_path`` the stacked states, the start included.
    """
    path = [x] if return_path else None
    for k, item in enumerate(progress_bar(items, progress, desc)):
        with np.errstate(over="ignore", invalid="ignore"):  # reported by diverged
            x = step(x, item, k)
        if not bool(nx.all(nx.isfinite(x))):
            diverged(k)
        if return_path:
            path.append(x)
    return nx.stack(path) if return_path else x
