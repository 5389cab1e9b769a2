import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import {
  containsPattern,
  type Page,
  paginate,
  type SortColumns,
} from '../common/pagination/page.js';
import { definedOnly } from '../common/validation/defined.js';
import { DoctorsService } from '../doctors/doctors.service.js';
import type { DoctorListQuery, DoctorResponse } from '../doctors/dto/doctor.dto.js';
import { Mapping } from '../mappings/mapping.entity.js';
import {
  PATIENT_SORT_FIELDS,
  type CreatePatientDto,
  type PatientListQuery,
  type PatientResponse,
  type ReplacePatientDto,
  type UpdatePatientDto,
} from './dto/patient.dto.js';
import { Patient } from './patient.entity.js';

const SORT_COLUMNS = {
  name: 'patient.name',
  dateOfBirth: 'patient.dateOfBirth',
  createdAt: 'patient.createdAt',
  updatedAt: 'patient.updatedAt',
} satisfies SortColumns<typeof PATIENT_SORT_FIELDS>;

const NOT_FOUND = 'No patient with this id.';

/** What PUT clears when the body leaves an optional field out. */
const CLEARED_OPTIONAL_FIELDS = { email: null, phone: null, address: null, medicalHistory: null };

function toPatientResponse(patient: Patient): PatientResponse {
  const { id, name, dateOfBirth, gender, email, phone, address, medicalHistory, doctorId } =
    patient;
  const { createdAt, updatedAt } = patient;
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
  ) {}

  list(auth: AuthUser, query: PatientListQuery): Promise<Page<PatientResponse>> {
    const builder = this.patients
      .createQueryBuilder('patient')
      .where('patient.created_by = :user', { user: auth.id });
    if (query.q) builder.andWhere('patient.name ILIKE :q', { q: containsPattern(query.q) });
    if (query.doctorId)
      builder.andWhere('patient.doctor_id = :doctorId', { doctorId: query.doctorId });
    return paginate(builder, query, SORT_COLUMNS, toPatientResponse);
  }

  async get(auth: AuthUser, id: string): Promise<PatientResponse> {
    return toPatientResponse(await this.findOwned(this.dataSource.manager, auth, id));
  }

  /** Creates the patient and its mapping to the assigned doctor, in one transaction. */
  create(auth: AuthUser, dto: CreatePatientDto): Promise<PatientResponse> {
    return this.dataSource.transaction(async (manager) => {
      const values = { ...CLEARED_OPTIONAL_FIELDS, ...dto, createdBy: auth.id };
      // A plain INSERT … RETURNING: save() would first work out whether the row exists.
      const { generatedMaps } = await manager.insert(Patient, values);
      const patient = manager.create(Patient, { ...values, ...generatedMaps[0] });
      await this.mapToAssignedDoctor(manager, patient);
      return toPatientResponse(patient);
    });
  }

  replace(auth: AuthUser, id: string, dto: ReplacePatientDto): Promise<PatientResponse> {
    return this.update(auth, id, { ...CLEARED_OPTIONAL_FIELDS, ...dto });
  }

  /** Changes a patient; a new assigned doctor gets its mapping (the former one's stays). */
  update(auth: AuthUser, id: string, dto: UpdatePatientDto): Promise<PatientResponse> {
    return this.dataSource.transaction(async (manager) => {
      const patient = await this.findOwned(manager, auth, id, true);
      const reassigned = dto.doctorId !== undefined && dto.doctorId !== patient.doctorId;
      const saved = await manager.save(Object.assign(patient, definedOnly(dto)));
      if (reassigned) await this.mapToAssignedDoctor(manager, saved);
      return toPatientResponse(saved);
    });
  }

  /** Deletes a patient; its mappings go with it (ON DELETE CASCADE). */
  async remove(auth: AuthUser, id: string): Promise<void> {
    const result = await this.patients.delete({ id, createdBy: auth.id });
    if (!result.affected) throw new NotFoundException(NOT_FOUND);
  }

  async listDoctors(
    auth: AuthUser,
    id: string,
    query: DoctorListQuery,
  ): Promise<Page<DoctorResponse>> {
    const owned = await this.patients.existsBy({ id, createdBy: auth.id });
    if (!owned) throw new NotFoundException(NOT_FOUND);
    return this.doctors.list(auth, query, { patientId: id });
  }

  private async findOwned(
    manager: EntityManager,
    auth: AuthUser,
    id: string,
    lock = false,
  ): Promise<Patient> {
    const patient = await manager.findOne(Patient, {
      where: { id, createdBy: auth.id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
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
