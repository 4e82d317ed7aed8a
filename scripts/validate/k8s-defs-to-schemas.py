#!/usr/bin/env python3
"""Split the Kubernetes JSON-schema definitions file into kubeconform's stand-alone strict schemas.

Input : ../shared/crds/k8s-v<ver>-definitions.json ({"definitions": {...}}, refs "#/definitions/...",
        the output of `openapi2jsonschema --kubernetes` on the Kubernetes swagger.json).
Output: <out>/v<ver>-standalone-strict/<kind><kindSuffix>.json, the layout kubeconform's default
        template uses: {{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/
        {{ .ResourceKind }}{{ .KindSuffix }}.json  (e.g. deployment-apps-v1.json, service-v1.json).

"Strict" is done with the very functions of kubeconform's own converter (scripts/openapi2jsonschema.py,
path given as argv[1]): additional_properties() (additionalProperties: false on every object with
properties, the root included, like DENY_ROOT_ADDITIONAL_PROPERTIES) and replace_int_or_string().
Each file is stand-alone: it carries, under "definitions", every definition it references
(transitively), so no $ref leaves the file and nothing is downloaded.

usage: k8s-defs-to-schemas.py <openapi2jsonschema.py> <definitions.json> <out-dir> <k8s-version>
       k8s-defs-to-schemas.py --crd-root <dir>
  The second form post-processes the CRD schemas that openapi2jsonschema.py wrote with
  DENY_ROOT_ADDITIONAL_PROPERTIES=1: a CRD's openAPIV3Schema may leave out apiVersion, kind and
  metadata (Istio's list only spec and status), which the API server always accepts, so they are
  added to the root's properties when missing; any other unknown root field stays an error.
"""
import copy
import importlib.util
import json
import os
import sys


def load_converter(path):
    spec = importlib.util.spec_from_file_location("openapi2jsonschema", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def refs(node, acc):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/definitions/"):
            acc.add(r[len("#/definitions/"):])
        for v in node.values():
            refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            refs(v, acc)
    return acc


def closure(defs, name):
    seen, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(refs(defs[n], set()) - seen)
    seen.discard(name)
    return seen


def crd_root(directory):
    implicit = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}
    n = 0
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".json"):
            continue
        path = os.path.join(directory, fn)
        schema = json.load(open(path))
        props = schema.setdefault("properties", {})
        missing = [k for k in implicit if k not in props]
        for k in missing:
            props[k] = implicit[k]
        if missing:
            n += 1
            with open(path, "w") as f:
                json.dump(schema, f, separators=(",", ":"))
    print("added implicit apiVersion/kind/metadata to the root of %d CRD schemas in %s" % (n, directory))


def main():
    if sys.argv[1] == "--crd-root":
        return crd_root(sys.argv[2])
    conv_path, defs_path, out_dir, version = sys.argv[1:5]
    conv = load_converter(conv_path)
    defs = json.load(open(defs_path))["definitions"]
    target = os.path.join(out_dir, "v%s-standalone-strict" % version.lstrip("v"))
    os.makedirs(target, exist_ok=True)
    count = 0
    for name, d in sorted(defs.items()):
        gvks = d.get("x-kubernetes-group-version-kind") or []
        # Only real resources (one GVK); DeleteOptions/WatchEvent list every group and are never applied.
        if len(gvks) != 1:
            continue
        g, v, k = gvks[0].get("group", ""), gvks[0]["version"], gvks[0]["kind"]
        suffix = "-%s-%s" % (g.split(".")[0], v) if g else "-%s" % v
        schema = copy.deepcopy(d)
        deps = closure(defs, name)
        if deps:
            schema["definitions"] = {n: copy.deepcopy(defs[n]) for n in sorted(deps)}
        # kubeconform's converter: strict objects (root too) and int-or-string.
        schema = conv.additional_properties(schema, skip=False)
        if "definitions" in schema:
            # the "definitions" map itself is not an object schema
            schema["definitions"].pop("additionalProperties", None)
        schema = conv.replace_int_or_string(schema)
        with open(os.path.join(target, "%s%s.json" % (k.lower(), suffix)), "w") as f:
            json.dump(schema, f, separators=(",", ":"))
        count += 1
    print("wrote %d stand-alone strict schemas to %s" % (count, target))


if __name__ == "__main__":
    main()
