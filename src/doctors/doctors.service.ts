import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { definedOnly } from '../common/validation/defined.js';
import { assertExpectedVersion, type ExpectedVersions } from '../common/versions/entity-tags.js';
import {
  type HistoryQuery,
  hydrateVersion,
  type StoredVersion,
} from '../common/versions/history.js';
import { MappingsRepository } from '../mappings/mappings.repository.js';
import { DoctorVersionsRepository } from './doctor-versions.repository.js';
import { Doctor } from './doctor.entity.js';
import { DoctorsRepository } from './doctors.repository.js';
import {
  type CreateDoctorDto,
  type DoctorHistoryEntry,
  type DoctorListQuery,
  type DoctorResponse,
  type ReplaceDoctorDto,
  type UpdateDoctorDto,
} from './dto/doctor.dto.js';

function toDoctorResponse(doctor: Doctor): DoctorResponse {
  const { id, name, specialization, email, phone, createdBy, version, createdAt, updatedAt } =
    doctor;
  return { id, name, specialization, email, phone, createdBy, version, createdAt, updatedAt };
}

/** A filter that the REST query does not offer, for the FHIR search: a substring of the name. */
export interface DoctorFilters {
  name?: string;
}

const NOT_FOUND = 'No doctor with this id.';
const NO_SUCH_VERSION = 'The doctor has no version with this number.';

/** The doctor directory: every signed-in user reads it; only a doctor's creator changes it. */
@Injectable()
export class DoctorsService {
  constructor(
    private readonly doctors: DoctorsRepository,
    private readonly versions: DoctorVersionsRepository,
    private readonly mappings: MappingsRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The directory, or with `mappedTo` only the doctors mapped to that patient of the caller. */
  async list(
    auth: AuthUser,
    query: DoctorListQuery & DoctorFilters,
    mappedTo?: { patientId: string },
  ): Promise<Page<DoctorResponse>> {
    const ids = mappedTo && (await this.mappings.doctorIdsOf(auth.id, mappedTo.patientId));
    if (ids?.length === 0) return { items: [], total: 0, limit: query.limit, offset: query.offset };
    const page = await this.doctors.page(query, ids);
    return { ...page, items: page.items.map(toDoctorResponse) };
  }

  async get(_auth: AuthUser, id: string): Promise<DoctorResponse> {
    const doctor = await this.doctors.findById(id);
    if (!doctor) throw new NotFoundException(NOT_FOUND);
    return toDoctorResponse(doctor);
  }

  create(auth: AuthUser, dto: CreateDoctorDto): Promise<DoctorResponse> {
    return this.dataSource.transaction(async (manager) => {
      const doctor = await this.doctors.insert(manager, {
        ...dto,
        phone: dto.phone ?? null,
        createdBy: auth.id,
        updatedBy: auth.id,
      });
      await this.audit.recordInTransaction(manager, { resourceId: doctor.id });
      return toDoctorResponse(doctor);
    });
  }

  replace(
    auth: AuthUser,
    id: string,
    dto: ReplaceDoctorDto,
    expected?: ExpectedVersions,
  ): Promise<DoctorResponse> {
    return this.update(auth, id, { ...dto, phone: dto.phone ?? null }, expected);
  }

  /** Changes a doctor if it is at an `expected` version (checked under the row lock). */
  update(
    auth: AuthUser,
    id: string,
    dto: UpdateDoctorDto,
    expected?: ExpectedVersions,
  ): Promise<DoctorResponse> {
    return this.dataSource.transaction(async (manager) => {
      const doctor = await this.lockChangeable(manager, auth, id, expected, 'for_no_key_update');
      const changes = { ...definedOnly(dto), updatedBy: auth.id };
      Object.assign(doctor, changes, await this.doctors.update(manager, id, changes));
      await this.audit.recordInTransaction(manager);
      return toDoctorResponse(doctor);
    });
  }

  /** Deletes a doctor no patient depends on, if it is at an `expected` version. */
  remove(auth: AuthUser, id: string, expected?: ExpectedVersions): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await this.lockChangeable(manager, auth, id, expected, 'pessimistic_write');
      await this.assertNoDependents(manager, id);
      // A patient assigned meanwhile makes the foreign key refuse this delete (a 409 as well).
      await this.doctors.delete(manager, id, auth.id);
      await this.audit.recordInTransaction(manager);
    });
  }

  /** The doctor's versions, newest first by default. */
  async history(
    _auth: AuthUser,
    id: string,
    query: HistoryQuery,
  ): Promise<Page<DoctorHistoryEntry>> {
    const page = await this.versions.page(id, query);
    if (page.items.length === 0 && !(await this.doctors.exists(id))) {
      throw new NotFoundException(NOT_FOUND);
    }
    return { ...page, items: page.items.map((entry) => this.hydrate(entry)) };
  }

  async historyEntry(_auth: AuthUser, id: string, version: number): Promise<DoctorHistoryEntry> {
    const entry = await this.versions.find(id, version);
    if (entry) return this.hydrate(entry);
    const exists = await this.doctors.exists(id);
    throw new NotFoundException(exists ? NO_SUCH_VERSION : NOT_FOUND);
  }

  private hydrate(entry: StoredVersion): DoctorHistoryEntry {
    return hydrateVersion(this.dataSource, Doctor, entry, toDoctorResponse);
  }

  /**
   * Refuses to delete a doctor patients depend on: each patient assigned to it is also
   * mapped to it, so the mapped patients are all of them.
   */
  private async assertNoDependents(manager: EntityManager, id: string): Promise<void> {
    const count = await this.mappings.patientCountOf(manager, id);
    if (count > 0) {
      throw new ConflictException(
        `The doctor is still assigned or mapped to ${count} patient${count === 1 ? '' : 's'}; ` +
          'reassign them or remove the mappings first.',
      );
    }
  }

  /**
   * Locks the doctor for a change by the caller: 404 when it does not exist, 403 when the
   * caller did not create it, 412 when it is not at an `expected` version.
   */
  private async lockChangeable(
    manager: EntityManager,
    auth: AuthUser,
    id: string,
    expected: ExpectedVersions,
    mode: 'for_no_key_update' | 'pessimistic_write',
  ): Promise<Doctor> {
    const doctor = await this.doctors.lock(manager, id, mode);
    if (!doctor) throw new NotFoundException(NOT_FOUND);
    if (doctor.createdBy !== auth.id) {
      throw new ForbiddenException(
        'Only the user who created this doctor may change or delete it.',
      );
    }
    assertExpectedVersion(expected, doctor.version);
    return doctor;
  }
}
