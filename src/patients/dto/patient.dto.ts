import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { ApiText, ApiTimestamp, ApiVersion } from '../../common/openapi.js';
import { ListQuery, SearchField } from '../../common/pagination/list-query.js';
import { PageOf } from '../../common/pagination/page.js';
import { HistoryEntryOf } from '../../common/versions/history.js';
import {
  DateOfBirthField,
  EmailField,
  EnumField,
  type Presence,
  TextField,
  UuidField,
} from '../../common/validation/fields.js';
import { GENDERS, type Gender } from '../patient.entity.js';
import { LENGTH } from '../../common/validation/limits.js';

/** The writable fields of a patient: required ones to create or replace, any to patch. */
function PatientBody(partial: boolean) {
  const required: Presence = partial ? 'omittable' : 'required';
  class PatientBodyFields {
    @TextField({ max: LENGTH.name, presence: required, example: 'Jane Doe' })
    name: string;

    @DateOfBirthField({ presence: required })
    dateOfBirth: string;

    @EnumField({ values: GENDERS, presence: required, example: 'female' })
    gender: Gender;

    @EmailField({ presence: 'nullable', lowercase: false, example: 'jane@example.com' })
    email?: string | null;

    @TextField({ max: LENGTH.phone, presence: 'nullable', example: '+1 555 0199' })
    phone?: string | null;

    @TextField({ max: LENGTH.address, presence: 'nullable', example: '1 Main Street, Springfield' })
    address?: string | null;

    @TextField({ max: LENGTH.medicalHistory, presence: 'nullable', example: 'Penicillin allergy.' })
    medicalHistory?: string | null;

    @UuidField({
      presence: required,
      description: 'The assigned doctor; it is also mapped to the patient.',
    })
    doctorId: string;
  }
  return PatientBodyFields;
}

export class CreatePatientDto extends PatientBody(false) {}
export class ReplacePatientDto extends PatientBody(false) {}
export class UpdatePatientDto extends PatientBody(true) {}

export const PATIENT_SORT_FIELDS = ['name', 'dateOfBirth', 'createdAt', 'updatedAt'] as const;

export class PatientListQuery extends ListQuery(PATIENT_SORT_FIELDS) {
  @SearchField('Case-insensitive substring of the name')
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only patients assigned to this doctor' })
  @IsOptional()
  @IsUUID('all', { message: 'doctorId must be a UUID' })
  doctorId?: string;
}

export class PatientResponse {
  @ApiProperty({ format: 'uuid', example: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' })
  id: string;

  @ApiText({ maxLength: LENGTH.name, example: 'Jane Doe' })
  name: string;

  @ApiProperty({ format: 'date', example: '1984-07-21' })
  dateOfBirth: string;

  @ApiProperty({ enum: GENDERS, example: 'female' })
  gender: Gender;

  @ApiProperty({
    type: String,
    format: 'email',
    maxLength: LENGTH.email,
    nullable: true,
    example: 'jane@example.com',
  })
  email: string | null;

  @ApiText({ maxLength: LENGTH.phone, nullable: true, example: '+1 555 0199' })
  phone: string | null;

  @ApiText({ maxLength: LENGTH.address, nullable: true, example: '1 Main Street, Springfield' })
  address: string | null;

  @ApiText({ maxLength: LENGTH.medicalHistory, nullable: true, example: 'Penicillin allergy.' })
  medicalHistory: string | null;

  @ApiProperty({
    format: 'uuid',
    description: 'The assigned doctor',
    example: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
  })
  doctorId: string;

  @ApiVersion()
  version: number;

  @ApiTimestamp()
  createdAt: Date;

  @ApiTimestamp()
  updatedAt: Date;
}

export class PatientPage extends PageOf(PatientResponse) {}

export class PatientHistoryEntry extends HistoryEntryOf(PatientResponse, 'patient') {}

export class PatientHistoryPage extends PageOf(PatientHistoryEntry) {}
