"""The named-query library: one ``.cypher`` file per query beside the code that runs them.

* ``registry``: reads the ``.cypher`` files and their headers, binds parameters, runs a query;
* ``coverage``: the 22 coverage rules — violations with where they lie, and roll-ups by area;
* ``neighbourhood``: a node's neighbourhood hop by hop, for the network picture;
* ``readonly``: the check that keeps the free Cypher console from writing.
"""
