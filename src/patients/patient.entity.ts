import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Doctor } from '../doctors/doctor.entity.js';
import { User } from '../users/user.entity.js';
import { LENGTH } from '../common/validation/limits.js';

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

@Entity({ name: 'patients' })
@Check('patients_gender_check', `"gender" IN ('female', 'male', 'other', 'unknown')`)
@Unique('patients_id_created_by_key', ['id', 'createdBy'])
@Index('patients_created_by_created_at_idx', ['createdBy', 'createdAt', 'id'])
@Index('patients_doctor_id_idx', ['doctorId'])
export class Patient {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: LENGTH.name })
  name: string;

  /** YYYY-MM-DD: PostgreSQL's date, read back as the same string. */
  @Column({ name: 'date_of_birth', type: 'date' })
  dateOfBirth: string;

  @Column({ type: 'varchar', length: 7 })
  gender: Gender;

  @Column({ type: 'varchar', length: LENGTH.email, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: LENGTH.phone, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: LENGTH.address, nullable: true })
  address: string | null;

  @Column({
    name: 'medical_history',
    type: 'varchar',
    length: LENGTH.medicalHistory,
    nullable: true,
  })
  medicalHistory: string | null;

  /** The assigned doctor; always also mapped to the patient. */
  @Column({ name: 'doctor_id', type: 'uuid' })
  doctorId: string;

  @ManyToOne(() => Doctor)
  @JoinColumn({ name: 'doctor_id', foreignKeyConstraintName: 'patients_doctor_id_fkey' })
  doctor?: Relation<Doctor>;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'patients_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
