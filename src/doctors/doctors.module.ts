import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MappingsModule } from '../mappings/mappings.module.js';
import { DoctorVersion } from './doctor-version.entity.js';
import { DoctorVersionsRepository } from './doctor-versions.repository.js';
import { Doctor } from './doctor.entity.js';
import { DoctorsController } from './doctors.controller.js';
import { DoctorsRepository } from './doctors.repository.js';
import { DoctorsService } from './doctors.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Doctor, DoctorVersion]), MappingsModule],
  controllers: [DoctorsController],
  providers: [DoctorsService, DoctorsRepository, DoctorVersionsRepository],
  exports: [DoctorsService],
})
export class DoctorsModule {}
