"""Many officers at once on one PostgreSQL register, with real processes: 20 processes each
recording 50 hazards (each `hazreg add` its own command, connection and transaction), one
`hazreg import` and one `hazreg report weekly`, all at the same time. Every hazard is kept
once, ids are unique, the history is one unforked chain, and `check` passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgresql, pytest.mark.own_addresses]

PROCESSES, ADDS = 20, 50
IMPORTED = 40

# One officer: 50 `hazreg add` commands one after another (in-process, so that 1,000 commands do
# not cost 1,000 interpreter starts on a small CI machine; each is still its own command line,
# connection and transaction), then the ids it was given, as JSON on stdout.
_OFFICER = """
import json, sys
from typer.testing import CliRunner
from hazreg.cli.app import make_app
officer, count = int(sys.argv[1]), int(sys.argv[2])
app, runner, ids = make_app("add"), CliRunner(), []
for n in range(count):
    result = runner.invoke(app, ["add", f"网格员{officer}第{n}次巡查：灭火器压力不足", "--unit", "U1",
                                 "--deadline", "+10d", "-f", "json"])
    if result.exit_code != 0:
        sys.exit(f"officer {officer} add {n}: {result.exit_code} {result.stderr} {result.exception!r}")
    ids.append(json.loads(result.stdout)["id"])
print(json.dumps(ids))
"""


def _csv(path: Path) -> Path:
    lines = ["隐患描述,单位名称,行业领域,所属镇街,隐患级别,发现日期,整改期限"]
    lines += [f"导入的第{n}条隐患：配电箱前堆放杂物,临江大酒店,消防,青山镇,一般,2026-11-20,2026-12-20"
              for n in range(IMPORTED)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_twenty_officers_an_import_and_a_weekly_report_at_once(cli, tmp_path):
    from tests.pg import pg_database

    with pg_database() as server:
        env = {**os.environ, "HAZREG_DB": server, "PYTHONPATH": os.pathsep.join(sys.path)}
        cli("--db", server, "unit", "add", "临江大酒店", "--industry", "fire", "--locality", "青山镇")
        officers = [subprocess.Popen([sys.executable, "-c", _OFFICER, str(n), str(ADDS)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for n in range(PROCESSES)]
        others = [
            subprocess.Popen([sys.executable, "-m", "hazreg", "import", "hazards", str(_csv(tmp_path / "h.csv"))],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
            subprocess.Popen([sys.executable, "-m", "hazreg", "report", "weekly", "-f", "json"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        ]
        given: list[str] = []
        for p in officers:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err
            given += json.loads(out)
        for p in others:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err
        assert len(given) == len(set(given)) == PROCESSES * ADDS
        hazards = json.loads(cli("--db", server, "export", "hazards", "-f", "json").stdout)
        assert len(hazards) == PROCESSES * ADDS + IMPORTED
        assert len({h["id"] for h in hazards}) == len(hazards) and len({h["uid"] for h in hazards}) == len(hazards)
        assert set(given) <= {h["id"] for h in hazards}
        for officer in range(PROCESSES):  # each officer's hazards, every one of them, in its order
            mine = [h["id"] for h in hazards if h["description"].startswith(f"网格员{officer}第")]
            assert len(mine) == ADDS
        report = json.loads(cli("--db", server, "check", "-f", "json").stdout)
        assert report["ok"] and report["chain"]["entries"] == 1 + PROCESSES * ADDS + IMPORTED
