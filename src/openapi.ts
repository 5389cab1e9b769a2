import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_SCHEMAS } from './common/openapi.js';

export const API_VERSION = '1.0.0';

/** The OpenAPI 3 document, built from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Healthcare records API')
    .setDescription(
      'Doctors, patients and who treats whom, behind JWT authentication. ' +
        'Errors are RFC 9457 problem details (`application/problem+json`).',
    )
    .setVersion(API_VERSION)
    .addServer('http://localhost:3000', 'Local development server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: PROBLEM_SCHEMAS });
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
