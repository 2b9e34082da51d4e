// Validates every object in the given rendered manifests (multi-document YAML files) against its Kubernetes (or CRD)
// JSON schema from kubernetes-models, @kubernetes-models/keda and @kubernetes-models/prometheus-operator.
// These schemas check types, required fields and enumerations but let unknown fields pass; the container tests load
// the same rendered objects strictly with KubernetesClient's typed models, which rejects unknown fields.
//   node tools/k8s/validate.mjs rendered/*.yaml
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const packages = {
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

async function modelFor(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const pkg = packages[group] ?? "kubernetes-models";
  const module = await import(`${pkg}/${apiVersion}/${kind}`).catch(() => null);
  return module?.[kind] ?? null;
}

let objects = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) { failures.push(`${file}: YAML: ${doc.errors.join("; ")}`); continue; }
    const object = doc.toJSON();
    if (!object) continue;
    objects++;
    const name = `${file}: ${object.apiVersion}/${object.kind} ${object.metadata?.name}`;
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) { failures.push(`${name}: no schema for this apiVersion and kind`); continue; }
    try {
      new Model(object).validate();
    } catch (e) {
      failures.push(`${name}: ${e.message}`);
      continue;
    }
  }
}
for (const f of failures) console.error(`INVALID ${f}`);
console.log(`validated ${objects} objects: ${objects - failures.length} valid, ${failures.length} invalid`);
process.exit(failures.length || objects === 0 ? 1 : 0);
