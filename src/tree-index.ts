/**
 * Constructs of one kind by name, per construct tree, so cross-object validations look their
 * peers up without walking the whole tree (which would cost O(n²) for n services).
 */
import { IConstruct } from 'constructs';

/** An index of constructs by name, one per tree (keyed by the tree's root). */
export class TreeIndex<T extends IConstruct> {
  private readonly trees = new WeakMap<IConstruct, Map<string, T[]>>();

  /** Adds a construct under a name (several may share one). */
  public add(construct: T, name: string): void {
    const root = construct.node.root;
    let names = this.trees.get(root);
    if (!names) this.trees.set(root, (names = new Map()));
    names.set(name, [...(names.get(name) ?? []), construct]);
  }

  /** The constructs of the tree `scope` belongs to that were added under `name`, in the order added. */
  public find(scope: IConstruct, name: string): readonly T[] {
    return this.trees.get(scope.node.root)?.get(name) ?? [];
  }
}
