import { describe, expect, it } from 'vitest';
import { CourseError, MODULES, courseOutline, lessonProgressText, moduleName, moduleProgressText, parseProgressData, percent, progressData, summarize } from './course';

const lesson = (id: string, order: number) => ({ id, order });

describe('the course outline', () => {
  it('numbers the lessons that exist by position and groups them under their modules', () => {
    const o = courseOutline([lesson('three-pools', 8), lesson('packets', 1), lesson('encapsulation', 3)]);
    expect(o.lessons.map((l) => `${l.number} ${l.lesson.id} ${l.module.id}`)).toEqual(['1 packets packets', '2 encapsulation packets', '3 three-pools model']);
    expect(o.modules.map((m) => `${moduleName(m.module)}: ${m.lessons.map((l) => l.number).join(',')}`)).toEqual(['Module 1: Packets: 1,2', 'Module 4: Addresses and the model: 3']);
  });

  it('takes new lessons in with no change: ipv4-header and docker-bridge slot in by order', () => {
    const o = courseOutline([lesson('three-pools', 8), lesson('packets', 1), lesson('encapsulation', 3), lesson('ipv4-header', 2), lesson('docker-bridge', 4)]);
    expect(o.lessons.map((l) => `${l.number}/${o.lessons.length} ${l.lesson.id}`)).toEqual(['1/5 packets', '2/5 ipv4-header', '3/5 encapsulation', '4/5 docker-bridge', '5/5 three-pools']);
    expect(o.modules.map((m) => m.module.label)).toEqual(['Module 1', 'Module 2', 'Module 4']);
  });

  it('lists every lesson of the curriculum once, in six modules and a capstone', () => {
    const all = MODULES.flatMap((m) => m.lessons);
    expect(all).toHaveLength(17);
    expect(new Set(all).size).toBe(17);
    expect(MODULES.map(moduleName)).toEqual([
      'Module 1: Packets',
      'Module 2: Containers',
      'Module 3: Pods',
      'Module 4: Addresses and the model',
      'Module 5: Services',
      'Module 6: From outside, and who may talk',
      'Capstone',
    ]);
    // The curriculum's numbering is the order: lesson n of the curriculum is the nth slug.
    expect(courseOutline(all.map((id, i) => lesson(id, i + 1))).lessons.map((l) => l.lesson.id)).toEqual(all);
  });

  it('refuses a lesson no module lists, two lessons with one order, and an order across modules', () => {
    expect(() => courseOutline([lesson('packets', 1), lesson('mystery', 2)])).toThrow(CourseError);
    expect(() => courseOutline([lesson('mystery', 2)])).toThrow(/lesson "mystery" belongs to no module: add its slug/);
    expect(() => courseOutline([lesson('packets', 1), lesson('encapsulation', 1)])).toThrow(/both have order 1/);
    expect(() => courseOutline([lesson('three-pools', 2), lesson('encapsulation', 3)])).toThrow(/"encapsulation" \(order 3, Module 1: Packets\) comes after "three-pools" \(order 2, Module 4/);
  });

  it('has no lessons and no modules when there are no lessons', () => {
    expect(courseOutline([])).toEqual({ modules: [], lessons: [] });
  });
});

describe('progress', () => {
  const packets = { labs: { packets: 8 } };
  const encap = { labs: { encapsulation: 8 } };
  const pools = { labs: { 'three-pools': 9 } };
  const reading = { labs: {} };

  it('is not started without a saved lab, started with one, done when every lab is complete', () => {
    expect(lessonProgressText(summarize({}, [packets]))).toBe('Not started');
    const started = summarize({ packets: { passed: 0, total: 8, complete: false } }, [packets]);
    expect(started.state).toBe('started');
    expect(lessonProgressText(started)).toBe('0 of 8 tasks');
    expect(lessonProgressText(summarize({ packets: { passed: 3, total: 8, complete: false } }, [packets]))).toBe('3 of 8 tasks');
    const done = summarize({ packets: { passed: 8, total: 8, complete: true } }, [packets]);
    expect([done.state, lessonProgressText(done), percent(done)]).toEqual(['done', 'Done', 100]);
  });

  it('adds a module up over its lessons; a lesson without labs counts for nothing', () => {
    const saved = { packets: { passed: 8, total: 8, complete: true }, encapsulation: { passed: 3, total: 8, complete: false } };
    const s = summarize(saved, [packets, encap, reading]);
    expect(s).toEqual({ state: 'started', passed: 11, total: 16, lessons: 2, lessonsDone: 1 });
    expect(moduleProgressText(s)).toBe('1 of 2 lessons done, 11 of 16 tasks');
    expect(percent(s)).toBe(69);
    expect(moduleProgressText(summarize(saved, [pools]))).toBe('Not started');
    expect(moduleProgressText(summarize({ 'three-pools': { passed: 9, total: 9, complete: true } }, [pools, reading]))).toBe('Done');
    expect(summarize(saved, [reading]).state).toBe('none');
  });

  it('keeps a saved score within the tasks a lab has now', () => {
    expect(summarize({ packets: { passed: 12, total: 12, complete: false } }, [packets]).passed).toBe(8);
    expect(summarize({ packets: { passed: -2, total: 8, complete: false } }, [packets]).passed).toBe(0);
    expect(lessonProgressText(summarize({ packets: { passed: 1, total: 1, complete: false } }, [{ labs: { packets: 1 } }]))).toBe('1 of 1 task');
  });

  it('round-trips the data attribute and shrugs off a damaged one', () => {
    expect(parseProgressData(progressData([packets, reading]))).toEqual([packets, reading]);
    expect(parseProgressData('not json')).toEqual([]);
    expect(parseProgressData('{"a":1}')).toEqual([]);
    expect(parseProgressData('[{"a":"x","b":2},3]')).toEqual([{ labs: { b: 2 } }]);
    expect(parseProgressData(undefined)).toEqual([]);
  });
});
