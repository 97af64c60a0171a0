// A small XML well-formedness check for the SVG the report writes (tags nest, attributes quoted, entities
// known, one root), plus element counting by class. Test helper, not a full XML parser.

const ENTITY = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
const NAME = /^[A-Za-z_][\w:.-]*/;

function checkText(text: string, at: number): void {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    if (!ENTITY.test(text.slice(i))) throw new Error(`bad entity reference at ${at + i}: ${text.slice(i, i + 12)}`);
  }
}

/** Throws with the offset of the first problem; returns the number of elements. */
export function assertWellFormedXml(xml: string): number {
  let s = xml.replace(/^\uFEFF?<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let i = 0;
  let elements = 0;
  let roots = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = lt < 0 ? s.slice(i) : s.slice(i, lt);
    checkText(text, i);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root at ${i}`);
    if (lt < 0) break;
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt);
      if (end < 0) throw new Error(`unclosed comment at ${lt}`);
      i = end + 3;
      continue;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt);
      if (end < 0) throw new Error(`unclosed CDATA at ${lt}`);
      i = end + 3;
      continue;
    }
    const gt = s.indexOf('>', lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    const tag = s.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> at ${lt} closes <${open ?? 'nothing'}>`);
      i = gt + 1;
      continue;
    }
    const m = NAME.exec(tag);
    if (!m) throw new Error(`bad tag name at ${lt}: ${tag.slice(0, 20)}`);
    const selfClosing = tag.endsWith('/');
    let rest = tag.slice(m[0].length, selfClosing ? -1 : undefined);
    const seen = new Set<string>();
    while (rest.trim() !== '') {
      const a = /^\s+([A-Za-z_][\w:.-]*)\s*=\s*"([^"]*)"/.exec(rest);
      if (!a) throw new Error(`bad attribute in <${m[0]}> at ${lt}: ${rest.slice(0, 30)}`);
      if (seen.has(a[1] as string)) throw new Error(`duplicate attribute ${a[1]} at ${lt}`);
      seen.add(a[1] as string);
      if ((a[2] as string).includes('<')) throw new Error(`'<' in attribute ${a[1]} at ${lt}`);
      checkText(a[2] as string, lt);
      rest = rest.slice(a[0].length);
    }
    elements++;
    if (stack.length === 0) roots++;
    if (!selfClosing) stack.push(m[0]);
    i = gt + 1;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]}>`);
  if (roots !== 1) throw new Error(`expected one root element, got ${roots}`);
  s = '';
  return elements;
}

/** How many elements carry class `cls` (as one of their classes). */
export function countClass(xml: string, cls: string): number {
  let n = 0;
  for (const m of xml.matchAll(/\sclass="([^"]*)"/g)) if ((m[1] as string).split(/\s+/).includes(cls)) n++;
  return n;
}
