import { Body, Controller, Get, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Client, CurrentClient } from '../common/decorators/client.decorator.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiAuthenticated, ApiProblems } from '../common/openapi.js';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { AuthService } from './auth.service.js';
import {
  LoginDto,
  RefreshTokenDto,
  RegisterDto,
  TokenPairResponse,
  UserResponse,
} from './dto/auth.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('register')
  @ApiOperation({ operationId: 'register', summary: 'Create an account' })
  @ApiBody({ type: RegisterDto })
  @ApiCreatedResponse({
    type: UserResponse,
    description: 'The account; `Location` names it.',
    headers: {
      Location: {
        schema: { type: 'string', enum: ['/auth/me/'] },
        description: 'The account',
        example: '/auth/me/',
      },
    },
  })
  @ApiProblems(HttpStatus.BAD_REQUEST, HttpStatus.CONFLICT, HttpStatus.TOO_MANY_REQUESTS)
  async register(
    @Body() dto: RegisterDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponse> {
    const user = await this.auth.register(dto);
    reply.header('Location', '/auth/me/');
    return user;
  }

  @Public()
  @UseGuards(AuthRateLimitGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
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
  })
  @ApiOkResponse({ type: TokenPairResponse, description: 'A new token pair.' })
  @ApiProblems(
    HttpStatus.BAD_REQUEST,
    [HttpStatus.UNAUTHORIZED, 'Unknown email or wrong password: the same answer for both.'],
    [
      HttpStatus.TOO_MANY_REQUESTS,
      'Too many attempts from this address (the rate limit), or too many failed attempts for ' +
        'this email from this address, or from all addresses (a lock). `detail` says which; ' +
        'an unknown email gets the same answers as a known one.',
      {
        description:
          'Seconds to wait: until the rate limit’s minute ends (at most 60), or until the lock ' +
          'ends (at most 15 minutes for one address, a day for every address).',
        maximum: 24 * 60 * 60,
      },
    ],
  )
  login(@CurrentClient() client: Client, @Body() dto: LoginDto): Promise<TokenPairResponse> {
    return this.auth.login(client, dto);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'refreshTokens',
    summary: 'Rotate a refresh token into a new pair',
    description:
      'The presented token stops working. Presenting an already rotated token revokes every token of its login.',
  })
  @ApiOkResponse({ type: TokenPairResponse, description: 'A new token pair.' })
  @ApiProblems(HttpStatus.BAD_REQUEST, [
    HttpStatus.UNAUTHORIZED,
    'The refresh token is invalid, expired or already used (reuse revokes its whole login).',
  ])
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiAuthenticated()
  @ApiOperation({ operationId: 'logout', summary: "Revoke one of the caller's refresh tokens" })
  @ApiNoContentResponse({ description: 'The refresh token no longer works.' })
  @ApiProblems(HttpStatus.BAD_REQUEST)
  logout(@CurrentUser() auth: AuthUser, @Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(auth, dto.refreshToken);
  }

  @Get('me')
  @ApiAuthenticated()
  @ApiOperation({ operationId: 'getCurrentUser', summary: 'The signed-in account' })
  @ApiOkResponse({ type: UserResponse, description: 'The account.' })
  me(@CurrentUser() auth: AuthUser): Promise<UserResponse> {
    return this.auth.me(auth);
  }
}
