import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { PatientsService } from '../patients/patients.service.js';
import { Audited } from './audited.decorator.js';
import { AuditService } from './audit.service.js';
import { AuditEventListQuery, AuditEventPage } from './dto/audit-event.dto.js';

const { BAD_REQUEST, NOT_FOUND } = HttpStatus;

@ApiTags('audit')
@Controller()
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly patients: PatientsService,
  ) {}

  @Get('api/patients/:id/audit-events')
  @ApiIdParam('patient')
  @Audited('audit.search', { pathNamesPatient: true })
  @ApiEndpoint({
    operationId: 'listPatientAuditEvents',
    summary: "Who has accessed one of the caller's patients: its audit events",
    description:
      'Every recorded event whose `patientIds` include the patient, also failed attempts ' +
      "by other users. Another user's patient is a 404. Reading it is itself recorded.",
    response: AuditEventPage,
    problems: [BAD_REQUEST, NOT_FOUND],
  })
  async listForPatient(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Query() query: AuditEventListQuery,
  ): Promise<AuditEventPage> {
    await this.patients.assertOwned(auth, id);
    return this.audit.search({ ...query, patientId: id });
  }
}
