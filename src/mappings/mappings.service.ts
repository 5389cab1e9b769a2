import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository, type SelectQueryBuilder } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import { type Page, paginate, type SortColumns } from '../common/pagination/page.js';
import { ValidationProblem } from '../common/problem-details.js';
import { definedOnly } from '../common/validation/defined.js';
import { assertExpectedVersion, type ExpectedVersions } from '../common/versions/entity-tags.js';
import { Patient } from '../patients/patient.entity.js';
import {
  MAPPING_SORT_FIELDS,
  type CreateMappingDto,
  type MappingListQuery,
  type MappingResponse,
  type ReplaceMappingDto,
  type UpdateMappingDto,
} from './dto/mapping.dto.js';
import { Mapping } from './mapping.entity.js';

const SORT_COLUMNS = {
  createdAt: 'mapping.createdAt',
  updatedAt: 'mapping.updatedAt',
} satisfies SortColumns<typeof MAPPING_SORT_FIELDS>;
const NOT_FOUND = 'No mapping with this id.';
const NOT_YOUR_PATIENT = { field: 'patientId', message: 'patientId names none of your patients' };
const ASSIGNED =
  'This mapping links the patient to its assigned doctor; reassign the patient first.';

function toMappingResponse(mapping: Mapping): MappingResponse {
  const { id, patientId, doctorId, notes, patient, doctor, version, createdAt, updatedAt } =
    mapping;
  return {
    id,
    patientId,
    doctorId,
    notes,
    patient: { id: patient.id, name: patient.name },
    doctor: { id: doctor.id, name: doctor.name, specialization: doctor.specialization },
    version,
    createdAt,
    updatedAt,
  };
}

/**
 * Mappings of the caller's patients. Ownership is the mapping's `created_by`, which a
 * composite foreign key keeps equal to its patient's: a write naming another user's patient
 * fails that key (400), a duplicate pair fails the unique index (409).
 */
