import type { Practitioner } from '@medplum/fhirtypes';
import type { DoctorResponse } from '../doctors/dto/doctor.dto.js';
import { fhirString } from './fhir-string.js';
import { telecomOf } from './patient.mapper.js';

/** A doctor of the directory as a FHIR Practitioner; the specialization is its qualification. */
export function toFhirPractitioner(doctor: DoctorResponse): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: doctor.id,
    meta: { versionId: String(doctor.version), lastUpdated: doctor.updatedAt.toISOString() },
    name: [{ text: fhirString(doctor.name) }],
    telecom: telecomOf(doctor),
    qualification: [{ code: { text: fhirString(doctor.specialization) } }],
  };
}
