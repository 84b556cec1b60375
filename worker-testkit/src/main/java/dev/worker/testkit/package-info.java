/**
 * What the modules' tests and the reliability suites share: a client of the admin API that never throws, a daemon as
 * a child process, raw HTTP on a socket, a file server with faults, the data directory seen from outside, latency
 * percentiles, waits on conditions, and the Debian packages some tests need. It speaks HTTP, files and processes
 * only, so every module can use it.
 */
package dev.worker.testkit;
