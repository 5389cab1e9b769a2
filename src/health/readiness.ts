import { Injectable } from '@nestjs/common';

/**
 * Whether this instance should receive traffic. A shutdown makes it not ready before it
 * stops listening, so that the load balancer drains it first (see main.ts).
 */
@Injectable()
export class Readiness {
  private shuttingDown = false;

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
