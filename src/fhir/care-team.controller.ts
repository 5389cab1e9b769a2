import { Get } from '@nestjs/common';
import type { Bundle, CareTeam } from '@medplum/fhirtypes';
import { Audited } from '../audit/audited.decorator.js';
import { type AuthUser, CurrentUser } from '../common/decorators/current-user.decorator.js';
import { IdParam } from '../common/decorators/id-param.decorator.js';
import { FhirController, type FhirSearch, FhirSearchQuery } from './fhir-http.js';
import { ApiFhirEndpoint } from './fhir-openapi.js';
import { FhirService } from './fhir.service.js';
import { CARE_TEAM_SEARCH } from './searches.js';

/** A patient's care team is its mappings: read and searched as the mappings' list is audited. */
@FhirController('CareTeam')
export class CareTeamController {
  constructor(private readonly fhir: FhirService) {}

  @Get()
  @Audited<Bundle<CareTeam>>('mapping.search', {
    patientsOf: (bundle) => bundle.entry?.map((entry) => entry.resource!.id!) ?? [],
  })
  @ApiFhirEndpoint({
    operationId: 'searchFhirCareTeams',
    summary: "Search the care team of one of the caller's patients",
    description:
      "`patient` is required. Another user's patient gives an empty Bundle, like one that does not exist.",
    resource: 'CareTeam',
    search: CARE_TEAM_SEARCH,
  })
  search(
    @CurrentUser() auth: AuthUser,
    @FhirSearchQuery(['CareTeam', CARE_TEAM_SEARCH]) search: FhirSearch<typeof CARE_TEAM_SEARCH>,
  ): Promise<Bundle<CareTeam>> {
    return this.fhir.searchCareTeams(auth, search);
  }

  @Get(':id')
  @Audited('mapping.search', { pathNamesPatient: true })
  @ApiFhirEndpoint({
    operationId: 'readFhirCareTeam',
    summary: "Read the care team of one of the caller's patients; its id is the patient's",
    resource: 'CareTeam',
    read: true,
  })
  read(@CurrentUser() auth: AuthUser, @IdParam() id: string): Promise<CareTeam> {
    return this.fhir.readCareTeam(auth, id);
  }
}
