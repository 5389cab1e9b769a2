import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuditEventListQuery, AuditEventResponse } from '../audit/dto/audit-event.dto.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import {
  containsPattern,
  type Page,
  paginate,
  type SortColumns,
} from '../common/pagination/page.js';
import { definedOnly } from '../common/validation/defined.js';
import {
  assertExpectedVersion,
  type ExpectedVersions,
  preconditionFailed,
} from '../common/versions/entity-tags.js';
import { type HistoryQuery, hydrateVersion } from '../common/versions/history.js';
import { updateVersioned } from '../common/versions/versioned-write.js';
import { DoctorsService } from '../doctors/doctors.service.js';
import type { DoctorListQuery, DoctorResponse } from '../doctors/dto/doctor.dto.js';
import { Mapping } from '../mappings/mapping.entity.js';
import {
  PATIENT_SORT_FIELDS,
  type CreatePatientDto,
  type PatientHistoryEntry,
  type PatientListQuery,
  type PatientResponse,
  type ReplacePatientDto,
  type UpdatePatientDto,
} from './dto/patient.dto.js';
import { PatientVersion } from './patient-version.entity.js';
import { type Gender, Patient } from './patient.entity.js';

const SORT_COLUMNS = {
  name: 'patient.name',
  dateOfBirth: 'patient.dateOfBirth',
  createdAt: 'patient.createdAt',
  updatedAt: 'patient.updatedAt',
} satisfies SortColumns<typeof PATIENT_SORT_FIELDS>;

/**
 * Filters that the REST query does not offer, for the other views of the same records (the
 * FHIR search): any of `genders`, and a date of birth in [`from`, `before`).
 */
export interface PatientFilters {
  genders?: readonly Gender[];
  dateOfBirth?: { from?: string; before?: string };
}

const NOT_FOUND = 'No patient with this id.';
const NO_SUCH_VERSION = 'The patient has no version with this number.';

/** What PUT clears when the body leaves an optional field out. */
const CLEARED_OPTIONAL_FIELDS = { email: null, phone: null, address: null, medicalHistory: null };

function toPatientResponse(patient: Patient): PatientResponse {
  const { id, name, dateOfBirth, gender, email, phone, address, medicalHistory, doctorId } =
    patient;
  const { version, createdAt, updatedAt } = patient;
  return {
    id,
    name,
    dateOfBirth,
    gender,
    email,
    phone,
    address,
    medicalHistory,
    doctorId,
    version,
    createdAt,
    updatedAt,
  };
}

