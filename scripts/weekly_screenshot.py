"""Render a weekly report in headless Chromium and save a PNG, to look at what a leader reads.

    .venv/bin/python scripts/weekly_screenshot.py [--db REGISTER] [--week 2026-W48] [--lang zh] [-o report.png]

Without --db it builds the demo register in a temporary folder and reports this week.
Needs Debian's `chromium` (apt-get install chromium); the report itself needs nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1240,2400",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--week", default="this")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("-o", "--output", type=Path, default=Path(tempfile.gettempdir()) / "hazreg-weekly.png")
    args = parser.parse_args(argv)
    browser = chromium()
    if browser is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    hazreg = [sys.executable, "-m", "hazreg"]
    with tempfile.TemporaryDirectory(prefix="hazreg-weekly-") as tmp:
        folder = Path(tmp)
        db = args.db
        if db is None:
            db = folder / "demo.db"
            subprocess.run([*hazreg, "demo", "--path", str(db)], check=True, capture_output=True)
        html = folder / "weekly.html"
        subprocess.run([*hazreg, "--db", str(db), "--lang", args.lang, "report", "weekly", "--week", args.week,
                        "-f", "html", "-o", str(html)], check=True)
        profile = folder / "chromium-profile"
        subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={args.output.resolve()}",
                        html.as_uri()], check=True, capture_output=True, timeout=120, env={**os.environ, "LANG": "zh_CN.UTF-8"})
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
