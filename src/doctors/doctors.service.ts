import {
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator.js';
import {
  containsPattern,
  type Page,
  paginate,
  type SortColumns,
} from '../common/pagination/page.js';
import { Mapping } from '../mappings/mapping.entity.js';
import { Doctor } from './doctor.entity.js';
import {
  DOCTOR_SORT_FIELDS,
  type CreateDoctorDto,
  type DoctorListQuery,
  type DoctorResponse,
  type ReplaceDoctorDto,
  type UpdateDoctorDto,
} from './dto/doctor.dto.js';

const SORT_COLUMNS = {
  name: 'doctor.name',
  specialization: 'doctor.specialization',
  email: 'doctor.email',
  createdAt: 'doctor.createdAt',
  updatedAt: 'doctor.updatedAt',
} satisfies SortColumns<typeof DOCTOR_SORT_FIELDS>;

function toDoctorResponse(doctor: Doctor): DoctorResponse {
  const { id, name, specialization, email, phone, createdBy, createdAt, updatedAt } = doctor;
  return { id, name, specialization, email, phone, createdBy, createdAt, updatedAt };
}

const NOT_FOUND = 'No doctor with this id.';

/** The doctor directory: every signed-in user reads it; only a doctor's creator changes it. */
@Injectable()
export class DoctorsService {
  constructor(@InjectRepository(Doctor) private readonly doctors: Repository<Doctor>) {}

  /** The directory, or with `mappedTo` only the doctors mapped to that patient of the caller. */
  list(
    auth: AuthUser,
    query: DoctorListQuery,
    mappedTo?: { patientId: string },
  ): Promise<Page<DoctorResponse>> {
    const builder = this.doctors.createQueryBuilder('doctor');
    if (mappedTo) {
      builder.innerJoin(
        Mapping,
        'mapping',
        'mapping.doctor_id = doctor.id AND mapping.patient_id = :patientId AND mapping.created_by = :user',
        { patientId: mappedTo.patientId, user: auth.id },
      );
    }
    if (query.q) {
      builder.andWhere(
        '(doctor.name ILIKE :q OR doctor.specialization ILIKE :q OR doctor.email ILIKE :q)',
        { q: containsPattern(query.q) },
      );
    }
    if (query.specialization !== undefined) {
      builder.andWhere('doctor.specialization = :specialization', {
        specialization: query.specialization,
      });
    }
    return paginate(builder, query, SORT_COLUMNS, toDoctorResponse);
  }

  async get(_auth: AuthUser, id: string): Promise<DoctorResponse> {
    const doctor = await this.doctors.findOneBy({ id });
    if (!doctor) throw new NotFoundException(NOT_FOUND);
    return toDoctorResponse(doctor);
  }

  async create(auth: AuthUser, dto: CreateDoctorDto): Promise<DoctorResponse> {
    const doctor = await this.doctors.save(
      this.doctors.create({ ...dto, phone: dto.phone ?? null, createdBy: auth.id }),
    );
    return toDoctorResponse(doctor);
  }

  replace(auth: AuthUser, id: string, dto: ReplaceDoctorDto): Promise<DoctorResponse> {
    return this.update(auth, id, { ...dto, phone: dto.phone ?? null });
  }

  async update(auth: AuthUser, id: string, dto: UpdateDoctorDto): Promise<DoctorResponse> {
    await this.assertCreator(auth, id);
    await this.doctors.update({ id, createdBy: auth.id }, dto);
    return this.get(auth, id);
  }

  async remove(auth: AuthUser, id: string): Promise<void> {
    await this.assertCreator(auth, id);
    const [{ count }]: { count: number }[] = await this.doctors.query(
      `SELECT count(*)::int AS count FROM (
         SELECT id FROM patients WHERE doctor_id = $1
         UNION SELECT patient_id FROM mappings WHERE doctor_id = $1
       ) AS dependents`,
      [id],
    );
    if (count > 0) {
      throw new ConflictException(
        `The doctor is still assigned or mapped to ${count} patient${count === 1 ? '' : 's'}; ` +
          'reassign them or remove the mappings first.',
      );
    }
    // A patient assigned meanwhile makes the foreign key refuse this delete (a 409 as well).
    await this.doctors.delete({ id, createdBy: auth.id });
  }

  /** 404 when the doctor does not exist, 403 when the caller did not create it. */
  private async assertCreator(auth: AuthUser, id: string): Promise<void> {
    const doctor = await this.doctors.findOne({
      where: { id },
      select: { id: true, createdBy: true },
    });
    if (!doctor) throw new NotFoundException(NOT_FOUND);
    if (doctor.createdBy !== auth.id) {
      throw new ForbiddenException(
        'Only the user who created this doctor may change or delete it.',
      );
    }
  }
}
