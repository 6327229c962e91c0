import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The server serves dist/ (copied next to its binary as wwwroot by Pingvas.Server.csproj).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets" },
  server: {
    proxy: { "/api": "http://127.0.0.1:5080", "/hubs": { target: "http://127.0.0.1:5080", ws: true } },
  },
  test: { environment: "node", include: ["src/**/*.test.ts", "src/**/*.test.tsx"] },
});
