import { ApiProperty } from '@nestjs/swagger';
import { ApiText, ApiTimestamp } from '../../common/openapi.js';
import { ListQuery } from '../../common/pagination/list-query.js';
import { PageOf } from '../../common/pagination/page.js';
import { LENGTH } from '../../common/validation/limits.js';

export const SESSION_SORT_FIELDS = ['createdAt', 'lastUsedAt'] as const;

export class SessionListQuery extends ListQuery(SESSION_SORT_FIELDS) {}

export class SessionResponse {
  @ApiProperty({ format: 'uuid', example: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f' })
  id: string;

  @ApiTimestamp()
  createdAt: Date;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-25T19:02:11.000Z',
    description: 'The login, or the last refresh of its tokens.',
  })
  lastUsedAt: Date;

  @ApiText({
    maxLength: LENGTH.userAgent,
    required: false,
    example: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/147.0',
    description: 'The `User-Agent` of the login, when it sent one.',
  })
  userAgent?: string;

  @ApiProperty({
    example: true,
    description: 'Whether this is the session of the token used for this request.',
  })
  current: boolean;
}

export class SessionPage extends PageOf(SessionResponse) {}
