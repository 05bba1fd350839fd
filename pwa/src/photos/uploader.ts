// Uploads every photo whose case the server has acknowledged, one at a time. Runs on the sync
// triggers (the page kicks it after every sync and when the network comes back) with the sync
// scheduler's backoff: a failure waits 2 s, doubling to 5 min, then goes on where the server is.
import type { Db } from '../db/schema';
import { SyncScheduler, type Clock, type SchedulerOptions } from '../sync/scheduler';
import { BlobHttpError, type BlobApi } from './api';
import { caseAcknowledged, markUploaded, pendingUploads } from './store';
import { uploadBlob, CHUNK_SIZE, type UploadReport } from './upload';

export class PhotoUploader {
  /** Bytes the server holds, per photo being uploaded now. */
  readonly progress = new Map<string, number>();
  readonly scheduler: SyncScheduler;
  /** Every finished upload, for tests and the e2e check. */
  readonly reports: (UploadReport & { sha256: string })[] = [];

  constructor(
    private db: Db,
    private api: BlobApi,
    private onChange: () => void,
    opts: SchedulerOptions = {},
    clock?: Clock,
    private chunkSize = CHUNK_SIZE,
  ) {
    this.scheduler = new SyncScheduler(() => this.runOnce(), () => {}, opts, clock,
      (e) => e instanceof BlobHttpError && e.unauthorized);
  }

  /** One pass over the pending photos. Throws (so the scheduler backs off) on the first
   *  failure that is not "the server does not list this photo yet". */
  async runOnce(): Promise<void> {
    for (const rec of await pendingUploads(this.db)) {
      if (!(await caseAcknowledged(this.db, rec))) continue;
      try {
        const report = await uploadBlob(rec, this.api, (n) => {
          this.progress.set(rec.sha256, n);
          this.onChange();
        }, this.chunkSize);
        this.reports.push({ sha256: rec.sha256, ...report });
        await markUploaded(this.db, rec.sha256);
      } catch (e) {
        // 404: no case the server can see lists it yet (the case is still on its way).
        if (e instanceof BlobHttpError && e.status === 404) continue;
        throw e;
      } finally {
        this.progress.delete(rec.sha256);
        this.onChange();
      }
    }
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): void {
    this.scheduler.stop();
  }

  kick(): void {
    this.scheduler.now();
  }

  setOnline(online: boolean): void {
    this.scheduler.setOnline(online);
  }
}
