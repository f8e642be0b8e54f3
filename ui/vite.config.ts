/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Tauri window loads `dist/` through its own protocol; the CSP in ../tauri.conf.json allows
// only same-origin scripts and styles, so nothing here may inline them.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // The invoice PDF's labels are the UI's "document" catalogue (src/i18n.ts); nothing else
    // outside ui/ is served.
    fs: { allow: [".", "../crates/invoice-pdf/labels.json"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // Generous: the 2-core CI machine may be busy; a slow test is not a failing one.
    testTimeout: 20_000,
  },
});
