import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import {
  Command,
  CommandRunner,
  InquirerService,
  Option,
  Question,
  QuestionSet,
} from 'nest-commander';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { RegisterDto } from '../auth/dto/auth.dto.js';
import { ValidationProblem } from '../common/problem-details.js';
import { StrictValidationPipe } from '../common/validation/validation.pipe.js';
import { translateDatabaseError } from '../database/database-errors.js';
import type { Role } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';

/** A command's refusal: its one-line reason is printed and the process exits 1. */
export class CommandFailure extends Error {}

/**
 * A command whose usage errors and `--help` throw (see `cli.ts`) instead of exiting the process
 * on the spot, so that the database, the embedded one especially, is closed first.
 */
abstract class ClosingCommand extends CommandRunner {
  override setCommand(command: Parameters<CommandRunner['setCommand']>[0]): this {
    command.exitOverride();
    return super.setCommand(command);
  }
}

const PASSWORD_QUESTIONS = 'password';

@QuestionSet({ name: PASSWORD_QUESTIONS })
export class PasswordQuestion {
  @Question({ type: 'password', name: 'password', message: 'Password:', mask: '*' })
  parsePassword(value: string): string {
    return value;
  }
}

/** The password: a hidden prompt on a terminal, otherwise standard input less its final newline. */
async function readPassword(inquirer: InquirerService): Promise<string> {
  if (process.stdin.isTTY) {
    const answers = await inquirer.ask<{ password: string }>(PASSWORD_QUESTIONS, undefined);
    return answers.password;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** What went wrong, in one line: the registration rules' messages, or the database's answer. */
function reasonOf(error: unknown): string {
  if (error instanceof ValidationProblem && error.errors?.length) {
    const messages = error.errors.map((field) => field.message.replace(/\.$/, ''));
    return `Invalid: ${messages.join('; ')}.`;
  }
  if (error instanceof HttpException) return error.message;
  const database = translateDatabaseError(error);
  if (database) return database.detail;
  throw error;
}

interface CreateAdminOptions {
  email: string;
  name: string;
}

@Command({
  name: 'create-admin',
  description:
    'Create an administrator account; the password is read from standard input (a hidden prompt on a terminal)',
})
export class CreateAdminCommand extends ClosingCommand {
  constructor(
    private readonly auth: AuthService,
    private readonly inquirer: InquirerService,
    private readonly audit: AuditService,
  ) {
    super();
  }

  /** The body goes through the same validation (and password rules) as a registration. */
  async run(_arguments: string[], options: CreateAdminOptions): Promise<void> {
    const password = await readPassword(this.inquirer);
    const account = await new StrictValidationPipe()
      .transform({ ...options, password }, { type: 'body', metatype: RegisterDto })
      .then((dto) =>
        this.audit.runCommand('auth.register', 'create-admin', HttpStatus.CREATED, () =>
          this.auth.register(dto as RegisterDto, 'admin'),
        ),
      )
      .catch((error: unknown) => {
        throw new CommandFailure(reasonOf(error));
      });
    console.log(`Created the administrator ${account.email} (id ${account.id}).`);
  }

  @Option({ flags: '--email <email>', description: 'Email address of the account', required: true })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--name <name>', description: 'Display name of the account', required: true })
  parseName(value: string): string {
    return value;
  }
}

/** Sets the role of the account named by the email argument. */
@Injectable()
abstract class RoleCommand extends ClosingCommand {
  protected abstract readonly name: string;
  protected abstract readonly role: Role;
  protected abstract readonly done: string;

  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {
    super();
  }

  async run([email]: string[]): Promise<void> {
    const changed = await this.audit.runCommand('user.update', this.name, HttpStatus.OK, () =>
      this.users.setRoleByEmail(email, this.role),
    );
    if (!changed) {
      throw new CommandFailure(`No account has the email ${email}.`);
    }
    console.log(`${email.trim().toLowerCase()} ${this.done}.`);
  }
}

@Command({
  name: 'grant-admin',
  arguments: '<email>',
  description: 'Make an existing account an administrator',
})
export class GrantAdminCommand extends RoleCommand {
  protected readonly name = 'grant-admin';
  protected readonly role = 'admin';
  protected readonly done = 'is now an administrator';
}

@Command({
  name: 'revoke-admin',
  arguments: '<email>',
  description: 'Make an administrator an ordinary user again',
})
export class RevokeAdminCommand extends RoleCommand {
  protected readonly name = 'revoke-admin';
  protected readonly role = 'user';
  protected readonly done = 'is no longer an administrator';
}
