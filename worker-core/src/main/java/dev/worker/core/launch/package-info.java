/**
 * What the executables built on the library share on their command lines, without a command-line framework: one
 * grammar for durations and byte sizes, option defaults from environment variables, stop signals, and the build's
 * version.
 */
package dev.worker.core.launch;
