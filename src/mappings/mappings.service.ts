import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { ValidationProblem } from '../common/problem-details.js';
import { definedOnly } from '../common/validation/defined.js';
import { assertExpectedVersion, type ExpectedVersions } from '../common/versions/entity-tags.js';
import {
  type CreateMappingDto,
  type MappingListQuery,
  type MappingResponse,
  type ReplaceMappingDto,
  type UpdateMappingDto,
} from './dto/mapping.dto.js';
import { MappingsRepository, type MappingWithSummaries } from './mappings.repository.js';

const NOT_FOUND = 'No mapping with this id.';
const NOT_YOUR_PATIENT = { field: 'patientId', message: 'patientId names none of your patients' };
const ASSIGNED =
  'This mapping links the patient to its assigned doctor; reassign the patient first.';

function toMappingResponse(mapping: MappingWithSummaries): MappingResponse {
  const { id, patientId, doctorId, notes, patient, doctor, version, createdAt, updatedAt } =
    mapping;
  return {
    id,
    patientId,
    doctorId,
    notes,
    patient: { id: patient.id, name: patient.name },
    // The repository's doctor summary is the answer's, as it is.
    doctor,
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
    private readonly mappings: MappingsRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(auth: AuthUser, query: MappingListQuery): Promise<Page<MappingResponse>> {
    const page = await this.mappings.page(auth.id, query);
    return { ...page, items: page.items.map(toMappingResponse) };
  }

  async get(auth: AuthUser, id: string): Promise<MappingResponse> {
    return toMappingResponse(await this.findOwned(undefined, auth, id));
  }

  /**
   * Inserts only when the patient is the caller's: otherwise the unique index, checked
   * before the foreign key, would answer 409 and reveal another user's mapping.
   */
  create(auth: AuthUser, dto: CreateMappingDto): Promise<MappingResponse> {
    // A duplicate pair (409) can only be of the caller's own patient: the trail names it.
    this.audit.add({ patientIds: [dto.patientId] });
    return this.dataSource.transaction(async (manager) => {
      const id = await this.mappings.insertForOwnedPatient(manager, auth.id, {
        patientId: dto.patientId,
        doctorId: dto.doctorId,
        notes: dto.notes ?? null,
      });
      if (id === undefined) throw new ValidationProblem([NOT_YOUR_PATIENT]);
      await this.audit.recordInTransaction(manager, { resourceId: id });
      return toMappingResponse(await this.findOwned(manager, auth, id));
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
      // The mapping is locked: only a patient that is not the caller's stops the change.
      if (!(await this.mappings.update(manager, auth.id, id, changes))) {
        throw new ValidationProblem([NOT_YOUR_PATIENT]);
      }
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
      await this.mappings.delete(manager, auth.id, id);
      await this.audit.recordInTransaction(manager, { patientIds: [mapping.patientId] });
    });
  }

  /** The caller's mapping, locked with its patient when about to change. */
  private async findOwned(
    manager: EntityManager | undefined,
    auth: AuthUser,
    id: string,
    lock = false,
  ): Promise<MappingWithSummaries> {
    const mapping = await this.mappings.findOwned(manager, auth.id, id, lock);
    if (!mapping) {
      // Another user probing this id shows in the trail of the patient it belongs to.
      const patientId = await this.mappings.patientOfAny(id);
      this.audit.add({ patientIds: patientId ? [patientId] : [] });
      throw new NotFoundException(NOT_FOUND);
    }
    this.audit.add({ patientIds: [mapping.patientId] });
    return mapping;
  }
}
