package dev.worker.core.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

final class ResumeFileTest {
    @TempDir
    Path tmp;

    @Test
    void pathFor_isASiblingOfTheDownloadDirectory() {
        assertThat(ResumeFile.pathFor(tmp.resolve("tmp").resolve("abc.3")))
                .isEqualTo(tmp.resolve("tmp").resolve("abc.3.resume"));
    }

    @Test
    void entries_surviveAReload_inTheDocumentedJsonForm() throws Exception {
        Path dir = tmp.resolve("d");
        ResumeFile file = ResumeFile.load(dir);
        file.put("a", new ResumeFile.Entry("http://h/a", "\"e1\"", null));
        file.put("b", new ResumeFile.Entry("http://h/b", null, "Wed, 21 Oct 2015 07:28:00 GMT"));

        ResumeFile reloaded = ResumeFile.load(dir);

        assertThat(reloaded.get("a")).contains(new ResumeFile.Entry("http://h/a", "\"e1\"", null));
        assertThat(reloaded.get("b").orElseThrow().validator()).isEqualTo("Wed, 21 Oct 2015 07:28:00 GMT");
        assertThat(Files.readString(ResumeFile.pathFor(dir))).isEqualTo("{\"a\":{\"url\":\"http://h/a\","
                + "\"etag\":\"\\\"e1\\\"\"},\"b\":{\"url\":\"http://h/b\",\"last_modified\":"
                + "\"Wed, 21 Oct 2015 07:28:00 GMT\"}}");
    }

    @Test
    void remove_andDelete_forgetEntries() {
        Path dir = tmp.resolve("d");
        ResumeFile file = ResumeFile.load(dir);
        file.put("a", new ResumeFile.Entry("http://h/a", "\"e1\"", null));
        file.remove("a");
        assertThat(ResumeFile.load(dir).get("a")).isEmpty();

        file.delete();

        assertThat(ResumeFile.pathFor(dir)).doesNotExist();
    }

    @Test
    void unreadableFile_meansNoEntries() throws Exception {
        Path dir = tmp.resolve("d");
        Files.writeString(ResumeFile.pathFor(dir), "{not json");

        assertThat(ResumeFile.load(dir).get("a")).isEmpty();
    }

    /**
     * Found by the full-disk suite (ENOSPC scenario, seed 20261123): a write that failed for want of space left
     * {@code <dir>.resume.tmp} in tmp/ for good, so tmp/ never emptied after the disk had room again. The temp file
     * here is a link to /dev/full, whose writes fail with ENOSPC.
     */
    @Test
    void aWriteThatRunsOutOfSpace_leavesNoTempFileBehind() throws Exception {
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.isWritable(devFull), "needs /dev/full (Linux) to make a write fail with ENOSPC");
        Path dir = tmp.resolve("d");
        Path temp = ResumeFile.pathFor(dir).resolveSibling(ResumeFile.pathFor(dir).getFileName() + ".tmp");
        Files.createSymbolicLink(temp, devFull);
        ResumeFile file = ResumeFile.load(dir);

        file.put("a", new ResumeFile.Entry("http://h/a", "\"e1\"", null));

        assertThat(temp).doesNotExist();
        assertThat(ResumeFile.pathFor(dir)).doesNotExist();
        assertThat(file.get("a")).isPresent();

        file.put("b", new ResumeFile.Entry("http://h/b", "\"e2\"", null));

        assertThat(ResumeFile.load(dir).get("a")).as("a later write, with room, holds every entry").isPresent();
        assertThat(temp).doesNotExist();
    }

    @Test
    void delete_alsoRemovesALeftoverTempFile() throws Exception {
        Path dir = tmp.resolve("d");
        ResumeFile file = ResumeFile.load(dir);
        file.put("a", new ResumeFile.Entry("http://h/a", "\"e1\"", null));
        Path temp = ResumeFile.pathFor(dir).resolveSibling(ResumeFile.pathFor(dir).getFileName() + ".tmp");
        Files.writeString(temp, "{");

        file.delete();

        assertThat(ResumeFile.pathFor(dir)).doesNotExist();
        assertThat(temp).doesNotExist();
    }

    @Test
    @Timeout(10)
    void concurrentPuts_allReachTheFile() throws Exception {
        Path dir = tmp.resolve("d");
        ResumeFile file = ResumeFile.load(dir);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            String name = "f" + i;
            threads.add(Thread.ofVirtual().start(
                    () -> file.put(name, new ResumeFile.Entry("http://h/" + name, "\"" + name + "\"", null))));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        ResumeFile reloaded = ResumeFile.load(dir);
        for (int i = 0; i < 32; i++) {
            assertThat(reloaded.get("f" + i)).as("f%d", i).isPresent();
        }
    }
}
