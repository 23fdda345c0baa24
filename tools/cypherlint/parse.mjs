// Parse Cypher statements typed into orgnet's console with Neo4j's own grammar (the ANTLR parser
// generated inside @neo4j-cypher/language-support) and describe them for the allow-list check.
//
// A long-lived process: one JSON request per line on stdin, one JSON answer per line on stdout, so
// the parser is loaded once (starting node and loading it costs about a second). It exits when
// stdin closes, i.e. when the Python process that started it ends.
//
// request:  {"text": "MATCH (n) RETURN n"}
// answer:   {"errors": [{"line", "column", "message"}],   syntax errors (lexer and parser)
//            "statements": n,                              how many statements the text holds
//            "rules": ["matchClause", ...],                every grammar rule used (unique)
//            "functions": ["count", "toUpper", ...],       every function invoked (as written)
//            "canonical": "MATCH (n) RETURN n"}            the text with every comment and run of
//                                                          whitespace turned into one space and
//                                                          every string literal re-written plainly
import { createInterface } from 'node:readline';
import { BaseErrorListener, CharStream, CommonTokenStream, ParserRuleContext, Token } from 'antlr4ng';
import { CypherCmdLexer } from './node_modules/@neo4j-cypher/language-support/dist/esm/project/language-support/src/generated-parser/CypherCmdLexer.js';
import { CypherCmdParser } from './node_modules/@neo4j-cypher/language-support/dist/esm/project/language-support/src/generated-parser/CypherCmdParser.js';

class Collect extends BaseErrorListener {
  constructor() {
    super();
    this.errors = [];
  }
  syntaxError(recognizer, symbol, line, column, message) {
    this.errors.push({ line, column: column + 1, message });
  }
}

const ESCAPES = { '\\': '\\', "'": "'", '"': '"', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

// The value of a string literal under Neo4j's rules; null for an escape Neo4j would not accept.
function decodeString(token) {
  const body = token.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    if (next in ESCAPES) {
      out += ESCAPES[next];
      i += 1;
    } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (next === 'U' && /^[0-9a-fA-F]{8}$/.test(body.slice(i + 2, i + 10))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 10), 16));
      i += 9;
    } else {
      return null;
    }
  }
  return out;
}

// One plain form both engines read the same way: single quotes, only \\ and \' escaped (Kùzu reads
// \n as the letter n, so newlines and tabs stay as they are).
function encodeString(value) {
  return "'" + value.replace(/[\\']/g, (c) => '\\' + c) + "'";
}

function describe(text) {
  const listener = new Collect();
  const lexer = new CypherCmdLexer(CharStream.fromString(text));
  lexer.removeErrorListeners();
  lexer.addErrorListener(listener);
  const tokens = new CommonTokenStream(lexer);
  const parser = new CypherCmdParser(tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(listener);
  const tree = parser.statementsOrCommands();

  const rules = new Set();
  const functions = [];
  let statements = 0;
  const stack = [tree];
  while (stack.length) {
    const node = stack.pop();
    if (!(node instanceof ParserRuleContext)) continue;
    const rule = CypherCmdParser.ruleNames[node.ruleIndex];
    rules.add(rule);
    if (rule === 'statementOrCommand') statements += 1;
    if (rule === 'functionName') functions.push(node.getText());
    for (let i = node.getChildCount() - 1; i >= 0; i--) stack.push(node.getChild(i));
  }

  const parts = [];
  for (const token of tokens.getTokens()) {
    if (token.type === Token.EOF) break;
    if (token.channel !== Token.DEFAULT_CHANNEL) {
      if (parts.length && parts[parts.length - 1] !== ' ') parts.push(' ');
      continue;
    }
    const t = token.text ?? '';
    if (token.type === CypherCmdLexer.STRING_LITERAL1 || token.type === CypherCmdLexer.STRING_LITERAL2) {
      const value = decodeString(t);
      if (value === null) {
        listener.errors.push({ line: token.line, column: token.column + 1, message: `unsupported escape sequence in ${t.slice(0, 40)}` });
        parts.push(t);
      } else {
        parts.push(encodeString(value));
      }
    } else {
      parts.push(t);
    }
  }
  return {
    errors: listener.errors.slice(0, 20),
    statements,
    rules: [...rules].sort(),
    functions,
    canonical: parts.join('').trim(),
  };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  let answer;
  try {
    answer = describe(JSON.parse(line).text);
  } catch (err) {
    // A stack overflow on absurd nesting lands here; the caller limits nesting first anyway.
    answer = { errors: [{ line: 1, column: 1, message: `parser failed: ${err}` }], statements: 0, rules: [], functions: [], canonical: '' };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
rl.on('close', () => process.exit(0));
