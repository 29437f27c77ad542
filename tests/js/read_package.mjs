// Read the data package the way a JavaScript user does, with the Frictionless Data JS
// library: load the descriptor (a path or an http(s) address), read every resource
// keyed and with every foreign key resolved, and print what was read as JSON.
// Usage: node tests/js/read_package.mjs <datapackage.json or its address> <figure_id> <claim_id>
// Run by tests/test_clients.py; the library is pinned in package-lock.json (npm ci).
import { createRequire } from "node:module";
import datapackage from "datapackage";

const { Package } = datapackage;
const [descriptor, figureId, claimId] = process.argv.slice(2);
if (!descriptor || !figureId || !claimId) {
  console.error("usage: node tests/js/read_package.mjs <datapackage.json or its address> <figure_id> <claim_id>");
  process.exit(2);
}

const pkg = await Package.load(descriptor);
if (!pkg.valid) {
  console.error(`the descriptor is not valid: ${pkg.errors.map((e) => e.message).join("; ")}`);
  process.exit(1);
}

const counts = {};
const tables = {};
// the tables: the package's other files (reports, pages, charts) are resources without rows
const tabular = pkg.resources.filter((resource) => resource.tabular);
for (const resource of tabular) {
  // relations: true looks up each foreign key in the resource it names and throws if one is missing
  const rows = await resource.read({ keyed: true, relations: true });
  counts[resource.name] = rows.length;
  tables[resource.name] = rows;
}

const figure = tables.figures.find((row) => row.figure_id === figureId);
const claim = tables.claims.find((row) => row.claim_id === claimId);
if (!figure || !claim) {
  console.error(`no figure ${figureId} or no claim ${claimId} in the package`);
  process.exit(1);
}

// the library casts a date to local midnight, so it is written back from local parts, not toISOString()
const pad = (n) => String(n).padStart(2, "0");
const day = (d) => (d instanceof Date ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : d);
const out = {
  library: createRequire(import.meta.url)("datapackage/package.json").version,
  name: pkg.descriptor.name,
  resources: tabular.map((r) => r.name),
  rows: counts,
  foreign_keys: Object.fromEntries(tabular.map((r) => [r.name, r.schema.foreignKeys.length])),
  figure: {
    figure_id: figure.figure_id,
    value: figure.value,
    value_type: typeof figure.value,
    period_start: day(figure.period_start),
    char_start: figure.char_start,
    source: { source_id: figure.source_id.source_id, publisher: figure.source_id.publisher },
  },
  claim: {
    claim_id: claim.claim_id,
    computed: claim.computed,
    figure: { figure_id: claim.figure_id.figure_id, value: claim.figure_id.value, source_id: claim.figure_id.source_id },
  },
};
console.log(JSON.stringify(out, null, 2));
