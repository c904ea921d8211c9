"""Render the statistical form (生产经营单位事故隐患排查治理情况统计表) as LibreOffice prints it: XLSX → PDF → PNG.

    PYTHONPATH=src .venv/bin/python scripts/render_forms.py [--db REGISTER] [--kind quarterly] [--period 2026Q4]
                                                            [--lang zh|en|both] [--outdir docs]

Without --db it builds a small fixed sample register (a quarter of a district, dated 2026) in a
temporary folder, so the pictures are the same on every run. Writes docs/statistical-form-LANG.png
(and the XLSX and PDF beside them with --keep). Needs LibreOffice (`soffice`, Debian:
libreoffice-calc-nogui) and `pdftoppm` (poppler-utils). `xlsx_to_png` is the function other
scripts (scripts/render_samples.py) and the tests call.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT = 180  # seconds for one LibreOffice run; a first start builds its profile
_PAGE = re.compile(rb"/Type\s*/Page[^s]")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(source: Path, outdir: Path) -> Path:
    """`source` converted to PDF by LibreOffice headless, in its own profile (parallel runs don't clash)."""
    office = soffice()
    if office is None:
        raise RuntimeError("LibreOffice (soffice) is not installed (apt-get install libreoffice-calc-nogui)")
    outdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="hazreg-lo-"))
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "HOME": str(work / "home")}
    command = [office, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(source)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # soffice.bin runs under a launcher: end the group
        process.communicate()
        raise RuntimeError(f"LibreOffice did not convert {source.name} within {TIMEOUT} s") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pdf = outdir / (source.stem + ".pdf")
    if process.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"LibreOffice wrote no {pdf.name}: {output.decode('utf-8', 'replace')}")
    return pdf


def pages(pdf: Path) -> int:
    return len(_PAGE.findall(pdf.read_bytes()))


def xlsx_to_png(xlsx: Path, png: Path, dpi: int = 110) -> int:
    """`xlsx` printed by LibreOffice to PDF, its first page saved as `png`; the number of pages."""
    with tempfile.TemporaryDirectory(prefix="hazreg-form-") as tmp:
        pdf = to_pdf(xlsx, Path(tmp))
        if shutil.which("pdftoppm") is None:
            raise RuntimeError("pdftoppm is not installed (apt-get install poppler-utils)")
        png.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", "-f", "1", "-l", "1", str(pdf),
                        str(png.with_suffix(""))], check=True, timeout=TIMEOUT)
        return pages(pdf)


BODIES = {"district": "区安委办", "city": "市安委办", "province": "省安委办"}


