import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The UI lives in ui/; Tauri serves ui/dist (see src-tauri/tauri.conf.json).
export default defineConfig({
  root: "ui",
  plugins: [svelte({ configFile: false })],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // One CSS file and one script: no inline code for the CSP to allow.
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
  },
  test: {
    root: ".",
    include: ["ui/src/**/*.test.ts"],
  },
});
