"""Analysis and planning that Cypher does poorly, with networkx on subgraphs pulled by named queries.

* ``network``: bridging units, orphan organisations, chain completeness.
"""
