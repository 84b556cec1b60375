package dev.worker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.worker.reliability.badinput.BadInputSuite;
import dev.worker.reliability.crash.CrashSuite;
import dev.worker.reliability.fulldisk.FullDiskSuite;
import dev.worker.reliability.harness.Violations;
import dev.worker.reliability.refs.RefsSuite;
import dev.worker.reliability.soak.SoakSuite;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short mode of each reliability suite, run on every build: the same suites as reliability/run.sh, with small
 * sizes (a few crash iterations, seconds of soak and churn, the whole corpus but fewer fuzz cases). Each must find no
 * violation and must have done the work it claims (kills, faults, requests), so an idle run cannot pass. The seeds are
 * fixed so a failure repeats; the failure message carries the suite's full report.
 */
// A guard against a hang only: every suite bounds itself far below this.
@Timeout(value = 10, unit = TimeUnit.MINUTES)
final class ReliabilitySuitesShortTest {
    private static final long SEED = 20261123L;

    @TempDir
    Path work;

    @Test
    void crash_killedAtSeededMoments_convergesToWhatItAcknowledged() throws Exception {
        CrashSuite.Config full = CrashSuite.Config.of(3, SEED, work);
        CrashSuite.Result r = CrashSuite.run(new CrashSuite.Config(full.iterations(), SEED, work, 24, 3,
                full.chunkSize(), full.churnBandwidth(), Duration.ofSeconds(240)));

        String report = report(r::print);
        assertNoViolations(r.violations(), report);
        assertThat(r.kills().values().stream().mapToInt(Integer::intValue).sum()).as(report)
                .isGreaterThanOrEqualTo(3);
        assertThat(r.acked()).as(report).isPositive();
    }

    @Test
    void soak_againstAFlakyStore_endsWithEveryWantedChunkReadyAndLittleRedownloaded() throws Exception {
        SoakSuite.Config full = SoakSuite.Config.of(Duration.ofSeconds(8), SEED, work);
        SoakSuite.Result r = SoakSuite.run(new SoakSuite.Config(full.duration(), SEED, work, 12, 3, 4L << 20,
                full.faults(), full.maxOverhead(), List.of()));

        String report = report(r::print);
        assertNoViolations(r.violations(), report);
        assertThat(r.faults().values().stream().mapToLong(Long::longValue).sum()).as(report).isPositive();
        assertThat(r.chunkDownloads()).as(report).isPositive();
        assertThat(r.overhead()).as(report).isLessThanOrEqualTo(full.maxOverhead());
    }

    @Test
    void badInput_corpusAndFuzz_neverGet5xxAndChangeNothing() throws Exception {
        BadInputSuite.Result r = BadInputSuite.run(new BadInputSuite.Config(SEED, work, corpus(), 1_000, 200,
                false));

        String report = report(r::print);
        assertNoViolations(r.violations(), report);
        assertThat(r.corpusCases()).as(report).isGreaterThanOrEqualTo(100);
        assertThat(r.fuzzAnswers().values().stream().mapToInt(Integer::intValue).sum()).as(report)
                .isEqualTo(1_000);
        assertThat(r.tokenFuzzAnswers().values().stream().mapToInt(Integer::intValue).sum()).as(report)
                .isEqualTo(1_000);
    }

    @Test
    void fullDisk_onASmallTmpfs_waitsOrFailsClearly_andRecoversOnceSpaceIsFreed() throws Exception {
        FullDiskSuite.Config full = FullDiskSuite.Config.of(SEED, work, List.of(FullDiskSuite.Scenario.values()));
        FullDiskSuite.Result r = FullDiskSuite.run(new FullDiskSuite.Config(SEED, work, full.scenarios(),
                full.tmpfsBytes(), Duration.ofSeconds(5), Duration.ofSeconds(30)));

        assumeTrue(r.skipped().isEmpty(), () -> "the full-disk suite needs a tmpfs mount: " + r.skipped().get());
        String report = report(r::print);
        assertNoViolations(r.violations(), report);
        assertThat(r.reports()).as(report).containsOnlyKeys(FullDiskSuite.Scenario.values());
    }

    @Test
    void refs_leasedChunksKeepTheirFilesWhileOthersDeleteAndReAddThem() throws Exception {
        RefsSuite.Config full = RefsSuite.Config.of(Duration.ofSeconds(8), SEED, work);
        RefsSuite.Result r = RefsSuite.run(new RefsSuite.Config(full.duration(), SEED, work, full.holders(),
                full.churners(), Duration.ofSeconds(30)));

        String report = report(r::print);
        assertNoViolations(r.violations(), report);
        assertThat(r.leases()).as(report).isPositive();
        assertThat(r.reads()).as(report).isPositive();
        assertThat(r.churnIntents()).as(report).isPositive();
    }

    private static void assertNoViolations(Violations violations, String report) {
        assertThat(violations.messages()).as("seed %d; report:%n%s", SEED, report).isEmpty();
        assertThat(violations.total()).as(report).isZero();
    }

    private static String report(Consumer<PrintStream> print) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            print.accept(out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        return text;
    }

    /** reliability/corpus of the repository, found from the module's directory (the test's working directory). */
    private static Path corpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("reliability/corpus");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no reliability/corpus above " + Path.of("").toAbsolutePath());
    }
}
