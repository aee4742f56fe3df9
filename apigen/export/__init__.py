"""Training-format exports of kept examples: one rendering per trainer's format
(``renderings.py``, with BFCL-style Python call strings in ``python_calls.py``), the split by API
(``api_split.py``), the streamed ``dataset/`` writer (``dataset.py``) and its card (``card.py``).
The run's export and ``python -m apigen.eval.split`` both render rows here."""
