// Type shim for d3-node 4 (ESM, ships no types): only the part the report uses.
// The DOM is jsdom's; the project compiles without the DOM lib, so nodes are typed structurally.
declare module 'd3-node' {
  import type * as d3 from 'd3';

  export interface D3NodeOptions {
    selector?: string;
    container?: string;
    styles?: string;
  }

  export class D3Node {
    constructor(options?: D3NodeOptions);
    readonly d3: typeof d3;
    createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): d3.Selection<d3.BaseType, unknown, null, undefined>;
    svgString(): string;
    html(): string;
  }
}
