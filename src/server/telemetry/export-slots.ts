/**
 * How many direct CSV exports may stream at once. Each one holds a worker thread (its own V8
 * heap and SQLite connection) for as long as the client keeps reading, so a slow or hostile client
 * can hold it indefinitely: unbounded, 60 slow downloads took 72 threads and 2.9 GB. A caller over
 * its share, or a station with every slot taken, is answered 429 at once rather than queued behind
 * downloads that may never finish.
 */
export class ExportSlots {
  private running = 0;
  private readonly byCaller = new Map<string, number>();

  constructor(
    private readonly total: number,
    private readonly perCaller: number,
  ) {}

  /** A release function when a slot is free for this caller, else the reason it is not. */
  take(caller: string): { release: () => void } | { refused: string } {
    const mine = this.byCaller.get(caller) ?? 0;
    if (mine >= this.perCaller) return { refused: `you already have ${mine} exports downloading; wait for one to finish` };
    if (this.running >= this.total)
      return { refused: `the station is already streaming ${this.running} exports (DB_POOL_SIZE + DB_MAX_OVERFLOW); try again shortly` };
    this.running++;
    this.byCaller.set(caller, mine + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        const left = (this.byCaller.get(caller) ?? 1) - 1;
        if (left > 0) this.byCaller.set(caller, left);
        else this.byCaller.delete(caller);
      },
    };
  }
}
