// Lists of elements for the terminal, short: integers collapse into ranges ("889–1255, 1260"), anything else
// is listed as JSON; past a limit the rest is counted, not printed. Pure.

/** `values` as ranges of consecutive integers (sorted) when all are integers, else as JSON; at most `max` parts. */
export function compactList(values: readonly unknown[], max = 12): string {
  const parts: string[] = [];
  if (values.every((v) => Number.isInteger(v))) {
    const xs = [...new Set(values as number[])].sort((a, b) => a - b);
    for (let i = 0; i < xs.length; ) {
      let j = i;
      while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
      parts.push(j === i ? String(xs[i]) : `${xs[i]}–${xs[j]}`);
      i = j + 1;
    }
  } else {
    for (const v of values) parts.push(JSON.stringify(v));
  }
  if (parts.length <= max) return parts.join(', ');
  return `${parts.slice(0, max).join(', ')}, … (${parts.length - max} more part(s))`;
}
