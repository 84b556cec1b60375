package dev.worker.mock.drive;

import static dev.worker.mock.drive.Fixtures.chunkId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.ChunkId;
import dev.worker.mock.drive.DriverModel.Desired;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The model's rules, with explicit times (nanoseconds) and no threads. */
final class DriverModelTest {
    private static final ChunkId A = chunkId(1);
    private static final ChunkId B = chunkId(2);
    private static final ChunkId C = chunkId(3);

    private static DriverModel model() {
        return new DriverModel(Map.of(), 0, Duration.ofSeconds(1000));
    }

    @Test
    void desired_isTheLastAcknowledgedIntent() {
        DriverModel model = model();
        assertThat(model.desired(A)).isEqualTo(Desired.ABSENT);
        model.acknowledge(model.intend(A, true, 10), 20);
        assertThat(model.desired(A)).isEqualTo(Desired.PRESENT);
        model.acknowledge(model.intend(A, false, 30), 40);
        assertThat(model.desired(A)).isEqualTo(Desired.ABSENT);
        model.acknowledge(model.intend(A, true, 50), 60);
        assertThat(model.desired(A)).isEqualTo(Desired.PRESENT);
        assertThat(model.chunks(Desired.PRESENT)).containsExactly(A);
    }

    @Test
    void initialState_counts_asAcknowledgedBeforeTheRun() {
        DriverModel model = new DriverModel(Map.of(A, true, B, false), 0, Duration.ofSeconds(1));
        assertThat(model.desired(A)).isEqualTo(Desired.PRESENT);
        assertThat(model.desired(B)).isEqualTo(Desired.ABSENT);
        assertThat(model.known()).containsExactly(A, B);
        assertThat(model.mayBeFound(A, 5, 6)).isTrue();
        assertThat(model.mayBeFound(B, 5, 6)).isFalse();
        assertThat(model.describe(A)).isEqualTo("initially present");
    }

    @Test
    void aRefusedIntent_changesNothing() {
        DriverModel model = model();
        model.acknowledge(model.intend(A, true, 10), 20);
        model.reject(model.intend(A, false, 30));
        assertThat(model.desired(A)).isEqualTo(Desired.PRESENT);
        assertThat(model.mayBeFound(A, 50, 60)).isTrue();
    }

    @Test
    void anUncertainIntent_makesTheChunkUnknown_untilALaterOneIsAcknowledged() {
        DriverModel model = model();
        model.acknowledge(model.intend(A, true, 10), 20);
        model.uncertain(model.intend(A, false, 30));
        assertThat(model.desired(A)).isEqualTo(Desired.UNKNOWN);
        model.acknowledge(model.intend(A, false, 50), 60);
        assertThat(model.desired(A)).isEqualTo(Desired.ABSENT);

        model.uncertain(model.intend(B, true, 10));
        assertThat(model.desired(B)).isEqualTo(Desired.UNKNOWN);
        model.acknowledge(model.intend(C, true, 10), 20);
        model.uncertain(model.intend(C, true, 30));
        assertThat(model.desired(C)).as("an uncertain repeat of the same intent changes nothing")
                .isEqualTo(Desired.PRESENT);
    }

    @Test
    void anUncertainDownload_mayHaveBeenAppliedAnyTimeAfterItWasSent() {
        DriverModel model = model();
        model.uncertain(model.intend(A, true, 100));
        assertThat(model.mayBeFound(A, 50, 90)).isFalse();
        assertThat(model.mayBeFound(A, 50, 150)).isTrue();
        assertThat(model.mayBeFound(A, 1_000, 2_000)).isTrue();
    }

    @Test
    void mayBeFound_whenTheLastIntentAcknowledgedBeforeTheFindWasADownload() {
        DriverModel model = model();
        model.acknowledge(model.intend(A, true, 10), 20);
        assertThat(model.mayBeFound(A, 30, 40)).isTrue();
        assertThat(model.mayBeFound(B, 30, 40)).as("never named").isFalse();
    }

