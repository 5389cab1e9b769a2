import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { describe, expect, inject, it } from 'vitest';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { LoginThrottle } from '../src/auth/login-throttle.entity.js';
import { RefreshToken } from '../src/auth/refresh-token.entity.js';
import { Session } from '../src/sessions/session.entity.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { DoctorVersion } from '../src/doctors/doctor-version.entity.js';
import { Doctor } from '../src/doctors/doctor.entity.js';
import { Mapping } from '../src/mappings/mapping.entity.js';
import { PatientVersion } from '../src/patients/patient-version.entity.js';
import { Patient } from '../src/patients/patient.entity.js';
import { User } from '../src/users/user.entity.js';

describe('schema', () => {
  it('the migrations build exactly the schema the entities describe (nothing to generate)', async () => {
    const dataSource = new DataSource({
      ...dataSourceOptions(inject('databaseUrl'), false),
      entities: [
        User,
        RefreshToken,
        Session,
        LoginThrottle,
        Doctor,
        DoctorVersion,
        Patient,
        PatientVersion,
        Mapping,
        AuditEvent,
      ],
    });
    await dataSource.initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
