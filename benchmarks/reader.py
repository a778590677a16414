"""Time the unit-specification reader: a 40-page handbook PDF of 10 units, and long pasted texts.

Usage: python benchmarks/reader.py [--repeat N]
Goals: the handbook read in under 5 s on one core (the reader is single-threaded); pasted text
linear in its length (80,000 and 160,000 lines: the second takes about twice the first).
The handbook is written on the fly with fpdf2 from the seeds' units (tests/unit_texts.py).
Times are the process's CPU seconds (the reader runs on one core), so other work on a shared
machine does not count against it.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import unit_texts  # noqa: E402

from survey.importer import read, source_from_bytes, source_from_text  # noqa: E402

PAGES, UNITS = 40, 10


def handbook() -> tuple[bytes, int, int]:
    """A handbook of PAGES pages: prose first, then UNITS units in ruled tables."""
    seeds = [unit_texts.seed_unit(n) for n in ("F1", "F2", "B1")]
    units = [
        replace(seeds[i % 3], number=str(201 + i), accreditation=f"T/600/{1000 + i}")
        for i in range(UNITS)
    ]
    tables = source_from_bytes(unit_texts.pdf_table(units, bottom=200), "t.pdf").pages
    data = unit_texts.pdf_handbook(units, pages_of_prose=PAGES - tables, bottom=200)
    criteria = sum(len(u.criteria) for u in units)
    return data, criteria, source_from_bytes(data, "h.pdf").pages


def pasted(lines: int) -> str:
    """Text copied out of PDFs, unit after unit, until it has `lines` lines."""
    f2 = unit_texts.seed_unit("F2")
    out: list[str] = []
    n = 0
    while len(out) < lines:
        n += 1
        out += unit_texts.pdf_paste(replace(f2, number=f"U{n}")).splitlines()
    return "\n".join(out[:lines])


def timed(fn, repeat: int) -> list[float]:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data, criteria, pages = handbook()
    print(f"Python {platform.python_version()}, {platform.machine()}; CPU seconds, median of "
          f"{args.repeat}")  # fmt: skip
    print("| case | size | median s | best s | goal s | met |")
    print("|---|---|---|---|---|---|")

    def whole() -> None:
        reading = read(source_from_bytes(data, "handbook.pdf"))
        found = sum(len(o.criteria) for u in reading.units for o in u.outcomes)
        assert len(reading.units) == UNITS and found == criteria, (len(reading.units), found)

    for name, fn, size, goal in [
        ("handbook PDF, extract and read", whole, f"{pages} pages, {UNITS} units", 5.0),
        (
            "handbook PDF, extract only",
            lambda: source_from_bytes(data, "h.pdf"),
            f"{pages} pages",
            None,
        ),  # fmt: skip
    ]:
        t = timed(fn, args.repeat)
        median = statistics.median(t)
        met = "" if goal is None else ("yes" if median < goal else "no")
        print(f"| {name} | {size} | {median:.2f} | {min(t):.2f} | {goal or ''} | {met} |")
    previous = None
    for lines in (80_000, 160_000):
        text = pasted(lines)
        t = timed(lambda text=text: read(source_from_text(text)), args.repeat)
        median = statistics.median(t)
        ratio = f"x{median / previous:.2f} for x2 lines" if previous else ""
        goal = "linear"
        met = "" if previous is None else ("yes" if median / previous < 2.5 else "no")
        print(f"| pasted text {ratio} | {lines:,} lines | {median:.2f} | {min(t):.2f} | {goal} "
              f"| {met} |")  # fmt: skip
        previous = median


if __name__ == "__main__":
    main()
