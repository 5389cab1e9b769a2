import { Module } from '@nestjs/common';
import { DoctorsModule } from '../doctors/doctors.module.js';
import { MappingsModule } from '../mappings/mappings.module.js';
import { PatientsModule } from '../patients/patients.module.js';
import { CareTeamController } from './care-team.controller.js';
import { FhirService } from './fhir.service.js';
import { MetadataController } from './metadata.controller.js';
import { PatientController } from './patient.controller.js';
import { PractitionerController } from './practitioner.controller.js';

/** The read-only FHIR R4 view of the records, at /fhir/R4. */
@Module({
  imports: [PatientsModule, DoctorsModule, MappingsModule],
  controllers: [MetadataController, PatientController, PractitionerController, CareTeamController],
  providers: [FhirService],
})
export class FhirModule {}
