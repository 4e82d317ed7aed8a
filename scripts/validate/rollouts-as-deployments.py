#!/usr/bin/env python3
"""Copy dist/<env>/*.yaml to <out>/<env>/, turning each Argo Rollout into an apps/v1 Deployment.

kube-score and Checkov check pod templates only in the built-in workload kinds; a Rollout's
spec.template is a plain PodTemplateSpec, so the copy lets them check the Rollout's pods (security
context, probes, resources, NetworkPolicy/PDB/Service matching) like any Deployment's. The Rollout's
strategy (canary/blueGreen) and Argo-only fields are dropped; an HPA whose scaleTargetRef is the
Rollout is pointed at the Deployment. The copy carries the annotation
validate.platform/converted-from so a finding can be traced back. kubeconform, istioctl, the Argo
linter and the API server always see the original files.

usage: rollouts-as-deployments.py <dist-dir> <out-dir> <env>...
"""
import os
import sys

import yaml

ROLLOUT_ONLY = ("strategy", "workloadRef", "analysis", "restartAt", "rollbackWindow", "paused",
                "progressDeadlineAbort")


def convert(doc):
    if not isinstance(doc, dict):
        return doc
    api, kind = doc.get("apiVersion", ""), doc.get("kind")
    if kind == "Rollout" and api.startswith("argoproj.io/"):
        spec = dict(doc.get("spec") or {})
        if "template" not in spec:
            # workloadRef Rollouts point at a Deployment that is checked on its own.
            return None
        for k in ROLLOUT_ONLY:
            spec.pop(k, None)
        meta = dict(doc.get("metadata") or {})
        ann = dict(meta.get("annotations") or {})
        ann["validate.platform/converted-from"] = "%s Rollout" % api
        meta["annotations"] = ann
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}
    if kind == "HorizontalPodAutoscaler":
        ref = (doc.get("spec") or {}).get("scaleTargetRef") or {}
        if ref.get("kind") == "Rollout" and str(ref.get("apiVersion", "")).startswith("argoproj.io/"):
            ref["kind"], ref["apiVersion"] = "Deployment", "apps/v1"
    return doc


def main():
    dist, out, envs = sys.argv[1], sys.argv[2], sys.argv[3:]
    converted = 0
    for env in envs:
        src, dst = os.path.join(dist, env), os.path.join(out, env)
        os.makedirs(dst, exist_ok=True)
        for fn in sorted(os.listdir(src)):
            if not fn.endswith((".yaml", ".yml")):
                continue
            with open(os.path.join(src, fn)) as f:
                docs = list(yaml.safe_load_all(f))
            new = []
            for d in docs:
                if d is None:
                    continue
                c = convert(d)
                if c is not d:
                    converted += 1
                if c is not None:
                    new.append(c)
            with open(os.path.join(dst, fn), "w") as f:
                yaml.safe_dump_all(new, f, sort_keys=False)
    print("rollouts-as-deployments: %d object(s) adapted" % converted)


if __name__ == "__main__":
    main()
