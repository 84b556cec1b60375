package dev.worker.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class ChunkHandleTest {
    private final AtomicInteger drained = new AtomicInteger();
    private final ChunkHandle handle = new ChunkHandle(TestChunks.descriptor("a", "d", 0, 10), Path.of("/x"), 5, 1,
            h -> drained.incrementAndGet());

    @Test
    void refsCanBeTakenOnlyWhilePublished() {
        assertThat(handle.tryAcquire()).isTrue();
        assertThat(handle.refs()).isEqualTo(1);
        assertThat(handle.unpublish()).as("refs open: not drained yet").isFalse();
        assertThat(handle.tryAcquire()).isFalse();
        assertThat(handle.isPublished()).isFalse();
        assertThat(drained).hasValue(0);
    }

    @Test
    void lastReleaseAfterUnpublishDrainsOnce() {
        handle.tryAcquire();
        handle.tryAcquire();
        handle.unpublish();
        handle.release();
        assertThat(drained).hasValue(0);
        handle.release();
        assertThat(drained).hasValue(1);
        assertThat(handle.isDrained()).isTrue();
        assertThat(handle.tryRevive()).as("drained is terminal").isFalse();
        assertThat(handle.tryAcquire()).isFalse();
    }

    @Test
    void unpublishWithoutRefsReportsDrainedWithoutCallingBack() {
        assertThat(handle.unpublish()).isTrue();
        assertThat(handle.isDrained()).isTrue();
        assertThat(drained).as("the caller acts on the result itself").hasValue(0);
        assertThat(handle.unpublish()).isFalse();
    }

    @Test
    void reviveRepublishesWhileRefsAreOpen() {
        handle.tryAcquire();
        handle.unpublish();
        assertThat(handle.tryRevive()).isTrue();
        assertThat(handle.tryAcquire()).isTrue();
        handle.release();
        handle.release();
        assertThat(drained).as("published again: releases do not drain").hasValue(0);
        assertThat(handle.refs()).isZero();
    }

    @Test
    void releasingMoreThanAcquiredIsAnError() {
        handle.tryAcquire();
        handle.release();
        assertThatThrownBy(handle::release).isInstanceOf(IllegalStateException.class);
    }
}
