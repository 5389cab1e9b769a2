import { Body, Controller, Get, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Audited } from '../audit/audited.decorator.js';
import { type Client, CurrentClient } from '../common/decorators/client.decorator.js';
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
  @Audited('auth.register')
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
  @Audited('auth.login')
  @Post('login')
  @ApiEndpoint({
    operationId: 'login',
    summary: 'Exchange email and password for a token pair',
    description:
      'An unknown email and a wrong password get the same 401, in the same time.\n\n' +
      'Guessing protection: failed logins are counted per email (whether or not an account ' +
      'has it) and client address. After 5 in a row from one address, that address is locked ' +
      'out of that email for 1 minute, and each further failure after a lock ends locks it ' +
      'again for twice as long, up to 15 minutes; other addresses are not affected. Across ' +
      'all addresses, 50 failures within an hour lock the email for every address until the ' +
      'hour is over, and 100 in a row for a day. A locked attempt gets a 429 with ' +
      '`Retry-After`, even with the right password, the same for an unknown email. A ' +
      "successful login resets its own address's count and ends the run of 100. " +
      'Separately, each client address is rate limited: past the limit, 429 with `Retry-After`.',
    response: TokenPairResponse,
    success: 'A new token pair.',
    problems: [
      BAD_REQUEST,
      [UNAUTHORIZED, 'Unknown email, wrong password or disabled account: the same answer for all.'],
      [
        TOO_MANY_REQUESTS,
        'Too many attempts from this address (the rate limit), or too many failed attempts for ' +
          'this email from this address, or from all addresses (a lock). `detail` says which; ' +
          'an unknown email gets the same answers as a known one.',
        {
          description:
            'Seconds to wait: until the rate limit’s minute ends (at most 60), or until the ' +
            'lock ends (at most 15 minutes for one address, a day for every address).',
          maximum: 24 * 60 * 60,
        },
      ],
    ],
  })
  login(
    @CurrentClient() client: Client,
    @Body() dto: LoginDto,
    @UserAgent() userAgent?: string,
  ): Promise<TokenPairResponse> {
    return this.auth.login(client, dto, userAgent);
  }

  @Public()
  @Audited('auth.refresh')
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

  @Audited('auth.logout')
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
