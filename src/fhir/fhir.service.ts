import { Injectable, NotFoundException } from '@nestjs/common';
import type { Bundle, CareTeam, Patient, Practitioner } from '@medplum/fhirtypes';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import type { Page } from '../common/pagination/page.js';
import { ValidationProblem } from '../common/problem-details.js';
import { DoctorsService } from '../doctors/doctors.service.js';
import type { MappingResponse } from '../mappings/dto/mapping.dto.js';
import { MappingsService } from '../mappings/mappings.service.js';
import { PatientsService } from '../patients/patients.service.js';
import { toSearchBundle } from './bundle.mapper.js';
import { toFhirCareTeam } from './care-team.mapper.js';
import type { FhirSearch } from './fhir-http.js';
import { toFhirPatient } from './patient.mapper.js';
import { toFhirPractitioner } from './practitioner.mapper.js';
import { MAX_COUNT } from './search-query.js';
import type { CARE_TEAM_SEARCH, PATIENT_SEARCH, PRACTITIONER_SEARCH } from './searches.js';

/** Oldest first, ties broken by id: a walk through the pages sees each record once. */
const STABLE_SORT = 'createdAt';

/**
 * The FHIR view of the records, read through their own services only, so that it has their
 * ownership rules and their audit trail: it translates searches in and resources out.
 */
@Injectable()
export class FhirService {
  constructor(
    private readonly patients: PatientsService,
    private readonly doctors: DoctorsService,
    private readonly mappings: MappingsService,
  ) {}

  async readPatient(auth: AuthUser, id: string): Promise<Patient> {
    return toFhirPatient(await this.patients.get(auth, id));
  }

  async searchPatients(
    auth: AuthUser,
    search: FhirSearch<typeof PATIENT_SEARCH>,
  ): Promise<Bundle<Patient>> {
    const { name, birthdate, gender, 'general-practitioner': doctorId } = search.values;
    const page = await this.patients.list(auth, {
      q: name,
      doctorId,
      genders: gender,
      dateOfBirth: birthdate,
      limit: search.count,
      offset: search.offset,
      sort: STABLE_SORT,
    });
    return toSearchBundle(search, page, toFhirPatient);
  }

  async readPractitioner(auth: AuthUser, id: string): Promise<Practitioner> {
    return toFhirPractitioner(await this.doctors.get(auth, id));
  }

  async searchPractitioners(
    auth: AuthUser,
    search: FhirSearch<typeof PRACTITIONER_SEARCH>,
  ): Promise<Bundle<Practitioner>> {
    const page = await this.doctors.list(auth, {
      name: search.values.name,
      limit: search.count,
      offset: search.offset,
      sort: STABLE_SORT,
    });
    return toSearchBundle(search, page, toFhirPractitioner);
  }

  /** Another user's patient, like one that does not exist, is a 404. */
  async readCareTeam(auth: AuthUser, patientId: string): Promise<CareTeam> {
    const careTeam = await this.careTeamOf(auth, patientId);
    if (!careTeam) throw new NotFoundException('No patient with this id.');
    return careTeam;
  }

  /**
   * The care team of the patient named, if the caller's: an empty Bundle otherwise, the same
   * for another user's patient as for none, so that it reveals nothing.
   */
  async searchCareTeams(
    auth: AuthUser,
    search: FhirSearch<typeof CARE_TEAM_SEARCH>,
  ): Promise<Bundle<CareTeam>> {
    const { patient } = search.values;
    if (!patient) {
      throw new ValidationProblem(
        [{ field: 'patient', message: 'patient is required: a care team is searched by patient' }],
        'The search is invalid.',
      );
    }
    const careTeam = await this.careTeamOf(auth, patient);
    const teams = careTeam ? [careTeam] : [];
    const page: Page<CareTeam> = {
      items: teams.slice(search.offset, search.offset + search.count),
      total: teams.length,
      limit: search.count,
      offset: search.offset,
    };
    return toSearchBundle(search, page, (team) => team);
  }

  /**
   * Every mapping of the patient, page by page. Every patient is mapped to its assigned
   * doctor, so none at all means the patient is not the caller's.
   */
  private async careTeamOf(auth: AuthUser, patientId: string): Promise<CareTeam | undefined> {
    const mappings: MappingResponse[] = [];
    let page: Page<MappingResponse>;
    do {
      page = await this.mappings.list(auth, {
        patientId,
        limit: MAX_COUNT,
        offset: mappings.length,
        sort: STABLE_SORT,
      });
      mappings.push(...page.items);
    } while (page.items.length > 0 && mappings.length < page.total);
    return mappings.length > 0 ? toFhirCareTeam(patientId, mappings) : undefined;
  }
}