@Injectable()
export class MappingsService {
  constructor(
    @InjectRepository(Mapping) private readonly mappings: Repository<Mapping>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * The page joins the summaries; the count reads the caller's range of the mappings index
   * alone (the foreign keys guarantee every mapping its patient and doctor).
   */
  list(auth: AuthUser, query: MappingListQuery): Promise<Page<MappingResponse>> {
    const filter = <T extends SelectQueryBuilder<Mapping>>(builder: T): T => {
      if (query.patientId) builder.andWhere('mapping.patient_id = :patientId', query);
      if (query.doctorId) builder.andWhere('mapping.doctor_id = :doctorId', query);
      return builder;
    };
    const count = this.mappings
      .createQueryBuilder('mapping')
      .where('mapping.created_by = :user', { user: auth.id });
    return paginate(
      filter(this.withSummaries(this.dataSource.manager, auth)),
      query,
      SORT_COLUMNS,
      toMappingResponse,
      filter(count),
    );
  }

  async get(auth: AuthUser, id: string): Promise<MappingResponse> {
    return toMappingResponse(await this.findOwned(this.dataSource.manager, auth, id));
  }

  /**
   * Inserts only when the patient is the caller's: otherwise the unique index, checked
   * before the foreign key, would answer 409 and reveal another user's mapping.
   */
  create(auth: AuthUser, dto: CreateMappingDto): Promise<MappingResponse> {
    // A duplicate pair (409) can only be of the caller's own patient: the trail names it.
    this.audit.add({ patientIds: [dto.patientId] });
    return this.dataSource.transaction(async (manager) => {
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO mappings (patient_id, doctor_id, notes, created_by)
         SELECT patient.id, $2, $3, patient.created_by FROM patients patient
         WHERE patient.id = $1 AND patient.created_by = $4
         RETURNING id`,
        [dto.patientId, dto.doctorId, dto.notes ?? null, auth.id],
      );
      if (inserted.length === 0) throw new ValidationProblem([NOT_YOUR_PATIENT]);
      await this.audit.recordInTransaction(manager, { resourceId: inserted[0].id });
      return toMappingResponse(await this.findOwned(manager, auth, inserted[0].id));
    });
  }

  replace(
    auth: AuthUser,
    id: string,
    dto: ReplaceMappingDto,
    expected?: ExpectedVersions,
  ): Promise<MappingResponse> {
    return this.update(auth, id, { notes: null, ...dto }, expected);
  }

  /**
   * Changes a mapping if it is at an `expected` version (checked under the row lock); the one
   * to the patient's assigned doctor keeps its pair.
   */
  update(
    auth: AuthUser,
    id: string,
    dto: UpdateMappingDto,
    expected?: ExpectedVersions,
  ): Promise<MappingResponse> {
    return this.dataSource.transaction(async (manager) => {
      const mapping = await this.findOwned(manager, auth, id, true);
      assertExpectedVersion(expected, mapping.version);
      const changes = definedOnly(dto);
      const pairChanges =
        (changes.patientId ?? mapping.patientId) !== mapping.patientId ||
        (changes.doctorId ?? mapping.doctorId) !== mapping.doctorId;
      if (pairChanges && mapping.doctorId === mapping.patient.doctorId) {
        throw new ConflictException(ASSIGNED);
      }
      // Checked before the write, for the same reason as in create().
      if (
        changes.patientId !== undefined &&
        !(await manager.existsBy(Patient, { id: changes.patientId, createdBy: auth.id }))
      ) {
        throw new ValidationProblem([NOT_YOUR_PATIENT]);
      }
      await manager.update(Mapping, { id, createdBy: auth.id }, changes);
      const updated = await this.findOwned(manager, auth, id);
      // A mapping moved to another patient touched both.
      await this.audit.recordInTransaction(manager, {
        patientIds: [mapping.patientId, updated.patientId],
      });
      return toMappingResponse(updated);
    });
  }

  /** Deletes a mapping if it is at an `expected` version (checked under the row lock). */
  remove(auth: AuthUser, id: string, expected?: ExpectedVersions): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const mapping = await this.findOwned(manager, auth, id, true);
      assertExpectedVersion(expected, mapping.version);
      if (mapping.doctorId === mapping.patient.doctorId) throw new ConflictException(ASSIGNED);
      await manager.delete(Mapping, { id, createdBy: auth.id });
      await this.audit.recordInTransaction(manager, { patientIds: [mapping.patientId] });
    });
  }

  /** The patient of a mapping, whoever owns it: only for the audit trail, never answered. */
  private async patientOfAnyMapping(id: string): Promise<string[]> {
    const mapping = await this.mappings.findOne({ where: { id }, select: { patientId: true } });
    return mapping ? [mapping.patientId] : [];
  }

  /** The caller's mappings with their patient and doctor summaries, in one joined query. */
  private withSummaries(manager: EntityManager, auth: AuthUser) {
    return manager
      .createQueryBuilder(Mapping, 'mapping')
      .innerJoin('mapping.patient', 'patient')
      .addSelect(['patient.id', 'patient.name', 'patient.doctorId'])
      .innerJoin('mapping.doctor', 'doctor')
      .addSelect(['doctor.id', 'doctor.name', 'doctor.specialization'])
      .where('mapping.created_by = :user', { user: auth.id });
  }

  /** The caller's mapping, locked with its patient when about to change. */
  private async findOwned(
    manager: EntityManager,
    auth: AuthUser,
    id: string,
    lock = false,
  ): Promise<Mapping> {
    const builder = this.withSummaries(manager, auth).andWhere('mapping.id = :id', { id });
    if (lock) builder.setLock('pessimistic_write');
    const mapping = await builder.getOne();
    if (!mapping) {
      // Another user probing this id shows in the trail of the patient it belongs to.
      this.audit.add({ patientIds: await this.patientOfAnyMapping(id) });
      throw new NotFoundException(NOT_FOUND);
    }
    this.audit.add({ patientIds: [mapping.patientId] });
    return mapping;
  }
}
