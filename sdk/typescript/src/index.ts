/**
 * A typed client of the Healthcare records API: openapi-fetch driven by the types that
 * openapi-typescript generates from openapi.json into ./schema.d.ts (`npm run sdk`).
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** The request and response bodies, by schema name (`Schemas['DoctorResponse']`, ...). */
export type Schemas = components['schemas'];

/** The RFC 9457 body of every error response. */
export type ProblemDetails = Schemas['ProblemDetails'];

export type HealthcareClient = Client<paths>;

export interface HealthcareClientOptions extends ClientOptions {
  /** The server's origin, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** Called before each request; the access token it returns is sent as a bearer token. */
  accessToken?: () => string | undefined;
}

/** Creates a client; call its `GET`, `POST`, ... methods with the API's paths. */
export function createHealthcareClient(options: HealthcareClientOptions): HealthcareClient {
  const { accessToken, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  if (accessToken) {
    client.use({
      onRequest({ request }) {
        const token = accessToken();
        if (token) request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}
