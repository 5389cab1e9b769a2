import { Body, Controller, Delete, Get, HttpStatus, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { Creates } from '../common/interceptors/location.interceptor.js';
import { ApiEndpoint } from '../common/openapi.js';
import { DoctorsService } from './doctors.service.js';
import {
  CreateDoctorDto,
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
  ): Promise<DoctorResponse> {
    return this.doctors.replace(auth, id, dto);
  }

  @Patch(':id')
  @ApiIdParam('doctor')
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
  ): Promise<DoctorResponse> {
    return this.doctors.update(auth, id, dto);
  }

  @Delete(':id')
  @ApiIdParam('doctor')
  @ApiEndpoint({
    operationId: 'deleteDoctor',
    summary: 'Remove a doctor no patient depends on',
    status: NO_CONTENT,
    problems: [BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT],
  })
  remove(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<void> {
    return this.doctors.remove(auth, id);
  }
}
