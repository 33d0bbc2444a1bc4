// The admin console: `vite build web` writes web/dist, which `mailroom serve` serves.
// `vite web` runs it in development against a Mailroom on the default port.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8640' } },
});
