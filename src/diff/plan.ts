/** A plan in the manner of `terraform plan`: what applying a fresh synth would add, change and destroy. */
import { FieldChange, fieldChanges } from './field-changes';
import { compareObjects, identityKey, LocatedManifest, objectKey, objectLabel } from './identity';
import { checkUpdate, RefusedUpdate } from './immutable';
import { leftoverOf } from './leftovers';
import { compareText } from '../compare-text';

/** One object the plan touches. */
export interface PlannedChange {
  /** "+" to add, "-" to destroy, "~" to change in place. */
  readonly action: '+' | '-' | '~';
  /** The object as it is now (absent when added). */
  readonly current?: LocatedManifest;
  /** The object as the spec wants it (absent when destroyed). */
  readonly desired?: LocatedManifest;
  /** Field changes (only for "~"). */
  readonly fields: readonly FieldChange[];
  /** Changes the API server refuses in place, with how to carry them out (only for "~"). */
  readonly refused: readonly RefusedUpdate[];
  /** Changes the API server accepts that need a manual step (only for "~"). */
  readonly unsafe: readonly RefusedUpdate[];
  /**
   * What `kubectl apply -f` (which deletes nothing) leaves of the object on the cluster, and how
   * to remove it (only for "-"; Argo CD and Flux prune it).
   */
  readonly kept?: RefusedUpdate;
}

/** The plan: changes by file and in apply order, and the counts terraform prints. */
export interface Plan {
  readonly changes: readonly PlannedChange[];
  readonly toAdd: number;
  readonly toChange: number;
  readonly toDestroy: number;
  /** Changes ("~") the API server refuses in place. */
  readonly refused: number;
}

/** A duplicate identity on one side: the plan cannot say which copy is meant. */
export class DuplicateObjectError extends Error {}

/** Compares the current objects (an output directory) with the desired ones (a fresh synth). */
export function planChanges(current: readonly LocatedManifest[], desired: readonly LocatedManifest[]): Plan {
  const now = index(current, 'current output');
  const want = index(desired, 'synthesized output');
  const changes: PlannedChange[] = [];
  for (const [key, d] of want) {
    const c = now.get(key);
    if (!c) {
      changes.push({ action: '+', desired: d, fields: [], refused: [], unsafe: [] });
      continue;
    }
    const fields = fieldChanges(c.object, d.object);
    if (fields.length) changes.push({ action: '~', current: c, desired: d, fields, ...checkUpdate(c.object, d.object, fields) });
  }
  const wanted = (group: string, kind: string, namespace: string | undefined, name: string) => want.get(identityKey(group, kind, namespace, name))?.object;
  for (const [key, c] of now) {
    if (!want.has(key)) changes.push({ action: '-', current: c, fields: [], refused: [], unsafe: [], kept: leftoverOf(c.object, wanted) });
  }
  // Grouped by file (one service's objects together), then in apply order.
  changes.sort((a, b) => compareText(locationOf(a).file, locationOf(b).file) || compareObjects(locationOf(a).object, locationOf(b).object));
  const count = (action: PlannedChange['action']) => changes.filter((c) => c.action === action).length;
  return { changes, toAdd: count('+'), toChange: count('~'), toDestroy: count('-'), refused: changes.filter((c) => c.refused.length).length };
}

/** Renders a plan for a terminal: one block per object, field changes under it, the summary line last. */
export function renderPlan(plan: Plan): string {
  if (!plan.changes.length) return 'No changes. The output matches the spec.\n';
  const lines: string[] = [];
  for (const change of plan.changes) {
    const located = locationOf(change);
    lines.push(`  # ${objectLabel(located.object)} ${verbOf(change)} (${located.file})`);
    lines.push(`  ${change.refused.length ? '!' : change.action} ${objectLabel(located.object)}`);
    for (const f of change.fields) lines.push(`      ${renderField(f)}`);
    for (const u of change.refused) lines.push(...renderRefusal('REFUSED by the API server', u));
    for (const u of change.unsafe) lines.push(...renderRefusal('NEEDS A MANUAL STEP', u));
    if (change.kept) lines.push(...renderRefusal('NOT DESTROYED BY kubectl apply -f (it deletes nothing)', change.kept));
    lines.push('');
  }
  lines.push(`Plan: ${plan.toAdd} to add, ${plan.toChange} to change, ${plan.toDestroy} to destroy.`);
  const kept = plan.changes.filter((c) => c.kept).length;
  if (kept) {
    lines.push(`${kept} of the objects to destroy stay on the cluster after kubectl apply -f, which deletes nothing: remove them as shown above ("how"), or let Argo CD or Flux prune them.`);
  }
  if (plan.refused) {
    lines.push(`${plan.refused} of the changes cannot be applied in place: kubectl apply would be refused. Carry them out as shown above ("how").`);
  }
  return `${lines.join('\n')}\n`;
}

function verbOf(change: PlannedChange): string {
  if (change.action === '+') return 'will be created';
  if (change.action === '-') {
    return change.current?.object.kind === 'Namespace' ? 'will be destroyed, and with it everything in the namespace' : 'will be destroyed';
  }
  return change.refused.length ? 'cannot be updated in place: the API server refuses this update' : 'will be updated in place';
}

function renderRefusal(title: string, u: RefusedUpdate): string[] {
  return [
    `      ${title}: ${u.why}`,
    `        (${u.source})`,
    ...u.fields.map((f) => `        ! ${f.path}`),
    '      how:',
    ...u.how.map((h) => `        ${h}`),
  ];
}

function renderField(f: FieldChange): string {
  if (f.action === '+') return `+ ${f.path}: ${show(f.after)}`;
  if (f.action === '-') return `- ${f.path}: ${show(f.before)}`;
  if (f.lines) return [`~ ${f.path}: text lines changed`, ...f.lines.map((l) => `    ${l.action} ${l.text}`)].join('\n      ');
  return `~ ${f.path}: ${show(f.before)} -> ${show(f.after)}`;
}

function show(v: unknown): string {
  return v === undefined ? 'null' : JSON.stringify(v);
}

function locationOf(c: PlannedChange): LocatedManifest {
  return (c.desired ?? c.current) as LocatedManifest;
}

function index(objects: readonly LocatedManifest[], side: string): Map<string, LocatedManifest> {
  const map = new Map<string, LocatedManifest>();
  for (const o of objects) {
    const key = objectKey(o.object);
    const other = map.get(key);
    if (other) throw new DuplicateObjectError(`${side}: ${objectLabel(o.object)} appears twice (${other.file} and ${o.file})`);
    map.set(key, o);
  }
  return map;
}
