package dev.worker.core.download;

import static java.util.Objects.requireNonNull;

import dev.worker.core.FileDigest;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that happens to one file of a chunk download, on the file's own thread: adopting what an earlier run
 * left on disk, then attempts, each holding a transfer permit, until the file is complete, fails permanently or the
 * download is cancelled. Transient errors are retried forever: at once after an attempt that got the file further
 * than ever before, else after an exponential backoff (and never before the server's Retry-After), without a permit.
 */
final class FileTransfer {
    private static final Logger log = LoggerFactory.getLogger(FileTransfer.class);

    /** How the file ended. */
    sealed interface Outcome {
        String code();
    }

    record Ok(FileDigest digest) implements Outcome {
        @Override
        public String code() {
            return "ok";
        }
    }

    record Failed(DownloadOutcome.Failed failure) implements Outcome {
        @Override
        public String code() {
            return "failed";
        }
    }

    record Cancelled() implements Outcome {
        @Override
        public String code() {
            return "cancelled";
        }
    }

    private final TransferEnv env;
    private final FileState state;
    private final DownloadProgress progress;
    private final DiskSpace space;
    private final ResumeFile resume;
    private final Cancellation cancel;
    private final Backoff backoff;
    private int attempts;
    /** The most bytes this file ever had on disk during this download: reaching further counts as progress. */
    private long highWater;
    private Duration pause = Duration.ZERO;

    FileTransfer(TransferEnv env, FileState state, DownloadProgress progress, DiskSpace space, ResumeFile resume,
            Cancellation cancel, Backoff backoff) {
        this.env = requireNonNull(env, "env");
        this.state = requireNonNull(state, "state");
        this.progress = requireNonNull(progress, "progress");
        this.space = requireNonNull(space, "space");
        this.resume = requireNonNull(resume, "resume");
        this.cancel = requireNonNull(cancel, "cancel");
        this.backoff = requireNonNull(backoff, "backoff");
    }

    String name() {
        return state.name;
    }

    /** Runs to the end; never throws. Cancellation (also by interrupting this thread) ends it as {@link Cancelled}. */
    Outcome run() {
        Outcome outcome;
        try {
            outcome = transfer();
        } catch (InterruptedException e) {
            log.debug("file transfer cancelled file={} url={} bytes={}", state.name, state.source.url(),
                    state.file.length());
            outcome = new Cancelled();
        }
        env.listener().fileFinished(outcome.code());
        return outcome;
    }

    private Outcome transfer() throws InterruptedException {
        Optional<FileDigest> onDisk = adoptEarlierRun();
        if (onDisk.isPresent()) {
            return new Ok(onDisk.get());
        }
        while (true) {
            checkCancelled();
            AttemptResult result;
            env.slots().acquire();
            try {
                progress.markTransferring();
                result = attemptWhileProgressing();
            } finally {
                env.slots().release();
            }
            switch (result) {
                case AttemptResult.Done done -> {
                    AttemptResult forced = force();
                    if (forced instanceof AttemptResult.Retry retry) {
                        pause = backoff.next();
                        attempts++;
                        env.listener().retried(retry.reason().code());
                        progress.retried(retry.message());
                        log.warn("fsync failed; downloading the file again file={} path={} attempt={} delayMs={} "
                                + "error={}", state.name, state.file.path(), attempts + 1, pause.toMillis(),
                                retry.message());
                        pauseBeforeRetry();
                        continue;
                    }
                    log.debug("file complete file={} url={} size={} sha256={} attempts={}", state.name,
                            state.source.url(), done.digest().size(), done.digest().sha256(), attempts + 1);
                    return new Ok(done.digest());
                }
                case AttemptResult.Fail fail -> {
                    log.warn("file failed permanently file={} url={} reason={} error={}", state.name,
                            state.source.url(), fail.reason(), fail.message());
                    progress.failed(fail.message());
                    return new Failed(new DownloadOutcome.Failed(state.name, fail.reason(), fail.message()));
                }
                case AttemptResult.Retry retry -> pauseBeforeRetry();
            }
        }
    }

    /** Attempts while they make progress; returns a final result, or a retry to make after {@link #pause}. */
    private AttemptResult attemptWhileProgressing() throws InterruptedException {
        while (true) {
            checkCancelled();
            AttemptResult result = attempt();
            if (!(result instanceof AttemptResult.Retry retry)) {
                return result;
            }
            // A cancellation aborts the exchange from the cancelling thread, which this one may see as a failed
            // transfer before the interrupt arrives: that is no retry.
            checkCancelled();
            long length = state.file.length();
            boolean progressed = length > highWater;
            highWater = Math.max(highWater, length);
            if (retry.reason() == RetryReason.CHECKSUM) {
                highWater = 0; // a clean re-download is a new download
            }
            if (progressed) {
                backoff.reset();
            }
            boolean now = retry.retryAfter().isEmpty() && (retry.reason() == RetryReason.CHECKSUM
                    || retry.reason() == RetryReason.RANGE_NOT_SATISFIABLE
                    || (progressed && retry.reason() != RetryReason.DISK_FULL));
            pause = now ? Duration.ZERO : longer(backoff.next(), retry.retryAfter());
            attempts++;
            env.listener().retried(retry.reason().code());
            progress.retried(retry.message());
            log.info("retrying file={} url={} reason={} attempt={} delayMs={} bytes={} error={}", state.name,
                    state.source.url(), retry.reason().code(), attempts + 1, pause.toMillis(), length,
                    retry.message());
            if (!now) {
                return retry;
            }
        }
    }

    private AttemptResult attempt() throws InterruptedException {
        try {
            return new Attempt(env, state, progress, space, resume, cancel).run();
        } catch (IOException e) {
            if (cancel.isCancelled() || e instanceof ClosedByInterruptException) {
                throw cancelled(e);
            }
            if (DiskFull.is(e)) {
                return new AttemptResult.Retry(RetryReason.DISK_FULL, "disk full writing " + state.file.path()
                        + " for " + state.describe() + ": " + e);
            }
            // A local file error is not in the list of permanent failures: the disk may be fixed, so retry with
            // backoff like any transient error (a chunk is never stuck without a path forward).
            log.warn("local file error; will retry file={} path={} url={}", state.name, state.file.path(),
                    state.source.url(), e);
            return new AttemptResult.Retry(RetryReason.LOCAL_IO, "cannot write " + state.file.path() + " for "
                    + state.describe() + ": " + e);
        }
    }

    /**
     * fsyncs a complete file, without a transfer permit: the flush to disk then overlaps the next transfers instead
     * of holding a network slot idle while it runs (with every transfer ending at about the same time, holding the
     * slots stalled the whole download once per wave of files). Null when done; a retry when the fsync failed, after
     * which the page cache cannot be trusted to hold the file, so it is downloaded again from byte 0.
     */
    private AttemptResult force() throws InterruptedException {
        PartialFile file = state.file;
        try {
            file.open();
            try {
                file.force();
            } finally {
                file.close();
            }
            return null;
        } catch (IOException e) {
            if (cancel.isCancelled() || e instanceof ClosedByInterruptException) {
                throw cancelled(e);
            }
            String message = "cannot fsync " + file.path() + " for " + state.describe() + ": " + e;
            try {
                long dropped = file.length();
                file.restart();
                progress.addDone(-dropped);
            } catch (IOException again) {
                log.warn("cannot reset the file after a failed fsync file={} path={}", state.name, file.path(), again);
            }
            return new AttemptResult.Retry(DiskFull.is(e) ? RetryReason.DISK_FULL : RetryReason.LOCAL_IO, message);
        }
    }

    private void pauseBeforeRetry() throws InterruptedException {
        checkCancelled();
        Instant at = env.clock().instant().plus(pause);
        progress.waitingUntil(at);
        try {
            // Cancellation interrupts this thread, which ends the sleep at once.
            Thread.sleep(pause);
        } finally {
            progress.waitOver(at);
        }
    }

    /**
     * Looks at what an earlier run left: a file with the declared size and SHA-256 is done; a partial file with a
     * strong validator for the same URL (see {@link ResumeFile.Entry#usableFor}) is hashed and resumed; anything else
     * restarts from byte 0.
     */
    private Optional<FileDigest> adoptEarlierRun() throws InterruptedException {
        state.validator = resume.get(state.name).filter(entry -> entry.usableFor(state.source));
        PartialFile file = state.file;
        try {
            long onDisk = file.sizeOnDisk();
            if (onDisk == 0) {
                return Optional.empty();
            }
            OptionalLong declared = state.source.size();
            if (declared.isPresent() && onDisk > declared.getAsLong()) {
                log.info("file on disk is larger than declared, restarting it file={} bytes={} declared={}",
                        state.name, onDisk, declared.getAsLong());
                return Optional.empty();
            }
            if (declared.isPresent() && onDisk == declared.getAsLong() && state.source.sha256().isPresent()) {
                file.adopt(onDisk);
                if (file.sha256().equals(state.source.sha256().get())) {
                    file.open();
                    try {
                        file.force();
                    } finally {
                        file.close();
                    }
                    progress.addDone(onDisk);
                    log.info("file already complete on disk file={} size={}", state.name, onDisk);
                    return Optional.of(new FileDigest(onDisk, file.sha256()));
                }
                log.info("file on disk has the declared size but not the declared SHA-256, restarting it file={}",
                        state.name);
                file.restart();
                return Optional.empty();
            }
            if (state.validator.isEmpty()) {
                log.info("partial file without resume validator, restarting it file={} bytes={}", state.name, onDisk);
                return Optional.empty();
            }
            // A file that may be complete keeps all but its last byte, so the resume request proves (206) that the
            // store's file is still the same one rather than being answered 416.
            long keep = declared.isEmpty() || onDisk == declared.getAsLong() ? onDisk - 1 : onDisk;
            file.adopt(keep);
            progress.addDone(keep);
            highWater = keep;
            log.info("resuming partial file file={} url={} bytes={}", state.name, state.source.url(), keep);
            return Optional.empty();
        } catch (IOException e) {
            if (cancel.isCancelled() || e instanceof ClosedByInterruptException) {
                throw cancelled(e);
            }
            // Progress is only counted as the last step of each branch above, so there is none to take back.
            log.warn("cannot use the partial file, restarting it file={} path={}", state.name, file.path(), e);
            try {
                file.restart();
            } catch (IOException again) {
                log.warn("cannot reset the partial file file={} path={}", state.name, file.path(), again);
            }
            return Optional.empty();
        }
    }

    private void checkCancelled() throws InterruptedException {
        if (cancel.isCancelled()) {
            throw new InterruptedException("download of " + state.name + " cancelled");
        }
    }

    private static InterruptedException cancelled(IOException cause) {
        InterruptedException e = new InterruptedException("cancelled during file I/O");
        e.initCause(cause);
        return e;
    }

    private static Duration longer(Duration delay, Optional<Duration> atLeast) {
        return atLeast.filter(d -> d.compareTo(delay) > 0).orElse(delay);
    }
}
