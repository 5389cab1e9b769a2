import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
  ResourceType,
} from '@medplum/fhirtypes';
import type { SearchSpec } from './search-query.js';
import { CARE_TEAM_SEARCH, PATIENT_SEARCH, PRACTITIONER_SEARCH } from './searches.js';

/** When this statement last changed: it says what the server does, not when it started. */
const STATEMENT_DATE = '2026-12-01';

const PAGING_PARAMETERS: CapabilityStatementRestResourceSearchParam[] = [
  { name: '_count', type: 'number', documentation: 'Results per page, 1–100 (default 20).' },
  { name: '_offset', type: 'number', documentation: 'Results to skip, 0 or more (default 0).' },
];

function resource(
  type: ResourceType,
  documentation: string,
  search: SearchSpec,
): CapabilityStatementRestResource {
  return {
    type,
    documentation,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [
      ...Object.entries(search).map(([name, parameter]) => ({
        name,
        type: parameter.type,
        documentation: parameter.documentation,
      })),
      ...PAGING_PARAMETERS,
    ],
  };
}

/** What this server does, for the server at `base`: read and search of three resource types. */
export function capabilityStatement(base: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    name: 'HealthcareRecordsFhirR4',
    title: 'Healthcare records API: FHIR R4 view',
    status: 'active',
    date: STATEMENT_DATE,
    publisher: 'Healthcare records API',
    description:
      'A read-only FHIR R4 view of the records: the caller’s patients, the doctor directory ' +
      'and each patient’s care team.',
    kind: 'instance',
    software: { name: 'Healthcare records API' },
    implementation: { description: 'The FHIR R4 view of the healthcare records API', url: base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          service: [{ text: 'Bearer access token' }],
          description:
            'Send the accessToken of POST /auth/login/ as Authorization: Bearer <accessToken>, ' +
            'as on the REST API. This is not SMART on FHIR: there is no OAuth authorization ' +
            'server and no .well-known/smart-configuration.',
        },
        resource: [
          resource(
            'Patient',
            "The caller's own patients; another user's are not found. The medical history is not exposed.",
            PATIENT_SEARCH,
          ),
          resource(
            'Practitioner',
            'The doctor directory, which every signed-in user reads.',
            PRACTITIONER_SEARCH,
          ),
          resource(
            'CareTeam',
            "One per patient of the caller, with the patient's id: its mapped doctors.",
            CARE_TEAM_SEARCH,
          ),
        ],
      },
    ],
  };
}
