/**
 * Group commit for single-reading requests: requests that arrive in the same event-loop turn are
 * written in one SQLite transaction, and each is answered only after that commit. One commit
 * writes the touched pages to the WAL once instead of once per request, which is most of what a
 * single-reading write costs SQLite under concurrent devices (and fewer WAL pages mean fewer
 * checkpoints). A lone request waits one turn of the event loop.
 *
 * If the group's transaction fails, each item is run again on its own, so one item's fault (or a
 * full disk) is answered for that item exactly as it would be without grouping.
 */
export class GroupCommit<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];

  constructor(
    /** runs every item in one transaction and returns their results in order */
    private readonly runGroup: (items: readonly T[]) => R[],
    /** runs one item in a transaction of its own */
    private readonly runOne: (item: T) => R,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.pending.push({ item, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    if (group.length > 1) {
      let results: R[] | undefined;
      try {
        results = this.runGroup(group.map((p) => p.item));
      } catch {
        results = undefined; // rolled back as a whole: answer each on its own below
      }
      if (results) {
        group.forEach((p, i) => p.resolve(results[i]!));
        return;
      }
    }
    for (const p of group) {
      try {
        p.resolve(this.runOne(p.item));
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
