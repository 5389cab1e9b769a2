import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Page } from '../common/pagination/page.js';
import { type HistoryQuery, versionNumbered, versionsPage } from '../common/versions/history.js';
import { DoctorVersion } from './doctor-version.entity.js';

const ofDoctor = (versions: Repository<DoctorVersion>, doctorId: string) =>
  versions.createQueryBuilder('entry').where('entry.doctor_id = :doctorId', { doctorId });

/** The SQL of `doctor_versions`, which only the database's trigger writes. */
@Injectable()
export class DoctorVersionsRepository {
  constructor(
    @InjectRepository(DoctorVersion) private readonly versions: Repository<DoctorVersion>,
  ) {}

  page(doctorId: string, query: HistoryQuery): Promise<Page<DoctorVersion>> {
    return versionsPage(ofDoctor(this.versions, doctorId), query);
  }

  find(doctorId: string, version: number): Promise<DoctorVersion | null> {
    return versionNumbered(ofDoctor(this.versions, doctorId), version);
  }
}
