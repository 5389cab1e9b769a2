import { Body, Controller, Delete, Get, HttpStatus, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { AuditEventListQuery, AuditEventPage } from '../audit/dto/audit-event.dto.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { Creates } from '../common/interceptors/location.interceptor.js';
import { ApiEndpoint } from '../common/openapi.js';
import type { ExpectedVersions } from '../common/versions/entity-tags.js';
import { ApiVersionParam, HistoryQuery, VersionParam } from '../common/versions/history.js';
import { IfMatch, Versioned } from '../common/versions/versioned.decorator.js';
import { DoctorListQuery, DoctorPage } from '../doctors/dto/doctor.dto.js';
import {
  CreatePatientDto,
  PatientHistoryEntry,
  PatientHistoryPage,
  PatientListQuery,
  PatientPage,
  PatientResponse,
  ReplacePatientDto,
  UpdatePatientDto,
} from './dto/patient.dto.js';
import { PatientsService } from './patients.service.js';

const { BAD_REQUEST, NOT_FOUND, NO_CONTENT } = HttpStatus;

@ApiTags('patients')
@Controller('api/patients')
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Get()
  @Audited<PatientPage>('patient.search', { patientsOf: (page) => page.items.map((p) => p.id) })
  @ApiEndpoint({
    operationId: 'listPatients',
    summary: "List the caller's patients",
    response: PatientPage,
    problems: [BAD_REQUEST],
  })
  list(@CurrentUser() auth: AuthUser, @Query() query: PatientListQuery): Promise<PatientPage> {
    return this.patients.list(auth, query);
  }

  @Post()
  @Audited('patient.create')
  @Versioned('create')
  @Creates('/api/patients/:id/', {
    operationId: 'createPatient',
    summary: 'Create a patient, mapped to its assigned doctor',
    description: 'A `doctorId` that names no doctor is a 400.',
    response: PatientResponse,
    problems: [BAD_REQUEST],
  })
  create(@CurrentUser() auth: AuthUser, @Body() dto: CreatePatientDto): Promise<PatientResponse> {
    return this.patients.create(auth, dto);
  }

  @Get(':id')
  @ApiIdParam('patient')
  @Audited('patient.read', { pathNamesPatient: true })
  @Versioned('read')
  @ApiEndpoint({
    operationId: 'getPatient',
    summary: 'Read one of the caller’s patients',
    response: PatientResponse,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  get(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<PatientResponse> {
    return this.patients.get(auth, id);
  }

  @Put(':id')
  @ApiIdParam('patient')
  @Audited('patient.update', { pathNamesPatient: true })
  @Versioned('write')
  @ApiEndpoint({
    operationId: 'replacePatient',
    summary: 'Replace a patient (all fields; omitted optional fields are cleared)',
    description: 'A new `doctorId` also gets its mapping; the mapping to the former doctor stays.',
    response: PatientResponse,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  replace(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Body() dto: ReplacePatientDto,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<PatientResponse> {
    return this.patients.replace(auth, id, dto, expected);
  }

  @Patch(':id')
  @ApiIdParam('patient')
  @Audited('patient.update', { pathNamesPatient: true })
  @Versioned('write')
  @ApiEndpoint({
    operationId: 'updatePatient',
    summary: 'Change some fields of a patient (null clears an optional field)',
    description: 'A new `doctorId` also gets its mapping; the mapping to the former doctor stays.',
    response: PatientResponse,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  update(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Body() dto: UpdatePatientDto,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<PatientResponse> {
    return this.patients.update(auth, id, dto, expected);
  }

  @Delete(':id')
  @ApiIdParam('patient')
  @Audited('patient.delete', { pathNamesPatient: true })
  @Versioned('delete')
  @ApiEndpoint({
    operationId: 'deletePatient',
    summary: 'Delete a patient and its mappings',
    status: NO_CONTENT,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  remove(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<void> {
    return this.patients.remove(auth, id, expected);
  }

  @Get(':id/doctors')
  @ApiIdParam('patient')
  // Which doctors treat a patient is the patient's data: a read of the patient.
  @Audited('patient.read', { pathNamesPatient: true })
  @ApiEndpoint({
    operationId: 'listPatientDoctors',
    summary: 'List the doctors mapped to a patient',
    response: DoctorPage,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  listDoctors(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Query() query: DoctorListQuery,
  ): Promise<DoctorPage> {
    return this.patients.listDoctors(auth, id, query);
  }

  @Get(':id/history')
  @ApiIdParam('patient')
  @Audited('patient.history', { pathNamesPatient: true })
  @ApiEndpoint({
    operationId: 'listPatientHistory',
    summary: 'List the versions of a patient, newest first',
    description:
      'Every version the patient has had, each as the API answered it then, with who made it and when.',
    response: PatientHistoryPage,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  history(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Query() query: HistoryQuery,
  ): Promise<PatientHistoryPage> {
    return this.patients.history(auth, id, query);
  }

  @Get(':id/history/:version')
  @ApiIdParam('patient')
  @ApiVersionParam()
  @Audited('patient.history', { pathNamesPatient: true })
  @ApiEndpoint({
    operationId: 'getPatientVersion',
    summary: 'Read one version of a patient',
    response: PatientHistoryEntry,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  historyEntry(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @VersionParam() version: number,
  ): Promise<PatientHistoryEntry> {
    return this.patients.historyEntry(auth, id, version);
  }

  @Get(':id/audit-events')
  @ApiIdParam('patient')
  @Audited('audit.search', { pathNamesPatient: true })
  @ApiEndpoint({
    operationId: 'listPatientAuditEvents',
    summary: "Who has accessed one of the caller's patients: its audit events",
    description:
      'Every recorded event whose `patientIds` include the patient, failed attempts by other ' +
      'users included. Reading it is itself recorded.',
    response: AuditEventPage,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  listAuditEvents(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Query() query: AuditEventListQuery,
  ): Promise<AuditEventPage> {
    return this.patients.auditTrail(auth, id, query);
  }
}
