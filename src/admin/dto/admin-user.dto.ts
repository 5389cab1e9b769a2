import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ApiText, ApiTimestamp } from '../../common/openapi.js';
import { ListQuery, SearchField } from '../../common/pagination/list-query.js';
import { PageOf } from '../../common/pagination/page.js';
import { BooleanField, EnumField } from '../../common/validation/fields.js';
import { LENGTH } from '../../common/validation/limits.js';
import { ROLES, type Role } from '../../users/user.entity.js';
import { USER_SORT_FIELDS } from '../../users/users.service.js';

/** `true` and `false` in a query string; anything else stays as sent and fails validation. */
const toBoolean = Transform(({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value,
);

export class AdminUserListQuery extends ListQuery(USER_SORT_FIELDS) {
  @SearchField('Case-insensitive substring of the name or the email')
  q?: string;

  @ApiPropertyOptional({ enum: ROLES, description: 'Only accounts with this role' })
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({
    type: Boolean,
    example: false,
    description: 'Only disabled (`true`) or enabled accounts',
  })
  @toBoolean
  @IsOptional()
  @IsBoolean({ message: 'disabled must be true or false' })
  disabled?: boolean;
}

export class UpdateAdminUserDto {
  @EnumField({ values: ROLES, presence: 'omittable', example: 'admin' })
  role?: Role;

  @BooleanField({
    presence: 'omittable',
    example: true,
    description: 'A disabled account cannot log in or refresh, and its sessions end.',
  })
  disabled?: boolean;
}

export class AdminUserResponse {
  @ApiProperty({ format: 'uuid', example: '0b7e8f6c-3d0a-4c7b-9a59-2f6d1c8e4a11' })
  id: string;

  @ApiText({ maxLength: LENGTH.name, example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ format: 'email', maxLength: LENGTH.email, example: 'ada@example.com' })
  email: string;

  @ApiProperty({ enum: ROLES, example: 'user' })
  role: Role;

  @ApiProperty({ example: false })
  disabled: boolean;

  @ApiTimestamp()
  createdAt: Date;
}

export class AdminUserPage extends PageOf(AdminUserResponse) {}
