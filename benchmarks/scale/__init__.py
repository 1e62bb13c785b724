"""Synthetic city-scale data for benchmarks (`manage.py seed_scale`).

Builds a prefecture-level city under a synthetic division-code prefix (default 9901, which
no real city uses, so it never collides with an imported real tree such as 铜川 6102):
counties → townships → villages → grids, member departments, users for every role, and
then N cases with parties, dispatches (assignments), escalations and timeline events, with
the mixes of real data (DOMAIN.md): categories (family/neighbour ≈ 1/3, damages ≈ 22%,
contracts ≈ 15%), channels, states by age, ~8% red (overdue) and ~5% yellow cases, some
escalated to the county.

Speed: rows are generated as plain tuples in column order and written in chunks of whole
cases (a case with its parties, assignments, escalations and events commit together), by
PostgreSQL `COPY … FROM STDIN` (text format) or, on SQLite, by `executemany` INSERTs. Ids
are allocated in ranges above the current maximum and the sequences are moved past them at
the end, so the command must not run while the application writes to the same database.

Deterministic: everything is drawn from one `random.Random(seed)`; times are anchored at the
start of the anchor day (default: today in Asia/Shanghai), so the same seed on the same day
(or with the same `anchor`) gives the same cities, case numbers and mixes.

Party personal data: encrypting one value costs tens of microseconds in Python, which is
minutes at 2,000,000 parties. A pool of `PARTY_POOL_SIZE` identities is encrypted, hashed
and masked once through disputes/parties.py and reused round-robin, which also makes
"the same person again and again" (repeat parties) appear in the data as it does in reality.

Modules, one job each: spec.py (what to build: the spec, named sizes, the result), mixes.py
(the mixes of real data and the weighted draws), people.py (names, ID numbers, phones, the
party pool), city.py (regions, grids, departments, users and reference data), cases.py (case
rows with parties, dispatches, escalations and events), writer.py (COPY / bulk INSERT of row
tuples, id ranges, index and foreign-key handling) and seed.py (`scale_seed`, which runs them).
"""
