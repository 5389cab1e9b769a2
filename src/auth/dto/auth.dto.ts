import { ApiProperty } from '@nestjs/swagger';
import { ApiText, ApiTimestamp } from '../../common/openapi.js';
import { EmailField, TextField } from '../../common/validation/fields.js';
import { ROLES, type Role } from '../../users/user.entity.js';
import { AcceptablePassword } from '../password-policy.js';
import { LENGTH } from '../../common/validation/limits.js';

const REFRESH_TOKEN_EXAMPLE = 'yJ0c3Ag2yF5m8Q2l3uI3mT8wq1wG4a0a9cYx7x3e9xM';

export class RegisterDto {
  @TextField({ max: LENGTH.name, example: 'Ada Lovelace', description: 'Display name' })
  name: string;

  @EmailField()
  email: string;

  @TextField({
    min: 8,
    max: 72,
    unit: 'bytes',
    keepWhitespace: true,
    example: 'correct horse battery staple',
    description:
      'Kept exactly as sent (not trimmed). Must be hard to guess: a zxcvbn strength score of at least 3 of 4, counting the name and email as known words (so leaked passwords, dictionary words, keyboard walks, repeats and the email itself are refused)',
  })
  @AcceptablePassword()
  password: string;
}

export class LoginDto {
  @EmailField()
  email: string;

  @TextField({
    max: 72,
    unit: 'bytes',
    keepWhitespace: true,
    example: 'correct horse battery staple',
  })
  password: string;
}

export class RefreshTokenDto {
  @TextField({
    max: 4096,
    keepWhitespace: true,
    example: REFRESH_TOKEN_EXAMPLE,
    description: 'The refresh token from login or the last refresh',
  })
  refreshToken: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '0b7e8f6c-3d0a-4c7b-9a59-2f6d1c8e4a11' })
  id: string;

  @ApiText({ maxLength: LENGTH.name, example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ format: 'email', maxLength: LENGTH.email, example: 'ada@example.com' })
  email: string;

  @ApiProperty({
    enum: ROLES,
    example: 'user',
    description: '`user` at registration; `admin` accounts manage accounts.',
  })
  role: Role;

  @ApiTimestamp()
  createdAt: Date;
}

export class TokenPairResponse {
  @ApiProperty({
    description: 'HS256 JWT to send as `Authorization: Bearer <accessToken>`',
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    maxLength: 2048,
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjdlIn0.c2lnbmF0dXJl',
  })
  accessToken: string;

  @ApiProperty({
    description: 'Opaque, single-use: exchange it at /auth/refresh/ for a new pair',
    pattern: '^[A-Za-z0-9_-]{43}$',
    maxLength: 43,
    example: REFRESH_TOKEN_EXAMPLE,
  })
  refreshToken: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expiresIn: number;
}
