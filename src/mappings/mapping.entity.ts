import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  Index,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Doctor } from '../doctors/doctor.entity.js';
import { Patient } from '../patients/patient.entity.js';
import { LENGTH } from '../common/validation/limits.js';

/** A patient–doctor pair; unique (`mappings_patient_id_doctor_id_key`). */
@Entity({ name: 'mappings' })
@Index('mappings_patient_id_doctor_id_key', ['patientId', 'doctorId'], { unique: true })
@Index('mappings_doctor_id_idx', ['doctorId'])
@Index('mappings_created_by_created_at_idx', ['createdBy', 'createdAt', 'id'])
export class Mapping {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @Column({ name: 'doctor_id', type: 'uuid' })
  doctorId: string;

  /** The patient's owner, kept equal to it by a composite foreign key. */
  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ type: 'varchar', length: LENGTH.notes, nullable: true })
  notes: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Joined on the patient and its owner: a mapping only ever names its owner's patient. */
  @ManyToOne(() => Patient, {
    onDelete: 'CASCADE',
    onUpdate: 'CASCADE',
  })
  @JoinColumn([
    {
      name: 'patient_id',
      referencedColumnName: 'id',
      foreignKeyConstraintName: 'mappings_patient_fkey',
    },
    {
      name: 'created_by',
      referencedColumnName: 'createdBy',
      foreignKeyConstraintName: 'mappings_patient_fkey',
    },
  ])
  patient: Relation<Patient>;

  @ManyToOne(() => Doctor)
  @JoinColumn({ name: 'doctor_id', foreignKeyConstraintName: 'mappings_doctor_id_fkey' })
  doctor: Relation<Doctor>;
}
