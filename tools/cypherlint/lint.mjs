// Lint a batch of Neo4j 5 Cypher statements with Neo4j's own language-support package.
//
// stdin:  {"schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]},
//          "statements": ["MATCH ...", ...]}
// stdout: one list per statement (same order) of
//         {"severity": "error"|"warning", "message": str, "line": int, "column": int}
//         with 1-based line/column.
import {
  isNotParamError,
  lintCypherQuery,
  testData,
} from '@neo4j-cypher/language-support';

const CYPHER_VERSION = 'CYPHER 5';

// The package only checks function/procedure names when the DbSchema lists
// signatures, and it ships no default list apart from `testData.mockSchema` (a
// `SHOW FUNCTIONS/PROCEDURES` dump of a Neo4j instance with APOC and GDS).
// Keep what stock Neo4j 5 has, so plugin calls get reported as unknown.
const PLUGIN_PREFIXES = ['apoc.', 'gds.'];
const isStock = (name) => !PLUGIN_PREFIXES.some((p) => name.startsWith(p));

function pick(registry, keep) {
  return Object.fromEntries(
    Object.entries(registry).filter(([name, sig]) => keep(name, sig)),
  );
}

function buildDbSchema(schema) {
  const mock = testData.mockSchema;
  const dbSchema = {
    defaultLanguage: CYPHER_VERSION,
    functions: {
      [CYPHER_VERSION]: pick(mock.functions[CYPHER_VERSION], (name, sig) => sig.isBuiltIn && isStock(name)),
    },
    procedures: {
      [CYPHER_VERSION]: pick(mock.procedures[CYPHER_VERSION], isStock),
    },
  };
  // A missing key must stay undefined: the package skips that check instead of
  // flagging every name as unknown.
  for (const key of ['labels', 'relationshipTypes', 'propertyKeys']) {
    if (Array.isArray(schema?.[key])) dbSchema[key] = schema[key];
  }
  return dbSchema;
}

// Upstream attributes every property inside a node/relationship pattern to the
// pattern's variable, so `MATCH (a:Person {id: row.key})` reports `key` as an
// unknown property of `a`. Re-check such warnings against the variable that
// really precedes the dot and keep them only if it is a node or relationship.
const OWNER_BEFORE_DOT = /(`[^`]+`|[\p{L}_][\p{L}\p{N}_]*)\s*\.\s*$/u;

function isWrongPropertyWarning(query, diagnostic, symbols) {
  const { start, end } = diagnostic.offsets;
  const name = query.slice(start, end).replace(/^`|`$/g, '');
  if (!diagnostic.message.startsWith(`${name} is not present in the database.`)) {
    return false; // not a property warning
  }
  const before = query.slice(0, start);
  if (!/\.\s*$/.test(before)) return false; // a key of a pattern's property map: upstream is right
  const owner = OWNER_BEFORE_DOT.exec(before); // null for e.g. `$rows[0].key`
  const symbol =
    owner &&
    symbols.find((s) => s.definitionPosition === owner.index || s.references.includes(owner.index));
  const isEntity =
    symbol?.types.length > 0 &&
    symbol.types.every((t) => t === 'Node' || t === 'Relationship');
  return !isEntity;
}

function lintOne(query, dbSchema) {
  let result;
  try {
    result = lintCypherQuery(query, dbSchema, { consoleCommandsEnabled: false });
  } catch (err) {
    return [{ severity: 'error', message: `linter crashed: ${err}`, line: 1, column: 1 }];
  }
  const symbols = result.symbolTables.flat();
  return result.diagnostics
    // Parameters are supplied at run time; the package wants them declared up front.
    .filter((d) => isNotParamError(d) && !isWrongPropertyWarning(query, d, symbols))
    .map((d) => ({
      severity: d.severity === 1 ? 'error' : 'warning', // 1 = LSP DiagnosticSeverity.Error
      message: d.message,
      line: Math.max(d.range.start.line, 0) + 1,
      column: Math.max(d.range.start.character, 0) + 1,
    }));
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const input = JSON.parse(await readStdin());
if (!Array.isArray(input.statements)) {
  throw new Error('input needs a "statements" list');
}
const dbSchema = buildDbSchema(input.schema ?? {});
process.stdout.write(JSON.stringify(input.statements.map((q) => lintOne(q, dbSchema))));
