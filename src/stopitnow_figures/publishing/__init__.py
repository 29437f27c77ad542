"""The package as a whole: the gate, the swap into place, provenance, releases and downloads."""
