import { Get } from '@nestjs/common';
import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { IdParam } from '../common/decorators/id-param.decorator.js';
import { FhirController, type FhirSearch, FhirSearchQuery } from './fhir-http.js';
import { ApiFhirEndpoint } from './fhir-openapi.js';
import { FhirService } from './fhir.service.js';
import { PRACTITIONER_SEARCH } from './searches.js';

/** The doctor directory; like its REST reads, not audited (it holds no patient data). */
@FhirController('Practitioner')
export class PractitionerController {
  constructor(private readonly fhir: FhirService) {}

  @Get()
  @ApiFhirEndpoint({
    operationId: 'searchFhirPractitioners',
    summary: 'Search the doctor directory, as FHIR Practitioners',
    description: 'Oldest first; follow the Bundle’s `next` and `previous` links to page.',
    resource: 'Practitioner',
    search: PRACTITIONER_SEARCH,
  })
  search(
    @CurrentUser() auth: AuthUser,
    @FhirSearchQuery(['Practitioner', PRACTITIONER_SEARCH])
    search: FhirSearch<typeof PRACTITIONER_SEARCH>,
  ): Promise<Bundle<Practitioner>> {
    return this.fhir.searchPractitioners(auth, search);
  }

  @Get(':id')
  @ApiFhirEndpoint({
    operationId: 'readFhirPractitioner',
    summary: 'Read a doctor of the directory, as a FHIR Practitioner',
    resource: 'Practitioner',
    read: true,
    versioned: true,
  })
  read(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<Practitioner> {
    return this.fhir.readPractitioner(auth, id);
  }
}
