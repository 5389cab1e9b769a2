import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Mapping } from './mapping.entity.js';
import { MappingsController } from './mappings.controller.js';
import { MappingsRepository } from './mappings.repository.js';
import { MappingsService } from './mappings.service.js';

/** Exports its repository: patients map themselves to doctors, doctors count their patients. */
@Module({
  imports: [TypeOrmModule.forFeature([Mapping])],
  controllers: [MappingsController],
  providers: [MappingsService, MappingsRepository],
  exports: [MappingsService, MappingsRepository],
})
export class MappingsModule {}
