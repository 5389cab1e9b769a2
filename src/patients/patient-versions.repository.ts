import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Page } from '../common/pagination/page.js';
import { type HistoryQuery, versionNumbered, versionsPage } from '../common/versions/history.js';
import { PatientVersion } from './patient-version.entity.js';

/** The versions of the patient, if it is the owner's. */
const owned = (versions: Repository<PatientVersion>, ownerId: string, patientId: string) =>
  versions
    .createQueryBuilder('entry')
    .innerJoin(
      'patients',
      'patient',
      'patient.id = entry.patient_id AND patient.created_by = :ownerId',
      {
        ownerId,
      },
    )
    .where('entry.patient_id = :patientId', { patientId });

/**
 * The SQL of `patient_versions`, which only the database's trigger writes. Each read is
 * scoped to the owner by a join on the patient: another user's versions are never found.
 */
@Injectable()
export class PatientVersionsRepository {
  constructor(
    @InjectRepository(PatientVersion) private readonly versions: Repository<PatientVersion>,
  ) {}

  page(ownerId: string, patientId: string, query: HistoryQuery): Promise<Page<PatientVersion>> {
    return versionsPage(owned(this.versions, ownerId, patientId), query);
  }

  find(ownerId: string, patientId: string, version: number): Promise<PatientVersion | null> {
    return versionNumbered(owned(this.versions, ownerId, patientId), version);
  }
}
