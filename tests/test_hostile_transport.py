"""The hostile-input table of the optimal-transport functions is part B of the one table in
test_hostile.py (every public argument, one dialect). This module has no tests left: it
stays until the Makefile's ruff list and conftest.LIBRARY_TESTS stop naming it.
"""
