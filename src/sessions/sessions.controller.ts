import { Controller, Delete, Get, HttpStatus, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { SessionListQuery, SessionPage } from './dto/session.dto.js';
import { SessionsService } from './sessions.service.js';

const { BAD_REQUEST, NOT_FOUND, NO_CONTENT } = HttpStatus;

@ApiTags('auth')
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listSessions',
    summary: "List the caller's live sessions (one per login)",
    description: '`current` marks the session of the access token used for this request.',
    response: SessionPage,
    problems: [BAD_REQUEST],
  })
  list(@CurrentUser() auth: AuthUser, @Query() query: SessionListQuery): Promise<SessionPage> {
    return this.sessions.list(auth, query);
  }

  @Delete(':id')
  @ApiIdParam('session')
  @Audited('auth.session-end', { resourceType: 'session' })
  @ApiEndpoint({
    operationId: 'endSession',
    summary: 'End one of the caller’s sessions',
    description:
      'Its refresh tokens stop working at once, and its access tokens are refused by every ' +
      'instance of the service within 2 seconds.',
    status: NO_CONTENT,
    problems: [BAD_REQUEST, [NOT_FOUND, 'No live session of the caller has this id.']],
  })
  end(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<void> {
    return this.sessions.endOwn(auth, id);
  }
}
