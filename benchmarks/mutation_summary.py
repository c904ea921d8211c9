"""Summarise benchmarks/mutation.sh runs: per module, mutants in the mutated lines by status, and
each survivor (and time-out) with its change, for benchmarks/mutation-survivors.md.

    /tmp/mutvenv/bin/python benchmarks/mutation_summary.py [DIR]   # DIR: MUTATION_DIR, default /tmp/hazreg-mutation

Run it with mutmut's interpreter (it uses mutmut 2's own mutate() to show each change).
"""

from __future__ import annotations

import difflib
import sqlite3
import sys
from collections import Counter
from pathlib import Path


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hazreg-mutation")
    for run in sorted(p for p in root.iterdir() if (p / ".mutmut-cache").exists()):
        conn = sqlite3.connect(run / ".mutmut-cache")
        wanted = _patch_lines(run / "sample.patch")
        rows = conn.execute(
            "SELECT m.id, m.status, l.line_number, l.line, m.\"index\", f.filename FROM Mutant m"
            " JOIN Line l ON m.line = l.id JOIN SourceFile f ON l.sourcefile = f.id ORDER BY m.id").fetchall()
        rows = [r for r in rows if wanted is None or r[2] + 1 in wanted]
        counts = Counter(r[1] for r in rows)
        name = rows[0][5] if rows else "?"
        print(f"## {run.name} ({name}): {len(rows)} mutants; " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
        for mutant_id, status, number, line, index, filename in rows:
            if status in ("bad_survived", "bad_timeout", "ok_suspicious"):
                print(f"- {mutant_id} line {number + 1} [{status}]: {_change(run / filename, line, index, number)}")
        print()


def _change(path: Path, line: str, index: int, number: int) -> str:
    from mutmut import Context, RelativeMutationID, mutate

    source = path.read_text()
    mutated, _ = mutate(Context(source=source, mutation_id=RelativeMutationID(line, index, number)))
    old, new = source.splitlines(), mutated.splitlines()
    removed = [x[1:].strip() for x in difflib.unified_diff(old, new, n=0, lineterm="") if x[:1] == "-" and x[:3] != "---"]
    added = [x[1:].strip() for x in difflib.unified_diff(old, new, n=0, lineterm="") if x[:1] == "+" and x[:3] != "+++"]
    return f"`{' / '.join(removed)}` => `{' / '.join(added) or '(removed)'}`"


def _patch_lines(path: Path) -> set[int] | None:
    if not path.exists():
        return None
    head = next(line for line in path.read_text().splitlines() if line.startswith("@@"))
    first, count = head.split("+")[1].split()[0].split(",")
    return set(range(int(first), int(first) + int(count)))


if __name__ == "__main__":
    main()
