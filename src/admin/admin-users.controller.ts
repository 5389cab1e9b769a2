import { Body, Controller, Get, HttpStatus, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiIdParam, IdParam } from '../common/decorators/id-param.decorator.js';
import { Roles } from '../common/decorators/roles.decorator.js';
import { ApiEndpoint } from '../common/openapi.js';
import { AdminUsersService } from './admin-users.service.js';
import {
  AdminUserListQuery,
  AdminUserPage,
  AdminUserResponse,
  UpdateAdminUserDto,
} from './dto/admin-user.dto.js';

const { BAD_REQUEST, NOT_FOUND, CONFLICT } = HttpStatus;

@ApiTags('admin')
@Roles('admin')
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listUsers',
    summary: 'List the accounts (administrators only)',
    response: AdminUserPage,
    problems: [BAD_REQUEST],
  })
  list(@Query() query: AdminUserListQuery): Promise<AdminUserPage> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiIdParam('account')
  @ApiEndpoint({
    operationId: 'getUser',
    summary: 'Read an account (administrators only)',
    response: AdminUserResponse,
    problems: [BAD_REQUEST, [NOT_FOUND, 'No account has this id.']],
  })
  get(@IdParam() id: string): Promise<AdminUserResponse> {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiIdParam('account')
  @Audited('user.update')
  @ApiEndpoint({
    operationId: 'updateUser',
    summary: "Change an account's role, or disable or re-enable it (administrators only)",
    description:
      'Disabling ends every session of the account: its refresh tokens stop working at once ' +
      'and its access tokens are refused within 2 seconds.',
    response: AdminUserResponse,
    problems: [
      BAD_REQUEST,
      [NOT_FOUND, 'No account has this id.'],
      [CONFLICT, 'Administrators cannot change their own role or disable themselves.'],
    ],
  })
  update(
    @CurrentUser() auth: AuthUser,
    @IdParam() id: string,
    @Body() dto: UpdateAdminUserDto,
  ): Promise<AdminUserResponse> {
    return this.users.update(auth, id, dto);
  }
}
