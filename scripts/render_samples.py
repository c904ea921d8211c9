"""Render every enforcement document type (and, once merged, every statistical form) from a fixed
sample register: DOCX/XLSX -> PDF with LibreOffice -> PNG with pdftoppm, for the README.

    .venv/bin/python scripts/render_samples.py [--out docs/samples] [--only documents|forms]

Needs LibreOffice (Debian: libreoffice-writer-nogui, libreoffice-calc-nogui), a CJK font
(fonts-noto-cjk) and pdftoppm (poppler-utils): `.ci/install-office` installs them. Each kind of
sample is one function in SAMPLES (name -> function(out folder) -> the PNGs written); the forms
add theirs under "forms".
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

NOW = "2026-11-29T04:00:00+00:00"
LATER = "2027-01-20T04:00:00+00:00"  # when H1 is overdue: 督办函, 约谈通知书


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_png(source: Path, png: Path, resolution: int = 60) -> Path:
    """SOURCE (DOCX or XLSX) -> PDF beside it (LibreOffice) -> the first page as PNG."""
    office = soffice()
    if office is None or shutil.which("pdftoppm") is None:
        raise SystemExit("render_samples: needs soffice and pdftoppm (run .ci/install-office)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(source.parent), str(source)], check=True, capture_output=True, timeout=300)
    pdf = source.with_suffix(".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True, capture_output=True, timeout=120)
    return png


def _sample_register(work: Path) -> None:
    """The fixed register the samples are issued from (commands as a user types them)."""
    env = {**os.environ, "HAZREG_DB": str(work / "samples.db"), "HAZREG_NOW": NOW, "HAZREG_LANG": "zh",
           "HAZREG_OPERATOR": "sample"}

    def run(*args: str) -> None:
        result = subprocess.run([sys.executable, "-m", "hazreg", *args], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"render_samples: hazreg {' '.join(args)}: {result.stderr}")

    run("unit", "add", "临江市宏达化工有限公司", "--industry", "危化品", "--locality", "青山镇",
        "--code", "91330100716105852F", "--contact", "郑晓峰", "--phone", "13957162318", "--address", "青山镇化工路8号")
    run("inspector", "add", "王建国", "--cert", "33010012345")
    run("inspector", "add", "李明", "--cert", "33010012346")
    run("inspect", "add", "--unit", "U1", "--by", "王建国,李明", "--on", "2026-11-25")
    run("add", "危化品仓库未设置可燃气体报警装置", "--inspection", "I1", "--level", "重大", "--deadline", "2026-12-20",
        "--owner", "郑晓峰")
    run("add", "消防通道堵塞", "--inspection", "I1", "--deadline", "2026-12-05")
    run("config", "documents", "--office", "宁江区应急管理局", "--prefix", "宁江应急", "--review-body", "宁江区人民政府")
    run("supervise", "H1", "--by", "区安委办", "--level", "district", "--on", "2026-11-26", "--due", "2026-12-25",
        "--notice", "宁江安委督〔2026〕3号")
    run("action", "H1", "--type", "停产整顿", "--on", "2026-11-26", "--note", "仓库停用")
    run("doc", "issue", "order_rectify", "--inspection", "I1", "--on", "2026-11-25", "-o", str(work / "order_rectify.docx"))
    run("doc", "issue", "supervise", "--for", "H1", "--on", "2026-11-26", "-o", str(work / "supervise.docx"))
    run("doc", "issue", "on_site", "--for", "H1", "--on", "2026-11-26", "-o", str(work / "on_site.docx"))
    run("start", "H2")
    run("done", "H2", "--on", "2026-11-27")
    run("verify", "H2", "--by", "李明", "--on", "2026-11-28", "--note", "通道已清理，复查合格")
    run("doc", "issue", "recheck", "--for", "H2", "-o", str(work / "recheck.docx"))
    env["HAZREG_NOW"] = LATER
    run("doc", "issue", "letter", "--for", "H1", "-o", str(work / "letter.docx"))
    run("doc", "issue", "interview", "--for", "H1", "--set", "interview_time=2027年1月25日9时",
        "--set", "interview_place=区应急管理局三楼会议室", "-o", str(work / "interview.docx"))
    run("plan", "H1", "--measures", "加装可燃气体报警器并接入中控室", "--funds", "1.2万", "--contingency", "危化品泄漏应急预案（2026版）")
    run("start", "H1")
    run("done", "H1", "--on", "2027-01-18")
    report = work / "评估报告.pdf"
    report.write_bytes(b"%PDF-1.4 evaluation report")
    run("apply", "H1", "--by", "郑晓峰", "--report", str(report), "--on", "2027-01-18")  # 销号申请
    run("accept", "H1", "--by", "区安委办", "--on", "2027-01-19")  # 验收
    run("verify", "H1", "--by", "王建国", "--on", "2027-01-19", "--note", "验收合格")
    run("delist", "H1", "--note", "验收合格，予以摘牌", "--on", "2027-01-20")
    run("doc", "issue", "delist", "--for", "H1", "-o", str(work / "delist.docx"))


DOCUMENT_TYPES = ("order_rectify", "recheck", "on_site", "supervise", "delist", "letter", "interview")


def render_documents(out: Path) -> list[Path]:
    """One PNG per document type: docs/samples/doc-<type>.png."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        _sample_register(work)
        return [to_png(work / f"{kind}.docx", out / f"doc-{kind}.png") for kind in DOCUMENT_TYPES]


SAMPLES: dict[str, Callable[[Path], list[Path]]] = {"documents": render_documents}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "docs" / "samples")
    parser.add_argument("--only", choices=sorted(SAMPLES), action="append")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or list(SAMPLES):
        for png in SAMPLES[name](args.out):
            print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
