import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Mapping } from './mapping.entity.js';
import { MappingsController } from './mappings.controller.js';
import { MappingsService } from './mappings.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Mapping])],
  controllers: [MappingsController],
  providers: [MappingsService],
  exports: [MappingsService],
})
export class MappingsModule {}
