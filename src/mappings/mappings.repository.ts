import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Page } from '../common/pagination/page.js';
import { countRows, listPage, SqlParameters } from '../common/pagination/sql-page.js';
import { managerSql, poolSql, type Sql } from '../database/sql.js';
import type { MappingListQuery } from './dto/mapping.dto.js';
import { Mapping } from './mapping.entity.js';

/** A mapping with the summaries of its patient and doctor, as one joined row reads it. */
export interface MappingWithSummaries {
  id: string;
  patientId: string;
  doctorId: string;
  createdBy: string;
  notes: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  patient: { id: string; name: string; doctorId: string };
  doctor: { id: string; name: string; specialization: string };
}

interface SummaryRow extends Omit<MappingWithSummaries, 'patient' | 'doctor'> {
  patientName: string;
  patientDoctorId: string;
  doctorName: string;
  doctorSpecialization: string;
}

const SUMMARY_COLUMNS =
  'm.id, m.patient_id AS "patientId", m.doctor_id AS "doctorId", m.created_by AS "createdBy", ' +
  'm.notes, m.version, m.created_at AS "createdAt", m.updated_at AS "updatedAt", ' +
  'p.name AS "patientName", p.doctor_id AS "patientDoctorId", ' +
  'd.name AS "doctorName", d.specialization AS "doctorSpecialization"';
/** The summaries' joins: the foreign keys guarantee every mapping its patient and doctor. */
const WITH_SUMMARIES =
  'mappings m JOIN patients p ON p.id = m.patient_id JOIN doctors d ON d.id = m.doctor_id';
const SORT_COLUMNS = { createdAt: 'm.created_at', updatedAt: 'm.updated_at' };
/** The owner's ($1) count of mappings: the sum of its slots. */
const OWNED_COUNT = '(SELECT COALESCE(sum(mappings), 0) FROM mapping_counts WHERE owner_id = $1)';

/** Property by property: a rest spread per row cost more than the page's query here. */
function withSummaries(row: SummaryRow): MappingWithSummaries {
  return {
    id: row.id,
    patientId: row.patientId,
    doctorId: row.doctorId,
    createdBy: row.createdBy,
    notes: row.notes,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    patient: { id: row.patientId, name: row.patientName, doctorId: row.patientDoctorId },
    doctor: { id: row.doctorId, name: row.doctorName, specialization: row.doctorSpecialization },
  };
}

export type MappingChanges = Partial<Pick<Mapping, 'patientId' | 'doctorId' | 'notes'>>;

/**
 * The SQL of `mappings` and of `mapping_counts`, the per-owner count its trigger keeps. Its
 * reads join the patient's and the doctor's summaries; a write that names a patient checks,
 * in the same statement, that the patient is the owner's (see create in the service).
 */
@Injectable()
export class MappingsRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.sql = poolSql(dataSource);
  }

  /**
   * A page of the owner's mappings with their summaries. The total of the whole list is the
   * owner's count (kept by the trigger, so it costs the same at any size); a filtered one
   * counts the owner's index range alone.
   */
  page(ownerId: string, query: MappingListQuery): Promise<Page<MappingWithSummaries>> {
    const parameters = new SqlParameters();
    const where = [`m.created_by = ${parameters.add(ownerId)}`];
    if (query.patientId) where.push(`m.patient_id = ${parameters.add(query.patientId)}`);
    if (query.doctorId) where.push(`m.doctor_id = ${parameters.add(query.doctorId)}`);
    const filtered = where.length > 1;
    const statement = {
      columns: SUMMARY_COLUMNS,
      from: WITH_SUMMARIES,
      where,
      parameters,
      sortColumns: SORT_COLUMNS,
      key: 'm.id',
      total: filtered ? undefined : OWNED_COUNT,
    };
    return listPage(this.sql, statement, query, withSummaries, () =>
      filtered
        ? countRows(this.sql, { ...statement, from: 'mappings m' })
        : this.countOwned(ownerId),
    );
  }

  /** How many mappings the owner has: the sum of the count's slots. */
  async countOwned(ownerId: string): Promise<number> {
    const [row] = await this.sql<{ total: string }>(`SELECT ${OWNED_COUNT} AS "total"`, [ownerId]);
    return Number(row.total);
  }

  /**
   * The owner's mapping with its summaries, in `manager`'s transaction when given; with `lock`,
   * the joined rows locked for a change.
   */
  async findOwned(
    manager: EntityManager | undefined,
    ownerId: string,
    id: string,
    lock = false,
  ): Promise<MappingWithSummaries | undefined> {
    const rows = await (manager ? managerSql(manager) : this.sql)<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM ${WITH_SUMMARIES}
       WHERE m.id = $1 AND m.created_by = $2${lock ? ' FOR UPDATE' : ''}`,
      [id, ownerId],
    );
    return rows.length > 0 ? withSummaries(rows[0]) : undefined;
  }

  /** The patient of a mapping, whoever owns it: for the audit trail only, never answered. */
  async patientOfAny(id: string): Promise<string | undefined> {
    const rows = await this.sql<{ patientId: string }>(
      'SELECT patient_id AS "patientId" FROM mappings WHERE id = $1',
      [id],
    );
    return rows[0]?.patientId;
  }

  /** The doctors mapped to the owner's patient: none when the patient is not the owner's. */
  async doctorIdsOf(ownerId: string, patientId: string): Promise<string[]> {
    const rows = await this.sql<{ doctorId: string }>(
      'SELECT doctor_id AS "doctorId" FROM mappings WHERE patient_id = $1 AND created_by = $2',
      [patientId, ownerId],
    );
    return rows.map((row) => row.doctorId);
  }

  /** How many patients are mapped to the doctor (each assigned one is, to its doctor). */
  async patientCountOf(manager: EntityManager, doctorId: string): Promise<number> {
    const [row]: { total: number }[] = await manager.query(
      'SELECT count(DISTINCT patient_id)::int AS "total" FROM mappings WHERE doctor_id = $1',
      [doctorId],
    );
    return row.total;
  }

  /**
   * Maps the owner's patient to a doctor, if the patient is the owner's (answers the new id,
   * or undefined when it is not): checked in the INSERT, before the unique index can answer.
   */
  async insertForOwnedPatient(
    manager: EntityManager,
    ownerId: string,
    mapping: { patientId: string; doctorId: string; notes: string | null },
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO mappings (patient_id, doctor_id, notes, created_by)
       SELECT p.id, $2, $3, p.created_by FROM patients p WHERE p.id = $1 AND p.created_by = $4
       RETURNING id`,
      [mapping.patientId, mapping.doctorId, mapping.notes, ownerId],
    );
    return rows[0]?.id;
  }

  /**
   * Changes the owner's mapping; one that moves it to another patient only if that patient is
   * the owner's, checked in the UPDATE before the unique index (false when it is not).
   */
  async update(
    manager: EntityManager,
    ownerId: string,
    id: string,
    changes: MappingChanges,
  ): Promise<boolean> {
    const builder = manager
      .createQueryBuilder()
      .update(Mapping)
      .set(changes)
      .where('id = :id AND created_by = :ownerId', { id, ownerId });
    if (changes.patientId !== undefined) {
      builder.andWhere(
        'EXISTS (SELECT 1 FROM patients p WHERE p.id = :patientId AND p.created_by = :ownerId)',
        { patientId: changes.patientId },
      );
    }
    return Boolean((await builder.execute()).affected);
  }

  async delete(manager: EntityManager, ownerId: string, id: string): Promise<void> {
    await manager.query('DELETE FROM mappings WHERE id = $1 AND created_by = $2', [id, ownerId]);
  }
}
