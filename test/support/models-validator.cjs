/**
 * The strict kubernetes-models validation of test/support/schema-validator.ts (which documents it),
 * in plain JavaScript so that the test environment can load it once per jest worker, outside the
 * test files' contexts (test/support/node-environment.cjs, workerModule): ajv's compile of a kind's
 * validator is then paid once per worker instead of once per test file that validates that kind.
 * The validators are pure functions of the object (they see a copy of it made here); what they
 * return is copied into the calling test file's context by schema-validator.ts.
 */
'use strict';
const Ajv = require('ajv').default;

/** Adds additionalProperties:false to every object schema that lists properties and allows no extras. */
function makeStrict(schema) {
  if (Array.isArray(schema)) {
    schema.forEach(makeStrict);
    return;
  }
  if (!schema || typeof schema !== 'object') return;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  Object.values(schema).forEach(makeStrict);
}

// kubernetes-models registers each schema with @kubernetes-models/validate when first used:
// intercept that to make every schema strict before ajv compiles it.
const registry = require('@kubernetes-models/validate');
const originalRegister = registry.register;
// Each model's validate() registers its schema and every schema it refers to again; making a
// whole schema tree strict on every call was most of the cost of validating an object.
const strictSchemas = new WeakSet();
let modelsAjvTuned = false;

/**
 * Turns ajv's code optimization off for the ajv instance that next looks up a schema: the first
 * register() call is @kubernetes-models/validate's (its instance is private to it), which looks its
 * schema up at once. Unoptimized validators compile in about 60% of the time and report the same
 * errors (checked on 238 messages of mutated objects); compiling was most of a model validation.
 */
function unoptimizeNextAjv() {
  const prototype = Ajv.prototype;
  const getSchema = prototype.getSchema;
  prototype.getSchema = function getSchemaUnoptimized(...args) {
    prototype.getSchema = getSchema;
    this.opts.code.optimize = 0;
    return getSchema.apply(this, args);
  };
}
registry.register = (id, schema) => {
  if (schema && typeof schema === 'object' && !strictSchemas.has(schema)) {
    makeStrict(schema);
    strictSchemas.add(schema);
  }
  if (!modelsAjvTuned) {
    modelsAjvTuned = true;
    unoptimizeNextAjv();
  }
  originalRegister(id, schema);
};

/** An apiVersion's group ('' for the core group) and version. */
function groupVersion(apiVersion) {
  const parts = apiVersion.split('/');
  return parts.length === 1 ? { group: '', version: parts[0] } : { group: parts[0], version: parts[1] };
}

/**
 * Validates `o` with the model class `module` exports for its kind; [] when valid. The model gets a
 * copy made in this module's context: the library's ajv keeps the data of the last failure
 * (`verbose`), which would otherwise hold on to the asking test file's objects, and with them its
 * whole context, after the file ended.
 */
function validateWithModel(o, module, missing) {
  const Model = require(module)[o.kind];
  if (!Model) return [`${o.kind}/${o.metadata.name}: ${missing}`];
  try {
    new Model(structuredClone(o)).validate();
    return [];
  } catch (e) {
    return [`${o.kind}/${o.metadata.name}: ${e.message}`];
  }
}

/** Errors from kubernetes-models (strict) for a core object; [] when valid. */
function validateWithModels(o) {
  const { group, version } = groupVersion(o.apiVersion);
  return validateWithModel(o, `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`, `kubernetes-models has no ${o.apiVersion} ${o.kind}`);
}

/** Model packages of the GitOps kinds in dist/gitops/ (devDependencies), by API group. */
const GITOPS_MODEL_PACKAGES = {
  'argoproj.io': '@kubernetes-models/argo-cd',
  'source.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'kustomize.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
};

/** Errors (strict, unknown fields rejected) for an Argo CD or Flux object; [] when valid. */
function validateGitOpsObject(o) {
  const { group, version } = groupVersion(o.apiVersion);
  const pkg = GITOPS_MODEL_PACKAGES[group];
  if (!pkg) return [`${o.kind}/${o.metadata.name}: no model package for ${o.apiVersion}`];
  return validateWithModel(o, `${pkg}/${group}/${version}/${o.kind}`, `${pkg} has no ${o.apiVersion} ${o.kind}`);
}

module.exports = { makeStrict, groupVersion, validateWithModels, validateGitOpsObject };
