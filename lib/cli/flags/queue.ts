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

/**
 * `--tune-batch N`: tuning points handed out at a time on the queue (tune, study --tune). One name
 * in both commands; tune's old `--batch` is in the renamed-flags table.
 */
export function tuneBatchOption(when: string): OptionSpec {
  return {
    name: 'tune-batch', type: 'number', integer: true, min: 1, default: 1,
    help: `${when}: N tuning points at a time (set it to the number of workers), proposed by\n` +
      'constant liar (scikit-optimize\'s Optimizer.ask(N, strategy=\'cl_min\')); 1 proposes exactly\n' +
      'the points of a study on one machine. Batches cost calls: see bench/queue.ts',
  };
}
