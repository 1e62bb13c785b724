"""The hot paths measured beside their raw-SQL floors (`manage.py bench`).

Each figure runs the real code (a page or API request through django.test.Client, a
service call, the sweep) after a warm-up, `repeat` times, and reports p50/p95 in ms, the
number of SQL queries of one run, and the **floor**: the same work done by the best
hand-written SQL we know, on the same data in the same run (p50 of as many runs). ratio =
p50 / floor p50 says how much the framework, the templates and our own code add on top of
what the database must do anyway. See docs/performance.md.

Every write is rolled back (an outer atomic block marked for rollback), so the command is
repeatable and leaves the data as it found it. A figure whose page, endpoint or function
does not exist yet is skipped with a line saying so.

Modules, one job each: harness.py (warm-up, timed runs, percentiles, query counts, rolled-back
blocks), figures.py (what is measured: lists, detail, creation, dashboard, each with the
actors who see the data), floors.py (the raw SQL each figure is compared with), sweep.py (the
overdue sweep and its floor), run.py (the sections `--only` selects, run as production runs)
and report.py (the figures' JSON shape and the table).
"""
