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
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { UserAgent } from '../common/decorators/user-agent.decorator.js';
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
      'Account protection: after 5 attempts in a row that did not succeed for one email ' +
      '(whether or not an account has it), the email is locked for 1 minute, and each ' +
      'further failure after a lock ends locks it again for twice as long, up to 15 minutes. ' +
      'During a lock every attempt, even with the right password, gets that same 401 ' +
      '(not a 429), so a lock reveals neither the password nor whether the account exists. ' +
      'A successful login resets the count. Separately, each client address is rate limited: ' +
      'past the limit, 429 with `Retry-After`.',
  })
  @ApiOkResponse({ type: TokenPairResponse, description: 'A new token pair.' })
  @ApiProblems(
    HttpStatus.BAD_REQUEST,
    [
      HttpStatus.UNAUTHORIZED,
      'Unknown email, wrong password or disabled account: the same answer for all.',
    ],
    HttpStatus.TOO_MANY_REQUESTS,
  )
  login(@Body() dto: LoginDto, @UserAgent() userAgent?: string): Promise<TokenPairResponse> {
    return this.auth.login(dto, userAgent);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'refreshTokens',
    summary: 'Rotate a refresh token into a new pair',
    description:
      'The presented token stops working. Presenting an already rotated token ends its session ' +
      '(every token of that login). A disabled account cannot refresh.',
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
  @ApiOperation({
    operationId: 'logout',
    summary: 'End the session of one of the caller’s refresh tokens',
    description:
      'Its refresh tokens stop working at once, and its access tokens are refused by every ' +
      'instance of the service within 2 seconds.',
  })
  @ApiNoContentResponse({ description: 'The session has ended.' })
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
