"""The demo data: readable JSON/CSV files here, plus deterministic generators for bulk rows."""

from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent
