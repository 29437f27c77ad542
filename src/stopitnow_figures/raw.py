"""The header of each hand-curated table in raw/, defined once.

The published tables have Table Schemas in schemas/; these are what curators
type, before the pipeline types them. raw/reference/population.csv is
published as it is, so its header is the population schema's.
"""

from __future__ import annotations

SOURCES = [
    "source_id",
    "publisher",
    "headline",
    "url",
    "headline_basis",
    "publisher_basis",
    "published_earliest",
    "published_latest",
    "date_basis",
    "date_reasoning",
    "original_file",
    "sha256",
]
FIGURES = ["figure_id", "source_id", "quote", "as_written", "measure", "unit", "place", "period", "period_ref", "notes"]
NOT_FIGURES = ["source_id", "text", "context", "category", "reason"]
PLACES = ["place", "source_id", "geography", "geography_code", "basis", "note"]
PERIOD_READINGS = ["source_id", "period", "period_start", "period_end", "reasoning"]
DERIVATIONS = ["metric_id", "kind", "formula", "unit", "geography_code", "period", "description"]
CLAIMS = ["claim_id", "figure_id", "formula", "compares"]
