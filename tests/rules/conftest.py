"""Fixtures the rules' tests share with the rest of the suite."""

from test_query_counts import statements

__all__ = ["statements"]
