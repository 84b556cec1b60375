package dev.worker.core.store;

import static dev.worker.core.store.StoreFixtures.chunkId;
import static dev.worker.core.store.StoreFixtures.contents;
import static dev.worker.core.store.StoreFixtures.descriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.worker.core.BlockRange;
import dev.worker.core.Bytes32;
import dev.worker.core.ChunkDescriptor;
import dev.worker.core.ChunkId;
import dev.worker.core.FileSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class IntentJournalTest {
    private static final long LARGE = 1L << 40; // no compaction unless a test wants it

    @TempDir
    Path dir;

    private Path log() {
        return dir.resolve("intents.log");
    }

    @Test
    void theJournalKeepsItsOwnDesiredSetNotTheCollectionStartWasGiven() throws Exception {
        List<ChunkDescriptor> desired = new ArrayList<>(List.of(descriptor(1, "a.bin"), descriptor(2, "a.bin")));
        java.lang.ref.WeakReference<List<ChunkDescriptor>> given = new java.lang.ref.WeakReference<>(desired);
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(desired);
            desired = null;
            // Once the writer has taken the set (its first append is written after), nothing may hold the caller's
            // collection: for 100,000 chunks that was 4 MB kept for the life of the journal.
            await(List.of(journal.append(new Intent.Delete(chunkId(99)))));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (given.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(given.get()).as("the collection given to start, after GCs").isNull();
        }
    }

    @Test
    void open_ofAMissingFile_createsAnEmptyJournal() throws IOException {
        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();

        assertThat(opened.replay()).isEmpty();
        assertThat(log()).exists();
        assertThat(IntentJournal.open(log(), LARGE).replay()).isEmpty();
    }

    @Test
    void replay_returnsTheIntentsInAppendOrder() throws Exception {
        List<Intent> appended = mixedIntents(new Random(1), 200);
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of());
            List<CompletableFuture<Void>> futures = appended.stream().map(journal::append).toList();
            await(futures);
            assertThat(journal.recordsWritten()).isEqualTo(200);
        }

        assertThat(replay()).containsExactlyElementsOf(withSnapshot(List.of(), appended));
    }

    @Test
    void start_writesASnapshot_soReplayAfterReopenIsTheSeededDesiredSet() throws Exception {
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of());
            await(mixedIntents(new Random(2), 50).stream().map(journal::append).toList());
        }
        List<ChunkDescriptor> seeded = List.of(descriptor(1, "a.bin"), descriptor(2, "a.bin", "b.bin"));

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        try (IntentJournal journal = opened.journal()) {
            assertThat(opened.replay()).hasSizeGreaterThan(1);
            journal.start(seeded);
            await(List.of(journal.append(new Intent.Delete(chunkId(99)))));
            assertThat(journal.compactions()).isEqualTo(1);
        }

        List<Intent> replay = replay();
        assertThat(replay).hasSize(2);
        assertThat(desiredAfter(replay)).isEqualTo(byId(seeded));
    }

    @Test
    void start_keepsAJournalThatIsAlreadyTheSameSnapshot_andRewritesOneThatDiffers() throws Exception {
        List<ChunkDescriptor> seeded = List.of(descriptor(1, "a.bin"), descriptor(2, "a.bin", "b.bin"));
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(seeded);
        }
        long size = java.nio.file.Files.size(log());

        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of(seeded.get(1), seeded.get(0)));
            await(List.of(journal.append(new Intent.Delete(chunkId(99)))));
            assertThat(journal.compactions()).as("same set: not rewritten").isZero();
        }
        assertThat(java.nio.file.Files.size(log())).isGreaterThan(size);
        assertThat(desiredAfter(replay())).isEqualTo(byId(seeded));

        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of(seeded.get(1)));
            await(List.of(journal.append(new Intent.Delete(chunkId(98)))));
            assertThat(journal.compactions()).as("a snapshot and a delete: rewritten").isEqualTo(1);
        }
        assertThat(replay()).hasSize(2);
    }

    @Test
    void appendsBeforeStart_areWrittenAfterTheSnapshot() throws Exception {
        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        try (IntentJournal journal = opened.journal()) {
            CompletableFuture<Void> early = journal.append(new Intent.Download(descriptor(5, "a.bin")));
            assertThat(early).isNotDone();
            journal.start(List.of(descriptor(6, "a.bin")));
            await(List.of(early));
        }

        assertThat(desiredAfter(replay())).containsOnlyKeys(chunkId(5), chunkId(6));
    }

    @Test
    void close_beforeStart_appendsWhatIsQueuedToTheFileAsOpened() throws Exception {
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of(descriptor(1, "a.bin")));
        }
        IntentJournal journal = IntentJournal.open(log(), LARGE).journal();
        CompletableFuture<Void> queued = journal.append(new Intent.Delete(chunkId(1)));

        journal.close();

        await(List.of(queued));
        assertThat(desiredAfter(replay())).isEmpty();
    }

    @Test
    void append_afterClose_failsWithIllegalState_andStartAfterCloseIsRefused() throws Exception {
        IntentJournal journal = IntentJournal.open(log(), LARGE).journal();
        journal.start(List.of());
        journal.close();
        journal.close(); // idempotent

        CompletableFuture<Void> late = journal.append(new Intent.Delete(chunkId(1)));

        assertThat(late).isCompletedExceptionally();
        assertThatThrownBy(late::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> journal.start(List.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void tornTail_midRecord_isTruncated_andEarlierRecordsSurvive() throws Exception {
        List<Intent> appended = mixedIntents(new Random(3), 20);
        long sizeBeforeLast = writeJournal(appended.subList(0, 19));
        writeJournal(appended.subList(19, 20), false);
        long full = Files.size(log());
        try (FileChannel channel = FileChannel.open(log(), StandardOpenOption.WRITE)) {
            channel.truncate(sizeBeforeLast + (full - sizeBeforeLast) / 2);
        }

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();

        assertThat(parsed(opened.replay()))
                .containsExactlyElementsOf(withSnapshot(List.of(), appended.subList(0, 19)));
        assertThat(Files.size(log())).isEqualTo(sizeBeforeLast);
    }

    @Test
    void tornTail_withinTheRecordHeader_isTruncated() throws Exception {
        List<Intent> appended = mixedIntents(new Random(4), 5);
        long size = writeJournal(appended);
        appendRaw(new byte[] {0, 0, 1});

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();

        assertThat(parsed(opened.replay())).containsExactlyElementsOf(withSnapshot(List.of(), appended));
        assertThat(Files.size(log())).isEqualTo(size);
    }

    @Test
    void garbageAfterTheLastRecord_isTruncated_andTheJournalStaysUsable() throws Exception {
        List<Intent> appended = mixedIntents(new Random(5), 10);
        long size = writeJournal(appended);
        byte[] garbage = new byte[1000];
        new Random(6).nextBytes(garbage);
        appendRaw(garbage);

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        try (IntentJournal journal = opened.journal()) {
            assertThat(parsed(opened.replay())).containsExactlyElementsOf(withSnapshot(List.of(), appended));
            assertThat(Files.size(log())).isEqualTo(size);
            journal.start(List.of());
            await(List.of(journal.append(new Intent.Download(descriptor(77, "a.bin")))));
        }
        assertThat(desiredAfter(replay())).containsOnlyKeys(chunkId(77));
    }

    @Test
    void crcMismatchInTheLastRecord_dropsOnlyThatRecord() throws Exception {
        List<Intent> appended = mixedIntents(new Random(7), 10);
        long sizeBeforeLast = writeJournal(appended.subList(0, 9));
        writeJournal(appended.subList(9, 10), false);
        long full = Files.size(log());
        flipByteAt(full - 3); // inside the last payload: the length still fits, the CRC does not

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();

        assertThat(parsed(opened.replay()))
                .containsExactlyElementsOf(withSnapshot(List.of(), appended.subList(0, 9)));
        assertThat(Files.size(log())).isEqualTo(sizeBeforeLast);
    }

    @Test
    void anImpossibleLengthInTheLastRecord_dropsOnlyThatRecord() throws Exception {
        List<Intent> appended = mixedIntents(new Random(8), 3);
        long sizeBeforeLast = writeJournal(appended.subList(0, 2));
        writeJournal(appended.subList(2, 3), false);
        try (FileChannel channel = FileChannel.open(log(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).putInt(0, 0x7fff_ffff), sizeBeforeLast);
        }

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();

        assertThat(opened.replay()).hasSize(3);
        assertThat(Files.size(log())).isEqualTo(sizeBeforeLast);
    }

    @Test
    void aRecordWithAValidCrcButAnUnparsablePayload_isTruncated() throws Exception {
        List<Intent> appended = mixedIntents(new Random(11), 3);
        long size = writeJournal(appended);
        byte[] payload = "{\"op\":\"move\",\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new java.util.zip.CRC32C();
        crc.update(payload);
        appendRaw(ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue())
                .put(payload).array());

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();

        assertThat(parsed(opened.replay())).containsExactlyElementsOf(withSnapshot(List.of(), appended));
        assertThat(Files.size(log())).isEqualTo(size);
    }

    @Test
    void open_ofAFileThatIsNotAJournal_failsAndLeavesItAlone() throws IOException {
        Files.writeString(log(), "{\"some\": \"other file\"}");

        assertThatThrownBy(() -> IntentJournal.open(log(), LARGE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(log().toString())
                .hasMessageContaining("not an intent journal");
        assertThat(log()).hasContent("{\"some\": \"other file\"}");
    }

    @Test
    void open_deletesACompactionFileLeftByACrash_andReplaysTheJournal() throws Exception {
        List<Intent> appended = mixedIntents(new Random(9), 4);
        writeJournal(appended);
        Path leftover = dir.resolve("intents.log.compact");
        Files.write(leftover, new byte[] {'W', 'K', 'I', 'J', 0, 0, 0, 1, 0, 0});

        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();

        assertThat(leftover).doesNotExist();
        assertThat(parsed(opened.replay())).containsExactlyElementsOf(withSnapshot(List.of(), appended));
    }

    @Test
    void aFailedBatch_failsItsFutures_andTheWriterServesLaterBatches() throws Exception {
        IntentJournal journal = IntentJournal.open(log(), LARGE).journal();
        // A directory in the journal's place: the snapshot's rename and every open for appending fail.
        Files.delete(log());
        Files.createDirectory(log());
        Files.writeString(log().resolve("in-the-way"), "x");
        try {
            journal.start(List.of());
            CompletableFuture<Void> failed = journal.append(new Intent.Delete(chunkId(1)));
            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IOException.class);

            FileSystemOps.deleteRecursively(log());
            JournalFormat.writeAndReplace(log(), dir.resolve("fresh"), List.of()).close();
            await(List.of(journal.append(new Intent.Delete(chunkId(2)))));
        } finally {
            journal.close();
        }

        assertThat(replay()).containsExactly(new Intent.Delete(chunkId(2)));
    }

    @Test
    void groupCommit_1000ConcurrentAppends_costFarFewerSyncsThanRecords() throws Exception {
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of());
            await(List.of(journal.append(new Intent.Delete(chunkId(0)))));
            long syncsBefore = journal.syncs();
            long recordsBefore = journal.recordsWritten();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> futures = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = IntStream.range(0, 8).mapToObj(t -> Thread.ofPlatform().start(() -> {
                awaitUninterruptibly(go);
                for (int i = 0; i < 125; i++) {
                    futures.add(journal.append(new Intent.Download(descriptor(t * 1000L + i, "a.bin"))));
                }
            })).toList();
            go.countDown();
            for (Thread thread : threads) {
                assertThat(thread.join(Duration.ofSeconds(10))).isTrue();
            }
            await(futures);

            long syncs = journal.syncs() - syncsBefore;
            long records = journal.recordsWritten() - recordsBefore;
            System.out.printf("group commit: %d records, %d syncs%n", records, syncs);
            assertThat(records).isEqualTo(1000);
            assertThat(syncs).isBetween(1L, 100L);
        }
        assertThat(desiredAfter(replay())).hasSize(1000);
    }

    @Test
    void groupCommit_manyWritersEachWaitingForDurability_shareSyncs() throws Exception {
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of());
            long syncsBefore = journal.syncs();
            List<Thread> writers = IntStream.range(0, 50).mapToObj(t -> Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10; i++) {
                    journal.append(new Intent.Delete(chunkId(t * 100L + i))).join();
                }
            })).toList();
            for (Thread writer : writers) {
                assertThat(writer.join(Duration.ofSeconds(20))).isTrue();
            }
            long syncs = journal.syncs() - syncsBefore;
            System.out.printf("closed-loop group commit: 500 records, %d syncs%n", syncs);
            assertThat(journal.recordsWritten()).isEqualTo(500);
            assertThat(syncs).isLessThan(250);
        }
    }

    @Test
    void compaction_keepsTheDesiredSetIdentical_andShrinksTheFile() throws Exception {
        long threshold = 64 * 1024;
        Random random = new Random(10);
        List<ChunkDescriptor> seeded = IntStream.range(0, 20).mapToObj(i -> descriptor(i, "a.bin")).toList();
        Map<ChunkId, ChunkDescriptor> expected = byId(seeded);
        long peak = 0;
        long shrinks = 0;
        try (IntentJournal journal = IntentJournal.open(log(), threshold).journal()) {
            journal.start(seeded);
            for (int round = 0; round < 40; round++) {
                List<Intent> batch = mixedIntents(random, 50);
                batch.forEach(intent -> Intent.apply(intent, expected));
                long before = journal.sizeBytes();
                await(batch.stream().map(journal::append).toList());
                // Replay of the file as it is now, while the journal keeps running, gives the same desired set.
                assertThat(desiredAfter(JournalFormat.read(log()).intents())).isEqualTo(expected);
                long after = journal.sizeBytes();
                peak = Math.max(peak, after);
                shrinks += after < before ? 1 : 0;
            }
            System.out.printf("compaction: %d compactions, %d rounds shrank the file, peak %d bytes, now %d bytes%n",
                    journal.compactions(), shrinks, peak, journal.sizeBytes());
            assertThat(journal.compactions()).isGreaterThan(2);
            assertThat(shrinks).isGreaterThan(1);
            assertThat(peak).isLessThan(8 * threshold); // 40 rounds write far more than that
        }
        List<Intent> replay = replay();
        assertThat(desiredAfter(replay)).isEqualTo(expected);
        assertThat(replay.getFirst()).isInstanceOf(Intent.Assign.class);
    }

    @Test
    void aBigAssignOf50000Descriptors_roundTrips() throws Exception {
        // Declared sizes and hashes, as an assignment from the scheduler carries them.
        List<ChunkDescriptor> big = IntStream.range(0, 50_000).mapToObj(i -> ChunkDescriptor.of(chunkId(i),
                StoreFixtures.DATASET, new BlockRange(i * 100L, i * 100L + 100), Map.of("blocks.parquet",
                        FileSource.of("https://storage.test/chunks/" + i + "/blocks.parquet", 200_000_000L + i,
                                new Bytes32(i, ~i, i * 7L, 42)))))
                .toList();
        long started = System.nanoTime();
        try (IntentJournal journal = IntentJournal.open(log(), LARGE).journal()) {
            journal.start(List.of());
            await(List.of(journal.append(new Intent.Assign(big))));
            System.out.printf("assign of 50,000 descriptors: %d bytes, durable after %d ms%n", journal.sizeBytes(),
                    (System.nanoTime() - started) / 1_000_000);
        }

        List<Intent> replay = replay();

        assertThat(replay).hasSize(2);
        assertThat(replay.get(1)).isEqualTo(new Intent.Assign(big));
    }

    // --- helpers

    /** Writes intents into the journal through a started journal; returns the file size afterwards. */
    private long writeJournal(List<Intent> intents) throws Exception {
        return writeJournal(intents, true);
    }

    /**
     * Appends through a journal opened on the file; {@code fresh} starts it (a new snapshot, then the intents),
     * otherwise close() appends the queued intents to the file as it is.
     */
    private long writeJournal(List<Intent> intents, boolean fresh) throws Exception {
        IntentJournal journal = IntentJournal.open(log(), LARGE).journal();
        if (fresh) {
            journal.start(List.of());
        }
        List<CompletableFuture<Void>> futures = intents.stream().map(journal::append).toList();
        journal.close();
        await(futures);
        return Files.size(log());
    }

    private List<Intent> replay() throws IOException {
        IntentJournal.Opened opened = IntentJournal.open(log(), LARGE);
        opened.journal().close();
        return parsed(opened.replay());
    }

    /** Replayed intents with snapshots parsed into the equivalent Assign, for comparison. */
    private static List<Intent> parsed(List<Intent> replay) {
        return replay.stream()
                .map(i -> i instanceof Intent.Snapshot s
                        ? new Intent.Assign(s.chunks().stream().map(JournaledDescriptor::descriptor).toList())
                        : i)
                .toList();
    }

    private void appendRaw(byte[] bytes) throws IOException {
        Files.write(log(), bytes, StandardOpenOption.APPEND);
    }

    private void flipByteAt(long position) throws IOException {
        try (FileChannel channel = FileChannel.open(log(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x20));
            channel.write(one.flip(), position);
        }
    }

    /** The records a journal started with {@code seeded} holds after {@code appended}. */
    private static List<Intent> withSnapshot(List<ChunkDescriptor> seeded, List<Intent> appended) {
        List<Intent> all = new ArrayList<>();
        all.add(new Intent.Assign(seeded));
        all.addAll(appended);
        return all;
    }

    private static Map<ChunkId, ChunkDescriptor> desiredAfter(List<Intent> replay) {
        Map<ChunkId, ChunkDescriptor> desired = new HashMap<>();
        replay.forEach(intent -> Intent.apply(intent, desired));
        return desired;
    }

    private static Map<ChunkId, ChunkDescriptor> byId(List<ChunkDescriptor> descriptors) {
        Map<ChunkId, ChunkDescriptor> map = new HashMap<>();
        descriptors.forEach(d -> map.put(d.id(), d));
        return map;
    }

    /** Downloads, deletes and the odd small assign, over a pool of 200 chunk ids. */
    private static List<Intent> mixedIntents(Random random, int count) {
        List<Intent> intents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = random.nextInt(200);
            int kind = random.nextInt(100);
            if (kind < 60) {
                intents.add(new Intent.Download(descriptor(n, contents(n, "blocks.parquet", "logs.parquet"))));
            } else if (kind < 98) {
                intents.add(new Intent.Delete(chunkId(n)));
            } else {
                intents.add(new Intent.Assign(IntStream.range(0, random.nextInt(5))
                        .mapToObj(j -> descriptor(n + j, "a.bin")).toList()));
            }
        }
        return intents;
    }

    private static void await(List<CompletableFuture<Void>> futures)
            throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
