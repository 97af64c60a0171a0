// The import graph of the source tree, read from the text: every static import / export-from, side-effect
// import and dynamic import() specifier of each .ts file (comments and string contents cannot fake one).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The specifiers a TypeScript source imports, in order. */
export function importSpecifiers(text: string): string[] {
  // one pass: comments dropped, each string literal replaced by a placeholder (its value kept), templates blanked
  const strings: string[] = [];
  let code = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      code += ' ';
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c && text[j] !== '\n') {
        if (text[j] === '\\') j++;
        value += text[j] ?? '';
        j++;
      }
      code += ` \u0000${strings.length}\u0000 `;
      strings.push(value);
      i = j + 1;
    } else if (c === '`') {
      let j = i + 1;
      let depth = 0;
      while (j < text.length && !(text[j] === '`' && depth === 0)) {
        if (text[j] === '\\') j++;
        else if (text[j] === '$' && text[j + 1] === '{') depth++;
        else if (text[j] === '}' && depth > 0) depth--;
        j++;
      }
      code += ' ``';
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  const out: string[] = [];
  const S = '\\u0000(\\d+)\\u0000';
  const patterns = [
    new RegExp(`(?:^|[^.\\w$])import\\s*\\(\\s*${S}`, 'g'),
    new RegExp(`(?:^|[^.\\w$])(?:import|export)\\b[^;\\u0000]*?\\bfrom\\s*${S}`, 'g'),
    new RegExp(`(?:^|[^.\\w$])import\\s+${S}`, 'g'),
  ];
  const found: Array<[number, string]> = [];
  for (const p of patterns) for (const m of code.matchAll(p)) found.push([m.index ?? 0, strings[Number(m[1])]!]);
  for (const [, s] of found.sort((a, b) => a[0] - b[0])) out.push(s);
  return out;
}

/** Every .ts file under the given directories of root, as root-relative paths with / separators. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(root, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

export interface ImportEdge {
  from: string;
  /** the imported file, root-relative (a relative specifier resolved; .js read as the .ts beside it) */
  to: string;
  specifier: string;
}

/** The edges between files of the tree (package imports such as 'pg' or 'node:fs' are left out). */
export function importEdges(root: string, dirs: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of sourceFiles(root, dirs)) {
    for (const specifier of importSpecifiers(readFileSync(join(root, from), 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const to = relative(root, resolve(root, dirname(from), specifier)).split(sep).join('/').replace(/\.js$/, '.ts');
      edges.push({ from, to, specifier });
    }
  }
  return edges;
}
