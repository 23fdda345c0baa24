"""The Cypher console: a statement is run only if it is *allowed*, never because nothing forbade it.

A statement typed by a user goes through four gates, in this order:

1. **Size and nesting**, on the raw text before anything scans it: at most ``MAX_CHARS``
   characters and ``MAX_DEPTH`` open brackets (a megabyte of comments or 3,000 nested
   parentheses are refused in microseconds instead of freezing or crashing a parser).
2. **Neo4j's own grammar** (``graph.cypherparse``): the text must parse with no error, hold one
   statement, and use only grammar rules on ``ALLOWED_RULES`` (the reading clauses MATCH, OPTIONAL
   MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION and the expressions inside
   them) and functions on ``ALLOWED_FUNCTIONS``. Anything else is refused by not being on a list:
   CALL, subqueries that are clauses, LOAD CSV, USE, SHOW, EXPLAIN/PROFILE, Kùzu's COPY / LOAD FROM
   / EXPORT / IMPORT / INSTALL / ATTACH (not Cypher: they do not parse), table functions.
3. **The accepted text only.** What runs is the parser's canonical text of the statement (comments
   and whitespace runs become one space, string literals one plain form), so a ``//@kuzu`` marker
   or a comment the engines read differently cannot survive; user text never goes through the
   dialect's ``//@neo4j``/``//@kuzu`` block selection, and for Kùzu only the function renames
   (``graph.dialect.to_kuzu``) are applied, after acceptance. A parse that does not finish within
   ``graph.cypherparse.PARSE_TIMEOUT`` seconds refuses the statement.
4. **The engine as a second wall** (``GraphStore.query_console``): Kùzu runs it in a read-only
   transaction; Neo4j checks the plan's query type with ``EXPLAIN`` and reads in a read
   transaction. Both stop the statement at ``timeout`` seconds and return at most ``row_cap`` rows.

Examples
--------
>>> check_limits("MATCH (n) RETURN n") is None
True
>>> check_limits("RETURN " + "(" * 100 + "1" + ")" * 100).code
'nesting'
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from graph.cypherparse import PARSE_TIMEOUT, ParserUnavailable, ParseTimeout, describe
from graph.dialect import to_kuzu
from graph.store import (Cancel, ConsoleCancelled, ConsoleTimeout, GraphStore, QueryError, Row,  # noqa: F401
                         WriteRefused)

#: longest statement the console reads (characters); the longest named query is under 3,000, and
#: parsing 10,000 characters of pathological text takes a second or two
MAX_CHARS = 10_000
#: deepest nesting of ( [ { the console reads; the named queries need 6
MAX_DEPTH = 40
DEFAULT_TIMEOUT = 30.0
DEFAULT_ROW_CAP = 5_000

_STRUCTURE = {
    "statementsOrCommands", "statementOrCommand", "preparsedStatement", "statement",
    "queryWithLocalDefinitions", "nextStatement", "regularQuery", "union", "singleQuery", "clause",
}
_CLAUSES = {
    "matchClause", "whereClause", "withClause", "unwindClause", "returnClause", "returnBody",
    "returnItems", "returnItem", "orderBy", "orderItem", "ascToken", "descToken", "skip", "limit",
    "orderBySkipLimitClause",
}
_PATTERNS = {
    "patternList", "pattern", "anonymousPattern", "shortestPathPattern", "patternElement",
    "pathPatternPrefix", "pathMode", "pathToken", "groupToken", "nonNegativeIntegerSpecification",
    "pathPatternNonEmpty", "parenthesizedPath", "quantifier", "nodePattern", "relationshipPattern",
    "leftArrow", "arrowLine", "rightArrow", "pathLength", "properties", "nodeLabels", "nodeLabelsIs",
    "labelType", "relType", "labelOrRelType", "labelExpression", "labelExpression4",
    "labelExpression3", "labelExpression2", "labelExpression1",
}
_EXPRESSIONS = {
    "expression", "expression11", "expression10", "expression9", "expression8", "expression7",
    "comparisonExpression6", "expression6", "expression5", "expression4", "expression3",
    "expression2", "expression1", "postFix", "property", "dynamicProperty", "literal",
    "caseExpression", "caseAlternative", "extendedCaseExpression", "extendedCaseAlternative",
    "extendedWhen", "listComprehension", "patternComprehension", "reduceExpression",
    "listItemsPredicate", "normalizeFunction", "normalForm", "trimFunction", "patternExpression",
    "shortestPathExpression", "parenthesizedExpression", "mapProjection", "mapProjectionElement",
    "countStar", "existsExpression", "countExpression", "collectExpression", "numberLiteral",
    "signedIntegerLiteral", "listLiteral", "map", "stringLiteral", "propertyKeyName", "parameter",
    "parameterName", "functionInvocation", "functionArgument", "functionName", "namespace",
    "variable", "symbolicVariableNameString", "escapedSymbolicVariableNameString",
    "unescapedSymbolicVariableNameString", "symbolicNameString", "escapedSymbolicNameString",
    "unescapedSymbolicNameString", "unescapedSymbolicNameString_",
}
#: every grammar rule a console statement may use; any other rule refuses it
ALLOWED_RULES = frozenset(_STRUCTURE | _CLAUSES | _PATTERNS | _EXPRESSIONS)

#: functions a console statement may call (lower case; Neo4j's names and Kùzu's spellings of the
#: same pure functions). No namespaced function (``apoc.*``, ``db.*``, ``gds.*``) is allowed.
ALLOWED_FUNCTIONS = frozenset("""
count sum avg min max collect stdev stdevp percentilecont percentiledisc
coalesce size length head last tail labels label type keys properties nodes relationships
startnode endnode elementid id isempty range reverse
tostring tointeger tofloat toboolean tostringornull tointegerornull tofloatornull tobooleanornull
tolower toupper lower upper trim ltrim rtrim replace substring left right split string_split
concat char_length character_length starts_with ends_with contains initcap lpad rpad repeat
regexp_matches regexp_replace regexp_extract list_contains list_concat list_sort list_distinct
abs ceil floor round sign sqrt exp log log10 ln sin cos tan asin acos atan atan2 cot radians
degrees pi e rand haversin
date datetime localdatetime localtime time duration timestamp current_date current_timestamp
date_part
""".split())


class ConsoleRefused(PermissionError):
    """The console did not run the statement: ``zh``/``en`` say why, ``detail`` is the parser's or
    the checker's own text, ``code`` names the gate (size, nesting, syntax, statements, clause,
    function, parser, empty)."""

    def __init__(self, code: str, zh: str, en: str, detail: str = ""):
        self.code, self.zh, self.en, self.detail = code, zh, en, detail
        super().__init__(f"{zh} {en}" + (f"\n{detail}" if detail else ""))


@dataclass
class ConsoleResult:
    rows: list[Row]
    columns: list[str]
    truncated: bool          # more rows than ``row_cap`` existed; only the first ``row_cap`` are here
    seconds: float
    statement: str           # what was sent to the engine
    row_cap: int = 0
    notes: list[str] = field(default_factory=list)


def settings(env=None) -> tuple[float, int]:
    """(timeout in seconds, row cap) from ``ORGNET_CONSOLE_TIMEOUT`` / ``ORGNET_CONSOLE_ROWS``."""
    env = os.environ if env is None else env
    try:
        timeout = float(env.get("ORGNET_CONSOLE_TIMEOUT", DEFAULT_TIMEOUT))
        rows = int(env.get("ORGNET_CONSOLE_ROWS", DEFAULT_ROW_CAP))
    except ValueError as e:
        raise ValueError(f"ORGNET_CONSOLE_TIMEOUT / ORGNET_CONSOLE_ROWS 须为数字 must be numbers: {e}") from None
    if timeout <= 0 or rows <= 0:
        raise ValueError("ORGNET_CONSOLE_TIMEOUT 和 ORGNET_CONSOLE_ROWS 须大于 0 (must be positive)")
    return timeout, rows


def check_limits(text: str) -> ConsoleRefused | None:
    """Size and nesting, in one linear pass over the raw text (brackets inside strings count too:
    a limit that over-counts refuses, it never lets something through)."""
    if not text.strip():
        return ConsoleRefused("empty", "请输入一条查询语句。", "Type a statement.")
    if len(text) > MAX_CHARS:
        return ConsoleRefused("size", f"语句过长：{len(text):,} 个字符，控制台最多接受 {MAX_CHARS:,} 个。",
                              f"The statement is {len(text):,} characters; the console takes at most {MAX_CHARS:,}.")
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return ConsoleRefused("nesting", f"括号嵌套过深（超过 {MAX_DEPTH} 层），请简化语句。",
                                          f"Brackets nest deeper than {MAX_DEPTH} levels; simplify the statement.")
        elif ch in ")]}" and depth:
            depth -= 1
    return None


def check(text: str) -> str:
    """The canonical text of ``text`` if the console may run it; raises ``ConsoleRefused``."""
    refused = check_limits(text)
    if refused:
        raise refused
    try:
        parsed = describe(text)
    except ParseTimeout as e:
        raise ConsoleRefused("complex", f"语句过于复杂：语法检查超过 {PARSE_TIMEOUT:g} 秒，未执行；请简化（例如减少嵌套的 CASE）。",
                             "The statement is too complex to check in time; simplify it.", str(e)) from None
    except ParserUnavailable as e:
        raise ConsoleRefused("parser", "语法检查器不可用，控制台暂停服务（宁可不执行，也不放过未检查的语句）。",
                             "The Cypher parser is unavailable, so the console runs nothing.", str(e)) from None
    if parsed.errors:
        detail = "\n".join(f"第 {e['line']} 行第 {e['column']} 列 line {e['line']}, column {e['column']}: {e['message']}"
                           for e in parsed.errors[:5])
        raise ConsoleRefused("syntax", "语法错误，或不是控制台支持的 Cypher 读查询（COPY、LOAD FROM、EXPORT 等 Kùzu 命令不被接受）。",
                             "Syntax error, or not a Cypher read query the console accepts.", detail)
    if parsed.statements != 1:
        raise ConsoleRefused("statements", f"一次只能执行一条语句，这里有 {parsed.statements} 条。",
                             f"One statement at a time; this text holds {parsed.statements}.")
    rules = sorted(parsed.rules - ALLOWED_RULES)
    if rules:
        raise ConsoleRefused("clause", "控制台只接受读取子句（MATCH、OPTIONAL MATCH、WHERE、WITH、UNWIND、RETURN、"
                             "ORDER BY、SKIP、LIMIT）；该语句含有其他子句或语法，未执行。",
                             "The console accepts reading clauses only; this statement uses something else.",
                             "不允许的语法 not allowed: " + ", ".join(rules))
    bad = sorted({f for f in parsed.functions if f.lower() not in ALLOWED_FUNCTIONS})
    if bad:
        raise ConsoleRefused("function", f"控制台不允许调用这些函数：{'、'.join(bad)}。",
                             f"The console does not allow these functions: {', '.join(bad)}.",
                             "允许的函数 allowed: " + ", ".join(sorted(ALLOWED_FUNCTIONS)))
    canonical = parsed.canonical.rstrip()
    if canonical.endswith(";"):
        canonical = canonical[:-1].rstrip()
    return canonical


def run_console(store: GraphStore, text: str, *, timeout: float | None = None, row_cap: int | None = None,
                params: dict | None = None, cancel: Cancel | None = None) -> ConsoleResult:
    """Check ``text`` (``check``) and run the accepted statement read-only on ``store``.

    Raises ``ConsoleRefused`` (not run), ``ConsoleTimeout`` (stopped at ``timeout`` seconds),
    ``ConsoleCancelled`` (stopped through ``cancel``), ``WriteRefused`` (the engine's plan
    writes) or ``QueryError`` (the engine refused it; its text is in the message).
    """
    default_timeout, default_rows = settings()
    timeout = default_timeout if timeout is None else float(timeout)
    row_cap = default_rows if row_cap is None else int(row_cap)
    statement = check(text)
    if store.backend == "kuzu":
        statement = to_kuzu(statement)
    start = time.perf_counter()
    columns, rows, truncated = store.query_console(statement, params, timeout=timeout, row_cap=row_cap,
                                                   cancel=cancel)
    return ConsoleResult(rows=rows, columns=columns, truncated=truncated, seconds=time.perf_counter() - start,
                         statement=statement, row_cap=row_cap)


def run(store: GraphStore, text: str) -> list[Row]:
    """The rows of ``run_console`` with the configured limits (for callers that only want rows)."""
    return run_console(store, text).rows


def explain_error(e: BaseException) -> tuple[str, str]:
    """(Chinese message, the engine's or checker's own text) for an error the console raised."""
    if isinstance(e, ConsoleRefused):
        return f"{e.zh}（{e.en}）", e.detail
    if isinstance(e, ConsoleTimeout):
        return (f"查询超过 {e.seconds:g} 秒的时限，已停止；请加 LIMIT、缩小匹配范围或限定路径长度。"
                f"(Stopped at the {e.seconds:g} s limit.)", str(e.engine_text))
    if isinstance(e, ConsoleCancelled):
        return "查询已停止。(The query was stopped.)", str(e.engine_text)
    if isinstance(e, WriteRefused):
        return "数据库判定该语句会写入，未执行。(The engine's plan writes; nothing was run.)", str(e)
    if isinstance(e, PermissionError):  # the role may not (access.roles.AccessDenied): already Chinese first
        return str(e), ""
    if isinstance(e, QueryError):
        return "数据库拒绝了该语句，请检查标签、属性名和函数。(The database refused the statement.)", str(e)
    return "查询失败。(The query failed.)", str(e)