def build_sample(path: Path) -> None:
    """A quarter of a small district (Q4 2026), every step at a fixed moment."""
    from hazreg.register import open_register

    def at(moment: str) -> None:
        os.environ["HAZREG_NOW"] = moment

    at("2026-10-02T02:00:00+00:00")
    reg = open_register(path, write=True, operator="王建国")
    units = [("临江大酒店", "fire", "临江街道"), ("江滨商业综合体", "fire", "临江街道"),
             ("桃源安置房项目部", "construction", "青山镇"), ("滨江学校扩建工程", "construction", "江滨街道"),
             ("宏达化工有限公司", "hazardous_chemicals", "化工园区管委会"), ("金桥加油站", "hazardous_chemicals", "青山镇"),
             ("东城燃气供应站", "gas", "临江街道"), ("宁江机械制造有限公司", "industry_trade", "江滨街道"),
             ("恒通物流有限公司", "road_traffic", "青山镇"), ("华联超市电梯", "special_equipment", "临江街道")]
    for name, industry, locality in units:
        reg.units.add({"name": name, "industry": industry, "locality": locality})
    hazards = [  # unit, description, level, found, deadline, plan, outcome, supervision
        (1, "后厨灭火器过期", "general", "2026-10-09", "2026-10-20", {"funds": "1200"}, "closed", None),
        (2, "疏散通道堆放杂物", "general", "2026-10-15", "2026-10-25", None, "rectified", None),
        (2, "消防控制室值班人员无证上岗", "general", "2026-11-20", "2026-12-20", None, "open", None),
        (3, "塔吊力矩限制器失效", "major", "2026-10-12", "2026-11-30",
         {"owner": "黄立新", "measures": "更换限制器", "funds": "85000", "contingency": "停用塔吊"}, "closed", "district"),
        (4, "脚手架连墙件缺失", "general", "2026-11-03", "2026-11-10", {"funds": "12345"}, "closed", None),
        (5, "储罐区可燃气体报警器失效", "major", "2026-10-20", "2026-12-31",
         {"owner": "陈刚", "measures": "更换报警器", "funds": "236000", "contingency": "停止装卸作业"}, "open", "city"),
        (5, "装卸区防雷接地失效", "major", "2026-11-18", "2026-12-31", {"measures": "重做接地"}, "open", "province"),
        (6, "卸油口防静电接地损坏", "general", "2026-10-22", "2026-10-29", {"funds": "50"}, "closed", None),
        (7, "调压箱锈蚀", "general", "2026-11-05", "2026-11-20", None, "closed", None),
        (8, "冲床光电保护装置失效", "general", "2026-12-01", "2026-12-08", None, "rectified", None),
        (9, "车辆动态监控未覆盖", "general", "2026-12-03", "2026-12-31", None, "open", None),
    ]
    for unit, description, level, found, deadline, plan, outcome, listing in hazards:
        at(f"{found}T02:00:00+00:00")
        reg.campaigns.add_inspection({"unit": unit, "on": found, "inspectors": "王建国,李明"})
        h = reg.hazards.add({"unit": unit, "description": description, "level": level, "found_on": found,
                             "deadline": deadline})
        if plan:
            reg.hazards.plan(h["id"], plan)
        if listing:
            reg.supervision.supervise(f"H{h['id']}", BODIES[listing], listing, due=deadline,
                                      notice=f"督〔2026〕{h['id']}号")
        if outcome in ("rectified", "closed"):
            reg.hazards.start(h["id"])
            reg.hazards.done(h["id"], on=found)
        if outcome == "closed":
            if listing:  # a listed hazard closes by 销号申请 and 验收 first
                report = path.parent / f"评估报告-H{h['id']}.pdf"
                report.write_bytes(b"%PDF-1.4 evaluation report")
                reg.supervision.apply_close(f"H{h['id']}", "单位负责人", report, on=found)
                reg.supervision.accept(f"H{h['id']}", BODIES[listing], on=found)
            reg.hazards.verify(h["id"], "李明", "复查合格")
    from hazreg.register.forms import set_setting

    for key, value in (("unit", "宁江区应急管理局"), ("head", "周国平"), ("reviewer", "吴敏"), ("preparer", "王建国"),
                       ("phone", "0571-8888 6666")):
        set_setting(reg, f"form.{key}", value)
    reg.store.close()
    at("2027-01-05T02:00:00+00:00")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--kind", default="quarterly")
    parser.add_argument("--period", default="2026Q4")
    parser.add_argument("--lang", default="both", choices=("zh", "en", "both"))
    parser.add_argument("--outdir", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    parser.add_argument("--keep", action="store_true", help="keep the XLSX beside the PNG")
    args = parser.parse_args(argv)
    if soffice() is None:
        print("LibreOffice (soffice) is not installed (apt-get install libreoffice-calc-nogui)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="hazreg-forms-") as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "sample.db"
            build_sample(db)
        for lang in (("zh", "en") if args.lang == "both" else (args.lang,)):
            xlsx = Path(tmp) / f"statistical-form-{lang}.xlsx"
            subprocess.run([sys.executable, "-m", "hazreg", "--db", str(db), "--lang", lang, "report", "form",
                            args.kind, "--period", args.period, "-o", str(xlsx)], check=True, env=os.environ.copy())
            png = args.outdir / f"statistical-form-{lang}.png"
            count = xlsx_to_png(xlsx, png)
            if args.keep:
                shutil.copy(xlsx, args.outdir / xlsx.name)
            print(f"{png} ({count} page{'s' if count != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
