import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';

/** Opens an endpoint to unauthenticated callers; every other endpoint needs a bearer token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
