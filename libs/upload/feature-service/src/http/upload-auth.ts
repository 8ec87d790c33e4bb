import { refusal, type Caller, type Permission } from '@quiver/shared-domain-access';
import { reject, type UploadRejection } from '@quiver/upload-domain';

/**
 * Undefined when the caller may use `permission` on the normalised `project` (or, for `admin:*`, on
 * the registry); otherwise the 403 (BAD-INPUT 45, 59), worded like PyPI's.
 */
export function forbidden(caller: Caller, permission: Permission, project?: string): UploadRejection | undefined {
  const refused = refusal(caller, permission, project);
  return refused && reject('forbidden', refused.message);
}
