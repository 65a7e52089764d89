// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

export default defineConfig({
  site: 'http://localhost:4321',
  integrations: [mdx()],
  devToolbar: { enabled: false },
  vite: {
    optimizeDeps: { include: ['@xterm/xterm', '@xterm/addon-fit'] },
  },
});
