import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { containsPattern, type Page } from '../common/pagination/page.js';
import { listPage, SqlParameters } from '../common/pagination/sql-page.js';
import { updateVersioned } from '../common/versions/versioned-write.js';
import { managerSql, poolSql } from '../database/sql.js';
import type { PatientListQuery } from './dto/patient.dto.js';
import type { PatientFilters } from './patients.service.js';
import { Patient } from './patient.entity.js';

/**
 * Every column, named as the entity's properties: a row is a Patient as it is. The date of
 * birth is read as its `YYYY-MM-DD` text (the driver would make it a Date at local midnight).
 */
const COLUMNS =
  'p.id, p.name, to_char(p.date_of_birth, \'YYYY-MM-DD\') AS "dateOfBirth", p.gender, p.email, ' +
  'p.phone, p.address, p.medical_history AS "medicalHistory", p.doctor_id AS "doctorId", ' +
  'p.created_by AS "createdBy", p.updated_by AS "updatedBy", p.version, ' +
  'p.created_at AS "createdAt", p.updated_at AS "updatedAt"';

const SORT_COLUMNS = {
  name: 'p.name',
  dateOfBirth: 'p.date_of_birth',
  createdAt: 'p.created_at',
  updatedAt: 'p.updated_at',
};

export type NewPatient = Omit<Patient, 'id' | 'version' | 'createdAt' | 'updatedAt'>;
export type PatientChanges = Partial<Omit<NewPatient, 'createdBy'>> & Pick<Patient, 'updatedBy'>;

/**
 * The SQL of `patients`. Every read and write is scoped to the owner (`created_by`), so
 * another user's patient is never found. The reads and the INSERT of the request paths are
 * hand-written; the version-bumping UPDATE goes through TypeORM.
 */
@Injectable()
export class PatientsRepository {
  private readonly sql: ReturnType<typeof poolSql>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.sql = poolSql(dataSource);
  }

  page(ownerId: string, query: PatientListQuery & PatientFilters): Promise<Page<Patient>> {
    const parameters = new SqlParameters();
    const where = [`p.created_by = ${parameters.add(ownerId)}`];
    if (query.q) where.push(`p.name ILIKE ${parameters.add(containsPattern(query.q))}`);
    if (query.doctorId) where.push(`p.doctor_id = ${parameters.add(query.doctorId)}`);
    if (query.genders) where.push(`p.gender = ANY(${parameters.add(query.genders)}::varchar[])`);
    const { from, before } = query.dateOfBirth ?? {};
    if (from) where.push(`p.date_of_birth >= ${parameters.add(from)}::date`);
    if (before) where.push(`p.date_of_birth < ${parameters.add(before)}::date`);
    return listPage<Patient>(
      this.sql,
      {
        columns: COLUMNS,
        from: 'patients p',
        where,
        parameters,
        sortColumns: SORT_COLUMNS,
        key: 'p.id',
      },
      query,
      (row) => row,
    );
  }

  /** The owner's patient; with `lock`, locked against other changes until the transaction ends. */
  async findOwned(
    ownerId: string,
    id: string,
    options: { manager?: EntityManager; lock?: boolean } = {},
  ): Promise<Patient | undefined> {
    const sql = options.manager ? managerSql(options.manager) : this.sql;
    const rows = await sql<Patient>(
      `SELECT ${COLUMNS} FROM patients p WHERE p.id = $1 AND p.created_by = $2` +
        (options.lock ? ' FOR NO KEY UPDATE' : ''),
      [id, ownerId],
    );
    return rows[0];
  }

  async existsOwned(ownerId: string, id: string): Promise<boolean> {
    const rows = await this.sql('SELECT 1 FROM patients WHERE id = $1 AND created_by = $2', [
      id,
      ownerId,
    ]);
    return rows.length > 0;
  }

  async insert(manager: EntityManager, values: NewPatient): Promise<Patient> {
    const [row]: Patient[] = await manager.query(
      `INSERT INTO patients AS p (name, date_of_birth, gender, email, phone, address,
         medical_history, doctor_id, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [
        values.name,
        values.dateOfBirth,
        values.gender,
        values.email,
        values.phone,
        values.address,
        values.medicalHistory,
        values.doctorId,
        values.createdBy,
        values.updatedBy,
      ],
    );
    return row;
  }

  update(manager: EntityManager, id: string, changes: PatientChanges) {
    return updateVersioned(manager, Patient, id, changes);
  }

  /** Deletes the owner's patient, if at one of the `expected` versions when given. */
  async deleteOwned(
    manager: EntityManager,
    ownerId: string,
    id: string,
    expected?: readonly number[],
  ): Promise<boolean> {
    const [, affected]: [unknown, number] = await manager.query(
      'DELETE FROM patients WHERE id = $1 AND created_by = $2' +
        (expected ? ' AND version = ANY($3::int[])' : ''),
      expected ? [id, ownerId, expected] : [id, ownerId],
    );
    return affected > 0;
  }
}
