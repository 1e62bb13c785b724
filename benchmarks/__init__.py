"""Operator tooling, above every app: a synthetic city at scale (`manage.py seed_scale`, scale/)
and the benchmark of the hot paths beside their raw-SQL floors (`manage.py bench`, bench/).

It may import any app; no app imports it (tests/test_project.py).
"""
