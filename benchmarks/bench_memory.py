"""Peak memory of `hazreg import` on hostile files: under 300 MB whatever a file holds.

    python benchmarks/bench_memory.py [--good 100000] [--bad 2000000] [--line-mb 1024]
                                      [--part-mb 1024] [--skip-limit] [--dir /tmp/hazreg-bench-memory]

Generates each file in --dir as it is needed (and deletes the big ones after), runs the
real CLI (`python -m hazreg`, this checkout's `src`) on a fresh register for each, and
prints a Markdown table: the file, the exit code, wall time, the child's peak resident
set and the first line hazreg said. The cases:

- `--good` valid roster rows (`import units`);
- `--bad` rows that are all rejected (an industry no register knows), imported with
  `--skip-invalid --errors FILE`: the terminal shows the first 1,000, the errors file
  gets every one (checked: its line count);
- a line of `--line-mb` MB as the header, as one quoted cell, and as a line of commas;
- an XLSX whose shared strings unpack to `--part-mb` MB (packed to a few MB: a zip bomb);
- an XLSX whose shared strings are just under hazreg's limit, made of one-character
  strings (the worst case openpyxl holds: about 90 bytes a string), which is read
  (`--skip-limit` leaves it out: it takes about a minute).

Exits 0 either way (1 if a case does not end as expected): a measurement, not a test.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SRC))
from bench_io import run  # noqa: E402  (the child's peak read by GNU time or a tiny wrapper)

from hazreg.sheets import MAX_XLSX_PART  # noqa: E402

AIM_PEAK_MB = 300.0
HEADERS = ["单位名称", "行业领域", "所属镇街"]
CHUNK = 16 << 20


class Case(NamedTuple):
    name: str
    kind: str  # units
    make: object  # (path) -> None
    suffix: str
    args: tuple[str, ...]
    code: int  # the exit code expected
    keep: bool = False  # keep the file for later runs


def write_rows(path: Path, rows: Iterator[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)


def good_roster(n: int):
    localities = ["青山镇", "临江街道", "滨湖街道", "高新区管委会"]
    industries = ["消防", "建筑施工", "危险化学品", "工贸", "道路交通"]
    return lambda path: write_rows(path, ([f"临江市第{i}号企业有限公司", industries[i % 5], localities[i % 4]]
                                          for i in range(n)))


def bad_roster(n: int):
    return lambda path: write_rows(path, ([f"单位{i}", "航天发射", "青山镇"] for i in range(n)))


def big_line(mb: int, where: str):
    """A file with one line of `mb` MB: the header, a quoted cell of row 3, or row 3 of commas."""

    def make(path: Path) -> None:
        piece = b"x" if where == "header" else b"," if where == "commas" else "备注\n".encode()
        filler = piece * (CHUNK // len(piece))
        with path.open("wb") as f:
            f.write("单位名称,".encode() if where == "header" else (",".join(HEADERS) + "\r\n").encode())
            if where != "header":
                f.write("临江大酒店,消防,临江街道\r\n".encode())
                if where == "quoted":
                    f.write('青山化工,消防,"'.encode())
            written = 0
            while written < mb << 20:
                f.write(filler)
                written += len(filler)
            f.write(b'"\r\n' if where == "quoted" else b"\r\n")
            f.write("滨湖商场,消防,滨湖街道\r\n".encode())

    return make


_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def workbook(strings_bytes: int, tiny: bool):
    """A workbook as Excel writes one (cells as shared strings) whose shared strings take
    `strings_bytes` unpacked: one huge repeated string (a bomb), or many one-character ones."""

    def make(path: Path) -> None:
        parts = {
            "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/></Types>',
            "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<workbook {_MAIN} xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml": f"<worksheet {_MAIN}><sheetData>"
            + "".join(f'<row r="{r}">' + "".join(f'<c r="{"ABC"[c]}{r}" t="s"><v>{(r - 1) * 3 + c}</v></c>'
                                                 for c in range(3)) + "</row>" for r in (1, 2))
            + "</sheetData></worksheet>",
        }
        head = f"<sst {_MAIN}>" + "".join(f"<si><t>{s}</t></si>" for s in [*HEADERS, "临江大酒店", "消防", "临江街道"])
        unit = b"<si><t>A</t></si>" * ((1 << 20) // 17) if tiny else b"<si><t>" + b"A" * ((1 << 20) - 15) + b"</t></si>"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in parts.items():
                z.writestr(name, text)
            info = zipfile.ZipInfo("xl/sharedStrings.xml")
            info.compress_type = zipfile.ZIP_STORED if tiny else zipfile.ZIP_DEFLATED  # tiny: no bomb, just big
            with z.open(info, "w", force_zip64=True) as f:
                f.write(head.encode())
                written = len(head.encode()) + 6
                while written + len(unit) <= strings_bytes:
                    f.write(unit)
                    written += len(unit)
                if tiny:
                    f.write(b"<si><t>A</t></si>" * ((strings_bytes - written) // 17))
                f.write(b"</sst>")

    return make


def cases(args: argparse.Namespace) -> list[Case]:
    found = [
        Case(f"{args.good:,} good rows", "units", good_roster(args.good), ".csv", (), 0, keep=True),
        Case(f"{args.bad:,} bad rows, `--skip-invalid --errors FILE`", "units", bad_roster(args.bad), ".csv",
             ("--skip-invalid", "--errors", "{dir}/errors.csv"), 0, keep=True),
        Case(f"a {args.line_mb:,} MB header line", "units", big_line(args.line_mb, "header"), ".csv", (), 2),
        Case(f"a {args.line_mb:,} MB quoted cell (row 3)", "units", big_line(args.line_mb, "quoted"), ".csv", (), 2),
        Case(f"a {args.line_mb:,} MB line of commas (row 3)", "units", big_line(args.line_mb, "commas"), ".csv", (), 2),
        Case(f"XLSX: shared strings unpacking to {args.part_mb:,} MB (bomb)", "units",
             workbook(args.part_mb << 20, tiny=False), ".xlsx", (), 2),
    ]
    if not args.skip_limit:
        found.append(Case(f"XLSX: shared strings of {(MAX_XLSX_PART >> 20) - 1} MB, one-character strings (read)",
                          "units", workbook(MAX_XLSX_PART - (1 << 20), tiny=True), ".xlsx", (), 0))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--good", type=int, default=100_000)
    parser.add_argument("--bad", type=int, default=2_000_000)
    parser.add_argument("--line-mb", type=int, default=1024)
    parser.add_argument("--part-mb", type=int, default=1024)
    parser.add_argument("--skip-limit", action="store_true")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench-memory"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(SRC), "HAZREG_LANG": "en", "HAZREG_OPERATOR": "bench",
           "HAZREG_NOW": "2026-11-29T04:00:00+00:00"}
    env.pop("NO_COLOR", None)
    rows, failed = [], False
    for n, case in enumerate(cases(args)):
        path = args.dir / f"case{n}{case.suffix}"
        if not (case.keep and path.exists()):
            case.make(path)  # type: ignore[operator]
        db = args.dir / "register.db"
        for leftover in args.dir.glob("register.db*"):
            leftover.unlink()
        errors = args.dir / "errors.csv"
        errors.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "hazreg", "--db", str(db), "import", case.kind, str(path),
               *(a.format(dir=args.dir) for a in case.args)]
        result = run(cmd, env, args.dir)
        seconds = result.seconds
        said = next((line for line in result.stderr.splitlines() if line.startswith("Error")), "")
        said = said or (result.stdout.strip().splitlines() or [""])[0]
        if errors.exists():
            with errors.open("rb") as f:
                said += f" (errors file: {sum(1 for _ in f) - 1:,} rows)"
        size = path.stat().st_size
        rows.append((case.name, size, result.returncode, seconds, result.peak_mb, said))
        if result.returncode != case.code or "Traceback" in result.stderr:
            failed = True
            print(f"{case.name}: exit {result.returncode}, expected {case.code}\n{result.stderr[-2000:]}", file=sys.stderr)
        if not case.keep:
            path.unlink()
        print(f"done: {case.name} ({seconds:.1f} s, {result.peak_mb:.0f} MB)", file=sys.stderr)
    shutil.rmtree(args.dir / "run", ignore_errors=True)
    print(f"\nPython {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, zlib {zlib.ZLIB_VERSION}\n")
    print("| input | file MB | exit | seconds | peak RSS MB | what hazreg said |")
    print("|---|---:|---:|---:|---:|---|")
    for name, size, code, seconds, peak, said in rows:
        shown = said if len(said) < 160 else said[:157] + "…"
        print(f"| {name} | {size / (1 << 20):,.1f} | {code} | {seconds:.1f} | {peak:.0f} | {shown} |")
    worst = max(rows, key=lambda r: r[4])
    met = "yes" if worst[4] < AIM_PEAK_MB else "no"
    print(f"\nAim: peak memory under {AIM_PEAK_MB:.0f} MB on every input: {met} (highest {worst[4]:.0f} MB, {worst[0]})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
