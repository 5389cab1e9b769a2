import type { ChildProcess } from 'node:child_process';

export declare const POSTGRES_URL: string;
export declare function databaseUrl(name: string, serverUrl?: string): string;
export declare function freshDatabaseName(prefix: string): string;
export declare function createDatabase(
  name: string,
  options?: { serverUrl?: string; template?: string },
): Promise<string>;
export declare function dropDatabase(name: string, options?: { serverUrl?: string }): Promise<void>;
export declare function freePort(): Promise<number>;
export declare function waitUntilHealthy(
  baseUrl: string,
  options?: { child?: ChildProcess; timeoutMs?: number },
): Promise<void>;
