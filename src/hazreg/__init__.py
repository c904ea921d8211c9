"""hazreg: a hazard register (隐患台账) for district work-safety offices."""

__version__ = "0.1.0"
