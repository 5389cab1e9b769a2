import { Controller, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/decorators/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { Audited } from './audited.decorator.js';
import { AuditService } from './audit.service.js';
import { AdminAuditEventListQuery, AuditEventPage } from './dto/audit-event.dto.js';

const { BAD_REQUEST } = HttpStatus;

@ApiTags('audit')
@Controller('api/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @Audited('audit.search')
  @ApiEndpoint({
    operationId: 'listAuditEvents',
    summary: 'Search the audit trail (administrators only)',
    description:
      'Every recorded access to patient data, change of a record and authentication event, ' +
      'newest first. Reading the trail is itself recorded.',
    response: AuditEventPage,
    problems: [BAD_REQUEST],
  })
  list(@Query() query: AdminAuditEventListQuery): Promise<AuditEventPage> {
    return this.audit.search(query);
  }
}
