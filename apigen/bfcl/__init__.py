"""BFCL (Berkeley Function-Calling Leaderboard) data: reading its rows, and a labelled set built
from its ground truth for measuring the verifier."""

from apigen.bfcl.data import BfclDataError, BfclItem, load_category, reference_calls

__all__ = ["BfclDataError", "BfclItem", "load_category", "reference_calls"]
