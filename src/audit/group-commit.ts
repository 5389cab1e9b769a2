interface Waiter<Item> {
  item: Item;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items added while a write is in flight go together in the next write, and
 * each `add` settles when the write that carried its item has committed (or failed). When
 * idle, a write starts on the next turn of the event loop, so that a lone request waits for
 * nothing but its own write; under load the batches grow by themselves, up to `maxBatch`.
 * At most one write is in flight, so it holds at most one database connection.
 */
export class GroupCommit<Item> {
  private queue: Waiter<Item>[] = [];
  private writing = false;
  private scheduled = false;
  /** Writes done, and the items they carried: the batch size is their ratio. */
  writes = 0;
  written = 0;

  constructor(
    private readonly write: (items: Item[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(item: Item): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.writing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      await this.write(batch.map((waiter) => waiter.item));
      this.writes += 1;
      this.written += batch.length;
      for (const waiter of batch) waiter.resolve();
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    } finally {
      this.writing = false;
      if (this.queue.length > 0) void this.flush();
    }
  }
}
