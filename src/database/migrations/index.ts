import { CreateUsersAndRefreshTokens1764090000000 } from './1764090000000-CreateUsersAndRefreshTokens.js';
import { CreateDoctorsPatientsMappings1764100000000 } from './1764100000000-CreateDoctorsPatientsMappings.js';
import { CreateLoginThrottles1764200000000 } from './1764200000000-CreateLoginThrottles.js';
import { CreateRolesAndSessions1764300000000 } from './1764300000000-CreateRolesAndSessions.js';
import { AddVersionsAndHistory1764400000000 } from './1764400000000-AddVersionsAndHistory.js';
import { LoginThrottlesPerClient1764600000000 } from './1764600000000-LoginThrottlesPerClient.js';
import { CreateAuditEvents1764700000000 } from './1764700000000-CreateAuditEvents.js';
import { CountMappingsPerOwner1764900000000 } from './1764900000000-CountMappingsPerOwner.js';
import { RevokeTokensOfEndedSessions1764910000000 } from './1764910000000-RevokeTokensOfEndedSessions.js';
import { MapPatientsToTheirDoctors1764920000000 } from './1764920000000-MapPatientsToTheirDoctors.js';
import { CountDoctors1764930000000 } from './1764930000000-CountDoctors.js';

/**
 * Every migration, in order. Listed rather than globbed so that the application, the
 * test runner (which cannot load `.ts` files from a glob) and the build all see the same set.
 * A generated migration must be added here.
 */
export const migrations = [
  CreateUsersAndRefreshTokens1764090000000,
  CreateDoctorsPatientsMappings1764100000000,
  CreateLoginThrottles1764200000000,
  CreateRolesAndSessions1764300000000,
  AddVersionsAndHistory1764400000000,
  LoginThrottlesPerClient1764600000000,
  CreateAuditEvents1764700000000,
  CountMappingsPerOwner1764900000000,
  RevokeTokensOfEndedSessions1764910000000,
  MapPatientsToTheirDoctors1764920000000,
  CountDoctors1764930000000,
];
