import type { CareTeam } from '@medplum/fhirtypes';
import type { MappingResponse } from '../mappings/dto/mapping.dto.js';
import { fhirString } from './fhir-string.js';

/**
 * A patient's mappings as its one FHIR CareTeam, whose id is the patient's: a participant per
 * mapped doctor, since the mapping was made.
 */
export function toFhirCareTeam(patientId: string, mappings: MappingResponse[]): CareTeam {
  return {
    resourceType: 'CareTeam',
    id: patientId,
    status: 'active',
    subject: { reference: `Patient/${patientId}` },
    participant: mappings.map((mapping) => ({
      member: {
        reference: `Practitioner/${mapping.doctorId}`,
        display: fhirString(mapping.doctor.name),
      },
      period: { start: mapping.createdAt.toISOString() },
    })),
  };
}
