import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { ApiText, ApiTimestamp, ApiVersion } from '../../common/openapi.js';
import { ListQuery } from '../../common/pagination/list-query.js';
import { PageOf } from '../../common/pagination/page.js';
import { type Presence, TextField, UuidField } from '../../common/validation/fields.js';
import { LENGTH } from '../../common/validation/limits.js';

/** The writable fields of a mapping: the pair to create or replace, any to patch. */
function MappingBody(partial: boolean) {
  const required: Presence = partial ? 'omittable' : 'required';
  class MappingBodyFields {
    @UuidField({ presence: required, description: 'One of the caller’s patients' })
    patientId: string;

    @UuidField({ presence: required, description: 'A doctor of the directory' })
    doctorId: string;

    @TextField({ max: LENGTH.notes, presence: 'nullable', example: 'Second opinion on the MRI.' })
    notes?: string | null;
  }
  return MappingBodyFields;
}

export class CreateMappingDto extends MappingBody(false) {}
export class ReplaceMappingDto extends MappingBody(false) {}
export class UpdateMappingDto extends MappingBody(true) {}

export const MAPPING_SORT_FIELDS = ['createdAt', 'updatedAt'] as const;

export class MappingListQuery extends ListQuery(MAPPING_SORT_FIELDS) {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this patient’s mappings' })
  @IsOptional()
  @IsUUID('all', { message: 'patientId must be a UUID' })
  patientId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only mappings to this doctor' })
  @IsOptional()
  @IsUUID('all', { message: 'doctorId must be a UUID' })
  doctorId?: string;
}

export class PatientSummary {
  @ApiProperty({ format: 'uuid', example: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' })
  id: string;

  @ApiText({ maxLength: LENGTH.name, example: 'Jane Doe' })
  name: string;
}

export class DoctorSummary {
  @ApiProperty({ format: 'uuid', example: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b' })
  id: string;

  @ApiText({ maxLength: LENGTH.name, example: 'Dr. Gregory House' })
  name: string;

  @ApiText({ maxLength: LENGTH.specialization, example: 'Diagnostic medicine' })
  specialization: string;
}

export class MappingResponse {
  @ApiProperty({ format: 'uuid', example: '9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' })
  patientId: string;

  @ApiProperty({ format: 'uuid', example: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b' })
  doctorId: string;

  @ApiText({ maxLength: LENGTH.notes, nullable: true, example: 'Second opinion on the MRI.' })
  notes: string | null;

  @ApiProperty({ type: PatientSummary })
  patient: PatientSummary;

  @ApiProperty({ type: DoctorSummary })
  doctor: DoctorSummary;

  @ApiVersion()
  version: number;

  @ApiTimestamp()
  createdAt: Date;

  @ApiTimestamp()
  updatedAt: Date;
}

export class MappingPage extends PageOf(MappingResponse) {}
