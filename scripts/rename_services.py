"""Rewrite calls to the old register mixins into calls to its services (issue 14).

The mapping below (old method → service, new name) is the one applied to src/, tests/ and
benchmarks/ when `Register` stopped inheriting ImportOps/ReportOps/SupervisionOps/…
For a branch written before that change, run it on the files outside src/hazreg/register/
(the services themselves are already converted; running it on them again would misname calls):

    python scripts/rename_services.py $(git ls-files 'src/*.py' 'tests/*.py' 'benchmarks/*.py' | grep -v src/hazreg/register/)

It knows the usual names of a register (reg, register(), district, source, dest, first, second,
writer, …); check any variable of those names that is a store, not a register, and run mypy.
"""
import pathlib
import re
import sys

MAP = {
    # units.py
    "find_unit": ("units", "find"), "_check_code_free": ("units", "_check_code_free"),
    "add_unit": ("units", "add"), "edit_unit": ("units", "edit"), "correct_unit": ("units", "correct"),
    "units": ("units", "query"), "unit_filter": ("units", "filter"), "iter_units": ("units", "iter"),
    # campaigns.py
    "_add_listed": ("campaigns", "_add_listed"), "add_campaign": ("campaigns", "add"),
    "add_leader": ("campaigns", "add_leader"), "add_inspector": ("campaigns", "add_inspector"),
    "campaign": ("campaigns", "get"), "campaigns": ("campaigns", "all"),
    "leaders": ("campaigns", "leaders"), "inspectors": ("campaigns", "inspectors"),
    "add_inspection": ("campaigns", "add_inspection"), "inspection": ("campaigns", "inspection"),
    "inspection_filter": ("campaigns", "inspection_filter"), "inspections": ("campaigns", "inspections"),
    "inspection_link": ("campaigns", "inspection_link"), "draw_record": ("campaigns", "draw_record"),
    # hazards.py
    "hazard": ("hazards", "get"), "hazards": ("hazards", "query"), "add_hazard": ("hazards", "add"),
    "_change": ("hazards", "_change"), "_apply": ("hazards", "_apply"), "edit_hazard": ("hazards", "edit"),
    "correct_hazard": ("hazards", "correct"), "plan": ("hazards", "plan"), "_move": ("hazards", "_move"),
    "start": ("hazards", "start"), "done": ("hazards", "done"), "verify": ("hazards", "verify"),
    "void": ("hazards", "void"), "hazard_filter": ("hazards", "filter"), "iter_hazards": ("hazards", "iter"),
    # draws.py
    "draw": ("draws", "run"), "draw_details": ("draws", "details"), "verify_draw": ("draws", "verify"),
    "draws": ("draws", "all"), "void_draw": ("draws", "void"),
    # supervision.py
    **{m: ("supervision", m) for m in (
        "supervise", "delist", "extend", "ladder", "set_ladder", "escalations", "escalate", "due",
        "take_action", "action_filter", "actions", "_blobs", "_files", "blob_path", "attach",
        "attachment", "attachment_file", "copy_attachment", "blob_problem", "check_files", "evidence")},
    # imports.py
    "_run_import": ("imports", "_run_import"), "import_units": ("imports", "units"),
    "import_hazards": ("imports", "hazards"), "_import_moves": ("imports", "_import_moves"),
    "_move_days": ("imports", "_move_days"), "_reimport_hazard": ("imports", "_reimport_hazard"),
    # reports.py
    "report_window": ("reports", "window"), "coverage": ("reports", "coverage"),
    "leader_weeks": ("reports", "leader_weeks"),
}
CTX_ATTRS = ("store", "operator", "timezone")
CTX_METHODS = ("today", "date", "happened", "moment", "log")
OWN = {"units.py": "units", "campaigns.py": "campaigns", "hazards.py": "hazards", "draws.py": "draws",
       "supervision.py": "supervision", "imports.py": "imports", "reports.py": "reports"}
names = "|".join(sorted(MAP, key=len, reverse=True))

def service_file(text, own):
    # definitions
    def d(m):
        old = m.group(2)
        svc, new = MAP[old]
        return f"{m.group(1)}def {new}(" if svc == own else m.group(0)
    text = re.sub(rf"^(    )def ({names})\(", d, text, flags=re.M)
    # context
    text = re.sub(rf"\bself\.({'|'.join(CTX_ATTRS)})\b", r"self.ctx.\1", text)
    text = re.sub(rf"\bself\.({'|'.join(CTX_METHODS)})\(", r"self.ctx.\1(", text)
    def c(m):
        svc, new = MAP[m.group(1)]
        return f"self.{new}(" if svc == own else f"self.{svc}.{new}("
    return re.sub(rf"\bself\.({names})\(", c, text)

RECV = r"(\bregister\((?:write=True)?\)|\bwriter|\bhistory|\breg|\bregister|\bdistrict|\bsource|\bdest|\bsrc|\btarget|\bcopy|\bself\.reg|\bshared|\bfirst|\bsecond)"

def outside(text, service_like=False):
    if service_like:  # transfer.py: reg is the Imports service
        text = re.sub(rf"{RECV}\.({'|'.join(CTX_ATTRS)})\b", r"\1.ctx.\2", text)
        text = re.sub(rf"{RECV}\.({'|'.join(CTX_METHODS)})\(", r"\1.ctx.\2(", text)
    else:
        text = re.sub(rf"{RECV}\.(date|happened|moment|log)\(", r"\1.ctx.\2(", text)
    def c(m):
        svc, new = MAP[m.group(2)]
        if service_like and svc == "imports":
            return f"{m.group(1)}.{new}("
        return f"{m.group(1)}.{svc}.{new}("
    return re.sub(rf"{RECV}\.({names})\(", c, text)

for arg in sys.argv[1:]:
    p = pathlib.Path(arg)
    text = p.read_text()
    if p.parent.name == "register" and p.name in OWN:
        new = service_file(text, OWN[p.name])
    elif p.parent.name == "register" and p.name == "transfer.py":
        new = outside(text, service_like=True)
    elif p.parent.name == "register" and p.name in ("__init__.py", "base.py"):
        new = text
    else:
        new = outside(text)
    if new != text:
        p.write_text(new)
        print("rewrote", p)
