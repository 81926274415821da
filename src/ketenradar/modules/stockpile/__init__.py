"""The strategic stockpile planner (issue 16): which raw materials, semi-finished products
and components to stock, how much, in which form, and at what cost.

Not registered as a module yet: the candidates and their data (``candidates.py``,
``prices.py``) and the method core (``analysis/``) come first; the CLI, web page and fact
tables follow. The method and its sources: ``docs/methods/stockpile.md``.
"""
