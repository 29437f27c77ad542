"""The pipeline stages, one module each, run by ``python -m stopitnow_figures.stages.<name>`` from
dvc.yaml."""
