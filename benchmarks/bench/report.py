"""What `manage.py bench` reports: one `Figure` per measurement, the run's metadata, the JSON
written by `--json` (its shape is what the CI and docs/performance.md rely on) and the table."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    name: str
    unit: str
    p50: float
    p95: float
    n: int
    floor: float | None = None
    ratio: float | None = None
    queries: int | None = None


@dataclass
class BenchReport:
    meta: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"meta": self.meta, "figures": [asdict(f) for f in self.figures]}


def report_table(report: BenchReport) -> str:
    head = f"{'figure':<52} {'unit':>7} {'p50':>10} {'p95':>10} {'n':>4} {'floor':>9} {'ratio':>6} {'queries':>7}"
    lines = [head, "-" * len(head)]

    def fmt(v: float | int | None) -> str:
        return "" if v is None else f"{v:,}" if isinstance(v, int) else f"{v:,.1f}"

    for f in report.figures:
        lines.append(f"{f.name:<52} {f.unit:>7} {fmt(f.p50):>10} {fmt(f.p95):>10} {f.n:>4} {fmt(f.floor):>9} "
                     f"{fmt(f.ratio):>6} {fmt(f.queries):>7}")
    lines += [f"skipped: {s}" for s in report.skipped]
    return "\n".join(lines)


def report_write(report: BenchReport, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
