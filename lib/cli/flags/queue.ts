/** `--queue URL`: run units of work on `lacuna worker` processes through Redis. */
import { checkQueueUrl } from '../../queue/connection';
import type { Options, OptionSpec } from '../../util/options';

export function queueOption(help: string): OptionSpec {
  return { name: 'queue', type: 'string', value: 'redis://[:PASSWORD@]HOST:PORT[/DB]', help };
}

/** The Redis URL given, checked; undefined when the work runs here. */
export function readQueueUrl(flags: Options): string | undefined {
  const url = flags.string('queue');
  if (url !== undefined) checkQueueUrl(url);
  return url;
}
