"""Calibrating the verifier on labelled data: ``python -m apigen.calibrate`` (see __main__)."""
