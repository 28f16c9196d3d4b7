// Trunk post_build hook (Trunk.toml): moves the inline module script trunk writes into
// index.html (the wasm loader) into its own file, so that the page's Content-Security-Policy
// (index.html) can allow only the site's own scripts: `script-src 'self'`, no inline script.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('externalize-loader.mjs runs as a trunk hook (TRUNK_STAGING_DIR unset)');
const indexPath = join(dir, 'index.html');
const html = readFileSync(indexPath, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/g;
const found = [...html.matchAll(inline)];
if (found.length !== 1) throw new Error(`expected one inline module script, found ${found.length}`);
const code = found[0][1];
const name = `loader-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
writeFileSync(join(dir, name), code);
writeFileSync(indexPath, html.replace(found[0][0], `<script type="module" src="./${name}"></script>`));
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(readFileSync(indexPath, 'utf8'))) {
  throw new Error('index.html still has an inline script');
}
