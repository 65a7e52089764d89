/**
 * The small DOM helpers the lab's views share: building an element with its attributes and
 * children in one call, and adding a view's stylesheet to the page once.
 *
 * Design notes: views that load on demand (the packet path view, the topology view, the YAML
 * editor) bring their CSS as a string with their code and add it when first mounted, so a lab
 * page that never opens them downloads none of it.
 */

export type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * An element with attributes and children: strings become text, `null`, `undefined` and
 * `false` are skipped, an attribute `true` is written empty and `false` or `undefined` left
 * out, `class` sets the class name.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** Adds `css` to the page's head as a style element with this id, unless one is there already. */
export function injectStyle(id: string, css: string): HTMLStyleElement {
  const found = document.getElementById(id);
  if (found instanceof HTMLStyleElement) return found;
  const style = document.createElement('style');
  style.id = id;
  style.textContent = css;
  document.head.append(style);
  return style;
}
