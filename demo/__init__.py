"""The demo county generator: realistic, deterministic ledgers with planted coverage gaps.

``generate`` builds a whole county (streets, communities, compounds, multi-level grids, buildings,
units, households, party organisations along the county's own chain wording, people in every role,
双报到, 包联, property companies, owners' bodies, service sites) calibrated on a profile of
``../shared/domain/GLOSSARY.md`` §8, and writes it as ledgers in the loaders' template format
(one workbook with a sheet per ledger, or one CSV per ledger). Every coverage rule of
``docs/coverage-rules.md`` is violated by a few planted entities (``gap_rate`` of the rule's
population, at least one); the manifest JSON names exactly those entities, and everything else
satisfies every rule.

How the figures a report states are kept exact: the territory is built top-down with exact integer
apportionment (largest remainder, with minimums and caps) at every level: communities → grids
(level by level) → households per basic grid → buildings → units → households per unit; compounds
are cut from each community's buildings. Where leader counts are stated, the number of buildings
follows from the 双楼长 arithmetic (two leaders per building, none for the planted "no leader"
buildings, one for the planted "not a pair" buildings) and the number of units from the unit
leaders (one per unit, none for the planted "no unit leader" units).

``run_demo`` writes the ledgers and loads them through the real front door (``loaders.engine.load``);
``recompute`` evaluates every rule again, in plain Python, from the ledger files alone.

The package, by what it does (``loaders`` below it reads, validates and loads the ledgers):

- ``profiles``: the four seed-calibrated county profiles and the word pools names are drawn from;
- ``common``: rule ids, parameters, apportionment, distances, the in-memory records, ``Generated``;
- ``county``: ``_County``, the county in memory: state, helpers, step order, ledger rows, manifest;
- ``territory``: streets, communities, grids, compounds, buildings, units, households;
- ``people``: party organisations, people and their roles;
- ``organisations``: co-building units, 双报到, property companies, owners' bodies;
- ``services``: 包联, party-centre households, service sites, volunteers;
- ``writing``: ``generate`` (xlsx/CSV ledgers and the manifest) and ``run_demo``;
- ``recompute``: every rule recomputed from the ledger files alone.

Examples
--------
>>> g = generate("gaoqing", scale=0.05, seed=1, out_dir="/tmp/orgnet-demo", fmt="csv")  # doctest: +SKIP
>>> sorted(recompute(g.paths)) == sorted(g.rules)                                       # doctest: +SKIP
True
"""
from .common import PARAMS, RULE_IDS, Generated, SiteIndex, apportion, haversine
from .profiles import PROFILES, Profile
from .recompute import read_ledgers, recompute
from .writing import default_out_dir, generate, run_demo

__all__ = ["PARAMS", "PROFILES", "RULE_IDS", "Generated", "Profile", "SiteIndex", "apportion", "default_out_dir",
           "generate", "haversine", "read_ledgers", "recompute", "run_demo"]
