import { Body, Controller, Get, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { UserAgent } from '../common/decorators/user-agent.decorator.js';
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
      [UNAUTHORIZED, 'Unknown email, wrong password or disabled account: the same answer for all.'],
      TOO_MANY_REQUESTS,
    ],
  })
  login(@Body() dto: LoginDto, @UserAgent() userAgent?: string): Promise<TokenPairResponse> {
    return this.auth.login(dto, userAgent);
  }

  @Public()
  @Post('refresh')
  @ApiEndpoint({
    operationId: 'refreshTokens',
    summary: 'Rotate a refresh token into a new pair',
    description:
      'The presented token stops working. Presenting an already rotated token ends its session ' +
      '(every token of that login). A disabled account cannot refresh.',
    response: TokenPairResponse,
    success: 'A new token pair.',
    problems: [
      BAD_REQUEST,
      [
        UNAUTHORIZED,
        'The refresh token is invalid, expired or already used (reuse ends its session), or its account is disabled.',
      ],
    ],
  })
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @ApiEndpoint({
    operationId: 'logout',
    summary: 'End the session of one of the caller’s refresh tokens',
    description:
      'Its refresh tokens stop working at once, and its access tokens are refused by every ' +
      'instance of the service within 2 seconds.',
    status: NO_CONTENT,
    success: 'The session has ended.',
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
