// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { fileURLToPath } from 'node:url';

/**
 * Monaco's ESM modules import their own CSS files, which Astro would link into every page with a
 * lab. The YAML editor injects Monaco's combined stylesheet itself when it loads
 * (src/ui/yaml-editor.ts), so those imports become one empty module here.
 */
const monacoCssOnDemand = {
  name: 'monaco-css-on-demand',
  enforce: /** @type {const} */ ('pre'),
  /** @param {string} source @param {string | undefined} importer */
  resolveId(source, importer) {
    if (importer && /[\\/]monaco-editor[\\/]esm[\\/]/.test(importer) && source.endsWith('.css')) return '\0monaco-css';
    return null;
  },
  /** @param {string} id */
  load(id) {
    return id === '\0monaco-css' ? 'export {};' : null;
  },
};

export default defineConfig({
  site: 'http://localhost:4321',
  integrations: [mdx()],
  devToolbar: { enabled: false },
  vite: {
    optimizeDeps: { include: ['@xterm/xterm', '@xterm/addon-fit'] },
    plugins: [monacoCssOnDemand],
    // The YAML editor's worker formats nothing: prettier stays out of it (src/ui/prettier-stub.ts).
    resolve: {
      alias: [{ find: /^prettier\/(standalone|plugins\/yaml|plugins\/estree)$/, replacement: fileURLToPath(new URL('./src/ui/prettier-stub.ts', import.meta.url)) }],
    },
  },
});
