/** The `iss` and `aud` of every access token; tokens naming anything else are refused. */
export const JWT_ISSUER = 'healthcare-api';
export const JWT_AUDIENCE = 'healthcare-api';
