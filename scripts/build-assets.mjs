// Builds the front-end assets into static_build/ (git-ignored; Django serves it via STATICFILES_DIRS):
//   static_build/css/app.css                    compiled from assets/scss/app.scss (Dart Sass)
//   static_build/govuk/govuk-frontend.min.js    GOV.UK Frontend's ES module bundle, with its .map
//   static_build/govuk/assets/images/...        images referenced by the compiled CSS
//   static_build/images/favicon.svg             the portal's own favicon (GOV.UK's is the crown)
//   static_build/js/hr-extract.js               the "build the return from HR data" page (esbuild)
//   static_build/js/hr-extract-worker.js        its Web Worker, with papaparse bundled in
//
// Usage: `npm run build` (after `npm ci`). Idempotent: static_build/ is rebuilt from scratch.
// `--css-only` skips the copying step.

import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";
import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "static_build");
const require = createRequire(import.meta.url);
const govukDist = path.join(path.dirname(require.resolve("govuk-frontend/package.json")), "dist", "govuk");
const cssOnly = process.argv.includes("--css-only");

// A neutral favicon: this is not a GOV.UK service, so the crown favicons must not be used.
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">\
<rect width="32" height="32" rx="4" fill="#1d70b8"/>\
<text x="16" y="23" font-family="arial, sans-serif" font-size="20" font-weight="700" \
text-anchor="middle" fill="#ffffff">W</text></svg>
`;

async function buildCss() {
  const entry = path.join(root, "assets", "scss", "app.scss");
  const result = await sass.compileAsync(entry, {
    style: "compressed",
    sourceMap: false,
    importers: [new sass.NodePackageImporter(root)],
    // Deprecation warnings from inside govuk-frontend are not ours to fix.
    quietDeps: true,
  });
  const target = path.join(out, "css", "app.css");
  await rm(path.dirname(target), { recursive: true, force: true });
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, result.css + "\n");
  console.log(`built ${path.relative(root, target)} (${result.css.length} bytes)`);
}

async function copyGovuk() {
  const target = path.join(out, "govuk");
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
    await cp(path.join(govukDist, name), path.join(target, name));
  }
  // Images only: the portal uses Arial, so the GDS Transport fonts are not needed (or licensed).
  await cp(path.join(govukDist, "assets", "images"), path.join(target, "assets", "images"), {
    recursive: true,
  });
  console.log(`copied govuk-frontend JS, source map and images to ${path.relative(root, target)}`);

  const images = path.join(out, "images");
  await rm(images, { recursive: true, force: true });
  await mkdir(images, { recursive: true });
  await writeFile(path.join(images, "favicon.svg"), FAVICON_SVG);
}

// The HR-extract page and its worker: bundled because papaparse is CommonJS and a classic worker
// cannot import modules by hashed static URL. Minified, one file each, no source maps.
async function buildHrExtract() {
  const target = path.join(out, "js");
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  const common = { bundle: true, minify: true, target: ["es2020"], legalComments: "eof", logLevel: "warning" };
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, "assets", "js", "hr-extract", "page.mjs")],
    outfile: path.join(target, "hr-extract.js"),
    format: "esm",
  });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, "assets", "js", "hr-extract", "worker.mjs")],
    outfile: path.join(target, "hr-extract-worker.js"),
    format: "iife",
  });
  console.log(`bundled the HR-extract page and worker into ${path.relative(root, target)}`);
}

await mkdir(out, { recursive: true });
await buildCss();
if (!cssOnly) {
  await copyGovuk();
  await buildHrExtract();
}
