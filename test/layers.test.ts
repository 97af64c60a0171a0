// The layering holds: no source file imports across a forbidden edge (docs/layers.json: checkers are pure, the
// history format knows no judge, reports read stored runs, no lower layer imports the CLI, …). Reads the import
// specifiers of every .ts file under src/, checkers/, workloads/ and nemesis/, so it holds on any clone. The design
// whiteboard (../shared/spec/architecture-whiteboard.json beside the repository) is held against the code too.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importEdges, importSpecifiers } from './support/imports.js';

const ROOT = join(import.meta.dirname, '..');

interface Layers {
  parts: Record<string, string[]>;
  never: Array<[string, string, string]>;
  /** [from file, to file]: known edges awaiting a move */
  pending: Array<[string, string]>;
}

const layers = JSON.parse(readFileSync(join(ROOT, 'docs', 'layers.json'), 'utf8')) as Layers;

function partOf(file: string): string | null {
  for (const [part, prefixes] of Object.entries(layers.parts)) if (prefixes.some((p) => file.startsWith(p))) return part;
  return null;
}

/** Why an edge between two parts is forbidden, or null. */
function forbidden(from: string, to: string): string | null {
  if (from === to) return null;
  const rule = layers.never.find(([a, b]) => (a === from || a === '*') && b === to);
  return rule ? rule[2] : null;
}

describe('layers', () => {
  const edges = importEdges(ROOT, ['src', 'checkers', 'workloads', 'nemesis']);

  it('reads import specifiers, not comments or strings', () => {
    const text = [
      "import type { A } from '../a.js';",
      "// import { B } from '../b.js';",
      "/* export * from './c.js'; */",
      "export { D } from './d.js';",
      "const s = \"import('./e.js')\";",
      "const t = `from './f.js'`;",
      "import './g.js';",
      "const h = await import('../h.js');",
      'import {\n  i,\n  j,\n} from "./ij.js";',
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['../a.js', './d.js', './g.js', '../h.js', './ij.js']);
  });

  it('every source file belongs to a part', () => {
    const files = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((f) => !f.startsWith('node_modules/'));
    expect(files.filter((f) => partOf(f) === null)).toEqual([]);
  });

  it('no import crosses a forbidden edge (except the known pending ones)', () => {
    const pending = new Set(layers.pending.map(([a, b]) => `${a} -> ${b}`));
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const e of edges) {
      const a = partOf(e.from);
      const b = partOf(e.to);
      if (a === null || b === null) continue;
      const why = forbidden(a, b);
      if (why === null) continue;
      const edge = `${e.from} -> ${e.to}`;
      seen.add(edge);
      if (!pending.has(edge)) bad.push(`${a} → ${b} (${why}): ${edge}`);
    }
    expect(bad).toEqual([]);
    // a pending edge that no longer exists is removed from docs/layers.json, so the list only shrinks
    expect([...pending].filter((p) => !seen.has(p))).toEqual([]);
  });
});

/** The design whiteboard: parts (folders), and the imports that must never exist between them. */
interface Whiteboard {
  parts: Record<string, { is: string[] }>;
  never: Array<[string, string, string]>;
}

const WHITEBOARD = resolve(ROOT, '..', 'shared', 'spec', 'architecture-whiteboard.json');
const SHARED = resolve(ROOT, '..', 'shared');

if (!existsSync(WHITEBOARD)) {
  describe('layers: the design whiteboard', () => {
    it.skip(`skipped: ${WHITEBOARD} is absent (the shared design folder ${SHARED} lives beside the repository)`, () => {});
  });
}

describe.runIf(existsSync(WHITEBOARD))('layers: the design whiteboard', () => {
  const board = existsSync(WHITEBOARD) ? (JSON.parse(readFileSync(WHITEBOARD, 'utf8')) as Whiteboard) : { parts: {}, never: [] };
  const edges = importEdges(ROOT, ['src', 'checkers', 'workloads', 'nemesis']);

  it('each of its parts is a part of docs/layers.json holding at least its folders', () => {
    for (const [name, part] of Object.entries(board.parts)) {
      expect(layers.parts[name], name).toBeDefined();
      for (const folder of part.is) expect(layers.parts[name], `${name}: ${folder}`).toContain(folder);
    }
  });

  it('each of its never-arrows is a rule of docs/layers.json', () => {
    for (const [from, to] of board.never) expect(forbidden(from, to), `never ${from} → ${to}`).not.toBeNull();
  });

  it('no import crosses one of its never-arrows, its parts read as it draws them', () => {
    const boardPart = (file: string): string | null => {
      for (const [name, part] of Object.entries(board.parts)) if (part.is.some((p) => file.startsWith(p))) return name;
      return null;
    };
    const bad = edges.flatMap((e) => {
      const a = boardPart(e.from);
      const b = boardPart(e.to);
      const rule = board.never.find(([x, y]) => x === a && y === b);
      return rule ? [`${a} → ${b} (${rule[2]}): ${e.from} -> ${e.to}`] : [];
    });
    expect(bad).toEqual([]);
  });
});
