import type { ContactPoint, Patient } from '@medplum/fhirtypes';
import type { PatientResponse } from '../patients/dto/patient.dto.js';
import type { Gender } from '../patients/patient.entity.js';
import { fhirString } from './fhir-string.js';

/** The REST genders are FHIR's administrative genders already; the map makes that checked. */
const FHIR_GENDERS: Record<Gender, NonNullable<Patient['gender']>> = {
  female: 'female',
  male: 'male',
  other: 'other',
  unknown: 'unknown',
};

/** The email and phone of a record, those it has, as FHIR contact points. */
export function telecomOf(record: {
  email: string | null;
  phone: string | null;
}): ContactPoint[] | undefined {
  const telecom: ContactPoint[] = [];
  if (record.email) telecom.push({ system: 'email', value: record.email });
  if (record.phone) telecom.push({ system: 'phone', value: fhirString(record.phone) });
  return telecom.length > 0 ? telecom : undefined;
}

/**
 * A patient as a FHIR Patient. The medical history is left out: free text with no FHIR
 * element of Patient to hold it (it would be Conditions or Observations), and the most
 * sensitive field of the record.
 */
export function toFhirPatient(patient: PatientResponse): Patient {
  return {
    resourceType: 'Patient',
    id: patient.id,
    meta: { versionId: String(patient.version), lastUpdated: patient.updatedAt.toISOString() },
    name: [{ text: fhirString(patient.name) }],
    telecom: telecomOf(patient),
    gender: FHIR_GENDERS[patient.gender],
    birthDate: patient.dateOfBirth,
    address: patient.address ? [{ text: fhirString(patient.address) }] : undefined,
    generalPractitioner: [{ reference: `Practitioner/${patient.doctorId}` }],
  };
}
