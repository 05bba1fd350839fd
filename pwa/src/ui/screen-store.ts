// Screen state that outlives a visit to its screen, for one signed-in session: the leader list's
// filters, the statistics period, and per record what a person had open or half-typed (a
// casework note, a mediation form, the history section) when they stepped away. Made at sign-in
// and handed to the screens through the context, so it never leaks from one person to the next
// and no screen module holds state of its own.
import { freshFilters, type LeaderFilters } from './leader-home';
import { freshStats, type StatsState } from './stats';

export class ScreenStore {
  /** Back from a case, the list is as the person left it. */
  readonly filters: LeaderFilters = freshFilters();
  /** The statistics period chosen last. */
  readonly stats: StatsState = freshStats();
  private kept = new Map<string, unknown>();

  /** The state kept under `key` (a panel and a record, e.g. `casework:<doc>`), made by `fresh`
   *  the first time. Each panel names its keys with its own prefix, which fixes their type. */
  keep<T>(key: string, fresh: () => T): T {
    if (!this.kept.has(key)) this.kept.set(key, fresh());
    return this.kept.get(key) as T;
  }

  /** The state under `key` if any panel made it. */
  peek<T>(key: string): T | undefined {
    return this.kept.get(key) as T | undefined;
  }

  set<T>(key: string, value: T): void {
    this.kept.set(key, value);
  }
}
