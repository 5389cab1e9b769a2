import { Get } from '@nestjs/common';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { Audited } from '../audit/audited.decorator.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { IdParam } from '../common/decorators/id-param.decorator.js';
import { FhirController, type FhirSearch, FhirSearchQuery } from './fhir-http.js';
import { ApiFhirEndpoint } from './fhir-openapi.js';
import { FhirService } from './fhir.service.js';
import { PATIENT_SEARCH } from './searches.js';

@FhirController('Patient')
export class PatientController {
  constructor(private readonly fhir: FhirService) {}

  @Get()
  @Audited<Bundle<Patient>>('patient.search', {
    patientsOf: (bundle) => bundle.entry?.map((entry) => entry.resource!.id!) ?? [],
  })
  @ApiFhirEndpoint({
    operationId: 'searchFhirPatients',
    summary: "Search the caller's patients, as FHIR Patients",
    description: 'Oldest first; follow the Bundle’s `next` and `previous` links to page.',
    resource: 'Patient',
    search: PATIENT_SEARCH,
  })
  search(
    @CurrentUser() auth: AuthUser,
    @FhirSearchQuery(['Patient', PATIENT_SEARCH]) search: FhirSearch<typeof PATIENT_SEARCH>,
  ): Promise<Bundle<Patient>> {
    return this.fhir.searchPatients(auth, search);
  }

  @Get(':id')
  @Audited('patient.read', { pathNamesPatient: true })
  @ApiFhirEndpoint({
    operationId: 'readFhirPatient',
    summary: "Read one of the caller's patients, as a FHIR Patient",
    resource: 'Patient',
    read: true,
    versioned: true,
  })
  read(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<Patient> {
    return this.fhir.readPatient(auth, id);
  }
}
