import { Body, Controller, Delete, Get, HttpStatus, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { Creates } from '../common/interceptors/location.interceptor.js';
import { ApiEndpoint } from '../common/openapi.js';
import type { ExpectedVersions } from '../common/versions/entity-tags.js';
import { ApiVersionParam, HistoryQuery, VersionParam } from '../common/versions/history.js';
import { IfMatch, Versioned } from '../common/versions/versioned.decorator.js';
import { DoctorsService } from './doctors.service.js';
import {
  CreateDoctorDto,
  DoctorHistoryEntry,
  DoctorHistoryPage,
  DoctorListQuery,
  DoctorPage,
  DoctorResponse,
  ReplaceDoctorDto,
  UpdateDoctorDto,
} from './dto/doctor.dto.js';

const { BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT, NO_CONTENT } = HttpStatus;

@ApiTags('doctors')
@Controller('api/doctors')
export class DoctorsController {
  constructor(private readonly doctors: DoctorsService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listDoctors',
    summary: 'List the doctor directory',
    response: DoctorPage,
    problems: [BAD_REQUEST],
  })
  list(@CurrentUser() auth: AuthUser, @Query() query: DoctorListQuery): Promise<DoctorPage> {
    return this.doctors.list(auth, query);
  }

  @Post()
  @Audited('doctor.create')
  @Versioned('create')
  @Creates('/api/doctors/:id/', {
    operationId: 'createDoctor',
    summary: 'Add a doctor to the directory',
    response: DoctorResponse,
    problems: [BAD_REQUEST, CONFLICT],
  })
  create(@CurrentUser() auth: AuthUser, @Body() dto: CreateDoctorDto): Promise<DoctorResponse> {
    return this.doctors.create(auth, dto);
  }

  @Get(':id')
  @ApiIdParam('doctor')
  @Versioned('read')
  @ApiEndpoint({
    operationId: 'getDoctor',
    summary: 'Read a doctor',
    response: DoctorResponse,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  get(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<DoctorResponse> {
    return this.doctors.get(auth, id);
  }

  @Put(':id')
  @ApiIdParam('doctor')
  @Audited('doctor.update')
  @Versioned('write')
  @ApiEndpoint({
    operationId: 'replaceDoctor',
    summary: 'Replace a doctor (all fields; an omitted phone is cleared)',
    response: DoctorResponse,
    problems: [BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT],
  })
  replace(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Body() dto: ReplaceDoctorDto,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<DoctorResponse> {
    return this.doctors.replace(auth, id, dto, expected);
  }

  @Patch(':id')
  @ApiIdParam('doctor')
  @Audited('doctor.update')
  @Versioned('write')
  @ApiEndpoint({
    operationId: 'updateDoctor',
    summary: 'Change some fields of a doctor',
    response: DoctorResponse,
    problems: [BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT],
  })
  update(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Body() dto: UpdateDoctorDto,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<DoctorResponse> {
    return this.doctors.update(auth, id, dto, expected);
  }

  @Delete(':id')
  @ApiIdParam('doctor')
  @Audited('doctor.delete')
  @Versioned('delete')
  @ApiEndpoint({
    operationId: 'deleteDoctor',
    summary: 'Remove a doctor no patient depends on',
    status: NO_CONTENT,
    problems: [BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT],
  })
  remove(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<void> {
    return this.doctors.remove(auth, id, expected);
  }

  @Get(':id/history')
  @ApiIdParam('doctor')
  @ApiEndpoint({
    operationId: 'listDoctorHistory',
    summary: 'List the versions of a doctor, newest first',
    description:
      'Every version the doctor has had, each as the API answered it then, with who made it and when.',
    response: DoctorHistoryPage,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  history(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Query() query: HistoryQuery,
  ): Promise<DoctorHistoryPage> {
    return this.doctors.history(auth, id, query);
  }

  @Get(':id/history/:version')
  @ApiIdParam('doctor')
  @ApiVersionParam()
  @ApiEndpoint({
    operationId: 'getDoctorVersion',
    summary: 'Read one version of a doctor',
    response: DoctorHistoryEntry,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  historyEntry(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @VersionParam() version: number,
  ): Promise<DoctorHistoryEntry> {
    return this.doctors.historyEntry(auth, id, version);
  }
}
