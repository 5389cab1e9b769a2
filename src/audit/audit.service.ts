import {
  Injectable,
  Logger,
  ServiceUnavailableException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Page } from '../common/pagination/page.js';
import type { AuditEventFilters, AuditEventResponse } from './dto/audit-event.dto.js';
import { AuditRepository } from './audit.repository.js';
import type { AuditAction } from './audit-actions.js';
import { type AuditDetails, type AuditRecord, AuditScope, auditScopes } from './audit-scope.js';
import { GroupCommit } from './group-commit.js';

/** The most events one INSERT carries (10 parameters each, far below PostgreSQL's 65,535). */
const MAX_BATCH = 500;
/** Monthly partitions are kept created this many months ahead, checked at start and daily. */
const PARTITION_MONTHS_AHEAD = 3;
const PARTITION_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

const UNAUDITED = 'The audit trail cannot be written right now. Try again shortly.';

/** The audit trail's one entry point: every event is stored through here. */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  /** Events of reads and failures, written together by concurrent requests. */
  readonly batches = new GroupCommit<AuditRecord>(
    (records) => this.repository.insert(records),
    MAX_BATCH,
  );
  /** Events stored in a change's transaction that then committed (the metrics read it). */
  committedInTransactions = 0;
  private partitionTimer?: NodeJS.Timeout;

  constructor(private readonly repository: AuditRepository) {}

  /**
   * Keeps the coming months' partitions created. A failure (a role without the right to
   * create tables, say) only warns: the default partition takes the events meanwhile.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.addPartitions();
    this.partitionTimer = setInterval(
      () => void this.addPartitions(),
      PARTITION_CHECK_INTERVAL_MS,
    ).unref();
  }

  private async addPartitions(): Promise<void> {
    try {
      await this.repository.addPartitions(PARTITION_MONTHS_AHEAD);
    } catch (error) {
      this.logger.warn({ msg: 'audit partitions not checked', type: (error as Error).name });
    }
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
   * transaction: both commit, or neither does. A change made on the way to a refusal (a
   * reused refresh token ends its session, then gets a 401) passes the refusal's status.
   */
  async recordInTransaction(
    manager: EntityManager,
    details: AuditDetails = {},
    failureStatus?: number,
  ): Promise<void> {
    const scope = this.currentScope();
    scope.add(details);
    const record =
      failureStatus === undefined
        ? scope.toRecord('success', scope.successStatus)
        : scope.toRecord('failure', failureStatus);
    try {
      await this.repository.insert([record], manager);
    } catch (error) {
      // The change's transaction rolls back with its event.
      throw this.unaudited(error);
    }
    scope.statusRecordedInTransaction = record.status;
  }

  /** Runs an operator's command (the CLI) as the audited action `action`. */
  runCommand<Result>(
    action: AuditAction,
    command: string,
    successStatus: number,
    run: () => Promise<Result>,
  ): Promise<Result> {
    return auditScopes.run(AuditScope.forCommand(action, command, successStatus), run);
  }

  /**
   * Stores an event with those of concurrent requests; settles once it has committed, and
   * fails with a 503 when it cannot be stored.
   */
  async record(record: AuditRecord): Promise<void> {
    try {
      await this.batches.add(record);
    } catch (error) {
      throw this.unaudited(error);
    }
  }

  search(filters: AuditEventFilters): Promise<Page<AuditEventResponse>> {
    return this.repository.search(filters);
  }

  /** Logs why an event was not stored (its type and code: a message could quote values). */
  private unaudited(error: unknown): ServiceUnavailableException {
    const driverCode = (error as { driverError?: { code?: string } }).driverError?.code;
    this.logger.error({
      msg: 'audit event not stored',
      type: (error as Error).name,
      code: driverCode ?? (error as { code?: string }).code,
    });
    return new ServiceUnavailableException(UNAUDITED);
  }

  private currentScope(): AuditScope {
    const scope = auditScopes.getStore();
    if (!scope) throw new Error('A change outside an @Audited route cannot be recorded.');
    return scope;
  }
}
