import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import {
  containsPattern,
  type Page,
  paginate,
  type SortColumns,
} from '../common/pagination/page.js';
import { definedOnly } from '../common/validation/defined.js';
import { assertExpectedVersion, type ExpectedVersions } from '../common/versions/entity-tags.js';
import { type HistoryQuery, hydrateVersion } from '../common/versions/history.js';
import { updateVersioned } from '../common/versions/versioned-write.js';
import { Mapping } from '../mappings/mapping.entity.js';
import { DoctorVersion } from './doctor-version.entity.js';
import { Doctor } from './doctor.entity.js';
import {
  DOCTOR_SORT_FIELDS,
  type CreateDoctorDto,
  type DoctorHistoryEntry,
  type DoctorListQuery,
  type DoctorResponse,
  type ReplaceDoctorDto,
  type UpdateDoctorDto,
} from './dto/doctor.dto.js';

const SORT_COLUMNS = {
  name: 'doctor.name',
  specialization: 'doctor.specialization',
  email: 'doctor.email',
  createdAt: 'doctor.createdAt',
  updatedAt: 'doctor.updatedAt',
} satisfies SortColumns<typeof DOCTOR_SORT_FIELDS>;

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
    @InjectRepository(Doctor) private readonly doctors: Repository<Doctor>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The directory, or with `mappedTo` only the doctors mapped to that patient of the caller. */
  list(
    auth: AuthUser,
    query: DoctorListQuery & DoctorFilters,
    mappedTo?: { patientId: string },
  ): Promise<Page<DoctorResponse>> {
    const builder = this.doctors.createQueryBuilder('doctor');
    if (mappedTo) {
      builder.innerJoin(
        Mapping,
        'mapping',
        'mapping.doctor_id = doctor.id AND mapping.patient_id = :patientId AND mapping.created_by = :user',
        { patientId: mappedTo.patientId, user: auth.id },
      );
    }
    if (query.q) {
      builder.andWhere(
        '(doctor.name ILIKE :q OR doctor.specialization ILIKE :q OR doctor.email ILIKE :q)',
        { q: containsPattern(query.q) },
      );
    }
    if (query.name)
      builder.andWhere('doctor.name ILIKE :name', { name: containsPattern(query.name) });
    if (query.specialization !== undefined) {
      builder.andWhere('doctor.specialization = :specialization', {
        specialization: query.specialization,
      });
    }
    return paginate(builder, query, SORT_COLUMNS, toDoctorResponse);
  }

  async get(_auth: AuthUser, id: string): Promise<DoctorResponse> {
    const doctor = await this.doctors.findOneBy({ id });
    if (!doctor) throw new NotFoundException(NOT_FOUND);
    return toDoctorResponse(doctor);
  }

  create(auth: AuthUser, dto: CreateDoctorDto): Promise<DoctorResponse> {
    return this.dataSource.transaction(async (manager) => {
      const doctors = manager.getRepository(Doctor);
      const doctor = await doctors.save(
        doctors.create({
          ...dto,
          phone: dto.phone ?? null,
          createdBy: auth.id,
          updatedBy: auth.id,
        }),
      );
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
      Object.assign(doctor, changes, await updateVersioned(manager, Doctor, id, changes));
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
      await manager.delete(Doctor, { id, createdBy: auth.id });
      await this.audit.recordInTransaction(manager);
    });
  }

  /** The doctor's versions, newest first by default. */
  async history(
    _auth: AuthUser,
    id: string,
    query: HistoryQuery,
  ): Promise<Page<DoctorHistoryEntry>> {
    const page = await paginate(this.versions(id), query, { version: 'entry.version' }, (entry) =>
      hydrateVersion(this.dataSource, Doctor, entry, toDoctorResponse),
    );
    if (page.items.length === 0 && !(await this.doctors.existsBy({ id }))) {
      throw new NotFoundException(NOT_FOUND);
    }
    return page;
  }

  async historyEntry(_auth: AuthUser, id: string, version: number): Promise<DoctorHistoryEntry> {
    const entry = await this.versions(id)
      .andWhere('entry.version = :version', { version })
      .getOne();
    if (entry) return hydrateVersion(this.dataSource, Doctor, entry, toDoctorResponse);
    const exists = await this.doctors.existsBy({ id });
    throw new NotFoundException(exists ? NO_SUCH_VERSION : NOT_FOUND);
  }

  private versions(id: string) {
    return this.dataSource.manager
      .createQueryBuilder(DoctorVersion, 'entry')
      .where('entry.doctor_id = :id', { id });
  }

  private async assertNoDependents(manager: EntityManager, id: string): Promise<void> {
    const [{ count }]: { count: number }[] = await manager.query(
      `SELECT count(*)::int AS count FROM (
         SELECT id FROM patients WHERE doctor_id = $1
         UNION SELECT patient_id FROM mappings WHERE doctor_id = $1
       ) AS dependents`,
      [id],
    );
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
    const doctor = await manager.findOne(Doctor, { where: { id }, lock: { mode } });
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
