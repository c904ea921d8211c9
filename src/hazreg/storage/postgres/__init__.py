"""The shared store: a register in a PostgreSQL database, on psycopg 3 (imported only here)."""
