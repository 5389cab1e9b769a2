import {
  dateParameter,
  genderParameter,
  referenceParameter,
  textParameter,
} from './search-query.js';

/** The search parameters of each resource type: parsed, documented and declared from here. */
export const PATIENT_SEARCH = {
  name: textParameter('A case-insensitive substring of the name.', 'jane'),
  birthdate: dateParameter,
  gender: genderParameter,
  'general-practitioner': referenceParameter(
    'Practitioner',
    'The assigned doctor: Practitioner/<id> or the id.',
  ),
};

export const PRACTITIONER_SEARCH = {
  name: textParameter('A case-insensitive substring of the name.', 'house'),
};

export const CARE_TEAM_SEARCH = {
  patient: referenceParameter(
    'Patient',
    "The patient, one of the caller's: Patient/<id> or the id. Required.",
  ),
};
