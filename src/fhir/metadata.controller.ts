import { Get } from '@nestjs/common';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { Public } from '../common/decorators/public.decorator.js';
import { capabilityStatement } from './capability-statement.js';
import { FhirBase, FhirController } from './fhir-http.js';
import { ApiFhirEndpoint } from './fhir-openapi.js';

@FhirController('metadata')
export class MetadataController {
  @Get()
  @Public()
  @ApiFhirEndpoint({
    operationId: 'getFhirCapabilityStatement',
    summary: 'What the FHIR R4 view serves: its CapabilityStatement',
    resource: 'CapabilityStatement',
    public: true,
  })
  metadata(@FhirBase() base: string): CapabilityStatement {
    return capabilityStatement(base);
  }
}
