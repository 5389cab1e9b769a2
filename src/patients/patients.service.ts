import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuditEventListQuery, AuditEventResponse } from '../audit/dto/audit-event.dto.js';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { definedOnly } from '../common/validation/defined.js';
import {
  assertExpectedVersion,
  type ExpectedVersions,
  preconditionFailed,
} from '../common/versions/entity-tags.js';
import {
  type HistoryQuery,
  hydrateVersion,
  type StoredVersion,
} from '../common/versions/history.js';
import { DoctorsService } from '../doctors/doctors.service.js';
import type { DoctorListQuery, DoctorResponse } from '../doctors/dto/doctor.dto.js';
import {
  type CreatePatientDto,
  type PatientHistoryEntry,
  type PatientListQuery,
  type PatientResponse,
  type ReplacePatientDto,
  type UpdatePatientDto,
} from './dto/patient.dto.js';
import { PatientVersionsRepository } from './patient-versions.repository.js';
import { type Gender, Patient } from './patient.entity.js';
import { PatientsRepository } from './patients.repository.js';

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
    private readonly patients: PatientsRepository,
    private readonly versions: PatientVersionsRepository,
    private readonly doctors: DoctorsService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(
    auth: AuthUser,
    query: PatientListQuery & PatientFilters,
  ): Promise<Page<PatientResponse>> {
    const page = await this.patients.page(auth.id, query);
    return { ...page, items: page.items.map(toPatientResponse) };
  }

  async get(auth: AuthUser, id: string): Promise<PatientResponse> {
    return toPatientResponse(await this.findOwned(auth, id));
  }

  /**
   * Creates the patient, with its audit event; the database maps it to its assigned doctor in
   * the same transaction (the `patients_map_doctor` trigger).
   */
  create(auth: AuthUser, dto: CreatePatientDto): Promise<PatientResponse> {
    return this.dataSource.transaction(async (manager) => {
      const patient = await this.patients.insert(manager, {
        ...CLEARED_OPTIONAL_FIELDS,
        ...dto,
        createdBy: auth.id,
        updatedBy: auth.id,
      });
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
   * edits of one version cannot both succeed); the database maps a new assigned doctor (the
   * former one's mapping stays).
   */
  update(
    auth: AuthUser,
    id: string,
    dto: UpdatePatientDto,
    expected?: ExpectedVersions,
  ): Promise<PatientResponse> {
    return this.dataSource.transaction(async (manager) => {
      const patient = await this.findOwned(auth, id, { manager, lock: true });
      assertExpectedVersion(expected, patient.version);
      const changes = { ...definedOnly(dto), updatedBy: auth.id };
      Object.assign(patient, changes, await this.patients.update(manager, id, changes));
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
      if (await this.patients.deleteOwned(manager, auth.id, id, expected)) {
        await this.audit.recordInTransaction(manager);
        return;
      }
      const current = expected && (await this.patients.findOwned(auth.id, id, { manager }));
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
    const page = await this.versions.page(auth.id, id, query);
    if (page.items.length === 0) await this.assertOwned(auth, id);
    return { ...page, items: page.items.map((entry) => this.hydrate(entry)) };
  }

  async historyEntry(auth: AuthUser, id: string, version: number): Promise<PatientHistoryEntry> {
    const entry = await this.versions.find(auth.id, id, version);
    if (entry) return this.hydrate(entry);
    await this.assertOwned(auth, id);
    throw new NotFoundException(NO_SUCH_VERSION);
  }

  async listDoctors(
    auth: AuthUser,
    id: string,
    query: DoctorListQuery,
  ): Promise<Page<DoctorResponse>> {
    const page = await this.doctors.list(auth, query, { patientId: id });
    // Every patient is mapped to its assigned doctor: an empty list may be no patient at all.
    if (page.total === 0) await this.assertOwned(auth, id);
    return page;
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
    if (!(await this.patients.existsOwned(auth.id, id))) throw new NotFoundException(NOT_FOUND);
  }

  private async findOwned(
    auth: AuthUser,
    id: string,
    options?: Parameters<PatientsRepository['findOwned']>[2],
  ): Promise<Patient> {
    const patient = await this.patients.findOwned(auth.id, id, options);
    if (!patient) throw new NotFoundException(NOT_FOUND);
    return patient;
  }

  private hydrate(entry: StoredVersion): PatientHistoryEntry {
    return hydrateVersion(this.dataSource, Patient, entry, toPatientResponse);
  }
}
