package dev.worker.core.download;

/** Why a transfer is retried; {@link #code()} labels the retry counter. */
public enum RetryReason {
    HTTP_5XX("http_5xx"),
    HTTP_408("http_408"),
    HTTP_429("http_429"),
    /** Connection refused, reset or closed before the body ended. */
    CONNECTION("connection"),
    /** The body ended before Content-Length. */
    TRUNCATED("truncated"),
    /** No byte arrived for the stall timeout. */
    STALL("stall"),
    /** SHA-256 mismatch: the file is downloaded again from the start, once. */
    CHECKSUM("checksum"),
    /** The disk budget or the free-space floor does not allow the bytes. */
    DISK_FULL("disk_full"),
    /** Another local file error (EIO, EACCES...): the disk may be fixed, so it is retried. */
    LOCAL_IO("local_io"),
    /** The server answered a range request with 416: the partial file is dropped. */
    RANGE_NOT_SATISFIABLE("range_not_satisfiable");

    private final String code;

    RetryReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
