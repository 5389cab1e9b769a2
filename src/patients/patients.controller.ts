import { Body, Controller, Delete, Get, HttpStatus, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { Creates } from '../common/interceptors/location.interceptor.js';
import { ApiEndpoint } from '../common/openapi.js';
import { DoctorListQuery, DoctorPage } from '../doctors/dto/doctor.dto.js';
import {
  CreatePatientDto,
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
  ): Promise<PatientResponse> {
    return this.patients.replace(auth, id, dto);
  }

  @Patch(':id')
  @ApiIdParam('patient')
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
  ): Promise<PatientResponse> {
    return this.patients.update(auth, id, dto);
  }

  @Delete(':id')
  @ApiIdParam('patient')
  @ApiEndpoint({
    operationId: 'deletePatient',
    summary: 'Delete a patient and its mappings',
    status: NO_CONTENT,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  remove(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<void> {
    return this.patients.remove(auth, id);
  }

  @Get(':id/doctors')
  @ApiIdParam('patient')
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
}
