/**
 * A client of the worker daemon's admin API (docs/api.md) on the JDK's HttpClient, for programs that drive a daemon:
 * the {@code worker} command line, the churn driver, query processes.
 */
package dev.worker.core.client;
