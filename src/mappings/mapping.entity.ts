import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Doctor } from '../doctors/doctor.entity.js';
import { Patient } from '../patients/patient.entity.js';

/** A patient–doctor pair; unique (`mappings_patient_id_doctor_id_key`). */
@Entity({ name: 'mappings' })
export class Mapping {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @Column({ name: 'doctor_id', type: 'uuid' })
  doctorId: string;

  /** The patient's owner, kept equal to it by a composite foreign key. */
  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  notes: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => Patient, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'patient_id' })
  patient: Relation<Patient>;

  @ManyToOne(() => Doctor, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'doctor_id' })
  doctor: Relation<Doctor>;
}
