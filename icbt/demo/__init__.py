"""Demo data: the demo clinic (`icbt demo`) and the synthetic clinic (`--clients N`).

clinic.py builds the demo clinic from people.py and the history of each domain
(program.py, mood.py, worksheets.py, review.py); synthetic.py, synthetic_people.py
and synthetic_data.py build a clinic of any size for the benchmarks.

May import any domain package; only icbt.cli imports it: the web app never does.
"""
