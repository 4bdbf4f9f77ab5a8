/**
 * What Linux says about a process and the machine: peak and current RSS (/proc/PID/status VmHWM,
 * VmRSS), CPU time used (/proc/PID/stat utime + stime), load average, and a free loopback port.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Memory of a process in MB from /proc/PID/status: `peak` is VmHWM (high-water mark of RSS). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** User + system CPU time the process has used so far, in ms. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return (ticks / 100) * 1000; // USER_HZ is 100 on Linux
}

/** 1-minute load average. */
export function load1(): number {
  return loadavg()[0] ?? NaN;
}

/** A port free on 127.0.0.1 right now (for a child process that must be told its port). */
export { freePort } from '../../src/sim/free-port.js';
