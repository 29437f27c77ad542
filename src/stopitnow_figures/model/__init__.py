"""The domain: values and hedges, periods, intervals and bounds, formulas, claims, the mentions in a
text."""
