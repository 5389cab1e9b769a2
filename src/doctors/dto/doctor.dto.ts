import { ApiProperty } from '@nestjs/swagger';
import { ListQuery, QueryTextField, SearchField } from '../../common/pagination/list-query.js';
import { ApiText, ApiTimestamp, ApiVersion } from '../../common/openapi.js';
import { PageOf } from '../../common/pagination/page.js';
import { HistoryEntryOf } from '../../common/versions/history.js';
import { EmailField, type Presence, TextField } from '../../common/validation/fields.js';
import { LENGTH } from '../../common/validation/limits.js';

/** The writable fields of a doctor: all required to create or replace, any to patch. */
function DoctorBody(partial: boolean) {
  const required: Presence = partial ? 'omittable' : 'required';
  class DoctorBodyFields {
    @TextField({ max: LENGTH.name, presence: required, example: 'Dr. Gregory House' })
    name: string;

    @TextField({ max: LENGTH.specialization, presence: required, example: 'Diagnostic medicine' })
    specialization: string;

    @EmailField({ presence: required, lowercase: false, example: 'house@example.com' })
    email: string;

    @TextField({
      max: LENGTH.phone,
      presence: 'nullable',
      example: '+1 555 0100',
      description: 'Omit or send null for none',
    })
    phone?: string | null;
  }
  return DoctorBodyFields;
}

export class CreateDoctorDto extends DoctorBody(false) {}
export class ReplaceDoctorDto extends DoctorBody(false) {}
export class UpdateDoctorDto extends DoctorBody(true) {}

export const DOCTOR_SORT_FIELDS = [
  'name',
  'specialization',
  'email',
  'createdAt',
  'updatedAt',
] as const;

export class DoctorListQuery extends ListQuery(DOCTOR_SORT_FIELDS) {
  @SearchField('Case-insensitive substring of name, specialization or email')
  q?: string;

  @QueryTextField('Exact specialization')
  specialization?: string;
}

export class DoctorResponse {
  @ApiProperty({ format: 'uuid', example: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b' })
  id: string;

  @ApiText({ maxLength: LENGTH.name, example: 'Dr. Gregory House' })
  name: string;

  @ApiText({ maxLength: LENGTH.specialization, example: 'Diagnostic medicine' })
  specialization: string;

  @ApiProperty({ format: 'email', maxLength: LENGTH.email, example: 'house@example.com' })
  email: string;

  @ApiText({ maxLength: LENGTH.phone, nullable: true, example: '+1 555 0100' })
  phone: string | null;

  @ApiProperty({
    format: 'uuid',
    description: 'The user who created the doctor; only they may change it.',
    example: '0b7e8f6c-3d0a-4c7b-9a59-2f6d1c8e4a11',
  })
  createdBy: string;

  @ApiVersion()
  version: number;

  @ApiTimestamp()
  createdAt: Date;

  @ApiTimestamp()
  updatedAt: Date;
}

export class DoctorPage extends PageOf(DoctorResponse) {}

export class DoctorHistoryEntry extends HistoryEntryOf(DoctorResponse, 'doctor') {}

export class DoctorHistoryPage extends PageOf(DoctorHistoryEntry) {}
