import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { containsPattern, type Page } from '../common/pagination/page.js';
import { listPage, SqlParameters } from '../common/pagination/sql-page.js';
import { updateVersioned } from '../common/versions/versioned-write.js';
import { poolSql } from '../database/sql.js';
import { Doctor } from './doctor.entity.js';
import type { DoctorFilters } from './doctors.service.js';
import type { DoctorListQuery } from './dto/doctor.dto.js';

/** Every column, named as the entity's properties: a row is a Doctor as it is. */
const COLUMNS =
  'd.id, d.name, d.specialization, d.email, d.phone, d.created_by AS "createdBy", ' +
  'd.updated_by AS "updatedBy", d.version, d.created_at AS "createdAt", d.updated_at AS "updatedAt"';

const WHOLE_DIRECTORY = '(SELECT COALESCE(sum(doctors), 0) FROM doctor_counts)';

const SORT_COLUMNS = {
  name: 'd.name',
  specialization: 'd.specialization',
  email: 'd.email',
  createdAt: 'd.created_at',
  updatedAt: 'd.updated_at',
};

export type NewDoctor = Pick<
  Doctor,
  'name' | 'specialization' | 'email' | 'phone' | 'createdBy' | 'updatedBy'
>;
export type DoctorChanges = Partial<Pick<Doctor, 'name' | 'specialization' | 'email' | 'phone'>> &
  Pick<Doctor, 'updatedBy'>;

/** The SQL of `doctors` (and `doctor_counts`, which its trigger keeps): the directory's page in hand-written SQL, the rest through TypeORM. */
@Injectable()
export class DoctorsRepository {
  private readonly sql: ReturnType<typeof poolSql>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.sql = poolSql(dataSource);
  }

  /** A page of the directory, or of the doctors among `ids` (a patient's, say). */
  page(query: DoctorListQuery & DoctorFilters, ids?: readonly string[]): Promise<Page<Doctor>> {
    const parameters = new SqlParameters();
    const where: string[] = [];
    if (ids) where.push(`d.id = ANY(${parameters.add(ids)}::uuid[])`);
    if (query.q) {
      const q = parameters.add(containsPattern(query.q));
      where.push(`(d.name ILIKE ${q} OR d.specialization ILIKE ${q} OR d.email ILIKE ${q})`);
    }
    if (query.name) where.push(`d.name ILIKE ${parameters.add(containsPattern(query.name))}`);
    if (query.specialization !== undefined) {
      where.push(`d.specialization = ${parameters.add(query.specialization)}`);
    }
    return listPage<Doctor>(
      this.sql,
      {
        columns: COLUMNS,
        from: 'doctors d',
        where,
        parameters,
        sortColumns: SORT_COLUMNS,
        key: 'd.id',
        // The whole directory's total is the count its trigger keeps (doctor_counts).
        total: where.length === 0 ? WHOLE_DIRECTORY : undefined,
      },
      query,
      (row) => row,
    );
  }

  findById(id: string): Promise<Doctor | null> {
    return this.dataSource.manager.findOneBy(Doctor, { id });
  }

  exists(id: string): Promise<boolean> {
    return this.dataSource.manager.existsBy(Doctor, { id });
  }

  /** The doctor, locked for the rest of `manager`'s transaction. */
  lock(
    manager: EntityManager,
    id: string,
    mode: 'for_no_key_update' | 'pessimistic_write',
  ): Promise<Doctor | null> {
    return manager.findOne(Doctor, { where: { id }, lock: { mode } });
  }

  async insert(manager: EntityManager, values: NewDoctor): Promise<Doctor> {
    const [row]: Doctor[] = await manager.query(
      `INSERT INTO doctors AS d (name, specialization, email, phone, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [
        values.name,
        values.specialization,
        values.email,
        values.phone,
        values.createdBy,
        values.updatedBy,
      ],
    );
    return row;
  }

  update(manager: EntityManager, id: string, changes: DoctorChanges) {
    return updateVersioned(manager, Doctor, id, changes);
  }

  async delete(manager: EntityManager, id: string, ownerId: string): Promise<void> {
    await manager.delete(Doctor, { id, createdBy: ownerId });
  }
}
