"""Random draws (双随机): random units, weighted by risk, and random inspectors, kept for publication.

Units are drawn without replacement with probability proportional to the weight of
their risk level (Efraimidis–Spirakis: each unit gets the key u^(1/w) for a uniform
u, and the largest keys win):

    red 8 · orange 4 · yellow 2 · blue 1 · no risk level 1

so, drawing one unit, a red one is eight times as likely to be picked as a blue one.
Each drawn unit then gets `inspectors` inspectors from the pool: never one whose own
localities include the unit's (回避), and always those with the fewest assignments
so far in this draw, ties broken at random, so the load is as even as the pool allows.

Everything random comes from one `random.Random(seed)` walked in a fixed order over
a snapshot of the candidates and the pool, and the snapshot, the parameters, the
seed and the result are stored. `verify` re-runs the draw on the stored snapshot and
says whether the stored result is what the seed gives.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import Industry, Risk
from hazreg.errors import InvalidInput, Refused
from hazreg.register.base import Context, new_uid
from hazreg.storage import Scope

if TYPE_CHECKING:
    import random

    from hazreg.register.campaigns import Campaigns

WEIGHTS = {"red": 8, "orange": 4, "yellow": 2, "blue": 1, None: 1}


def draw_units(pool: list[list[Any]], count: int, rng: random.Random) -> list[int]:
    """Ids of `count` units from `pool` ([id, risk, locality] rows), weighted by risk."""
    keyed = [(rng.random() ** (1 / WEIGHTS.get(risk, 1)), unit_id) for unit_id, risk, _ in pool]
    keyed.sort(reverse=True)
    return [unit_id for _, unit_id in keyed[:count]]


def assign_inspectors(
    drawn: list[int], pool: list[list[Any]], inspectors: list[list[Any]], per_unit: int, rng: random.Random
) -> list[dict[str, Any]]:
    """For each drawn unit, `per_unit` inspectors from outside its locality, evening out the load."""
    locality = {unit_id: place for unit_id, _, place in pool}
    load = {name: 0 for name, _ in inspectors}
    result = []
    for unit_id in drawn:
        eligible = [name for name, places in inspectors if locality[unit_id] not in places]
        if len(eligible) < per_unit:
            raise Refused("err.too_few_inspectors", unit=f"U{unit_id}", locality=locality[unit_id],
                          needed=per_unit, found=len(eligible))
        ties = {name: rng.random() for name in eligible}
        chosen = sorted(eligible, key=lambda name: (load[name], ties[name]))[:per_unit]
        for name in chosen:
            load[name] += 1
        result.append({"unit_id": unit_id, "inspectors": chosen})
    return result


def run_draw(seed: int, params: dict[str, Any], pool: dict[str, Any]) -> list[dict[str, Any]]:
    """The result a seed gives on a snapshot: the same inputs always give the same draw."""
    import random  # only draws need it

    rng = random.Random(seed)
    drawn = draw_units(pool["units"], params["count"], rng)
    if params.get("inspectors", 0) == 0:
        return [{"unit_id": unit_id, "inspectors": []} for unit_id in drawn]
    return assign_inspectors(drawn, pool["units"], pool["inspectors"], params["inspectors"], rng)


def parse_ratio(text: str) -> float:
    value = text.strip().rstrip("%％")
    try:
        ratio = float(value) / (100 if text.strip().endswith(("%", "％")) else 1)
    except ValueError:
        raise InvalidInput("err.ratio", "ratio", value=text) from None
    if not 0 < ratio <= 1:
        raise InvalidInput("err.ratio", "ratio", value=text)
    return ratio


class Draws:
    """The register's random draws (双随机): run, show, verify, void."""

    def __init__(self, ctx: Context, campaigns: Campaigns) -> None:
        self.ctx = ctx
        self.campaigns = campaigns

    def run(
        self,
        count: int | None = None,
        ratio: str | None = None,
        industries: list[str] | None = None,
        localities: list[str] | None = None,
        not_inspected_within: str | None = None,
        inspectors: int = 2,
        seed: int | None = None,
        campaign: str | None = None,
        all_: bool = False,
        focus: str | None = None,
    ) -> dict[str, Any]:
        """Draw units (and inspectors) at random, store the draw, and return it.

        A count larger than the candidates is refused unless `all_` says "then all of them";
        `all_` alone draws every candidate."""
        if (count is not None and ratio is not None) or (count is None and ratio is None and not all_):
            raise InvalidInput("err.count_or_ratio", "count")
        if count is not None and count < 1:
            raise InvalidInput("err.count", "count", value=count)
        if inspectors < 0:
            raise InvalidInput("err.count", "inspectors", value=inspectors)
        chosen_campaign = self.campaigns.get(campaign) if campaign else None
        scope = Scope(
            [Industry.parse(v, "industry").value for v in industries or []]
            or (chosen_campaign["industries"] if chosen_campaign else []),
            self.campaigns.places.filter_localities(localities) or (chosen_campaign["localities"] if chosen_campaign else []),
        )
        focus_profile = None
        if focus:  # only the units the focus names (恶劣天气重点监管), within the rest of the scope
            from hazreg.register.focus import profile, units_to_check

            focus_profile = profile(self.ctx, focus)
            scope = scope._replace(unit_ids=[r["unit_id"] for r in units_to_check(self.ctx, focus_profile, [])])
        recent = None
        if not_inspected_within:
            recent = self.ctx.today() - timedelta(days=dates.parse_days(not_inspected_within, "not_inspected_within"))
        units = [list(row) for row in self.ctx.store.draw_candidates(scope, recent)]
        if not units:
            raise Refused("err.nothing_to_draw")
        if count is not None and count > len(units) and not all_:
            raise InvalidInput("err.draw_too_many", "count", count=count, found=len(units))
        if ratio is not None:
            wanted = max(1, int(len(units) * parse_ratio(ratio) + 0.5))
        else:
            wanted = len(units) if count is None else count
        wanted = min(wanted, len(units))
        pool_inspectors = [[p["name"], p["localities"]] for p in self.campaigns.inspectors()] if inspectors else []
        pool = {"units": units, "inspectors": pool_inspectors}
        params = {
            "count": wanted, "requested": count if count is not None else ratio or "all", "inspectors": inspectors,
            "industries": list(scope.industries), "localities": list(scope.localities),
            "not_inspected_within": not_inspected_within, "today": self.ctx.today().isoformat(),
        }
        if focus_profile is not None:
            params["focus"] = focus_profile["name"]
        if seed is None:
            import secrets

            seed = secrets.randbelow(2**31)  # recorded, so the draw can be checked later
        result = run_draw(seed, params, pool)
        with self.ctx.store.transaction():
            draw_id = self.ctx.store.insert_draw(
                {"uid": new_uid(), "seed": seed, "params": params, "pool": pool, "result": result,
                 "campaign_id": chosen_campaign["id"] if chosen_campaign else None,
                 "created_at": dates.timestamp(), "operator": self.ctx.operator}
            )
            self.ctx.log("draw", draw_id, "create", None, {"seed": seed, "params": params, "result": result})
        return self.details(draw_id)

    def details(self, ref: str | int) -> dict[str, Any]:
        """A stored draw with its units, their inspectors and whether each has been inspected."""
        draw = self.campaigns.draw_record(ref)
        units = self.ctx.store.units_by_ids([entry["unit_id"] for entry in draw["result"]])
        inspected = self.ctx.store.units_inspected_in_draw(draw["id"])
        draw["rows"] = [
            {"order": n, **{k: units[e["unit_id"]].get(k) for k in ("name", "credit_code", "industry", "locality", "risk")},
             "unit_id": e["unit_id"], "inspectors": e["inspectors"], "inspected": e["unit_id"] in inspected}
            for n, e in enumerate(draw["result"], start=1)
        ]
        return draw

    def verify(self, ref: str | int) -> tuple[bool, dict[str, Any]]:
        """Whether the stored result is what the stored seed gives on the stored snapshot."""
        draw = self.campaigns.draw_record(ref)
        try:
            again = run_draw(draw["seed"], draw["params"], draw["pool"])
        except (Refused, KeyError, TypeError, ValueError):
            return False, draw
        return again == draw["result"], draw

    def all(self) -> list[dict[str, Any]]:
        return self.ctx.store.draws()

    def void(self, ref: str | int, reason: str) -> dict[str, Any]:
        """Void a mistaken draw: it is kept (and still verifiable), shown as void, and no
        inspection is recorded against it any more."""
        if not (reason or "").strip():
            raise InvalidInput("err.required", "reason")
        draw = self.campaigns.draw_record(ref)
        if draw.get("void_reason"):
            raise Refused("err.draw_void_twice", id=f"D{draw['id']}")
        with self.ctx.store.transaction():
            self.ctx.store.void_draw(draw["id"], reason.strip(), dates.timestamp())
            self.ctx.log("draw", draw["id"], "void", {"void_reason": None}, {"void_reason": reason.strip()}, reason.strip())
        return self.details(draw["id"])


__all__ = ["WEIGHTS", "Draws", "Risk", "assign_inspectors", "draw_units", "run_draw"]
