import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { type Page, paginate } from '../common/pagination/page.js';
import type { HistoryQuery } from '../common/versions/history.js';
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
    return paginate(
      owned(this.versions, ownerId, patientId),
      query,
      { version: 'entry.version' },
      (entry) => entry,
    );
  }

  find(ownerId: string, patientId: string, version: number): Promise<PatientVersion | null> {
    return owned(this.versions, ownerId, patientId)
      .andWhere('entry.version = :version', { version })
      .getOne();
  }
}
