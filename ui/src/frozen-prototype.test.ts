/// <reference types="node" />
// tauri.conf.json sets `freezePrototype`: the window freezes Object.prototype before any script
// runs, and libraries that assign over inherited properties (`proto.valueOf = …`) then throw at
// import. Recharts failed exactly so in the real window. Every runtime dependency must load under
// a frozen prototype; this checks them in a fresh Node process.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Vitest runs from ui/.
const ui = process.cwd();
const pkg = JSON.parse(readFileSync(join(ui, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

// Browser classes a library needs at import time and Node lacks: empty stand-ins, defined before the
// freeze (as the browser's own are), so that only the freeze is under test here. pdf.js then draws in
// the real window in the end-to-end suite.
const BROWSER_ONLY: Record<string, string[]> = {
  "pdfjs-dist": ["DOMMatrix", "Path2D", "ImageData"],
};

describe("runtime dependencies", () => {
  for (const name of Object.keys(pkg.dependencies)) {
    it(`${name} loads with Object.prototype frozen`, () => {
      const standIns = (BROWSER_ONLY[name] ?? []).map((g) => `globalThis.${g} = class ${g} {};`).join(" ");
      const script = `${standIns} Object.freeze(Object.prototype); await import(${JSON.stringify(name)}); console.log("ok");`;
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: ui,
        encoding: "utf8",
      });
      expect(out.trim()).toBe("ok");
    });
  }
});
