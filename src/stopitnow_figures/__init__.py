"""Stop It Now! figures: a data package of press-reported help-seeking figures."""

from __future__ import annotations

__version__ = "0.3.0"
