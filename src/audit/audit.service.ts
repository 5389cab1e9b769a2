import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Page } from '../common/pagination/page.js';
import type { AuditEventFilters, AuditEventResponse } from './dto/audit-event.dto.js';
import { AuditRepository } from './audit.repository.js';
import {
  type AuditDetails,
  type AuditRecord,
  type AuditScope,
  auditScopes,
} from './audit-scope.js';
import { GroupCommit } from './group-commit.js';

/** The most events one INSERT carries (10 parameters each, far below PostgreSQL's 65,535). */
const MAX_BATCH = 500;
/** Monthly partitions are kept created this many months ahead, checked at start and daily. */
const PARTITION_MONTHS_AHEAD = 3;
const PARTITION_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** The audit trail's one entry point: every event is stored through here. */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  /** Events of reads and failures, written together by concurrent requests. */
  readonly batches = new GroupCommit<AuditRecord>(
    (records) => this.repository.insert(records),
    MAX_BATCH,
  );
  private partitionTimer?: NodeJS.Timeout;

  constructor(private readonly repository: AuditRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.repository.addPartitions(PARTITION_MONTHS_AHEAD);
    this.partitionTimer = setInterval(() => {
      this.repository.addPartitions(PARTITION_MONTHS_AHEAD).catch((error: unknown) => {
        this.logger.warn({ msg: 'audit partitions not checked', type: (error as Error).name });
      });
    }, PARTITION_CHECK_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.partitionTimer);
  }

  /**
   * Adds what only the service knows (the account a login named, the patient of a mapping)
   * to the event of the request being handled. Outside an audited request, does nothing.
   */
  add(details: AuditDetails): void {
    auditScopes.getStore()?.add(details);
  }

  /**
   * Stores the event of the current request's change on `manager`, inside the change's
   * transaction: both commit, or neither does.
   */
  async recordInTransaction(manager: EntityManager, details: AuditDetails): Promise<void> {
    const scope = this.currentScope();
    scope.add(details);
    const record = scope.toRecord('success', scope.successStatus, {
      resourceId: null,
      patientIds: [],
    });
    await this.repository.insert([record], manager);
    scope.recordedInTransaction = true;
  }

  /** Stores an event with those of concurrent requests; settles once it has committed. */
  record(record: AuditRecord): Promise<void> {
    return this.batches.add(record);
  }

  search(filters: AuditEventFilters): Promise<Page<AuditEventResponse>> {
    return this.repository.search(filters);
  }

  private currentScope(): AuditScope {
    const scope = auditScopes.getStore();
    if (!scope) throw new Error('A change outside an @Audited route cannot be recorded.');
    return scope;
  }
}
