import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DoctorsModule } from '../doctors/doctors.module.js';
import { PatientVersion } from './patient-version.entity.js';
import { PatientVersionsRepository } from './patient-versions.repository.js';
import { Patient } from './patient.entity.js';
import { PatientsController } from './patients.controller.js';
import { PatientsRepository } from './patients.repository.js';
import { PatientsService } from './patients.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Patient, PatientVersion]), DoctorsModule],
  controllers: [PatientsController],
  providers: [PatientsService, PatientsRepository, PatientVersionsRepository],
  exports: [PatientsService],
})
export class PatientsModule {}
