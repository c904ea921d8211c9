"""Where a register is kept: the engine-neutral filters and the engines behind them."""

from hazreg.storage.base import (
    SCHEMA_VERSION,
    ActionFilter,
    HazardFilter,
    InspectionFilter,
    Scope,
    UnitFilter,
)

__all__ = ["SCHEMA_VERSION", "ActionFilter", "HazardFilter", "InspectionFilter", "Scope", "UnitFilter"]
