"""Drawing results: Rich tables for people, CSV/JSON/JSONL for scripts. Never used by the domain."""
