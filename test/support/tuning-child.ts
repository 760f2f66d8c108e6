/**
 * A study on a cheap objective, run as a child process by test/tuning-study.test.ts (which kills
 * it mid-point): `node --import tsx tuning-child.ts DIR CALLS`.
 */
import { cheapStudy } from './tuning-cheap';

const [dir, calls] = process.argv.slice(2);
cheapStudy(dir, Number(calls)).then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
