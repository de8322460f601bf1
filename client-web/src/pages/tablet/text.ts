// A tablet message in the language shown now: the controller keeps messages as keys and
// parameters (controller.ts Msg), so that a language switch translates them again.

import { describeError } from '../../i18n/common';
import type { Msg } from './controller';
import { t } from './strings';

export function text(msg: Msg): string {
  const params = { ...(msg.params ?? {}) };
  if (msg.error) params.error = describeError(msg.error);
  return t(msg.key, params);
}
