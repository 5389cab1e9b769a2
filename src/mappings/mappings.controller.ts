import { Body, Controller, Delete, Get, HttpStatus, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { Creates } from '../common/interceptors/location.interceptor.js';
import { ApiEndpoint } from '../common/openapi.js';
import type { ExpectedVersions } from '../common/versions/entity-tags.js';
import { IfMatch, Versioned } from '../common/versions/versioned.decorator.js';
import {
  CreateMappingDto,
  MappingListQuery,
  MappingPage,
  MappingResponse,
  ReplaceMappingDto,
  UpdateMappingDto,
} from './dto/mapping.dto.js';
import { MappingsService } from './mappings.service.js';

const { BAD_REQUEST, NOT_FOUND, CONFLICT, NO_CONTENT } = HttpStatus;

@ApiTags('mappings')
@Controller('api/mappings')
export class MappingsController {
  constructor(private readonly mappings: MappingsService) {}

  @Get()
  @Audited<MappingPage>('mapping.search', {
    patientsOf: (page) => page.items.map((mapping) => mapping.patientId),
  })
  @ApiEndpoint({
    operationId: 'listMappings',
    summary: "List the mappings of the caller's patients",
    description: "Another user's `patientId` gives an empty page.",
    response: MappingPage,
    problems: [BAD_REQUEST],
  })
  list(@CurrentUser() auth: AuthUser, @Query() query: MappingListQuery): Promise<MappingPage> {
    return this.mappings.list(auth, query);
  }

  @Post()
  @Audited('mapping.create')
  @Versioned('create')
  @Creates('/api/mappings/:id/', {
    operationId: 'createMapping',
    summary: 'Map one of the caller’s patients to a doctor',
    description: "An unknown doctor, or a patient that is not the caller's, is a 400.",
    response: MappingResponse,
    problems: [BAD_REQUEST, CONFLICT],
  })
  create(@CurrentUser() auth: AuthUser, @Body() dto: CreateMappingDto): Promise<MappingResponse> {
    return this.mappings.create(auth, dto);
  }

  @Get(':id')
  @ApiIdParam('mapping')
  @Audited('mapping.read')
  @Versioned('read')
  @ApiEndpoint({
    operationId: 'getMapping',
    summary: 'Read a mapping',
    response: MappingResponse,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  get(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<MappingResponse> {
    return this.mappings.get(auth, id);
  }

  @Put(':id')
  @ApiIdParam('mapping')
  @Audited('mapping.update')
  @Versioned('write')
  @ApiEndpoint({
    operationId: 'replaceMapping',
    summary: 'Replace a mapping (omitted notes are cleared)',
    description:
      "The mapping to the patient's assigned doctor cannot change its pair (409): reassign the patient first.",
    response: MappingResponse,
    problems: [BAD_REQUEST, NOT_FOUND, CONFLICT],
  })
  replace(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Body() dto: ReplaceMappingDto,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<MappingResponse> {
    return this.mappings.replace(auth, id, dto, expected);
  }

  @Patch(':id')
  @ApiIdParam('mapping')
  @Audited('mapping.update')
  @Versioned('write')
  @ApiEndpoint({
    operationId: 'updateMapping',
    summary: 'Change some fields of a mapping',
    description:
      "The mapping to the patient's assigned doctor cannot change its pair (409): reassign the patient first.",
    response: MappingResponse,
    problems: [BAD_REQUEST, NOT_FOUND, CONFLICT],
  })
  update(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Body() dto: UpdateMappingDto,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<MappingResponse> {
    return this.mappings.update(auth, id, dto, expected);
  }

  @Delete(':id')
  @ApiIdParam('mapping')
  @Audited('mapping.delete')
  @Versioned('delete')
  @ApiEndpoint({
    operationId: 'deleteMapping',
    summary: 'Remove a mapping',
    description:
      "The mapping to the patient's assigned doctor is a 409: reassign the patient first.",
    status: NO_CONTENT,
    problems: [BAD_REQUEST, NOT_FOUND, CONFLICT],
  })
  remove(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @IfMatch() expected: ExpectedVersions,
  ): Promise<void> {
    return this.mappings.remove(auth, id, expected);
  }
}
