#!/usr/bin/env node
/**
 * Lines of lib/ stay under 140 characters (issue 22 item 6). Files that still have longer lines are
 * listed in scripts/long-lines-allow.txt with how many they have; the check fails when a file has
 * more than its listed count (an unlisted file: none), and notes a file that now has fewer, so that
 * its count can come down. Shorten lines where you touch a file; the list only shrinks.
 *
 *   node scripts/check-line-length.js [--root DIR] [--write]
 *
 * --write rewrites the list with today's counts (after shortening lines). Exit 0 when within the list.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const MAX = 140;

function tsFiles(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((entry) => {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return tsFiles(dir, child);
    return entry.name.endsWith('.ts') ? [child] : [];
  }).sort();
}

/** File (relative to the root, `lib/...`) → number of lines longer than MAX characters. */
function longLines(root) {
  const counts = new Map();
  for (const file of tsFiles(path.join(root, 'lib'))) {
    const lines = fs.readFileSync(path.join(root, 'lib', file), 'utf8').split('\n');
    const long = lines.filter((line) => line.length > MAX).length;
    if (long > 0) counts.set(`lib/${file}`, long);
  }
  return counts;
}

function readAllowed(file) {
  const allowed = new Map();
  if (!fs.existsSync(file)) return allowed;
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const [name, count] = line.split(/\s+/);
    allowed.set(name, Number(count));
  }
  return allowed;
}

function main(argv) {
  const rootAt = argv.indexOf('--root');
  const root = rootAt >= 0 ? path.resolve(argv[rootAt + 1]) : path.resolve(__dirname, '..');
  const listFile = path.join(__dirname, 'long-lines-allow.txt');
  const counts = longLines(root);
  if (argv.includes('--write')) {
    const header = `# Files of lib/ with lines over ${MAX} characters and how many (scripts/check-line-length.js); the list only shrinks.\n`;
    fs.writeFileSync(listFile, header + [...counts].map(([file, n]) => `${file} ${n}`).join('\n') + '\n');
    console.log(`check-line-length: wrote ${counts.size} files to ${path.relative(root, listFile)}`);
    return 0;
  }
  const allowed = readAllowed(listFile);
  const over = [...counts].filter(([file, n]) => n > (allowed.get(file) ?? 0));
  const fewer = [...allowed].filter(([file, n]) => (counts.get(file) ?? 0) < n);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`check-line-length: ${total} lines over ${MAX} characters in ${counts.size} files of lib/`);
  for (const [file, n] of fewer) console.log(`  note: ${file} has ${counts.get(file) ?? 0} (listed ${n}); lower its count (--write)`);
  for (const [file, n] of over) console.log(`  TOO LONG: ${file} has ${n} lines over ${MAX} characters (listed ${allowed.get(file) ?? 0})`);
  return over.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { MAX, longLines };
