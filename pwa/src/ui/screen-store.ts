// Screen state that outlives a visit to its screen, for one signed-in session: the leader list's
// filters, the statistics period, what the session fetched for offline use (the village
// directory, the sweep campaigns) and per record what a person had open or half-typed (a
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
  private onClose: (() => void)[] = [];
  /** Set at sign-out. A request still on its way for this session must neither write what it
   *  brings anywhere nor start another. */
  private ended = false;

  get closed(): boolean {
    return this.ended;
  }

  /** The state kept under `key` (a panel and a record, e.g. `casework:<doc>`), made by `fresh`
   *  the first time. Each panel names its keys with its own prefix, which fixes their type. */
  keep<T>(key: string, fresh: () => T): T {
    if (this.ended) return fresh(); // kept nowhere: the session is over
    if (!this.kept.has(key)) this.kept.set(key, fresh());
    return this.kept.get(key) as T;
  }

  /** The state under `key` if any panel made it. */
  peek<T>(key: string): T | undefined {
    return this.kept.get(key) as T | undefined;
  }

  set<T>(key: string, value: T): void {
    if (!this.ended) this.kept.set(key, value);
  }

  /** Run `f` at sign-out (a timer to clear). */
  whenClosed(f: () => void): void {
    this.onClose.push(f);
  }

  /** Sign-out: forget everything kept and stop what is pending. */
  close(): void {
    this.ended = true;
    for (const f of this.onClose.splice(0)) f();
    this.kept.clear();
  }
}
