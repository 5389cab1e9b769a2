import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The HMAC key as a KeyObject. Given a plain string, jsonwebtoken first tries to parse it as
 * a PEM public key on every call, and that failed attempt was the largest cost of an
 * authenticated request.
 */
export function jwtKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** The `iss` and `aud` of every access token; tokens naming anything else are refused. */
export const JWT_ISSUER = 'healthcare-api';
export const JWT_AUDIENCE = 'healthcare-api';
