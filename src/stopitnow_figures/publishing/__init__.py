"""The package as a whole: the gate, the swap into place, provenance, citations, releases and downloads."""