    @Test
    void notFound_whenEveryIntentAroundTheFindWasADelete() {
        DriverModel model = model();
        model.acknowledge(model.intend(A, true, 10), 20);
        model.acknowledge(model.intend(A, false, 30), 40);
        assertThat(model.mayBeFound(A, 50, 60)).isFalse();
        assertThat(model.describe(A)).isEqualTo("download sent at 0.000s, ok at 0.000s; "
                + "delete sent at 0.000s, ok at 0.000s");
    }

    @Test
    void aDeleteInFlightDuringTheFind_stillAllowsTheChunk() {
        DriverModel model = model();
        model.acknowledge(model.intend(A, true, 10), 20);
        DriverModel.Intent delete = model.intend(A, false, 45);
        assertThat(model.mayBeFound(A, 50, 60)).isTrue();
        model.acknowledge(delete, 55);
        assertThat(model.mayBeFound(A, 50, 60)).as("acknowledged during the find: the find may have come first")
                .isTrue();
        assertThat(model.mayBeFound(A, 56, 60)).as("acknowledged before the find was sent").isFalse();
    }

    @Test
    void aDownloadInFlightDuringTheFind_allowsTheChunk() {
        DriverModel model = model();
        model.acknowledge(model.intend(A, true, 10), 20);
        model.acknowledge(model.intend(A, false, 30), 40);
        DriverModel.Intent download = model.intend(A, true, 55);
        assertThat(model.mayBeFound(A, 50, 60)).as("sent before the answer").isTrue();
        assertThat(model.mayBeFound(A, 50, 54)).as("answered before it was sent").isFalse();
        model.acknowledge(download, 70);
        assertThat(model.mayBeFound(A, 50, 60)).isTrue();
        assertThat(model.mayBeFound(A, 75, 80)).isTrue();
    }

    @Test
    void anAssignment_recordsAnIntentPerChunk() {
        DriverModel model = new DriverModel(Map.of(C, true), 0, Duration.ofSeconds(1));
        Map<ChunkId, Boolean> intents = new TreeMap<>(Map.of(A, true, B, false, C, false));
        List<DriverModel.Intent> assigned = model.intendAll(intents, 10);
        assertThat(assigned).hasSize(3);
        assertThat(model.desired(C)).as("pending: a find may still see it").isEqualTo(Desired.UNKNOWN);
        assigned.forEach(i -> model.acknowledge(i, 20));
        assertThat(model.chunks(Desired.PRESENT)).containsExactly(A);
        assertThat(model.chunks(Desired.ABSENT)).containsExactly(B, C);
        assertThat(model.mayBeFound(C, 5, 15)).isTrue();
        assertThat(model.mayBeFound(C, 25, 30)).isFalse();
    }

    @Test
    void anIntent_isResolvedOnce() {
        DriverModel model = model();
        DriverModel.Intent intent = model.intend(A, true, 10);
        model.acknowledge(intent, 20);
        assertThatThrownBy(() -> model.reject(intent)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void compaction_keepsTheLastOldIntent_andNeverRaisesAFalseAlarm() {
        DriverModel model = new DriverModel(Map.of(), 0, Duration.ofNanos(100));
        model.acknowledge(model.intend(A, true, 10), 20);
        model.acknowledge(model.intend(A, false, 30), 40);
        model.acknowledge(model.intend(A, true, 50), 60);
        model.acknowledge(model.intend(A, false, 500), 510);
        // Everything acknowledged by 400 but the last of those (the download at 60) was dropped.
        assertThat(model.describe(A)).startsWith("older intents compacted; download sent at");
        assertThat(model.mayBeFound(A, 25, 26)).as("window before what is kept: not judged").isTrue();
        assertThat(model.mayBeFound(A, 45, 46)).as("before the kept download's answer: not judged").isTrue();
        assertThat(model.mayBeFound(A, 100, 110)).isTrue();
        assertThat(model.mayBeFound(A, 520, 530)).isFalse();
        assertThat(model.desired(A)).isEqualTo(Desired.ABSENT);
    }
}
