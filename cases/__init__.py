"""The rectification ledger (整改台账): every coverage gap becomes a case that is tracked to its close.

* ``ledger``: read the cases, open / mark fixed / reopen them after a load (``sync``), close them;
* ``tasklist``: a community's XLSX task list, and reading it back when the community returns it.

Cases live in the graph (label ``Rectification``) but are only ever written through ledgers the
loader validates and archives: ``sync`` writes a 整改台账 file and loads it, a returned task list is
loaded as an 整改任务清单, a close is a one-sheet 整改台账. ``orgnet rebuild`` replays the archive,
so the cases, their history and every status a community reported come back with the rest.
"""
