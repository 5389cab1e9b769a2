import { Body, Controller, Get, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { Creates } from '../common/interceptors/location.interceptor.js';
import { ApiEndpoint } from '../common/openapi.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { AuthService } from './auth.service.js';
import {
  LoginDto,
  RefreshTokenDto,
  RegisterDto,
  TokenPairResponse,
  UserResponse,
} from './dto/auth.dto.js';

const { BAD_REQUEST, CONFLICT, NO_CONTENT, TOO_MANY_REQUESTS, UNAUTHORIZED } = HttpStatus;

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('register')
  @ApiBody({ type: RegisterDto })
  @Creates('/auth/me/', {
    operationId: 'register',
    summary: 'Create an account',
    response: UserResponse,
    success: 'The account; `Location` names it.',
    problems: [BAD_REQUEST, CONFLICT, TOO_MANY_REQUESTS],
  })
  register(@Body() dto: RegisterDto): Promise<UserResponse> {
    return this.auth.register(dto);
  }

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('login')
  @ApiEndpoint({
    operationId: 'login',
    summary: 'Exchange email and password for a token pair',
    description:
      'An unknown email and a wrong password get the same 401, in the same time.\n\n' +
      'Account protection: after 5 attempts in a row that did not succeed for one email ' +
      '(whether or not an account has it), the email is locked for 1 minute, and each ' +
      'further failure after a lock ends locks it again for twice as long, up to 15 minutes. ' +
      'During a lock every attempt, even with the right password, gets that same 401 ' +
      '(not a 429), so a lock reveals neither the password nor whether the account exists. ' +
      'A successful login resets the count. Separately, each client address is rate limited: ' +
      'past the limit, 429 with `Retry-After`.',
    response: TokenPairResponse,
    success: 'A new token pair.',
    problems: [
      BAD_REQUEST,
      [UNAUTHORIZED, 'Unknown email or wrong password: the same answer for both.'],
      TOO_MANY_REQUESTS,
    ],
  })
  login(@Body() dto: LoginDto): Promise<TokenPairResponse> {
    return this.auth.login(dto);
  }

  @Public()
  @Post('refresh')
  @ApiEndpoint({
    operationId: 'refreshTokens',
    summary: 'Rotate a refresh token into a new pair',
    description:
      'The presented token stops working. Presenting an already rotated token revokes every token of its login.',
    response: TokenPairResponse,
    success: 'A new token pair.',
    problems: [
      BAD_REQUEST,
      [
        UNAUTHORIZED,
        'The refresh token is invalid, expired or already used (reuse revokes its whole login).',
      ],
    ],
  })
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @ApiEndpoint({
    operationId: 'logout',
    summary: "Revoke one of the caller's refresh tokens",
    status: NO_CONTENT,
    success: 'The refresh token no longer works.',
    problems: [BAD_REQUEST],
  })
  logout(@CurrentUser() auth: AuthUser, @Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(auth, dto.refreshToken);
  }

  @Get('me')
  @ApiEndpoint({
    operationId: 'getCurrentUser',
    summary: 'The signed-in account',
    response: UserResponse,
    success: 'The account.',
  })
  me(@CurrentUser() auth: AuthUser): Promise<UserResponse> {
    return this.auth.me(auth);
  }
}