/** Patients are private: every query is scoped to the caller, so others' are never found. */
@Injectable()
export class PatientsService {
  constructor(
    @InjectRepository(Patient) private readonly patients: Repository<Patient>,
    private readonly doctors: DoctorsService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  list(auth: AuthUser, query: PatientListQuery & PatientFilters): Promise<Page<PatientResponse>> {
    const builder = this.patients
      .createQueryBuilder('patient')
      .where('patient.created_by = :user', { user: auth.id });
    if (query.q) builder.andWhere('patient.name ILIKE :q', { q: containsPattern(query.q) });
    if (query.doctorId)
      builder.andWhere('patient.doctor_id = :doctorId', { doctorId: query.doctorId });
    if (query.genders)
      builder.andWhere('patient.gender IN (:...genders)', { genders: query.genders });
    const { from, before } = query.dateOfBirth ?? {};
    if (from) builder.andWhere('patient.date_of_birth >= :from', { from });
    if (before) builder.andWhere('patient.date_of_birth < :before', { before });
    return paginate(builder, query, SORT_COLUMNS, toPatientResponse);
  }

  async get(auth: AuthUser, id: string): Promise<PatientResponse> {
    return toPatientResponse(await this.findOwned(this.dataSource.manager, auth, id));
  }

  /** Creates the patient and its mapping to the assigned doctor, in one transaction. */
  create(auth: AuthUser, dto: CreatePatientDto): Promise<PatientResponse> {
    return this.dataSource.transaction(async (manager) => {
      const values = { ...CLEARED_OPTIONAL_FIELDS, ...dto, createdBy: auth.id, updatedBy: auth.id };
      // A plain INSERT … RETURNING: save() would first work out whether the row exists.
      const { generatedMaps } = await manager.insert(Patient, values);
      const patient = manager.create(Patient, { ...values, ...generatedMaps[0] });
      await this.mapToAssignedDoctor(manager, patient);
      await this.audit.recordInTransaction(manager, {
        resourceId: patient.id,
        patientIds: [patient.id],
      });
      return toPatientResponse(patient);
    });
  }

  replace(
    auth: AuthUser,
    id: string,
    dto: ReplacePatientDto,
    expected?: ExpectedVersions,
  ): Promise<PatientResponse> {
    return this.update(auth, id, { ...CLEARED_OPTIONAL_FIELDS, ...dto }, expected);
  }

  /**
   * Changes a patient if it is at an `expected` version (checked under the row lock, so two
   * edits of one version cannot both succeed); a new assigned doctor gets its mapping (the
   * former one's stays).
   */
  update(
    auth: AuthUser,
    id: string,
    dto: UpdatePatientDto,
    expected?: ExpectedVersions,
  ): Promise<PatientResponse> {
    return this.dataSource.transaction(async (manager) => {
      const patient = await this.findOwned(manager, auth, id, true);
      assertExpectedVersion(expected, patient.version);
      const reassigned = dto.doctorId !== undefined && dto.doctorId !== patient.doctorId;
      const changes = { ...definedOnly(dto), updatedBy: auth.id };
      Object.assign(patient, changes, await updateVersioned(manager, Patient, id, changes));
      if (reassigned) await this.mapToAssignedDoctor(manager, patient);
      await this.audit.recordInTransaction(manager);
      return toPatientResponse(patient);
    });
  }

  /**
   * Deletes a patient if it is at an `expected` version, in one statement, with its audit
   * event; its mappings and its history go with it (ON DELETE CASCADE).
   */
  remove(auth: AuthUser, id: string, expected?: ExpectedVersions): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const deletion = manager
        .createQueryBuilder()
        .delete()
        .from(Patient)
        .where('id = :id AND created_by = :user', { id, user: auth.id });
      if (expected) deletion.andWhere('version = ANY(:expected)', { expected });
      if ((await deletion.execute()).affected) {
        await this.audit.recordInTransaction(manager);
        return;
      }
      const current = expected && (await manager.findOneBy(Patient, { id, createdBy: auth.id }));
      if (current) throw preconditionFailed(current.version);
      throw new NotFoundException(NOT_FOUND);
    });
  }

  /** The patient's versions, newest first by default. */
  async history(
    auth: AuthUser,
    id: string,
    query: HistoryQuery,
  ): Promise<Page<PatientHistoryEntry>> {
    const page = await paginate(
      this.ownedVersions(auth, id),
      query,
      { version: 'entry.version' },
      (entry) => hydrateVersion(this.dataSource, Patient, entry, toPatientResponse),
    );
    if (page.items.length === 0) await this.assertOwned(auth, id);
    return page;
  }

  async historyEntry(auth: AuthUser, id: string, version: number): Promise<PatientHistoryEntry> {
    const entry = await this.ownedVersions(auth, id)
      .andWhere('entry.version = :version', { version })
      .getOne();
    if (entry) return hydrateVersion(this.dataSource, Patient, entry, toPatientResponse);
    await this.assertOwned(auth, id);
    throw new NotFoundException(NO_SUCH_VERSION);
  }

  async listDoctors(
    auth: AuthUser,
    id: string,
    query: DoctorListQuery,
  ): Promise<Page<DoctorResponse>> {
    await this.assertOwned(auth, id);
    return this.doctors.list(auth, query, { patientId: id });
  }

  /** The audit events that name one of the caller's patients: who has accessed it. */
  async auditTrail(
    auth: AuthUser,
    id: string,
    query: AuditEventListQuery,
  ): Promise<Page<AuditEventResponse>> {
    await this.assertOwned(auth, id);
    return this.audit.search({ ...query, patientId: id });
  }

  private async assertOwned(auth: AuthUser, id: string): Promise<void> {
    const owned = await this.patients.existsBy({ id, createdBy: auth.id });
    if (!owned) throw new NotFoundException(NOT_FOUND);
  }

  /** The versions of the patient, if it is the caller's. */
  private ownedVersions(auth: AuthUser, id: string) {
    return this.dataSource.manager
      .createQueryBuilder(PatientVersion, 'entry')
      .innerJoin(
        Patient,
        'patient',
        'patient.id = entry.patient_id AND patient.created_by = :user',
        {
          user: auth.id,
        },
      )
      .where('entry.patient_id = :id', { id });
  }

  private async findOwned(
    manager: EntityManager,
    auth: AuthUser,
    id: string,
    lock = false,
  ): Promise<Patient> {
    const patient = await manager.findOne(Patient, {
      where: { id, createdBy: auth.id },
      ...(lock ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
    if (!patient) throw new NotFoundException(NOT_FOUND);
    return patient;
  }

  private async mapToAssignedDoctor(manager: EntityManager, patient: Patient): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(Mapping)
      .values({ patientId: patient.id, doctorId: patient.doctorId, createdBy: patient.createdBy })
      .orIgnore()
      .execute();
  }
}
