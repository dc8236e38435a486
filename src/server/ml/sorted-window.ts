/** A sorted window of numbers: insert and remove by binary search (a memmove of at most the window). */
export class SortedWindow {
  readonly v: number[] = [];
  sum = 0;

  private at(x: number): number {
    let lo = 0;
    let hi = this.v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.v[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(x: number): void {
    this.v.splice(this.at(x), 0, x);
    this.sum += x;
  }

  remove(x: number): void {
    const i = this.at(x);
    if (this.v[i] === x) {
      this.v.splice(i, 1);
      this.sum -= x;
    }
  }

  /** Linear-interpolation-free quantile: the element at floor/ceil of q·(n−1). */
  q(p: number, up = false): number {
    const n = this.v.length;
    if (n === 0) return 0;
    const k = (n - 1) * p;
    return this.v[up ? Math.ceil(k) : Math.floor(k)]!;
  }

  median(): number {
    const n = this.v.length;
    if (n === 0) return 0;
    const m = n >> 1;
    return n % 2 ? this.v[m]! : (this.v[m - 1]! + this.v[m]!) / 2;
  }

  /** The sum added up from the values (the rolling `sum` keeps rounding residue of removed values). */
  exactSum(): number {
    let s = 0;
    for (const x of this.v) s += x;
    return s;
  }
}
