"""Where a register is kept: the engine-neutral filters and the engines behind them."""

from hazreg.storage.base import (
    SCHEMA_VERSION,
    ActionFilter,
    CellRules,
    HazardFilter,
    InspectionFilter,
    Scope,
    UnitFilter,
)

__all__ = ["SCHEMA_VERSION", "ActionFilter", "CellRules", "HazardFilter", "InspectionFilter", "Scope", "UnitFilter"]
