"""``python -m apigen.eval``: measure a model's function calling with the pipeline's own parts.

items.py (what to answer: BFCL categories, a run's held-out split, xlam / OpenAI files),
answer.py (asking the model, natively with ``tools=`` or through a prompt template), score.py (AST
match against possible answers, execution match, relevance), runner.py (the evaluation run and its
files), table.py (the BFCL-style summary). docs/EVALUATION.md is the user's guide.
"""
